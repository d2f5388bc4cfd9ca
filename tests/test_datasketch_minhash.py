"""retold.MinHash and LeanMinHash as datasketch 2.x's: the behaviours its own tests check, its hash
values bit for bit (datasketch installed as the oracle), pickles and bytes both ways, kernels on
both backends, bad pickled state, threads."""
from __future__ import annotations

import pickle
import struct
import threading

import numpy as np
import pytest

import retold
from retold import LeanMinHash, MinHash
from retold.lean_minhash import from_datasketch, loads_datasketch, to_datasketch
from retold.minhash import permutations_for

SCHEMES = ["affine32", "affine64", "legacy"]


def identity(data):
    """An element that is its own hash (the stand-in hash datasketch's tests use)."""
    return data


def _datasketch():
    return pytest.importorskip("datasketch", minversion="2.0", reason="datasketch 2.x is the oracle here")


# ---------------------------------------------------------------- datasketch's MinHash behaviours


def test_init_is_deterministic_in_seed():
    m1, m2 = MinHash(4, 1, hashfunc=identity), MinHash(4, 1, hashfunc=identity)
    assert np.array_equal(m1.hashvalues, m2.hashvalues)
    assert np.array_equal(m1.permutations, m2.permutations)
    assert MinHash().is_empty() and len(MinHash()) == 128 and MinHash().scheme == "affine32"


def test_update_lowers_every_slot_and_batch_equals_one_by_one():
    m1, m2 = MinHash(4, 1, hashfunc=identity), MinHash(4, 1, hashfunc=identity)
    m1.update(12)
    assert all(m1.hashvalues[i] < m2.hashvalues[i] for i in range(4))
    one, batch = MinHash(4, 1, hashfunc=identity), MinHash(4, 1, hashfunc=identity)
    one.update(12)
    one.update(24)
    batch.update_batch([12, 24])
    assert np.array_equal(one.hashvalues, batch.hashvalues) and not batch.is_empty()


def test_jaccard_merge_union_like_datasketch():
    m1, m2 = MinHash(4, 1, hashfunc=identity), MinHash(4, 1, hashfunc=identity)
    assert m1.jaccard(m2) == 1.0  # two empty sketches
    m2.update(12)
    assert m1.jaccard(m2) == 0.0
    m1.update(13)
    assert m1.jaccard(m2) < 1.0
    u = MinHash.union(MinHash(4, 1, hashfunc=identity), m2)
    assert u.jaccard(m2) == 1.0
    m3 = MinHash(4, 1, hashfunc=identity)
    m3.merge(m2)
    assert m3.jaccard(m2) == 1.0
    with pytest.raises(ValueError):
        MinHash.union(m1)
    with pytest.raises(ValueError, match="seeds"):
        m1.jaccard(MinHash(4, 2, hashfunc=identity))
    with pytest.raises(ValueError, match="scheme"):
        m1.merge(MinHash(4, 1, hashfunc=identity, scheme="legacy"))


def test_eq_count_clear_copy_digest():
    m = {name: MinHash(n, seed, hashfunc=identity) for name, n, seed in
         [("1", 4, 1), ("2", 4, 1), ("3", 4, 2), ("4", 8, 1), ("5", 4, 1)]}
    for name, value in [("1", 11), ("2", 12), ("3", 11), ("4", 11), ("5", 11)]:
        m[name].update(value)
    assert m["1"] != m["2"] and m["1"] != m["3"] and m["1"] != m["4"] and m["1"] == m["5"]
    m["1"].update(12)
    m["2"].update(11)
    assert m["1"] == m["2"]
    counted = MinHash(hashfunc=identity)
    for v in (11, 123, 92, 98, 123218, 32):
        counted.update(v)
    assert counted.count() >= 0
    clone = counted.copy()
    assert clone == counted and clone is not counted
    clone.clear()
    assert clone.is_empty() and not counted.is_empty()
    digest = counted.digest()
    digest[:] = 0
    assert not np.array_equal(digest, counted.hashvalues)


def test_byte_tokens_and_bulk():
    m = MinHash(4, 1)
    m.update(b"Hello")
    kwargs = dict(num_perm=4, seed=1, hashfunc=identity)
    data = [[n * 4 for n in range(4)]] * 2
    one = MinHash(**kwargs)
    one.update_batch(data[0])
    bulk = MinHash.bulk(data, **kwargs)
    assert len(bulk) == 2 and all(np.array_equal(one.hashvalues, b.hashvalues) for b in bulk)
    assert [g.hashvalues.tolist() for g in MinHash.generator(data, **kwargs)] == [one.hashvalues.tolist()] * 2


def test_pickle_round_trip():
    m = MinHash(4, 1, hashfunc=identity)
    m.update(123)
    m.update(45)
    p = pickle.loads(pickle.dumps(m))
    assert p.seed == m.seed and p == m
    assert np.array_equal(p.hashvalues, m.hashvalues) and np.array_equal(p.permutations, m.permutations)


def test_scheme_and_state_arguments_like_datasketch():
    with pytest.raises(ValueError, match="scheme"):
        MinHash(hashvalues=[1, 2, 3])
    with pytest.raises(ValueError, match="scheme"):
        MinHash(scheme="nope")
    with pytest.raises(RuntimeError, match="CPU"):
        MinHash(gpu_mode="always")
    m = MinHash(16, 3, scheme="affine64")
    m.update(b"x")
    again = MinHash(seed=3, hashvalues=m.hashvalues, permutations=m.permutations, scheme="affine64")
    assert again == m
    with pytest.raises(ValueError, match="odd"):
        MinHash(seed=3, hashvalues=m.hashvalues, permutations=[m.permutations[0] + 1, m.permutations[1]],
                scheme="affine64")
    with pytest.raises(ValueError, match="out of range"):
        MinHash(4, hashfunc=identity).update(1 << 40)  # affine32 takes 32-bit hashes


# ---------------------------------------------------------------- LeanMinHash


def test_lean_minhash_like_datasketch():
    m1, m2 = MinHash(4, 1, hashfunc=identity), MinHash(4, 1, hashfunc=identity)
    lm1, lm2 = LeanMinHash(m1), LeanMinHash(m2)
    assert np.array_equal(lm1.hashvalues, lm2.hashvalues) and lm1.seed == lm2.seed
    assert LeanMinHash(seed=1, hashvalues=m1.hashvalues, scheme="affine32") == lm1
    with pytest.raises(ValueError, match="scheme"):
        LeanMinHash(seed=1, hashvalues=m1.hashvalues)
    assert LeanMinHash(MinHash()).is_empty()
    with pytest.raises(TypeError):
        lm1.update(12)
    with pytest.raises(ValueError):
        lm1.hashvalues[0] = 1  # read-only
    assert lm1.jaccard(lm2) == 1.0
    m2.update(12)
    lm2 = LeanMinHash(m2)
    assert lm1.jaccard(lm2) == 0.0 and lm2.jaccard(m2) == 1.0
    u = LeanMinHash.union(lm1, lm2)
    assert isinstance(u, LeanMinHash) and u.jaccard(lm2) == 1.0
    lm1.merge(lm2)
    assert lm1.jaccard(lm2) == 1.0
    assert LeanMinHash(m2) == LeanMinHash(m2) and LeanMinHash(m2) != m2  # different types, as datasketch
    assert hash(LeanMinHash(m2)) == hash(LeanMinHash(m2)) and {LeanMinHash(m2): 1}[LeanMinHash(m2)] == 1
    assert LeanMinHash(m2).count() >= 0


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("byteorder", "@=<>!")
def test_lean_serialize_round_trip(scheme, byteorder):
    m = MinHash(10, 1, scheme=scheme)
    m.update(b"123")
    lean = LeanMinHash(m)
    size = lean.bytesize(byteorder)
    value_size = 8 if scheme == "affine64" else 4
    assert size == struct.calcsize(f"{byteorder}qi{'' if scheme == 'legacy' else 'B'}{10 * (value_size // 4)}I")
    buf = bytearray(size * 2)
    lean.serialize(buf, byteorder)
    lean.serialize(memoryview(buf)[size:], byteorder)
    for start in (0, size):
        back = LeanMinHash.deserialize(bytes(buf[start:start + size]), byteorder)
        assert back == lean and back.scheme == scheme
    with pytest.raises(ValueError, match="enough space"):
        lean.serialize(bytearray(size - 1), byteorder)
    assert pickle.loads(pickle.dumps(lean)) == lean
    if scheme == "legacy":
        assert LeanMinHash(MinHash(4, 1, hashfunc=identity, scheme="legacy")).bytesize() == 4 * 4 + 4 + 8


def test_lean_deserialize_refuses_bad_bytes():
    with pytest.raises(ValueError, match="too short"):
        LeanMinHash.deserialize(b"\x00" * 5)
    with pytest.raises(ValueError, match="scheme code"):
        LeanMinHash.deserialize(struct.pack("@qiB", 1, -4, 9) + b"\x00" * 16)
    with pytest.raises(ValueError, match="too short"):
        LeanMinHash.deserialize(struct.pack("@qi", 1, 1000))


# ---------------------------------------------------------------- the oracle: datasketch itself


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("seed", [1, 7, 2**31])
def test_hashvalues_equal_datasketch_bit_for_bit(scheme, seed):
    ds = _datasketch()
    rng = np.random.default_rng(seed)
    elements = [bytes(rng.integers(0, 256, size=int(rng.integers(0, 12)), dtype=np.uint8)) for _ in range(300)]
    mine, theirs = MinHash(64, seed, scheme=scheme), ds.MinHash(64, seed, scheme=scheme)
    mine.update(elements[0])
    theirs.update(elements[0])
    mine.update_batch(elements[1:])
    theirs.update_batch(elements[1:])
    assert mine.hashvalues.dtype == theirs.hashvalues.dtype
    assert np.array_equal(mine.hashvalues, theirs.hashvalues)
    assert np.array_equal(mine.permutations, theirs.permutations)
    assert mine.count() == pytest.approx(theirs.count())
    sets = [elements[i:i + 40] for i in range(0, 300, 40)]
    for a, b in zip(MinHash.bulk(sets, num_perm=64, seed=seed, scheme=scheme),
                    ds.MinHash.bulk(sets, num_perm=64, seed=seed, scheme=scheme)):
        assert np.array_equal(a.hashvalues, b.hashvalues)
        assert a.jaccard(b) == 1.0  # a datasketch sketch compares with a retold one


@pytest.mark.parametrize("scheme", SCHEMES)
def test_both_backends_fold_hashes_alike(impl, scheme):
    kernel = getattr(impl("minhash_schemes"), f"update_{scheme}")
    dtype = np.uint32 if scheme == "affine32" else np.uint64
    a, b = permutations_for(scheme, 32, 5)
    rng = np.random.default_rng(3)
    hashes = rng.integers(0, 1 << 32 if scheme != "affine64" else 1 << 63, size=50, dtype=np.uint64).astype(dtype)
    offsets = np.array([0, 0, 20, 50], dtype=np.int64)  # an empty sketch among them
    out = np.full((3, 32), np.iinfo(dtype).max if scheme != "legacy" else (1 << 32) - 1, dtype=dtype)
    kernel(offsets, hashes, a, b, out)
    ds = _datasketch()
    for row, (lo, hi) in enumerate([(0, 0), (0, 20), (20, 50)]):
        oracle = ds.MinHash(32, 5, hashfunc=int, scheme=scheme)
        oracle.update_batch(hashes[lo:hi].tolist())
        assert np.array_equal(out[row], oracle.hashvalues), row
    with pytest.raises(ValueError, match="offsets"):
        kernel(np.array([0, 60], dtype=np.int64), hashes, a, b, out[:1])


def test_pickles_and_bytes_interoperate_both_ways():
    ds = _datasketch()
    for scheme in SCHEMES:
        theirs = ds.MinHash(32, 4, scheme=scheme)
        theirs.update_batch([b"a", b"b", b"c"])
        mine = loads_datasketch(pickle.dumps(theirs))  # datasketch's pickle, read as retold's
        assert isinstance(mine, MinHash) and np.array_equal(mine.hashvalues, theirs.hashvalues)
        mine.update(b"d")
        theirs.update(b"d")
        assert np.array_equal(mine.hashvalues, theirs.hashvalues)  # its hashfunc came along
        back = pickle.loads(pickle.dumps(to_datasketch(mine)))
        assert isinstance(back, ds.MinHash) and back == theirs
        assert from_datasketch(theirs) == mine
        lean_theirs = ds.LeanMinHash(theirs)
        buf = bytearray(lean_theirs.bytesize())
        lean_theirs.serialize(buf)
        lean_mine = LeanMinHash.deserialize(buf)
        assert np.array_equal(lean_mine.hashvalues, lean_theirs.hashvalues) and lean_mine.scheme == scheme
        assert loads_datasketch(pickle.dumps(lean_theirs)) == lean_mine
        out = bytearray(lean_mine.bytesize())
        lean_mine.serialize(out)
        assert out == buf and ds.LeanMinHash.deserialize(out) == lean_theirs


# ---------------------------------------------------------------- retold's text schemes


def test_text_schemes_keep_their_entry_points():
    text = "South Korea's defense ministry said Thursday it is closely monitoring the possibility"
    for scheme in ("oph", "kperm"):
        sketch = MinHash.from_text(text, 64, scheme=scheme, seed=5)
        assert np.array_equal(sketch.hashvalues, retold.minhash_batch([text], num_perm=64, scheme=scheme, seed=5)[0])
        assert sketch.permutations is None and pickle.loads(pickle.dumps(sketch)) == sketch
        with pytest.raises(ValueError, match="scheme"):
            sketch.jaccard(MinHash(64, 5))
    assert MinHash.from_text(text).scheme == "oph"
    ds32 = MinHash(64)
    ds32.update_text(text)  # shingles into a datasketch-scheme sketch, cut to 32 bits
    assert not ds32.is_empty() and ds32.hashvalues.dtype == np.uint32


# ---------------------------------------------------------------- pickled state from elsewhere


@pytest.mark.parametrize("field, value, message", [
    ("scheme", "sha256", "'scheme'"),
    ("seed", -1, "'seed'"),
    ("seed", "1", "'seed'"),
    ("hashvalues", np.zeros((2, 2), np.uint32), "'hashvalues'"),
    ("hashvalues", np.array([1.5, 2.5]), "'hashvalues'"),
    ("hashvalues", np.array([-1, 2]), "'hashvalues'"),
    ("hashvalues", np.full(8, 1 << 40, dtype=np.uint64), "'hashvalues'"),
    ("permutations", np.zeros((2, 3), np.uint32), "'permutations'"),
    ("permutations", np.full((2, 8), 2, np.uint32), "'permutations'"),
    ("num_perm", 9, "'num_perm'"),
    ("hashfunc", 42, "'hashfunc'"),
    ("unit", "sentence", "'unit'"),
])
def test_setstate_names_the_bad_field(field, value, message):
    state = MinHash(8, 1).__getstate__()
    state[field] = value
    with pytest.raises(ValueError, match=message):
        pickle.loads(pickle.dumps(state)) and MinHash.__new__(MinHash).__setstate__(state)
    with pytest.raises(ValueError, match="bytes"):
        LeanMinHash.__new__(LeanMinHash).__setstate__({"not": "bytes"})


# ---------------------------------------------------------------- threads


def test_one_sketch_shared_by_eight_threads_equals_the_serial_one(fast_thread_switches):
    elements = [str(i).encode() for i in range(4000)]
    shared = MinHash(64, 2)
    barrier = threading.Barrier(8)

    def work(part):
        barrier.wait()
        for i in range(0, len(part), 5):
            shared.update_batch(part[i:i + 5])
            shared.jaccard(shared)

    threads = [threading.Thread(target=work, args=(elements[t::8],)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    serial = MinHash(64, 2)
    serial.update_batch(elements)
    assert shared == serial


def test_update_rebinds_hashvalues_as_datasketch_does():
    m = MinHash(8, 1)
    before = m.hashvalues
    m.update(b"x")
    assert np.all(before == np.iinfo(np.uint32).max) and not np.array_equal(before, m.hashvalues)


def test_sha1_kernel_equals_hashlib_on_both_backends(impl):
    import hashlib

    rng = np.random.default_rng(5)
    # Lengths across SHA-1's padding boundaries (55, 56, 63, 64 bytes) and several blocks.
    elements = [bytes(rng.integers(0, 256, size=n, dtype=np.uint8)) for n in [*range(0, 130), 1000, 4096]]
    for width in (32, 64):
        out = np.empty(len(elements), dtype=np.uint64)
        impl("minhash_schemes").sha1_hashes(elements, width, out)
        expected = [int.from_bytes(hashlib.sha1(e).digest()[: width // 8], "little") for e in elements]
        assert out.tolist() == expected
    with pytest.raises(TypeError, match="element 1"):
        impl("minhash_schemes").sha1_hashes([b"a", "b"], 32, np.empty(2, np.uint64))


def test_elements_other_than_bytes_go_through_hashfunc():
    a, b = MinHash(16), MinHash(16)
    a.update(bytearray(b"x"))  # hashlib takes any buffer, so the default hash does too
    b.update(b"x")
    assert a == b
    with pytest.raises(TypeError, match="update_text"):
        a.update("a str is not bytes")
    with pytest.raises(TypeError, match="update_text"):
        a.update_batch(b"one bytes object is not a batch")


def test_hashobj_is_deprecated_as_in_datasketch():
    with pytest.warns(DeprecationWarning, match="hashfunc"):
        MinHash(4, hashobj=object())
