"""Quoted spans in news text: “…”, "…", «…», „…“, 「…」 and their kin.

Quotes matter for reuse: outlets retell a story in their own words but keep (or translate,
or tidy) what people said, so a passage inside quotation marks in two articles is a shared
quote even when the wording moved a little.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from retold.punctuation import ALL_MARKS, QUOTE_PAIRS, SENTENCE_STOPS, STRAIGHT_QUOTES, WIDE_SENTENCE_STOPS

_MAX_QUOTE_CHARS = 3000
_MARK_OR_PARAGRAPH = re.compile("[" + re.escape("".join(sorted(ALL_MARKS))) + "]|\n\\s*\n")
# A sentence ends at . ! ? before a space and a word that does not start in lower case (so
# "U.N. (Security Council)" and "e.g. this" stay whole; a single letter before the stop is an
# initial), or at the full-width stops of Chinese and Japanese.
_SENTENCE_END = re.compile(
    rf"(?<=[{re.escape(SENTENCE_STOPS)}])(?<!\b\w[.])[\"'”’»]?\s+(?=[^\s(\[a-z])"
    rf"|(?<=[{WIDE_SENTENCE_STOPS}])[」』”]?\s*(?=\S)"
)


@dataclass(frozen=True)
class Quote:
    """A quoted span: ``text[start:end]`` is what is inside the marks."""

    start: int
    end: int


def find_quotes(text: str) -> list[Quote]:
    """Quoted spans of ``text`` in order, as character offsets of the content between the marks.

    Marks pair as :data:`retold.punctuation.QUOTE_PAIRS` says; an opening mark met again before its close restarts the
    quote (unbalanced copy: “Anyone who … “We think …” keeps the inner one); a quote left open
    at a paragraph break, or longer than 3,000 characters, is dropped.
    """
    quotes: list[Quote] = []
    open_at = -1
    closers = ""
    for match in _MARK_OR_PARAGRAPH.finditer(text):
        ch = match.group()
        pos = match.start()
        if ch[0] == "\n":
            open_at = -1
            continue
        if open_at >= 0 and ch in closers:
            if pos - open_at <= _MAX_QUOTE_CHARS:
                quotes.append(Quote(open_at, pos))
            open_at = -1
            continue
        if ch in QUOTE_PAIRS:
            closers, open_at = QUOTE_PAIRS[ch], pos + 1
        elif ch in STRAIGHT_QUOTES:
            closers, open_at = ch, pos + 1
    return [q for q in quotes if text[q.start:q.end].strip()]


def quote_sentences(text: str, quotes: list[Quote] | None = None) -> list[Quote]:
    """The quotes of ``text`` split at sentence ends: the units matched across articles.

    A retelling often keeps one sentence of a quote and drops or rewords the next, so
    sentences compare better than whole quotes.
    """
    if quotes is None:
        quotes = find_quotes(text)
    out: list[Quote] = []
    for quote in quotes:
        body = text[quote.start:quote.end]
        start = 0
        for match in _SENTENCE_END.finditer(body):
            if body[start:match.start()].strip():
                out.append(Quote(quote.start + start, quote.start + match.start()))
            start = match.end()
        if body[start:].strip():
            out.append(Quote(quote.start + start, quote.end))
    return out
