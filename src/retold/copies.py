"""Copies of the same article at corpus scale: sign, band, verify, cluster.

:func:`dedup` runs the whole job on a stream of documents:

1. **sign**: MinHash signatures of word n-gram shingles, chunk by chunk (only the band keys of
   each chunk are kept, not the signatures);
2. **band**: candidate pairs from :class:`retold.MinHashLSH`'s batch path, tuned so that a pair at
   the threshold is found with the asked recall;
3. **verify**: every candidate's exact Jaccard (or containment) on its shingle sets; pairs below
   the threshold are dropped, so the results hold no false positives;
4. **cluster**: union-find over the verified pairs; each cluster elects a representative.

Everything is deterministic: the same documents in the same order give the same cluster ids,
representatives and pairs on every backend, thread count and run.
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, ContextManager, Iterable, Iterator, Mapping

import numpy as np

from retold._backend import kernels
from retold._renamed import renamed_attribute, renamed_keyword
from retold._validate import check_choice as _check_choice
from retold._validate import check_fraction as _check_fraction
from retold._validate import check_int as _check_int
from retold.article import Article
from retold.dates import microseconds as _microseconds
from retold.dedup_core import best_matches as _best_matches
from retold.dedup_core import clusters_from_roots
from retold.parallel import split_ranges as _split
from retold.progress import no_progress as _no_progress
from retold.hashing import EMPTY_SLOT, minhash_batch, shingle_sets
from retold.heap import gc_paused, release_freed_memory
from retold.io import frames as _frames
from retold.io.errors import SkippedRecord
from retold.io.tabular_input import ArticleInput, FieldOptions, chunked
from retold.lsh import DEFAULT_BUCKET_CAP, Candidates, MinHashLSH

if TYPE_CHECKING:
    import pandas as pd
    from typing_extensions import Unpack
    import pyarrow as pa

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import lsh as _lsh
else:
    _lsh = kernels("lsh")

MEASURES = ("jaccard", "containment")
KEEPS = ("first", "longest", "earliest")
# Verification computes shingle sets for the documents of this many pairs at a time, which
# bounds its memory however many candidates there are.
_VERIFY_BLOCK = 250_000

ProgressHook = Callable[[str, "int | None"], ContextManager[Callable[[int], None]]]


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


# ---------------------------------------------------------------- argument checks




# ---------------------------------------------------------------- the stages


@dataclass
class _Signed:
    """What the sign stage keeps of the corpus."""

    ids: list[str]
    texts: list[str | None]
    lengths: np.ndarray
    dates: np.ndarray
    band_keys: np.ndarray
    empty: np.ndarray
    signatures: np.ndarray | None




def _sign(
    docs: Iterable[Article],
    lsh: MinHashLSH,
    *,
    ngram: int,
    unit: str,
    seed: int,
    workers: int,
    keep_texts: bool,
    keep_signatures: bool,
    chunk_size: int,
    advance: Callable[[int], None],
) -> _Signed:
    ids: list[str] = []
    seen: set[str] = set()
    texts: list[str | None] = []
    lengths: list[np.ndarray] = []
    dates: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    empties: list[np.ndarray] = []
    sigs: list[np.ndarray] = []
    for chunk in chunked(docs, chunk_size):
        chunk_texts = [a.text for a in chunk]
        for article in chunk:
            if article.id in seen:
                raise ValueError(f"duplicate document id {article.id!r}: ids must be unique")
            seen.add(article.id)
            ids.append(article.id)
        signatures = minhash_batch(
            chunk_texts, num_perm=lsh.num_perm, ngram=ngram, unit=unit, seed=seed, workers=workers
        )
        keys.append(lsh.band_keys(signatures))
        empties.append(np.all(signatures == EMPTY_SLOT, axis=1))
        lengths.append(np.fromiter((len(t) for t in chunk_texts), dtype=np.int64, count=len(chunk)))
        dates.append(_microseconds([a.date for a in chunk]))
        if keep_texts:
            texts.extend(chunk_texts)
        if keep_signatures:
            sigs.append(signatures)
        advance(len(chunk))
    return _Signed(
        ids=ids,
        texts=texts,
        lengths=np.concatenate(lengths) if lengths else np.zeros(0, np.int64),
        dates=np.concatenate(dates) if dates else np.zeros(0, np.int64),
        band_keys=np.concatenate(keys, axis=1) if keys else np.zeros((lsh.bands, 0), np.uint64),
        empty=np.concatenate(empties) if empties else np.zeros(0, bool),
        signatures=(np.concatenate(sigs) if sigs else np.zeros((0, lsh.num_perm), np.uint64))
        if keep_signatures
        else None,
    )


def _in_threads(workers: int, jobs: list[Callable[[], Any]]) -> list[Any]:
    if workers == 1 or len(jobs) < 2:
        return [job() for job in jobs]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(job) for job in jobs]
        return [f.result() for f in futures]


def _shingle_csr(texts: list[str], *, ngram: int, unit: str, workers: int) -> tuple[np.ndarray, np.ndarray]:
    """shingle_sets of ``texts`` over threads, joined into one CSR."""
    parts = _split(len(texts), workers * 4 if workers > 1 else 1)
    def job(a: int, b: int) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
        # A factory rather than a default-argument lambda, so that the job has a type.
        return lambda: shingle_sets(texts[a:b], ngram=ngram, unit=unit)

    results = _in_threads(workers, [job(a, b) for a, b in parts])
    if not results:
        return np.zeros(1, np.int64), np.zeros(0, np.uint64)
    offsets = [np.zeros(1, np.int64)]
    base = 0
    for off, _ in results:
        offsets.append(off[1:] + base)
        base += int(off[-1])
    return np.concatenate(offsets), np.concatenate([v for _, v in results])


def _verify_csr(
    offsets: np.ndarray,
    values: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    containment: bool,
    workers: int,
    out: np.ndarray,
) -> None:
    """Similarity of pairs of rows of one CSR of shingle sets, into ``out``, over threads."""
    left = np.ascontiguousarray(left, dtype=np.int64)
    right = np.ascontiguousarray(right, dtype=np.int64)
    def job(a: int, b: int) -> Callable[[], None]:
        # A factory rather than a default-argument lambda, so that the job has a type.
        return lambda: _lsh.verify_pairs(offsets, values, left[a:b], right[a:b], containment, out[a:b])

    _in_threads(workers, [job(a, b) for a, b in _split(len(left), workers * 4 if workers > 1 else 1)])


def _verify(
    signed: _Signed,
    candidates: Candidates,
    *,
    containment: bool,
    ngram: int,
    unit: str,
    workers: int,
    advance: Callable[[int], None],
) -> np.ndarray:
    """Exact similarity of each candidate pair from the texts held, block by block of pairs."""
    left, right = candidates.left, candidates.right
    out = np.empty(len(left), dtype=np.float64)
    for start in range(0, len(left), _VERIFY_BLOCK):
        stop = min(len(left), start + _VERIFY_BLOCK)
        docs, inverse = np.unique(np.concatenate([left[start:stop], right[start:stop]]), return_inverse=True)
        texts = [signed.texts[d] for d in docs.tolist()]
        offsets, values = _shingle_csr(texts, ngram=ngram, unit=unit, workers=workers)
        inverse = inverse.reshape(-1)
        _verify_csr(
            offsets, values, inverse[: stop - start], inverse[stop - start :], containment, workers,
            out[start:stop],
        )
        advance(stop - start)
    return out


def _verify_reread(
    signed: _Signed,
    candidates: Candidates,
    docs: Iterable[Article],
    *,
    containment: bool,
    ngram: int,
    unit: str,
    workers: int,
    chunk_size: int,
    advance: Callable[[int], None],
) -> np.ndarray:
    """Exact similarity of each candidate pair, reading the documents a second time.

    Only the shingle sets of documents in some candidate pair are kept, so memory follows the
    number of candidates, not the size of the corpus.
    """
    if len(candidates) == 0:
        return np.empty(0, dtype=np.float64)
    needed = np.unique(np.concatenate([candidates.left, candidates.right]))
    wanted = np.zeros(len(signed.ids), dtype=bool)
    wanted[needed] = True
    offsets_parts: list[np.ndarray] = [np.zeros(1, np.int64)]
    values_parts: list[np.ndarray] = []
    base = 0
    position = 0
    for chunk in chunked(docs, chunk_size):
        texts = []
        for article in chunk:
            if (
                position >= len(signed.ids)
                or article.id != signed.ids[position]
                or len(article.text) != signed.lengths[position]
            ):
                raise ValueError(
                    f"reread() gave document {article.id!r} at position {position}, which differs "
                    "from the first reading (id or text length); it must give the same documents "
                    "in the same order"
                )
            if wanted[position]:
                texts.append(article.text)
            position += 1
        if texts:
            offsets, values = _shingle_csr(texts, ngram=ngram, unit=unit, workers=workers)
            offsets_parts.append(offsets[1:] + base)
            values_parts.append(values)
            base += int(offsets[-1])
    if position != len(signed.ids):
        raise ValueError(
            f"reread() gave {position} documents, the first reading {len(signed.ids)}; it must give "
            "the same documents in the same order"
        )
    offsets = np.concatenate(offsets_parts)
    values = np.concatenate(values_parts) if values_parts else np.zeros(0, np.uint64)
    out = np.empty(len(candidates), dtype=np.float64)
    _verify_csr(
        offsets, values, np.searchsorted(needed, candidates.left), np.searchsorted(needed, candidates.right),
        containment, workers, out,
    )
    advance(len(candidates))
    return out


def _estimate(signatures: np.ndarray, candidates: Candidates) -> np.ndarray:
    """MinHash estimate of Jaccard (share of equal slots) of each candidate pair."""
    out = np.empty(len(candidates), dtype=np.float64)
    for start in range(0, len(out), 65536):
        a = signatures[candidates.left[start : start + 65536]]
        b = signatures[candidates.right[start : start + 65536]]
        out[start : start + 65536] = np.mean(a == b, axis=1)
    return out


def check_dedup_options(
    *, threshold: Any, recall: Any, ngram: Any, keep: Any, measure: Any, verify: Any,
    lsh_threshold: Any,
) -> tuple[float, float, int, float]:
    """Check the options :func:`dedup` and ``retold.dask.dedup`` share, so both refuse alike.

    Returns ``(threshold, recall, ngram, lsh_threshold)``; an absent ``lsh_threshold`` is the
    threshold for Jaccard and half of it for containment (a trimmed copy's Jaccard is low).
    """
    threshold = _check_fraction(threshold, "threshold")
    recall = _check_fraction(recall, "recall")
    ngram = _check_int(ngram, "ngram", 1, 1 << 10)
    _check_choice(keep, "keep", KEEPS)
    _check_choice(measure, "measure", MEASURES)
    if not isinstance(verify, bool):
        raise TypeError(f"verify must be a bool, not {type(verify).__name__}")
    if measure == "containment" and not verify:
        raise ValueError("measure='containment' needs verify=True (MinHash estimates Jaccard only)")
    if lsh_threshold is None:
        lsh_threshold = threshold if measure == "jaccard" else threshold / 2
    return threshold, recall, ngram, _check_fraction(lsh_threshold, "lsh_threshold")


def dedup(
    docs: Iterable[Any],
    *,
    threshold: float = 0.8,
    ngram: int = 5,
    num_perm: int = 128,
    recall: float = 0.95,
    verify: bool = True,
    keep: str = "earliest",
    workers: int = 1,
    measure: str = "jaccard",
    lsh_threshold: float | None = None,
    params: tuple[int, int] | None = None,
    unit: str = "word",
    seed: int = 1,
    bucket_cap: int = DEFAULT_BUCKET_CAP,
    chunk_size: int = 20_000,
    reread: Callable[[], Iterable[Any]] | None = None,
    progress: ProgressHook | None = None,
    on_error: str = "raise",
    similarity: str | None = None,
    **fields: Unpack[FieldOptions],
) -> DedupResult:
    """Find the copies in a corpus and group them into clusters.

    Parameters
    ----------
    docs : iterable of str, dict or Article, or a table
        Read once, in chunks, so a generator over a file larger than memory works (the texts are
        kept for verification, the signatures are not).  A string's id is its position; a dict
        needs ``text`` and may have ``id``, ``title``, ``date``, ``source``, ``lang``.  Ids must be
        unique.  Copies are judged on the body ``text`` (headlines are often rewritten).  A
        pandas DataFrame or Series, pyarrow Table, RecordBatch or (Chunked)Array,
        ``datasets.Dataset`` or 1-D numpy array of strings works too (one article per row; see
        :mod:`retold.io.tabular_input`).
    threshold : float
        Least similarity of two copies.
    ngram : int
        Word (or character, see ``unit``) n-gram length of the shingles.
    num_perm : int
        MinHash signature length.
    recall : float
        Least probability that LSH proposes a pair whose Jaccard equals ``lsh_threshold``.
    verify : bool
        Measure every candidate's exact similarity on its shingle sets and drop those below the
        threshold (no false positives).  Without it the MinHash estimate of Jaccard decides,
        which is faster but approximate, and needs the signatures in memory.
    keep : {"earliest", "first", "longest"}
        Which member represents a cluster: the earliest dated (undated ones last), the first in
        input order, or the longest text; ties go to the first in input order.
    workers : int
        Threads for signing and verification.
    measure : {"jaccard", "containment"}
        ``containment`` is the share of the smaller shingle set found in the larger one: a copy
        trimmed to half its original has containment 1.0 but Jaccard 0.5.  (``similarity=``
        in 0.1: still taken for one release, with a ``DeprecationWarning``.)
    lsh_threshold : float, optional
        Jaccard the LSH stage is tuned for; by default ``threshold`` for Jaccard and
        ``threshold / 2`` for containment (finds copies down to about half their original).
    params : (int, int), optional
        LSH ``(bands, rows)``, overriding the choice from ``recall``.
    unit : {"word", "char"}
    seed : int
    bucket_cap : int
        LSH buckets with more members give star edges only (see :class:`retold.MinHashLSH`).
    chunk_size : int
        Documents signed at a time.
    reread : callable, optional
        A function that gives the same documents again, in the same order (for instance
        ``lambda: retold.read_articles(path)``).  With it the texts are not held in memory:
        verification reads the corpus a second time and keeps only the shingle sets of documents
        in some candidate pair, so memory follows the number of candidates rather than the size
        of the corpus, at the cost of a second reading.  Without it the texts are held (about
        the corpus's size in memory).
    progress : callable, optional
        ``progress(stage, total)`` returning a context manager that yields ``advance(n)``; the
        stages are ``sign``, ``band``, ``verify``, ``cluster``.  :meth:`retold.progress.Progress.stage`
        fits.
    on_error : {"raise", "skip"}
        A row without a text (or with a text that is not a string, or a bad date) raises
        :class:`retold.RecordError` naming its position and id, or is left out and listed in
        the result's ``skipped``.
    id_field, text_field, title_field, date_field, source_field, lang_field : str
        The columns (record keys) of each part of an article, as :func:`retold.read_articles`.

    Returns
    -------
    DedupResult

    Examples
    --------
    >>> base = "the minister said on monday that the new bridge would open in june next year"
    >>> result = dedup([base, base + " officials said", "an unrelated story about the weather"], threshold=0.7)
    >>> result.labels.tolist()
    [0, 0, 1]
    """
    measure = renamed_keyword(measure, similarity, old="similarity", new="measure", default="jaccard",
                              where="dedup")
    threshold, recall, ngram, lsh_threshold = check_dedup_options(
        threshold=threshold, recall=recall, ngram=ngram, keep=keep, measure=measure,
        verify=verify, lsh_threshold=lsh_threshold,
    )
    workers = _check_int(workers, "workers", 1, 1024)
    chunk_size = _check_int(chunk_size, "chunk_size", 1, 1 << 30)
    source = ArticleInput(docs, on_error=on_error, **fields)
    lsh = MinHashLSH(lsh_threshold, num_perm, recall=recall, params=params, bucket_cap=bucket_cap)
    stage = progress or _no_progress
    total = len(docs) if hasattr(docs, "__len__") else None  # type: ignore[arg-type]

    if reread is not None and not callable(reread):
        raise TypeError(f"reread must be a function returning the documents, not {type(reread).__name__}")

    with stage("sign", total) as advance, gc_paused():
        signed = _sign(
            source, lsh, ngram=ngram, unit=unit, seed=seed, workers=workers,
            keep_texts=verify and reread is None,
            keep_signatures=not verify, chunk_size=chunk_size, advance=advance,
        )
    n = len(signed.ids)
    with stage("band", lsh.bands) as advance:
        candidates = lsh.candidate_pairs_from_keys(signed.band_keys, empty=signed.empty, workers=workers)
        signed.band_keys = np.zeros((lsh.bands, 0), np.uint64)  # free it before verification
        advance(lsh.bands)
    with stage("verify", len(candidates)) as advance:
        if verify and reread is not None:
            sims = _verify_reread(
                signed, candidates, ArticleInput(reread(), what="reread()", on_error=on_error, **fields),
                containment=measure == "containment",
                ngram=ngram, unit=unit, workers=workers, chunk_size=chunk_size, advance=advance,
            )
        elif verify:
            # Texts in no candidate pair are not needed any more.
            involved = np.zeros(n, dtype=bool)
            involved[candidates.left] = True
            involved[candidates.right] = True
            for i in np.flatnonzero(~involved).tolist():
                signed.texts[i] = None
            release_freed_memory()  # else the freed texts stay in this process (retold.heap)
            sims = _verify(
                signed, candidates, containment=measure == "containment", ngram=ngram,
                unit=unit, workers=workers, advance=advance,
            )
        else:
            assert signed.signatures is not None  # signed with keep_signatures=not verify
            sims = _estimate(signed.signatures, candidates)
            advance(len(candidates))
        signed.texts = []
        accept = sims >= threshold
        pairs = CopyPairs(
            candidates.left[accept],
            candidates.right[accept],
            sims[accept],
            np.full(int(accept.sum()), verify, dtype=bool),
        )
    with stage("cluster", n) as advance:
        roots = np.empty(n, dtype=np.int64)
        _lsh.union_find(pairs.a, pairs.b, roots)
        labels, reps = clusters_from_roots(roots, keep, signed.lengths, signed.dates)
        matched, match_sim = _best_matches(n, pairs)
        advance(n)
    stats = DedupStats(
        documents=n,
        empty=int(signed.empty.sum()),
        candidates=len(candidates),
        accepted=len(pairs),
        rejected=len(candidates) - len(pairs),
        params=lsh.params,
        lsh_threshold=lsh_threshold,
        bucket_cap=candidates.bucket_cap,
        buckets_capped=candidates.buckets_capped,
        largest_bucket=candidates.largest_bucket,
    )
    return DedupResult(
        ids=signed.ids,
        labels=labels,
        representatives=reps,
        matched_with=matched,
        similarity=match_sim,
        pairs=pairs,
        stats=stats,
        threshold=threshold,
        measure=measure,
        keep=keep,
        skipped=tuple(source.skipped),
        row_labels=source.row_labels(),
    )
