"""The tables of the story features, read by both backends (one definition each).

The compiled kernel (ext/stories.pyx) fills its C lookup arrays from these tables when it is
imported and refuses to load when its compile-time constants differ from them; its character
predicates are compared with them code point by code point in the tests
(``character_rule_disagreements``).  The pure-Python twin (retold._reference.stories) uses them
directly.
"""
from __future__ import annotations

import unicodedata

from retold.punctuation import CLOSING_MARKS, OPENING_MARKS, SENTENCE_STOPS, WIDE_SENTENCE_STOPS

# Characters after which a capitalised word is not taken for a name: the sentence stops, and
# the clause and line breaks a name seldom follows either.
SENTENCE_END = frozenset(SENTENCE_STOPS + WIDE_SENTENCE_STOPS + "\n\r…:;")
QUOTE_OPEN = OPENING_MARKS
QUOTE_CLOSE = CLOSING_MARKS
MAX_QUOTE_TOKENS = 120

# Cyrillic (lower case) -> Latin, the conventions English-language news uses for names.
CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "є": "ye", "і": "i", "ї": "yi", "ґ": "g", "ў": "u", "ј": "j", "љ": "lj",
    "њ": "nj", "ћ": "c", "ђ": "dj", "џ": "dz", "ѓ": "g", "ќ": "k", "ѕ": "dz",
}


STEM_SALT = 0x5354454D
MAX_STEM = 16
# "فال" and "كال" are left out: they begin too many names ("Calvera" is كالفيرا).
ARABIC_CLITICS = ((0x648, 0x627, 0x644), (0x628, 0x627, 0x644), (0x644, 0x644), (0x627, 0x644))


ARABIC_PROCLITICS = (0x648, 0x641, 0x628, 0x643)  # wa-, fa-, bi-, ka- (before the article)


def simple_lower(cp: int) -> int:
    """Lower case for Latin, Greek and Cyrillic letters: the kernel's own small fold (code point)."""
    if 0x41 <= cp <= 0x5A:
        return cp + 0x20
    if 0xC0 <= cp <= 0xDE and cp != 0xD7:
        return cp + 0x20
    if 0x100 <= cp <= 0x137 or 0x14A <= cp <= 0x177:
        return cp + 1 if cp & 1 == 0 else cp
    if 0x139 <= cp <= 0x148 or 0x179 <= cp <= 0x17E:
        return cp + 1 if cp & 1 == 1 else cp
    if cp == 0x178:
        return 0xFF
    if 0x391 <= cp <= 0x3A9 and cp != 0x3A2:
        return cp + 0x20
    if 0x410 <= cp <= 0x42F:
        return cp + 0x20
    if 0x400 <= cp <= 0x40F:
        return cp + 0x50
    if cp == 0x490:
        return 0x491
    # Arabic spelling variants: hamza forms of alef, teh marbuta, alef maksura.
    if cp in (0x622, 0x623, 0x625):
        return 0x627
    if cp == 0x629:
        return 0x647
    if cp == 0x649:
        return 0x64A
    return cp


def transliteration_of(cp: int) -> str | None:
    """The Latin spelling of a lower-case Cyrillic code point, or None when it has none."""
    return CYRILLIC_TO_LATIN.get(chr(cp)) if 0x430 <= cp <= 0x45F or cp == 0x491 else None


SKELETON_SALT = 0x534B454C
SKELETON_LIMIT = 0x700
_LATIN_CLASS = {
    "b": "B", "p": "B", "f": "F", "v": "F", "c": "K", "g": "K", "j": "K", "k": "K", "q": "K",
    "x": "KS", "d": "T", "t": "T", "s": "S", "z": "S", "l": "L", "m": "M", "n": "N", "r": "R",
    "a": "", "e": "", "i": "", "o": "", "u": "", "y": "", "h": "", "w": "",
}
_LATIN_EXTRA = {"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"}
_ARABIC_CLASS = {
    "ب": "B", "پ": "B", "ت": "T", "ث": "S", "ج": "K", "چ": "K", "ح": "", "خ": "K", "د": "T",
    "ذ": "T", "ر": "R", "ز": "S", "س": "S", "ش": "S", "ص": "S", "ض": "T", "ط": "T", "ظ": "T",
    "ع": "", "غ": "K", "ف": "F", "ڤ": "F", "ق": "K", "ك": "K", "ک": "K", "گ": "K", "ل": "L",
    "م": "M", "ن": "N", "ه": "", "ة": "", "و": "", "ي": "", "ى": "", "ی": "", "ا": "", "أ": "",
    "إ": "", "آ": "", "ء": "", "ئ": "", "ؤ": "", "ـ": "",
}


def skeleton_table() -> dict[int, str]:
    """Code point (below U+0700) -> its consonant classes ("" for a vowel); absent: no skeleton.

    Latin letters are taken to their base letter (NFD), Cyrillic ones through the
    transliteration table, Arabic ones by the table above (harakat dropped).  Both backends
    build their lookup from this function.
    """
    table: dict[int, str] = {}
    for cp in range(SKELETON_LIMIT):
        ch = chr(cp)
        if 0x64B <= cp <= 0x652:
            table[cp] = ""
            continue
        if ch in _ARABIC_CLASS:
            table[cp] = _ARABIC_CLASS[ch]
            continue
        if 0x400 <= cp <= 0x45F or cp in (0x490, 0x491):
            latin = transliteration_of(simple_lower(cp))
            if latin is not None:
                table[cp] = "".join(_LATIN_CLASS[c] for c in latin)
            continue
        if not unicodedata.category(ch).startswith("L"):
            continue
        low = ch.lower()
        low = _LATIN_EXTRA.get(low, low)
        base = "".join(c for c in unicodedata.normalize("NFD", low) if not unicodedata.combining(c))
        if base and all(c in _LATIN_CLASS for c in base):
            table[cp] = "".join(_LATIN_CLASS[c] for c in base)
    return table
