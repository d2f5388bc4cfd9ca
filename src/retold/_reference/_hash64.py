"""Pure-Python versions of the hash primitives in ``ext/_hash64.h`` (wrap-around by masking)."""
from __future__ import annotations

MASK32 = (1 << 32) - 1
MASK64 = (1 << 64) - 1
FNV_BASIS = 0xCBF29CE484222325
FNV_PRIME = 0x00000100000001B3
GOLDEN = 0x9E3779B97F4A7C15
MERSENNE61 = (1 << 61) - 1
EMPTY = MASK64


# MurmurHash3's finalisers: rounds of xor-shift then multiply, and a last xor-shift.  fmix32
# and fmix64 differ only in the word, the shifts and the multipliers, so one loop states both.
FMIX32_ROUNDS = ((16, 0x85EBCA6B), (13, 0xC2B2AE35))
FMIX32_LAST_SHIFT = 16
FMIX64_ROUNDS = ((33, 0xFF51AFD7ED558CCD), (33, 0xC4CEB9FE1A85EC53))
FMIX64_LAST_SHIFT = 33


def murmur_finalize(k: int, mask: int, rounds: tuple[tuple[int, int], ...], last_shift: int) -> int:
    for shift, multiplier in rounds:
        k ^= k >> shift
        k = (k * multiplier) & mask
    return k ^ (k >> last_shift)


def fmix32(h: int) -> int:
    return murmur_finalize(h, MASK32, FMIX32_ROUNDS, FMIX32_LAST_SHIFT)


def fmix64(k: int) -> int:
    return murmur_finalize(k, MASK64, FMIX64_ROUNDS, FMIX64_LAST_SHIFT)


def fnv_step(h: int, codepoint: int) -> int:
    return ((h ^ codepoint) * FNV_PRIME) & MASK64


class SplitMix64:
    """The splitmix64 generator (Vigna): expands one seed into a stream of 64-bit values."""

    def __init__(self, seed: int) -> None:
        self.state = seed & MASK64

    def next(self) -> int:
        self.state = (self.state + GOLDEN) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)


def mod61(x: int) -> int:
    return x % MERSENNE61


def affine61(a: int, x: int, b: int) -> int:
    return (a * x + b) % MERSENNE61


def reduce_range(h: int, n: int) -> int:
    return ((h >> 32) * n) >> 32


def popcount64(x: int) -> int:
    return bin(x).count("1")
