"""``retold provenance INPUT -o OUT``: who took from whom, as edges with their evidence.

Provenance is looked for within a set of related articles: the whole input, or each group of
articles sharing ``--group-field`` (such as the ``story`` of the demo corpus, or the cluster
column written by ``retold stories``).  With groups, an explicit credit to an outlet of
another group is followed too (as ``retold analyze`` does across its stories): the credited
outlet's most similar earlier article becomes the source (``--within-groups`` turns this off).

Within a group, the pairs judged are those ``retold analyze`` aligns
(:func:`retold.analysis.candidate_pairs`): each copy against its copy cluster's representative,
each cluster against the ``--neighbours`` earlier ones most similar to it, and every pair an
explicit credit links.  A group of ``n`` articles so costs some ``neighbours * n`` alignments,
not ``n * (n - 1) / 2`` (``--all-pairs`` judges them all, for a small set).
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
    counted,
    load_articles,
    non_negative_float,
    non_negative_int,
    report_skipped,
    unit_interval,
    write_output,
)

HELP = "find who took from whom within related articles: directed edges with evidence"

_MAX_GROUP_WARNING = 500
# Copies as retold analyze finds them: containment, so a reprint trimmed of its end is a copy.
COPY_THRESHOLD = 0.8
COPY_MEASURE = "containment"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from retold.analysis import DEFAULT_NEIGHBOURS

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
    parser.add_argument("--look-back-days", "--window-days", dest="look_back_days", type=non_negative_float,
                        default=3.0, help="how far back a credit across groups looks (default 3 days; "
                        "--window-days is its old name, which other commands give the stories' date scale)")
    parser.add_argument("--neighbours", type=non_negative_int, default=DEFAULT_NEIGHBOURS,
                        metavar="K",
                        help="judge each article (each copy cluster) against the K earlier ones "
                        "of its group most similar to it, besides copies and credited pairs, "
                        "as retold analyze does (default %(default)s)")
    parser.add_argument("--all-pairs", action="store_true",
                        help="judge every pair within a group (the cost grows with the square "
                        "of a group's size: for small sets only)")


def _groups(articles: list[Any], field: str | None) -> list[tuple[Any, list[Any]]]:
    if field is None:
        return [(None, articles)]
    groups: dict[Any, list[Any]] = {}
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


def _story_vectors(articles: list[Any]) -> Any:
    """Story vectors of the grouped articles, from a model fitted on them (as ``retold analyze``
    has them), for choosing pairs and following credits across groups."""
    from retold.story_clustering import CLUSTERING_OPTIONS, StoryModel

    return StoryModel(**CLUSTERING_OPTIONS).fit(articles).vectors(articles)


def _candidate_pairs(groups: list[tuple[Any, list[Any]]], grouped: list[Any], vectors: Any,
                     neighbours: int) -> list[list[tuple[str, str]]]:
    """For each group, the id pairs to judge (see the module docstring)."""
    import numpy as np

    from retold.analysis import candidate_pairs
    from retold.copies import dedup

    copies = dedup(grouped, threshold=COPY_THRESHOLD, measure=COPY_MEASURE)
    group_of = np.repeat(np.arange(len(groups)), [len(members) for _, members in groups])
    pairs: list[list[tuple[str, str]]] = [[] for _ in groups]
    for a, b, _ in candidate_pairs(grouped, group_of, copy_labels=copies.labels,
                                   representatives=copies.representatives, vectors=vectors,
                                   neighbours=neighbours):
        pairs[int(group_of[a])].append((grouped[a].id, grouped[b].id))
    return pairs


def _with_credits_across(articles: list[Any], edges: list[Any], vectors: Any,
                         args: argparse.Namespace) -> list[Any]:
    """Credits from one group to another, with story similarity from a model fitted on the input
    (as ``retold analyze`` follows credits across its stories)."""
    from retold.attribution import with_credit_edges

    return with_credit_edges(articles, edges, vectors.cosines, look_back_days=args.look_back_days,
                             min_confidence=args.min_confidence)


def run(args: argparse.Namespace) -> int:
    from retold.attribution import provenance

    if args.min_tokens < 1:
        raise CommandError("--min-tokens must be at least 1", EXIT_USAGE)
    with Progress(quiet=args.quiet) as progress:
        with progress.stage("read"):
            articles, skipped = load_articles(args)
        groups = _groups(articles, args.group_field)
        if args.group_field and not groups:
            raise CommandError(f"no article has a value in field {args.group_field!r}", EXIT_USAGE)
        # Articles in no group stay out, of pairs and of credits across groups alike.
        grouped = [a for _, members in groups for a in members]
        across = bool(args.group_field and not args.within_groups and len(groups) > 1)
        vectors = None
        if across or not args.all_pairs:
            with progress.stage("similarity"):
                vectors = _story_vectors(grouped)
        if args.all_pairs:
            chosen: list[Any] = [None] * len(groups)  # provenance judges every pair of a group
        else:
            with progress.stage("pairs"):
                chosen = _candidate_pairs(groups, grouped, vectors, args.neighbours)
        edges: list[Any] = []
        group_of: dict[str, Any] = {}
        with progress.stage("provenance", len(groups)) as advance:
            for (key, members), pairs in zip(groups, chosen):
                edges.extend(provenance(members, min_confidence=args.min_confidence,
                                        min_tokens=args.min_tokens, external=not args.no_external,
                                        pairs=pairs))
                group_of.update((a.id, key) for a in members)
                advance(1)
        if across:
            with progress.stage("credits across groups"):
                edges = _with_credits_across(grouped, edges, vectors, args)
        records: list[dict[str, Any]] = []
        for edge in edges:
            record = edge.to_dict()
            if args.group_field:
                record = {args.group_field: group_of.get(edge.derived_id), **record}
            records.append(record)
        largest = max((len(m) for _, m in groups), default=0)
        with progress.stage("write"):
            written = write_output(records, args)
    report_skipped(skipped)
    judged = "all pairs" if args.all_pairs else counted(sum(map(len, chosen)), "candidate pair")
    lines = [f"retold provenance: {counted(len(articles), 'article')} in "
             f"{counted(len(groups), 'group')} ({judged} and the pairs credits link): "
             f"{counted(written, 'edge')}"]
    if largest > _MAX_GROUP_WARNING:
        lines.append(f"note: a group of {largest} articles is judged as one set of related "
                     "articles; for a corpus of many stories, group it (--group-field story, "
                     "from retold stories) or run retold analyze")
    progress.summary(lines)
    return 0
