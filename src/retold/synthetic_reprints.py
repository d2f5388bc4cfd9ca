"""Synthetic corpora with planted reprints: known answers for :func:`retold.reused_passages`.

A corpus of unrelated articles (:func:`retold.synthetic.news_corpus` without near-duplicates)
into which paragraphs are planted: each paragraph is reprinted into ``k`` articles drawn at
random, at a sentence boundary, each printing with its own OCR-like noise: every letter is
misread with probability ``noise`` (the confusions of OCR: ``e``/``c``, ``l``/``1``, ``rn``/``m``,
``o``/``0``...) and a space is lost or added between words with probability ``noise / 4``.
An article hosts at most one planted paragraph, so the gold is a set of disjoint spans.

:func:`score_reprints` measures a result against the gold at the passage level.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from retold.synthetic import news_corpus, vocabulary

__all__ = ["ReprintCorpus", "ReprintScore", "misread_printing", "plant_reprints", "reprint_corpus", "score_reprints"]

_CONFUSIONS = {
    "e": "c", "c": "e", "l": "1", "i": "l", "o": "0", "a": "o", "u": "n", "n": "u", "h": "b",
    "b": "h", "s": "5", "t": "f", "f": "t", "g": "q", "d": "cl", "m": "rn",
}
_SOURCES = 40


@dataclass(frozen=True)
class ReprintCorpus:
    """Texts, dates and sources of the articles, and the planted reprints.

    ``planted[p]`` lists the printings of paragraph ``p`` as ``(article index, start, end)``
    character spans of ``texts``; ``noise`` is the misreading rate they were made with.
    """

    texts: list[Any]
    dates: list[Any]
    sources: list[Any]
    planted: list[Any]
    noise: float

    def __len__(self) -> int:
        return len(self.texts)

    def records(self) -> list[dict[str, Any]]:
        """The articles as records with ``id``, ``text``, ``date`` and ``source``."""
        return [{"id": f"a{i:07d}", "text": t, "date": d, "source": s}
                for i, (t, d, s) in enumerate(zip(self.texts, self.dates, self.sources))]


def _paragraph(rng: np.random.Generator, words: list[str], n_words: int) -> str:
    vocab_words = [words[r] for r in _sample(rng, n_words)]
    out, sentence = [], []
    for w in vocab_words:
        sentence.append(w)
        if len(sentence) >= 8 and rng.random() < 1 / 12:
            out.append(" ".join(sentence).capitalize() + ".")
            sentence = []
    if sentence:
        out.append(" ".join(sentence).capitalize() + ".")
    return " ".join(out)


def _sample(rng: np.random.Generator, n: int) -> np.ndarray:
    return vocabulary(50_000, 0).sample(rng, n)


def misread_printing(rng: np.random.Generator, text: str, noise: float) -> str:
    """One OCR-like printing of ``text``: letters misread, spaces lost or added."""
    if noise <= 0:
        return text
    out = []
    roll = rng.random(len(text))
    space = rng.random(len(text))
    for ch, r, s in zip(text, roll.tolist(), space.tolist()):
        if ch == " ":
            out.append("" if s < noise / 4 else " ")
        elif r < noise:
            low = ch.lower()
            out.append(_CONFUSIONS.get(low, low if low != ch else ch.upper()))
        else:
            out.append(ch)
            if ch.isalpha() and s < noise / 4 / 6:
                out.append(" ")  # a word split in two (about noise/4 per word)
    return "".join(out)


def reprint_corpus(n_docs: int, *, passages: int = 20, copies: tuple[int, int] = (2, 8),
                   passage_words: int = 60, noise: float = 0.02, seed: int = 0,
                   mean_words: float = 300) -> ReprintCorpus:
    """Unrelated articles with ``passages`` paragraphs each reprinted into 2..8 of them.

    Parameters
    ----------
    n_docs : int
        Articles in the corpus (at least ``passages * copies[1]``).
    passages : int
        Paragraphs planted.
    copies : (int, int)
        Least and most printings of a paragraph (uniform).
    passage_words : int
        Words per planted paragraph.
    noise : float
        Probability that a letter of a printing is misread (see the module docstring).
    seed : int
        Same seed and options, same corpus.
    """
    lo, hi = copies
    if not 2 <= lo <= hi:
        raise ValueError(f"copies must be (least, most) with 2 <= least <= most, got {copies!r}")
    if passages * hi > n_docs:
        raise ValueError(f"{passages} passages of up to {hi} printings need at least "
                         f"{passages * hi} articles, got n_docs={n_docs}")
    if not 0.0 <= noise < 1.0:
        raise ValueError(f"noise must be in [0, 1), got {noise}")
    base = news_corpus(n_docs, seed=seed, duplicate_rate=0.0, mean_words=mean_words)
    texts = list(base.texts)
    rng = np.random.default_rng([seed, 0x5E9A1])
    words = vocabulary(50_000, 0).words
    hosts = rng.permutation(n_docs)
    planted = []
    taken = 0
    for _ in range(passages):
        k = int(rng.integers(lo, hi + 1))
        paragraph = _paragraph(rng, words, passage_words)
        printings = []
        for doc in sorted(hosts[taken:taken + k].tolist()):
            host = texts[doc]
            cuts = [i + 2 for i in range(len(host) - 1) if host[i] == "." and host[i + 1] == " "]
            cut = cuts[int(rng.integers(len(cuts)))] if cuts else len(host)
            printed = misread_printing(rng, paragraph, noise)
            glue = "" if cut == len(host) and not host else ("" if cut < len(host) else " ")
            texts[doc] = host[:cut] + glue + printed + " " + host[cut:]
            start = cut + len(glue)
            printings.append((doc, start, start + len(printed)))
        taken += k
        planted.append(printings)
    sources = [f"outlet{int(x):02d}" for x in rng.integers(_SOURCES, size=n_docs)]
    return ReprintCorpus(texts, list(base.dates), sources, planted, noise)


def plant_reprints(texts: Sequence[str], paragraphs: Sequence[str], *, noise: float,
                   copies: tuple[int, int] = (2, 8), seed: int = 0) -> ReprintCorpus:
    """Given articles with given paragraphs reprinted into them: real text, known answers.

    Each paragraph goes into ``copies`` articles drawn at random (each article hosts at most
    one), after a sentence end (``.``, ``!`` or ``?`` and a space) or at the end, every
    printing misread as :func:`reprint_corpus` does.  Dates and sources are left unknown.
    """
    lo, hi = copies
    if not 2 <= lo <= hi:
        raise ValueError(f"copies must be (least, most) with 2 <= least <= most, got {copies!r}")
    if len(paragraphs) * hi > len(texts):
        raise ValueError(f"{len(paragraphs)} paragraphs of up to {hi} printings need at least "
                         f"{len(paragraphs) * hi} articles, got {len(texts)}")
    rng = np.random.default_rng([seed, 0x9A55A6E])
    out = list(texts)
    hosts = rng.permutation(len(out)).tolist()
    planted = []
    for paragraph in paragraphs:
        k = int(rng.integers(lo, hi + 1))
        printings = []
        for doc in sorted(hosts[:k]):
            host = out[doc]
            cuts = [i + 2 for i in range(len(host) - 1) if host[i] in ".!?" and host[i + 1] == " "]
            cut = cuts[int(rng.integers(len(cuts)))] if cuts else len(host)
            glue = " " if cut == len(host) and host else ""
            printed = misread_printing(rng, paragraph, noise)
            out[doc] = host[:cut] + glue + printed + " " + host[cut:]
            printings.append((doc, cut + len(glue), cut + len(glue) + len(printed)))
        del hosts[:k]
        planted.append(printings)
    return ReprintCorpus(out, [None] * len(out), [None] * len(out), planted, noise)


@dataclass(frozen=True)
class ReprintScore:
    """Passage-level quality: a found passage is *correct* when most of its occurrences lie on
    printings of one planted paragraph; a planted paragraph is *recovered* when one correct
    passage holds at least ``cover`` of its printings."""

    precision: float
    recall: float
    printing_recall: float
    found: int
    planted: int


def _hits(occ: tuple[int, int, int], spans: dict[int, tuple[int, int, int]]) -> int:
    """The paragraph whose printing ``occ`` overlaps by half of that printing, else -1."""
    doc, s, e = occ
    if doc not in spans:
        return -1
    p, ps, pe = spans[doc]
    return p if min(e, pe) - max(s, ps) >= 0.5 * (pe - ps) else -1


def score_reprints(found: Sequence[Any], corpus: ReprintCorpus, *, cover: float = 0.8) -> ReprintScore:
    """Score :func:`retold.reused_passages`' passages (``found``) against the planted gold."""
    spans = {doc: (p, s, e) for p, printings in enumerate(corpus.planted) for doc, s, e in printings}
    best: dict[int, int] = {}
    correct = 0
    printed = 0
    for passage in found:
        hits = [_hits((o.position, o.start, o.end), spans) for o in passage.occurrences]
        counts = np.bincount([h for h in hits if h >= 0], minlength=1)
        p = int(np.argmax(counts))
        if counts[p] * 2 > len(hits):
            correct += 1
            docs = {o.position for o, h in zip(passage.occurrences, hits) if h == p}
            best[p] = max(best.get(p, 0), len(docs))
    recovered = sum(1 for p, printings in enumerate(corpus.planted)
                    if best.get(p, 0) >= cover * len(printings))
    printed = sum(best.values())
    total = sum(len(x) for x in corpus.planted)
    return ReprintScore(
        precision=correct / len(found) if found else 1.0,
        recall=recovered / len(corpus.planted) if corpus.planted else 1.0,
        printing_recall=printed / total if total else 1.0,
        found=len(found), planted=len(corpus.planted),
    )
