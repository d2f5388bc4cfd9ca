"""Corpus-wide passage reuse: the document pairs that share rare word n-grams.

Input rows are (n-gram hash, document, token position), sorted by hash with ties in document
order and, within a document, by position (what a stable sort by hash of rows made document
by document gives).  A *run* is the rows of one hash; its documents are counted once each
(the first position kept).  A run of more than ``max_df`` documents is boilerplate (a
dateline, a masthead, a stock phrase) and is dropped whole, so no posting list longer than
``max_df`` is ever expanded: the work is at most ``max_df / 2`` pairs per row.  A run of one
document shares nothing.  Every other run gives each of its document pairs (left < right) one
row of evidence: the two documents and the n-gram's position in each.
"""
from libc.stdint cimport int64_t, uint64_t
from retold._ext._buffer cimport Pool
from retold._ext._signals cimport check_signals

import numpy as np
cimport numpy as cnp

cnp.import_array()

cdef enum:
    SIGNAL_RUNS = 1 << 16


cdef inline Py_ssize_t run_end(const uint64_t* h, Py_ssize_t i, Py_ssize_t n) noexcept nogil:
    """One past the last row of the run (rows of one hash) that starts at row ``i``."""
    cdef Py_ssize_t j = i + 1
    while j < n and h[j] == h[i]:
        j += 1
    return j


cdef int64_t distinct_docs(const int64_t* docs, Py_ssize_t lo, Py_ssize_t hi) noexcept nogil:
    cdef int64_t d = 1
    cdef Py_ssize_t i
    for i in range(lo + 1, hi):
        if docs[i] != docs[i - 1]:
            d += 1
    return d


def rare_ngram_pairs(const uint64_t[::1] hashes not None, const int64_t[::1] docs not None,
                     const int64_t[::1] positions not None, int64_t max_df):
    """Evidence rows of the document pairs that share rare n-grams.

    Returns ``(left, right, left_pos, right_pos, rare, boilerplate)``: four int64 arrays, one
    row per (rare n-gram, document pair), in run order then pair order, and the numbers of
    rare n-grams (shared by 2 to ``max_df`` documents) and of boilerplate ones (more).
    """
    cdef Py_ssize_t n = hashes.shape[0], i, j, x, y, t = 0, runs = 0
    cdef int64_t d, rare = 0, boilerplate = 0, total = 0
    if docs.shape[0] != n or positions.shape[0] != n:
        raise ValueError(f"hashes, docs and positions must have the same length, got "
                         f"{n}, {docs.shape[0]} and {positions.shape[0]}")
    if max_df < 2:
        raise ValueError(f"max_df must be at least 2, got {max_df}")
    cdef const uint64_t* h = &hashes[0] if n else NULL
    cdef const int64_t* dv = &docs[0] if n else NULL
    cdef const int64_t* pv = &positions[0] if n else NULL
    # Pass 1: how many evidence rows, so that the output is allocated once.
    with nogil:
        i = 0
        while i < n:
            j = run_end(h, i, n)
            d = distinct_docs(dv, i, j)
            if d > max_df:
                boilerplate += 1
            elif d >= 2:
                rare += 1
                total += d * (d - 1) // 2
            i = j
            runs += 1
            if runs % SIGNAL_RUNS == 0:
                check_signals()
    left = np.empty(total, dtype=np.int64)
    right = np.empty(total, dtype=np.int64)
    left_pos = np.empty(total, dtype=np.int64)
    right_pos = np.empty(total, dtype=np.int64)
    cdef int64_t[::1] lv = left, rv = right, lp = left_pos, rp = right_pos
    cdef Py_ssize_t room = (max_df if max_df < n else n) + 1
    cdef Pool mem = Pool()
    cdef Py_ssize_t* first = <Py_ssize_t*> mem.scratch(room, sizeof(Py_ssize_t))
    with nogil:
        i = 0
        runs = 0
        while i < n:
            j = run_end(h, i, n)
            d = distinct_docs(dv, i, j)
            if 2 <= d <= max_df:
                # The first row of each document in the run (its earliest position).
                first[0] = i
                d = 1
                for x in range(i + 1, j):
                    if dv[x] != dv[x - 1]:
                        first[d] = x
                        d += 1
                for x in range(d):
                    for y in range(x + 1, d):
                        lv[t] = dv[first[x]]
                        rv[t] = dv[first[y]]
                        lp[t] = pv[first[x]]
                        rp[t] = pv[first[y]]
                        t += 1
            i = j
            runs += 1
            if runs % SIGNAL_RUNS == 0:
                check_signals()
    return left, right, left_pos, right_pos, rare, boilerplate


def member_mask(const uint64_t[::1] values not None, const uint64_t[::1] members not None):
    """``mask[i]`` is 1 when ``values[i]`` is one of ``members``: a uint8 array.

    The members go into an open-addressing table indexed by their low bits (n-gram hashes are
    already well mixed), so each value costs one or two probes: the index keeps the rows of
    repeated n-grams without sorting the (mostly unique) rows themselves.
    """
    cdef Py_ssize_t n = values.shape[0], m = members.shape[0], i
    cdef uint64_t v, cap = 16, slot
    mask = np.zeros(n, dtype=np.uint8)
    cdef unsigned char[::1] out = mask
    if n == 0 or m == 0:
        return mask
    while cap < <uint64_t> (2 * m):
        cap <<= 1
    cdef Pool mem = Pool()
    cdef uint64_t* table = <uint64_t*> mem.scratch(cap, sizeof(uint64_t))
    cdef unsigned char* used = <unsigned char*> mem.alloc(cap, 1)
    with nogil:
        for i in range(m):
            v = members[i]
            slot = v & (cap - 1)
            while used[slot] and table[slot] != v:
                slot = (slot + 1) & (cap - 1)
            used[slot] = 1
            table[slot] = v
        for i in range(n):
            v = values[i]
            slot = v & (cap - 1)
            while used[slot]:
                if table[slot] == v:
                    out[i] = 1
                    break
                slot = (slot + 1) & (cap - 1)
    return mask
