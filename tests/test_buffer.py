"""The kernels' one memory scheme (src/retold/_ext/_buffer.pxd): a Buffer grows by doubling and
keeps its contents, a Pool hands out zeroed blocks, and running out of memory or of size_t is a
MemoryError, never a crash or a short block.  Compiled only: the pure-Python twins have no buffers.
"""
from __future__ import annotations

import importlib

import pytest


@pytest.fixture(scope="module")
def buffer_module():
    try:
        return importlib.import_module("retold._ext._buffer")
    except ImportError:
        pytest.skip("compiled kernels are not built (pip install . builds them)")


@pytest.mark.parametrize("n", [0, 1, 4, 5, 1000, 4097])
def test_pushes_are_kept_across_growth(buffer_module, n):
    capacity, total = buffer_module._push_range(n, 4)
    assert total == n * (n - 1) // 2
    # Doubling from the first capacity: the smallest 4 * 2**k that holds n (none before a push).
    expected = 0 if n == 0 else 4
    while expected < n:
        expected *= 2
    assert capacity == expected


def test_one_large_reserve_takes_what_it_asks(buffer_module):
    assert buffer_module._reserve(1000, 8) == 1000


def test_pool_blocks_are_zeroed(buffer_module):
    assert buffer_module._alloc(100_000, 3)
    assert buffer_module._alloc(0, 8)  # room for one item, like malloc(0) never relied on


@pytest.mark.parametrize("call", ["_reserve", "_alloc", "_scratch"])
def test_size_past_size_t_is_a_memory_error(buffer_module, call):
    with pytest.raises(MemoryError):
        getattr(buffer_module, call)(2**62, 16)


@pytest.mark.parametrize("call", ["_reserve", "_alloc", "_scratch"])
def test_memory_the_system_lacks_is_a_memory_error(buffer_module, call):
    # 2**60 bytes fit size_t but no address space: the allocator says no.
    with pytest.raises(MemoryError):
        getattr(buffer_module, call)(2**57, 8)


def test_scratch_blocks_can_be_written_whole(buffer_module):
    assert buffer_module._scratch(100_000, 3)


@pytest.mark.parametrize("call", ["_alloc", "_scratch"])
def test_a_negative_count_is_a_memory_error(buffer_module, call):
    with pytest.raises(MemoryError):
        getattr(buffer_module, call)(-1, 8)
