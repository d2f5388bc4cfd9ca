"""retold.MinHashLSH as datasketch 2.x's: the behaviours its own LSH tests check (in memory and in
dict tables), its band choice, scheme mixing refused, sessions, merge, pickling, threads."""
from __future__ import annotations

import pickle
import threading

import numpy as np
import pytest

import retold
from retold import LeanMinHash, MinHash, MinHashLSH
from retold.lsh import MissingKeyError, datasketch_params

# None: the in-memory arrays; the others select datasketch-style key-value tables.
ENGINES = {
    "arrays": {},
    "dict-hashfunc": {"hashfunc": lambda h: h[::-1]},
    "dict-prepickle": {"prepickle": True},
}


def sketch(value: bytes, num_perm: int = 16, **kwargs) -> MinHash:
    m = MinHash(num_perm, **kwargs)
    m.update(value)
    return m


@pytest.fixture(params=list(ENGINES))
def options(request):
    return ENGINES[request.param]


def test_init_and_band_choice_match_datasketch():
    lsh = MinHashLSH(threshold=0.8)
    assert lsh.is_empty() and lsh.h == 128
    b1, r1 = lsh.b, lsh.r
    lsh = MinHashLSH(threshold=0.8, weights=(0.2, 0.8))
    assert lsh.b > b1 and lsh.r < r1
    assert MinHashLSH().params == datasketch_params(0.9, 128)
    assert MinHashLSH(num_perm=128, params=(16, 8)).params == (16, 8)
    for bad in [dict(threshold=1.5), dict(weights=(0.5, 0.6)), dict(weights=(-0.5, 1.5)), dict(num_perm=1),
                dict(params=(1, 4), num_perm=16), dict(params=(20, 7))]:
        with pytest.raises(ValueError):
            MinHashLSH(**bad)
    assert MinHashLSH(0.8, 128, recall=0.95).params == retold.lsh.optimal_params(0.8, 128, 0.95)


def test_band_choice_equals_datasketch_over_a_grid():
    lsh_module = pytest.importorskip("datasketch.lsh", reason="datasketch is the oracle here")
    for num_perm in (16, 64, 128):
        for threshold in (0.0, 0.3, 0.5, 0.7, 0.9, 1.0):
            for weights in ((0.5, 0.5), (0.3, 0.7)):
                assert datasketch_params(threshold, num_perm, weights) == \
                    lsh_module._optimal_param(threshold, num_perm, *weights)


def test_bucket_hashes_have_one_length():
    for b in (2, 7, 64):
        lsh = MinHashLSH(num_perm=b * 4, params=(b, 4))
        m = MinHash(b * 4)
        m.update_batch([b"abcdefg", b"1234567"])
        lsh.insert("m", m)
        sizes = {len(h) for table in lsh.hashtables for h in table}
        assert len(sizes) == 1


def test_insert_fills_every_table(options):
    lsh = MinHashLSH(threshold=0.5, num_perm=16, **options)
    lsh.insert("a", sketch(b"a"))
    lsh.insert("b", sketch(b"b"))
    stored = (lambda k: pickle.dumps(k)) if options.get("prepickle") else (lambda k: k)
    for table in lsh.hashtables:
        assert len(table) >= 1
        items = [k for h in table for k in table[h]]
        assert stored("a") in items and stored("b") in items
    assert "a" in lsh and "b" in lsh and "c" not in lsh and len(lsh) == 2
    for i, h in enumerate(lsh.keys[stored("a")]):
        assert stored("a") in lsh.hashtables[i][h]
    with pytest.raises(ValueError, match="length"):
        lsh.insert("c", MinHash(18))
    with pytest.raises(ValueError, match="exists|already"):
        lsh.insert("a", sketch(b"a"))


def test_query_and_query_buffer(options):
    lsh = MinHashLSH(threshold=0.5, num_perm=16, **options)
    m1, m2 = sketch(b"a"), sketch(b"b")
    lsh.insert("a", m1)
    lsh.insert("b", m2)
    assert "a" in lsh.query(m1) and "b" in lsh.query(m2)
    assert "a" in lsh.query(LeanMinHash(m1))
    with pytest.raises(ValueError):
        lsh.query(MinHash(18))
    lsh.add_to_query_buffer(m1)
    assert "a" in lsh.collect_query_buffer()
    lsh.add_to_query_buffer(m2)
    assert "b" in lsh.collect_query_buffer()
    assert lsh.collect_query_buffer() == []
    lsh.add_to_query_buffer(m1)
    lsh.add_to_query_buffer(m2)
    assert lsh.collect_query_buffer() == []  # keys found by every queued query: none here
    with pytest.raises(ValueError):
        lsh.add_to_query_buffer(MinHash(18))


def test_remove(options):
    lsh = MinHashLSH(threshold=0.5, num_perm=16, **options)
    lsh.insert("a", sketch(b"a"))
    lsh.insert("b", sketch(b"b"))
    lsh.remove("a")
    assert "a" not in lsh and "a" not in lsh.keys and len(lsh) == 1
    for table in lsh.hashtables:
        for h in table:
            assert len(table[h]) > 0 and "a" not in table[h]
    with pytest.raises(ValueError):
        lsh.remove("c")
    with pytest.raises(KeyError):  # retold raised KeyError before; MissingKeyError is both
        lsh.remove("c")
    assert issubclass(MissingKeyError, ValueError) and issubclass(MissingKeyError, KeyError)


def test_pickle(options):
    if "hashfunc" in options:
        options = {"hashfunc": bytes}  # a lambda does not pickle; datasketch needs a named function too
    lsh = MinHashLSH(threshold=0.5, num_perm=16, **options)
    m1, m2 = sketch(b"a"), sketch(b"b")
    lsh.insert("a", m1)
    lsh.insert("b", m2)
    lsh2 = pickle.loads(pickle.dumps(lsh))
    assert "a" in lsh2.query(m1) and "b" in lsh2.query(m2)
    lsh2.insert("c", sketch(b"c"))
    assert "c" in lsh2 and "c" not in lsh


def test_sessions(options):
    lsh = MinHashLSH(threshold=0.5, num_perm=16, **options)
    with lsh.insertion_session(buffer_size=2) as session:
        for key in "abcde":
            session.insert(key, sketch(key.encode()))
    assert all(k in lsh for k in "abcde") and len(lsh) == 5
    stored = (lambda k: pickle.dumps(k)) if options.get("prepickle") else (lambda k: k)
    for i, h in enumerate(lsh.keys[stored("a")]):
        assert stored("a") in lsh.hashtables[i][h]
    with lsh.deletion_session() as session:
        for key in "ab":
            session.remove(key)
    assert "a" not in lsh and "b" not in lsh and "c" in lsh
    for table in lsh.hashtables:
        for h in table:
            assert stored("a") not in table[h] and stored("b") not in table[h]
            assert len(table[h]) > 0


def test_get_counts(options):
    lsh = MinHashLSH(threshold=0.5, num_perm=16, **options)
    lsh.insert("a", sketch(b"a"))
    lsh.insert("b", sketch(b"b"))
    counts = lsh.get_counts()
    assert len(counts) == lsh.b and all(sum(t.values()) == 2 for t in counts)
    assert all(sum(t.values()) == 1 for t in lsh.get_subset_counts("a"))


def test_merge(options):
    lsh1 = MinHashLSH(threshold=0.5, num_perm=16, **options)
    m1, m2 = sketch(b"a"), sketch(b"b")
    lsh1.insert("a", m1)
    lsh1.insert("b", m2)
    lsh2 = MinHashLSH(threshold=0.5, num_perm=16, **options)
    lsh2.insert("c", m1)
    lsh2.insert("d", m2)
    lsh1.merge(lsh2)
    stored = (lambda k: pickle.dumps(k)) if options.get("prepickle") else (lambda k: k)
    for table in lsh1.hashtables:
        items = [k for h in table for k in table[h]]
        assert stored("c") in items and stored("d") in items
    assert all(k in lsh1 for k in "abcd")
    for i, h in enumerate(lsh1.keys[stored("c")]):
        assert stored("c") in lsh1.hashtables[i][h]
    with pytest.raises(ValueError, match="overlapping"):
        lsh1.merge(lsh2, check_overlap=True)
    lsh3 = MinHashLSH(threshold=0.5, num_perm=16, **options)
    lsh3.insert("a", sketch(b"e"))
    with pytest.raises(ValueError):
        lsh1.merge(lsh3, check_overlap=True)
    lsh1.merge(lsh3)  # an overlapping key without the check: both of its sketches find it
    assert "a" in lsh1.query(m1) and "a" in lsh1.query(sketch(b"e"))
    assert lsh1.query(sketch(b"e")).count("a") == 1
    with pytest.raises(ValueError, match="initialization"):
        lsh1.merge(MinHashLSH(threshold=0.5, num_perm=32, **options))


def test_mixing_schemes_fails_loudly(options):
    lsh = MinHashLSH(threshold=0.5, num_perm=16, **options)
    lsh.insert("a", sketch(b"a"))
    for other in (sketch(b"a", scheme="legacy"), MinHash.from_text("some text here", 16)):
        with pytest.raises(ValueError, match="scheme"):
            lsh.insert("x", other)
        with pytest.raises(ValueError, match="scheme"):
            lsh.query(other)
    other_index = MinHashLSH(threshold=0.5, num_perm=16, **options)
    other_index.insert("z", sketch(b"z", scheme="affine64"))
    with pytest.raises(ValueError, match="scheme"):
        lsh.merge(other_index)


def test_empty_datasketch_sketches_collide_as_there():
    lsh = MinHashLSH(threshold=0.5, num_perm=16)
    lsh.insert("empty", MinHash(16))
    assert lsh.query(MinHash(16)) == ["empty"] and not lsh.is_empty()
    texts = MinHashLSH(threshold=0.5, num_perm=16)
    texts.insert("empty", MinHash.from_text("", 16))  # retold's rule for an empty text: never a candidate
    assert texts.query(MinHash.from_text("", 16)) == [] and texts.is_empty() and "empty" in texts


def test_in_memory_index_still_saves_and_loads(tmp_path):
    lsh = MinHashLSH(threshold=0.5, num_perm=16)
    for key in "abc":
        lsh.insert(key, sketch(key.encode()))
    lsh.save(tmp_path / "index.npz")
    loaded = MinHashLSH.load(tmp_path / "index.npz", mmap=True)
    assert loaded.keys() == ["a", "b", "c"] and loaded.params == lsh.params
    assert loaded.query(sketch(b"b")) == ["b"]
    assert [len(t) for t in loaded.hashtables] == [len(t) for t in lsh.hashtables]
    with pytest.raises(ValueError, match="scheme"):  # the file remembers the scheme it indexes
        loaded.insert("d", sketch(b"d", scheme="legacy"))
    with pytest.raises(TypeError, match="storage_config"):
        MinHashLSH(threshold=0.5, num_perm=16, prepickle=True).save(tmp_path / "no.npz")


def test_setstate_refuses_a_damaged_index():
    lsh = MinHashLSH(threshold=0.5, num_perm=16)
    lsh.insert("a", sketch(b"a"))
    state = lsh.__getstate__()
    state["_sorted_rows"] = state["_sorted_rows"] + 5
    with pytest.raises(ValueError, match="MinHashLSH state"):
        MinHashLSH.__new__(MinHashLSH).__setstate__(state)
    with pytest.raises(ValueError, match="MinHashLSH state"):
        MinHashLSH.__new__(MinHashLSH).__setstate__({"threshold": 0.5})


@pytest.mark.parametrize("engine", list(ENGINES))
def test_eight_threads_share_one_index(engine, fast_thread_switches):
    n = 6000  # past the array index's rebuild thresholds, so threads also meet a rebuild
    lsh = MinHashLSH(threshold=0.5, num_perm=32, **ENGINES[engine])
    sketches = MinHash.bulk([[str(i).encode(), b"shared"] for i in range(n)], num_perm=32)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(t):
        try:
            barrier.wait()
            for i in range(t, n, 8):
                lsh.insert(i, sketches[i])
                assert i in lsh.query(sketches[i])
                if i % 3 == 0:
                    lsh.remove(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    keys = list(lsh.keys) if not ENGINES[engine].get("prepickle") else [pickle.loads(k) for k in lsh.keys]
    assert sorted(keys) == [i for i in range(n) if i % 3] and len(lsh) == len(keys)
    for i in range(0, n, 7):
        assert (i in lsh.query(sketches[i])) == bool(i % 3)


def test_answers_equal_datasketch_on_random_sets():
    ds = pytest.importorskip("datasketch", minversion="2.0", reason="datasketch 2.x is the oracle here")
    rng = np.random.default_rng(8)
    base = [rng.integers(0, 10**6, size=60) for _ in range(30)]
    sets = [[str(x).encode() for x in b] for b in base]
    sets += [s[:50] + [b"x%d" % i for i in range(10)] for i, s in enumerate(sets)]  # near-duplicates
    mine, theirs = MinHash.bulk(sets, num_perm=128), ds.MinHash.bulk(sets, num_perm=128)
    for options in ({}, {"hashfunc": bytes}):
        a, b = MinHashLSH(threshold=0.7, **options), ds.MinHashLSH(threshold=0.7)
        for i, (m, t) in enumerate(zip(mine, theirs)):
            a.insert(i, m)
            b.insert(i, t)
        for m, t in zip(mine, theirs):
            assert sorted(a.query(m)) == sorted(b.query(t)) == sorted(a.query(t))


def test_datasketch_weighted_sketches_index_too(options):
    ds = pytest.importorskip("datasketch", reason="datasketch makes the weighted sketches here")
    gen = ds.WeightedMinHashGenerator(10, sample_size=4)
    rng = np.random.default_rng(2)
    m1, m2 = gen.minhash(rng.uniform(1, 10, 10)), gen.minhash(rng.uniform(1, 10, 10))
    lsh = MinHashLSH(threshold=0.5, num_perm=4, **options)
    lsh.insert("a", m1)
    lsh.insert("b", m2)
    assert "a" in lsh.query(m1) and "b" in lsh.query(m2)
    lsh.remove("a")
    assert "a" not in lsh and "a" not in lsh.query(m1)
    with pytest.raises(ValueError):
        lsh.insert("c", ds.WeightedMinHashGenerator(10, sample_size=5).minhash(rng.uniform(1, 10, 10)))


def test_check_duplication_false():
    arrays = MinHashLSH(threshold=0.5, num_perm=16)
    arrays.insert("a", sketch(b"a"))
    with pytest.raises(ValueError, match="already"):  # one key, one row in the array index
        arrays.insert("a", sketch(b"b"), check_duplication=False)
    tables = MinHashLSH(threshold=0.5, num_perm=16, prepickle=True)
    tables.insert("a", sketch(b"a"))
    tables.insert("a", sketch(b"b"), check_duplication=False)  # datasketch stores it twice
    assert "a" in tables.query(sketch(b"a")) and "a" in tables.query(sketch(b"b"))
