"""Pure-Python twin of ``ext/minhash_schemes.pyx``: datasketch's MinHash permutation schemes.

See the compiled module's docstring for the definitions; this file is their plainest statement.
"""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, Callable

from retold._reference._hash64 import MASK32, MASK64, MERSENNE61, fmix32, fmix64

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


def _check(offsets: list[int], n_hashes: int, rows: int, slots: int, a: list[int], b: list[int]) -> None:
    if len(offsets) != rows + 1:
        raise ValueError(f"offsets has {len(offsets)} entries for {rows} sketches")
    if len(a) != slots or len(b) != slots:
        raise ValueError(f"permutations have {len(a)} and {len(b)} values for {slots} slots")
    if rows and (offsets[0] != 0 or offsets[rows] != n_hashes):
        raise ValueError("offsets must start at 0 and end at the number of hashes")
    if any(offsets[d + 1] < offsets[d] for d in range(rows)):
        raise ValueError("offsets must not decrease")


def _update(offsets: npt.NDArray[np.int64], hashes: npt.NDArray[np.unsignedinteger[Any]],
            a: npt.NDArray[np.unsignedinteger[Any]], b: npt.NDArray[np.unsignedinteger[Any]],
            out: npt.NDArray[np.unsignedinteger[Any]], permute: Callable[[int, int, int], int]) -> None:
    # Python ints throughout: the schemes are defined by wrap-around, which masking states plainly.
    offs, keys = [int(o) for o in offsets], [int(h) for h in hashes]
    mul, add = [int(v) for v in a], [int(v) for v in b]
    rows, k = out.shape
    _check(offs, len(keys), rows, k, mul, add)
    for d in range(rows):
        row = [int(v) for v in out[d]]
        for h in keys[offs[d] : offs[d + 1]]:
            for j in range(k):
                row[j] = min(row[j], permute(mul[j], h, add[j]))
        out[d] = row


def update_affine32(
    offsets: npt.NDArray[np.int64], hashes: npt.NDArray[np.uint32], a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32], out: npt.NDArray[np.uint32],
) -> None:
    """Fold ``hashes`` into the uint32 sketches ``out`` under the ``affine32`` scheme."""
    _update(offsets, hashes, a, b, out, lambda aj, h, bj: (aj * fmix32(h) + bj) & MASK32)


def update_affine64(
    offsets: npt.NDArray[np.int64], hashes: npt.NDArray[np.uint64], a: npt.NDArray[np.uint64],
    b: npt.NDArray[np.uint64], out: npt.NDArray[np.uint64],
) -> None:
    """Fold ``hashes`` into the uint64 sketches ``out`` under the ``affine64`` scheme."""
    _update(offsets, hashes, a, b, out, lambda aj, h, bj: (aj * fmix64(h) + bj) & MASK64)


def update_legacy(
    offsets: npt.NDArray[np.int64], hashes: npt.NDArray[np.uint64], a: npt.NDArray[np.uint64],
    b: npt.NDArray[np.uint64], out: npt.NDArray[np.uint64],
) -> None:
    """Fold ``hashes`` into the uint64 sketches ``out`` under the pre-2.0 ``legacy`` scheme."""
    _update(offsets, hashes, a, b, out,
            lambda aj, h, bj: ((aj * h + bj) & MASK64) % MERSENNE61 & MASK32)


def sha1_hashes(elements: list[bytes], width: int, out: npt.NDArray[np.uint64]) -> None:
    """``out[i]`` = the first ``width // 8`` bytes of SHA-1(``elements[i]``) as a little-endian int."""
    if width not in (32, 64):
        raise ValueError(f"width must be 32 or 64, not {width}")
    if len(out) != len(elements):
        raise ValueError(f"out has {len(out)} slots for {len(elements)} elements")
    for i, item in enumerate(elements):
        if type(item) is not bytes:
            raise TypeError(f"element {i} is {type(item).__name__}, not bytes")
        out[i] = int.from_bytes(hashlib.sha1(item).digest()[: width // 8], "little")
