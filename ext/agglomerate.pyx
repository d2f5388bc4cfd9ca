# distutils: language = c++
"""Average-link agglomeration over a sparse similarity graph (compiled; twin:
``retold._reference.agglomerate``, which states the algorithm and its tie rules).

Each cluster keeps a hash map from its neighbouring clusters to the summed edge weight between
them; a merge folds the smaller map into the larger, and a binary heap of candidate merges
(largest link first) with version stamps drops entries that a later merge made stale.  The cost
is about ``E log E`` for ``E`` edges, never the ``n * n`` of a dense matrix.
"""
from libc.stdint cimport int64_t
from libcpp.unordered_map cimport unordered_map
from libcpp.vector cimport vector
from cython.operator cimport dereference as deref, preincrement as inc

import numpy as np
cimport numpy as cnp

from retold._validate import check_average_link_args

cnp.import_array()


cdef struct Entry:
    double link
    int64_t p
    int64_t q
    int64_t vp
    int64_t vq


cdef inline bint before(const Entry& a, const Entry& b) noexcept nogil:
    # The twin's heap order: larger link first, then smaller p, smaller q, versions.
    if a.link != b.link:
        return a.link > b.link
    if a.p != b.p:
        return a.p < b.p
    if a.q != b.q:
        return a.q < b.q
    if a.vp != b.vp:
        return a.vp < b.vp
    return a.vq < b.vq


cdef void heap_push(vector[Entry]& heap, Entry e) noexcept nogil:
    heap.push_back(e)
    cdef size_t i = heap.size() - 1, parent
    while i > 0:
        parent = (i - 1) >> 1
        if not before(heap[i], heap[parent]):
            break
        heap[i], heap[parent] = heap[parent], heap[i]
        i = parent


cdef Entry heap_pop(vector[Entry]& heap) noexcept nogil:
    cdef Entry top = heap[0]
    heap[0] = heap.back()
    heap.pop_back()
    cdef size_t i = 0, n = heap.size(), left, best
    while True:
        left = 2 * i + 1
        if left >= n:
            break
        best = left
        if left + 1 < n and before(heap[left + 1], heap[left]):
            best = left + 1
        if not before(heap[best], heap[i]):
            break
        heap[i], heap[best] = heap[best], heap[i]
        i = best
    return top


def average_link(n, a, b, w, offset, threshold, penalty):
    """Cluster id (smallest member) of each of ``n`` items: int64 array (see the twin)."""
    n, a, b, w, offset, threshold, penalty = check_average_link_args(n, a, b, w, offset, threshold, penalty)
    return _merge(n, a, b, w, offset, threshold, penalty)


cdef _merge(int64_t n, a, b, w, offset, double threshold, double penalty):
    # Arguments as check_average_link_args returns them: contiguous int64 ids, float64 weights.
    cdef const int64_t[::1] ea = a
    cdef const int64_t[::1] eb = b
    cdef const double[::1] ew = w
    cdef const double[::1] off = offset
    labels_arr = np.empty(n, dtype=np.int64)
    cdef int64_t[::1] labels = labels_arr
    cdef vector[unordered_map[int64_t, double]] links
    cdef vector[int64_t] size, version, parent
    cdef vector[double] dens
    cdef vector[char] alive
    cdef vector[Entry] heap
    cdef unordered_map[int64_t, double].iterator it
    cdef Py_ssize_t e, m = len(ea)
    cdef int64_t x, y, p, q, r, big, small, lo, hi, root, i
    cdef double total
    cdef Entry top, fresh
    with nogil:
        links.resize(n)
        size.assign(n, 1)
        version.assign(n, 0)
        alive.assign(n, 1)
        dens.resize(n)
        parent.resize(n)
        for i in range(n):
            dens[i] = off[i]
            parent[i] = i
        for e in range(m):
            x = ea[e]
            y = eb[e]
            if x == y:
                continue
            links[x][y] += ew[e]
            links[y][x] += ew[e]
        for p in range(n):
            it = links[p].begin()
            while it != links[p].end():
                q = deref(it).first
                if p < q:
                    fresh.link = deref(it).second / <double>(size[p] * size[q]) - penalty * (
                        dens[p] / <double>size[p] + dens[q] / <double>size[q]) / 2.0
                    fresh.p = p
                    fresh.q = q
                    fresh.vp = 0
                    fresh.vq = 0
                    heap_push(heap, fresh)
                inc(it)
        while heap.size() > 0:
            top = heap_pop(heap)
            p = top.p
            q = top.q
            if not (alive[p] and alive[q] and version[p] == top.vp and version[q] == top.vq):
                continue
            if top.link < threshold:
                break
            if links[p].size() >= links[q].size():
                big, small = p, q
            else:
                big, small = q, p
            links[big].erase(small)
            it = links[small].begin()
            while it != links[small].end():
                r = deref(it).first
                if r != big:
                    if links[big].count(r):
                        links[big][r] = links[big][r] + deref(it).second
                    else:
                        links[big][r] = deref(it).second
                inc(it)
            links[small].clear()
            if big != p:
                links[p].swap(links[big])
            alive[q] = 0
            parent[q] = p
            size[p] += size[q]
            dens[p] += dens[q]
            version[p] += 1
            it = links[p].begin()
            while it != links[p].end():
                r = deref(it).first
                total = deref(it).second
                links[r].erase(q)
                links[r][p] = total
                if p < r:
                    lo, hi = p, r
                else:
                    lo, hi = r, p
                fresh.link = total / <double>(size[lo] * size[hi]) - penalty * (
                    dens[lo] / <double>size[lo] + dens[hi] / <double>size[hi]) / 2.0
                fresh.p = lo
                fresh.q = hi
                fresh.vp = version[lo]
                fresh.vq = version[hi]
                heap_push(heap, fresh)
                inc(it)
        for i in range(n):
            root = i
            while parent[root] != root:
                root = parent[root]
            # Path compression: a chain of merges must not cost n * n here.
            y = i
            while parent[y] != root:
                x = parent[y]
                parent[y] = root
                y = x
            labels[i] = root
    return labels_arr
