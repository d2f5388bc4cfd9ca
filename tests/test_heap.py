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


def test_gc_paused_holds_the_collector_and_restores_it_as_it_was():
    import gc

    from retold.heap import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested: the inner one must not turn it back on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # off before, off after
    finally:
        gc.enable()
    try:
        with gc_paused():
            raise KeyError("x")
    except KeyError:
        pass
    assert gc.isenabled()


def test_dedup_reads_and_signs_with_the_collector_held_then_restores_it():
    import gc

    import retold

    seen = []

    def docs():
        for i in range(50):
            seen.append(gc.isenabled())
            yield f"article number {i} about the bridge that opened on monday in the north"

    result = retold.dedup(docs(), chunk_size=10)
    assert len(result) == 50 and seen and not any(seen)
    assert gc.isenabled()
