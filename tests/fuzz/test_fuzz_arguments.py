"""Every kernel entry point, called with adversarial arguments, behaves alike on both backends.

Alike means the same result, or the same exception type and message (a ValueError or
TypeError naming the argument) -- never a crash, which would take the test process with it.
Each argument is a good value two times in three and an adversarial one otherwise, so that
one bad argument at a time reaches the check that must catch it.
"""
from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ..strategies import adversarial_arrays, adversarial_ints, adversarial_scalars, adversarial_text
from .budget import FUZZ
from .compare import same_outcome


def maybe(good, bad):
    return st.one_of(good, good, bad)


texts = maybe(adversarial_text(4), adversarial_scalars())
text_lists = maybe(st.lists(adversarial_text(3), max_size=3),
                   st.one_of(st.lists(st.one_of(adversarial_text(2), adversarial_scalars()), max_size=3),
                             adversarial_scalars(), st.tuples(st.just("a"))))
ngrams = maybe(st.integers(1, 6), adversarial_ints())
units = maybe(st.sampled_from(["word", "char"]), st.one_of(st.sampled_from(["Word", "", "chars"]), adversarial_scalars()))
schemes = maybe(st.sampled_from(["oph", "kperm"]), st.one_of(st.sampled_from(["OPH", "minhash"]), adversarial_scalars()))
seeds = maybe(st.integers(0, (1 << 64) - 1), adversarial_scalars())
hash_arrays = maybe(st.lists(st.integers(0, (1 << 64) - 1), max_size=30).map(lambda v: np.array(v, np.uint64)),
                    adversarial_arrays(np.uint64))
id_arrays = maybe(st.lists(st.integers(-1, 4), max_size=30).map(lambda v: np.array(v, np.int64)),
                  adversarial_arrays(np.int64))


@st.composite
def out_buffers(draw, shape, dtype):
    """A maker of a buffer of the right shape and dtype, or of one that must be refused (or is
    harmlessly bigger); called once per backend, so that each writes into its own."""
    kind = draw(st.sampled_from(["good"] * 4 + ["short", "long", "dtype", "strided", "readonly", "list", "none",
                                                "transposed"]))
    shape = tuple(shape)
    if kind == "short":
        shape = shape[:-1] + (max(shape[-1] - 1, 0),)
    elif kind == "long":
        shape = shape[:-1] + (shape[-1] + 2,)

    def make():
        if kind == "none":
            return None
        if kind == "list":
            return np.zeros(shape, dtype).tolist()
        if kind == "dtype":
            return np.zeros(shape, np.int32)
        if kind == "strided":
            return np.zeros(shape[:-1] + (shape[-1] * 2,), dtype)[..., ::2]
        if kind == "transposed" and len(shape) == 2:
            return np.zeros(shape[::-1], dtype).T
        buf = np.zeros(shape, dtype)
        if kind == "readonly":
            buf.flags.writeable = False
        return buf
    return make


@given(texts)
@FUZZ
def test_text_kernels(text):
    same_outcome("text", "tokenize", lambda: (text,))
    same_outcome("text", "fold_stream", lambda: (text,))


@given(hash_arrays, ngrams)
@FUZZ
def test_word_shingle_hashes(hashes, ngram):
    same_outcome("hashing", "word_shingle_hashes", lambda: (hashes, ngram))


@given(texts, ngrams, units, text_lists)
@FUZZ
def test_text_shingles(text, ngram, unit, many):
    same_outcome("hashing", "text_shingle_hashes", lambda: (text, ngram, unit))
    same_outcome("hashing", "text_shingles", lambda: (text, ngram, unit))
    same_outcome("hashing", "shingle_sets", lambda: (many, ngram, unit))
    same_outcome("hashing", "simhash_text", lambda: (text, ngram))


@given(maybe(st.integers(0, 40), adversarial_ints()), seeds, maybe(st.integers(0, (1 << 64) - 1), adversarial_scalars()))
@FUZZ
def test_kperm_parameters_and_hamming(num_perm, seed, other):
    same_outcome("hashing", "kperm_parameters", lambda: (num_perm, seed))
    same_outcome("hashing", "hamming", lambda: (seed, other))


@given(hash_arrays, schemes, seeds, st.integers(0, 20), st.data())
@FUZZ
def test_minhash_state_kernels(shingles, scheme, seed, k, data):
    state = data.draw(out_buffers((k,), np.uint64))
    same_outcome("hashing", "minhash_accumulate", lambda: (shingles, scheme, seed, state()), outputs=(3,))
    same_outcome("hashing", "minhash_finalize", lambda: (shingles, scheme, seed, state()), outputs=(3,))


@given(text_lists, ngrams, units, schemes, seeds, st.integers(0, 12), st.data())
@FUZZ
def test_minhash_texts(many, ngram, unit, scheme, seed, k, data):
    rows = len(many) if isinstance(many, list) else 1
    out = data.draw(out_buffers((rows, k), np.uint64))
    same_outcome("hashing", "minhash_texts", lambda: (many, ngram, unit, scheme, seed, out()), outputs=(5,))


@given(hash_arrays, hash_arrays)
@FUZZ
def test_set_similarity(a, b):
    same_outcome("hashing", "jaccard_sorted", lambda: (a, b))
    same_outcome("hashing", "containment_sorted", lambda: (a, b))


@given(id_arrays, id_arrays, maybe(st.integers(1, 4), adversarial_ints()), maybe(st.integers(-2, 0), adversarial_ints()),
       maybe(st.integers(-2, 0), adversarial_ints()), maybe(st.integers(1, 5), adversarial_ints()),
       st.integers(0, 4), st.data())
@FUZZ
def test_alignment_kernels(a, b, match, mismatch, gap, min_matches, capacity, data):
    n = len(a) if hasattr(a, "__len__") else 0
    m = len(b) if hasattr(b, "__len__") else 0
    spans = data.draw(maybe(out_buffers((capacity, 8), np.int64), out_buffers((capacity, 7), np.int64)))
    ops = data.draw(out_buffers((n + m,), np.int8))
    same_outcome("align", "align_full", lambda: (a, b, match, mismatch, gap, min_matches, spans(), ops()))
    ngram = data.draw(maybe(st.integers(1, 4), adversarial_ints()))
    max_occurrences = data.draw(maybe(st.integers(1, 4), adversarial_ints()))
    max_gap = data.draw(maybe(st.integers(0, 10), adversarial_ints()))
    band = data.draw(maybe(st.integers(0, 6), adversarial_ints()))
    same_outcome("align", "align_seeded", lambda: (a, b, ngram, max_occurrences, max_gap, band, match, mismatch, gap,
                                                   min_matches, spans(), ops()))
    same_outcome("align", "align_global", lambda: (a, b, match, mismatch, gap, ops()))
    same_outcome("align", "find_seeds", lambda: (a, b, ngram, max_occurrences))
    same_outcome("align", "chain_seeds", lambda: (a, b, ngram, max_gap, match, mismatch, gap))


@given(st.lists(st.tuples(adversarial_text(3), adversarial_text(1)), max_size=3), st.data())
@FUZZ
def test_story_kernels(docs, data):
    texts = data.draw(maybe(st.just([d[0] for d in docs]), text_lists))
    titles = data.draw(maybe(st.just([d[1] for d in docs]), text_lists))
    n_bits = data.draw(maybe(st.integers(8, 26), adversarial_ints()))
    reals = [data.draw(maybe(st.floats(0, 3), adversarial_scalars())) for _ in range(8)]
    lead, stem = data.draw(maybe(st.integers(0, 50), adversarial_ints())), data.draw(maybe(st.integers(0, 6), adversarial_ints()))
    args = (texts, titles, n_bits, lead, reals[0], reals[1], reals[2], reals[3], reals[4], stem, reals[5],
            True, reals[6], reals[7], 0.3)
    same_outcome("stories", "text_features", lambda: args)
    text = data.draw(adversarial_text(3))
    tokens = _tokens_or_junk(data, text)
    same_outcome("stories", "word_hashes", lambda: (text, *tokens))


def _tokens_or_junk(data, text):
    from retold import _backend
    starts, ends, hashes, _ = _backend.reference_kernels("text").tokenize(text)
    pick = data.draw(st.integers(0, 3))
    if pick == 1:
        starts = starts[::-1].copy()
    elif pick == 2:
        ends = ends + 10_000
    elif pick == 3:
        hashes = data.draw(adversarial_arrays(np.uint64))
    return starts, ends, hashes


@given(st.integers(0, 6), maybe(st.integers(1, 3), adversarial_ints()), maybe(st.integers(1, 3), adversarial_ints()),
       maybe(st.integers(1, 3), adversarial_ints()), st.data())
@FUZZ
def test_lsh_kernels(n_docs, bands, rows, cap, data):
    width = data.draw(st.integers(0, 8))
    sigs = data.draw(maybe(st.just(np.arange(n_docs * width, dtype=np.uint64).reshape(n_docs, width) % 3),
                           adversarial_arrays(np.uint64)))
    b = bands if isinstance(bands, int) and 0 < bands < 10 else 1
    out = data.draw(out_buffers((b, n_docs), np.uint64))
    same_outcome("lsh", "band_keys", lambda: (sigs, bands, rows, out()))
    keys = data.draw(hash_arrays)
    order = data.draw(maybe(st.just(np.arange(len(keys) if hasattr(keys, "__len__") else 0, dtype=np.int64)),
                            adversarial_arrays(np.int64)))
    pairs = data.draw(out_buffers((data.draw(st.integers(0, 20)),), np.uint64))
    same_outcome("lsh", "count_bucket_pairs", lambda: (keys, cap))
    same_outcome("lsh", "fill_bucket_pairs", lambda: (keys, order, cap, pairs()), outputs=(3,))
    offsets = data.draw(maybe(st.just(np.arange(n_docs + 1, dtype=np.int64)), adversarial_arrays(np.int64)))
    values = data.draw(maybe(st.just(np.arange(n_docs, dtype=np.uint64)), adversarial_arrays(np.uint64)))
    left = data.draw(maybe(st.lists(st.integers(0, max(n_docs - 1, 0)), max_size=5).map(lambda v: np.array(v, np.int64)),
                           adversarial_arrays(np.int64)))
    right = data.draw(maybe(st.just(left), adversarial_arrays(np.int64)))
    n_left = len(left) if hasattr(left, "__len__") else 0
    sims = data.draw(out_buffers((n_left,), np.float64))
    same_outcome("lsh", "verify_pairs", lambda: (offsets, values, left, right, True, sims()), outputs=(5,))
    labels = data.draw(out_buffers((n_docs,), np.int64))
    same_outcome("lsh", "union_find", lambda: (left, right, labels()), outputs=(2,))
