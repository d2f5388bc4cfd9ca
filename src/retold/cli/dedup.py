"""``retold dedup``: find the copies in a corpus and write clusters, pairs or the unique articles."""
from __future__ import annotations

import argparse
from typing import Any, Iterator

from retold.cli._common import (
    EXIT_OK,
    EXIT_USAGE,
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
    open_articles,
    output_name,
    positive_int,
    report_skipped,
    write_output,
)
from retold.cli.dask_options import add_dask_arguments, dask_client_for, on_dask
from retold.io import SkippedRecord

HELP = "find copies of the same article (reprints, edited or trimmed wire copy) and group them"

EMITS = {
    "clusters": "one record per article with its cluster, representative and best match",
    "pairs": "one record per verified copy pair",
    "unique": "the input records of the articles to keep",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    add_output_arguments(parser, EMITS)
    parser.add_argument("--threshold", type=fraction, default=0.8,
                        help="least similarity of two copies (default 0.8)")
    parser.add_argument(
        "--measure", "--similarity", dest="measure", choices=["jaccard", "containment"], default="jaccard",
        help="jaccard of the shingle sets, or containment of the smaller in the larger "
        "(finds copies trimmed from the end; default jaccard; --similarity is its old name)",
    )
    parser.add_argument("--ngram", type=positive_int, default=5, help="words per shingle (default 5)")
    parser.add_argument("--num-perm", type=positive_int, default=128, help="MinHash signature length (default 128)")
    parser.add_argument("--recall", type=fraction, default=0.95,
                        help="least LSH recall of pairs at the threshold (default 0.95)")
    parser.add_argument("--keep", choices=["earliest", "first", "longest"], default="earliest",
                        help="which article represents a cluster (default earliest, undated last)")
    parser.add_argument("--bucket-cap", type=positive_int, default=200,
                        help="LSH buckets larger than this give star edges only (default 200)")
    parser.add_argument("--no-verify", action="store_true",
                        help="trust MinHash estimates instead of measuring exact similarity (faster, approximate)")
    parser.add_argument("--workers", type=positive_int, default=1, help="threads (default 1)")
    parser.add_argument(
        "--low-memory", action="store_true",
        help="do not hold the texts: read INPUT a second time to verify candidates "
        "(for corpora larger than memory; not for stdin)",
    )
    add_dask_arguments(parser)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """The options of a dedup run, by the keywords of :func:`retold.dedup` (and its Dask twin)."""
    return {"threshold": args.threshold, "ngram": args.ngram, "num_perm": args.num_perm,
            "recall": args.recall, "verify": not args.no_verify, "keep": args.keep,
            "measure": args.measure, "bucket_cap": args.bucket_cap}


def _dedup_on_dask(args: argparse.Namespace, path: str, progress: Progress) -> Any:
    """Run the same dedup on a Dask cluster (--scheduler / --dask-workers); identical results."""
    import retold.dask as rd

    with dask_client_for(args, path, low_memory=True):
        return rd.dedup(rd.read_articles(path, format=args.format), **_options(args),
                        **field_options(args), progress=progress.stage)


def _keeping(articles: Iterator[Any], kept: list[Any] | None) -> Iterator[Any]:
    for article in articles:
        if kept is not None:
            kept.append(article)
        yield article


def run(args: argparse.Namespace) -> int:
    from retold.copies import dedup

    path = input_path(args)
    if args.low_memory and path == "-":
        raise CommandError("--low-memory reads the input twice, which standard input cannot be", EXIT_USAGE)
    skipped: list[SkippedRecord] = []
    # --emit unique writes input records: read a file a second time rather than hold every
    # article in memory; standard input can be read only once, so it is held.
    held: list[Any] | None = [] if args.emit == "unique" and path == "-" else None
    with Progress(quiet=args.quiet) as progress:
        articles = _keeping(open_articles(args, path, skipped), held)
        # ValueError: options the parser could not check on its own (e.g. a recall out of reach).
        with library_errors():
            result = _dedup_on_dask(args, path, progress) if on_dask(args) else dedup(
                articles,
                **_options(args),
                workers=args.workers,
                # The second reading skips the same bad records; they are listed once.
                reread=(lambda: open_articles(args, path, None)) if args.low_memory else None,
                progress=progress.stage,
            )
        if result.stats.documents == 0:
            raise no_articles(skipped)
        with progress.stage("write", None):
            if args.emit == "clusters":
                records: Iterator[dict[str, Any]] = result.iter_records()
            elif args.emit == "pairs":
                records = result.iter_pair_records()
            else:
                keep = set(result.unique_ids())
                source = held if held is not None else open_articles(args, path, None)
                records = (a.to_dict() for a in source if a.id in keep)
            written = write_output(records, args)
    report_skipped(skipped)
    stats = result.stats
    copies = len(result) - len(result.representatives)
    multi = len(result.clusters)
    bands, rows = stats.params
    lines = [
        f"retold dedup: {counted(stats.documents, 'article')}, {counted(multi, 'copy cluster')} "
        f"holding {counted(copies + multi, 'article')}; {counted(copies, 'copy', 'copies')} "
        f"can be dropped",
        f"  pairs: {counted(stats.candidates, 'LSH candidate')} ({bands} bands x {rows} rows, tuned for "
        f"Jaccard {stats.lsh_threshold:g}), {stats.accepted} at {result.measure} >= "
        f"{result.threshold:g}, {stats.rejected} rejected"
        + ("" if not args.no_verify else " (MinHash estimates, not verified)"),
    ]
    if stats.empty:
        lines.append(f"  {counted(stats.empty, 'empty text')} (never copies)")
    if stats.buckets_capped:
        lines.append(
            f"  {stats.buckets_capped} LSH buckets over {stats.bucket_cap} members gave star edges "
            f"only (largest {stats.largest_bucket}); raise --bucket-cap to compare all their pairs"
        )
    lines.append(f"  wrote {counted(written, 'record')} ({args.emit}) to {output_name(args)}")
    progress.summary(lines)
    return EXIT_OK
