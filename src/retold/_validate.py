"""Argument checks shared by the Python layer, so every capability words its errors alike.

Each raises ``TypeError`` for a value of the wrong kind and ``ValueError`` for one out of range,
naming the argument; ``bool`` is refused where a number is asked for (``ngram=True`` is a slip,
not a 1).
"""
from __future__ import annotations

import operator
from typing import Any, Sequence

import numpy as np


def check_int(value: Any, name: str, low: int, high: int) -> int:
    """``value`` as an int in [low, high]."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not bool")
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(value).__name__}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {value}")
    return value


def check_number(value: Any, name: str, low: float, high: float, *, open_low: bool = False) -> float:
    """``value`` as a float in [low, high] (or (low, high] with ``open_low=True``).

    Only real numbers pass: a string such as ``"0.3"`` is refused here rather than failing
    later in a comparison, and NaN is out of every range.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    value = float(value)
    inside = (low < value if open_low else low <= value) and value <= high
    if not inside:  # NaN lands here too
        raise ValueError(f"{name} must be in {'(' if open_low else '['}{low:g}, {high:g}], got {value}")
    return value


def check_fraction(value: Any, name: str, *, open_low: bool = True) -> float:
    """``value`` as a float in (0, 1] (or [0, 1] with ``open_low=False``)."""
    return check_number(value, name, 0.0, 1.0, open_low=open_low)


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, not {value!r}")
    return value


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
