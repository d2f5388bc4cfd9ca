"""Pure-Python twin of ``ext/stories.pyx``: story features (the stream clusterer: ``story_stream``).

This module is the specification the compiled kernels follow, operation for operation
(all weights are IEEE doubles computed in the same order), so both give bit-identical
features and identical cluster labels.

Features of one article (title and body)
----------------------------------------
Tokens come from the shared tokeniser (``text.tokenize``).  Each token occurrence gets a
*boost*, the product of:

- ``title_boost`` for a title token, else ``lead_boost`` for one of the first
  ``lead_tokens`` tokens of the body;
- ``name_boost`` for a capitalised token that does not start a sentence (names: "Kim",
  "Vostochny"), unless it sits in a run of all-capital words (a shouted headline);
  capitals in the title are ignored (headline case);
- ``number_boost`` for a token with a digit (numbers, dates, times);
- ``quote_boost`` for a token inside quotation marks;
- ``short_weight`` for a word of one or two letters without digits (mostly function words).

A word token's feature is its hash; a plain Arabic word's is the hash of its spelling-normalised
form instead (tatweel and harakat dropped, hamza forms of alef, teh marbuta and alef maksura
folded: see :func:`arabic_form`), so that "فى" meets "في" and "أكد" meets "اكد".  Consecutive characters of scripts written without spaces
(Chinese, Japanese, Thai: ``TOKEN_NOSPACE``) give character-bigram features instead; a lone
such character is a unigram.  A capitalised Cyrillic word also gives the feature of its Latin
transliteration (table below), so that "Путин" meets "Putin".  A word of three or more
letters without digits also gives a *stem* feature (weight ``stem_weight`` times the word's):
its first ``stem_length`` letters, lower-cased by :func:`simple_lower`, after stripping an
Arabic article clitic (ال, وال, بال, لل); no stem when that is the whole word.  This
is light, language-blind stemming for inflected languages (Polish, Turkish, Russian, Arabic).
With stems on, a plain Arabic word that starts with a proclitic before the article (و, ف,
ب, ك + ال, or ل + ل) also gives the feature of the definite word alone (weight
``stem_weight`` times the word's): "والحكومة" that of "الحكومة", "للأردنيين" that of
"الأردنيين" (see :func:`arabic_clitic_hash`).
A capitalised word (any cased script) or an Arabic-script word also gives a *skeleton*
feature (weight ``skeleton_weight`` times the word's): its consonants in eleven sound classes,
vowels and h/w/y dropped, repeats collapsed, kept when at least three remain (see
:func:`skeleton_table`).  Names written in different scripts often share it: "Calvera" and
"كالفيرا" are both K-L-F-R, "Novoarsk" and "Новоарска" both N-F-R-S-K.  A feature's index is the top
``n_bits`` bits of its 64-bit hash; its weight is ``max boost * (1 + ln tf)`` (sublinear tf).
"""
from __future__ import annotations

import math
import unicodedata

from retold import _kernel_args as checks
from retold._reference.text import tokenize as _tokenize

import numpy as np

from retold._reference._hash64 import FNV_BASIS, GOLDEN, MASK64, fmix64, fnv_step

T_CAPITALIZED = 1
T_ALL_UPPER = 2
T_HAS_DIGIT = 4
T_NOSPACE = 8

# Characters that end a sentence: the next capitalised word is not taken for a name.
SENTENCE_END = frozenset(".!?\n\r…:;。！？")
QUOTE_OPEN = frozenset('"“„«‹「『')
QUOTE_CLOSE = frozenset('"”“»›」』')
MAX_QUOTE_TOKENS = 120

# Cyrillic (lower case) -> Latin, the conventions English-language news uses for names.
_CYR = {
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
_ARABIC_CLITICS = ((0x648, 0x627, 0x644), (0x628, 0x627, 0x644), (0x644, 0x644), (0x627, 0x644))


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


ARABIC_PROCLITICS = (0x648, 0x641, 0x628, 0x643)  # wa-, fa-, bi-, ka- (before the article)


def arabic_form(text: str, start: int, end: int):
    """The spelling-normalised letters (code points) of a plain Arabic word, or None.

    A plain Arabic word starts with an Arabic letter and holds only code points of
    U+0621..U+065F and U+0670.  Tatweel (U+0640), harakat (U+064B..U+065F) and the dagger alef
    (U+0670) are dropped; the hamza forms of alef, teh marbuta and alef maksura are folded as
    :func:`simple_lower` folds them.  Outlets differ in exactly these ("فى"/"في",
    "اللبنانى"/"اللبناني", "أكد"/"اكد"), so the word feature is taken from this form.
    """
    if not is_arabic_letter(ord(text[start])):
        return None
    out = []
    for i in range(start, end):
        cp = ord(text[i])
        if not (0x621 <= cp <= 0x65F or cp == 0x670):
            return None
        if cp == 0x640 or cp >= 0x64B:
            continue
        out.append(simple_lower(cp))
    return out or None


def form_hash(form, prefix: int = 0, skip: int = 0) -> int:
    """The tokeniser's hash (FNV-1a, fmix64) of ``[prefix] + form[skip:]`` (no prefix when 0)."""
    h = FNV_BASIS
    if prefix:
        h = fnv_step(h, prefix)
    for cp in form[skip:]:
        h = fnv_step(h, cp)
    return fmix64(h)


def arabic_clitic_hash(form) -> int:
    """Hash of the word without its proclitic before the article, 0 when it has none.

    "والحكومة" (wa-l-hukuma) also gives the feature of "الحكومة", "للأردنيين" (li-l-urduniyyin)
    that of "الأردنيين": the definite word as other outlets write it alone.
    """
    n = len(form)
    if n >= 5 and form[0] in ARABIC_PROCLITICS and form[1] == 0x627 and form[2] == 0x644:
        return form_hash(form, 0, 1)
    if n >= 4 and form[0] == 0x644 and form[1] == 0x644:
        return form_hash(form, 0x627, 1)
    return 0


def word_hashes(text: str, starts, ends, hashes):
    """The word feature hash of each token (uint64): its hash, or that of its Arabic form."""
    text, starts, ends, hashes = checks.word_hashes_args(text, starts, ends, hashes)
    out = np.array(hashes, dtype=np.uint64)
    if len(starts) != len(out) or len(ends) != len(out):
        raise ValueError("starts, ends and hashes differ in length")
    for i in range(len(out)):
        s, e = int(starts[i]), int(ends[i])
        if 0 <= s < e <= len(text):
            form = arabic_form(text, s, e)
            if form is not None:
                out[i] = form_hash(form)
    return out


def _translit_of(cp: int):
    return _CYR.get(chr(cp)) if 0x430 <= cp <= 0x45F or cp == 0x491 else None


def translit_hash(text: str, start: int, end: int) -> int:
    """Hash of the Latin transliteration of ``text[start:end]``, or 0 when it is not all Cyrillic.

    The hash is the tokeniser's (FNV-1a over the folded code points, then fmix64), so the
    transliteration of "Путин" has the feature of the English token "Putin".
    """
    if end - start < 2:
        return 0
    for i in range(start, end):
        cp = ord(text[i])
        if not 0x400 <= cp <= 0x45F or _translit_of(simple_lower(cp)) is None:
            return 0
    # "-ий"/"-ый" ending a name is "-y" in English (Zelensky, Dostoevsky).
    tail_y = (
        end - start >= 3
        and simple_lower(ord(text[end - 1])) == 0x439
        and simple_lower(ord(text[end - 2])) in (0x438, 0x44B)
    )
    h = FNV_BASIS
    for i in range(start, end - 2 if tail_y else end):
        for ch in _translit_of(simple_lower(ord(text[i]))):
            h = fnv_step(h, ord(ch))
    if tail_y:
        h = fnv_step(h, ord("y"))
    return fmix64(h)


def stem_hash(text: str, start: int, end: int, stem_length: int) -> int:
    """Hash of the word's stem (see the module documentation), 0 when the stem is the word."""
    n = end - start
    w = [simple_lower(ord(text[start + i])) for i in range(min(n, stem_length + 3))]
    skip = 0
    for clitic in _ARABIC_CLITICS:
        k = len(clitic)
        if n - k >= 2 and tuple(w[:k]) == clitic:
            skip = k
            break
    keep = min(n - skip, stem_length)
    if skip == 0 and keep == n:
        return 0
    h = FNV_BASIS ^ STEM_SALT
    for i in range(skip, skip + keep):
        h = fnv_step(h, w[i])
    return fmix64(h)


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
            latin = _translit_of(simple_lower(cp))
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


_SKELETON = skeleton_table()


def is_arabic_letter(cp: int) -> bool:
    return 0x620 <= cp <= 0x64A or 0x671 <= cp <= 0x6D3


def skeleton_hash(text: str, start: int, end: int) -> int:
    """Hash of the word's consonant skeleton (see the module documentation), 0 when it has none."""
    skip = 0
    n = end - start
    if is_arabic_letter(ord(text[start])):
        w = [ord(text[start + i]) for i in range(min(n, 3))]
        for clitic in _ARABIC_CLITICS:
            k = len(clitic)
            if n - k >= 2 and tuple(w[:k]) == clitic:
                skip = k
                break
    h = FNV_BASIS ^ SKELETON_SALT
    last = 0
    length = 0
    for i in range(start + skip, end):
        cp = ord(text[i])
        if cp >= SKELETON_LIMIT or cp not in _SKELETON:
            return 0
        for c in _SKELETON[cp]:
            if ord(c) != last:
                h = fnv_step(h, ord(c))
                last = ord(c)
                length += 1
    return fmix64(h) if length >= 3 else 0


def pair_hash(a: int, b: int) -> int:
    """Feature hash of an ordered pair of token hashes (character bigrams)."""
    return fmix64(((a * GOLDEN) & MASK64) ^ b)


def _segment_features(text, tokens, is_title, p, occ):
    """Append (feature, boost) of each token occurrence of one segment (title or body) to ``occ``."""
    starts, ends, hashes, flags = (a.tolist() for a in tokens)
    shift = 64 - p["n_bits"]
    n = len(hashes)
    in_quote = False
    quote_len = 0
    prev_end = 0
    for i in range(n):
        s, e, f = starts[i], ends[i], flags[i]
        sentence_start = i == 0
        for j in range(prev_end, s):
            ch = text[j]
            if ch in SENTENCE_END:
                sentence_start = True
                if ch == "\n" or ch == "\r":
                    in_quote = False
            if ch in QUOTE_OPEN and not in_quote:
                in_quote = True
                quote_len = 0
            elif ch in QUOTE_CLOSE and in_quote:
                in_quote = False
        prev_end = e
        if in_quote:
            quote_len += 1
            if quote_len > MAX_QUOTE_TOKENS:
                in_quote = False
        boost = 1.0
        if is_title:
            boost = boost * p["title_boost"]
        elif i < p["lead_tokens"]:
            boost = boost * p["lead_boost"]
        if in_quote:
            boost = boost * p["quote_boost"]
        if f & T_NOSPACE:
            left = i > 0 and (flags[i - 1] & T_NOSPACE) and ends[i - 1] == s
            right = i + 1 < n and (flags[i + 1] & T_NOSPACE) and starts[i + 1] == e
            if right:
                occ.append((pair_hash(hashes[i], hashes[i + 1]) >> shift, boost))
            elif not left:
                occ.append((hashes[i] >> shift, boost))
            continue
        if f & T_HAS_DIGIT:
            boost = boost * p["number_boost"]
        elif e - s <= 2:
            # Words of one or two letters are mostly function words, in every language.
            boost = boost * p["short_weight"]
        name = False
        if (f & T_CAPITALIZED) and not is_title and not sentence_start:
            name = True
            if f & T_ALL_UPPER:
                # A word in a run of capitals (a shouted headline) is not a name.
                if (i > 0 and (flags[i - 1] & T_ALL_UPPER) and not (flags[i - 1] & T_HAS_DIGIT)) or (
                    i + 1 < n and (flags[i + 1] & T_ALL_UPPER) and not (flags[i + 1] & T_HAS_DIGIT)
                ):
                    name = False
        if name:
            boost = boost * p["name_boost"]
        form = arabic_form(text, s, e)
        occ.append(((form_hash(form) if form is not None else hashes[i]) >> shift, boost))
        if p["stem_length"] > 0 and e - s >= 3 and not (f & T_HAS_DIGIT):
            h = stem_hash(text, s, e, p["stem_length"])
            if h:
                occ.append((h >> shift, boost * p["stem_weight"]))
            if form is not None:
                h = arabic_clitic_hash(form)
                if h:
                    occ.append((h >> shift, boost * p["stem_weight"]))
        if e - s >= 3 and not (f & T_HAS_DIGIT):
            # Cased scripts: names only; Arabic script has no case, so every word.
            weight = p["skeleton_weight"] if f & T_CAPITALIZED else (
                p["uncased_skeleton_weight"] if is_arabic_letter(ord(text[s])) else 0.0)
            if weight > 0.0:
                h = skeleton_hash(text, s, e)
                if h:
                    occ.append((h >> shift, boost * weight))
        if p["translit"] and (f & T_CAPITALIZED) and not text.isascii():
            h = translit_hash(text, s, e)
            if h:
                occ.append((h >> shift, boost))


def _reduce(occ, indices, weights):
    occ.sort(key=lambda o: o[0])
    i = 0
    n = len(occ)
    while i < n:
        j = i
        best = occ[i][1]
        while j + 1 < n and occ[j + 1][0] == occ[i][0]:
            j += 1
            if occ[j][1] > best:
                best = occ[j][1]
        indices.append(occ[i][0])
        weights.append(best * (1.0 + math.log(float(j - i + 1))))
        i = j + 1


def text_features(texts, titles, n_bits, lead_tokens, title_boost, lead_boost, name_boost,
                  number_boost, quote_boost, stem_length, stem_weight, translit, skeleton_weight,
                  uncased_skeleton_weight, short_weight):
    """Hashed feature weights of articles, in CSR form (see ``ext/stories.pyx``)."""
    (texts, titles, n_bits, lead_tokens, title_boost, lead_boost, name_boost, number_boost,
     quote_boost, stem_length, stem_weight, translit, skeleton_weight, uncased_skeleton_weight,
     short_weight) = checks.text_features_args(
        texts, titles, n_bits, lead_tokens, title_boost, lead_boost, name_boost, number_boost,
        quote_boost, stem_length, stem_weight, translit, skeleton_weight, uncased_skeleton_weight,
        short_weight)
    p = dict(n_bits=n_bits, lead_tokens=lead_tokens, title_boost=title_boost, lead_boost=lead_boost,
             name_boost=name_boost, number_boost=number_boost, quote_boost=quote_boost,
             stem_length=min(stem_length, MAX_STEM), stem_weight=stem_weight, translit=translit,
             skeleton_weight=skeleton_weight, uncased_skeleton_weight=uncased_skeleton_weight,
             short_weight=short_weight)
    offsets = [0]
    indices: list = []
    weights: list = []
    for text, title in zip(texts, titles):
        occ: list = []
        if title:
            _segment_features(title, _tokenize(title), True, p, occ)
        _segment_features(text, _tokenize(text), False, p, occ)
        _reduce(occ, indices, weights)
        offsets.append(len(indices))
    return (np.array(offsets, dtype=np.int64), np.array(indices, dtype=np.uint32),
            np.array(weights, dtype=np.float64))
