"""Punctuation every layer reads alike: which marks open and close a quote, which end a sentence.

Read by :mod:`retold.quotes` (quoted spans for passages, which pairs each opening mark with its
own closers, and splits quotes into sentences) and by the story features
(:mod:`retold.story_feature_tables`, whose cheaper rule only asks "does this mark open or close
a quote", so it takes the two sets derived below, and whose sentence ends add clause breaks).
"""
from __future__ import annotations

# Opening mark -> the closing marks it pairs with.
QUOTE_PAIRS: dict[str, str] = {
    "\u201c": "\u201d",  # “ … ” (English and many more)
    "\u201e": "\u201c\u201d",  # „ … “ (German, Czech…), „ … ” (Polish, Romanian)
    "\u00ab": "\u00bb",  # « … » (French, Russian, Spanish, Turkish, Arabic)
    "\u2039": "\u203a",  # ‹ … ›
    "\u300c": "\u300d",  # 「 … 」 (Chinese, Japanese)
    "\u300e": "\u300f",  # 『 … 』
}
# Marks that are the same at both ends and toggle: the ASCII double quote and its full-width form.
STRAIGHT_QUOTES = '"\uff02'

OPENING_MARKS = frozenset(QUOTE_PAIRS) | frozenset(STRAIGHT_QUOTES)
CLOSING_MARKS = frozenset("".join(QUOTE_PAIRS.values())) | frozenset(STRAIGHT_QUOTES)
ALL_MARKS = OPENING_MARKS | CLOSING_MARKS

# Stops that end a sentence: Latin-script ones (followed by a space) and the full-width ones of
# Chinese and Japanese (no space after them).
SENTENCE_STOPS = ".!?"
WIDE_SENTENCE_STOPS = "\u3002\uff01\uff1f"  # 。！？
