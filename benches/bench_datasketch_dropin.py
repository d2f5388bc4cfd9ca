"""The datasketch drop-in: ``MinHash.bulk`` and ``MinHashLSH`` insert + query, retold against datasketch.

Both libraries get the same element sets (word 3-gram byte strings of the synthetic news corpus,
``retold.synthetic``) and the same arguments, datasketch-style: ``MinHash.bulk(sets, num_perm=128)``
with the default SHA-1 hash and ``affine32`` scheme, then ``MinHashLSH(threshold=0.8,
num_perm=128)`` with datasketch's band choice, one ``insert`` and one ``query`` per document.
Before anything is timed the bench asserts that the two give the same hash values for every set
and the same keys for every query, so the times compare the same work.

Run as a script for the table in the README::

    PYTHONPATH=src python benches/bench_datasketch_dropin.py --docs 20000

or through pytest-benchmark (``--benchmark-disable`` for a smoke run on a few hundred documents)::

    PYTHONPATH=src python -m pytest benches/bench_datasketch_dropin.py -p no:cacheprovider
"""
from __future__ import annotations

import argparse
import time
from functools import lru_cache

import numpy as np
import pytest

from retold import MinHash, MinHashLSH
from retold.synthetic import news_corpus

NUM_PERM = 128
THRESHOLD = 0.8


@lru_cache(maxsize=2)
def element_sets(n_docs: int) -> list[list[bytes]]:
    """Word 3-grams of each document as bytes, the usual datasketch input."""
    sets = []
    for text in news_corpus(n_docs, seed=11).texts:
        words = text.lower().split()
        sets.append(list({" ".join(words[i:i + 3]).encode() for i in range(max(1, len(words) - 2))}))
    return sets


def bulk_retold(sets):
    return MinHash.bulk(sets, num_perm=NUM_PERM)


def bulk_datasketch(sets):
    import datasketch

    return datasketch.MinHash.bulk(sets, num_perm=NUM_PERM)


def lsh_retold(sketches):
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    for i, m in enumerate(sketches):
        lsh.insert(i, m)
    return [sorted(lsh.query(m)) for m in sketches]


def lsh_datasketch(sketches):
    import datasketch

    lsh = datasketch.MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    for i, m in enumerate(sketches):
        lsh.insert(i, m)
    return [sorted(lsh.query(m)) for m in sketches]


def check_same(sets):
    """Assert the two libraries agree; return both sketch lists for the LSH stage."""
    mine, theirs = bulk_retold(sets), bulk_datasketch(sets)
    assert all(np.array_equal(a.hashvalues, b.hashvalues) for a, b in zip(mine, theirs)), "hash values differ"
    assert lsh_retold(mine) == lsh_datasketch(theirs), "query answers differ"
    return mine, theirs


@pytest.fixture(scope="module")
def prepared(sizes):
    pytest.importorskip("datasketch", minversion="2.0", reason="datasketch 2.x is the peer here")
    sets = element_sets(sizes.docs)
    return (sets, *check_same(sets))


@pytest.mark.parametrize("library", ["retold", "datasketch"])
def test_bulk(benchmark, prepared, library):
    sets = prepared[0]
    run = bulk_retold if library == "retold" else bulk_datasketch
    sketches = benchmark(run, sets)
    assert len(sketches) == len(sets)
    assert np.array_equal(sketches[-1].hashvalues, prepared[2][-1].hashvalues)
    benchmark.extra_info["elements"] = sum(len(s) for s in sets)


@pytest.mark.parametrize("library", ["retold", "datasketch"])
def test_lsh_insert_and_query(benchmark, prepared, library):
    sets, mine, theirs = prepared
    found = benchmark(lsh_retold, mine) if library == "retold" else benchmark(lsh_datasketch, theirs)
    assert all(i in hits for i, hits in enumerate(found))  # each document finds itself
    benchmark.extra_info["candidates"] = sum(len(h) for h in found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    args = parser.parse_args()
    sets = element_sets(args.docs)
    elements = sum(len(s) for s in sets)
    mine, theirs = check_same(sets)
    print(f"{args.docs} documents, {elements} elements; hash values and query answers identical")
    rows = []
    for name, run, arg in [("retold MinHash.bulk", bulk_retold, sets),
                           ("datasketch MinHash.bulk", bulk_datasketch, sets),
                           ("retold MinHashLSH insert+query", lsh_retold, mine),
                           ("datasketch MinHashLSH insert+query", lsh_datasketch, theirs)]:
        start = time.perf_counter()
        run(arg)
        rows.append((name, time.perf_counter() - start))
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} s | {args.docs / seconds:,.0f} docs/s |")


if __name__ == "__main__":
    main()
