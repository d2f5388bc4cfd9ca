"""Counts a story result answers from its labels alone, shared by :class:`retold.StoryResult`
and :class:`retold.dask.DaskStoryResult` (numpy only, so the Dask driver need not import the
clustering to count)."""
from __future__ import annotations

import numpy as np

__all__ = ["StoryCounts", "label_count"]


def label_count(labels: np.ndarray | None) -> int:
    """How many clusters labels numbered from 0 name (0 for none, or for no labels at all)."""
    return int(labels.max()) + 1 if labels is not None and len(labels) else 0


class StoryCounts:
    """``len()`` (articles), :attr:`n_stories` and :attr:`n_topics` of a result that holds a story
    id (``labels``) and maybe a topic id (``topics``) per article."""

    labels: np.ndarray
    topics: np.ndarray | None

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def n_stories(self) -> int:
        return label_count(self.labels)

    @property
    def n_topics(self) -> int:
        """Topics found (0 where the clustering made none, see :attr:`topics`)."""
        return label_count(self.topics)
