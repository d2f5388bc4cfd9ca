# cython: language_level=3
"""Kernels of the copy finder: LSH band keys, bucket pairs, exact verification, union-find.

Definitions (the pure-Python twin in ``retold._reference.lsh`` states them plainly):

- band key of band ``i`` of a signature ``s`` with ``rows`` slots per band::

      acc = fmix64((i + 1) * GOLDEN)
      for j in range(rows): acc = fmix64(acc ^ s[i * rows + j]) * GOLDEN   (mod 2**64)
      key = fmix64(acc)

  fmix64 is a bijection, so two bands collide by accident with probability ~2**-64.
- bucket pairs: given one band's keys sorted (with ``order``, the document at each position), each run of
  equal keys is a bucket; a bucket of ``m <= cap`` members gives all ``m*(m-1)/2`` pairs, a larger
  one only the ``m - 1`` star edges from its first member (linear cost for boilerplate buckets).
  A pair is coded ``min(a, b) << 32 | max(a, b)``.
- verification: ``|A & B| / |A | B|`` (jaccard) or ``|A & B| / min(|A|, |B|)`` (containment of
  the smaller set in the larger) over sorted unique shingle sets in CSR form.
- union-find: the label of a document is the smallest index of its connected component.
"""
from libc.stdint cimport int64_t, uint64_t
from cpython.exc cimport PyErr_CheckSignals

from retold._ext._hash64 cimport GOLDEN, fmix64

from retold import _kernel_args as checks

cdef extern from "_sort_u64.h" nogil:
    Py_ssize_t intersection_size "retold_intersection_size_u64"(
        const uint64_t* a, Py_ssize_t na, const uint64_t* b, Py_ssize_t nb)

# How many items a long loop handles between two checks for Ctrl-C.
cdef enum:
    CHECK_EVERY = 1 << 16


cdef inline uint64_t band_key(const uint64_t* slots, Py_ssize_t rows, uint64_t band) noexcept nogil:
    cdef uint64_t acc = fmix64((band + 1) * GOLDEN)
    cdef Py_ssize_t j
    for j in range(rows):
        acc = fmix64(acc ^ slots[j]) * GOLDEN
    return fmix64(acc)


def band_keys(signatures, bands, rows, out):
    """Fill ``out[i, d]`` with the key of band ``i`` of signature ``d`` (out: (bands, n))."""
    signatures, bands, rows, out = checks.band_keys_args(signatures, bands, rows, out)
    _band_keys(signatures, bands, rows, out)


cdef _band_keys(const uint64_t[:, ::1] signatures, int bands, int rows, uint64_t[:, ::1] out):
    # bands * rows <= signatures.shape[1] and out.shape == (bands, n): band_keys_args.
    cdef Py_ssize_t n = signatures.shape[0], d, i
    cdef Py_ssize_t start = 0, stop
    while start < n:
        stop = min(n, start + CHECK_EVERY)
        with nogil:
            for d in range(start, stop):
                for i in range(bands):
                    out[i, d] = band_key(&signatures[d, i * rows], rows, <uint64_t> i)
        PyErr_CheckSignals()
        start = stop


def count_bucket_pairs(sorted_keys, cap):
    """(pairs, capped buckets, largest bucket) of one band's sorted keys, ``cap`` as above."""
    sorted_keys, cap = checks.count_bucket_pairs_args(sorted_keys, cap)
    return _count_bucket_pairs(sorted_keys, cap)


cdef tuple _count_bucket_pairs(const uint64_t[::1] sorted_keys, int64_t cap):
    cdef Py_ssize_t n = sorted_keys.shape[0], i = 0, j
    cdef int64_t m, pairs = 0, capped = 0, largest = 0
    with nogil:
        while i < n:
            j = i + 1
            while j < n and sorted_keys[j] == sorted_keys[i]:
                j += 1
            m = j - i
            if m > largest:
                largest = m
            if m > cap:
                capped += 1
                pairs += m - 1
            else:
                pairs += m * (m - 1) // 2
            i = j
    return pairs, capped, largest


def fill_bucket_pairs(sorted_keys, order, cap, out):
    """Write the pair codes of one band into ``out`` (sized by :func:`count_bucket_pairs`).

    ``order[p]`` is the document at sorted position ``p``.  Returns the number written.
    """
    sorted_keys, order, cap, out = checks.fill_bucket_pairs_args(sorted_keys, order, cap, out)
    cdef Py_ssize_t w = _fill_bucket_pairs(sorted_keys, order, cap, out)
    if w < 0:
        raise checks.out_of_room("out", out.shape[0])
    return w


cdef Py_ssize_t _fill_bucket_pairs(const uint64_t[::1] sorted_keys, const int64_t[::1] order, int64_t cap,
                                   uint64_t[::1] out):
    """The pairs written, or -1 when ``out`` is too small (checked before every write)."""
    cdef Py_ssize_t n = sorted_keys.shape[0], i = 0, j, a, b, w = 0, room = out.shape[0]
    cdef uint64_t x, y
    with nogil:
        while i < n:
            j = i + 1
            while j < n and sorted_keys[j] == sorted_keys[i]:
                j += 1
            if j - i > cap:
                # Star from the bucket's first document (smallest index), whatever the sort
                # left in front, so the result does not depend on the sort's stability.
                a = i
                for b in range(i + 1, j):
                    if order[b] < order[a]:
                        a = b
                x = <uint64_t> order[a]
                for b in range(i, j):
                    if b == a:
                        continue
                    y = <uint64_t> order[b]
                    if w == room:
                        return -1
                    out[w] = (x << 32) | y
                    w += 1
            else:
                for a in range(i, j):
                    x = <uint64_t> order[a]
                    for b in range(a + 1, j):
                        y = <uint64_t> order[b]
                        if w == room:
                            return -1
                        out[w] = (x << 32) | y if x < y else (y << 32) | x
                        w += 1
            i = j
    return w


def verify_pairs(offsets, values, left, right, containment, out):
    """Exact similarity of each pair (``left[p]``, ``right[p]``) of CSR shingle sets into ``out``.

    Jaccard, or with ``containment`` the share of the smaller set found in the larger; 0.0 when
    the denominator is 0.
    """
    offsets, values, left, right, containment, out = checks.verify_pairs_args(
        offsets, values, left, right, containment, out)
    _verify_pairs(offsets, values, left, right, containment, out)


cdef _verify_pairs(const int64_t[::1] offsets, const uint64_t[::1] values, const int64_t[::1] left,
                   const int64_t[::1] right, bint containment, double[::1] out):
    # Every referenced row lies inside values and len(out) == len(left): verify_pairs_args.
    cdef Py_ssize_t n = left.shape[0], p, start = 0, stop
    cdef int64_t a, b, na, nb, common, denom
    while start < n:
        stop = min(n, start + CHECK_EVERY)
        with nogil:
            for p in range(start, stop):
                a = left[p]
                b = right[p]
                na = offsets[a + 1] - offsets[a]
                nb = offsets[b + 1] - offsets[b]
                # No &values[k] when values is empty: that address is outside the view.
                common = intersection_size(&values[0] + offsets[a], na, &values[0] + offsets[b], nb) \
                    if values.shape[0] else 0
                if containment:
                    denom = na if na < nb else nb
                else:
                    denom = na + nb - common
                out[p] = <double> common / denom if denom > 0 else 0.0
        PyErr_CheckSignals()
        start = stop


cdef inline int64_t find_root(int64_t* parent, int64_t x) noexcept nogil:
    cdef int64_t root = x, nxt
    while parent[root] != root:
        root = parent[root]
    # Path compression: every node on the way now points at the root.
    while parent[x] != root:
        nxt = parent[x]
        parent[x] = root
        x = nxt
    return root


def union_find(left, right, labels):
    """Label each of ``len(labels)`` items with the smallest index of its component.

    Union by smaller index keeps the labels independent of the order of the edges.
    """
    left, right, labels = checks.union_find_args(left, right, labels)
    _union_find(left, right, labels)


cdef _union_find(const int64_t[::1] left, const int64_t[::1] right, int64_t[::1] labels):
    cdef Py_ssize_t n = labels.shape[0], m = left.shape[0], i
    cdef int64_t ra, rb
    cdef int64_t* parent = &labels[0] if n > 0 else NULL
    # Checked before the loop: an edge outside [0, n) (or any edge with no items) would
    # write outside ``labels``.
    if right.shape[0] != m:
        raise ValueError(f"left and right must have the same length, got {m} and {right.shape[0]}")
    for i in range(m):
        if left[i] < 0 or left[i] >= n or right[i] < 0 or right[i] >= n:
            raise ValueError(f"edge {i} ({left[i]}, {right[i]}) names an item outside [0, {n})")
    with nogil:
        for i in range(n):
            parent[i] = i
        for i in range(m):
            ra = find_root(parent, left[i])
            rb = find_root(parent, right[i])
            if ra < rb:
                parent[rb] = ra
            elif rb < ra:
                parent[ra] = rb
        for i in range(n):
            parent[i] = find_root(parent, i)
