"""The batch path of MinHash LSH: every candidate pair among many signatures at once.

Per band, one stable sort of the band's keys; runs of equal keys are buckets, and each bucket
gives its pairs (or, over ``bucket_cap`` members, only its star edges to its first member) as
64-bit codes ``a << 32 | b``, merged over the bands.  :meth:`retold.MinHashLSH.candidate_pairs`
checks its arguments and calls :func:`pairs_from_band_keys`.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from retold._backend import kernels
from retold._renamed import renamed_attribute

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import lsh as _lsh
else:
    _lsh = kernels("lsh")

__all__ = ["Candidates", "MAX_DOCS", "band_pairs", "pairs_from_band_keys"]

MAX_DOCS = (1 << 32) - 1  # pair codes pack two document indices into 64 bits


@dataclass(frozen=True)
class Candidates:
    """Candidate pairs from the batch path.

    Attributes
    ----------
    a, b : np.ndarray of int64
        Row indices of the two ends of each pair, ``a < b``, sorted by (a, b), each pair once
        (``left`` and ``right`` are their old names, kept for one release).
    buckets_capped : int
        Buckets (over all bands) larger than ``bucket_cap`` that gave only star edges.
    largest_bucket : int
        Members of the largest bucket seen in any band.
    bucket_cap : int
        The cap in force.
    """

    a: np.ndarray
    b: np.ndarray
    buckets_capped: int
    largest_bucket: int
    bucket_cap: int

    left = renamed_attribute[np.ndarray]("a")
    right = renamed_attribute[np.ndarray]("b")

    def __len__(self) -> int:
        return len(self.a)


def pairs_from_band_keys(keys: np.ndarray, rows: np.ndarray, *, bucket_cap: int, workers: int) -> Candidates:
    """The candidate pairs of documents ``rows`` (int64) from their band keys (uint64, shape
    ``(bands, n)``), the bands sorted on ``workers`` threads."""
    # Threads pay off only when a band's sort is long enough to hide their start-up.
    serial = workers == 1 or len(rows) < 100_000
    bands = [band_pairs(keys[band], rows, bucket_cap) for band in range(len(keys))] if serial else None
    if bands is None:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            bands = list(pool.map(lambda band: band_pairs(keys[band], rows, bucket_cap), range(len(keys))))
    capped = sum(b[1] for b in bands)
    largest = max((b[2] for b in bands), default=0)
    codes = [b[0] for b in bands]
    merged = np.unique(np.concatenate(codes)) if codes else np.empty(0, np.uint64)
    a = (merged >> np.uint64(32)).astype(np.int64)
    b = (merged & np.uint64(0xFFFFFFFF)).astype(np.int64)
    return Candidates(a, b, capped, largest, bucket_cap)


def band_pairs(band_row: np.ndarray, rows: np.ndarray, bucket_cap: int) -> tuple[np.ndarray, int, int]:
    """Pair codes, capped buckets and largest bucket of one band over documents ``rows``."""
    m = len(rows)
    keys = np.ascontiguousarray(band_row)[rows]
    bits = max(1, (m - 1).bit_length())
    if bits <= 40:
        # Sort values, not indices: the key's low bits give way to the row's number, which
        # is twice as fast as an argsort.  The keys keep 64 - bits >= 24 bits, so unrelated
        # documents share a truncated key with probability 2**-(64 - bits) per pair (a
        # spurious candidate, which verification drops).
        shift = np.uint64(bits)
        packed = keys >> shift
        np.left_shift(packed, shift, out=packed)
        np.bitwise_or(packed, np.arange(m, dtype=np.uint64), out=packed)
        packed.sort()
        docs = np.bitwise_and(packed, np.uint64((1 << bits) - 1)).view(np.int64)
        if m != len(band_row):  # some rows left out: map positions back to rows
            docs = rows[docs]
        sorted_keys = np.right_shift(packed, shift, out=packed)
    else:
        order = np.argsort(keys)
        sorted_keys = keys[order]
        docs = rows[order]
    sorted_keys = np.ascontiguousarray(sorted_keys)
    docs = np.ascontiguousarray(docs, dtype=np.int64)
    cap = bucket_cap
    count, capped, largest = _lsh.count_bucket_pairs(sorted_keys, cap)
    out = np.empty(int(count), dtype=np.uint64)
    if count:
        _lsh.fill_bucket_pairs(sorted_keys, docs, cap, out)
    return out, int(capped), int(largest)
