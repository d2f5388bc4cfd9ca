"""``retold align A B``: the passages two articles share, side by side in the terminal.

A and B are text files, or article ids in a corpus given with ``--corpus`` (or ``--demo``).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from retold.cli._common import EXIT_INPUT, EXIT_OK, EXIT_USAGE, CommandError, library_errors, positive_int

if TYPE_CHECKING:
    from retold.passages import Passage

HELP = "show the passages two articles share (files, or ids in a corpus), side by side"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", metavar="A", help="text file, or an article id with --corpus/--demo")
    parser.add_argument("b", metavar="B", help="text file, or an article id with --corpus/--demo")
    parser.add_argument("--corpus", metavar="INPUT",
                        help="JSONL/CSV/TSV/Parquet corpus in which A and B are article ids")
    parser.add_argument("--demo", action="store_true", help="A and B are ids in the demo corpus")
    parser.add_argument("--id-field", default="id")
    parser.add_argument("--text-field", default="text")
    parser.add_argument("--method", choices=["seeded", "full"], default="seeded",
                        help="seed-and-extend (linear memory, default) or full Smith-Waterman")
    parser.add_argument("--min-tokens", type=positive_int, default=8,
                        help="least equal words in a passage (default 8)")
    parser.add_argument("--no-quotes", action="store_true",
                        help="do not pair reworded quotes, only aligned passages")
    # The output conventions of every other command: -o/--output-format, --on-error, -q.
    parser.add_argument(
        "-o", "--output", metavar="OUT", default="-",
        help="output file: .jsonl, .csv, .tsv, .parquet (.gz for compressed text) get one record "
        "per passage, any other name the side-by-side view; default stdout, the view",
    )
    parser.add_argument("--output-format", choices=["text", "jsonl", "csv", "tsv", "parquet"],
                        help="text (the side-by-side view) or one record per passage; default from "
                        "OUT's extension, text for stdout")
    parser.add_argument("--json", action="store_true",
                        help="the same as --output-format jsonl (its older spelling)")
    parser.add_argument("--on-error", choices=["fail", "skip"], default="fail",
                        help="with --corpus: malformed records stop the run naming file and line "
                        "(fail), or are passed over (skip) (default: %(default)s)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no header and summary line around the passages of the view")
    parser.add_argument("--width", type=positive_int,
                        help="display width in columns (default: the terminal's)")
    parser.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                        help="highlight words that differ (default: when writing to a terminal)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")


def _load_pair(args: argparse.Namespace) -> tuple[str, str, str, str]:
    """(label A, text A, label B, text B)."""
    if args.corpus or args.demo:
        if args.corpus and args.demo:
            raise CommandError("give --corpus or --demo, not both", EXIT_USAGE)
        from retold.io import read_articles

        if args.demo:
            from retold.data import demo_path

            path = str(demo_path())
        else:
            path = args.corpus
        wanted = {args.a, args.b}
        texts: dict[str, str] = {}
        with library_errors():
            for article in read_articles(path, id_field=args.id_field, text_field=args.text_field,
                                         on_error=args.on_error):
                if article.id in wanted:
                    texts[article.id] = article.text
                    if len(texts) == len(wanted):
                        break
        missing = [x for x in (args.a, args.b) if x not in texts]
        if missing:
            raise CommandError(f"no article with id {missing[0]!r} in {path}", EXIT_INPUT)
        return args.a, texts[args.a], args.b, texts[args.b]
    out = []
    for name in (args.a, args.b):
        file = Path(name)
        if not file.is_file():
            raise CommandError(
                f"{name}: no such file (to name articles by id, give --corpus INPUT or --demo)",
                EXIT_INPUT,
            )
        try:
            out += [name, file.read_text(encoding="utf-8")]
        except UnicodeDecodeError as exc:
            raise CommandError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})",
                               EXIT_INPUT) from None
    return out[0], out[1], out[2], out[3]


def side_by_side(a_text: str, b_text: str, width: int, color: bool) -> list[str]:
    """Lines showing two aligned word sequences in two columns, word pairs kept on one line."""
    column = max(10, (width - 3) // 2)
    left_words, right_words = a_text.split(" "), b_text.split(" ")
    lines: list[str] = []
    left: list[str] = []
    right: list[str] = []
    used = 0

    def flush() -> None:
        la, lb = " ".join(left), " ".join(right)
        pad = column - len(la)
        if color:
            la = " ".join(_paint(x, y) for x, y in zip(left, right))
            lb = " ".join(_paint(y, x) for x, y in zip(left, right))
        lines.append(la + " " * max(pad, 0) + " │ " + lb)

    for x, y in zip(left_words, right_words):
        size = max(len(x), len(y)) + (1 if left else 0)
        if left and used + size > column:
            flush()
            left, right, used = [], [], 0
            size -= 1
        left.append(x)
        right.append(y)
        used += size
    if left:
        flush()
    return lines


def _paint(word: str, other: str) -> str:
    if word.casefold() == other.casefold():
        return word
    return f"\x1b[1;33m{word}\x1b[0m"


def output_format(args: argparse.Namespace) -> str:
    """text, or the record format: --output-format, else --json, else OUT's extension."""
    if args.output_format:
        if args.json and args.output_format != "jsonl":
            raise CommandError(f"--json and --output-format {args.output_format} disagree", EXIT_USAGE)
        return str(args.output_format)
    if args.json:
        return "jsonl"
    if args.output == "-":
        return "text"
    from retold.io import WRITABLE_FORMATS, format_from_path

    try:  # the extensions every command reads and writes by
        fmt = format_from_path(args.output)
    except ValueError:
        return "text"
    return fmt if fmt in WRITABLE_FORMATS else "text"


def view_lines(label_a: str, label_b: str, passages: list[Passage], *, width: int, color: bool,
               quiet: bool) -> list[str]:
    """The side-by-side view: a header naming A and B, each passage, a summary line."""
    column = max(10, (width - 3) // 2)
    lines = [] if quiet else [f"{label_a[:column]:<{column}} │ {label_b[:column]}"]
    if not passages:
        return lines + ([] if quiet else ["no shared passages"])
    for k, p in enumerate(passages, 1):
        kind = "shared quote, " if p.quoted else ""
        lines.append("─" * width)
        lines.append(f"passage {k}: {kind}{p.tokens} equal words, score {p.score}; "
                     f"A[{p.a_start}:{p.a_end}] B[{p.b_start}:{p.b_end}]")
        lines.extend(side_by_side(p.a_text, p.b_text, width, color))
    lines.append("─" * width)
    if not quiet:
        shared_a = sum(p.a_tokens for p in passages)
        shared_b = sum(p.b_tokens for p in passages)
        lines.append(f"{len(passages)} passage(s); {shared_a} words of A, {shared_b} words of B")
    return lines


def run(args: argparse.Namespace) -> int:
    from retold.io import atomic_write, write_records
    from retold.passages import align

    fmt = output_format(args)
    label_a, text_a, label_b, text_b = _load_pair(args)
    try:
        passages = align(text_a, text_b, min_tokens=args.min_tokens, method=args.method,
                         quotes=not args.no_quotes)
    except ValueError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    to_stdout = args.output == "-"
    try:
        if fmt != "text":
            write_records((p.to_dict() for p in passages), args.output, format=fmt)
            return EXIT_OK
        width = args.width or (shutil.get_terminal_size((100, 24)).columns if to_stdout else 100)
        color = args.color == "always" or (args.color == "auto" and to_stdout and sys.stdout.isatty()
                                           and not os.environ.get("NO_COLOR"))
        text = "".join(line + "\n" for line in view_lines(label_a, label_b, passages, width=width,
                                                            color=color, quiet=args.quiet))
        if to_stdout:
            sys.stdout.write(text)
        else:
            with atomic_write(args.output) as out:
                out.write(text)
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot write {args.output}: {exc}", EXIT_USAGE) from None
    return EXIT_OK
