"""Story vectors: unit-length sparse rows (CSR) of many articles, and their cosines."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from retold.story_clustering import _kernels

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

__all__ = ["StoryVectors"]


@dataclass(frozen=True)
class StoryVectors:
    """Unit-length story vectors of many articles, in CSR form.

    Row ``i`` has the features ``indices[offsets[i]:offsets[i + 1]]`` (sorted, unique, in
    ``[0, n_features)``) with weights ``values[...]``; an empty article's row is empty.
    """

    offsets: np.ndarray
    indices: np.ndarray
    values: np.ndarray
    n_features: int

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = int(self.offsets[i]), int(self.offsets[i + 1])
        return self.indices[a:b], self.values[a:b]

    def cosine(self, i: int, j: int, other: "StoryVectors | None" = None) -> float:
        """Cosine of row ``i`` and row ``j`` (of ``other`` when given)."""
        ia, va = self.row(i)
        ib, vb = (other or self).row(j)
        _, pa, pb = np.intersect1d(ia, ib, assume_unique=True, return_indices=True)
        return float(np.dot(va[pa], vb[pb])) if len(pa) else 0.0

    def cosines(self, i: int, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """Cosines of row ``i`` with each of ``rows``, in one vectorised pass (no scipy)."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.zeros(len(rows), dtype=np.float64)
        ia, va = self.row(i)
        if not len(rows) or not len(ia):
            return out
        starts = self.offsets[rows]
        lens = self.offsets[rows + 1] - starts
        total = int(lens.sum())
        if not total:
            return out
        owner = np.repeat(np.arange(len(rows)), lens)
        at = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens) + np.repeat(starts, lens)
        idx, val = self.indices[at], self.values[at]
        k = np.minimum(np.searchsorted(ia, idx), len(ia) - 1)
        hit = ia[k] == idx
        np.add.at(out, owner[hit], val[hit] * va[k[hit]])
        return out

    def pair_cosines(self, left: Sequence[int] | np.ndarray, right: Sequence[int] | np.ndarray) -> np.ndarray:
        """Cosine of rows ``left[p]`` and ``right[p]`` for each ``p``, in one kernel call."""
        return _kernels.neighbours.row_cosines(self.offsets, self.indices, self.values, left, right)

    def to_scipy(self) -> csr_matrix:
        """The vectors as a ``scipy.sparse.csr_matrix`` (needs scipy)."""
        from scipy.sparse import csr_matrix

        return csr_matrix((self.values, self.indices, self.offsets), shape=(len(self), self.n_features))
