"""Scripts: which are written without spaces between words, and which script an article is in.

The tokeniser (``ext/text.pyx`` and its twin ``retold._reference.text``) makes each character
of these ranges a token of its own, and provenance looks for outlet names inside runs of them
(a name there is a stretch of a longer run, not a word).  Both read :data:`NO_SPACE_RANGES`.
Story clustering weighs the cosine of two articles in different scripts differently; both
its batch and its stream (and the Dask driver) take an article's script from
:func:`dominant_scripts`.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:
    from retold.article import Article

__all__ = ["NO_SPACE_RANGES", "is_no_space", "no_space_run_pattern", "SCRIPT_SAMPLE_CHARS", "dominant_scripts"]

NO_SPACE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0E00, 0x0EFF),    # Thai, Lao
    (0x0F00, 0x0FFF),    # Tibetan
    (0x1000, 0x109F),    # Myanmar
    (0x1780, 0x17FF),    # Khmer
    (0x19E0, 0x19FF),    # Khmer symbols
    (0x2E80, 0x2FDF),    # CJK radicals, Kangxi radicals
    (0x3005, 0x3007),    # 々 〆 〇
    (0x3021, 0x3029),    # Hangzhou numerals
    (0x3038, 0x303C),
    (0x3040, 0x30FF),    # Hiragana, Katakana
    (0x31F0, 0x31FF),    # Katakana phonetic extensions
    (0x3400, 0x4DBF),    # CJK extension A
    (0x4E00, 0x9FFF),    # CJK unified ideographs
    (0xA9E0, 0xA9FF),    # Myanmar extended-B
    (0xAA60, 0xAA7F),    # Myanmar extended-A
    (0xF900, 0xFAFF),    # CJK compatibility ideographs
    (0xFF66, 0xFF9F),    # halfwidth Katakana
    (0x1B000, 0x1B16F),  # Kana supplement, extended
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)
"""Inclusive code point ranges of the scripts written without spaces."""


def is_no_space(cp: int) -> bool:
    """Whether code point ``cp`` belongs to a script written without spaces."""
    return any(lo <= cp <= hi for lo, hi in NO_SPACE_RANGES)


def no_space_run_pattern(min_length: int = 2) -> "re.Pattern[str]":
    """A regex of runs of at least ``min_length`` characters of those scripts."""
    ranges = "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in NO_SPACE_RANGES)
    return re.compile(f"[{ranges}]{{{min_length},}}")


_ASCII_LETTER = re.compile(r"[A-Za-z]")

SCRIPT_SAMPLE_CHARS = 600
"""Characters of title and text whose letters decide an article's dominant script."""


def dominant_scripts(articles: Sequence[Article]) -> np.ndarray:
    """The script most letters of each article's opening characters are in (small ints; -1: none)."""
    out = np.full(len(articles), -1, dtype=np.int64)
    for i, art in enumerate(articles):
        head = ((art.title or "") + " " + art.text[:SCRIPT_SAMPLE_CHARS])[:SCRIPT_SAMPLE_CHARS]
        if head.isascii():  # every ASCII letter is Latin: the same answer, without the lookup
            out[i] = 0 if _ASCII_LETTER.search(head) else -1
            continue
        cps = np.frombuffer(head.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        script = _SCRIPT_IDS[np.searchsorted(_SCRIPT_STARTS, cps, side="right") - 1]
        script = script[script >= 0]
        if script.size:
            out[i] = int(np.bincount(script).argmax())
    return out


# Letter ranges of the scripts news is written in: (first code point, script id; -1 = not a letter
# of a listed script).  Latin 0, Greek 1, Cyrillic 2, Armenian 3, Hebrew 4, Arabic 5, Indic 6,
# Thai/Lao 7, Georgian 8, Hangul 9, kana 10, Han 11.
_SCRIPT_RANGES = (
    (0x0000, -1), (0x0041, 0), (0x005B, -1), (0x0061, 0), (0x007B, -1), (0x00C0, 0), (0x0250, -1),
    (0x0370, 1), (0x0400, 2), (0x0530, 3), (0x0590, 4), (0x0600, 5), (0x0700, -1), (0x0750, 5),
    (0x0780, -1), (0x0900, 6), (0x0E00, 7), (0x0F00, -1), (0x10A0, 8), (0x1100, 9), (0x1200, -1),
    (0x1E00, 0), (0x1F00, 1), (0x2000, -1), (0x3040, 10), (0x3100, -1), (0x3400, 11), (0xA000, -1),
    (0xAC00, 9), (0xD7B0, -1), (0xF900, 11), (0xFB00, -1), (0x20000, 11), (0x32000, -1),
)
_SCRIPT_STARTS = np.array([r[0] for r in _SCRIPT_RANGES], dtype=np.uint32)
_SCRIPT_IDS = np.array([r[1] for r in _SCRIPT_RANGES], dtype=np.int64)
