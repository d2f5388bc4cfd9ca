"""News corpora with known near-duplicates: :func:`news_corpus`, streamed by :func:`iter_news`
and :func:`write_news_jsonl`, and :func:`pairs_at_jaccard` for pairs at chosen similarities."""
from __future__ import annotations

import datetime as _dt
import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Sequence, TypedDict

import numpy as np

from retold.synthetic.words import FIRST_DAY, edit, render, separators, vocabulary

if TYPE_CHECKING:
    from typing_extensions import Unpack

# Documents are made in chunks of this many, each from its own random stream, so a corpus of
# n documents is the prefix of any longer one and streaming needs one chunk in memory at a time.
_CHUNK = 512
# Near-duplicates copy one of the last _WINDOW originals (news is copied within days), which keeps
# the streaming generator's memory constant.
_WINDOW = 2048
_DOCS_PER_DAY = 2_000


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


class NewsOptions(TypedDict, total=False):
    """The options of :func:`news_corpus` and :func:`iter_news` (documented there); their
    defaults are those of the generator both share."""

    seed: int
    duplicate_rate: float
    edit_rates: Sequence[float]
    mean_words: float
    vocabulary_size: int
    trim_rate: float


def _chunks(
    n_docs: int,
    *,
    seed: int = 0,
    duplicate_rate: float = 0.2,
    edit_rates: Sequence[float] = (0.01, 0.05, 0.1, 0.2),
    mean_words: float = 300,
    vocabulary_size: int = 50_000,
    trim_rate: float = 0.25,
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
        all_seps = separators(rng, len(all_words))
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
                docs.append(edit(vocab, rng, words, seps, rate, trim))
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
        yield render(vocab, docs), copy_of[:n], edit_rate[:n], trimmed[:n]


def _date(index: int) -> str:
    return (FIRST_DAY + _dt.timedelta(days=index // _DOCS_PER_DAY)).isoformat()


def news_corpus(n_docs: int, **options: Unpack[NewsOptions]) -> SyntheticCorpus:
    """A synthetic news corpus of ``n_docs`` documents with known near-duplicates.

    Parameters
    ----------
    n_docs : int
    seed : int, default 0
        Same seed and options, same corpus (and a shorter corpus is a prefix of a longer one).
    duplicate_rate : float, default 0.2
        Probability that a document is a near-duplicate of an earlier original (one of the last
        2048 originals; copies are never copied again).
    edit_rates : sequence of float, default (0.01, 0.05, 0.1, 0.2)
        Each copy draws one of these; every word of the original is then edited with that
        probability (substituted, deleted, or preceded by an inserted word, equally often).
    mean_words : float, default 300
        Mean document length in words (lognormal, sigma 0.35).
    vocabulary_size : int, default 50_000
        Number of distinct words (Zipf-distributed).
    trim_rate : float, default 0.25
        Probability that a copy also loses the last 5-40% of its words.

    Returns
    -------
    SyntheticCorpus
    """
    texts: list[str] = []
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for chunk_texts, copy_of, edit_rate, trimmed in _chunks(n_docs, **options):
        texts.extend(chunk_texts)
        parts.append((copy_of, edit_rate, trimmed))
    if parts:
        copy_of, edit_rate, trimmed = (np.concatenate(column) for column in zip(*parts))
    else:
        copy_of, edit_rate, trimmed = np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    return SyntheticCorpus(texts, copy_of, edit_rate, trimmed, [_date(i) for i in range(len(texts))])


def iter_news(n_docs: int, **options: Unpack[NewsOptions]) -> Iterator[dict[str, Any]]:
    """Stream the documents of :func:`news_corpus` (same options, same texts) in constant memory.

    Yields
    ------
    dict
        ``{"id": "n0000042", "text": ..., "date": "2024-01-01", "copy_of": id of the original or
        None, "edit_rate": float, "trimmed": float}``.
    """
    index = 0
    for texts, copy_of, edit_rate, trimmed in _chunks(n_docs, **options):
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
        seps = separators(rng, words)
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
        a, b = render(vocab, [(a_words, seps), (b_words, seps)])
        exact = jaccard(shingles(a, ngram=ngram), shingles(b, ngram=ngram))
        pairs.append((a, b, exact))
    return pairs
