"""What every retold command shares: input options, error policy, progress display, summary, exits."""
from __future__ import annotations

import argparse
import contextlib
import importlib
import re
import sys
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, TypeVar

from retold.io import InputError, SkippedRecord, read_articles, write_records
from retold.article_fields import FieldOptions
from retold.progress import Progress as Progress  # re-exported: the commands take it from here

if TYPE_CHECKING:
    from retold.article import Article
    from retold.boilerplate import BoilerplateReport

_Number = TypeVar("_Number", int, float)

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_INTERRUPTED = 130


def add_subcommands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser], modules: Mapping[str, str], run_key: str) -> None:
    """One subcommand per entry ``name -> module`` (``retold dedup``, ``retold eval reuse``).

    Each module defines ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``,
    which is set as ``run_key`` on the parsed arguments.  A module that is not there (a
    capability still being built) is left out; an import error inside one is not hidden.
    """
    for name, module_name in modules.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        command = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        # The command's own options, so that advice printed to its users names them (below).
        command.set_defaults(**{run_key: module.run, f"{run_key}_flags": long_options(command)})


def long_options(parser: argparse.ArgumentParser) -> dict[str, str]:
    """``dest -> --long-option`` of every option of ``parser`` that has a long form."""
    out: dict[str, str] = {}
    for action in parser._actions:  # argparse has no public list of a parser's options
        longs = [o for o in action.option_strings if o.startswith("--")]
        if longs and action.dest not in out:
            out[action.dest] = longs[0]
    return out


# What the command now running accepts (set by ``retold.cli.main``); empty outside a command.
_FLAGS: dict[str, str] = {}
# A keyword argument as library messages write it: ``name='value'``, ``name="value"``,
# ``name=True``, or a bare ``name=`` naming the option.
_KEYWORD = re.compile(r"(?<![\w.\-])([a-z][a-z0-9_]*)=(?:'([^'\n]*)'|\"([^\"\n]*)\"|(True)\b|(?=[\s,;:)]|$))")


def use_flags(flags: Mapping[str, str]) -> None:
    """Make :func:`as_command_line` speak of the options in ``flags`` (dest -> --option)."""
    _FLAGS.clear()
    _FLAGS.update(flags)


def as_command_line(message: str, flags: Mapping[str, str] | None = None) -> str:
    """Library advice in command-line spelling: ``encoding_errors='replace'`` becomes
    ``--encoding-errors replace``, ``text_field=`` becomes ``--text-field``.

    Only keywords that are options of the command (``flags``, by default those of the command
    now running) are rewritten: other advice is left as the library wrote it rather than
    naming an option the command does not have.
    """
    flags = _FLAGS if flags is None else flags

    def spelled(match: re.Match[str]) -> str:
        flag = flags.get(match.group(1))
        if flag is None:
            return match.group(0)
        value = match.group(2) if match.group(2) is not None else match.group(3)
        if match.group(4):  # name=True: a switch
            return flag
        if value is None:
            return flag
        return f"{flag} {value}" if value and " " not in value else f"{flag} '{value}'"

    return _KEYWORD.sub(spelled, message)


def _number(text: str, kind: Callable[[str], _Number]) -> _Number:
    try:
        return kind(text)
    except ValueError:
        what = "an integer" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None


def fraction(text: str) -> float:
    """argparse type: a number in (0, 1] (thresholds where 0 would accept everything)."""
    value = _number(text, float)
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {value}")
    return value


def unit_interval(text: str) -> float:
    """argparse type: a number in [0, 1]."""
    value = _number(text, float)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {value}")
    return value


def link_value(text: str) -> float:
    """argparse type: an average link of the story clustering, a number in [-1, 1] (the density
    term can take it below 0)."""
    value = _number(text, float)
    if not -1.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in [-1, 1], got {value}")
    return value


def positive_int(text: str) -> int:
    """argparse type: an integer of at least 1."""
    value = _number(text, int)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: an integer of 0 or more."""
    value = _number(text, int)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def non_negative_float(text: str) -> float:
    """argparse type: a number of 0 or more (inf allowed)."""
    value = _number(text, float)
    if not value >= 0.0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def positive_float(text: str) -> float:
    """argparse type: a number above 0."""
    value = _number(text, float)
    if not value > 0.0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun in agreement with it: "1 copy cluster", "3 copy clusters"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


class CommandError(Exception):
    """An error the user can act on; printed without a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@contextlib.contextmanager
def library_errors(invalid: int = EXIT_USAGE) -> Iterator[None]:
    """Errors of a library call as CommandError: an InputError (the input cannot be read as
    articles) exits with EXIT_INPUT, any other ValueError (an option the parser could not check,
    such as a recall out of reach) with ``invalid``."""
    try:
        yield
    except InputError as exc:
        raise CommandError(str(exc), EXIT_INPUT) from None
    except ValueError as exc:
        raise CommandError(str(exc), invalid) from None


def add_input_arguments(parser: argparse.ArgumentParser, *, demo: bool = True) -> None:
    """INPUT, field names, error policy, mojibake repair, --demo, --quiet, --debug."""
    parser.add_argument(
        "input",
        nargs="?",
        metavar="INPUT",
        help="JSONL/CSV/TSV/Parquet file, a directory of .txt files, .html/.htm pages (a file or "
        "a directory), a .warc/.warc.gz web archive, or - for stdin",
    )
    if demo:
        parser.add_argument(
            "--demo", action="store_true", help="run on the demo corpus shipped with retold"
        )
    parser.add_argument(
        "--format", choices=["jsonl", "csv", "tsv", "parquet", "txt", "html", "warc"],
        help="how INPUT is written (default: from its extension; a directory is txt, stdin jsonl)",
    )
    parser.add_argument("--id-field", default="id", metavar="FIELD",
                        help="field (column) of each article's id; without it, the position in "
                        "the input; a txt directory uses the file name; HTML/WARC use the page's "
                        "URL, or with 'path' the HTML file's path, or with a WARC header name "
                        "(WARC-Record-ID) that header (default: %(default)s)")
    parser.add_argument("--text-field", default="text", metavar="FIELD",
                        help="field (column) of the article's text (default: %(default)s)")
    parser.add_argument("--title-field", default="title", metavar="FIELD",
                        help="field of the headline, if any (default: %(default)s)")
    parser.add_argument("--date-field", default="date", metavar="FIELD",
                        help="field of the publication date, ISO 8601 or a Unix time, if any "
                        "(default: %(default)s)")
    parser.add_argument("--source-field", default="source", metavar="FIELD",
                        help="field of the outlet's name, if any (default: %(default)s)")
    parser.add_argument("--lang-field", default="lang", metavar="FIELD",
                        help="field of the language code, if any (default: %(default)s)")
    parser.add_argument(
        "--on-error",
        choices=["fail", "skip"],
        default="fail",
        help="malformed records stop the run naming file and line (fail), or are skipped and "
        "listed (skip) (default: %(default)s)",
    )
    parser.add_argument(
        "--fix-text", action="store_true", help="repair mojibake (UTF-8 read as Latin-1) with ftfy"
    )
    parser.add_argument(
        "--encoding-errors",
        choices=["strict", "replace"],
        default="strict",
        help="invalid UTF-8 makes a record malformed (strict), or becomes U+FFFD (replace) "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--strip-boilerplate", action=argparse.BooleanOptionalAction, default=None,
        help="drop lines repeated across many articles of one source (site banners, "
        "subscription notices) before hashing (default: on for HTML/WARC, off otherwise)",
    )
    parser.add_argument(
        "--detect-language", action="store_true",
        help="name the language of each article without one (py3langid: pip install "
        "\"retold[lang]\"); a language the input gives is kept",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")


def add_output_arguments(parser: argparse.ArgumentParser, emits: Mapping[str, str] | None = None) -> None:
    """-o/--output and --output-format, as every command that writes records takes them; with
    ``emits`` (each choice and what it writes, the default first) also ``--emit``."""
    if emits:
        default = next(iter(emits))
        parser.add_argument("--emit", choices=list(emits), default=default,
                            help="; ".join(f"{name}: {what}" for name, what in emits.items())
                            + f" (default {default})")
    parser.add_argument(
        "-o", "--output", metavar="OUT", default="-",
        help="output file (.jsonl, .csv, .tsv, .parquet; .gz for compressed text); default stdout as JSON Lines",
    )
    parser.add_argument("--output-format", choices=["jsonl", "csv", "tsv", "parquet"],
                        help="output format when OUT's extension does not say")


def write_output(records: Iterable[Any], args: argparse.Namespace) -> int:
    """Write ``records`` to ``-o/--output`` in ``--output-format`` (or OUT's extension); the
    number written.  A record that cannot be written, or an OUT that cannot be, is a
    CommandError naming OUT."""
    try:
        return write_records(records, args.output, format=args.output_format)
    except InputError as exc:
        raise CommandError(str(exc), EXIT_INPUT) from None
    except (ValueError, TypeError) as exc:
        raise CommandError(f"cannot write {args.output}: {exc}", EXIT_USAGE) from None


def output_name(args: argparse.Namespace) -> str:
    """OUT as a summary names it: its path, or ``stdout``."""
    return "stdout" if args.output == "-" else str(args.output)


def field_options(args: argparse.Namespace) -> FieldOptions:
    """``--id-field`` and the other field options, by the readers' and drivers' keywords."""
    return FieldOptions(id_field=args.id_field, text_field=args.text_field, title_field=args.title_field,
                        date_field=args.date_field, source_field=args.source_field,
                        lang_field=args.lang_field)


def input_path(args: argparse.Namespace) -> str:
    """The input the options name: INPUT, ``-`` for stdin, or the demo corpus with ``--demo``."""
    if getattr(args, "demo", False):
        if args.input:
            raise CommandError("give INPUT or --demo, not both", EXIT_USAGE)
        from retold.data import demo_path

        return str(demo_path())
    if not args.input:
        raise CommandError("no INPUT given (use - for stdin, or --demo)", EXIT_USAGE)
    path: str = args.input
    return path


def tokenizes(article: Article) -> None:
    """The per-record check of every command: the article's text and title tokenise.

    Every stage starts from the tokens, and a text no stage can take would otherwise fail in
    the middle of a corpus-wide step, naming no article (issue 19); here it is one bad record.
    """
    from retold.hashing import tokenize

    tokenize(article.text)
    if article.title:
        tokenize(article.title)


def open_articles(args: argparse.Namespace, path: str,
                  skipped: list[SkippedRecord] | None) -> Iterator[Any]:
    """The articles of ``path`` as the input options say to read them, one at a time (bad
    records raise or are listed in ``skipped`` as ``--on-error`` says)."""
    from retold.boilerplate import BoilerplateReport

    report = BoilerplateReport()
    try:
        articles = read_articles(
            path,
            format=args.format,
            **field_options(args),
            on_error=args.on_error,
            errors=skipped,
            fix_text=args.fix_text,
            encoding_errors=getattr(args, "encoding_errors", "strict"),
            check=tokenizes,
            strip_boilerplate=getattr(args, "strip_boilerplate", None),
            boilerplate=report,
            detect_language=getattr(args, "detect_language", False),
        )
    except InputError as exc:
        raise CommandError(str(exc), EXIT_INPUT) from None
    except ValueError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    except ImportError as exc:
        raise CommandError(str(exc), EXIT_INPUT) from None
    return _announcing(articles, report, getattr(args, "quiet", False))


def _announcing(articles: Iterator[Any], report: BoilerplateReport, quiet: bool) -> Iterator[Any]:
    """Yield ``articles``; once the first is out (the boilerplate pass has run by then), say on
    stderr what the pass dropped, so the summary of every command reports it."""
    first = True
    for article in articles:
        if first:
            first = False
            if report.articles and not quiet:
                print(report, file=sys.stderr)
        yield article


def no_articles(skipped: list[SkippedRecord]) -> CommandError:
    """The error of every command whose input holds no article: nothing is written, so an
    earlier output is never replaced by an empty one."""
    why = f" (all {len(skipped)} records were malformed and skipped)" if skipped else ""
    if skipped:
        report_skipped(skipped)
    return CommandError(f"no articles in the input{why}; nothing written", EXIT_INPUT)


def load_articles(args: argparse.Namespace) -> tuple[list[Any], list[SkippedRecord]]:
    """Read the articles named by the input options (or the demo corpus); errors, and an input
    without articles, become CommandError."""
    skipped: list[SkippedRecord] = []
    try:
        articles = list(open_articles(args, input_path(args), skipped))
    except InputError as exc:  # a bad record, or a file that cannot be read as articles
        raise CommandError(str(exc), EXIT_INPUT) from None
    except (ValueError, ImportError) as exc:
        raise CommandError(str(exc), EXIT_USAGE if isinstance(exc, ValueError) else EXIT_INPUT) from None
    if not articles:
        raise no_articles(skipped)
    return articles, skipped


def report_skipped(skipped: list[SkippedRecord], *, limit: int = 20) -> None:
    """List skipped records on stderr (the first ``limit``, then a count)."""
    if not skipped:
        return
    print(f"skipped {len(skipped)} malformed record(s):", file=sys.stderr)
    for record in skipped[:limit]:
        print(f"  {as_command_line(str(record))}", file=sys.stderr)
    if len(skipped) > limit:
        print(f"  ... and {len(skipped) - limit} more", file=sys.stderr)
