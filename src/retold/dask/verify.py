"""Verification where the texts live: each text partition exports the shingle sets (or
signatures) its blocks ask for, and each block's candidate pairs are scored exactly.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from retold._backend import kernels
from retold.dask.runtime import MASK32
from retold.hashing import minhash_batch, shingle_sets

__all__ = ["export_sets", "verify_block", "block_counts", "edges_frame", "distributed_best_matches"]


def export_sets(
    part: Any, offset: int, mode: str, ngram: int, unit: str, num_perm: int, seed: int, *needs: np.ndarray
) -> tuple[Any, ...]:
    """What the blocks need of one partition: shingle sets (or signatures) of the asked documents."""
    positions = np.unique(np.concatenate(needs)) if needs else np.zeros(0, np.int64)
    texts = part["text"].to_numpy()[positions - offset].tolist()
    if mode == "verify":
        offsets, values = shingle_sets(texts, ngram=ngram, unit=unit)
        return positions, offsets, values
    return positions, minhash_batch(texts, num_perm=num_perm, ngram=ngram, unit=unit, seed=seed)


def verify_block(
    left_export: tuple[Any, ...], right_export: tuple[Any, ...] | None, mode: str, containment: bool, threshold: float,
    *code_parts: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Similarity of one block's candidate pairs; returns the accepted (left, right, sim) and the count."""
    codes = np.unique(np.concatenate(code_parts)) if code_parts else np.zeros(0, np.uint64)
    left = (codes >> np.uint64(32)).astype(np.int64)
    right = (codes & MASK32).astype(np.int64)
    r_export = left_export if right_export is None else right_export
    li = np.searchsorted(left_export[0], left)
    ri = np.searchsorted(r_export[0], right)
    sims = np.empty(len(codes), dtype=np.float64)
    if mode == "verify":
        if right_export is None:
            offsets, values = left_export[1], left_export[2]
        else:
            offsets = np.concatenate([left_export[1], right_export[1][1:] + left_export[1][-1]])
            values = np.concatenate([left_export[2], right_export[2]])
            ri = ri + len(left_export[0])
        if len(codes):
            kernels("lsh").verify_pairs(
                np.ascontiguousarray(offsets, dtype=np.int64), np.ascontiguousarray(values, dtype=np.uint64),
                np.ascontiguousarray(li, dtype=np.int64), np.ascontiguousarray(ri, dtype=np.int64),
                containment, sims,
            )
    else:
        # The MinHash estimate, as retold.copies computes it (share of equal slots).
        for start in range(0, len(codes), 65536):
            a = left_export[1][li[start : start + 65536]]
            b = r_export[1][ri[start : start + 65536]]
            sims[start : start + 65536] = np.mean(a == b, axis=1)
    accept = sims >= threshold
    return left[accept], right[accept], sims[accept], int(len(codes))


def block_counts(block: tuple[Any, ...]) -> tuple[int, int]:
    return block[3], len(block[0])


def edges_frame(block: tuple[Any, ...]) -> Any:
    import pandas as pd

    left, right, sims, _ = block
    return pd.DataFrame({"u": left, "v": right, "similarity": sims})


def _best_partner(frame: Any) -> Any:
    """Per document of this partition, its best match: highest similarity, ties to the earlier."""
    import pandas as pd

    doc = frame["u"].to_numpy()
    partner = frame["v"].to_numpy()
    sim = frame["similarity"].to_numpy()
    if len(doc) == 0:
        return pd.DataFrame({"u": doc, "v": partner, "similarity": sim})
    order = np.lexsort((partner, -sim, doc))
    doc, partner, sim = doc[order], partner[order], sim[order]
    first = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])
    return pd.DataFrame({"u": doc[first], "v": partner[first], "similarity": sim[first]})


def _both_ways_sim(frame: Any) -> Any:
    import pandas as pd

    u, v, s = frame["u"].to_numpy(), frame["v"].to_numpy(), frame["similarity"].to_numpy()
    return pd.DataFrame({"u": np.concatenate([u, v]), "v": np.concatenate([v, u]), "similarity": np.concatenate([s, s])})


def distributed_best_matches(pair_frame: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    meta = _best_partner(_both_ways_sim(edges_frame((np.zeros(0, np.int64),) * 2 + (np.zeros(0), 0))))
    both = pair_frame.map_partitions(_both_ways_sim, meta=meta)
    best = both.shuffle(on="u").map_partitions(_best_partner, meta=meta).compute()
    matched = np.full(n, -1, dtype=np.int64)
    similarity = np.full(n, np.nan, dtype=np.float64)
    matched[best["u"].to_numpy()] = best["v"].to_numpy()
    similarity[best["u"].to_numpy()] = best["similarity"].to_numpy()
    return matched, similarity
