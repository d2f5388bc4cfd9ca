"""How many bands and rows an LSH index uses: retold's recall target, or datasketch's optimiser.

Both pick ``(b, r)`` with ``b * r <= num_perm`` on the S-curve ``P(j) = 1 - (1 - j**r)**b``:

- :func:`optimal_params` (``MinHashLSH(recall=...)``) guarantees the recall at the threshold and
  then lets the fewest dissimilar pairs through;
- :func:`datasketch_params` (the default, as datasketch) minimises the weighted sum of the
  false-positive area below the threshold and the false-negative area above it.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from retold._validate import check_int


def _false_positive_area(threshold: float, bands: int, rows: int) -> float:
    """Integral of P(j) over [0, threshold): the weight of dissimilar pairs let through."""
    # Midpoint rule on a fine grid: exact enough to rank (b, r) choices, and cheap.
    steps = 2048
    j = (np.arange(steps) + 0.5) * (threshold / steps)
    return float(np.sum(1.0 - (1.0 - j**rows) ** bands) * (threshold / steps))


def optimal_params(threshold: float, num_perm: int, recall: float = 0.95) -> tuple[int, int]:
    """Bands and rows for a recall target at the threshold, with the fewest false candidates.

    Among all ``(b, r)`` with ``b * r <= num_perm`` and ``P(threshold) = 1 - (1 - t**r)**b >=
    recall``, choose the one whose S-curve has the least area below the threshold (the expected
    share of dissimilar pairs, Jaccard uniform on [0, t), that become candidates).  For a fixed
    ``r`` both P(t) and that area grow with ``b``, so only the smallest ``b`` reaching the target
    is worth considering for each ``r``; ties go to fewer slots, then more rows.

    datasketch instead minimises the sum of the false-positive and false-negative areas, which
    puts the curve's midpoint near the threshold: with 128 slots at 0.8 it finds only about 40%
    of the pairs whose Jaccard is exactly 0.8.  Here recall at the threshold is a guarantee.

    Raises
    ------
    ValueError
        When no ``(b, r)`` reaches ``recall`` (too few slots for a low threshold); the message
        says the best recall available.
    """
    best: tuple[float, int, int, int] | None = None
    best_recall = (0.0, 1, 1)
    for rows in range(1, num_perm + 1):
        p_row = threshold**rows
        max_bands = num_perm // rows
        reach = 1.0 - (1.0 - p_row) ** max_bands
        if reach > best_recall[0]:
            best_recall = (reach, max_bands, rows)
        if reach < recall:
            continue
        if p_row >= 1.0:
            bands = 1
        else:
            # Smallest b with (1 - t^r)^b <= 1 - recall; guard rounding at the boundary.
            bands = max(1, math.ceil(math.log1p(-recall) / math.log1p(-p_row)) if recall < 1 else max_bands)
            while bands > 1 and 1.0 - (1.0 - p_row) ** (bands - 1) >= recall:
                bands -= 1
            while bands < max_bands and 1.0 - (1.0 - p_row) ** bands < recall:
                bands += 1
        area = _false_positive_area(threshold, bands, rows)
        candidate = (round(area, 12), bands * rows, -rows, bands)
        if best is None or candidate < best:
            best = candidate
    if best is None:
        reach, b, r = best_recall
        raise ValueError(
            f"num_perm={num_perm} cannot reach recall={recall} at threshold={threshold}: the best is "
            f"{reach:.4f} with params=({b}, {r}); use more permutations or a lower recall"
        )
    return best[3], -best[2]


def _gauss_legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(n)


def datasketch_params(threshold: float, num_perm: int, weights: tuple[float, float] = (0.5, 0.5)) -> tuple[int, int]:
    """datasketch's ``(b, r)``: the least ``fp_weight * FP + fn_weight * FN`` over the whole grid.

    ``FP`` integrates ``P(j)`` over ``[0, threshold]``, ``FN`` integrates ``1 - P(j)`` over
    ``[threshold, 1]``; ties go to the first ``(b, r)`` in datasketch's order (b, then r, ascending).
    The integrands are polynomials of degree ``b * r <= num_perm``, so Gauss-Legendre quadrature
    with ``num_perm // 2 + 1`` nodes is exact up to rounding (datasketch uses scipy's ``quad``;
    the choices agree, see the tests).
    """
    fp_weight, fn_weight = weights
    nodes, w = _gauss_legendre(max(8, num_perm // 2 + 8))
    low = (nodes + 1.0) * (threshold / 2.0)  # [0, threshold]
    high = threshold + (nodes + 1.0) * ((1.0 - threshold) / 2.0)  # [threshold, 1]
    best, best_error = (0, 0), float("inf")
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = float(np.dot(w, 1.0 - (1.0 - low**r) ** b)) * threshold / 2.0
            fn = float(np.dot(w, (1.0 - high**r) ** b)) * (1.0 - threshold) / 2.0
            error = fp * fp_weight + fn * fn_weight
            if error < best_error:
                best_error, best = error, (b, r)
    return best


def index_params(threshold: float, num_perm: int, weights: tuple[float, float], recall: float | None,
                 params: Any) -> tuple[int, int]:
    """The ``(bands, rows)`` of ``MinHashLSH(threshold, num_perm, weights, params, recall=)``,
    its arguments already checked but ``params``: the given pair (checked here), else
    :func:`optimal_params` for a ``recall``, else :func:`datasketch_params` as datasketch."""
    if params is not None:
        if not isinstance(params, (tuple, list)) or len(params) != 2:
            raise TypeError("params must be a pair (bands, rows)")
        bands = check_int(params[0], "params[0] (bands)", 1, num_perm)
        rows = check_int(params[1], "params[1] (rows)", 1, num_perm)
        if bands * rows > num_perm:
            raise ValueError(
                f"params=({bands}, {rows}) needs {bands * rows} slots but num_perm={num_perm}"
            )
    elif recall is not None:
        if threshold == 0.0:
            raise ValueError("recall= needs a threshold above 0")
        bands, rows = optimal_params(threshold, num_perm, recall)
    else:
        if num_perm < 2:
            raise ValueError("Too few permutation functions (num_perm < 2)")
        bands, rows = datasketch_params(threshold, num_perm, weights)
    if recall is None and bands < 2:
        raise ValueError("The number of bands are too small (b < 2), as datasketch requires; "
                         "give recall= for retold's choice")
    return bands, rows
