"""Quotes two texts share in moved wording: the pass of :func:`retold.align` after its passages.

A quoted sentence is often reprinted with its words reordered or cut, which the passage
alignment misses; pairing the quoted sentences the passages left untouched by their longest
common word subsequence finds them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from retold._backend import kernels
from retold.aligned_passage import OP_MATCH, AlignedText, Passage, make_passage
from retold.prepared_text import token_range
from retold.quotes import Quote, quote_sentences

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import align as _align
else:
    _align = kernels("align")

__all__ = ["shared_quotes"]

_QUOTE_MAX_TOKENS = 400
_QUOTE_MAX_SEGMENTS = 300


def shared_quotes(a: AlignedText, b: AlignedText, quotes_a: list[Quote], quotes_b: list[Quote],
                   used_a: np.ndarray, used_b: np.ndarray, min_tokens: int, min_share: float,
                   match: int, mismatch: int, gap: int, mark: str) -> list[Passage]:
    """Pair quoted sentences of a and b that say the same thing in moved wording.

    Candidates are pairs of quoted sentences untouched by the passages found so far; a pair's
    similarity is the longest common word subsequence (LCS) over the shorter sentence.  Pairs
    are taken best first (ties by position), each sentence at most once.
    """
    def segments(side: AlignedText, quotes: list[Quote], used: np.ndarray) -> list[tuple[int, int]]:
        out = []
        for quote in quote_sentences(side.text, quotes)[:_QUOTE_MAX_SEGMENTS]:
            lo, hi = token_range(side.tokens, quote)
            if hi - lo >= min_tokens and not used[lo:hi].any():
                out.append((lo, min(hi, lo + _QUOTE_MAX_TOKENS)))
        return out

    seg_a = segments(a, quotes_a, used_a)
    seg_b = segments(b, quotes_b, used_b)
    if not seg_a or not seg_b:
        return []
    ops = np.zeros(2 * _QUOTE_MAX_TOKENS + 2, dtype=np.int8)
    candidates = []
    for x, (a0, a1) in enumerate(seg_a):
        words_a = a.ids[a0:a1]
        for y, (b0, b1) in enumerate(seg_b):
            words_b = b.ids[b0:b1]
            # The LCS cannot exceed the shared vocabulary; skip hopeless pairs cheaply.
            if np.intersect1d(words_a, words_b).size < min_share * min(a1 - a0, b1 - b0) / 2:
                continue
            lcs, _ = _align.align_global(words_a, words_b, 1, 0, 0, ops)
            share = lcs / min(a1 - a0, b1 - b0)
            if lcs >= min_tokens and share >= min_share:
                candidates.append((-share, -lcs, a0, b0, x, y))
    candidates.sort()
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    out = []
    for _, _, _, _, x, y in candidates:
        if x in taken_a or y in taken_b:
            continue
        taken_a.add(x)
        taken_b.add(y)
        a0, a1 = seg_a[x]
        b0, b1 = seg_b[y]
        score, length = _align.align_global(a.ids[a0:a1], b.ids[b0:b1], match, mismatch, gap, ops)
        matches = int(np.count_nonzero(ops[:length] == OP_MATCH))
        out.append(make_passage(a, b, a0, a1, b0, b1, score, matches, ops[:length].copy(), mark,
                                 True))
    return out
