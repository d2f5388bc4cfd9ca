"""Words that two misread printings of one text spell differently, counted as one word.

OCR that misreads one letter in ten changes about half the words of a printing, and two
printings of one paragraph are misread independently, so only a third of their words stay
equal.  The seeded alignment of :mod:`retold.reuse_index` works on equal words: it finds such a
pair of printings as pieces, with gaps of misread words between them and beyond their ends.
This module looks at the words themselves, letter by letter, where the alignment has already
placed two printings side by side:

- :func:`near_equal`: two words within a few letter edits of each other (one edit for a word
  of up to 7 letters, two up to 11, a quarter of the letters beyond);
- :func:`extend_pieces`: how far each aligned piece goes on past its ends while near-equal
  words outnumber the others (an X-drop walk, as BLAST extends a seed; kernel ``extend`` in
  ``ext/misread.pyx``, its twin in ``retold._reference.misread``).

Short words (under 3 letters) must be equal: "of" and "on" are one edit apart in any text.
Only words already placed side by side are compared, so a chance near-equal pair ("plane",
"plans") costs a point of score at most, never a passage of its own.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Sequence

import numpy as np

from retold._backend import kernels

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import misread as _misread
else:
    _misread = kernels("misread")

EXTEND_DROP = 4
"""An extension stops where every path scores this many points below its best (a word that is
not near-equal costs one)."""
EXTEND_LEAST = 2
"""Least score an extension must reach, in near-equal pairs' worth, to be kept: one equal word
past a printing's end by chance ("the") is common in real text, two net of the others are not."""

__all__ = ["Words", "near_equal", "text_words", "extend_pieces", "EXTEND_DROP", "EXTEND_LEAST"]


class Words(NamedTuple):
    """A text's words as the kernel takes them: the lower-cased text's code points, and where
    each word starts and ends in them."""

    chars: np.ndarray  # uint32
    starts: np.ndarray  # int64
    ends: np.ndarray  # int64


def _codes(text: str) -> np.ndarray:
    # surrogatepass: a lone surrogate (from text decoded with surrogateescape) is one code point too
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def text_words(text: str, starts: np.ndarray, ends: np.ndarray) -> Words:
    """:class:`Words` of the tokens ``text[starts[i]:ends[i]]``, lower-cased."""
    lowered = text.lower()
    starts = np.ascontiguousarray(starts, dtype=np.int64)
    ends = np.ascontiguousarray(ends, dtype=np.int64)
    if len(lowered) == len(text):
        return Words(_codes(lowered), starts, ends)
    # A letter whose lower case is longer ("İ" -> "i̇") moves what follows: lower each word.
    words = [text[s:e].lower() for s, e in zip(starts.tolist(), ends.tolist())]
    bounds = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, words), dtype=np.int64, count=len(words)), out=bounds[1:])
    return Words(_codes("".join(words)), bounds[:-1].copy(), bounds[1:].copy())


def near_equal(a: str, b: str) -> bool:
    """Whether two lower-cased words may be one word misread: equal, or both of at least
    3 letters and within ``max(1, longer // 4)`` letter edits."""
    return bool(_misread.near_equal(_codes(a), _codes(b)))


def extend_pieces(pieces: Sequence[Sequence[int]], left: Words, right: Words, *,
                  left_window: tuple[int, int], right_window: tuple[int, int], match: int,
                  shift: int) -> list[tuple[int, int, int, int, int]]:
    """One pair's aligned pieces ``(a0, a1, b0, b1, matches)``, each extended at both ends over
    misread words, within the windows and never into the piece before or after it.

    ``pieces`` are token spans relative to ``left_window[0]`` / ``right_window[0]`` (the
    windows are word ranges of ``left`` and ``right``), sorted by ``a0`` and not overlapping (as
    :func:`retold.reuse_index.join_pieces` gives them); ``matches`` grows by the near-equal
    pairs each extension takes.
    """
    (la, ha), (lb, hb) = left_window, right_window
    n, m = ha - la, hb - lb
    out: list[tuple[int, int, int, int, int]] = []
    for k, (a0, a1, b0, b1, matches) in enumerate(pieces):
        later = pieces[k + 1] if k + 1 < len(pieces) else None
        a_hi = later[0] if later is not None and later[0] >= a1 else n
        b_hi = later[2] if later is not None and later[2] >= b1 else m
        a_lo = out[-1][1] if out and out[-1][1] <= a0 else 0
        b_lo = out[-1][3] if out and out[-1][3] <= b0 else 0
        da, db, after = _misread.extend(*left, la + a1, a_hi - a1, *right, lb + b1, b_hi - b1,
                                        1, match, shift, EXTEND_DROP, EXTEND_LEAST)
        ua, ub, before = _misread.extend(*left, la + a0 - 1, a0 - a_lo, *right, lb + b0 - 1, b0 - b_lo,
                                         -1, match, shift, EXTEND_DROP, EXTEND_LEAST)
        out.append((a0 - ua, a1 + da, b0 - ub, b1 + db, matches + after + before))
    return out
