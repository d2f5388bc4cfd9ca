"""retold.heap: freed memory goes back to the system where glibc can do it."""
from __future__ import annotations

import sys

import pytest

from retold.heap import _malloc_trim, release_freed_memory


def _rss_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line")


def test_returns_a_bool_everywhere():
    assert release_freed_memory() in (True, False)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_freed_texts_leave_the_process(tmp_path):
    if _malloc_trim() is None:
        pytest.skip("this C library has no malloc_trim (musl?)")
    # Texts of a few KB, as dedup holds them: malloc'd one by one inside the heap, not mapped.
    texts = [("x" * 3000) + str(i) for i in range(60_000)]  # ~180 MB
    keep = texts[::10]  # every tenth stays, as texts in a candidate pair do
    held = _rss_bytes()
    del texts
    release_freed_memory()
    assert held - _rss_bytes() > 100_000_000
    assert len(keep) == 6000
