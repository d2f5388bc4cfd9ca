"""Entry checks of the LSH kernels (see :mod:`retold._kernel_args`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from retold._validate import as_uint64, check_int, int_array

from .common import MAX_NUM_PERM, out_array, int_or_hash_array

if TYPE_CHECKING:
    from .common import U64Array, I64Array, F64Array


def band_keys_args(signatures: Any, bands: Any, rows: Any,
                   out: Any) -> tuple[U64Array, int, int, U64Array]:
    given = np.asarray(signatures)
    if given.ndim != 2:
        raise ValueError(f"signatures must be 2-D, got an array of shape {given.shape}")
    if given.dtype != np.uint64:
        raise TypeError(f"signatures must hold uint64, not {given.dtype}")
    # The dtype was checked just above, which numpy's types cannot follow.
    sigs: U64Array = np.ascontiguousarray(given)
    n_bands = check_int(bands, "bands", 1, MAX_NUM_PERM)
    n_rows = check_int(rows, "rows", 1, MAX_NUM_PERM)
    if n_bands * n_rows > sigs.shape[1]:
        raise ValueError(f"bands * rows = {n_bands * n_rows} exceeds the signature width {sigs.shape[1]}")
    keys = out_array(out, "out", np.uint64, 2)
    if keys.shape != (n_bands, sigs.shape[0]):
        raise ValueError(f"out must have shape ({n_bands}, {sigs.shape[0]}), not {keys.shape}")
    return sigs, n_bands, n_rows, keys


def count_bucket_pairs_args(sorted_keys: Any, cap: Any) -> tuple[U64Array, int]:
    return as_uint64(int_or_hash_array(sorted_keys, "sorted_keys"), "sorted_keys"), \
        check_int(cap, "cap", 1, 1 << 62)


def fill_bucket_pairs_args(sorted_keys: Any, order: Any, cap: Any,
                           out: Any) -> tuple[U64Array, I64Array, int, U64Array]:
    keys, room = count_bucket_pairs_args(sorted_keys, cap)
    # Pair codes pack two document numbers in 32 bits each.
    docs = int_array(order, "order", 0, (1 << 32) - 1)
    if docs.shape[0] != keys.shape[0]:
        raise ValueError(f"order has {docs.shape[0]} documents for {keys.shape[0]} keys")
    return keys, docs, room, out_array(out, "out", np.uint64, 1)


def verify_pairs_args(offsets: Any, values: Any, left: Any, right: Any, containment: Any,
                      out: Any) -> tuple[I64Array, U64Array, I64Array, I64Array, bool, F64Array]:
    off: I64Array = int_array(offsets, "offsets")
    vals: U64Array = as_uint64(int_or_hash_array(values, "values"), "values")
    n_sets = off.shape[0] - 1
    lefts: I64Array = int_array(left, "left", 0, max(n_sets - 1, 0))
    rights: I64Array = int_array(right, "right", 0, max(n_sets - 1, 0))
    if lefts.shape[0] != rights.shape[0]:
        raise ValueError(f"left and right differ in length: {lefts.shape[0]} and {rights.shape[0]}")
    if lefts.shape[0] and n_sets < 1:
        raise ValueError("offsets describes no sets but pairs were given")
    scores = out_array(out, "out", np.float64, 1)
    if scores.shape[0] != lefts.shape[0]:
        raise ValueError(f"out has {scores.shape[0]} values for {lefts.shape[0]} pairs")
    if lefts.shape[0]:
        # Only the rows asked about: the kernel is called in chunks over one large CSR.
        for ids, name in ((lefts, "left"), (rights, "right")):
            lo, hi = off[ids], off[ids + 1]
            bad = (lo < 0) | (hi < lo) | (hi > vals.shape[0])
            if bad.any():
                at = int(np.argmax(bad))
                row = int(ids[at])
                raise ValueError(f"offsets of set {row} ({name}[{at}]) are [{off[row]}, {off[row + 1]}), "
                                 f"not inside the {vals.shape[0]} values")
    return off, vals, lefts, rights, bool(containment), scores


def union_find_args(left: Any, right: Any, labels: Any) -> tuple[I64Array, I64Array, I64Array]:
    roots = out_array(labels, "labels", np.int64, 1)
    n = roots.shape[0]
    lefts: I64Array = int_array(left, "left")
    rights: I64Array = int_array(right, "right")
    if lefts.shape[0] != rights.shape[0]:
        raise ValueError(f"left and right must have the same length, got {lefts.shape[0]} and {rights.shape[0]}")
    bad = (lefts < 0) | (lefts >= n) | (rights < 0) | (rights >= n)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"edge {i} ({lefts[i]}, {rights[i]}) names an item outside [0, {n})")
    return lefts, rights, roots
