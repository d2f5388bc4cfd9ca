"""The k nearest rows of sparse unit vectors (compiled; twin: ``retold._reference.neighbours``).

Each row is posted in an inverted index under its strongest ``index_terms`` features, and
queried with its strongest ``query_terms``: the candidates of a row are the rows sharing one
of those rare, heavily weighted features, so the work grows with ``n * k``, not ``n * n``.
Every candidate gets its exact cosine (a merge of the two sorted rows); the ``k`` largest
positive ones are kept, ties by smaller row.  The twin states the rules; this module follows
them operation for operation, so both give the same neighbours and bit-identical cosines.
"""
from libc.stddef cimport ptrdiff_t
from libc.stdint cimport int64_t, uint32_t, uint64_t
from libc.stdlib cimport malloc, free

import numpy as np
cimport numpy as cnp

from retold._ext.text cimport realloc_or_raise
from retold._validate import check_neighbours_args

cnp.import_array()

cdef extern from "_sort_u64.h" nogil:
    void sort_u64 "retold_sort_u64"(uint64_t* a, ptrdiff_t n)


cdef inline bint stronger(double va, uint32_t ia, double vb, uint32_t ib) noexcept nogil:
    return va > vb or (va == vb and ia < ib)


cdef Py_ssize_t strongest(const uint32_t* idx, const double* val, Py_ssize_t n, Py_ssize_t k,
                          uint32_t* out_idx, double* out_val) noexcept nogil:
    """The k strongest features of a row into out_* (strongest first); returns how many."""
    cdef Py_ssize_t m = 0, i, j
    for i in range(n):
        if m == k and not stronger(val[i], idx[i], out_val[m - 1], out_idx[m - 1]):
            continue
        j = m if m < k else k - 1
        while j > 0 and stronger(val[i], idx[i], out_val[j - 1], out_idx[j - 1]):
            out_val[j] = out_val[j - 1]
            out_idx[j] = out_idx[j - 1]
            j -= 1
        out_val[j] = val[i]
        out_idx[j] = idx[i]
        if m < k:
            m += 1
    return m


cdef inline double sparse_dot(const uint32_t* ia, const double* va, Py_ssize_t na,
                              const uint32_t* ib, const double* vb, Py_ssize_t nb) noexcept nogil:
    # Summed in feature order, as the twin sums over the candidate's features.
    cdef Py_ssize_t a = 0, b = 0
    cdef double dot = 0.0
    while a < na and b < nb:
        if ia[a] < ib[b]:
            a += 1
        elif ia[a] > ib[b]:
            b += 1
        else:
            dot += va[a] * vb[b]
            a += 1
            b += 1
    return dot


cdef inline bint closer(double da, int64_t ja, double db, int64_t jb) noexcept nogil:
    return da > db or (da == db and ja < jb)


def nearest_neighbours(offsets, indices, values, k, index_terms, query_terms):
    """The ``k`` nearest rows of each row: ``(ids int64 (n, k), cosines float64 (n, k))``."""
    offsets, indices, values, k, index_terms, query_terms = check_neighbours_args(
        offsets, indices, values, k, index_terms, query_terms)
    return _search(offsets, indices, values, k, index_terms, query_terms)


cdef tuple _search(offsets, indices, values, Py_ssize_t k, Py_ssize_t index_terms, Py_ssize_t query_terms):
    # Arguments as check_neighbours_args returns them: int64 offsets, uint32 indices, float64 values.
    cdef const int64_t[::1] off = offsets
    cdef const uint32_t[::1] idx = indices
    cdef const double[::1] val = values
    cdef Py_ssize_t n = off.shape[0] - 1
    lengths = np.diff(offsets)
    # Buffers sized by what rows hold, not by the terms asked for: a huge index_terms must not
    # overflow n * index_terms (strongest() writes at most min(terms, row length) entries).
    cdef Py_ssize_t longest = int(lengths.max()) if n else 0
    cdef Py_ssize_t n_posted = int(np.minimum(lengths, index_terms).sum()) if n else 0
    ids_arr = np.full((n, k), -1, dtype=np.int64)
    sims_arr = np.zeros((n, k), dtype=np.float64)
    cdef int64_t[:, ::1] ids = ids_arr
    cdef double[:, ::1] sims = sims_arr
    if n == 0:
        return ids_arr, sims_arr
    cdef Py_ssize_t terms = max(1, min(max(index_terms, query_terms), longest))
    cdef uint32_t* top_idx = <uint32_t*>malloc(terms * sizeof(uint32_t))
    cdef double* top_val = <double*>malloc(terms * sizeof(double))
    cdef uint64_t* keys = <uint64_t*>malloc(max(1, n_posted) * sizeof(uint64_t))
    cdef int64_t* mark = <int64_t*>malloc(n * sizeof(int64_t))
    cdef double* cand_dot = NULL
    cdef int64_t* cand_row = NULL
    cdef Py_ssize_t cand_cap = 0
    cdef Py_ssize_t n_keys = 0, i, t, m, lo, hi, mid, slot, found, c
    cdef int64_t j
    cdef uint64_t f, key
    cdef double dot
    if top_idx == NULL or top_val == NULL or keys == NULL or mark == NULL:
        free(top_idx); free(top_val); free(keys); free(mark)
        raise MemoryError()
    try:
        with nogil:
            for i in range(n):
                mark[i] = -1
                m = strongest(&idx[off[i]], &val[off[i]], off[i + 1] - off[i], index_terms, top_idx, top_val)
                for t in range(m):
                    keys[n_keys] = (<uint64_t>top_idx[t] << 32) | <uint64_t>i
                    n_keys += 1
            # Sorted by feature, then row: each feature's posting list is a run, rows ascending.
            sort_u64(keys, n_keys)
            for i in range(n):
                m = strongest(&idx[off[i]], &val[off[i]], off[i + 1] - off[i], query_terms, top_idx, top_val)
                mark[i] = i
                found = 0
                for t in range(m):
                    f = <uint64_t>top_idx[t] << 32
                    lo = 0
                    hi = n_keys
                    while lo < hi:
                        mid = (lo + hi) >> 1
                        if keys[mid] < f:
                            lo = mid + 1
                        else:
                            hi = mid
                    while lo < n_keys and (keys[lo] >> 32) == (f >> 32):
                        j = <int64_t>(keys[lo] & <uint64_t>0xFFFFFFFF)
                        lo += 1
                        if mark[j] == i:
                            continue
                        mark[j] = i
                        dot = sparse_dot(&idx[off[i]], &val[off[i]], off[i + 1] - off[i],
                                         &idx[off[j]], &val[off[j]], off[j + 1] - off[j])
                        if dot > 0.0:
                            if found == cand_cap:
                                cand_cap = 64 if cand_cap == 0 else cand_cap * 2
                                cand_dot = <double*>realloc_or_raise(cand_dot, cand_cap * sizeof(double))
                                cand_row = <int64_t*>realloc_or_raise(cand_row, cand_cap * sizeof(int64_t))
                            cand_dot[found] = dot
                            cand_row[found] = j
                            found += 1
                # The k closest candidates, closest first (insertion into k slots).
                slot = 0
                for c in range(found):
                    if slot == k and not closer(cand_dot[c], cand_row[c], sims[i, k - 1], ids[i, k - 1]):
                        continue
                    t = slot if slot < k else k - 1
                    while t > 0 and closer(cand_dot[c], cand_row[c], sims[i, t - 1], ids[i, t - 1]):
                        sims[i, t] = sims[i, t - 1]
                        ids[i, t] = ids[i, t - 1]
                        t -= 1
                    sims[i, t] = cand_dot[c]
                    ids[i, t] = cand_row[c]
                    if slot < k:
                        slot += 1
    finally:
        free(top_idx); free(top_val); free(keys); free(mark); free(cand_dot); free(cand_row)
    return ids_arr, sims_arr
