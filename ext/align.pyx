"""Local alignment of token-id sequences: full Smith-Waterman, seed-and-extend, global.

Token ids are int64 (the Python layer maps token hashes to dense ids); a negative id matches
nothing.  Scores are integers: ``match`` for equal tokens, ``mismatch`` for a substitution,
``gap`` per token facing a gap (linear gaps, as R textreuse's ``align_local``).

Smith-Waterman cell (row i of a, column j of b):
    H = max(0, H[i-1, j-1] + s(a_i, b_j), H[i-1, j] + gap, H[i, j-1] + gap)
The best cell is the first maximum in row-major order (ties by position); the traceback
prefers the diagonal, then a gap in b, then a gap in a.  Tokens of passages already found are
walls (their cells are 0), so passages never share a token.

``align_full``
    The whole n x m matrix (int32), recomputed after each passage with its tokens walled off,
    until the best alignment has fewer than ``min_matches`` equal tokens.
``align_seeded``
    Seeds: word k-grams (key fmix64 of acc = k, acc = acc * GOLDEN + id) equal in both texts
    and occurring at most ``max_occurrences`` times in each.  Chains: dynamic programming over seeds
    sorted by (i, j); following seed p from seed s adds min(di, dj, k) * match for the new
    equal tokens, mismatch per token substituted between them and gap per token of indel
    |di - dj|; predecessors lie at most ``max_gap`` tokens beyond the seed in both texts (the
    64 nearest are tried); a fresh start scores k * match.  Chains are taken best first (ties
    by position), each following predecessors until a seed already taken, and kept with at
    least ``min_matches`` equal tokens.  Each is realigned by Smith-Waterman restricted to
    ``band`` tokens around its diagonals, extended ``band`` tokens past both ends: memory is
    linear in the lengths.
``align_global``
    Needleman-Wunsch over two short sequences (with 1, 0, 0 its score is the LCS length).

Output buffers, allocated by the caller: ``spans`` int64 (capacity, 8), rows (a_first,
a_stop, b_first, b_stop, score, matches, ops_offset, ops_length); ``ops`` int8 of length
len(a) + len(b): OP_MATCH, OP_MISMATCH, OP_A (a token, gap in b), OP_B (b token, gap in a).
"""
from libc.stdint cimport int8_t, int32_t, int64_t, uint8_t, uint64_t
from libc.stdlib cimport qsort
from retold._ext._buffer cimport (
    Arena, Buffer, Pool, arena_alloc, arena_buffer, arena_scratch, buffer_reserve,
)
from retold._ext._signals cimport check_signals

import numpy as np
cimport numpy as cnp

from retold._ext._hash64 cimport GOLDEN, fmix64

from retold import _kernel_args as checks

cnp.import_array()

OP_MATCH = 0
OP_MISMATCH = 1
OP_A = 2
OP_B = 3
SPAN_COLUMNS = 8
MAX_PREDECESSORS = 64

cdef enum:
    C_MATCH = 0
    C_MISMATCH = 1
    C_A = 2
    C_B = 3
    C_MAX_PRED = 64
    SIGNAL_ROWS = 1024


cdef struct SwResult:
    int64_t score
    int64_t a_first
    int64_t a_stop
    int64_t b_first
    int64_t b_stop
    int64_t matches
    int64_t n_ops


cdef inline int8_t traceback_op(int64_t v, bint has_diag, int64_t diag, bint equal, bint has_up,
                                int64_t up, int match, int mismatch, int gap) noexcept nogil:
    """The step a traceback takes back from a cell of value ``v``: a match or mismatch from the
    diagonal cell, else a gap in ``b`` from the cell above (C_A), else one in ``a`` (C_B)."""
    if has_diag and v == diag + (match if equal else mismatch):
        return C_MATCH if equal else C_MISMATCH
    if has_up and v == up + gap:
        return C_A
    return C_B


cdef inline void reverse_ops(int8_t* ops, int64_t n_ops) noexcept nogil:
    """Put a traceback's operations (read from the end) in order, in place."""
    cdef int64_t k
    cdef int8_t tmp
    for k in range(n_ops // 2):
        tmp = ops[k]
        ops[k] = ops[n_ops - 1 - k]
        ops[n_ops - 1 - k] = tmp


SCORE_LIMIT = 2147483647


def check_score_bound(int match, Py_ssize_t n, Py_ssize_t m):
    """Refuse inputs whose best score could pass 2**31 - 1: scores are int32 in the matrices."""
    if <int64_t> match * min(n, m) > SCORE_LIMIT:
        raise ValueError(f"match={match} over {n} x {m} tokens could score past 2**31 - 1")


cdef int band_sw(const int64_t* a, const int64_t* b, Py_ssize_t rows_first, Py_ssize_t n_rows,
                 const int64_t* lo, const int64_t* hi, int match, int mismatch, int gap,
                 const uint8_t* used_a, const uint8_t* used_b, int8_t* ops,
                 SwResult* res, Buffer* row_offsets, Buffer* cells) except -1 nogil:
    """Banded Smith-Waterman; writes the best alignment's ops to ``ops`` and fills ``res``.

    res.score is 0 when nothing aligns (no ops written).  ``row_offsets`` (int64) and ``cells``
    (int32) are the caller's scratch, grown here and kept for its next call."""
    cdef Py_ssize_t r, j, i, row_lo, row_hi, plo, phi
    cdef int64_t base, pbase, total
    cdef int32_t v, diag, up, left, best = 0
    cdef Py_ssize_t best_r = -1, best_j = -1
    cdef int64_t ai
    cdef int64_t* offsets
    cdef int32_t* H
    cdef bint equal
    cdef int8_t op
    cdef int64_t n_ops, matches
    buffer_reserve(row_offsets, n_rows + 1, sizeof(int64_t), 256)
    offsets = <int64_t*> row_offsets.data
    offsets[0] = 0
    for r in range(n_rows):
        offsets[r + 1] = offsets[r] + (hi[r] - lo[r] if hi[r] > lo[r] else 0)
    total = offsets[n_rows]
    # Every cell a row reads was written first (by its own row or the one before).
    buffer_reserve(cells, total if total > 0 else 1, sizeof(int32_t), 4096)
    H = <int32_t*> cells.data
    res.score = 0
    res.n_ops = 0
    res.matches = 0
    for r in range(n_rows):
        if r % SIGNAL_ROWS == SIGNAL_ROWS - 1:
            check_signals()
        i = rows_first + r
        ai = a[i]
        row_lo = lo[r]
        row_hi = hi[r]
        base = offsets[r]
        if used_a[i]:
            # Tokens of passages already found are walls: no alignment crosses them.
            for j in range(row_lo, row_hi):
                H[base + j - row_lo] = 0
            continue
        if r > 0:
            plo = lo[r - 1]
            phi = hi[r - 1]
            pbase = offsets[r - 1]
        else:
            plo = 0
            phi = 0
            pbase = 0
        left = 0
        for j in range(row_lo, row_hi):
            if used_b[j]:
                H[base + j - row_lo] = 0
                left = 0
                continue
            if plo <= j - 1 and j - 1 < phi:
                diag = H[pbase + j - 1 - plo]
            else:
                diag = 0
            if plo <= j and j < phi:
                up = H[pbase + j - plo]
            else:
                up = 0
            if ai >= 0 and ai == b[j]:
                v = diag + match
            else:
                v = diag + mismatch
            if up + gap > v:
                v = up + gap
            if left + gap > v:
                v = left + gap
            if v < 0:
                v = 0
            H[base + j - row_lo] = v
            left = v
            if v > best:
                best = v
                best_r = r
                best_j = j
    if best <= 0:
        return 0
    n_ops = 0
    matches = 0
    r = best_r
    j = best_j
    v = best
    while v > 0:
        i = rows_first + r
        equal = a[i] >= 0 and a[i] == b[j]
        op = traceback_op(v, True, _cell(H, offsets, lo, hi, r - 1, j - 1), equal,
                          True, _cell(H, offsets, lo, hi, r - 1, j), match, mismatch, gap)
        ops[n_ops] = op
        n_ops += 1
        matches += op == C_MATCH
        r -= op != C_B
        j -= op != C_A
        v = _cell(H, offsets, lo, hi, r, j)
    reverse_ops(ops, n_ops)
    res.score = best
    res.a_first = rows_first + r + 1
    res.a_stop = rows_first + best_r + 1
    res.b_first = j + 1
    res.b_stop = best_j + 1
    res.matches = matches
    res.n_ops = n_ops
    return 0


cdef inline int32_t _cell(const int32_t* H, const int64_t* offsets, const int64_t* lo,
                          const int64_t* hi, Py_ssize_t r, Py_ssize_t j) noexcept nogil:
    if r < 0 or j < lo[r] or j >= hi[r]:
        return 0
    return H[offsets[r] + j - lo[r]]


cdef void record(const SwResult* res, int64_t[:, ::1] spans, Py_ssize_t count, int64_t n_ops,
                 uint8_t* used_a, uint8_t* used_b) noexcept nogil:
    cdef Py_ssize_t i
    spans[count, 0] = res.a_first
    spans[count, 1] = res.a_stop
    spans[count, 2] = res.b_first
    spans[count, 3] = res.b_stop
    spans[count, 4] = res.score
    spans[count, 5] = res.matches
    spans[count, 6] = n_ops
    spans[count, 7] = res.n_ops
    for i in range(res.a_first, res.a_stop):
        used_a[i] = 1
    for i in range(res.b_first, res.b_stop):
        used_b[i] = 1


def align_full(a, b, match, mismatch, gap, min_matches, spans, ops):
    """Smith-Waterman over the whole n x m matrix, repeated with found passages masked out.

    Stops at the first best alignment with fewer than ``min_matches`` equal tokens, or when
    ``spans`` is full.  Returns (passages, ops written).
    """
    a, b, match, mismatch, gap, min_matches, spans, ops = checks.align_full_args(
        a, b, match, mismatch, gap, min_matches, spans, ops)
    return _align_full(a, b, match, mismatch, gap, min_matches, spans, ops)


cdef tuple _align_full(const int64_t[::1] a, const int64_t[::1] b, int match, int mismatch, int gap,
                       int64_t min_matches, int64_t[:, ::1] spans, int8_t[::1] ops):
    # spans has 8 columns, len(ops) >= len(a) + len(b), scores bounded: align_full_args.
    cdef Py_ssize_t n = a.shape[0], m = b.shape[0], r
    cdef Py_ssize_t count = 0, capacity = spans.shape[0]
    cdef int64_t n_ops = 0
    cdef SwResult res
    check_score_bound(match, n, m)
    if n == 0 or m == 0:
        return 0, 0
    cdef Pool mem = Pool()
    cdef uint8_t* used_a = <uint8_t*> mem.alloc(n + 1, 1)
    cdef uint8_t* used_b = <uint8_t*> mem.alloc(m + 1, 1)
    cdef int64_t* lo = <int64_t*> mem.scratch(n + 1, sizeof(int64_t))
    cdef int64_t* hi = <int64_t*> mem.scratch(n + 1, sizeof(int64_t))
    cdef Buffer* row_offsets = mem.buffer()
    cdef Buffer* cells = mem.buffer()
    for r in range(n):
        lo[r] = 0
        hi[r] = m
    with nogil:
        while count < capacity:
            # Passages never share a token, so their ops fit in len(a) + len(b).
            band_sw(&a[0], &b[0], 0, n, lo, hi, match, mismatch, gap, used_a, used_b,
                    &ops[0] + n_ops, &res, row_offsets, cells)
            if res.score <= 0 or res.matches < min_matches:
                break
            record(&res, spans, count, n_ops, used_a, used_b)
            n_ops += res.n_ops
            count += 1
    return count, n_ops


# ---------------------------------------------------------------- seeds

cdef struct Slot:
    uint64_t key
    int64_t count_a
    int64_t count_b
    int64_t head_b      # first position of the k-gram in b; next_b links the others in order
    uint8_t filled


cdef int kgram_keys(const int64_t* ids, Py_ssize_t n, int k, uint64_t* keys,
                    uint8_t* valid) noexcept nogil:
    cdef Py_ssize_t i, t
    cdef uint64_t acc
    cdef bint ok
    for i in range(n - k + 1):
        acc = <uint64_t> k
        ok = True
        for t in range(i, i + k):
            if ids[t] < 0:
                ok = False
            acc = acc * GOLDEN + <uint64_t> ids[t]
        keys[i] = fmix64(acc)
        valid[i] = ok
    return 0


cdef inline Slot* lookup(Slot* table, uint64_t mask, uint64_t key) noexcept nogil:
    cdef uint64_t pos = fmix64(key ^ 0x5bd1e9955bd1e995ULL) & mask
    while table[pos].filled and table[pos].key != key:
        pos = (pos + 1) & mask
    return &table[pos]


cdef int seeds_c(const int64_t* a, Py_ssize_t n, const int64_t* b, Py_ssize_t m, int k,
                 int64_t max_occurrences, int64_t** out_i, int64_t** out_j,
                 Py_ssize_t* out_n, Arena* arena) except -1 nogil:
    """Seeds sorted by (i, j) into arrays of ``arena`` (as is its scratch).

    Only b's k-grams go in the table (a's are looked up once and remembered), so it stays
    small enough to live in cache for news-sized texts."""
    cdef Py_ssize_t na = n - k + 1 if n >= k else 0
    cdef Py_ssize_t nb = m - k + 1 if m >= k else 0
    cdef uint64_t size = 16, mask
    cdef Py_ssize_t i, j, total
    cdef int64_t c
    cdef Slot* slot
    cdef uint64_t* keys_a = NULL
    cdef uint64_t* keys_b = NULL
    cdef uint8_t* valid_a = NULL
    cdef uint8_t* valid_b = NULL
    cdef int64_t* next_b = NULL
    cdef Slot** slot_a = NULL
    cdef Slot* table = NULL
    cdef int64_t* si = NULL
    cdef int64_t* sj = NULL
    out_i[0] = NULL
    out_j[0] = NULL
    out_n[0] = 0
    if na == 0 or nb == 0:
        return 0
    while size < <uint64_t> (2 * nb):
        size <<= 1
    mask = size - 1
    keys_a = <uint64_t*> arena_scratch(arena, na, sizeof(uint64_t))
    keys_b = <uint64_t*> arena_scratch(arena, nb, sizeof(uint64_t))
    valid_a = <uint8_t*> arena_scratch(arena, na, 1)
    valid_b = <uint8_t*> arena_scratch(arena, nb, 1)
    next_b = <int64_t*> arena_scratch(arena, nb, sizeof(int64_t))
    slot_a = <Slot**> arena_scratch(arena, na, sizeof(Slot*))
    table = <Slot*> arena_alloc(arena, size, sizeof(Slot))
    kgram_keys(a, n, k, keys_a, valid_a)
    kgram_keys(b, m, k, keys_b, valid_b)
    # Walk b backwards, pushing each position in front of its k-gram's list: the lists
    # come out in increasing order.
    for j in range(nb - 1, -1, -1):
        next_b[j] = -1
        if not valid_b[j]:
            continue
        slot = lookup(table, mask, keys_b[j])
        if not slot.filled:
            slot.filled = 1
            slot.key = keys_b[j]
            slot.head_b = -1
        next_b[j] = slot.head_b
        slot.head_b = j
        slot.count_b += 1
    for i in range(na):
        slot_a[i] = NULL
        if valid_a[i]:
            slot = lookup(table, mask, keys_a[i])
            if slot.filled:
                slot.count_a += 1
                slot_a[i] = slot
    total = 0
    for i in range(na):
        slot = slot_a[i]
        if slot != NULL and slot.count_a <= max_occurrences and slot.count_b <= max_occurrences:
            total += slot.count_b
    si = <int64_t*> arena_scratch(arena, total, sizeof(int64_t))
    sj = <int64_t*> arena_scratch(arena, total, sizeof(int64_t))
    c = 0
    for i in range(na):
        slot = slot_a[i]
        if slot != NULL and slot.count_a <= max_occurrences and slot.count_b <= max_occurrences:
            j = slot.head_b
            while j != -1:
                si[c] = i
                sj[c] = j
                c += 1
                j = next_b[j]
    out_i[0] = si
    out_j[0] = sj
    out_n[0] = total
    return 0


def find_seeds(a, b, ngram, max_occurrences):
    """Pairs (i, j) where the k-grams of a at i and of b at j are equal and each occurs at most
    ``max_occurrences`` times in its text; two int64 arrays sorted by i, then j."""
    a, b, ngram, max_occurrences = checks.find_seeds_args(a, b, ngram, max_occurrences)
    return _find_seeds(a, b, ngram, max_occurrences)


cdef tuple _find_seeds(const int64_t[::1] a, const int64_t[::1] b, int ngram, int64_t max_occurrences):
    cdef int64_t* si = NULL
    cdef int64_t* sj = NULL
    cdef Py_ssize_t count = 0, t
    cdef Py_ssize_t n = a.shape[0], m = b.shape[0]
    cdef Pool mem = Pool()
    with nogil:
        seeds_c(&a[0] if n else NULL, n, &b[0] if m else NULL, m, ngram, max_occurrences,
                &si, &sj, &count, &mem.arena)
    out_i = np.empty(count, dtype=np.int64)
    out_j = np.empty(count, dtype=np.int64)
    cdef int64_t[::1] vi = out_i
    cdef int64_t[::1] vj = out_j
    for t in range(count):
        vi[t] = si[t]
        vj[t] = sj[t]
    return out_i, out_j


cdef void chain_c(const int64_t* si, const int64_t* sj, Py_ssize_t n, int k, int64_t max_gap,
                  int match, int mismatch, int gap, int64_t* best, int64_t* matched,
                  int64_t* prev) noexcept nogil:
    cdef Py_ssize_t s, p
    cdef int64_t i, j, di, dj, b_s, m_s, p_s, reach = max_gap + k
    cdef int64_t shorter, new, sub, indel, score
    cdef int tried
    for s in range(n):
        i = si[s]
        j = sj[s]
        b_s = k * match
        m_s = k
        p_s = -1
        p = s - 1
        tried = 0
        while p >= 0 and tried < C_MAX_PRED:
            di = i - si[p]
            if di > reach:
                break
            dj = j - sj[p]
            if di > 0 and 0 < dj and dj <= reach:
                tried += 1
                shorter = di if di < dj else dj
                new = shorter if shorter < k else k
                sub = shorter - k if shorter > k else 0
                indel = di - dj if di > dj else dj - di
                score = best[p] + new * match + sub * mismatch + indel * gap
                if score > b_s:
                    b_s = score
                    m_s = matched[p] + new
                    p_s = p
            p -= 1
        best[s] = b_s
        matched[s] = m_s
        prev[s] = p_s


def chain_seeds(si, sj, ngram, max_gap, match, mismatch, gap):
    """Colinear chaining of seeds sorted by (i, j): int64 arrays (best, matched, prev)."""
    si, sj, ngram, max_gap, match, mismatch, gap = checks.chain_seeds_args(
        si, sj, ngram, max_gap, match, mismatch, gap)
    return _chain_seeds(si, sj, ngram, max_gap, match, mismatch, gap)


cdef tuple _chain_seeds(const int64_t[::1] si, const int64_t[::1] sj, int ngram, int64_t max_gap,
                        int match, int mismatch, int gap):
    cdef Py_ssize_t n = si.shape[0]
    best = np.empty(n, dtype=np.int64)
    matched = np.empty(n, dtype=np.int64)
    prev = np.empty(n, dtype=np.int64)
    cdef int64_t[::1] vb = best
    cdef int64_t[::1] vm = matched
    cdef int64_t[::1] vp = prev
    if n:
        with nogil:
            chain_c(&si[0], &sj[0], n, ngram, max_gap, match, mismatch, gap, &vb[0], &vm[0],
                    &vp[0])
    return best, matched, prev


cdef struct OrderKey:
    int64_t neg_best
    int64_t i
    int64_t j
    int64_t index


cdef int compare_keys(const void* x, const void* y) noexcept nogil:
    cdef const OrderKey* p = <const OrderKey*> x
    cdef const OrderKey* q = <const OrderKey*> y
    if p.neg_best != q.neg_best:
        return -1 if p.neg_best < q.neg_best else 1
    if p.i != q.i:
        return -1 if p.i < q.i else 1
    if p.j != q.j:
        return -1 if p.j < q.j else 1
    return 0


cdef Py_ssize_t chain_band(const int64_t* chain_i, const int64_t* chain_j, Py_ssize_t length,
                           int k, Py_ssize_t n, Py_ssize_t m, int64_t band, int64_t* lo,
                           int64_t* hi, Py_ssize_t* first_out) noexcept nogil:
    """Per-row b ranges covering a chain's diagonals, widened by ``band``; returns the row count."""
    cdef Py_ssize_t first = chain_i[0] - band if chain_i[0] > band else 0
    cdef Py_ssize_t stop = chain_i[length - 1] + k + band
    cdef Py_ssize_t i, q = 0, last = length - 1, rows = 0
    cdef int64_t d0, d1, dlo, dhi, row_lo, row_hi
    if stop > n:
        stop = n
    for i in range(first, stop):
        while q < last and chain_i[q + 1] <= i:
            q += 1
        d0 = chain_j[q] - chain_i[q]
        if i < chain_i[0] or q == last:
            d1 = d0
        else:
            d1 = chain_j[q + 1] - chain_i[q + 1]
        if d0 <= d1:
            dlo = d0
            dhi = d1
        else:
            dlo = d1
            dhi = d0
        row_lo = i + dlo - band
        if row_lo < 0:
            row_lo = 0
        row_hi = i + dhi + band + 1
        if row_hi > m:
            row_hi = m
        if row_hi < row_lo:
            row_hi = row_lo
        lo[rows] = row_lo
        hi[rows] = row_hi
        rows += 1
    first_out[0] = first
    return rows


cdef int seeded_c(const int64_t* a, Py_ssize_t n, const int64_t* b, Py_ssize_t m, int k,
                  int64_t max_occurrences, int64_t max_gap, int64_t band, int match, int mismatch,
                  int gap, int64_t min_matches, int64_t[:, ::1] spans, int8_t* ops,
                  Py_ssize_t* count_out, int64_t* n_ops_out, Arena* arena) except -1 nogil:
    """Every array, and band_sw's scratch, is ``arena``'s."""
    cdef int64_t* si = NULL
    cdef int64_t* sj = NULL
    cdef Py_ssize_t n_seeds = 0, s, t, c, length, rows, first, count = 0
    cdef int64_t n_ops = 0, total
    cdef int64_t* best = NULL
    cdef int64_t* matched = NULL
    cdef int64_t* prev = NULL
    cdef uint8_t* taken = NULL
    cdef OrderKey* order = NULL
    cdef int64_t* members = NULL
    cdef int64_t* chain_start = NULL
    cdef int64_t* chain_len = NULL
    cdef int64_t* chain_i = NULL
    cdef int64_t* chain_j = NULL
    cdef int64_t* lo = NULL
    cdef int64_t* hi = NULL
    cdef uint8_t* used_a = NULL
    cdef uint8_t* used_b = NULL
    cdef Py_ssize_t n_chains = 0, n_members = 0, capacity = spans.shape[0]
    cdef SwResult res
    cdef Buffer* row_offsets
    cdef Buffer* cells
    count_out[0] = 0
    n_ops_out[0] = 0
    seeds_c(a, n, b, m, k, max_occurrences, &si, &sj, &n_seeds, arena)
    if n_seeds == 0:
        return 0
    best = <int64_t*> arena_scratch(arena, n_seeds, sizeof(int64_t))
    matched = <int64_t*> arena_scratch(arena, n_seeds, sizeof(int64_t))
    prev = <int64_t*> arena_scratch(arena, n_seeds, sizeof(int64_t))
    taken = <uint8_t*> arena_alloc(arena, n_seeds, 1)
    order = <OrderKey*> arena_scratch(arena, n_seeds, sizeof(OrderKey))
    members = <int64_t*> arena_scratch(arena, n_seeds, sizeof(int64_t))
    chain_start = <int64_t*> arena_scratch(arena, n_seeds, sizeof(int64_t))
    chain_len = <int64_t*> arena_scratch(arena, n_seeds, sizeof(int64_t))
    chain_i = <int64_t*> arena_scratch(arena, n_seeds, sizeof(int64_t))
    chain_j = <int64_t*> arena_scratch(arena, n_seeds, sizeof(int64_t))
    # A chain's band spans at most its a-range plus 2 * band rows.
    lo = <int64_t*> arena_scratch(arena, n + 1, sizeof(int64_t))
    hi = <int64_t*> arena_scratch(arena, n + 1, sizeof(int64_t))
    used_a = <uint8_t*> arena_alloc(arena, n + 1, 1)
    used_b = <uint8_t*> arena_alloc(arena, m + 1, 1)
    row_offsets = arena_buffer(arena)
    cells = arena_buffer(arena)
    chain_c(si, sj, n_seeds, k, max_gap, match, mismatch, gap, best, matched, prev)
    for s in range(n_seeds):
        order[s].neg_best = -best[s]
        order[s].i = si[s]
        order[s].j = sj[s]
        order[s].index = s
    qsort(order, n_seeds, sizeof(OrderKey), compare_keys)
    for c in range(n_seeds):
        s = order[c].index
        if taken[s]:
            continue
        length = 0
        t = s
        while t != -1 and not taken[t]:
            members[n_members + length] = t
            length += 1
            taken[t] = 1
            t = prev[t]
        total = matched[s] - (matched[t] if t != -1 else 0)
        if 2 * total < min_matches:
            continue
        chain_start[n_chains] = n_members
        chain_len[n_chains] = length
        n_chains += 1
        n_members += length
    for c in range(n_chains):
        if count >= capacity:
            break
        check_signals()
        length = chain_len[c]
        # members were stored last seed first
        for t in range(length):
            s = members[chain_start[c] + length - 1 - t]
            chain_i[t] = si[s]
            chain_j[t] = sj[s]
        rows = chain_band(chain_i, chain_j, length, k, n, m, band, lo, hi, &first)
        band_sw(a, b, first, rows, lo, hi, match, mismatch, gap, used_a, used_b,
                ops + n_ops, &res, row_offsets, cells)
        if res.score <= 0 or res.matches < min_matches:
            continue
        record(&res, spans, count, n_ops, used_a, used_b)
        n_ops += res.n_ops
        count += 1
    count_out[0] = count
    n_ops_out[0] = n_ops
    return 0


def align_seeded(a, b, ngram, max_occurrences, max_gap, band, match, mismatch, gap, min_matches,
                 spans, ops):
    """Seed-and-extend local alignment with memory linear in len(a) + len(b).

    Returns (passages, ops written); see the module docstring for the method.
    """
    (a, b, ngram, max_occurrences, max_gap, band, match, mismatch, gap, min_matches, spans,
     ops) = checks.align_seeded_args(a, b, ngram, max_occurrences, max_gap, band, match, mismatch, gap,
                                     min_matches, spans, ops)
    return _align_seeded(a, b, ngram, max_occurrences, max_gap, band, match, mismatch, gap, min_matches,
                         spans, ops)


cdef tuple _align_seeded(const int64_t[::1] a, const int64_t[::1] b, int ngram, int64_t max_occurrences,
                         int64_t max_gap, int64_t band, int match, int mismatch, int gap,
                         int64_t min_matches, int64_t[:, ::1] spans, int8_t[::1] ops):
    cdef Py_ssize_t n = a.shape[0], m = b.shape[0], count = 0
    cdef int64_t n_ops = 0
    check_score_bound(match, n, m)
    if n == 0 or m == 0:
        return 0, 0
    cdef Pool mem = Pool()
    with nogil:
        seeded_c(&a[0], n, &b[0], m, ngram, max_occurrences, max_gap, band, match, mismatch, gap,
                 min_matches, spans, &ops[0], &count, &n_ops, &mem.arena)
    return count, n_ops


def align_global(a, b, match, mismatch, gap, ops):
    """Needleman-Wunsch global alignment of two short sequences (O(n*m) memory).

    With match=1, mismatch=0, gap=0 the score is the length of the longest common
    subsequence.  Returns (score, ops written).
    """
    a, b, match, mismatch, gap, ops = checks.align_global_args(a, b, match, mismatch, gap, ops)
    return _align_global(a, b, match, mismatch, gap, ops)


cdef tuple _align_global(const int64_t[::1] a, const int64_t[::1] b, int match, int mismatch, int gap,
                         int8_t[::1] ops):
    # (n + 1) * (m + 1) cells fit in memory and len(ops) >= n + m: align_global_args.
    cdef Py_ssize_t n = a.shape[0], m = b.shape[0], w = m + 1, i, j, n_ops = 0
    cdef int64_t v, up, left
    cdef int64_t score
    cdef bint equal, diagonal
    cdef int8_t op
    cdef Pool mem = Pool()
    cdef int64_t* H = <int64_t*> mem.scratch((n + 1) * w, sizeof(int64_t))
    with nogil:
        H[0] = 0
        for j in range(1, m + 1):
            H[j] = j * gap
        for i in range(1, n + 1):
            H[i * w] = i * gap
            for j in range(1, m + 1):
                equal = a[i - 1] >= 0 and a[i - 1] == b[j - 1]
                v = H[(i - 1) * w + j - 1] + (match if equal else mismatch)
                up = H[(i - 1) * w + j] + gap
                left = H[i * w + j - 1] + gap
                if up > v:
                    v = up
                if left > v:
                    v = left
                H[i * w + j] = v
        i = n
        j = m
        while i > 0 or j > 0:
            diagonal = i > 0 and j > 0
            equal = diagonal and a[i - 1] >= 0 and a[i - 1] == b[j - 1]
            op = traceback_op(H[i * w + j], diagonal, H[(i - 1) * w + j - 1] if diagonal else 0, equal,
                              i > 0, H[(i - 1) * w + j] if i > 0 else 0, match, mismatch, gap)
            ops[n_ops] = op
            n_ops += 1
            i -= op != C_B
            j -= op != C_A
        if n_ops:
            reverse_ops(&ops[0], n_ops)
        score = H[n * w + m]
    return score, n_ops
