"""LeanMinHash: a frozen sketch with datasketch 2.x's compact byte format, and pickle interchange.

The byte layout is datasketch's, so buffers move between the two libraries both ways:

- ``legacy``: seed (int64), number of values (int32, >= 0), then each value as uint32;
- ``affine32`` / ``affine64``: seed (int64), the *negated* number of values (int32), a scheme
  code byte (1 / 2), then each value as uint32 / uint64.

retold's text schemes use codes 101 (``oph``) and 102 (``kperm``) with uint64 values; datasketch
refuses those codes, loudly.
"""
from __future__ import annotations

import io
import pickle
import struct
import threading
from typing import Any

import numpy as np

from retold.minhash import MinHash
from retold.sketch_schemes import ALL_SCHEMES, DTYPES, EMPTY_VALUES, as_scheme_values, sha1_hash32, sha1_hash64

_CODES = {"affine32": 1, "affine64": 2, "oph": 101, "kperm": 102}
_SCHEMES_BY_CODE = {code: scheme for scheme, code in _CODES.items()}
_VALUE_FORMATS = {"legacy": "I", "affine32": "I", "affine64": "Q", "oph": "Q", "kperm": "Q"}


class LeanMinHash(MinHash):
    """An immutable MinHash: no permutations or hashfunc, only seed, scheme and hash values.

    ``LeanMinHash(minhash)``, or ``LeanMinHash(seed=..., hashvalues=..., scheme=...)`` (the scheme
    is required then, as in datasketch).  It compares, unions, merges and indexes like a MinHash;
    ``update``, ``update_batch``, ``update_hashes`` and ``update_text`` raise ``TypeError``.
    """

    def __init__(self, minhash: Any = None, seed: int | None = None, hashvalues: Any = None,
                 scheme: str | None = None) -> None:
        if minhash is not None:
            their = getattr(minhash, "scheme", "legacy")
            if scheme is not None and scheme != their:
                raise ValueError(f"scheme {scheme!r} conflicts with the scheme {their!r} of the given MinHash")
            self._initialize_slots(minhash.seed, minhash.hashvalues, their)
        elif hashvalues is not None and seed is not None:
            if scheme is None:
                raise ValueError("scheme must be given with hashvalues (the values do not say which scheme "
                                 "made them; 'legacy' for datasketch before 2.0)")
            self._initialize_slots(seed, hashvalues, scheme)
        else:
            raise ValueError("give either a minhash, or both seed and hashvalues")

    def _initialize_slots(self, seed: Any, hashvalues: Any, scheme: str) -> None:
        if scheme not in ALL_SCHEMES:
            raise ValueError(f"scheme must be one of {', '.join(ALL_SCHEMES)}, not {scheme!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 1 << 63:
            raise ValueError(f"seed must be a non-negative int below 2**63, not {seed!r}")
        values = as_scheme_values(hashvalues, scheme, "hashvalues").copy()
        if not len(values):
            raise ValueError("hashvalues must not be empty")
        values.flags.writeable = False
        self.scheme, self.seed = scheme, int(seed)
        self._state = values
        self.hashfunc = None
        self.permutations = None
        self.ngram, self.unit = 5, "word"
        self._lock = threading.RLock()

    @property
    def hashvalues(self) -> np.ndarray:
        """The frozen slots (read-only)."""
        return self._state

    @hashvalues.setter
    def hashvalues(self, values: Any) -> None:
        raise TypeError("Cannot change the hash values of a LeanMinHash")

    def _frozen(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("Cannot update a LeanMinHash")

    update = update_batch = update_hashes = update_text = _frozen

    def merge(self, other: Any) -> None:
        """Make this the sketch of the union (a new frozen array, as datasketch allows)."""
        self._check_compatible(other, "merge")
        self._initialize_slots(self.seed, np.minimum(self._state, np.asarray(other.digest())), self.scheme)

    def clear(self) -> None:
        self._initialize_slots(self.seed, np.full_like(self._state, EMPTY_VALUES[self.scheme]), self.scheme)

    def copy(self) -> "LeanMinHash":
        lean = object.__new__(LeanMinHash)
        lean._initialize_slots(self.seed, self._state, self.scheme)
        return lean

    @classmethod
    def union(cls, *lmhs: MinHash) -> "LeanMinHash":
        """A new LeanMinHash of the union of two or more sketches."""
        return LeanMinHash(MinHash.union(*lmhs))

    def __hash__(self) -> int:
        return hash((self.scheme, self.seed, tuple(self._state.tolist())))

    # ------------------------------------------------------------------ bytes

    def bytesize(self, byteorder: str = "@") -> int:
        """Size of :meth:`serialize`'s output in bytes."""
        return struct.calcsize(_format(self.scheme, len(self), byteorder))

    def serialize(self, buf: Any, byteorder: str = "@") -> None:
        """Write this sketch into the writable buffer ``buf`` (datasketch's layout, see the module)."""
        if len(buf) < self.bytesize(byteorder):
            raise ValueError("The buffer does not have enough space for holding this MinHash.")
        values = self._state.tolist()
        if self.scheme == "legacy":
            struct.pack_into(_format("legacy", len(values), byteorder), buf, 0, self.seed, len(values), *values)
        else:
            struct.pack_into(_format(self.scheme, len(values), byteorder), buf, 0, self.seed, -len(values),
                             _CODES[self.scheme], *values)

    @classmethod
    def deserialize(cls, buf: Any, byteorder: str = "@") -> "LeanMinHash":
        """A LeanMinHash from bytes written by :meth:`serialize` here or in datasketch."""
        view = memoryview(buf) if not isinstance(buf, (bytes, bytearray, memoryview)) else buf
        head = struct.calcsize(byteorder + "qi")
        if len(view) < head:
            raise ValueError(f"LeanMinHash buffer too short: {len(view)} bytes")
        seed, count = struct.unpack_from(byteorder + "qi", view, 0)
        if count >= 0:
            scheme, offset = "legacy", head
        else:
            count = -count
            (code,) = struct.unpack_from(byteorder + "B", view, head)
            if code not in _SCHEMES_BY_CODE:
                raise ValueError(f"Unknown permutation scheme code: {code}")
            scheme = _SCHEMES_BY_CODE[code]
            offset = struct.calcsize(f"{byteorder}qiB0{_VALUE_FORMATS[scheme]}")
        fmt = f"{byteorder}{count}{_VALUE_FORMATS[scheme]}"
        if len(view) < offset + struct.calcsize(fmt):
            raise ValueError(f"LeanMinHash buffer too short for {count} hash values")
        lean = object.__new__(LeanMinHash)
        lean._initialize_slots(seed, np.array(struct.unpack_from(fmt, view, offset), dtype=DTYPES[scheme]), scheme)
        return lean

    def __getstate__(self) -> bytearray:  # type: ignore[override]
        buf = bytearray(self.bytesize())
        self.serialize(buf)
        return buf

    def __setstate__(self, buf: Any) -> None:
        if not isinstance(buf, (bytes, bytearray, memoryview)):
            raise ValueError(f"LeanMinHash state must be bytes, not {type(buf).__name__}")
        lean = LeanMinHash.deserialize(buf)
        self._initialize_slots(lean.seed, lean._state, lean.scheme)


def _format(scheme: str, count: int, byteorder: str) -> str:
    if scheme == "legacy":
        return f"{byteorder}qi{count}I"
    return f"{byteorder}qiB{count}{_VALUE_FORMATS[scheme]}"


# ---------------------------------------------------------------------- datasketch interchange

_FROM_DATASKETCH = {
    ("datasketch.minhash", "MinHash"): MinHash,
    ("datasketch.lean_minhash", "LeanMinHash"): LeanMinHash,
    ("datasketch.hashfunc", "sha1_hash32"): sha1_hash32,
    ("datasketch.hashfunc", "sha1_hash64"): sha1_hash64,
}


class _DatasketchUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        found = _FROM_DATASKETCH.get((module, name))
        return found if found is not None else super().find_class(module, name)


def loads_datasketch(data: bytes) -> Any:
    """Unpickle ``data`` written by datasketch, its MinHash and LeanMinHash becoming retold's.

    datasketch need not be installed.  Only unpickle data you trust, as with any pickle.
    """
    return _DatasketchUnpickler(io.BytesIO(data)).load()


def to_datasketch(sketch: MinHash) -> Any:
    """The same sketch as a ``datasketch`` MinHash or LeanMinHash (datasketch must be installed)."""
    import datasketch  # noqa: PLC0415 - optional, only for this interchange

    if sketch.scheme not in ("affine32", "affine64", "legacy"):
        raise ValueError(f"datasketch has no scheme {sketch.scheme!r}; only affine32, affine64 and legacy move")
    if isinstance(sketch, LeanMinHash):
        return datasketch.LeanMinHash(seed=sketch.seed, hashvalues=sketch.digest(), scheme=sketch.scheme)
    theirs: dict[Any, Any] = {sha1_hash32: datasketch.hashfunc.sha1_hash32,
                              sha1_hash64: datasketch.hashfunc.sha1_hash64}
    hashfunc = theirs.get(sketch.hashfunc, sketch.hashfunc)
    return datasketch.MinHash(seed=sketch.seed, hashfunc=hashfunc, hashvalues=sketch.digest(),
                              permutations=sketch.permutations, scheme=sketch.scheme)


def from_datasketch(sketch: Any) -> MinHash:
    """A retold sketch equal to a datasketch MinHash or LeanMinHash (any object with their attributes)."""
    scheme = getattr(sketch, "scheme", "legacy")
    if getattr(sketch, "permutations", None) is None or not hasattr(sketch, "hashfunc"):
        return LeanMinHash(seed=sketch.seed, hashvalues=sketch.hashvalues, scheme=scheme)
    name = getattr(sketch.hashfunc, "__module__", ""), getattr(sketch.hashfunc, "__name__", "")
    hashfunc: Any = _FROM_DATASKETCH.get(name, sketch.hashfunc)
    return MinHash(seed=sketch.seed, hashfunc=hashfunc, hashvalues=sketch.hashvalues,
                   permutations=sketch.permutations, scheme=scheme)

