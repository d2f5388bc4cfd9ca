"""MinHash LSH: parameter choice, kernels on both backends, batch pairs, the incremental index, files."""
from __future__ import annotations

import itertools
import os
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, initialize, invariant, rule

from retold import EMPTY_SLOT, MinHash, MinHashLSH, minhash_batch
from retold.lsh import IndexFileError, optimal_params
from tests.conftest import kernel_modules, shared_path


U64 = np.uint64


# ---------------------------------------------------------------- naive oracles


def naive_band_pairs(sigs: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    """Pairs of rows that agree on every slot of at least one band (empty rows never pair)."""
    empty = np.all(sigs == EMPTY_SLOT, axis=1)
    out = set()
    for a, b in itertools.combinations(range(len(sigs)), 2):
        if empty[a] or empty[b]:
            continue
        for band in range(bands):
            cut = slice(band * rows, (band + 1) * rows)
            if np.array_equal(sigs[a, cut], sigs[b, cut]):
                out.add((a, b))
                break
    return out


def naive_params(threshold: float, num_perm: int, recall: float) -> tuple[int, int]:
    best = None
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            if 1 - (1 - threshold**r) ** b < recall:
                continue
            j = (np.arange(2048) + 0.5) * (threshold / 2048)
            area = float(np.sum(1 - (1 - j**r) ** b) * threshold / 2048)
            key = (round(area, 12), b * r, -r)
            if best is None or key < best[0]:
                best = (key, (b, r))
    return best[1]


def small_signatures(draw_values, n: int, k: int) -> np.ndarray:
    return np.array(draw_values, dtype=U64).reshape(n, k)


# ---------------------------------------------------------------- parameters and the S-curve


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.8, 0.9])
@pytest.mark.parametrize("recall", [0.9, 0.95, 0.99])
def test_params_reach_recall_with_least_false_positive_area(threshold, recall):
    bands, rows = optimal_params(threshold, 64, recall)
    assert bands * rows <= 64
    assert 1 - (1 - threshold**rows) ** bands >= recall
    assert (bands, rows) == naive_params(threshold, 64, recall)


def test_default_index_finds_pairs_at_threshold_with_asked_recall():
    lsh = MinHashLSH(threshold=0.8, num_perm=128, recall=0.95)
    assert lsh.probability(0.8) >= 0.95
    assert lsh.probability(0.85) >= 0.99  # the recall check is at threshold + 0.05
    assert lsh.probability(0.3) < 0.01
    curve = lsh.probability(np.linspace(0, 1, 11))
    assert np.all(np.diff(curve) >= 0) and curve[0] == 0 and curve[-1] == 1


def test_params_override_and_validation():
    lsh = MinHashLSH(0.5, 200, params=(50, 4))
    assert lsh.params == (50, 4)
    assert lsh.probability(0.5) == pytest.approx(1 - (1 - 0.5**4) ** 50)
    with pytest.raises(ValueError, match="num_perm=128"):
        MinHashLSH(0.8, 128, params=(20, 7))
    with pytest.raises(ValueError, match="threshold"):
        MinHashLSH(1.5)
    with pytest.raises(TypeError, match="num_perm"):
        MinHashLSH(0.8, "128")
    with pytest.raises(ValueError, match="cannot reach recall"):
        MinHashLSH(0.05, 4, recall=0.99)
    with pytest.raises(ValueError, match="j must"):
        lsh.probability(1.2)


# ---------------------------------------------------------------- kernels: both backends agree


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_band_keys_backends_agree(data):
    from retold._backend import compiled_kernels, reference_kernels

    try:
        compiled = compiled_kernels("lsh")
    except ImportError:
        pytest.skip("compiled kernels are not built")
    rows = data.draw(st.integers(1, 4))
    bands = data.draw(st.integers(1, 4))
    k = rows * bands + data.draw(st.integers(0, 2))
    n = data.draw(st.integers(0, 6))
    values = data.draw(st.lists(st.integers(0, 2**64 - 1), min_size=n * k, max_size=n * k))
    sigs = small_signatures(values, n, k)
    out_c = np.empty((bands, n), U64)
    out_p = np.empty((bands, n), U64)
    compiled.band_keys(sigs, bands, rows, out_c)
    reference_kernels("lsh").band_keys(sigs, bands, rows, out_p)
    assert np.array_equal(out_c, out_p)


def test_band_key_depends_on_band_and_every_slot(impl):
    lsh_k = impl("lsh")
    sigs = np.array([[1, 2, 3, 4], [3, 4, 1, 2], [1, 2, 3, 5], [1, 3, 3, 4]], dtype=U64)
    out = np.empty((2, 4), U64)
    lsh_k.band_keys(sigs, 2, 2, out)
    assert out[0, 0] != out[1, 1]  # same slots, other band: different key
    assert out[0, 0] == out[0, 2] and out[1, 0] != out[1, 2]
    assert out[0, 0] != out[0, 3]


@settings(max_examples=40, deadline=None)
@given(keys=st.lists(st.integers(0, 4), max_size=30), cap=st.integers(1, 6))
def test_bucket_pairs_backends_agree_with_oracle(keys, cap):
    sorted_keys = np.array(sorted(keys), dtype=U64)
    order = np.arange(len(keys), dtype=np.int64)[::-1].copy()
    expected = set()
    runs = itertools.groupby(range(len(keys)), key=lambda p: sorted_keys[p])
    for _, group in runs:
        members = [int(order[p]) for p in group]
        if len(members) > cap:
            centre = min(members)
            edges = [(centre, m) for m in members if m != centre]
        else:
            edges = list(itertools.combinations(members, 2))
        expected.update((min(a, b) << 32) | max(a, b) for a, b in edges)
    for module in kernel_modules("lsh"):
        count, capped, largest = module.count_bucket_pairs(sorted_keys, cap)
        out = np.empty(count, U64)
        assert module.fill_bucket_pairs(sorted_keys, order, cap, out) == count
        assert set(out.tolist()) == expected and len(out) == len(expected)
        sizes = [len(list(g)) for _, g in itertools.groupby(sorted_keys.tolist())]
        assert largest == max(sizes, default=0)
        assert capped == sum(s > cap for s in sizes)


@settings(max_examples=40, deadline=None)
@given(
    sets=st.lists(st.sets(st.integers(0, 30), max_size=12), min_size=2, max_size=6),
    data=st.data(),
)
def test_verify_pairs_backends_agree_with_oracle(sets, data):
    offsets = np.zeros(len(sets) + 1, np.int64)
    offsets[1:] = np.cumsum([len(s) for s in sets])
    values = np.array([v for s in sets for v in sorted(s)], dtype=U64)
    pairs = data.draw(st.lists(st.tuples(st.integers(0, len(sets) - 1), st.integers(0, len(sets) - 1)), max_size=8))
    left = np.array([a for a, _ in pairs], np.int64)
    right = np.array([b for _, b in pairs], np.int64)
    modules = kernel_modules("lsh")
    for containment in (False, True):
        expected = []
        for a, b in pairs:
            common = len(sets[a] & sets[b])
            denom = min(len(sets[a]), len(sets[b])) if containment else len(sets[a] | sets[b])
            expected.append(common / denom if denom else 0.0)
        for module in modules:
            out = np.empty(len(pairs))
            module.verify_pairs(offsets, values, left, right, containment, out)
            assert out.tolist() == expected


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 20), data=st.data())
def test_union_find_labels_components_by_smallest_member(n, data):
    edges = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=25))
    left = np.array([a for a, _ in edges], np.int64)
    right = np.array([b for _, b in edges], np.int64)
    # Oracle: flood fill.
    neighbours = {i: set() for i in range(n)}
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    expected = [-1] * n
    for start in range(n):
        if expected[start] >= 0:
            continue
        stack = [start]
        while stack:
            x = stack.pop()
            if expected[x] < 0:
                expected[x] = start
                stack.extend(neighbours[x])
    for module in kernel_modules("lsh"):
        labels = np.empty(n, np.int64)
        module.union_find(left, right, labels)
        assert labels.tolist() == expected


@pytest.mark.parametrize("n, left, right, match", [
    (0, [0], [0], "outside"),          # edges but no items: once a NULL dereference
    (3, [0, 3], [1, 1], "outside"),
    (3, [0, -1], [1, 1], "outside"),
    (3, [0, 1], [1], "same length"),
])
def test_union_find_refuses_edges_it_cannot_hold(impl, n, left, right, match):
    labels = np.empty(n, np.int64)
    with pytest.raises(ValueError, match=match):
        impl("lsh").union_find(np.array(left, np.int64), np.array(right, np.int64), labels)


def test_union_find_with_nothing():
    for module in kernel_modules("lsh"):
        labels = np.empty(0, np.int64)
        module.union_find(np.empty(0, np.int64), np.empty(0, np.int64), labels)
        assert labels.size == 0



# ---------------------------------------------------------------- batch path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_candidate_pairs_equal_naive_band_agreement(data):
    n = data.draw(st.integers(0, 12))
    k = 6
    values = data.draw(st.lists(st.integers(0, 2), min_size=n * k, max_size=n * k))
    sigs = small_signatures(values, n, k)
    if n:
        sigs[data.draw(st.integers(0, n - 1))] = EMPTY_SLOT
    lsh = MinHashLSH(0.5, k, params=(3, 2), bucket_cap=10**6)
    found = lsh.candidate_pairs(sigs)
    assert list(zip(found.a.tolist(), found.b.tolist())) == sorted(naive_band_pairs(sigs, 3, 2))


def test_huge_bucket_gives_star_edges_and_is_reported():
    n = 1000
    sigs = np.tile(np.arange(8, dtype=U64), (n, 1))  # boilerplate: every band collides
    lsh = MinHashLSH(0.5, 8, params=(4, 2), bucket_cap=50)
    found = lsh.candidate_pairs(sigs)
    assert len(found) == n - 1  # linear, not n*(n-1)/2
    assert set(found.a.tolist()) == {0}
    assert found.buckets_capped == 4 and found.largest_bucket == n
    small = MinHashLSH(0.5, 8, params=(4, 2), bucket_cap=n).candidate_pairs(sigs[:60])
    assert len(small) == 60 * 59 // 2 and small.buckets_capped == 0


def test_candidate_pairs_on_real_signatures_finds_edited_copy():
    base = " ".join(f"w{i}" for i in range(200))
    edited = base.replace("w100 ", "x100 ")
    other = " ".join(f"v{i}" for i in range(200))
    sigs = minhash_batch([base, other, edited, ""])
    found = MinHashLSH(0.8).candidate_pairs(sigs)
    assert list(zip(found.a.tolist(), found.b.tolist())) == [(0, 2)]


def test_candidate_pairs_validates_input():
    lsh = MinHashLSH(0.8, 16)
    with pytest.raises(ValueError, match=r"shape \(n, 16\)"):
        lsh.candidate_pairs(np.zeros((3, 8), U64))
    with pytest.raises(TypeError, match="signatures"):
        lsh.candidate_pairs(np.zeros((3, 16), np.float64))
    with pytest.raises(ValueError, match="negative"):
        lsh.candidate_pairs(-np.ones((3, 16), np.int64))


def test_textreuse_legal_gives_exactly_the_known_pair():
    folder = shared_path("data", "textreuse", "legal")
    files = sorted(folder.glob("*.txt"))
    names = [f.stem for f in files]
    texts = [f.read_text(encoding="utf-8") for f in files]
    for scheme in ("oph", "kperm"):
        sigs = minhash_batch(texts, num_perm=200, ngram=5, scheme=scheme)
        found = MinHashLSH(0.5, 200, params=(50, 4)).candidate_pairs(sigs)
        pairs = [(names[a], names[b]) for a, b in zip(found.a.tolist(), found.b.tolist())]
        assert pairs == [("ca1851-match", "ny1850-match")], scheme


# ---------------------------------------------------------------- incremental path


def test_insert_query_remove_like_datasketch():
    texts = ["a b c d e f g h i j k l m n o p", "a b c d e f g h i j k l m n o q", "z y x w v u t s r q p"]
    sketches = [MinHash.from_text(t, num_perm=64) for t in texts]
    lsh = MinHashLSH(0.6, 64)
    for i, m in enumerate(sketches):
        lsh.insert(f"doc{i}", m)
    assert len(lsh) == 3 and "doc1" in lsh and "nope" not in lsh and [] not in lsh
    assert lsh.query(sketches[0]) == ["doc0", "doc1"]
    assert lsh.query(sketches[0].digest()) == ["doc0", "doc1"]
    with pytest.raises(ValueError, match="already"):
        lsh.insert("doc0", sketches[0])
    lsh.remove("doc1")
    assert lsh.query(sketches[1]) == ["doc0"] and len(lsh) == 2
    with pytest.raises(KeyError):
        lsh.remove("doc1")
    with pytest.raises(ValueError, match="num_perm"):
        lsh.insert("x", MinHash(128))
    with pytest.raises(TypeError):
        lsh.insert(["unhashable"], sketches[0])


def test_empty_signature_is_stored_but_never_matches():
    lsh = MinHashLSH(0.8, 16)
    empty = np.full(16, EMPTY_SLOT, U64)
    lsh.insert("e1", empty)
    lsh.insert("e2", empty)
    assert "e1" in lsh and lsh.query(empty) == []


def test_many_inserts_rebuild_the_sorted_index():
    sigs = minhash_batch([f"story {i} " + "word " * (i % 7) + f"tail {i}" for i in range(6000)], num_perm=16)
    lsh = MinHashLSH(0.8, 16)
    for i in range(5000):
        lsh.insert(i, sigs[i])
    lsh.insert_batch(range(5000, 6000), sigs[5000:])
    assert lsh._sorted_upto > 0  # the sorted arrays took over from the dicts
    for i in (0, 4999, 5500):
        assert i in lsh.query(sigs[i])


class IndexMachine(RuleBasedStateMachine):
    """The index against a dict model: key -> signature, query = band agreement with live keys."""

    K, BANDS, ROWS = 6, 3, 2
    keys = Bundle("keys")

    @initialize()
    def start(self):
        self.lsh = MinHashLSH(0.5, self.K, params=(self.BANDS, self.ROWS))
        self.model: dict = {}
        self.counter = 0

    @staticmethod
    def _sig(values):
        return np.array(values, dtype=U64)

    @rule(target=keys, values=st.lists(st.integers(0, 2), min_size=K, max_size=K), empty=st.booleans())
    def insert(self, values, empty):
        key = f"k{self.counter}"
        self.counter += 1
        sig = np.full(self.K, EMPTY_SLOT, U64) if empty else self._sig(values)
        self.lsh.insert(key, sig)
        self.model[key] = sig
        return key

    @rule(key=consumes(keys))
    def remove(self, key):
        self.lsh.remove(key)
        del self.model[key]

    @rule(key=keys, values=st.lists(st.integers(0, 2), min_size=K, max_size=K))
    def reinsert_is_refused(self, key, values):
        if key in self.model:
            with pytest.raises(ValueError):
                self.lsh.insert(key, self._sig(values))

    @rule(values=st.lists(st.integers(0, 2), min_size=K, max_size=K))
    def query(self, values):
        sig = self._sig(values)
        expected = []
        for key, stored in self.model.items():  # dict order = insertion order
            if np.all(stored == EMPTY_SLOT):
                continue
            for band in range(self.BANDS):
                cut = slice(band * self.ROWS, (band + 1) * self.ROWS)
                if np.array_equal(stored[cut], sig[cut]):
                    expected.append(key)
                    break
        assert self.lsh.query(sig) == expected

    @rule(rows=st.lists(st.lists(st.integers(0, 2), min_size=K, max_size=K), max_size=4), empty=st.booleans())
    def query_batch_equals_queries(self, rows, empty):
        sigs = np.array(rows, dtype=U64).reshape(-1, self.K)
        if empty and len(sigs):
            sigs[0] = EMPTY_SLOT
        expected = [self.lsh.query(sig) for sig in sigs]
        assert self.lsh.query_batch(sigs) == expected

    @rule()
    def rebuild(self):
        self.lsh._rebuild()

    @rule(mmap=st.booleans())
    def save_and_load(self, mmap):
        import os
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "index.npz")
            self.lsh.save(path)
            mapped = MinHashLSH.load(path, mmap=mmap)
            assert mapped.keys() == list(self.model)
            # Go on with an in-memory copy: the folder (and the mapped file) goes away.
            self.lsh = MinHashLSH.load(path)

    @invariant()
    def same_keys(self):
        if hasattr(self, "lsh"):
            assert len(self.lsh) == len(self.model)
            assert self.lsh.keys() == list(self.model)
            for key in self.model:
                assert key in self.lsh


TestIndexMachine = IndexMachine.TestCase
TestIndexMachine.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)


# ---------------------------------------------------------------- files


def _filled_index(keys=("a", "b", "c")):
    sigs = minhash_batch([f"text number {k} with some words in it ok" for k in keys] + ["text number a with some words in it ok!"], num_perm=32)
    lsh = MinHashLSH(0.7, 32)
    lsh.insert_batch(list(keys), sigs[: len(keys)])
    return lsh, sigs


@pytest.mark.parametrize("mmap", [False, True])
def test_save_load_round_trip(tmp_path, mmap):
    lsh, sigs = _filled_index()
    lsh.insert("late", sigs[3])
    lsh.remove("b")
    path = tmp_path / "index.npz"
    lsh.save(path)
    loaded = MinHashLSH.load(path, mmap=mmap)
    assert loaded.params == lsh.params and loaded.threshold == lsh.threshold
    assert loaded.keys() == ["a", "c", "late"]
    for sig in sigs:
        assert loaded.query(sig) == lsh.query(sig)
    loaded.insert("b", sigs[1])  # a mapped index still takes inserts
    assert "b" in loaded.query(sigs[1])
    if mmap:
        assert isinstance(loaded._sorted_keys, np.memmap)


def test_save_int_keys_and_refuse_mixed(tmp_path):
    lsh, sigs = _filled_index()
    ints = MinHashLSH(0.7, 32)
    ints.insert_batch([10, 20], sigs[:2])
    ints.save(tmp_path / "ints.npz")
    assert MinHashLSH.load(tmp_path / "ints.npz").keys() == [10, 20]
    lsh.insert(5, sigs[3])
    with pytest.raises(TypeError, match="all str or all int"):
        lsh.save(tmp_path / "mixed.npz")
    assert not (tmp_path / "mixed.npz").exists()


@pytest.mark.parametrize("mmap", [False, True])
@pytest.mark.parametrize("cut", [0.3, 0.9, 0.995])
def test_truncated_file_is_refused_naming_it(tmp_path, mmap, cut):
    lsh, _ = _filled_index()
    path = tmp_path / "index.npz"
    lsh.save(path)
    data = path.read_bytes()
    bad = tmp_path / "truncated.npz"
    bad.write_bytes(data[: int(len(data) * cut)])
    with pytest.raises(IndexFileError, match="truncated.npz"):
        MinHashLSH.load(bad, mmap=mmap)


def test_corrupt_or_foreign_file_is_refused(tmp_path):
    lsh, _ = _filled_index()
    path = tmp_path / "index.npz"
    lsh.save(path)
    data = bytearray(path.read_bytes())
    # Flip bytes inside the last array member's data: the zip CRC catches it.
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("sorted_rows.npy")
    position = info.header_offset + 30 + len(info.filename) + info.file_size - 4
    data[position] ^= 0xFF
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(bytes(data))
    with pytest.raises(IndexFileError, match="corrupt.npz"):
        MinHashLSH.load(corrupt)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, x=np.arange(3))
    with pytest.raises(IndexFileError, match="foreign.npz"):
        MinHashLSH.load(foreign)
    text = tmp_path / "text.npz"
    text.write_text("hello")
    with pytest.raises(IndexFileError, match="text.npz"):
        MinHashLSH.load(text, mmap=True)
    with pytest.raises(FileNotFoundError):
        MinHashLSH.load(tmp_path / "missing.npz")


def test_save_replaces_atomically(tmp_path):
    lsh, _ = _filled_index()
    path = tmp_path / "index.npz"
    lsh.save(path)
    lsh.insert("more", np.arange(32, dtype=U64))
    lsh.save(path)
    assert "more" in MinHashLSH.load(path)
    assert [p.name for p in tmp_path.iterdir()] == ["index.npz"]


def test_threaded_band_sorting_gives_the_same_pairs():
    rng = np.random.default_rng(5)
    n = 120_000  # above the size where bands are sorted on threads
    keys = rng.integers(0, 50_000, size=(3, n), dtype=np.uint64)
    lsh = MinHashLSH(0.5, 6, params=(3, 2), bucket_cap=8)
    serial = lsh.candidate_pairs_from_keys(keys)
    threaded = lsh.candidate_pairs_from_keys(keys, workers=2)
    assert len(serial) > 0
    assert np.array_equal(serial.a, threaded.a) and np.array_equal(serial.b, threaded.b)
    assert serial.buckets_capped == threaded.buckets_capped


def test_query_batch_with_and_without_pending_inserts():
    texts = [" ".join(f"w{i % 40}x{j}" for j in range(12)) for i in range(300)]  # 40 distinct texts
    sigs = minhash_batch(texts, num_perm=32)
    lsh = MinHashLSH(0.7, 32)
    lsh.insert_batch(range(200), sigs[:200])
    lsh.insert(200, sigs[200])  # pending in the dict
    small = lsh.query_batch(sigs[:1])  # fewer queries than pending rows: looked up one by one
    assert small == [lsh.query(sigs[0])]
    batch = lsh.query_batch(sigs)
    assert batch == [lsh.query(s) for s in sigs]
    assert 200 in batch[200] and batch[0] == [k for k in range(201) if k % 40 == 0]
    assert MinHashLSH(0.7, 32).query_batch(sigs[:3]) == [[], [], []]


def _query_results(lsh, sigs):
    return [lsh.query(sig) for sig in sigs], lsh.query_batch(sigs), lsh.keys()


@pytest.mark.parametrize("mmap", [False, True])
def test_a_bit_flip_anywhere_is_refused_at_load_or_changes_nothing(tmp_path, mmap):
    # Issue 19: with mmap=True, flips loaded silently with other answers, or failed at query.
    keys = [f"k{i}" for i in range(40)]
    texts = [f"story {i % 7} about the harbour fire and the crane number {i}" for i in range(40)]
    sigs = minhash_batch(texts + ["", "unrelated words about snow on a pass"], num_perm=32)
    lsh = MinHashLSH(0.5, 32)
    lsh.insert_batch(keys + ["empty"], sigs[:41])
    path = tmp_path / "index.npz"
    lsh.save(path)
    expected = _query_results(MinHashLSH.load(path), sigs)
    data = path.read_bytes()
    rng = np.random.default_rng(19)
    bad = tmp_path / "flipped.npz"
    for bit in rng.choice(len(data) * 8, size=int(os.environ.get("RETOLD_FLIPS", 400)), replace=False).tolist():
        flipped = bytearray(data)
        flipped[bit // 8] ^= 1 << (bit % 8)
        bad.write_bytes(bytes(flipped))
        try:
            loaded = MinHashLSH.load(bad, mmap=mmap)
        except IndexFileError:
            continue
        assert _query_results(loaded, sigs) == expected, f"bit {bit} loaded with other answers"
