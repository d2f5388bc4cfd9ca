"""The stages of corpus-wide passage reuse before clustering: index, candidates, alignment.

1. :func:`ngram_index`: each document's word n-grams (the hashing core's positional shingles
   over :func:`retold.tokenize`'s tokens) in CSR form, a row's document and token position
   implied by where it lies (:func:`ngram_rows` spells them out, for distributed buckets);
2. :func:`pair_evidence`: the rows sorted by hash form posting lists; lists longer than
   ``max_df`` are boilerplate and dropped (counted), and every other list of two or more
   documents adds one to each of its document pairs (kernel ``rare_ngram_pairs`` in
   ``ext/reuse.pyx``), which also keeps the span of shared positions in each document; rows of
   n-grams found once (most of them) are dropped first (kernel ``member_mask``), so only the
   few that can pair documents are sorted with their payload;
   :func:`merge_pair_evidence` adds up evidence counted over disjoint sets of n-grams (the
   buckets of a distributed run), and :meth:`PairEvidence.candidates` keeps the pairs sharing
   at least ``min_shared`` rare n-grams;
3. :func:`align_candidates`: each candidate pair is aligned by the seeded kernel of
   :mod:`retold.passages` within the window of its shared n-grams (plus a margin), so a short
   reprint in two long articles costs the reprint, not the articles; :func:`bridge_spans`
   optionally joins the pieces of one pair's alignment that a misread printing breaks into.

Each stage is a pure function of its inputs, so a distributed run that splits the same work
differently (:func:`retold.dask.reused_passages`) gets exactly the same answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

from retold._backend import kernels
from retold.hashing import tokenize
from retold.misread_words import Words, extend_pieces, text_words

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import reuse as _reuse
    from retold._ext import hashing as _hashing
    from retold._ext import align as _align
else:
    _reuse = kernels("reuse")
    _hashing = kernels("hashing")
    _align = kernels("align")

ALIGN_OPTIONS = {"ngram": 1, "max_occurrences": 16, "max_gap": 40, "band": 8,
                 "match": 2, "mismatch": -1, "gap": -1}
"""The seeded alignment's settings: those of :func:`retold.align` but for one-word seeds, which
OCR noise spares far more often than two-word ones (a reprint under 5% misread letters comes out
in one piece, not in fragments; the window around shared n-grams keeps one-word seeds rare)."""
WINDOW_MARGIN = 64
"""Tokens aligned beyond the first and last shared n-gram of a pair in each document."""
FRAGMENT_MATCHES = 3
"""With ``bridge_gap``: least equal words of an aligned fragment before fragments are bridged
(one or two equal words on a diagonal are common by chance in real text: "of the")."""
BRIDGE_SHIFT = 4
"""Most tokens by which the two gaps of a bridge may differ: the words OCR splits or merges
between two fragments of one printing move the diagonal by a token or two, while a fragment
of unrelated text near a passage lies on any diagonal of the window."""

_EMPTY = np.zeros(0, dtype=np.int64)


def ngram_index(texts: Sequence[str], *, ngram: int) -> tuple[np.ndarray, np.ndarray]:
    """Word n-grams of ``texts`` in CSR form: ``(hashes uint64, offsets int64)``.

    The n-grams of ``texts[i]`` are ``hashes[offsets[i]:offsets[i + 1]]`` in text order, so an
    n-gram's token position is its row minus ``offsets[i]``: 8 bytes a row is the whole index.
    A text of fewer than ``ngram`` tokens has no n-gram (it cannot hold a reprinted passage).
    """
    grams = []
    lengths = np.zeros(len(texts), dtype=np.int64)
    for i, text in enumerate(texts):
        token_hashes = tokenize(text).hashes
        if len(token_hashes) >= ngram:
            grams.append(_hashing.word_shingle_hashes(np.ascontiguousarray(token_hashes), ngram))
            lengths[i] = len(grams[-1])
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return (np.concatenate(grams) if grams else np.zeros(0, dtype=np.uint64)), offsets


def rows_of(hashes: np.ndarray, offsets: np.ndarray, *, first: int = 0,
            rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Explicit ``(hashes, docs, positions)`` of an :func:`ngram_index` (all rows, or ``rows``,
    ascending); documents are numbered from ``first``."""
    if rows is None:
        rows = np.arange(len(hashes), dtype=np.int64)
    docs = np.searchsorted(offsets, rows, side="right") - 1
    return hashes[rows], docs + first, rows - offsets[docs]


def ngram_rows(texts: Sequence[str], *, ngram: int, first: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word n-gram rows of ``texts``: ``(hashes uint64, docs int64, positions int64)``.

    Document ``first + i`` is ``texts[i]``; rows come in document order, positions ascending.
    """
    hashes, offsets = ngram_index(texts, ngram=ngram)
    return rows_of(hashes, offsets, first=first)


def _repeated_rows(hashes: np.ndarray) -> np.ndarray:
    """Mask of the rows whose hash occurs in another row too.

    Most n-grams of a corpus occur once; dropping them first keeps the sort by hash (and its
    gathered copies) to the few rows that can pair documents.
    """
    if len(hashes) < 2:
        return np.zeros(len(hashes), dtype=bool)
    ordered = np.sort(hashes)
    twice = ordered[1:][ordered[1:] == ordered[:-1]]
    del ordered
    repeated = np.unique(twice)
    if len(repeated) == 0:
        return np.zeros(len(hashes), dtype=bool)
    return _reuse.member_mask(hashes, repeated).view(bool)


@dataclass(frozen=True)
class PairEvidence:
    """Document pairs and the rare n-grams they share.

    Attributes
    ----------
    left, right : np.ndarray of int64
        Document positions, ``left < right``, pairs sorted.
    shared : np.ndarray of int64
        Rare n-grams the two share.
    left_lo, left_hi, right_lo, right_hi : np.ndarray of int64
        First and last token position of a shared n-gram in each document.
    rare, boilerplate : int
        N-grams found in 2 to ``max_df`` documents, and in more (dropped).
    """

    left: np.ndarray
    right: np.ndarray
    shared: np.ndarray
    left_lo: np.ndarray
    left_hi: np.ndarray
    right_lo: np.ndarray
    right_hi: np.ndarray
    rare: int = 0
    boilerplate: int = 0

    def __len__(self) -> int:
        return len(self.left)

    def rows(self, lo: int, hi: int) -> "PairEvidence":
        """Pairs ``lo`` to ``hi`` (a chunk of work)."""
        return self._take(slice(lo, hi))

    def across_sources(self, sources: Sequence[str | None]) -> "PairEvidence":
        """The pairs whose two articles come from different sources (or an unknown one):
        passim's default of not aligning documents of the same series.  ``sources`` is
        indexed by document position."""
        codes = source_codes(sources)
        a, b = codes[self.left], codes[self.right]
        return self._take((a != b) | (a < 0))

    def candidates(self, min_shared: int) -> "PairEvidence":
        """The pairs that share at least ``min_shared`` rare n-grams."""
        return self._take(self.shared >= min_shared)

    def _take(self, rows: slice | np.ndarray) -> "PairEvidence":
        # The same rows of every column; the n-gram counts are the whole corpus's, kept as they are.
        return PairEvidence(self.left[rows], self.right[rows], self.shared[rows], self.left_lo[rows],
                            self.left_hi[rows], self.right_lo[rows], self.right_hi[rows],
                            rare=self.rare, boilerplate=self.boilerplate)


_COLUMNS = ("left", "right", "shared", "left_lo", "left_hi", "right_lo", "right_hi")


def source_codes(sources: Sequence[str | None]) -> np.ndarray:
    """One int per document: equal sources, equal codes; no source, -1."""
    index: dict[str, int] = {}
    return np.fromiter((-1 if not s else index.setdefault(s, len(index)) for s in sources),
                       dtype=np.int64, count=len(sources))


def _reduce(left: np.ndarray, right: np.ndarray, counts: np.ndarray, left_lo: np.ndarray,
            left_hi: np.ndarray, right_lo: np.ndarray, right_hi: np.ndarray, rare: int,
            boilerplate: int) -> PairEvidence:
    """Rows of (pair, count, position spans), possibly repeated, summed into one row per pair."""
    if len(left) == 0:
        return PairEvidence(_EMPTY, _EMPTY, _EMPTY, _EMPTY, _EMPTY, _EMPTY, _EMPTY, rare=rare,
                            boilerplate=boilerplate)
    order = np.lexsort((right, left))
    left, right = left[order], right[order]
    starts = np.flatnonzero(np.r_[True, (left[1:] != left[:-1]) | (right[1:] != right[:-1])])
    return PairEvidence(
        left=left[starts], right=right[starts],
        shared=np.add.reduceat(counts[order], starts),
        left_lo=np.minimum.reduceat(left_lo[order], starts),
        left_hi=np.maximum.reduceat(left_hi[order], starts),
        right_lo=np.minimum.reduceat(right_lo[order], starts),
        right_hi=np.maximum.reduceat(right_hi[order], starts),
        rare=rare, boilerplate=boilerplate,
    )


def pair_evidence(hashes: np.ndarray, docs: np.ndarray, positions: np.ndarray, *, max_df: int) -> PairEvidence:
    """Count, for every document pair, the rare n-grams it shares (rows as :func:`ngram_rows` gives).

    Rows must come in document order with positions ascending within a document (several
    :func:`ngram_rows` results concatenated in document order are); the stable sort by hash
    then keeps each posting list in document order, as the kernel expects.
    """
    keep = _repeated_rows(hashes)
    return _evidence(hashes[keep], docs[keep], positions[keep], max_df)


def index_evidence(hashes: np.ndarray, offsets: np.ndarray, *, max_df: int) -> PairEvidence:
    """:func:`pair_evidence` of an :func:`ngram_index`, expanding only the repeated rows."""
    rows = np.flatnonzero(_repeated_rows(hashes))
    return _evidence(*rows_of(hashes, offsets, rows=rows), max_df)


def _evidence(hashes: np.ndarray, docs: np.ndarray, positions: np.ndarray, max_df: int) -> PairEvidence:
    order = np.argsort(hashes, kind="stable")
    left, right, left_pos, right_pos, rare, boilerplate = _reuse.rare_ngram_pairs(
        np.ascontiguousarray(hashes[order]), docs[order].astype(np.int64),
        positions[order].astype(np.int64), int(max_df),
    )
    del order
    return _reduce(left, right, np.ones(len(left), dtype=np.int64), left_pos, left_pos,
                   right_pos, right_pos, int(rare), int(boilerplate))


def merge_pair_evidence(parts: Sequence[PairEvidence]) -> PairEvidence:
    """The evidence of disjoint sets of n-grams added up: what one :func:`pair_evidence` over
    all of their rows would give."""
    if not parts:
        return _reduce(_EMPTY, _EMPTY, _EMPTY, _EMPTY, _EMPTY, _EMPTY, _EMPTY, 0, 0)
    left, right, shared, left_lo, left_hi, right_lo, right_hi = (
        np.concatenate([getattr(p, name) for p in parts]) for name in _COLUMNS)
    return _reduce(left, right, shared, left_lo, left_hi, right_lo, right_hi,
                   sum(p.rare for p in parts), sum(p.boilerplate for p in parts))


@dataclass(frozen=True)
class Alignments:
    """Aligned spans of candidate pairs, in character offsets: row ``k`` says that
    ``left_doc[left_start:left_end]`` and ``right_doc[right_start:right_end]`` are one passage.

    ``matches`` counts the equal words of the alignment; ``left_tokens``/``right_tokens`` the
    words each side spans.
    """

    left_doc: np.ndarray
    left_start: np.ndarray
    left_end: np.ndarray
    right_doc: np.ndarray
    right_start: np.ndarray
    right_end: np.ndarray
    matches: np.ndarray
    left_tokens: np.ndarray
    right_tokens: np.ndarray

    def __len__(self) -> int:
        return len(self.left_doc)

    @staticmethod
    def concatenate(parts: Sequence["Alignments"]) -> "Alignments":
        names = Alignments.__dataclass_fields__
        if not parts:
            return Alignments(*([_EMPTY] * len(names)))
        return Alignments(*(np.concatenate([getattr(p, n) for p in parts]) for n in names))


def _window(lo: int, hi: int, ngram: int, n: int) -> tuple[int, int]:
    return max(0, lo - WINDOW_MARGIN), min(n, hi + ngram + WINDOW_MARGIN)


def join_pieces(spans: list[list[int]], *, gap: int) -> list[list[int]]:
    """Pieces of one pair's alignment joined across short gaps: ``[a0, a1, b0, b1, matches]``.

    ``spans`` are the kernel's rows (token spans in each text, then score and equal words).
    Taken in order of their start in the first text, a piece joins the passage before it
    when it follows it in both texts, after at most ``gap`` tokens in each, and the two gaps
    differ by at most ``BRIDGE_SHIFT`` tokens (passim's ``--gap``, with the diagonal kept).
    A printing read with many errors aligns as pieces (the seeded kernel keeps the best local
    piece of each chain, and a run of misread words ends a piece); joined, they are one
    passage.  ``gap=0`` joins only pieces that touch.
    """
    rows = sorted((r[0], r[1], r[2], r[3], r[5]) for r in spans)
    out: list[list[int]] = []
    for a0, a1, b0, b1, matches in rows:
        if out:
            last = out[-1]
            ga, gb = a0 - last[1], b0 - last[3]
            if 0 <= ga <= gap and 0 <= gb <= gap and abs(ga - gb) <= BRIDGE_SHIFT:
                last[1], last[3], last[4] = a1, b1, last[4] + matches
                continue
        out.append([a0, a1, b0, b1, matches])
    return out


def bridge_spans(spans: list[list[int]], *, min_tokens: int, gap: int) -> list[tuple[int, int, int, int, int]]:
    """:func:`join_pieces`' passages of at least ``min_tokens`` equal words, as tuples."""
    return [(a0, a1, b0, b1, k) for a0, a1, b0, b1, k in join_pieces(spans, gap=gap) if k >= min_tokens]


def align_candidates(texts: Mapping[int, str], pairs: PairEvidence, *, ngram: int, min_tokens: int,
                     bridge_gap: int = 0, match_score: int | None = None,
                     misread_words: bool = False) -> Alignments:
    """Align each candidate pair within the window of its shared n-grams.

    ``texts`` maps each document position named by ``pairs`` to its text.  Token ids are the
    token hashes halved (non-negative, as the kernel wants; equal hashes, equal ids), so no
    vocabulary is built.  Only passages of at least ``min_tokens`` equal words are kept.
    With ``bridge_gap`` > 0, fragments of at least ``FRAGMENT_MATCHES`` equal words are
    aligned and joined across gaps of up to ``bridge_gap`` tokens first (:func:`bridge_spans`).
    ``match_score`` replaces ``ALIGN_OPTIONS["match"]`` (an equal word's score; a substituted,
    inserted or dropped word costs 1).  With ``misread_words``, each passage then goes on past
    its ends over words that differ by a misread letter or two
    (:func:`retold.misread_words.extend_pieces`; pieces of ``FRAGMENT_MATCHES`` equal words are
    aligned, as with bridging), and ``matches`` counts those words too.
    """
    tokens = {}
    words: dict[int, Words] = {}  # lower-cased, for misread_words
    rows: list[tuple[int, ...]] = []
    o = ALIGN_OPTIONS
    match = o["match"] if match_score is None else match_score
    ops = np.zeros(0, dtype=np.int8)
    for a, b, a_lo, a_hi, b_lo, b_hi in zip(pairs.left.tolist(), pairs.right.tolist(),
                                            pairs.left_lo.tolist(), pairs.left_hi.tolist(),
                                            pairs.right_lo.tolist(), pairs.right_hi.tolist()):
        for d in (a, b):
            if d not in tokens:
                t = tokenize(texts[d])
                tokens[d] = (t, (t.hashes >> np.uint64(1)).astype(np.int64))
        (ta, ids_a), (tb, ids_b) = tokens[a], tokens[b]
        a0, a1 = _window(a_lo, a_hi, ngram, len(ta))
        b0, b1 = _window(b_lo, b_hi, ngram, len(tb))
        n, m = a1 - a0, b1 - b0
        if n == 0 or m == 0:
            continue
        if len(ops) < n + m:
            ops = np.zeros(n + m, dtype=np.int8)
        floor = min(min_tokens, FRAGMENT_MATCHES) if bridge_gap > 0 or misread_words else min_tokens
        spans = np.zeros((min(n, m) // floor + 1, _align.SPAN_COLUMNS), dtype=np.int64)
        count, _ = _align.align_seeded(
            np.ascontiguousarray(ids_a[a0:a1]), np.ascontiguousarray(ids_b[b0:b1]),
            o["ngram"], o["max_occurrences"], o["max_gap"], o["band"], match,
            o["mismatch"], o["gap"], floor, spans, ops,
        )
        pieces: Sequence[Sequence[int]] = join_pieces(spans[:count].tolist(), gap=bridge_gap)
        if misread_words:
            for d, t in ((a, ta), (b, tb)):
                if d not in words:
                    words[d] = text_words(texts[d], t.starts, t.ends)
            pieces = extend_pieces(pieces, words[a], words[b], left_window=(a0, a1), right_window=(b0, b1),
                                   match=match, shift=BRIDGE_SHIFT)
        for s0, s1, t0, t1, matches in pieces:
            if matches < min_tokens:
                continue
            rows.append((a, int(ta.starts[a0 + s0]), int(ta.ends[a0 + s1 - 1]),
                         b, int(tb.starts[b0 + t0]), int(tb.ends[b0 + t1 - 1]),
                         matches, s1 - s0, t1 - t0))
    table = np.array(rows, dtype=np.int64).reshape(-1, 9)
    return Alignments(*(np.ascontiguousarray(table[:, k]) for k in range(9)))
