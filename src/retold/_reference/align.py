"""Pure-Python twin of ``ext/align.pyx``: local alignment of token-id sequences.

See the compiled module's docstring for the definitions; this file is their plainest statement.
Token ids are int64; a negative id matches nothing (callers use it to mask tokens out).

Both methods write their passages to caller-allocated buffers:

``spans`` (int64, shape (capacity, 8)), one row per passage:
    a_first, a_stop, b_first, b_stop (token indices, stop exclusive), score, matches,
    ops_offset, ops_length.
``ops`` (int8, length len(a) + len(b)): the edit script of every passage, first to last token:
    OP_MATCH (equal tokens), OP_MISMATCH (substitution), OP_A (a token facing a gap in b),
    OP_B (b token facing a gap in a).

Passages come out in the order they were found (best first); they never share a token.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from retold import _kernel_args as checks

from retold._reference._hash64 import GOLDEN, MASK64, fmix64

if TYPE_CHECKING:
    from typing import TypeAlias

    import numpy.typing as npt

    Passage: TypeAlias = tuple[int, int, int, int, int, int, list[int]]
    """(score, a_first, a_stop, b_first, b_stop, matches, ops) of one alignment."""

OP_MATCH = 0
OP_MISMATCH = 1
OP_A = 2
OP_B = 3
SPAN_COLUMNS = 8
MAX_PREDECESSORS = 64


def _band_sw(a: list[int], b: list[int], rows_first: int, lo: list[int], hi: list[int], match: int,
             mismatch: int, gap: int, used_a: list[int], used_b: list[int]) -> Passage | None:
    """Smith-Waterman over rows ``rows_first + r`` of ``a``, row r restricted to b[lo[r]:hi[r]].

    Cells outside the band read as 0, the local-alignment floor.  Returns
    (score, a_first, a_stop, b_first, b_stop, matches, ops) of the best cell's alignment
    (the first best in row-major order), or None when no cell scores above zero.
    """
    n_rows = len(lo)
    offsets = [0] * (n_rows + 1)
    for r in range(n_rows):
        offsets[r + 1] = offsets[r] + max(0, hi[r] - lo[r])
    H = [0] * offsets[n_rows]
    best = 0
    best_r = best_j = -1
    for r in range(n_rows):
        i = rows_first + r
        ai = a[i]
        row_lo, row_hi, base = lo[r], hi[r], offsets[r]
        if used_a[i]:
            # Tokens of passages already found are walls: no alignment crosses them.
            for j in range(row_lo, row_hi):
                H[base + j - row_lo] = 0
            continue
        if r > 0:
            plo, phi, pbase = lo[r - 1], hi[r - 1], offsets[r - 1]
        else:
            plo = phi = pbase = 0
        left = 0
        for j in range(row_lo, row_hi):
            diag = H[pbase + j - 1 - plo] if plo <= j - 1 < phi else 0
            up = H[pbase + j - plo] if plo <= j < phi else 0
            if used_b[j]:
                H[base + j - row_lo] = 0
                left = 0
                continue
            if ai >= 0 and ai == b[j]:
                v = diag + match
            else:
                v = diag + mismatch
            if up + gap > v:
                v = up + gap
            if left + gap > v:
                v = left + gap
            if v < 0:
                v = 0
            H[base + j - row_lo] = v
            left = v
            if v > best:
                best, best_r, best_j = v, r, j
    if best <= 0:
        return None

    def cell(r: int, j: int) -> int:
        if r < 0 or not lo[r] <= j < hi[r]:
            return 0
        return H[offsets[r] + j - lo[r]]

    ops: list[int] = []
    matches = 0
    r, j = best_r, best_j
    v = best
    while v > 0:
        i = rows_first + r
        equal = a[i] >= 0 and a[i] == b[j]
        diag = cell(r - 1, j - 1)
        if v == diag + (match if equal else mismatch):
            ops.append(OP_MATCH if equal else OP_MISMATCH)
            matches += equal
            r -= 1
            j -= 1
        elif v == cell(r - 1, j) + gap:
            ops.append(OP_A)
            r -= 1
        else:
            ops.append(OP_B)
            j -= 1
        v = cell(r, j)
    ops.reverse()
    return best, rows_first + r + 1, rows_first + best_r + 1, j + 1, best_j + 1, matches, ops


def _record(result: Passage, spans: npt.NDArray[np.int64], ops_out: npt.NDArray[np.int8], count: int,
            n_ops: int, used_a: list[int], used_b: list[int]) -> int:
    score, a0, a1, b0, b1, matches, ops = result
    spans[count, 0] = a0
    spans[count, 1] = a1
    spans[count, 2] = b0
    spans[count, 3] = b1
    spans[count, 4] = score
    spans[count, 5] = matches
    spans[count, 6] = n_ops
    spans[count, 7] = len(ops)
    for k, op in enumerate(ops):
        ops_out[n_ops + k] = op
    for i in range(a0, a1):
        used_a[i] = 1
    for j in range(b0, b1):
        used_b[j] = 1
    return n_ops + len(ops)


SCORE_LIMIT = 2147483647


def check_score_bound(match: int, n: int, m: int) -> None:
    """Refuse inputs whose best score could pass 2**31 - 1 (the compiled kernels hold int32 scores)."""
    if match * min(n, m) > SCORE_LIMIT:
        raise ValueError(f"match={match} over {n} x {m} tokens could score past 2**31 - 1")


def align_full(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], match: int, mismatch: int, gap: int,
    min_matches: int, spans: npt.NDArray[np.int64], ops: npt.NDArray[np.int8],
) -> tuple[int, int]:
    """Smith-Waterman over the whole n x m matrix, repeated with found passages masked out.

    Stops at the first best alignment with fewer than ``min_matches`` equal tokens, or when
    ``spans`` is full.  Returns (passages, ops written).
    """
    a, b, match, mismatch, gap, min_matches, spans, ops = checks.align_full_args(
        a, b, match, mismatch, gap, min_matches, spans, ops)
    ids_a = [int(x) for x in a]
    ids_b = [int(x) for x in b]
    n, m = len(ids_a), len(ids_b)
    used_a = [0] * n
    used_b = [0] * m
    count = n_ops = 0
    lo = [0] * n
    hi = [m] * n
    while count < spans.shape[0]:
        result = _band_sw(ids_a, ids_b, 0, lo, hi, match, mismatch, gap, used_a, used_b)
        if result is None or result[5] < min_matches:
            break
        n_ops = _record(result, spans, ops, count, n_ops, used_a, used_b)
        count += 1
    return count, n_ops


def _kgram_keys(ids: list[int], k: int) -> list[int | None]:
    """Key of each k-gram of ``ids`` starting at i, or None where the k-gram holds a masked id."""
    keys: list[int | None] = []
    for i in range(len(ids) - k + 1):
        acc = k
        ok = True
        for t in ids[i : i + k]:
            if t < 0:
                ok = False
            acc = (acc * GOLDEN + (t & MASK64)) & MASK64
        keys.append(fmix64(acc) if ok else None)
    return keys


def _find_seeds(a: list[int], b: list[int], ngram: int, max_occurrences: int) -> tuple[list[int], list[int]]:
    """Pairs (i, j) where the k-grams of a at i and of b at j are equal and each occurs at most
    ``max_occurrences`` times in its text; sorted by i, then j."""
    keys_a = _kgram_keys(a, ngram)
    keys_b = _kgram_keys(b, ngram)
    count_a: dict[int, int] = {}
    for key in keys_a:
        if key is not None:
            count_a[key] = count_a.get(key, 0) + 1
    where_b: dict[int, list[int]] = {}
    for j, key in enumerate(keys_b):
        if key is not None:
            where_b.setdefault(key, []).append(j)
    seeds_i: list[int] = []
    seeds_j: list[int] = []
    for i, key in enumerate(keys_a):
        if key is None or count_a[key] > max_occurrences:
            continue
        js = where_b.get(key)
        if js is None or len(js) > max_occurrences:
            continue
        for j in js:
            seeds_i.append(i)
            seeds_j.append(j)
    return seeds_i, seeds_j


def _chain_seeds(si: list[int], sj: list[int], ngram: int, max_gap: int, match: int, mismatch: int,
                 gap: int) -> tuple[list[int], list[int], list[int]]:
    """Colinear chaining by dynamic programming over seeds sorted by (i, j).

    best[s] is the score of the best chain ending at seed s: a fresh start scores
    ``ngram * match``; following seed p adds ``min(di, dj, k) * match`` for the new equal
    tokens, ``mismatch`` per token substituted between them and ``gap`` per token of indel
    ``|di - dj|`` (an estimate of the Smith-Waterman score of the chain).  Predecessors are
    at most ``max_gap`` tokens apart in both texts beyond the seed, and only the
    ``MAX_PREDECESSORS`` nearest are tried.  Returns (best, matched, prev).
    """
    k = ngram
    n = len(si)
    best = [0] * n
    matched = [0] * n
    prev = [-1] * n
    reach = max_gap + k
    for s in range(n):
        i, j = si[s], sj[s]
        b_s, m_s, p_s = k * match, k, -1
        p = s - 1
        tried = 0
        while p >= 0 and tried < MAX_PREDECESSORS:
            di = i - si[p]
            if di > reach:
                break
            dj = j - sj[p]
            if di > 0 and 0 < dj <= reach:
                tried += 1
                short = di if di < dj else dj
                new = short if short < k else k
                sub = short - k if short > k else 0
                indel = di - dj if di > dj else dj - di
                score = best[p] + new * match + sub * mismatch + indel * gap
                if score > b_s:
                    b_s, m_s, p_s = score, matched[p] + new, p
            p -= 1
        best[s], matched[s], prev[s] = b_s, m_s, p_s
    return best, matched, prev


def find_seeds(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], ngram: int, max_occurrences: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Pairs (i, j) where the k-grams of a at i and of b at j are equal and each occurs at most
    ``max_occurrences`` times in its text; two int64 arrays sorted by i, then j."""
    a, b, ngram, max_occurrences = checks.find_seeds_args(a, b, ngram, max_occurrences)
    si, sj = _find_seeds([int(x) for x in a], [int(x) for x in b], ngram, max_occurrences)
    return np.array(si, dtype=np.int64), np.array(sj, dtype=np.int64)


def chain_seeds(
    si: npt.NDArray[np.int64], sj: npt.NDArray[np.int64], ngram: int, max_gap: int,
    match: int, mismatch: int, gap: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Colinear chaining of seeds sorted by (i, j): int64 arrays (best, matched, prev)."""
    si, sj, ngram, max_gap, match, mismatch, gap = checks.chain_seeds_args(
        si, sj, ngram, max_gap, match, mismatch, gap)
    best, matched, prev = _chain_seeds(
        [int(x) for x in si], [int(x) for x in sj], ngram, max_gap, match, mismatch, gap
    )
    return (
        np.array(best, dtype=np.int64),
        np.array(matched, dtype=np.int64),
        np.array(prev, dtype=np.int64),
    )


def _chain_band(chain_i: list[int], chain_j: list[int], ngram: int, n: int, m: int,
                band: int) -> tuple[int, list[int], list[int]]:
    """Rows and per-row b ranges covering a chain's diagonals, widened by ``band``."""
    first = max(0, chain_i[0] - band)
    stop = min(n, chain_i[-1] + ngram + band)
    lo: list[int] = []
    hi: list[int] = []
    q = 0
    last = len(chain_i) - 1
    for i in range(first, stop):
        while q < last and chain_i[q + 1] <= i:
            q += 1
        d0 = chain_j[q] - chain_i[q]
        if i < chain_i[0] or q == last:
            d1 = d0
        else:
            d1 = chain_j[q + 1] - chain_i[q + 1]
        dlo, dhi = (d0, d1) if d0 <= d1 else (d1, d0)
        row_lo = max(0, i + dlo - band)
        row_hi = min(m, i + dhi + band + 1)
        if row_hi < row_lo:
            row_hi = row_lo
        lo.append(row_lo)
        hi.append(row_hi)
    return first, lo, hi


def align_seeded(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], ngram: int, max_occurrences: int,
    max_gap: int, band: int, match: int, mismatch: int, gap: int, min_matches: int,
    spans: npt.NDArray[np.int64], ops: npt.NDArray[np.int8],
) -> tuple[int, int]:
    """Seed-and-extend local alignment with memory linear in len(a) + len(b).

    Seeds (:func:`find_seeds`) are chained (:func:`chain_seeds`); chains are taken best first
    (ties by position), each following predecessors until a seed already taken, and kept when
    they hold at least ``min_matches`` equal tokens.  Each kept chain is realigned by
    Smith-Waterman in a band of ``band`` tokens around its diagonals (extended ``band`` tokens
    past both ends), with the tokens of passages already found masked out.
    Returns (passages, ops written).
    """
    (a, b, ngram, max_occurrences, max_gap, band, match, mismatch, gap, min_matches, spans,
     ops) = checks.align_seeded_args(a, b, ngram, max_occurrences, max_gap, band, match, mismatch, gap,
                                     min_matches, spans, ops)
    ids_a = [int(x) for x in a]
    ids_b = [int(x) for x in b]
    n, m = len(ids_a), len(ids_b)
    si, sj = _find_seeds(ids_a, ids_b, ngram, max_occurrences)
    best, matched, prev = _chain_seeds(si, sj, ngram, max_gap, match, mismatch, gap)
    order = sorted(range(len(si)), key=lambda s: (-best[s], si[s], sj[s]))
    taken = [0] * len(si)
    chains: list[list[int]] = []
    for s in order:
        if taken[s]:
            continue
        members: list[int] = []
        t = s
        while t != -1 and not taken[t]:
            members.append(t)
            taken[t] = 1
            t = prev[t]
        total = matched[s] - (matched[t] if t != -1 else 0)
        if 2 * total < min_matches:
            continue
        members.reverse()
        chains.append(members)
    used_a = [0] * n
    used_b = [0] * m
    count = n_ops = 0
    for members in chains:
        if count >= spans.shape[0]:
            break
        chain_i = [si[s] for s in members]
        chain_j = [sj[s] for s in members]
        first, lo, hi = _chain_band(chain_i, chain_j, ngram, n, m, band)
        result = _band_sw(ids_a, ids_b, first, lo, hi, match, mismatch, gap, used_a, used_b)
        if result is None or result[5] < min_matches:
            continue
        n_ops = _record(result, spans, ops, count, n_ops, used_a, used_b)
        count += 1
    return count, n_ops


def align_global(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], match: int, mismatch: int, gap: int,
    ops: npt.NDArray[np.int8],
) -> tuple[int, int]:
    """Needleman-Wunsch global alignment of two short sequences (O(n*m) memory).

    With match=1, mismatch=0, gap=0 the score is the length of the longest common
    subsequence.  Returns (score, ops written).
    """
    a, b, match, mismatch, gap, ops = checks.align_global_args(a, b, match, mismatch, gap, ops)
    ids_a = [int(x) for x in a]
    ids_b = [int(x) for x in b]
    n, m = len(ids_a), len(ids_b)
    w = m + 1
    H = [0] * ((n + 1) * w)
    for j in range(1, m + 1):
        H[j] = j * gap
    for i in range(1, n + 1):
        H[i * w] = i * gap
        ai = ids_a[i - 1]
        for j in range(1, m + 1):
            equal = ai >= 0 and ai == ids_b[j - 1]
            v = H[(i - 1) * w + j - 1] + (match if equal else mismatch)
            up = H[(i - 1) * w + j] + gap
            left = H[i * w + j - 1] + gap
            if up > v:
                v = up
            if left > v:
                v = left
            H[i * w + j] = v
    out: list[int] = []
    i, j = n, m
    while i > 0 or j > 0:
        v = H[i * w + j]
        if i > 0 and j > 0:
            equal = ids_a[i - 1] >= 0 and ids_a[i - 1] == ids_b[j - 1]
            if v == H[(i - 1) * w + j - 1] + (match if equal else mismatch):
                out.append(OP_MATCH if equal else OP_MISMATCH)
                i -= 1
                j -= 1
                continue
        if i > 0 and v == H[(i - 1) * w + j] + gap:
            out.append(OP_A)
            i -= 1
        else:
            out.append(OP_B)
            j -= 1
    out.reverse()
    for k, op in enumerate(out):
        ops[k] = op
    return H[n * w + m], len(out)
