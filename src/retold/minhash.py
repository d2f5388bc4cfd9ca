"""MinHash sketches with datasketch 2.x's interface and hash values, plus retold's text schemes.

``update(b)`` adds **one element**, hashed by ``hashfunc`` (by default the 32-bit SHA-1 prefix
hash datasketch documents), exactly as ``datasketch.MinHash.update`` does.  With the same seed and
scheme the hash values equal datasketch's bit for bit; the per-element permutations run in the
kernels of ``ext/minhash_schemes.pyx`` (or their twins).

Schemes:

- datasketch's own: ``"affine32"`` (its default, uint32 slots), ``"affine64"``, ``"legacy"`` (before
  datasketch 2.0; uint64 slots holding 32-bit values);
- retold's text schemes, as made by :func:`retold.minhash_batch`: ``"oph"`` (one-permutation
  hashing, densified) and ``"kperm"``.  :meth:`MinHash.from_text` and :meth:`MinHash.update_text`
  add a text's shingles, and default to ``"oph"`` so that their sketches equal the batch rows.

Sketches of different schemes, seeds or lengths cannot be compared, merged or indexed together.
Every method takes the sketch's lock, so one sketch may be shared between threads.  What each
scheme is (value types, hashes, permutations, folding) is :mod:`retold.sketch_schemes`.
"""
from __future__ import annotations

import threading
import warnings
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

import numpy as np

from retold._backend import kernels
from retold._validate import check_choice as _check_choice
from retold._validate import check_int as _check_int
from retold.hashing import SCHEMES as TEXT_SCHEMES, UNITS, shingles
from retold.sketch_schemes import (ALL_SCHEMES, DATASKETCH_SCHEMES, DTYPES, EMPTY_VALUES, VALUE_RANGES,
                                   as_scheme_values, default_hashfunc, fold_hashes, hash_elements,
                                   permutations_for, sha1_hash32, sha1_hash64)

# The scheme names kept importable from here (their home before retold.sketch_schemes).
__all__ = ["MinHash", "ALL_SCHEMES", "DATASKETCH_SCHEMES", "DTYPES", "EMPTY_VALUES", "as_scheme_values",
           "default_hashfunc", "fold_hashes", "hash_elements", "permutations_for", "sha1_hash32", "sha1_hash64"]

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import hashing as _hashing
else:
    _hashing = kernels("hashing")


_MAX_NUM_PERM = 1 << 20
_MAX_NGRAM = 1 << 10
_GPU_MODES = ("disable", "detect", "always")


class MinHash:
    """A MinHash sketch: datasketch's ``MinHash`` with the same arguments, order and values.

    Parameters
    ----------
    num_perm : int
        Number of slots; ignored when ``hashvalues`` is given.
    seed : int
        Chooses the permutations; sketches are comparable only under one seed.
    gpu_mode : {"disable", "detect", "always"}
        Accepted for datasketch's positional order; retold runs on the CPU ("always" raises).
    hashfunc : callable, optional
        Hashes one element to an int (32-bit for affine32, 64-bit for affine64; legacy and the
        text schemes take 64-bit).  Default: :func:`sha1_hash32` or :func:`sha1_hash64`.
    hashobj : ignored
        Deprecated in datasketch 1.4 and ignored there too.
    hashvalues, permutations : array-like, optional
        State of an existing sketch; ``scheme`` must then be given, as datasketch requires.
    scheme : str, optional
        One of :data:`ALL_SCHEMES`; default ``"affine32"``.
    ngram, unit : keyword only
        How :meth:`update_text` shingles a text.
    """

    def __init__(self, num_perm: int = 128, seed: int = 1, gpu_mode: str = "disable",
                 hashfunc: Callable[[Any], int] | None = None, hashobj: Any = None,
                 hashvalues: Any = None, permutations: Any = None, scheme: str | None = None,
                 *, ngram: int = 5, unit: str = "word") -> None:
        if scheme is None:
            if hashvalues is not None or permutations is not None:
                raise ValueError("scheme must be given with hashvalues or permutations (the values do not "
                                 "say which scheme made them; 'legacy' for datasketch before 2.0)")
            scheme = "affine32"
        self.scheme = _check_choice(scheme, "scheme", ALL_SCHEMES)
        self.seed = _check_int(seed, "seed", 0, (1 << 64) - 1 if scheme in TEXT_SCHEMES else (1 << 32) - 1)
        if _check_choice(gpu_mode, "gpu_mode", _GPU_MODES) == "always":
            raise RuntimeError("gpu_mode='always': retold computes MinHash on the CPU (its kernels are "
                               "compiled); use gpu_mode='disable'")
        if hashobj is not None:
            warnings.warn("hashobj is deprecated (as in datasketch), use hashfunc", DeprecationWarning, stacklevel=2)
        self.ngram = _check_int(ngram, "ngram", 1, _MAX_NGRAM)
        self.unit = _check_choice(unit, "unit", UNITS)
        self.hashfunc: Callable[[Any], int] | None = default_hashfunc(self.scheme) if hashfunc is None else hashfunc
        if not callable(self.hashfunc):
            raise ValueError("hashfunc must be a callable")
        if hashvalues is not None:
            self._state: np.ndarray = as_scheme_values(hashvalues, self.scheme, "hashvalues").copy()
            num_perm = len(self._state)
        else:
            num_perm = _check_int(num_perm, "num_perm", 1, _MAX_NUM_PERM)
            self._state = np.full(num_perm, EMPTY_VALUES[self.scheme], dtype=DTYPES[self.scheme])
        if not len(self._state):
            raise ValueError("num_perm must be positive (hashvalues is empty)")
        if permutations is not None:
            self.permutations = _check_permutations(permutations, self.scheme, num_perm)
        else:
            self.permutations = permutations_for(self.scheme, num_perm, self.seed)
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ datasketch's state

    @property
    def num_perm(self) -> int:
        return len(self._state)

    @property
    def hashvalues(self) -> np.ndarray:
        """The slots (datasketch's name); for ``oph`` the densified signature, a new array."""
        if self.scheme == "oph":
            with self._lock:
                out = np.empty(self.num_perm, dtype=np.uint64)
                _hashing.minhash_finalize(self._state, "oph", self.seed, out)
                return out
        return self._state

    @hashvalues.setter
    def hashvalues(self, values: Any) -> None:
        values = as_scheme_values(values, self.scheme, "hashvalues")
        if len(values) != self.num_perm:
            raise ValueError(f"hashvalues has {len(values)} values for {self.num_perm} slots")
        with self._lock:
            self._state = values.copy()

    # ------------------------------------------------------------------ adding elements

    def update(self, b: Any) -> None:
        """Add one element ``b``, hashed by ``hashfunc`` (bytes for the default SHA-1 hash)."""
        self.update_batch((b,))

    def update_batch(self, b: Iterable[Any]) -> None:
        """Add every element of ``b`` (the same sketch as adding them one by one)."""
        if isinstance(b, (str, bytes)):
            raise TypeError("update_batch takes an iterable of elements, not one str or bytes; "
                            "to add the shingles of a text use update_text()")
        if self.hashfunc is None:
            raise TypeError("this sketch has no hashfunc to add elements with")
        hashes = hash_elements(self.hashfunc, self.scheme, list(b))
        if hashes.size:
            self.update_hashes(hashes)

    def update_hashes(self, hashes: Any) -> None:
        """Add elements by their precomputed hashes (what ``hashfunc`` would return for each).

        Floats, bools, negative values and values too wide for the scheme are refused.
        """
        try:
            values = as_scheme_values(hashes, self.scheme, "element hashes")
        except OverflowError as exc:
            raise ValueError(f"hashfunc returned a value out of range for scheme {self.scheme!r}: {exc}") from None
        if not values.size:
            return
        offsets = np.array([0, values.size], dtype=np.int64)
        with self._lock:
            # A new array each time, as datasketch rebinds hashvalues: an array a caller took
            # before the update keeps its values.
            state = self._state.copy()
            fold_hashes(self.scheme, self.seed, self.permutations, offsets, values, state[None, :])
            self._state = state

    def update_text(self, text: str | bytes, *, errors: str = "strict") -> None:
        """Add the shingles of ``text`` (retold's tokeniser, ``ngram`` ``unit`` n-grams).

        Under affine32 and legacy a shingle's 64-bit hash is cut to its low 32 bits first.
        """
        hashes = shingles(text, ngram=self.ngram, unit=self.unit, errors=errors)
        if self.scheme in ("affine32", "legacy"):
            hashes = hashes & np.uint64(0xFFFFFFFF)
        self.update_hashes(hashes)

    @classmethod
    def from_text(cls, text: str | bytes, num_perm: int = 128, **options: Any) -> "MinHash":
        """A sketch of one text's shingles; ``scheme`` defaults to ``"oph"`` (as :func:`minhash_batch`)."""
        options.setdefault("scheme", "oph")
        errors = options.pop("errors", "strict")
        sketch = cls(num_perm, **options)
        sketch.update_text(text, errors=errors)
        return sketch

    @classmethod
    def bulk(cls, b: Iterable[Iterable[Any]], **minhash_kwargs: Any) -> list["MinHash"]:
        """One sketch per list of elements in ``b``, all with ``minhash_kwargs``, in one kernel call."""
        template = cls(**minhash_kwargs)
        scheme = template.scheme
        assert template.hashfunc is not None
        flat: list[Any] = []
        offsets = [0]
        for elements in b:
            flat.extend(elements)
            offsets.append(len(flat))
        rows = len(offsets) - 1
        hashes = hash_elements(template.hashfunc, scheme, flat)
        out = np.full((rows, template.num_perm), EMPTY_VALUES[scheme], dtype=DTYPES[scheme])
        fold_hashes(scheme, template.seed, template.permutations, np.array(offsets, dtype=np.int64),
                    hashes, out)
        return [template._with_state(row) for row in out]

    @classmethod
    def generator(cls, b: Iterable[Iterable[Any]], **minhash_kwargs: Any) -> Iterator["MinHash"]:
        """:meth:`bulk`, one sketch at a time."""
        template = cls(**minhash_kwargs)
        for elements in b:
            sketch = template.copy()
            sketch.update_batch(elements)
            yield sketch

    # ------------------------------------------------------------------ comparing and combining

    def _check_compatible(self, other: Any, action: str) -> None:
        if getattr(other, "scheme", None) != self.scheme:
            raise ValueError(f"cannot {action} MinHash of scheme {self.scheme!r} with one of scheme "
                             f"{getattr(other, 'scheme', None)!r}")
        if getattr(other, "seed", None) != self.seed:
            raise ValueError(f"cannot {action} MinHash with different seeds ({self.seed} and "
                             f"{getattr(other, 'seed', None)})")
        if len(other) != len(self):
            raise ValueError(f"cannot {action} MinHash with different numbers of permutation functions "
                             f"({len(self)} and {len(other)})")

    def jaccard(self, other: Any) -> float:
        """Estimated Jaccard similarity: the share of equal slots (two empty sketches: 1.0, as datasketch)."""
        self._check_compatible(other, "compare")
        return float(np.count_nonzero(self.digest() == np.asarray(other.digest()))) / float(len(self))

    def count(self) -> float:
        """Estimated number of distinct elements (datasketch's estimator)."""
        values = self.digest().astype(np.float64)
        return float(len(values)) / float(np.sum(values / float(VALUE_RANGES[self.scheme]))) - 1.0

    def merge(self, other: Any) -> None:
        """Make this the sketch of the union of both sets."""
        self._check_compatible(other, "merge")
        theirs = other._raw() if isinstance(other, MinHash) else as_scheme_values(other.hashvalues, self.scheme, "hashvalues")
        with self._lock:
            self._state = np.minimum(self._state, theirs)

    @classmethod
    def union(cls, *mhs: "MinHash") -> "MinHash":
        """A new sketch of the union of two or more sketches."""
        if len(mhs) < 2:
            raise ValueError("Cannot union less than 2 MinHash")
        first = mhs[0]
        for m in mhs[1:]:
            first._check_compatible(m, "union")
        state = np.minimum.reduce([m._raw() for m in mhs])
        return first._with_state(state, cls=MinHash)

    def digest(self) -> np.ndarray:
        """A copy of the hash values."""
        with self._lock:
            return np.array(self.hashvalues, copy=True)

    def _raw(self) -> np.ndarray:
        with self._lock:
            raw: np.ndarray = self._state.copy()
            return raw

    def is_empty(self) -> bool:
        """True when no element was added."""
        with self._lock:
            return bool(np.all(self._state == EMPTY_VALUES[self.scheme]))

    def clear(self) -> None:
        """Forget every element."""
        with self._lock:
            self._state = np.full(self.num_perm, EMPTY_VALUES[self.scheme], dtype=DTYPES[self.scheme])

    def copy(self) -> "MinHash":
        return self._with_state(self._raw(), cls=type(self) if type(self) is MinHash else MinHash)

    def _with_state(self, state: np.ndarray, cls: type | None = None) -> "MinHash":
        """A sketch like this one with slots ``state`` (permutations shared, they never change)."""
        clone: MinHash = object.__new__(cls or MinHash)
        clone.scheme, clone.seed, clone.hashfunc = self.scheme, self.seed, self.hashfunc
        clone.ngram, clone.unit = getattr(self, "ngram", 5), getattr(self, "unit", "word")
        clone.permutations = getattr(self, "permutations", None)
        if clone.permutations is None and self.scheme not in TEXT_SCHEMES:
            clone.permutations = permutations_for(self.scheme, len(state), self.seed)
        clone._state = np.ascontiguousarray(state, dtype=DTYPES[self.scheme])
        clone._lock = threading.RLock()
        return clone

    def __len__(self) -> int:
        return self.num_perm

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, MinHash) and type(self) is type(other) and self.scheme == other.scheme
                and self.seed == other.seed
                and np.array_equal(self.digest(), other.digest()))

    __hash__: Any = None  # mutable

    def __repr__(self) -> str:
        return f"{type(self).__name__}(num_perm={self.num_perm}, seed={self.seed}, scheme={self.scheme!r})"

    # ------------------------------------------------------------------ pickling

    def __getstate__(self) -> dict[str, Any]:
        """datasketch's attribute names (so a translated pickle loads there), plus retold's own."""
        with self._lock:
            state = {"scheme": self.scheme, "seed": self.seed, "num_perm": self.num_perm,
                     "hashfunc": self.hashfunc, "hashvalues": np.array(self.hashvalues, copy=True),
                     "permutations": self.permutations, "_gpu_mode": "disable", "_a_gpu": None,
                     "_b_gpu": None, "ngram": self.ngram, "unit": self.unit}
            if self.scheme == "oph":
                state["_state"] = self._state.copy()
            return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        from retold.minhash_state import check_minhash_state

        fields = check_minhash_state(state)
        self.__dict__.update(fields)
        self._lock = threading.RLock()


def _check_permutations(permutations: Any, scheme: str, num_perm: int) -> np.ndarray | None:
    from retold.minhash_state import check_permutations

    return check_permutations(permutations, scheme, num_perm)
