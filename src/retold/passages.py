"""What two articles share: aligned passages, shared quotes, and how much one reuses the other.

Alignment runs over the hashing core's tokens (:func:`retold.tokenize`), so every passage
comes back with exact character offsets into both original texts.  The kernels live in
``ext/align.pyx`` (twin ``retold._reference.align``); this module validates, maps tokens to
ids, adds quote matching and builds the results.

The parts are modules of their own: the prepared text (:mod:`retold.prepared_text`), the
passage record and its rendering (:mod:`retold.aligned_passage`), the pairing of quotes in
moved wording (:mod:`retold.shared_quotes`); their public names are importable from here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from retold._backend import kernels
from retold._renamed import renamed_keyword
from retold._validate import check_fraction
from retold._validate import check_int as _check_int
from retold.aligned_passage import OP_A, OP_B, OP_MATCH, OP_MISMATCH, AlignedText, Passage, make_passage, token_ids
from retold.hashing import Tokens, tokenize
from retold.prepared_text import Prepared, as_prepared, prepare, text_of
from retold.shared_quotes import shared_quotes

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import align as _align
else:
    _align = kernels("align")

__all__ = ["METHODS", "FULL_MEMORY_LIMIT", "OP_MATCH", "OP_MISMATCH", "OP_A", "OP_B", "Passage", "Prepared",
           "prepare", "align", "REUSE_KINDS", "DERIVED_CHAR_CONTAINMENT", "WHOLLY_WORD_CONTAINMENT", "Reuse",
           "reuse"]

METHODS = ("seeded", "full")
FULL_MEMORY_LIMIT = 1 << 30
"""Bytes of dynamic-programming matrix ``method="full"`` may allocate (int32 cells)."""
_MAX_SCORE = 1000
_SCORE_LIMIT = (1 << 31) - 1
"""The largest score the kernels hold (int32)."""


def align(
    a: Any,
    b: Any,
    *,
    min_tokens: int = 8,
    method: str = "seeded",
    match: int = 2,
    mismatch: int = -1,
    gap: int = -1,
    ngram: int = 2,
    max_occurrences: int = 4,
    max_gap: int = 40,
    band: int = 8,
    quotes: bool = True,
    min_quote_share: float = 0.5,
    edit_mark: str = "#",
    seed_len: int | None = None,
) -> list[Passage]:
    """Passages two texts share, with character offsets into both.

    Parameters
    ----------
    a, b : str, bytes, Article or Prepared
        A :class:`Prepared` text (:func:`prepare`) is not tokenised again.
    min_tokens : int
        Least number of equal words a passage must hold.
    method : {"seeded", "full"}
        ``seeded`` (default): seeds are word ``ngram``-grams shared by both texts and occurring
        at most ``max_occurrences`` times in each; they are chained colinearly (gaps of at most
        ``max_gap`` words) and each chain is realigned by Smith-Waterman within ``band`` words
        of its diagonals.  Memory is linear in the lengths, so whole books align.
        ``full``: Smith-Waterman over the whole word matrix (R textreuse's ``align_local``,
        repeated with found passages masked out to give every passage, not just the best).
        Needs 4 * len(a) * len(b) bytes (refused above 1 GiB) and recomputes the matrix
        once per passage found, so its time grows with the number of passages too.
    match, mismatch, gap : int
        Scores of equal words, substituted words and a word facing a gap (2, -1, -1 as textreuse).
    quotes : bool
        Also pair quoted sentences (see :mod:`retold.quotes`) whose wording moved: two quoted
        sentences whose longest common word subsequence is at least ``min_tokens`` words and
        ``min_quote_share`` of the shorter one are a shared quote even when no verbatim passage
        covers them.  Their aligned strings are a global alignment of the two sentences.
    edit_mark : str
        One character marking gaps in the aligned strings.
    seed_len : int, optional
        The old name of ``ngram`` (deprecated; goes in the next release).

    Returns
    -------
    list of Passage
        Sorted by position in ``a``; passages never share a word.

    Examples
    --------
    >>> [(p.a_text, p.b_text) for p in align(
    ...     "How can we tell if this is a match, he asked?",
    ...     "Surely, this is a good match, she replied.", method="full", min_tokens=4)]
    [('this is a #### match', 'this is a good match')]
    """
    prep_a, prep_b = as_prepared(a, "a"), as_prepared(b, "b")
    text_a, text_b = prep_a.text, prep_b.text
    min_tokens = _check_int(min_tokens, "min_tokens", 1, 1 << 40)
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}, not {method!r}")
    match = _check_int(match, "match", 1, _MAX_SCORE)
    mismatch = _check_int(mismatch, "mismatch", -_MAX_SCORE, 0)
    gap = _check_int(gap, "gap", -_MAX_SCORE, 0)
    ngram = renamed_keyword(ngram, seed_len, old="seed_len", new="ngram", default=2, where="retold.align")
    ngram = _check_int(ngram, "ngram", 1, 64)
    max_occurrences = _check_int(max_occurrences, "max_occurrences", 1, 1 << 20)
    max_gap = _check_int(max_gap, "max_gap", 0, 1 << 20)
    band = _check_int(band, "band", 0, 1 << 16)
    if not isinstance(edit_mark, str) or len(edit_mark) != 1:
        raise ValueError(f"edit_mark must be a single character, not {edit_mark!r}")
    min_quote_share = check_fraction(min_quote_share, "min_quote_share")

    ta, tb = prep_a.tokens, prep_b.tokens
    n, m = len(ta), len(tb)
    if match * min(n, m) > _SCORE_LIMIT:
        # The kernels keep scores in 32 bits (half the memory of the matrices); no alignment
        # can score more than match * min(n, m), so below this bound they cannot overflow.
        raise ValueError(
            f"match={match} over texts of {n} and {m} words could score past 2**31 - 1; "
            f"lower match (at most {_SCORE_LIMIT // max(min(n, m), 1)} here) or split the texts"
        )
    if method == "full":
        need = 4 * (n + 1) * (m + 1)
        if need > FULL_MEMORY_LIMIT:
            raise ValueError(
                f"method='full' would need {need / 2**30:.1f} GiB for {n} x {m} words "
                f"(limit {FULL_MEMORY_LIMIT / 2**30:.0f} GiB); use method='seeded', whose "
                "memory is linear in the lengths"
            )
    ids_a, ids_b = token_ids(ta), token_ids(tb)
    side_a = AlignedText(text_a, ta, ids_a)
    side_b = AlignedText(text_b, tb, ids_b)
    passages: list[Passage] = []
    used_a = np.zeros(n, dtype=bool)
    used_b = np.zeros(m, dtype=bool)
    if n and m:
        capacity = min(n, m) // min_tokens + 1
        spans = np.zeros((capacity, _align.SPAN_COLUMNS), dtype=np.int64)
        ops = np.zeros(n + m, dtype=np.int8)
        if method == "full":
            count, _ = _align.align_full(ids_a, ids_b, match, mismatch, gap, min_tokens, spans, ops)
        else:
            count, _ = _align.align_seeded(
                ids_a, ids_b, ngram, max_occurrences, max_gap, band, match, mismatch, gap,
                min_tokens, spans, ops,
            )
        quotes_a = prep_a.quotes if quotes else []
        quotes_b = prep_b.quotes if quotes else []
        inside_a = prep_a.inside if quotes else np.zeros(n, dtype=bool)
        inside_b = prep_b.inside if quotes else np.zeros(m, dtype=bool)
        for a0, a1, b0, b1, score, matches, offset, length in spans[:count].tolist():
            quoted = bool(inside_a[a0:a1].mean() >= 0.5 and inside_b[b0:b1].mean() >= 0.5)
            passages.append(make_passage(side_a, side_b, a0, a1, b0, b1, score, matches,
                                          ops[offset:offset + length], edit_mark, quoted))
            used_a[a0:a1] = True
            used_b[b0:b1] = True
        if quotes and quotes_a and quotes_b:
            passages.extend(shared_quotes(side_a, side_b, quotes_a, quotes_b, used_a, used_b,
                                           min_tokens, min_quote_share, match, mismatch,
                                           gap, edit_mark))
    passages.sort(key=lambda p: (p.a_start, p.b_start))
    return passages


# ---------------------------------------------------------------- reuse of one text by another

REUSE_KINDS = ("wholly", "partially", "none")
DERIVED_CHAR_CONTAINMENT = 0.16
"""``derived`` reuses ``source`` when this share of its character 6-grams occurs in ``source``."""
WHOLLY_WORD_CONTAINMENT = 0.65
"""A derived text is wholly derived when this share of its distinct words occurs in ``source``."""
_CHAR_NGRAM = 6


@dataclass(frozen=True)
class Reuse:
    """How much ``derived`` takes from ``source``.

    Attributes
    ----------
    kind : {"wholly", "partially", "none"}
        The verdict (COUNTER's WD, PD, ND), by the rule in :func:`reuse`.
    score : float
        Share of the derived text's distinct words found in the source (unigram containment).
    coverage : float
        Share of the derived text's words inside passages aligned with the source.
    passages : list of Passage
        The aligned passages (``a`` is the source, ``b`` the derived text).
    char_containment : float
        Share of the derived text's character 6-grams (folded stream) found in the source.
    longest : float
        Share of the derived text's words in its longest aligned passage.
    """

    kind: str
    score: float
    coverage: float
    passages: list[Passage] = field(default_factory=list)
    char_containment: float = 0.0
    longest: float = 0.0


def _covered_share(tokens: Tokens, starts_ends: list[tuple[int, int]]) -> tuple[float, float]:
    if len(tokens) == 0:
        return 0.0, 0.0
    covered = np.zeros(len(tokens), dtype=bool)
    longest = 0
    for start, end in starts_ends:
        lo = int(np.searchsorted(tokens.starts, start, side="left"))
        hi = int(np.searchsorted(tokens.ends, end, side="right"))
        covered[lo:hi] = True
        longest = max(longest, hi - lo)
    return float(covered.mean()), longest / len(tokens)


def reuse(source: Any, derived: Any, *, min_tokens: int = 8, method: str = "seeded") -> Reuse:
    """Does ``derived`` reuse ``source``, wholly, partially or not at all?

    The rule, tuned once on the public half of COUNTER (Urdu news; 300 agency/newspaper pairs)
    and the same for every language: the derived text reuses the source when at least
    :data:`DERIVED_CHAR_CONTAINMENT` (0.16) of its character 6-grams occur in the source
    (character n-grams shrug off the spacing variation of Urdu and the inflection of most
    languages); it is wholly derived when, besides, at least :data:`WHOLLY_WORD_CONTAINMENT`
    (0.65) of its distinct words do.  Two parameters; on that half macro-F1 0.763 over
    WD/PD/ND and derived-F1 0.894 in sample (plain unigram containment tuned the same way:
    0.757/0.883), and 0.738/0.885 when the two thresholds are cross-validated
    (``retold eval reuse DIR --cv 5``; see :mod:`retold.evaluation.reuse` for what else was
    tried).
    Passages (``coverage``, ``longest``) are reported as the evidence a reader checks.

    Parameters
    ----------
    source, derived : str, bytes or Article
    min_tokens, method
        As in :func:`align`.
    """
    from retold.hashing import containment, shingles

    text_s = text_of(source, "source")
    text_d = text_of(derived, "derived")
    found = align(text_s, text_d, min_tokens=min_tokens, method=method)
    coverage, longest = _covered_share(tokenize(text_d), [(p.b_start, p.b_end) for p in found])
    words = containment(shingles(text_d, ngram=1), shingles(text_s, ngram=1))
    chars = containment(
        shingles(text_d, ngram=_CHAR_NGRAM, unit="char"),
        shingles(text_s, ngram=_CHAR_NGRAM, unit="char"),
    )
    if chars < DERIVED_CHAR_CONTAINMENT:
        kind = "none"
    elif words >= WHOLLY_WORD_CONTAINMENT:
        kind = "wholly"
    else:
        kind = "partially"
    return Reuse(kind=kind, score=float(words), coverage=coverage, passages=found,
                 char_containment=float(chars), longest=longest)
