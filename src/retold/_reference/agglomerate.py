"""Pure-Python twin of ``ext/agglomerate.pyx``: average-link agglomeration over a sparse graph.

Items ``0..n-1`` start as singletons.  The link of two clusters ``A`` and ``B`` is

    link(A, B) = W(A, B) / (|A| |B|)  -  penalty * (R(A) / |A| + R(B) / |B|) / 2

where ``W(A, B)`` sums the weights of the graph's edges between them (a pair without an edge
weighs 0) and ``R`` sums each member's ``offset``.  With every offset 0 this is plain average
linkage over the similarity matrix the edges describe.  With offsets it is average linkage over
``w(i, j) - penalty * (offset[i] + offset[j]) / 2``, a similarity with each item's local density
taken off (as CSLS does for nearest-neighbour retrieval): ``link(A u B, C)`` is the size-weighted
mean of ``link(A, C)`` and ``link(B, C)``, so merging greedily by the largest link is exact
average linkage, and a merge never raises another link.

The two clusters of the largest link merge while that link is at least ``threshold``; ties go
to the pair with the smaller (first, second) cluster ids, a cluster's id being the smallest item
in it.  Only clusters joined by at least one edge are candidates (an edge of weight 0 makes
one; self-loops make none).  ``W`` of a merged cluster is the sum, in that order, of its parts'
``W`` (the larger part's first).  Returns the cluster id of each item (its smallest member).
"""
from __future__ import annotations

import heapq

import numpy as np
import numpy.typing as npt

from retold._validate import check_average_link_args


def average_link(n: int, a: npt.ArrayLike, b: npt.ArrayLike, w: npt.ArrayLike, offset: npt.ArrayLike,
                 threshold: float, penalty: float) -> npt.NDArray[np.int64]:
    """Cluster id (smallest member) of each of ``n`` items: int64 array (see the module doc)."""
    n, a, b, w, offset, threshold, penalty = check_average_link_args(n, a, b, w, offset, threshold, penalty)
    size = [1] * n
    dens = [float(x) for x in offset]
    links: list[dict[int, float]] = [dict() for _ in range(n)]
    for x, y, v in zip(a.tolist(), b.tolist(), w.tolist()):
        if x == y:
            continue
        links[x][y] = links[x].get(y, 0.0) + v
        links[y][x] = links[y].get(x, 0.0) + v
    version = [0] * n
    alive = [True] * n
    parent = list(range(n))

    def link(p: int, q: int, total: float) -> float:
        return total / (size[p] * size[q]) - penalty * (dens[p] / size[p] + dens[q] / size[q]) / 2.0

    heap: list[tuple[float, int, int, int, int]] = []
    for p in range(n):
        for q, total in links[p].items():
            if p < q:
                heap.append((-link(p, q, total), p, q, 0, 0))
    heapq.heapify(heap)
    while heap:
        neg, p, q, vp, vq = heapq.heappop(heap)
        if not (alive[p] and alive[q] and version[p] == vp and version[q] == vq):
            continue
        if -neg < threshold:
            break
        # q merges into p (p < q: the merged cluster keeps the smaller id).
        big, small = (p, q) if len(links[p]) >= len(links[q]) else (q, p)
        merged = links[big]
        del merged[small]
        for r, total in links[small].items():
            if r == big:
                continue
            merged[r] = merged[r] + total if r in merged else total
        links[small] = {}
        links[p] = merged
        if big != p:
            links[q] = {}
        alive[q] = False
        parent[q] = p
        size[p] += size[q]
        dens[p] += dens[q]
        version[p] += 1
        for r, total in merged.items():
            other = links[r]
            other.pop(q, None)
            other[p] = total
            lo, hi = (p, r) if p < r else (r, p)
            heapq.heappush(heap, (-link(lo, hi, total), lo, hi, version[lo], version[hi]))
    labels = np.empty(n, dtype=np.int64)
    for i in range(n):
        root = i
        while parent[root] != root:
            root = parent[root]
        j = i
        while parent[j] != root:
            parent[j], j = root, parent[j]
        labels[i] = root
    return labels
