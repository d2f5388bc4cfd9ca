"""Hypothesis strategies for text that has broken retold before; fuzz tests draw from these.

Kept in one place so that each class of input found in the field stays in every harness.
"""
from __future__ import annotations

import sys
import unicodedata
from functools import lru_cache

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
