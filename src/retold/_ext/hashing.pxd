# C-level API of retold._ext.hashing, for other kernels to cimport.
from libc.stdint cimport uint32_t, uint64_t

from retold._ext.text cimport TokenBuffer, CodepointBuffer

cdef Py_ssize_t word_shingles_into(const uint64_t* tokens, Py_ssize_t n_tokens, int ngram,
                                   uint64_t* out) noexcept nogil
cdef Py_ssize_t char_shingles_into(const uint32_t* stream, Py_ssize_t length, int ngram,
                                   uint64_t* out) noexcept nogil
