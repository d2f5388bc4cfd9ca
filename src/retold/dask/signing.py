"""Signing and banding: MinHash band keys per partition, one shuffle on ``(band, key)``, and
each bucket's candidate pairs routed to the verification block that needs them.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from retold._backend import kernels
from retold.dask.runtime import MASK32
from retold.hashing import EMPTY_SLOT, minhash_batch

__all__ = ["sign_part", "bucket_key_shift", "truncated_keys", "band_meta", "bucket_pairs", "route",
           "route_summary", "pick"]


def sign_part(part: Any, lsh: Any, ngram: int, unit: str, seed: int) -> tuple[Any, np.ndarray]:
    """Band-key rows (band, key, pos) of a partition's non-empty documents, and its empty mask."""
    import pandas as pd

    texts = part["text"].tolist()
    sigs = minhash_batch(texts, num_perm=lsh.num_perm, ngram=ngram, unit=unit, seed=seed)
    empty = np.all(sigs == EMPTY_SLOT, axis=1) if sigs.shape[1] else np.ones(len(texts), bool)
    keys = lsh.band_keys(sigs)  # (bands, n)
    rows = np.flatnonzero(~empty)
    pos = part["pos"].to_numpy()[rows]
    frame = pd.DataFrame(
        {
            "band": np.repeat(np.arange(lsh.bands, dtype=np.uint16), len(rows)),
            "key": keys[:, rows].ravel(),
            "pos": np.tile(pos, lsh.bands),
        }
    )
    return frame, empty


def bucket_key_shift(m: int) -> int:
    """Low bits of the band keys that :meth:`retold.MinHashLSH.candidate_pairs_from_keys` drops.

    The single-machine batch path sorts each band's keys packed with the row number in the
    low ``bits = bit_length(m - 1)`` bits (``m``: non-empty documents), so its buckets are runs
    of equal ``key >> bits``.  Bucketing on the same truncated key gives the same candidates,
    the rare spurious ones included.
    """
    bits = max(1, (m - 1).bit_length())
    return bits if bits <= 40 else 0


def truncated_keys(signed: tuple[Any, ...], shift: int) -> Any:
    frame = signed[0]
    if shift:
        frame = frame.assign(key=frame["key"].to_numpy() >> np.uint64(shift))
    return frame


def band_meta() -> Any:
    import pandas as pd

    return pd.DataFrame(
        {"band": np.zeros(0, np.uint16), "key": np.zeros(0, np.uint64), "pos": np.zeros(0, np.int64)}
    )


def bucket_pairs(frame: Any, cap: int) -> tuple[np.ndarray, tuple[int, int, int]]:
    """Candidate pair codes of the buckets in one shuffled partition, as MinHashLSH makes them.

    Rows are sorted by (band, key, position): a bucket's members are in input order, and one
    over the cap gives the star edges from its smallest position, as the single-machine batch
    path does (keys already truncated as it truncates them, see :func:`bucket_key_shift`).
    """
    lsh_kernels = kernels("lsh")
    band = frame["band"].to_numpy()
    key = frame["key"].to_numpy()
    pos = frame["pos"].to_numpy()
    order = np.lexsort((pos, key, band))
    band, key, pos = band[order], np.ascontiguousarray(key[order]), np.ascontiguousarray(pos[order])
    starts = np.flatnonzero(np.r_[True, band[1:] != band[:-1]]) if len(band) else np.zeros(0, np.int64)
    ends = np.r_[starts[1:], len(band)]
    codes = []
    capped = largest = 0
    for a, b in zip(starts.tolist(), ends.tolist()):
        seg_keys, seg_pos = key[a:b], pos[a:b]
        count, seg_capped, seg_largest = lsh_kernels.count_bucket_pairs(seg_keys, cap)
        capped += int(seg_capped)
        largest = max(largest, int(seg_largest))
        out = np.empty(int(count), dtype=np.uint64)
        if count:
            lsh_kernels.fill_bucket_pairs(seg_keys, seg_pos, cap, out)
        codes.append(out)
    merged = np.unique(np.concatenate(codes)) if codes else np.zeros(0, np.uint64)
    return merged, (int(len(merged)), capped, largest)


def route(bucketed: tuple[Any, ...], bounds: np.ndarray) -> dict[str, Any]:
    """Split one partition's pair codes by block (partition of left, partition of right).

    Also lists, per text partition, the positions whose shingle sets the blocks will ask for.
    """
    codes, (_, capped, largest) = bucketed
    left = (codes >> np.uint64(32)).astype(np.int64)
    right = (codes & MASK32).astype(np.int64)
    n_parts = len(bounds) - 1
    lp = np.searchsorted(bounds, left, side="right") - 1
    rp = np.searchsorted(bounds, right, side="right") - 1
    block = lp * n_parts + rp
    order = np.argsort(block, kind="stable")
    blocks: dict[int, np.ndarray] = {}
    if len(order):
        sorted_block = block[order]
        cuts = np.flatnonzero(np.r_[True, sorted_block[1:] != sorted_block[:-1], True])
        for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
            blocks[int(sorted_block[a])] = codes[order[a:b]]
    docs = np.unique(np.concatenate([left, right]))
    dp = np.searchsorted(bounds, docs, side="right") - 1
    need: dict[int, np.ndarray] = {}
    if len(docs):
        cuts = np.flatnonzero(np.r_[True, dp[1:] != dp[:-1], True])
        for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
            need[int(dp[a])] = docs[a:b]
    return {"blocks": blocks, "need": need, "capped": capped, "largest": largest}


def route_summary(routed: dict[str, Any]) -> tuple[list[int], list[int], int, int]:
    return sorted(routed["blocks"]), sorted(routed["need"]), routed["capped"], routed["largest"]


def pick(routed: dict[str, Any], kind: str, key: int) -> np.ndarray:
    picked: np.ndarray = routed[kind][key]
    return picked
