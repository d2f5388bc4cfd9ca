# cython: language_level=3
"""Kernels of datasketch's MinHash permutation schemes, bit for bit (``retold.minhash``).

Each element's hash ``h`` (from the sketch's ``hashfunc``) goes through ``num_perm`` permutations
and every slot keeps its minimum.  The three schemes datasketch 2.x offers (the pure-Python twin in
``retold._reference.minhash_schemes`` states them plainly):

- ``affine32``: ``x = fmix32(h)``, slot ``k`` takes ``a[k] * x + b[k]`` (mod 2**32), uint32 slots;
- ``affine64``: ``x = fmix64(h)``, slot ``k`` takes ``a[k] * x + b[k]`` (mod 2**64), uint64 slots;
- ``legacy`` (before 2.0): slot ``k`` takes ``((a[k] * h + b[k]) mod 2**64) mod (2**61 - 1)``
  cut to its low 32 bits, uint64 slots.  The first product wraps at 64 bits because datasketch
  computes it in numpy's uint64, and wrapping is what its stored sketches hold.

fmix32/fmix64 are MurmurHash3's finalisers.  :func:`sha1_hashes` is datasketch's default element
hash (the first 4 or 8 bytes of SHA-1, little-endian) over a list of ``bytes``, in C.  Many sketches are updated in one call: document ``d``
owns ``hashes[offsets[d]:offsets[d + 1]]`` and row ``d`` of ``out`` (which holds its current
values, so the same call serves a fresh sketch and an update of an old one).
"""
from libc.stdint cimport int64_t, uint32_t, uint64_t
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.exc cimport PyErr_CheckSignals
from retold._ext._hash64 cimport fmix64, mod61

cdef extern from "_sha1.h" nogil:
    uint64_t sha1_prefix64 "retold_sha1_prefix64"(const unsigned char* data, size_t n)

cdef uint64_t LOW32 = 0xFFFFFFFF

# How many elements a long loop handles between two checks for Ctrl-C.
cdef enum:
    CHECK_EVERY = 1 << 14


cdef inline uint32_t fmix32(uint32_t h) noexcept nogil:
    h ^= h >> 16
    h *= <uint32_t> 0x85EBCA6B
    h ^= h >> 13
    h *= <uint32_t> 0xC2B2AE35
    h ^= h >> 16
    return h


cdef int _check(const int64_t[::1] offsets, Py_ssize_t n_hashes, Py_ssize_t rows,
                Py_ssize_t slots, Py_ssize_t a_len, Py_ssize_t b_len) except -1:
    cdef Py_ssize_t d
    if offsets.shape[0] != rows + 1:
        raise ValueError(f"offsets has {offsets.shape[0]} entries for {rows} sketches")
    if a_len != slots or b_len != slots:
        raise ValueError(f"permutations have {a_len} and {b_len} values for {slots} slots")
    if rows and (offsets[0] != 0 or offsets[rows] != n_hashes):
        raise ValueError("offsets must start at 0 and end at the number of hashes")
    for d in range(rows):
        if offsets[d + 1] < offsets[d]:
            raise ValueError("offsets must not decrease")
    return 0


ctypedef fused word:
    uint32_t
    uint64_t


cdef inline void _min_affine(word* row, const word* pa, const word* pb, Py_ssize_t k,
                             word x) noexcept nogil:
    cdef Py_ssize_t j
    cdef word v
    for j in range(k):  # branch-free, so that the compiler vectorises it
        v = pa[j] * x + pb[j]
        row[j] = v if v < row[j] else row[j]


cdef inline void _min_legacy(uint64_t* row, const uint64_t* pa, const uint64_t* pb, Py_ssize_t k,
                             uint64_t h) noexcept nogil:
    cdef Py_ssize_t j
    cdef uint64_t v
    for j in range(k):
        v = mod61(pa[j] * h + pb[j]) & LOW32
        row[j] = v if v < row[j] else row[j]


cdef int _fold(const int64_t[::1] offsets, const word[::1] hashes, const word[::1] a,
               const word[::1] b, word[:, ::1] out, bint legacy) except -1:
    """The loop every scheme shares: row ``d`` of ``out`` takes, slot by slot, the minimum over
    its hashes (``legacy`` only with 64-bit words)."""
    cdef Py_ssize_t rows = out.shape[0], k = out.shape[1], d, i, done = 0
    cdef word* row
    _check(offsets, hashes.shape[0], rows, k, a.shape[0], b.shape[0])
    if k == 0:
        return 0
    cdef const word* pa = &a[0]
    cdef const word* pb = &b[0]
    for d in range(rows):
        row = &out[d, 0]
        with nogil:
            for i in range(offsets[d], offsets[d + 1]):
                if word is uint32_t:
                    _min_affine(row, pa, pb, k, fmix32(hashes[i]))
                else:
                    if legacy:
                        _min_legacy(row, pa, pb, k, hashes[i])
                    else:
                        _min_affine(row, pa, pb, k, fmix64(hashes[i]))
        done += offsets[d + 1] - offsets[d]
        if done >= CHECK_EVERY:
            PyErr_CheckSignals()
            done = 0
    return 0


def update_affine32(const int64_t[::1] offsets not None, const uint32_t[::1] hashes not None,
                    const uint32_t[::1] a not None, const uint32_t[::1] b not None,
                    uint32_t[:, ::1] out not None):
    """Fold ``hashes`` into the uint32 sketches ``out`` under the ``affine32`` scheme."""
    _fold(offsets, hashes, a, b, out, False)


def update_affine64(const int64_t[::1] offsets not None, const uint64_t[::1] hashes not None,
                    const uint64_t[::1] a not None, const uint64_t[::1] b not None,
                    uint64_t[:, ::1] out not None):
    """Fold ``hashes`` into the uint64 sketches ``out`` under the ``affine64`` scheme."""
    _fold(offsets, hashes, a, b, out, False)


def update_legacy(const int64_t[::1] offsets not None, const uint64_t[::1] hashes not None,
                  const uint64_t[::1] a not None, const uint64_t[::1] b not None,
                  uint64_t[:, ::1] out not None):
    """Fold ``hashes`` into the uint64 sketches ``out`` under the pre-2.0 ``legacy`` scheme."""
    _fold(offsets, hashes, a, b, out, True)


def sha1_hashes(list elements not None, int width, uint64_t[::1] out not None):
    """``out[i]`` = the first ``width // 8`` bytes of SHA-1(``elements[i]``) as a little-endian int.

    Every element must be ``bytes`` (``TypeError`` otherwise, naming its position); ``width`` is 32
    or 64.  Returns nothing; ``out`` must have one slot per element.
    """
    cdef Py_ssize_t n = len(elements), i
    cdef object item
    if width != 32 and width != 64:
        raise ValueError(f"width must be 32 or 64, not {width}")
    if out.shape[0] != n:
        raise ValueError(f"out has {out.shape[0]} slots for {n} elements")
    cdef uint64_t mask = 0xFFFFFFFF if width == 32 else 0xFFFFFFFFFFFFFFFF
    for i in range(n):
        item = elements[i]
        if type(item) is not bytes:
            raise TypeError(f"element {i} is {type(item).__name__}, not bytes")
        out[i] = sha1_prefix64(<const unsigned char*> PyBytes_AS_STRING(item), <size_t> PyBytes_GET_SIZE(item)) & mask
