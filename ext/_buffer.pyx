"""Pool: the owner object of the kernels' memory (see src/retold/_ext/_buffer.pxd).

A Pool owns an Arena: each block allocated through it, and the data of each Buffer it gave out,
is freed in one place, __dealloc__, so a kernel that raises half way leaks nothing and has no
run of free() calls.  A Pool is for one call or one owning object, never shared between threads.
"""
from libc.stdint cimport int64_t
from libc.stdlib cimport calloc, malloc, realloc

cdef extern from "Python.h":
    const Py_ssize_t PY_SSIZE_T_MAX


cdef int _out_of_memory(Py_ssize_t count, size_t item) except -1 nogil:
    with gil:
        raise MemoryError(f"no memory for {count} items of {item} bytes")


cdef int buffer_grow(Buffer* buf, Py_ssize_t needed, size_t item,
                     Py_ssize_t first) except -1 nogil:
    """Room for `needed` items: twice the capacity (`first` when empty), or `needed` itself
    when that is more, so pushing n items one at a time copies O(n) of them in all and one
    large reserve takes just what it asks."""
    cdef Py_ssize_t cap = first
    cdef void* grown
    if buf.capacity:
        cap = buf.capacity * 2 if buf.capacity <= PY_SSIZE_T_MAX // 2 else PY_SSIZE_T_MAX
    if cap < needed:
        cap = needed
    if needed < 0 or <size_t> cap > <size_t> PY_SSIZE_T_MAX // item:
        return _out_of_memory(cap, item)
    grown = realloc(buf.data, <size_t> cap * item)
    if grown == NULL:
        return _out_of_memory(cap, item)
    buf.data = grown
    buf.capacity = cap
    return 0


cdef void* arena_block(Arena* arena, Py_ssize_t count, size_t item, bint zeroed,
                       Py_ssize_t n_buffers) except NULL nogil:
    """`count` items of `item` bytes (room for one when count is 0), freed with the arena; the
    first `n_buffers` Buffers at its start (zeroed: empty) have their data freed too.

    The header is 16 bytes, so the payload keeps malloc's alignment."""
    cdef Block* block
    if count < 1:
        if count < 0:  # a size computed wrongly: never let it wrap to a small block
            _out_of_memory(count, item)
            return NULL
        count = 1
    if <size_t> count > (<size_t> PY_SSIZE_T_MAX - sizeof(Block)) // item:
        _out_of_memory(count, item)
        return NULL
    if zeroed:
        block = <Block*> calloc(1, sizeof(Block) + <size_t> count * item)
    else:
        block = <Block*> malloc(sizeof(Block) + <size_t> count * item)
    if block == NULL:
        _out_of_memory(count, item)
        return NULL
    block.prev = arena.last
    block.n_buffers = n_buffers
    arena.last = block
    return <void*> (block + 1)


cdef void arena_free(Arena* arena) noexcept nogil:
    cdef Block* block = arena.last
    cdef Block* prev
    cdef Buffer* buffers
    cdef Py_ssize_t i
    while block != NULL:
        prev = block.prev
        buffers = <Buffer*> (block + 1)
        for i in range(block.n_buffers):
            free(buffers[i].data)
        free(block)
        block = prev
    arena.last = NULL


cdef class Pool:
    def __dealloc__(self):
        arena_free(&self.arena)

    cdef void* alloc(self, Py_ssize_t count, size_t item) except NULL:
        """`count` zeroed items of `item` bytes, freed with the pool."""
        return arena_alloc(&self.arena, count, item)

    cdef void* scratch(self, Py_ssize_t count, size_t item) except NULL:
        """`count` items of `item` bytes, not zeroed (for arrays written before they are read)."""
        return arena_scratch(&self.arena, count, item)

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


def _scratch(Py_ssize_t count, size_t item):
    """Allocate `count` items of `item` bytes, not zeroed, from a fresh Pool; write them all."""
    cdef Pool mem = Pool()
    cdef unsigned char* p = <unsigned char*> mem.scratch(count, item)
    cdef Py_ssize_t i
    for i in range(count * <Py_ssize_t> item):
        p[i] = 1
    return True


def _alloc(Py_ssize_t count, size_t item):
    """Allocate `count` zeroed items of `item` bytes from a fresh Pool; True if all were zero."""
    cdef Pool mem = Pool()
    cdef unsigned char* p = <unsigned char*> mem.alloc(count, item)
    cdef Py_ssize_t i
    for i in range(count * <Py_ssize_t> item):
        if p[i]:
            return False
    return True
