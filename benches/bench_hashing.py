"""Raw text to a 128-slot MinHash signature: retold against its twin and the peers users install.

Every pipeline starts from the same raw texts (``retold.synthetic.news_corpus``, fixed seed) and
ends with one 128-value signature per text, over the same shingles: word 5-grams of the tokens
retold's tokeniser finds, folded to lower case. What each timed pipeline includes:

``retold-oph-w1`` / ``-w2``, ``retold-kperm-w1`` / ``-w2``
    ``retold.minhash_batch(texts, scheme=..., workers=...)``: argument checks, NFC check, native
    tokenising (NFKC + casefold), shingle hashing and MinHash, all in the compiled kernels.
``retold-reference-oph`` / ``-kperm``
    The same work through the pure-Python twin (``retold._reference.hashing.minhash_texts``),
    on a small sample; its outputs are checked bit for bit against the compiled ones.
``peer shingling`` (shared by both peers)
    Pure Python, as a peer's user writes it: ``re.findall(r"[^\\W_]+", text.lower())``, then the
    5-grams joined with spaces into a ``set[str]``. On these texts (ASCII) it gives exactly the
    token strings of ``retold.tokenize``; ``test_peers_get_retold_shingles`` checks that.
``datasketch`` (2.x)
    Shingling as above plus encoding each shingle to UTF-8 bytes (datasketch hashes bytes);
    hashing is ``datasketch.MinHash.bulk(byte_sets, num_perm=128)``.
``rensa`` R-MinHash
    Shingling as above; hashing is one ``rensa.RMinHash(128, seed)`` per text, ``update(set)``,
    ``digest()``; ``rensa-bulk`` is rensa's batch call
    ``RMinHash.digest_matrix_from_token_sets(sets, 128, seed)``.

The shingling and the hashing of peer pipelines are timed separately; a peer's docs/s from raw
text is ``1 / (1/shingling + 1/hashing)`` (``benches/report.py`` prints it). Beside each speed,
the mean absolute error of its Jaccard estimates (share of equal slots) against the exact Jaccard
of word 5-gram sets, over ``pairs_at_jaccard`` pairs at targets 0.05..0.95.

Smoke mode (``--benchmark-disable``, the project default) runs everything once on small inputs
and still checks the answers; ``--benchmark-enable`` measures on 20k documents.
"""
from __future__ import annotations

import gc
import re
import tracemalloc
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
import pytest

import retold
from retold._reference import hashing as reference_hashing
from retold._textprep import as_texts
from retold.synthetic import iter_news, news_corpus, pairs_at_jaccard, vocabulary

NUM_PERM = 128
SEED = 1
CORPUS_SEED = 2024
TARGETS = np.round(np.linspace(0.05, 0.95, 19), 2)

# --------------------------------------------------------------------------- the pipelines

_WORD = re.compile(r"[^\W_]+")


def peer_shingles(text: str, ngram: int = 5) -> set[str]:
    """Word n-grams as a peer's user builds them in Python (same rule for short texts as retold)."""
    words = _WORD.findall(text.lower())
    if len(words) < ngram:
        return {" ".join(words)} if words else set()
    return set(map(" ".join, zip(*(words[i:] for i in range(ngram)))))


def peer_shingle_sets(texts: Sequence[str]) -> list[set[str]]:
    return [peer_shingles(text) for text in texts]


def datasketch_shingle_sets(texts: Sequence[str]) -> list[list[bytes]]:
    return [[s.encode("utf-8") for s in peer_shingles(text)] for text in texts]


def retold_signatures(texts: Sequence[str], scheme: str = "oph", workers: int = 1) -> np.ndarray:
    return retold.minhash_batch(texts, num_perm=NUM_PERM, scheme=scheme, seed=SEED, workers=workers)


def reference_signatures(texts: Sequence[str], scheme: str = "oph") -> np.ndarray:
    """What ``minhash_batch(workers=1)`` does, through the pure-Python twin."""
    prepared = as_texts(texts)
    out = np.empty((len(prepared), NUM_PERM), dtype=np.uint64)
    reference_hashing.minhash_texts(prepared, 5, "word", scheme, SEED, out)
    return out


def datasketch_hash(byte_sets: list[list[bytes]]) -> list:
    from datasketch import MinHash

    return MinHash.bulk(byte_sets, num_perm=NUM_PERM, seed=SEED)


def rensa_hash(sets: list[set[str]]) -> list[list[int]]:
    from rensa import RMinHash

    digests = []
    for shingles in sets:
        sketch = RMinHash(NUM_PERM, SEED)
        sketch.update(shingles)
        digests.append(sketch.digest())
    return digests


def rensa_bulk_hash(sets: list[set[str]]):
    from rensa import RMinHash

    return RMinHash.digest_matrix_from_token_sets(sets, NUM_PERM, SEED)


@lru_cache(maxsize=None)
def _pairs(seeds: int) -> tuple[list[str], list[str], np.ndarray]:
    firsts, seconds, exact = [], [], []
    for seed in range(seeds):
        for a, b, jaccard in pairs_at_jaccard(TARGETS, seed=seed):
            firsts.append(a)
            seconds.append(b)
            exact.append(jaccard)
    return firsts, seconds, np.asarray(exact)


def mean_abs_error(signatures: Callable[[list[str]], np.ndarray], seeds: int) -> float:
    """Mean |estimate - exact Jaccard| over the pairs; ``signatures`` maps texts to an (n, k) matrix."""
    firsts, seconds, exact = _pairs(seeds)
    both = np.asarray(signatures(firsts + seconds))
    a, b = both[: len(firsts)], both[len(firsts) :]
    estimates = np.mean(a == b, axis=1)
    return float(np.mean(np.abs(estimates - exact)))


# Text -> (n, 128) signature matrix, for the accuracy columns.
MATRIX = {
    "retold-oph": lambda texts: retold_signatures(texts, "oph"),
    "retold-kperm": lambda texts: retold_signatures(texts, "kperm"),
    "retold-reference-oph": lambda texts: reference_signatures(texts, "oph"),
    "retold-reference-kperm": lambda texts: reference_signatures(texts, "kperm"),
    "datasketch": lambda texts: np.array(
        [m.hashvalues for m in datasketch_hash(datasketch_shingle_sets(texts))]
    ),
    "rensa": lambda texts: np.array(rensa_hash(peer_shingle_sets(texts))),
    "rensa-bulk": lambda texts: np.array(rensa_bulk_hash(peer_shingle_sets(texts)).to_rows()),
}

# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def texts(sizes) -> list[str]:
    # On the pure-Python twins everything is ~100x slower: a corpus that still exercises it all.
    docs = sizes.docs if retold.BACKEND == "compiled" else min(sizes.docs, 100)
    return news_corpus(docs, seed=CORPUS_SEED).texts


@pytest.fixture(scope="session")
def shingle_sets(texts) -> list[set[str]]:
    return peer_shingle_sets(texts)


@pytest.fixture(scope="session")
def byte_sets(texts) -> list[list[bytes]]:
    return datasketch_shingle_sets(texts)


_errors: dict[str, float] = {}


def _error(name: str, seeds: int) -> float:
    if name not in _errors:
        _errors[name] = mean_abs_error(MATRIX[name], seeds)
    return _errors[name]


def _run(benchmark, function, *args, rounds: int = 3, **kwargs):
    """Time ``function`` a few rounds (inputs are large; calibration would take minutes)."""
    return benchmark.pedantic(function, args=args, kwargs=kwargs, rounds=rounds, iterations=1,
                              warmup_rounds=0)


def _record(benchmark, docs: int, error: float | None, stage: str) -> None:
    benchmark.extra_info["docs"] = docs
    benchmark.extra_info["stage"] = stage
    if error is not None:
        benchmark.extra_info["mean_abs_error"] = round(error, 4)
    if benchmark.stats is not None:  # None when benchmarks are disabled
        benchmark.extra_info["docs_per_s"] = round(docs / benchmark.stats.stats.mean)


# A 128-slot estimate of J has standard deviation <= 0.044; its mean absolute error over many
# pairs at 0.05..0.95 is about 0.03. A pipeline fed the wrong shingles or a broken hash misses.
MAX_MEAN_ABS_ERROR = 0.05

needs_compiled = pytest.mark.skipif(
    retold.BACKEND != "compiled", reason="the compiled kernels are not the active backend"
)

# --------------------------------------------------------------------------- benchmarks


def _check_error(benchmark, name: str, seeds: int, docs: int, stage: str) -> None:
    """Measure ``name``'s estimation error (:func:`_error`), hold it to the bound, record the run."""
    error = _error(name, seeds)
    assert error < MAX_MEAN_ABS_ERROR
    _record(benchmark, docs, error, stage)


@needs_compiled
@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("scheme", ["oph", "kperm"])
def test_retold(benchmark, sizes, texts, scheme, workers):
    benchmark.group = "raw text to signature"
    signatures = _run(benchmark, retold_signatures, texts, scheme, workers)
    assert signatures.shape == (len(texts), NUM_PERM)
    assert np.array_equal(signatures[:50], retold_signatures(texts[:50], scheme, 1))
    _check_error(benchmark, f"retold-{scheme}", sizes.pair_seeds, len(texts), "whole pipeline")


@pytest.mark.parametrize("scheme", ["oph", "kperm"])
def test_retold_reference(benchmark, sizes, texts, scheme):
    benchmark.group = "raw text to signature"
    sample = texts[: sizes.reference_docs]
    signatures = _run(benchmark, reference_signatures, sample, scheme, rounds=1)
    # The twin must give the compiled kernels' bits exactly.
    assert np.array_equal(signatures, retold_signatures(sample, scheme))
    error = _error(f"retold-reference-{scheme}", min(sizes.pair_seeds, 1))
    assert error < MAX_MEAN_ABS_ERROR + 0.02  # fewer pairs: a wider margin
    _record(benchmark, len(sample), error, "whole pipeline")


def test_peer_shingling(benchmark, texts):
    benchmark.group = "peer stages"
    sets = _run(benchmark, peer_shingle_sets, texts)
    assert len(sets) == len(texts) and all(sets)
    _record(benchmark, len(texts), None, "shingling (rensa)")


def test_datasketch_shingling(benchmark, texts):
    benchmark.group = "peer stages"
    sets = _run(benchmark, datasketch_shingle_sets, texts)
    assert all(isinstance(s[0], bytes) for s in sets)
    _record(benchmark, len(texts), None, "shingling (datasketch)")


def test_datasketch(benchmark, sizes, byte_sets):
    pytest.importorskip("datasketch")
    benchmark.group = "peer stages"
    sketches = _run(benchmark, datasketch_hash, byte_sets, rounds=1 if not sizes.smoke else 3)
    assert len(sketches) == len(byte_sets)
    _check_error(benchmark, "datasketch", sizes.pair_seeds, len(byte_sets), "hashing")


def test_rensa(benchmark, sizes, shingle_sets):
    pytest.importorskip("rensa")
    benchmark.group = "peer stages"
    digests = _run(benchmark, rensa_hash, shingle_sets)
    assert len(digests) == len(shingle_sets) and len(digests[0]) == NUM_PERM
    _check_error(benchmark, "rensa", sizes.pair_seeds, len(shingle_sets), "hashing")


def test_rensa_bulk(benchmark, sizes, shingle_sets):
    pytest.importorskip("rensa")
    benchmark.group = "peer stages"
    matrix = _run(benchmark, rensa_bulk_hash, shingle_sets)
    assert matrix.len() == len(shingle_sets)
    _check_error(benchmark, "rensa-bulk", sizes.pair_seeds, len(shingle_sets), "hashing")


# --------------------------------------------------------------------------- fairness and memory


def test_peers_get_retold_shingles(texts):
    """The peers hash the very word 5-grams retold does: same strings, as many as retold's hashes."""
    for text in texts[:100]:
        tokens = retold.tokenize(text)
        words = [s.casefold() for s in tokens.strings(text)]
        ours = {" ".join(words[i : i + 5]) for i in range(len(words) - 4)}
        assert peer_shingles(text) == ours
        assert len(ours) == len(retold.shingles(text))


def _streaming_peak(n_docs: int, chunk_size: int) -> tuple[int, int]:
    """Peak traced memory (bytes) of signing ``n_docs`` streamed documents; and rows signed."""
    gc.collect()
    tracemalloc.start()
    rows = 0
    try:
        texts = (record["text"] for record in iter_news(n_docs, seed=CORPUS_SEED))
        for block in retold.iter_minhash(texts, chunk_size=chunk_size, num_perm=NUM_PERM):
            rows += len(block)
        return tracemalloc.get_traced_memory()[1], rows
    finally:
        tracemalloc.stop()


@pytest.mark.skipif(
    retold.BACKEND != "compiled",
    reason="needs several generator chunks (1000s of documents): minutes on the pure-Python twins",
)
def test_streaming_memory_is_flat(sizes):
    vocabulary(50_000, CORPUS_SEED)  # built once and cached: not part of the stream's memory
    _streaming_peak(sizes.stream_chunk, sizes.stream_chunk)
    small, rows_small = _streaming_peak(sizes.stream_small, sizes.stream_chunk)
    large, rows_large = _streaming_peak(sizes.stream_large, sizes.stream_chunk)
    assert (rows_small, rows_large) == (sizes.stream_small, sizes.stream_large)
    # Five times the documents, (nearly) the same peak: one chunk of texts and signatures.
    assert large < 1.25 * small, (small, large)
