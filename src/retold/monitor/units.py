"""Which earlier articles of its story a new article is aligned with, as :func:`retold.analyze` chooses.

Within a story the copy clusters present are its *units*, each standing as its first article
in the story.  A new article whose copy cluster is not in its story yet is a new unit, aligned
with the ``neighbours`` earlier units most similar to it by story similarity (cosine of the story
vectors rounded to 12 digits, ties to the earlier unit), among the
:data:`retold.analysis.NEIGHBOUR_WINDOW` units before it.

Only active stories are held: a story leaves memory (its units stay in the store) once its last
article has left the story window of :class:`retold.StoryClusterer`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import numpy as np

from retold._backend import kernels

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import neighbours as _neighbours
else:
    _neighbours = kernels("neighbours")

_COSINE_DIGITS = 12


def story_cosines(indices: np.ndarray, values: np.ndarray,
                  rows: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Cosine of one story vector with each of ``rows`` (unit rows, sorted by feature), in one
    kernel call: summed in feature order as :meth:`retold.StoryVectors.cosines` sums, so the
    same floats, without gathering the rows into one array and checking it all again (the
    rows were made and checked when their articles arrived)."""
    return _neighbours.row_dots(indices, values, rows)


@dataclass
class Unit:
    seq: int
    indices: np.ndarray
    values: np.ndarray


@dataclass
class ActiveStory:
    units: list[Unit] = field(default_factory=list)  # the last ``window`` units, arrival order
    clusters: set[int] = field(default_factory=set)  # copy clusters present (as resolved then)
    last_day: float = -math.inf  # newest dated member
    last_undated: int = -1  # newest undated member (arrival number)
    size: int = 0
    start: str | None = None  # ISO dates of the oldest and newest dated member
    end: str | None = None

    def row(self, story: int) -> tuple[int, int, str | None, str | None, float | None, int]:
        """The story's row of the ``stories`` table."""
        return (story, self.size, self.start, self.end,
                None if math.isinf(self.last_day) else self.last_day, self.last_undated)


class StoryUnits:
    def __init__(self, *, neighbours: int, window: int, n_features: int) -> None:
        self.neighbours = neighbours
        self.window = window
        self.n_features = n_features
        self.stories: dict[int, ActiveStory] = {}

    def __len__(self) -> int:
        return len(self.stories)

    def fold(self, old: int, new: int, resolve: Callable[[int], int]) -> list[int]:
        """Fold story ``old`` into ``new``; returns the units dropped (copy clusters present in both
        keep their earlier unit) and beyond the window."""
        gone = self.stories.pop(old, None)
        if gone is None:
            return []
        target = self.stories.setdefault(new, ActiveStory())
        present = {resolve(c) for c in target.clusters}
        units = sorted(target.units + gone.units, key=lambda u: u.seq)
        target.clusters = present | {resolve(c) for c in gone.clusters}
        target.last_day = max(target.last_day, gone.last_day)
        target.last_undated = max(target.last_undated, gone.last_undated)
        target.size += gone.size
        starts = [d for d in (target.start, gone.start) if d is not None]
        ends = [d for d in (target.end, gone.end) if d is not None]
        target.start = min(starts) if starts else None
        target.end = max(ends) if ends else None
        target.units = units[-self.window:]
        return [u.seq for u in units[:-self.window]] if len(units) > self.window else []

    def add(self, story: int, seq: int, cluster: int, day: float, date: str | None,
            indices: np.ndarray, values: np.ndarray,
            resolve: Callable[[int], int]) -> tuple[list[tuple[int, float]], list[int]] | None:
        """Record an article of ``story`` (which must be active).  When it is a new unit, returns
        its chosen earlier units as (arrival number, cosine) in arrival order, and the units pushed
        out of the window; None when its copy cluster was there already."""
        active = self.stories[story]
        active.size += 1
        if date is not None:
            active.start = date if active.start is None else min(active.start, date)
            active.end = date if active.end is None else max(active.end, date)
        if math.isinf(day):
            active.last_undated = max(active.last_undated, seq)
        else:
            active.last_day = max(active.last_day, day)
        if cluster in {resolve(c) for c in active.clusters}:
            return None
        active.clusters.add(cluster)
        chosen = self._nearest(active.units, indices, values)
        active.units.append(Unit(seq, indices, values))
        dropped = []
        if len(active.units) > self.window:
            dropped = [u.seq for u in active.units[:-self.window]]
            active.units = active.units[-self.window:]
        return chosen, dropped

    def _nearest(self, units: list[Unit], indices: np.ndarray, values: np.ndarray) -> list[tuple[int, float]]:
        if not units or not self.neighbours:
            return []
        cos = np.round(story_cosines(indices, values, [(u.indices, u.values) for u in units]),
                       _COSINE_DIGITS)
        order = np.lexsort((np.arange(len(units)), -cos))[: self.neighbours]
        return [(units[t].seq, float(cos[t])) for t in sorted(order.tolist())]

    def expired(self, newest_day: float, horizon_days: float, arrivals: int,
                window_articles: int) -> list[int]:
        """Stories whose every article has left the story window (in id order), taken out."""
        out = [s for s, a in self.stories.items()
               if a.last_day < newest_day - horizon_days
               and a.last_undated <= arrivals - 1 - window_articles]
        out.sort()
        for s in out:
            del self.stories[s]
        return out
