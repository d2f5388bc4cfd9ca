"""The batch clustering: a sparse nearest-neighbour graph, average-link agglomeration, :func:`stories`."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np

from retold._validate import check_int as _check_int
from retold._validate import check_number as _check_number
from retold.article import Article
from retold.dates import epoch_days as _epoch_days
from retold.article_fields import FieldOptions, field_keywords
from retold.io.tabular_input import ArticleInput
from retold.scripts import dominant_scripts
from retold.story_clustering import _kernels
from retold.story_clustering.model import StoryModel
from retold.story_clustering.options import (
    CLUSTERING_OPTIONS, DEFAULT_CROSS_SCRIPT_WEIGHT, DEFAULT_DENSITY_PENALTY, DEFAULT_NEIGHBOURS,
    DEFAULT_THRESHOLD, DEFAULT_TOPIC_THRESHOLD, DEFAULT_WINDOW_DAYS, DENSITY_NEIGHBOURS,
    NEIGHBOUR_CANDIDATES, NEIGHBOUR_INDEX_TERMS, NEIGHBOUR_MAX_POSTINGS, check_clustering_options,
    check_topic_threshold,
)
from retold.story_clustering.results import StoryResult
from retold.story_clustering.vectors import StoryVectors

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["article_days", "story_graph", "cluster_vectors", "cluster_levels", "stories"]


def article_days(articles: Sequence[Article]) -> np.ndarray:
    """Each article's date in days since 1970 (float64), NaN where it has none."""
    return np.array([_epoch_days(a.date) if a.date is not None else np.nan for a in articles],
                    dtype=np.float64)


def story_graph(
    vectors: StoryVectors,
    days: np.ndarray,
    scripts: np.ndarray,
    *,
    neighbours: int = DEFAULT_NEIGHBOURS,
    window_days: float = DEFAULT_WINDOW_DAYS,
    cross_script_weight: float = DEFAULT_CROSS_SCRIPT_WEIGHT,
    embeddings: np.ndarray | None = None,
    semantic_weight: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The candidate graph the batch clustering merges over: ``(a, b, weight, density)``.

    ``days`` are the articles' dates in days since 1970 (NaN: undated, see
    :func:`article_days`) and ``scripts`` their dominant scripts (:func:`dominant_scripts`).
    Each article's ``neighbours`` nearest articles by cosine (found through an inverted index
    over the rows' strongest features, see :mod:`retold._reference.neighbours`) give the edges
    ``a < b``, each once.  An edge's weight is the cosine, divided by ``1 + gap / window_days``
    when both articles are dated ``gap`` days apart (time is evidence, not a hard cut), and
    multiplied by ``cross_script_weight`` when the two are written in different scripts (only
    names, numbers and quotes can match there, so such cosines live on a lower scale).  An
    article's *density* is the mean cosine of its :data:`DENSITY_NEIGHBOURS` nearest (missing
    ones count 0): how crowded its neighbourhood is with articles of its topic.

    With ``embeddings`` (one unit row per article, :meth:`StoryModel.embeddings`) each article's
    ``neighbours`` nearest by semantic cosine join the candidates, and every weight and density
    becomes ``(1 - semantic_weight) * lexical + semantic_weight * semantic`` (never lower than
    the lexical weight across scripts; the semantic
    cosine stretched, and discounted by date like the lexical one; see
    :mod:`retold.semantic.graph`; default weight :data:`retold.semantic.GRAPH_WEIGHT`).
    """
    n = len(vectors)
    days = np.asarray(days, dtype=np.float64)
    scripts = np.asarray(scripts, dtype=np.int64)
    if days.shape != (n,) or scripts.shape != (n,):
        raise ValueError(f"days and scripts must have one value per vector ({n}), "
                         f"got shapes {days.shape} and {scripts.shape}")
    k = min(neighbours, max(n - 1, 1))
    ids, sims = _kernels.neighbours.nearest_neighbours(
        vectors.offsets, vectors.indices, vectors.values, k, NEIGHBOUR_INDEX_TERMS, NEIGHBOUR_INDEX_TERMS,
        NEIGHBOUR_MAX_POSTINGS, max(NEIGHBOUR_CANDIDATES, k))
    width = min(DENSITY_NEIGHBOURS, k)
    density = sims[:, :width].sum(axis=1) / DENSITY_NEIGHBOURS
    a = np.repeat(np.arange(n, dtype=np.int64), k)
    b = ids.ravel()
    w = sims.ravel()
    keep = b >= 0
    a, b, w = a[keep], b[keep], w[keep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    _, first = np.unique(lo * n + hi, return_index=True)
    a, b, w = lo[first], hi[first], w[first]
    if embeddings is not None:
        from retold.semantic.graph import semantic_candidates

        a, b, w, semantic, semantic_density = semantic_candidates(
            vectors, embeddings, a, b, w, k, DENSITY_NEIGHBOURS)
    gap = np.abs(days[a] - days[b])
    w = np.where(np.isnan(gap), w, w / (1.0 + gap / window_days)) if window_days > 0 else w
    cross = (scripts[a] != scripts[b]) & (scripts[a] >= 0) & (scripts[b] >= 0)
    w = np.where(cross, w * cross_script_weight, w)
    if embeddings is not None:
        from retold.semantic import GRAPH_WEIGHT, mix
        from retold.semantic.graph import GRAPH_FLOOR, mix_density

        weight = GRAPH_WEIGHT if semantic_weight is None else _check_number(
            semantic_weight, "semantic_weight", 0.0, 1.0)
        if window_days > 0:
            semantic = semantic * np.where(np.isnan(gap), 1.0, 1.0 / (1.0 + gap / window_days))
        mixed = mix(w, semantic, weight, GRAPH_FLOOR)
        # Across scripts the lexical weight is already scaled up to stand for what the words
        # cannot show; there the semantic cosine only adds evidence (demo corpus: 0.914 -> 0.929).
        w = np.where(cross, np.maximum(w, mixed), mixed)
        density = mix_density(density, semantic_density, weight)
    return a, b, w, density


def _numbered_by_first_article(roots: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Cluster roots renumbered from 0 in order of each cluster's first article in time."""
    n = len(roots)
    if np.isnan(days).all():
        order = np.arange(n)
    else:
        order = np.lexsort((np.arange(n), np.where(np.isnan(days), np.inf, days)))
    ranked = roots[order]
    _, first = np.unique(ranked, return_index=True)
    remap = np.empty(n, dtype=np.int64)
    remap[ranked[np.sort(first)]] = np.arange(len(first))
    numbered: np.ndarray = remap[roots]
    return numbered


def cluster_levels(
    vectors: StoryVectors,
    days: np.ndarray,
    scripts: np.ndarray,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    topic_threshold: float = DEFAULT_TOPIC_THRESHOLD,
    density_penalty: float = DEFAULT_DENSITY_PENALTY,
    window_days: float = DEFAULT_WINDOW_DAYS,
    neighbours: int = DEFAULT_NEIGHBOURS,
    cross_script_weight: float = DEFAULT_CROSS_SCRIPT_WEIGHT,
    embeddings: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Story ids and topic ids of articles already turned into vectors: the clustering step of
    :func:`stories`, which :func:`retold.dask.stories` runs on the vectors its workers computed,
    so both give the same labels.

    ``days``, ``scripts`` and ``embeddings`` (optional semantic rows) are as for
    :func:`story_graph`.  Both come from one candidate graph.  The agglomeration merges by the largest average link
    and a merge never raises another link, so the merges made down to ``topic_threshold``
    begin with exactly those made down to ``threshold``: every story lies inside one topic.
    Both are numbered from 0 in order of their first article in time (input order where
    nothing is dated; undated articles come after dated ones).
    """
    o = check_clustering_options(threshold, density_penalty, window_days, neighbours, cross_script_weight)
    topic_threshold = check_topic_threshold(topic_threshold, o["threshold"])
    n = len(vectors)
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    a, b, w, density = story_graph(vectors, days, scripts, neighbours=o["neighbours"],
                                   window_days=o["window_days"], cross_script_weight=o["cross_script_weight"],
                                   embeddings=embeddings)
    days = np.asarray(days, dtype=np.float64)
    average_link = _kernels.agglomerate.average_link
    story_roots = average_link(n, a, b, w, density, o["threshold"], o["density_penalty"])
    topic_roots = story_roots if topic_threshold == o["threshold"] else \
        average_link(n, a, b, w, density, topic_threshold, o["density_penalty"])
    return _numbered_by_first_article(story_roots, days), _numbered_by_first_article(topic_roots, days)


def cluster_vectors(vectors: StoryVectors, days: np.ndarray, scripts: np.ndarray, **options: Any) -> np.ndarray:
    """Story ids of articles already turned into vectors: the stories of :func:`cluster_levels`,
    with the same keyword options but ``topic_threshold`` (no topic level is made).

    ``days``, ``scripts`` and ``embeddings`` (optional semantic rows) as for :func:`story_graph`.  Stories are numbered from 0 in order
    of their first article in time (input order where nothing is dated; undated articles come
    after dated ones).
    """
    if "topic_threshold" in options:
        raise TypeError("cluster_vectors makes no topics: call cluster_levels for topic_threshold")
    options["topic_threshold"] = options.get("threshold", DEFAULT_THRESHOLD)
    labels, _ = cluster_levels(vectors, days, scripts, **options)
    return labels


@field_keywords
def stories(
    docs: Iterable[Any],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    topic_threshold: float = DEFAULT_TOPIC_THRESHOLD,
    density_penalty: float = DEFAULT_DENSITY_PENALTY,
    window_days: float = DEFAULT_WINDOW_DAYS,
    neighbours: int = DEFAULT_NEIGHBOURS,
    cross_script_weight: float = DEFAULT_CROSS_SCRIPT_WEIGHT,
    workers: int = 1,
    model: StoryModel | None = None,
    on_error: str = "raise",
    **fields: Unpack[FieldOptions],
) -> StoryResult:
    """Group a batch of articles into stories: average-link agglomeration over nearest neighbours.

    The model's idf is fitted on the batch (unless a fitted ``model`` is given).  Each article's
    nearest articles by cosine make a sparse graph (:func:`story_graph`; never an ``n * n``
    matrix), and stories are merged greedily while the average link of two stories,

        mean edge weight between them - density_penalty * (mean density of each) / 2,

    stays at least ``threshold`` (:mod:`retold._reference.agglomerate`).  The density term
    asks more of articles in a crowded neighbourhood: two events of one topic share the topic's
    words, which lift every cosine around them, so what must decide is the evidence above that
    level (names, places, numbers, dates).  The result does not depend on the order of the
    input beyond ties, which go to the earlier article.

    The same merging, continued down to ``topic_threshold``, groups the stories into topics
    (:attr:`StoryResult.topics`): the stories of one subject, each story inside one topic.

    Parameters
    ----------
    docs : iterable of str, dict or Article, or a table
        A pandas DataFrame or Series, pyarrow Table, RecordBatch or (Chunked)Array,
        ``datasets.Dataset`` or 1-D numpy array of strings works too (one article per row; see
        :mod:`retold.io.tabular_input`).
    threshold : float
        Least average link for two stories to merge (see :data:`DEFAULT_THRESHOLD`).
    topic_threshold : float
        Least average link for two stories to share a topic; at most ``threshold`` (see
        :data:`DEFAULT_TOPIC_THRESHOLD`).
    density_penalty : float
        Weight of the neighbourhood density (0: plain average linkage over the cosines).
    window_days : float
        Time scale of the date discount: two articles this many days apart count half their
        cosine (0: dates are ignored).
    neighbours : int
        Nearest articles looked at per article.
    cross_script_weight : float
        Multiplier of the cosine of two articles in different scripts.
    workers : int
        Threads for the feature extraction (the kernels release the GIL).
    model : StoryModel, optional
        Feature options; fitted on ``docs`` when it has seen no documents.  By default
        ``StoryModel(**CLUSTERING_OPTIONS)``; with ``semantic=`` set, its encoder's cosines
        join the candidate graph (see :func:`story_graph`).
    on_error : {"raise", "skip"}
        What a bad row does, as for :func:`retold.dedup` (raise, or be listed in ``skipped``).
    id_field, text_field, title_field, date_field, source_field, lang_field : str
        The columns (record keys) of each part of an article: see :func:`retold.read_articles`.

    Returns
    -------
    StoryResult
    """
    source = ArticleInput(docs, on_error=on_error, **fields)
    articles = source.articles()
    options = check_clustering_options(threshold, density_penalty, window_days, neighbours, cross_script_weight)
    topic_threshold = check_topic_threshold(topic_threshold, options["threshold"])
    workers = _check_int(workers, "workers", 1, 1024)
    if model is None:
        model = StoryModel(**CLUSTERING_OPTIONS)
    elif not isinstance(model, StoryModel):
        raise TypeError(f"model must be a StoryModel, not {type(model).__name__}")
    offsets, indices, weights = model.features_of(articles, workers)
    if model.n_docs == 0:
        model.count(offsets, indices)
    vectors = model.weigh(offsets, indices, weights)
    embeddings = model.embeddings_of(articles) if model.semantic is not None else None
    labels, topics = cluster_levels(vectors, article_days(articles), dominant_scripts(articles), **options,
                                    topic_threshold=topic_threshold, embeddings=embeddings)
    return StoryResult(labels, tuple(a.id for a in articles), articles, vectors, model,
                       skipped=tuple(source.skipped), row_labels=source.row_labels(), topics=topics)
