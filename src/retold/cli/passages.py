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
    CommandError,
    Progress,
    add_input_arguments,
    add_output_arguments,
    counted,
    field_options,
    fraction,
    input_path,
    library_errors,
    no_articles,
    non_negative_int,
    open_articles,
    output_name,
    positive_int,
    report_skipped,
    write_output,
)
from retold.cli.dask_options import add_dask_arguments, dask_client_for, on_dask
from retold.io import InputError, SkippedRecord

HELP = "find passages (quotes, press releases, poems) reprinted across otherwise unrelated articles"

EMITS = {
    "occurrences": "one record per printing of a passage (passim's output)",
    "passages": "one record per passage with its spread",
}


def _max_df(text: str) -> int:
    value = positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be at least 2 (an n-gram in one article pairs none), got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    add_output_arguments(parser, EMITS)
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
    parser.add_argument("--misread-words", action="store_true",
                        help="extend passages over words that differ by a misread letter or two "
                        "(on for noisy OCR)")
    parser.add_argument("--across-sources", action="store_true",
                        help="do not align two articles of the same source (passim's default "
                        "for documents of one series)")
    parser.add_argument("--workers", type=positive_int, default=1, help="threads (default 1)")
    add_dask_arguments(parser)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {"ngram": args.ngram, "max_df": args.max_df, "min_shared": args.min_shared,
            "min_tokens": args.min_tokens, "relative_overlap": args.relative_overlap,
            "same_source": not args.across_sources, "bridge_gap": args.bridge_gap,
            "match_score": args.match_score, "misread_words": args.misread_words}


def _on_dask(args: argparse.Namespace, path: str) -> Any:
    """The same passages on a Dask cluster (--scheduler / --dask-workers)."""
    import retold.dask as rd

    with dask_client_for(args, path):
        return rd.reused_passages(rd.read_articles(path, format=args.format),
                                  **field_options(args), **_options(args))


def _records(result: Any, emit: str) -> Iterator[dict[str, Any]]:
    records: Iterator[dict[str, Any]] = (
        result.iter_records() if emit == "occurrences" else result.iter_passage_records()
    )
    return records


def run(args: argparse.Namespace) -> int:
    from retold.passage_reuse import reused_passages

    path = input_path(args)
    skipped: list[SkippedRecord] = []
    if on_dask(args):
        with Progress(quiet=args.quiet) as progress:
            with progress.stage("dask", None):
                with library_errors():
                    result = _on_dask(args, path)
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
        with library_errors():
            result = reused_passages(articles, **_options(args), workers=args.workers,
                                     progress=progress.stage)
        return _write(args, result, progress, skipped)


def _write(args: argparse.Namespace, result: Any, progress: Progress, skipped: list[Any]) -> int:
    """Write the records, list skipped input, print the summary."""
    if result.stats.documents == 0:
        raise no_articles(skipped)
    with progress.stage("write", None):
        written = write_output(_records(result, args.emit), args)
    report_skipped(skipped)
    stats = result.stats
    printings = sum(p.count for p in result)
    lines = [
        f"retold passages: {counted(stats.documents, 'article')}, "
        f"{counted(len(result), 'reused passage')} in {counted(printings, 'printing')}",
        f"  index: {counted(stats.rare_ngrams, 'rare n-gram')} of {args.ngram} words; "
        f"{stats.boilerplate_ngrams} in more than {args.max_df} articles dropped as boilerplate",
        f"  pairs: {counted(stats.candidate_pairs, 'candidate')} sharing >= {args.min_shared} "
        f"rare n-grams, {counted(stats.alignments, 'aligned span')}",
        f"  wrote {counted(written, 'record')} ({args.emit}) to {output_name(args)}",
    ]
    progress.summary(lines)
    return EXIT_OK
