"""``retold provenance INPUT -o OUT``: who took from whom, as edges with their evidence.

Provenance is looked for within a set of related articles: the whole input, or each group of
articles sharing ``--group-field`` (such as the ``story`` of the demo corpus, or the cluster
column written by ``retold stories``).  With groups, an explicit credit to an outlet of
another group is followed too (as ``retold analyze`` does across its stories): the credited
outlet's most similar earlier article becomes the source (``--within-groups`` turns this off).
"""
from __future__ import annotations

import argparse
import json
from typing import Any

from retold.cli._common import (
    EXIT_USAGE,
    CommandError,
    Progress,
    add_input_arguments,
    add_output_arguments,
    load_articles,
    non_negative_float,
    report_skipped,
    unit_interval,
)

HELP = "find who took from whom within related articles: directed edges with evidence"

_MAX_GROUP_WARNING = 500


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    add_output_arguments(parser)
    parser.add_argument("--group-field", metavar="FIELD",
                        help="look for provenance within each group of articles with the same "
                        "value of FIELD (e.g. story); default: the whole input is one group")
    parser.add_argument("--min-confidence", type=unit_interval, default=0.3,
                        help="leave out edges below this confidence (default 0.3)")
    parser.add_argument("--min-tokens", type=int, default=8,
                        help="least equal words of a shared passage (default 8)")
    parser.add_argument("--no-external", action="store_true",
                        help="leave out attributions to outlets outside the input")
    parser.add_argument("--within-groups", action="store_true",
                        help="with --group-field: do not follow explicit credits from one group "
                        "to another (by default an article that names an outlet of another group "
                        "is linked to that outlet's most similar earlier article)")
    parser.add_argument("--window-days", type=non_negative_float, default=3.0,
                        help="how far back a credit across groups looks (default 3 days)")


def _groups(articles: list, field: str | None) -> list[tuple[Any, list]]:
    if field is None:
        return [(None, articles)]
    groups: dict[Any, list] = {}
    for article in articles:
        if field in ("source", "lang", "title", "date"):
            value = getattr(article, field)
        else:
            value = article.extra.get(field)
        if value is None or value == "":
            continue  # an article in no group has nothing to be compared with
        groups.setdefault(value if not isinstance(value, (list, dict)) else json.dumps(value),
                          []).append(article)
    return [(key, groups[key]) for key in groups]


def _with_credits_across(articles: list, edges: list, args: argparse.Namespace) -> list:
    """Credits from one group to another, with story similarity from a model fitted on the input
    (as ``retold analyze`` follows credits across its stories)."""
    from retold.provenance import with_credit_edges
    from retold.stories import CLUSTERING_OPTIONS, StoryModel

    vectors = StoryModel(**CLUSTERING_OPTIONS).fit(articles).vectors(articles)
    return with_credit_edges(articles, edges, vectors.cosines, window_days=args.window_days,
                             min_confidence=args.min_confidence)


def run(args: argparse.Namespace) -> int:
    from retold.io import write_records
    from retold.provenance import provenance

    if args.min_tokens < 1:
        raise CommandError("--min-tokens must be at least 1", EXIT_USAGE)
    with Progress(quiet=args.quiet) as progress:
        with progress.stage("read"):
            articles, skipped = load_articles(args)
        groups = _groups(articles, args.group_field)
        if args.group_field and not groups:
            raise CommandError(f"no article has a value in field {args.group_field!r}", EXIT_USAGE)
        edges: list = []
        group_of: dict[str, Any] = {}
        with progress.stage("provenance", len(groups)) as advance:
            for key, members in groups:
                edges.extend(provenance(members, min_confidence=args.min_confidence,
                                        min_tokens=args.min_tokens, external=not args.no_external))
                group_of.update((a.id, key) for a in members)
                advance(1)
        if args.group_field and not args.within_groups and len(groups) > 1:
            with progress.stage("credits across groups"):
                # Articles in no group stay out, as they do within groups.
                grouped = [a for _, members in groups for a in members]
                edges = _with_credits_across(grouped, edges, args)
        records: list[dict] = []
        for edge in edges:
            record = edge.to_dict()
            if args.group_field:
                record = {args.group_field: group_of.get(edge.derived_id), **record}
            records.append(record)
        largest = max((len(m) for _, m in groups), default=0)
        with progress.stage("write"):
            try:
                written = write_records(records, args.output, format=args.output_format)
            except (ValueError, TypeError) as exc:
                raise CommandError(str(exc), EXIT_USAGE) from None
    report_skipped(skipped)
    lines = [f"{len(articles)} articles in {len(groups)} group(s): {written} edge(s)"]
    if largest > _MAX_GROUP_WARNING:
        lines.append(f"note: a group of {largest} articles; provenance compares every pair "
                     "within a group, so group by story (--group-field) for large inputs")
    progress.summary(lines)
    return 0
