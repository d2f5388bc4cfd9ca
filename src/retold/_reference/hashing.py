"""Pure-Python twin of ``ext/hashing.pyx``: shingles, MinHash (kperm, oph), SimHash, set similarity.

See the compiled module's docstring for the definitions; this file is their plainest statement.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence, TypeVar

import numpy as np

from retold import _kernel_args as checks
from retold._reference._hash64 import (
    EMPTY,
    FNV_BASIS,
    GOLDEN,
    MASK64,
    MERSENNE61,
    SplitMix64,
    affine61,
    fmix64,
    fnv_step,
    mod61,
    popcount64,
    reduce_range,
)
from retold._reference.text import fold_stream, tokenize

if TYPE_CHECKING:
    import numpy.typing as npt

_T = TypeVar("_T")

OPH_SALT = 0x6F6E652D7065726D  # "one-perm"
DENSIFY_MAX_ATTEMPTS = 1 << 16
EMPTY_SLOT = EMPTY


def _either(name: str, value: str, choices: tuple[str, str], true: str) -> bool:
    """Whether ``value`` is ``true``, one of the two ``choices``; a ValueError naming both else."""
    if value == choices[0] or value == choices[1]:
        return value == true
    raise ValueError(f"{name} must be {choices[0]!r} or {choices[1]!r}, not {value!r}")


def _parse_unit(unit: str) -> bool:
    return _either("unit", unit, ("word", "char"), "char")


def _parse_scheme(scheme: str) -> bool:
    return _either("scheme", scheme, ("oph", "kperm"), "oph")


def _shingles(items: Sequence[_T], ngram: int, window_hash: Callable[[Sequence[_T]], int]) -> list[int]:
    """fmix64 of ``window_hash`` over each window of ``ngram`` items (one window of them all when
    there are fewer): the shape both kinds of shingle share."""
    if not items:
        return []
    width = ngram if len(items) >= ngram else len(items)
    return [fmix64(window_hash(items[i : i + width])) for i in range(len(items) - width + 1)]


def _word_window(tokens: Sequence[int]) -> int:
    acc = len(tokens)
    for t in tokens:
        acc = (acc * GOLDEN + t) & MASK64
    return acc


def _char_window(chars: Sequence[str]) -> int:
    h = FNV_BASIS
    for ch in chars:
        h = fnv_step(h, ord(ch))
    return h


def _word_shingles(tokens: list[int], ngram: int) -> list[int]:
    return _shingles(tokens, ngram, _word_window)


def _char_shingles(stream: str, ngram: int) -> list[int]:
    return _shingles(stream, ngram, _char_window)


def _positional(text: str, ngram: int, char_unit: bool) -> list[int]:
    if char_unit:
        return _char_shingles(fold_stream(text), ngram)
    return _word_shingles([int(h) for h in tokenize(text)[2]], ngram)


def word_shingle_hashes(token_hashes: npt.NDArray[np.uint64], ngram: int) -> npt.NDArray[np.uint64]:
    """Positional word n-gram hashes of a token-hash sequence (uint64)."""
    token_hashes, ngram = checks.word_shingle_args(token_hashes, ngram)
    return np.array(_word_shingles([int(h) for h in token_hashes], ngram), dtype=np.uint64)


def text_shingle_hashes(text: str, ngram: int, unit: str) -> npt.NDArray[np.uint64]:
    """Positional shingle hashes of ``text`` (uint64, in text order, duplicates kept)."""
    text, ngram, unit = checks.text_shingle_args(text, ngram, unit)
    return np.array(_positional(text, ngram, _parse_unit(unit)), dtype=np.uint64)


def text_shingles(text: str, ngram: int, unit: str) -> npt.NDArray[np.uint64]:
    """The shingle set of ``text``: sorted unique uint64."""
    text, ngram, unit = checks.text_shingle_args(text, ngram, unit)
    return np.array(sorted(set(_positional(text, ngram, _parse_unit(unit)))), dtype=np.uint64)


def shingle_sets(
    texts: list[str], ngram: int, unit: str
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64]]:
    """Shingle sets of many texts at once, as CSR: (offsets int64 of len n+1, values uint64)."""
    texts, ngram, unit = checks.shingle_sets_args(texts, ngram, unit)
    char_unit = _parse_unit(unit)
    offsets = [0]
    values: list[int] = []
    for text in texts:
        values.extend(sorted(set(_positional(text, ngram, char_unit))))
        offsets.append(len(values))
    return np.array(offsets, dtype=np.int64), np.array(values, dtype=np.uint64)


def kperm_parameters(num_perm: int, seed: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """The (a, b) coefficients of the k-permutation family for ``seed`` (uint64 arrays)."""
    num_perm, seed = checks.kperm_parameters_args(num_perm, seed)
    gen = SplitMix64(seed)
    a: list[int] = []
    b: list[int] = []
    for _ in range(num_perm):
        a.append(gen.next() % (MERSENNE61 - 1) + 1)
        b.append(gen.next() % MERSENNE61)
    return np.array(a, dtype=np.uint64), np.array(b, dtype=np.uint64)


def _oph_keys(seed: int) -> tuple[int, int]:
    gen = SplitMix64(seed ^ OPH_SALT)
    return gen.next(), gen.next()


def _accumulate(shingles: list[int], oph: bool, seed: int, state: list[int]) -> None:
    k = len(state)
    if oph:
        key, _ = _oph_keys(seed)
        for x in shingles:
            h = fmix64(x ^ key)
            b = reduce_range(h, k)
            if h < state[b]:
                state[b] = h
    else:
        mul, add = kperm_parameters(k, seed)
        coefficients: list[tuple[int, int]] = list(zip(mul.tolist(), add.tolist()))
        for x in shingles:
            xr = mod61(x)
            for p, (ap, bp) in enumerate(coefficients):
                v = affine61(ap, xr, bp)
                if v < state[p]:
                    state[p] = v


def _densify(bins: list[int], seed: int) -> list[int]:
    k = len(bins)
    if all(v == EMPTY for v in bins):
        return list(bins)
    _, dkey = _oph_keys(seed)
    out = list(bins)
    for i in range(k):
        if bins[i] != EMPTY:
            continue
        for attempt in range(1, DENSIFY_MAX_ATTEMPTS + 1):
            j = reduce_range(fmix64(dkey ^ ((i << 32) | attempt)), k)
            if bins[j] != EMPTY:
                break
        else:
            j = (i + 1) % k
            while bins[j] == EMPTY:
                j = (j + 1) % k
        out[i] = bins[j]
    return out


def minhash_accumulate(
    shingles: npt.NDArray[np.uint64], scheme: str, seed: int, state: npt.NDArray[np.uint64]
) -> None:
    """Fold shingle hashes into a raw MinHash state in place (per-slot minima; oph bins undensified)."""
    shingles, scheme, seed, state = checks.minhash_accumulate_args(shingles, scheme, seed, state)
    oph = _parse_scheme(scheme)
    if len(shingles) == 0 or len(state) == 0:
        return
    values = [int(v) for v in state]
    _accumulate([int(x) for x in shingles], oph, seed, values)
    state[:] = np.array(values, dtype=np.uint64)


def minhash_finalize(
    state: npt.NDArray[np.uint64], scheme: str, seed: int, out: npt.NDArray[np.uint64]
) -> None:
    """Turn a raw MinHash state into a signature in ``out`` (oph: densified; kperm: copied)."""
    state, scheme, seed, out = checks.minhash_finalize_args(state, scheme, seed, out)
    oph = _parse_scheme(scheme)
    if len(state) == 0:
        return
    values = [int(v) for v in state]
    out[:] = np.array(_densify(values, seed) if oph else values, dtype=np.uint64)


def minhash_texts(
    texts: list[str], ngram: int, unit: str, scheme: str, seed: int, out: npt.NDArray[np.uint64]
) -> None:
    """MinHash signatures of ``texts`` into the rows of ``out`` (shape len(texts) x num_perm)."""
    texts, ngram, unit, scheme, seed, out = checks.minhash_texts_args(texts, ngram, unit, scheme, seed, out)
    char_unit = _parse_unit(unit)
    oph = _parse_scheme(scheme)
    k = out.shape[1]
    if not texts or k == 0:
        return
    for i, text in enumerate(texts):
        state = [EMPTY] * k
        _accumulate(_positional(text, ngram, char_unit), oph, seed, state)
        out[i] = np.array(_densify(state, seed) if oph else state, dtype=np.uint64)


def simhash_text(text: str, ngram: int) -> int:
    """64-bit SimHash of ``text`` over word n-grams, each occurrence weighing one (tf weighting)."""
    text, ngram = checks.simhash_args(text, ngram)
    votes = [0] * 64
    for x in _positional(text, ngram, False):
        for bit in range(64):
            votes[bit] += 1 if (x >> bit) & 1 else -1
    return sum(1 << bit for bit in range(64) if votes[bit] > 0)


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit SimHashes."""
    a, b = checks.hamming_args(a, b)
    return popcount64((a ^ b) & MASK64)


def _intersection_size(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> int:
    return len(set(a.tolist()) & set(b.tolist()))


def jaccard_sorted(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> float:
    """Exact Jaccard of two sorted unique uint64 arrays; 0.0 when both are empty."""
    a, b = checks.set_pair_args(a, b)
    common = _intersection_size(a, b)
    union = len(a) + len(b) - common
    return common / union if union else 0.0


def containment_sorted(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> float:
    """Share of ``a`` found in ``b`` (sorted unique uint64 arrays); 0.0 when ``a`` is empty."""
    a, b = checks.set_pair_args(a, b)
    return _intersection_size(a, b) / len(a) if len(a) else 0.0
