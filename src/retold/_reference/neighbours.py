"""Pure-Python twin of ``ext/neighbours.pyx``: the k nearest rows of sparse unit vectors.

The specification, followed operation for operation by the compiled kernel:

1. Each row is *posted* in an inverted index under its ``index_terms`` strongest features
   (largest value first, ties by smaller feature index), with its value there.  A feature's
   posting list holds its rows in increasing order.
2. Row ``i`` is queried with its own ``query_terms`` strongest features, in that order.  For
   each, at most ``max_postings`` postings are read: all of them when the list is no longer,
   else the ``max_postings`` consecutive ones centred on where ``i`` stands in the list (rows
   near ``i`` in input order, which in a feed are near it in time).  Every other row ``j``
   read gets ``partial[j] += value_i * value_j``: the part of the dot product the strong
   features carry.  Strong features are rare, heavily weighted ones (names, places, numbers),
   and the cap bounds the work of the common ones: the cost is ``n * query_terms *
   max_postings`` additions at most, never the ``n * n`` of a dense product.
3. The ``candidates`` rows with the largest partial scores (ties by smaller row) get their
   exact cosine (dot product of the two unit rows, summed in increasing feature order); the
   ``k`` largest positive ones are kept, largest first, ties by smaller row.  Unused slots hold
   row ``-1`` and cosine ``0``.

Rows must be sorted by feature within each row, without duplicates (as
:class:`retold.story_clustering.StoryVectors` are); :func:`retold._validate.check_neighbours_args` checks
that and every other argument, for both backends alike.  With ``max_postings`` and
``candidates`` at least ``n``, every row sharing a posted strong feature is scored exactly.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from retold._validate import check_neighbours_args

MAX_POSTINGS = 256
"""Default postings read per query feature (step 2)."""

CANDIDATES = 64
"""Default rows scored exactly per row (step 3)."""


def strongest(idx: Sequence[int], val: Sequence[float], k: int) -> list[tuple[int, float]]:
    """The ``k`` strongest (feature, value) pairs of a row, strongest first, ties by feature."""
    return sorted(zip(idx, val), key=lambda t: (-t[1], t[0]))[:k]


def dot_with(mine: dict[int, float], idx: Sequence[int], val: Sequence[float]) -> float:
    """Dot product of a row held as ``{feature: value}`` with the row ``(idx, val)``, summed in
    ``idx`` order (the order the compiled merges and table lookups sum in)."""
    dot = 0.0
    for g, v in zip(idx, val):
        w = mine.get(g)
        if w is not None:
            dot += w * v
    return dot


def _window(length: int, position: int, cap: int) -> tuple[int, int]:
    """The [start, stop) of at most ``cap`` consecutive postings centred on ``position``."""
    if length <= cap:
        return 0, length
    start = min(max(position - cap // 2, 0), length - cap)
    return start, start + cap


def nearest_neighbours(offsets: npt.ArrayLike, indices: npt.ArrayLike, values: npt.ArrayLike, k: int,
                       index_terms: int, query_terms: int, max_postings: int = MAX_POSTINGS,
                       candidates: int = CANDIDATES) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The ``k`` nearest rows of each row: ``(ids int64 (n, k), cosines float64 (n, k))``."""
    off, idx_arr, val_arr, k, index_terms, query_terms, max_postings, candidates = check_neighbours_args(
        offsets, indices, values, k, index_terms, query_terms, max_postings, candidates)
    n = len(off) - 1
    # Python lists: the loops below read single elements, which numpy scalars make slow.
    starts: list[int] = off.tolist()
    features: list[int] = idx_arr.tolist()
    weights: list[float] = val_arr.tolist()
    rows = [(features[starts[i]:starts[i + 1]], weights[starts[i]:starts[i + 1]]) for i in range(n)]
    postings: dict[int, list[tuple[int, float]]] = {}
    for i, (idx, val) in enumerate(rows):
        for f, v in strongest(idx, val, index_terms):
            postings.setdefault(f, []).append((i, v))
    ids = np.full((n, k), -1, dtype=np.int64)
    sims = np.zeros((n, k), dtype=np.float64)
    for i, (idx, val) in enumerate(rows):
        partial: dict[int, float] = {}
        for f, vi in strongest(idx, val, query_terms):
            run = postings.get(f, [])
            position = next((p for p, (j, _) in enumerate(run) if j >= i), len(run))
            start, stop = _window(len(run), position, max_postings)
            for j, vj in run[start:stop]:
                if j != i:
                    partial[j] = partial.get(j, 0.0) + vi * vj
        chosen = sorted(partial, key=lambda j: (-partial[j], j))[:candidates]
        mine = dict(zip(idx, val))
        scored: list[tuple[float, int]] = []
        for j in chosen:
            dot = dot_with(mine, *rows[j])
            if dot > 0.0:
                scored.append((-dot, j))
        scored.sort()
        for slot, (neg, j) in enumerate(scored[:k]):
            ids[i, slot] = j
            sims[i, slot] = -neg
    return ids, sims


def row_cosines(offsets: npt.ArrayLike, indices: npt.ArrayLike, values: npt.ArrayLike, left: npt.ArrayLike,
                right: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Cosine of row ``left[p]`` and row ``right[p]`` for each pair ``p`` (float64).

    The dot product is summed in increasing feature order (a merge of the two sorted rows).
    """
    off: npt.NDArray[np.int64]
    idx: npt.NDArray[np.uint32]  # check_csr narrows features to 32 bits
    val: npt.NDArray[np.float64]
    off, idx, val = check_neighbours_args(offsets, indices, values, 1, 1, 1)[:3]
    n = len(off) - 1
    lefts = [int(x) for x in np.asarray(left, dtype=np.int64)]
    rights = [int(x) for x in np.asarray(right, dtype=np.int64)]
    if len(rights) != len(lefts):
        raise ValueError(f"left and right must have the same length, got {len(lefts)} and {len(rights)}")
    for p, (i, j) in enumerate(zip(lefts, rights)):
        if i < 0 or i >= n or j < 0 or j >= n:
            raise ValueError(f"pair {p} ({i}, {j}) names a row outside [0, {n})")
    starts = [int(x) for x in off]
    out = np.zeros(len(lefts), dtype=np.float64)
    for p, (i, j) in enumerate(zip(lefts, rights)):
        mine = dict(zip(idx[starts[i]:starts[i + 1]].tolist(), val[starts[i]:starts[i + 1]].tolist()))
        out[p] = dot_with(mine, idx[starts[j]:starts[j + 1]].tolist(), val[starts[j]:starts[j + 1]].tolist())
    return out


def _row(indices: object, values: object, name: str) -> tuple[list[int], list[float]]:
    if not isinstance(indices, np.ndarray) or indices.dtype != np.uint32 or indices.ndim != 1:
        raise TypeError(f"{name} must be a 1-d uint32 array")
    if not isinstance(values, np.ndarray) or values.dtype != np.float64 or values.ndim != 1:
        raise TypeError(f"{name.replace('indices', 'values')} must be a 1-d float64 array")
    if len(values) != len(indices):
        raise ValueError(f"{name.replace('indices', 'values')}: {len(values)} values for {len(indices)} indices")
    return indices.tolist(), values.tolist()


def row_dots(indices: npt.NDArray[np.uint32], values: npt.NDArray[np.float64],
             rows: Sequence[tuple[npt.NDArray[np.uint32], npt.NDArray[np.float64]]]) -> npt.NDArray[np.float64]:
    """Dot product of one row ``(indices, values)`` with each row of ``rows``, summed in
    increasing feature order (as :func:`row_cosines` sums); rows sorted, without duplicates."""
    idx, val = _row(indices, values, "indices")
    mine = dict(zip(idx, val))
    out = np.zeros(len(rows), dtype=np.float64)
    for p, row in enumerate(rows):
        if len(row) != 2:
            raise ValueError(f"rows[{p}] must be a pair (indices, values)")
        out[p] = dot_with(mine, *_row(row[0], row[1], f"rows[{p}] indices"))
    return out
