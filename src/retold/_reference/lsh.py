"""Pure-Python twin of ``ext/lsh.pyx``: band keys, bucket pairs, verification, union-find.

See the compiled module's docstring for the definitions; this file is their plainest statement.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from retold import _kernel_args as checks
from retold._reference._hash64 import GOLDEN, MASK64, fmix64

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy as np
    import numpy.typing as npt


def _band_key(slots: list[int], band: int) -> int:
    acc = fmix64(((band + 1) * GOLDEN) & MASK64)
    for value in slots:
        acc = (fmix64(acc ^ int(value)) * GOLDEN) & MASK64
    return fmix64(acc)


def band_keys(
    signatures: npt.NDArray[np.uint64], bands: int, rows: int, out: npt.NDArray[np.uint64]
) -> None:
    """Fill ``out[i, d]`` with the key of band ``i`` of signature ``d`` (out: (bands, n))."""
    signatures, bands, rows, out = checks.band_keys_args(signatures, bands, rows, out)
    for d in range(signatures.shape[0]):
        row: list[int] = signatures[d].tolist()
        for i in range(bands):
            out[i, d] = _band_key(row[i * rows : (i + 1) * rows], i)


def _runs(keys: list[int]) -> Iterator[tuple[int, int]]:
    i, n = 0, len(keys)
    while i < n:
        j = i + 1
        while j < n and keys[j] == keys[i]:
            j += 1
        yield i, j
        i = j


def count_bucket_pairs(sorted_keys: npt.NDArray[np.uint64], cap: int) -> tuple[int, int, int]:
    """(pairs, capped buckets, largest bucket) of one band's sorted keys."""
    sorted_keys, cap = checks.count_bucket_pairs_args(sorted_keys, cap)
    pairs = capped = largest = 0
    for i, j in _runs(sorted_keys.tolist()):
        m = j - i
        largest = max(largest, m)
        if m > cap:
            capped += 1
            pairs += m - 1
        else:
            pairs += m * (m - 1) // 2
    return pairs, capped, largest


def _code(x: int, y: int) -> int:
    return (x << 32) | y if x < y else (y << 32) | x


def fill_bucket_pairs(
    sorted_keys: npt.NDArray[np.uint64], order: npt.NDArray[np.int64], cap: int, out: npt.NDArray[np.uint64]
) -> int:
    """Write the pair codes of one band into ``out``; returns the number written."""
    sorted_keys, order, cap, out = checks.fill_bucket_pairs_args(sorted_keys, order, cap, out)
    docs: list[int] = order.tolist()
    room = out.shape[0]
    w = 0
    for i, j in _runs(sorted_keys.tolist()):
        if j - i > cap:
            centre = min(docs[i:j])
            for b in range(i, j):
                if docs[b] != centre:
                    if w == room:
                        raise checks.out_of_room("out", room)
                    out[w] = _code(centre, docs[b])
                    w += 1
        else:
            for a in range(i, j):
                for b in range(a + 1, j):
                    if w == room:
                        raise checks.out_of_room("out", room)
                    out[w] = _code(docs[a], docs[b])
                    w += 1
    return w


def verify_pairs(
    offsets: npt.NDArray[np.int64],
    values: npt.NDArray[np.uint64],
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    containment: bool,
    out: npt.NDArray[np.float64],
) -> None:
    """Exact similarity of each pair of CSR shingle sets into ``out`` (jaccard or containment)."""
    offsets, values, left, right, containment, out = checks.verify_pairs_args(
        offsets, values, left, right, containment, out)
    starts: list[int] = offsets.tolist()
    for p, (a, b) in enumerate(zip(left.tolist(), right.tolist())):
        set_a: set[int] = set(values[starts[a] : starts[a + 1]].tolist())
        set_b: set[int] = set(values[starts[b] : starts[b + 1]].tolist())
        common = len(set_a & set_b)
        denom = min(len(set_a), len(set_b)) if containment else len(set_a) + len(set_b) - common
        out[p] = common / denom if denom > 0 else 0.0


def union_find(left: npt.NDArray[np.int64], right: npt.NDArray[np.int64], labels: npt.NDArray[np.int64]) -> None:
    """Label each of ``len(labels)`` items with the smallest index of its component."""
    left, right, labels = checks.union_find_args(left, right, labels)
    n = len(labels)
    parent = list(range(n))

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in zip(left.tolist(), right.tolist()):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    for i in range(len(parent)):
        labels[i] = find(i)
