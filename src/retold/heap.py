"""Give the memory of freed objects back to the system, where the C library can.

dedup holds every text until the candidate pairs are known, then drops those in no pair
(nine in ten, in a news corpus).  CPython frees a text of a few KB with ``free()``, and glibc
keeps freed blocks inside its heap for later ``malloc`` calls; but the arrays that verification
allocates next are large, and glibc maps those fresh (``mmap``), so the freed texts are never
reused and the peak RSS was the held texts plus verification (3.08 GB for the 1M-document
bench, 2.3 GB of it held when verification began, most of it texts no longer needed; 2.50 GB
with the trim).  ``malloc_trim(0)`` returns the heap's free pages to the system, wherever they
lie in it.

While it reads and signs, dedup also holds the cyclic garbage collector (:func:`gc_paused`):
the lists of ids, texts, lengths and dates it fills are long-lived, and every full collection
walks all of them, so the collections grew with the corpus (2.3 of 30 CPU seconds of the
1M-document bench).  The stage makes few reference cycles; any it or a caller's generator
makes are collected once it ends.
"""
from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from functools import lru_cache
from typing import Callable, Iterator

__all__ = ["gc_paused", "release_freed_memory"]


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


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector inside the block (reference counting still frees).

    The collector is process-wide: it is turned back on at the end only if it was on at the
    start, so nested or concurrent pauses never leave it off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
