"""Pool: the owner object of the kernels' memory (see src/retold/_ext/_buffer.pxd).

A Pool owns an Arena: each block allocated through it, and the data of each Buffer it gave out,
is freed in one place, __dealloc__, so a kernel that raises half way leaks nothing and has no
run of free() calls.  A Pool is for one call or one owning object, never shared between threads.
"""
from libc.stdint cimport int64_t


cdef class Pool:
    def __dealloc__(self):
        arena_free(&self.arena)

    cdef void* alloc(self, Py_ssize_t count, size_t item) except NULL:
        """`count` zeroed items of `item` bytes, freed with the pool."""
        return arena_alloc(&self.arena, count, item)

    cdef Buffer* buffer(self) except NULL:
        """An empty growable Buffer (grow it with buffer_reserve), freed with the pool."""
        return arena_buffer(&self.arena)


# For the tests (tests/test_buffer.py): the growth and failure paths, reached from Python.

def _push_range(Py_ssize_t n, Py_ssize_t first):
    """Push 0..n-1 one at a time into an int64 Buffer; (capacity, sum read back)."""
    cdef Pool mem = Pool()
    cdef Buffer* buf = mem.buffer()
    cdef Py_ssize_t i
    cdef int64_t total = 0
    for i in range(n):
        buffer_reserve(buf, i + 1, sizeof(int64_t), first)
        (<int64_t*> buf.data)[i] = i
    for i in range(n):
        total += (<int64_t*> buf.data)[i]
    return buf.capacity, total


def _reserve(Py_ssize_t count, size_t item):
    """Reserve `count` items of `item` bytes in a fresh Buffer; its capacity."""
    cdef Pool mem = Pool()
    cdef Buffer* buf = mem.buffer()
    buffer_reserve(buf, count, item, 1)
    return buf.capacity


def _alloc(Py_ssize_t count, size_t item):
    """Allocate `count` zeroed items of `item` bytes from a fresh Pool; True if all were zero."""
    cdef Pool mem = Pool()
    cdef unsigned char* p = <unsigned char*> mem.alloc(count, item)
    cdef Py_ssize_t i
    for i in range(count * <Py_ssize_t> item):
        if p[i]:
            return False
    return True
