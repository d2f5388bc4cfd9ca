"""Normalise and tokenise text in one native pass.

A token is a maximal run of letters, digits and combining marks of any script; a character
of a script written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar, Tibetan)
is a token by itself, with the marks that follow it.  Format characters (soft hyphen, zero-width
joiners, bidi marks) are skipped without breaking a token.  Everything else separates.

Each code point is folded to ``casefold(NFKC(c))`` (Unicode compatibility caseless matching, code
point by code point; texts not in NFC are composed by the Python layer first).  A token's hash is
FNV-1a over its folded code points, finalised with fmix64 (see ``_hash64.h``); its offsets are code
point indices into the original string.

Folding tables come from Python's ``unicodedata`` and are built lazily, 256 code points at a
time, the first time a block is seen; once published a page never changes, so kernels running
without the GIL read them safely.
"""
from cpython.mem cimport PyMem_Malloc, PyMem_Free
from libc.stdint cimport int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport malloc, free
from libc.string cimport memset

import unicodedata

import numpy as np
cimport numpy as cnp

from retold._ext._buffer cimport Pool, buffer_reserve
from retold._ext._hash64 cimport FNV_BASIS, FNV_PRIME, fmix64, fnv_step

cnp.import_array()

cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object o)
    int PyUnicode_KIND(object o)
    void* PyUnicode_DATA(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    uint32_t PyUnicode_READ(int kind, const void* data, Py_ssize_t index) nogil

# Character class bits (per original code point).
DEF C_WORD = 1
DEF C_MARK = 2
DEF C_IGNORABLE = 4
DEF C_NOSPACE = 8
DEF C_UPPER = 16
DEF C_LOWER = 32
DEF C_DIGIT = 64

# Token flag bits, exported to Python below.
DEF T_CAPITALIZED = 1
DEF T_ALL_UPPER = 2
DEF T_HAS_DIGIT = 4
DEF T_NOSPACE = 8
DEF T_ALL_DIGIT = 16

TOKEN_CAPITALIZED = T_CAPITALIZED
TOKEN_ALL_UPPER = T_ALL_UPPER
TOKEN_HAS_DIGIT = T_HAS_DIGIT
TOKEN_NOSPACE = T_NOSPACE
TOKEN_ALL_DIGIT = T_ALL_DIGIT

DEF PAGE_BITS = 8
DEF PAGE_SIZE = 256
DEF N_PAGES = 0x1100

ctypedef struct FoldPage:
    uint8_t cls[PAGE_SIZE]
    uint32_t offsets[PAGE_SIZE + 1]
    uint32_t* folded

# Scripts written without spaces between words (one token per character): one table for
# every layer, in retold.scripts.
from retold.scripts import is_no_space as _is_nospace
from retold._kernel_args import check_text


def char_class(str ch):
    """Class bits of one character (the definition the twin shares)."""
    cat = unicodedata.category(ch)
    major = cat[0]
    if major == "L" or major == "N":
        bits = C_WORD
        if cat == "Lu" or cat == "Lt":
            bits |= C_UPPER
        elif cat == "Ll":
            bits |= C_LOWER
        elif cat == "Nd":
            bits |= C_DIGIT
        if _is_nospace(ord(ch)):
            bits |= C_NOSPACE
        return bits
    if major == "M":
        return C_MARK
    if cat == "Cf":
        return C_IGNORABLE
    return 0


def fold_char(str ch):
    """The folded form of one character: casefold(NFKC(ch))."""
    return unicodedata.normalize("NFKC", ch).casefold()


cdef FoldPage* PAGES[N_PAGES]
memset(PAGES, 0, sizeof(PAGES))


cdef class _PageOwner:
    """Owns the folding pages; freed with the module."""

    def __dealloc__(self):
        cdef Py_ssize_t p
        for p in range(N_PAGES):
            if PAGES[p] != NULL:
                free(PAGES[p].folded)
                free(PAGES[p])
                PAGES[p] = NULL


_page_owner = _PageOwner()


cdef int build_page(Py_ssize_t page) except -1:
    cdef FoldPage* fp = <FoldPage*> malloc(sizeof(FoldPage))
    if fp == NULL:
        raise MemoryError()
    cdef list folds = []
    cdef Py_ssize_t j, total = 0, k
    cdef str ch, f
    for j in range(PAGE_SIZE):
        ch = chr((page << PAGE_BITS) + j)
        fp.cls[j] = <uint8_t> char_class(ch)
        f = fold_char(ch)
        folds.append(f)
        fp.offsets[j] = <uint32_t> total
        total += len(f)
    fp.offsets[PAGE_SIZE] = <uint32_t> total
    fp.folded = <uint32_t*> malloc(total * sizeof(uint32_t) + 1)
    if fp.folded == NULL:
        free(fp)
        raise MemoryError()
    for j in range(PAGE_SIZE):
        f = folds[j]
        for k in range(len(f)):
            fp.folded[fp.offsets[j] + k] = ord(f[k])
    if PAGES[page] != NULL:
        # Another thread built it while unicodedata let the GIL go: keep the published page
        # (kernels may be reading it without the GIL) and drop ours.
        free(fp.folded)
        free(fp)
        return 0
    PAGES[page] = fp
    return 0


# The first page holds ASCII and Latin-1; build it now so the ASCII fast path never waits.
build_page(0)


cdef Py_ssize_t first_missing_page(int kind, const void* data, Py_ssize_t start,
                                   Py_ssize_t n) noexcept nogil:
    """Index of the first code point from ``start`` whose folding page is not built, or -1."""
    cdef Py_ssize_t i
    cdef const uint16_t* d2
    cdef const uint32_t* d4
    if kind == 2:
        d2 = <const uint16_t*> data
        for i in range(start, n):
            if PAGES[d2[i] >> PAGE_BITS] == NULL:
                return i
    else:
        d4 = <const uint32_t*> data
        for i in range(start, n):
            if PAGES[d4[i] >> PAGE_BITS] == NULL:
                return i
    return -1


# Texts at least this long are scanned for missing pages without the GIL, so threads preparing
# non-Latin texts run in parallel; shorter ones are not worth the GIL hand-off.
DEF NOGIL_SCAN_MIN = 256


cdef int prepare_text(str text, TextView* view) except -1:
    """Fill ``view`` for ``text`` and build the folding pages it needs (called with the GIL).

    The scan for pages not yet built runs without the GIL (pages are published once and never
    change, so reading PAGES unlocked is safe); the GIL is taken back only to build a page,
    which happens once per 256-code-point block for the life of the process.
    """
    if text is None:
        raise TypeError("expected str, not NoneType")
    cdef Py_ssize_t i = 0, n = PyUnicode_GET_LENGTH(text)
    cdef int kind = PyUnicode_KIND(text)
    cdef const void* data = PyUnicode_DATA(text)
    cdef uint32_t cp
    view.data = data
    view.kind = kind
    view.length = n
    view.ascii = PyUnicode_IS_ASCII(text)
    if view.ascii or kind == 1:
        return 0
    while i < n:
        if n - i >= NOGIL_SCAN_MIN:
            with nogil:
                i = first_missing_page(kind, data, i, n)
        else:
            i = first_missing_page(kind, data, i, n)
        if i < 0:
            return 0
        cp = PyUnicode_READ(kind, data, i)
        if PAGES[cp >> PAGE_BITS] == NULL:
            build_page(cp >> PAGE_BITS)
        i += 1
    # A page seen published during the unlocked scan was published under the GIL by its
    # builder, and this thread holds the GIL again now: its contents are visible here.
    return 0


cdef int grow_tokens(TokenBuffer* buf) except -1 nogil:
    # `starts` grows last: emit_token asks only its capacity, so after a MemoryError part way
    # no column is thought to have room it lacks.
    cdef Py_ssize_t needed = buf.n + 1
    buffer_reserve(&buf.ends, needed, sizeof(int64_t), 256)
    buffer_reserve(&buf.hashes, needed, sizeof(uint64_t), 256)
    buffer_reserve(&buf.flags, needed, sizeof(uint8_t), 256)
    buffer_reserve(&buf.starts, needed, sizeof(int64_t), 256)
    return 0


cdef inline int emit_token(TokenBuffer* out, int64_t start, int64_t end, uint64_t h,
                           uint8_t flags) except -1 nogil:
    if out.n == out.starts.capacity:
        grow_tokens(out)
    token_starts(out)[out.n] = start
    token_ends(out)[out.n] = end
    token_hashes(out)[out.n] = fmix64(h)
    token_flags(out)[out.n] = flags
    out.n += 1
    return 0


cdef inline uint8_t finish_flags(uint8_t flags, bint saw_upper, bint saw_lower,
                                 bint all_digit) noexcept nogil:
    if saw_upper and not saw_lower:
        flags |= T_ALL_UPPER
    if all_digit:
        flags |= T_ALL_DIGIT
    return flags


cdef int tokenize_ascii(const uint8_t* text, Py_ssize_t n, TokenBuffer* out) except -1 nogil:
    """The same state machine as tokenize_view, specialised for ASCII (letters and digits only)."""
    cdef Py_ssize_t i = 0, start
    cdef uint8_t c, cls, flags
    cdef uint64_t h
    cdef bint saw_upper, saw_lower, all_digit
    cdef FoldPage* page0 = PAGES[0]
    while i < n:
        cls = page0.cls[text[i]]
        if not (cls & C_WORD):
            i += 1
            continue
        start = i
        h = FNV_BASIS
        flags = T_CAPITALIZED if cls & C_UPPER else 0
        saw_upper = saw_lower = False
        all_digit = True
        while i < n:
            c = text[i]
            cls = page0.cls[c]
            if not (cls & C_WORD):
                break
            if cls & C_UPPER:
                saw_upper = True
                c = c + 32
            elif cls & C_LOWER:
                saw_lower = True
            else:
                flags |= T_HAS_DIGIT
            if not (cls & C_DIGIT):
                all_digit = False
            h = (h ^ c) * FNV_PRIME
            i += 1
        emit_token(out, start, i, h, finish_flags(flags, saw_upper, saw_lower, all_digit))
    return 0


ctypedef fused codeunit:
    uint8_t
    uint16_t
    uint32_t


cdef int tokenize_view(const TextView* view, TokenBuffer* out) except -1 nogil:
    """Append the tokens of a prepared text to ``out`` (which the caller resets)."""
    if view.ascii:
        return tokenize_ascii(<const uint8_t*> view.data, view.length, out)
    # One loop per storage width, so the hot loop has no branch on the kind of string.
    if view.kind == 1:
        return tokenize_units(<const uint8_t*> view.data, view.length, out)
    if view.kind == 2:
        return tokenize_units(<const uint16_t*> view.data, view.length, out)
    return tokenize_units(<const uint32_t*> view.data, view.length, out)


cdef int tokenize_units(const codeunit* data, Py_ssize_t n, TokenBuffer* out) except -1 nogil:
    cdef Py_ssize_t i
    cdef uint32_t cp, k
    cdef uint8_t cls, flags = 0
    cdef FoldPage* page
    cdef uint64_t h = FNV_BASIS
    cdef bint in_token = False, token_nospace = False
    cdef bint saw_upper = False, saw_lower = False, all_digit = True
    cdef int64_t start = 0, end = 0
    cdef uint32_t j
    for i in range(n):
        cp = data[i]
        page = PAGES[cp >> PAGE_BITS]
        j = cp & (PAGE_SIZE - 1)
        cls = page.cls[j]
        if cls & C_WORD:
            if in_token and (token_nospace or (cls & C_NOSPACE)):
                emit_token(out, start, end, h, finish_flags(flags, saw_upper, saw_lower, all_digit))
                in_token = False
            if not in_token:
                in_token = True
                start = i
                h = FNV_BASIS
                flags = 0
                saw_upper = saw_lower = False
                all_digit = True
                token_nospace = (cls & C_NOSPACE) != 0
                if token_nospace:
                    flags |= T_NOSPACE
                if cls & C_UPPER:
                    flags |= T_CAPITALIZED
            if cls & C_UPPER:
                saw_upper = True
            elif cls & C_LOWER:
                saw_lower = True
            if cls & C_DIGIT:
                flags |= T_HAS_DIGIT
            else:
                all_digit = False
        elif cls & C_MARK:
            if not in_token:
                continue
        elif cls & C_IGNORABLE:
            continue
        else:
            if in_token:
                emit_token(out, start, end, h, finish_flags(flags, saw_upper, saw_lower, all_digit))
                in_token = False
            continue
        k = page.offsets[j]
        while k < page.offsets[j + 1]:
            h = fnv_step(h, page.folded[k])
            k += 1
        end = i + 1
    if in_token:
        emit_token(out, start, end, h, finish_flags(flags, saw_upper, saw_lower, all_digit))
    return 0


cdef inline int push_codepoint(CodepointBuffer* out, uint32_t cp) except -1 nogil:
    if out.n == out.points.capacity:
        buffer_reserve(&out.points, out.n + 1, sizeof(uint32_t), 1024)
    codepoints(out)[out.n] = cp
    out.n += 1
    return 0


cdef int fold_stream_view(const TextView* view, CodepointBuffer* out) except -1 nogil:
    """Append the folded characters of the tokens, one space where the original had a gap."""
    cdef Py_ssize_t i, n = view.length
    cdef uint32_t cp, k
    cdef uint8_t cls
    cdef FoldPage* page
    cdef bint in_token = False, token_nospace = False, any_token = False, gap = False
    cdef const uint8_t* ascii = <const uint8_t*> view.data
    cdef FoldPage* page0 = PAGES[0]
    for i in range(n):
        if view.ascii:
            cp = ascii[i]
            page = page0
        else:
            cp = PyUnicode_READ(view.kind, view.data, i)
            page = PAGES[cp >> PAGE_BITS]
        cls = page.cls[cp & (PAGE_SIZE - 1)]
        if cls & C_WORD:
            if in_token and (token_nospace or (cls & C_NOSPACE)):
                in_token = False
            if not in_token:
                if gap and any_token:
                    push_codepoint(out, 0x20)
                gap = False
                in_token = True
                any_token = True
                token_nospace = (cls & C_NOSPACE) != 0
        elif cls & C_MARK:
            if not in_token:
                gap = True
                continue
        elif cls & C_IGNORABLE:
            continue
        else:
            in_token = False
            gap = True
            continue
        k = page.offsets[cp & (PAGE_SIZE - 1)]
        while k < page.offsets[(cp & (PAGE_SIZE - 1)) + 1]:
            push_codepoint(out, page.folded[k])
            k += 1
    return 0


def tokenize(text):
    """Tokenise ``text``: (starts int64, ends int64, hashes uint64, flags uint8), one entry per token.

    ``text`` must already be in NFC (the Python layer takes care of it).
    """
    return _tokenize(check_text(text))


ctypedef fused TextBuffer:
    TokenBuffer
    CodepointBuffer


cdef int _fill(str text, TextBuffer* buf) except -1:
    """Fill ``buf`` from ``text``: its tokens (TokenBuffer) or its folded stream (CodepointBuffer)."""
    cdef TextView view
    prepare_text(text, &view)
    with nogil:
        if TextBuffer is TokenBuffer:
            tokenize_view(&view, buf)
        else:
            fold_stream_view(&view, buf)
    return 0


cdef object _tokenize(str text):
    cdef Pool mem = Pool()
    cdef TokenBuffer* buf = token_buffer_new(&mem.arena)
    _fill(text, buf)
    starts = np.empty(buf.n, dtype=np.int64)
    ends = np.empty(buf.n, dtype=np.int64)
    hashes = np.empty(buf.n, dtype=np.uint64)
    flags = np.empty(buf.n, dtype=np.uint8)
    if buf.n:
        _copy_tokens(buf, starts, ends, hashes, flags)
    return starts, ends, hashes, flags


cdef void _copy_tokens(TokenBuffer* buf, int64_t[::1] starts, int64_t[::1] ends,
                       uint64_t[::1] hashes, uint8_t[::1] flags) noexcept:
    cdef Py_ssize_t i
    for i in range(buf.n):
        starts[i] = token_starts(buf)[i]
        ends[i] = token_ends(buf)[i]
        hashes[i] = token_hashes(buf)[i]
        flags[i] = token_flags(buf)[i]


def fold_stream(text):
    """The folded character stream of ``text`` (str): tokens' folded characters, a space at gaps."""
    return _fold_stream(check_text(text))


cdef object _fold_stream(str text):
    cdef Pool mem = Pool()
    cdef CodepointBuffer* buf = codepoint_buffer_new(&mem.arena)
    _fill(text, buf)
    out = np.empty(buf.n, dtype=np.uint32)
    _copy_codepoints(buf, out)
    return out.tobytes().decode("utf-32-le", "surrogatepass")


cdef void _copy_codepoints(CodepointBuffer* buf, uint32_t[::1] out) noexcept:
    cdef Py_ssize_t i
    for i in range(buf.n):
        out[i] = codepoints(buf)[i]
