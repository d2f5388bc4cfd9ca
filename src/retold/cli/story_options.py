"""The story clustering's options on the command line, for every command that clusters stories
(``retold stories``, ``retold eval clusters``): one definition of their flags, types and help."""
from __future__ import annotations

import argparse
from typing import Any

from retold.cli._common import link_value, non_negative_float


def add_story_arguments(parser: argparse.ArgumentParser) -> None:
    """``--threshold``, ``--topic-threshold``, ``--density-penalty`` and ``--window-days``, with
    the defaults of :func:`retold.stories`."""
    from retold.story_clustering import (
        DEFAULT_DENSITY_PENALTY, DEFAULT_THRESHOLD, DEFAULT_TOPIC_THRESHOLD, DEFAULT_WINDOW_DAYS,
    )

    flags = (
        ("--threshold", link_value, DEFAULT_THRESHOLD,
         "least average link (mean similarity less the density term) for two stories to merge; "
         "lower gives bigger stories"),
        ("--topic-threshold", link_value, DEFAULT_TOPIC_THRESHOLD,
         "least average link for two stories to share a topic (the 'topic' field), at most --threshold"),
        ("--density-penalty", non_negative_float, DEFAULT_DENSITY_PENALTY,
         "how much more is asked of articles in a crowded topic, so that two events of one topic "
         "stay apart; 0 is plain average linkage"),
        ("--window-days", non_negative_float, DEFAULT_WINDOW_DAYS,
         "two articles this many days apart count half their similarity; 0 ignores dates"),
    )
    for flag, kind, default, help in flags:
        parser.add_argument(flag, type=kind, default=default, help=f"{help} (default {default:g})")


def story_options(args: argparse.Namespace) -> dict[str, Any]:
    """The flags :func:`add_story_arguments` added, by the keywords of :func:`retold.stories`
    (and of :func:`retold.dask.stories`)."""
    return {"threshold": args.threshold, "topic_threshold": args.topic_threshold,
            "density_penalty": args.density_penalty, "window_days": args.window_days}
