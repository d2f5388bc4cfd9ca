"""Pure-Python versions of the hash primitives in ``ext/_hash64.h`` (wrap-around by masking)."""
from __future__ import annotations

MASK64 = (1 << 64) - 1
FNV_BASIS = 0xCBF29CE484222325
FNV_PRIME = 0x00000100000001B3
GOLDEN = 0x9E3779B97F4A7C15
MERSENNE61 = (1 << 61) - 1
EMPTY = MASK64


def fmix64(k: int) -> int:
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & MASK64
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & MASK64
    k ^= k >> 33
    return k


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
