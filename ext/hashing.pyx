"""Shingle hashing, MinHash (k-permutation and one-permutation), SimHash and exact set similarity.

Shingles
    ``word``: n consecutive tokens, hashed as fmix64(acc) with acc = n, then acc = acc * GOLDEN + token
    for each token (wrap-around).  ``char``: n consecutive characters of the folded stream, hashed as
    fmix64(FNV-1a over them).  A text with fewer than n units but at least one gives one shingle of
    all of them, so short texts still have a signature.

MinHash, ``kperm``
    k universal hashes h_i(x) = (a_i * (x mod p) + b_i) mod p, p = 2^61 - 1, computed exactly with
    128-bit products; a_i in [1, p), b_i in [0, p) drawn from splitmix64(seed).

MinHash, ``oph``
    One permutation, k bins: h = fmix64(x XOR key), bin = high 32 bits of h scaled to k, keep the
    least h per bin.  Empty bins are filled by optimal densification (Shrivastava 2017): bin i
    copies the first non-empty bin j = reduce(fmix64(dkey XOR (i << 32 | attempt)), k),
    attempt = 1, 2, ...; key and dkey come from splitmix64(seed XOR OPH_SALT).

An empty text's signature is all EMPTY (2^64 - 1).
"""
from libc.stdint cimport int64_t, uint8_t, uint32_t, uint64_t
from libc.string cimport memset
from cpython.exc cimport PyErr_CheckSignals

import numpy as np
cimport numpy as cnp

from retold import _kernel_args as checks

from retold._ext._hash64 cimport (
    EMPTY, FNV_BASIS, GOLDEN, MERSENNE61, affine61, fmix64, fnv_step, mod61, popcount64,
    reduce_range, splitmix64,
)
from retold._ext._buffer cimport Buffer, Pool, buffer_reserve
from retold._ext.text cimport (
    CodepointBuffer, TextView, TokenBuffer, codepoint_buffer_new, codepoints, fold_stream_view,
    prepare_text, token_buffer_new, token_hashes, tokenize_view,
)

cnp.import_array()

cdef extern from "_sort_u64.h" nogil:
    Py_ssize_t sort_unique_u64 "retold_sort_unique_u64"(uint64_t* a, Py_ssize_t n)
    Py_ssize_t intersection_size_u64 "retold_intersection_size_u64"(
        const uint64_t* a, Py_ssize_t na, const uint64_t* b, Py_ssize_t nb)

cdef uint64_t OPH_SALT = 0x6f6e652d7065726dULL   # "one-perm"
cdef int DENSIFY_MAX_ATTEMPTS = 1 << 16

EMPTY_SLOT = EMPTY


cdef Py_ssize_t word_shingles_into(const uint64_t* tokens, Py_ssize_t n_tokens, int ngram,
                                   uint64_t* out) noexcept nogil:
    """Write the word n-gram hashes of ``tokens`` to ``out`` (room for max(n_tokens, 1)); return the count."""
    cdef Py_ssize_t i, j, count
    cdef uint64_t acc
    if n_tokens == 0:
        return 0
    if n_tokens < ngram:
        acc = <uint64_t> n_tokens
        for j in range(n_tokens):
            acc = acc * GOLDEN + tokens[j]
        out[0] = fmix64(acc)
        return 1
    count = n_tokens - ngram + 1
    # acc_i = n*G^n + sum_j t[i+j]*G^(n-1-j) (mod 2^64): roll it instead of recomputing n terms.
    cdef uint64_t lead = 1, top
    for j in range(ngram - 1):
        lead *= GOLDEN
    top = <uint64_t> ngram * lead * GOLDEN
    acc = <uint64_t> ngram
    for j in range(ngram):
        acc = acc * GOLDEN + tokens[j]
    out[0] = fmix64(acc)
    for i in range(1, count):
        acc = (acc - top - tokens[i - 1] * lead) * GOLDEN + top + tokens[i + ngram - 1]
        out[i] = fmix64(acc)
    return count


cdef Py_ssize_t char_shingles_into(const uint32_t* stream, Py_ssize_t length, int ngram,
                                   uint64_t* out) noexcept nogil:
    """Write the character n-gram hashes of a folded stream to ``out``; return the count."""
    cdef Py_ssize_t i, j, count, width
    cdef uint64_t h
    if length == 0:
        return 0
    width = ngram if length >= ngram else length
    count = length - width + 1
    for i in range(count):
        h = FNV_BASIS
        for j in range(width):
            h = fnv_step(h, stream[i + j])
        out[i] = fmix64(h)
    return count


cdef class _Scratch:
    """Per-call buffers, reused from text to text; all in one Pool, freed with the object."""
    cdef Pool mem
    cdef TokenBuffer* tokens
    cdef CodepointBuffer* stream
    cdef Buffer* shingle_buffer
    cdef uint64_t* shingles   # shingle_buffer's data, as grown for the last text
    cdef uint64_t* bins

    def __cinit__(self, Py_ssize_t num_bins):
        self.mem = Pool()
        self.tokens = token_buffer_new(&self.mem.arena)
        self.stream = codepoint_buffer_new(&self.mem.arena)
        self.shingle_buffer = self.mem.buffer()
        self.shingles = NULL
        self.bins = <uint64_t*> self.mem.scratch(num_bins, sizeof(uint64_t))

    cdef Py_ssize_t shingle(self, const TextView* view, int ngram, bint char_unit) except -1 nogil:
        """Fill ``self.shingles`` with the positional shingle hashes of one text."""
        if char_unit:
            self.stream.n = 0
            fold_stream_view(view, self.stream)
            buffer_reserve(self.shingle_buffer, self.stream.n + 1, sizeof(uint64_t), 256)
            self.shingles = <uint64_t*> self.shingle_buffer.data
            return char_shingles_into(codepoints(self.stream), self.stream.n, ngram, self.shingles)
        self.tokens.n = 0
        tokenize_view(view, self.tokens)
        buffer_reserve(self.shingle_buffer, self.tokens.n + 1, sizeof(uint64_t), 256)
        self.shingles = <uint64_t*> self.shingle_buffer.data
        return word_shingles_into(token_hashes(self.tokens), self.tokens.n, ngram, self.shingles)


cdef bint parse_unit(str unit) except -1:
    if unit == "word":
        return False
    if unit == "char":
        return True
    raise ValueError(f"unit must be 'word' or 'char', not {unit!r}")


cdef bint parse_scheme(str scheme) except -1:
    """True for oph, False for kperm."""
    if scheme == "oph":
        return True
    if scheme == "kperm":
        return False
    raise ValueError(f"scheme must be 'oph' or 'kperm', not {scheme!r}")


def word_shingle_hashes(token_hashes, ngram):
    """Positional word n-gram hashes of a token-hash sequence (uint64)."""
    hashes, ngram = checks.word_shingle_args(token_hashes, ngram)
    return _word_shingle_hashes(hashes, ngram)


cdef object _word_shingle_hashes(const uint64_t[::1] token_hashes, int ngram):
    cdef Py_ssize_t n = token_hashes.shape[0]
    out = np.empty(n if n > 0 else 0, dtype=np.uint64)
    cdef uint64_t[::1] view = out
    cdef Py_ssize_t count = 0
    if n:
        with nogil:
            count = word_shingles_into(&token_hashes[0], n, ngram, &view[0])
    return out[:count]


cdef object _text_shingles(str text, int ngram, str unit, bint as_set):
    """The shingle hashes of one text, in text order, or (``as_set``) sorted and unique."""
    cdef bint char_unit = parse_unit(unit)
    cdef TextView view
    cdef _Scratch scratch = _Scratch(1)
    cdef Py_ssize_t count
    prepare_text(text, &view)
    with nogil:
        count = scratch.shingle(&view, ngram, char_unit)
        if as_set:
            count = sort_unique_u64(scratch.shingles, count)
    out = np.empty(count, dtype=np.uint64)
    cdef uint64_t[::1] dst = out
    cdef Py_ssize_t i
    for i in range(count):
        dst[i] = scratch.shingles[i]
    return out


def text_shingle_hashes(text, ngram, unit):
    """Positional shingle hashes of ``text`` (uint64, in text order, duplicates kept)."""
    text, ngram, unit = checks.text_shingle_args(text, ngram, unit)
    return _text_shingles(text, ngram, unit, False)


def text_shingles(text, ngram, unit):
    """The shingle set of ``text``: sorted unique uint64."""
    text, ngram, unit = checks.text_shingle_args(text, ngram, unit)
    return _text_shingles(text, ngram, unit, True)


def shingle_sets(texts, ngram, unit):
    """Shingle sets of many texts at once, as CSR: (offsets int64 of len n+1, values uint64)."""
    texts, ngram, unit = checks.shingle_sets_args(texts, ngram, unit)
    return _shingle_sets(texts, ngram, unit)


cdef object _shingle_sets(list texts, int ngram, str unit):
    cdef bint char_unit = parse_unit(unit)
    cdef Py_ssize_t n = len(texts), i, j, count, total = 0
    cdef _Scratch scratch = _Scratch(1)
    cdef TextView* views = <TextView*> scratch.mem.scratch(n, sizeof(TextView))
    cdef uint64_t* shingles
    cdef uint64_t* dst
    cdef Buffer* values = scratch.mem.buffer()
    offsets = np.empty(n + 1, dtype=np.int64)
    cdef int64_t[::1] off = offsets
    for i in range(n):
        prepare_text(texts[i], &views[i])
    off[0] = 0
    with nogil:
        for i in range(n):
            count = scratch.shingle(&views[i], ngram, char_unit)
            shingles = scratch.shingles
            count = sort_unique_u64(shingles, count)
            if total + count > values.capacity:
                # Twice what is needed, not the next power of two: at 2,000 news texts that lands
                # on a 32 MiB block, which glibc maps afresh each call (6x the page faults).
                buffer_reserve(values, 2 * (total + count) + 1024, sizeof(uint64_t), 1024)
            dst = <uint64_t*> values.data + total
            for j in range(count):
                dst[j] = shingles[j]
            total += count
            off[i + 1] = total
            if (i & 1023) == 1023:
                with gil:
                    PyErr_CheckSignals()
    out = np.empty(total, dtype=np.uint64)
    if total:
        out[:] = <uint64_t[:total]> (<uint64_t*> values.data)
    return offsets, out


def kperm_parameters(num_perm, seed):
    """The (a, b) coefficients of the k-permutation family for ``seed`` (uint64 arrays)."""
    num_perm, seed = checks.kperm_parameters_args(num_perm, seed)
    return _kperm_parameters(num_perm, seed)


cdef object _kperm_parameters(Py_ssize_t num_perm, uint64_t seed):
    a = np.empty(num_perm, dtype=np.uint64)
    b = np.empty(num_perm, dtype=np.uint64)
    cdef uint64_t[::1] av = a, bv = b
    cdef uint64_t state = seed
    cdef Py_ssize_t i
    for i in range(num_perm):
        av[i] = splitmix64(&state) % (MERSENNE61 - 1) + 1
        bv[i] = splitmix64(&state) % MERSENNE61
    return a, b


cdef void oph_keys(uint64_t seed, uint64_t* key, uint64_t* dkey) noexcept nogil:
    cdef uint64_t state = seed ^ OPH_SALT
    key[0] = splitmix64(&state)
    dkey[0] = splitmix64(&state)


cdef inline void oph_accumulate(const uint64_t* shingles, Py_ssize_t n, uint64_t key,
                                uint64_t* bins, uint32_t k) noexcept nogil:
    cdef Py_ssize_t i
    cdef uint64_t h, current
    cdef uint32_t b
    for i in range(n):
        h = fmix64(shingles[i] ^ key)
        b = reduce_range(h, k)
        # A select, not a branch: whether h is a new minimum is unpredictable.
        current = bins[b]
        bins[b] = h if h < current else current


cdef inline void kperm_accumulate(const uint64_t* shingles, Py_ssize_t n, const uint64_t* a,
                                  const uint64_t* b, uint64_t* slots, uint32_t k) noexcept nogil:
    cdef Py_ssize_t i
    cdef uint32_t p
    cdef uint64_t x, v
    for i in range(n):
        x = mod61(shingles[i])
        for p in range(k):
            v = affine61(a[p], x, b[p])
            if v < slots[p]:
                slots[p] = v


cdef void oph_densify_into(const uint64_t* bins, uint32_t k, uint64_t dkey,
                           uint64_t* out) noexcept nogil:
    cdef uint32_t i, j, attempt
    cdef bint any_full = False
    for i in range(k):
        out[i] = bins[i]
        if bins[i] != EMPTY:
            any_full = True
    if not any_full:
        return
    for i in range(k):
        if bins[i] != EMPTY:
            continue
        attempt = 1
        while True:
            if attempt > <uint32_t> DENSIFY_MAX_ATTEMPTS:
                # Astronomically rare: fall back to the next non-empty bin, still deterministic.
                j = (i + 1) % k
                while bins[j] == EMPTY:
                    j = (j + 1) % k
                break
            j = reduce_range(fmix64(dkey ^ ((<uint64_t> i << 32) | attempt)), k)
            if bins[j] != EMPTY:
                break
            attempt += 1
        out[i] = bins[j]


def minhash_accumulate(shingles, scheme, seed, state):
    """Fold shingle hashes into a raw MinHash state in place (per-slot minima; oph bins undensified)."""
    shingles, scheme, seed, state = checks.minhash_accumulate_args(shingles, scheme, seed, state)
    _minhash_accumulate(shingles, scheme, seed, state)


cdef _minhash_accumulate(const uint64_t[::1] shingles, str scheme, uint64_t seed, uint64_t[::1] state):
    cdef bint oph = parse_scheme(scheme)
    cdef uint32_t k = <uint32_t> state.shape[0]
    cdef Py_ssize_t n = shingles.shape[0]
    cdef uint64_t key, dkey
    if n == 0 or k == 0:
        return
    if oph:
        oph_keys(seed, &key, &dkey)
        with nogil:
            oph_accumulate(&shingles[0], n, key, &state[0], k)
    else:
        a, b = _kperm_parameters(k, seed)
        _kperm_accumulate(shingles, a, b, state)


cdef void _kperm_accumulate(const uint64_t[::1] shingles, const uint64_t[::1] a,
                            const uint64_t[::1] b, uint64_t[::1] state) noexcept:
    with nogil:
        kperm_accumulate(&shingles[0], shingles.shape[0], &a[0], &b[0], &state[0],
                         <uint32_t> state.shape[0])


def minhash_finalize(state, scheme, seed, out):
    """Turn a raw MinHash state into a signature in ``out`` (oph: densified; kperm: copied)."""
    state, scheme, seed, out = checks.minhash_finalize_args(state, scheme, seed, out)
    _minhash_finalize(state, scheme, seed, out)


cdef _minhash_finalize(const uint64_t[::1] state, str scheme, uint64_t seed, uint64_t[::1] out):
    # out.shape[0] == state.shape[0], checked by minhash_finalize_args.
    cdef bint oph = parse_scheme(scheme)
    cdef uint32_t k = <uint32_t> state.shape[0]
    cdef uint64_t key, dkey
    cdef uint32_t i
    if k == 0:
        return
    if oph:
        oph_keys(seed, &key, &dkey)
        with nogil:
            oph_densify_into(&state[0], k, dkey, &out[0])
    else:
        for i in range(k):
            out[i] = state[i]


def minhash_texts(texts, ngram, unit, scheme, seed, out):
    """MinHash signatures of ``texts`` into the rows of ``out`` (shape len(texts) x num_perm).

    The GIL is released for the whole batch once the texts' folding pages exist, so threads
    running this on different slices of a corpus work in parallel.
    """
    texts, ngram, unit, scheme, seed, out = checks.minhash_texts_args(texts, ngram, unit, scheme, seed, out)
    _minhash_texts(texts, ngram, unit, scheme, seed, out)


cdef _minhash_texts(list texts, int ngram, str unit, str scheme, uint64_t seed, uint64_t[:, ::1] out):
    cdef bint char_unit = parse_unit(unit)
    cdef bint oph = parse_scheme(scheme)
    cdef Py_ssize_t n = len(texts), i, count
    cdef uint32_t k = <uint32_t> out.shape[1], p
    if out.shape[0] != n:
        raise ValueError(f"out has {out.shape[0]} rows for {n} texts")
    if n == 0 or k == 0:
        return
    cdef _Scratch scratch = _Scratch(k)
    cdef TextView* views = <TextView*> scratch.mem.scratch(n, sizeof(TextView))
    cdef uint64_t key = 0, dkey = 0
    cdef uint64_t[::1] a_view, b_view
    cdef const uint64_t* a_ptr = NULL
    cdef const uint64_t* b_ptr = NULL
    cdef uint64_t* row
    for i in range(n):
        prepare_text(texts[i], &views[i])
    if oph:
        oph_keys(seed, &key, &dkey)
    else:
        a, b = _kperm_parameters(k, seed)
        a_view = a
        b_view = b
        a_ptr = &a_view[0]
        b_ptr = &b_view[0]
    with nogil:
        for i in range(n):
            count = scratch.shingle(&views[i], ngram, char_unit)
            row = &out[i, 0]
            if oph:
                for p in range(k):
                    scratch.bins[p] = EMPTY
                oph_accumulate(scratch.shingles, count, key, scratch.bins, k)
                oph_densify_into(scratch.bins, k, dkey, row)
            else:
                for p in range(k):
                    row[p] = EMPTY
                kperm_accumulate(scratch.shingles, count, a_ptr, b_ptr, row, k)
            if (i & 1023) == 1023:
                with gil:
                    PyErr_CheckSignals()


def simhash_text(text, ngram):
    """64-bit SimHash of ``text`` over word n-grams, each occurrence weighing one (tf weighting)."""
    text, ngram = checks.simhash_args(text, ngram)
    return _simhash_text(text, ngram)


cdef object _simhash_text(str text, int ngram):
    cdef TextView view
    cdef _Scratch scratch = _Scratch(1)
    cdef Py_ssize_t count, i
    cdef int bit
    cdef int64_t votes[64]
    cdef uint64_t x, result = 0
    memset(votes, 0, sizeof(votes))
    prepare_text(text, &view)
    with nogil:
        count = scratch.shingle(&view, ngram, False)
        for i in range(count):
            x = scratch.shingles[i]
            for bit in range(64):
                if (x >> bit) & 1:
                    votes[bit] += 1
                else:
                    votes[bit] -= 1
        for bit in range(64):
            if votes[bit] > 0:
                result |= (<uint64_t> 1) << bit
    return result


def hamming(a, b):
    """Number of differing bits between two 64-bit SimHashes."""
    a, b = checks.hamming_args(a, b)
    return popcount64(<uint64_t> a ^ <uint64_t> b)


def jaccard_sorted(a, b):
    """Exact Jaccard of two sorted unique uint64 arrays; 0.0 when both are empty."""
    a, b = checks.set_pair_args(a, b)
    return _overlap(a, b, False)


def containment_sorted(a, b):
    """Share of ``a`` found in ``b`` (sorted unique uint64 arrays); 0.0 when ``a`` is empty."""
    a, b = checks.set_pair_args(a, b)
    return _overlap(a, b, True)


cdef double _overlap(const uint64_t[::1] a, const uint64_t[::1] b, bint containment):
    """``|a & b|`` over ``|a|`` (containment) or over ``|a | b|`` (Jaccard); 0.0 over nothing."""
    cdef Py_ssize_t common, whole
    with nogil:
        common = intersection_size_u64(&a[0] if a.shape[0] else NULL, a.shape[0],
                                       &b[0] if b.shape[0] else NULL, b.shape[0])
    whole = a.shape[0] if containment else a.shape[0] + b.shape[0] - common
    return <double> common / whole if whole else 0.0
