"""Story features (compiled; twin: ``retold._reference.stories``).

``text_features`` turns titles and bodies into hashed, boosted, sublinear term weights in one
native pass over the shared tokeniser's tokens (``retold._ext.text``).  The reference twin
documents the exact feature rules; this module follows it operation for operation (doubles,
same summation order).  The streaming clusterer is ``retold._ext.story_stream``.
"""
from libc.math cimport log, sqrt, pow
from libc.stddef cimport ptrdiff_t
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.string cimport memset, memcpy

import numpy as np

from retold import _kernel_args as checks
from retold import story_feature_tables as tables
cimport numpy as cnp

from retold._ext._hash64 cimport FNV_BASIS, GOLDEN, fmix64, fnv_step
from retold._ext._buffer cimport Buffer, Pool, arena_buffers, buffer_reserve
from retold._ext.text cimport (
    TextView, TokenBuffer, prepare_text, token_buffer_new, token_ends, token_flags, token_hashes,
    token_starts, tokenize_view,
)

cnp.import_array()

cdef extern from "_sort_u64.h" nogil:
    void sort_u64 "retold_sort_u64"(uint64_t* a, ptrdiff_t n)

cdef extern from "Python.h":
    uint32_t PyUnicode_READ(int kind, const void* data, Py_ssize_t index) nogil
    int PyErr_CheckSignals() except -1

DEF T_CAPITALIZED = 1
DEF T_ALL_UPPER = 2
DEF T_HAS_DIGIT = 4
DEF T_NOSPACE = 8

DEF MAX_QUOTE_TOKENS = 120
DEF STEM_SALT = 0x5354454D
DEF MAX_STEM = 16

# Indexed by code point - 0x430 (U+0430..U+045F, and U+0491 stored at slot 48).
cdef char TRANSLIT[49][5]
cdef uint8_t TRANSLIT_KNOWN[49]
memset(TRANSLIT, 0, sizeof(TRANSLIT))
memset(TRANSLIT_KNOWN, 0, sizeof(TRANSLIT_KNOWN))


DEF SKELETON_SALT = 0x534B454C
DEF SKELETON_LIMIT = 0x700
# Consonant classes per code point below U+0700 (from the twin's skeleton_table): length 255
# marks a code point that has no skeleton.
cdef uint8_t SKELETON_LEN[SKELETON_LIMIT]
cdef char SKELETON[SKELETON_LIMIT][4]
memset(SKELETON, 0, sizeof(SKELETON))


def _fill_skeleton():
    cdef int cp, k
    table = tables.skeleton_table()
    for cp in range(SKELETON_LIMIT):
        classes = table.get(cp)
        if classes is None:
            SKELETON_LEN[cp] = 255
            continue
        if len(classes) > 4:
            raise ValueError(f"skeleton of U+{cp:04X} is longer than 4 classes: {classes!r}")
        SKELETON_LEN[cp] = len(classes)
        for k in range(len(classes)):
            SKELETON[cp][k] = ord(classes[k])


_fill_skeleton()


cdef inline bint is_arabic_letter(uint32_t cp) noexcept nogil:
    return (0x620 <= cp <= 0x64A) or (0x671 <= cp <= 0x6D3)


cdef uint64_t skeleton_hash(const TextView* v, Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    """Hash of a word's consonant skeleton, 0 when it has none (see the twin)."""
    cdef Py_ssize_t n = end - start, skip = 0, i
    cdef uint32_t w0, w1, w2, cp
    cdef uint64_t h = FNV_BASIS ^ SKELETON_SALT
    cdef uint32_t last = 0
    cdef int length = 0, k
    w0 = PyUnicode_READ(v.kind, v.data, start)
    if is_arabic_letter(w0):
        w1 = PyUnicode_READ(v.kind, v.data, start + 1) if n > 1 else 0
        w2 = PyUnicode_READ(v.kind, v.data, start + 2) if n > 2 else 0
        if n - 3 >= 2 and w1 == 0x627 and w2 == 0x644 and (w0 == 0x648 or w0 == 0x628):
            skip = 3
        elif n - 2 >= 2 and ((w0 == 0x644 and w1 == 0x644) or (w0 == 0x627 and w1 == 0x644)):
            skip = 2
    for i in range(start + skip, end):
        cp = PyUnicode_READ(v.kind, v.data, i)
        if cp >= SKELETON_LIMIT or SKELETON_LEN[cp] == 255:
            return 0
        for k in range(SKELETON_LEN[cp]):
            if <uint32_t> SKELETON[cp][k] != last:
                last = <uint32_t> SKELETON[cp][k]
                h = fnv_step(h, last)
                length += 1
    return fmix64(h) if length >= 3 else 0


def _fill_translit():
    cdef int slot, k
    for ch, latin in tables.CYRILLIC_TO_LATIN.items():
        cp = ord(ch)
        slot = 48 if cp == 0x491 else cp - 0x430
        TRANSLIT_KNOWN[slot] = 1
        for k in range(len(latin)):
            TRANSLIT[slot][k] = ord(latin[k])


_fill_translit()



cdef inline uint32_t simple_lower(uint32_t cp) noexcept nogil:
    """Lower case for Latin, Greek and Cyrillic letters (the twin's ``simple_lower``)."""
    if 0x41 <= cp <= 0x5A:
        return cp + 0x20
    if 0xC0 <= cp <= 0xDE and cp != 0xD7:
        return cp + 0x20
    if (0x100 <= cp <= 0x137) or (0x14A <= cp <= 0x177):
        return cp + 1 if (cp & 1) == 0 else cp
    if (0x139 <= cp <= 0x148) or (0x179 <= cp <= 0x17E):
        return cp + 1 if (cp & 1) == 1 else cp
    if cp == 0x178:
        return 0xFF
    if 0x391 <= cp <= 0x3A9 and cp != 0x3A2:
        return cp + 0x20
    if 0x410 <= cp <= 0x42F:
        return cp + 0x20
    if 0x400 <= cp <= 0x40F:
        return cp + 0x50
    if cp == 0x490:
        return 0x491
    # Arabic spelling variants: hamza forms of alef, teh marbuta, alef maksura.
    if cp == 0x622 or cp == 0x623 or cp == 0x625:
        return 0x627
    if cp == 0x629:
        return 0x647
    if cp == 0x649:
        return 0x64A
    return cp


cdef inline int translit_slot(uint32_t cp) noexcept nogil:
    if 0x430 <= cp <= 0x45F:
        return <int> (cp - 0x430) if TRANSLIT_KNOWN[cp - 0x430] else -1
    if cp == 0x491:
        return 48
    return -1


cdef inline bint is_sentence_end(uint32_t c) noexcept nogil:
    return (c == 0x2E or c == 0x21 or c == 0x3F or c == 0x0A or c == 0x0D or c == 0x2026
            or c == 0x3A or c == 0x3B or c == 0x3002 or c == 0xFF01 or c == 0xFF1F)


cdef inline bint is_quote_open(uint32_t c) noexcept nogil:
    # retold.punctuation.OPENING_MARKS (the tests compare, code point by code point)
    return (c == 0x22 or c == 0x201C or c == 0x201E or c == 0xAB or c == 0x2039
            or c == 0x300C or c == 0x300E or c == 0xFF02)


cdef inline bint is_quote_close(uint32_t c) noexcept nogil:
    # retold.punctuation.CLOSING_MARKS
    return (c == 0x22 or c == 0x201D or c == 0x201C or c == 0xBB or c == 0x203A
            or c == 0x300D or c == 0x300F or c == 0xFF02)


cdef struct Params:
    int n_bits
    Py_ssize_t lead_tokens
    double title_boost
    double lead_boost
    double name_boost
    double number_boost
    double quote_boost
    int stem_length
    double stem_weight
    bint translit
    double skeleton_weight
    double uncased_skeleton_weight
    double short_weight


cdef struct Occ:
    uint32_t index
    double boost


# Growable columns, made in the call's Pool by arena_buffers (the Buffers come first: the
# arena frees their data); `n` items used.
cdef struct OccBuffer:
    Buffer occs          # Occ
    Buffer keys          # uint64_t: (feature << 32 | position), sorted to group occurrences by feature
    Buffer spare         # uint64_t: the radix sort's second buffer
    uint32_t* counts     # its bucket counts
    Py_ssize_t n


cdef struct FeatureBuffer:
    Buffer indices       # uint32_t
    Buffer weights       # double
    Py_ssize_t n


cdef int occ_push(OccBuffer* buf, uint32_t index, double boost) except -1 nogil:
    if buf.n == buf.occs.capacity:
        # Occurrences are numbered in the low 32 bits of their sort keys (reduce_occurrences).
        if buf.n >= (<Py_ssize_t> 1 << 32) - 1:
            with gil:
                raise ValueError("an article has more than 2**32 - 1 feature occurrences")
        # `occs` grows last: its capacity is the one asked, so it never claims room the
        # others lack after a MemoryError.
        buffer_reserve(&buf.keys, buf.n + 1, sizeof(uint64_t), 512)
        buffer_reserve(&buf.spare, buf.n + 1, sizeof(uint64_t), 512)
        buffer_reserve(&buf.occs, buf.n + 1, sizeof(Occ), 512)
    (<Occ*> buf.occs.data)[buf.n].index = index
    (<Occ*> buf.occs.data)[buf.n].boost = boost
    buf.n += 1
    return 0


cdef int feature_push(FeatureBuffer* buf, uint32_t index, double weight) except -1 nogil:
    if buf.n == buf.indices.capacity:
        buffer_reserve(&buf.weights, buf.n + 1, sizeof(double), 4096)
        buffer_reserve(&buf.indices, buf.n + 1, sizeof(uint32_t), 4096)
    (<uint32_t*> buf.indices.data)[buf.n] = index
    (<double*> buf.weights.data)[buf.n] = weight
    buf.n += 1
    return 0


cdef inline uint64_t pair_hash(uint64_t a, uint64_t b) noexcept nogil:
    return fmix64((a * GOLDEN) ^ b)


cdef uint64_t translit_hash(const TextView* v, Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    """Hash of the Latin transliteration of an all-Cyrillic token, 0 otherwise (see the twin)."""
    cdef Py_ssize_t i, stop
    cdef uint32_t cp
    cdef int slot, k
    cdef uint64_t h
    cdef bint tail_y
    if end - start < 2 or v.kind == 1:
        return 0
    for i in range(start, end):
        cp = PyUnicode_READ(v.kind, v.data, i)
        if cp < 0x400 or cp > 0x45F or translit_slot(simple_lower(cp)) < 0:
            return 0
    tail_y = (end - start >= 3
              and simple_lower(PyUnicode_READ(v.kind, v.data, end - 1)) == 0x439
              and (simple_lower(PyUnicode_READ(v.kind, v.data, end - 2)) == 0x438
                   or simple_lower(PyUnicode_READ(v.kind, v.data, end - 2)) == 0x44B))
    stop = end - 2 if tail_y else end
    h = FNV_BASIS
    for i in range(start, stop):
        slot = translit_slot(simple_lower(PyUnicode_READ(v.kind, v.data, i)))
        k = 0
        while TRANSLIT[slot][k] != 0:
            h = fnv_step(h, <uint32_t> TRANSLIT[slot][k])
            k += 1
    if tail_y:
        h = fnv_step(h, 0x79)
    return fmix64(h)


cdef inline bint arabic_match(uint32_t* w, Py_ssize_t n, uint32_t a, uint32_t b, uint32_t c) noexcept nogil:
    # A clitic of two (c == 0) or three letters at the start of w, leaving at least two letters.
    if c == 0:
        return n - 2 >= 2 and w[0] == a and w[1] == b
    return n - 3 >= 2 and w[0] == a and w[1] == b and w[2] == c


cdef uint64_t stem_hash(const TextView* v, Py_ssize_t start, Py_ssize_t end, int stem_length) noexcept nogil:
    """Hash of a word's stem (clitic-stripped, truncated lower-case prefix), 0 if it is the word."""
    cdef uint32_t w[MAX_STEM + 3]
    cdef Py_ssize_t n = end - start, i, skip = 0, keep
    cdef uint64_t h
    # Only the first letters matter: the clitic (at most 3) and the stem.
    cdef Py_ssize_t m = n if n < stem_length + 3 else stem_length + 3
    for i in range(m):
        w[i] = simple_lower(PyUnicode_READ(v.kind, v.data, start + i))
    if w[0] == 0x648 and arabic_match(w, n, 0x648, 0x627, 0x644):
        skip = 3
    elif w[0] == 0x628 and arabic_match(w, n, 0x628, 0x627, 0x644):
        skip = 3
    elif w[0] == 0x644 and arabic_match(w, n, 0x644, 0x644, 0):
        skip = 2
    elif w[0] == 0x627 and arabic_match(w, n, 0x627, 0x644, 0):
        skip = 2
    keep = n - skip
    if keep > stem_length:
        keep = stem_length
    if skip == 0 and keep == n:
        return 0
    h = FNV_BASIS ^ STEM_SALT
    for i in range(skip, skip + keep):
        h = fnv_step(h, w[i])
    return fmix64(h)


cdef inline bint arabic_plain(uint32_t cp) noexcept nogil:
    return (0x621 <= cp <= 0x65F) or cp == 0x670


cdef inline bint arabic_dropped(uint32_t cp) noexcept nogil:
    # Tatweel, harakat and the dagger alef.
    return cp == 0x640 or cp >= 0x64B


cdef bint arabic_hashes(const TextView* v, Py_ssize_t start, Py_ssize_t end,
                        uint64_t* word, uint64_t* clitic) noexcept nogil:
    """Hashes of a plain Arabic word's normalised form and of its clitic-stripped form (0: none).

    False when the token is not a plain Arabic word (see the twin's ``arabic_form``).
    """
    cdef Py_ssize_t i, n = 0
    cdef uint32_t cp, w0 = 0, w1 = 0, w2 = 0
    cdef uint64_t h = FNV_BASIS
    cdef bint skipped
    if start >= end or v.kind == 1 or not is_arabic_letter(PyUnicode_READ(v.kind, v.data, start)):
        return False
    for i in range(start, end):
        cp = PyUnicode_READ(v.kind, v.data, i)
        if not arabic_plain(cp):
            return False
        if arabic_dropped(cp):
            continue
        cp = simple_lower(cp)
        if n == 0:
            w0 = cp
        elif n == 1:
            w1 = cp
        elif n == 2:
            w2 = cp
        n += 1
        h = fnv_step(h, cp)
    if n == 0:
        return False
    word[0] = fmix64(h)
    clitic[0] = 0
    if n >= 5 and (w0 == 0x648 or w0 == 0x641 or w0 == 0x628 or w0 == 0x643) and w1 == 0x627 and w2 == 0x644:
        h = FNV_BASIS
    elif n >= 4 and w0 == 0x644 and w1 == 0x644:
        h = fnv_step(FNV_BASIS, 0x627)
    else:
        return True
    # The form without its first letter (after an optional alef).
    skipped = False
    for i in range(start, end):
        cp = PyUnicode_READ(v.kind, v.data, i)
        if arabic_dropped(cp):
            continue
        if not skipped:
            skipped = True
            continue
        h = fnv_step(h, simple_lower(cp))
    clitic[0] = fmix64(h)
    return True


def word_hashes(text, starts, ends, hashes):
    """The word feature hash of each token (uint64): its hash, or that of its Arabic form."""
    text, starts, ends, hashes = checks.word_hashes_args(text, starts, ends, hashes)
    return _word_hashes(text, starts, ends, hashes)


cdef object _word_hashes(str text, starts, ends, hashes):
    cdef TextView tv
    out = np.array(hashes, dtype=np.uint64)
    cdef uint64_t[::1] o = out
    cdef const int64_t[::1] st = np.ascontiguousarray(starts, dtype=np.int64)
    cdef const int64_t[::1] en = np.ascontiguousarray(ends, dtype=np.int64)
    cdef Py_ssize_t i, n = o.shape[0]
    cdef uint64_t word, clitic
    if st.shape[0] != n or en.shape[0] != n:
        raise ValueError("starts, ends and hashes differ in length")
    prepare_text(text, &tv)
    for i in range(n):
        if not (0 <= st[i] < en[i] <= tv.length):
            continue
        if arabic_hashes(&tv, st[i], en[i], &word, &clitic):
            o[i] = word
    return out


cdef int segment_features(const TextView* v, const TokenBuffer* t, bint is_title,
                          const Params* p, OccBuffer* occ) except -1 nogil:
    cdef int shift = 64 - p.n_bits
    cdef Py_ssize_t n = t.n, i, j, s, e, prev_end = 0
    cdef bint in_quote = False, sentence_start, left, right, name
    cdef Py_ssize_t quote_len = 0
    cdef uint32_t ch
    cdef uint8_t f
    cdef double boost, weight
    cdef uint64_t h, word, clitic
    cdef bint arabic
    cdef const uint8_t* ascii = <const uint8_t*> v.data
    cdef const int64_t* starts = token_starts(t)
    cdef const int64_t* ends = token_ends(t)
    cdef const uint64_t* hashes = token_hashes(t)
    cdef const uint8_t* flags = token_flags(t)
    for i in range(n):
        s = starts[i]
        e = ends[i]
        f = flags[i]
        sentence_start = i == 0
        for j in range(prev_end, s):
            ch = ascii[j] if v.ascii else PyUnicode_READ(v.kind, v.data, j)
            if is_sentence_end(ch):
                sentence_start = True
                if ch == 0x0A or ch == 0x0D:
                    in_quote = False
            if is_quote_open(ch) and not in_quote:
                in_quote = True
                quote_len = 0
            elif is_quote_close(ch) and in_quote:
                in_quote = False
        prev_end = e
        if in_quote:
            quote_len += 1
            if quote_len > MAX_QUOTE_TOKENS:
                in_quote = False
        boost = 1.0
        if is_title:
            boost = boost * p.title_boost
        elif i < p.lead_tokens:
            boost = boost * p.lead_boost
        if in_quote:
            boost = boost * p.quote_boost
        if f & T_NOSPACE:
            left = i > 0 and (flags[i - 1] & T_NOSPACE) and ends[i - 1] == s
            right = i + 1 < n and (flags[i + 1] & T_NOSPACE) and starts[i + 1] == e
            if right:
                occ_push(occ, <uint32_t> (pair_hash(hashes[i], hashes[i + 1]) >> shift), boost)
            elif not left:
                occ_push(occ, <uint32_t> (hashes[i] >> shift), boost)
            continue
        if f & T_HAS_DIGIT:
            boost = boost * p.number_boost
        elif e - s <= 2:
            # Words of one or two letters are mostly function words, in every language.
            boost = boost * p.short_weight
        name = False
        if (f & T_CAPITALIZED) and not is_title and not sentence_start:
            name = True
            if f & T_ALL_UPPER:
                if (i > 0 and (flags[i - 1] & T_ALL_UPPER) and not (flags[i - 1] & T_HAS_DIGIT)) or (
                        i + 1 < n and (flags[i + 1] & T_ALL_UPPER) and not (flags[i + 1] & T_HAS_DIGIT)):
                    name = False
        if name:
            boost = boost * p.name_boost
        arabic = arabic_hashes(v, s, e, &word, &clitic)
        occ_push(occ, <uint32_t> ((word if arabic else hashes[i]) >> shift), boost)
        if p.stem_length > 0 and e - s >= 3 and not (f & T_HAS_DIGIT):
            h = stem_hash(v, s, e, p.stem_length)
            if h:
                occ_push(occ, <uint32_t> (h >> shift), boost * p.stem_weight)
            if arabic and clitic:
                occ_push(occ, <uint32_t> (clitic >> shift), boost * p.stem_weight)
        if e - s >= 3 and not (f & T_HAS_DIGIT):
            # Cased scripts: names only; Arabic script has no case, so every word.
            if f & T_CAPITALIZED:
                weight = p.skeleton_weight
            elif is_arabic_letter(PyUnicode_READ(v.kind, v.data, s)):
                weight = p.uncased_skeleton_weight
            else:
                weight = 0.0
            if weight > 0.0:
                h = skeleton_hash(v, s, e)
                if h:
                    occ_push(occ, <uint32_t> (h >> shift), boost * weight)
        if p.translit and (f & T_CAPITALIZED) and not v.ascii:
            h = translit_hash(v, s, e)
            if h:
                occ_push(occ, <uint32_t> (h >> shift), boost)
    return 0


cdef void radix_sort_features(OccBuffer* occ, int n_bits) noexcept nogil:
    """Sort occ.keys by their feature (bits 32..32+n_bits): two stable counting passes."""
    cdef Py_ssize_t i, n = occ.n
    cdef int low = (n_bits + 1) // 2, pass_, shift, width
    cdef uint32_t b, total, c
    cdef uint64_t* src = <uint64_t*> occ.keys.data
    cdef uint64_t* dst = <uint64_t*> occ.spare.data
    cdef uint64_t* t
    for pass_ in range(2):
        shift = 32 if pass_ == 0 else 32 + low
        width = low if pass_ == 0 else n_bits - low
        memset(occ.counts, 0, ((<size_t> 1) << width) * sizeof(uint32_t))
        for i in range(n):
            occ.counts[(src[i] >> shift) & (((<uint64_t> 1) << width) - 1)] += 1
        total = 0
        for b in range(1u << width):
            c = occ.counts[b]
            occ.counts[b] = total
            total += c
        for i in range(n):
            b = <uint32_t> ((src[i] >> shift) & (((<uint64_t> 1) << width) - 1))
            dst[occ.counts[b]] = src[i]
            occ.counts[b] += 1
        t = src
        src = dst
        dst = t
    # After two passes the sorted keys are back in occ.keys.


cdef int reduce_occurrences(OccBuffer* occ, FeatureBuffer* out, int n_bits) except -1 nogil:
    """Group occurrences by feature and emit (feature, max boost * (1 + ln tf)), by feature."""
    cdef Py_ssize_t i = 0, j, n = occ.n
    cdef double best, b
    cdef uint32_t f
    cdef uint64_t* keys = <uint64_t*> occ.keys.data
    cdef const Occ* data = <const Occ*> occ.occs.data
    if n == 0:
        return 0
    for i in range(n):
        keys[i] = (<uint64_t> data[i].index << 32) | <uint64_t> i
    if n < 64:
        sort_u64(keys, n)
    else:
        radix_sort_features(occ, n_bits)
    i = 0
    while i < n:
        f = <uint32_t> (keys[i] >> 32)
        best = data[<uint32_t> keys[i]].boost
        j = i
        while j + 1 < n and <uint32_t> (keys[j + 1] >> 32) == f:
            j += 1
            b = data[<uint32_t> keys[j]].boost
            if b > best:
                best = b
        feature_push(out, f, best * (1.0 + log(<double> (j - i + 1))))
        i = j + 1
    return 0


def text_features(texts, titles, n_bits, lead_tokens, title_boost, lead_boost, name_boost,
                  number_boost, quote_boost, stem_length, stem_weight, translit, skeleton_weight,
                  uncased_skeleton_weight, short_weight):
    """Hashed feature weights of articles, in CSR form.

    Parameters
    ----------
    texts, titles : list of str
        Bodies and titles in NFC (a title may be ``""``), of the same length.
    n_bits : int
        Features are the top ``n_bits`` bits of their 64-bit hashes.
    lead_tokens, title_boost, lead_boost, name_boost, number_boost, quote_boost
        Position and kind boosts (see the module documentation of the twin).
    stem_length, stem_weight
        Length of the stem feature (0: none) and its weight relative to the word's.
    translit : bool
        Add the Latin transliteration of capitalised Cyrillic words.
    skeleton_weight, uncased_skeleton_weight : float
        Weight of the consonant-skeleton feature of names (capitalised words) and of words of
        scripts without case (Arabic) (0: none).
    short_weight : float
        Multiplier for words of one or two letters without digits.

    Returns
    -------
    offsets : int64 (n + 1,), indices : uint32, weights : float64
        Row ``i`` is ``indices[offsets[i]:offsets[i+1]]`` (sorted, unique) with its weights.
    """
    (texts, titles, n_bits, lead_tokens, title_boost, lead_boost, name_boost, number_boost,
     quote_boost, stem_length, stem_weight, translit, skeleton_weight, uncased_skeleton_weight,
     short_weight) = checks.text_features_args(
        texts, titles, n_bits, lead_tokens, title_boost, lead_boost, name_boost, number_boost,
        quote_boost, stem_length, stem_weight, translit, skeleton_weight, uncased_skeleton_weight,
        short_weight)
    return _text_features(texts, titles, n_bits, lead_tokens, title_boost, lead_boost, name_boost,
                          number_boost, quote_boost, stem_length, stem_weight, translit,
                          skeleton_weight, uncased_skeleton_weight, short_weight)


cdef object _text_features(list texts, list titles, int n_bits, Py_ssize_t lead_tokens, double title_boost,
                   double lead_boost, double name_boost, double number_boost, double quote_boost,
                   int stem_length, double stem_weight, bint translit, double skeleton_weight,
                   double uncased_skeleton_weight, double short_weight):
    # len(titles) == len(texts), all str, 1 <= n_bits <= 32, finite weights: text_features_args.
    cdef Py_ssize_t n = len(texts), i
    cdef Params p
    p.n_bits = n_bits
    p.lead_tokens = lead_tokens
    p.title_boost = title_boost
    p.lead_boost = lead_boost
    p.name_boost = name_boost
    p.number_boost = number_boost
    p.quote_boost = quote_boost
    p.stem_length = stem_length if stem_length <= MAX_STEM else MAX_STEM
    p.stem_weight = stem_weight
    p.translit = translit
    p.skeleton_weight = skeleton_weight
    p.uncased_skeleton_weight = uncased_skeleton_weight
    p.short_weight = short_weight
    cdef TextView tv, bv
    cdef Pool mem = Pool()
    cdef TokenBuffer* tt = token_buffer_new(&mem.arena)
    cdef TokenBuffer* bt = token_buffer_new(&mem.arena)
    cdef OccBuffer* occ = <OccBuffer*> arena_buffers(&mem.arena, sizeof(OccBuffer), 3)
    cdef FeatureBuffer* out = <FeatureBuffer*> arena_buffers(&mem.arena, sizeof(FeatureBuffer), 2)
    occ.counts = <uint32_t*> mem.scratch((<Py_ssize_t> 1) << ((n_bits + 1) // 2), sizeof(uint32_t))
    offsets = np.zeros(n + 1, dtype=np.int64)
    cdef int64_t[::1] off = offsets
    cdef str title, text
    for i in range(n):
        title = titles[i]
        text = texts[i]
        prepare_text(title, &tv)
        prepare_text(text, &bv)
        with nogil:
            tt.n = 0
            bt.n = 0
            occ.n = 0
            if tv.length:
                tokenize_view(&tv, tt)
                segment_features(&tv, tt, True, &p, occ)
            tokenize_view(&bv, bt)
            segment_features(&bv, bt, False, &p, occ)
            reduce_occurrences(occ, out, p.n_bits)
        off[i + 1] = out.n
        if (i & 1023) == 1023:
            PyErr_CheckSignals()
    indices = np.empty(out.n, dtype=np.uint32)
    weights = np.empty(out.n, dtype=np.float64)
    if out.n:
        memcpy(cnp.PyArray_DATA(indices), <uint32_t*> out.indices.data, out.n * sizeof(uint32_t))
        memcpy(cnp.PyArray_DATA(weights), <double*> out.weights.data, out.n * sizeof(double))
    return offsets, indices, weights

def character_rule_disagreements():
    """Code points below U+10000 where this kernel's sentence-end, quote or lower-case rule differs
    from retold.story_feature_tables (the tests require none; too slow to run at every import)."""
    cdef uint32_t cp
    out = []
    for cp in range(0x10000):
        ch = chr(cp)
        if (is_sentence_end(cp) != (ch in tables.SENTENCE_END) or is_quote_open(cp) != (ch in tables.QUOTE_OPEN)
                or is_quote_close(cp) != (ch in tables.QUOTE_CLOSE) or simple_lower(cp) != tables.simple_lower(cp)):
            out.append(cp)
    return out


def _check_against_tables():
    """Refuse to load when a compile-time constant differs from the tables (a stale build)."""
    constants = {"MAX_QUOTE_TOKENS": MAX_QUOTE_TOKENS, "STEM_SALT": STEM_SALT, "MAX_STEM": MAX_STEM,
                 "SKELETON_SALT": SKELETON_SALT, "SKELETON_LIMIT": SKELETON_LIMIT}
    for name, value in constants.items():
        if getattr(tables, name) != value:
            raise ImportError(f"ext/stories.pyx has {name}={value}, retold.story_feature_tables "
                              f"{getattr(tables, name)}: rebuild the kernels")


_check_against_tables()
