"""``retold dedup``: find the copies in a corpus and write clusters, pairs or the unique articles."""
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
    counted,
    add_output_arguments,
    fraction,
    input_path,
    no_articles,
    open_articles,
    positive_int,
    report_skipped,
)
from retold.io import InputError, SkippedRecord, write_records

HELP = "find copies of the same article (reprints, edited or trimmed wire copy) and group them"

EMITS = ("clusters", "pairs", "unique")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    add_output_arguments(parser)
    parser.add_argument(
        "--emit", choices=EMITS, default="clusters",
        help="clusters: one record per article with its cluster, representative and best match; "
        "pairs: one record per verified copy pair; unique: the input records of the articles to keep",
    )
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
    from retold.cli.dask_options import add_dask_arguments

    add_dask_arguments(parser)


def _dedup_on_dask(args: argparse.Namespace, path: str, progress: Progress) -> Any:
    """Run the same dedup on a Dask cluster (--scheduler / --dask-workers); identical results."""
    import retold.dask as rd
    from retold.cli.dask_options import dask_client_from_args

    if path == "-" or args.low_memory or args.on_error == "skip" or args.fix_text or args.detect_language:
        raise CommandError(
            "--scheduler/--dask-workers read Parquet, JSON Lines or CSV files: "
            "no stdin, --low-memory, --on-error skip or --fix-text/--detect-language",
            EXIT_USAGE,
        )
    try:
        client = dask_client_from_args(args)
    except (ImportError, ValueError) as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    with client:
        return rd.dedup(
            rd.read_articles(path, format=args.format),
            threshold=args.threshold,
            ngram=args.ngram,
            num_perm=args.num_perm,
            recall=args.recall,
            verify=not args.no_verify,
            keep=args.keep,
            measure=args.measure,
            bucket_cap=args.bucket_cap,
            text_field=args.text_field,
            id_field=args.id_field,
            date_field=args.date_field,
            title_field=args.title_field,
            source_field=args.source_field,
            lang_field=args.lang_field,
            progress=progress.stage,
        )


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
    on_dask = bool(getattr(args, "scheduler", None) or getattr(args, "dask_workers", None))
    with Progress(quiet=args.quiet) as progress:
        articles = _keeping(open_articles(args, path, skipped), held)
        try:
            result = _dedup_on_dask(args, path, progress) if on_dask else dedup(
                articles,
                threshold=args.threshold,
                ngram=args.ngram,
                num_perm=args.num_perm,
                recall=args.recall,
                verify=not args.no_verify,
                keep=args.keep,
                workers=args.workers,
                measure=args.measure,
                bucket_cap=args.bucket_cap,
                # The second reading skips the same bad records; they are listed once.
                reread=(lambda: open_articles(args, path, None)) if args.low_memory else None,
                progress=progress.stage,
            )
        except InputError as exc:
            raise CommandError(str(exc), EXIT_INPUT) from None
        except ValueError as exc:
            # Options the parser could not check on its own (e.g. a recall out of reach).
            raise CommandError(str(exc), EXIT_USAGE) from None
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
            try:
                written = write_records(records, args.output, format=args.output_format)
            except InputError as exc:
                raise CommandError(str(exc), EXIT_INPUT) from None
            except (ValueError, TypeError) as exc:
                raise CommandError(f"cannot write {args.output}: {exc}", EXIT_USAGE) from None
    report_skipped(skipped)
    stats = result.stats
    copies = len(result) - len(result.representatives)
    multi = len(result.clusters)
    bands, rows = stats.params
    target = "stdout" if args.output == "-" else args.output
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
    lines.append(f"  wrote {counted(written, 'record')} ({args.emit}) to {target}")
    progress.summary(lines)
    return EXIT_OK
