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

Rows must be sorted by feature within each row (as :class:`retold.stories.StoryVectors` are).
"""
from __future__ import annotations

import numpy as np



def strongest(idx, val, k):
    """The ``k`` strongest (feature, value) pairs of a row, strongest first, ties by feature."""
    return sorted(zip(idx, val), key=lambda t: (-t[1], t[0]))[:k]


def _check(offsets, indices, values, k, index_terms, query_terms):
    if k < 1 or index_terms < 1 or query_terms < 1:
        raise ValueError("k, index_terms and query_terms must be at least 1")
    n = len(offsets) - 1
    if n < 0 or (n >= 0 and int(offsets[0]) != 0):
        raise ValueError("offsets must start at 0")
    if len(indices) != len(values) or int(offsets[-1]) != len(indices):
        raise ValueError("offsets[-1], indices and values differ in length")
    if n > 0 and bool(np.any(np.diff(np.asarray(offsets)) < 0)):
        raise ValueError("offsets must be non-decreasing")
    return n


def nearest_neighbours(offsets, indices, values, k, index_terms, query_terms):
    """The ``k`` nearest rows of each row: ``(ids int64 (n, k), cosines float64 (n, k))``."""
    n = _check(offsets, indices, values, k, index_terms, query_terms)
    offsets = [int(x) for x in offsets]
    indices = [int(x) for x in indices]
    values = [float(x) for x in values]
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


def row_cosines(offsets, indices, values, left, right):
    """Cosine of row ``left[p]`` and row ``right[p]`` for each pair ``p`` (float64).

    The dot product is summed in increasing feature order (a merge of the two sorted rows).
    """
    n = _check(offsets, indices, values, 1, 1, 1)
    left = [int(x) for x in np.asarray(left, dtype=np.int64)]
    right = [int(x) for x in np.asarray(right, dtype=np.int64)]
    if len(right) != len(left):
        raise ValueError(f"left and right must have the same length, got {len(left)} and {len(right)}")
    for p, (i, j) in enumerate(zip(left, right)):
        if i < 0 or i >= n or j < 0 or j >= n:
            raise ValueError(f"pair {p} ({i}, {j}) names a row outside [0, {n})")
    offsets = [int(x) for x in offsets]
    out = np.zeros(len(left), dtype=np.float64)
    for p, (i, j) in enumerate(zip(left, right)):
        mine = dict(zip(indices[offsets[i]:offsets[i + 1]].tolist(), values[offsets[i]:offsets[i + 1]].tolist()))
        dot = 0.0
        for f, v in zip(indices[offsets[j]:offsets[j + 1]].tolist(), values[offsets[j]:offsets[j + 1]].tolist()):
            if f in mine:
                dot += mine[f] * v
        out[p] = dot
    return out
