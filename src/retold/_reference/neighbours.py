"""Pure-Python twin of ``ext/neighbours.pyx``: the k nearest rows of sparse unit vectors.

The specification, followed operation for operation by the compiled kernel:

1. Each row is *posted* in an inverted index under its ``index_terms`` strongest features
   (largest value first, ties by smaller feature index).
2. The candidates of row ``i`` are the other rows posted under any of its own ``query_terms``
   strongest features (same order).  Strong features are the rare, heavily weighted ones
   (names, places, numbers), so their posting lists are short: the cost is about ``n * k``
   candidates, never the ``n * n`` of a dense product.
3. Each candidate's exact cosine (dot product of the two unit rows, summed in the candidate's
   feature order) is computed; the ``k`` largest positive ones are kept, largest first, ties by
   smaller row index.  Unused slots hold row ``-1`` and cosine ``0``.

Rows must be sorted by feature within each row, without duplicates (as
:class:`retold.stories.StoryVectors` are); :func:`retold._validate.check_neighbours_args` checks
that and every other argument, for both backends alike.
"""
from __future__ import annotations

import numpy as np

from retold._validate import check_neighbours_args


def strongest(idx, val, k):
    """The ``k`` strongest (feature, value) pairs of a row, strongest first, ties by feature."""
    return sorted(zip(idx, val), key=lambda t: (-t[1], t[0]))[:k]


def nearest_neighbours(offsets, indices, values, k, index_terms, query_terms):
    """The ``k`` nearest rows of each row: ``(ids int64 (n, k), cosines float64 (n, k))``."""
    offsets, indices, values, k, index_terms, query_terms = check_neighbours_args(
        offsets, indices, values, k, index_terms, query_terms)
    n = len(offsets) - 1
    offsets = offsets.tolist()
    indices = indices.tolist()
    values = values.tolist()
    rows = [(indices[offsets[i]:offsets[i + 1]], values[offsets[i]:offsets[i + 1]]) for i in range(n)]
    postings: dict[int, list[int]] = {}
    for i, (idx, val) in enumerate(rows):
        for f, _ in strongest(idx, val, index_terms):
            postings.setdefault(f, []).append(i)
    ids = np.full((n, k), -1, dtype=np.int64)
    sims = np.zeros((n, k), dtype=np.float64)
    for i, (idx, val) in enumerate(rows):
        mine = dict(zip(idx, val))
        seen = {i}
        scored = []
        for f, _ in strongest(idx, val, query_terms):
            for j in postings.get(f, ()):
                if j in seen:
                    continue
                seen.add(j)
                dot = 0.0
                for g, v in zip(*rows[j]):
                    w = mine.get(g)
                    if w is not None:
                        dot += w * v
                if dot > 0.0:
                    scored.append((-dot, j))
        scored.sort()
        for slot, (neg, j) in enumerate(scored[:k]):
            ids[i, slot] = j
            sims[i, slot] = -neg
    return ids, sims
