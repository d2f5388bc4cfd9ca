"""Pure-Python twin of ``ext/reuse.pyx``: evidence rows of document pairs sharing rare n-grams.

See the compiled module's docstring for the definitions; this file is their plainest statement.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt


def rare_ngram_pairs(
    hashes: npt.NDArray[np.uint64],
    docs: npt.NDArray[np.int64],
    positions: npt.NDArray[np.int64],
    max_df: int,
) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], int, int
]:
    """Evidence rows of the document pairs that share rare n-grams.

    Returns ``(left, right, left_pos, right_pos, rare, boilerplate)``: four int64 arrays, one
    row per (rare n-gram, document pair), in run order then pair order, and the numbers of
    rare n-grams (shared by 2 to ``max_df`` documents) and of boilerplate ones (more).
    """
    n = len(hashes)
    if len(docs) != n or len(positions) != n:
        raise ValueError(f"hashes, docs and positions must have the same length, got "
                         f"{n}, {len(docs)} and {len(positions)}")
    if max_df < 2:
        raise ValueError(f"max_df must be at least 2, got {max_df}")
    h, d, p = hashes.tolist(), docs.tolist(), positions.tolist()
    rows: list[tuple[int, int, int, int]] = []
    rare = boilerplate = 0
    i = 0
    while i < n:
        j = i + 1
        while j < n and h[j] == h[i]:
            j += 1
        first: dict[int, int] = {}
        for x in range(i, j):
            first.setdefault(d[x], p[x])  # rows come in document order: the earliest position
        if len(first) > max_df:
            boilerplate += 1
        elif len(first) >= 2:
            rare += 1
            members = list(first.items())
            for x, (a, pa) in enumerate(members):
                for b, pb in members[x + 1:]:
                    rows.append((a, b, pa, pb))
        i = j
    table = np.array(rows, dtype=np.int64).reshape(-1, 4)
    return (np.ascontiguousarray(table[:, 0]), np.ascontiguousarray(table[:, 1]),
            np.ascontiguousarray(table[:, 2]), np.ascontiguousarray(table[:, 3]), rare, boilerplate)


def member_mask(values: npt.NDArray[np.uint64], members: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint8]:
    """``mask[i]`` is 1 when ``values[i]`` is one of ``members``: a uint8 array."""
    wanted = set(members.tolist())
    return np.fromiter((v in wanted for v in values.tolist()), dtype=np.uint8, count=len(values))
