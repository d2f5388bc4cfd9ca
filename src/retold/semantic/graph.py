"""The semantic part of the batch clustering's candidate graph (:func:`retold.story_clustering.story_graph`).

Two jobs, both bounded by ``k`` edges per article: add the semantic nearest neighbours as
candidate edges (the lexical index cannot propose a rewrite in another language that shares
no names), and give every candidate edge its semantic cosine, to be mixed into its weight.
The density of an article (how crowded its neighbourhood is, see :func:`retold.stories`) is
mixed the same way, from the stretched cosines of its semantic nearest neighbours, so that
the density penalty stays on the scale of the mixed weights.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from retold.semantic.mix import stretch
from retold.semantic.neighbours import semantic_neighbours

if TYPE_CHECKING:  # retold.stories imports this module
    from retold.stories import StoryVectors

__all__ = ["GRAPH_FLOOR", "semantic_candidates", "mix_density"]

GRAPH_FLOOR = 0.65
"""Semantic cosine that counts as "unrelated" in the clustering graph.  Higher than
:data:`retold.semantic.mix.SEMANTIC_FLOOR`: the candidates of an article are its nearest
neighbours, mostly of its own topic, and what must stand out is the same event (set with
:data:`retold.semantic.mix.GRAPH_WEIGHT`, which gives the grid)."""


def semantic_candidates(vectors: StoryVectors, embeddings: np.ndarray, a: np.ndarray, b: np.ndarray,
                        w: np.ndarray, k: int, density_width: int,
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The lexical candidate edges ``a < b`` (cosines ``w``) joined by each article's ``k``
    semantic nearest neighbours: ``(a, b, lexical cosine, semantic cosine, semantic density)``.

    New edges get their exact lexical cosine from ``vectors`` (a :class:`retold.StoryVectors`);
    an edge found both ways is kept once, sorted by ``(a, b)``.  The semantic density of an
    article is the sum of the stretched cosines of its ``density_width`` nearest, divided by
    ``density_width`` (missing ones count 0), like the lexical one.
    """
    n = len(vectors)
    e = np.asarray(embeddings, dtype=np.float32)
    if e.shape[0] != n:
        raise ValueError(f"embeddings must have one row per vector ({n}), got shape {e.shape}")
    ids, sims = semantic_neighbours(e, k)
    width = min(density_width, k)
    known = ids[:, :width] >= 0
    density = np.where(known, stretch(sims[:, :width], GRAPH_FLOOR), 0.0).sum(axis=1) / density_width
    sa = np.repeat(np.arange(n, dtype=np.int64), ids.shape[1])
    sb = ids.ravel()
    keep = sb >= 0
    sa, sb = sa[keep], sb[keep]
    lo, hi = np.minimum(sa, sb), np.maximum(sa, sb)
    old = a * n + b
    new = np.setdiff1d(lo * n + hi, old)
    na, nb = new // n, new % n
    lexical_new = vectors.pair_cosines(na, nb) if len(new) else np.zeros(0)
    all_a = np.concatenate([a, na])
    all_b = np.concatenate([b, nb])
    all_w = np.concatenate([np.asarray(w, dtype=np.float64), np.asarray(lexical_new, dtype=np.float64)])
    order = np.lexsort((all_b, all_a))
    all_a, all_b, all_w = all_a[order], all_b[order], all_w[order]
    semantic = np.einsum("ij,ij->i", e[all_a], e[all_b]).astype(np.float64)
    return all_a, all_b, all_w, semantic, density


def mix_density(lexical: np.ndarray, semantic: np.ndarray, weight: float) -> np.ndarray:
    """An article's density on the scale of the mixed edge weights."""
    return (1.0 - weight) * np.asarray(lexical, dtype=np.float64) + weight * np.asarray(semantic, dtype=np.float64)
