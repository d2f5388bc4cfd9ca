"""Known answers in real text: Wikinews paragraphs planted, misread, into real news articles.

The synthetic generator's words are drawn from made-up ones, so two unrelated texts almost
never share a word by chance; real text does ("of the"), and real articles of one event
reprint each other.  Here the hosts are real English articles (ECB+'s odd topics and
WikiRef220 in the shared dev data) that share no passage with each other at the defaults, and
the paragraphs real Wikinews sentences (MEANTIME, English), planted by
:func:`retold.synthetic_reprints.plant_reprints` with its OCR-like noise.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Sequence

from retold.synthetic_reprints import ReprintCorpus

__all__ = ["real_hosts_and_paragraphs", "touching_printings"]

PARAGRAPH_WORDS = (40, 120)
"""Least and most words of a planted paragraph."""


def real_hosts_and_paragraphs(data: str | Path) -> tuple[list[str], list[str]]:
    """The host articles and the paragraphs to plant, read from the dev data folder ``data``
    (``story-clusters/ecbplus-odd-topics.jsonl``, ``wikiref220/*.txt`` and
    ``story-clusters/meantime-airbus-gm.jsonl``).

    Hosts that share a passage with another host (at :func:`retold.reused_passages`'
    defaults) are left out, so every passage found after planting is a planted one or a
    mistake.  A paragraph is an English article's sentences after the first, up to 40 words
    (40-120 words kept), one an article; there are up to an eighth as many as hosts, so each
    can be printed 8 times, one printing a host.
    """
    import retold

    data = Path(data)
    clusters = data / "story-clusters"
    with open(clusters / "ecbplus-odd-topics.jsonl", encoding="utf-8") as lines:
        hosts = [json.loads(line)["text"] for line in lines]
    hosts += [p.read_text(encoding="utf-8", errors="replace")
              for p in sorted((data / "wikiref220").glob("*.txt")) if p.name != "README.orig.txt"]
    busy = {o.position for p in retold.reused_passages(hosts) for o in p.occurrences}
    hosts = [h for i, h in enumerate(hosts) if i not in busy]
    least, most = PARAGRAPH_WORDS
    paragraphs = []
    with open(clusters / "meantime-airbus-gm.jsonl", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["lang"] != "en":
                continue
            words: list[str] = []
            for sentence in re.split(r"(?<=[.!?])\s+", row["text"].replace("\n", " "))[1:]:
                words += sentence.split()
                if len(words) >= least:
                    break
            if least <= len(words) <= most:
                paragraphs.append(" ".join(words))
    return hosts, paragraphs[:len(hosts) // 8]


def touching_printings(found: Sequence[Any], corpus: ReprintCorpus) -> list[Any]:
    """The passages of ``found`` with an occurrence that overlaps a planted printing: the
    hosts' own reuse (which real articles have, and looser settings find) is not scored."""
    printed = {d: (s, e) for printings in corpus.planted for d, s, e in printings}
    return [q for q in found
            if any(o.position in printed and o.start < printed[o.position][1]
                   and o.end > printed[o.position][0] for o in q.occurrences)]
