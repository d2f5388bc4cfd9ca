"""What the argument checks of every kernel family share: limits, texts, arrays, literals.

The entry checks of the kernels (:mod:`retold._kernel_args`) are built from these.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from retold._validate import as_uint64, check_int

MAX_NGRAM = 1 << 10
"""Largest shingle width a kernel accepts (the Python layer's limit too)."""
MAX_NUM_PERM = 1 << 16
"""Largest MinHash signature (slots are indexed with 32 bits; this keeps the family small)."""
MAX_SEED = (1 << 64) - 1
MAX_SCORE = 1000
"""Largest |score| of one alignment step (the Python layer's limit)."""
SCORE_LIMIT = (1 << 31) - 1
"""Alignment scores live in int32 matrices."""
GLOBAL_CELL_LIMIT = 1 << 27
"""Largest (n + 1) * (m + 1) of ``align_global`` (int64 cells: 1 GiB)."""
MIN_FEATURE_BITS, MAX_FEATURE_BITS = 1, 32
"""Story features are the top n_bits of a 64-bit hash, stored as uint32."""

if TYPE_CHECKING:  # annotations only: nothing here runs, so the kernels' entry costs nothing more
    from typing import TypeAlias

    from numpy.typing import NDArray

    U64Array: TypeAlias = NDArray[np.uint64]
    I64Array: TypeAlias = NDArray[np.int64]
    I8Array: TypeAlias = NDArray[np.int8]
    F64Array: TypeAlias = NDArray[np.float64]

_Scalar = TypeVar("_Scalar", bound=np.generic)


def check_text(value: Any, name: str = "text") -> str:
    """``value`` if it is a str (None and bytes are refused, not read as memory)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def check_texts(value: Any, name: str = "texts") -> list[str]:
    """``value`` if it is a list of str, naming the first item that is not."""
    if not isinstance(value, list):
        raise TypeError(f"{name} must be a list of str, not {type(value).__name__}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise TypeError(f"{name}[{i}] must be a str, not {type(item).__name__}")
    return value


def out_array(value: Any, name: str, dtype: type[_Scalar], ndim: int) -> NDArray[_Scalar]:
    """``value`` if it is a writeable C-contiguous ndarray of ``dtype`` with ``ndim`` dimensions.

    Output buffers are written in place, so they cannot be converted: a copy would receive
    the result and the caller's array would not.
    """
    if type(value) is np.ndarray and value.dtype == dtype and value.ndim == ndim and value.flags.c_contiguous \
            and value.flags.writeable:
        return value
    want = np.dtype(dtype)
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of {want}, not {type(value).__name__}")
    if value.dtype != want:
        raise TypeError(f"{name} must be a numpy array of {want}, not {value.dtype}")
    if value.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got an array of shape {value.shape}")
    if not value.flags.c_contiguous:
        raise ValueError(f"{name} must be C-contiguous (it is written in place)")
    if not value.flags.writeable:
        raise ValueError(f"{name} must be writeable (it is written in place)")
    return value


def int_arg(value: Any, name: str, low: int, high: int) -> int:
    # The common case first: these run on every call of small kernels (MinHash.update).
    if type(value) is int and low <= value <= high:
        return value
    return check_int(value, name, low, high)


def hash_array(value: Any, name: str) -> U64Array:
    """``value`` as a contiguous 1-D uint64 array (see :func:`retold._validate.as_uint64`)."""
    if type(value) is np.ndarray and value.dtype == np.uint64 and value.ndim == 1 and value.flags.c_contiguous:
        return value
    return as_uint64(int_or_hash_array(value, name), name)


def ngram_arg(ngram: Any) -> int:
    return int_arg(ngram, "ngram", 1, MAX_NGRAM)


def literal_arg(value: Any, name: str, first: str, second: str) -> str:
    # The literal is returned, not ``value``: the same two comparisons as ``value in (...)``, and
    # what the kernel gets is a plain str whatever compared equal to it.
    if value == first:
        return first
    if value == second:
        return second
    raise ValueError(f"{name} must be {first!r} or {second!r}, not {value!r}")


def unit_arg(unit: Any) -> str:
    return literal_arg(unit, "unit", "word", "char")


def scheme_arg(scheme: Any) -> str:
    return literal_arg(scheme, "scheme", "oph", "kperm")


def seed_arg(seed: Any) -> int:
    return int_arg(seed, "seed", 0, MAX_SEED)


def check_signature_width(k: int, name: str) -> None:
    if k > MAX_NUM_PERM:
        raise ValueError(f"{name} has {k} slots; at most {MAX_NUM_PERM} are supported")




def int_or_hash_array(value: Any, name: str) -> Any:
    """``value`` if numpy sees it as a 1-D array (a scalar or a 2-D array is refused)."""
    array = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got an array of shape {array.shape}")
    return value


def sorted_set(value: Any, name: str) -> U64Array:
    """``value`` as a uint64 array that is sorted and unique (what the merge kernels assume)."""
    array = as_uint64(int_or_hash_array(value, name), name)
    if array.shape[0] > 1:
        bad = array[1:] <= array[:-1]
        if bad.any():
            at = int(np.argmax(bad)) + 1
            raise ValueError(f"{name} must be sorted and unique: {name}[{at - 1}] = {array[at - 1]}, "
                             f"{name}[{at}] = {array[at]}")
    return array


def out_of_room(name: str, room: int) -> ValueError:
    """The error of a kernel whose output buffer is too small for what it found."""
    return ValueError(f"{name} has room for {room} entries but more are needed")
