/* The 64-bit hash primitives every retold kernel shares.
 *
 * They are defined on unsigned 64-bit integers with wrap-around arithmetic only, so they give
 * the same bits on every platform and in the pure-Python twins (which mask with 2**64 - 1).
 *
 *   token hash      fmix64(FNV-1a over the token's folded code points, one 32-bit unit each)
 *   word n-gram     fmix64(fold of acc = acc * GOLDEN + token_hash, acc starting at n)
 *   char n-gram     fmix64(FNV-1a over the n folded code points)
 *   fmix64          the 64-bit finaliser of MurmurHash3
 *   splitmix64      the seed expander (Vigna), for MinHash parameters
 */
#ifndef RETOLD_HASH64_H
#define RETOLD_HASH64_H
#include <stdint.h>

#define RETOLD_FNV_BASIS 0xcbf29ce484222325ULL
#define RETOLD_FNV_PRIME 0x00000100000001b3ULL
#define RETOLD_GOLDEN    0x9e3779b97f4a7c15ULL
#define RETOLD_MERSENNE61 0x1fffffffffffffffULL
#define RETOLD_EMPTY     0xffffffffffffffffULL

static inline uint64_t retold_fmix64(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

static inline uint64_t retold_fnv_step(uint64_t h, uint32_t codepoint) {
    return (h ^ (uint64_t)codepoint) * RETOLD_FNV_PRIME;
}

/* Next value of the splitmix64 generator whose state is *state. */
static inline uint64_t retold_splitmix64(uint64_t *state) {
    uint64_t z = (*state += RETOLD_GOLDEN);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* x mod (2^61 - 1) for any 64-bit x. */
static inline uint64_t retold_mod61(uint64_t x) {
    uint64_t r = (x & RETOLD_MERSENNE61) + (x >> 61);
    return r >= RETOLD_MERSENNE61 ? r - RETOLD_MERSENNE61 : r;
}

/* (a * x + b) mod (2^61 - 1), exact, for a, x, b < 2^61 - 1. */
static inline uint64_t retold_affine61(uint64_t a, uint64_t x, uint64_t b) {
#if defined(__SIZEOF_INT128__)
    unsigned __int128 p = (unsigned __int128)a * x;
    uint64_t lo = (uint64_t)p & RETOLD_MERSENNE61;
    uint64_t hi = (uint64_t)(p >> 61);
#else
    /* Portable 64x64 -> 128 multiply, for compilers without __int128 (MSVC). */
    uint64_t a_lo = a & 0xffffffffULL, a_hi = a >> 32;
    uint64_t x_lo = x & 0xffffffffULL, x_hi = x >> 32;
    uint64_t ll = a_lo * x_lo, lh = a_lo * x_hi, hl = a_hi * x_lo, hh = a_hi * x_hi;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffULL) + (hl & 0xffffffffULL);
    uint64_t p_lo = (mid << 32) | (ll & 0xffffffffULL);
    uint64_t p_hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    uint64_t lo = p_lo & RETOLD_MERSENNE61;
    uint64_t hi = (p_lo >> 61) | (p_hi << 3);
#endif
    uint64_t r = lo + hi;                      /* < 2^62 */
    r = (r & RETOLD_MERSENNE61) + (r >> 61);
    if (r >= RETOLD_MERSENNE61) r -= RETOLD_MERSENNE61;
    r += b;
    if (r >= RETOLD_MERSENNE61) r -= RETOLD_MERSENNE61;
    return r;
}

/* Map a 64-bit hash onto [0, n) with its high 32 bits (Lemire's multiply-shift), n < 2^32. */
static inline uint32_t retold_reduce(uint64_t h, uint32_t n) {
    return (uint32_t)(((h >> 32) * (uint64_t)n) >> 32);
}

static inline int retold_popcount64(uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (int)((x * 0x0101010101010101ULL) >> 56);
#endif
}
#endif
