"""Nearest neighbours by semantic cosine: exact top-k over unit rows, in blocks of bounded memory.

The candidate edges of the batch clustering come from an inverted index over lexical features,
which cannot propose a rewrite in another language that shares no names.  The semantic
neighbours add those candidates.  Exact search is ``n * n * dim`` multiply-adds (a million
USE rows: about 5e14, hours on a core), so this is for batches up to some 100,000 articles; the
block size bounds the working memory to ``block * n * 4`` bytes (about 256 MiB).
"""
from __future__ import annotations

import numpy as np

__all__ = ["semantic_neighbours", "BLOCK_ROWS"]

BLOCK_ROWS = 1024
"""Query rows per block at most; fewer where ``block_rows * n`` float32 scores would pass
``max_block_bytes`` (256 MiB: 671 rows against 100,000 articles)."""


def semantic_neighbours(embeddings: np.ndarray, k: int, *, block_rows: int = BLOCK_ROWS,
                        max_block_bytes: int = 256 << 20) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest other rows of each row by dot product: ``(ids int64, cosines float32)``.

    Both ``(n, k)``, best first; ids are -1 (cosine 0) where there are fewer than ``k`` others.
    Ties go to the lower id.  The rows should be unit length (then the dot is the cosine).
    """
    e = np.ascontiguousarray(embeddings, dtype=np.float32)
    if e.ndim != 2:
        raise ValueError(f"embeddings must be a 2-D array, not shape {e.shape}")
    n = e.shape[0]
    k = int(k)
    if k < 1:
        raise ValueError(f"k must be >= 1, not {k}")
    ids = np.full((n, k), -1, dtype=np.int64)
    sims = np.zeros((n, k), dtype=np.float32)
    width = min(k, n - 1)
    if width <= 0:
        return ids, sims
    step = max(1, min(int(block_rows), max_block_bytes // max(4 * n, 1)))
    for start in range(0, n, step):
        stop = min(n, start + step)
        scores = e[start:stop] @ e.T
        scores[np.arange(stop - start), np.arange(start, stop)] = -np.inf  # not its own neighbour
        part = np.argpartition(-scores, width - 1, axis=1)[:, :width]
        top = np.take_along_axis(scores, part, axis=1)
        order = np.lexsort((part, -top), axis=1)
        ids[start:stop, :width] = np.take_along_axis(part, order, axis=1)
        sims[start:stop, :width] = np.take_along_axis(top, order, axis=1)
    return ids, sims
