# C-level API of retold._ext.neighbours, for other kernels (story_stream) to cimport.
from libc.stdint cimport uint32_t


cdef Py_ssize_t strongest(const uint32_t* idx, const double* val, Py_ssize_t n, Py_ssize_t k,
                          uint32_t* out_idx, double* out_val) noexcept nogil
