"""The k nearest rows of sparse unit vectors (compiled; twin: ``retold._reference.neighbours``).

Each row is posted in an inverted index under its strongest ``index_terms`` features, and
queried with its strongest ``query_terms``: the candidates of a row are the rows sharing one
of those rare, heavily weighted features, read at most ``max_postings`` per feature (the ones
nearest the row in input order), so the work grows with ``n``, not ``n * n``.  Candidates are
ranked by the part of the dot product those features carry; the best ``candidates`` get their
exact cosine (a merge of the two sorted rows) and the ``k`` largest positive ones are kept,
ties by smaller row.  The twin states the rules; this module follows them operation for
operation, so both give the same neighbours and bit-identical cosines.
"""
from libc.stddef cimport ptrdiff_t
from libc.stdint cimport int64_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, malloc, free

import numpy as np
cimport numpy as cnp

from retold._ext._buffer cimport Pool
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


# Rows by pointer arithmetic: an empty last row starts at len(indices), which the
# bounds-checked build (RETOLD_DEBUG=1) rightly refuses to index; with no entries at all the
# pointers are to these (never read).
cdef uint32_t _NO_IDX[1]
cdef double _NO_VAL[1]


cdef struct Entries:
    const uint32_t* ix
    const double* vx
    Py_ssize_t n


cdef Entries _entries(const uint32_t[::1] idx, const double[::1] val):
    """The first entry's index and value, as pointers (the caller keeps the arrays alive)."""
    cdef Entries e
    e.n = idx.shape[0]
    e.ix = &idx[0] if idx.shape[0] else _NO_IDX
    e.vx = &val[0] if val.shape[0] else _NO_VAL
    return e


cdef inline uint32_t slot_of(uint32_t f, int bits) noexcept nogil:
    return <uint32_t>((f * <uint32_t>0x9E3779B1u) >> (32 - bits))


cdef int table_reserve(RowTable* t, Py_ssize_t n) noexcept nogil:
    """Room for a row of ``n`` features (at most an eighth full: fewer collisions, still within L1 for news-length rows); -1 when out of memory.  The
    table must be empty (new, or cleared since its last fill)."""
    cdef int bits = t.bits if t.slots != NULL else 1
    while (<Py_ssize_t>1 << bits) < 8 * n:
        bits += 1
    if t.slots != NULL and bits <= t.bits:
        return 0
    table_free(t)
    t.slots = <TableSlot*>calloc(<size_t>1 << bits, sizeof(TableSlot))
    t.used = <uint32_t*>malloc(((<size_t>1 << bits) // 4 + 1) * sizeof(uint32_t))
    if t.slots == NULL or t.used == NULL:
        table_free(t)
        return -1
    t.bits = bits
    t.mask = (<uint32_t>1 << bits) - 1
    t.n_used = 0
    return 0


cdef void table_free(RowTable* t) noexcept nogil:
    free(t.slots)
    free(t.used)
    t.slots = NULL
    t.used = NULL
    t.n_used = 0


cdef void table_fill(RowTable* t, const uint32_t* idx, const double* val, Py_ssize_t n) noexcept nogil:
    # A row's features are distinct (strictly increasing), so each takes a slot of its own.
    cdef Py_ssize_t a
    cdef uint32_t s
    for a in range(n):
        s = slot_of(idx[a], t.bits)
        while t.slots[s].key != 0:
            s = (s + 1) & t.mask
        t.slots[s].key = <uint64_t>idx[a] + 1
        t.slots[s].value = val[a]
        t.used[a] = s
    t.n_used = n


cdef void table_clear(RowTable* t) noexcept nogil:
    # An empty slot holds value 0.0, which table_dot relies on.
    cdef Py_ssize_t a
    for a in range(t.n_used):
        t.slots[t.used[a]].key = 0
        t.slots[t.used[a]].value = 0.0
    t.n_used = 0


cdef double table_dot(const RowTable* t, const uint32_t* idx, const double* val, Py_ssize_t n) noexcept nogil:
    # Summed over the candidate's features in increasing order, as sparse_dot and the twin sum.
    # Without a branch on whether a feature is the row's (half of them are, at random): the
    # probe stops at the feature or at an empty slot, whose value is 0.0, and adding the
    # product 0.0 * v (a zero) leaves the sum bit for bit as it was.  The table is at most a
    # eighth full, so the probe seldom goes past its first slot.
    cdef Py_ssize_t b
    cdef uint32_t s
    cdef uint64_t key, want
    cdef double dot = 0.0
    for b in range(n):
        want = <uint64_t>idx[b] + 1
        s = slot_of(idx[b], t.bits)
        key = t.slots[s].key
        # One test, not `key != want and key != 0`: a short-circuit branches on whether the
        # first slot holds the feature, a coin toss the CPU mispredicts half the time.  The
        # minimum of key and key ^ want is zero exactly when the slot is empty or holds the
        # feature, so the loop runs only on a collision, which is rare and predicts well.
        while (key if key < (key ^ want) else key ^ want) != 0:
            s = (s + 1) & t.mask
            key = t.slots[s].key
        dot += t.slots[s].value * val[b]
    return dot


cdef bint worse(double pa, int64_t ja, double pb, int64_t jb) noexcept nogil:
    """Candidate a ranks below candidate b: a smaller partial score, or equal and a larger row."""
    return pa < pb or (pa == pb and ja > jb)


cdef void heap_sift_down(double* hp, int64_t* hj, Py_ssize_t size, Py_ssize_t at) noexcept nogil:
    # A min-heap by rank: the root is the worst candidate kept.
    cdef Py_ssize_t child
    cdef double p
    cdef int64_t j
    while True:
        child = 2 * at + 1
        if child >= size:
            return
        if child + 1 < size and worse(hp[child + 1], hj[child + 1], hp[child], hj[child]):
            child += 1
        if not worse(hp[child], hj[child], hp[at], hj[at]):
            return
        p = hp[at]; hp[at] = hp[child]; hp[child] = p
        j = hj[at]; hj[at] = hj[child]; hj[child] = j
        at = child


cdef void heap_push(double* hp, int64_t* hj, Py_ssize_t size, double p, int64_t j) noexcept nogil:
    cdef Py_ssize_t at = size, parent
    hp[at] = p
    hj[at] = j
    while at > 0:
        parent = (at - 1) >> 1
        if not worse(hp[at], hj[at], hp[parent], hj[parent]):
            return
        hp[at], hp[parent] = hp[parent], hp[at]
        hj[at], hj[parent] = hj[parent], hj[at]
        at = parent


cdef void heap_keep(double* hp, int64_t* hj, Py_ssize_t* size, Py_ssize_t cap, double p, int64_t j) noexcept nogil:
    """Offer candidate (p, j) to a min-heap of at most ``cap`` kept: the ``cap`` best by partial
    score (ties by smaller row) stay, in heap order."""
    if size[0] < cap:
        heap_push(hp, hj, size[0], p, j)
        size[0] += 1
    elif worse(hp[0], hj[0], p, j):
        hp[0] = p
        hj[0] = j
        heap_sift_down(hp, hj, size[0], 0)


cdef inline Py_ssize_t lower_bound(const uint64_t* keys, Py_ssize_t lo, Py_ssize_t hi, uint64_t key) noexcept nogil:
    """The first position in [lo, hi) whose key is not below ``key``."""
    cdef Py_ssize_t mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if keys[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef (Py_ssize_t, Py_ssize_t, Py_ssize_t) find_run(const uint64_t* keys, Py_ssize_t n_keys, uint64_t f,
                                                   int64_t i) noexcept nogil:
    """(first posting of feature ``f >> 32``, where row ``i`` stands in its run, end of the run)."""
    cdef Py_ssize_t run_lo = lower_bound(keys, 0, n_keys, f)
    cdef Py_ssize_t q = lower_bound(keys, run_lo, n_keys, f | <uint64_t>i)
    # Rows are below 2**32 - 1 (check_neighbours_args), so no key of the run reaches f | 0xFFFFFFFF.
    return run_lo, q, lower_bound(keys, q, n_keys, f | <uint64_t>0xFFFFFFFF)


MAX_POSTINGS = 256
CANDIDATES = 64


def nearest_neighbours(offsets, indices, values, k, index_terms, query_terms,
                       max_postings=MAX_POSTINGS, candidates=CANDIDATES):
    """The ``k`` nearest rows of each row: ``(ids int64 (n, k), cosines float64 (n, k))``."""
    offsets, indices, values, k, index_terms, query_terms, max_postings, candidates = check_neighbours_args(
        offsets, indices, values, k, index_terms, query_terms, max_postings, candidates)
    n = len(offsets) - 1
    lengths = np.diff(offsets)
    longest = int(lengths.max()) if n else 0
    # Larger values than the rows or the corpus hold change nothing (a row has at most
    # ``longest`` strongest features, a run at most n postings): clamped, the buffers below
    # are sized by the data, so a huge argument cannot overflow them.
    return _search(offsets, indices, values, k, max(1, min(index_terms, longest)),
                   max(1, min(query_terms, longest)), max(1, min(max_postings, n)), max(1, min(candidates, n)))


cdef tuple _search(offsets, indices, values, Py_ssize_t k, Py_ssize_t index_terms, Py_ssize_t query_terms,
                   Py_ssize_t max_postings, Py_ssize_t candidates):
    # Arguments as check_neighbours_args returns them: int64 offsets, uint32 indices, float64 values.
    cdef const int64_t[::1] off = offsets
    cdef Py_ssize_t n = off.shape[0] - 1
    cdef Entries entries = _entries(indices, values)
    cdef const uint32_t* ix = entries.ix
    cdef const double* vx = entries.vx
    ids_arr = np.full((n, k), -1, dtype=np.int64)
    sims_arr = np.zeros((n, k), dtype=np.float64)
    cdef int64_t[:, ::1] ids = ids_arr
    cdef double[:, ::1] sims = sims_arr
    if n == 0:
        return ids_arr, sims_arr
    cdef Py_ssize_t terms = index_terms if index_terms > query_terms else query_terms
    cdef Py_ssize_t reach = min(query_terms * max_postings, n)  # distinct rows touched per row
    cdef Pool mem = Pool()
    cdef uint32_t* top_idx = <uint32_t*>mem.scratch(terms, sizeof(uint32_t))
    cdef double* top_val = <double*>mem.scratch(terms, sizeof(double))
    cdef uint32_t* post_f = <uint32_t*>mem.scratch(n * index_terms, sizeof(uint32_t))
    cdef double* post_v = <double*>mem.scratch(n * index_terms, sizeof(double))
    cdef Py_ssize_t* post_m = <Py_ssize_t*>mem.scratch(n, sizeof(Py_ssize_t))
    cdef uint64_t* keys = <uint64_t*>mem.scratch(n * index_terms, sizeof(uint64_t))
    cdef double* key_val = <double*>mem.scratch(n * index_terms, sizeof(double))
    cdef Py_ssize_t* key_at = <Py_ssize_t*>mem.scratch(n * index_terms, sizeof(Py_ssize_t))
    cdef Py_ssize_t* run_of_lo = <Py_ssize_t*>mem.scratch(n * index_terms, sizeof(Py_ssize_t))
    cdef Py_ssize_t* run_of_hi = <Py_ssize_t*>mem.scratch(n * index_terms, sizeof(Py_ssize_t))
    cdef int64_t* mark = <int64_t*>mem.scratch(n, sizeof(int64_t))
    cdef double* partial = <double*>mem.scratch(n, sizeof(double))
    cdef int64_t* touched = <int64_t*>mem.scratch(reach, sizeof(int64_t))
    cdef double* heap_p = <double*>mem.scratch(candidates, sizeof(double))
    cdef int64_t* heap_j = <int64_t*>mem.scratch(candidates, sizeof(int64_t))
    cdef Py_ssize_t n_keys = 0, i, t, m, lo, hi, mid, run_lo, run_hi, start, stop, slot, c
    cdef Py_ssize_t n_touched, size, q, longest = 1
    cdef RowTable table
    table.slots = NULL
    table.used = NULL
    for i in range(n):
        if off[i + 1] - off[i] > longest:
            longest = off[i + 1] - off[i]
    if table_reserve(&table, longest) < 0:
        raise MemoryError()
    cdef int64_t j
    cdef uint64_t f, key
    cdef double dot, vi
    try:
        with nogil:
            for i in range(n):
                mark[i] = -1
                partial[i] = 0.0
                m = strongest(ix + off[i], vx + off[i], off[i + 1] - off[i], index_terms,
                              &post_f[i * index_terms], &post_v[i * index_terms])
                post_m[i] = m
                for t in range(m):
                    keys[n_keys] = (<uint64_t>post_f[i * index_terms + t] << 32) | <uint64_t>i
                    n_keys += 1
            # Sorted by feature, then row: each feature's posting list is a run, rows ascending.
            sort_u64(keys, n_keys)
            for c in range(n_keys):
                j = <int64_t>(keys[c] & <uint64_t>0xFFFFFFFF)
                f = keys[c] >> 32
                for t in range(post_m[j]):
                    if post_f[j * index_terms + t] == f:
                        key_val[c] = post_v[j * index_terms + t]
                        key_at[j * index_terms + t] = c
                        break
            # Where each key's run starts and ends: a row's own posted features then need no
            # binary search over the (cache-missing) key array.
            lo = 0
            for c in range(1, n_keys + 1):
                if c == n_keys or (keys[c] >> 32) != (keys[lo] >> 32):
                    for t in range(lo, c):
                        run_of_lo[t] = lo
                        run_of_hi[t] = c
                    lo = c
            for i in range(n):
                m = strongest(ix + off[i], vx + off[i], off[i + 1] - off[i], query_terms, top_idx, top_val)
                n_touched = 0
                for t in range(m):
                    f = <uint64_t>top_idx[t] << 32
                    vi = top_val[t]
                    if t < post_m[i]:
                        # The first query terms are the row's own posted ones (same ranking).
                        q = key_at[i * index_terms + t]
                        run_lo = run_of_lo[q]
                        run_hi = run_of_hi[q]
                    else:
                        run_lo, q, run_hi = find_run(keys, n_keys, f, i)
                    start = 0
                    stop = run_hi - run_lo
                    if stop > max_postings:
                        start = q - run_lo - max_postings // 2
                        if start > stop - max_postings:
                            start = stop - max_postings
                        if start < 0:
                            start = 0
                        stop = start + max_postings
                    for c in range(run_lo + start, run_lo + stop):
                        j = <int64_t>(keys[c] & <uint64_t>0xFFFFFFFF)
                        if j == i:
                            continue
                        if mark[j] != i:
                            mark[j] = i
                            partial[j] = 0.0
                            touched[n_touched] = j
                            n_touched += 1
                        partial[j] += vi * key_val[c]
                # The best `candidates` by partial score (a min-heap of the kept ones).
                size = 0
                for c in range(n_touched):
                    heap_keep(heap_p, heap_j, &size, candidates, partial[touched[c]], touched[c])
                # Their exact cosines; the k closest, closest first (insertion into k slots).
                table_fill(&table, ix + off[i], vx + off[i], off[i + 1] - off[i])
                slot = 0
                for c in range(size):
                    j = heap_j[c]
                    dot = table_dot(&table, ix + off[j], vx + off[j], off[j + 1] - off[j])
                    if dot <= 0.0:
                        continue
                    if slot == k and not closer(dot, j, sims[i, k - 1], ids[i, k - 1]):
                        continue
                    t = slot if slot < k else k - 1
                    while t > 0 and closer(dot, j, sims[i, t - 1], ids[i, t - 1]):
                        sims[i, t] = sims[i, t - 1]
                        ids[i, t] = ids[i, t - 1]
                        t -= 1
                    sims[i, t] = dot
                    ids[i, t] = j
                    if slot < k:
                        slot += 1
                table_clear(&table)
    finally:
        table_free(&table)
    return ids_arr, sims_arr


def row_cosines(offsets, indices, values, left, right):
    """Cosine of row ``left[p]`` and row ``right[p]`` for each pair ``p`` (float64).

    One call for many pairs (a sorted merge each), instead of a Python loop over them.
    """
    offsets, indices, values = check_neighbours_args(offsets, indices, values, 1, 1, 1)[:3]
    cdef const int64_t[::1] off = offsets
    cdef Py_ssize_t n = off.shape[0] - 1
    cdef Entries entries = _entries(indices, values)
    cdef const uint32_t* ix = entries.ix
    cdef const double* vx = entries.vx
    cdef const int64_t[::1] a = np.ascontiguousarray(left, dtype=np.int64)
    cdef const int64_t[::1] b = np.ascontiguousarray(right, dtype=np.int64)
    cdef Py_ssize_t m = a.shape[0], p
    if b.shape[0] != m:
        raise ValueError(f"left and right must have the same length, got {m} and {b.shape[0]}")
    for p in range(m):
        if a[p] < 0 or a[p] >= n or b[p] < 0 or b[p] >= n:
            raise ValueError(f"pair {p} ({a[p]}, {b[p]}) names a row outside [0, {n})")
    out_arr = np.zeros(m, dtype=np.float64)
    cdef double[::1] out = out_arr
    if m == 0 or entries.n == 0:
        return out_arr
    with nogil:
        for p in range(m):
            out[p] = sparse_dot(ix + off[a[p]], vx + off[a[p]], off[a[p] + 1] - off[a[p]],
                                ix + off[b[p]], vx + off[b[p]], off[b[p] + 1] - off[b[p]])
    return out_arr


def row_dots(indices, values, rows):
    """Dot product of one row ``(indices, values)`` with each row ``(indices, values)`` of
    ``rows`` (float64), each a sorted merge summed in increasing feature order, as
    :func:`row_cosines` sums: the same floats, without gathering the rows into one CSR array
    and checking it again (a monitor compares a new article with its story's units, rows made
    and checked when their articles arrived).

    Every row must be sorted by feature, without duplicates; indices are uint32 and values
    float64 (C-contiguous), of equal length in each row.
    """
    cdef const uint32_t[::1] ia = _row_indices(indices, "indices")
    cdef const double[::1] va = _row_values(values, ia.shape[0], "values")
    cdef Py_ssize_t m = len(rows), p
    out_arr = np.zeros(m, dtype=np.float64)
    cdef double[::1] out = out_arr
    cdef const uint32_t[::1] ib
    cdef const double[::1] vb
    for p in range(m):
        row = rows[p]
        if len(row) != 2:
            raise ValueError(f"rows[{p}] must be a pair (indices, values)")
        ib = _row_indices(row[0], f"rows[{p}] indices")
        vb = _row_values(row[1], ib.shape[0], f"rows[{p}] values")
        if ia.shape[0] and ib.shape[0]:
            out[p] = sparse_dot(&ia[0], &va[0], ia.shape[0], &ib[0], &vb[0], ib.shape[0])
    return out_arr


cdef _row_indices(object x, str name):
    if not isinstance(x, np.ndarray) or x.dtype != np.uint32 or x.ndim != 1:
        raise TypeError(f"{name} must be a 1-d uint32 array")
    return np.ascontiguousarray(x)


cdef _row_values(object x, Py_ssize_t n, str name):
    if not isinstance(x, np.ndarray) or x.dtype != np.float64 or x.ndim != 1:
        raise TypeError(f"{name} must be a 1-d float64 array")
    if x.shape[0] != n:
        raise ValueError(f"{name}: {x.shape[0]} values for {n} indices")
    return np.ascontiguousarray(x)
