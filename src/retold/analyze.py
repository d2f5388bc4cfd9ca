"""The whole job in one call: copies, stories, the passages they share, and provenance.

:func:`analyze` composes the capabilities, it does not re-implement them:

1. **copies**: :func:`retold.dedup` (containment of word 5-gram shingles by default, so a
   reprint trimmed of its last paragraphs is still a copy);
2. **stories**: :func:`retold.stories` with a :class:`retold.StoryModel` fitted on the corpus;
3. **passages**: :func:`retold.align` on a bounded set of pairs (below);
4. **provenance**: :func:`retold.provenance`, story by story, on the pairs of step 3 (their
   passages passed in, not aligned again) and the pairs explicit attributions link.

Which pairs get passages
------------------------
Aligning every pair of a story of ``n`` articles costs ``n**2`` alignments, and most of them
repeat one another (a rewrite of a wire story shares the same quote with every reprint of it).
So the pairs aligned up front are:

- **copy pairs**: every member of a copy cluster against the cluster's representative;
- **story pairs**: within a story, the copy clusters present are its *units*, each standing as
  its earliest article in the story.  Each unit is aligned with the ``neighbours`` earlier units
  (default 3) most similar to it by story similarity (the cosine of the story vectors, rounded
  to 12 digits so that ties are broken by time and then input position on every machine),
  chosen among the :data:`NEIGHBOUR_WINDOW` units just before it.

A story of ``n`` units thus costs at most ``neighbours * n`` alignments, plus one per copy.
Any other pair (two reprints of one wire, a later article against a later one, articles of
different stories) is aligned on demand by :meth:`Analysis.passages` and cached.

Determinism: the same articles in the same order and options give the same results on every
backend and thread count.
"""
from __future__ import annotations

import datetime as _dt
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ContextManager, Iterable, Iterator, Mapping, Sequence

import numpy as np

from retold._callable_module import make_callable
from retold._validate import check_int as _check_int
from retold.article import Article
from retold.io import frames as _frames
from retold.io.errors import SkippedRecord
from retold.io.tabular_input import ArticleInput, FieldOptions
from retold.hashing import tokenize
from retold.progress import no_progress as _no_progress

__all__ = ["Analysis", "PairPassages", "analyze", "candidate_pairs", "DEFAULT_NEIGHBOURS",
           "NEIGHBOUR_WINDOW"]

DEFAULT_NEIGHBOURS = 3
"""Earlier units of its story each unit is aligned with (see the module docstring)."""

NEIGHBOUR_WINDOW = 200
"""A unit's neighbours are chosen among this many units before it in its story, which bounds
the similarity computations of a very large story to ``NEIGHBOUR_WINDOW * n``."""

if TYPE_CHECKING:
    import pandas as pd
    from typing_extensions import Unpack
    import pyarrow as pa

_BLOCK = 32  # units whose candidate similarities are computed in one matrix product
_COSINE_DIGITS = 12

ProgressHook = Callable[[str, "int | None"], ContextManager[Callable[[int], None]]]

OUTPUT_NAMES = ("articles", "copy_pairs", "stories", "passages", "provenance")
"""Record files :meth:`Analysis.save` writes, as ``NAME.jsonl`` (and ``NAME.parquet``)."""


# ---------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PairPassages:
    """Two articles and the passages they share.

    Attributes
    ----------
    a, b : str
        Article ids; ``a`` is the earlier one (for a copy pair, the representative).
    story : int or None
        Their story id (``Analysis.stories.labels``) when both are in the same story.
    kind : {"copy", "story", "other"}
        ``copy``: both are in one copy cluster; ``story``: same story, different copy clusters;
        ``other``: different stories (only pairs asked for with :meth:`Analysis.pair`).
    similarity : float
        Story similarity of the two articles in [0, 1] (see :meth:`retold.StoryModel.similarity`).
    coverage : float
        Words equal in the passages over the word count of the shorter article, in [0, 1].
    passages : tuple of Passage
        As :func:`retold.align` gives them, offsets into ``a``'s and ``b``'s texts.
    """

    a: str
    b: str
    story: int | None
    kind: str
    similarity: float
    coverage: float
    passages: tuple

    @property
    def quoted(self) -> int:
        """Number of passages that are shared quotes."""
        return sum(1 for p in self.passages if p.quoted)

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a, "b": self.b, "story": self.story, "kind": self.kind,
            "similarity": round(self.similarity, 6), "coverage": round(self.coverage, 6),
            "passages": [p.to_dict() for p in self.passages],
        }


def _swap(passage: Any) -> Any:
    """The same passage seen from the other article."""
    return replace(
        passage,
        a_start=passage.b_start, a_end=passage.b_end, b_start=passage.a_start, b_end=passage.a_end,
        a_text=passage.b_text, b_text=passage.a_text,
        a_tokens=passage.b_tokens, b_tokens=passage.a_tokens,
    )


REPORT_REUSED_PASSAGES = 500
"""The most reprinted passages the report lists (all are in ``reused_passages.jsonl``)."""


class Analysis:
    """Copies, stories, shared passages and provenance of one corpus (made by :func:`analyze`).

    Attributes
    ----------
    articles : tuple of Article
        The input, in input order.
    copies : DedupResult
        Copy clusters (:func:`retold.dedup`).
    stories : StoryResult
        Stories (:func:`retold.stories`).
    pairs : tuple of PairPassages
        The pairs aligned up front (see the module docstring), sorted by story and time.
    provenance : list of Edge
        Who took from whom (:func:`retold.provenance`), story by story; an edge whose
        ``source_id`` is None credits an outlet outside the corpus (``source_name``).
    reused : ReusedPassages or None
        Passages reprinted anywhere in the corpus (:func:`retold.reused_passages`), or None
        when the run was asked not to look for them.
    options : dict
        The options of the run.
    skipped : tuple of SkippedRecord
        Rows left out by ``on_error="skip"``.
    row_labels : pandas Index, np.ndarray or None
        The input row of each article, the index of ``to_pandas("articles")`` (as
        :attr:`retold.DedupResult.row_labels`).
    """

    def __init__(self, *, articles, copies, stories, vectors, calibration, pairs, provenance,
                 options, align_options, reused=None, skipped: Sequence[SkippedRecord] = (),
                 row_labels: Any = None) -> None:
        self.skipped: tuple[SkippedRecord, ...] = tuple(skipped)
        self.row_labels = row_labels
        self.articles: tuple[Article, ...] = tuple(articles)
        self.copies = copies
        self.stories = stories
        self.pairs: tuple[PairPassages, ...] = tuple(pairs)
        self.provenance = list(provenance)
        self.reused = reused
        self.options: dict[str, Any] = dict(options)
        self._vectors = vectors
        self._calibration = calibration
        self._align_options = dict(align_options)
        self._position = {a.id: i for i, a in enumerate(self.articles)}
        self._pairs = {(p.a, p.b): p for p in self.pairs}
        self._cache: dict[tuple[str, str], list] = {}
        self._tokens: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.articles)

    def __repr__(self) -> str:
        return (
            f"Analysis(articles={len(self.articles)}, copy_clusters="
            f"{len(self.copies.clusters)}, stories={self.stories.n_stories}, pairs={len(self.pairs)}, "
            f"passages={sum(len(p.passages) for p in self.pairs)}, edges={len(self.provenance)})"
        )

    # -- lookups -------------------------------------------------------------------------------

    def _token_count(self, position: int) -> int:
        count = self._tokens.get(position)
        if count is None:
            # Racing threads may both count an article: same value, no harm.
            count = self._tokens[position] = len(tokenize(self.articles[position].text))
        return count

    def _pos(self, article_id: Any, name: str) -> int:
        try:
            return self._position[article_id]
        except (KeyError, TypeError):
            raise KeyError(f"{name}: no article with id {article_id!r}") from None

    def article(self, article_id: str) -> Article:
        """The article with id ``article_id`` (KeyError when there is none)."""
        return self.articles[self._pos(article_id, "article_id")]

    def copy_cluster(self, article_id: str) -> int:
        """The copy cluster id of an article (``copies.labels``)."""
        return int(self.copies.labels[self._pos(article_id, "article_id")])

    def story(self, article_id: str) -> int:
        """The story id of an article (``stories.labels``)."""
        return int(self.stories.labels[self._pos(article_id, "article_id")])

    def similarity(self, a_id: str, b_id: str) -> float:
        """Story similarity of two articles in [0, 1]."""
        i, j = self._pos(a_id, "a_id"), self._pos(b_id, "b_id")
        return _calibrated(self._vectors.cosine(i, j), self._calibration)

    def pair(self, a_id: str, b_id: str) -> PairPassages:
        """The :class:`PairPassages` of two articles, precomputed or aligned now (and cached).

        The result's ``a`` is ``a_id``: a precomputed pair asked the other way round is turned.
        """
        i, j = self._pos(a_id, "a_id"), self._pos(b_id, "b_id")
        if i == j:
            raise ValueError(f"a_id and b_id are the same article ({a_id!r})")
        found = self._pairs.get((a_id, b_id))
        if found is not None:
            return found
        turned = self._pairs.get((b_id, a_id))
        if turned is not None:
            passages = tuple(sorted((_swap(p) for p in turned.passages), key=lambda p: (p.a_start, p.b_start)))
            return replace(turned, a=a_id, b=b_id, passages=passages)
        passages = tuple(self.passages(a_id, b_id))
        return _pair_record(self, i, j, passages)

    def passages(self, a_id: str, b_id: str) -> list:
        """Passages shared by two articles, offsets into ``a_id``'s and ``b_id``'s texts.

        Precomputed pairs are returned as they are (turned when asked the other way round);
        any other pair is aligned now with the options of the run, and cached.
        """
        i, j = self._pos(a_id, "a_id"), self._pos(b_id, "b_id")
        if i == j:
            raise ValueError(f"a_id and b_id are the same article ({a_id!r})")
        if (a_id, b_id) in self._pairs or (b_id, a_id) in self._pairs:
            return list(self.pair(a_id, b_id).passages)
        key = (a_id, b_id)
        if key not in self._cache:
            self._cache[key] = _align_pair(self.articles[i], self.articles[j], self._align_options)
        return list(self._cache[key])

    # -- outputs -------------------------------------------------------------------------------

    def _story_id(self, label: int) -> str:
        return str(label)

    def _copy_id(self, label: int) -> str:
        return str(label)

    def article_records(self) -> Iterator[dict[str, Any]]:
        """One record per article, in input order: id, title, source, date, lang, copy_cluster,
        copy_cluster_size, is_representative, story, story_size (texts are left out: join on id)."""
        copy_sizes = self.copies.cluster_sizes
        story_sizes = np.bincount(self.stories.labels, minlength=self.stories.n_stories)
        reps = self.copies.is_representative
        for i, art in enumerate(self.articles):
            c, s = int(self.copies.labels[i]), int(self.stories.labels[i])
            yield {
                "id": art.id, "title": art.title, "source": art.source,
                "date": art.date.isoformat() if art.date else None, "lang": art.lang,
                "copy_cluster": c, "copy_cluster_size": int(copy_sizes[c]),
                "is_representative": bool(reps[i]),
                "story": s, "story_size": int(story_sizes[s]),
            }

    def copy_pair_records(self) -> Iterator[dict[str, Any]]:
        """One record per verified copy pair: left, right, similarity, verified, measure, copy_cluster."""
        for record, left in zip(self.copies.iter_pair_records(), self.copies.pairs.left.tolist()):
            record["copy_cluster"] = int(self.copies.labels[left])
            yield record

    def story_records(self) -> Iterator[dict[str, Any]]:
        """One record per story (singletons included), by id: story, size, label (top terms),
        start, end, sources, languages, articles (ids in time order)."""
        for story in self.stories.stories:
            members = self._time_sorted(list(story.members))
            arts = [self.articles[m] for m in members]
            yield {
                "story": story.id, "size": story.size, "label": list(story.terms),
                "start": story.start.isoformat() if story.start else None,
                "end": story.end.isoformat() if story.end else None,
                "sources": list(story.sources),
                "languages": list(dict.fromkeys(a.lang for a in arts if a.lang)),
                "articles": [a.id for a in arts],
            }

    def passage_records(self) -> Iterator[dict[str, Any]]:
        """One record per passage of the precomputed pairs: a, b, story, kind, the offsets into
        each text, tokens (equal words), score, quoted, and ``text`` (the passage in ``a``)."""
        for pair in self.pairs:
            text_a = self.article(pair.a).text
            for p in pair.passages:
                yield {
                    "a": pair.a, "b": pair.b, "story": pair.story, "kind": pair.kind,
                    "a_start": p.a_start, "a_end": p.a_end, "b_start": p.b_start, "b_end": p.b_end,
                    "tokens": p.tokens, "score": p.score, "quoted": p.quoted,
                    "text": text_a[p.a_start:p.a_end],
                }

    def provenance_records(self) -> Iterator[dict[str, Any]]:
        """One record per provenance edge (see :class:`retold.Edge`)."""
        for edge in self.provenance:
            yield _edge_dict(edge)

    def reused_passage_records(self) -> Iterator[dict[str, Any]]:
        """One record per printing of a reused passage (see :meth:`ReusedPassages.iter_records`)."""
        return iter(()) if self.reused is None else self.reused.iter_records()

    def _reused_report(self) -> list[dict[str, Any]]:
        if self.reused is None:
            return []
        out = []
        for p in self.reused.passages[:REPORT_REUSED_PASSAGES]:
            out.append({
                "id": f"r{p.cluster}", "size": p.count, "documents": p.documents,
                "sources": list(p.sources), "span_days": p.span_days,
                "occurrences": [{
                    "article": o.id, "start": o.start, "end": o.end, "text": o.text,
                    "date": o.date.isoformat() if o.date else None, "source": o.source,
                } for o in p.occurrences],
            })
        return out

    def _time_sorted(self, positions: list[int]) -> list[int]:
        return sorted(positions, key=lambda i: _time_key(self.articles[i], i))

    def to_pandas(self, what: str = "articles") -> "pd.DataFrame":
        """One of the result's tables as a pandas DataFrame: ``"articles"``, ``"copy_pairs"``, ``"stories"``, ``"passages"``, ``"provenance"`` or ``"reused"``.

        Columns and dtypes are listed in the README ("pandas, Arrow and Hugging Face") and in
        :mod:`retold.io.frames`; the ``articles`` table is indexed by :attr:`row_labels`, so
        ``df.join(result.to_pandas())`` lines up with the DataFrame the result was made from.
        """
        return _frames.pick(_frames.analysis_tables(self), what, "Analysis").to_pandas()

    def to_arrow(self, what: str = "articles") -> "pa.Table":
        """The same table as :meth:`to_pandas`, as a pyarrow Table (no index: use the ids)."""
        return _frames.pick(_frames.analysis_tables(self), what, "Analysis").to_arrow()

    def to_frame(self) -> "pd.DataFrame":
        """The articles with their copy cluster and story (``to_pandas("articles")``, kept for
        older code)."""
        return self.to_pandas("articles")

    def report_data(self, *, title: str | None = None) -> dict[str, Any]:
        """The data model of :mod:`retold.report` for this analysis (see ``retold.report.render``)."""
        from retold import __version__

        reps = self.copies.is_representative
        articles = []
        for i, art in enumerate(self.articles):
            articles.append({
                "id": art.id, "title": art.title, "source": art.source,
                "date": art.date.isoformat() if art.date else None, "lang": art.lang,
                "copy_cluster": self._copy_id(int(self.copies.labels[i])),
                "story": self._story_id(int(self.stories.labels[i])),
                "is_representative": bool(reps[i]), "text": art.text,
            })
        cluster_pairs: dict[int, list] = {}
        for record, left in zip(self.copies.iter_pair_records(), self.copies.pairs.left.tolist()):
            cluster_pairs.setdefault(int(self.copies.labels[left]), []).append({
                "a": record["left"], "b": record["right"],
                "similarity": record["similarity"], "verified": record["verified"],
            })
        order = np.argsort(self.copies.labels, kind="stable")
        bounds = np.concatenate([[0], np.cumsum(self.copies.cluster_sizes)])
        copies = []
        for label in range(len(self.copies.representatives)):
            members = order[bounds[label]:bounds[label + 1]].tolist()
            rep = int(self.copies.representatives[label])
            members = [rep] + [m for m in self._time_sorted(members) if m != rep]
            copies.append({
                "id": self._copy_id(label), "representative": self.articles[rep].id,
                "members": [self.articles[m].id for m in members],
                "pairs": cluster_pairs.get(label, []),
            })
        stories = []
        for record in self.story_records():
            record = dict(record)
            record["id"] = self._story_id(record.pop("story"))
            stories.append(record)
        pairs = []
        for pair in self.pairs:
            pairs.append({
                "a": pair.a, "b": pair.b,
                "story": None if pair.story is None else self._story_id(pair.story),
                "kind": pair.kind, "similarity": round(pair.similarity, 4),
                "coverage": round(pair.coverage, 4),
                "passages": [{
                    "a_start": p.a_start, "a_end": p.a_end, "b_start": p.b_start, "b_end": p.b_end,
                    "tokens": p.tokens, "score": float(p.score), "quoted": p.quoted,
                } for p in pair.passages],
            })
        provenance = []
        for edge in self.provenance:
            record = _edge_dict(edge)
            if record.get("source_id") is None:
                # An outlet named as the source but not in the corpus: the page draws edges
                # between articles only (provenance.jsonl keeps these).
                continue
            provenance.append({
                "source_id": record["source_id"], "derived_id": record["derived_id"],
                "confidence": float(min(1.0, max(0.0, record.get("confidence") or 0.0))),
                "evidence": [_evidence_text(e) for e in record.get("evidence") or []],
            })
        return {
            "title": title or f"retold analysis of {len(self.articles):,} articles",
            "generated": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
            "retold_version": __version__,
            "options": dict(self.options),
            "summary": {
                "articles": len(articles),
                "copy_clusters": len(self.copies.clusters),
                "stories": len(self.stories.multi(2)),
                "passages": sum(len(p["passages"]) for p in pairs),
                "edges": len(provenance),
            },
            "articles": articles, "copies": copies, "stories": stories, "pairs": pairs,
            "provenance": provenance, "reused": self._reused_report(),
        }

    def save(
        self,
        directory: str | os.PathLike[str],
        *,
        parquet: bool | None = None,
        report: bool = True,
        title: str | None = None,
        progress: ProgressHook | None = None,
    ) -> dict[str, Path]:
        """Write the results into ``directory`` (created if needed), all files at once.

        Files: ``articles.jsonl`` (one record per article with its copy cluster, story and
        whether it represents its cluster), ``copy_pairs.jsonl``, ``stories.jsonl``,
        ``passages.jsonl`` (one record per passage: the pair, the offsets into both texts,
        whether it is a shared quote), ``provenance.jsonl``; the same as ``.parquet`` when
        pyarrow is installed; and ``report.html`` (needs Jinja2).

        Parameters
        ----------
        directory : str or PathLike
        parquet : bool, optional
            Write the Parquet files: by default when pyarrow can be imported; True requires it.
        report : bool
            Write ``report.html``.
        title : str, optional
            The report's title.
        progress : callable, optional
            As for :func:`analyze`; the stage is ``report``, advanced once per file.

        Returns
        -------
        dict
            File name -> path of every file written, in the order written.

        Raises
        ------
        ValueError
            ``directory`` exists and holds files of other programs (it is replaced whole).
        """
        from retold.io import write_records

        if parquet is None:
            try:
                import pyarrow  # noqa: F401
                import pyarrow.parquet  # noqa: F401
            except ImportError:
                parquet = False
            else:
                parquet = True
        from retold.io.atomic_directory import atomic_directory

        sources: dict[str, Callable[[], Iterable[dict]]] = {
            "articles": self.article_records,
            "copy_pairs": self.copy_pair_records,
            "stories": self.story_records,
            "passages": self.passage_records,
            "provenance": self.provenance_records,
        }
        if self.reused is not None:
            sources["reused_passages"] = self.reused_passage_records
        formats = ["jsonl"] + (["parquet"] if parquet else [])
        # Every name any run may write, so that re-running with other options is not refused.
        owned = {f"{name}.{fmt}" for name in [*sources, "reused_passages"]
                 for fmt in ("jsonl", "parquet")} | {"report.html"}
        total = len(sources) * len(formats) + int(report)
        names: list[str] = []
        stage = progress or _no_progress
        target = Path(directory)
        # The files belong together (the report and the records describe one run): written
        # into a temporary directory that replaces ``directory`` only once all are there.
        with stage("report", total) as advance, atomic_directory(target, owned=owned) as staging:
            for name, records in sources.items():
                for fmt in formats:
                    path = staging / f"{name}.{fmt}"
                    write_records(records(), path, format=fmt)
                    names.append(path.name)
                    advance(1)
            if report:
                from retold.report import render_report

                path = render_report(self.report_data(title=title), staging / "report.html")
                names.append(path.name)
                advance(1)
        written = {name: target / name for name in names}
        return written


# ---------------------------------------------------------------------------------- helpers


def _edge_dict(edge: Any) -> dict[str, Any]:
    if isinstance(edge, Mapping):
        return dict(edge)
    if callable(getattr(edge, "to_dict", None)):
        return edge.to_dict()
    from dataclasses import asdict, is_dataclass

    if is_dataclass(edge):
        return asdict(edge)
    raise TypeError(f"cannot turn a provenance edge of type {type(edge).__name__} into a record")


def _evidence_text(item: Any) -> str:
    if isinstance(item, Mapping) and "detail" in item:
        return f"{item.get('kind', 'evidence')}: {item['detail']}"
    return str(item)


def _calibrated(cosine: float, calibration: float) -> float:
    return float(min(1.0, max(0.0, cosine)) ** calibration)


_NO_DATE = _dt.datetime.max


def _time_key(article: Article, position: int) -> tuple:
    """Earlier first: by date (undated articles last), then input position."""
    return (article.date or _NO_DATE, position)


def _check_options(value: Any, name: str, forbidden: Sequence[str]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict of keyword arguments, not {type(value).__name__}")
    for key in value:
        if key in forbidden:
            raise ValueError(f"{name}: give {key!r} as an argument of analyze, not in {name}")
    return dict(value)


def _align_pair(a: Article, b: Article, options: Mapping[str, Any]) -> list:
    """Passages of a and b (:func:`retold.align` gives offsets into the texts as given)."""
    from retold.passages import align

    return align(a.text, b.text, **options)


def _pair_record(analysis: Analysis, i: int, j: int, passages: tuple) -> PairPassages:
    arts = analysis.articles
    same_copy = analysis.copies.labels[i] == analysis.copies.labels[j]
    si, sj = int(analysis.stories.labels[i]), int(analysis.stories.labels[j])
    shorter = min(analysis._token_count(i), analysis._token_count(j))
    matched = sum(p.tokens for p in passages)
    return PairPassages(
        a=arts[i].id, b=arts[j].id, story=si if si == sj else None,
        kind="copy" if same_copy else "story" if si == sj else "other",
        similarity=_calibrated(analysis._vectors.cosine(i, j), analysis._calibration),
        coverage=min(1.0, matched / shorter) if shorter else 0.0,
        passages=passages,
    )


# ---------------------------------------------------------------------------------- pair choice


def _top_earlier(vectors: Any, units: list[int], k: int, window: int) -> list[tuple[int, int]]:
    """For each unit (positions, in time order) the ``k`` most similar of the ``window`` units
    before it, as (earlier, later) position pairs.

    Cosines of a block of units against its candidates come from one dense product over the
    features the block uses (features no block row has add nothing), so memory stays at about
    ``(window + block) * block * features_per_article`` cells whatever the story's size.
    """
    out: list[tuple[int, int]] = []
    m = len(units)
    offsets, indices, values = vectors.offsets, vectors.indices, vectors.values

    def rows(positions: list[int]):
        # The CSR rows of ``positions``, flattened: (row in the list, feature, weight).
        pos = np.asarray(positions, dtype=np.int64)
        lo, lengths = offsets[pos], offsets[pos + 1] - offsets[pos]
        out_start = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        take = np.repeat(lo - out_start, lengths) + np.arange(int(lengths.sum()), dtype=np.int64)
        return np.repeat(np.arange(len(pos)), lengths), indices[take], values[take]

    for start in range(1, m, _BLOCK):
        stop = min(m, start + _BLOCK)
        first = max(0, start - window)
        block = units[start:stop]
        cand = units[first:stop - 1]
        b_row, b_feat, b_val = rows(block)
        c_row, c_feat, c_val = rows(cand)
        vocab = np.unique(b_feat)
        cos = np.zeros((len(block), len(cand)), dtype=np.float64)
        if len(vocab):
            dense_b = np.zeros((len(block), len(vocab)), dtype=np.float64)
            dense_b[b_row, np.searchsorted(vocab, b_feat)] = b_val
            col = np.minimum(np.searchsorted(vocab, c_feat), len(vocab) - 1)
            keep = vocab[col] == c_feat
            dense_c = np.zeros((len(cand), len(vocab)), dtype=np.float64)
            dense_c[c_row[keep], col[keep]] = c_val[keep]
            cos = np.round(dense_b @ dense_c.T, _COSINE_DIGITS)
        for r in range(len(block)):
            u = start + r
            lo = max(0, u - window)
            js = np.arange(lo, u)
            scores = cos[r, js - first]
            best = np.lexsort((js, -scores))[:k]  # most similar first, ties to the earlier unit
            for t in sorted(js[best].tolist()):
                out.append((units[t], units[u]))
    return out


def _choose_pairs(articles: Sequence[Article], copy_labels: np.ndarray, reps: np.ndarray,
                  story_labels: np.ndarray, vectors: Any, neighbours: int) -> list[tuple[int, int, str]]:
    """The pairs aligned up front, as (earlier position, later position, kind)."""
    n = len(articles)
    chosen: list[tuple[int, int, str]] = []
    for i in range(n):
        rep = int(reps[copy_labels[i]])
        if rep != i:
            chosen.append((rep, i, "copy"))
    if neighbours == 0:
        return chosen
    by_story: dict[int, list[int]] = {}
    for i, s in enumerate(story_labels.tolist()):
        by_story.setdefault(s, []).append(i)
    for s in sorted(by_story):
        members = by_story[s]
        if len(members) < 2:
            continue
        members.sort(key=lambda p: _time_key(articles[p], p))
        seen: set[int] = set()
        units = []
        for p in members:
            c = int(copy_labels[p])
            if c not in seen:
                seen.add(c)
                units.append(p)
        if len(units) < 2:
            continue
        chosen.extend((a, b, "story") for a, b in _top_earlier(vectors, units, neighbours, NEIGHBOUR_WINDOW))
    return chosen


def candidate_pairs(
    articles: Sequence[Article],
    groups: Sequence[int] | np.ndarray,
    *,
    copy_labels: Sequence[int] | np.ndarray,
    representatives: Sequence[int] | np.ndarray,
    vectors: Any,
    neighbours: int = DEFAULT_NEIGHBOURS,
) -> list[tuple[int, int, str]]:
    """The pairs :func:`analyze` aligns up front, within any grouping of the articles.

    Within each group (a story, or any set of related articles), every copy is paired with its
    copy cluster's representative, and each cluster present (standing as its earliest article
    in the group) with the ``neighbours`` earlier ones most similar to it by story similarity
    (see the module docstring).  So a group of ``n`` articles gives at most ``neighbours * n``
    pairs plus one per copy, not ``n * (n - 1) / 2``.

    Parameters
    ----------
    articles : sequence of Article
    groups : sequence of int
        The group of each article; pairs never join two groups.
    copy_labels, representatives : sequence of int
        :attr:`DedupResult.labels` and :attr:`DedupResult.representatives` of ``articles``.  A
        copy cluster split over groups counts as one cluster per group, represented by its
        representative where the group holds it, else by the group's earliest member of it.
    vectors : StoryVectors
        :meth:`StoryModel.vectors` of ``articles``.
    neighbours : int
        Earlier clusters of its group each cluster is paired with (0: copy pairs only).

    Returns
    -------
    list of (int, int, str)
        (earlier position, later position, ``"copy"`` or ``"story"``), group by group.
    """
    n = len(articles)
    groups = np.asarray(groups, dtype=np.int64)
    copy_labels = np.asarray(copy_labels, dtype=np.int64)
    representatives = np.asarray(representatives, dtype=np.int64)
    if groups.shape != (n,) or copy_labels.shape != (n,):
        raise ValueError(f"groups and copy_labels must have one entry per article ({n}), not "
                         f"{groups.shape} and {copy_labels.shape}")
    neighbours = _check_int(neighbours, "neighbours", 0, 1 << 20)
    label_of: dict[tuple[int, int], int] = {}
    labels = np.empty(n, dtype=np.int64)
    reps: list[int] = []
    for p in sorted(range(n), key=lambda q: _time_key(articles[q], q)):
        key = (int(groups[p]), int(copy_labels[p]))
        if key not in label_of:
            label_of[key] = len(reps)
            reps.append(p)
        labels[p] = label_of[key]
    for (group, cluster), label in label_of.items():
        rep = int(representatives[cluster])
        if int(groups[rep]) == group:
            reps[label] = rep
    return _choose_pairs(articles, labels, np.asarray(reps, dtype=np.int64), groups, vectors,
                         neighbours)


# ---------------------------------------------------------------------------------- provenance


def _provenance(analysis: Analysis, advance: Callable[[int], None], options: Mapping[str, Any]) -> list:
    """Provenance edges, story by story (each story's articles in time order).

    :func:`retold.provenance` judges the pairs the passages stage aligned within the story
    (copy pairs and story pairs, with their passages: nothing is aligned twice), plus the
    pairs an explicit attribution links, so its cost grows with the pairs chosen, not with
    the square of the story's size.
    """
    from retold.provenance import provenance

    edges: list = []
    # Grouped here rather than through StoryResult.stories, whose labels take a tokenisation of
    # every member (they are made when the report needs them).
    by_story: dict[int, list[int]] = {}
    for i, s in enumerate(analysis.stories.labels.tolist()):
        by_story.setdefault(s, []).append(i)
    aligned: dict[int, dict[tuple[str, str], tuple]] = {}
    for pair in analysis.pairs:
        if pair.story is not None:
            aligned.setdefault(pair.story, {})[(pair.a, pair.b)] = pair.passages
    for s in sorted(by_story):
        members = analysis._time_sorted(by_story[s])
        if len(members) >= 2:
            edges.extend(provenance([analysis.articles[m] for m in members],
                                    passages=aligned.get(s, {}), **options))
        advance(len(members))
    return _with_credits_across_stories(analysis, edges, options)


def _with_credits_across_stories(analysis: Analysis, edges: list, options: Mapping[str, Any]) -> list:
    """Add the edges explicit credits make across stories: a rewrite the clustering kept apart
    from its source, often one in another language, that names the source's outlet
    (:func:`retold.provenance.with_credit_edges`, story similarity from the clustering's vectors)."""
    from retold.provenance import with_credit_edges

    return with_credit_edges(
        analysis.articles, edges, analysis._vectors.cosines,
        window_days=analysis.options.get("window_days", 3.0),
        min_confidence=options.get("min_confidence", 0.3),
    )


# ---------------------------------------------------------------------------------- analyze


def analyze(
    docs: Iterable[Any],
    *,
    copy_threshold: float = 0.8,
    copy_similarity: str = "containment",
    story_threshold: float | None = None,
    window_days: float = 3.0,
    min_tokens: int = 8,
    neighbours: int = DEFAULT_NEIGHBOURS,
    workers: int = 1,
    copy_options: Mapping[str, Any] | None = None,
    story_options: Mapping[str, Any] | None = None,
    align_options: Mapping[str, Any] | None = None,
    provenance_options: Mapping[str, Any] | None = None,
    reuse_options: Mapping[str, Any] | None = None,
    reused: bool = True,
    progress: ProgressHook | None = None,
    on_error: str = "raise",
    **fields: Unpack[FieldOptions],
) -> Analysis:
    """Copies, stories, shared passages and provenance of a corpus, in one call.

    Parameters
    ----------
    docs : iterable of str, dict or Article, or a table
        A string's id is its position; a dict needs ``text`` and may have ``id``, ``title``,
        ``date``, ``source``, ``lang``.  Ids must be unique.  A pandas DataFrame or Series,
        pyarrow Table, RecordBatch or (Chunked)Array, ``datasets.Dataset`` or 1-D numpy array
        of strings works too (one article per row; see :mod:`retold.io.tabular_input`).
    copy_threshold : float
        Least similarity of two copies (:func:`retold.dedup`'s ``threshold``).
    copy_similarity : {"containment", "jaccard"}
        ``containment`` (default) also finds reprints trimmed of their end.
    story_threshold : float, optional
        Least average link of two stories to merge (:func:`retold.stories`'s ``threshold``,
        default :data:`retold.stories.DEFAULT_THRESHOLD`).
    window_days : float
        Time scale of the stories' date discount (:func:`retold.stories`'s ``window_days``) and
        of the credit edges across stories.
    min_tokens : int
        Least number of equal words of a passage (:func:`retold.align`).
    neighbours : int
        Earlier units of its story each unit is aligned with (0: copy pairs only); see the
        module docstring for what is aligned up front and what on demand.
    workers : int
        Threads for signing, story features and alignment.
    copy_options, story_options, align_options, provenance_options : dict, optional
        Further keyword arguments of :func:`retold.dedup`, :func:`retold.stories`,
        :func:`retold.align` and :func:`retold.provenance` (e.g. ``{"ngram": 4}``,
        ``{"density_penalty": 0.25}``, ``{"quotes": False}``, ``{"min_confidence": 0.5}``).
    reuse_options : dict, optional
        Keyword arguments of :func:`retold.reused_passages` (``{"max_df": 50}``).
    reused : bool
        Look for passages reprinted anywhere in the corpus (stage ``reuse``; default True).
    progress : callable, optional
        ``progress(stage, total)`` returning a context manager that yields ``advance(n)``; the
        stages are ``copies``, ``stories``, ``passages``, ``provenance`` and ``reuse``.
        :meth:`retold.progress.Progress.stage` fits.
    on_error : {"raise", "skip"}
        A row without a text raises :class:`retold.RecordError` naming its position and id,
        or is left out and listed in the result's ``skipped``.
    id_field, text_field, title_field, date_field, source_field, lang_field : str
        The columns (record keys) of each part of an article, as :func:`retold.read_articles`.

    Returns
    -------
    Analysis

    Examples
    --------
    >>> from retold.data import load_demo
    >>> result = analyze(load_demo())                           # doctest: +SKIP
    >>> result.save("retold-report")                            # doctest: +SKIP
    """
    from retold.copies import dedup
    from retold.story_clustering import (
        CLUSTERING_OPTIONS,
        DEFAULT_THRESHOLD,
        StoryModel,
        stories,
    )

    source = ArticleInput(docs, on_error=on_error, **fields)
    neighbours = _check_int(neighbours, "neighbours", 0, 1 << 20)
    workers = _check_int(workers, "workers", 1, 1024)
    min_tokens = _check_int(min_tokens, "min_tokens", 1, 1 << 40)
    copy_options = _check_options(copy_options, "copy_options",
                                  ("threshold", "similarity", "workers", "progress"))
    story_options = _check_options(story_options, "story_options",
                                   ("threshold", "window_days", "workers"))
    align_options = _check_options(align_options, "align_options", ("min_tokens",))
    align_options["min_tokens"] = min_tokens
    provenance_options = _check_options(provenance_options, "provenance_options",
                                        ("min_tokens", "passages", "pairs"))
    provenance_options["min_tokens"] = min_tokens
    reuse_options = _check_options(reuse_options, "reuse_options", ("workers", "progress"))
    if story_threshold is None:
        story_threshold = DEFAULT_THRESHOLD
    articles = source.articles()
    stage = progress or _no_progress
    n = len(articles)

    with stage("copies", n) as advance:
        @contextmanager
        def dedup_progress(name: str, total: int | None = None):
            # dedup's first stage reads every document once: it moves the copies bar.
            yield advance if name == "sign" else (lambda k=1: None)

        copies = dedup(articles, threshold=copy_threshold, similarity=copy_similarity,
                       workers=workers, progress=dedup_progress, **copy_options)

    with stage("stories", n) as advance:
        model = story_options.pop("model", None)
        if model is None:
            model = StoryModel(**CLUSTERING_OPTIONS)
        found = stories(articles, threshold=story_threshold, window_days=window_days,
                        workers=workers, model=model, **story_options)
        vectors = found.vectors  # the ones the clustering compared: computed once
        advance(n)

    chosen = _choose_pairs(articles, copies.labels, copies.representatives, found.labels,
                           vectors, neighbours)
    chosen.sort(key=lambda t: (int(found.labels[t[1]]), _time_key(articles[t[1]], t[1]),
                               _time_key(articles[t[0]], t[0])))
    options = {
        "copy_threshold": copy_threshold, "copy_similarity": copy_similarity,
        "story_threshold": story_threshold, "window_days": window_days,
        "min_tokens": min_tokens, "neighbours": neighbours,
        **{f"copy_{k}": v for k, v in copy_options.items()},
        **{f"story_{k}": v for k, v in story_options.items()},
        **{f"align_{k}": v for k, v in align_options.items() if k != "min_tokens"},
        **{f"provenance_{k}": v for k, v in provenance_options.items() if k != "min_tokens"},
        **{f"reuse_{k}": v for k, v in reuse_options.items()},
    }
    analysis = Analysis(
        articles=articles, copies=copies, stories=found, vectors=vectors,
        calibration=model.calibration, pairs=[], provenance=[], options=options,
        align_options=align_options, skipped=source.skipped, row_labels=source.row_labels(),
    )

    with stage("passages", len(chosen)) as advance:
        def job(t: tuple[int, int, str]) -> PairPassages:
            a, b, _ = t
            passages = tuple(_align_pair(articles[a], articles[b], align_options))
            advance(1)
            return _pair_record(analysis, a, b, passages)

        if workers > 1 and len(chosen) > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                pairs = list(pool.map(job, chosen))
        else:
            pairs = [job(t) for t in chosen]
    analysis.pairs = tuple(pairs)
    analysis._pairs = {(p.a, p.b): p for p in pairs}

    with stage("provenance", n) as advance:
        analysis.provenance = _provenance(analysis, advance, provenance_options)
    if reused:
        from retold.passage_reuse import reused_passages

        with stage("reuse", 1) as advance:
            analysis.reused = reused_passages(articles, workers=workers, **reuse_options)
            advance(1)
    return analysis


# ``retold.analyze`` is both this module and its main function (see retold._callable_module).
make_callable(__name__)
