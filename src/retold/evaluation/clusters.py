"""Scores of a clustering against gold labels: B-cubed precision, recall and F1, and the ARI.

Only numpy is needed.  Labels may be any hashable values (strings, ints); they are compared by
equality only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

__all__ = ["ClusterScores", "bcubed", "adjusted_rand_index", "score_clusters"]


def _codes(labels: Sequence[Any], name: str) -> np.ndarray:
    values = list(labels)
    codes: dict[Any, int] = {}
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
