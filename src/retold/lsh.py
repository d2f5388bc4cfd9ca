"""MinHash LSH: find the pairs of signatures likely to be near-duplicates without comparing all pairs.

A signature of ``num_perm`` slots is cut into ``b`` bands of ``r`` slots; two documents become a
*candidate pair* when all ``r`` slots of at least one band agree.  With Jaccard similarity ``j``
each slot agrees with probability ~``j``, so a pair is a candidate with probability

    P(j) = 1 - (1 - j**r)**b            (the "S-curve", see :meth:`MinHashLSH.probability`)

Two paths share one index:

- the batch path (:meth:`MinHashLSH.candidate_pairs`): band keys of all signatures in one kernel,
  then, per band, one stable sort of the keys; runs of equal keys are buckets and give pairs.  No
  Python object is made per bucket, and a bucket larger than ``bucket_cap`` (boilerplate shared by
  thousands of documents) gives only its star edges to its first member, so it costs linear time;
- the incremental path (:meth:`MinHashLSH.insert`, :meth:`~MinHashLSH.query`,
  :meth:`~MinHashLSH.remove`: datasketch's interface, plus ``insert_batch`` and ``query_batch``),
  backed by one sorted numpy array of band keys that :meth:`~MinHashLSH.save` writes and
  :meth:`~MinHashLSH.load` can memory-map.
"""
from __future__ import annotations

import math
import os
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Hashable, Sequence

import numpy as np

from retold._backend import kernels
from retold._validate import check_fraction as _check_fraction
from retold._validate import as_uint64 as _as_uint64
from retold._validate import check_int as _check_int
from retold.hashing import EMPTY_SLOT, MinHash
from retold.io import atomic_write

_lsh = kernels("lsh")

DEFAULT_BUCKET_CAP = 200
"""Buckets with more members than this give star edges instead of all pairs."""

_FORMAT = "retold.MinHashLSH/1"
_MAX_DOCS = (1 << 32) - 1  # pair codes pack two document indices into 64 bits


class IndexFileError(ValueError):
    """A saved index that cannot be read: truncated, corrupt, or not a retold index."""


def _false_positive_area(threshold: float, bands: int, rows: int) -> float:
    """Integral of P(j) over [0, threshold): the weight of dissimilar pairs let through."""
    # Midpoint rule on a fine grid: exact enough to rank (b, r) choices, and cheap.
    steps = 2048
    j = (np.arange(steps) + 0.5) * (threshold / steps)
    return float(np.sum(1.0 - (1.0 - j**rows) ** bands) * (threshold / steps))


def optimal_params(threshold: float, num_perm: int, recall: float = 0.95) -> tuple[int, int]:
    """Bands and rows for a recall target at the threshold, with the fewest false candidates.

    Among all ``(b, r)`` with ``b * r <= num_perm`` and ``P(threshold) = 1 - (1 - t**r)**b >=
    recall``, choose the one whose S-curve has the least area below the threshold (the expected
    share of dissimilar pairs, Jaccard uniform on [0, t), that become candidates).  For a fixed
    ``r`` both P(t) and that area grow with ``b``, so only the smallest ``b`` reaching the target
    is worth considering for each ``r``; ties go to fewer slots, then more rows.

    datasketch instead minimises the sum of the false-positive and false-negative areas, which
    puts the curve's midpoint near the threshold: with 128 slots at 0.8 it finds only about 40%
    of the pairs whose Jaccard is exactly 0.8.  Here recall at the threshold is a guarantee.

    Raises
    ------
    ValueError
        When no ``(b, r)`` reaches ``recall`` (too few slots for a low threshold); the message
        says the best recall available.
    """
    best: tuple[float, int, int, int] | None = None
    best_recall = (0.0, 1, 1)
    for rows in range(1, num_perm + 1):
        p_row = threshold**rows
        max_bands = num_perm // rows
        reach = 1.0 - (1.0 - p_row) ** max_bands
        if reach > best_recall[0]:
            best_recall = (reach, max_bands, rows)
        if reach < recall:
            continue
        if p_row >= 1.0:
            bands = 1
        else:
            # Smallest b with (1 - t^r)^b <= 1 - recall; guard rounding at the boundary.
            bands = max(1, math.ceil(math.log1p(-recall) / math.log1p(-p_row)) if recall < 1 else max_bands)
            while bands > 1 and 1.0 - (1.0 - p_row) ** (bands - 1) >= recall:
                bands -= 1
            while bands < max_bands and 1.0 - (1.0 - p_row) ** bands < recall:
                bands += 1
        area = _false_positive_area(threshold, bands, rows)
        candidate = (round(area, 12), bands * rows, -rows, bands)
        if best is None or candidate < best:
            best = candidate
    if best is None:
        reach, b, r = best_recall
        raise ValueError(
            f"num_perm={num_perm} cannot reach recall={recall} at threshold={threshold}: the best is "
            f"{reach:.4f} with params=({b}, {r}); use more permutations or a lower recall"
        )
    return best[3], -best[2]


@dataclass(frozen=True)
class Candidates:
    """Candidate pairs from the batch path.

    Attributes
    ----------
    left, right : np.ndarray of int64
        Row indices of the pairs, ``left < right``, sorted by (left, right), each pair once.
    buckets_capped : int
        Buckets (over all bands) larger than ``bucket_cap`` that gave only star edges.
    largest_bucket : int
        Members of the largest bucket seen in any band.
    bucket_cap : int
        The cap in force.
    """

    left: np.ndarray
    right: np.ndarray
    buckets_capped: int
    largest_bucket: int
    bucket_cap: int

    def __len__(self) -> int:
        return len(self.left)


class MinHashLSH:
    """An LSH index over MinHash signatures, with a recall guarantee at the threshold.

    Parameters
    ----------
    threshold : float
        Jaccard similarity the index is tuned for.
    num_perm : int
        Length of the signatures it takes (as made by :func:`retold.minhash_batch` or
        :class:`retold.MinHash`, under one seed and scheme).
    recall : float
        Least probability that a pair with Jaccard equal to ``threshold`` becomes a candidate;
        pairs more similar are found more surely.  See :func:`optimal_params`.
    params : (int, int), optional
        ``(bands, rows)`` to use instead, with ``bands * rows <= num_perm``.
    bucket_cap : int
        In the batch path, a bucket with more members than this gives only the edges from its
        first member to each other one, so boilerplate shared by many documents costs linear time.

    Examples
    --------
    >>> from retold import MinHashLSH, minhash_batch
    >>> sigs = minhash_batch(["the cat sat on the mat today", "the cat sat on the mat today!"])
    >>> lsh = MinHashLSH(threshold=0.8)
    >>> lsh.insert("a", sigs[0])
    >>> lsh.query(sigs[1])
    ['a']
    """

    def __init__(
        self,
        threshold: float = 0.8,
        num_perm: int = 128,
        *,
        recall: float = 0.95,
        params: tuple[int, int] | None = None,
        bucket_cap: int = DEFAULT_BUCKET_CAP,
    ) -> None:
        self.threshold = _check_fraction(threshold, "threshold")
        self.num_perm = _check_int(num_perm, "num_perm", 1, 1 << 16)
        self.recall = _check_fraction(recall, "recall")
        self.bucket_cap = _check_int(bucket_cap, "bucket_cap", 1, 1 << 62)
        if params is None:
            self.bands, self.rows = optimal_params(self.threshold, self.num_perm, self.recall)
        else:
            if not isinstance(params, (tuple, list)) or len(params) != 2:
                raise TypeError("params must be a pair (bands, rows)")
            bands = _check_int(params[0], "params[0] (bands)", 1, self.num_perm)
            rows = _check_int(params[1], "params[1] (rows)", 1, self.num_perm)
            if bands * rows > self.num_perm:
                raise ValueError(
                    f"params=({bands}, {rows}) needs {bands * rows} slots but num_perm={self.num_perm}"
                )
            self.bands, self.rows = bands, rows
        self._clear()

    # ------------------------------------------------------------------ the S-curve

    @property
    def params(self) -> tuple[int, int]:
        """``(bands, rows)`` in use."""
        return self.bands, self.rows

    def probability(self, j: Any) -> Any:
        """Probability that a pair with Jaccard ``j`` becomes a candidate (scalar or array)."""
        j = np.asarray(j, dtype=np.float64)
        if np.any((j < 0) | (j > 1)):
            raise ValueError("j must lie in [0, 1]")
        p = 1.0 - (1.0 - j**self.rows) ** self.bands
        return float(p) if p.ndim == 0 else p

    def __repr__(self) -> str:
        return (
            f"MinHashLSH(threshold={self.threshold}, num_perm={self.num_perm}, "
            f"params=({self.bands}, {self.rows}), size={len(self)})"
        )

    # ------------------------------------------------------------------ signatures in

    def _signature(self, value: Any, name: str = "minhash") -> np.ndarray:
        if isinstance(value, MinHash):
            if value.num_perm != self.num_perm:
                raise ValueError(f"{name} has num_perm={value.num_perm}, the index {self.num_perm}")
            return value.digest()
        digest = getattr(value, "hashvalues", None)
        array = np.asarray(digest if digest is not None else value)
        if array.ndim != 1 or array.shape[0] != self.num_perm:
            raise ValueError(f"{name} must be a MinHash or {self.num_perm} slots, got shape {array.shape}")
        return _as_uint64(array, name, "signature values")

    def _signatures(self, signatures: Any, name: str = "signatures") -> np.ndarray:
        array = np.asarray(signatures)
        if array.ndim != 2 or array.shape[1] != self.num_perm:
            raise ValueError(
                f"{name} must have shape (n, {self.num_perm}), got {array.shape}"
            )
        if array.shape[0] > _MAX_DOCS:
            raise ValueError(f"{name}: at most {_MAX_DOCS} signatures per batch")
        return _as_uint64(array, name, "signature values")

    def band_keys(self, signatures: Any) -> np.ndarray:
        """One uint64 key per band and signature: an array of shape ``(bands, n)``.

        Two signatures share a band's key exactly when the band's ``rows`` slots agree
        (up to 64-bit hash collisions).
        """
        sigs = self._signatures(signatures)
        out = np.empty((self.bands, sigs.shape[0]), dtype=np.uint64)
        _lsh.band_keys(sigs, self.bands, self.rows, out)
        return out

    # ------------------------------------------------------------------ batch path

    def candidate_pairs(self, signatures: Any) -> Candidates:
        """All candidate pairs among ``signatures`` (rows of an (n, num_perm) array).

        Signatures of empty texts (all slots :data:`retold.EMPTY_SLOT`) are never candidates.
        """
        sigs = self._signatures(signatures)
        return self.candidate_pairs_from_keys(self.band_keys(sigs), empty=self._empty_rows(sigs))

    @staticmethod
    def _empty_rows(sigs: np.ndarray) -> np.ndarray:
        return np.all(sigs == EMPTY_SLOT, axis=1) if sigs.shape[1] else np.ones(len(sigs), bool)

    def candidate_pairs_from_keys(
        self, band_keys: Any, *, empty: Any = None, workers: int = 1
    ) -> Candidates:
        """Candidate pairs from precomputed :meth:`band_keys` (for signatures made in chunks).

        Parameters
        ----------
        band_keys : np.ndarray of uint64, shape (bands, n)
        empty : np.ndarray of bool, shape (n,), optional
            Rows to leave out (empty texts).
        workers : int
            Threads, each sorting whole bands.
        """
        keys = np.asarray(band_keys)
        if keys.ndim != 2 or keys.shape[0] != self.bands:
            raise ValueError(f"band_keys must have shape ({self.bands}, n), got {keys.shape}")
        if keys.dtype != np.uint64:
            raise TypeError(f"band_keys must be uint64, not {keys.dtype}")
        workers = _check_int(workers, "workers", 1, 1024)
        n = keys.shape[1]
        if n > _MAX_DOCS:
            raise ValueError(f"band_keys: at most {_MAX_DOCS} documents")
        if empty is None:
            rows = np.arange(n, dtype=np.int64)
        else:
            empty = np.asarray(empty, dtype=bool)
            if empty.shape != (n,):
                raise ValueError(f"empty must have shape ({n},), got {empty.shape}")
            rows = np.flatnonzero(~empty).astype(np.int64)
        # Threads pay off only when a band's sort is long enough to hide their start-up.
        serial = workers == 1 or len(rows) < 100_000
        bands = [self._band_pairs(keys[band], rows) for band in range(self.bands)] if serial else None
        if bands is None:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                bands = list(pool.map(lambda band: self._band_pairs(keys[band], rows), range(self.bands)))
        capped = sum(b[1] for b in bands)
        largest = max((b[2] for b in bands), default=0)
        codes = [b[0] for b in bands]
        merged = np.unique(np.concatenate(codes)) if codes else np.empty(0, np.uint64)
        left = (merged >> np.uint64(32)).astype(np.int64)
        right = (merged & np.uint64(0xFFFFFFFF)).astype(np.int64)
        return Candidates(left, right, capped, largest, self.bucket_cap)

    def _band_pairs(self, band_row: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, int, int]:
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
        cap = self.bucket_cap
        count, capped, largest = _lsh.count_bucket_pairs(sorted_keys, cap)
        out = np.empty(int(count), dtype=np.uint64)
        if count:
            _lsh.fill_bucket_pairs(sorted_keys, docs, cap, out)
        return out, int(capped), int(largest)

    # ------------------------------------------------------------------ incremental path
    #
    # Rows [0, _sorted_upto) are indexed by one sorted array of the band keys of all bands
    # (each band's keys are salted with its number, so bands never mix) and the row of each:
    # one vectorised searchsorted answers a query, and it is what save() writes.  Rows inserted
    # since sit in a dict until the next rebuild, which also drops removed rows.  A row's state:
    # 0 removed, 1 live, 2 live but empty (an empty text's signature is never a candidate).

    def _clear(self) -> None:
        self._keys: list[Hashable] = []
        self._where: dict[Hashable, int] = {}
        self._rows_keys = np.empty((0, self.bands), dtype=np.uint64)
        self._state = np.empty(0, dtype=np.uint8)
        self._n = 0
        self._sorted_keys = np.empty(0, dtype=np.uint64)
        self._sorted_rows = np.empty(0, dtype=np.int64)
        self._sorted_upto = 0
        self._delta: dict[int, list[int]] = {}
        self._removed = 0

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, key: object) -> bool:
        try:
            return key in self._where
        except TypeError:
            return False

    def keys(self) -> list[Hashable]:
        """The keys in the index, in insertion order."""
        return [k for k, s in zip(self._keys, self._state[: self._n].tolist()) if s]

    def _reserve(self, extra: int) -> None:
        need = self._n + extra
        if need <= len(self._state) and self._rows_keys.flags.writeable:
            return
        capacity = max(need, 2 * len(self._state), 64)
        rows_keys = np.empty((capacity, self.bands), dtype=np.uint64)
        rows_keys[: self._n] = self._rows_keys[: self._n]
        state = np.zeros(capacity, dtype=np.uint8)
        state[: self._n] = self._state[: self._n]
        self._rows_keys, self._state = rows_keys, state

    def insert(self, key: Hashable, minhash: Any) -> None:
        """Add ``key`` with its signature (a :class:`retold.MinHash` or ``num_perm`` uint64 slots).

        Raises ``ValueError`` when ``key`` is already in the index.
        """
        self.insert_batch([key], self._signature(minhash)[None, :])

    def insert_batch(self, keys: Sequence[Hashable], signatures: Any) -> None:
        """Add many keys with their signatures (rows of an (n, num_perm) array) at once."""
        keys = list(keys)
        sigs = self._signatures(signatures)
        if len(keys) != sigs.shape[0]:
            raise ValueError(f"{len(keys)} keys but {sigs.shape[0]} signatures")
        seen: set = set()
        for key in keys:
            hash(key)
            if key in self._where or key in seen:
                raise ValueError(f"key {key!r} is already in the index")
            seen.add(key)
        if not keys:
            return
        band_keys = self.band_keys(sigs)  # (bands, n)
        empty = self._empty_rows(sigs)
        self._reserve(len(keys))
        start = self._n
        self._rows_keys[start : start + len(keys)] = band_keys.T
        self._state[start : start + len(keys)] = np.where(empty, 2, 1)
        for offset, key in enumerate(keys):
            self._keys.append(key)
            self._where[key] = start + offset
        self._n += len(keys)
        pending = self._n - self._sorted_upto
        if pending > max(4096, self._sorted_upto // 4):
            self._rebuild()
            return
        delta = self._delta
        for offset in np.flatnonzero(~empty).tolist():
            row = start + offset
            for key in band_keys[:, offset].tolist():
                delta.setdefault(key, []).append(row)

    def remove(self, key: Hashable) -> None:
        """Take ``key`` out of the index; ``KeyError`` when it is not there."""
        row = self._where.pop(key)
        self._state[row] = 0
        self._removed += 1
        if self._removed > max(4096, self._n // 2):
            self._rebuild()

    def query(self, minhash: Any) -> list[Hashable]:
        """Keys whose signatures share at least one band with ``minhash``, in insertion order.

        An empty text's signature matches nothing.
        """
        sig = self._signature(minhash)
        if sig[0] == EMPTY_SLOT and np.all(sig == EMPTY_SLOT):
            return []
        keys = np.empty((self.bands, 1), dtype=np.uint64)
        _lsh.band_keys(sig[None, :], self.bands, self.rows, keys)
        keys = keys[:, 0]
        found: list[int] = []
        if self._sorted_upto:
            lo = np.searchsorted(self._sorted_keys, keys, side="left")
            hi = np.searchsorted(self._sorted_keys, keys, side="right")
            for a, b in zip(lo.tolist(), hi.tolist()):
                if b > a:
                    found.extend(self._sorted_rows[a:b].tolist())
        if self._delta:
            for key in keys.tolist():
                hit = self._delta.get(key)
                if hit:
                    found.extend(hit)
        if not found:
            return []
        state = self._state
        return [self._keys[r] for r in sorted(set(found)) if state[r] == 1]

    def query_batch(self, signatures: Any) -> list[list[Hashable]]:
        """:meth:`query` for each row of an (n, num_perm) array, in one vectorised lookup.

        Returns one list of keys per signature, each in insertion order.
        """
        sigs = self._signatures(signatures)
        n = sigs.shape[0]
        if self._n >= 1 << 31 or n >= 1 << 31:  # beyond the 32-bit packing below
            return [self.query(sig) for sig in sigs]
        if self._delta:
            if n < self._n - self._sorted_upto:
                return [self.query(sig) for sig in sigs]
            self._rebuild()  # cheaper than looking every key up in the dict
        out: list[list[Hashable]] = [[] for _ in range(n)]
        if n == 0 or self._sorted_upto == 0:
            return out
        keys = self.band_keys(sigs).T.ravel()  # query-major: all bands of query 0, then 1...
        lo = np.searchsorted(self._sorted_keys, keys, side="left")
        hi = np.searchsorted(self._sorted_keys, keys, side="right")
        counts = hi - lo
        queries = np.repeat(np.arange(len(keys), dtype=np.int64) // self.bands, counts)
        # Positions lo[k], lo[k] + 1, ..., hi[k] - 1 for every key k, without a Python loop.
        starts = np.repeat(lo - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
        rows = self._sorted_rows[starts + np.arange(len(starts))]
        hits = np.unique((queries << np.int64(32)) | rows) if len(rows) else np.zeros(0, np.int64)
        queries, rows = hits >> np.int64(32), hits & np.int64(0xFFFFFFFF)
        live = (self._state[rows] == 1) & ~self._empty_rows(sigs)[queries]
        keys_of = self._keys
        for q, r in zip(queries[live].tolist(), rows[live].tolist()):
            out[q].append(keys_of[r])
        return out

    def _rebuild(self) -> None:
        """Drop removed rows, sort every band, empty the dicts."""
        live = np.flatnonzero(self._state[: self._n] != 0)
        rows_keys = np.ascontiguousarray(self._rows_keys[live])
        state = self._state[live].copy()
        keys = [self._keys[r] for r in live.tolist()]
        self._keys = keys
        self._where = {k: i for i, k in enumerate(keys)}
        self._rows_keys, self._state, self._n = rows_keys, state, len(keys)
        indexed = np.flatnonzero(state == 1).astype(np.int64)
        all_keys = rows_keys[indexed].ravel()
        order = np.argsort(all_keys, kind="stable")
        self._sorted_keys = all_keys[order]
        self._sorted_rows = np.repeat(indexed, self.bands)[order]
        self._sorted_upto = self._n
        self._delta = {}
        self._removed = 0

    # ------------------------------------------------------------------ files

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the index to ``path`` (a ``.npz`` of plain arrays), atomically.

        Keys must all be ``str`` or all be ``int``.  The file is written beside its target and
        renamed over it, so a crash leaves either the old file or the new one.
        """
        self._rebuild()
        keys = self._keys
        if all(isinstance(k, str) for k in keys):
            key_array = np.array(keys, dtype=str) if keys else np.empty(0, dtype="<U1")
        elif all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in keys):
            key_array = np.array(keys, dtype=np.int64)
        else:
            raise TypeError("save() needs keys that are all str or all int")
        meta = np.array(
            [self.threshold, self.recall, self.num_perm, self.bands, self.rows, self.bucket_cap],
            dtype=np.float64,
        )
        with atomic_write(path, "wb") as fh:
            # Uncompressed members, so that load(mmap=True) can map them in place.
            np.savez(
                fh,
                magic=np.array(_FORMAT),
                meta=meta,
                keys=key_array,
                state=self._state[: self._n],
                row_keys=self._rows_keys[: self._n],
                sorted_keys=self._sorted_keys,
                sorted_rows=self._sorted_rows,
            )

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, mmap: bool = False) -> "MinHashLSH":
        """Read an index written by :meth:`save`.

        Parameters
        ----------
        mmap : bool
            Map the large arrays from the file instead of reading them (read-only pages shared
            between processes; the file must stay in place).  Without it every member's CRC is
            checked.

        Raises
        ------
        IndexFileError
            The file is truncated, corrupt or not a retold index; the message names it.
        """
        path = Path(path)
        try:
            arrays = _read_npz(path, mmap=mmap)
            fmt = str(np.asarray(arrays["magic"])[()])
            if fmt != _FORMAT:
                raise ValueError(f"format {fmt!r}, expected {_FORMAT!r}")
            threshold, recall, num_perm, bands, rows, bucket_cap = arrays["meta"].tolist()
            lsh = cls(threshold, int(num_perm), recall=recall, params=(int(bands), int(rows)),
                      bucket_cap=int(bucket_cap))
            keys, state = arrays["keys"], np.asarray(arrays["state"])
            row_keys = arrays["row_keys"]
            sorted_keys, sorted_rows = arrays["sorted_keys"], arrays["sorted_rows"]
            _check_index_arrays(keys, state, row_keys, sorted_keys, sorted_rows, lsh.bands)
            n = len(keys)
        except IndexFileError:
            raise
        except FileNotFoundError:
            raise
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, TypeError) as exc:
            raise IndexFileError(
                f"{path}: cannot load a MinHashLSH index: the file is truncated, corrupt or not "
                f"written by MinHashLSH.save ({exc})"
            ) from None
        lsh._keys = keys.tolist()
        lsh._where = {k: i for i, k in enumerate(lsh._keys)}
        if len(lsh._where) != n:
            raise IndexFileError(f"{path}: cannot load a MinHashLSH index: duplicate keys")
        lsh._state = state.copy()
        lsh._rows_keys = row_keys
        lsh._n = n
        lsh._sorted_keys, lsh._sorted_rows = sorted_keys, sorted_rows
        lsh._sorted_upto = n
        return lsh


def _check_index_arrays(keys: np.ndarray, state: np.ndarray, row_keys: np.ndarray,
                        sorted_keys: np.ndarray, sorted_rows: np.ndarray, bands: int) -> None:
    """Refuse arrays that :meth:`MinHashLSH.save` cannot have written (``ValueError``).

    Each test is one vectorised pass at most, so that a mapped index stays cheap to open, yet
    together they catch any single changed value of the large arrays, whose bytes are not
    checksummed in mmap mode: every indexed row appears ``bands`` times in ``sorted_rows``,
    ``sorted_keys`` is sorted, and it sums (mod 2**64) to what the indexed rows' keys sum to.
    """
    n = len(keys)
    if keys.ndim != 1 or not (keys.dtype.kind == "U" or keys.dtype == np.int64):
        raise ValueError("keys are neither str nor int64")
    if state.shape != (n,) or state.dtype != np.uint8 or np.any(state > 2) or np.any(state == 0):
        raise ValueError("row states of the wrong shape or values")
    indexed_rows = state == 1
    indexed = int(np.count_nonzero(indexed_rows))
    if (
        row_keys.shape != (n, bands)
        or sorted_keys.shape != (bands * indexed,)
        or sorted_rows.shape != (bands * indexed,)
        or row_keys.dtype != np.uint64
        or sorted_keys.dtype != np.uint64
        or sorted_rows.dtype != np.int64
    ):
        raise ValueError("arrays of inconsistent shapes or types")
    if not indexed:
        return
    if sorted_rows.min() < 0 or sorted_rows.max() >= n:
        raise ValueError("sorted_rows points outside the index")
    if not np.array_equal(np.bincount(sorted_rows, minlength=n), indexed_rows * bands):
        raise ValueError("sorted_rows does not list every indexed row once per band")
    if np.any(sorted_keys[1:] < sorted_keys[:-1]):
        raise ValueError("sorted_keys is not sorted")
    # uint64 sums wrap around, which is what makes them a checksum: one flipped bit changes one
    # sum by a power of two, never by a multiple of 2**64.
    if int(sorted_keys.sum(dtype=np.uint64)) != int(row_keys[indexed_rows].sum(dtype=np.uint64)):
        raise ValueError("sorted_keys and row_keys disagree")


# Members read whole on every load: in mmap mode their CRC is checked too (it costs nothing
# next to reading them), while the large ones are checked by _check_index_arrays.
_SMALL_MEMBERS = ("magic.npy", "meta.npy", "keys.npy", "state.npy")


def _read_npz(path: Path, *, mmap: bool) -> dict[str, np.ndarray]:
    """The members of an uncompressed .npz; with ``mmap`` the arrays map the file in place.

    A damaged file raises ``ValueError`` whatever zipfile or numpy made of it (they raise
    RuntimeError for a flipped "encrypted" flag, NotImplementedError for a compression method,
    SyntaxError for a header, ...).
    """
    try:
        return _read_npz_members(path, mmap=mmap)
    except (FileNotFoundError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - see above
        if isinstance(exc, ValueError):
            raise
        raise ValueError(f"{type(exc).__name__}: {exc}") from None


def _read_npz_members(path: Path, *, mmap: bool) -> dict[str, np.ndarray]:
    if not mmap:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    out: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as archive, open(path, "rb") as raw:
        for info in archive.infolist():
            if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
                raise ValueError(f"member {info.filename!r} is compressed or not an array")
            # The local header (30 bytes + name + extra) precedes the member's bytes.
            raw.seek(info.header_offset)
            local = raw.read(30)
            if len(local) != 30 or local[:4] != b"PK\x03\x04":
                raise ValueError(f"bad local header for {info.filename!r}")
            name_len = int.from_bytes(local[26:28], "little")
            extra_len = int.from_bytes(local[28:30], "little")
            start = info.header_offset + 30 + name_len + extra_len
            raw.seek(start)
            version = np.lib.format.read_magic(raw)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(raw)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(raw)
            if dtype.hasobject:
                raise ValueError(f"member {info.filename!r} holds Python objects")
            if fortran:  # save() writes C order only; a flipped flag would transpose the data
                raise ValueError(f"member {info.filename!r} is in Fortran order")
            offset = raw.tell()
            nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if offset - start + nbytes != info.file_size or offset + nbytes > os.path.getsize(path):
                raise ValueError(f"member {info.filename!r} is truncated")
            if info.filename in _SMALL_MEMBERS:
                raw.seek(start)
                if zlib.crc32(raw.read(info.file_size)) != info.CRC:
                    raise ValueError(f"member {info.filename!r} fails its CRC check")
            name = info.filename[: -len(".npy")]
            if nbytes == 0:
                out[name] = np.empty(shape, dtype=dtype)
            else:
                out[name] = np.memmap(
                    path, dtype=dtype, mode="r", offset=offset, shape=shape,
                    order="F" if fortran else "C",
                )
    return out
