"""The tokeniser: both backends bit for bit, and against naive oracles kept here."""
from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import retold
from retold import _backend
from retold._textprep import nfc_with_offsets

from .strategies import starters_decomposing_to_marks, tricky_text

MASK64 = (1 << 64) - 1


def naive_fmix64(k: int) -> int:
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & MASK64
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & MASK64
    return k ^ (k >> 33)


def naive_token_hash(folded: str) -> int:
    h = 0xCBF29CE484222325
    for ch in folded:
        h = ((h ^ ord(ch)) * 0x100000001B3) & MASK64
    return naive_fmix64(h)


def tokens_of(module, text):
    starts, ends, hashes, flags = module.tokenize(text)
    return starts.tolist(), ends.tolist(), hashes.tolist(), flags.tolist()


def both_backends_tokenize(text):
    compiled = _backend.compiled_kernels("text")
    reference = _backend.reference_kernels("text")
    return tokens_of(compiled, text), tokens_of(reference, text)


# Text that mixes every kind of character the tokeniser distinguishes.
any_text = st.text(
    alphabet=st.one_of(
        st.characters(),  # everything, lone surrogates and NUL included
        st.sampled_from(list("abc XYZ 123 .,'\"-\u00ad\u200b\u200d\u0301\u0308ß ﬁ Ｆ 中文字 ไทย ال ۔ є ё ǅ ²")),
    ),
    max_size=80,
)


@given(any_text)
@settings(max_examples=300, deadline=None)
def test_backends_agree_on_any_text(compiled_or_skip, text):
    compiled, reference = both_backends_tokenize(text)
    assert compiled == reference
    assert compiled_or_skip("text").fold_stream(text) == _backend.reference_kernels("text").fold_stream(text)


# Letters, digits, spaces, punctuation and symbols of scripts written with spaces, no marks.
spaced_script_text = st.text(
    alphabet=st.characters(
        categories=["Lu", "Ll", "Lo", "Nd", "Zs", "Po", "Ps", "Pe", "So", "Sm"],
        exclude_characters="_",
    ).filter(lambda c: not retold._backend.reference_kernels("text")._is_nospace(ord(c))),
    max_size=60,
)


@given(spaced_script_text)
@settings(max_examples=300, deadline=None)
def test_tokens_are_runs_of_letters_and_digits(impl, text):
    starts, ends, hashes, _ = tokens_of(impl("text"), text)
    expected = [(m.start(), m.end()) for m in re.finditer(r"[^\W_]+", text)]
    assert list(zip(starts, ends)) == expected
    folded = ["".join(unicodedata.normalize("NFKC", c).casefold() for c in text[s:e]) for s, e in expected]
    assert hashes == [naive_token_hash(f) for f in folded]


def test_ascii_known_answer(impl):
    text = "Hello, World! DON'T 42x 7 ABc"
    starts, ends, hashes, flags = tokens_of(impl("text"), text)
    assert [text[s:e] for s, e in zip(starts, ends)] == ["Hello", "World", "DON", "T", "42x", "7", "ABc"]
    assert hashes[0] == naive_token_hash("hello")
    T = retold.hashing
    assert flags[0] == T.TOKEN_CAPITALIZED
    assert flags[2] == T.TOKEN_CAPITALIZED | T.TOKEN_ALL_UPPER
    assert flags[4] == T.TOKEN_HAS_DIGIT
    assert flags[5] == T.TOKEN_HAS_DIGIT | T.TOKEN_ALL_DIGIT


def test_scripts_without_spaces_give_one_token_per_character(impl):
    text = "中文abc字 ไทย"
    starts, ends, _, flags = tokens_of(impl("text"), text)
    assert [text[s:e] for s, e in zip(starts, ends)] == ["中", "文", "abc", "字", "ไ", "ท", "ย"]
    assert flags[0] & retold.hashing.TOKEN_NOSPACE and not flags[2] & retold.hashing.TOKEN_NOSPACE


@pytest.mark.parametrize(
    "variant, canonical",
    [
        ("STRASSE", "straße"),
        ("ﬁne", "fine"),
        ("Ｆｕｌｌ", "full"),
        ("ПРИВЕТ", "привет"),
        ("soft\u00adware", "software"),
        ("zero\u200bwidth", "zerowidth"),
    ],
)
def test_folding_makes_variants_one_token(variant, canonical):
    assert retold.tokenize(variant).hashes.tolist() == retold.tokenize(canonical).hashes.tolist()


def test_decomposed_text_keeps_original_offsets():
    text = "Cafe\u0301 de\u0301ja\u0300 vu"
    composed = unicodedata.normalize("NFC", text)
    tokens = retold.tokenize(text)
    assert tokens.strings(text) == ["Cafe\u0301", "de\u0301ja\u0300", "vu"]
    assert tokens.hashes.tolist() == retold.tokenize(composed).hashes.tolist()


def test_marks_attach_and_arabic_urdu_cyrillic_tokens():
    text = "مُحَمَّد نے کہا۔ Ёлка ёлка"
    tokens = retold.tokenize(text)
    words = tokens.strings(text)
    assert words == ["مُحَمَّد", "نے", "کہا", "Ёлка", "ёлка"]
    assert tokens.hashes[3] == tokens.hashes[4]


def test_emoji_nul_and_lone_surrogates_separate(impl):
    text = "a\x00b\ud800c🙂d\U0001F44D\U0001F3FDe"
    starts, ends, _, _ = tokens_of(impl("text"), text)
    assert [text[s:e] for s, e in zip(starts, ends)] == ["a", "b", "c", "d", "e"]


def test_empty_and_separator_only_text(impl):
    assert tokens_of(impl("text"), "") == ([], [], [], [])
    assert tokens_of(impl("text"), " ,.;\n\t ") == ([], [], [], [])
    assert impl("text").fold_stream("  ") == ""


def test_fold_stream_marks_gaps_with_one_space(impl):
    assert impl("text").fold_stream("  Hello,   WORLD!  中文 x") == "hello world 中文 x"


def test_offsets_survive_latin1_bmp_and_astral_texts(impl):
    for text in ["déjà vu", "Привет мир", "𝐀𝐁 𠀀𠀁 ok"]:
        starts, ends, _, _ = tokens_of(impl("text"), text)
        assert all(0 <= s < e <= len(text) for s, e in zip(starts, ends))
        assert starts == sorted(starts)


# Issue 19: starters whose decomposition begins with a mark used to crash nfc_with_offsets.
@pytest.mark.parametrize("text", ["\u0f40\u0f7c\u0f73", "\u0f74\u0f81", "\u0300\u0f75"])
def test_tibetan_vowel_signs_that_decompose_to_marks_tokenise(text):
    tokens = retold.tokenize(text)
    nfc = unicodedata.normalize("NFC", text)
    assert tokens.hashes.tolist() == retold.tokenize(nfc).hashes.tolist()
    assert all(0 <= s < e <= len(text) for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist()))


def test_every_starter_decomposing_to_marks_is_handled():
    found = starters_decomposing_to_marks()
    assert {"\u0f73", "\u0f75", "\u0f81"} <= set(found)
    for ch in found:
        for before in ("\u0f40\u0f7c", "\u0f40\u0f74", "a\u0301", "\u0300", ""):
            nfc, origin = nfc_with_offsets(before + ch + "x")
            assert nfc == unicodedata.normalize("NFC", before + ch + "x")


@given(tricky_text())
@settings(max_examples=500, deadline=None)
def test_tokenize_never_raises_and_backends_agree_on_combining_sequences(compiled_or_skip, text):
    tokens = retold.tokenize(text)  # must not raise
    assert all(0 <= s < e <= len(text) for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist()))
    nfc = unicodedata.normalize("NFC", text)
    compiled, reference = both_backends_tokenize(nfc)
    assert compiled == reference
    assert tokens.hashes.tolist() == compiled[2]
