"""Entry checks of the alignment kernels (see :mod:`retold._kernel_args`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from retold._validate import check_int, int_array

from .common import MAX_SCORE, SCORE_LIMIT, GLOBAL_CELL_LIMIT, out_array

if TYPE_CHECKING:
    from .common import I64Array, I8Array


def _scores(match: Any, mismatch: Any, gap: Any, *, positive_match: bool = True) -> tuple[int, int, int]:
    return (check_int(match, "match", 1 if positive_match else 0, MAX_SCORE),
            check_int(mismatch, "mismatch", -MAX_SCORE, 0),
            check_int(gap, "gap", -MAX_SCORE, 0))


def _ids(a: Any, b: Any) -> tuple[I64Array, I64Array]:
    return int_array(a, "a"), int_array(b, "b")


def _spans_ops(spans: Any, ops: Any, n: int, m: int) -> tuple[I64Array, I8Array]:
    table = out_array(spans, "spans", np.int64, 2)
    if table.shape[1] != 8:
        raise ValueError(f"spans must have 8 columns, not {table.shape[1]}")
    steps = out_array(ops, "ops", np.int8, 1)
    if steps.shape[0] < n + m:
        raise ValueError(f"ops has room for {steps.shape[0]} steps; len(a) + len(b) = {n + m} are needed")
    return table, steps


def _score_bound(match: int, n: int, m: int) -> None:
    if match * min(n, m) > SCORE_LIMIT:
        raise ValueError(f"match={match} over {n} x {m} tokens could score past 2**31 - 1")


def align_full_args(a: Any, b: Any, match: Any, mismatch: Any, gap: Any, min_matches: Any, spans: Any,
                    ops: Any) -> tuple[I64Array, I64Array, int, int, int, int, I64Array, I8Array]:
    ids_a, ids_b = _ids(a, b)
    n, m = ids_a.shape[0], ids_b.shape[0]
    plus, minus, skip = _scores(match, mismatch, gap)
    matches = check_int(min_matches, "min_matches", 1, 1 << 40)
    _score_bound(plus, n, m)
    if (n + 1) * (m + 1) > GLOBAL_CELL_LIMIT * 2:
        raise ValueError(f"align_full over {n} x {m} tokens needs more than 1 GiB")
    table, steps = _spans_ops(spans, ops, n, m)
    return ids_a, ids_b, plus, minus, skip, matches, table, steps


def _seed_params(ngram: Any, max_occurrences: Any) -> tuple[int, int]:
    return check_int(ngram, "ngram", 1, 64), check_int(max_occurrences, "max_occurrences", 1, 1 << 40)


def find_seeds_args(a: Any, b: Any, ngram: Any, max_occurrences: Any) -> tuple[I64Array, I64Array, int, int]:
    ids_a, ids_b = _ids(a, b)
    return (ids_a, ids_b, *_seed_params(ngram, max_occurrences))


def chain_seeds_args(si: Any, sj: Any, ngram: Any, max_gap: Any, match: Any, mismatch: Any,
                     gap: Any) -> tuple[I64Array, I64Array, int, int, int, int, int]:
    seeds_i: I64Array = int_array(si, "si", 0)
    seeds_j: I64Array = int_array(sj, "sj", 0)
    if seeds_i.shape[0] != seeds_j.shape[0]:
        raise ValueError(f"si and sj differ in length: {seeds_i.shape[0]} and {seeds_j.shape[0]}")
    if seeds_i.shape[0] > 1:
        # Sorted by (i, j): the chaining looks back along this order.
        di, dj = np.diff(seeds_i), np.diff(seeds_j)
        bad = (di < 0) | ((di == 0) & (dj < 0))
        if bad.any():
            at = int(np.argmax(bad)) + 1
            raise ValueError(f"seeds must be sorted by (i, j): seed {at} comes before seed {at - 1}")
    length = check_int(ngram, "ngram", 1, 64)
    longest_gap = check_int(max_gap, "max_gap", 0, 1 << 40)
    return (seeds_i, seeds_j, length, longest_gap, *_scores(match, mismatch, gap))


def align_seeded_args(a: Any, b: Any, ngram: Any, max_occurrences: Any, max_gap: Any, band: Any, match: Any,
                      mismatch: Any, gap: Any, min_matches: Any, spans: Any, ops: Any,
                      ) -> tuple[I64Array, I64Array, int, int, int, int, int, int, int, int, I64Array, I8Array]:
    ids_a, ids_b = _ids(a, b)
    n, m = ids_a.shape[0], ids_b.shape[0]
    length, occurrences = _seed_params(ngram, max_occurrences)
    longest_gap = check_int(max_gap, "max_gap", 0, 1 << 40)
    width = check_int(band, "band", 0, 1 << 40)
    plus, minus, skip = _scores(match, mismatch, gap)
    matches = check_int(min_matches, "min_matches", 1, 1 << 40)
    _score_bound(plus, n, m)
    table, steps = _spans_ops(spans, ops, n, m)
    return (ids_a, ids_b, length, occurrences, longest_gap, width, plus, minus, skip, matches,
            table, steps)


def align_global_args(a: Any, b: Any, match: Any, mismatch: Any, gap: Any,
                      ops: Any) -> tuple[I64Array, I64Array, int, int, int, I8Array]:
    ids_a, ids_b = _ids(a, b)
    plus, minus, skip = _scores(match, mismatch, gap, positive_match=False)
    n, m = ids_a.shape[0], ids_b.shape[0]
    if (n + 1) * (m + 1) > GLOBAL_CELL_LIMIT:
        raise ValueError(f"align_global over {n} x {m} tokens would need more than 1 GiB")
    steps = out_array(ops, "ops", np.int8, 1)
    if steps.shape[0] < n + m:
        raise ValueError(f"ops has room for {steps.shape[0]} steps; len(a) + len(b) = {n + m} are needed")
    return ids_a, ids_b, plus, minus, skip, steps


def _token_bounds(starts: Any, ends: Any, text: str, side: str) -> tuple[I64Array, I64Array]:
    n = len(text)
    lo: I64Array = int_array(starts, f"starts_{side}", 0, n)
    hi: I64Array = int_array(ends, f"ends_{side}", 0, n)
    if lo.shape[0] != hi.shape[0]:
        raise ValueError(f"starts_{side} and ends_{side} differ in length: {lo.shape[0]} and {hi.shape[0]}")
    backwards = hi < lo
    if backwards.any():
        at = int(np.argmax(backwards))
        raise ValueError(f"token {at} of {side} ends ({hi[at]}) before it starts ({lo[at]})")
    return lo, hi


def aligned_strings_args(text_a: Any, starts_a: Any, ends_a: Any, text_b: Any, starts_b: Any,
                         ends_b: Any, ops: Any, mark: Any,
                         ) -> tuple[str, I64Array, I64Array, str, I64Array, I64Array, I8Array, str]:
    for name, text in (("text_a", text_a), ("text_b", text_b)):
        if not isinstance(text, str):
            raise TypeError(f"{name} must be str, not {type(text).__name__}")
    if not isinstance(mark, str) or len(mark) != 1:
        raise ValueError(f"mark must be a single character, not {mark!r}")
    sa, ea = _token_bounds(starts_a, ends_a, text_a, "a")
    sb, eb = _token_bounds(starts_b, ends_b, text_b, "b")
    steps: I8Array = int_array(ops, "ops", 0, 3, dtype=np.int8)
    # OP_B (3) takes no token of a, OP_A (2) none of b; every other op takes one of each.
    walked_a, walked_b = int(np.count_nonzero(steps != 3)), int(np.count_nonzero(steps != 2))
    if walked_a != sa.shape[0] or walked_b != sb.shape[0]:
        raise ValueError(f"ops walk {walked_a} tokens of a and {walked_b} of b; "
                         f"{sa.shape[0]} and {sb.shape[0]} are given")
    return text_a, sa, ea, text_b, sb, eb, steps, mark
