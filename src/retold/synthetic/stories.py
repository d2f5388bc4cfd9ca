"""Story corpora: each event told by several outlets in their own words (:func:`story_corpus`)."""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from retold.synthetic.words import FIRST_DAY, render, separators, vocabulary


@dataclass(frozen=True)
class StoryCorpus:
    """A synthetic corpus of news stories with its ground truth (see :func:`story_corpus`).

    Attributes
    ----------
    ids, titles, texts : list of str
    dates : list of datetime.datetime
        Publication times, non-decreasing.
    story, topic, outlet : np.ndarray of int64
        The event each article tells, the topic of that event, and the outlet that wrote it.
    """

    ids: list[str]
    titles: list[str]
    texts: list[str]
    dates: list[_dt.datetime]
    story: np.ndarray
    topic: np.ndarray
    outlet: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)

    def articles(self, *, dated: bool = True) -> list[Any]:
        """The corpus as :class:`retold.Article` objects (without dates when ``dated=False``)."""
        from retold.article import Article

        return [Article(id=i, text=t, title=h, date=d if dated else None, source=f"outlet{o}")
                for i, t, h, d, o in zip(self.ids, self.texts, self.titles, self.dates, self.outlet.tolist())]


_FACTS = (4, 2, 4)  # names, numbers and rare words of each event
_STORY_CHUNK = 4096


def story_corpus(
    n_docs: int,
    *,
    seed: int = 0,
    events_per_topic: int = 40,
    mean_rewrites: float = 4.0,
    outlets: int = 100,
    mean_words: float = 150,
    docs_per_day: float = 2_000,
    fact_share: float = 0.12,
    topic_share: float = 0.2,
    vocabulary_size: int = 400_000,
) -> StoryCorpus:
    """``n_docs`` articles telling many events, each in several outlets' own words, in time order.

    Every *event* has its facts: four names, two numbers and four rare words of the vocabulary's
    tail, drawn at random (so a name recurs now and then in unrelated events, as in news).
    Events belong to *topics* (about ``events_per_topic`` each) whose thirty mid-frequency words
    all its events' articles share: two events of one topic are hard negatives.  An event is told
    by a geometric number of outlets (mean ``mean_rewrites``, each outlet at most once); each
    rewrite draws its words independently: about ``fact_share`` from the event's facts (with
    replacement, so outlets mention different details, different times), ``topic_share`` from the
    topic, the rest Zipfian common words, in a random order, with the outlet's own three
    words (its name, its city) at the start and end.  No two articles share a sentence.
    Events start as a Poisson stream (``docs_per_day`` articles a day over all events), and each
    article appears an exponential delay (mean half a day) after its event.  Titles are six
    words from the event's facts and topic.

    Everything is a function of the seed and the options.
    """
    _check_story_options(n_docs, events_per_topic, mean_rewrites, outlets, mean_words, docs_per_day,
                         fact_share, topic_share)
    vocab = vocabulary(vocabulary_size, seed)
    rng = np.random.default_rng([seed, 0x5702])
    ranks = np.arange(len(vocab))
    tail = ranks >= len(vocab) // 50
    names = ranks[(vocab.kinds == 1) & tail]
    numbers = ranks[(vocab.kinds == 2) & tail]
    rare = ranks[(vocab.kinds == 0) & (ranks >= len(vocab) // 10)]
    middle = ranks[(vocab.kinds == 0) & (ranks >= 300) & (ranks < len(vocab) // 10)]
    # Enough events for n_docs articles (a geometric size has mean mean_rewrites).
    n_events = int(n_docs / mean_rewrites * 1.25) + 16
    sizes = np.minimum(rng.geometric(1.0 / mean_rewrites, n_events), outlets)
    while sizes.sum() < n_docs:
        sizes = np.concatenate([sizes, np.minimum(rng.geometric(1.0 / mean_rewrites, n_events), outlets)])
    n_events = len(sizes)
    start = np.sort(rng.uniform(0.0, max(n_docs, 1) / docs_per_day, n_events))
    n_topics = max(1, n_events // events_per_topic)
    topic_of = rng.integers(0, n_topics, n_events)
    topic_words = rng.choice(middle, (n_topics, 30))
    facts = np.concatenate([rng.choice(names, (n_events, _FACTS[0])), rng.choice(numbers, (n_events, _FACTS[1])),
                            rng.choice(rare, (n_events, _FACTS[2]))], axis=1)
    outlet_words = rng.choice(names, (outlets, 3), replace=False)
    event = np.repeat(np.arange(n_events), sizes)
    within = np.arange(len(event)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    outlet = (rng.integers(0, outlets, n_events)[event] + within) % outlets
    days = start[event] + rng.exponential(0.5, len(event))
    order = np.argsort(days, kind="stable")[:n_docs]
    event, outlet, days = event[order], outlet[order], days[order]
    n = len(event)
    # Bodies, a chunk of articles at a time (each from its own random stream, to bound memory):
    # a category for every word, then its word.
    sigma = 0.35
    lengths = np.clip(np.rint(rng.lognormal(math.log(mean_words) - sigma ** 2 / 2, sigma, n)), 12, 20 * mean_words)
    lengths = lengths.astype(np.int64)
    texts: list[str] = []
    for c, a in enumerate(range(0, n, _STORY_CHUNK)):
        b = min(n, a + _STORY_CHUNK)
        part = np.random.default_rng([seed, 0x5702, c])
        size = lengths[a:b]
        total = int(size.sum())
        owner = np.repeat(np.arange(a, b), size)
        roll = part.random(total)
        words = vocab.sample(part, total).astype(np.int64)
        is_fact = roll < fact_share
        is_topic = (roll >= fact_share) & (roll < fact_share + topic_share)
        words[is_fact] = facts[event[owner[is_fact]], part.integers(0, facts.shape[1], int(is_fact.sum()))]
        words[is_topic] = topic_words[topic_of[event[owner[is_topic]]], part.integers(0, 30, int(is_topic.sum()))]
        first = np.cumsum(size) - size
        words[first] = outlet_words[outlet[a:b], 0]
        words[first + 1] = outlet_words[outlet[a:b], 1]
        words[first + size - 1] = outlet_words[outlet[a:b], 2]
        seps = separators(part, total)
        bounds = np.cumsum(size)[:-1]
        texts += render(vocab, list(zip(np.split(words, bounds), np.split(seps, bounds))))
    heads = np.concatenate([facts[event][:, [0, 1, 4]], topic_words[topic_of[event]][:, :2],
                            facts[event][:, [6]]], axis=1)
    heads = np.take_along_axis(heads, np.argsort(rng.random(heads.shape), axis=1), axis=1)
    titles = render(vocab, [(row, np.zeros(len(row), dtype=np.int8)) for row in heads])
    base = _dt.datetime.combine(FIRST_DAY, _dt.time())
    dates = [base + _dt.timedelta(days=d) for d in days.tolist()]
    return StoryCorpus([f"s{i:07d}" for i in range(n)], [t.rstrip(".") for t in titles], texts, dates,
                       event.astype(np.int64), topic_of[event].astype(np.int64), outlet.astype(np.int64))


def _check_story_options(n_docs: int, events_per_topic: int, mean_rewrites: float, outlets: int,
                         mean_words: float, docs_per_day: float, fact_share: float,
                         topic_share: float) -> None:
    if isinstance(n_docs, bool) or not isinstance(n_docs, (int, np.integer)) or n_docs < 0:
        raise ValueError(f"n_docs must be a non-negative int, got {n_docs!r}")
    if not (isinstance(events_per_topic, (int, np.integer)) and events_per_topic >= 1):
        raise ValueError(f"events_per_topic must be an int >= 1, got {events_per_topic!r}")
    if not (isinstance(outlets, (int, np.integer)) and 1 <= outlets <= 1000):
        raise ValueError(f"outlets must be an int in [1, 1000], got {outlets!r}")
    if not mean_rewrites >= 1:
        raise ValueError(f"mean_rewrites must be at least 1, got {mean_rewrites}")
    if not mean_words >= 12:
        raise ValueError(f"mean_words must be at least 12, got {mean_words}")
    if not docs_per_day > 0:
        raise ValueError(f"docs_per_day must be positive, got {docs_per_day}")
    if not (0 <= fact_share and 0 <= topic_share and fact_share + topic_share <= 1):
        raise ValueError(f"fact_share and topic_share must be >= 0 and sum to at most 1, "
                         f"got {fact_share} and {topic_share}")
