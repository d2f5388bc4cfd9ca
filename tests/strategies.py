"""Hypothesis strategies for inputs that have broken retold before; fuzz tests draw from these.

Kept in one place so that each class of input found in the field stays in every harness.
"""
from __future__ import annotations

import sys
import unicodedata
from functools import lru_cache

import numpy as np
from hypothesis import strategies as st


@lru_cache(maxsize=None)
def starters_decomposing_to_marks() -> tuple[str, ...]:
    """Characters of combining class 0 whose canonical decomposition starts with a mark.

    NFC sorts their marks among the marks before them (issue 19: U+0F73, U+0F75, U+0F81),
    so normalising cluster by cluster went wrong on them.  Derived from ``unicodedata``.
    """
    found = []
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        if unicodedata.combining(ch):
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        if decomposed != ch and unicodedata.combining(decomposed[0]):
            found.append(ch)
    return tuple(found)


# Marks of several combining classes (so that canonical reordering has work to do), letters
# they compose with, Hangul jamo and Indic two-part vowels (starters that compose backwards).
_COMPOSING = (
    "aeoAEOuU\u0300\u0301\u0308\u0323\u0327\u0338\u0344\u0345\u05b0\u05bc\u0f71\u0f72\u0f74"
    "\u0f7a\u0f7c\u0f80\u0f40\u0f42\u0fb2\u0fb3\u1100\u1161\u11a8\uac00\u0b47\u0b3e\u0b57"
    "\u09c7\u09be\u0dd9\u0dcf\u0dca\u1025\u102e\u3099\u304b"
)


def tricky_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Text rich in combining sequences, with everything else mixed in."""
    return st.text(
        alphabet=st.one_of(
            st.sampled_from(starters_decomposing_to_marks() + tuple(_COMPOSING)),
            st.characters(categories=("Mn", "Mc", "Me")),
            st.characters(),
        ),
        max_size=max_size,
    )


# -- sparse kernels ------------------------------------------------------------------------------

# Small dyadic values: every product and sum of a few of them is exact in float64, so a naive
# oracle that adds in another order still gets bit-identical numbers and the same ties.
EXACT_VALUES = (-1.0, -0.5, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0)


@st.composite
def sparse_rows(draw, *, max_rows: int = 12, n_features: int = 10, exact: bool = False,
                wide: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR rows ``(offsets int64, indices uint32, values float64)``, features sorted and unique.

    Few features (``n_features``) so that rows overlap and tie; ``wide`` spreads the feature ids
    over the whole uint32 range (the neighbour kernel packs them into 64-bit keys); ``exact``
    draws values from :data:`EXACT_VALUES`, otherwise any finite float of either sign, zero and
    subnormals included.  Rows may be empty.
    """
    n = draw(st.integers(0, max_rows))
    if wide:
        pool = sorted(draw(st.sets(st.integers(0, (1 << 32) - 1), min_size=n_features, max_size=n_features)))
    else:
        pool = list(range(n_features))
    value = (st.sampled_from(EXACT_VALUES) if exact
             else st.floats(-4.0, 4.0, allow_nan=False, allow_subnormal=True) | st.sampled_from((0.5, 1.0)))
    offsets, indices, values = [0], [], []
    for _ in range(n):
        feats = sorted(draw(st.sets(st.sampled_from(pool), max_size=min(6, len(pool)))))
        indices += feats
        values += [draw(value) for _ in feats]
        offsets.append(len(indices))
    return (np.array(offsets, dtype=np.int64), np.array(indices, dtype=np.uint32),
            np.array(values, dtype=np.float64))


@st.composite
def similarity_graphs(draw, *, max_items: int = 9, max_edges: int = 20, exact: bool = False):
    """``(n, a, b, w, offset)``: a weighted graph on items ``0..n-1`` with a density per item.

    Edges may repeat (their weights add up), be self-loops (ignored) or weigh 0 or less.
    ``exact`` draws small integers for weights and offsets: every sum of them is exact in any
    order, so a naive oracle evaluating the same link formula gets the same bits and ties.
    """
    n = draw(st.integers(0, max_items))
    m = draw(st.integers(0, max_edges)) if n else 0
    item = st.integers(0, max(n - 1, 0))
    weight = st.integers(-1, 4).map(float) if exact else st.floats(-1.0, 2.0, allow_nan=False)
    density = st.integers(0, 3).map(float) if exact else st.floats(0.0, 1.0, allow_nan=False)
    a = np.array([draw(item) for _ in range(m)], dtype=np.int64)
    b = np.array([draw(item) for _ in range(m)], dtype=np.int64)
    w = np.array([draw(weight) for _ in range(m)], dtype=np.float64)
    offset = np.array([draw(density) for _ in range(n)], dtype=np.float64)
    return n, a, b, w, offset


# -- adversarial text (the fuzz harness, tests/fuzz) --------------------------------------------

# Pieces of scripts that exercise every branch of the tokeniser: cased and uncased, written
# without spaces, right-to-left, with combining marks, astral.
SCRIPT_SAMPLES = (
    "Hello World", "Ünïcödé façade", "Привет мир", "Ελληνικά", "漢字かなカナ", "ภาษาไทย",
    "العربية والكتاب", "עברית", "हिन्दी", "한국어", "ქართული", "ꦗꦮ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "😀👍🏽👨‍👩‍👧",
    "ǅungla ǈ ǋ", "ﬁﬂ ß ẞ İı", "١٢٣ 456 ৭৮", "K\u0301\u0323", "ﷺ ﷽",
)
# Format characters (skipped inside tokens), bidi controls, NUL and other controls, separators.
FORMAT_CHARS = (
    "\u00ad", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c",
    "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\u2060", "\u180e",
    "\x00", "\x01", "\x7f", "\u0085", "\u2028", "\u2029", "\t", "\n", "\r", " ", "\u3000",
)


def any_code_point() -> st.SearchStrategy[str]:
    """One code point from any plane, unassigned ones, private use and lone surrogates included."""
    return st.one_of(
        st.integers(0, sys.maxunicode).map(chr),
        st.integers(0xD800, 0xDFFF).map(chr),          # lone surrogates
        st.integers(0x10000, sys.maxunicode).map(chr),  # astral, so str kind 4 is common
    )


@st.composite
def adversarial_text(draw, max_pieces: int = 12) -> str:
    """Text built of pieces that have each broken a tokeniser somewhere."""
    piece = st.one_of(
        st.text(any_code_point(), max_size=12),
        st.sampled_from(SCRIPT_SAMPLES),
        st.sampled_from(FORMAT_CHARS),
        st.text(st.characters(categories=("Mn", "Mc", "Me")), min_size=1, max_size=40),  # combining runs
        st.tuples(st.sampled_from("aЖ字ا"), st.integers(200, 3000)).map(lambda t: t[0] * t[1]),  # long tokens
        st.text(st.characters(categories=("Cf", "Zs", "Zl", "Zp", "Cc")), max_size=6),
        tricky_text(12),
    )
    return "".join(draw(st.lists(piece, max_size=max_pieces)))


# -- adversarial arguments ---------------------------------------------------------------------

def adversarial_ints() -> st.SearchStrategy[int]:
    """Integers at and past every edge a C kernel might cast them through."""
    edges = [0, 1, -1, 2, -5, 7, 255, 256, 1 << 10, (1 << 10) + 1, 1 << 16, (1 << 16) + 1,
             (1 << 31) - 1, 1 << 31, -(1 << 31), (1 << 32) - 1, 1 << 32, (1 << 63) - 1, 1 << 63,
             -(1 << 63), (1 << 64) - 1, 1 << 64, 1 << 100, -(1 << 100)]
    return st.one_of(st.sampled_from(edges), st.integers(-(1 << 70), 1 << 70), st.integers(-3, 12))


def adversarial_scalars() -> st.SearchStrategy:
    """Values of the wrong kind where a kernel expects an int or a float."""
    return st.one_of(adversarial_ints(), st.sampled_from(
        [True, False, None, 1.5, float("nan"), float("inf"), -0.0, "3", b"3", np.int8(3),
         np.uint64((1 << 64) - 1), np.float32(2.0), [1], (1, 2)]))


@st.composite
def adversarial_arrays(draw, dtype=np.uint64, max_size: int = 40):
    """Arrays of the expected dtype or not: empty, non-contiguous, 2-D, NaN, huge values, lists."""
    kind = draw(st.sampled_from(["good", "list", "strided", "2d", "float", "nan", "int8", "negative",
                                 "empty", "object", "bool", "reversed"]))
    n = draw(st.integers(0, max_size))
    values = np.array(draw(st.lists(st.integers(0, (1 << 63) - 1), min_size=n, max_size=n)),
                      dtype=np.int64).astype(dtype)
    if kind == "list":
        return values.tolist()
    if kind == "strided":
        return np.repeat(values, 2)[::2]
    if kind == "2d":
        return values.reshape(1, -1)
    if kind == "float":
        return values.astype(np.float64) + 0.5
    if kind == "nan":
        return np.full(max(n, 1), np.nan)
    if kind == "int8":
        return values.astype(np.int8)
    if kind == "negative":
        return -(values.astype(np.int64)) - 1
    if kind == "empty":
        return np.zeros(0, dtype=draw(st.sampled_from([np.uint64, np.int64, np.float64, np.int32])))
    if kind == "object":
        return np.array(values.tolist() + ["x"], dtype=object)
    if kind == "bool":
        return values.astype(bool)
    if kind == "reversed":
        return values[::-1]
    return values
