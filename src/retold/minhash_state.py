"""Checks of a MinHash's state from outside (a pickle, datasketch's attributes, user arrays).

A pickle is data from somewhere else: every field is checked for kind, shape, dtype and range
before it becomes a sketch, and a bad one raises ``ValueError`` naming the field, never a sketch
that answers wrongly later.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from retold.hashing import SCHEMES as TEXT_SCHEMES, UNITS  # where retold.minhash takes them from
from retold.sketch_schemes import ALL_SCHEMES, DTYPES, EMPTY_VALUES, default_hashfunc

_MERSENNE61 = (1 << 61) - 1


def _int_array(value: Any, field: str) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind == "O":
        try:
            array = np.array([int(v) for v in array.ravel()], dtype=object).reshape(array.shape)
            if array.size and (min(array.flat) < 0 or max(array.flat) >= 1 << 64):
                raise ValueError
            array = array.astype(np.uint64)
        except (TypeError, ValueError):
            raise ValueError(f"MinHash state: {field!r} must hold unsigned integers") from None
    if array.size and array.dtype.kind not in "ui":
        raise ValueError(f"MinHash state: {field!r} must hold unsigned integers, not {array.dtype}")
    if array.size and array.dtype.kind == "i" and array.min() < 0:
        raise ValueError(f"MinHash state: {field!r} holds negative values")
    return array


def check_permutations(permutations: Any, scheme: str, num_perm: int) -> np.ndarray | None:
    """``[a, b]`` of ``num_perm`` values each in the scheme's range (``a`` odd for affine schemes)."""
    if scheme in TEXT_SCHEMES:
        if permutations is not None:
            raise ValueError(f"MinHash state: 'permutations' must be None for scheme {scheme!r} "
                             "(its hashes derive from the seed)")
        return None
    try:
        array = _int_array(permutations, "permutations")
    except ValueError:
        raise
    except Exception:  # ragged sequences and the like
        raise ValueError("MinHash state: 'permutations' must be two arrays of integers") from None
    if array.shape != (2, num_perm):
        raise ValueError(f"MinHash state: 'permutations' must have shape (2, {num_perm}), got {array.shape}")
    high = _MERSENNE61 if scheme == "legacy" else EMPTY_VALUES[scheme]
    if int(array.max()) > high:
        raise ValueError(f"MinHash state: 'permutations' out of range for scheme {scheme!r}")
    out = np.ascontiguousarray(array, dtype=DTYPES[scheme])
    if scheme != "legacy" and np.any(out[0] & 1 == 0):
        raise ValueError(f"MinHash state: all 'permutations' a values must be odd for scheme {scheme!r}")
    return out


def check_minhash_state(state: Any) -> dict[str, Any]:
    """The attributes of a MinHash from a pickled ``state`` (retold's or datasketch's layout)."""
    if not isinstance(state, dict):
        raise ValueError(f"MinHash state must be a dict, not {type(state).__name__}")
    scheme = state.get("scheme", "legacy")  # datasketch before 2.0 had no schemes: legacy
    if scheme not in ALL_SCHEMES:
        raise ValueError(f"MinHash state: 'scheme' must be one of {', '.join(ALL_SCHEMES)}, not {scheme!r}")
    seed = state.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 1 << 64:
        raise ValueError(f"MinHash state: 'seed' must be a non-negative int, not {seed!r}")
    raw = state.get("_state", state.get("hashvalues"))
    if raw is None:
        raise ValueError("MinHash state: 'hashvalues' is missing")
    values = _int_array(raw, "hashvalues")
    if values.ndim != 1 or not len(values):
        raise ValueError(f"MinHash state: 'hashvalues' must be a non-empty 1-D array, got shape {values.shape}")
    if int(values.max()) > EMPTY_VALUES[scheme]:
        raise ValueError(f"MinHash state: 'hashvalues' out of range for scheme {scheme!r}")
    num_perm = state.get("num_perm", len(values))
    if num_perm != len(values):
        raise ValueError(f"MinHash state: 'num_perm' is {num_perm!r} but 'hashvalues' has {len(values)} values")
    hashfunc = state.get("hashfunc") or default_hashfunc(scheme)
    if not callable(hashfunc):
        raise ValueError("MinHash state: 'hashfunc' must be callable")
    ngram, unit = state.get("ngram", 5), state.get("unit", "word")
    if isinstance(ngram, bool) or not isinstance(ngram, int) or not 1 <= ngram <= 1 << 10:
        raise ValueError(f"MinHash state: 'ngram' must be an int in [1, 1024], not {ngram!r}")
    if unit not in UNITS:
        raise ValueError(f"MinHash state: 'unit' must be one of {', '.join(UNITS)}, not {unit!r}")
    permutations = check_permutations(state.get("permutations"), scheme, len(values))
    return {"scheme": scheme, "seed": int(seed), "hashfunc": hashfunc, "ngram": ngram, "unit": unit,
            "permutations": permutations,
            "_state": np.ascontiguousarray(values, dtype=DTYPES[scheme]).copy()}
