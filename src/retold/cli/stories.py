"""``retold stories``: group articles that report the same story, in any wording or language."""
from __future__ import annotations

import argparse
import contextlib
from typing import TYPE_CHECKING, Any, Iterator

from retold.cli._common import (
    EXIT_OK,
    Progress,
    add_input_arguments,
    add_output_arguments,
    counted,
    field_options,
    library_errors,
    load_articles,
    non_negative_float,
    output_name,
    positive_int,
    report_skipped,
    unit_interval,
    write_output,
)
from retold.cli.dask_options import add_dask_arguments, dask_client_for, on_dask
from retold.cli.story_options import add_story_arguments, story_options

if TYPE_CHECKING:  # retold.dask is imported lazily: it needs the [dask] extra
    from retold.dask.story_clusters import DaskStoryResult
    from retold.story_clustering import StoryResult

HELP = "group articles that tell the same story in other words (any language) into stories"

EMITS = {
    "articles": "one record per article with its story id, story size and label",
    "stories": "one record per story with its articles, time span, sources and label",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    add_output_arguments(parser, EMITS)
    add_story_arguments(parser)
    parser.add_argument("--min-size", type=positive_int, default=1,
                        help="with --emit stories, write only stories of at least this many articles")
    parser.add_argument("--workers", type=positive_int, default=1, help="threads (default 1)")
    add_dask_arguments(parser)


def _stories_on_dask(args: argparse.Namespace, stack: contextlib.ExitStack) -> DaskStoryResult:
    """The same stories on a Dask cluster (--scheduler / --dask-workers); the client stays open
    until the output is written, since describing stories fetches their articles."""
    import retold.dask as rd

    if args.demo:
        from retold.data import demo_path

        path = str(demo_path())
    else:
        path = args.input
    stack.enter_context(dask_client_for(args, path))
    return rd.stories(
        rd.read_articles(path, format=args.format),
        **story_options(args),
        **field_options(args),
    )


def run(args: argparse.Namespace) -> int:
    from retold.story_clustering import stories

    skipped: list[Any] = []
    result: StoryResult | DaskStoryResult  # the in-process and the Dask results share the writers' API
    with contextlib.ExitStack() as stack, Progress(quiet=args.quiet) as progress:
        if on_dask(args):
            with progress.stage("stories", None):
                with library_errors():
                    result = _stories_on_dask(args, stack)
        else:
            with progress.stage("read", None):
                articles, skipped = load_articles(args)
            with progress.stage("stories", len(articles)) as advance:
                with library_errors():
                    result = stories(
                        articles,
                        **story_options(args),
                        workers=args.workers,
                    )
                advance(len(articles))
        with progress.stage("write", None):
            if args.emit == "articles":
                labels = {s.id: s.label for s in result.stories}
                records: Iterator[dict[str, Any]] = (
                    dict(r, story_label=labels[r["story"]]) for r in result.to_records()
                )
            else:
                records = (s.to_dict() for s in result.stories if s.size >= args.min_size)
            written = write_output(records, args)
        # Still inside the client's lifetime: a Dask result fetches the articles it describes.
        multi = result.multi(2)
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
        lines.append(f"  wrote {counted(written, record + ' record')} to {output_name(args)}")
    report_skipped(skipped)
    progress.summary(lines)
    return EXIT_OK
