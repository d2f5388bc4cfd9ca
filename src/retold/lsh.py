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

This module holds the index's constructor and its incremental path; the checks of signatures,
the band keys and the batch path are in :mod:`retold.lsh_banding`, the growth, merging,
compaction, pickling and file of the in-memory arrays in :mod:`retold.lsh_arrays`, datasketch's other names in
:mod:`retold.lsh_compat` (each a base of :class:`MinHashLSH`).
"""
from __future__ import annotations

import functools
import os
import threading
from typing import TYPE_CHECKING, Any, Callable, Hashable, Sequence, TypeVar

import numpy as np

from retold._backend import kernels
from retold._validate import check_fraction as _check_fraction
from retold._validate import check_int as _check_int
from retold._validate import check_number as _check_number
from retold.hashing import EMPTY_SLOT
from retold.lsh_arrays import SortedBandArrays
from retold.lsh_banding import Banding
from retold.lsh_candidates import Candidates
from retold.lsh_compat import DatasketchInterface, MissingKeyError, check_weights
from retold.lsh_files import IndexFileError, read_index
from retold.lsh_params import datasketch_params, index_params, optimal_params
from retold.lsh_tables import TableIndex

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import lsh as _lsh
else:
    _lsh = kernels("lsh")

DEFAULT_BUCKET_CAP = 200
"""Buckets with more members than this give star edges instead of all pairs."""

__all__ = ["Candidates", "DEFAULT_BUCKET_CAP", "IndexFileError", "MinHashLSH", "MissingKeyError",
           "datasketch_params", "optimal_params"]

_F = TypeVar("_F", bound=Callable[..., Any])


def _locked(method: _F) -> _F:
    """Run ``method`` under the index's lock: one thread at a time changes or reads the index."""
    @functools.wraps(method)
    def wrapper(self: "MinHashLSH", *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)
    return wrapper  # type: ignore[return-value]


class MinHashLSH(Banding, SortedBandArrays, DatasketchInterface):
    """An LSH index over MinHash signatures: datasketch's ``MinHashLSH``, plus retold's batch path.

    Parameters
    ----------
    threshold : float
        Jaccard similarity the index is tuned for (default 0.9, as datasketch).
    num_perm : int
        Length of the signatures it takes (as made by :class:`retold.MinHash` or
        :func:`retold.minhash_batch`, under one seed and scheme).
    weights : (float, float)
        datasketch's weights of false positives and false negatives when choosing the bands
        (:func:`datasketch_params`); they must sum to 1.
    params : (int, int), optional
        ``(bands, rows)`` to use instead, with ``bands * rows <= num_perm``.
    storage_config : dict, optional
        ``{"type": "dict"}`` (default) or ``{"type": "redis", "redis": {"host": ..., "port": ...},
        "basename": b"..."}`` to keep the index in Redis, shared between processes (see
        :mod:`retold.lsh_storage`).
    prepickle : bool, optional
        Pickle keys before storing them (default: True for Redis, as datasketch).
    hashfunc : callable, optional
        Compresses each band's bytes before storing them, as in datasketch.
    recall : float, keyword only
        Choose the bands with retold's guarantee instead: pairs with Jaccard equal to
        ``threshold`` become candidates with at least this probability (:func:`optimal_params`).
    bucket_cap : int, keyword only
        In the batch path, a bucket with more members than this gives only the edges from its
        first member to each other one, so boilerplate shared by many documents costs linear time.

    The default in-memory index keeps band keys in sorted numpy arrays (fast, :meth:`save` /
    :meth:`load`); Redis, ``prepickle`` or ``hashfunc`` select datasketch's key-value tables
    (:mod:`retold.lsh_tables`).  Every method takes the index's lock, so threads may share it.

    Examples
    --------
    >>> from retold import MinHashLSH, minhash_batch
    >>> sigs = minhash_batch(["the cat sat on the mat today", "the cat sat on the mat today!"])
    >>> lsh = MinHashLSH(threshold=0.8, recall=0.95)
    >>> lsh.insert("a", sigs[0])
    >>> lsh.query(sigs[1])
    ['a']
    """

    def __init__(
        self,
        threshold: float = 0.9,
        num_perm: int = 128,
        weights: tuple[float, float] = (0.5, 0.5),
        params: tuple[int, int] | None = None,
        storage_config: dict[str, Any] | None = None,
        prepickle: bool | None = None,
        hashfunc: Callable[[bytes], Any] | None = None,
        *,
        recall: float | None = None,
        bucket_cap: int = DEFAULT_BUCKET_CAP,
    ) -> None:
        self.threshold = _check_number(threshold, "threshold", 0.0, 1.0)
        self.num_perm = _check_int(num_perm, "num_perm", 1, 1 << 16)
        self.weights = check_weights(weights)
        self.recall = None if recall is None else _check_fraction(recall, "recall")
        self.bucket_cap = _check_int(bucket_cap, "bucket_cap", 1, 1 << 62)
        bands, rows = index_params(self.threshold, self.num_perm, self.weights, self.recall, params)
        self.bands, self.rows = bands, rows
        config = dict(storage_config) if storage_config else {"type": "dict"}
        self.storage_config = config
        self.prepickle = config.get("type") == "redis" if prepickle is None else bool(prepickle)
        self.hashfunc = hashfunc
        if hashfunc is not None and not callable(hashfunc):
            raise TypeError("hashfunc must be callable")
        self._tables: TableIndex | None = None
        if config.get("type") != "dict" or self.prepickle or hashfunc is not None:
            self._tables = TableIndex(config, bands, rows, self.prepickle, hashfunc)
        self._minhash_scheme: str | None = None
        self._query_buffer: list[set[Hashable]] = []
        self._lock = threading.RLock()
        self._clear()

    def __repr__(self) -> str:
        return (
            f"MinHashLSH(threshold={self.threshold}, num_perm={self.num_perm}, "
            f"params=({self.bands}, {self.rows}), size={len(self)})"
        )

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
        # A key merged in from another index that had it too keeps both rows (as datasketch
        # keeps both band lists): its first row in _where, the others here.
        self._more: dict[Hashable, list[int]] = {}

    @_locked
    def __len__(self) -> int:
        return len(self._tables) if self._tables is not None else len(self._where)

    @_locked
    def __contains__(self, key: object) -> bool:
        if self._tables is not None:
            return self._tables.contains(key)
        try:
            return key in self._where
        except TypeError:
            return False

    @_locked
    def key_list(self) -> list[Hashable]:
        """The keys in the index, in insertion order (``lsh.keys()`` says the same)."""
        if self._tables is not None:
            return self._tables.key_list()
        where = self._where
        return [k for r, (k, s) in enumerate(zip(self._keys, self._state[: self._n].tolist()))
                if s and where.get(k) == r]

    def _rows_of(self, key: Hashable) -> list[int]:
        first = self._where.get(key)
        return [] if first is None else [first, *self._more.get(key, ())]

    def insert(self, key: Hashable, minhash: Any, check_duplication: bool = True) -> None:
        """Add ``key`` with its sketch (a MinHash, LeanMinHash or ``num_perm`` slots).

        Raises ``ValueError`` when ``key`` is already in the index; the in-memory index checks
        that even with ``check_duplication=False`` (one key has one row there).
        """
        self._insert(key, minhash, check_duplication, buffer=False)

    @_locked
    def _insert(self, key: Hashable, minhash: Any, check_duplication: bool, buffer: bool) -> None:
        sig, empty_matches = self._signature(minhash, remember=True)
        if self._tables is not None:
            self._tables.insert(key, sig, check_duplication, buffer)
            return
        self._insert_rows([key], sig[None, :].astype(np.uint64), None if not empty_matches else np.zeros(1, bool))

    @_locked
    def insert_batch(self, keys: Sequence[Hashable], signatures: Any) -> None:
        """Add many keys with their signatures (rows of an (n, num_perm) array) at once."""
        if self._tables is not None:
            sigs = self._signatures(signatures)
            keys = list(keys)
            if len(keys) != sigs.shape[0]:
                raise ValueError(f"{len(keys)} keys but {sigs.shape[0]} signatures")
            for key, sig in zip(keys, sigs):
                self._tables.insert(key, sig, True, False)
            return
        self._insert_rows(list(keys), self._signatures(signatures), None)

    def _insert_rows(self, keys: list[Hashable], sigs: np.ndarray, empty: np.ndarray | None) -> None:
        """The array index's insert; ``empty`` marks rows that never match (default: all-EMPTY_SLOT)."""
        if len(keys) != sigs.shape[0]:
            raise ValueError(f"{len(keys)} keys but {sigs.shape[0]} signatures")
        seen: set[Hashable] = set()
        for key in keys:
            hash(key)
            if key in self._where or key in seen:
                raise ValueError(f"key {key!r} is already in the index")
            seen.add(key)
        if not keys:
            return
        band_keys = self.band_keys(sigs)  # (bands, n)
        if empty is None:
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
        """Take ``key`` out of the index; :class:`MissingKeyError` (a ValueError, as in datasketch,
        and a KeyError) when it is not there."""
        self._remove(key, buffer=False)

    @_locked
    def _remove(self, key: Hashable, buffer: bool) -> None:
        if self._tables is not None:
            try:
                self._tables.remove(key, buffer)
            except ValueError:
                raise MissingKeyError(f"The given key does not exist: {key!r}") from None
            return
        try:
            rows = self._rows_of(key)
        except TypeError:
            rows = []
        if not rows:
            raise MissingKeyError(f"The given key does not exist: {key!r}")
        del self._where[key]
        self._more.pop(key, None)
        self._state[rows] = 0
        self._removed += len(rows)
        if self._removed > max(4096, self._n // 2):
            self._rebuild()

    @_locked
    def query(self, minhash: Any) -> list[Hashable]:
        """Keys whose signatures share at least one band with ``minhash``.

        In the in-memory index they come in insertion order; an empty signature of retold's text
        schemes matches nothing (an empty datasketch-scheme sketch matches other empty ones, as there).
        """
        sig, empty_matches = self._signature(minhash)
        if self._tables is not None:
            return self._tables.query(sig)
        return self._query_rows(sig.astype(np.uint64), empty_matches)

    def _query_rows(self, sig: np.ndarray, empty_matches: bool) -> list[Hashable]:
        if not empty_matches and sig[0] == EMPTY_SLOT and np.all(sig == EMPTY_SLOT):
            return []
        keys: np.ndarray = np.empty((self.bands, 1), dtype=np.uint64)  # then its one column
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
        hits = [self._keys[r] for r in sorted(set(found)) if state[r] == 1]
        return list(dict.fromkeys(hits)) if self._more else hits

    @_locked
    def query_batch(self, signatures: Any) -> list[list[Hashable]]:
        """:meth:`query` for each row of an (n, num_perm) array, in one vectorised lookup.

        Returns one list of keys per signature, each in insertion order.
        """
        sigs = self._signatures(signatures)
        if self._tables is not None:
            return [self._tables.query(sig) for sig in sigs]
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
        return [list(dict.fromkeys(hits)) for hits in out] if self._more else out

    # ------------------------------------------------------------------ files

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the index to ``path`` (a ``.npz`` of plain arrays), atomically.

        Keys must all be ``str`` or all be ``int``.  The file is written beside its target and
        renamed over it, so a crash leaves either the old file or the new one.  A Redis index
        lives in its server and has no file.
        """
        with self._lock:
            self._save(path)

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
        fields = read_index(path, mmap=mmap)
        threshold, recall, num_perm, bands, rows, bucket_cap = fields["meta"]
        try:
            lsh = cls(threshold, int(num_perm), params=(int(bands), int(rows)),
                      recall=None if np.isnan(recall) else recall, bucket_cap=int(bucket_cap))
        except (ValueError, TypeError) as exc:
            raise IndexFileError(f"{path}: cannot load a MinHashLSH index: its parameters are invalid ({exc})") from None
        lsh._adopt_file(fields)
        return lsh
