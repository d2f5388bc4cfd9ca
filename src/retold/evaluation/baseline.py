"""The plain baseline every story clustering is compared with: TF-IDF average-link at a fixed cut.

Words are ``\\w+`` runs, lower-cased; weights are sublinear tf (1 + ln tf) times smoothed idf
(``ln((N + 1) / (df + 1)) + 1``), rows unit length.  Average linkage runs over each article's 30
nearest articles by cosine (the same sparse kernels as :func:`retold.stories`, with no density
term and no dates), merging while the average cosine of two clusters is at least ``cut``.  It
is what ``../shared/data/story-clusters/README.md`` calls the plain baseline (there with the best
of a grid of cuts; here one fixed cut, so that it is a baseline a user gets without gold labels).
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

import numpy as np

from retold._backend import kernels
from retold.article import Article

__all__ = ["BASELINE_CUT", "tfidf_vectors", "tfidf_average_link"]

BASELINE_CUT = 0.2
"""The fixed cosine cut of the baseline (the middle of its good range on ECB+ and MEANTIME)."""

_WORD = re.compile(r"\w+")


def tfidf_vectors(articles: Sequence[Article]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit-length sublinear TF-IDF rows of the articles' titles and texts, as CSR arrays."""
    vocab: dict[str, int] = {}
    rows: list[Counter[int]] = []
    for art in articles:
        words = _WORD.findall(((art.title or "") + " " + art.text).lower())
        rows.append(Counter(vocab.setdefault(w, len(vocab)) for w in words))
    df = np.zeros(len(vocab), dtype=np.float64)
    for row in rows:
        df[list(row)] += 1
    idf = np.log((len(rows) + 1.0) / (df + 1.0)) + 1.0
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    indices: list[np.ndarray] = []
    values: list[np.ndarray] = []
    for i, row in enumerate(rows):
        idx = np.array(sorted(row), dtype=np.uint32)
        val = (1.0 + np.log(np.array([row[j] for j in idx.tolist()], dtype=np.float64))) * idf[idx]
        norm = float(np.sqrt(np.dot(val, val)))
        indices.append(idx)
        values.append(val / norm if norm > 0 else val)
        offsets[i + 1] = offsets[i] + len(idx)
    return offsets, _concatenated(indices, np.uint32), _concatenated(values, np.float64)


def _concatenated(parts: list[np.ndarray], dtype: type[np.generic]) -> np.ndarray:
    # A named helper rather than a lambda: mypy --strict cannot type a lambda's parameters.
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def tfidf_average_link(articles: Sequence[Article], cut: float = BASELINE_CUT, neighbours: int = 30) -> np.ndarray:
    """Cluster labels of the baseline (int64, the smallest member's position)."""
    n = len(articles)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    offsets, indices, values = tfidf_vectors(articles)
    k = min(neighbours, max(n - 1, 1))
    ids, sims = kernels("neighbours").nearest_neighbours(offsets, indices, values, k, 24, 24)
    a = np.repeat(np.arange(n, dtype=np.int64), k)
    b, w = ids.ravel(), sims.ravel()
    keep = b >= 0
    a, b, w = a[keep], b[keep], w[keep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    _, first = np.unique(lo * n + hi, return_index=True)  # each edge once
    labels: np.ndarray = kernels("agglomerate").average_link(n, lo[first], hi[first], w[first], np.zeros(n), cut, 0.0)
    return labels
