"""Pure-Python twin of ``ext/misread.pyx``: near-equal words and the X-drop extension over them.

See the compiled module's docstring for the definitions; this file is their plainest statement.
"""
from __future__ import annotations

from operator import ne
from typing import TYPE_CHECKING, Any, Sequence

from retold import _kernel_args as checks

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

MIN_LETTERS = 3


def _within_edits(a: Sequence[int], b: Sequence[int], limit: int) -> bool:
    """Levenshtein distance of ``a`` and ``b`` at most ``limit`` (rows cut off early)."""
    if abs(len(a) - len(b)) > limit:
        return False
    if len(a) == len(b) and sum(map(ne, a, b)) <= limit:
        return True  # substitutions in place are edits
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j - 1] + (ca != cb), previous[j] + 1, current[j - 1] + 1))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def _near(a: Sequence[int], b: Sequence[int]) -> bool:
    if a == b:
        return True
    if len(a) < MIN_LETTERS or len(b) < MIN_LETTERS:
        return False
    return _within_edits(a, b, max(1, max(len(a), len(b)) // 4))


def near_equal(a: Any, b: Any) -> bool:
    """Whether two words (code points) are near-equal."""
    a, b = checks.near_equal_args(a, b)
    return _near(a.tolist(), b.tolist())


def _walk(chars: npt.NDArray[np.uint32], starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64],
          first: int, count: int, step: int, side: str) -> list[list[int]]:
    """The words of the walk, in walking order; ValueError naming ``side`` when it leaves the arrays
    (what ``checks.extend_args`` cannot see without reading every word: only the walk's are)."""
    if count == 0:
        return []
    words, last = len(starts), first + step * (count - 1)
    if not (0 <= first < words and 0 <= last < words):
        raise ValueError(f"{side}: words {first} to {last} are not all in 0..{words - 1}")
    text, out = chars.tolist(), []
    for k in range(count):
        w = first + step * k
        lo, hi = int(starts[w]), int(ends[w])
        if lo < 0 or hi < lo or hi > len(text):
            raise ValueError(f"word {w} of {side} spans ({lo}, {hi}), not a span of "
                             f"{side}_chars (length {len(text)})")
        out.append(text[lo:hi])
    return out


def extend(left_chars: Any, left_starts: Any, left_ends: Any, left_first: Any, left_count: Any,
           right_chars: Any, right_starts: Any, right_ends: Any, right_first: Any, right_count: Any,
           step: Any, match: Any, shift: Any, drop: Any, least: Any) -> tuple[int, int, int]:
    """The extension from ``left_first``/``right_first`` (see the module docstring).

    Returns ``(taken_left, taken_right, matches)``; ``(0, 0, 0)`` when it scores under
    ``least * match``.
    """
    (left_chars, left_starts, left_ends, left_first, left_count, right_chars, right_starts, right_ends,
     right_first, right_count, step, match, shift, drop, least) = checks.extend_args(
        left_chars, left_starts, left_ends, left_first, left_count, right_chars, right_starts,
        right_ends, right_first, right_count, step, match, shift, drop, least)
    left = _walk(left_chars, left_starts, left_ends, left_first, left_count, step, "left")
    right = _walk(right_chars, right_starts, right_ends, right_first, right_count, step, "right")
    n, m = len(left), len(right)
    best, best_at = 0, (0, 0, 0)
    # row[y] = (score, near-equal pairs) of the best path to (x, y); None: not reached.
    row: list[tuple[int, int] | None] = [None] * (m + 1)
    row[0] = (0, 0)
    for y in range(1, min(m, shift) + 1):
        row[y] = (-y, 0)
    for x in range(1, n + 1):
        new: list[tuple[int, int] | None] = [None] * (m + 1)
        floor, live = best - drop, False
        for y in range(max(0, x - shift), min(m, x + shift) + 1):
            up, diagonal = row[y], row[y - 1] if y > 0 else None
            back = new[y - 1] if y > 0 else None
            cell = None if up is None else (up[0] - 1, up[1])
            if back is not None and (cell is None or (back[0] - 1, back[1]) > cell):
                cell = (back[0] - 1, back[1])
            if diagonal is not None:
                hit = (diagonal[0] + match, diagonal[1] + 1)
                # Words are compared only where a pair would change the cell.
                if hit[0] >= floor and (cell is None or hit > cell) and _near(left[x - 1], right[y - 1]):
                    cell = hit
                elif cell is None or (diagonal[0] - 1, diagonal[1]) > cell:
                    cell = (diagonal[0] - 1, diagonal[1])
            if cell is None or cell[0] < floor:
                continue
            new[y], live = cell, True
            if cell[0] > best:
                best, best_at = cell[0], (x, y, cell[1])
        if not live:
            break
        row = new
    if best < least * match:
        return 0, 0, 0
    return best_at
