"""``retold provenance INPUT -o OUT``: who took from whom, as edges with their evidence.

Provenance is looked for within a set of related articles: the whole input, or each group of
articles sharing ``--group-field`` (such as the ``story`` of the demo corpus, or the cluster
column written by ``retold stories``).
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
        records: list[dict] = []
        with progress.stage("provenance", len(groups)) as advance:
            for key, members in groups:
                edges = provenance(members, min_confidence=args.min_confidence,
                                   min_tokens=args.min_tokens, external=not args.no_external)
                for edge in edges:
                    record = edge.to_dict()
                    if args.group_field:
                        record = {args.group_field: key, **record}
                    records.append(record)
                advance(1)
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
