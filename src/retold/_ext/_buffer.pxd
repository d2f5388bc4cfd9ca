# The one memory scheme of the kernels: a growable Buffer, blocks and Buffers owned by an Arena,
# and Pool, the object that owns an Arena and frees everything in it when it goes.
#
# A kernel makes a Pool while it holds the GIL, allocates through it (`pool.alloc`, `pool.buffer`,
# or `arena_alloc` / `arena_buffer` on `&pool.arena` in code without the GIL) and never frees:
# whatever raises in between, the Pool's __dealloc__ frees it all.  cymem's Pool has the same
# shape, but its alloc and realloc need the GIL, and the kernels grow buffers inside nogil loops.
#
# Every function here raises MemoryError (taking the GIL) when memory or size_t runs out, and
# leaves what it was given as it was, so its owner still frees it.  The checks that run on
# every push are inline here; growing and allocating are calls into retold._ext._buffer.
from libc.stdlib cimport free


cdef struct Buffer:
    void* data              # room for `capacity` items; NULL before the first reserve
    Py_ssize_t capacity     # in items of the size its user always passes to buffer_reserve


cdef struct Block:          # the header in front of each allocation of an Arena
    Block* prev
    Py_ssize_t n_buffers    # the payload starts with this many Buffers, whose data it frees too


cdef struct Arena:
    Block* last             # newest block; each links to the one before


cdef class Pool:
    cdef Arena arena
    cdef void* alloc(self, Py_ssize_t count, size_t item) except NULL
    cdef void* scratch(self, Py_ssize_t count, size_t item) except NULL
    cdef Buffer* buffer(self) except NULL


# Out of line (in ext/_buffer.pyx): the rare paths, kept out of the kernels' hot loops.
cdef int buffer_grow(Buffer* buf, Py_ssize_t needed, size_t item, Py_ssize_t first) except -1 nogil
cdef void* arena_block(Arena* arena, Py_ssize_t count, size_t item, bint zeroed,
                       Py_ssize_t n_buffers) except NULL nogil
cdef void arena_free(Arena* arena) noexcept nogil


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
    """`count` zeroed items of `item` bytes, freed with the arena."""
    return arena_block(arena, count, item, True, 0)


cdef inline void* arena_scratch(Arena* arena, Py_ssize_t count, size_t item) except NULL nogil:
    """Like arena_alloc, not zeroed: for arrays the kernel writes before it reads (as malloc)."""
    return arena_block(arena, count, item, False, 0)


cdef inline void* arena_buffers(Arena* arena, size_t size, Py_ssize_t n_buffers) except NULL nogil:
    """A zeroed struct of `size` bytes whose first `n_buffers` members are Buffers (empty), their
    data freed with the arena: a kernel's set of growable columns, reached with one load each."""
    return arena_block(arena, 1, size, True, n_buffers)


cdef inline Buffer* arena_buffer(Arena* arena) except NULL nogil:
    """An empty Buffer whose data the arena frees with it."""
    return <Buffer*> arena_buffers(arena, sizeof(Buffer), 1)
