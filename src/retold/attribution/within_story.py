"""Who took from whom within one story: :func:`provenance`.

:func:`provenance` looks at every pair of a set of related articles (one story) and weighs

- **attribution**: the derived text names the source ("according to Yonhap", "(Yonhap)",
  "CNN reported", "told Reuters", "citing ...", and their equivalents in German, Spanish,
  French, Russian, Arabic, Chinese, Turkish and Urdu), matched to the other articles'
  ``source`` names (also their initials: "Anadolu Agency" is "AA"); an attribution to a name
  outside the set is reported as an external source;
- **shared passages** (:func:`retold.align`, shared quotes included): evidence of a link,
  without direction;
- **directional coverage**: the derived text is made of the source's passages more than the
  other way round;
- **date**: the source was published first (a later date counts against).

How the evidence is weighed is in :mod:`retold.attribution.evidence`; credits between articles
that no story put together are :mod:`retold.attribution.credits`.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Iterable, Mapping, Sequence

from retold._validate import check_fraction
from retold.article import Article
from retold.attribution.evidence import (
    SIMILAR_CONFIDENCE,
    WEIGHT_EXTERNAL,
    Edge,
    Evidence,
    pair_evidence,
)
from retold.attribution.names import aliases, name_key, refers_to
from retold.attribution.scanning import Attribution, find_attributions
from retold.hashing import tokenize
from retold.io.tabular_input import as_article_list as as_articles


def provenance(
    docs: Iterable[Any],
    *,
    min_confidence: float = 0.3,
    min_tokens: int = 8,
    external: bool = True,
    passages: Mapping[tuple[str, str], Sequence[Any]] | None = None,
    pairs: Iterable[tuple[str, str]] | None = None,
) -> list[Edge]:
    """Directed edges source -> derived within a set of related articles, with evidence.

    Parameters
    ----------
    docs : iterable of Article, dict or str
        One story's articles; ``source`` (outlet name) and ``date`` make the evidence richer.
    min_confidence : float
        Edges below this confidence are left out.
    min_tokens : int
        Least equal words of an aligned passage (as in :func:`retold.align`).
    external : bool
        Also report attributions to outlets outside the set, as edges with ``source_id=None``.
    passages : mapping, optional
        Precomputed passages: ``(a_id, b_id) -> list of Passage`` with offsets into ``a_id``'s
        and ``b_id``'s texts, as :func:`retold.align` (or :meth:`retold.Analysis.passages`)
        gives them.  These pairs are judged with these passages, not aligned again.
    pairs : iterable of (a_id, b_id), optional
        Pairs to judge (either order; aligned here unless in ``passages``).

    Without ``passages`` and ``pairs`` every pair of the set is aligned and judged: the cost
    grows with the square of the set's size.  With either, only the pairs they name are
    judged, plus every pair an explicit attribution links (the derived article names the
    other's outlet), whose passages are aligned here when not given.

    Returns
    -------
    list of Edge
        Sorted by confidence (highest first), then by input order.
    """
    min_confidence = check_fraction(min_confidence, "min_confidence", open_low=False)
    articles: list[Article] = as_articles(docs)
    known = known_aliases(articles)
    return judge(articles, [credited_names(a, known) for a in articles], passages=passages,
                 pairs=pairs, min_confidence=min_confidence, min_tokens=min_tokens,
                 external=external)


def known_aliases(articles: Sequence[Article]) -> tuple[str, ...]:
    """The names the outlets of ``articles`` go by (sorted): what each article is scanned for."""
    return tuple(sorted({alias for a in articles for alias in aliases(a.source)}))


def credited_names(article: Article, known: Sequence[str]) -> list[Attribution]:
    """The names ``article`` credits as its source (``known``: :func:`known_aliases` of its
    set), its own outlet left out."""
    own = article.source
    return [x for x in find_attributions(article.full_text, known) if not refers_to(x.name, own)]


def judge(
    articles: Sequence[Article],
    attributions: Sequence[Sequence[Attribution]],
    *,
    min_confidence: float,
    min_tokens: int,
    external: bool = True,
    passages: Mapping[tuple[str, str], Sequence[Any]] | None = None,
    pairs: Iterable[tuple[str, str]] | None = None,
    lengths: Sequence[int] | None = None,
    texts: Sequence[Any] | None = None,
) -> list[Edge]:
    """:func:`provenance` of ``articles`` whose attributions are scanned already
    (``attributions[i]``: :func:`credited_names` of article ``i`` with the set's
    :func:`known_aliases`); a caller that judges one article in many sets scans it once.
    ``lengths`` (token counts) and ``texts`` (what a pair with no passages given is aligned
    on: texts or :class:`retold.passages.Prepared`) default to the articles' texts."""
    from retold.passages import align

    min_confidence = check_fraction(min_confidence, "min_confidence", open_low=False)
    ids = [a.id for a in articles]
    position = {x: i for i, x in enumerate(ids)}
    if len(position) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ValueError(f"docs: article id {dup!r} occurs more than once")
    if len(attributions) != len(articles):
        raise ValueError(f"attributions: {len(attributions)} lists for {len(articles)} articles")
    n = len(articles)
    given = _check_passages(passages, position)
    wanted = _check_pairs(pairs, position)
    if passages is None and pairs is None:
        judged = [(i, j) for i in range(n) for j in range(i + 1, n)]
    else:
        chosen = {(min(i, j), max(i, j)) for i, j in given} | wanted
        # Pairs linked by an explicit credit: the derived article names the other's outlet.
        by_source: dict[str, list[int]] = {}
        for i, article in enumerate(articles):
            if article.source:
                by_source.setdefault(article.source, []).append(i)
        for d in range(n):
            for attribution in attributions[d]:
                for outlet, members in by_source.items():
                    if refers_to(attribution.name, outlet):
                        chosen.update((min(s, d), max(s, d)) for s in members if s != d)
        judged = sorted(chosen)
    counted: dict[int, int] = {} if lengths is None else dict(enumerate(lengths))

    def length(i: int) -> int:
        if i not in counted:
            counted[i] = len(tokenize(articles[i].text))
        return counted[i]

    edges: list[tuple[float, int, int, Edge]] = []
    for i, j in judged:
        if (i, j) in given:
            found, turned = given[(i, j)], False
        elif (j, i) in given:
            found, turned = given[(j, i)], True
        else:
            found = (align(articles[i].text, articles[j].text, min_tokens=min_tokens) if texts is None
                     else align(texts[i], texts[j], min_tokens=min_tokens))
            turned = False
        shared = sum(p.tokens for p in found)
        quotes = sum(1 for p in found if p.quoted)
        tokens_i = sum(p.b_tokens if turned else p.a_tokens for p in found)
        tokens_j = sum(p.a_tokens if turned else p.b_tokens for p in found)
        cov_i = tokens_i / length(i) if found and length(i) else 0.0
        cov_j = tokens_j / length(j) if found and length(j) else 0.0
        best = None
        for s, d, cov_s, cov_d in ((i, j, cov_i, cov_j), (j, i, cov_j, cov_i)):
            evidence = pair_evidence(articles[s], articles[d], list(attributions[d]), shared,
                                     len(found), quotes, cov_s, cov_d)
            if evidence is None:
                continue
            confidence, items = evidence
            if best is None or confidence > best[0]:
                best = (confidence, s, d, items, False)
            elif confidence == best[0]:
                best = (confidence, s, d, items, True)  # a tie: no direction to tell
        if best is None or best[4] or best[0] < min_confidence:
            continue
        confidence, s, d, items, _ = best
        edges.append((confidence, s, d, Edge(
            articles[s].id, articles[d].id, confidence, tuple(items),
            source_name=articles[s].source,
        )))
    edges = _one_source_each(edges, articles)
    if external:
        outlets = sorted({a.source for a in articles if a.source})
        for d, article in enumerate(articles):
            seen: set[str] = set()
            for attribution in attributions[d]:
                if any(refers_to(attribution.name, outlet) for outlet in outlets):
                    continue
                key = name_key(attribution.name)
                if key in seen:
                    continue
                seen.add(key)
                item = Evidence("attribution", attribution.snippet, WEIGHT_EXTERNAL)
                if WEIGHT_EXTERNAL >= min_confidence:
                    edges.append((WEIGHT_EXTERNAL, n + d, -1, Edge(
                        None, article.id, WEIGHT_EXTERNAL, (item,),
                        source_name=attribution.name, external=True,
                    )))
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))
    return [e[3] for e in edges]


def _check_passages(passages: Any, position: Mapping[str, int]) -> dict[tuple[int, int], Any]:
    """``passages`` keyed by positions; errors name the argument."""
    if passages is None:
        return {}
    if not isinstance(passages, Mapping):
        raise TypeError(f"passages must be a mapping (a_id, b_id) -> passages, not "
                        f"{type(passages).__name__}")
    out: dict[tuple[int, int], Any] = {}
    for key, found in passages.items():
        i, j = _pair_positions(key, position, "passages")
        out[(i, j)] = list(found)
    return out


def _check_pairs(pairs: Any, position: Mapping[str, int]) -> set[tuple[int, int]]:
    """``pairs`` as (lower, higher) positions; errors name the argument."""
    if pairs is None:
        return set()
    if isinstance(pairs, (str, bytes)):
        raise TypeError("pairs must be an iterable of (a_id, b_id) tuples, not a string")
    out = set()
    for key in pairs:
        i, j = _pair_positions(key, position, "pairs")
        out.add((min(i, j), max(i, j)))
    return out


def _pair_positions(key: Any, position: Mapping[str, int], what: str) -> tuple[int, int]:
    if not isinstance(key, tuple) or len(key) != 2:
        raise TypeError(f"{what}: a pair must be a tuple (a_id, b_id), not {key!r}")
    try:
        i, j = position[key[0]], position[key[1]]
    except (KeyError, TypeError):
        raise ValueError(f"{what}: pair {key!r} names an article not in docs") from None
    if i == j:
        raise ValueError(f"{what}: pair {key!r} pairs an article with itself")
    return i, j


_Scored = tuple[float, int, int, Edge]
"""An edge found, with its confidence and the positions of its source and derived article."""


def _one_source_each(edges: list[_Scored], articles: Sequence[Article]) -> list[_Scored]:
    """Each derived article keeps one source, and any other it names.

    Two reprints of one wire story share everything with each other too; without an explicit
    credit, the second-best source of an article is an echo of its best one.  Among uncredited
    sources whose confidence is within :data:`SIMILAR_CONFIDENCE` of the best, the earliest
    (by date, then input position) is kept: a few hundredths come from a reprint's extra or
    missing words, not from who copied whom, and a copy is more often taken from the original
    than from another copy of it.
    """
    def credited(edge: _Scored) -> bool:
        return any(x.kind == "attribution" for x in edge[3].evidence)

    by_derived: dict[int, list[_Scored]] = {}
    for edge in edges:
        by_derived.setdefault(edge[2], []).append(edge)
    chosen: set[int] = set()
    for group in by_derived.values():
        top = max(group, key=lambda e: (e[0], -e[1]))
        if not credited(top):
            similar = [e for e in group if not credited(e) and top[0] - e[0] <= SIMILAR_CONFIDENCE]
            top = min(similar, key=lambda e: _source_time(articles, e[1]))
        chosen.add(id(top))
    return [e for e in edges if id(e) in chosen or credited(e)]


def _source_time(articles: Sequence[Article], position: int) -> tuple[bool, _dt.datetime, int]:
    date = articles[position].date
    return (date is None, date or _dt.datetime.min, position)
