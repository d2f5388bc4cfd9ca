"""The datasketch-style engine of :class:`retold.MinHashLSH`: band hashes in key-value tables.

Used when ``storage_config`` names Redis, or ``prepickle`` or ``hashfunc`` is given: every band of
a sketch becomes the bytes ``H`` datasketch makes of it (the band's hash values, byte-swapped, and
passed through ``hashfunc`` when there is one), stored in the tables of :mod:`retold.lsh_storage`.
Its answers are datasketch's, key for key; the default in-memory engine answers the same queries
from sorted numpy arrays.
"""
from __future__ import annotations

import pickle
from typing import Any, Callable, Hashable

import numpy as np

from retold.lsh_storage import make_tables


class TableIndex:
    """Keys and band tables, with datasketch's insert / query / remove semantics."""

    def __init__(self, config: dict[str, Any], bands: int, rows: int, prepickle: bool,
                 hashfunc: Callable[[bytes], Any] | None) -> None:
        self.bands, self.rows = bands, rows
        self.prepickle = prepickle
        self.hashfunc = hashfunc
        self.require_bytes = config.get("type") != "dict" and not prepickle
        self.keys, self.hashtables = make_tables(config, bands)
        self._maybe_empty: list[tuple[Any, Any]] = []  # buckets a buffered removal may have emptied

    def band_hashes(self, values: np.ndarray) -> list[Any]:
        """One ``H`` per band of one sketch's hash values."""
        hs = [bytes(values[i * self.rows:(i + 1) * self.rows].byteswap().data) for i in range(self.bands)]
        return [self.hashfunc(h) for h in hs] if self.hashfunc is not None else hs

    def _stored(self, key: Hashable) -> Any:
        if self.prepickle:
            return pickle.dumps(key)
        if self.require_bytes and not isinstance(key, bytes):
            raise TypeError(f"prepickle=False needs bytes keys outside dict storage, got {type(key).__name__}; "
                            "pass bytes or prepickle=True")
        return key

    def _loaded(self, keys: Any) -> list[Hashable]:
        return [pickle.loads(k) for k in keys] if self.prepickle else list(keys)

    def contains(self, key: Hashable) -> bool:
        try:
            return self._stored(key) in self.keys
        except TypeError:
            return False

    def insert(self, key: Hashable, values: np.ndarray, check_duplication: bool, buffer: bool) -> None:
        key = self._stored(key)
        if check_duplication and key in self.keys:
            raise ValueError("The given key already exists")
        hs = self.band_hashes(values)
        self.keys.insert(key, *hs, buffer=buffer)
        for h, table in zip(hs, self.hashtables):
            table.insert(h, key, buffer=buffer)

    def remove(self, key: Hashable, buffer: bool) -> None:
        key = self._stored(key)
        if key not in self.keys:
            raise ValueError("The given key does not exist")
        for h, table in zip(self.keys.get(key), self.hashtables):
            table.remove_val(h, key, buffer=buffer)
            if buffer:
                self._maybe_empty.append((table, h))
            elif not table.get(h):
                table.remove(h)
        self.keys.remove(key, buffer=buffer)

    def query(self, values: np.ndarray) -> list[Hashable]:
        found: set[Any] = set()
        for h, table in zip(self.band_hashes(values), self.hashtables):
            found.update(table.get(h))
        return self._loaded(found)

    def add_to_query_buffer(self, values: np.ndarray) -> None:
        for h, table in zip(self.band_hashes(values), self.hashtables):
            table.add_to_select_buffer([h])

    def collect_query_buffer(self) -> list[Hashable]:
        collected = [table.collect_select_buffer() for table in self.hashtables]
        if not any(collected):
            return []
        per_query = [set().union(*lists) for lists in zip(*collected)]
        return self._loaded(set.intersection(*per_query)) if per_query else []

    def merge_from(self, other: "TableIndex", check_overlap: bool, buffer: bool) -> None:
        other_keys = list(other.keys)
        if check_overlap and any(k in self.keys for k in other_keys):
            raise ValueError("The keys are overlapping, duplicate key exists.")
        for key in other_keys:
            hs = other.keys.get(key)
            self.keys.insert(key, *hs, buffer=buffer)
            for h, table in zip(hs, self.hashtables):
                table.insert(h, key, buffer=buffer)

    def flush(self) -> None:
        self.keys.empty_buffer()
        for table in self.hashtables:
            table.empty_buffer()
        pending, self._maybe_empty = self._maybe_empty, []
        for table, h in pending:
            if not table.get(h):
                table.remove(h)

    def set_buffer_size(self, size: int) -> None:
        for table in [self.keys, *self.hashtables]:
            table.buffer_size = size

    def __len__(self) -> int:
        return len(self.keys)

    def key_list(self) -> list[Hashable]:
        return self._loaded(self.keys)

    def is_empty(self) -> bool:
        return any(table.size() == 0 for table in self.hashtables)
