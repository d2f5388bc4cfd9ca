/* SHA-1 (FIPS 180-4) of one short message, for datasketch's default element hash.
 *
 * datasketch hashes an element as the first 4 (or 8) bytes of its SHA-1 digest read as a
 * little-endian integer; retold_sha1_prefix64 returns those 8 bytes so read (the low 32 bits
 * are the 4-byte hash).  SHA-1 is used here as a fixed, well-spread function, not for security.
 */
#ifndef RETOLD_SHA1_H
#define RETOLD_SHA1_H

#include <stdint.h>
#include <string.h>

static inline uint32_t retold_rotl32(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void retold_sha1_block(uint32_t h[5], const unsigned char *p) {
    uint32_t w[80], a, b, c, d, e, t;
    int i;
    for (i = 0; i < 16; i++)
        w[i] = ((uint32_t)p[4 * i] << 24) | ((uint32_t)p[4 * i + 1] << 16) |
               ((uint32_t)p[4 * i + 2] << 8) | (uint32_t)p[4 * i + 3];
    for (i = 16; i < 80; i++) w[i] = retold_rotl32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4];
    /* Four loops of twenty rounds, so that each compiles without a branch per round. */
    for (i = 0; i < 20; i++) {
        t = retold_rotl32(a, 5) + ((b & c) | (~b & d)) + e + 0x5A827999u + w[i];
        e = d; d = c; c = retold_rotl32(b, 30); b = a; a = t;
    }
    for (; i < 40; i++) {
        t = retold_rotl32(a, 5) + (b ^ c ^ d) + e + 0x6ED9EBA1u + w[i];
        e = d; d = c; c = retold_rotl32(b, 30); b = a; a = t;
    }
    for (; i < 60; i++) {
        t = retold_rotl32(a, 5) + ((b & c) | (b & d) | (c & d)) + e + 0x8F1BBCDCu + w[i];
        e = d; d = c; c = retold_rotl32(b, 30); b = a; a = t;
    }
    for (; i < 80; i++) {
        t = retold_rotl32(a, 5) + (b ^ c ^ d) + e + 0xCA62C1D6u + w[i];
        e = d; d = c; c = retold_rotl32(b, 30); b = a; a = t;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

static inline uint32_t retold_bswap32(uint32_t x) {
    return (x >> 24) | ((x >> 8) & 0xFF00u) | ((x << 8) & 0xFF0000u) | (x << 24);
}

static uint64_t retold_sha1_prefix64(const unsigned char *data, size_t n) {
    uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    unsigned char tail[128];
    size_t full = n / 64, rest = n % 64, i, tail_len;
    uint64_t bits = (uint64_t)n * 8;
    for (i = 0; i < full; i++) retold_sha1_block(h, data + 64 * i);
    memset(tail, 0, sizeof tail);
    if (rest) memcpy(tail, data + 64 * full, rest);
    tail[rest] = 0x80;
    tail_len = rest + 1 + 8 <= 64 ? 64 : 128;
    for (i = 0; i < 8; i++) tail[tail_len - 1 - i] = (unsigned char)(bits >> (8 * i));
    retold_sha1_block(h, tail);
    if (tail_len == 128) retold_sha1_block(h, tail + 64);
    /* digest bytes are h0..h4 big-endian; their first 8 read little-endian: */
    return (uint64_t)retold_bswap32(h[0]) | ((uint64_t)retold_bswap32(h[1]) << 32);
}

#endif
