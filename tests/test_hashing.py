"""Shingles, MinHash, SimHash and set similarity: both backends, naive oracles, statistics, bad input."""
from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import retold
from retold import _backend
from tests.test_text import MASK64, naive_fmix64, naive_token_hash

P61 = (1 << 61) - 1
EMPTY = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15

texts = st.lists(
    st.one_of(
        st.characters(),
        st.sampled_from(list("the a of to in news  said .,")),
        st.sampled_from(["Kim ", "Putin ", "中文", "Ёлка ", "مُحَمَّد ", "\u0301", "\x00", "🙂", " ", "said "]),
    ),
    max_size=60,
).map("".join)


# --- naive oracles -------------------------------------------------------------------------


def naive_word_shingles(token_hashes: list[int], n: int) -> list[int]:
    """The spec's word shingle, from its closed form rather than the kernels' loop: a window of
    w = min(n, len) tokens t_0 .. t_(w-1) hashes to fmix64(P mod 2^64), P = w * G^w + the sum of
    t_j * G^(w-1-j) (what "acc = w, then acc = acc * G + t_j" computes), in exact integers."""
    width = min(n, len(token_hashes))
    windows = [token_hashes[i : i + width] for i in range(len(token_hashes) - width + 1)] if width else []
    return [
        naive_fmix64((width * GOLDEN**width + sum(t * GOLDEN ** (width - 1 - j) for j, t in enumerate(window)))
                     % 2**64)
        for window in windows
    ]


def naive_char_shingles(stream: str, n: int) -> list[int]:
    if not stream:
        return []
    width = min(n, len(stream))
    return [naive_token_hash(stream[i : i + width]) for i in range(len(stream) - width + 1)]


def splitmix(seed: int):
    """splitmix64 as Vigna publishes it (test_splitmix_known_answer pins it to his outputs)."""
    state = seed
    while True:
        state = (state + GOLDEN) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        yield z ^ (z >> 31)


def naive_kperm(shingle_set: list[int], k: int, seed: int) -> list[int]:
    gen = splitmix(seed)
    params = [(next(gen) % (P61 - 1) + 1, next(gen) % P61) for _ in range(k)]
    return [min(((a * x + b) % P61 for x in shingle_set), default=EMPTY) for a, b in params]


def naive_oph(shingle_set: list[int], k: int, seed: int) -> list[int]:
    gen = splitmix(seed ^ 0x6F6E652D7065726D)
    key, dkey = next(gen), next(gen)
    bins = [EMPTY] * k
    for x in shingle_set:
        h = naive_fmix64(x ^ key)
        b = ((h >> 32) * k) >> 32
        bins[b] = min(bins[b], h)
    if all(v == EMPTY for v in bins):
        return bins
    out = list(bins)
    for i in range(k):
        attempt = 1
        while out[i] == EMPTY:
            j = ((naive_fmix64(dkey ^ ((i << 32) | attempt)) >> 32) * k) >> 32
            out[i] = bins[j]
            attempt += 1
    return out


# --- both backends agree --------------------------------------------------------------------


@given(texts, st.integers(1, 6), st.sampled_from(["word", "char"]))
@settings(max_examples=150, deadline=None)
def test_shingles_agree_between_backends(compiled_or_skip, text, ngram, unit):
    c = compiled_or_skip("hashing").text_shingle_hashes(text, ngram, unit)
    r = _backend.reference_kernels("hashing").text_shingle_hashes(text, ngram, unit)
    assert c.tolist() == r.tolist()


@given(st.lists(texts, max_size=4), st.sampled_from(["oph", "kperm"]), st.integers(0, MASK64))
@settings(max_examples=60, deadline=None)
def test_minhash_agrees_between_backends(compiled_or_skip, batch, scheme, seed):
    outs = []
    for module in (compiled_or_skip("hashing"), _backend.reference_kernels("hashing")):
        out = np.zeros((len(batch), 16), dtype=np.uint64)
        module.minhash_texts(batch, 3, "word", scheme, seed, out)
        outs.append(out.tolist())
    assert outs[0] == outs[1]


@given(texts, st.integers(1, 4))
@settings(max_examples=100, deadline=None)
def test_simhash_and_sets_agree_between_backends(compiled_or_skip, text, ngram):
    c, r = compiled_or_skip("hashing"), _backend.reference_kernels("hashing")
    assert c.simhash_text(text, ngram) == r.simhash_text(text, ngram)
    co, cv = c.shingle_sets([text, "", text[::-1]], ngram, "char")
    ro, rv = r.shingle_sets([text, "", text[::-1]], ngram, "char")
    assert co.tolist() == ro.tolist() and cv.tolist() == rv.tolist()


def test_seed_articles_hash_identically_on_both_backends(compiled_or_skip, seeds):
    c, r = compiled_or_skip("hashing"), _backend.reference_kernels("hashing")
    docs = list(seeds.values())
    for unit in ("word", "char"):
        assert c.shingle_sets(docs, 5, unit)[1].tolist() == r.shingle_sets(docs, 5, unit)[1].tolist()
    for scheme in ("oph", "kperm"):
        outs = []
        for module in (c, r):
            out = np.zeros((len(docs), 128), dtype=np.uint64)
            module.minhash_texts(docs, 5, "word", scheme, 1, out)
            outs.append(out)
        assert np.array_equal(*outs)
    assert [c.simhash_text(d, 3) for d in docs] == [r.simhash_text(d, 3) for d in docs]


def test_seed_articles_share_few_five_grams(seeds):
    """The problem in small: one story, yet almost no shared 5-word phrase."""
    yonhap, aa = retold.shingles(seeds["yonhap"]), retold.shingles(seeds["aa"])
    assert 0.0 < retold.jaccard(yonhap, aa) < 0.05
    assert retold.jaccard(retold.shingles(seeds["yonhap"], ngram=1), retold.shingles(seeds["aa"], ngram=1)) > 0.15


# --- against the oracles --------------------------------------------------------------------


@given(texts, st.integers(1, 6))
@settings(max_examples=150, deadline=None)
def test_word_shingles_match_oracle(impl, text, ngram):
    tokens = impl("text").tokenize(text)[2].tolist()
    expected = sorted(set(naive_word_shingles(tokens, ngram)))
    assert impl("hashing").text_shingles(text, ngram, "word").tolist() == expected


@given(st.lists(st.integers(0, MASK64), max_size=40), st.integers(1, 12))
@settings(max_examples=150, deadline=None)
def test_positional_word_shingles_match_oracle(impl, tokens, ngram):
    # In order and with repeats: the kernels roll the window (subtract the token leaving it),
    # which a set of shingles from short texts would not put to the test.
    got = impl("hashing").word_shingle_hashes(np.array(tokens, dtype=np.uint64), ngram)
    assert got.tolist() == naive_word_shingles(tokens, ngram)


def test_splitmix_known_answer():
    # splitmix64 from state 0, as in Vigna's reference implementation (prng.di.unimi.it).
    gen = splitmix(0)
    assert [next(gen) for _ in range(3)] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


@given(texts, st.integers(1, 6))
@settings(max_examples=150, deadline=None)
def test_char_shingles_match_oracle(impl, text, ngram):
    stream = impl("text").fold_stream(text)
    expected = sorted(set(naive_char_shingles(stream, ngram)))
    assert impl("hashing").text_shingles(text, ngram, "char").tolist() == expected


@given(texts, st.sampled_from(["oph", "kperm"]), st.integers(0, 2**32))
@settings(max_examples=80, deadline=None)
def test_minhash_matches_oracle(impl, text, scheme, seed):
    shingle_set = impl("hashing").text_shingles(text, 3, "word").tolist()
    out = np.zeros((1, 24), dtype=np.uint64)
    impl("hashing").minhash_texts([text], 3, "word", scheme, seed, out)
    oracle = naive_oph if scheme == "oph" else naive_kperm
    assert out[0].tolist() == oracle(shingle_set, 24, seed)


@given(st.sets(st.integers(0, MASK64), max_size=40), st.sets(st.integers(0, MASK64), max_size=40))
def test_exact_jaccard_and_containment_match_sets(impl, a, b):
    aa = np.array(sorted(a), dtype=np.uint64)
    bb = np.array(sorted(b), dtype=np.uint64)
    union = len(a | b)
    assert impl("hashing").jaccard_sorted(aa, bb) == pytest.approx(len(a & b) / union if union else 0.0)
    assert impl("hashing").containment_sorted(aa, bb) == pytest.approx(len(a & b) / len(a) if a else 0.0)


def test_affine_arithmetic_is_exact_at_the_top_of_the_range(impl):
    """(a*x + b) mod p with a, x near 2**61: the overflow datasketch fixed in 2.0 must not happen."""
    x = P61 - 1  # x mod p stays p - 1
    state = np.full(4, EMPTY, dtype=np.uint64)
    impl("hashing").minhash_accumulate(np.array([x, MASK64], dtype=np.uint64), "kperm", 7, state)
    a, b = impl("hashing").kperm_parameters(4, 7)
    expected = [min((int(ai) * (v % P61) + int(bi)) % P61 for v in (x, MASK64)) for ai, bi in zip(a, b)]
    assert state.tolist() == expected


# --- edge cases of the public API ------------------------------------------------------------


def test_short_texts_still_get_one_shingle():
    assert len(retold.shingles("")) == 0
    assert len(retold.shingles("one")) == 1
    assert len(retold.shingles("two words")) == 1
    assert len(retold.shingles("a a a a a a a a a")) == 1  # all duplicates: one distinct 5-gram
    assert len(retold.shingles("a b c d e f")) == 2


def test_empty_text_signature_is_all_empty_and_compares_as_zero():
    sig = retold.minhash_batch(["", "   ", "real words here"], num_perm=8)
    assert (sig[0] == retold.EMPTY_SLOT).all() and (sig[1] == retold.EMPTY_SLOT).all()
    assert (sig[2] != retold.EMPTY_SLOT).all()  # densification fills every bin of a short text
    assert retold.signature_jaccard(sig[0], sig[1]) == 0.0


def test_identical_texts_have_identical_signatures_and_jaccard_one():
    text = "Jeon also warned against a possible arms deal between North Korea and Russia"
    for scheme in ("oph", "kperm"):
        sig = retold.minhash_batch([text, text], scheme=scheme)
        assert retold.signature_jaccard(sig[0], sig[1]) == 1.0


def test_workers_do_not_change_results():
    docs = [f"document {i} with some shared words and number {i * 7}" for i in range(200)]
    for scheme in ("oph", "kperm"):
        one = retold.minhash_batch(docs, scheme=scheme, num_perm=32)
        two = retold.minhash_batch(docs, scheme=scheme, num_perm=32, workers=2)
        assert np.array_equal(one, two)


def test_iter_minhash_streams_the_same_signatures():
    docs = [f"text number {i} about the same story told again" for i in range(25)]
    chunks = list(retold.iter_minhash(iter(docs), chunk_size=10, num_perm=16))
    assert [len(c) for c in chunks] == [10, 10, 5]
    assert np.array_equal(np.vstack(chunks), retold.minhash_batch(docs, num_perm=16))


def test_minhash_class_adds_text_shingles_with_update_text():
    # update() adds one element, as in datasketch; a text's shingles go in with update_text().
    a = retold.MinHash(num_perm=64, scheme="oph")
    a.update_text("the quick brown fox jumps over the lazy dog near the river bank")
    b = a.copy()
    b.update_text("and then it ran far away into the deep dark forest")
    assert a != b and a.jaccard(a) == 1.0
    assert 0.0 < a.jaccard(b) < 1.0
    union = retold.MinHash(num_perm=64, scheme="oph")
    union.update_text("the quick brown fox jumps over the lazy dog near the river bank")
    other = retold.MinHash(num_perm=64, scheme="oph")
    other.update_text("and then it ran far away into the deep dark forest")
    union.merge(other)
    assert np.array_equal(union.digest(), b.digest())
    assert np.array_equal(pickle.loads(pickle.dumps(b)).digest(), b.digest())
    assert np.array_equal(a.hashvalues, a.digest())
    with pytest.raises(ValueError, match="cannot compare"):
        a.jaccard(retold.MinHash(num_perm=32, scheme="oph"))
    with pytest.raises(TypeError, match="update_text"):
        a.update("a whole text is not one element")


def test_minhash_class_digest_equals_batch_row():
    text = "South Korea's defense ministry said Thursday it is closely monitoring the possibility"
    for scheme in ("oph", "kperm"):
        m = retold.MinHash.from_text(text, 128, scheme=scheme, seed=5)
        assert np.array_equal(m.digest(), retold.minhash_batch([text], scheme=scheme, seed=5)[0])


def test_simhash_and_hamming():
    a = "North Korea and Russia may hold joint military drills, the ministry said on Thursday"
    b = "North Korea and Russia may hold joint military drills, the ministry said Thursday"
    c = "The football club won its third match in a row at the new stadium downtown"
    assert retold.hamming(retold.simhash(a), retold.simhash(a)) == 0
    assert retold.hamming(retold.simhash(a), retold.simhash(b)) < retold.hamming(retold.simhash(a), retold.simhash(c))
    assert retold.simhash("") == 0


def test_jaccard_accepts_unsorted_arrays_and_texts():
    assert retold.jaccard([3, 1, 2, 2], np.array([2, 3, 4], dtype=np.uint64)) == pytest.approx(2 / 4)
    assert retold.jaccard("a b c d e f", "a b c d e f g") == pytest.approx(2 / 3)
    assert retold.containment("a b c d e f", "a b c d e f g") == 1.0
    assert retold.jaccard([], []) == 0.0


# --- statistics: estimates are unbiased and within 4 sigma ---------------------------------


@pytest.mark.parametrize("scheme", ["oph", "kperm"])
@pytest.mark.parametrize("target", [0.1, 0.3, 0.5, 0.8, 0.95])
def test_minhash_estimates_lie_within_four_sigma(scheme, target):
    k = 128
    size = 400  # union size; intersection = target * size
    common = int(round(target * size))
    rest = size - common
    only_a = rest // 2  # b gets the other rest - only_a
    j = common / size
    sigma = math.sqrt(j * (1 - j) / k)
    rng = np.random.default_rng(12345)
    estimates = []
    for seed in range(30):
        universe = np.unique(rng.integers(0, np.iinfo(np.uint64).max, size=2 * size, dtype=np.uint64))
        universe = rng.permutation(universe)[:size]
        a_set = universe[: common + only_a]
        b_set = np.concatenate([universe[:common], universe[common + only_a :]])
        a = retold.MinHash(k, scheme=scheme, seed=seed)
        b = retold.MinHash(k, scheme=scheme, seed=seed)
        a.update_hashes(a_set)
        b.update_hashes(b_set)
        estimate = a.jaccard(b)
        assert abs(estimate - j) <= 4 * sigma + 1e-12, (seed, estimate, j)
        estimates.append(estimate)
    # Unbiased: the mean over 30 independent seeds is within 4 standard errors of J.
    assert abs(np.mean(estimates) - j) <= 4 * sigma / math.sqrt(len(estimates)) + 1e-12


# --- bad input -------------------------------------------------------------------------------


def test_bad_input_is_a_clear_error():
    with pytest.raises(TypeError, match="text must be str or bytes, not NoneType"):
        retold.shingles(None)
    with pytest.raises(TypeError, match="not int"):
        retold.shingles(42)
    with pytest.raises(TypeError, match=r"texts\[2\] must be str or bytes, not NoneType"):
        retold.minhash_batch(["a", "b", None])
    with pytest.raises(TypeError, match="sequence of texts"):
        retold.minhash_batch("a single string")
    with pytest.raises(ValueError, match="num_perm must be in"):
        retold.minhash_batch(["a"], num_perm=0)
    with pytest.raises(ValueError, match="unit must be one of"):
        retold.shingles("a", unit="sentence")
    with pytest.raises(ValueError, match="scheme must be one of"):
        retold.minhash_batch(["a"], scheme="bbit")
    with pytest.raises(ValueError, match="seed must be in"):
        retold.minhash_batch(["a"], seed=-1)
    with pytest.raises(TypeError, match="ngram must be an int"):
        retold.shingles("a", ngram=2.5)


def test_bytes_are_decoded_under_an_explicit_policy():
    text = "Déjà vu in Seoul"
    assert retold.shingles(text.encode()).tolist() == retold.shingles(text).tolist()
    broken = b"Deja \xff vu in Seoul"
    with pytest.raises(ValueError, match="invalid UTF-8 at byte 5"):
        retold.shingles(broken)
    assert len(retold.shingles(broken, errors="replace")) == 1
    assert retold.minhash_batch([broken], errors="ignore").shape == (1, 128)


def test_kernel_entry_points_reject_bad_choices_on_both_backends(impl):
    out = np.zeros((1, 4), dtype=np.uint64)
    with pytest.raises(ValueError, match="unit must be 'word' or 'char'"):
        impl("hashing").minhash_texts(["a"], 3, "line", "oph", 1, out)
    with pytest.raises(ValueError, match="scheme must be 'oph' or 'kperm'"):
        impl("hashing").minhash_texts(["a"], 3, "word", "nope", 1, out)
    with pytest.raises(ValueError, match="out has 1 rows for 2 texts"):
        impl("hashing").minhash_texts(["a", "b"], 3, "word", "oph", 1, out)


def test_a_very_large_document_has_a_defined_result():
    if retold.BACKEND == "compiled":
        size = 100 * 1024 * 1024  # 100 MB
    else:
        size = 256 * 1024  # the twin is for correctness, not size; same code path
    words = "wire copy reprinted again with small edits and new headlines "
    text = words * (size // len(words))
    sig = retold.minhash_batch([text], num_perm=16)
    assert sig.shape == (1, 16) and not (sig == retold.EMPTY_SLOT).any()
    assert len(retold.shingles(text)) == 10  # a period of ten words gives ten distinct 5-grams


# Issue 19, point 5: a cast would turn these into other hashes without a word.
@pytest.mark.parametrize(
    "values, error",
    [
        (np.array([1.5, 2.7, -3.0]), TypeError),
        ([1.0, 2.0], TypeError),
        (np.array([True, False]), TypeError),
        (np.array([1, -3], dtype=np.int64), ValueError),
        ([5, -1], ValueError),
    ],
)
def test_update_hashes_refuses_what_a_cast_would_change(values, error):
    m = retold.MinHash(num_perm=16)
    before = m.digest()
    with pytest.raises(error, match="hashes"):
        m.update_hashes(values)
    assert np.array_equal(m.digest(), before)


def test_update_hashes_takes_unsigned_and_non_negative_integers():
    a, b = retold.MinHash(num_perm=16, scheme="oph"), retold.MinHash(num_perm=16, scheme="oph")
    a.update_hashes(np.array([1, 2, 2**63], dtype=np.uint64))
    b.update_hashes([1, 2, 2**63])
    assert np.array_equal(a.digest(), b.digest())
    b.update_hashes(np.array([], dtype=np.float64))  # an empty batch is nothing to refuse


def test_update_hashes_refuses_values_past_64_bits():
    with pytest.raises(ValueError, match="2\\*\\*64"):
        retold.MinHash(num_perm=16, scheme="oph").update_hashes([1, 2**64])
