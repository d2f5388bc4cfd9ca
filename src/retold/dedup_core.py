"""What single-machine and Dask dedup share once the pairs are known: who represents a
cluster, and each document's best match.

Both :func:`retold.dedup` and :func:`retold.dask.dedup` call these on the same arrays, which is
why their results are equal; neither keeps a copy of the rules.
"""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["first_of_groups", "clusters_from_roots", "representatives", "best_matches"]


def first_of_groups(groups: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Positions in ``order`` where a new group starts, given ``groups[order]`` is sorted."""
    sorted_groups = groups[order]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = sorted_groups[1:] != sorted_groups[:-1]
    return order[starts]


def clusters_from_roots(roots: np.ndarray, keep: str, lengths: np.ndarray,
                        dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cluster labels (int64) and each cluster's representative (:func:`representatives`) from
    each document's component root.  The roots are each component's smallest member, so the
    clusters are numbered 0, 1, ... in the order of their first member."""
    _, labels = np.unique(roots, return_inverse=True)
    labels = labels.astype(np.int64).reshape(-1)
    n_clusters = int(labels.max()) + 1 if len(labels) else 0
    return labels, representatives(labels, n_clusters, keep, lengths, dates)


def representatives(labels: np.ndarray, n_clusters: int, keep: str, lengths: np.ndarray,
                    dates: np.ndarray) -> np.ndarray:
    """The representative position of each cluster (int64, ``n_clusters``).

    ``keep`` is ``"first"`` (smallest position), ``"longest"`` (longest text, ``lengths``) or
    ``"earliest"`` (smallest ``dates`` in microseconds, undated largest); ties go to the
    smaller position.
    """
    positions = np.arange(len(labels), dtype=np.int64)
    if keep == "first":
        secondary = np.zeros(len(labels), np.int64)
    elif keep == "longest":
        secondary = -lengths
    else:  # earliest: undated documents come after dated ones
        secondary = dates
    order = np.lexsort((positions, secondary, labels))
    reps = first_of_groups(labels, order)
    assert len(reps) == n_clusters
    return reps.astype(np.int64)


def best_matches(n: int, pairs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Each document's best partner among the accepted ``pairs`` (``left``, ``right``,
    ``similarity`` arrays) and that similarity: highest similarity, ties to the smaller
    partner; -1 and NaN for a document in no pair."""
    matched = np.full(n, -1, dtype=np.int64)
    similarity = np.full(n, np.nan, dtype=np.float64)
    if len(pairs):
        doc = np.concatenate([pairs.a, pairs.b])
        partner = np.concatenate([pairs.b, pairs.a])
        sim = np.concatenate([pairs.similarity, pairs.similarity])
        order = np.lexsort((partner, -sim, doc))
        first = first_of_groups(doc, order)
        matched[doc[first]] = partner[first]
        similarity[doc[first]] = sim[first]
    return matched, similarity
