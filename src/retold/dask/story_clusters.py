""":func:`stories` on a Dask cluster: document frequencies summed over the partitions, story
vectors computed where the articles live, one clustering task over them all.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from retold.dask.parquet import write_story_parquet
from retold.dask.read import Corpus, Fields, gather_articles, gather_columns, place
from retold.dask.runtime import delayed, require_dask
from retold.dates import days_of_microseconds
from retold.story_labels import StoryCounts

__all__ = ["DaskStoryResult", "stories"]


def _story_counts(part: Any, model: Any) -> np.ndarray:
    """Document frequencies of one partition's articles (dense, ``2**n_bits``), by the model's own fit."""
    import copy

    articles = gather_articles(part, np.arange(len(part)))
    counts: np.ndarray = copy.copy(model).fit(articles).df
    return counts


def _add_arrays(*arrays: np.ndarray) -> np.ndarray:
    total: np.ndarray = arrays[0].copy()
    for a in arrays[1:]:
        total += a
    return total


def _tree_sum(dask: Any, items: list[Any]) -> Any:
    """Pairwise (tree) sum of delayed arrays, so no worker receives them all at once."""
    while len(items) > 1:
        items = [
            delayed(_add_arrays, *items[i : i + 8]) if len(items[i : i + 8]) > 1 else items[i]
            for i in range(0, len(items), 8)
        ]
    return items[0]


def _story_vectors(part: Any, model: Any) -> tuple[Any, ...]:
    """One partition's story vectors (CSR arrays, weighted by the corpus idf the model holds),
    with the articles' dates in days and dominant scripts: what the clustering needs of them."""
    from retold.scripts import dominant_scripts

    articles = gather_articles(part, np.arange(len(part)))
    vectors = model.vectors(articles)
    # The articles' days straight from the placed microseconds, bit for bit retold.story_clustering.article_days.
    days = days_of_microseconds(part["date_us"].to_numpy())
    return vectors.offsets, vectors.indices, vectors.values, days, dominant_scripts(articles)


def _cluster_stories(options: dict[str, Any], n_features: int,
                     *pieces: tuple[Any, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Story ids and topic ids of the whole corpus from the partitions' vectors, in input order
    (:func:`retold.story_clustering.cluster_levels`, the step :func:`retold.stories` ends with)."""
    from retold.story_clustering import StoryVectors, cluster_levels

    offsets, base = [np.zeros(1, dtype=np.int64)], 0
    for piece in pieces:
        offsets.append(piece[0][1:] + base)
        base += int(piece[0][-1])
    vectors = StoryVectors(
        np.concatenate(offsets),
        np.concatenate([p[1] for p in pieces]) if pieces else np.zeros(0, dtype=np.uint32),
        np.concatenate([p[2] for p in pieces]) if pieces else np.zeros(0, dtype=np.float64),
        n_features,
    )
    days = np.concatenate([p[3] for p in pieces]) if pieces else np.zeros(0)
    scripts = np.concatenate([p[4] for p in pieces]) if pieces else np.zeros(0, dtype=np.int64)
    return cluster_levels(vectors, days, scripts, **options)


@dataclass(frozen=True, eq=False, repr=False)
class DaskStoryResult(StoryCounts):
    """Stories found on a Dask cluster.

    Attributes
    ----------
    labels : np.ndarray of int64
        Story id of each article in input order, numbered as :func:`retold.stories` numbers
        them (from 0, in order of each story's first article in time).
    ids : tuple of str
        Article ids in input order.
    model : StoryModel
        The model, with the document frequencies of the whole corpus.
    dask_stats : dict
        ``partitions`` and ``vector_bytes`` (the story vectors sent to the clustering task).
    topics : np.ndarray of int64 or None
        Topic id of each article, as :attr:`retold.StoryResult.topics`.
    """

    labels: np.ndarray
    ids: tuple[Any, ...]
    model: Any = field(repr=False)
    dask_stats: dict[str, Any] = field(default_factory=dict)
    _corpus: Any = field(default=None, repr=False)
    topics: np.ndarray | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"DaskStoryResult(articles={len(self.labels)}, stories={self.n_stories})"

    def describe(self, min_size: int = 1) -> tuple[Any, ...]:
        """The stories of at least ``min_size`` articles, by id, as :class:`retold.story_clustering.Story`.

        Their articles are gathered from the workers to describe them exactly as
        :attr:`retold.StoryResult.stories` does (time span, sources, top words); with
        ``min_size=1`` that is every article of the corpus, so prefer a larger ``min_size`` on
        big corpora.
        """
        import dataclasses

        from retold.story_clustering import StoryResult

        dask, _, _ = require_dask()
        sizes = np.bincount(self.labels) if len(self.labels) else np.zeros(0, dtype=np.int64)
        wanted = np.flatnonzero(sizes[self.labels] >= min_size) if len(self.labels) else np.zeros(0, np.int64)
        if len(wanted) == 0:
            return ()
        corpus: Corpus = self._corpus
        part_of = np.searchsorted(corpus.bounds, wanted, side="right") - 1
        pieces = []
        for p in np.unique(part_of).tolist():
            rows = wanted[part_of == p] - corpus.bounds[p]
            pieces.append(delayed(gather_articles, corpus.parts[p], rows))
        articles = [a for piece in dask.compute(*pieces) for a in piece]
        vectors = self.model.vectors(articles)
        subset = StoryResult(self.labels[wanted], tuple(a.id for a in articles), articles, vectors, self.model,
                             topics=None if self.topics is None else self.topics[wanted])
        return tuple(
            dataclasses.replace(s, positions=tuple(int(wanted[m]) for m in s.positions)) for s in subset.stories
        )

    @cached_property
    def stories(self) -> tuple[Any, ...]:
        """Every story (singletons included), by id: :meth:`describe` with ``min_size=1``."""
        return self.describe(1)

    def multi(self, min_size: int = 2) -> tuple[Any, ...]:
        """The stories of at least ``min_size`` articles, largest first (as :meth:`retold.StoryResult.multi`)."""
        return tuple(sorted(self.describe(min_size), key=lambda s: (-s.size, s.id)))

    def to_records(self) -> list[dict[str, Any]]:
        """One record per article: ``id``, ``story``, ``story_size``, ``topic`` (as :meth:`retold.StoryResult.to_records`)."""
        from retold.story_clustering.results import story_records

        return story_records(self.ids, self.labels, self.topics)

    def to_parquet(self, path: str | os.PathLike[str]) -> None:
        """Write ``id``, ``story``, ``story_size``, ``topic`` per article as a Parquet dataset, from the workers, atomically."""
        write_story_parquet(self.labels, self._corpus, path, self.topics)


def stories(
    collection: Any,
    *,
    model: Any = None,
    **options: Any,
) -> DaskStoryResult:
    """Group a corpus into stories on a Dask cluster: the labels of :func:`retold.stories`.

    1. the model's document frequencies are counted per partition (by the model's own
       :meth:`~retold.StoryModel.fit`) and summed in a tree: the same integers as a
       single-machine fit;
    2. each partition's articles become story vectors on the worker that holds them (the
       features are most of the cost), weighted by that corpus-wide idf;
    3. one task gathers the vectors and runs the clustering step of :func:`retold.stories`
       (:func:`retold.story_clustering.cluster_levels`: nearest neighbours, average link), so the labels
       are always those of the single-machine run.

    The vectors are about 12 bytes per distinct feature of an article (some 2 KB an article):
    the clustering task needs that for the whole corpus, about 2 GB per million articles.

    Parameters
    ----------
    collection : dask.bag.Bag or dask.dataframe.DataFrame
        As for :func:`dedup`.
    model : StoryModel, optional
        As for :func:`retold.stories` (fitted on the corpus when it has seen no documents).
    **options
        The names of each part of an article (``text_field``, ``id_field``, ``date_field``,
        ``title_field``, ``source_field``, ``lang_field``, as for :func:`dedup`), and the
        clustering options of :func:`retold.stories` (``threshold``, ``topic_threshold``,
        ``density_penalty``, ``window_days``, ``neighbours``, ``cross_script_weight``), with its defaults.

    Returns
    -------
    DaskStoryResult
    """
    dask, _, _ = require_dask()
    import inspect

    from retold.article_fields import FIELD_DEFAULTS
    from retold.story_clustering import CLUSTERING_OPTIONS, StoryModel, check_clustering_options, check_topic_threshold
    from retold.story_clustering import stories as single_machine

    # The single-machine clustering options and defaults, read from it so that the two cannot
    # drift apart; how rows are read (on_error, the *_field names) is the collection's business.
    accepted = {
        name: p.default for name, p in inspect.signature(single_machine).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and name not in ("workers", "model", "on_error")
        and name not in FIELD_DEFAULTS  # the signature shows the *_field keywords too
    }
    fields, options = Fields.split(options)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise TypeError(f"unexpected option(s) {', '.join(unknown)}; retold.stories takes {', '.join(accepted)}")
    chosen = {**accepted, **options}
    topic_threshold = chosen.pop("topic_threshold")
    options = check_clustering_options(**chosen)  # checked here, not in the tasks
    options["topic_threshold"] = check_topic_threshold(topic_threshold, options["threshold"])
    if model is None:
        model = StoryModel(**CLUSTERING_OPTIONS)
    elif not isinstance(model, StoryModel):
        raise TypeError(f"model must be a StoryModel, not {type(model).__name__}")
    corpus = place(collection, fields)
    n, n_parts = corpus.n, len(corpus.parts)
    if model.n_docs == 0 and n:
        counts = [delayed(_story_counts, p, model) for p in corpus.parts]
        model.df = dask.compute(_tree_sum(dask, counts))[0]
        model.n_docs = n
    ids = tuple(str(i) for i in gather_columns(corpus, ("id",))["id"].tolist())
    model_d = dask.delayed(model, pure=True)
    pieces = [delayed(_story_vectors, p, model_d) for p in corpus.parts]
    sizes = [delayed(_piece_bytes, piece) for piece in pieces]
    (labels, topics), vector_bytes = dask.compute(delayed(_cluster_stories, options, model.n_features, *pieces), sizes)
    stats = {"partitions": n_parts, "vector_bytes": int(sum(vector_bytes))}
    return DaskStoryResult(np.asarray(labels, dtype=np.int64), ids, model, stats, corpus,
                           topics=np.asarray(topics, dtype=np.int64))


def _piece_bytes(piece: tuple[Any, ...]) -> int:
    return sum(int(a.nbytes) for a in piece)
