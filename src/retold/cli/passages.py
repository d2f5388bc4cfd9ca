"""``retold passages``: passages reprinted anywhere in a corpus, with every printing.

Writes one record per printing (passim's fields: ``cluster``, ``size``, ``id``, ``begin``,
``end``, ``text``, ``date``, ``source``, and ``first``), or with ``--emit passages`` one record
per passage with its spread.
"""
from __future__ import annotations

import argparse
from typing import Any, Iterator

from retold.cli._common import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    Progress,
    add_input_arguments,
    add_output_arguments,
    counted,
    fraction,
    input_path,
    no_articles,
    non_negative_int,
    open_articles,
    positive_int,
    report_skipped,
)
from retold.io import InputError, SkippedRecord, write_records

HELP = "find passages (quotes, press releases, poems) reprinted across otherwise unrelated articles"

EMITS = ("occurrences", "passages")


def _max_df(text: str) -> int:
    value = positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be at least 2 (an n-gram in one article pairs none), got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    add_output_arguments(parser)
    parser.add_argument(
        "--emit", choices=EMITS, default="occurrences",
        help="occurrences: one record per printing of a passage (passim's output); "
        "passages: one record per passage with its spread (default occurrences)",
    )
    parser.add_argument("--ngram", type=positive_int, default=5,
                        help="words per n-gram of the index (passim --n; default 5)")
    parser.add_argument("--max-df", type=_max_df, default=100,
                        help="n-grams in more articles than this are boilerplate "
                        "(passim --max-series; default 100)")
    parser.add_argument("--min-shared", type=positive_int, default=5,
                        help="least rare n-grams two articles share to be aligned "
                        "(passim --min-match; default 5)")
    parser.add_argument("--min-tokens", type=positive_int, default=10,
                        help="least equal words of an aligned passage (default 10)")
    parser.add_argument("--relative-overlap", type=fraction, default=0.5,
                        help="spans of one article overlapping by this share of the longer are "
                        "one passage (passim --relative-overlap; default 0.5)")
    parser.add_argument("--bridge-gap", type=non_negative_int, default=0, metavar="TOKENS",
                        help="join pieces of one pair's alignment at most TOKENS apart in both "
                        "articles (passim --gap; default 0: off; 32 for noisy OCR)")
    parser.add_argument("--match-score", type=positive_int, default=2,
                        help="alignment score of an equal word, against 1 for a word substituted, "
                        "inserted or dropped (default 2; 3 for noisy OCR)")
    parser.add_argument("--across-sources", action="store_true",
                        help="do not align two articles of the same source (passim's default "
                        "for documents of one series)")
    parser.add_argument("--workers", type=positive_int, default=1, help="threads (default 1)")
    from retold.cli.dask_options import add_dask_arguments

    add_dask_arguments(parser)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {"ngram": args.ngram, "max_df": args.max_df, "min_shared": args.min_shared,
            "min_tokens": args.min_tokens, "relative_overlap": args.relative_overlap,
            "same_source": not args.across_sources, "bridge_gap": args.bridge_gap,
            "match_score": args.match_score}


def _on_dask(args: argparse.Namespace, path: str) -> Any:
    """The same passages on a Dask cluster (--scheduler / --dask-workers)."""
    import retold.dask as rd
    from retold.cli.dask_options import dask_client_from_args

    if path == "-" or args.on_error == "skip" or args.fix_text or args.detect_language:
        raise CommandError("--scheduler/--dask-workers read Parquet, JSON Lines or CSV files: "
                           "no stdin, --on-error skip or --fix-text/--detect-language", EXIT_USAGE)
    try:
        client = dask_client_from_args(args)
    except (ImportError, ValueError) as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    with client:
        return rd.reused_passages(
            rd.read_articles(path, format=args.format), text_field=args.text_field,
            id_field=args.id_field, date_field=args.date_field, title_field=args.title_field,
            source_field=args.source_field, lang_field=args.lang_field, **_options(args),
        )


def _records(result: Any, emit: str) -> Iterator[dict[str, Any]]:
    records: Iterator[dict[str, Any]] = (
        result.iter_records() if emit == "occurrences" else result.iter_passage_records()
    )
    return records


def run(args: argparse.Namespace) -> int:
    from retold.passage_reuse import reused_passages

    path = input_path(args)
    skipped: list[SkippedRecord] = []
    if getattr(args, "scheduler", None) or getattr(args, "dask_workers", None):
        with Progress(quiet=args.quiet) as progress:
            with progress.stage("dask", None):
                try:
                    result = _on_dask(args, path)
                except ValueError as exc:
                    raise CommandError(str(exc), EXIT_USAGE) from None
            return _write(args, result, progress, skipped)
    with Progress(quiet=args.quiet) as progress:
        with progress.stage("read", None) as advance:
            articles = []
            try:
                for article in open_articles(args, path, skipped):
                    articles.append(article)
                    advance(1)
            except InputError as exc:
                raise CommandError(str(exc), EXIT_INPUT) from None
        if not articles:
            raise no_articles(skipped)
        try:
            result = reused_passages(articles, **_options(args), workers=args.workers,
                                     progress=progress.stage)
        except ValueError as exc:
            raise CommandError(str(exc), EXIT_USAGE) from None
        return _write(args, result, progress, skipped)


def _write(args: argparse.Namespace, result: Any, progress: Progress, skipped: list[Any]) -> int:
    """Write the records, list skipped input, print the summary."""
    if result.stats.documents == 0:
        raise no_articles(skipped)
    with progress.stage("write", None):
        try:
            written = write_records(_records(result, args.emit), args.output,
                                    format=args.output_format)
        except InputError as exc:
            raise CommandError(str(exc), EXIT_INPUT) from None
        except (ValueError, TypeError) as exc:
            raise CommandError(f"cannot write {args.output}: {exc}", EXIT_USAGE) from None
    report_skipped(skipped)
    stats = result.stats
    printings = sum(p.count for p in result)
    target = "stdout" if args.output == "-" else args.output
    lines = [
        f"retold passages: {counted(stats.documents, 'article')}, "
        f"{counted(len(result), 'reused passage')} in {counted(printings, 'printing')}",
        f"  index: {counted(stats.rare_ngrams, 'rare n-gram')} of {args.ngram} words; "
        f"{stats.boilerplate_ngrams} in more than {args.max_df} articles dropped as boilerplate",
        f"  pairs: {counted(stats.candidate_pairs, 'candidate')} sharing >= {args.min_shared} "
        f"rare n-grams, {counted(stats.alignments, 'aligned span')}",
        f"  wrote {counted(written, 'record')} ({args.emit}) to {target}",
    ]
    progress.summary(lines)
    return EXIT_OK
