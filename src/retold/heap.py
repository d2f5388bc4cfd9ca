"""Give the memory of freed objects back to the system, where the C library can.

dedup holds every text until the candidate pairs are known, then drops those in no pair
(nine in ten, in a news corpus).  CPython frees a text of a few KB with ``free()``, and glibc
keeps freed blocks inside its heap for later ``malloc`` calls; but the arrays that verification
allocates next are large, and glibc maps those fresh (``mmap``), so the freed texts are never
reused and the peak RSS was the held texts plus verification (3.08 GB for the 1M-document
bench, 2.3 GB of it held when verification began, most of it texts no longer needed; 2.50 GB
with the trim).  ``malloc_trim(0)`` returns the heap's free pages to the system, wherever they
lie in it.
"""
from __future__ import annotations

import sys
from functools import lru_cache
from typing import Callable

__all__ = ["release_freed_memory"]


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where there is none (not Linux, musl, another libc)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # here, not at import: most runs of retold never get this far
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        function = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return function


def release_freed_memory() -> bool:
    """Return the free pages of the C heap to the system; whether any were returned.

    A no-op (False) where the C library offers no such call.  It takes a few milliseconds per
    GB of heap, so call it after freeing much, not in a loop.
    """
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
