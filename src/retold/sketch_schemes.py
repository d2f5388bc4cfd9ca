"""The schemes of a MinHash sketch: their value types and empty values, the element hashes,
datasketch's permutations, and the folding of hashes into sketches (in the kernels).

:class:`retold.MinHash` and the batch calls read every per-scheme fact from here; the names
are also importable from :mod:`retold.minhash`, their home before.
"""
from __future__ import annotations

import functools
import hashlib
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from retold._backend import kernels
from retold._validate import as_uint64 as _as_uint64
from retold.hashing import EMPTY_SLOT, SCHEMES as TEXT_SCHEMES

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import hashing as _hashing
else:
    _hashing = kernels("hashing")


@functools.lru_cache(maxsize=1)
def scheme_kernels() -> Any:
    # Loaded on first use, so that `import retold` works where only the older kernels are built.
    return kernels("minhash_schemes")


DATASKETCH_SCHEMES = ("affine32", "affine64", "legacy")
ALL_SCHEMES = DATASKETCH_SCHEMES + TEXT_SCHEMES
_MERSENNE61 = (1 << 61) - 1

DTYPES = {"affine32": np.uint32, "affine64": np.uint64, "legacy": np.uint64,
          "oph": np.uint64, "kperm": np.uint64}
"""Storage type of each scheme's hash values."""

EMPTY_VALUES = {"affine32": (1 << 32) - 1, "affine64": (1 << 64) - 1, "legacy": (1 << 32) - 1,
                "oph": int(EMPTY_SLOT), "kperm": int(EMPTY_SLOT)}
"""The value of every slot of a sketch with no element, per scheme."""

VALUE_RANGES = {"affine32": (1 << 32) - 1, "affine64": (1 << 64) - 1, "legacy": (1 << 32) - 1,
                 "oph": (1 << 64) - 1, "kperm": _MERSENNE61}
"""The largest value a slot can take once an element is in (``MinHash.count`` divides by it)."""
INPUT_MAX = {"affine32": (1 << 32) - 1, "affine64": (1 << 64) - 1, "legacy": (1 << 64) - 1,
              "oph": (1 << 64) - 1, "kperm": (1 << 64) - 1}
"""The largest hash an element may have under each scheme (what ``hashfunc`` must return)."""


def sha1_hash32(data: bytes) -> int:
    """The first 4 bytes of SHA-1 of ``data`` as a little-endian integer (datasketch's default)."""
    return int.from_bytes(hashlib.sha1(data).digest()[:4], "little")


def sha1_hash64(data: bytes) -> int:
    """The first 8 bytes of SHA-1 of ``data`` as a little-endian integer (for 64-bit schemes)."""
    return int.from_bytes(hashlib.sha1(data).digest()[:8], "little")


def default_hashfunc(scheme: str) -> Callable[[bytes], int]:
    """The hash datasketch uses for ``scheme``: 32-bit for affine32/legacy, 64-bit otherwise."""
    return sha1_hash32 if scheme in ("affine32", "legacy") else sha1_hash64


def permutations_for(scheme: str, num_perm: int, seed: int) -> np.ndarray | None:
    """datasketch's permutation parameters ``[a, b]`` for ``scheme`` and ``seed`` (None: text schemes).

    The draws follow datasketch 2.x exactly (numpy's legacy ``RandomState``), which is what makes
    the hash values equal.
    """
    if scheme in TEXT_SCHEMES:
        return None
    gen = np.random.RandomState(seed)
    if scheme == "legacy":
        pairs = [(gen.randint(1, _MERSENNE61, dtype=np.uint64), gen.randint(0, _MERSENNE61, dtype=np.uint64))
                 for _ in range(num_perm)]
        legacy: np.ndarray = np.array(pairs, dtype=np.uint64).reshape(num_perm, 2).T.copy()
        return legacy
    width = 32 if scheme == "affine32" else 64
    dtype: Any = DTYPES[scheme]
    a = gen.randint(0, 1 << (width - 1), num_perm, dtype=dtype) * dtype(2) + dtype(1)
    b = gen.randint(0, 1 << width, num_perm, dtype=dtype)
    return np.array([a, b])


def _sha1_width(hashfunc: Any) -> int:
    """32 or 64 when ``hashfunc`` is the SHA-1 prefix hash (retold's or datasketch's), else 0."""
    if hashfunc is sha1_hash32 or hashfunc is sha1_hash64:
        return 32 if hashfunc is sha1_hash32 else 64
    name = str(getattr(hashfunc, "__module__", "")), str(getattr(hashfunc, "__name__", ""))
    return {("datasketch.hashfunc", "sha1_hash32"): 32, ("datasketch.hashfunc", "sha1_hash64"): 64}.get(name, 0)


def hash_elements(hashfunc: Callable[[Any], int], scheme: str, elements: list[Any]) -> np.ndarray:
    """Each element's hash as the scheme's dtype: the SHA-1 prefix hash in the kernel, others in Python."""
    width = _sha1_width(hashfunc)
    if width:
        out = np.empty(len(elements), dtype=np.uint64)
        try:
            scheme_kernels().sha1_hashes(elements, width, out)
        except TypeError:
            pass  # not all bytes: hashfunc itself says what it accepts, below
        else:
            return as_scheme_values(out, scheme, "element hashes")
    try:
        hashed = [hashfunc(x) for x in elements]
    except TypeError as exc:
        if any(isinstance(x, str) for x in elements):
            raise TypeError(f"{exc}: MinHash.update adds one element (bytes, as in datasketch); "
                            "to add the shingles of a text use update_text()") from None
        raise
    try:
        return as_scheme_values(hashed, scheme, "element hashes")
    except OverflowError as exc:
        raise ValueError(f"hashfunc returned a value out of range for scheme {scheme!r}: {exc}") from None


def as_scheme_values(values: Any, scheme: str, what: str) -> np.ndarray:
    """``values`` as a contiguous 1-D array of the scheme's dtype, refusing anything lossy."""
    array = _as_uint64(values, what, what).ravel()
    limit = EMPTY_VALUES[scheme] if what != "element hashes" else INPUT_MAX[scheme]
    if array.size and int(array.max()) > limit:
        raise ValueError(f"{what} out of range for scheme {scheme!r}: the largest is {int(array.max())}, "
                         f"the scheme holds at most {limit}")
    return np.ascontiguousarray(array, dtype=DTYPES[scheme])


def fold_hashes(scheme: str, seed: int, permutations: np.ndarray | None, offsets: np.ndarray,
                hashes: np.ndarray, out: np.ndarray) -> None:
    """Fold element hashes (CSR over the rows of ``out``) into the sketches ``out`` in place."""
    if scheme in TEXT_SCHEMES:
        for row in range(out.shape[0]):
            part = np.ascontiguousarray(hashes[offsets[row]:offsets[row + 1]], dtype=np.uint64)
            _hashing.minhash_accumulate(part, scheme, seed, out[row])
        return
    assert permutations is not None  # datasketch's schemes always have them
    a, b = permutations[0], permutations[1]
    kernel = getattr(scheme_kernels(), f"update_{scheme}")
    kernel(offsets, hashes, a, b, out)
