"""Passages reused anywhere in a corpus, and how they spread: what passim does, on retold's engine.

:func:`reused_passages` finds the passages (a quote, a paragraph of a press release, a poem, a
correction) printed in several otherwise unrelated articles:

1. **index**: every article's word n-grams with their token positions; an n-gram found in more
   than ``max_df`` articles is boilerplate and dropped (the number is reported);
2. **candidates**: article pairs sharing at least ``min_shared`` of the remaining (rare)
   n-grams; each posting list of at most ``max_df`` articles is expanded into its pairs, so
   there is no all-pairs step and the work is linear in the n-grams plus the evidence;
3. **align**: each candidate pair is aligned by the seeded kernel of :func:`retold.align`
   around its shared n-grams (with ``bridge_gap``, its pieces on one diagonal joined across
   short gaps); spans of at least ``min_tokens`` equal words are kept;
4. **cluster**: every aligned span is two *occurrences*, one per article, joined; occurrences
   in one article that overlap by at least ``relative_overlap`` of the longer one are joined
   too (passim's rule), and the connected groups are the reused passages.

The stages are in :mod:`retold.reuse_index`; :func:`retold.dask.reused_passages` runs them on a
Dask cluster with identical results.
"""
from __future__ import annotations

import datetime as _dt
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping

import numpy as np

from retold._backend import kernels
from retold._validate import check_fraction, check_int
from retold.article import Article
from retold.io.tabular_input import as_article_list as as_articles
from retold.io import frames as _frames

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
from retold.reuse_index import (
    Alignments,
    PairEvidence,
    align_candidates,
    index_evidence,
    ngram_index,
)

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import lsh as _lsh
else:
    _lsh = kernels("lsh")

__all__ = ["Occurrence", "ReusedPassage", "ReuseStats", "ReusedPassages", "reused_passages",
           "check_reuse_options", "align_options", "cluster_alignments", "NOISY_OCR"]

DEFAULTS: dict[str, Any] = {"min_tokens": 10, "ngram": 5, "max_df": 100, "min_shared": 5, "relative_overlap": 0.5,
            "same_source": True, "bridge_gap": 0, "match_score": 2, "misread_words": False}
"""passim's defaults where it has the option (n 5, max-series 100, min-match 5,
relative-overlap 0.5); ``min_tokens`` is the least number of equal words of an aligned span;
``same_source=True`` also aligns two articles of one outlet (passim by default does not);
``bridge_gap=0`` joins no fragments (passim's ``--gap`` is 100); ``match_score=2`` is the
alignment score of an equal word against 1 for a word substituted, inserted or dropped (see
:func:`reused_passages`); ``misread_words=False`` compares words by their tokens only."""
NOISY_OCR: dict[str, Any] = {"ngram": 3, "min_shared": 2, "bridge_gap": 32, "match_score": 3,
                             "misread_words": True}
"""The options for heavily misread OCR (5-10% of letters): shorter n-grams, two of them enough
to pair two articles (at 10%, two printings of a 40-word paragraph often keep only two trigrams
in common), pieces of one printing joined across up to 32 tokens, equal words worth 3 (when a
third of the words of two printings differ, 2 against 1 cannot hold them together), and
passages extended over words that differ by a misread letter or two."""
_CHUNK = 256


@dataclass(frozen=True)
class Occurrence:
    """One printing of a reused passage: ``text == article.text[start:end]``."""

    id: str
    position: int
    start: int
    end: int
    text: str
    date: _dt.datetime | None = None
    source: str | None = None


@dataclass(frozen=True)
class ReusedPassage:
    """A passage printed in several articles.

    Attributes
    ----------
    cluster : int
        Its number: 0 is the most reprinted.
    occurrences : tuple of Occurrence
        Every printing, earliest first (undated last; ties by input position, then offset).
    """

    cluster: int
    occurrences: tuple[Any, ...]

    @property
    def first(self) -> Occurrence:
        """The earliest printing (by date, undated last, then input position)."""
        first: Occurrence = self.occurrences[0]
        return first

    @property
    def text(self) -> str:
        return self.first.text

    @property
    def count(self) -> int:
        return len(self.occurrences)

    @property
    def documents(self) -> int:
        return len({o.position for o in self.occurrences})

    @property
    def sources(self) -> tuple[Any, ...]:
        return tuple(sorted({o.source for o in self.occurrences if o.source}))

    @property
    def first_date(self) -> _dt.datetime | None:
        return self.first.date

    @property
    def last_date(self) -> _dt.datetime | None:
        dates = [o.date for o in self.occurrences if o.date is not None]
        return max(dates) if dates else None

    @property
    def span_days(self) -> float | None:
        """Days from the first to the last dated printing (its spread in time)."""
        if self.first_date is None or self.last_date is None:
            return None
        return (self.last_date - self.first_date).total_seconds() / 86400

    def to_dict(self) -> dict[str, Any]:
        """One record for the passage (``sources`` as a list)."""
        return {
            "cluster": self.cluster, "occurrences": self.count, "documents": self.documents,
            "sources": list(self.sources), "first_id": self.first.id,
            "first_date": self.first_date, "last_date": self.last_date, "span_days": self.span_days,
            "text": self.text,
        }


@dataclass(frozen=True)
class ReuseStats:
    """What each stage did (``seconds``: wall time per stage)."""

    documents: int = 0
    ngrams: int = 0
    rare_ngrams: int = 0
    boilerplate_ngrams: int = 0
    evidence_pairs: int = 0
    candidate_pairs: int = 0
    alignments: int = 0
    passages: int = 0
    seconds: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ReusedPassages(_frames.ResultTables):
    """The result of :func:`reused_passages`: passages, most reprinted first, and the stats.

    Its tables (:meth:`to_pandas`, :meth:`to_arrow`): ``"occurrences"`` (one row per printing,
    the default) and ``"passages"`` (one row per passage).
    """

    passages: list[Any]
    stats: ReuseStats
    options: Mapping[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.passages)

    def __iter__(self) -> Iterator[ReusedPassage]:
        return iter(self.passages)

    def iter_records(self) -> Iterator[dict[str, Any]]:
        """One record per occurrence, passim's output fields: ``cluster``, ``size``, ``id``,
        ``begin``, ``end``, ``text``, ``date``, ``source``, and ``first`` (the earliest)."""
        for p in self.passages:
            for k, o in enumerate(p.occurrences):
                yield {"cluster": p.cluster, "size": p.count, "documents": p.documents,
                       "id": o.id, "begin": o.start, "end": o.end, "date": o.date,
                       "source": o.source, "first": k == 0, "text": o.text}

    def iter_passage_records(self) -> Iterator[dict[str, Any]]:
        for p in self.passages:
            yield p.to_dict()

    def _tables(self) -> dict[str, Callable[[], _frames.Table]]:
        return _frames.reused_tables(self)


def check_reuse_options(*, min_tokens: Any, ngram: Any, max_df: Any, min_shared: Any,
                        relative_overlap: Any, same_source: Any, bridge_gap: Any = 0,
                        match_score: Any = 2, misread_words: Any = False) -> dict[str, Any]:
    """The options of :func:`reused_passages`, checked (errors name the argument)."""
    return {
        "min_tokens": check_int(min_tokens, "min_tokens", 1, 1 << 20),
        "ngram": check_int(ngram, "ngram", 1, 1 << 10),
        "max_df": check_int(max_df, "max_df", 2, 1 << 20),
        "min_shared": check_int(min_shared, "min_shared", 1, 1 << 30),
        "relative_overlap": check_fraction(relative_overlap, "relative_overlap"),
        "same_source": _check_bool(same_source, "same_source"),
        "bridge_gap": check_int(bridge_gap, "bridge_gap", 0, 1 << 20),
        "match_score": check_int(match_score, "match_score", 1, 1 << 10),
        "misread_words": _check_bool(misread_words, "misread_words"),
    }


ALIGN_KEYS = ("ngram", "min_tokens", "bridge_gap", "match_score", "misread_words")
"""The checked options that :func:`retold.reuse_index.align_candidates` takes, by name."""


def align_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The alignment stage's keywords out of :func:`check_reuse_options`' result (one list for
    one machine and for Dask, so both align with the same settings)."""
    return {k: options[k] for k in ALIGN_KEYS}


def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, not {value!r}")
    return bool(value)


def _date_key(date: _dt.datetime | None) -> tuple[Any, ...]:
    return (1, _dt.datetime.min) if date is None else (0, date)


def _same_article_edges(doc: np.ndarray, start: np.ndarray, end: np.ndarray,
                        relative_overlap: float) -> tuple[list[int], list[int]]:
    """Edges between occurrences of one article that overlap by ``relative_overlap`` of the longer."""
    order = np.lexsort((end, start, doc)).tolist()
    d, s, e = doc.tolist(), start.tolist(), end.tolist()
    left: list[int] = []
    right: list[int] = []
    active: list[int] = []
    current = None
    for x in order:
        if d[x] != current:
            current, active = d[x], []
        active = [y for y in active if e[y] > s[x]]
        for y in active:
            overlap = min(e[x], e[y]) - s[x]
            if overlap >= relative_overlap * max(e[x] - s[x], e[y] - s[y]):
                left.append(y)
                right.append(x)
        active.append(x)
    return left, right


def cluster_alignments(alignments: Alignments, articles: Mapping[int, Article], *,
                       relative_overlap: float) -> list[ReusedPassage]:
    """Group aligned spans into reused passages (see the module docstring, step 4).

    ``articles`` maps each document position named by ``alignments`` to its article.
    """
    k = len(alignments)
    if k == 0:
        return []
    doc = np.concatenate([alignments.left_doc, alignments.right_doc])
    start = np.concatenate([alignments.left_start, alignments.right_start])
    end = np.concatenate([alignments.left_end, alignments.right_end])
    left, right = _same_article_edges(doc, start, end, relative_overlap)
    pair = np.arange(k, dtype=np.int64)
    labels = np.empty(2 * k, dtype=np.int64)
    _lsh.union_find(np.concatenate([pair, np.asarray(left, dtype=np.int64)]),
                    np.concatenate([pair + k, np.asarray(right, dtype=np.int64)]), labels)
    # Within a passage, the spans of one article that overlap become one occurrence.
    order = np.lexsort((end, start, doc, labels)).tolist()
    lab, d, s, e = labels.tolist(), doc.tolist(), start.tolist(), end.tolist()
    groups: dict[int, list[list[int]]] = {}
    for x in order:
        spans = groups.setdefault(lab[x], [])
        if spans and spans[-1][0] == d[x] and s[x] < spans[-1][2]:
            spans[-1][2] = max(spans[-1][2], e[x])
        else:
            spans.append([d[x], s[x], e[x]])
    passages = []
    for spans in groups.values():
        occurrences = []
        for position, a, b in spans:
            article = articles[position]
            occurrences.append(Occurrence(article.id, position, a, b, article.text[a:b],
                                          article.date, article.source))
        occurrences.sort(key=lambda o: (_date_key(o.date), o.position, o.start))
        passages.append(tuple(occurrences))
    passages.sort(key=lambda occ: (-len({o.position for o in occ}), -len(occ), occ[0].position,
                                   occ[0].start))
    return [ReusedPassage(cluster=i, occurrences=occ) for i, occ in enumerate(passages)]


def _index_parallel(texts: list[str], ngram: int, workers: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`ngram_index` of ``texts``, chunk by chunk (over threads: the kernels release the GIL)."""
    chunks = [texts[i:i + _CHUNK] for i in range(0, len(texts), _CHUNK)]

    def run(chunk: list[str]) -> tuple[np.ndarray, np.ndarray]:
        return ngram_index(chunk, ngram=ngram)

    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(run, chunks))
    else:
        parts = [run(c) for c in chunks]
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    if not parts:
        return np.zeros(0, dtype=np.uint64), offsets
    np.cumsum(np.concatenate([np.diff(o) for _, o in parts]), out=offsets[1:])
    hashes = [h for h, _ in parts]
    del parts
    return np.concatenate(hashes), offsets


def _align_parallel(texts: list[str], pairs: PairEvidence, align: dict[str, Any], workers: int) -> Alignments:
    # Chunks of consecutive pairs (sorted by left article) keep each article's tokens reused.
    size = max(1, min(4096, -(-len(pairs) // max(1, 4 * workers))))
    bounds = [(i, min(i + size, len(pairs))) for i in range(0, len(pairs), size)]
    view = _ByPosition(texts)

    def run(bound: tuple[int, int]) -> Alignments:
        a, b = bound
        return align_candidates(view, pairs.rows(a, b), **align)

    if workers > 1 and len(bounds) > 1:
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(run, bounds))
    else:
        parts = [run(b) for b in bounds]
    return Alignments.concatenate(parts)


class _ByPosition(Mapping[int, Any]):
    """A list seen as the mapping position -> item the stage functions take."""

    def __init__(self, items: list[Any]) -> None:
        self._items = items

    def __getitem__(self, key: int) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self._items)))

    def __len__(self) -> int:
        return len(self._items)


def reused_passages(
    docs: Iterable[Any],
    *,
    min_tokens: int = DEFAULTS["min_tokens"],
    ngram: int = DEFAULTS["ngram"],
    max_df: int = DEFAULTS["max_df"],
    min_shared: int = DEFAULTS["min_shared"],
    relative_overlap: float = DEFAULTS["relative_overlap"],
    same_source: bool = DEFAULTS["same_source"],
    bridge_gap: int = DEFAULTS["bridge_gap"],
    match_score: int = DEFAULTS["match_score"],
    misread_words: bool = DEFAULTS["misread_words"],
    workers: int = 1,
    progress: Callable[..., Any] | None = None,
) -> ReusedPassages:
    """Passages printed in several articles of a corpus, with every printing and their spread.

    Parameters
    ----------
    docs : iterable of str, dict or Article
        The corpus (strings get their position as id).
    min_tokens : int
        Least number of equal words an aligned span needs (default 10).
    ngram : int
        Words per n-gram of the index (passim ``--n``; default 5).
    max_df : int
        N-grams found in more articles than this are boilerplate and not used to pair articles
        (passim ``--max-series``; default 100).  Posting lists are never longer.
    min_shared : int
        Least number of rare n-grams two articles share to be aligned (passim ``--min-match``;
        default 5).
    relative_overlap : float
        Two spans in one article are one passage when they overlap by this share of the
        longer one (passim ``--relative-overlap``; default 0.5).
    same_source : bool
        Also align two articles of one source (default True); False is passim's default of
        not aligning documents of the same series (articles without a source always pair).
    bridge_gap : int
        Pieces of one pair's alignment that follow each other in both articles, at most this
        many tokens apart in each and on the same diagonal (within 4 tokens), are one passage
        (passim ``--gap``).  Heavy OCR noise breaks a printing into such pieces, which then
        count as several passages; 32 joins them (``NOISY_OCR``).  Default 0: none joined, as
        on clean text bridging also joins the copied pieces of a rewritten passage.
    match_score : int
        Alignment score of an equal word; a word substituted, inserted or dropped costs 1
        (default 2).  Where printings differ in a third of their words (about 10% of letters
        misread), 2 against 1 breaks them into pieces that bridging cannot all reach; 3
        (``NOISY_OCR``) holds them, but on clean text it also aligns loose paraphrases of one
        sentence in two articles about one event.
    misread_words : bool
        With ``bridge_gap``: words that differ by a letter or two (one edit up to 7 letters,
        two up to 11, a quarter beyond; words under 3 letters must be equal) count as equal
        where the alignment has put two printings side by side, in the gaps it bridges and
        past the ends of its pieces (:mod:`retold.misread_words`).  Default False; True in
        ``NOISY_OCR``, where two printings keep only a third of their words equal.
    workers : int
        Threads for indexing and alignment (the kernels release the GIL); same result.
    progress : callable, optional
        ``progress(stage, total)`` returning a context manager yielding ``advance(n)``, as
        the command line's progress display gives.

    Returns
    -------
    ReusedPassages
        ``passages`` sorted by the number of articles printing them (most first), then by
        the position of the first printing; ``stats`` with the counts and seconds per stage.
    """
    options = check_reuse_options(min_tokens=min_tokens, ngram=ngram, max_df=max_df,
                                  min_shared=min_shared, relative_overlap=relative_overlap,
                                  same_source=same_source, bridge_gap=bridge_gap,
                                  match_score=match_score, misread_words=misread_words)
    workers = check_int(workers, "workers", 1, 1024)
    seconds: dict[str, float] = {}
    stage = _stages(progress, seconds)
    with stage("prepare", None):
        articles = as_articles(docs)
        texts = [a.text for a in articles]
    with stage("index", len(texts)):
        hashes, offsets = _index_parallel(texts, options["ngram"], workers)
    with stage("candidates", None):
        evidence = index_evidence(hashes, offsets, max_df=options["max_df"])
        n_ngrams = len(hashes)
        del hashes, offsets
        candidates = evidence.candidates(options["min_shared"])
        if not options["same_source"]:
            candidates = candidates.across_sources([a.source for a in articles])
    with stage("align", len(candidates)):
        aligned = _align_parallel(texts, candidates, align_options(options), workers)
    with stage("cluster", None):
        passages = cluster_alignments(aligned, _ByPosition(articles),
                                      relative_overlap=options["relative_overlap"])
    stats = ReuseStats(
        documents=len(articles), ngrams=n_ngrams, rare_ngrams=evidence.rare,
        boilerplate_ngrams=evidence.boilerplate, evidence_pairs=len(evidence),
        candidate_pairs=len(candidates), alignments=len(aligned), passages=len(passages),
        seconds=seconds,
    )
    return ReusedPassages(passages, stats, options)


def _stages(progress: Callable[..., Any] | None, seconds: dict[str, float]) -> Callable[..., Any]:
    """A stage context: times it into ``seconds`` and shows it on ``progress`` when given."""

    @contextmanager
    def stage(name: str, total: int | None) -> Iterator[None]:
        began = time.perf_counter()
        if progress is None:
            yield
        else:
            with progress(name, total):
                yield
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - began

    return stage

