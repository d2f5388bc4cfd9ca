"""The in-memory index's arrays as a whole: growth, merging, compaction, pickling and the file.

:class:`SortedBandArrays` is a base of :class:`retold.MinHashLSH`.  Rows ``[0, _sorted_upto)``
of the in-memory index are one sorted array of the band keys of all bands and the row of each
(see the incremental path in :mod:`retold.lsh`); :meth:`~SortedBandArrays._rebuild` compacts
rows inserted or removed since into that form, which is also what a pickle and
:meth:`retold.MinHashLSH.save` hold.  The attributes are the index's own, declared here with
their types; :class:`retold.MinHashLSH` makes them.
"""
from __future__ import annotations

import os
import threading
from typing import Any, Hashable

import numpy as np

from retold.lsh_banding import IndexSettings
from retold.lsh_files import check_index_arrays, write_index


class SortedBandArrays(IndexSettings):
    """Growth, merging, compaction, pickling and the file of the in-memory index (a base of MinHashLSH)."""

    _lock: threading.RLock
    _keys: list[Hashable]
    _where: dict[Hashable, int]
    _more: dict[Hashable, list[int]]
    _rows_keys: np.ndarray
    _state: np.ndarray
    _n: int
    _sorted_keys: np.ndarray
    _sorted_rows: np.ndarray
    _sorted_upto: int
    _delta: dict[int, list[int]]
    _removed: int

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

    def _merge_rows(self, other: SortedBandArrays, check_overlap: bool) -> None:
        """Append ``other``'s rows (band keys only depend on the slots, the bands and the rows)."""
        other._rebuild()
        keys = other._keys
        if check_overlap and any(k in self._where for k in keys):
            raise ValueError("The keys are overlapping, duplicate key exists.")
        if not keys:
            return
        self._reserve(len(keys))
        start = self._n
        self._rows_keys[start : start + len(keys)] = other._rows_keys[: len(keys)]
        self._state[start : start + len(keys)] = other._state[: len(keys)]
        self._keys.extend(keys)
        self._n += len(keys)
        for offset, key in enumerate(keys):
            if key in self._where:
                self._more.setdefault(key, []).append(start + offset)
            else:
                self._where[key] = start + offset
        self._rebuild()

    def __getstate__(self) -> dict[str, Any]:
        """Everything but the lock; the in-memory index as the compact arrays :meth:`save` writes."""
        with self._lock:
            if self._tables is None:
                self._rebuild()
            state = dict(self.__dict__)
            del state["_lock"]
            state["_query_buffer"] = []
            return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if not isinstance(state, dict) or "_tables" not in state:
            raise ValueError("MinHashLSH state must be the dict MinHashLSH.__getstate__ makes")
        self.__dict__.update(state)
        self._lock = threading.RLock()
        if self._tables is None:
            try:
                keys = np.asarray(self._keys) if self._keys else np.empty(0, dtype=np.int64)
                if keys.dtype.kind not in "U" and keys.dtype != np.int64:
                    keys = np.arange(len(self._keys), dtype=np.int64)  # any hashable keys: check shapes only
                check_index_arrays(keys, np.asarray(self._state[: self._n]), self._rows_keys[: self._n],
                                   self._sorted_keys, self._sorted_rows, self.bands)
            except (ValueError, TypeError, AttributeError) as exc:
                raise ValueError(f"MinHashLSH state: {exc}") from None
            if len(self._keys) != self._n or self._sorted_upto != self._n:
                raise ValueError("MinHashLSH state: keys and rows disagree")

    def _rebuild(self) -> None:
        """Drop removed rows, sort every band, empty the dicts."""
        live = np.flatnonzero(self._state[: self._n] != 0)
        rows_keys = np.ascontiguousarray(self._rows_keys[live])
        state = self._state[live].copy()
        keys = [self._keys[r] for r in live.tolist()]
        self._keys = keys
        self._where, self._more = {}, {}
        for i, k in enumerate(keys):
            if k in self._where:
                self._more.setdefault(k, []).append(i)
            else:
                self._where[k] = i
        self._rows_keys, self._state, self._n = rows_keys, state, len(keys)
        indexed = np.flatnonzero(state == 1).astype(np.int64)
        all_keys = rows_keys[indexed].ravel()
        order = np.argsort(all_keys, kind="stable")
        self._sorted_keys = all_keys[order]
        self._sorted_rows = np.repeat(indexed, self.bands)[order]
        self._sorted_upto = self._n
        self._delta = {}
        self._removed = 0

    def _save(self, path: str | os.PathLike[str]) -> None:
        if self._tables is not None:
            raise TypeError("save() writes the in-memory index; this one lives in its storage_config")
        self._rebuild()
        if self._more:
            raise ValueError("save() needs each key once; keys merged from two indexes: "
                             f"{list(self._more)[:3]!r}")
        write_index(path, {
            "meta": (self.threshold, np.nan if self.recall is None else self.recall, self.num_perm,
                     self.bands, self.rows, self.bucket_cap),
            "keys": self._keys, "state": self._state[: self._n], "row_keys": self._rows_keys[: self._n],
            "sorted_keys": self._sorted_keys, "sorted_rows": self._sorted_rows,
            "scheme": self._minhash_scheme or "",  # so that a loaded index still refuses others
        })

    def _adopt_file(self, fields: dict[str, Any]) -> None:
        """Take the arrays :func:`retold.lsh_files.read_index` read (an index of the same bands)."""
        self._keys = fields["keys"]
        self._where = {k: i for i, k in enumerate(self._keys)}
        n = len(self._keys)
        self._state = fields["state"].copy()
        self._rows_keys = fields["row_keys"]
        self._n = n
        self._sorted_keys, self._sorted_rows = fields["sorted_keys"], fields["sorted_rows"]
        self._sorted_upto = n
        self._minhash_scheme = fields["scheme"] or None
