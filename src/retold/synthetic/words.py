"""The text of the synthetic corpora: a Zipfian vocabulary of pseudo-words, sentences with
their separators, rendering word ids to text, and the edits that make a near-duplicate."""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np


# The first publication day of every synthetic corpus.
FIRST_DAY = _dt.date(2024, 1, 1)

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


def separators(rng: np.random.Generator, n: int) -> np.ndarray:
    roll = rng.random(n)
    seps = np.zeros(n, dtype=np.int8)
    seps[roll < _P_STOP + _P_COMMA] = _COMMA
    stops = roll < _P_STOP
    seps[stops] = _STOP
    seps[stops & (rng.random(n) < _P_PARAGRAPH)] = _PARAGRAPH
    return seps


def render(vocab: Vocabulary, docs: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[str]:
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


def edit(
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
