"""What a batch clustering returns: :class:`StoryResult`, its :class:`Story` records, their labels.

A story's label (:attr:`Story.terms`) is its strongest words as they are written, worked out
by :func:`_top_words` when first read.
"""
from __future__ import annotations

import datetime as _dt
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import numpy as np

from retold._renamed import renamed_attribute
from retold.article import Article
from retold.io import frames as _frames
from retold.io.errors import SkippedRecord
from retold.story_clustering import _kernels
from retold.story_clustering.model import StoryModel
from retold.story_clustering.vectors import StoryVectors
from retold.story_labels import StoryCounts, label_count

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["Story", "StoryResult", "story_records", "label_count"]


class _LazyTerms:
    """The ``terms`` field of :class:`Story`: a tuple, or a function giving it on first access.

    Describing a story's words takes a tokenisation of its members; most callers of
    :attr:`StoryResult.stories` want sizes, dates or the multi-article stories only, so the
    words are found when first read and kept.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, obj: Any, owner: type | None = None) -> tuple[str, ...]:
        if obj is None:
            return ()  # the field's default
        value: tuple[str, ...] | Callable[[], Iterable[str]] = obj.__dict__[self.slot]
        if callable(value):
            # Racing threads may both compute it: the same tuple, no harm.
            value = obj.__dict__[self.slot] = tuple(value())
        return value

    def __set__(self, obj: Any, value: tuple[str, ...] | Callable[[], Iterable[str]]) -> None:
        obj.__dict__[self.slot] = value if callable(value) else tuple(value)


@dataclass(frozen=True)
class Story:
    """One story: its articles and what describes it.

    Attributes
    ----------
    id : int
        The story's label in :attr:`StoryResult.labels`.
    positions : tuple of int
        Positions of its articles in the input (called ``members`` in 0.1, an alias kept for one release).
    ids : tuple of str
        Their article ids.
    start, end : datetime or None
        First and last article date (None when the articles are undated).
    sources : tuple of str
        Outlets, most articles first.
    terms : tuple of str
        Its strongest words (names first in practice), a human label; worked out when first
        read (:attr:`StoryResult.stories` passes a function), then kept.
    topic : int or None
        The topic holding the story (:attr:`StoryResult.topics`), None where there are none.
    """

    id: int
    positions: tuple[int, ...]
    ids: tuple[str, ...]
    start: _dt.datetime | None
    end: _dt.datetime | None
    sources: tuple[str, ...]
    terms: _LazyTerms = _LazyTerms()  # reads as tuple[str, ...]; may be set to a function giving it
    topic: int | None = None

    def __getstate__(self) -> dict[str, Any]:
        # A pickled story carries its words, not the function (and corpus) that finds them.
        state = dict(self.__dict__)
        state["_terms"] = self.terms
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if "members" in state:  # pickled before the positions had their own name
            state = {("positions" if k == "members" else k): v for k, v in state.items()}
        self.__dict__.update(state)

    # Members are ids everywhere else (Cluster.members): the positions took their own name.
    members = renamed_attribute[tuple[int, ...]]("positions")

    @property
    def size(self) -> int:
        return len(self.positions)

    @property
    def label(self) -> str:
        return " · ".join(self.terms)

    def to_dict(self) -> dict[str, Any]:
        return {
            "story": self.id,
            "size": self.size,
            "ids": list(self.ids),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "sources": list(self.sources),
            "label": self.label,
            **({} if self.topic is None else {"topic": self.topic}),
        }


@dataclass(frozen=True, eq=False)
class StoryResult(StoryCounts, _frames.ResultTables):
    """Stories found in a batch of articles.

    Its tables (:meth:`to_pandas`, :meth:`to_arrow`): ``"articles"`` (one row per article, the
    default) and ``"stories"`` (one row per story).

    Attributes
    ----------
    labels : np.ndarray of int64
        Story id of each input article (ids count from 0 in order of each story's first
        article in time).
    ids : tuple of str
        The article ids, in input order.
    skipped : tuple of SkippedRecord
        Rows left out by ``on_error="skip"``.
    row_labels : pandas Index, np.ndarray or None
        The input row of each article, the index of :meth:`to_pandas` (as
        :attr:`retold.DedupResult.row_labels`).
    topics : np.ndarray of int64 or None
        Topic id of each input article: the stories of one subject, the same merging
        continued below the story threshold (``topic_threshold`` of :func:`retold.stories`),
        so each story lies inside one topic; numbered like the stories.  None where the
        clustering made none (:func:`retold.dask.stories`).
    """

    labels: np.ndarray
    ids: tuple[str, ...]
    _articles: Sequence[Article] = field(repr=False)
    _vectors: StoryVectors = field(repr=False)
    _model: StoryModel = field(repr=False)
    skipped: tuple[SkippedRecord, ...] = field(default=(), repr=False)
    row_labels: Any = field(default=None, repr=False)
    topics: np.ndarray | None = field(default=None, repr=False)

    @property
    def vectors(self) -> StoryVectors:
        """The story vectors the clustering compared (one row per input article)."""
        return self._vectors

    @property
    def model(self) -> StoryModel:
        """The model the vectors came from, with the idf they were weighted by."""
        return self._model

    @cached_property
    def stories(self) -> tuple[Story, ...]:
        """Every story (singletons included), by id.

        Each story's :attr:`Story.terms` (its label) are worked out when first read, so
        sizes, dates, sources and :meth:`multi` cost no tokenisation.
        """
        order = np.argsort(self.labels, kind="stable")
        bounds = np.flatnonzero(np.diff(self.labels[order])) + 1
        groups = np.split(order, bounds) if len(order) else []
        return tuple(self._describe(int(self.labels[g[0]]), g) for g in groups)

    def multi(self, min_size: int = 2) -> tuple[Story, ...]:
        """The stories of at least ``min_size`` articles, largest first."""
        return tuple(sorted((s for s in self.stories if s.size >= min_size), key=lambda s: (-s.size, s.id)))

    def _describe(self, sid: int, members: np.ndarray) -> Story:
        arts = [self._articles[i] for i in members]
        dates = [a.date for a in arts if a.date is not None]
        sources = Counter(a.source for a in arts if a.source)
        return Story(
            id=sid,
            positions=tuple(int(i) for i in members),
            ids=tuple(a.id for a in arts),
            start=min(dates) if dates else None,
            end=max(dates) if dates else None,
            sources=tuple(s for s, _ in sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
            terms=partial(_top_words, members[:20], self._articles, self._vectors, self._model),
            topic=None if self.topics is None else int(self.topics[members[0]]),
        )

    def _tables(self) -> dict[str, Callable[[], _frames.Table]]:
        return _frames.story_tables(self)

    def to_records(self) -> list[dict[str, Any]]:
        """One record per article (:func:`story_records`), for the writers."""
        return story_records(self.ids, self.labels, self.topics)


def story_records(ids: Sequence[Any], labels: np.ndarray, topics: np.ndarray | None) -> list[dict[str, Any]]:
    """One record per article: ``id``, ``story``, ``story_size`` and, where there are topics, ``topic``.

    The records of every story result (:class:`StoryResult`, :class:`retold.dask.DaskStoryResult`).
    """
    sizes = np.bincount(labels) if len(labels) else np.zeros(0, dtype=np.int64)
    records = [{"id": i, "story": int(s), "story_size": int(sizes[s])} for i, s in zip(ids, labels.tolist())]
    if topics is not None:
        for record, topic in zip(records, topics.tolist()):
            record["topic"] = topic
    return records


_CAPITAL_BONUS = 1.5


def _top_words(members: np.ndarray, articles: Sequence[Article], vectors: StoryVectors, model: StoryModel, k: int = 5) -> tuple[str, ...]:
    """The words of a story's strongest features (summed member vectors), as they are written.

    A feature's strength is its summed weight, half again when its commonest written form is
    capitalised (names make the best labels); forms shorter than three characters are left
    out, and a word already taken (case-folded) is not taken twice.  Features are examined in
    order of summed weight, and their written forms looked up only until no feature left can
    outrank the words chosen (its weight times the bonus is below theirs), so a label costs a
    tokenisation of the members and a few dozen lookups, not one per token.
    """
    from retold.hashing import tokenize

    rows = [vectors.row(int(i)) for i in members]
    if not rows:
        return ()
    idx = np.concatenate([r[0] for r in rows]).astype(np.int64, copy=False)
    val = np.concatenate([r[1] for r in rows]).astype(np.float64, copy=False)
    if idx.size == 0:
        return ()
    feats, inverse = np.unique(idx, return_inverse=True)
    totals = np.bincount(inverse.ravel(), weights=val, minlength=len(feats))
    shift = np.uint64(64 - model.n_bits)
    # Tokens of the members' titles and texts whose feature is one of the story's, as slots
    # of ``feats`` (sorted, so a binary search finds them).
    texts: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []
    last = len(feats) - 1
    for i in members:
        art = articles[int(i)]
        for text in (art.title or "", art.text):
            tok = tokenize(text)
            # The word features (Arabic words by their normalised spelling), not the raw hashes.
            f = (_kernels.stories.word_hashes(text, tok.starts, tok.ends, tok.hashes) >> shift).astype(np.int64)
            slot = np.minimum(np.searchsorted(feats, f), last)
            keep = ((tok.flags & 8) == 0) & (feats[slot] == f)  # no-space scripts: bigram features
            if keep.any():
                texts.append((text, slot[keep], tok.starts[keep], tok.ends[keep]))
    if not texts:
        return ()
    # Summed weight first, then feature id (the tie order of the ranking below).
    order = np.lexsort((feats, -totals))
    forms: dict[int, str | None] = {}
    wanted = np.zeros(len(feats), dtype=bool)

    def look_up(batch: list[int]) -> None:
        wanted[:] = False
        wanted[batch] = True
        counts: dict[int, Counter[str]] = {}
        for text, slots, st, en in texts:
            hit = np.flatnonzero(wanted[slots])
            for p in hit.tolist():
                counts.setdefault(int(slots[p]), Counter())[text[int(st[p]):int(en[p])]] += 1
        for j in batch:
            c = counts.get(j)
            forms[j] = max(c.items(), key=lambda kv: (kv[1], kv[0]))[0] if c else None

    examined = 0
    step = max(4 * k, 16)
    while True:
        batch = order[examined:examined + step].tolist()
        look_up(batch)
        examined += len(batch)
        done = examined >= len(order)
        # Every feature not examined yet is at most this strong.
        bound = -1.0 if done else float(totals[order[examined]]) * _CAPITAL_BONUS
        ranked = []
        for j in order[:examined].tolist():
            word = forms[j]
            if word is None or len(word) < 3:
                continue
            strength = float(totals[j]) * (_CAPITAL_BONUS if word[:1].isupper() else 1.0)
            ranked.append((-strength, int(feats[j]), word))
        ranked.sort()
        out: list[str] = []
        seen: set[str] = set()
        for neg, _, word in ranked:
            if -neg <= bound:
                break  # a feature not examined yet could still rank before this one
            if word.casefold() not in seen:
                seen.add(word.casefold())
                out.append(word)
                if len(out) == k:
                    return tuple(out)
        if done:
            return tuple(out)
