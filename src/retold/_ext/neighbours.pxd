# C-level API of retold._ext.neighbours, for other kernels (story_stream) to cimport: the one
# ranking of a row's strongest features, the one exact dot product against a row held in a
# table, and the one ranking of candidates by partial score.
from libc.stdint cimport int64_t, uint32_t, uint64_t


cdef struct TableSlot:
    uint64_t key        # feature + 1; 0: an empty slot
    double value        # 0.0 in an empty slot


cdef struct RowTable:
    # A row's features in an open-addressing table (at most a quarter full), key and value side by
    # side: a candidate's features are then looked up in order, a probe or two in one cache
    # line each, instead of a branchy merge of two long rows.  Filled for one row, cleared
    # after it (only the slots it used).
    TableSlot* slots
    uint32_t* used      # the slots the row filled, for table_clear
    Py_ssize_t n_used
    uint32_t mask
    int bits


cdef Py_ssize_t strongest(const uint32_t* idx, const double* val, Py_ssize_t n, Py_ssize_t k,
                          uint32_t* out_idx, double* out_val) noexcept nogil
cdef int table_reserve(RowTable* t, Py_ssize_t n) noexcept nogil
cdef void table_free(RowTable* t) noexcept nogil
cdef void table_fill(RowTable* t, const uint32_t* idx, const double* val, Py_ssize_t n) noexcept nogil
cdef void table_clear(RowTable* t) noexcept nogil
cdef double table_dot(const RowTable* t, const uint32_t* idx, const double* val, Py_ssize_t n) noexcept nogil
cdef bint worse(double pa, int64_t ja, double pb, int64_t jb) noexcept nogil
cdef void heap_keep(double* hp, int64_t* hj, Py_ssize_t* size, Py_ssize_t cap, double p, int64_t j) noexcept nogil
