""":func:`dedup` on a Dask cluster: place, sign, band, verify, cluster (see :mod:`retold.dask`).
"""
from __future__ import annotations

import operator
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from retold._backend import kernels
from retold._renamed import renamed_keyword
from retold._validate import check_int
from retold.copies import CopyPairs, DedupResult, DedupStats
from retold.dask.components import connected_components
from retold.dask.parquet import write_dedup_parquet, write_pairs_parquet
from retold.dask.read import Fields, gather_columns, place
from retold.dask.runtime import delayed, require_dask
from retold.dask.signing import (
    band_meta,
    bucket_key_shift,
    bucket_pairs,
    pick,
    route,
    route_summary,
    sign_part,
    truncated_keys,
)
from retold.dask.verify import block_counts, distributed_best_matches, edges_frame, export_sets, verify_block
from retold.dedup_core import best_matches, clusters_from_roots
from retold.article_fields import FieldOptions, field_keywords
from retold.lsh import DEFAULT_BUCKET_CAP

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["DaskDedupResult", "dedup", "DEFAULT_MAX_DRIVER_EDGES"]


DEFAULT_MAX_DRIVER_EDGES = 50_000_000
"""Accepted pairs up to which connected components run on the driver (16 bytes per edge)."""


@dataclass(frozen=True, eq=False, repr=False)
class DaskDedupResult(DedupResult):
    """A :class:`retold.DedupResult` from a Dask run, with where its time and bytes went.

    Attributes
    ----------
    dask_stats : dict
        ``partitions``, ``band_partitions``, ``band_rows`` and ``shuffle_bytes`` (rows and bytes
        the band-key shuffle moved), ``blocks`` (verification blocks), ``components``
        ("driver" or "distributed"), ``seconds`` (wall time of the stages ``read``, ``sign``,
        ``band``, ``verify``, ``cluster``).
    pair_frame : dask.dataframe.DataFrame
        The accepted pairs as a dask dataframe (``u``, ``v`` positions, ``similarity``), kept on
        the workers; when the components ran distributed, ``pairs`` is left empty and this
        holds them.
    """

    dask_stats: dict[str, Any] = field(default_factory=dict)
    pair_frame: Any = field(default=None, repr=False)
    _corpus: Any = field(default=None, repr=False)

    def to_parquet(
        self, path: str | os.PathLike[str], *, pairs_path: str | os.PathLike[str] | None = None
    ) -> None:
        """Write one row per document (the columns of :meth:`to_records`) as a Parquet dataset.

        The partitions are written by the workers, in input order, into a directory beside
        ``path`` under a temporary name that is renamed into place at the end, so a failed run
        leaves no partial output (a URL such as ``s3://bucket/out`` is written in place: object
        stores cannot rename).  The workers must all see ``path``: a shared file system or an
        object store on a real cluster.  ``pairs_path`` also writes the accepted pairs (``left``,
        ``right`` ids, ``similarity``).
        """
        write_dedup_parquet(self, self._corpus, path)
        if pairs_path is not None:
            write_pairs_parquet(self, pairs_path)


class _Stages:
    """Stage timings, and a ``progress`` hook's context per stage (stages end at a barrier)."""

    def __init__(self, progress: Any, names: Sequence[str]) -> None:
        self.progress = progress
        self.names = list(names)
        self.seconds: dict[str, float] = {}
        self.start = time.perf_counter()
        self.context: Any = None
        self._open()

    def _open(self) -> None:
        if self.progress is not None and self.names:
            self.context = self.progress(self.names[0], None)
            self.context.__enter__()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = round(now - self.start, 3)
        self.start = now
        if self.context is not None:
            self.context.__exit__(None, None, None)
            self.context = None
        if self.names and self.names[0] == stage:
            self.names.pop(0)
        self._open()

    def close(self) -> None:
        if self.context is not None:
            self.context.__exit__(None, None, None)
            self.context = None


@field_keywords
def dedup(
    collection: Any,
    *,
    threshold: float = 0.8,
    ngram: int = 5,
    num_perm: int = 128,
    recall: float = 0.95,
    verify: bool = True,
    keep: str = "earliest",
    measure: str = "jaccard",
    lsh_threshold: float | None = None,
    params: tuple[int, int] | None = None,
    unit: str = "word",
    seed: int = 1,
    bucket_cap: int = DEFAULT_BUCKET_CAP,
    band_partitions: int | None = None,
    shuffle_method: str | None = None,
    max_driver_edges: int = DEFAULT_MAX_DRIVER_EDGES,
    progress: Any = None,
    similarity: str | None = None,
    **field_options: Unpack[FieldOptions],
) -> Any:
    """Find the copies in a corpus on a Dask cluster: :func:`retold.dedup`, distributed.

    Takes the options of :func:`retold.dedup` (``threshold``, ``ngram``, ``num_perm``,
    ``recall``, ``verify``, ``keep``, ``measure``, ``lsh_threshold``, ``params``, ``unit``,
    ``seed``, ``bucket_cap``) with the same meaning and defaults, and returns the same result on
    the same documents in the same order.  Runs on the current Dask client (or dask's local
    scheduler when there is none).

    Parameters
    ----------
    collection : dask.bag.Bag or dask.dataframe.DataFrame
        A bag of strings, dicts or :class:`retold.Article`, or a dataframe with one row per
        article (see :func:`read_articles`).  Input order is partition order, then row order.
    text_field, id_field, date_field, title_field, source_field, lang_field : str
        Names of the columns (or dict keys) of each part of an article.
    band_partitions : int, optional
        Partitions of the band-key shuffle (default: as many as the input).
    shuffle_method : {"p2p", "tasks", "disk"}, optional
        How dask shuffles the band keys (default: dask's choice, p2p on a distributed cluster).
    max_driver_edges : int
        Connected components run on the driver when the accepted pairs number at most this
        many; beyond, distributed large-star/small-star, and ``pairs`` of the result stays
        empty while ``pair_frame`` holds the pairs on the workers.
    progress : callable, optional
        ``progress(stage, total)`` returning a context manager, as for :func:`retold.dedup`
        (:meth:`retold.progress.Progress.stage` fits); the stages are ``read``, ``sign``,
        ``band``, ``verify``, ``cluster``.

    Returns
    -------
    DaskDedupResult
        A :class:`retold.DedupResult` (``labels`` in input order, ``representatives``,
        ``matched_with``, ``similarity``, ``pairs``, ``stats``) with ``dask_stats`` and
        :meth:`to_parquet`.
    """
    require_dask()
    from retold.copies import check_dedup_options
    from retold.lsh import MinHashLSH

    measure = renamed_keyword(measure, similarity, old="similarity", new="measure", default="jaccard",
                              where="retold.dask.dedup")
    threshold, recall, ngram, lsh_threshold = check_dedup_options(
        threshold=threshold, recall=recall, ngram=ngram, keep=keep, measure=measure,
        verify=verify, lsh_threshold=lsh_threshold,
    )
    max_driver_edges = check_int(max_driver_edges, "max_driver_edges", 0, 1 << 62)
    lsh = MinHashLSH(
        lsh_threshold, num_perm, recall=recall, params=params,
        bucket_cap=bucket_cap,
    )
    fields, unknown = Fields.split(field_options)
    if unknown:  # as retold.dedup refuses them
        raise TypeError(f"unknown field option(s): {', '.join(sorted(unknown))}")

    stages = _Stages(progress, ("read", "sign", "band", "verify", "cluster"))
    lap = stages.lap
    try:
        return _dedup(
            collection, lap, stages.seconds, lsh=lsh, fields=fields, threshold=threshold, ngram=ngram,
            unit=unit, seed=seed, verify=verify, keep=keep, measure=measure,
            lsh_threshold=lsh_threshold, band_partitions=band_partitions,
            shuffle_method=shuffle_method, max_driver_edges=max_driver_edges,
        )
    finally:
        stages.close()


def _dedup(
    collection: Any, lap: Any, seconds: dict[str, Any], *, lsh: Any, fields: Fields, threshold: float, ngram: int,
    unit: str, seed: int, verify: bool, keep: str, measure: str, lsh_threshold: float,
    band_partitions: int | None, shuffle_method: str | None, max_driver_edges: int,
) -> Any:
    dask, dd, _ = require_dask()
    corpus = place(collection, fields)
    n, n_parts = corpus.n, len(corpus.parts)
    if n > (1 << 32) - 1:
        raise ValueError(f"at most {(1 << 32) - 1} documents, got {n}")
    meta = gather_columns(corpus, ("id", "length", "date_us"))
    ids = [str(i) for i in meta["id"].tolist()]
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        for ident in ids:
            if ident in seen:
                raise ValueError(f"duplicate document id {ident!r}: ids must be unique")
            seen.add(ident)

    lap("read")
    # sign -> one shuffle on (band, key) -> candidate pairs per bucket
    signed = list(dask.persist(*[delayed(sign_part, p, lsh, ngram, unit, seed) for p in corpus.parts]))
    empty_parts = dask.compute(*[delayed(operator.getitem, s, 1) for s in signed])
    empty = np.concatenate(empty_parts) if empty_parts else np.zeros(0, bool)
    lap("sign")
    shift = bucket_key_shift(int((~empty).sum()))
    band_rows = [delayed(truncated_keys, s, shift) for s in signed]
    frame = dd.from_delayed(band_rows, meta=band_meta(), verify_meta=False)
    band_parts = band_partitions or max(1, n_parts)
    shuffled = frame.shuffle(on=["band", "key"], npartitions=band_parts, shuffle_method=shuffle_method)
    bucketed = [delayed(bucket_pairs, p, lsh.bucket_cap) for p in shuffled.to_delayed()]
    routed = list(dask.persist(*[delayed(route, b, corpus.bounds) for b in bucketed]))
    del signed, band_rows, frame, shuffled, bucketed
    summaries = dask.compute(*[delayed(route_summary, r) for r in routed])
    lap("band")
    band_row_count = int(lsh.bands * int((~empty).sum()))

    # verify where the texts live: exports per text partition, then one task per block
    mode = "verify" if verify else "estimate"
    need_from: dict[int, list[Any]] = {}
    block_from: dict[int, list[Any]] = {}
    for m, (blocks, needs, _, _) in enumerate(summaries):
        for q in needs:
            need_from.setdefault(q, []).append(delayed(pick, routed[m], "need", q))
        for blk in blocks:
            block_from.setdefault(blk, []).append(delayed(pick, routed[m], "blocks", blk))
    exports = {
        q: delayed(
            export_sets, corpus.parts[q], int(corpus.bounds[q]), mode, ngram, unit, lsh.num_perm, seed, *parts
        )
        for q, parts in sorted(need_from.items())
    }
    verified = []
    for blk, parts in sorted(block_from.items()):
        p, q = divmod(blk, n_parts)
        verified.append(
            delayed(
                verify_block, exports[p], None if p == q else exports[q], mode,
                measure == "containment", threshold, *parts,
            )
        )
    verified = list(dask.persist(*verified))
    counts = dask.compute(*[delayed(block_counts, v) for v in verified])
    lap("verify")
    n_candidates = int(sum(c for c, _ in counts))
    n_accepted = int(sum(a for _, a in counts))
    del routed, exports

    edge_meta = edges_frame((np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), 0))
    pair_frame = (
        dd.from_delayed([delayed(edges_frame, v) for v in verified], meta=edge_meta, verify_meta=False)
        if verified
        else dd.from_pandas(edge_meta, npartitions=1)
    )
    dask_stats: dict[str, Any] = {
        "partitions": n_parts,
        "band_partitions": band_parts,
        "band_rows": band_row_count,
        # Each row is a uint16 band, a uint64 key and an int64 position.
        "shuffle_bytes": band_row_count * 18,
        "blocks": len(block_from),
    }

    if n_accepted <= max_driver_edges:
        dask_stats["components"] = "driver"
        blocks_out = dask.compute(*verified)
        if blocks_out:
            left = np.concatenate([b[0] for b in blocks_out])
            right = np.concatenate([b[1] for b in blocks_out])
            sims = np.concatenate([b[2] for b in blocks_out])
        else:
            left = right = np.zeros(0, np.int64)
            sims = np.zeros(0, np.float64)
        order = np.lexsort((right, left))
        pairs = CopyPairs(left[order], right[order], sims[order], np.full(len(order), verify, dtype=bool))
        roots = np.empty(n, dtype=np.int64)
        kernels("lsh").union_find(pairs.a, pairs.b, roots)
        matches = best_matches(n, pairs)
    else:
        dask_stats["components"] = "distributed"
        components = connected_components(pair_frame, npartitions=max(1, n_parts)).compute()
        roots = np.arange(n, dtype=np.int64)
        roots[components["u"].to_numpy()] = components["v"].to_numpy()
        matches = distributed_best_matches(pair_frame, n)
        pairs = CopyPairs(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool))
    clusters = clusters_from_roots(roots, keep, meta["length"].astype(np.int64),
                                   meta["date_us"].astype(np.int64))

    buckets_capped = int(sum(s[2] for s in summaries))
    largest_bucket = int(max((s[3] for s in summaries), default=0))
    stats = DedupStats.of_run(n, int(empty.sum()), n_candidates, n_accepted, lsh, lsh_threshold,
                              lsh.bucket_cap, buckets_capped, largest_bucket)
    lap("cluster")
    dask_stats["seconds"] = seconds
    return DaskDedupResult.assemble(ids, clusters, matches, pairs, stats, threshold, measure, keep,
                                    dask_stats=dask_stats, pair_frame=pair_frame, _corpus=corpus)
