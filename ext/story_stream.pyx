# distutils: language = c++
"""Streaming average-link story clustering (compiled; twin: ``retold._reference.story_stream``,
which states the algorithm, its tie rules and its summation orders).

Active articles live in a ring indexed by arrival number, each with its unit vector and the
features it is posted under (with its value there); posting lists are arrays in arrival
order, so archiving the oldest article pops the head of each of its lists.  Stories with an
active member live in a hash map, each with its links to other stories (a vector sorted by
story id: _story_stream.h says why); every story id
costs three numbers in flat arrays (size, summed density, and the story it was folded into:
24 bytes, read by every average link without a hash lookup).  Memory is bounded by the
window, not by the stream, but for those 24 bytes per story; with ``forget=True`` the flat
arrays hold only the ids from ``base`` on and the older stories still active sit in a small
hash map (the twin's step 7), so memory is bounded by the window alone.  The hot loop runs
without the GIL; one call at a time (a second thread gets a RuntimeError, never half-written
buffers).
"""
from libc.math cimport log, sqrt, pow, fabs, INFINITY
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libc.stdlib cimport malloc, free
from libc.string cimport memmove, memset
from libcpp.unordered_map cimport unordered_map
from libcpp.utility cimport pair
from libcpp.vector cimport vector
from cython.operator cimport dereference as deref, preincrement as inc

import numpy as np
cimport numpy as cnp

# The batch's bounded search, shared: the ranking of a row's strongest features, the exact dot
# product against a row held in a table, and the ranking of candidates by partial score.
from retold._ext.neighbours cimport (RowTable, heap_keep, strongest, table_clear, table_dot, table_fill,
                                     table_free, table_reserve)
from retold._ext._buffer cimport Buffer, Pool, buffer_free, buffer_reserve
from retold._reference.story_stream import REBASE_MIN, check_arguments, check_batch, check_state, forgotten_error

cnp.import_array()

cdef extern from "Python.h":
    int PyErr_CheckSignals() except -1

cdef extern from *:
    # A hint, no effect on results: the cache line at p is wanted soon.
    void prefetch "__builtin_prefetch"(const void* p) noexcept nogil


cdef inline void prefetch_bytes(const void* start, Py_ssize_t n_bytes) noexcept nogil:
    cdef const char* c = <const char*> start
    cdef Py_ssize_t at
    for at in range(0, n_bytes, 64):
        prefetch(c + at)

cdef extern from "_story_stream.h" nogil:
    cdef cppclass StoryRec:
        int64_t active
        vector[pair[int64_t, double]] links
    void links_set "retold_links_set"(vector[pair[int64_t, double]]& v, int64_t key, double w)
    void links_add "retold_links_add"(vector[pair[int64_t, double]]& v, int64_t key, double w)
    void links_erase "retold_links_erase"(vector[pair[int64_t, double]]& v, int64_t key)
    void links_fold "retold_links_fold"(vector[pair[int64_t, double]]& k, vector[pair[int64_t, double]]& g,
                                        int64_t keep, int64_t gone)
    vector[int64_t] retold_sorted_keys[M](const M& m)


DEF LOG_TABLE = 65536
cdef double LOG_OF[LOG_TABLE]
cdef Py_ssize_t _k
LOG_OF[0] = 0.0
for _k in range(1, LOG_TABLE):
    LOG_OF[_k] = log(<double> _k)


cdef inline double idf_of(double log_n1, int64_t df, double power) noexcept nogil:
    # As the twin: ln(N + 1) - ln(df + 1) + 1, to the power (ln of small counts from a table of
    # the same libm values).
    cdef double x = log_n1 - (LOG_OF[df + 1] if df + 1 < LOG_TABLE else log(<double> (df + 1))) + 1.0
    if power == 1.0:
        return x
    if power == 1.5:
        return x * sqrt(x)
    if power == 2.0:
        return x * x
    return pow(x, power)


cdef inline bint closer(double da, int64_t ja, double db, int64_t jb) noexcept nogil:
    return da > db or (da == db and ja < jb)


cdef struct Art:
    double time
    double density
    int64_t story
    double* val         # one block: val[n], near[density_neighbours], idx[n], top[n_top]
    double* near        # its largest cosines so far, largest first (past and later articles)
    uint32_t* idx
    uint32_t* top
    int32_t n
    int32_t n_top
    int32_t n_near
    int32_t script


cdef struct Held:
    # forget=True: a story id below base still held (an active story's, or folded since the
    # last rebase): what the flat arrays hold for the ids from base on.
    int64_t parent
    int64_t size
    double dens


cdef struct PostingEntry:
    int64_t seq         # an article's arrival number
    double val          # its value at the feature


cdef struct Posting:
    Buffer entries      # PostingEntry, oldest first, from entries[head]; freed when it empties
    int32_t head
    int32_t n


cdef class StoryStream:
    """Stories of a stream, decided as each article arrives.

    The compiled twin of ``retold._reference.story_stream.StoryStream``: same parameters, same
    labels (see that module for the algorithm).
    """

    cdef int64_t[::1] df
    cdef readonly object df_array
    cdef readonly int64_t n_docs, n_scored, next_seq, front, decided, n_folded, lag
    cdef readonly double threshold, density_penalty, window, time_scale, cross_script_weight, idf_power
    cdef readonly int64_t window_articles
    cdef readonly double now
    cdef readonly int neighbours, density_neighbours, index_terms, max_postings, candidates
    cdef readonly bint update_idf
    cdef readonly Py_ssize_t n_features
    cdef bint busy
    cdef Pool mem           # the fixed work arrays and the growable buffers below
    cdef Posting* postings
    cdef Art* ring          # ring_buffer's data, and so on: views kept in step by grow_ring
    cdef int64_t* stamp     # per ring slot: 1 + the arrival scoring it now (partial is its own)
    cdef double* partial    # per ring slot: the partial score of that candidate
    cdef Buffer* ring_buffer
    cdef Buffer* stamp_buffer
    cdef Buffer* partial_buffer
    cdef int64_t ring_cap
    cdef vector[int64_t] parent
    cdef vector[int64_t] sizes
    cdef vector[double] dens    # R per story id: the summed densities of its members
    # (the three of the ids from base on: all of them unless forget)
    cdef readonly bint forget
    cdef readonly int64_t base
    cdef public int64_t rebase_min   # forget: the fewest archived ids a rebase drops (smaller in tests)
    cdef unordered_map[int64_t, Held] old
    cdef int64_t* pending       # the running add's labels so far (a rebase points them at roots)
    cdef vector[int64_t] fold_log   # (gone, keep) of each fold of the running or last add / flush
    cdef Py_ssize_t n_pending
    cdef unordered_map[int64_t, StoryRec] stories
    cdef vector[int64_t] chain
    # Work buffers
    cdef double* vec        # vec_buffer's data (ensure_work)
    cdef Buffer* vec_buffer
    cdef RowTable table     # the arriving article's features while its candidates are scored
    cdef uint32_t* top_idx
    cdef double* top_val
    cdef int64_t* touched   # candidates read, at most index_terms * max_postings
    cdef double* heap_p     # the best `candidates` by partial score
    cdef int64_t* heap_j
    cdef double* nn_dot
    cdef int64_t* nn_seq
    cdef int64_t* t_story
    cdef double* t_weight

    def __cinit__(self, df, n_docs, double threshold, double density_penalty, int neighbours,
                  int density_neighbours, int index_terms, lag, double window, double time_scale,
                  double cross_script_weight, double idf_power, bint update_idf, window_articles,
                  max_postings, candidates, forget=False):
        check_arguments(df, n_docs, threshold, density_penalty, neighbours, density_neighbours,
                        index_terms, lag, window, time_scale, cross_script_weight, idf_power,
                        window_articles, max_postings, candidates, forget)
        self.forget = bool(forget)
        self.rebase_min = REBASE_MIN
        self.window_articles = window_articles
        self.max_postings = max_postings
        self.candidates = candidates
        self.now = -INFINITY  # the newest date seen (none yet)
        self.lag = lag
        self.df_array = df
        self.df = df
        self.n_features = df.shape[0]
        self.n_docs = n_docs
        self.threshold = threshold
        self.density_penalty = density_penalty
        self.neighbours = neighbours
        self.density_neighbours = density_neighbours
        self.index_terms = index_terms
        self.window = window
        self.time_scale = time_scale
        self.cross_script_weight = cross_script_weight
        self.idf_power = idf_power
        self.update_idf = update_idf
        self.mem = Pool()
        self.postings = <Posting*> self.mem.alloc(self.n_features, sizeof(Posting))
        self.touched = <int64_t*> self.mem.scratch(<Py_ssize_t> index_terms * max_postings, sizeof(int64_t))
        self.heap_p = <double*> self.mem.scratch(candidates, sizeof(double))
        self.heap_j = <int64_t*> self.mem.scratch(candidates, sizeof(int64_t))
        self.top_idx = <uint32_t*> self.mem.scratch(index_terms, sizeof(uint32_t))
        self.top_val = <double*> self.mem.scratch(index_terms, sizeof(double))
        self.nn_dot = <double*> self.mem.scratch(neighbours, sizeof(double))
        self.nn_seq = <int64_t*> self.mem.scratch(neighbours, sizeof(int64_t))
        self.t_story = <int64_t*> self.mem.scratch(neighbours, sizeof(int64_t))
        self.t_weight = <double*> self.mem.scratch(neighbours, sizeof(double))
        self.vec_buffer = self.mem.buffer()
        self.ring_buffer = self.mem.buffer()
        self.stamp_buffer = self.mem.buffer()
        self.partial_buffer = self.mem.buffer()

    def __dealloc__(self):
        # The Pool frees the arrays and buffers; the posting lists and the articles' vector
        # blocks each have a lifetime of their own (freed as the window slides), so are freed here.
        cdef Py_ssize_t i
        cdef int64_t q
        if self.postings != NULL:
            for i in range(self.n_features):
                buffer_free(&self.postings[i].entries)
        if self.ring != NULL:
            for q in range(self.front, self.next_seq):
                free(self.ring[q & (self.ring_cap - 1)].val)
        table_free(&self.table)

    cdef int idle(self) except -1:
        if self.busy:
            raise RuntimeError("this StoryStream is in use by another thread; "
                               "guard it with a lock (StoryClusterer does)")
        return 0

    # -- properties ------------------------------------------------------------------------------

    @property
    def n_created(self):
        """Story ids given out so far (folded ones included)."""
        return self.base + <int64_t> self.parent.size()

    @property
    def n_stories(self):
        """Stories so far, archived ones included, folded ones not."""
        return self.base + <int64_t> self.parent.size() - self.n_folded

    @property
    def n_held_ids(self):
        """Story ids whose parent and size are held (all of them unless ``forget``)."""
        return <int64_t> (self.parent.size() + self.old.size())

    @property
    def n_active(self):
        """Stories with an article in the window."""
        return <int64_t> self.stories.size()

    @property
    def n_active_articles(self):
        """Articles in the window."""
        return self.next_seq - self.front

    # -- buffers ---------------------------------------------------------------------------------

    cdef int ensure_work(self, Py_ssize_t n) except -1 nogil:
        buffer_reserve(self.vec_buffer, n, sizeof(double), 256)
        self.vec = <double*> self.vec_buffer.data
        if table_reserve(&self.table, n) < 0:
            with gil:
                raise MemoryError()
        return 0

    cdef int grow_ring(self) except -1 nogil:
        """Room for one more active article (the ring doubles; slots move to seq & new mask)."""
        cdef int64_t cap = self.ring_cap * 2 if self.ring_cap else 1024, q, old_mask, mask
        if self.next_seq - self.front < self.ring_cap:
            return 0
        # The buffers double in step (a power of two, from 1024); a MemoryError part way leaves
        # ring_cap and the views as they were, and the next call finds the grown ones roomy.
        buffer_reserve(self.stamp_buffer, cap, sizeof(int64_t), 1024)
        buffer_reserve(self.partial_buffer, cap, sizeof(double), 1024)
        buffer_reserve(self.ring_buffer, cap, sizeof(Art), 1024)
        self.ring = <Art*> self.ring_buffer.data
        self.stamp = <int64_t*> self.stamp_buffer.data
        self.partial = <double*> self.partial_buffer.data
        # In place: slot q & old_mask moves to q & mask, the same or old_mask + 1 above it,
        # which is in the new half, so no article is overwritten before it moved.
        old_mask = self.ring_cap - 1
        mask = cap - 1
        if self.ring_cap:
            for q in range(self.front, self.next_seq):
                if (q & mask) != (q & old_mask):
                    self.ring[q & mask] = self.ring[q & old_mask]
        memset(self.stamp, 0, cap * sizeof(int64_t))  # no slot is being scored
        self.ring_cap = cap
        return 0

    cdef int post(self, uint32_t f, int64_t seq, double value) except -1 nogil:
        cdef Posting* p = &self.postings[f]
        cdef PostingEntry* entry
        if p.n == p.entries.capacity:
            if p.head > 0 and p.head * 2 >= p.n:
                entry = <PostingEntry*> p.entries.data
                memmove(entry, entry + p.head, (p.n - p.head) * sizeof(PostingEntry))
                p.n -= p.head
                p.head = 0
            else:
                buffer_reserve(&p.entries, p.n + 1, sizeof(PostingEntry), 4)
        entry = <PostingEntry*> p.entries.data + p.n
        entry.seq = seq
        entry.val = value
        p.n += 1
        return 0

    cdef inline Held* old_at(self, int64_t s) noexcept nogil:
        """The held numbers of an id below base (NULL: forgotten)."""
        cdef unordered_map[int64_t, Held].iterator it = self.old.find(s)
        if it == self.old.end():
            return NULL
        return &deref(it).second

    cdef int64_t find(self, int64_t s) noexcept nogil:
        cdef int64_t root = s, up
        if self.base == 0:
            while self.parent[root] != root:
                root = self.parent[root]
            while self.parent[s] != root:
                up = self.parent[s]
                self.parent[s] = root
                s = up
            return root
        return self.find_held(s)

    cdef int64_t find_held(self, int64_t s) noexcept nogil:
        # As the twin's find with forget: an id below base that is not held is an archived
        # story's root (a rebase leaves no other reachable), its own answer.
        cdef int64_t root = s, up, base = self.base
        cdef Held* h
        while True:
            if root >= base:
                up = self.parent[root - base]
            else:
                h = self.old_at(root)
                if h == NULL:
                    break
                up = h.parent
            if up == root:
                break
            root = up
        while s != root:
            if s >= base:
                up = self.parent[s - base]
                self.parent[s - base] = root
            else:
                h = self.old_at(s)
                if h == NULL:
                    break
                up = h.parent
                h.parent = root
            s = up
        return root

    cdef inline int64_t* size_of(self, int64_t s) noexcept nogil:
        if s >= self.base:
            return &self.sizes[s - self.base]
        return &self.old_at(s).size

    cdef inline double* dens_of(self, int64_t s) noexcept nogil:
        if s >= self.base:
            return &self.dens[s - self.base]
        return &self.old_at(s).dens

    cdef inline int64_t* parent_of(self, int64_t s) noexcept nogil:
        if s >= self.base:
            return &self.parent[s - self.base]
        return &self.old_at(s).parent

    cdef int rebase(self) except -1 nogil:
        """The twin's _rebase: forget the ids below front but the active stories' roots."""
        cdef int64_t new_base = self.front, q, s, n_held = <int64_t> self.parent.size()
        cdef int64_t drop = new_base - self.base, keep_n = n_held - drop
        cdef Art* a
        cdef Py_ssize_t i
        cdef Held h
        cdef unordered_map[int64_t, Held] kept
        cdef unordered_map[int64_t, StoryRec].iterator it
        for q in range(self.front, self.next_seq):
            a = &self.ring[q & (self.ring_cap - 1)]
            a.story = self.find(a.story)
        for i in range(self.n_pending):
            self.pending[i] = self.find(self.pending[i])
        for s in range(new_base, self.base + n_held):
            self.find(s)  # points the id straight at its root
        it = self.stories.begin()
        while it != self.stories.end():
            s = deref(it).first
            if s < new_base:
                h.parent = s
                h.size = self.size_of(s)[0]
                h.dens = self.dens_of(s)[0]
                kept[s] = h
            inc(it)
        self.old.swap(kept)
        if keep_n > 0:
            memmove(&self.parent[0], &self.parent[drop], keep_n * sizeof(int64_t))
            memmove(&self.sizes[0], &self.sizes[drop], keep_n * sizeof(int64_t))
            memmove(&self.dens[0], &self.dens[drop], keep_n * sizeof(double))
        self.parent.resize(keep_n)
        self.sizes.resize(keep_n)
        self.dens.resize(keep_n)
        self.base = new_base
        return 0

    cdef int64_t new_story(self, double density) except -1 nogil:
        cdef int64_t s = self.base + <int64_t> self.parent.size()
        self.parent.push_back(s)
        self.sizes.push_back(1)
        self.dens.push_back(density)
        cdef StoryRec* r = &self.stories[s]
        r.active = 1
        return s

    cdef inline bint expired(self, const Art* a, int64_t seq, int64_t arriving) noexcept nogil:
        if a.time != a.time:  # undated: by arrivals
            return arriving - seq > self.window_articles
        return a.time < self.now - self.window

    cdef int archive(self, int64_t arriving) except -1 nogil:
        cdef Art* a
        cdef Posting* p
        cdef int32_t k
        cdef int64_t s
        cdef StoryRec* r
        cdef Py_ssize_t i
        while self.front < self.next_seq:
            a = &self.ring[self.front & (self.ring_cap - 1)]
            if not self.expired(a, self.front, arriving):
                break
            while self.decided <= self.front:  # an article is decided before it leaves the window
                self.decide(self.decided)
                self.decided += 1
            for k in range(a.n_top):
                p = &self.postings[a.top[k]]
                p.head += 1
                if p.head == p.n:
                    buffer_free(&p.entries)
                    p.head = p.n = 0
            s = self.find(a.story)
            r = &self.stories[s]
            r.active -= 1
            if r.active == 0:
                for i in range(<Py_ssize_t> r.links.size()):
                    links_erase(self.stories[r.links[i].first].links, s)
                self.stories.erase(s)
            free(a.val)
            a.val = NULL
            self.front += 1
        if (self.forget and self.front - self.base >= self.rebase_min
                and self.front - self.base >= self.next_seq - self.front):
            self.rebase()
        return 0

    cdef double link(self, int64_t a, int64_t b, double total) noexcept nogil:
        cdef double sa, sb, ra, rb
        cdef int64_t base = self.base
        if a >= base and b >= base:
            sa = <double> self.sizes[a - base]
            sb = <double> self.sizes[b - base]
            ra = self.dens[a - base]
            rb = self.dens[b - base]
        else:
            sa = <double> self.size_of(a)[0]
            sb = <double> self.size_of(b)[0]
            ra = self.dens_of(a)[0]
            rb = self.dens_of(b)[0]
        return total / (sa * sb) - self.density_penalty * (ra / sa + rb / sb) / 2.0

    cdef int64_t fold(self, int64_t a, int64_t b) except -1 nogil:
        cdef int64_t keep = a if a < b else b, gone = b if a < b else a, other
        cdef double total
        cdef int64_t* size_keep = self.size_of(keep)
        cdef int64_t* size_gone = self.size_of(gone)
        cdef double* dens_keep = self.dens_of(keep)
        cdef double* dens_gone = self.dens_of(gone)
        self.parent_of(gone)[0] = keep
        self.fold_log.push_back(gone)
        self.fold_log.push_back(keep)
        size_keep[0] += size_gone[0]
        size_gone[0] = 0
        self.n_folded += 1
        cdef StoryRec* k = &self.stories[keep]
        cdef StoryRec* g = &self.stories[gone]
        cdef StoryRec* o
        dens_keep[0] = dens_keep[0] + dens_gone[0]
        dens_gone[0] = 0.0
        k.active += g.active
        links_fold(k.links, g.links, keep, gone)
        cdef Py_ssize_t i
        for i in range(<Py_ssize_t> g.links.size()):
            other = g.links[i].first
            if other == keep:
                continue
            o = &self.stories[other]
            links_erase(o.links, gone)
            links_add(o.links, keep, g.links[i].second)
        self.stories.erase(gone)
        return keep

    cdef int64_t best(self, int64_t s, double* best_link) noexcept nogil:
        """The partner of story s with the largest link (ties: smaller id); -1 if none."""
        cdef int64_t b = -1, t
        cdef double lk
        cdef StoryRec* r = &self.stories[s]
        cdef Py_ssize_t i
        best_link[0] = 0.0
        for i in range(<Py_ssize_t> r.links.size()):
            t = r.links[i].first
            lk = self.link(s, t, r.links[i].second)
            if b < 0 or lk > best_link[0] or (lk == best_link[0] and t < b):
                b = t
                best_link[0] = lk
        return b

    cdef int decide(self, int64_t seq) except -1 nogil:
        """The twin's _decide: merge reciprocal best partners around the article's story."""
        cdef int64_t a, b
        cdef double lk, other
        cdef size_t i
        cdef bint in_chain
        self.chain.clear()
        self.chain.push_back(self.find(self.ring[seq & (self.ring_cap - 1)].story))
        while self.chain.size():
            a = self.chain.back()
            b = self.best(a, &lk)
            if b < 0 or lk < self.threshold:
                self.chain.pop_back()
                continue
            in_chain = False
            for i in range(self.chain.size()):
                if self.chain[i] == b:
                    in_chain = True
                    break
            if in_chain or self.best(b, &other) == a:
                a = self.fold(a, b)
                self.chain.clear()
                self.chain.push_back(a)
                continue
            self.chain.push_back(b)
        return 0

    cdef int decide_due(self) except -1 nogil:
        while self.next_seq - self.decided > self.lag:
            self.decide(self.decided)
            self.decided += 1
        return 0

    cdef inline double density_of(self, const double* near, int32_t n) noexcept nogil:
        cdef double d = 0.0
        cdef int32_t i
        for i in range(n):
            d += near[i]
        return d / self.density_neighbours

    cdef void near_update(self, int64_t q, double cosine) noexcept nogil:
        cdef Art* a = &self.ring[q & (self.ring_cap - 1)]
        cdef int32_t at, D = self.density_neighbours
        cdef double old
        cdef int64_t s
        if a.n_near == D and not cosine > a.near[D - 1]:
            return
        at = a.n_near if a.n_near < D else D - 1
        while at > 0 and a.near[at - 1] < cosine:
            a.near[at] = a.near[at - 1]
            at -= 1
        a.near[at] = cosine
        if a.n_near < D:
            a.n_near += 1
        old = a.density
        a.density = self.density_of(a.near, a.n_near)
        s = self.find(a.story)
        cdef double* d = self.dens_of(s)
        d[0] = d[0] + (a.density - old)

    # -- one article -----------------------------------------------------------------------------

    cdef int64_t add_one(self, const uint32_t* idx, const double* w, Py_ssize_t n, double time,
                         int32_t script) except -2 nogil:
        cdef Py_ssize_t i, j, m, slot, n_nn = 0, c, t, start, n_read = 0, kept = 0
        cdef double norm = 0.0, x, log_n1, dot, density, weight, vi
        cdef int64_t seq, q, s, ring_mask
        cdef int n_touched = 0
        cdef Posting* p
        cdef const PostingEntry* entries
        cdef Art* o
        cdef Art* a
        cdef StoryRec* r
        self.ensure_work(n)
        # Feature ids are hashes: each df entry, posting list and candidate is a cache miss
        # unless asked for ahead, which is what the prefetches below do (the stream is bound
        # by memory latency, not arithmetic).
        for i in range(n):
            prefetch(&self.df[idx[i]])
        if self.update_idf:
            for i in range(n):
                self.df[idx[i]] += 1
            self.n_docs += 1
        log_n1 = log(<double> self.n_docs + 1.0)
        for i in range(n):
            x = w[i] * idf_of(log_n1, self.df[idx[i]], self.idf_power)
            self.vec[i] = x
            norm += x * x
        norm = sqrt(norm)
        seq = self.next_seq
        if time > self.now:  # NaN (undated) never is
            self.now = time
        self.archive(seq)
        self.grow_ring()
        self.next_seq += 1
        a = &self.ring[seq & (self.ring_cap - 1)]
        a.time = time
        a.script = script
        a.val = NULL
        a.idx = NULL
        a.top = NULL
        a.near = NULL
        a.n = 0
        a.n_top = 0
        a.n_near = 0
        a.density = 0.0
        if n == 0 or norm == 0.0:
            a.story = self.new_story(0.0)
            s = a.story
            self.decide_due()
            return s
        for i in range(n):
            self.vec[i] = self.vec[i] / norm
        m = strongest(idx, self.vec, n, self.index_terms, self.top_idx, self.top_val)
        # Partial scores over the strong features, the newest max_postings postings of each.
        ring_mask = self.ring_cap - 1
        for t in range(m):
            prefetch(&self.postings[self.top_idx[t]])
        for t in range(m):
            p = &self.postings[self.top_idx[t]]
            vi = self.top_val[t]
            start = p.head if p.n - p.head <= self.max_postings else p.n - self.max_postings
            entries = <const PostingEntry*> p.entries.data
            for j in range(start, p.n):
                if j + 8 < p.n:
                    prefetch(&self.stamp[entries[j + 8].seq & ring_mask])
                    prefetch(&self.partial[entries[j + 8].seq & ring_mask])
                q = entries[j].seq
                if self.stamp[q & ring_mask] != seq + 1:
                    self.stamp[q & ring_mask] = seq + 1
                    self.partial[q & ring_mask] = 0.0
                    self.touched[n_read] = q
                    n_read += 1
                self.partial[q & ring_mask] += vi * entries[j].val
        # The best `candidates` by partial score get their exact cosine; the nearest are kept,
        # closest first (insertion into the k slots; ties by the earlier article).
        for c in range(n_read):
            q = self.touched[c]
            heap_keep(self.heap_p, self.heap_j, &kept, self.candidates, self.partial[q & ring_mask], q)
        for c in range(kept):
            prefetch(&self.ring[self.heap_j[c] & ring_mask])
        table_fill(&self.table, idx, self.vec, n)
        for c in range(kept):
            if c + 1 < kept:  # the next candidate's vector block (values, nearest, features)
                o = &self.ring[self.heap_j[c + 1] & ring_mask]
                prefetch_bytes(o.val, (o.n + self.density_neighbours) * sizeof(double) + o.n * sizeof(uint32_t))
            q = self.heap_j[c]
            o = &self.ring[q & ring_mask]
            self.n_scored += 1
            dot = table_dot(&self.table, o.idx, o.val, o.n)
            if not dot > 0.0:
                continue
            if n_nn == self.neighbours and not closer(dot, q, self.nn_dot[n_nn - 1], self.nn_seq[n_nn - 1]):
                continue
            slot = n_nn if n_nn < self.neighbours else self.neighbours - 1
            while slot > 0 and closer(dot, q, self.nn_dot[slot - 1], self.nn_seq[slot - 1]):
                self.nn_dot[slot] = self.nn_dot[slot - 1]
                self.nn_seq[slot] = self.nn_seq[slot - 1]
                slot -= 1
            self.nn_dot[slot] = dot
            self.nn_seq[slot] = q
            if n_nn < self.neighbours:
                n_nn += 1
        table_clear(&self.table)
        density = self.density_of(self.nn_dot, <int32_t> (n_nn if n_nn < self.density_neighbours
                                                           else self.density_neighbours))
        # Edge weights summed per story, stories in order of first appearance.
        for c in range(n_nn):
            o = &self.ring[self.nn_seq[c] & (self.ring_cap - 1)]
            weight = self.nn_dot[c]
            if self.time_scale > 0.0 and time == time and o.time == o.time:  # both dated
                weight = weight / (1.0 + fabs(time - o.time) / self.time_scale)
            if script >= 0 and o.script >= 0 and script != o.script:
                weight = weight * self.cross_script_weight
            s = self.find(o.story)
            for i in range(n_touched):
                if self.t_story[i] == s:
                    self.t_weight[i] = self.t_weight[i] + weight
                    break
            else:
                self.t_story[n_touched] = s
                self.t_weight[n_touched] = weight
                n_touched += 1
        s = self.new_story(density)
        r = &self.stories[s]
        for i in range(n_touched):
            links_set(r.links, self.t_story[i], self.t_weight[i])
            links_set(self.stories[self.t_story[i]].links, s, self.t_weight[i])
        # The article is a neighbour of its neighbours too: their densities may rise.
        for c in range(n_nn):
            self.near_update(self.nn_seq[c], self.nn_dot[c])
        # Keep the article: one block for its vector, nearest cosines, features, posted features.
        a = &self.ring[seq & (self.ring_cap - 1)]
        a.val = <double*> malloc((n + self.density_neighbours) * sizeof(double) + (n + m) * sizeof(uint32_t))
        if a.val == NULL:
            with gil:
                raise MemoryError()
        a.near = a.val + n
        a.idx = <uint32_t*> (a.near + self.density_neighbours)
        a.top = a.idx + n
        for i in range(n):
            a.val[i] = self.vec[i]
            a.idx[i] = idx[i]
        a.n_near = <int32_t> (n_nn if n_nn < self.density_neighbours else self.density_neighbours)
        for c in range(a.n_near):
            a.near[c] = self.nn_dot[c]
        for t in range(m):
            a.top[t] = self.top_idx[t]
            self.post(self.top_idx[t], seq, self.top_val[t])
        a.n = <int32_t> n
        a.n_top = <int32_t> m
        a.density = density
        a.story = s
        self.decide_due()
        return s

    # -- the API ---------------------------------------------------------------------------------

    def add(self, offsets, indices, weights, times, scripts, labels):
        """Cluster each article (a CSR row of feature weights) in order.

        ``labels[i]`` receives the story of article ``i`` as it stands at the end of the call
        (later calls may fold it: see :meth:`resolve`).  ``times`` are days (dated streams)
        or arrival numbers; ``scripts`` int32 script ids (-1: unknown).
        """
        check_batch(offsets, indices, weights, times, scripts, labels, self.n_features)
        cdef const int64_t[::1] off = np.ascontiguousarray(offsets, dtype=np.int64)
        cdef const uint32_t[::1] idx = np.ascontiguousarray(indices, dtype=np.uint32)
        cdef const double[::1] wt = np.ascontiguousarray(weights, dtype=np.float64)
        cdef const double[::1] tm = np.ascontiguousarray(times, dtype=np.float64)
        cdef const int32_t[::1] sc = np.ascontiguousarray(scripts, dtype=np.int32)
        cdef int64_t[::1] out = labels
        cdef Py_ssize_t i, n = out.shape[0], a, b
        cdef int64_t r
        self.idle()
        self.busy = True
        try:
            self.fold_log.clear()
            self.pending = &out[0] if n else NULL
            for i in range(n):
                a = off[i]
                b = off[i + 1]
                self.n_pending = i
                with nogil:
                    r = self.add_one(&idx[a] if b > a else NULL, &wt[a] if b > a else NULL,
                                     b - a, tm[i], sc[i])
                out[i] = r
                if (i & 4095) == 4095:
                    PyErr_CheckSignals()
            self.pending = NULL
            self.n_pending = 0
            for i in range(n):
                out[i] = self.find(out[i])
        finally:
            self.pending = NULL
            self.n_pending = 0
            self.busy = False

    def flush(self):
        """Decide every article still waiting for its ``lag`` (e.g. at the end of a stream)."""
        self.idle()
        self.busy = True
        try:
            self.fold_log.clear()
            with nogil:
                while self.decided < self.next_seq:
                    self.decide(self.decided)
                    self.decided += 1
        finally:
            self.busy = False

    def resolve(self, labels):
        """The current story of each earlier label (int64 array).

        With ``forget``, a label below ``base`` whose story has left the window is forgotten:
        ValueError (see the twin's ``forgotten_error``)."""
        self.idle()
        arr = np.asarray(labels, dtype=np.int64)
        cdef int64_t n_created = self.base + <int64_t> self.parent.size()
        if arr.size and (int(arr.min()) < 0 or int(arr.max()) >= n_created):
            raise ValueError(f"a label outside [0, {n_created})")
        out = np.ascontiguousarray(arr.ravel()).copy()
        cdef int64_t[::1] o = out
        cdef Py_ssize_t i
        if self.base:
            for i in range(o.shape[0]):
                if o[i] < self.base and self.old_at(o[i]) == NULL:
                    raise forgotten_error(o[i], self.base)
        for i in range(o.shape[0]):
            o[i] = self.find(o[i])
        return out.reshape(arr.shape)

    def story_sizes(self):
        """Articles in each story id so far (0 for a folded id; -1 for a forgotten one)."""
        self.idle()
        out = np.full(self.base + <int64_t> self.sizes.size(), -1, dtype=np.int64)
        cdef int64_t[::1] o = out
        cdef Py_ssize_t i
        cdef unordered_map[int64_t, Held].iterator it = self.old.begin()
        for i in range(<Py_ssize_t> self.sizes.size()):
            o[self.base + i] = self.sizes[i]
        while it != self.old.end():
            o[deref(it).first] = deref(it).second.size
            inc(it)
        return out

    def parents(self):
        """For each story id, the story it has been folded into (itself if none; -1 for a
        forgotten one), int64."""
        self.idle()
        out = np.full(self.base + <int64_t> self.parent.size(), -1, dtype=np.int64)
        cdef int64_t[::1] o = out
        cdef Py_ssize_t i
        for s in retold_sorted_keys(self.old):  # the twin's order (find compresses paths as it goes)
            o[<int64_t> s] = self.find(<int64_t> s)
        for i in range(self.base, o.shape[0]):
            o[i] = self.find(i)
        return out

    def last_folds(self):
        """The folds of the last :meth:`add` or :meth:`flush` call, in order: two int64 arrays,
        the id folded and the story it was folded into then (a later fold of the same call
        may fold that one too).  What a caller keeps to follow its labels with ``forget``."""
        self.idle()
        cdef Py_ssize_t i, n = <Py_ssize_t> self.fold_log.size() // 2
        gone = np.empty(n, dtype=np.int64)
        into = np.empty(n, dtype=np.int64)
        cdef int64_t[::1] g = gone, k = into
        for i in range(n):
            g[i] = self.fold_log[2 * i]
            k[i] = self.fold_log[2 * i + 1]
        return gone, into

    def posted_terms(self):
        """Entries in the inverted index."""
        self.idle()
        cdef Py_ssize_t i, total = 0
        for i in range(self.n_features):
            total += self.postings[i].n - self.postings[i].head
        return total

    def link_entries(self):
        """Story-story links held (each pair counted from both sides)."""
        self.idle()
        cdef Py_ssize_t total = 0
        cdef unordered_map[int64_t, StoryRec].iterator it = self.stories.begin()
        while it != self.stories.end():
            total += deref(it).second.links.size()
            inc(it)
        return total

    # -- pickling --------------------------------------------------------------------------------

    def __reduce__(self):
        args = (self.df_array, self.n_docs, self.threshold, self.density_penalty, self.neighbours,
                self.density_neighbours, self.index_terms, self.lag, self.window, self.time_scale,
                self.cross_script_weight, self.idf_power, self.update_idf, self.window_articles,
                self.max_postings, self.candidates, self.forget)
        return (StoryStream, args, self._state())

    def _state(self):
        self.idle()
        cdef int64_t q, m = self.next_seq - self.front, i, total = 0, total_top = 0, total_near = 0
        cdef Art* a
        cdef Py_ssize_t k, at = 0, at_top = 0
        art_time = np.empty(m, dtype=np.float64)
        art_script = np.empty(m, dtype=np.int32)
        art_story = np.empty(m, dtype=np.int64)
        art_density = np.empty(m, dtype=np.float64)
        art_n = np.empty(m, dtype=np.int32)
        art_n_top = np.empty(m, dtype=np.int32)
        art_n_near = np.empty(m, dtype=np.int32)
        for i in range(m):
            a = &self.ring[(self.front + i) & (self.ring_cap - 1)]
            art_time[i] = a.time
            art_script[i] = a.script
            art_story[i] = self.find(a.story)
            art_density[i] = a.density
            art_n[i] = a.n
            art_n_top[i] = a.n_top
            art_n_near[i] = a.n_near
            total += a.n
            total_top += a.n_top
            total_near += a.n_near
        art_idx = np.empty(total, dtype=np.uint32)
        art_val = np.empty(total, dtype=np.float64)
        art_top = np.empty(total_top, dtype=np.uint32)
        art_near = np.empty(total_near, dtype=np.float64)
        cdef uint32_t[::1] idx_v = art_idx, top_v = art_top
        cdef double[::1] val_v = art_val, near_v = art_near
        cdef Py_ssize_t at_near = 0
        for i in range(m):
            a = &self.ring[(self.front + i) & (self.ring_cap - 1)]
            for k in range(a.n):
                idx_v[at] = a.idx[k]
                val_v[at] = a.val[k]
                at += 1
            for k in range(a.n_top):
                top_v[at_top] = a.top[k]
                at_top += 1
            for k in range(a.n_near):
                near_v[at_near] = a.near[k]
                at_near += 1
        ids = retold_sorted_keys(self.stories)
        density, active, link_n, link_to, link_w = [], [], [], [], []
        cdef StoryRec* r
        for s in ids:
            r = &self.stories[<int64_t> s]
            density.append(self.dens_of(<int64_t> s)[0])
            active.append(r.active)
            pairs = []
            for k in range(<Py_ssize_t> r.links.size()):
                pairs.append((r.links[k].first, r.links[k].second))
            pairs.sort()
            link_n.append(len(pairs))
            link_to.extend(t for t, _ in pairs)
            link_w.extend(x for _, x in pairs)
        held = self._held_state()
        return {
            "n_docs": self.n_docs, "n_scored": self.n_scored, "next_seq": self.next_seq,
            "front": self.front, "decided": self.decided, "now": self.now,
            # (the held form replaces these two: no array as long as the stream is made here)
            "parent": held["parent"] if held else self.parents(),
            "sizes": held["sizes"] if held else self.story_sizes(),
            "art_time": art_time, "art_script": art_script, "art_story": art_story,
            "art_density": art_density, "art_n_near": art_n_near, "art_near": art_near, "art_n": art_n, "art_idx": art_idx, "art_val": art_val,
            "art_n_top": art_n_top, "art_top": art_top,
            "story_ids": np.array(ids, dtype=np.int64),
            "story_density": np.array(density, dtype=np.float64),
            "story_active": np.array(active, dtype=np.int64),
            "link_n": np.array(link_n, dtype=np.int64),
            "link_to": np.array(link_to, dtype=np.int64),
            "link_w": np.array(link_w, dtype=np.float64),
        } | held

    def _held_state(self):
        # forget=True: the held form, as the twin writes it ('parent' and 'sizes' then hold the
        # ids from base on, the old map beside them).
        if not self.forget:
            return {}
        old_ids = retold_sorted_keys(self.old)
        n_held = <Py_ssize_t> self.parent.size()
        parent = np.empty(n_held, dtype=np.int64)
        sizes = np.empty(n_held, dtype=np.int64)
        cdef int64_t[::1] p = parent, z = sizes
        cdef Py_ssize_t i
        old_parent = np.array([self.find(<int64_t> s) for s in old_ids], dtype=np.int64)
        old_sizes = np.array([self.old_at(<int64_t> s).size for s in old_ids], dtype=np.int64)
        for i in range(n_held):
            p[i] = self.find(self.base + i)
            z[i] = self.sizes[i]
        return {"forget": True, "base": self.base, "n_folded": self.n_folded,
                "old_ids": np.array(old_ids, dtype=np.int64), "old_parent": old_parent,
                "old_sizes": old_sizes, "parent": parent, "sizes": sizes}

    def __setstate__(self, state):
        self.idle()
        if self.next_seq or self.parent.size():
            raise RuntimeError("a StoryStream's state can only be set on a new stream")
        st = check_state(state, self.n_features, self.index_terms, self.density_neighbours, forget=self.forget)
        cdef const int64_t[::1] parent = st["parent"]
        cdef const int64_t[::1] sizes = st["sizes"]
        cdef const double[::1] art_time = st["art_time"]
        cdef const int32_t[::1] art_script = st["art_script"]
        cdef const int64_t[::1] art_story = st["art_story"]
        cdef const double[::1] art_density = st["art_density"]
        cdef const int32_t[::1] art_n_near = st["art_n_near"]
        cdef const double[::1] art_near = st["art_near"]
        cdef const int32_t[::1] art_n = st["art_n"]
        cdef const uint32_t[::1] art_idx = st["art_idx"]
        cdef const double[::1] art_val = st["art_val"]
        cdef const int32_t[::1] art_n_top = st["art_n_top"]
        cdef const uint32_t[::1] art_top = st["art_top"]
        cdef const double[::1] art_top_val = st["art_top_val"]
        cdef const int64_t[::1] ids = st["story_ids"]
        cdef const double[::1] s_density = st["story_density"]
        cdef const int64_t[::1] s_active = st["story_active"]
        cdef const int64_t[::1] link_n = st["link_n"]
        cdef const int64_t[::1] link_to = st["link_to"]
        cdef const double[::1] link_w = st["link_w"]
        cdef const int64_t[::1] old_ids = st["old_ids"]
        cdef const int64_t[::1] old_parent = st["old_parent"]
        cdef const int64_t[::1] old_sizes = st["old_sizes"]
        cdef Py_ssize_t i, k, at = 0, at_top = 0, at_near = 0, n, m
        cdef int64_t seq
        cdef Art* a
        cdef StoryRec* r
        cdef Held h
        for i in range(parent.shape[0]):
            self.parent.push_back(parent[i])
            self.sizes.push_back(sizes[i])
            self.dens.push_back(0.0)
        for i in range(old_ids.shape[0]):
            h.parent = old_parent[i]
            h.size = old_sizes[i]
            h.dens = 0.0
            self.old[old_ids[i]] = h
        self.base = st["base"]
        self.n_folded = st["n_folded"]
        self.n_docs = st["n_docs"]
        self.n_scored = st["n_scored"]
        self.front = st["front"]
        self.next_seq = st["front"]
        self.decided = st["decided"]
        self.now = st["now"]
        for i in range(art_n.shape[0]):
            self.grow_ring()
            seq = self.next_seq
            self.next_seq += 1
            n = art_n[i]
            m = art_n_top[i]
            a = &self.ring[seq & (self.ring_cap - 1)]
            a.time = art_time[i]
            a.script = art_script[i]
            a.story = art_story[i]
            a.density = art_density[i]
            a.n = <int32_t> n
            a.n_top = <int32_t> m
            a.n_near = art_n_near[i]
            a.val = <double*> malloc((n + self.density_neighbours) * sizeof(double) + (n + m) * sizeof(uint32_t) + 8)
            if a.val == NULL:
                a.n = a.n_top = a.n_near = 0
                raise MemoryError()
            a.near = a.val + n
            a.idx = <uint32_t*> (a.near + self.density_neighbours)
            a.top = a.idx + n
            for k in range(a.n_near):
                a.near[k] = art_near[at_near]
                at_near += 1
            for k in range(n):
                a.val[k] = art_val[at]
                a.idx[k] = art_idx[at]
                at += 1
            for k in range(m):
                a.top[k] = art_top[at_top]
                self.post(a.top[k], seq, art_top_val[at_top])
                at_top += 1
        at = 0
        for i in range(ids.shape[0]):
            r = &self.stories[ids[i]]
            self.dens_of(ids[i])[0] = s_density[i]
            r.active = s_active[i]
            for k in range(link_n[i]):
                links_set(r.links, link_to[at], link_w[at])
                at += 1
