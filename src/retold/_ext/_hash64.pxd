# C-level declarations of the hash primitives in ext/_hash64.h, shared by every kernel.
from libc.stdint cimport uint32_t, uint64_t

cdef extern from "_hash64.h" nogil:
    uint64_t FNV_BASIS "RETOLD_FNV_BASIS"
    uint64_t FNV_PRIME "RETOLD_FNV_PRIME"
    uint64_t GOLDEN "RETOLD_GOLDEN"
    uint64_t MERSENNE61 "RETOLD_MERSENNE61"
    uint64_t EMPTY "RETOLD_EMPTY"
    uint64_t fmix64 "retold_fmix64"(uint64_t k)
    uint64_t fnv_step "retold_fnv_step"(uint64_t h, uint32_t codepoint)
    uint64_t splitmix64 "retold_splitmix64"(uint64_t* state)
    uint64_t mod61 "retold_mod61"(uint64_t x)
    uint64_t affine61 "retold_affine61"(uint64_t a, uint64_t x, uint64_t b)
    uint32_t reduce_range "retold_reduce"(uint64_t h, uint32_t n)
    int popcount64 "retold_popcount64"(uint64_t x)
