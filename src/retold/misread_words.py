"""Words that two misread printings of one text spell differently, counted as one word.

OCR that misreads one letter in ten changes about half the words of a printing, and two
printings of one paragraph are misread independently, so only a third of their words stay
equal.  The seeded alignment of :mod:`retold.reuse_index` works on equal words: it finds such a
pair of printings as pieces, with gaps of misread words between them and beyond their ends.
This module looks at the words themselves, letter by letter, where the alignment has already
placed two printings side by side:

- :func:`near_equal`: two words within a few letter edits of each other (one edit for a word
  of up to 7 letters, two up to 11, a quarter of the letters beyond);
- :func:`gap_matches`: how many words of a gap between two pieces pair up as near-equal, in
  order (a longest common subsequence under :func:`near_equal`, within the diagonal band the
  bridge allows);
- :func:`extend`: how far a passage goes on beyond a piece's end, a word at a time, while
  near-equal words outnumber the others (an X-drop walk, as BLAST extends a seed).

Short words (under 3 letters) must be equal: "of" and "on" are one edit apart in any text.
Only words already placed side by side are compared, so a chance near-equal pair ("plane",
"plans") costs a point of score at most, never a passage of its own.
"""
from __future__ import annotations

from operator import ne
from typing import Sequence

MIN_LETTERS = 3
"""Words shorter than this are near-equal only when equal."""
EXTEND_DROP = 4
"""An extension stops where every path scores this many points below its best (a word that is
not near-equal costs one)."""
EXTEND_LEAST = 2
"""Least score an extension must reach, in near-equal pairs' worth, to be kept: one equal word
past a printing's end by chance ("the") is common in real text, two net of the others are not."""

__all__ = ["near_equal", "extend", "extend_pieces", "MIN_LETTERS", "EXTEND_DROP", "EXTEND_LEAST"]


def _edits_allowed(longer: int) -> int:
    return max(1, longer // 4)


def _within_edits(a: str, b: str, limit: int) -> bool:
    """Levenshtein distance of ``a`` and ``b`` at most ``limit`` (rows cut off early)."""
    if abs(len(a) - len(b)) > limit:
        return False
    # Two cheap bounds settle most pairs: letters substituted in place are edits, and each edit
    # changes the set of letters used by at most two.
    if len(a) == len(b) and sum(map(ne, a, b)) <= limit:
        return True
    if len(set(a).symmetric_difference(b)) > 2 * limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        low = i
        for j, cb in enumerate(b, 1):
            cost = previous[j - 1] + (ca != cb)
            cost = min(cost, previous[j] + 1, current[j - 1] + 1)
            current.append(cost)
            low = min(low, cost)
        if low > limit:
            return False
        previous = current
    return previous[-1] <= limit


def near_equal(a: str, b: str) -> bool:
    """Whether two lower-cased words may be one word misread: equal, or both of at least
    ``MIN_LETTERS`` letters and within ``max(1, longer // 4)`` letter edits."""
    if a == b:
        return True
    if len(a) < MIN_LETTERS or len(b) < MIN_LETTERS:
        return False
    return _within_edits(a, b, _edits_allowed(max(len(a), len(b))))


def extend(ahead_left: Sequence[str], ahead_right: Sequence[str], *, match: int, shift: int) -> tuple[int, int, int]:
    """How far a passage goes on into the words ahead of it on each side, in walking order
    (the words after its ends, or those before its starts reversed).

    A banded alignment (``shift`` words off the diagonal at most) scores a near-equal pair
    ``match`` and any other word -1, and stops once every path has fallen ``EXTEND_DROP``
    words' worth below the best (X-drop, as BLAST extends a seed).  Returns ``(taken_left,
    taken_right, matches)`` at the best point; ``(0, 0, 0)`` when that scores less than
    ``EXTEND_LEAST`` near-equal pairs' worth (one or two words in common by chance).
    """
    n, m = len(ahead_left), len(ahead_right)
    drop = EXTEND_DROP
    best, best_at = 0, (0, 0, 0)
    # row[y] = (score, matches) of the best path to (x, y); None outside the band or unreached.
    row: list[tuple[int, int] | None] = [None] * (m + 1)
    row[0] = (0, 0)
    for y in range(1, min(m, shift) + 1):
        row[y] = (-y, 0)
    for x in range(1, n + 1):
        new: list[tuple[int, int] | None] = [None] * (m + 1)
        top = None
        floor = best - drop
        for y in range(max(0, x - shift), min(m, x + shift) + 1):
            up, diagonal = row[y], row[y - 1] if y > 0 else None
            back = new[y - 1] if y > 0 else None
            cell = None if up is None else (up[0] - 1, up[1])
            if back is not None and (cell is None or (back[0] - 1, back[1]) > cell):
                cell = (back[0] - 1, back[1])
            if diagonal is not None:
                hit = (diagonal[0] + match, diagonal[1] + 1)
                # The words are compared only where a pair would change the cell: most cells
                # of an extension lie past its end, where no pair can lift them over ``floor``.
                if hit[0] >= floor and (cell is None or hit > cell) \
                        and near_equal(ahead_left[x - 1], ahead_right[y - 1]):
                    cell = hit
                elif cell is None or (diagonal[0] - 1, diagonal[1]) > cell:
                    cell = (diagonal[0] - 1, diagonal[1])
            if cell is None or cell[0] < floor:
                continue  # fallen too far below the best: this path ends here
            new[y] = cell
            if cell[0] > best:
                best, best_at = cell[0], (x, y, cell[1])
            if top is None or cell[0] > top:
                top = cell[0]
        if top is None:
            break
        row = new
    if best < EXTEND_LEAST * match:
        return 0, 0, 0
    return best_at


def extend_pieces(pieces: Sequence[Sequence[int]], left: Sequence[str], right: Sequence[str], *,
                  match: int, shift: int) -> list[tuple[int, int, int, int, int]]:
    """One pair's aligned pieces ``(a0, a1, b0, b1, matches)``, each extended at both ends over
    misread words (:func:`extend`), never into the piece before or after it.

    ``pieces`` are token spans in ``left`` and ``right`` (the two texts' lower-cased words),
    sorted by ``a0`` and not overlapping (as :func:`retold.reuse_index.join_pieces` gives them);
    ``matches`` grows by the near-equal pairs each extension takes.
    """
    out: list[tuple[int, int, int, int, int]] = []
    for k, (a0, a1, b0, b1, matches) in enumerate(pieces):
        later = pieces[k + 1] if k + 1 < len(pieces) else None
        a_hi = later[0] if later is not None and later[0] >= a1 else len(left)
        b_hi = later[2] if later is not None and later[2] >= b1 else len(right)
        a_lo = out[-1][1] if out and out[-1][1] <= a0 else 0
        b_lo = out[-1][3] if out and out[-1][3] <= b0 else 0
        da, db, after = extend(left[a1:a_hi], right[b1:b_hi], match=match, shift=shift)
        ua, ub, before = extend(left[a_lo:a0][::-1], right[b_lo:b0][::-1], match=match, shift=shift)
        out.append((a0 - ua, a1 + da, b0 - ub, b1 + db, matches + after + before))
    return out
