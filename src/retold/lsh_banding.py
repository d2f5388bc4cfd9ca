"""What an LSH index does with signatures before it stores any: check them, band them, pair them.

:class:`Banding` is a base of :class:`retold.MinHashLSH`: the S-curve of its ``(bands, rows)``,
the checks that turn a sketch or an array into slots, the band keys (:meth:`~Banding.band_keys`)
and the batch path (:meth:`~Banding.candidate_pairs`), none of which reads the stored rows.
The attributes are set by :class:`retold.MinHashLSH`; they are declared here with their types.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from retold._backend import kernels
from retold._validate import as_uint64 as _as_uint64
from retold._validate import check_int as _check_int
from retold.hashing import EMPTY_SLOT
from retold.lsh_candidates import MAX_DOCS, Candidates, pairs_from_band_keys
from retold.sketch_schemes import DATASKETCH_SCHEMES

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import lsh as _lsh
    from retold.lsh_tables import TableIndex
else:
    _lsh = kernels("lsh")


class IndexSettings:
    """The settings of a :class:`retold.MinHashLSH` that its bases read, declared once with
    their types (the constructor sets them)."""

    threshold: float
    recall: float | None
    num_perm: int
    bands: int
    rows: int
    bucket_cap: int
    _tables: TableIndex | None
    _minhash_scheme: str | None


class Banding(IndexSettings):
    """The S-curve, signature checks, band keys and batch candidate pairs (a base of MinHashLSH)."""

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

    # ------------------------------------------------------------------ signatures in

    def _check_scheme(self, sketch: Any, remember: bool) -> None:
        """Refuse a sketch whose scheme differs from the index's (datasketch 2.x fails alike)."""
        scheme = getattr(sketch, "scheme", None)
        if scheme is None:  # a bare array or a sketch type without schemes
            return
        if self._minhash_scheme is None:
            if remember:
                self._minhash_scheme = scheme
        elif scheme != self._minhash_scheme:
            raise ValueError(f"MinHash scheme {scheme!r} does not match scheme {self._minhash_scheme!r} "
                             "of the MinHash previously given to this index")

    def _signature(self, value: Any, name: str = "minhash", *, remember: bool = False) -> tuple[np.ndarray, bool]:
        """``value``'s slots in their own dtype, and whether an empty one may still match.

        Sketches of datasketch's schemes are indexed even when empty (two empty sketches collide
        there); an all-:data:`EMPTY_SLOT` signature of retold's text schemes never matches.
        """
        digest = getattr(value, "hashvalues", None)
        if digest is not None:
            if len(value) != self.num_perm:
                raise ValueError(f"Expecting minhash with length {self.num_perm}, got {len(value)} "
                                 f"({name} has num_perm={len(value)}, the index {self.num_perm})")
            self._check_scheme(value, remember)
            array = np.asarray(digest)
            if array.ndim == 2 and array.shape[1] == 2 and array.dtype.kind in "iu":
                return self._weighted_slots(array), True
            if array.dtype == np.uint32:
                return np.ascontiguousarray(array), True
            return _as_uint64(array, name, "signature values"), getattr(value, "scheme", None) in DATASKETCH_SCHEMES
        array = np.asarray(value)
        if array.ndim != 1 or array.shape[0] != self.num_perm:
            raise ValueError(f"{name} must be a MinHash or {self.num_perm} slots, got shape {array.shape}")
        return _as_uint64(array, name, "signature values"), False

    def _weighted_slots(self, pairs: np.ndarray) -> np.ndarray:
        """One uint64 per slot of a datasketch WeightedMinHash (its slots are (k, t) integer pairs).

        The key-value tables band the pairs' bytes as datasketch does; the array index needs one
        value per slot, so each pair is mixed into 64 bits (equal pairs give equal values; unequal
        ones collide with probability about 2**-64).
        """
        if self._tables is not None:
            return np.ascontiguousarray(pairs)
        k = pairs[:, 0].astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        t = pairs[:, 1].astype(np.uint64)
        mixed = k ^ (t + np.uint64(0x632BE59BD9B4E019) + (k << np.uint64(6)) + (k >> np.uint64(2)))
        out: np.ndarray = mixed * np.uint64(0xBF58476D1CE4E5B9)
        return out

    def _signatures(self, signatures: Any, name: str = "signatures") -> np.ndarray:
        array = np.asarray(signatures)
        if array.ndim != 2 or array.shape[1] != self.num_perm:
            raise ValueError(
                f"{name} must have shape (n, {self.num_perm}), got {array.shape}"
            )
        if array.shape[0] > MAX_DOCS:
            raise ValueError(f"{name}: at most {MAX_DOCS} signatures per batch")
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
        if n > MAX_DOCS:
            raise ValueError(f"band_keys: at most {MAX_DOCS} documents")
        if empty is None:
            rows = np.arange(n, dtype=np.int64)
        else:
            empty = np.asarray(empty, dtype=bool)
            if empty.shape != (n,):
                raise ValueError(f"empty must have shape ({n},), got {empty.shape}")
            rows = np.flatnonzero(~empty).astype(np.int64)
        return pairs_from_band_keys(keys, rows, bucket_cap=self.bucket_cap, workers=workers)
