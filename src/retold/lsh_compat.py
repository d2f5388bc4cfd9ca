"""The parts of datasketch's ``MinHashLSH`` interface beyond insert / query / remove.

:class:`DatasketchInterface` is a base of :class:`retold.MinHashLSH`: ``b``, ``r``, ``h``,
``keys``, ``hashtables``, ``is_empty``, ``get_counts``, ``get_subset_counts``, ``merge``, the query
buffer and the insertion / deletion sessions, working on either engine (the in-memory arrays,
seen through :mod:`retold.lsh_views`, or the key-value tables of :mod:`retold.lsh_tables`).
"""
from __future__ import annotations

import math
import pickle
from typing import TYPE_CHECKING, Any, Hashable, cast

import numpy as np

from retold.lsh_views import BandView, KeysView

if TYPE_CHECKING:
    from retold.lsh import MinHashLSH


class MissingKeyError(KeyError, ValueError):
    """A key that is not in the index: a ValueError as datasketch raises, and a KeyError as before."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def check_weights(weights: Any) -> tuple[float, float]:
    """datasketch's ``(false_positive_weight, false_negative_weight)``: each in [0, 1], summing to 1."""
    if not isinstance(weights, (tuple, list)) or len(weights) != 2:
        raise TypeError("weights must be a pair (false_positive_weight, false_negative_weight)")
    fp, fn = (float(w) for w in weights)
    if not (0.0 <= fp <= 1.0 and 0.0 <= fn <= 1.0):
        raise ValueError("Weight must be in [0.0, 1.0]")
    if not math.isclose(fp + fn, 1.0, rel_tol=0.0, abs_tol=1e-9):
        raise ValueError("Weights must sum to 1.0")
    return fp, fn


class DatasketchInterface:
    """datasketch's names on top of the engine methods of :class:`retold.MinHashLSH`."""

    _minhash_scheme: str | None
    _query_buffer: list[set[Hashable]]

    # ------------------------------------------------------------------ attributes

    @property
    def b(self) -> int:
        """Number of bands."""
        bands: int = self.bands  # type: ignore[attr-defined]
        return bands

    @property
    def r(self) -> int:
        """Rows (slots) per band."""
        rows: int = self.rows  # type: ignore[attr-defined]
        return rows

    @property
    def h(self) -> int:
        """Slots per sketch (datasketch's name for ``num_perm``)."""
        num_perm: int = self.num_perm  # type: ignore[attr-defined]
        return num_perm

    @property
    def hashranges(self) -> list[tuple[int, int]]:
        return [(i * self.r, (i + 1) * self.r) for i in range(self.b)]

    @property
    def keys(self) -> Any:
        """The keys table: ``key in lsh.keys``, ``lsh.keys[key]`` (its bucket hash per band), iteration.

        In memory, ``lsh.keys()`` also gives the list of keys.  With Redis and ``prepickle`` the
        stored keys are pickled, as in datasketch.
        """
        tables = self._tables  # type: ignore[attr-defined]
        # This mixin is only ever a base of MinHashLSH, whose engine methods the views call.
        return tables.keys if tables is not None else KeysView(cast("MinHashLSH", self))

    @property
    def hashtables(self) -> list[Any]:
        """One table per band, ``H -> keys`` (in memory: views computed on demand)."""
        tables = self._tables  # type: ignore[attr-defined]
        lsh = cast("MinHashLSH", self)  # only ever a base of MinHashLSH, as above
        return tables.hashtables if tables is not None else [BandView(lsh, i) for i in range(self.b)]

    @property
    def buffer_size(self) -> int:
        return getattr(self, "_buffer_size", 50000)

    @buffer_size.setter
    def buffer_size(self, value: int) -> None:
        self._buffer_size = int(value)
        if self._tables is not None:  # type: ignore[attr-defined]
            self._tables.set_buffer_size(int(value))  # type: ignore[attr-defined]

    def is_empty(self) -> bool:
        """True when no sketch is in any bucket."""
        with self._lock:  # type: ignore[attr-defined]
            if self._tables is not None:  # type: ignore[attr-defined]
                empty: bool = self._tables.is_empty()  # type: ignore[attr-defined]
                return empty
            return not len(self.indexed_rows())

    # ------------------------------------------------------------------ the in-memory engine's views

    def indexed_rows(self) -> np.ndarray:
        """Rows of the in-memory index that are in buckets (live and not empty)."""
        return np.flatnonzero(self._state[: self._n] == 1)  # type: ignore[attr-defined]

    def row_band_keys(self) -> np.ndarray:
        rows_keys: np.ndarray = self._rows_keys[: self._n]  # type: ignore[attr-defined]
        return rows_keys

    def keys_of_rows(self, rows: np.ndarray) -> list[Hashable]:
        keys = self._keys  # type: ignore[attr-defined]
        return list(dict.fromkeys(keys[r] for r in rows.tolist()))

    def band_hashes_of(self, key: Hashable) -> list[bytes]:
        with self._lock:  # type: ignore[attr-defined]
            try:
                rows = self._rows_of(key)  # type: ignore[attr-defined]
            except TypeError:
                return []
            keys = self._rows_keys  # type: ignore[attr-defined]
            return [int(k).to_bytes(8, "big") for r in rows for k in keys[r].tolist()]

    # ------------------------------------------------------------------ counts

    def get_counts(self) -> list[dict[Any, int]]:
        """Per band, the number of keys in each bucket."""
        with self._lock:  # type: ignore[attr-defined]
            return [table.itemcounts() for table in self.hashtables]

    def get_subset_counts(self, *keys: Hashable) -> list[dict[Any, int]]:
        """:meth:`get_counts` over only ``keys``."""
        with self._lock:  # type: ignore[attr-defined]
            counts: list[dict[Any, int]] = [{} for _ in range(self.b)]
            stored = [pickle.dumps(k) for k in set(keys)] if self.prepickle else list(set(keys))  # type: ignore[attr-defined]
            table = self.keys
            for key in stored:
                for band, h in enumerate(table.get(key)):
                    counts[band % self.b][h] = counts[band % self.b].get(h, 0) + 1
            return counts

    # ------------------------------------------------------------------ merging

    def merge(self, other: Any, check_overlap: bool = False) -> None:
        """Add every key of ``other`` (same num_perm, bands and rows) to this index."""
        self._merge(other, check_overlap, buffer=False)

    def _merge(self, other: Any, check_overlap: bool, buffer: bool) -> None:
        if type(other) is not type(self):
            raise ValueError(f"Cannot merge type {type(self).__name__} and type {type(other).__name__}.")
        if (self.h, self.b, self.r) != (other.h, other.b, other.r):
            raise ValueError("Cannot merge MinHashLSH with different initialization parameters.")
        # Both locks, always in the same order, so that a.merge(b) and b.merge(a) cannot deadlock.
        first, second = sorted((self, other), key=id)
        with first._lock, second._lock:  # type: ignore[attr-defined]
            mine, theirs = self._minhash_scheme, other._minhash_scheme
            if mine is not None and theirs is not None and mine != theirs:
                raise ValueError(f"Cannot merge MinHashLSH indexed with MinHash scheme {theirs!r} into one "
                                 f"indexed with scheme {mine!r}")
            if (self._tables is None) != (other._tables is None):  # type: ignore[attr-defined]
                raise ValueError("Cannot merge an in-memory MinHashLSH with one in a storage_config")
            if self._tables is not None:  # type: ignore[attr-defined]
                self._tables.merge_from(other._tables, check_overlap, buffer)  # type: ignore[attr-defined]
            else:
                self._merge_rows(other, check_overlap)  # type: ignore[attr-defined]
            if mine is None:
                self._minhash_scheme = theirs

    # ------------------------------------------------------------------ query buffer

    def add_to_query_buffer(self, minhash: Any) -> None:
        """Queue a query; :meth:`collect_query_buffer` answers all queued ones at once."""
        with self._lock:  # type: ignore[attr-defined]
            sig, empty_matches = self._signature(minhash)  # type: ignore[attr-defined]
            if self._tables is not None:  # type: ignore[attr-defined]
                self._tables.add_to_query_buffer(sig)  # type: ignore[attr-defined]
            else:
                self._query_buffer.append(
                    set(self._query_rows(sig.astype(np.uint64), empty_matches)))  # type: ignore[attr-defined]

    def collect_query_buffer(self) -> list[Hashable]:
        """The keys found by *every* queued query (datasketch's rule), and an empty queue."""
        with self._lock:  # type: ignore[attr-defined]
            if self._tables is not None:  # type: ignore[attr-defined]
                found: list[Hashable] = self._tables.collect_query_buffer()  # type: ignore[attr-defined]
                return found
            queued, self._query_buffer = self._query_buffer, []
            return list(set.intersection(*queued)) if queued else []

    # ------------------------------------------------------------------ sessions

    def insertion_session(self, buffer_size: int = 50000) -> "InsertionSession":
        """A context manager whose inserts are batched and land when it closes."""
        return InsertionSession(self, buffer_size)

    def deletion_session(self, buffer_size: int = 50000) -> "DeletionSession":
        """A context manager whose removals are batched and land when it closes."""
        return DeletionSession(self, buffer_size)


class InsertionSession:
    """Batched inserts: in memory they become one :meth:`MinHashLSH.insert_batch` per ``buffer_size``."""

    def __init__(self, lsh: Any, buffer_size: int) -> None:
        self.lsh = lsh
        lsh.buffer_size = buffer_size
        self._keys: list[Hashable] = []
        self._sigs: list[np.ndarray] = []
        self._empty: list[bool] = []

    def __enter__(self) -> "InsertionSession":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def insert(self, key: Hashable, minhash: Any, check_duplication: bool = True) -> None:
        lsh = self.lsh
        if lsh._tables is not None:
            lsh._insert(key, minhash, check_duplication, buffer=True)
            return
        with lsh._lock:
            sig, empty_matches = lsh._signature(minhash, remember=True)
            hash(key)
        self._keys.append(key)
        self._sigs.append(sig.astype(np.uint64))
        self._empty.append(bool(not empty_matches and np.all(sig == np.iinfo(np.uint64).max)))
        if len(self._keys) >= lsh.buffer_size:
            self._flush()

    def _flush(self) -> None:
        if self._keys:
            keys, sigs, empty = self._keys, np.stack(self._sigs), np.array(self._empty)
            self._keys, self._sigs, self._empty = [], [], []
            with self.lsh._lock:
                self.lsh._insert_rows(keys, sigs, empty)

    def close(self) -> None:
        self._flush()
        if self.lsh._tables is not None:
            self.lsh._tables.flush()


class DeletionSession:
    """Batched removals (Redis: one pipeline per ``buffer_size`` commands)."""

    def __init__(self, lsh: Any, buffer_size: int) -> None:
        self.lsh = lsh
        lsh.buffer_size = buffer_size

    def __enter__(self) -> "DeletionSession":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def remove(self, key: Hashable) -> None:
        self.lsh._remove(key, buffer=True)

    def close(self) -> None:
        if self.lsh._tables is not None:
            self.lsh._tables.flush()
