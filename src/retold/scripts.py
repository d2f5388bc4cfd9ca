"""Scripts written without spaces between words: the one table every layer reads.

The tokeniser (``ext/text.pyx`` and its twin ``retold._reference.text``) makes each character
of these ranges a token of its own, and provenance looks for outlet names inside runs of them
(a name there is a stretch of a longer run, not a word).  Both read :data:`NO_SPACE_RANGES`.
"""
from __future__ import annotations

import re

__all__ = ["NO_SPACE_RANGES", "is_no_space", "no_space_run_pattern"]

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
