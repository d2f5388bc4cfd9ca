"""Finding the names a text credits as its source: :func:`find_attributions`.

The templates of :mod:`retold.attribution.patterns` are run over the text, those naming a known
outlet first; a template whose trigger words the text lacks is skipped (the costly generic
patterns start at every capitalised word), and results are cached per text and set of names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from retold.attribution.patterns import GENERIC_PATTERNS, TEMPLATES, known_pattern


@dataclass(frozen=True)
class Attribution:
    """A name the text credits as its source, with where it says so."""

    name: str
    start: int
    end: int
    snippet: str


# Capitalised words that start sentences before a verb of saying, and wire markers.
_NOT_NAMES = {"he", "she", "it", "they", "we", "i", "you", "who", "which", "that", "this", "there",
              "как", "так", "это", "он", "она", "они", "мы", "wie", "er", "sie", "es", "man",
              "il", "elle", "ils", "on", "él", "ella", "ellos", "se", "bu", "o", "and", "but",
              "in", "at", "for", "with", "as", "con", "en", "el", "la", "los", "las", "un", "una",
              "y", "pero", "und", "mit", "aber", "im", "et", "mais", "avec", "ve", "ama", "end", "lead", "update", "updated", "corrected", "correction", "repeat", "photo",
              "photos", "video", "audio", "file", "ld", "urgent", "adds", "recasts", "ap photo"}


_NAME_STRIP = " \t.,;:'’\"،؛"
# Chinese names run into their trigger ("据新华社报道"): drop it when a pattern caught it.
_TRIGGER_PREFIX = re.compile(r"^(?:根据|据|援引|引述)")


def find_attributions(text: str, known_names: Iterable[str] = ()) -> list[Attribution]:
    """Names ``text`` credits as its source, in text order (one per name and place).

    ``known_names`` (the outlets of the other articles) are found in any script and with
    filler words after the trigger; other names are found when capitalised (or, in Chinese,
    Arabic and Urdu, as the words right by the trigger).

    Results are cached per text and set of names (an article is looked at once per story
    and again by every caller that asks).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    names = tuple(sorted({n for n in known_names if n and n.strip()}))
    return list(_find_cached(text, names))


_CACHED_TEXT_CHARS = 20_000
"""Texts up to this length have their attributions cached (1,024 of them at most), so the
cache holds at most some 20 million characters; longer texts are scanned each time."""


def _find_cached(text: str, names: tuple[str, ...]) -> tuple[Attribution, ...]:
    if len(text) > _CACHED_TEXT_CHARS:
        return tuple(_scan(text, names, prefilter=True))
    return _find_cached_short(text, names)


@lru_cache(maxsize=1024)
def _find_cached_short(text: str, names: tuple[str, ...]) -> tuple[Attribution, ...]:
    return tuple(_scan(text, names, prefilter=True))


# Every template's trigger words, once: a scan looks each up in the text once (a C-level
# substring search) and then asks of each template whether any of its words was found, rather
# than searching the text again for each template's words (~80 searches and a generator each).
# The generic patterns' words too, so that a pattern whose word no template has is still looked for.
_ALL_TRIGGERS = tuple(sorted({w for _, _, triggers in TEMPLATES for w in triggers}
                             | {w for _, triggers in GENERIC_PATTERNS for w in triggers}))
_ASCII_TRIGGERS = tuple(w for w in _ALL_TRIGGERS if w.isascii())


def _present(lowered: str) -> frozenset[str]:
    """The trigger words that occur in ``lowered`` (one that is not ASCII cannot occur in an
    ASCII text: those are not looked for there)."""
    words = _ASCII_TRIGGERS if lowered.isascii() else _ALL_TRIGGERS
    return frozenset(w for w in words if w in lowered)


def _scan(text: str, names: tuple[str, ...], *, prefilter: bool) -> list[Attribution]:
    """The attribution scan; ``prefilter`` skips patterns whose trigger words are absent
    (the same result, checked by the tests, for a fraction of the regex work)."""
    lowered = text.lower()
    if prefilter:
        # A known name matches case-insensitively: it must occur in the lowered text.  The
        # names left are few and recur (an outlet and the wire it credits), so the patterns
        # compiled for them serve many articles and stories.
        names = tuple(n for n in names if n.lower() in lowered)
    # A template naming a known outlet is given by its index: compiled for ``names`` below.
    known: list[tuple[int | re.Pattern[str], tuple[str, ...]]] = (
        [(k, TEMPLATES[k][2]) for k in range(len(TEMPLATES))] if names else [])
    generic: Sequence[tuple[int | re.Pattern[str], tuple[str, ...]]] = GENERIC_PATTERNS
    out: list[Attribution] = []
    present = _present(lowered) if prefilter else frozenset()
    # Names of the set first: where a generic capture overlaps one ("South Korea's Yonhap"),
    # the known name wins.
    for patterns, is_generic in ((known, False), (generic, True)):
        found: dict[tuple[int, int], Attribution] = {}
        for entry, triggers in patterns:
            if prefilter and present.isdisjoint(triggers):
                continue
            pattern = entry if isinstance(entry, re.Pattern) else known_pattern(names, entry)
            for match in pattern.finditer(text):
                name = _TRIGGER_PREFIX.sub("", match.group("name")).strip(_NAME_STRIP)
                if len(name) < 2 or (is_generic and name.casefold() in _NOT_NAMES):
                    continue
                start, end = match.span("name")
                if any(start < a.end and a.start < end for a in out):
                    continue
                found.setdefault((start, end), Attribution(name, start, end,
                                                          match.group(0).strip()))
        # Of overlapping captures keep the first, longest ("Yonhap News" over "Yonhap").
        kept: list[Attribution] = []
        for attribution in sorted(found.values(), key=lambda a: (a.start, a.start - a.end)):
            if kept and attribution.start < kept[-1].end:
                continue
            kept.append(attribution)
        out.extend(kept)
    out.sort(key=lambda a: a.start)
    return out

