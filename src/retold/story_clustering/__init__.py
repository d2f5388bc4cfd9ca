"""Same story, other words: story similarity, and grouping articles into stories (batch and stream).

Copy detection (shingles, MinHash) cannot see that three outlets told one event in their own
words: they share names, numbers, a place and perhaps one quote, but almost no 5-word phrase.
This package compares articles as sparse weighted vectors of hashed features instead, and
groups them by average link over their nearest neighbours.  Read it in this order:

- :mod:`~retold.story_clustering.options`: the defaults of the clustering, where each was
  measured, and :func:`check_clustering_options`;
- :mod:`~retold.story_clustering.vectors`: :class:`StoryVectors`, unit-length sparse rows;
- :mod:`~retold.story_clustering.model`: :class:`StoryModel`, the features, idf and
  :meth:`StoryModel.similarity` (its module says how the feature defaults were tuned);
- :mod:`~retold.story_clustering.results`: :class:`StoryResult` and :class:`Story` (with the
  story labels);
- :mod:`~retold.story_clustering.batch`: :func:`story_graph`, :func:`cluster_vectors`,
  :func:`cluster_levels` (stories and the topics that hold them) and :func:`stories`, the
  batch call (``retold.stories``);
- :mod:`~retold.story_clustering.streaming`: :class:`StoryClusterer`, the same decisions online;
- ``_kernels``: the kernel modules all of them call (tests and benchmarks swap them there).

An article's dominant script comes from :func:`retold.scripts.dominant_scripts`.

Dates
-----
In a batch (:func:`stories`, and :func:`retold.dask.stories`, which runs the same clustering
step) a date is evidence about a pair of articles only when both have one: the similarity of
two dated articles ``gap`` days apart is divided by ``1 + gap / window_days``, and an undated
article is compared with every other by content alone; no batch is "dated" or "undated" as a
whole.  :class:`StoryClusterer` follows the same rule for its edges, and windows each article
by its own kind: a dated one leaves ``horizon_days`` behind the newest date, an undated one
after ``window_articles`` later arrivals.  Dates are normalised once, when an :class:`retold.Article` is made (aware ones to UTC,
see :func:`retold.article.parse_date`).

The batch clustering (:func:`stories`: :data:`DEFAULT_THRESHOLD`, :data:`DEFAULT_DENSITY_PENALTY`,
:data:`CLUSTERING_OPTIONS`) was set on real event corpora whose stories are hard negatives of
each other (``../shared/data/story-clusters``: ECB+ odd topics, MEANTIME airbus+gm with and
without dates), and checked untouched on the demo corpus, wikiref220 and the SemEval pairs
(README).  The streaming :class:`StoryClusterer` makes the same decisions online with the
same defaults (its own: :data:`STREAM_LAG`, how many arrivals a merge decision waits for).
"""
from __future__ import annotations

from retold.story_clustering.batch import article_days, cluster_levels, cluster_vectors, stories, story_graph
from retold.story_clustering.model import StoryModel
from retold.story_clustering.options import (
    CLUSTERING_OPTIONS, DEFAULT_CROSS_SCRIPT_WEIGHT, DEFAULT_DENSITY_PENALTY, DEFAULT_NEIGHBOURS,
    DEFAULT_THRESHOLD, DEFAULT_TOPIC_THRESHOLD, DEFAULT_WINDOW_DAYS, DENSITY_NEIGHBOURS,
    NEIGHBOUR_CANDIDATES, NEIGHBOUR_INDEX_TERMS, NEIGHBOUR_MAX_POSTINGS, STREAM_LAG,
    STREAM_WINDOW_ARTICLES, check_clustering_options, check_topic_threshold,
)
from retold.story_clustering.results import Story, StoryResult
from retold.story_clustering.streaming import StoryClusterer
from retold.story_clustering.vectors import StoryVectors

__all__ = [
    "StoryModel", "StoryVectors", "StoryClusterer", "StoryResult", "Story", "stories", "cluster_vectors",
    "cluster_levels", "story_graph", "article_days", "check_clustering_options", "check_topic_threshold",
    "DEFAULT_THRESHOLD", "DEFAULT_TOPIC_THRESHOLD", "DEFAULT_DENSITY_PENALTY", "DEFAULT_NEIGHBOURS", "DENSITY_NEIGHBOURS",
    "NEIGHBOUR_INDEX_TERMS", "NEIGHBOUR_MAX_POSTINGS", "NEIGHBOUR_CANDIDATES", "DEFAULT_WINDOW_DAYS",
    "DEFAULT_CROSS_SCRIPT_WEIGHT", "CLUSTERING_OPTIONS", "STREAM_LAG", "STREAM_WINDOW_ARTICLES",
]
