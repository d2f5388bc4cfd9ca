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
from collections.abc import Sequence
from typing import TypedDict

from retold import _kernel_args as checks
from retold._reference.text import TOKEN_ALL_UPPER, TOKEN_CAPITALIZED, TOKEN_HAS_DIGIT, TOKEN_NOSPACE
from retold._reference.text import tokenize as _tokenize

import numpy as np
import numpy.typing as npt

from retold._reference._hash64 import FNV_BASIS, GOLDEN, MASK64, fmix64, fnv_step
from retold.story_feature_tables import (
    ARABIC_CLITICS, ARABIC_PROCLITICS, MAX_QUOTE_TOKENS, MAX_STEM, QUOTE_CLOSE, QUOTE_OPEN, SENTENCE_END,
    SKELETON_LIMIT, SKELETON_SALT, STEM_SALT, simple_lower, skeleton_table, transliteration_of,
)

# The token flags are the tokeniser's.
T_CAPITALIZED, T_ALL_UPPER, T_HAS_DIGIT, T_NOSPACE = TOKEN_CAPITALIZED, TOKEN_ALL_UPPER, TOKEN_HAS_DIGIT, TOKEN_NOSPACE

Tokens = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.uint64], npt.NDArray[np.uint8]]
"""What ``text.tokenize`` gives: (starts, ends, hashes, flags), one entry per token."""


class _Params(TypedDict):
    # The checked parameters of ``text_features``, read per token by ``_segment_features``: a
    # TypedDict is a plain dict at run time, so typing it costs the hot loop nothing.
    n_bits: int
    lead_tokens: int
    title_boost: float
    lead_boost: float
    name_boost: float
    number_boost: float
    quote_boost: float
    stem_length: int
    stem_weight: float
    translit: bool
    skeleton_weight: float
    uncased_skeleton_weight: float
    short_weight: float


def arabic_form(text: str, start: int, end: int) -> list[int] | None:
    """The spelling-normalised letters (code points) of a plain Arabic word, or None.

    A plain Arabic word starts with an Arabic letter and holds only code points of
    U+0621..U+065F and U+0670.  Tatweel (U+0640), harakat (U+064B..U+065F) and the dagger alef
    (U+0670) are dropped; the hamza forms of alef, teh marbuta and alef maksura are folded as
    :func:`simple_lower` folds them.  Outlets differ in exactly these ("فى"/"في",
    "اللبنانى"/"اللبناني", "أكد"/"اكد"), so the word feature is taken from this form.
    """
    if not is_arabic_letter(ord(text[start])):
        return None
    out: list[int] = []
    for i in range(start, end):
        cp = ord(text[i])
        if not (0x621 <= cp <= 0x65F or cp == 0x670):
            return None
        if cp == 0x640 or cp >= 0x64B:
            continue
        out.append(simple_lower(cp))
    return out or None


def form_hash(form: Sequence[int], prefix: int = 0, skip: int = 0) -> int:
    """The tokeniser's hash (FNV-1a, fmix64) of ``[prefix] + form[skip:]`` (no prefix when 0)."""
    h = FNV_BASIS
    if prefix:
        h = fnv_step(h, prefix)
    for cp in form[skip:]:
        h = fnv_step(h, cp)
    return fmix64(h)


def arabic_clitic_hash(form: Sequence[int]) -> int:
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


def word_hashes(text: str, starts: npt.ArrayLike, ends: npt.ArrayLike,
                hashes: npt.ArrayLike) -> npt.NDArray[np.uint64]:
    """The word feature hash of each token (uint64): its hash, or that of its Arabic form."""
    text, start_arr, end_arr, hash_arr = checks.word_hashes_args(text, starts, ends, hashes)
    out = np.array(hash_arr, dtype=np.uint64)
    if len(start_arr) != len(out) or len(end_arr) != len(out):
        raise ValueError("starts, ends and hashes differ in length")
    for i in range(len(out)):
        s, e = int(start_arr[i]), int(end_arr[i])
        if 0 <= s < e <= len(text):
            form = arabic_form(text, s, e)
            if form is not None:
                out[i] = form_hash(form)
    return out




def translit_hash(text: str, start: int, end: int) -> int:
    """Hash of the Latin transliteration of ``text[start:end]``, or 0 when it is not all Cyrillic.

    The hash is the tokeniser's (FNV-1a over the folded code points, then fmix64), so the
    transliteration of "Путин" has the feature of the English token "Putin".
    """
    if end - start < 2:
        return 0
    latin: list[str] = []
    for i in range(start, end):
        cp = ord(text[i])
        if not 0x400 <= cp <= 0x45F:
            return 0
        letters = transliteration_of(simple_lower(cp))
        if letters is None:
            return 0
        latin.append(letters)
    # "-ий"/"-ый" ending a name is "-y" in English (Zelensky, Dostoevsky).
    tail_y = (
        end - start >= 3
        and simple_lower(ord(text[end - 1])) == 0x439
        and simple_lower(ord(text[end - 2])) in (0x438, 0x44B)
    )
    h = FNV_BASIS
    for letters in latin[:-2] if tail_y else latin:
        for ch in letters:
            h = fnv_step(h, ord(ch))
    if tail_y:
        h = fnv_step(h, ord("y"))
    return fmix64(h)


def stem_hash(text: str, start: int, end: int, stem_length: int) -> int:
    """Hash of the word's stem (see the module documentation), 0 when the stem is the word."""
    n = end - start
    w = [simple_lower(ord(text[start + i])) for i in range(min(n, stem_length + 3))]
    skip = 0
    for clitic in ARABIC_CLITICS:
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




_SKELETON = skeleton_table()


def is_arabic_letter(cp: int) -> bool:
    return 0x620 <= cp <= 0x64A or 0x671 <= cp <= 0x6D3


def skeleton_hash(text: str, start: int, end: int) -> int:
    """Hash of the word's consonant skeleton (see the module documentation), 0 when it has none."""
    skip = 0
    n = end - start
    if is_arabic_letter(ord(text[start])):
        w = [ord(text[start + i]) for i in range(min(n, 3))]
        for clitic in ARABIC_CLITICS:
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


def _segment_features(text: str, tokens: Tokens, is_title: bool, p: _Params,
                      occ: list[tuple[int, float]]) -> None:
    """Append (feature, boost) of each token occurrence of one segment (title or body) to ``occ``."""
    # Python lists: the loop reads single elements, which numpy scalars make slow.
    starts: list[int] = tokens[0].tolist()
    ends: list[int] = tokens[1].tolist()
    hashes: list[int] = tokens[2].tolist()
    flags: list[int] = tokens[3].tolist()
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


def _reduce(occ: list[tuple[int, float]], indices: list[int], weights: list[float]) -> None:
    """Append each feature of ``occ`` once, with its largest boost times ``1 + ln tf``."""
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


def text_features(texts: list[str], titles: list[str], n_bits: int, lead_tokens: int, title_boost: float,
                  lead_boost: float, name_boost: float, number_boost: float, quote_boost: float,
                  stem_length: int, stem_weight: float, translit: bool, skeleton_weight: float,
                  uncased_skeleton_weight: float, short_weight: float,
                  ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32], npt.NDArray[np.float64]]:
    """Hashed feature weights of articles, in CSR form (see ``ext/stories.pyx``)."""
    (texts, titles, n_bits, lead_tokens, title_boost, lead_boost, name_boost, number_boost,
     quote_boost, stem_length, stem_weight, translit, skeleton_weight, uncased_skeleton_weight,
     short_weight) = checks.text_features_args(
        texts, titles, n_bits, lead_tokens, title_boost, lead_boost, name_boost, number_boost,
        quote_boost, stem_length, stem_weight, translit, skeleton_weight, uncased_skeleton_weight,
        short_weight)
    p = _Params(n_bits=n_bits, lead_tokens=lead_tokens, title_boost=title_boost, lead_boost=lead_boost,
             name_boost=name_boost, number_boost=number_boost, quote_boost=quote_boost,
             stem_length=min(stem_length, MAX_STEM), stem_weight=stem_weight, translit=translit,
             skeleton_weight=skeleton_weight, uncased_skeleton_weight=uncased_skeleton_weight,
             short_weight=short_weight)
    offsets = [0]
    indices: list[int] = []
    weights: list[float] = []
    for text, title in zip(texts, titles):
        occ: list[tuple[int, float]] = []
        if title:
            _segment_features(title, _tokenize(title), True, p, occ)
        _segment_features(text, _tokenize(text), False, p, occ)
        _reduce(occ, indices, weights)
        offsets.append(len(indices))
    return (np.array(offsets, dtype=np.int64), np.array(indices, dtype=np.uint32),
            np.array(weights, dtype=np.float64))
