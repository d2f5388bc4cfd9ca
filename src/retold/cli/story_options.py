"""The story clustering's options on the command line, for every command that clusters stories
(``retold stories``, ``retold eval clusters``): one definition of their flags, types and help."""
from __future__ import annotations

import argparse

from retold.cli._common import link_value, non_negative_float


def add_story_arguments(parser: argparse.ArgumentParser) -> None:
    """``--threshold``, ``--topic-threshold``, ``--density-penalty`` and ``--window-days``, with
    the defaults of :func:`retold.stories`."""
    from retold.story_clustering import (
        DEFAULT_DENSITY_PENALTY, DEFAULT_THRESHOLD, DEFAULT_TOPIC_THRESHOLD, DEFAULT_WINDOW_DAYS,
    )

    parser.add_argument("--threshold", type=link_value, default=DEFAULT_THRESHOLD,
                        help="least average link (mean similarity less the density term) for two "
                        f"stories to merge; lower gives bigger stories (default {DEFAULT_THRESHOLD:g})")
    parser.add_argument("--topic-threshold", type=link_value, default=DEFAULT_TOPIC_THRESHOLD,
                        help="least average link for two stories to share a topic (the 'topic' field), "
                        f"at most --threshold (default {DEFAULT_TOPIC_THRESHOLD:g})")
    parser.add_argument("--density-penalty", type=non_negative_float, default=DEFAULT_DENSITY_PENALTY,
                        help="how much more is asked of articles in a crowded topic, so that two events "
                        f"of one topic stay apart; 0 is plain average linkage (default {DEFAULT_DENSITY_PENALTY:g})")
    parser.add_argument("--window-days", type=non_negative_float, default=DEFAULT_WINDOW_DAYS,
                        help="two articles this many days apart count half their similarity; 0 ignores "
                        f"dates (default {DEFAULT_WINDOW_DAYS:g})")
