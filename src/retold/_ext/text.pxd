# C-level API of retold._ext.text, for other kernels (hashing, stories, align) to cimport.
from libc.stdint cimport int64_t, uint8_t, uint32_t, uint64_t

from retold._ext._buffer cimport Arena, Buffer, arena_buffers

# Growable columns, made in an Arena by token_buffer_new / codepoint_buffer_new (the Buffers
# come first: the arena frees their data); `n` items used.
cdef struct TokenBuffer:
    Buffer starts        # int64_t: first code point of each token in the original text
    Buffer ends          # int64_t: one past its last code point
    Buffer hashes        # uint64_t: token hash (FNV-1a over folded code points, fmix64)
    Buffer flags         # uint8_t: TOKEN_* bits
    Py_ssize_t n

cdef struct CodepointBuffer:
    Buffer points        # uint32_t
    Py_ssize_t n

cdef inline int64_t* token_starts(const TokenBuffer* t) noexcept nogil:
    return <int64_t*> t.starts.data

cdef inline int64_t* token_ends(const TokenBuffer* t) noexcept nogil:
    return <int64_t*> t.ends.data

cdef inline uint64_t* token_hashes(const TokenBuffer* t) noexcept nogil:
    return <uint64_t*> t.hashes.data

cdef inline uint8_t* token_flags(const TokenBuffer* t) noexcept nogil:
    return <uint8_t*> t.flags.data

cdef inline uint32_t* codepoints(const CodepointBuffer* c) noexcept nogil:
    return <uint32_t*> c.points.data

cdef struct TextView:
    const void* data     # PyUnicode_DATA of a str kept alive by the caller
    int kind             # 1, 2 or 4 bytes per code point
    Py_ssize_t length
    bint ascii

cdef int prepare_text(str text, TextView* view) except -1
cdef int tokenize_view(const TextView* view, TokenBuffer* out) except -1 nogil
cdef int fold_stream_view(const TextView* view, CodepointBuffer* out) except -1 nogil
cdef inline TokenBuffer* token_buffer_new(Arena* arena) except NULL nogil:
    return <TokenBuffer*> arena_buffers(arena, sizeof(TokenBuffer), 4)

cdef inline CodepointBuffer* codepoint_buffer_new(Arena* arena) except NULL nogil:
    return <CodepointBuffer*> arena_buffers(arena, sizeof(CodepointBuffer), 1)
