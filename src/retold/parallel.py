"""How a batch is cut for threads: the one rule hashing, copies and the kernels' callers share."""
from __future__ import annotations

import numpy as np

__all__ = ["split_ranges"]


def split_ranges(n: int, parts: int) -> list[tuple[int, int]]:
    """``[a, b)`` ranges covering ``range(n)`` in order, about ``n / parts`` long, none empty."""
    bounds = np.linspace(0, n, max(1, parts) + 1).astype(int)
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
