"""Story features and the streaming centroid index (compiled; twin: ``retold._reference.stories``).

``text_features`` turns titles and bodies into hashed, boosted, sublinear term weights in one
native pass over the shared tokeniser's tokens (``retold._ext.text``).  ``CentroidIndex`` holds
the active story clusters of a stream: each cluster's centroid (sum of its members' unit
vectors, truncated to its strongest ``centroid_terms`` terms) and an inverted index from each
centroid's top ``index_terms`` terms to the cluster.  A new article is scored only against the
clusters found through its own top ``query_terms`` terms and still inside the time window, so
the cost per article stays flat as the stream grows.  The reference twin documents the exact
feature rules; this module follows it operation for operation (doubles, same summation order).
"""
from libc.math cimport log, sqrt, pow
from libc.stddef cimport ptrdiff_t
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport malloc, calloc, free
from libc.string cimport memset, memcpy

import numpy as np
cimport numpy as cnp

from retold._ext._hash64 cimport FNV_BASIS, GOLDEN, fmix64, fnv_step
from retold._ext.text cimport (
    TextView, TokenBuffer, prepare_text, realloc_or_raise, token_buffer_free, tokenize_view,
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

# Cyrillic (lower case) -> Latin, as in the twin.
_CYR = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "є": "ye", "і": "i", "ї": "yi", "ґ": "g", "ў": "u", "ј": "j", "љ": "lj",
    "њ": "nj", "ћ": "c", "ђ": "dj", "џ": "dz", "ѓ": "g", "ќ": "k", "ѕ": "dz",
}
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
    from retold._reference.stories import skeleton_table

    cdef int cp, k
    table = skeleton_table()
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
    for ch, latin in _CYR.items():
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
    return (c == 0x22 or c == 0x201C or c == 0x201E or c == 0xAB or c == 0x2039
            or c == 0x300C or c == 0x300E)


cdef inline bint is_quote_close(uint32_t c) noexcept nogil:
    return (c == 0x22 or c == 0x201D or c == 0x201C or c == 0xBB or c == 0x203A
            or c == 0x300D or c == 0x300F)


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


cdef struct OccBuffer:
    Occ* data
    uint64_t* keys       # (feature << 32 | position), sorted to group occurrences by feature
    uint64_t* spare      # the radix sort's second buffer
    uint32_t* counts     # its bucket counts
    int radix_bits
    Py_ssize_t n
    Py_ssize_t capacity


cdef struct FeatureBuffer:
    uint32_t* indices
    double* weights
    Py_ssize_t n
    Py_ssize_t capacity


cdef int occ_push(OccBuffer* buf, uint32_t index, double boost) except -1 nogil:
    cdef Py_ssize_t cap
    if buf.n == buf.capacity:
        cap = buf.capacity * 2 if buf.capacity else 512
        buf.data = <Occ*> realloc_or_raise(buf.data, cap * sizeof(Occ))
        buf.keys = <uint64_t*> realloc_or_raise(buf.keys, cap * sizeof(uint64_t))
        buf.spare = <uint64_t*> realloc_or_raise(buf.spare, cap * sizeof(uint64_t))
        buf.capacity = cap
    buf.data[buf.n].index = index
    buf.data[buf.n].boost = boost
    buf.n += 1
    return 0


cdef int feature_push(FeatureBuffer* buf, uint32_t index, double weight) except -1 nogil:
    cdef Py_ssize_t cap
    if buf.n == buf.capacity:
        cap = buf.capacity * 2 if buf.capacity else 4096
        buf.indices = <uint32_t*> realloc_or_raise(buf.indices, cap * sizeof(uint32_t))
        buf.weights = <double*> realloc_or_raise(buf.weights, cap * sizeof(double))
        buf.capacity = cap
    buf.indices[buf.n] = index
    buf.weights[buf.n] = weight
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


def word_hashes(str text, starts, ends, hashes):
    """The word feature hash of each token (uint64): its hash, or that of its Arabic form."""
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
    for i in range(n):
        s = t.starts[i]
        e = t.ends[i]
        f = t.flags[i]
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
            left = i > 0 and (t.flags[i - 1] & T_NOSPACE) and t.ends[i - 1] == s
            right = i + 1 < n and (t.flags[i + 1] & T_NOSPACE) and t.starts[i + 1] == e
            if right:
                occ_push(occ, <uint32_t> (pair_hash(t.hashes[i], t.hashes[i + 1]) >> shift), boost)
            elif not left:
                occ_push(occ, <uint32_t> (t.hashes[i] >> shift), boost)
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
                if (i > 0 and (t.flags[i - 1] & T_ALL_UPPER) and not (t.flags[i - 1] & T_HAS_DIGIT)) or (
                        i + 1 < n and (t.flags[i + 1] & T_ALL_UPPER) and not (t.flags[i + 1] & T_HAS_DIGIT)):
                    name = False
        if name:
            boost = boost * p.name_boost
        arabic = arabic_hashes(v, s, e, &word, &clitic)
        occ_push(occ, <uint32_t> ((word if arabic else t.hashes[i]) >> shift), boost)
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
    cdef uint64_t* src = occ.keys
    cdef uint64_t* dst = occ.spare
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
    if n == 0:
        return 0
    for i in range(n):
        occ.keys[i] = (<uint64_t> occ.data[i].index << 32) | <uint64_t> i
    if n < 64:
        sort_u64(occ.keys, n)
    else:
        radix_sort_features(occ, n_bits)
    i = 0
    while i < n:
        f = <uint32_t> (occ.keys[i] >> 32)
        best = occ.data[<uint32_t> occ.keys[i]].boost
        j = i
        while j + 1 < n and <uint32_t> (occ.keys[j + 1] >> 32) == f:
            j += 1
            b = occ.data[<uint32_t> occ.keys[j]].boost
            if b > best:
                best = b
        feature_push(out, f, best * (1.0 + log(<double> (j - i + 1))))
        i = j + 1
    return 0


def text_features(list texts, list titles, int n_bits, Py_ssize_t lead_tokens, double title_boost,
                  double lead_boost, double name_boost, double number_boost, double quote_boost,
                  int stem_length, double stem_weight, bint translit, double skeleton_weight,
                  double uncased_skeleton_weight, double short_weight):
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
    cdef TokenBuffer tt, bt
    cdef OccBuffer occ
    cdef FeatureBuffer out
    memset(&tt, 0, sizeof(TokenBuffer))
    memset(&bt, 0, sizeof(TokenBuffer))
    memset(&occ, 0, sizeof(OccBuffer))
    memset(&out, 0, sizeof(FeatureBuffer))
    occ.counts = <uint32_t*> malloc(((<size_t> 1) << ((n_bits + 1) // 2)) * sizeof(uint32_t))
    if occ.counts == NULL:
        raise MemoryError()
    offsets = np.zeros(n + 1, dtype=np.int64)
    cdef int64_t[::1] off = offsets
    cdef str title, text
    try:
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
                    tokenize_view(&tv, &tt)
                    segment_features(&tv, &tt, True, &p, &occ)
                tokenize_view(&bv, &bt)
                segment_features(&bv, &bt, False, &p, &occ)
                reduce_occurrences(&occ, &out, p.n_bits)
            off[i + 1] = out.n
            if (i & 1023) == 1023:
                PyErr_CheckSignals()
        indices = np.empty(out.n, dtype=np.uint32)
        weights = np.empty(out.n, dtype=np.float64)
        if out.n:
            memcpy(cnp.PyArray_DATA(indices), out.indices, out.n * sizeof(uint32_t))
            memcpy(cnp.PyArray_DATA(weights), out.weights, out.n * sizeof(double))
    finally:
        token_buffer_free(&tt)
        token_buffer_free(&bt)
        free(occ.data)
        free(occ.keys)
        free(occ.spare)
        free(occ.counts)
        free(out.indices)
        free(out.weights)
    return offsets, indices, weights


# ---------------------------------------------------------------------------------------------
# The streaming centroid index.

DEF LOG_TABLE = 65536
cdef double LOG_OF[LOG_TABLE]
cdef Py_ssize_t _k
LOG_OF[0] = 0.0
for _k in range(1, LOG_TABLE):
    LOG_OF[_k] = log(<double> _k)


cdef inline double idf_of(double log_n1, int64_t df, double power) noexcept nogil:
    # ln(N + 1) - ln(df + 1) + 1, to the power; ln of small counts from a table (the same libm
    # values the twin computes), the common powers without pow().
    cdef double x = log_n1 - (LOG_OF[df + 1] if df + 1 < LOG_TABLE else log(<double> (df + 1))) + 1.0
    if power == 1.0:
        return x
    if power == 1.5:
        return x * sqrt(x)
    if power == 2.0:
        return x * x
    return pow(x, power)


cdef double kth_strongest(double* values, Py_ssize_t n, Py_ssize_t k) noexcept nogil:
    """The k-th largest of values[0:n] (1-based k <= n); reorders values (quickselect)."""
    cdef Py_ssize_t lo = 0, hi = n - 1, i, j, mid, target = k - 1
    cdef double pivot, t
    while lo < hi:
        mid = lo + (hi - lo) // 2
        # Median of three, largest first order.
        if values[mid] > values[lo]:
            t = values[mid]; values[mid] = values[lo]; values[lo] = t
        if values[hi] > values[lo]:
            t = values[hi]; values[hi] = values[lo]; values[lo] = t
        if values[hi] > values[mid]:
            t = values[hi]; values[hi] = values[mid]; values[mid] = t
        pivot = values[mid]
        i = lo
        j = hi
        while i <= j:
            while values[i] > pivot:
                i += 1
            while values[j] < pivot:
                j -= 1
            if i <= j:
                t = values[i]; values[i] = values[j]; values[j] = t
                i += 1
                j -= 1
        if target <= j:
            hi = j
        elif target >= i:
            lo = i
        else:
            return values[target]
    return values[target]


cdef struct Postings:
    int32_t* ids
    int32_t n
    int32_t capacity


cdef struct Cluster:
    uint32_t* idx        # centroid terms, sorted by feature
    double* val          # summed unit-vector weights
    int32_t n
    double norm
    double last_time
    int64_t size
    uint32_t* top        # features under which the cluster is posted
    int32_t n_top
    uint64_t langs       # bit l set: a member's language has id l (mod 64)
    bint active


cdef struct Term:
    uint32_t index
    double value


cdef inline bint stronger(double va, uint32_t ia, double vb, uint32_t ib) noexcept nogil:
    return va > vb or (va == vb and ia < ib)


cdef Py_ssize_t top_terms(const uint32_t* idx, const double* val, Py_ssize_t n, Py_ssize_t k,
                          uint32_t* out_idx, double* out_val) noexcept nogil:
    """The k strongest terms, strongest first (insertion into a small sorted buffer)."""
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


def _state_array(state, key, dtype, kind):
    try:
        value = np.asarray(state[key])
    except KeyError:
        raise ValueError(f"corrupt CentroidIndex state: no {key!r}") from None
    if value.ndim != 1 or (value.size and value.dtype.kind not in kind):
        raise ValueError(f"corrupt CentroidIndex state: {key!r} is not a 1-d array of {dtype}")
    return value


def _checked_state(state, Py_ssize_t n_features, int centroid_terms, int index_terms):
    """The arrays of a pickled index, checked before any of it is trusted: a corrupt or
    hand-made state raises ValueError instead of writing outside the index's buffers."""
    if not isinstance(state, dict):
        raise ValueError("corrupt CentroidIndex state: not a dict")
    ints, floats = "iu", "fiu"
    arrays = {
        "sizes": _state_array(state, "sizes", "int64", ints),
        "last_time": _state_array(state, "last_time", "float64", floats),
        "norms": _state_array(state, "norms", "float64", floats),
        "langs": _state_array(state, "langs", "uint64", ints),
        "active": _state_array(state, "active", "bool", "b"),
        "n_terms": _state_array(state, "n_terms", "int32", ints),
        "n_top": _state_array(state, "n_top", "int32", ints),
        "idx": _state_array(state, "idx", "uint32", ints),
        "val": _state_array(state, "val", "float64", floats),
        "top": _state_array(state, "top", "uint32", ints),
        "active_ids": _state_array(state, "active_ids", "int32", ints),
    }
    n = arrays["sizes"].shape[0]

    def bad(what):
        raise ValueError(f"corrupt CentroidIndex state: {what}")

    for key in ("last_time", "norms", "langs", "active", "n_terms", "n_top"):
        if arrays[key].shape[0] != n:
            bad(f"{key!r} has {arrays[key].shape[0]} entries for {n} clusters")
    n_terms, n_top, active = arrays["n_terms"], arrays["n_top"], arrays["active"]
    if n and (n_terms.min() < 0 or n_terms.max() > centroid_terms):
        bad(f"a centroid with fewer than 0 or more than {centroid_terms} terms")
    if n and (n_top.min() < 0 or n_top.max() > index_terms):
        bad(f"a cluster posted under fewer than 0 or more than {index_terms} terms")
    if n and (arrays["sizes"].min() < 0 or arrays["langs"].min() < 0):
        bad("a negative cluster size or language set")
    if np.any(n_terms[~active] != 0) or np.any(n_top[~active] != 0):
        bad("an archived cluster with terms")
    idx, val, top = arrays["idx"], arrays["val"], arrays["top"]
    if idx.shape[0] != int(n_terms.sum()) or val.shape[0] != idx.shape[0]:
        bad("centroid terms and counts disagree")
    if top.shape[0] != int(n_top.sum()):
        bad("posted terms and counts disagree")
    for key in ("idx", "top"):
        if arrays[key].size and (arrays[key].min() < 0 or arrays[key].max() >= n_features):
            bad(f"a feature outside [0, {n_features})")
    # Each centroid's terms are strictly increasing (the merge in absorb relies on it).
    if idx.shape[0] > 1:
        starts = np.zeros(idx.shape[0] + 1, dtype=bool)
        starts[np.concatenate([[0], np.cumsum(n_terms)])] = True
        if np.any((np.diff(idx.astype(np.int64)) <= 0) & ~starts[1:idx.shape[0]]):
            bad("centroid terms out of order")
    for key in ("last_time", "norms", "val"):
        if not np.all(np.isfinite(arrays[key])):
            bad(f"a non-finite value in {key!r}")
    order = arrays["active_ids"]
    if order.size and (order.min() < 0 or order.max() >= n):
        bad("an active cluster id out of range")
    if order.shape[0] != int(active.sum()) or np.any(np.sort(order) != np.flatnonzero(active)):
        bad("the active clusters disagree with their flags")
    out = {
        "sizes": arrays["sizes"].astype(np.int64), "last_time": arrays["last_time"].astype(np.float64),
        "norms": arrays["norms"].astype(np.float64), "langs": arrays["langs"].astype(np.uint64),
        "active": arrays["active"].astype(np.bool_),
        "n_terms": np.ascontiguousarray(n_terms, dtype=np.int32),
        "n_top": np.ascontiguousarray(n_top, dtype=np.int32),
        "idx": np.ascontiguousarray(idx, dtype=np.uint32),
        "val": np.ascontiguousarray(val, dtype=np.float64),
        "top": np.ascontiguousarray(top, dtype=np.uint32),
        "active_ids": np.ascontiguousarray(order, dtype=np.int32),
    }
    for key in ("n_docs", "since_sweep", "n_scored"):
        value = state.get(key)
        if not isinstance(value, (int, np.integer)) or value < 0:
            bad(f"{key!r} is not a count")
        out[key] = int(value)
    return out


cdef class CentroidIndex:
    """Active story clusters of a stream, with an inverted index over their strongest terms.

    Parameters
    ----------
    df : np.ndarray of int64, shape (2**n_bits,)
        Document frequencies of the features (updated in place when ``update_idf``).
    n_docs : int
        Documents counted in ``df``.
    threshold : float
        Least cosine between an article and a cluster centroid for the article to join it.
    cross_threshold : float
        The least cosine instead when the article's language is known and no member of the
        cluster is in it (a rewrite in another language shares only names, numbers, quotes).
    window : float
        Clusters whose last article is older than ``window`` (in the units of the times given
        to :meth:`add`) are neither joined nor kept in the index.
    centroid_terms, index_terms, query_terms : int
        Terms kept per centroid, posted per centroid, and looked up per article.
    idf_power : float
        The idf of a feature is ``(ln((N + 1) / (df + 1)) + 1) ** idf_power``.
    update_idf : bool
        Count each added article in ``df`` (online idf) before weighting it.
    """

    cdef int64_t[::1] df
    cdef readonly object df_array
    cdef readonly int64_t n_docs
    cdef readonly double threshold, cross_threshold, window, idf_power
    cdef readonly int centroid_terms, index_terms, query_terms
    cdef readonly bint update_idf
    cdef Py_ssize_t n_features
    cdef Postings* postings
    cdef Cluster* clusters
    cdef readonly int64_t n_clusters
    cdef int64_t capacity
    cdef int32_t* active_ids
    cdef readonly int64_t n_active
    cdef readonly int64_t n_scored
    cdef int64_t active_capacity
    cdef int64_t since_sweep
    cdef int64_t* stamp
    cdef int64_t stamp_value
    # Work buffers
    cdef uint32_t* q_idx
    cdef double* q_val
    cdef double* vec
    cdef double* values
    cdef Term* merge
    cdef Py_ssize_t vec_capacity, merge_capacity
    cdef int32_t* candidates
    cdef Py_ssize_t candidates_capacity
    cdef uint32_t* hkeys
    cdef double* hvals
    cdef int table_bits

    def __cinit__(self, df, int64_t n_docs, double threshold, double cross_threshold, double window,
                  int centroid_terms,
                  int index_terms, int query_terms, double idf_power, bint update_idf):
        self.df_array = df
        self.df = df
        self.n_features = df.shape[0]
        self.n_docs = n_docs
        self.threshold = threshold
        self.cross_threshold = cross_threshold
        self.window = window
        self.centroid_terms = centroid_terms
        self.index_terms = index_terms
        self.query_terms = query_terms
        self.idf_power = idf_power
        self.update_idf = update_idf
        self.postings = <Postings*> calloc(self.n_features, sizeof(Postings))
        self.stamp = NULL
        cdef int most = query_terms if query_terms > index_terms else index_terms
        self.q_idx = <uint32_t*> malloc((most + 1) * sizeof(uint32_t))
        self.q_val = <double*> malloc((most + 1) * sizeof(double))
        if self.postings == NULL or self.q_idx == NULL or self.q_val == NULL:
            raise MemoryError()

    def __dealloc__(self):
        cdef Py_ssize_t i
        if self.postings != NULL:
            for i in range(self.n_features):
                free(self.postings[i].ids)
            free(self.postings)
        if self.clusters != NULL:
            for i in range(self.n_clusters):
                free(self.clusters[i].idx)
                free(self.clusters[i].val)
                free(self.clusters[i].top)
            free(self.clusters)
        free(self.active_ids)
        free(self.stamp)
        free(self.q_idx)
        free(self.q_val)
        free(self.vec)
        free(self.merge)
        free(self.values)
        free(self.candidates)
        free(self.hkeys)
        free(self.hvals)

    cdef int ensure_work(self, Py_ssize_t n) except -1 nogil:
        cdef Py_ssize_t need = n + self.centroid_terms + 1
        if n > self.vec_capacity:
            free(self.vec)
            self.vec = <double*> malloc(n * sizeof(double))
            if self.vec == NULL:
                with gil:
                    raise MemoryError()
            self.vec_capacity = n
        if need > self.merge_capacity:
            free(self.merge)
            free(self.values)
            self.merge = <Term*> malloc(need * sizeof(Term))
            self.values = <double*> malloc(need * sizeof(double))
            if self.merge == NULL or self.values == NULL:
                with gil:
                    raise MemoryError()
            self.merge_capacity = need
        return 0

    cdef int ensure_table(self, int bits) except -1 nogil:
        if bits <= self.table_bits:
            return 0
        free(self.hkeys)
        free(self.hvals)
        self.hkeys = <uint32_t*> calloc((<size_t> 1) << bits, sizeof(uint32_t))
        self.hvals = <double*> malloc(((<size_t> 1) << bits) * sizeof(double))
        if self.hkeys == NULL or self.hvals == NULL:
            with gil:
                raise MemoryError()
        self.table_bits = bits
        return 0

    cdef int new_cluster(self) except -1 nogil:
        cdef int64_t cap
        if self.n_clusters == self.capacity:
            cap = self.capacity * 2 if self.capacity else 1024
            self.clusters = <Cluster*> realloc_or_raise(self.clusters, cap * sizeof(Cluster))
            self.capacity = cap
            free(self.stamp)
            self.stamp = <int64_t*> calloc(cap, sizeof(int64_t))
            if self.stamp == NULL:
                with gil:
                    raise MemoryError()
        memset(&self.clusters[self.n_clusters], 0, sizeof(Cluster))
        if self.n_active == self.active_capacity:
            cap = self.active_capacity * 2 if self.active_capacity else 1024
            self.active_ids = <int32_t*> realloc_or_raise(self.active_ids, cap * sizeof(int32_t))
            self.active_capacity = cap
        self.active_ids[self.n_active] = <int32_t> self.n_clusters
        self.n_active += 1
        self.clusters[self.n_clusters].active = True
        self.n_clusters += 1
        return 0

    cdef int post(self, uint32_t f, int32_t cid) except -1 nogil:
        cdef Postings* p = &self.postings[f]
        cdef int32_t cap
        if p.n == p.capacity:
            cap = p.capacity * 2 if p.capacity else 4
            p.ids = <int32_t*> realloc_or_raise(p.ids, cap * sizeof(int32_t))
            p.capacity = cap
        p.ids[p.n] = cid
        p.n += 1
        return 0

    cdef void unpost(self, uint32_t f, int32_t cid) noexcept nogil:
        cdef Postings* p = &self.postings[f]
        cdef int32_t i
        for i in range(p.n):
            if p.ids[i] == cid:
                p.ids[i] = p.ids[p.n - 1]
                p.n -= 1
                return

    cdef int retire(self, int32_t cid) noexcept nogil:
        cdef Cluster* c = &self.clusters[cid]
        cdef int32_t k
        for k in range(c.n_top):
            self.unpost(c.top[k], cid)
        free(c.idx)
        free(c.val)
        free(c.top)
        c.idx = NULL
        c.val = NULL
        c.top = NULL
        c.n = 0
        c.n_top = 0
        c.active = False
        return 0

    cdef int sweep(self, double now) noexcept nogil:
        """Archive clusters outside the window; keeps memory bounded by the active window."""
        cdef int64_t i, kept = 0
        cdef int32_t cid
        for i in range(self.n_active):
            cid = self.active_ids[i]
            if self.clusters[cid].last_time < now - self.window:
                self.retire(cid)
            else:
                self.active_ids[kept] = cid
                kept += 1
        self.n_active = kept
        return 0

    cdef int alloc_cluster(self, Cluster* c) except -1 nogil:
        """A cluster's buffers, allocated once at the most terms it keeps and posts (absorb
        and a restored state write at most that many)."""
        if c.idx == NULL:
            c.idx = <uint32_t*> malloc((self.centroid_terms + 1) * sizeof(uint32_t))
        if c.val == NULL:
            c.val = <double*> malloc((self.centroid_terms + 1) * sizeof(double))
        if c.top == NULL:
            c.top = <uint32_t*> malloc((self.index_terms + 1) * sizeof(uint32_t))
        if c.idx == NULL or c.val == NULL or c.top == NULL:
            with gil:
                raise MemoryError()
        return 0

    cdef int absorb(self, int32_t cid, const uint32_t* idx, const double* vec, Py_ssize_t n,
                    double time, int32_t lang) except -1 nogil:
        """Add a unit vector to a cluster's centroid; repost its strongest terms."""
        cdef Cluster* c = &self.clusters[cid]
        cdef Py_ssize_t i = 0, j = 0, m = 0, k, above, ties
        cdef double kth
        cdef Term* t = self.merge
        cdef double norm = 0.0
        cdef int32_t K = self.centroid_terms
        while i < c.n or j < n:
            if j >= n or (i < c.n and c.idx[i] < idx[j]):
                t[m].index = c.idx[i]
                t[m].value = c.val[i]
                i += 1
            elif i >= c.n or idx[j] < c.idx[i]:
                t[m].index = idx[j]
                t[m].value = vec[j]
                j += 1
            else:
                t[m].index = c.idx[i]
                t[m].value = c.val[i] + vec[j]
                i += 1
                j += 1
            m += 1
        if m > K:
            # Keep the K strongest (equal weights: lower feature first), still in feature order.
            for k in range(m):
                self.values[k] = t[k].value
            kth = kth_strongest(self.values, m, K)
            above = 0
            for k in range(m):
                if t[k].value > kth:
                    above += 1
            ties = K - above
            j = 0
            for k in range(m):
                if t[k].value > kth or (t[k].value == kth and ties > 0):
                    if t[k].value == kth:
                        ties -= 1
                    t[j] = t[k]
                    j += 1
            m = K
        self.alloc_cluster(c)
        for k in range(m):
            c.idx[k] = t[k].index
            c.val[k] = t[k].value
            norm += t[k].value * t[k].value
        c.n = <int32_t> m
        c.norm = sqrt(norm)
        c.size += 1
        if time > c.last_time or c.size == 1:
            c.last_time = time
        if lang >= 0:
            c.langs |= (<uint64_t> 1) << (lang & 63)
        # Repost under the new strongest terms.
        for k in range(c.n_top):
            self.unpost(c.top[k], cid)
        c.n_top = <int32_t> top_terms(c.idx, c.val, c.n, self.index_terms, c.top, self.q_val)
        for k in range(c.n_top):
            self.post(c.top[k], cid)
        return 0

    cdef int64_t add_one(self, const uint32_t* idx, const double* w, Py_ssize_t n,
                         double time, int32_t lang) except -2 nogil:
        cdef Py_ssize_t i, q, k, q2, i2
        cdef int hbits, hshift
        cdef uint32_t hmask, slot, f
        cdef double norm = 0.0, x, score, best = -1.0, dot, need
        cdef int32_t best_id = -1, cid
        cdef Postings* p
        cdef Cluster* c
        cdef double N, log_n1
        self.ensure_work(n)
        if self.update_idf:
            for i in range(n):
                self.df[idx[i]] += 1
            self.n_docs += 1
        N = <double> self.n_docs
        log_n1 = log(N + 1.0)
        for i in range(n):
            x = w[i] * idf_of(log_n1, self.df[idx[i]], self.idf_power)
            self.vec[i] = x
            norm += x * x
        norm = sqrt(norm)
        if norm > 0.0:
            for i in range(n):
                self.vec[i] = self.vec[i] / norm
        self.since_sweep += 1
        if self.since_sweep >= 256 and self.since_sweep * 4 >= self.n_active:
            self.sweep(time)
            self.since_sweep = 0
        if n == 0 or norm == 0.0:
            self.new_cluster()
            cid = <int32_t> (self.n_clusters - 1)
            self.clusters[cid].size = 1
            self.clusters[cid].last_time = time
            if lang >= 0:
                self.clusters[cid].langs = (<uint64_t> 1) << (lang & 63)
            return cid
        # The article's terms in a small open-addressing table (at most half full).
        hbits = 8
        while (<Py_ssize_t> 1 << hbits) < 2 * n:
            hbits += 1
        self.ensure_table(hbits)
        hshift = 32 - hbits
        hmask = (1u << hbits) - 1
        for i in range(n):
            slot = (idx[i] * 0x9E3779B1u) >> hshift
            while self.hkeys[slot] != 0:
                slot = (slot + 1) & hmask
            self.hkeys[slot] = idx[i] + 1
            self.hvals[slot] = self.vec[i]
        q = top_terms(idx, self.vec, n, self.query_terms, self.q_idx, self.q_val)
        self.stamp_value += 1
        for k in range(q):
            p = &self.postings[self.q_idx[k]]
            for i in range(p.n):
                cid = p.ids[i]
                if self.stamp[cid] == self.stamp_value:
                    continue
                self.stamp[cid] = self.stamp_value
                c = &self.clusters[cid]
                if c.last_time < time - self.window or c.norm == 0.0:
                    continue
                # Centroid terms in feature order, looked up in the article's small hash table
                # (the summation order of the twin, which adds zeros for the missing terms).
                self.n_scored += 1
                dot = 0.0
                for q2 in range(c.n):
                    f = c.idx[q2]
                    slot = (f * 0x9E3779B1u) >> hshift
                    while self.hkeys[slot] != 0:
                        if self.hkeys[slot] == f + 1:
                            dot += self.hvals[slot] * c.val[q2]
                            break
                        slot = (slot + 1) & hmask
                score = dot / c.norm
                need = self.threshold
                if lang >= 0 and c.langs != 0 and not ((c.langs >> (lang & 63)) & 1):
                    need = self.cross_threshold
                if score >= need and (score > best or (score == best and cid < best_id)):
                    best = score
                    best_id = cid
        # Empty the table again: find each of the article's terms and zero its slot.
        for i in range(n):
            slot = (idx[i] * 0x9E3779B1u) >> hshift
            while self.hkeys[slot] != idx[i] + 1:
                slot = (slot + 1) & hmask
            self.hkeys[slot] = 0
        if best_id < 0:
            self.new_cluster()
            best_id = <int32_t> (self.n_clusters - 1)
        self.absorb(best_id, idx, self.vec, n, time, lang)
        return best_id

    def add(self, const int64_t[::1] offsets, const uint32_t[::1] indices, const double[::1] weights,
            const double[::1] times, int64_t[::1] labels, langs=None):
        """Assign each article (a CSR row of feature weights) to a cluster, in order.

        ``labels[i]`` receives the cluster id of article ``i`` (ids count up from 0 in order of
        creation).  ``times`` must not decrease by more than the window for the result to mean
        anything (a stream in time order).  ``langs`` (int32, optional) gives each article's
        language id (0..63; -1 unknown) for the cross-language threshold.
        """
        cdef Py_ssize_t i, n = labels.shape[0], a, b
        cdef int64_t r
        cdef const int32_t[::1] lang_ids = langs if langs is not None else np.full(n, -1, dtype=np.int32)
        for i in range(n):
            a = offsets[i]
            b = offsets[i + 1]
            with nogil:
                r = self.add_one(&indices[a] if b > a else NULL, &weights[a] if b > a else NULL,
                                 b - a, times[i], lang_ids[i])
            labels[i] = r
            if (i & 4095) == 4095:
                PyErr_CheckSignals()

    def cluster_sizes(self):
        """Members of each cluster so far (archived ones included), by cluster id."""
        out = np.zeros(self.n_clusters, dtype=np.int64)
        cdef int64_t[::1] o = out
        cdef int64_t i
        for i in range(self.n_clusters):
            o[i] = self.clusters[i].size
        return out

    def active_clusters(self):
        """Ids of the clusters still in the index (not archived), ascending."""
        out = np.array([self.active_ids[i] for i in range(self.n_active)], dtype=np.int64)
        out.sort()
        return out

    def centroid(self, int64_t cid):
        """(features uint32, weights float64) of an active cluster's centroid; empty if archived."""
        if cid < 0 or cid >= self.n_clusters:
            raise IndexError(f"no cluster {cid}")
        cdef Cluster* c = &self.clusters[cid]
        idx = np.array([c.idx[i] for i in range(c.n)], dtype=np.uint32)
        val = np.array([c.val[i] for i in range(c.n)], dtype=np.float64)
        return idx, val

    def __reduce__(self):
        # A stream's state survives pickling (checkpoints, Dask workers): the constructor
        # arguments, then every cluster as flat arrays.  The inverted index is not stored; it is
        # rebuilt from the active clusters' posted terms, which gives the same labels (a
        # candidate's score and the tie-break do not depend on the order of a posting list).
        args = (self.df_array, self.n_docs, self.threshold, self.cross_threshold, self.window,
                self.centroid_terms, self.index_terms, self.query_terms, self.idf_power,
                self.update_idf)
        return (CentroidIndex, args, self._state())

    def _state(self):
        cdef int64_t i, n = self.n_clusters
        cdef Cluster* c
        cdef Py_ssize_t k, at = 0, at_top = 0
        sizes = np.empty(n, dtype=np.int64)
        last_time = np.empty(n, dtype=np.float64)
        norms = np.empty(n, dtype=np.float64)
        langs = np.empty(n, dtype=np.uint64)
        active = np.empty(n, dtype=np.bool_)
        n_terms = np.empty(n, dtype=np.int32)
        n_top = np.empty(n, dtype=np.int32)
        for i in range(n):
            c = &self.clusters[i]
            sizes[i] = c.size
            last_time[i] = c.last_time
            norms[i] = c.norm
            langs[i] = c.langs
            active[i] = c.active
            n_terms[i] = c.n
            n_top[i] = c.n_top
        idx = np.empty(int(n_terms.sum()), dtype=np.uint32)
        val = np.empty(idx.shape[0], dtype=np.float64)
        top = np.empty(int(n_top.sum()), dtype=np.uint32)
        cdef uint32_t[::1] idx_v = idx, top_v = top
        cdef double[::1] val_v = val
        for i in range(n):
            c = &self.clusters[i]
            for k in range(c.n):
                idx_v[at] = c.idx[k]
                val_v[at] = c.val[k]
                at += 1
            for k in range(c.n_top):
                top_v[at_top] = c.top[k]
                at_top += 1
        order = np.array([self.active_ids[i] for i in range(self.n_active)], dtype=np.int32)
        return {
            "n_docs": self.n_docs, "since_sweep": self.since_sweep, "n_scored": self.n_scored,
            "sizes": sizes, "last_time": last_time, "norms": norms, "langs": langs,
            "active": active, "n_terms": n_terms, "n_top": n_top, "idx": idx, "val": val,
            "top": top, "active_ids": order,
        }

    def __setstate__(self, state):
        if self.n_clusters:
            raise RuntimeError("a CentroidIndex's state can only be set on a new index")
        state = _checked_state(state, self.n_features, self.centroid_terms, self.index_terms)
        cdef int64_t i, n = state["sizes"].shape[0]
        cdef Cluster* c
        cdef Py_ssize_t k, at = 0, at_top = 0
        cdef const int32_t[::1] n_terms = state["n_terms"]
        cdef const int32_t[::1] n_top = state["n_top"]
        cdef const uint32_t[::1] idx = state["idx"]
        cdef const double[::1] val = state["val"]
        cdef const uint32_t[::1] top = state["top"]
        cdef const int32_t[::1] order = state["active_ids"]
        sizes, last_time, norms = state["sizes"], state["last_time"], state["norms"]
        langs, active = state["langs"], state["active"]
        for i in range(n):
            self.new_cluster()
        self.n_active = 0
        for i in range(n):
            c = &self.clusters[i]
            c.size = sizes[i]
            c.last_time = last_time[i]
            c.norm = norms[i]
            c.langs = langs[i]
            c.active = active[i]
            if n_terms[i] or n_top[i]:
                self.alloc_cluster(c)
                for k in range(n_terms[i]):
                    c.idx[k] = idx[at]
                    c.val[k] = val[at]
                    at += 1
                c.n = n_terms[i]
                for k in range(n_top[i]):
                    c.top[k] = top[at_top]
                    self.post(c.top[k], <int32_t> i)
                    at_top += 1
                c.n_top = n_top[i]
        for i in range(order.shape[0]):
            self.active_ids[i] = order[i]
        self.n_active = order.shape[0]
        self.n_docs = state["n_docs"]
        self.since_sweep = state["since_sweep"]
        self.n_scored = state["n_scored"]

    def posted_terms(self):
        """Total postings in the inverted index (what memory is spent on)."""
        cdef Py_ssize_t i, total = 0
        for i in range(self.n_features):
            total += self.postings[i].n
        return total
