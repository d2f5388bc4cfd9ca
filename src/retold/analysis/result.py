"""The result of :func:`retold.analyze`: the :class:`Analysis` object and its lookups.

Its records, tables, report data and files are made by :mod:`retold.analysis.export`; the
pairs aligned up front are chosen by :mod:`retold.analysis.pair_selection`.
"""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

from retold.analysis import export
from retold.analysis.pair_passages import PairPassages, align_pair, calibrated, swap_passage
from retold.article import Article
from retold.hashing import tokenize
from retold.io import frames as _frames
from retold.io.errors import SkippedRecord

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from retold.progress import ProgressHook
    from retold.attribution import Edge
    from retold.copies import DedupResult
    from retold.passage_reuse import ReusedPassages
    from retold.passages import Passage
    from retold.story_clustering import StoryResult, StoryVectors


class Analysis(_frames.ResultTables):
    """Copies, stories, shared passages and provenance of one corpus (made by :func:`retold.analyze`).

    Its tables (:meth:`to_pandas`, :meth:`to_arrow`): ``"articles"`` (the default),
    ``"copy_pairs"``, ``"stories"``, ``"passages"``, ``"provenance"`` and ``"reused"``.

    Attributes
    ----------
    articles : tuple of Article
        The input, in input order.
    copies : DedupResult
        Copy clusters (:func:`retold.dedup`).
    stories : StoryResult
        Stories (:func:`retold.stories`).
    pairs : tuple of PairPassages
        The pairs aligned up front (see :mod:`retold.analysis.pair_selection`), sorted by story
        and time.
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

    def __init__(self, *, articles: Iterable[Article], copies: DedupResult, stories: StoryResult,
                 vectors: StoryVectors, calibration: float, pairs: Iterable[PairPassages],
                 provenance: Iterable[Edge], options: Mapping[str, Any],
                 align_options: Mapping[str, Any], reused: ReusedPassages | None = None,
                 skipped: Sequence[SkippedRecord] = (), row_labels: Any = None) -> None:
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
        self._cache: dict[tuple[str, str], list[Passage]] = {}
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
        return calibrated(self._vectors.cosine(i, j), self._calibration)

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
            passages = tuple(sorted((swap_passage(p) for p in turned.passages), key=lambda p: (p.a_start, p.b_start)))
            return replace(turned, a=a_id, b=b_id, passages=passages)
        passages = tuple(self.passages(a_id, b_id))
        return pair_record(self, i, j, passages)

    def passages(self, a_id: str, b_id: str) -> list[Passage]:
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
            self._cache[key] = align_pair(self.articles[i], self.articles[j], self._align_options)
        return list(self._cache[key])

    # -- outputs (written by retold.analysis.export) ----------------------------------------

    def article_records(self) -> Iterator[dict[str, Any]]:
        """One record per article, in input order: id, title, source, date, lang, copy_cluster,
        copy_cluster_size, is_representative, story, story_size (texts are left out: join on id)."""
        return export.article_records(self)

    def copy_pair_records(self) -> Iterator[dict[str, Any]]:
        """One record per verified copy pair: left, right, similarity, verified, measure, copy_cluster."""
        return export.copy_pair_records(self)

    def story_records(self) -> Iterator[dict[str, Any]]:
        """One record per story (singletons included), by id: story, size, label (top terms),
        start, end, sources, languages, articles (ids in time order)."""
        return export.story_records(self)

    def passage_records(self) -> Iterator[dict[str, Any]]:
        """One record per passage of the precomputed pairs: a, b, story, kind, the offsets into
        each text, tokens (equal words), score, quoted, and ``text`` (the passage in ``a``)."""
        return export.passage_records(self)

    def provenance_records(self) -> Iterator[dict[str, Any]]:
        """One record per provenance edge (see :class:`retold.Edge`)."""
        return export.provenance_records(self)

    def reused_passage_records(self) -> Iterator[dict[str, Any]]:
        """One record per printing of a reused passage (see :meth:`ReusedPassages.iter_records`)."""
        return export.reused_passage_records(self)

    def _tables(self) -> dict[str, Callable[[], _frames.Table]]:
        return _frames.analysis_tables(self)

    def to_frame(self) -> "pd.DataFrame":
        """The articles with their copy cluster and story (``to_pandas("articles")``, kept for
        older code)."""
        return self.to_pandas("articles")

    def report_data(self, *, title: str | None = None) -> dict[str, Any]:
        """The data model of :mod:`retold.report` for this analysis (see ``retold.report.render``)."""
        return export.report_data(self, title=title)

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
        return export.save(self, directory, parquet=parquet, report=report, title=title,
                           progress=progress)


def pair_record(analysis: Analysis, i: int, j: int, passages: tuple[Passage, ...]) -> PairPassages:
    """The :class:`PairPassages` of the articles at positions ``i`` and ``j`` of ``analysis``."""
    arts = analysis.articles
    same_copy = analysis.copies.labels[i] == analysis.copies.labels[j]
    si, sj = int(analysis.stories.labels[i]), int(analysis.stories.labels[j])
    shorter = min(analysis._token_count(i), analysis._token_count(j))
    matched = sum(p.tokens for p in passages)
    return PairPassages(
        a=arts[i].id, b=arts[j].id, story=si if si == sj else None,
        kind="copy" if same_copy else "story" if si == sj else "other",
        similarity=calibrated(analysis._vectors.cosine(i, j), analysis._calibration),
        coverage=min(1.0, matched / shorter) if shorter else 0.0,
        passages=passages,
    )


def attach_pairs(analysis: Analysis, pairs: Iterable[PairPassages]) -> None:
    """Give ``analysis`` the pairs aligned up front (:func:`retold.analyze` makes them after
    the object, whose token counts and vectors :func:`pair_record` reads)."""
    analysis.pairs = tuple(pairs)
    analysis._pairs = {(p.a, p.b): p for p in analysis.pairs}
