"""Compiled text and hashing kernels against their twins on adversarial text: every output equal."""
from __future__ import annotations

import unicodedata

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ..strategies import adversarial_text
from .budget import FUZZ
from .compare import same_outcome

UNITS = st.sampled_from(["word", "char"])
SCHEMES = st.sampled_from(["oph", "kperm"])
SEEDS = st.integers(0, (1 << 64) - 1)
NGRAMS = st.integers(1, 9)


def _forms(text: str) -> list[str]:
    # The Python layer hands the kernels NFC; raw text must not crash them either (and both
    # backends must agree on it code point by code point).
    nfc = unicodedata.normalize("NFC", text) if not any(0xD800 <= ord(c) <= 0xDFFF for c in text) else text
    return [text] if nfc == text else [text, nfc]


@given(adversarial_text())
@FUZZ
def test_tokens_offsets_and_folded_stream(text):
    for form in _forms(text):
        same_outcome("text", "tokenize", lambda: (form,))
        same_outcome("text", "fold_stream", lambda: (form,))


@given(adversarial_text(), NGRAMS, UNITS)
@FUZZ
def test_shingles(text, ngram, unit):
    for form in _forms(text):
        same_outcome("hashing", "text_shingle_hashes", lambda: (form, ngram, unit))
        same_outcome("hashing", "text_shingles", lambda: (form, ngram, unit))


@given(st.lists(adversarial_text(4), max_size=4), NGRAMS, UNITS)
@FUZZ
def test_shingle_sets(texts, ngram, unit):
    same_outcome("hashing", "shingle_sets", lambda: (texts, ngram, unit))


@given(st.lists(st.integers(0, (1 << 64) - 1), max_size=60), st.integers(1, 70))
@FUZZ
def test_word_shingles_of_token_hashes(hashes, ngram):
    same_outcome("hashing", "word_shingle_hashes", lambda: (np.array(hashes, dtype=np.uint64), ngram))


@given(st.lists(adversarial_text(4), max_size=4), NGRAMS, UNITS, SCHEMES, SEEDS, st.integers(1, 24))
@FUZZ
def test_minhash_both_schemes(texts, ngram, unit, scheme, seed, num_perm):
    same_outcome("hashing", "minhash_texts",
                 lambda: (texts, ngram, unit, scheme, seed, np.zeros((len(texts), num_perm), np.uint64)),
                 outputs=(5,))


@given(st.lists(st.integers(0, (1 << 64) - 1), max_size=50), SCHEMES, SEEDS, st.integers(1, 24),
       st.booleans())
@FUZZ
def test_minhash_accumulate_and_finalize(shingles, scheme, seed, k, start_empty):
    shingles = np.array(shingles, dtype=np.uint64)
    state0 = np.full(k, np.iinfo(np.uint64).max, np.uint64) if start_empty else \
        np.arange(k, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    state = same_outcome("hashing", "minhash_accumulate", lambda: (shingles, scheme, seed, state0.copy()),
                         outputs=(3,))
    assert state[0] == "returned"
    same_outcome("hashing", "minhash_finalize", lambda: (state0, scheme, seed, np.zeros(k, np.uint64)),
                 outputs=(3,))


@given(adversarial_text(), NGRAMS)
@FUZZ
def test_simhash(text, ngram):
    same_outcome("hashing", "simhash_text", lambda: (text, ngram))


@given(st.sets(st.integers(0, 40)), st.sets(st.integers(0, 40)))
@FUZZ
def test_set_similarity(a, b):
    a = np.array(sorted(a), dtype=np.uint64)
    b = np.array(sorted(b), dtype=np.uint64)
    same_outcome("hashing", "jaccard_sorted", lambda: (a, b))
    same_outcome("hashing", "containment_sorted", lambda: (a, b))
