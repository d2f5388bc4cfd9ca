"""Turn what users pass as text into what kernels accept: a str in NFC.

Kernels trust their input; this module is where ``None``, bytes, broken UTF-8 and texts in
decomposed form are dealt with, identically for both backends.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any, Iterable

import numpy as np

ERROR_POLICIES = ("strict", "replace", "ignore")


def as_text(value: Any, *, errors: str = "strict", what: str = "text") -> str:
    """Return ``value`` as a str in NFC.

    ``bytes`` are decoded as UTF-8 under ``errors`` ("strict" raises ``ValueError`` naming the
    offending byte offset; "replace" and "ignore" as in :meth:`bytes.decode`).
    """
    if isinstance(value, str):
        text = value
    elif isinstance(value, (bytes, bytearray, memoryview)):
        if errors not in ERROR_POLICIES:
            raise ValueError(f"errors must be one of {ERROR_POLICIES}, not {errors!r}")
        try:
            text = bytes(value).decode("utf-8", errors)
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"{what}: invalid UTF-8 at byte {exc.start} ({exc.reason}); "
                "pass errors='replace' to keep the text with U+FFFD in place of bad bytes"
            ) from None
    else:
        raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")
    return to_nfc(text)


def to_nfc(text: str) -> str:
    """``text`` in NFC; the common case (ASCII or already NFC) costs a flag check."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def as_texts(values: Iterable[Any], *, errors: str = "strict", what: str = "texts") -> list[str]:
    """Validate and normalise a batch; errors name the position of the bad item."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{what} must be a sequence of texts, not a single {type(values).__name__}")
    out: list[str] = []
    append = out.append
    for i, value in enumerate(values):
        if type(value) is str and value.isascii():
            append(value)
        else:
            append(as_text(value, errors=errors, what=f"{what}[{i}]"))
    return out


@lru_cache(maxsize=4096)
def _joins_cluster(ch: str) -> bool:
    """Whether ``ch`` can be reordered with the marks before it, so it must not start a cluster.

    True for a mark (nonzero combining class) and for a character whose own class is 0 but
    whose canonical decomposition starts with a mark (Tibetan U+0F73, U+0F75, U+0F81 in
    Unicode 14): NFC decomposes it and sorts its marks among the preceding ones, so it belongs
    to the preceding cluster.  Asked of ``unicodedata`` rather than listed, so that a Unicode
    version that adds such characters is handled without a change here.
    """
    if unicodedata.combining(ch) != 0:
        return True
    decomposed = unicodedata.normalize("NFD", ch)
    return decomposed != ch and unicodedata.combining(decomposed[0]) != 0


def nfc_with_offsets(text: str) -> tuple[str, np.ndarray | None]:
    """NFC of ``text`` and, when it differs, the map from each NFC index to an original index.

    The map has ``len(nfc) + 1`` entries (the last is ``len(text)``), so that a span
    ``[s, e)`` of the NFC text is ``[map[s], map[e])`` in the original.  Composition happens
    within a cluster: a character and the following ones that combine with it (marks, Hangul
    jamo, Indic two-part vowels, characters whose decomposition starts with a mark).  Each cluster is normalised on its own; its first output
    character maps to the cluster start, the others just after it.
    """
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text, None
    normalize = unicodedata.normalize
    pieces: list[str] = []
    origins: list[int] = []

    def close(start: int, end: int) -> None:
        piece = normalize("NFC", text[start:end])
        pieces.append(piece)
        origins.extend([start] + [min(start + 1, end)] * (len(piece) - 1))

    cluster_start = 0
    for i in range(1, len(text)):
        ch = text[i]
        if _joins_cluster(ch):
            continue
        # A starter may still compose with what precedes it (jamo, two-part vowels).
        last = normalize("NFC", text[cluster_start:i])[-1:]
        if len(normalize("NFC", last + ch)) < len(last) + 1:
            continue
        close(cluster_start, i)
        cluster_start = i
    if text:
        close(cluster_start, len(text))
    origins.append(len(text))
    nfc = "".join(pieces)
    if nfc != normalize("NFC", text):  # pragma: no cover - would mean a cluster rule is missing
        raise AssertionError("retold: clustered NFC differs from NFC; please report this text")
    return nfc, np.asarray(origins, dtype=np.int64)
