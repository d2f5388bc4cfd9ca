"""Which pairs of articles :func:`retold.analyze` aligns up front.

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
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Sequence

import numpy as np
from numpy.typing import NDArray

from retold._validate import check_int
from retold.article import Article

DEFAULT_NEIGHBOURS = 3
"""Earlier units of its story each unit is aligned with (see the module docstring)."""

NEIGHBOUR_WINDOW = 200
"""A unit's neighbours are chosen among this many units before it in its story, which bounds
the similarity computations of a very large story to ``NEIGHBOUR_WINDOW * n``."""

_BLOCK = 32  # units whose candidate similarities are computed in one matrix product
_COSINE_DIGITS = 12


_NO_DATE = _dt.datetime.max


def time_key(article: Article, position: int) -> tuple[_dt.datetime, int]:
    """Earlier first: by date (undated articles last), then input position."""
    return (article.date or _NO_DATE, position)


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

    def rows(positions: list[int]) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
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


def choose_pairs(articles: Sequence[Article], copy_labels: np.ndarray, reps: np.ndarray,
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
        members.sort(key=lambda p: time_key(articles[p], p))
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
    (see :mod:`retold.analysis.pair_selection`).  So a group of ``n`` articles gives at most ``neighbours * n``
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
    neighbours = check_int(neighbours, "neighbours", 0, 1 << 20)
    label_of: dict[tuple[int, int], int] = {}
    labels = np.empty(n, dtype=np.int64)
    reps: list[int] = []
    for p in sorted(range(n), key=lambda q: time_key(articles[q], q)):
        key = (int(groups[p]), int(copy_labels[p]))
        if key not in label_of:
            label_of[key] = len(reps)
            reps.append(p)
        labels[p] = label_of[key]
    for (group, cluster), label in label_of.items():
        rep = int(representatives[cluster])
        if int(groups[rep]) == group:
            reps[label] = rep
    return choose_pairs(articles, labels, np.asarray(reps, dtype=np.int64), groups, vectors,
                         neighbours)
