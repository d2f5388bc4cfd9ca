"""datasketch's ``lsh.keys`` and ``lsh.hashtables`` over retold's in-memory array index.

The array index keeps, per row, one 64-bit key per band (``MinHashLSH._rows_keys``).  These views
show them the way datasketch's tables look: a band's bucket hash ``H`` is that key as 8 bytes
(big-endian), ``lsh.keys[key]`` lists a key's ``H`` per band, ``lsh.hashtables[i][H]`` the keys in
that bucket.  They are computed on demand, each access one pass over the index: inspection tools,
not the query path (which is :meth:`MinHashLSH.query`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Hashable, Iterator

import numpy as np

if TYPE_CHECKING:  # retold.lsh imports this module (through lsh_compat)
    from retold.lsh import MinHashLSH


def _h(key: int) -> bytes:
    return int(key).to_bytes(8, "big")


def _key_of(h: Any) -> int | None:
    if isinstance(h, (bytes, bytearray)) and len(h) == 8:
        return int.from_bytes(h, "big")
    return None


class KeysView:
    """The index's keys: ``key in lsh.keys``, iteration, ``len``, ``lsh.keys[key]`` (its ``H`` per band).

    Calling it, ``lsh.keys()``, gives the list of keys in insertion order (retold's older API).
    """

    def __init__(self, lsh: MinHashLSH) -> None:
        self._lsh = lsh

    def __call__(self) -> list[Hashable]:
        return self._lsh.key_list()

    def __contains__(self, key: object) -> bool:
        return key in self._lsh

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._lsh.key_list())

    def __len__(self) -> int:
        return len(self._lsh)

    def size(self) -> int:
        return len(self._lsh)

    def get(self, key: Hashable) -> list[bytes]:
        return self._lsh.band_hashes_of(key)

    def __getitem__(self, key: Hashable) -> list[bytes]:
        return self.get(key)

    def getmany(self, *keys: Hashable) -> list[list[bytes]]:
        return [self.get(k) for k in keys]


class BandView:
    """Band ``band`` of the index as a table ``H -> keys`` (only sketches that can be candidates)."""

    def __init__(self, lsh: MinHashLSH, band: int) -> None:
        self._lsh, self._band = lsh, band

    def _column(self) -> tuple[np.ndarray, np.ndarray]:
        """The band's keys of the rows that are candidates, and those rows."""
        rows = self._lsh.indexed_rows()
        return np.asarray(self._lsh.row_band_keys()[rows, self._band]), rows

    def __iter__(self) -> Iterator[bytes]:
        column, _ = self._column()
        return iter([_h(k) for k in np.unique(column).tolist()])

    def __len__(self) -> int:
        return len(np.unique(self._column()[0]))

    def size(self) -> int:
        return len(self)

    def get(self, h: Any) -> list[Hashable]:
        key = _key_of(h)
        if key is None:
            return []
        column, rows = self._column()
        return self._lsh.keys_of_rows(rows[column == np.uint64(key)])

    def __getitem__(self, h: Any) -> list[Hashable]:
        return self.get(h)

    def __contains__(self, h: object) -> bool:
        return bool(self.get(h))

    def itemcounts(self) -> dict[bytes, int]:
        values, counts = np.unique(self._column()[0], return_counts=True)
        return {_h(k): int(c) for k, c in zip(values.tolist(), counts.tolist())}
