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

The package: :mod:`.words` makes the text (vocabulary, sentences, rendering, the edits of a
copy), :mod:`.news` the news corpora, :mod:`.stories` the story corpora; the names are
imported from here.
"""
from __future__ import annotations

from retold.synthetic.news import SyntheticCorpus, iter_news, news_corpus, pairs_at_jaccard, write_news_jsonl
from retold.synthetic.stories import StoryCorpus, story_corpus
from retold.synthetic.words import Vocabulary, vocabulary

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
