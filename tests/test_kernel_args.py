"""The kernel inputs that once crashed the interpreter now raise, alike on both backends.

Each case of issue 12 and of the fuzz harness's first runs, kept as a plain test so that it
runs however small the fuzz budget is.
"""
from __future__ import annotations

import numpy as np
import pytest

from retold import _backend

EMPTY = np.iinfo(np.uint64).max


def _raises(impl, topic, name, *args, match, error=ValueError):
    with pytest.raises(error, match=match):
        getattr(impl(topic), name)(*args)


@pytest.mark.parametrize("ngram", [0, -5, 1 << 40, True])
def test_word_shingles_refuse_a_bad_ngram(impl, ngram):
    hashes = np.arange(10, dtype=np.uint64)
    error = TypeError if ngram is True else ValueError
    _raises(impl, "hashing", "word_shingle_hashes", hashes, ngram, match="ngram", error=error)
    _raises(impl, "hashing", "text_shingles", "a b c", ngram, "word", match="ngram", error=error)
    _raises(impl, "hashing", "simhash_text", "a b c", ngram, match="ngram", error=error)


def test_minhash_finalize_refuses_an_out_of_another_size(impl):
    state = np.full(64, EMPTY, dtype=np.uint64)
    state[3] = 7
    for out in (np.zeros(1, np.uint64), np.zeros(65, np.uint64)):
        _raises(impl, "hashing", "minhash_finalize", state, "oph", 1, out, match="out has")
    _raises(impl, "hashing", "minhash_finalize", state, "oph", 1, np.zeros(64, np.int64),
            match="out must be a numpy array of uint64", error=TypeError)
    _raises(impl, "hashing", "minhash_finalize", state, "oph", 1, np.zeros(128, np.uint64)[::2],
            match="C-contiguous")


def test_minhash_state_must_be_writeable_uint64(impl):
    state = np.full(8, EMPTY, dtype=np.uint64)
    state.flags.writeable = False
    _raises(impl, "hashing", "minhash_accumulate", np.arange(3, dtype=np.uint64), "kperm", 1, state,
            match="writeable")
    _raises(impl, "hashing", "minhash_accumulate", np.array([1.5]), "kperm", 1, np.zeros(4, np.uint64),
            match="shingles", error=TypeError)


def test_minhash_texts_checks_items_and_rows(impl):
    _raises(impl, "hashing", "minhash_texts", ["a", 3], 1, "word", "oph", 1, np.zeros((2, 4), np.uint64),
            match=r"texts\[1\] must be a str", error=TypeError)
    _raises(impl, "hashing", "minhash_texts", ["a"], 1, "word", "oph", 1, np.zeros((2, 4), np.uint64),
            match="out has 2 rows for 1 texts")


def test_set_similarity_refuses_unsorted_sets(impl):
    # The compiled merge and the twin's set intersection disagreed on unsorted input.
    _raises(impl, "hashing", "jaccard_sorted", np.array([3, 1], np.uint64), np.array([1], np.uint64),
            match="sorted and unique")


def test_story_features_refuse_titles_of_another_length_and_bad_bits(impl):
    args = (40, 1.5, 1.5, 2.0, 1.5, 1.2, 4, 1.0, True, 0.5, 1.0, 0.3)
    _raises(impl, "stories", "text_features", ["a", "b"], [""], 20, *args, match="titles has 1 items")
    for n_bits in (0, 33, -1):
        _raises(impl, "stories", "text_features", ["a"], [""], n_bits, *args, match="n_bits")
    bad = list(args)
    bad[1] = float("nan")
    _raises(impl, "stories", "text_features", ["a"], [""], 20, *bad, match="title_boost")


def test_bucket_pairs_refuse_a_short_out(impl):
    keys = np.zeros(5, dtype=np.uint64)   # one bucket of 5: 10 pairs
    order = np.arange(5, dtype=np.int64)
    _raises(impl, "lsh", "fill_bucket_pairs", keys, order, 10, np.zeros(9, np.uint64), match="room for 9")
    assert impl("lsh").fill_bucket_pairs(keys, order, 10, np.zeros(10, np.uint64)) == 10


def test_verify_pairs_refuses_rows_outside_the_sets(impl):
    offsets = np.array([0, 2, 9], dtype=np.int64)   # set 1 claims values the array lacks
    values = np.arange(3, dtype=np.uint64)
    left = np.array([0], dtype=np.int64)
    right = np.array([1], dtype=np.int64)
    _raises(impl, "lsh", "verify_pairs", offsets, values, left, right, False, np.zeros(1), match="offsets of set 1")
    _raises(impl, "lsh", "verify_pairs", offsets, values, left, np.array([2]), False, np.zeros(1), match="right")


def test_band_keys_refuse_bands_wider_than_the_signature(impl):
    sigs = np.zeros((3, 8), dtype=np.uint64)
    _raises(impl, "lsh", "band_keys", sigs, 3, 3, np.zeros((3, 3), np.uint64), match="exceeds the signature width")
    _raises(impl, "lsh", "band_keys", sigs, 2, 4, np.zeros((2, 2), np.uint64), match=r"out must have shape \(2, 3\)")


def test_alignment_refuses_short_buffers(impl):
    a = np.arange(6, dtype=np.int64)
    spans = np.zeros((2, 8), np.int64)
    _raises(impl, "align", "align_full", a, a, 2, -1, -1, 3, spans, np.zeros(11, np.int8), match="ops has room for 11")
    _raises(impl, "align", "align_global", a, a, 1, 0, 0, np.zeros(3, np.int8), match="ops has room for 3")
    _raises(impl, "align", "align_seeded", a, a, 2, 4, 10, 4, 2, -1, -1, 3, np.zeros((2, 7), np.int64),
            np.zeros(12, np.int8), match="8 columns")
    _raises(impl, "align", "find_seeds", a, a, 0, 4, match="ngram")
    _raises(impl, "align", "chain_seeds", np.array([3, 1]), np.array([0, 0]), 1, 5, 2, -1, -1, match="sorted by")


def test_aligned_strings_refuse_tokens_the_script_does_not_walk(impl):
    text = "one two three"
    starts, ends = np.array([0, 4, 8]), np.array([3, 7, 13])
    ops = np.array([0, 1, 2], np.int8)  # walks 3 tokens of a, 2 of b
    _raises(impl, "render", "aligned_strings", text, starts, ends, text, starts, ends, ops, "#",
            match="ops walk 3 tokens of a and 2 of b; 3 and 3 are given")
    _raises(impl, "render", "aligned_strings", text, starts, ends + 1, text, starts[:2], ends[:2], ops, "#",
            match=r"ends_a\[2\] = 14 is outside \[0, 13\]")
    _raises(impl, "render", "aligned_strings", text, starts, ends[::-1], text, starts[:2], ends[:2], ops, "#",
            match="token 2 of a ends")
    _raises(impl, "render", "aligned_strings", text, starts, ends, text, starts[:2], ends[:2],
            np.array([0, 1, 4], np.int8), "#", match="ops")
    _raises(impl, "render", "aligned_strings", text, starts, ends, text, starts[:2], ends[:2], ops, "##",
            match="mark must be a single character")
    _raises(impl, "render", "aligned_strings", b"one", starts, ends, text, starts, ends, ops, "#",
            match="text_a must be str", error=TypeError)


def test_text_kernels_refuse_what_is_not_str(impl):
    for value in (None, b"abc", 3):
        _raises(impl, "text", "tokenize", value, match="text must be a str", error=TypeError)
        _raises(impl, "text", "fold_stream", value, match="text must be a str", error=TypeError)


def test_both_backends_word_the_errors_alike(compiled_or_skip):
    """One sample compared directly (the fuzz harness compares them all)."""
    messages = []
    for kernels in (compiled_or_skip, _backend.reference_kernels):
        with pytest.raises(ValueError) as caught:
            kernels("hashing").word_shingle_hashes(np.arange(4, dtype=np.uint64), 0)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] == "ngram must be in [1, 1024], got 0"
