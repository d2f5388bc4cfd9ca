# The one memory scheme of the kernels: a growable Buffer, blocks and Buffers owned by an Arena,
# and Pool, the object that owns an Arena and frees everything in it when it goes.
#
# A kernel makes a Pool while it holds the GIL, allocates through it (`pool.alloc`, `pool.buffer`,
# or `arena_alloc` / `arena_buffer` on `&pool.arena` in code without the GIL) and never frees:
# whatever raises in between, the Pool's __dealloc__ frees it all.  cymem's Pool has the same
# shape, but its alloc and realloc need the GIL, and the kernels grow buffers inside nogil loops.
#
# Every function here raises MemoryError (taking the GIL) when memory or size_t runs out, and
# leaves what it was given as it was, so its owner still frees it.
from libc.stdlib cimport calloc, free, realloc

cdef extern from "Python.h":
    const Py_ssize_t PY_SSIZE_T_MAX


cdef struct Buffer:
    void* data              # room for `capacity` items; NULL before the first reserve
    Py_ssize_t capacity     # in items of the size its user always passes to buffer_reserve


cdef struct Block:          # the header in front of each allocation of an Arena
    Block* prev
    Buffer* grown           # the block is this Buffer, whose data the arena frees as well


cdef struct Arena:
    Block* last             # newest block; each links to the one before


cdef class Pool:
    cdef Arena arena
    cdef void* alloc(self, Py_ssize_t count, size_t item) except NULL
    cdef Buffer* buffer(self) except NULL


cdef inline int _out_of_memory(Py_ssize_t count, size_t item) except -1 nogil:
    with gil:
        raise MemoryError(f"no memory for {count} items of {item} bytes")


cdef inline int buffer_grow(Buffer* buf, Py_ssize_t needed, size_t item,
                            Py_ssize_t first) except -1 nogil:
    """Room for `needed` items: the capacity doubles (from `first`) until it is enough, so
    pushing n items one at a time copies O(n) of them in all."""
    cdef Py_ssize_t cap = buf.capacity if buf.capacity else first
    cdef void* grown
    while cap < needed:
        cap = cap * 2 if cap < PY_SSIZE_T_MAX // 2 else needed
    if needed < 0 or <size_t> cap > <size_t> PY_SSIZE_T_MAX // item:
        return _out_of_memory(cap, item)
    grown = realloc(buf.data, <size_t> cap * item)
    if grown == NULL:
        return _out_of_memory(cap, item)
    buf.data = grown
    buf.capacity = cap
    return 0


cdef inline int buffer_reserve(Buffer* buf, Py_ssize_t needed, size_t item,
                               Py_ssize_t first) except -1 nogil:
    """Make `buf` hold at least `needed` items of `item` bytes (its contents kept)."""
    if needed <= buf.capacity:
        return 0
    return buffer_grow(buf, needed, item, first if first > 1 else 1)


cdef inline void buffer_free(Buffer* buf) noexcept nogil:
    """For a Buffer that lives outside an Arena (an arena frees its own)."""
    free(buf.data)
    buf.data = NULL
    buf.capacity = 0


cdef inline void* arena_alloc(Arena* arena, Py_ssize_t count, size_t item) except NULL nogil:
    """`count` zeroed items of `item` bytes (room for one when count is 0), freed with the arena.

    The header is 16 bytes, so the payload keeps malloc's alignment."""
    if count < 1:
        if count < 0:  # a size computed wrongly: never let it wrap to a small block
            _out_of_memory(count, item)
            return NULL
        count = 1
    if <size_t> count > (<size_t> PY_SSIZE_T_MAX - sizeof(Block)) // item:
        _out_of_memory(count, item)
        return NULL
    cdef Block* block = <Block*> calloc(1, sizeof(Block) + <size_t> count * item)
    if block == NULL:
        _out_of_memory(count, item)
        return NULL
    block.prev = arena.last
    arena.last = block
    return <void*> (block + 1)


cdef inline Buffer* arena_buffer(Arena* arena) except NULL nogil:
    """An empty Buffer whose data the arena frees with it."""
    cdef Buffer* buf = <Buffer*> arena_alloc(arena, 1, sizeof(Buffer))
    cdef Block* header = (<Block*> buf) - 1
    header.grown = buf
    return buf


cdef inline void arena_free(Arena* arena) noexcept nogil:
    cdef Block* block = arena.last
    cdef Block* prev
    while block != NULL:
        prev = block.prev
        if block.grown != NULL:
            free(block.grown.data)
        free(block)
        block = prev
    arena.last = NULL
