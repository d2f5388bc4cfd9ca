"""Evaluation of retold against labelled data: similarity ratings, gold clusterings, reuse.

Each submodule scores one capability with numpy only (no scipy or scikit-learn); the
``retold eval`` subcommands that run them are in :mod:`retold.cli` (``cli/eval_<name>.py``):

- :mod:`retold.evaluation.similarity`: SemEval-2022 Task 8 and OK/BAD pair files; Pearson and
  ROC-AUC (``retold eval similarity``);
- :mod:`retold.evaluation.clusters`: B-cubed precision/recall/F1 and ARI against gold story
  labels (``retold eval clusters``).
"""
from __future__ import annotations

from retold.evaluation.clusters import ClusterScores, adjusted_rand_index, bcubed, score_clusters
from retold.evaluation.similarity import (
    PairSet,
    SimilarityReport,
    best_accuracy,
    evaluate_pairs,
    load_pairs,
    load_semeval,
    pearson,
    roc_auc,
    score_pairs,
)

__all__ = [
    "ClusterScores",
    "PairSet",
    "SimilarityReport",
    "adjusted_rand_index",
    "bcubed",
    "best_accuracy",
    "evaluate_pairs",
    "load_pairs",
    "load_semeval",
    "pearson",
    "roc_auc",
    "score_clusters",
    "score_pairs",
]
