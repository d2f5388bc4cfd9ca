"""``retold analyze``: copies, stories, shared passages and provenance in one run, with a report.

``retold analyze INPUT -o DIR`` reads the articles, runs :func:`retold.analyze` with one
progress display over its stages (read, copies, stories, passages, provenance, report) and
writes into DIR the records as JSON Lines (and Parquet with pyarrow installed) and
``report.html``.  ``retold analyze --demo`` does the same on the demo corpus.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from retold.cli._common import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    Progress,
    add_input_arguments,
    counted,
    fraction,
    library_errors,
    load_articles,
    positive_float,
    report_skipped,
)

HELP = "find copies, stories, shared passages and provenance in one run and write a report"

DEFAULT_OUTPUT = "retold-report"


def _count(text: str, low: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from retold.analysis import DEFAULT_NEIGHBOURS
    from retold.story_clustering import DEFAULT_THRESHOLD

    add_input_arguments(parser)
    parser.add_argument(
        "-o", "--output", metavar="DIR", default=DEFAULT_OUTPUT,
        help=f"directory for the results and report.html (created if needed; default {DEFAULT_OUTPUT})",
    )
    parser.add_argument("--copy-threshold", type=fraction, default=0.8,
                        help="least similarity of two copies (default 0.8)")
    parser.add_argument(
        "--copy-measure", "--copy-similarity", dest="copy_measure", choices=["containment", "jaccard"],
        default="containment",
        help="containment of the smaller shingle set in the larger (finds trimmed reprints; "
        "default) or jaccard (--copy-similarity is its old name)",
    )
    parser.add_argument("--story-threshold", type=fraction, default=DEFAULT_THRESHOLD,
                        help="least average link for two stories to merge (retold stories --threshold; "
                        f"default {DEFAULT_THRESHOLD})")
    parser.add_argument("--window-days", type=positive_float, default=3.0,
                        help="two articles this many days apart count half their story similarity (default 3)")
    parser.add_argument("--min-tokens", type=lambda t: _count(t, 1), default=8,
                        help="least number of equal words of a shared passage (default 8)")
    parser.add_argument(
        "--neighbours", type=lambda t: _count(t, 0), default=DEFAULT_NEIGHBOURS,
        help="align each article with this many most similar earlier articles of its story "
        f"(default {DEFAULT_NEIGHBOURS}; copies are always aligned with their representative)",
    )
    parser.add_argument("--workers", type=lambda t: _count(t, 1), default=1, help="threads (default 1)")
    parser.add_argument("--title", help="title of the report")
    parser.add_argument("--no-reused-passages", action="store_true",
                        help="do not look for passages reprinted across the corpus "
                        "(reused_passages.jsonl and the report's Reused passages view)")
    parser.add_argument("--no-parquet", action="store_true",
                        help="write JSON Lines only (Parquet is written when pyarrow is installed)")


def _can_render() -> bool:
    """Whether the HTML report can be written (Jinja2 is an optional dependency)."""
    try:
        import jinja2  # noqa: F401
    except ImportError:
        return False
    return True


def run(args: argparse.Namespace) -> int:
    from retold.analysis import analyze

    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise CommandError(f"{out} exists and is not a directory", EXIT_USAGE)
    with Progress(quiet=args.quiet) as progress:
        with progress.stage("read", None):
            articles, skipped = load_articles(args)
        # ValueError: input the readers let through but the analysis refuses (e.g. duplicate ids).
        with library_errors(EXIT_INPUT):
            analysis = analyze(
                articles,
                copy_threshold=args.copy_threshold,
                copy_measure=args.copy_measure,
                story_threshold=args.story_threshold,
                window_days=args.window_days,
                min_tokens=args.min_tokens,
                neighbours=args.neighbours,
                workers=args.workers,
                reused=not args.no_reused_passages,
                progress=progress.stage,
            )
        title = args.title or ("retold demo corpus" if args.demo else f"retold analysis of {args.input}")
        report = _can_render()
        try:
            written = analysis.save(out, parquet=False if args.no_parquet else None, title=title,
                                    report=report, progress=progress.stage)
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc}", EXIT_INPUT) from None
        except ValueError as exc:  # an existing DIR that holds other files
            raise CommandError(str(exc), EXIT_USAGE) from None
    report_skipped(skipped)
    copies = analysis.copies
    multi = analysis.stories.multi(2)
    quoted = sum(pair.quoted_count for pair in analysis.pairs)
    external = sum(1 for edge in analysis.provenance if getattr(edge, "source_id", None) is None)
    lines = [
        f"retold analyze: {counted(len(analysis), 'article')}; "
        f"{counted(len(copies.clusters), 'copy cluster')} "
        f"{'holds' if len(copies.clusters) == 1 else 'hold'} "
        f"{counted(sum(len(c) for c in copies.clusters), 'article')}; "
        f"{counted(len(multi), 'story', 'stories')} of 2+ articles "
        f"{'holds' if len(multi) == 1 else 'hold'} {counted(sum(s.size for s in multi), 'article')}",
        f"  passages: {counted(sum(len(p.passages) for p in analysis.pairs), 'shared passage')} "
        f"({counted(quoted, 'quote')}) in {counted(len(analysis.pairs), 'aligned pair')}; "
        f"provenance: {counted(len(analysis.provenance), 'edge')}"
        + (f" ({external} from outlets outside the input)" if external else ""),
        f"  wrote to {out}/: " + ", ".join(written),
    ]
    if "report.html" in written:
        lines.append(f"  open {written['report.html']} in a browser to explore the results")
    else:
        lines.append("  no report.html: the report needs Jinja2 (pip install 'retold[report]')")
    progress.summary(lines)
    return EXIT_OK
