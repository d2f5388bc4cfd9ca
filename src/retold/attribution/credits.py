"""Credits across stories: edges from explicit credits between articles no story put together.

Across stories, :func:`credit_edges` follows explicit credits only: a rewrite the clustering
kept apart from its source (often one in another language) that names the source's outlet is
linked to that outlet's most similar article published before it, within the window.  That
article must be as similar as the clustering asks of one story (0.12) in the same language,
and 0.01 across languages, where only names, numbers and quotes are shared (unrelated articles
mostly score a few thousandths).  ``retold.analyze`` adds these edges after the per-story
ones, in place of the external edges the same credits gave.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from bisect import bisect_left
from typing import Any, Callable, Iterable, Sequence, cast

import numpy as np

from retold._renamed import renamed_keyword
from retold._validate import check_fraction, check_number
from retold.article import Article
from retold.attribution.evidence import WEIGHT_ATTRIBUTION, WEIGHT_DATE, Edge, Evidence, combine_weights
from retold.attribution.names import aliases, name_key, nfkc_casefold, refers_to
from retold.attribution.scanning import find_attributions
from retold.io.tabular_input import as_article_list as as_articles
from retold.language import same_language
from retold.scripts import no_space_run_pattern

CREDIT_MIN_SIMILARITY = 0.12
"""Least story similarity between a crediting article and the credited outlet's article chosen
as its source (:func:`credit_edges`), in the same language: the clustering's own same-story
threshold (:data:`retold.story_clustering.DEFAULT_THRESHOLD`).  Lower, a credit to a big wire whose
source article is not in the corpus would pick another of its stories on the same topic."""
CREDIT_MIN_SIMILARITY_OTHER_LANGUAGE = 0.01
"""The same across languages (known ``lang`` fields that differ, or else texts in different
scripts): a rewrite in another language shares only names, numbers and quotes with its source
and scores a few hundredths (the demo's Arabic rewrites of English wires: 0.019 and 0.033);
unrelated articles score a few thousandths."""
CREDIT_WORD_OUTLETS = 5
"""A word of an outlet's name that this many outlets or fewer share ("yonhap", "mpa") marks
the name as worth looking for in a text; "news" or "agency" do not."""


# Scripts written without spaces: a name there is a run of characters inside a longer run.
_NO_SPACE_RUN = no_space_run_pattern(2)


class _OutletWords:
    """The distinctive words of a corpus's outlet names, to tell cheaply which outlets a text
    may name before the attribution patterns look for them."""

    def __init__(self, outlets: Iterable[str]) -> None:
        holders: dict[str, set[str]] = {}
        for outlet in outlets:
            for alias in aliases(outlet):
                for word in name_key(alias).split():
                    holders.setdefault(word, set()).add(outlet)
        self.outlets = {w: o for w, o in holders.items() if len(o) <= CREDIT_WORD_OUTLETS}
        # Words of the scripts without spaces, by their first two characters: a text's runs of
        # such characters are looked up bigram by bigram, then the word is checked in place.
        self.by_bigram: dict[str, list[str]] = {}
        for word in self.outlets:
            if _NO_SPACE_RUN.fullmatch(word):
                self.by_bigram.setdefault(word[:2], []).append(word)

    def named_in(self, text: str) -> set[str]:
        """Outlets whose distinctive words occur in ``text``."""
        folded = nfkc_casefold(text)
        found = {w for w in re.findall(r"\w+", folded) if w in self.outlets}
        if self.by_bigram:
            for run in _NO_SPACE_RUN.findall(folded):
                for k in range(len(run) - 1):
                    for word in self.by_bigram.get(run[k:k + 2], ()):
                        if run.startswith(word, k):
                            found.add(word)
        return {o for w in found for o in self.outlets[w]}


def credit_edges(
    docs: Iterable[Any],
    similarity: Callable[[int, np.ndarray], np.ndarray],
    *,
    linked: Iterable[tuple[str | None, str]] = (),
    look_back_days: float = 3.0,
    min_similarity: float = CREDIT_MIN_SIMILARITY,
    min_similarity_other_language: float = CREDIT_MIN_SIMILARITY_OTHER_LANGUAGE,
    window_days: float | None = None,
) -> list[Edge]:
    """Edges from explicit credits between articles that no story put together.

    :func:`retold.provenance` looks within one story; a rewrite in another language, or one the
    clustering left on its own, may still name its source ("according to the Al-Ufuq news
    agency", "(MPA)").  Here every article's credits are matched to the outlets of the whole
    corpus, and the credited outlet's article is the one most similar to the crediting article
    among its latest :data:`CREDIT_MAX_CANDIDATES` published before it and within
    ``look_back_days`` (for an undated article: earlier in the input), if that similarity
    reaches ``min_similarity`` (``min_similarity_other_language`` between languages).  Same
    date: the article earlier in the input is the earlier.

    Parameters
    ----------
    docs : iterable of Article, dict or str
        The whole corpus (``source`` names the outlets that can be credited).
    similarity : callable
        ``similarity(derived, sources)`` -> array of the story similarity of article position
        ``derived`` to each of the positions ``sources`` (e.g. dot products of
        :meth:`StoryModel.vectors`).
    linked : iterable of (source_id, derived_id)
        Edges found already (by :func:`retold.provenance` within stories): a derived article linked
        to an article of an outlet is not credited to that outlet again.
    look_back_days, min_similarity, min_similarity_other_language
        As above.  (``look_back_days`` was ``window_days`` in 0.1, the name the stories' date
        scale also has; the old keyword is taken for one release, with a warning.)

    Returns
    -------
    list of Edge
        One per crediting article and credited outlet, with evidence ``attribution``,
        ``similarity`` (weight 0: it only picks the article) and ``date``; sorted by
        confidence, then derived position.
    """
    look_back_days = renamed_keyword(look_back_days, window_days, old="window_days", new="look_back_days",
                                     default=3.0, where="credit_edges")
    articles: list[Article] = as_articles(docs)
    min_similarity = check_fraction(min_similarity, "min_similarity", open_low=False)
    min_similarity_other_language = check_fraction(
        min_similarity_other_language, "min_similarity_other_language", open_low=False)
    look_back_days = check_number(look_back_days, "look_back_days", 0.0, math.inf)  # inf: no time limit
    outlets_of = _OutletArticles(articles, look_back_days)
    if not outlets_of.members:
        return []
    words = _OutletWords(outlets_of.members)
    position = {a.id: i for i, a in enumerate(articles)}
    credited_already: dict[int, set[str]] = {}
    for source_id, derived_id in linked:
        if source_id in position and derived_id in position:
            outlet = articles[position[source_id]].source
            if outlet:
                credited_already.setdefault(position[derived_id], set()).add(outlet)
    edges: list[tuple[float, int, Edge]] = []
    for d, article in enumerate(articles):
        text = article.full_text
        outlets = sorted(words.named_in(text) - {article.source}
                         - credited_already.get(d, set()))
        if not outlets:
            continue
        known = sorted({alias for o in outlets for alias in aliases(o)})
        done: set[str] = set()
        for attribution in find_attributions(text, known):
            if article.source and refers_to(attribution.name, article.source):
                continue
            # One credit, one source: where several outlets of the corpus answer to the name
            # ("Yonhap", "Yonhap News Agency"), their candidates compete.
            named = [o for o in outlets if o not in done and refers_to(attribution.name, o)]
            done.update(named)
            candidates = [s for o in named for s in outlets_of.before(d, o)]
            if not candidates:
                continue
            scores = np.asarray(similarity(d, np.asarray(candidates, dtype=np.int64)),
                                dtype=np.float64)
            floors = np.array([min_similarity if same_language(article, articles[s])
                               else min_similarity_other_language for s in candidates])
            scores = np.where(scores >= floors, scores, -1.0)
            best = int(np.argmax(scores))  # ties: the first
            if scores[best] < 0.0:
                continue
            s = candidates[best]
            outlet = articles[s].source
            items = [Evidence("attribution", attribution.snippet, WEIGHT_ATTRIBUTION),
                     Evidence("similarity", f"the most similar of {len(candidates)} earlier "
                              f"article(s) of {' / '.join(named)} ({scores[best]:.3f})", 0.0)]
            source_date = articles[s].date
            if source_date is not None and article.date is not None \
                    and source_date < article.date:
                items.append(Evidence("date", f"published {source_date.isoformat()} "
                                      f"before {article.date.isoformat()}", WEIGHT_DATE))
            confidence = combine_weights([e.weight for e in items])
            edges.append((confidence, d, Edge(articles[s].id, article.id, confidence,
                                              tuple(items), source_name=outlet)))
    edges.sort(key=lambda e: (-e[0], e[1]))
    return [e[2] for e in edges]


CREDIT_MAX_CANDIDATES = 1000
"""The latest articles of a credited outlet that :func:`credit_edges` compares (a wire may
publish thousands in a window; the source of a rewrite is among its latest)."""


class _OutletArticles:
    """Each outlet's articles in publication order, to find those before an article quickly.

    An article is before another when published earlier, or at the same time and earlier in
    the input (so that two articles never credit each other); an undated article's candidates
    are the outlet's articles earlier in the input, and a dated one's the dated articles in
    the window.
    """

    def __init__(self, articles: Sequence[Article], look_back_days: float) -> None:
        self.articles = articles
        self.look_back_days = look_back_days
        self.members: dict[str, list[int]] = {}
        for i, article in enumerate(articles):
            if article.source:
                self.members.setdefault(article.source, []).append(i)
        self.dated: dict[str, tuple[list[tuple[_dt.datetime, int]], list[int]]] = {}
        for outlet, members in self.members.items():
            keys = cast("list[tuple[_dt.datetime, int]]", sorted(
                (articles[i].date, i) for i in members if articles[i].date is not None))
            self.dated[outlet] = (keys, [i for _, i in keys])

    def before(self, d: int, outlet: str) -> list[int]:
        date = self.articles[d].date
        if date is None:
            members = self.members[outlet]
            return members[max(0, bisect_left(members, d) - CREDIT_MAX_CANDIDATES):bisect_left(members, d)]
        keys, order = self.dated[outlet]
        hi = bisect_left(keys, (date, d))
        try:
            lo = bisect_left(keys, (date - _dt.timedelta(days=self.look_back_days), -1))
        except OverflowError:  # a window reaching before year 1: everything before
            lo = 0
        return order[max(lo, hi - CREDIT_MAX_CANDIDATES):hi]


def with_credit_edges(
    docs: Iterable[Any],
    edges: Sequence[Edge],
    similarity: Callable[[int, np.ndarray], np.ndarray],
    *,
    look_back_days: float = 3.0,
    min_confidence: float = 0.3,
    window_days: float | None = None,
) -> list[Edge]:
    """``edges`` (found within groups) plus the :func:`credit_edges` across groups that reach
    ``min_confidence``; an external edge whose credit such an edge resolves is dropped (the
    outlet is in the corpus after all).  The new edges come last."""
    look_back_days = renamed_keyword(look_back_days, window_days, old="window_days", new="look_back_days",
                                     default=3.0, where="with_credit_edges")
    min_confidence = check_fraction(min_confidence, "min_confidence", open_low=False)
    found = [e for e in credit_edges(
        docs, similarity, look_back_days=look_back_days,
        linked=[(e.source_id, e.derived_id) for e in edges if e.source_id is not None],
    ) if e.confidence >= min_confidence]
    if not found:
        return list(edges)
    resolved: dict[str, list[str | None]] = {}
    for e in found:
        resolved.setdefault(e.derived_id, []).append(e.source_name)
    kept = [e for e in edges if not (e.external and any(
        refers_to(e.source_name, outlet) for outlet in resolved.get(e.derived_id, ())))]
    return kept + found
