"""Entry checks of the misread-words kernel (see :mod:`retold._kernel_args`).

What is checked here costs the same whatever the texts' lengths: the arrays' types and shapes
and the scalars.  That the words a walk visits lie inside ``chars`` is checked by each backend
as it takes them (only those words, so an extension over a long text costs its walk, not the
text).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .common import int_arg

if TYPE_CHECKING:
    from numpy.typing import NDArray

_FAR = 1 << 62
"""Bound of a word index or count (any int64 a caller can mean)."""


def _array(value: Any, name: str, dtype: type[np.generic]) -> NDArray[Any]:
    """``value`` as a C-contiguous 1-D array of ``dtype``; refused, not converted, otherwise
    (code points and token offsets are made by the wrapper in those dtypes)."""
    if type(value) is np.ndarray and value.dtype == dtype and value.ndim == 1:
        return value if value.flags.c_contiguous else np.ascontiguousarray(value)
    want = np.dtype(dtype)
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of {want}, not {type(value).__name__}")
    if value.dtype != want:
        raise TypeError(f"{name} must be a numpy array of {want}, not {value.dtype}")
    raise ValueError(f"{name} must be 1-D, got an array of shape {value.shape}")


def near_equal_args(a: Any, b: Any) -> tuple[NDArray[np.uint32], NDArray[np.uint32]]:
    return _array(a, "a", np.uint32), _array(b, "b", np.uint32)


def _side(chars: Any, starts: Any, ends: Any, first: Any, count: Any, side: str) -> tuple[Any, ...]:
    c = _array(chars, f"{side}_chars", np.uint32)
    s = _array(starts, f"{side}_starts", np.int64)
    e = _array(ends, f"{side}_ends", np.int64)
    if s.shape[0] != e.shape[0]:
        raise ValueError(f"{side}_starts and {side}_ends must have the same length, got "
                         f"{s.shape[0]} and {e.shape[0]}")
    first = int_arg(first, f"{side}_first", -_FAR, _FAR)
    count = int_arg(count, f"{side}_count", -_FAR, _FAR)
    if count < 0:
        raise ValueError(f"{side}_count must be at least 0, got {count}")
    return c, s, e, first, count


def extend_args(left_chars: Any, left_starts: Any, left_ends: Any, left_first: Any, left_count: Any,
                right_chars: Any, right_starts: Any, right_ends: Any, right_first: Any, right_count: Any,
                step: Any, match: Any, shift: Any, drop: Any, least: Any) -> tuple[Any, ...]:
    """The arguments of ``misread.extend``, checked and in the kernel's types, in order."""
    step = int_arg(step, "step", -_FAR, _FAR)
    if step not in (1, -1):
        raise ValueError(f"step must be 1 or -1, got {step}")
    match, shift, drop, least = (int_arg(v, n, -_FAR, _FAR) for v, n in
                                 ((match, "match"), (shift, "shift"), (drop, "drop"), (least, "least")))
    if match < 1 or shift < 0 or drop < 1 or least < 0:
        raise ValueError(f"match, drop must be at least 1 and shift, least at least 0, got "
                         f"match={match}, shift={shift}, drop={drop}, least={least}")
    if match > (1 << 20) or shift > (1 << 20) or drop > (1 << 40) or least > (1 << 20):
        raise ValueError("match, shift, drop or least is too large")
    left = _side(left_chars, left_starts, left_ends, left_first, left_count, "left")
    right = _side(right_chars, right_starts, right_ends, right_first, right_count, "right")
    return (*left, *right, step, match, shift, drop, least)
