""":func:`dedup`: a corpus read once, in chunks, through the stages to copy clusters."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable

import numpy as np

from retold._backend import kernels
from retold._renamed import renamed_keyword
from retold._validate import check_choice as _check_choice
from retold._validate import check_fraction as _check_fraction
from retold._validate import check_int as _check_int
from retold.copies.results import CopyPairs, DedupResult, DedupStats
from retold.copies.stages import estimate, sign_corpus, verify_from_texts, verify_reread
from retold.dedup_core import best_matches as _best_matches
from retold.dedup_core import clusters_from_roots
from retold.heap import gc_paused, release_freed_memory
from retold.article_fields import FieldOptions, field_keywords
from retold.io.tabular_input import ArticleInput
from retold.lsh import DEFAULT_BUCKET_CAP, MinHashLSH
from retold.progress import ProgressHook
from retold.progress import no_progress as _no_progress

if TYPE_CHECKING:
    from typing_extensions import Unpack

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import lsh as _lsh
else:
    _lsh = kernels("lsh")


MEASURES = ("jaccard", "containment")
KEEPS = ("first", "longest", "earliest")


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


@field_keywords
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
        signed = sign_corpus(
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
            sims = verify_reread(
                signed, candidates, ArticleInput(reread(), what="reread()", on_error=on_error, **fields),
                containment=measure == "containment",
                ngram=ngram, unit=unit, workers=workers, chunk_size=chunk_size, advance=advance,
            )
        elif verify:
            # Texts in no candidate pair are not needed any more.
            involved = np.zeros(n, dtype=bool)
            involved[candidates.a] = True
            involved[candidates.b] = True
            for i in np.flatnonzero(~involved).tolist():
                signed.texts[i] = None
            release_freed_memory()  # else the freed texts stay in this process (retold.heap)
            sims = verify_from_texts(
                signed, candidates, containment=measure == "containment", ngram=ngram,
                unit=unit, workers=workers, advance=advance,
            )
        else:
            assert signed.signatures is not None  # signed with keep_signatures=not verify
            sims = estimate(signed.signatures, candidates)
            advance(len(candidates))
        signed.texts = []
        accept = sims >= threshold
        pairs = CopyPairs(
            candidates.a[accept],
            candidates.b[accept],
            sims[accept],
            np.full(int(accept.sum()), verify, dtype=bool),
        )
    with stage("cluster", n) as advance:
        roots = np.empty(n, dtype=np.int64)
        _lsh.union_find(pairs.a, pairs.b, roots)
        clusters = clusters_from_roots(roots, keep, signed.lengths, signed.dates)
        matches = _best_matches(n, pairs)
        advance(n)
    stats = DedupStats.of_run(n, int(signed.empty.sum()), len(candidates), len(pairs), lsh, lsh_threshold,
                              candidates.bucket_cap, candidates.buckets_capped, candidates.largest_bucket)
    return DedupResult.assemble(signed.ids, clusters, matches, pairs, stats, threshold, measure, keep,
                                skipped=tuple(source.skipped), row_labels=source.row_labels())
