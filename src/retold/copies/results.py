"""What :func:`retold.dedup` returns: the pairs found, the clusters, the run's numbers."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterator, TypeVar

import numpy as np

from retold._renamed import renamed_attribute
from retold.io import frames as _frames
from retold.io.errors import SkippedRecord


@dataclass(frozen=True)
class CopyPairs:
    """Pairs of documents found to be copies, by position in the input.

    Attributes
    ----------
    a, b : np.ndarray of int64
        Positions of the two ends of each pair, ``a < b``, sorted by (a, b) (``left`` and
        ``right`` are their old names, kept for one release).
    similarity : np.ndarray of float64
        Exact Jaccard or containment of the shingle sets when ``verified``, else the MinHash
        estimate of Jaccard.
    verified : np.ndarray of bool
        Whether the similarity was measured on the shingle sets.
    """

    a: np.ndarray
    b: np.ndarray
    similarity: np.ndarray
    verified: np.ndarray

    left = renamed_attribute[np.ndarray]("a")
    right = renamed_attribute[np.ndarray]("b")

    def __len__(self) -> int:
        return len(self.a)


@dataclass(frozen=True)
class Cluster:
    """A group of copies: ``members`` are ids in input order; ``representative`` is the one to keep."""

    id: int
    representative: str
    members: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class DedupStats:
    """How a :func:`dedup` run went.

    Attributes
    ----------
    documents, empty : int
        Documents read, and those without a single shingle (never copies of anything).
    candidates : int
        Candidate pairs from LSH.
    accepted, rejected : int
        Candidates whose similarity reached the threshold, and the others.
    params : (int, int)
        LSH bands and rows.
    lsh_threshold : float
        The Jaccard similarity the LSH stage was tuned for.
    bucket_cap, buckets_capped, largest_bucket : int
        See :class:`retold.lsh.Candidates`: buckets over the cap gave star edges only.
    """

    documents: int
    empty: int
    candidates: int
    accepted: int
    rejected: int
    params: tuple[int, int]
    lsh_threshold: float
    bucket_cap: int
    buckets_capped: int
    largest_bucket: int

    @classmethod
    def of_run(cls, documents: int, empty: int, candidates: int, accepted: int, lsh: Any,
               lsh_threshold: float, bucket_cap: int, buckets_capped: int,
               largest_bucket: int) -> DedupStats:
        """The stats of a run (single-machine or Dask): ``rejected`` is the candidates not
        accepted, ``params`` the bands and rows of ``lsh`` (a :class:`retold.MinHashLSH`)."""
        return cls(documents, empty, candidates, accepted, candidates - accepted, lsh.params,
                   lsh_threshold, bucket_cap, buckets_capped, largest_bucket)


_Result = TypeVar("_Result", bound="DedupResult")


@dataclass(frozen=True, eq=False)
class DedupResult(_frames.ResultTables):
    """Copy clusters of a corpus.

    Its tables (:meth:`to_pandas`, :meth:`to_arrow`): ``"documents"`` (one row per document, the
    default), ``"pairs"`` (accepted pairs) and ``"clusters"``.

    Attributes
    ----------
    ids : list of str
        Document ids in input order (a string's id is its position).
    labels : np.ndarray of int64
        Cluster id of each document: clusters are numbered 0, 1, ... in the order of their first
        member, and a document with no copy is a cluster of its own.
    representatives : np.ndarray of int64
        Position of each cluster's representative (``representatives[labels[i]]`` is the one
        kept for document ``i``).
    matched_with : np.ndarray of int64
        Position of the document each one matched most closely (highest similarity, ties to the
        earlier one), -1 for documents without a copy.
    similarity : np.ndarray of float64
        Similarity to ``matched_with``, NaN without a match.
    pairs : CopyPairs
        The accepted pairs.
    stats : DedupStats
    threshold : float
    measure : {"jaccard", "containment"}
    keep : {"first", "longest", "earliest"}
    skipped : tuple of SkippedRecord
        Rows left out by ``on_error="skip"`` (each names its row position and why).
    row_labels : pandas Index, np.ndarray or None
        The input row of each document, the index of :meth:`to_pandas`: the input's own index
        for a pandas DataFrame or Series, the row positions when rows were skipped, else None
        (0, 1, ...).
    """

    ids: list[str]
    labels: np.ndarray
    representatives: np.ndarray
    matched_with: np.ndarray
    similarity: np.ndarray
    pairs: CopyPairs
    stats: DedupStats
    threshold: float
    measure: str
    keep: str
    _position: dict[str, int] = field(default_factory=dict, repr=False)
    skipped: tuple[SkippedRecord, ...] = field(default=(), repr=False)
    row_labels: Any = field(default=None, repr=False)

    @classmethod
    def assemble(cls: type[_Result], ids: list[str], clusters: tuple[np.ndarray, np.ndarray],
                 matches: tuple[np.ndarray, np.ndarray], pairs: CopyPairs, stats: DedupStats,
                 threshold: float, measure: str, keep: str, **extra: Any) -> _Result:
        """The result of a run, from what :func:`retold.dedup_core.clusters_from_roots` (labels,
        representatives) and :func:`retold.dedup_core.best_matches` (partner, similarity) return;
        ``extra`` are the fields of a subclass (:class:`retold.dask.DaskDedupResult`) or of the
        input (``skipped``, ``row_labels``).  Both dedup paths build their result here."""
        (labels, representatives), (matched_with, similarity) = clusters, matches
        return cls(ids=ids, labels=labels, representatives=representatives,
                   matched_with=matched_with, similarity=similarity, pairs=pairs, stats=stats,
                   threshold=threshold, measure=measure, keep=keep, **extra)

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        copies = int(len(self.ids) - len(self.representatives))
        return (
            f"DedupResult(documents={len(self.ids)}, clusters={len(self.representatives)}, "
            f"copies={copies}, pairs={len(self.pairs)})"
        )

    @cached_property
    def cluster_sizes(self) -> np.ndarray:
        """Members of each cluster (indexed by cluster id)."""
        return np.bincount(self.labels, minlength=len(self.representatives)).astype(np.int64)

    @cached_property
    def is_representative(self) -> np.ndarray:
        """Boolean mask of the documents to keep: one per cluster (every singleton is kept)."""
        mask = np.zeros(len(self.ids), dtype=bool)
        mask[self.representatives] = True
        return mask

    @cached_property
    def clusters(self) -> list[Cluster]:
        """The clusters with two or more members, by cluster id."""
        sizes = self.cluster_sizes
        order = np.argsort(self.labels, kind="stable")
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        out = []
        for cid in np.flatnonzero(sizes > 1).tolist():
            members = order[bounds[cid] : bounds[cid + 1]].tolist()
            out.append(
                Cluster(cid, self.ids[int(self.representatives[cid])], tuple(self.ids[m] for m in members))
            )
        return out

    def unique_ids(self) -> list[str]:
        """Ids of the documents to keep (one per cluster), in input order."""
        return [self.ids[i] for i in np.flatnonzero(self.is_representative).tolist()]

    def cluster_of(self, doc_id: str) -> list[str]:
        """Ids of every member of the cluster of ``doc_id``, in input order."""
        if not self._position:
            self._position.update((k, i) for i, k in enumerate(self.ids))
        label = self.labels[self._position[doc_id]]
        return [self.ids[i] for i in np.flatnonzero(self.labels == label).tolist()]

    def iter_records(self) -> Iterator[dict[str, Any]]:
        """One dict per document, in input order (see :meth:`to_records`)."""
        sizes = self.cluster_sizes
        for i, (label, match, sim) in enumerate(
            zip(self.labels.tolist(), self.matched_with.tolist(), self.similarity.tolist())
        ):
            rep = int(self.representatives[label])
            yield {
                "id": self.ids[i],
                "cluster": label,
                "cluster_size": int(sizes[label]),
                "representative": self.ids[rep],
                "is_representative": rep == i,
                "matched_with": self.ids[match] if match >= 0 else None,
                "similarity": None if math.isnan(sim) else round(sim, 6),
            }

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per document: ``id``, ``cluster``, ``cluster_size``, ``representative`` (id),
        ``is_representative``, ``matched_with`` (id or None), ``similarity`` (or None)."""
        return list(self.iter_records())

    def _tables(self) -> dict[str, Callable[[], _frames.Table]]:
        return _frames.dedup_tables(self)

    def iter_pair_records(self) -> Iterator[dict[str, Any]]:
        """One dict per accepted pair: ``a``, ``b`` (ids), ``similarity``, ``verified``, ``measure``."""
        for a, b, sim, ok in zip(
            self.pairs.a.tolist(),
            self.pairs.b.tolist(),
            self.pairs.similarity.tolist(),
            self.pairs.verified.tolist(),
        ):
            yield {
                "a": self.ids[a],
                "b": self.ids[b],
                "similarity": round(sim, 6),
                "verified": ok,
                "measure": self.measure if ok else "jaccard_estimate",
            }
