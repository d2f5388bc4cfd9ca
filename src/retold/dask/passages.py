""":func:`reused_passages` on a Dask cluster: the rare n-gram index built where the texts live.
"""
from __future__ import annotations

import operator
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from retold._validate import check_int
from retold.dask.read import Fields, gather_articles, gather_columns, place
from retold.dask.runtime import delayed, require_dask

if TYPE_CHECKING:
    from retold.article import Article

__all__ = ["reused_passages"]


def _reuse_rows(part: Any, ngram: int, buckets: int) -> list[Any]:
    """A partition's n-gram rows (global positions), split into ``buckets`` by hash."""
    from retold.reuse_index import ngram_rows

    first = int(part["pos"].iloc[0]) if len(part) else 0
    hashes, docs, positions = ngram_rows(list(part["text"]), ngram=ngram, first=first)
    docs, positions = docs.astype(np.int32), positions.astype(np.int32)  # 16 bytes a row to ship
    which = (hashes % np.uint64(buckets)).astype(np.int64)
    return [(hashes[which == b], docs[which == b], positions[which == b]) for b in range(buckets)]


def _reuse_bucket(max_df: int, *rows: tuple[Any, ...]) -> Any:
    """The pair evidence of one hash bucket; its rows come in partition (so document) order."""
    from retold.reuse_index import pair_evidence

    return pair_evidence(*(np.concatenate([r[j] for r in rows]) for j in range(3)), max_df=max_df)


def _row_count(piece: list[Any]) -> int:
    return sum(len(bucket[0]) for bucket in piece)


def _reuse_texts(part: Any, wanted: np.ndarray) -> dict[int, str]:
    """Texts of the wanted global positions that this partition holds."""
    pos = part["pos"].to_numpy()
    keep = np.isin(pos, wanted)
    return dict(zip(pos[keep].tolist(), part["text"].to_numpy()[keep].tolist()))


def _reuse_align(pairs: Any, align: dict[str, Any], *texts: dict[int, str]) -> Any:
    from retold.reuse_index import align_candidates

    merged: dict[int, str] = {}
    for t in texts:
        merged.update(t)
    return align_candidates(merged, pairs, **align)


def _reuse_articles(part: Any, wanted: np.ndarray) -> dict[int, Article]:
    pos = part["pos"].to_numpy()
    rows = np.flatnonzero(np.isin(pos, wanted))
    return dict(zip(pos[rows].tolist(), gather_articles(part, rows)))


def reused_passages(
    collection: Any,
    *,
    buckets: int | None = None,
    **options: Any,
) -> Any:
    """Passages reused across a corpus on a Dask cluster: the result of :func:`retold.reused_passages`.

    1. **index** where the texts live: each partition's n-gram rows, split into ``buckets`` by
       hash (default: the number of partitions);
    2. **candidates**: each bucket's pair evidence (posting lists capped at ``max_df``) in one
       task; the buckets hold disjoint n-grams, so their evidence adds up on the driver to
       exactly the single-machine counts;
    3. **align**: the candidate pairs in chunks, each task given the texts of just its articles;
    4. **cluster** on the driver, over the aligned spans and the articles they name.

    ``options`` are the names of each part of an article (``text_field`` ... ``lang_field``,
    as for :func:`dedup`) and those of :func:`retold.reused_passages` (``workers`` excepted),
    with its defaults; ``stats.seconds`` times the stages as seen from the driver.
    """
    dask, _, _ = require_dask()
    from retold.passage_reuse import (
        DEFAULTS,
        ReusedPassages,
        ReuseStats,
        align_options,
        check_reuse_options,
        cluster_alignments,
    )
    from retold.reuse_index import Alignments, merge_pair_evidence

    fields, options = Fields.split(options)
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise TypeError(f"unexpected option(s) {', '.join(unknown)}; "
                        f"retold.reused_passages takes {', '.join(DEFAULTS)}")
    opts = check_reuse_options(**{**DEFAULTS, **options})
    corpus = place(collection, fields)
    n_parts = len(corpus.parts)
    n_buckets = check_int(buckets if buckets is not None else max(1, n_parts), "buckets", 1, 1 << 16)
    seconds: dict[str, float] = {}
    began = time.perf_counter()
    rows = [delayed(_reuse_rows, p, opts["ngram"], n_buckets) for p in corpus.parts]
    counted = [delayed(_row_count, r) for r in rows]
    # Each bucket task is sent its own slice of every partition's rows, not the whole rows.
    evidence = [delayed(_reuse_bucket, opts["max_df"], *[delayed(operator.getitem, r, b) for r in rows])
                for b in range(n_buckets)]
    parts, sizes = dask.compute(evidence, counted)
    seconds["index+candidates"] = time.perf_counter() - began
    began = time.perf_counter()
    whole = merge_pair_evidence(list(parts))
    candidates = whole.candidates(opts["min_shared"])
    if not opts["same_source"]:
        sources = gather_columns(corpus, ("source",))["source"].tolist()
        candidates = candidates.across_sources(sources)
    wanted = np.unique(np.concatenate([candidates.left, candidates.right]))
    texts = [delayed(_reuse_texts, p, wanted) for p in corpus.parts]
    size = max(1, -(-len(candidates) // max(1, 4 * n_parts)))
    chunks = [delayed(_reuse_align, candidates.rows(i, min(i + size, len(candidates))),
                       align_options(opts), *texts)
              for i in range(0, len(candidates), size)]
    aligned = Alignments.concatenate(list(dask.compute(*chunks)))
    seconds["align"] = time.perf_counter() - began
    began = time.perf_counter()
    named = np.unique(np.concatenate([aligned.left_doc, aligned.right_doc]))
    articles: dict[int, Article] = {}
    for piece in dask.compute(*[delayed(_reuse_articles, p, named) for p in corpus.parts]):
        articles.update(piece)
    passages = cluster_alignments(aligned, articles, relative_overlap=opts["relative_overlap"])
    seconds["cluster"] = time.perf_counter() - began
    stats = ReuseStats(
        documents=corpus.n, ngrams=int(sum(sizes)), rare_ngrams=whole.rare,
        boilerplate_ngrams=whole.boilerplate, evidence_pairs=len(whole),
        candidate_pairs=len(candidates), alignments=len(aligned), passages=len(passages),
        seconds=seconds,
    )
    return ReusedPassages(passages, stats, opts)
