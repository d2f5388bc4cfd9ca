# C-level API of retold._ext.text, for other kernels (hashing, stories, align) to cimport.
from libc.stdint cimport int64_t, uint8_t, uint32_t, uint64_t

cdef struct TokenBuffer:
    int64_t* starts      # first code point of each token in the original text
    int64_t* ends        # one past its last code point
    uint64_t* hashes     # token hash (FNV-1a over folded code points, fmix64)
    uint8_t* flags       # TOKEN_* bits
    Py_ssize_t n
    Py_ssize_t capacity

cdef struct CodepointBuffer:
    uint32_t* data
    Py_ssize_t n
    Py_ssize_t capacity

cdef struct TextView:
    const void* data     # PyUnicode_DATA of a str kept alive by the caller
    int kind             # 1, 2 or 4 bytes per code point
    Py_ssize_t length
    bint ascii

cdef size_t checked_bytes(Py_ssize_t count, size_t item) except 0 nogil
cdef void* realloc_or_raise(void* block, size_t size) except NULL nogil
cdef int prepare_text(str text, TextView* view) except -1
cdef int tokenize_view(const TextView* view, TokenBuffer* out) except -1 nogil
cdef int fold_stream_view(const TextView* view, CodepointBuffer* out) except -1 nogil
cdef void token_buffer_free(TokenBuffer* buf) noexcept nogil
cdef void codepoint_buffer_free(CodepointBuffer* buf) noexcept nogil
