"""A text made ready to align: its tokens, and its quotes when first asked for.

:func:`retold.align` takes a :class:`Prepared` text wherever it takes a text; preparing a text
once saves tokenising it again for every partner it is aligned with.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from retold._textprep import as_text
from retold.hashing import Tokens, tokenize
from retold.quotes import Quote, find_quotes

__all__ = ["Prepared", "prepare", "as_prepared", "text_of", "tokens_in_spans", "token_range"]


def text_of(value: Any, name: str) -> str:
    """The text as given (bytes decoded), *not* composed to NFC.

    Offsets must index the caller's own text: :func:`retold.tokenize` composes to NFC
    internally and maps its offsets back, so alignment runs on the text as it is.
    """
    text = getattr(value, "text", value)  # an Article, or anything with .text
    if text is value and not isinstance(value, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"{name} must be str, bytes or an Article, not {type(value).__name__}")
    if isinstance(text, str):
        return text
    as_text(text, what=name)  # validates: TypeError / ValueError naming the argument
    return bytes(text).decode("utf-8")


class Prepared:
    """A text made ready for :func:`align` once: its tokens, and its quotes when first asked for.

    Aligning one text with many others (a monitor aligns each article with every later partner)
    tokenises it once instead of once per pair; :func:`align` takes a ``Prepared`` wherever it
    takes a text, and gives the same passages.
    """

    __slots__ = ("text", "tokens", "_quotes", "_inside")
    text: str
    tokens: Tokens

    def __init__(self, text: Any) -> None:
        self.text = text.text if isinstance(text, Prepared) else text_of(text, "text")
        self.tokens = tokenize(self.text)
        self._quotes: list[Quote] | None = None
        self._inside: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def quotes(self) -> list[Quote]:
        if self._quotes is None:
            self._quotes = find_quotes(self.text)
        return self._quotes

    @property
    def inside(self) -> np.ndarray:
        """Per token: does it lie inside a quote?"""
        if self._inside is None:
            self._inside = tokens_in_spans(self.tokens, self.quotes)
        return self._inside

    def __repr__(self) -> str:
        return f"Prepared({len(self.tokens)} tokens)"


def prepare(text: Any) -> Prepared:
    """``text`` (str, bytes or Article) tokenised once, to align with many others (see :class:`Prepared`)."""
    return Prepared(text)


def as_prepared(value: Any, name: str) -> Prepared:
    """``value`` as a Prepared text (itself if it is one); errors name the argument ``name``."""
    if isinstance(value, Prepared):
        return value
    prepared = Prepared.__new__(Prepared)
    prepared.text = text_of(value, name)
    prepared.tokens = tokenize(prepared.text)
    prepared._quotes = prepared._inside = None
    return prepared


def tokens_in_spans(tokens: Tokens, spans: list[Quote]) -> np.ndarray:
    """Per token: does it lie inside one of the character spans?"""
    inside = np.zeros(len(tokens), dtype=bool)
    for span in spans:
        lo = np.searchsorted(tokens.starts, span.start, side="left")
        hi = np.searchsorted(tokens.ends, span.end, side="right")
        inside[lo:hi] = True
    return inside


def token_range(tokens: Tokens, span: Quote) -> tuple[int, int]:
    """The tokens ``[lo, hi)`` that lie within the character span (``lo == hi`` when none)."""
    lo = int(np.searchsorted(tokens.starts, span.start, side="left"))
    hi = int(np.searchsorted(tokens.ends, span.end, side="right"))
    return lo, max(lo, hi)
