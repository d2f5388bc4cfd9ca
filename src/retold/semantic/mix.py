"""How a semantic cosine joins retold's lexical similarity: the mixing rule and its constants.

A sentence encoder's cosine lives on its own scale: two unrelated news articles in the
multilingual USE score about 0.1-0.3, a translation 0.8-0.95, while retold's lexical cosine of
unrelated articles is near 0 and of a rewrite in another language rarely above 0.1.  So the
semantic cosine is first stretched so that its "unrelated" level maps to 0,

    semantic' = clip((cos - floor) / (1 - floor), 0, 1),

and then mixed linearly with the lexical value:  ``(1 - weight) * lexical + weight * semantic'``.
The constants were calibrated on the dev data (README, "Meaning across languages"):
:data:`SIMILARITY_WEIGHT`/:data:`SEMANTIC_FLOOR` for :meth:`retold.StoryModel.similarity` on
the SemEval-2022 Task 8 training pairs; :data:`GRAPH_WEIGHT` for the edges of the batch
clustering on ECB+ odd topics and MEANTIME airbus+gm.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["SEMANTIC_FLOOR", "SIMILARITY_WEIGHT", "GRAPH_WEIGHT", "LEAD_CHARS", "stretch", "mix",
           "semantic_text"]

SEMANTIC_FLOOR = 0.2
"""Semantic cosine that counts as "unrelated" (maps to 0) in :meth:`retold.StoryModel.similarity`.

SemEval train, grid floor 0-0.4 by weight 0.3-0.7: 0.1 and 0.2 are best and within 0.001 of
each other; 0.4 costs 0.04 over all pairs."""

SIMILARITY_WEIGHT = 0.6
"""Weight of the stretched semantic cosine in :meth:`retold.StoryModel.similarity`.

SemEval train (mojibake repaired), Pearson with -Overall, all / cross-language / same-language
pairs: lexical 0.632 / 0.557 / 0.705; weight 0.5: 0.714 / 0.710 / 0.737; 0.6: 0.718 / 0.720 /
0.733; 0.7: 0.719 / 0.724 / 0.727; the encoder alone 0.695 / 0.702 / 0.694."""

GRAPH_WEIGHT = 0.3
"""Weight of the stretched semantic cosine in the batch clustering's edge weights (with
:data:`retold.semantic.graph.GRAPH_FLOOR`; the merge threshold stays
:data:`retold.story_clustering.DEFAULT_THRESHOLD`).  B-cubed F1, MEANTIME airbus+gm without dates /
ECB+ odd topics: lexical 0.954 / 0.928; floor 0.65 with weight 0.3: 0.966 / 0.949 (0.2:
0.938 / 0.950; 0.4: 0.966 / 0.924); floor 0.5 with weight 0.5: 0.899 / 0.957 (same-topic
stories merge); floor 0.8 with weight 0.3: 0.980 / 0.915.  MEANTIME with dates 0.997 -> 1.000."""

LEAD_CHARS = 300
"""Characters of the body encoded after the title: the lead carries the story, and the
encoder's cost grows with the length (README: title + lead against the full text)."""


def stretch(cosine: ArrayLike, floor: float = SEMANTIC_FLOOR) -> np.ndarray:
    """The semantic cosine on [0, 1] with ``floor`` (unrelated) at 0."""
    c = np.asarray(cosine, dtype=np.float64)
    return np.clip((c - floor) / (1.0 - floor), 0.0, 1.0)


def mix(lexical: ArrayLike, semantic: ArrayLike, weight: float, floor: float = SEMANTIC_FLOOR) -> np.ndarray:
    """``(1 - weight) * lexical + weight * stretch(semantic, floor)``, elementwise, float64."""
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"the semantic weight must be in [0, 1], not {weight}")
    return (1.0 - weight) * np.asarray(lexical, dtype=np.float64) + weight * stretch(semantic, floor)


def semantic_text(title: str | None, text: str, lead_chars: int = LEAD_CHARS) -> str:
    """What is encoded of an article: its title and the first ``lead_chars`` of its body."""
    body = text[:lead_chars] if lead_chars > 0 else text
    return f"{title}\n{body}" if title else body
