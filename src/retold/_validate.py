"""Argument checks shared by the Python layer, so every capability words its errors alike.

Each raises ``TypeError`` for a value of the wrong kind and ``ValueError`` for one out of range,
naming the argument; ``bool`` is refused where a number is asked for (``ngram=True`` is a slip,
not a 1).
"""
from __future__ import annotations

import math
import operator
from typing import Any, Sequence

import numpy as np


def check_int(value: Any, name: str, low: int, high: int) -> int:
    """``value`` as an int in [low, high]."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not bool")
    try:
        number: int = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(value).__name__}") from None
    if not low <= number <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {number}")
    return number


def check_number(value: Any, name: str, low: float, high: float, *, open_low: bool = False) -> float:
    """``value`` as a float in [low, high] (or (low, high] with ``open_low=True``).

    Only real numbers pass: a string such as ``"0.3"`` is refused here rather than failing
    later in a comparison, and NaN is out of every range.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    number = float(value)
    inside = (low < number if open_low else low <= number) and number <= high
    if not inside:  # NaN lands here too
        raise ValueError(f"{name} must be in {'(' if open_low else '['}{low:g}, {high:g}], got {number}")
    return number


def check_fraction(value: Any, name: str, *, open_low: bool = True) -> float:
    """``value`` as a float in (0, 1] (or [0, 1] with ``open_low=False``)."""
    return check_number(value, name, 0.0, 1.0, open_low=open_low)


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, not {value!r}")
    return str(value)


def as_uint64(value: Any, name: str, what: str = "hash values") -> np.ndarray:
    """``value`` as a contiguous uint64 array, refusing what would wrap or truncate silently.

    A float or bool array, or negative integers, would become other (valid-looking) hashes
    under a plain ``astype``: ``[1.5, -3.0]`` turns into ``[1, 2**64 - 3]``.
    """
    array = np.asarray(value)
    if array.dtype.kind in "fO" and array.size and not isinstance(value, np.ndarray):
        # numpy guesses float64 (or object) for a list of Python ints past 2**63: judge the
        # items themselves before they lose their low bits.
        items = np.asarray(value, dtype=object)
        if all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
               for v in items.flat):
            if any(v < 0 for v in items.flat):
                raise ValueError(f"{name} holds negative values; {what} are uint64")
            if any(v >= 1 << 64 for v in items.flat):
                raise ValueError(f"{name} holds values of 2**64 or more; {what} are uint64")
            return np.ascontiguousarray(items.astype(np.uint64))
    if array.dtype != np.uint64 and array.size:
        if array.dtype.kind not in "ui":
            raise TypeError(f"{name} must hold unsigned 64-bit {what}, not {array.dtype}")
        if array.dtype.kind == "i" and array.min() < 0:
            raise ValueError(f"{name} holds negative values; {what} are uint64")
    return np.ascontiguousarray(array, dtype=np.uint64)


# -- kernel arguments --------------------------------------------------------------------------
# The sparse kernels (neighbours, agglomerate) are called by the Python layer with arrays it
# builds itself, but they are importable and a wrong array would reach C as an out-of-bounds
# read or write.  Both backends run their arguments through these checks first, so they fail
# alike, with the argument named, and the compiled code only ever sees what it can trust.


def _array_1d(value: Any, name: str) -> np.ndarray:
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged lists and other things numpy cannot hold
        raise TypeError(f"{name} must be a 1-D array: {exc}") from None
    if array.ndim == 0:
        raise TypeError(f"{name} must be a 1-D array, not {type(value).__name__}")
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got an array of shape {array.shape}")
    return array


def int_array(value: Any, name: str, low: int = -(1 << 63), high: int = (1 << 63) - 1,
              dtype: Any = np.int64) -> np.ndarray:
    """``value`` as a contiguous 1-D array of ``dtype`` (int64) holding integers in [low, high].

    Floats and bools are refused rather than truncated (``1.7`` is not item 1); an empty
    sequence of any dtype is an empty array.
    """
    array = _array_1d(value, name)
    if array.size == 0:
        return np.zeros(0, dtype=dtype)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, not {array.dtype}")
    lo, hi = int(array.min()), int(array.max())
    if lo < low or hi > high:
        at = int(np.argmax(array < low)) if lo < low else int(np.argmax(array > high))
        raise ValueError(f"{name}[{at}] = {array[at]} is outside [{low}, {high}]")
    return np.ascontiguousarray(array, dtype=dtype)


def real_array(value: Any, name: str) -> np.ndarray:
    """``value`` as a contiguous 1-D float64 array of finite numbers (no NaN, no infinity)."""
    array = _array_1d(value, name)
    if array.size == 0:
        return np.zeros(0, dtype=np.float64)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, not {array.dtype}")
    array = np.ascontiguousarray(array, dtype=np.float64)
    finite = np.isfinite(array)
    if not finite.all():
        bad = int(np.argmin(finite))
        raise ValueError(f"{name}[{bad}] = {array[bad]} is not finite")
    return array


def check_real(value: Any, name: str, *, allow_infinite: bool = False) -> float:
    """``value`` as a float: not NaN, and finite unless ``allow_infinite`` (:func:`check_number`
    with no range)."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)) \
            and value != value:
        raise ValueError(f"{name} must be {'a number' if allow_infinite else 'finite'}, got nan")
    number = check_number(value, name, -math.inf, math.inf)
    if not allow_infinite and math.isinf(number):
        raise ValueError(f"{name} must be finite, got {number}")
    return number


def check_csr(offsets: Any, indices: Any, values: Any, *, max_rows: int = (1 << 32) - 1,
              max_feature: int = (1 << 32) - 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse rows in CSR form as ``(offsets int64, indices uint32, values float64)``.

    Row ``i`` is ``indices[offsets[i]:offsets[i + 1]]`` with ``values`` alike: ``offsets`` starts
    at 0, never decreases and ends at ``len(indices) == len(values)``; each row's features are
    strictly increasing (sorted, no duplicates) in ``[0, max_feature]``; values are finite.
    """
    off = int_array(offsets, "offsets")
    if len(off) == 0:
        raise ValueError("offsets must hold at least one value (0 rows: offsets = [0])")
    if len(off) - 1 > max_rows:
        raise ValueError(f"offsets describes {len(off) - 1} rows; at most {max_rows} are supported")
    if off[0] != 0:
        raise ValueError(f"offsets must start at 0, not {off[0]}")
    step = np.diff(off)
    if len(step) and step.min() < 0:
        row = int(np.argmax(step < 0))
        raise ValueError(f"offsets must be non-decreasing: offsets[{row + 1}] = {off[row + 1]} "
                         f"< offsets[{row}] = {off[row]}")
    idx = int_array(indices, "indices", 0, max_feature, dtype=np.uint32 if max_feature < 1 << 32 else np.int64)
    val = real_array(values, "values")
    if len(idx) != len(val):
        raise ValueError(f"indices and values differ in length: {len(idx)} and {len(val)}")
    if off[-1] != len(idx):
        raise ValueError(f"offsets[-1] = {off[-1]} but indices and values hold {len(idx)} entries")
    m = len(idx)
    if m > 1:
        # Where the feature does not increase, a new row must begin there.
        row_start = np.zeros(m, dtype=bool)
        row_start[off[(off > 0) & (off < m)]] = True
        bad = (idx[1:] <= idx[:-1]) & ~row_start[1:]
        if bad.any():
            at = int(np.argmax(bad)) + 1
            row = int(np.searchsorted(off, at, side="right")) - 1
            raise ValueError(
                f"indices of row {row} are not strictly increasing (indices[{at - 1}] = {idx[at - 1]}, "
                f"indices[{at}] = {idx[at]}): each row's features must be sorted and unique")
    return off, idx, val


def check_graph(n: Any, a: Any, b: Any, w: Any, offset: Any) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A weighted graph on items ``0..n-1``: ``(n, a int64, b int64, w float64, offset float64)``.

    Edge ``e`` joins ``a[e]`` and ``b[e]`` (both in ``[0, n)``) with finite weight ``w[e]``;
    ``offset`` holds one finite value per item.
    """
    n = check_int(n, "n", 0, 1 << 62)
    a = int_array(a, "a")
    b = int_array(b, "b")
    w = real_array(w, "w")
    if not (len(a) == len(b) == len(w)):
        raise ValueError(f"a, b and w differ in length: {len(a)}, {len(b)} and {len(w)}")
    for ids, name in ((a, "a"), (b, "b")):
        outside = (ids < 0) | (ids >= n)
        if outside.any():
            at = int(np.argmax(outside))
            raise ValueError(f"{name}[{at}] = {ids[at]} is not an item: items are 0..n-1 (n = {n})")
    offset = real_array(offset, "offset")
    if len(offset) != n:
        raise ValueError(f"offset has {len(offset)} values for {n} items")
    return n, a, b, w, offset


MAX_NEIGHBOURS = (1 << 31) - 1
"""Largest ``k``, ``index_terms`` and ``query_terms`` of :func:`check_neighbours_args`."""


def check_neighbours_args(offsets: Any, indices: Any, values: Any, k: Any, index_terms: Any,
                          query_terms: Any, max_postings: Any = None, candidates: Any = None) -> tuple[Any, ...]:
    """The arguments of ``nearest_neighbours`` (both backends), checked and converted.

    Without ``max_postings`` and ``candidates`` (other callers of the CSR checks) the first
    six are returned; with them, all eight.
    """
    k = check_int(k, "k", 1, MAX_NEIGHBOURS)
    index_terms = check_int(index_terms, "index_terms", 1, MAX_NEIGHBOURS)
    query_terms = check_int(query_terms, "query_terms", 1, MAX_NEIGHBOURS)
    # Rows are packed with their feature in 64-bit keys, 32 bits each.
    off, idx, val = check_csr(offsets, indices, values, max_rows=(1 << 32) - 1)
    if max_postings is None and candidates is None:
        return off, idx, val, k, index_terms, query_terms
    max_postings = check_int(max_postings, "max_postings", 1, 1 << 40)
    candidates = check_int(candidates, "candidates", 1, MAX_NEIGHBOURS)
    return off, idx, val, k, index_terms, query_terms, max_postings, candidates


def check_average_link_args(n: Any, a: Any, b: Any, w: Any, offset: Any, threshold: Any,
                            penalty: Any) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, float]:
    """The arguments of ``average_link`` (both backends), checked and converted.

    ``threshold`` may be infinite (no merge, or every connected pair); ``penalty`` must be
    finite, since an infinite one times a zero density is NaN.
    """
    n, a, b, w, offset = check_graph(n, a, b, w, offset)
    threshold = check_real(threshold, "threshold", allow_infinite=True)
    penalty = check_real(penalty, "penalty")
    return n, a, b, w, offset, threshold, penalty
