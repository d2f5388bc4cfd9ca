"""Connected components of an edge list too large for the driver: large-star/small-star rounds
over dask dataframes (Kiveris et al. 2014).  Nothing here knows of copies; any graph fits.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from retold.dask.runtime import MASK32, delayed, require_dask

__all__ = ["connected_components"]


def _star_partition(frame: Any, large: bool) -> Any:
    """One large-star or small-star step on the edges of the nodes hashed to this partition.

    ``frame`` holds directed edges (u, v) grouped so that every edge of a given u is here.
    Large-star: m = min(u, N(u)); emit (v, m) for each neighbour v > u.
    Small-star: m = min(u, N_<=(u)); emit (v, m) for each v in N_<=(u) + {u}, v != m.
    """
    import pandas as pd

    if len(frame) == 0:
        return frame[["u", "v"]]
    u = frame["u"].to_numpy()
    v = frame["v"].to_numpy()
    if not large:
        keep = v < u
        u, v = u[keep], v[keep]
        if len(u) == 0:
            return pd.DataFrame({"u": np.zeros(0, np.int64), "v": np.zeros(0, np.int64)})
    order = np.lexsort((v, u))
    u, v = u[order], v[order]
    first = np.flatnonzero(np.r_[True, u[1:] != u[:-1]])
    mins = np.minimum(u[first], np.minimum.reduceat(v, first))
    m = np.repeat(mins, np.diff(np.r_[first, len(u)]))
    if large:
        sel = v > u
        out_u, out_v = v[sel], m[sel]
    else:
        nodes = u[first]
        out_u = np.concatenate([v, nodes])
        out_v = np.concatenate([m, mins])
        sel = out_u != out_v
        out_u, out_v = out_u[sel], out_v[sel]
    edges = np.unique((out_u.astype(np.uint64) << np.uint64(32)) | out_v.astype(np.uint64))
    return pd.DataFrame(
        {"u": (edges >> np.uint64(32)).astype(np.int64), "v": (edges & MASK32).astype(np.int64)}
    )


def _both_ways(frame: Any) -> Any:
    import pandas as pd

    u, v = frame["u"].to_numpy(), frame["v"].to_numpy()
    return pd.DataFrame({"u": np.concatenate([u, v]), "v": np.concatenate([v, u])})


def _fingerprint(frame: Any) -> np.ndarray:
    u = frame["u"].to_numpy().astype(np.uint64)
    v = frame["v"].to_numpy().astype(np.uint64)
    mixed = (u * np.uint64(0x9E3779B97F4A7C15)) ^ (v * np.uint64(0xC2B2AE3D27D4EB4F) + np.uint64(1))
    return np.array([len(u), int(np.bitwise_xor.reduce(mixed)) if len(u) else 0], dtype=np.uint64)


def connected_components(edges: Any, *, npartitions: int | None = None, max_rounds: int = 64) -> Any:
    """The component of every node of an edge list, by large-star/small-star rounds (Kiveris et al. 2014).

    Parameters
    ----------
    edges : dask.dataframe.DataFrame
        Columns ``u`` and ``v`` (int64 node ids); undirected, duplicates allowed.
    npartitions : int, optional
        Partitions of the shuffles (default: those of ``edges``).
    max_rounds : int
        Rounds (one large-star and one small-star each) before giving up.

    Returns
    -------
    dask.dataframe.DataFrame
        Columns ``u`` (each node that has an edge, once) and ``v`` (the smallest node of its
        component), the same labels as union-find by smaller index.
    """
    dask, dd, _ = require_dask()
    meta = _star_partition(_both_ways(_empty_edges()), True)
    current = edges[["u", "v"]]
    npartitions = npartitions or current.npartitions
    previous = None
    for _ in range(max_rounds):
        both = current.map_partitions(_both_ways, meta=meta)
        current = both.shuffle(on="u", npartitions=npartitions).map_partitions(
            _star_partition, True, meta=meta
        )
        both = current.map_partitions(_both_ways, meta=meta)
        current = both.shuffle(on="u", npartitions=npartitions).map_partitions(
            _star_partition, False, meta=meta
        )
        current = current.persist()
        stamp = np.vstack(dask.compute(*[delayed(_fingerprint, p) for p in current.to_delayed()]))
        state = (int(stamp[:, 0].sum()), int(np.bitwise_xor.reduce(stamp[:, 1])))
        if state == previous:
            # A fixed point: every edge points from a node to the smallest of its component.
            # Add (root, root) rows, and keep each node once (a leaf's edge can be emitted by
            # several partitions).
            rows = dd.concat([current, current.map_partitions(_root_rows, meta=meta)])
            return rows.shuffle(on="u", npartitions=npartitions).map_partitions(_unique_edges, meta=meta)
        previous = state
    raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")


def _empty_edges() -> Any:
    import pandas as pd

    return pd.DataFrame({"u": np.zeros(0, np.int64), "v": np.zeros(0, np.int64)})


def _root_rows(frame: Any) -> Any:
    import pandas as pd

    roots = np.unique(frame["v"].to_numpy())
    return pd.DataFrame({"u": roots, "v": roots})


def _unique_edges(frame: Any) -> Any:
    import pandas as pd

    codes = np.unique(
        (frame["u"].to_numpy().astype(np.uint64) << np.uint64(32)) | frame["v"].to_numpy().astype(np.uint64)
    )
    return pd.DataFrame(
        {"u": (codes >> np.uint64(32)).astype(np.int64), "v": (codes & MASK32).astype(np.int64)}
    )
