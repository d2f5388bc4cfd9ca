"""Deterministic synthetic news corpora with known near-duplicates, for tests and benchmarks.

The text is not English but has the statistics that matter to shingling and MinHash: a Zipfian
vocabulary of pseudo-words (short words frequent, long words rare), capitalised names and numbers
among them, sentences of varying length with commas, full stops and paragraph breaks, documents of
lognormal length around 300 words, and a share of near-duplicates of earlier documents made at
known edit rates (word substitutions, deletions and insertions, and sometimes a trimmed tail).

Everything is a function of the seed and the options: the same call gives the same corpus on every
machine, and a shorter corpus is a prefix of a longer one made with the same options.

Every word is one token for :func:`retold.tokenize` (pseudo-words are ASCII letters, numbers are
plain digit runs), so word n-gram shingles of a text are exactly the n-grams of its word sequence.

Examples
--------
>>> corpus = news_corpus(1_000, seed=3)
>>> int((corpus.copy_of >= 0).sum())  # about 20% near-duplicates
204
>>> record = next(iter_news(1_000_000))  # streams in constant memory, one chunk at a time
>>> record["id"], record["date"], record["copy_of"]
('n0000000', '2024-01-01', None)

:func:`story_corpus` makes a different kind of corpus: *stories*, each event told by several
outlets in their own words (no copies), many events to a topic, with dates.
"""
from __future__ import annotations

import datetime as _dt
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator, Sequence

import numpy as np

__all__ = [
    "StoryCorpus",
    "SyntheticCorpus",
    "Vocabulary",
    "iter_news",
    "news_corpus",
    "pairs_at_jaccard",
    "story_corpus",
    "vocabulary",
    "write_news_jsonl",
]

# Documents are made in chunks of this many, each from its own random stream, so a corpus of
# n documents is the prefix of any longer one and streaming needs one chunk in memory at a time.
_CHUNK = 512
# Near-duplicates copy one of the last _WINDOW originals (news is copied within days), which keeps
# the streaming generator's memory constant.
_WINDOW = 2048
_DOCS_PER_DAY = 2_000
_FIRST_DAY = _dt.date(2024, 1, 1)

# Separator codes written after each word.
_SPACE, _COMMA, _STOP, _PARAGRAPH, _END = 0, 1, 2, 3, 4
_SEPARATORS = (" ", ", ", ". ", ".\n\n", ".")
_P_STOP = 1 / 18  # sentences of about 18 words
_P_COMMA = 1 / 16
_P_PARAGRAPH = 0.25  # share of sentence ends that also end a paragraph

_VOWELS = np.frombuffer(b"aeiouaeioy", dtype=np.uint8)
_CONSONANTS = np.frombuffer(b"tnshrdlcmwfgpbvkjxzqtnsrdlc", dtype=np.uint8)


@dataclass(frozen=True)
class Vocabulary:
    """A Zipfian vocabulary: ``words[r]`` is the word of rank ``r`` (0 is the most frequent).

    Attributes
    ----------
    words : list of str
        Lower-case pseudo-words, capitalised names and numbers, all distinct.
    kinds : np.ndarray of uint8
        0 word, 1 name, 2 number.
    shift : float
        Ranks follow a Zipf-Mandelbrot law, p(r) about proportional to 1 / (r + shift + 1/2):
        exactly, r = floor(x - shift) with x log-uniform on [shift, size + shift), which is
        sampled by inversion in one vectorised step.
    """

    words: list[str]
    kinds: np.ndarray
    shift: float
    # Flat character table of every word in lower and capitalised form, then the separators.
    chars: np.ndarray
    piece_start: np.ndarray
    piece_length: np.ndarray

    def __len__(self) -> int:
        return len(self.words)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` word ranks drawn from the Zipf distribution."""
        span = math.log((len(self.words) + self.shift) / self.shift)
        x = self.shift * np.exp(rng.random(size) * span) - self.shift
        return np.minimum(x.astype(np.int32), len(self.words) - 1)


def _pseudo_word(rng: np.random.Generator, length: int) -> str:
    phase = int(rng.integers(2))
    letters = [
        _VOWELS[rng.integers(len(_VOWELS))] if (i + phase) % 2 else _CONSONANTS[rng.integers(len(_CONSONANTS))]
        for i in range(length)
    ]
    return bytes(letters).decode("ascii")


@lru_cache(maxsize=8)
def vocabulary(size: int = 50_000, seed: int = 0) -> Vocabulary:
    """The vocabulary of ``size`` words that corpora with this ``seed`` are written in."""
    if size < 200:
        raise ValueError(f"vocabulary_size must be at least 200, got {size}")
    rng = np.random.default_rng([seed, 0x70CAB])
    ranks = np.arange(size)
    # Frequent words are short (Zipf's law of abbreviation).
    lengths = np.clip(np.rint(rng.normal(2.2 + 0.5 * np.log1p(ranks), 1.3)), 1, 14).astype(int)
    kinds = np.zeros(size, dtype=np.uint8)
    # The 100 most frequent words are function words; below them, 8% names and 3% numbers.
    roll = rng.random(size)
    kinds[(roll < 0.08) & (ranks >= 100)] = 1
    kinds[(roll >= 0.08) & (roll < 0.11) & (ranks >= 100)] = 2
    # Letters alternate consonant and vowel, starting with either, so words look pronounceable.
    phase = rng.integers(2, size=size)
    vowel = (np.arange(14)[None, :] + phase[:, None]) % 2 == 1
    letters = np.where(
        vowel,
        _VOWELS[rng.integers(len(_VOWELS), size=(size, 14))],
        _CONSONANTS[rng.integers(len(_CONSONANTS), size=(size, 14))],
    ).astype(np.uint8)
    numbers = np.floor(10 ** rng.uniform(0, 4.5, size=size)).astype(np.int64)
    words: list[str] = []
    seen: set[str] = set()
    for rank in range(size):
        if kinds[rank] == 2:
            word = str(int(numbers[rank]))
        else:
            word = letters[rank, : lengths[rank]].tobytes().decode("ascii")
        while word in seen:  # rare: draw again, one letter (or digit) longer
            if kinds[rank] == 2:
                word = str(int(rng.integers(10, 10**7)))
            else:
                word = _pseudo_word(rng, len(word) + 1)
        if kinds[rank] == 1:
            word = word.capitalize()
            if word.lower() in seen or word in seen:
                word = word + _pseudo_word(rng, 2)
        seen.add(word)
        seen.add(word.lower())
        words.append(word)
    pieces = [w.encode("ascii") for w in words]
    pieces += [w[:1].upper().encode("ascii") + w[1:].encode("ascii") for w in words]
    pieces += [s.encode("ascii") for s in _SEPARATORS]
    piece_length = np.fromiter((len(p) for p in pieces), dtype=np.int64, count=len(pieces))
    piece_start = np.zeros(len(pieces), dtype=np.int64)
    np.cumsum(piece_length[:-1], out=piece_start[1:])
    chars = np.frombuffer(b"".join(pieces), dtype=np.uint8)
    return Vocabulary(words, kinds, 2.7, chars, piece_start, piece_length)


def _separators(rng: np.random.Generator, n: int) -> np.ndarray:
    roll = rng.random(n)
    seps = np.zeros(n, dtype=np.int8)
    seps[roll < _P_STOP + _P_COMMA] = _COMMA
    stops = roll < _P_STOP
    seps[stops] = _STOP
    seps[stops & (rng.random(n) < _P_PARAGRAPH)] = _PARAGRAPH
    return seps


def _render(vocab: Vocabulary, docs: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[str]:
    """Texts of documents given as (word ranks, separator codes), all at once with numpy."""
    if not docs:
        return []
    lengths = np.fromiter((len(w) for w, _ in docs), dtype=np.int64, count=len(docs))
    words = np.concatenate([w for w, _ in docs]).astype(np.int64)
    seps = np.concatenate([s for _, s in docs]).astype(np.int64)
    if len(words) == 0:
        return [""] * len(docs)
    doc_end = np.cumsum(lengths)
    seps[doc_end[lengths > 0] - 1] = _END
    # A word is capitalised at the start of a document or of a sentence.
    capital = np.zeros(len(words), dtype=bool)
    capital[1:] = (seps[:-1] == _STOP) | (seps[:-1] == _PARAGRAPH)
    capital[(doc_end - lengths)[lengths > 0]] = True
    vocab_size = len(vocab)
    pieces = np.empty(2 * len(words), dtype=np.int64)
    pieces[0::2] = words + capital * vocab_size
    pieces[1::2] = 2 * vocab_size + seps
    piece_length = vocab.piece_length[pieces]
    ends = np.cumsum(piece_length)
    # Gather every character of every piece in one vectorised step: the table index advances by
    # one within a piece and jumps to the next piece's start at each piece boundary.
    first = vocab.piece_start[pieces]
    total = int(ends[-1])
    step = np.ones(total, dtype=np.int32 if total + len(vocab.chars) < 2**31 else np.int64)
    step[0] = first[0]
    step[ends[:-1]] = first[1:] - (first[:-1] + piece_length[:-1] - 1)
    flat = vocab.chars[np.cumsum(step, out=step)]
    blob = flat.tobytes().decode("ascii")
    # Character offset where each document ends: after its last piece.
    char_end = np.zeros(len(docs) + 1, dtype=np.int64)
    char_end[1:] = np.where(lengths > 0, ends[np.maximum(2 * doc_end - 1, 0)], 0)
    char_end[1:] = np.maximum.accumulate(char_end[1:])
    bounds = char_end.tolist()
    return [blob[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def _edit(
    vocab: Vocabulary,
    rng: np.random.Generator,
    words: np.ndarray,
    seps: np.ndarray,
    rate: float,
    trim: float,
) -> tuple[np.ndarray, np.ndarray]:
    """A near-duplicate: each word is edited with probability ``rate`` (substituted, deleted, or
    preceded by an inserted word, equally often), then the last ``trim`` share of words is cut."""
    n = len(words)
    edited = rng.random(n) < rate
    kind = rng.integers(3, size=n)
    substitute = edited & (kind == 0)
    delete = edited & (kind == 1)
    insert = edited & (kind == 2)
    words = words.copy()
    new = vocab.sample(rng, n)
    same = new == words
    new[same] = (new[same] + 1 + rng.integers(len(vocab) - 1, size=int(same.sum()))) % len(vocab)
    words[substitute] = new[substitute]
    # Slot 0 of each position holds an inserted word (if any), slot 1 the original (if kept).
    slot_words = np.stack([vocab.sample(rng, n), words], axis=1).ravel()
    slot_seps = np.stack([np.full(n, _SPACE, dtype=np.int8), seps], axis=1).ravel()
    keep = np.stack([insert, ~delete], axis=1).ravel()
    words, seps = slot_words[keep], slot_seps[keep]
    if trim > 0:
        kept = max(1, int(round(len(words) * (1 - trim))))
        words, seps = words[:kept], seps[:kept]
    return words, seps


@dataclass(frozen=True)
class SyntheticCorpus:
    """A synthetic corpus with its ground truth.

    Attributes
    ----------
    texts : list of str
    copy_of : np.ndarray of int64
        Index of the original a document is a near-duplicate of, or -1 for originals.
    edit_rate : np.ndarray of float64
        Probability with which each word of the original was edited in the copy (0 for originals).
    trimmed : np.ndarray of float64
        Share of the copy's tail cut off after editing (0 when not trimmed).
    dates : list of str
        ISO dates, non-decreasing; a copy is never older than its original.
    """

    texts: list[str]
    copy_of: np.ndarray
    edit_rate: np.ndarray
    trimmed: np.ndarray
    dates: list[str]

    def __len__(self) -> int:
        return len(self.texts)


def _check_options(
    n_docs: Any, duplicate_rate: float, edit_rates: Sequence[float], mean_words: float, trim_rate: float
) -> None:
    if isinstance(n_docs, bool) or not isinstance(n_docs, (int, np.integer)) or n_docs < 0:
        raise ValueError(f"n_docs must be a non-negative int, got {n_docs!r}")
    if not 0.0 <= duplicate_rate <= 1.0:
        raise ValueError(f"duplicate_rate must be in [0, 1], got {duplicate_rate}")
    if not 0.0 <= trim_rate <= 1.0:
        raise ValueError(f"trim_rate must be in [0, 1], got {trim_rate}")
    if len(edit_rates) == 0 or not all(0.0 <= r <= 1.0 for r in edit_rates):
        raise ValueError(f"edit_rates must be a non-empty sequence of rates in [0, 1], got {edit_rates!r}")
    if not mean_words >= 5:
        raise ValueError(f"mean_words must be at least 5, got {mean_words}")


def _chunks(
    n_docs: int,
    *,
    seed: int,
    duplicate_rate: float,
    edit_rates: Sequence[float],
    mean_words: float,
    vocabulary_size: int,
    trim_rate: float,
) -> Iterator[tuple[list[str], np.ndarray, np.ndarray, np.ndarray]]:
    """Yield (texts, copy_of, edit_rate, trimmed) chunk by chunk; memory bounded by _WINDOW."""
    _check_options(n_docs, duplicate_rate, edit_rates, mean_words, trim_rate)
    vocab = vocabulary(vocabulary_size, seed)
    rates = np.asarray(edit_rates, dtype=np.float64)
    sigma = 0.35
    mu = math.log(mean_words) - sigma**2 / 2
    # Ring buffer of recent originals: (index, words, seps).
    window: list[tuple[int, np.ndarray, np.ndarray]] = []
    window_next = 0
    for chunk_index, first in enumerate(range(0, n_docs, _CHUNK)):
        rng = np.random.default_rng([seed, chunk_index])
        count = _CHUNK  # always make the whole chunk, so prefixes agree
        lengths = np.clip(np.rint(rng.lognormal(mu, sigma, size=count)), 5, 20 * mean_words).astype(np.int64)
        is_copy = rng.random(count) < duplicate_rate
        if first == 0:
            is_copy[0] = False
        all_words = vocab.sample(rng, int(lengths.sum()))
        all_seps = _separators(rng, len(all_words))
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        copy_of = np.full(count, -1, dtype=np.int64)
        edit_rate = np.zeros(count)
        trimmed = np.zeros(count)
        docs: list[tuple[np.ndarray, np.ndarray]] = []
        for j in range(min(count, n_docs - first)):
            if is_copy[j] and window:
                source, words, seps = window[int(rng.integers(len(window)))]
                rate = float(rates[rng.integers(len(rates))])
                trim = float(rng.uniform(0.05, 0.4)) if rng.random() < trim_rate else 0.0
                docs.append(_edit(vocab, rng, words, seps, rate, trim))
                copy_of[j], edit_rate[j], trimmed[j] = source, rate, trim
            else:
                a, b = starts[j], starts[j] + lengths[j]
                words, seps = all_words[a:b], all_seps[a:b]
                docs.append((words, seps))
                entry = (first + j, words.copy(), seps.copy())
                if len(window) < _WINDOW:
                    window.append(entry)
                else:
                    window[window_next] = entry
                    window_next = (window_next + 1) % _WINDOW
        n = len(docs)
        yield _render(vocab, docs), copy_of[:n], edit_rate[:n], trimmed[:n]


def _date(index: int) -> str:
    return (_FIRST_DAY + _dt.timedelta(days=index // _DOCS_PER_DAY)).isoformat()


def news_corpus(
    n_docs: int,
    *,
    seed: int = 0,
    duplicate_rate: float = 0.2,
    edit_rates: Sequence[float] = (0.01, 0.05, 0.1, 0.2),
    mean_words: float = 300,
    vocabulary_size: int = 50_000,
    trim_rate: float = 0.25,
) -> SyntheticCorpus:
    """A synthetic news corpus of ``n_docs`` documents with known near-duplicates.

    Parameters
    ----------
    n_docs : int
    seed : int
        Same seed and options, same corpus (and a shorter corpus is a prefix of a longer one).
    duplicate_rate : float
        Probability that a document is a near-duplicate of an earlier original (one of the last
        2048 originals; copies are never copied again).
    edit_rates : sequence of float
        Each copy draws one of these; every word of the original is then edited with that
        probability (substituted, deleted, or preceded by an inserted word, equally often).
    mean_words : float
        Mean document length in words (lognormal, sigma 0.35).
    vocabulary_size : int
        Number of distinct words (Zipf-distributed).
    trim_rate : float
        Probability that a copy also loses the last 5-40% of its words.

    Returns
    -------
    SyntheticCorpus
    """
    texts: list[str] = []
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for chunk_texts, copy_of, edit_rate, trimmed in _chunks(
        n_docs,
        seed=seed,
        duplicate_rate=duplicate_rate,
        edit_rates=edit_rates,
        mean_words=mean_words,
        vocabulary_size=vocabulary_size,
        trim_rate=trim_rate,
    ):
        texts.extend(chunk_texts)
        parts.append((copy_of, edit_rate, trimmed))
    if parts:
        copy_of, edit_rate, trimmed = (np.concatenate(column) for column in zip(*parts))
    else:
        copy_of, edit_rate, trimmed = np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    return SyntheticCorpus(texts, copy_of, edit_rate, trimmed, [_date(i) for i in range(len(texts))])


def iter_news(
    n_docs: int,
    *,
    seed: int = 0,
    duplicate_rate: float = 0.2,
    edit_rates: Sequence[float] = (0.01, 0.05, 0.1, 0.2),
    mean_words: float = 300,
    vocabulary_size: int = 50_000,
    trim_rate: float = 0.25,
) -> Iterator[dict[str, Any]]:
    """Stream the documents of :func:`news_corpus` (same options, same texts) in constant memory.

    Yields
    ------
    dict
        ``{"id": "n0000042", "text": ..., "date": "2024-01-01", "copy_of": id of the original or
        None, "edit_rate": float, "trimmed": float}``.
    """
    index = 0
    for texts, copy_of, edit_rate, trimmed in _chunks(
        n_docs,
        seed=seed,
        duplicate_rate=duplicate_rate,
        edit_rates=edit_rates,
        mean_words=mean_words,
        vocabulary_size=vocabulary_size,
        trim_rate=trim_rate,
    ):
        for text, source, rate, trim in zip(texts, copy_of.tolist(), edit_rate.tolist(), trimmed.tolist()):
            yield {
                "id": f"n{index:07d}",
                "text": text,
                "date": _date(index),
                "copy_of": f"n{source:07d}" if source >= 0 else None,
                "edit_rate": rate,
                "trimmed": trim,
            }
            index += 1


def write_news_jsonl(path: str | os.PathLike[str], n_docs: int, **options: Any) -> int:
    """Write :func:`iter_news` records to a JSON Lines file (atomically, streaming); return the count."""
    from retold.io import write_records

    return write_records(iter_news(n_docs, **options), path, format="jsonl")


def _surviving_windows(changed: np.ndarray, ngram: int) -> int:
    """Number of n-gram windows that contain no changed position."""
    n = len(changed)
    if n < ngram:
        return int(not changed.any())
    counts = np.concatenate([[0], np.cumsum(changed)])
    return int(np.count_nonzero(counts[ngram:] - counts[: n - ngram + 1] == 0))


def pairs_at_jaccard(
    targets: Sequence[float],
    *,
    seed: int = 0,
    words: int = 300,
    ngram: int = 5,
    vocabulary_size: int = 50_000,
) -> list[tuple[str, str, float]]:
    """Pairs of documents whose word ``ngram`` shingle sets have about the target Jaccard similarity.

    ``b`` is ``a`` with chosen words substituted: with N windows of which S survive untouched,
    J = S / (2N - S), so the number of substitutions is picked (positions in random order, the
    count by bisection) to make S = 2JN / (1 + J). The exact Jaccard of the two texts, measured
    with :func:`retold.jaccard` over :func:`retold.shingles`, is returned beside each pair.

    Returns
    -------
    list of (a, b, exact_jaccard)
    """
    from retold.hashing import jaccard, shingles

    if words < ngram:
        raise ValueError(f"words must be at least ngram ({ngram}), got {words}")
    vocab = vocabulary(vocabulary_size, seed)
    rng = np.random.default_rng([seed, 0x9A125])
    pairs = []
    for target in targets:
        target = float(target)
        if not 0.0 <= target <= 1.0:
            raise ValueError(f"targets must lie in [0, 1], got {target}")
        a_words = vocab.sample(rng, words)
        seps = _separators(rng, words)
        windows = words - ngram + 1
        want = 2 * target * windows / (1 + target)
        order = rng.permutation(words)
        changed = np.zeros(words, dtype=bool)

        def survivors(m: int) -> int:
            changed[:] = False
            changed[order[:m]] = True
            return _surviving_windows(changed, ngram)

        lo, hi = 0, words  # survivors(m) decreases with m; find the m closest to want
        while lo < hi:
            mid = (lo + hi) // 2
            if survivors(mid) > want:
                lo = mid + 1
            else:
                hi = mid
        best = min({max(lo - 1, 0), lo}, key=lambda m: abs(survivors(m) - want))
        b_words = a_words.copy()
        positions = order[:best]
        new = vocab.sample(rng, len(positions))
        same = new == b_words[positions]
        new[same] = (new[same] + 1) % len(vocab)
        b_words[positions] = new
        a, b = _render(vocab, [(a_words, seps), (b_words, seps)])
        exact = jaccard(shingles(a, ngram=ngram), shingles(b, ngram=ngram))
        pairs.append((a, b, exact))
    return pairs


# -- stories: one event, several outlets' own words ------------------------------------------


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
        seps = _separators(part, total)
        bounds = np.cumsum(size)[:-1]
        texts += _render(vocab, list(zip(np.split(words, bounds), np.split(seps, bounds))))
    heads = np.concatenate([facts[event][:, [0, 1, 4]], topic_words[topic_of[event]][:, :2],
                            facts[event][:, [6]]], axis=1)
    heads = np.take_along_axis(heads, np.argsort(rng.random(heads.shape), axis=1), axis=1)
    titles = _render(vocab, [(row, np.zeros(len(row), dtype=np.int8)) for row in heads])
    base = _dt.datetime.combine(_FIRST_DAY, _dt.time())
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
