"""``retold stories``: group articles that report the same story, in any wording or language."""
from __future__ import annotations

import argparse
import contextlib
from typing import TYPE_CHECKING, Any, Iterator

from retold.cli._common import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    Progress,
    add_input_arguments,
    counted,
    add_output_arguments,
    load_articles,
    non_negative_float,
    positive_int,
    report_skipped,
    unit_interval,
)

if TYPE_CHECKING:  # retold.dask is imported lazily: it needs the [dask] extra
    from retold.dask.story_clusters import DaskStoryResult
    from retold.story_clustering import StoryResult
from retold.io import InputError, write_records

HELP = "group articles that tell the same story in other words (any language) into stories"

EMITS = ("articles", "stories")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from retold.story_clustering import (
        DEFAULT_DENSITY_PENALTY, DEFAULT_THRESHOLD, DEFAULT_TOPIC_THRESHOLD, DEFAULT_WINDOW_DAYS,
    )

    add_input_arguments(parser)
    add_output_arguments(parser)
    parser.add_argument(
        "--emit", choices=EMITS, default="articles",
        help="articles: one record per article with its story id, story size and label; "
        "stories: one record per story with its articles, time span, sources and label",
    )
    parser.add_argument("--threshold", type=unit_interval, default=DEFAULT_THRESHOLD,
                        help="least average link (mean similarity less the density term) for two "
                        f"stories to merge; lower gives bigger stories (default {DEFAULT_THRESHOLD})")
    parser.add_argument("--topic-threshold", type=float, default=DEFAULT_TOPIC_THRESHOLD,
                        help="least average link for two stories to share a topic (the 'topic' field), "
                        f"at most --threshold (default {DEFAULT_TOPIC_THRESHOLD:g})")
    parser.add_argument("--density-penalty", type=non_negative_float, default=DEFAULT_DENSITY_PENALTY,
                        help="how much more is asked of articles in a crowded topic, so that two events "
                        f"of one topic stay apart; 0 is plain average linkage (default {DEFAULT_DENSITY_PENALTY})")
    parser.add_argument("--window-days", type=non_negative_float, default=DEFAULT_WINDOW_DAYS,
                        help="two articles this many days apart count half their similarity; 0 ignores "
                        f"dates (default {DEFAULT_WINDOW_DAYS:g})")
    parser.add_argument("--min-size", type=positive_int, default=1,
                        help="with --emit stories, write only stories of at least this many articles")
    parser.add_argument("--workers", type=positive_int, default=1, help="threads (default 1)")
    from retold.cli.dask_options import add_dask_arguments

    add_dask_arguments(parser)


def _stories_on_dask(args: argparse.Namespace, stack: contextlib.ExitStack) -> DaskStoryResult:
    """The same stories on a Dask cluster (--scheduler / --dask-workers); the client stays open
    until the output is written, since describing stories fetches their articles."""
    import retold.dask as rd
    from retold.cli.dask_options import dask_client_from_args

    if args.demo:
        from retold.data import demo_path

        path = str(demo_path())
    else:
        path = args.input
    if not path or path == "-" or args.on_error == "skip" or args.fix_text or args.detect_language:
        raise CommandError(
            "--scheduler/--dask-workers read Parquet, JSON Lines or CSV files: "
            "no stdin, --on-error skip or --fix-text/--detect-language",
            EXIT_USAGE,
        )
    try:
        stack.enter_context(dask_client_from_args(args))
    except (ImportError, ValueError) as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    return rd.stories(
        rd.read_articles(path, format=args.format),
        threshold=args.threshold,
        topic_threshold=args.topic_threshold,
        density_penalty=args.density_penalty,
        window_days=args.window_days,
        text_field=args.text_field,
        id_field=args.id_field,
        date_field=args.date_field,
        title_field=args.title_field,
        source_field=args.source_field,
        lang_field=args.lang_field,
    )


def run(args: argparse.Namespace) -> int:
    from retold.story_clustering import stories

    on_dask = bool(getattr(args, "scheduler", None) or getattr(args, "dask_workers", None))
    skipped: list[Any] = []
    result: StoryResult | DaskStoryResult  # the in-process and the Dask results share the writers' API
    with contextlib.ExitStack() as stack, Progress(quiet=args.quiet) as progress:
        if on_dask:
            with progress.stage("stories", None):
                try:
                    result = _stories_on_dask(args, stack)
                except InputError as exc:
                    raise CommandError(str(exc), EXIT_INPUT) from None
                except ValueError as exc:
                    raise CommandError(str(exc), EXIT_USAGE) from None
        else:
            with progress.stage("read", None):
                articles, skipped = load_articles(args)
            with progress.stage("stories", len(articles)) as advance:
                try:
                    result = stories(
                        articles,
                        threshold=args.threshold,
                        topic_threshold=args.topic_threshold,
                        density_penalty=args.density_penalty,
                        window_days=args.window_days,
                        workers=args.workers,
                    )
                except ValueError as exc:
                    raise CommandError(str(exc), EXIT_USAGE) from None
                advance(len(articles))
        with progress.stage("write", None):
            if args.emit == "articles":
                labels = {s.id: s.label for s in result.stories}
                records: Iterator[dict[str, Any]] = (
                    dict(r, story_label=labels[r["story"]]) for r in result.to_records()
                )
            else:
                records = (s.to_dict() for s in result.stories if s.size >= args.min_size)
            try:
                written = write_records(records, args.output, format=args.output_format)
            except InputError as exc:
                raise CommandError(str(exc), EXIT_INPUT) from None
            except (ValueError, TypeError) as exc:
                raise CommandError(f"cannot write {args.output}: {exc}", EXIT_USAGE) from None
        # Still inside the client's lifetime: a Dask result fetches the articles it describes.
        multi = result.multi(2)
        target = "stdout" if args.output == "-" else args.output
        lines = [
            f"retold stories: {counted(len(result), 'article')} in "
            f"{counted(result.n_stories, 'story', 'stories')} "
            f"({counted(result.n_topics, 'topic')}); "
            f"{counted(len(multi), 'story', 'stories')} of 2+ articles hold "
            f"{counted(sum(s.size for s in multi), 'article')}",
        ]
        for story in multi[:5]:
            lines.append(
                f"  story {story.id}: {counted(story.size, 'article')}, "
                f"{counted(len(story.sources), 'source')} — {story.label}"
            )
        record = {"articles": "article", "stories": "story"}.get(args.emit, args.emit)
        lines.append(f"  wrote {counted(written, record + ' record')} to {target}")
    report_skipped(skipped)
    progress.summary(lines)
    return EXIT_OK
