"""Drop a site's boilerplate (banners, subscription notices, copyright lines) before hashing.

A line (trafilatura writes one paragraph per line) whose hash is seen in at least
``max(min_articles, ceil(min_fraction * n))`` of the ``n`` articles of one source is the site's,
not the article's.  Learned from the corpus itself in one extra pass: the first pass keeps, per
source, a table of line hash -> number of articles holding it (8 bytes a key, nothing of the
text but the first few examples); the second drops the lines over the threshold.

Why both bounds (defaults 5 and 0.2; benches/bench_boilerplate.py is what tuned them): the
absolute floor keeps a small outlet's three updates of one story, which share most of their
lines and are true copies, from being read as boilerplate; the fraction keeps a large outlet's
running story (a lede repeated in 30 of 5,000 articles) intact while a footer on every page goes.
"""
from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from collections import defaultdict
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from .article import Article

MIN_ARTICLES = 5
MIN_FRACTION = 0.2
_EXAMPLES = 3
_SPACE = re.compile(r"\s+")


@dataclasses.dataclass
class BoilerplateReport:
    """What :func:`strip_boilerplate` dropped; pass one in to have it filled."""

    lines_dropped: int = 0
    articles_affected: int = 0
    articles: int = 0
    sources: int = 0
    # (source, line, articles of the source holding it), the most widespread first
    examples: list[tuple[str, str, int]] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        if not self.lines_dropped:
            return f"boilerplate: no line repeated across a source's articles ({self.articles} articles, {self.sources} sources)"
        head = (
            f"boilerplate: dropped {self.lines_dropped} line(s) from {self.articles_affected} of "
            f"{self.articles} articles ({self.sources} sources); e.g."
        )
        shown = [f"  [{source}] {line[:70]!r} (in {n} articles)" for source, line, n in self.examples]
        return "\n".join([head, *shown])


def source_key(article: Article) -> str:
    """Whose boilerplate a line would be: the article's source, else the host of a URL id."""
    if article.source:
        return article.source
    if article.id.startswith(("http://", "https://")):
        return (urlsplit(article.id).hostname or "").removeprefix("www.")
    return ""


def _line_hash(line: str) -> int | None:
    # Case and spacing differ between templates of one site ("Subscribe  now" in one, a
    # trailing space in another), so both are folded; digits are kept, as "3 dead" and
    # "4 dead" are different lines of different articles.
    key = _SPACE.sub(" ", line).strip().lower()
    if not key:
        return None
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def strip_boilerplate(
    articles: Iterable[Article],
    *,
    min_articles: int = MIN_ARTICLES,
    min_fraction: float = MIN_FRACTION,
    report: BoilerplateReport | None = None,
) -> list[Article]:
    """The articles with each source's repeated lines removed (order and ids kept).

    Parameters
    ----------
    articles : iterable of Article
        The corpus; read once and held (the lines a source repeats are known only at its end).
    min_articles : int
        A line is boilerplate only if at least this many articles of its source hold it.
    min_fraction : float
        ... and at least this fraction of the source's articles.
    report : BoilerplateReport, optional
        Filled with what was dropped.

    An article whose every line is boilerplate keeps its text: an empty text would be an
    error downstream, and such a page is the site's template, which dedup will show as copies.
    """
    if isinstance(min_articles, bool) or not isinstance(min_articles, int) or min_articles < 2:
        raise ValueError(f"min_articles must be an int of at least 2, not {min_articles!r}")
    if not 0.0 <= float(min_fraction) <= 1.0:
        raise ValueError(f"min_fraction must lie in [0, 1], not {min_fraction!r}")
    held = list(articles)
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    per_source: dict[str, int] = defaultdict(int)
    for article in held:
        source = source_key(article)
        per_source[source] += 1
        table = counts[source]
        for h in {h for line in article.text.split("\n") if (h := _line_hash(line)) is not None}:
            table[h] += 1
    limit = {s: max(min_articles, math.ceil(min_fraction * n)) for s, n in per_source.items()}
    out: list[Article] = []
    result = report if report is not None else BoilerplateReport()
    result.articles, result.sources = len(held), len(per_source)
    seen_examples: dict[tuple[str, int], tuple[str, str, int]] = {}
    for article in held:
        source = source_key(article)
        table, need = counts[source], limit[source]
        kept: list[str] = []
        dropped = 0
        for line in article.text.split("\n"):
            h = _line_hash(line)
            if h is not None and table[h] >= need:
                dropped += 1
                if len(seen_examples) < 50 and (source, h) not in seen_examples:
                    seen_examples[(source, h)] = (source, line.strip(), table[h])
            else:
                kept.append(line)
        text = "\n".join(kept).strip()
        if dropped and text:
            result.lines_dropped += dropped
            result.articles_affected += 1
            article = dataclasses.replace(article, text=text)
        out.append(article)
    result.examples = sorted(seen_examples.values(), key=lambda e: -e[2])[:_EXAMPLES]
    return out


def stripped(articles: Iterable[Article], report: BoilerplateReport | None, **options: float) -> Iterator[Article]:
    """:func:`strip_boilerplate` as a lazy stream: nothing is read until the first article is asked for."""
    yield from strip_boilerplate(articles, report=report, **options)  # type: ignore[arg-type]
