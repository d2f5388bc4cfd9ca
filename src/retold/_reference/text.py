"""Pure-Python twin of ``ext/text.pyx``: the tokeniser's specification, one character at a time."""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from retold._kernel_args import check_text
from retold._reference._hash64 import FNV_BASIS, fmix64, fnv_step
from retold.scripts import is_no_space

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy.typing as npt

C_WORD, C_MARK, C_IGNORABLE, C_NOSPACE, C_UPPER, C_LOWER, C_DIGIT = 1, 2, 4, 8, 16, 32, 64

TOKEN_CAPITALIZED = 1
TOKEN_ALL_UPPER = 2
TOKEN_HAS_DIGIT = 4
TOKEN_NOSPACE = 8
TOKEN_ALL_DIGIT = 16

# One table for every layer: retold.scripts.
_is_nospace = is_no_space


@lru_cache(maxsize=65536)
def char_class(ch: str) -> int:
    """Class bits of one character (the definition the compiled kernel shares)."""
    cat = unicodedata.category(ch)
    if cat[0] in "LN":
        bits = C_WORD
        if cat in ("Lu", "Lt"):
            bits |= C_UPPER
        elif cat == "Ll":
            bits |= C_LOWER
        elif cat == "Nd":
            bits |= C_DIGIT
        if _is_nospace(ord(ch)):
            bits |= C_NOSPACE
        return bits
    if cat[0] == "M":
        return C_MARK
    if cat == "Cf":
        return C_IGNORABLE
    return 0


@lru_cache(maxsize=65536)
def fold_char(ch: str) -> str:
    """The folded form of one character: casefold(NFKC(ch))."""
    return unicodedata.normalize("NFKC", ch).casefold()


def _token_spans(text: str) -> Iterator[tuple[int, int, str, int]]:
    """Yield (start, end, folded, flags) for each token, following the compiled state machine."""
    start = end = 0
    folded: list[str] = []
    flags = 0
    in_token = token_nospace = saw_upper = saw_lower = False
    all_digit = True

    def finish() -> tuple[int, int, str, int]:
        f = flags
        if saw_upper and not saw_lower:
            f |= TOKEN_ALL_UPPER
        if all_digit:
            f |= TOKEN_ALL_DIGIT
        return (start, end, "".join(folded), f)

    for i, ch in enumerate(text):
        cls = char_class(ch)
        if cls & C_WORD:
            if in_token and (token_nospace or cls & C_NOSPACE):
                yield finish()
                in_token = False
            if not in_token:
                in_token = True
                start, folded, flags = i, [], 0
                saw_upper = saw_lower = False
                all_digit = True
                token_nospace = bool(cls & C_NOSPACE)
                if token_nospace:
                    flags |= TOKEN_NOSPACE
                if cls & C_UPPER:
                    flags |= TOKEN_CAPITALIZED
            if cls & C_UPPER:
                saw_upper = True
            elif cls & C_LOWER:
                saw_lower = True
            if cls & C_DIGIT:
                flags |= TOKEN_HAS_DIGIT
            else:
                all_digit = False
        elif cls & C_MARK:
            if not in_token:
                continue
        elif cls & C_IGNORABLE:
            continue
        else:
            if in_token:
                yield finish()
                in_token = False
            continue
        folded.append(fold_char(ch))
        end = i + 1
    if in_token:
        yield finish()


def token_hash(folded: str) -> int:
    """Hash of a folded token: FNV-1a over its code points, finalised by fmix64."""
    h = FNV_BASIS
    for ch in folded:
        h = fnv_step(h, ord(ch))
    return fmix64(h)


def tokenize(
    text: str,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.uint64], npt.NDArray[np.uint8]]:
    """Tokenise ``text``: (starts int64, ends int64, hashes uint64, flags uint8), one entry per token.

    ``text`` must already be in NFC (the Python layer takes care of it).
    """
    spans = list(_token_spans(check_text(text)))
    starts = np.array([s[0] for s in spans], dtype=np.int64)
    ends = np.array([s[1] for s in spans], dtype=np.int64)
    hashes = np.array([token_hash(s[2]) for s in spans], dtype=np.uint64)
    flags = np.array([s[3] for s in spans], dtype=np.uint8)
    return starts, ends, hashes, flags


def fold_stream(text: str) -> str:
    """The folded character stream of ``text`` (str): tokens' folded characters, a space at gaps."""
    parts: list[str] = []
    previous_end = None
    for start, end, folded, _ in _token_spans(check_text(text)):
        # A gap is anything but format characters between two tokens.
        if previous_end is not None and any(
            char_class(ch) != C_IGNORABLE for ch in text[previous_end:start]
        ):
            parts.append(" ")
        parts.append(folded)
        previous_end = end
    return "".join(parts)
