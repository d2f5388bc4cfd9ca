"""Who took from whom: directed edges between related articles, with the evidence for each.

:func:`provenance` looks at every pair of a set of related articles (one story) and weighs

- **attribution**: the derived text names the source ("according to Yonhap", "(Yonhap)",
  "CNN reported", "told Reuters", "citing ...", and their equivalents in German, Spanish,
  French, Russian, Arabic, Chinese, Turkish and Urdu), matched to the other articles'
  ``source`` names (also their initials: "Anadolu Agency" is "AA"); an attribution to a name
  outside the set is reported as an external source;
- **shared passages** (:func:`retold.align`, shared quotes included): evidence of a link,
  without direction;
- **directional coverage**: the derived text is made of the source's passages more than the
  other way round;
- **date**: the source was published first (a later date counts against).

Weights (set by hand, documented here, the same for every language): attribution 0.75
(an external source's edge has confidence 0.6: its name is guessed from capitals);
shared passages 0.4 * (1 - 2 ** (-shared words / 12)); coverage asymmetry min(0.3,
difference) when above 0.05; earlier date 0.25.  Confidence = 1 - prod(1 - weight) (each
item read as an independent chance that the edge is right), halved when the "source" was
published after the "derived" article.  A pair gives an edge only with an attribution or
shared passages, in the direction of higher confidence (no edge on a tie), when its
confidence reaches ``min_confidence``.  Each derived article then keeps its most confident
source, and other sources only where it names them (two reprints of one wire story share as
much with each other as with the wire); among uncredited sources within 0.05 of the best,
the earliest.

Across stories, :func:`credit_edges` follows explicit credits only: a rewrite the clustering
kept apart from its source (often one in another language) that names the source's outlet is
linked to that outlet's most similar article published before it, within the window.  That
article must be as similar as the clustering asks of one story (0.12) in the same language,
and 0.01 across languages, where only names, numbers and quotes are shared (unrelated articles
mostly score a few thousandths).  ``retold.analyze`` adds these edges after the per-story
ones, in place of the external edges the same credits gave.

Why the passage weight is geometric: every further equal word makes chance agreement less
likely by a roughly constant factor, so the doubt left should shrink geometrically (halved
every 12 words), not fall linearly to a cap.  The linear rule it replaces (0.4 * min(1,
words / 50)) valued the shortest passage the aligner reports (8 words) at 0.064, a quarter
of a mere earlier date, so a rewrite sharing one reworded sentence with its source could not
reach 0.3 whatever else was known.  Demo corpus (per gold story): precision 0.94 -> 1.0,
recall 0.78 -> 0.85 with this and the earliest-source rule, flat for half-lives 8 to 20.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from retold._callable_module import make_callable
from retold._validate import check_fraction, check_number
from retold.article import Article
from retold.io.tabular_input import as_article_list as as_articles
from retold.hashing import tokenize
from retold.scripts import no_space_run_pattern

WEIGHT_ATTRIBUTION = 0.75
WEIGHT_EXTERNAL = 0.6
WEIGHT_PASSAGES = 0.4
PASSAGE_WORDS_HALF = 12
WEIGHT_COVERAGE_MAX = 0.3
COVERAGE_MARGIN = 0.05
WEIGHT_DATE = 0.25
LATER_DATE_FACTOR = 0.5
SIMILAR_CONFIDENCE = 0.05


@dataclass(frozen=True)
class Evidence:
    """One reason for an edge: ``kind`` in {"attribution", "passages", "coverage", "date"}."""

    kind: str
    detail: str
    weight: float

    def to_dict(self) -> dict:
        return {"kind": self.kind, "detail": self.detail, "weight": round(self.weight, 4)}


@dataclass(frozen=True)
class Edge:
    """``derived_id`` took from ``source_id``.

    Attributes
    ----------
    source_id : str or None
        Id of the source article; None for an external source (named, not in the set).
    derived_id : str
    confidence : float
        In [0, 1]; see the module docstring for how evidence combines.
    evidence : tuple of Evidence
    source_name : str or None
        The source's outlet name (the external name as written, for an external source).
    external : bool
    """

    source_id: str | None
    derived_id: str
    confidence: float
    evidence: tuple = ()
    source_name: str | None = None
    external: bool = False

    def to_dict(self) -> dict:
        return {
            "source_id": self.source_id,
            "derived_id": self.derived_id,
            "confidence": round(self.confidence, 4),
            "source_name": self.source_name,
            "external": self.external,
            "evidence": [e.to_dict() for e in self.evidence],
        }


# ---------------------------------------------------------------- attribution patterns

# {N} is where the name stands.  Patterns are matched case-insensitively; the generic name
# (for sources outside the set) must be capitalised where the script has case.
ATTRIBUTION_PATTERNS: dict[str, list[str]] = {
    "en": [
        r"\baccording to {N}",
        r"\b{N}\s+(?:news agency\s+|agency\s+|newspaper\s+|television\s+|TV\s+)?"
        r"(?:reported|reports|has reported|wrote|quoted|cited|said in a report|first reported)",
        r"\b(?:told|telling|said to|speaking to|in an interview with)\s+{N}",
        r"\b{N}\s+(?:news agency|agency|newspaper|broadcaster|daily)\s+(?:said|says|reported)",
        r"\b(?:citing|cited by|quoted by|reported by|as reported by|via|courtesy of)\s+{N}",
        r"\b(?:source|sources|credit):\s*{N}",
    ],
    "de": [
        r"\b(?:laut|zufolge|gemäß)\s+{N}",
        r"\bwie\s+{N}\s+(?:berichtet|berichtete|meldet|meldete|schreibt|schrieb)",
        r"\b(?:berichtet|berichtete|meldet|meldete|schreibt|schrieb)\s+{N}",
        r"\bnach\s+(?:Angaben|Informationen|Berichten)\s+(?:von|des|der)\s+{N}",
        # "sagte dem Spiegel" is "told Der Spiegel"; "sagte der Sprecher" only "said the spokesman".
        r"\b(?:unter Berufung auf|zitiert von|sagte dem|sagte gegenüber|sagte gegenüber der)\s+{N}",
    ],
    "es": [
        r"\b(?:según|de acuerdo con|de acuerdo a|citado por|citando a|citando|informó|"
        r"publicó|reportó|dijo a|declaró a)\s+{N}",
        r"\b{N}\s+(?:informó|informa|reportó|publicó|señaló)",
    ],
    "fr": [
        r"(?:\bselon|\bd'après|\bd’après|\bcité par|\bcitant|\brapporte|\ba rapporté|"
        r"\ba indiqué à|\ba déclaré à|\ba confié à)\s+{N}",
        r"\b{N}\s+(?:rapporte|a rapporté|indique|a indiqué)",
    ],
    "ru": [
        r"(?:по данным|по информации|по сообщению|как сообщает|как сообщил|как сообщила|"
        r"сообщает|сообщил|сообщила|сообщили|пишет|передает|передаёт|со ссылкой на|"
        r"ссылаясь на|цитирует|заявил|заявила|рассказал|рассказала)\s+{N}",
        r"{N}\s+(?:сообщает|сообщил|сообщила|сообщило|пишет|передает|передаёт)",
        # The Russian wire credit between slashes, then a stop: "МОСКВА, 10 марта. /ТАСС/."
        r"(?<![\w/])/[ \t]*{N}[ \t]*/(?=[ \t]*(?:[.,:–—-]|$))",
    ],
    "ar": [
        r"(?:وفقا ل|وفقاً ل|وفقا لـ|وفقاً لـ|بحسب|حسب|نقلا عن|نقلاً عن|ذكرت|أفادت|أوردت|نشرت)"
        r"\s*{N}",
    ],
    "zh": [
        r"据{N}(?:报道|消息|称|援引|报导|透露)",
        r"(?:援引|引述|根据){N}",
        r"{N}(?:报道|报导|援引|消息称)",
        # An agency's dateline: "新华社北京3月5日电" (the name ends in 社, agency).
        r"{N}(?<=社)[\u4e00-\u9fff]{0,8}?\d{1,2}月\d{1,2}日电",
    ],
    "tr": [
        r"{N}['’]?(?:n?[ıiuü]n)?(?:\s+ajansının|\s+ajansı)?\s+"
        r"(?:haberine|haberlerine|bildirdiğine|aktardığına)\s+göre",
        r"{N}['’]?(?:y?[ae])\s+(?:göre|konuşan|açıklama yapan)",
        r"{N}\s+(?:bildirdi|aktardı|duyurdu)",
    ],
    "ur": [
        r"{N}\s+(?:کے مطابق|کی رپورٹ کے مطابق|نے بتایا|نے رپورٹ کیا)",
    ],
    "any": [
        r"\(\s*{N}\s*\)",
    ],
}

# For each template above, words (lower case) one of which every match contains: a text
# holding none of them cannot match the template, so its regex is not run.  Most articles
# contain the triggers of a few templates only, and the generic name patterns that start at
# every capitalised word are the costly ones.  (Checked against the unfiltered scan in
# tests/test_provenance.py.)  Letters whose case folding is irregular (Turkish ı) are left
# out of the words.
ATTRIBUTION_TRIGGERS: dict[str, list[tuple[str, ...]]] = {
    "en": [
        ("according to",),
        ("report", "wrote", "quoted", "cited", "said in a report"),
        ("told", "telling", "said to", "speaking to", "interview with"),
        ("said", "says", "reported"),
        ("citing", "cited by", "quoted by", "reported by", "via", "courtesy of"),
        ("source:", "sources:", "credit:"),
    ],
    "de": [
        ("laut", "zufolge", "gemäß"),
        ("berichtet", "meldet", "schreibt", "schrieb"),
        ("berichtet", "meldet", "schreibt", "schrieb"),
        ("angaben", "informationen", "berichten"),
        ("unter berufung auf", "zitiert von", "sagte dem", "sagte gegenüber"),
    ],
    "es": [
        ("según", "de acuerdo", "citado por", "citando", "informó", "publicó", "reportó",
         "dijo a", "declaró a"),
        ("inform", "reportó", "publicó", "señaló"),
    ],
    "fr": [
        ("selon", "d'après", "d’après", "cité par", "citant", "rapporte", "rapporté",
         "indiqué à", "déclaré à", "confié à"),
        ("rapporte", "rapporté", "indique", "indiqué"),
    ],
    "ru": [
        ("по данным", "по информации", "по сообщению", "сообща", "сообщил", "пишет", "переда",
         "со ссылкой на", "ссылаясь на", "цитирует", "заявил", "рассказал"),
        ("сообща", "сообщил", "пишет", "переда"),
        ("/",),
    ],
    "ar": [
        ("وفقا ل", "وفقاً ل", "حسب", "نقلا عن", "نقلاً عن", "ذكرت", "أفادت", "أوردت", "نشرت"),
    ],
    "zh": [
        ("据",),
        ("援引", "引述", "根据"),
        ("报道", "报导", "援引", "消息称"),
        ("日电",),
    ],
    "tr": [
        ("göre",),
        ("göre", "konuşan", "klama yapan"),
        ("bildird", "aktard", "duyurd"),
    ],
    "ur": [
        ("مطابق", "نے بتایا", "نے رپورٹ"),
    ],
    "any": [
        ("(",),
    ],
}

_CASED = "A-Z\u00c0-\u00de\u0400-\u042f"
_WORD = r"[\w&.'’\-]*\w"
# A capitalised name of up to five words ("Yonhap", "The New York Times", "РИА Новости");
# "of", "de", "der" and the like may join its words.
_GENERIC_NAME = (
    rf"(?-i:(?:the\s+|The\s+|[lL]['’]\s*)?(?P<name>[{_CASED}]{_WORD}?"
    rf"(?:[ \t]+(?:(?:of|de|del|der|des|du|la|le|al)[ \t]+)?[{_CASED}]{_WORD}?){{0,4}}))"
)
# Chinese characters, or one to three words of Arabic-script letters (no punctuation).
_GENERIC_NAME_UNCASED = (
    r"(?P<name>[\u4e00-\u9fff\u0621-\u064a\u0671-\u06d3\u06d5]{2,10}"
    r"(?:[ \t][\u0621-\u064a\u0671-\u06d3\u06d5]{1,12}){0,2})"
)
# Arabic has no capitals to tell a name from any following words ("نشرت السلطات المحلية أكثر",
# "the local authorities published more", is no credit): a name outside the set must look
# like an outlet: an outlet word and one or two words after it ("وكالة الأفق للأنباء"), a
# well-known agency, or a name in Latin capitals ("بحسب AFP").
_AR_LETTER = r"[\u0621-\u064a\u0671-\u06d3\u06d5]"
_AR_OUTLET_WORDS = ("وكالة", "وكالات", "صحيفة", "جريدة", "مجلة", "قناة", "موقع", "تلفزيون",
                    "التلفزيون", "إذاعة", "راديو", "شبكة", "بوابة", "هيئة الإذاعة")
_AR_AGENCIES = ("رويترز", "فرانس برس", "أسوشيتد برس", "الأناضول", "شينخوا", "إنترفاكس",
                "يونهاب", "كيودو", "سانا", "واس", "وام", "بترا", "قنا", "كونا", "الجزيرة",
                "العربية", "بي بي سي", "سي إن إن")
_GENERIC_NAME_ARABIC = (
    rf"(?P<name>(?:{'|'.join(_AR_OUTLET_WORDS)})(?:[ \t]{_AR_LETTER}+){{1,2}}"
    rf"|(?:{'|'.join(sorted(_AR_AGENCIES, key=lambda a: (-len(a), a)))})(?!{_AR_LETTER})"
    r"|(?-i:[A-Z][A-Za-z&.\-]*[A-Za-z](?:[ \t]+[A-Z][A-Za-z&.\-]*[A-Za-z]){0,3}))"
)
_FILLER = r"(?:[\w'’.-]+\s+){0,3}?"


def _strip_accents_fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _name_key(name: str) -> str:
    """A comparable form of an outlet name: folded, words only, no leading article or 's."""
    words = [w for w in re.findall(r"\w+", _strip_accents_fold(name)) if w]
    while words and words[0] in ("the", "der", "die", "das", "la", "le", "el", "al"):
        words = words[1:]
    if words and words[-1] == "s" and len(words) > 1:
        words = words[:-1]
    return " ".join(words)


def _initials(name: str) -> str | None:
    words = re.findall(r"\w+", name)
    if len(words) >= 2 and all(w[:1].isupper() for w in words):
        return "".join(w[0] for w in words)
    return None


def _same_name(captured: str, known: str) -> bool:
    """Does an attribution's name refer to the outlet ``known``?"""
    a, b = _name_key(captured), _name_key(known)
    if not a or not b:
        return False
    if a == b:
        return True
    wa, wb = a.split(), b.split()
    # "Yonhap News Agency" names "Yonhap" and the other way round,
    # ...and "وكالة رويترز" (the Reuters agency) or "South Korea's Yonhap" name "رويترز", "Yonhap".
    shorter, longer = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if len(" ".join(shorter)) >= 3 and any(
        longer[k:k + len(shorter)] == shorter for k in range(len(longer) - len(shorter) + 1)
    ):
        return True
    # Inflected forms (Рейтер / Рейтерс, CNN'e): same stem, at most two letters apart.
    if len(wa) == len(wb):
        return all(
            x == y or (min(len(x), len(y)) >= 4 and (x.startswith(y) or y.startswith(x))
                       and abs(len(x) - len(y)) <= 2)
            for x, y in zip(wa, wb)
        )
    return False


@dataclass(frozen=True)
class Attribution:
    """A name the text credits as its source, with where it says so."""

    name: str
    start: int
    end: int
    snippet: str


# Parentheses hold many things besides credits: "(Russia)", "(L)", "(END)".  A name outside
# the set counts only in a credit's place: a dateline "SEOUL, Sept. 14 (Yonhap) --" or the end
# of a paragraph, and not one of the wire's markers.
_CREDIT_PLACE = r"(?=[ \t]*(?:--|—|–|-[ \t]|:|$))"
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


_Compiled = tuple  # (compiled pattern, trigger words)


def _templates() -> list[tuple[str, str, tuple[str, ...]]]:
    out = []
    for lang, templates in ATTRIBUTION_PATTERNS.items():
        triggers = ATTRIBUTION_TRIGGERS[lang]
        if len(triggers) != len(templates):  # pragma: no cover - a table edited by half
            raise AssertionError(f"ATTRIBUTION_TRIGGERS[{lang!r}] must have one entry per pattern")
        out.extend((lang, t, w) for t, w in zip(templates, triggers))
    return out


_TEMPLATES = _templates()


def _compile_generic() -> list[_Compiled]:
    out = []
    for lang, template, triggers in _TEMPLATES:
        name = (_GENERIC_NAME_ARABIC if lang == "ar"
                else _GENERIC_NAME_UNCASED if lang in ("zh", "ur") else _GENERIC_NAME)
        if lang == "any":
            template = template + _CREDIT_PLACE
        out.append((re.compile(template.replace("{N}", name), re.IGNORECASE | re.MULTILINE),
                    triggers))
    return out


_GENERIC = _compile_generic()


@lru_cache(maxsize=1024)
def _known_pattern(names: tuple[str, ...], k: int) -> re.Pattern:
    """Template ``k`` naming one of ``names`` (case-insensitive, a few filler words allowed).

    Compiled on first use: a text that holds none of a template's triggers never needs it.
    """
    alternation = "|".join(re.escape(n) for n in sorted(set(names), key=lambda s: (-len(s), s)))
    name = rf"(?P<name>{alternation})(?!\w)"
    template = _TEMPLATES[k][1]
    # Only a trigger before the name may be followed by filler ("according to South
    # Korea's Yonhap news agency").
    if template.startswith(("{N}", r"\b{N}", r"\(", r"(?<![\w/])/")):
        pattern = template.replace("{N}", name)
    else:
        pattern = template.replace("{N}", _FILLER + name)
    return re.compile(pattern, re.IGNORECASE)


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


def _scan(text: str, names: tuple[str, ...], *, prefilter: bool) -> list[Attribution]:
    """The attribution scan; ``prefilter`` skips patterns whose trigger words are absent
    (the same result, checked by the tests, for a fraction of the regex work)."""
    lowered = text.lower()
    if prefilter:
        # A known name matches case-insensitively: it must occur in the lowered text.  The
        # names left are few and recur (an outlet and the wire it credits), so the patterns
        # compiled for them serve many articles and stories.
        names = tuple(n for n in names if n.lower() in lowered)
    known = [(k, _TEMPLATES[k][2]) for k in range(len(_TEMPLATES))] if names else []
    out: list[Attribution] = []
    # Names of the set first: where a generic capture overlaps one ("South Korea's Yonhap"),
    # the known name wins.
    for patterns, generic in ((known, False), (_GENERIC, True)):
        found: dict[tuple[int, int], Attribution] = {}
        for pattern, triggers in patterns:
            if prefilter and not any(w in lowered for w in triggers):
                continue
            if not generic:
                pattern = _known_pattern(names, pattern)
            for match in pattern.finditer(text):
                name = _TRIGGER_PREFIX.sub("", match.group("name")).strip(_NAME_STRIP)
                if len(name) < 2 or (generic and name.casefold() in _NOT_NAMES):
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


# ---------------------------------------------------------------- provenance


def _is_latin(text: str) -> bool:
    return all(ord(c) < 0x250 for c in text if c.isalpha())


def _aliases(source: str | None) -> list[str]:
    """Names an outlet goes by: as given, without a parenthesis, an acronym in parentheses
    ("Meridian Press Agency (MPA)" is also "MPA") and its initials ("Anadolu Agency": "AA")."""
    if not source or not source.strip():
        return []
    source = source.strip()
    out = [source]
    bare = re.sub(r"\s*\([^)]*\)", "", source).strip()
    if bare and bare != source:
        out.append(bare)
    for inner in re.findall(r"\(([^)]*)\)", source):
        inner = inner.strip()
        # An acronym, or the name in another script ("Северный телеграф (Severny Telegraf)");
        # not a qualifier such as "Nordwire (Deutschland)".
        if (2 <= len(inner) <= 8 and inner.isupper()) or (
            len(inner) >= 2 and bare and _is_latin(inner) != _is_latin(bare)
        ):
            out.append(inner)
    initials = _initials(bare or source)
    if initials and initials not in out:
        out.append(initials)
    return out


@lru_cache(maxsize=65536)
def _refers_to(name: str, source: str | None) -> bool:
    # Cached: a story asks the same (name, outlet) question for many articles.
    return any(_same_name(name, alias) for alias in _aliases(source))


def _combine(weights: list[float]) -> float:
    remaining = 1.0
    for w in weights:
        remaining *= 1.0 - w
    return 1.0 - remaining


def provenance(
    docs: Iterable[Any],
    *,
    min_confidence: float = 0.3,
    min_tokens: int = 8,
    external: bool = True,
    passages: Mapping[tuple[str, str], Sequence[Any]] | None = None,
    pairs: Iterable[tuple[str, str]] | None = None,
) -> list[Edge]:
    """Directed edges source -> derived within a set of related articles, with evidence.

    Parameters
    ----------
    docs : iterable of Article, dict or str
        One story's articles; ``source`` (outlet name) and ``date`` make the evidence richer.
    min_confidence : float
        Edges below this confidence are left out.
    min_tokens : int
        Least equal words of an aligned passage (as in :func:`retold.align`).
    external : bool
        Also report attributions to outlets outside the set, as edges with ``source_id=None``.
    passages : mapping, optional
        Precomputed passages: ``(a_id, b_id) -> list of Passage`` with offsets into ``a_id``'s
        and ``b_id``'s texts, as :func:`retold.align` (or :meth:`retold.Analysis.passages`)
        gives them.  These pairs are judged with these passages, not aligned again.
    pairs : iterable of (a_id, b_id), optional
        Pairs to judge (either order; aligned here unless in ``passages``).

    Without ``passages`` and ``pairs`` every pair of the set is aligned and judged: the cost
    grows with the square of the set's size.  With either, only the pairs they name are
    judged, plus every pair an explicit attribution links (the derived article names the
    other's outlet), whose passages are aligned here when not given.

    Returns
    -------
    list of Edge
        Sorted by confidence (highest first), then by input order.
    """
    from retold.passages import align

    min_confidence = check_fraction(min_confidence, "min_confidence", open_low=False)
    articles: list[Article] = as_articles(docs)
    ids = [a.id for a in articles]
    position = {x: i for i, x in enumerate(ids)}
    if len(position) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ValueError(f"docs: article id {dup!r} occurs more than once")
    n = len(articles)
    given = _check_passages(passages, position)
    wanted = _check_pairs(pairs, position)
    known = sorted({alias for a in articles for alias in _aliases(a.source)})
    attributions = []
    for article in articles:
        text = article.full_text
        own = article.source
        attributions.append(
            [x for x in find_attributions(text, known) if not _refers_to(x.name, own)]
        )
    if passages is None and pairs is None:
        judged = [(i, j) for i in range(n) for j in range(i + 1, n)]
    else:
        chosen = {(min(i, j), max(i, j)) for i, j in given} | wanted
        # Pairs linked by an explicit credit: the derived article names the other's outlet.
        by_source: dict[str, list[int]] = {}
        for i, article in enumerate(articles):
            if article.source:
                by_source.setdefault(article.source, []).append(i)
        for d in range(n):
            for attribution in attributions[d]:
                for outlet, members in by_source.items():
                    if _refers_to(attribution.name, outlet):
                        chosen.update((min(s, d), max(s, d)) for s in members if s != d)
        judged = sorted(chosen)
    lengths: dict[int, int] = {}

    def length(i: int) -> int:
        if i not in lengths:
            lengths[i] = len(tokenize(articles[i].text))
        return lengths[i]

    edges: list[tuple[float, int, int, Edge]] = []
    for i, j in judged:
        if (i, j) in given:
            found, turned = given[(i, j)], False
        elif (j, i) in given:
            found, turned = given[(j, i)], True
        else:
            found = align(articles[i].text, articles[j].text, min_tokens=min_tokens)
            turned = False
        shared = sum(p.tokens for p in found)
        quotes = sum(1 for p in found if p.quoted)
        tokens_i = sum(p.b_tokens if turned else p.a_tokens for p in found)
        tokens_j = sum(p.a_tokens if turned else p.b_tokens for p in found)
        cov_i = tokens_i / length(i) if found and length(i) else 0.0
        cov_j = tokens_j / length(j) if found and length(j) else 0.0
        best = None
        for s, d, cov_s, cov_d in ((i, j, cov_i, cov_j), (j, i, cov_j, cov_i)):
            evidence = _pair_evidence(articles[s], articles[d], attributions[d], shared,
                                      len(found), quotes, cov_s, cov_d)
            if evidence is None:
                continue
            confidence, items = evidence
            if best is None or confidence > best[0]:
                best = (confidence, s, d, items, False)
            elif confidence == best[0]:
                best = (confidence, s, d, items, True)  # a tie: no direction to tell
        if best is None or best[4] or best[0] < min_confidence:
            continue
        confidence, s, d, items, _ = best
        edges.append((confidence, s, d, Edge(
            articles[s].id, articles[d].id, confidence, tuple(items),
            source_name=articles[s].source,
        )))
    edges = _one_source_each(edges, articles)
    if external:
        outlets = sorted({a.source for a in articles if a.source})
        for d, article in enumerate(articles):
            seen: set[str] = set()
            for attribution in attributions[d]:
                if any(_refers_to(attribution.name, outlet) for outlet in outlets):
                    continue
                key = _name_key(attribution.name)
                if key in seen:
                    continue
                seen.add(key)
                item = Evidence("attribution", attribution.snippet, WEIGHT_EXTERNAL)
                if WEIGHT_EXTERNAL >= min_confidence:
                    edges.append((WEIGHT_EXTERNAL, n + d, -1, Edge(
                        None, article.id, WEIGHT_EXTERNAL, (item,),
                        source_name=attribution.name, external=True,
                    )))
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))
    return [e[3] for e in edges]


CREDIT_MIN_SIMILARITY = 0.12
"""Least story similarity between a crediting article and the credited outlet's article chosen
as its source (:func:`credit_edges`), in the same language: the clustering's own same-story
threshold (:data:`retold.stories.DEFAULT_THRESHOLD`).  Lower, a credit to a big wire whose
source article is not in the corpus would pick another of its stories on the same topic."""
CREDIT_MIN_SIMILARITY_OTHER_LANGUAGE = 0.01
"""The same across languages (known ``lang`` fields that differ, or else texts in different
scripts): a rewrite in another language shares only names, numbers and quotes with its source
and scores a few hundredths (the demo's Arabic rewrites of English wires: 0.019 and 0.033);
unrelated articles score a few thousandths."""
CREDIT_WORD_OUTLETS = 5
"""A word of an outlet's name that this many outlets or fewer share ("yonhap", "mpa") marks
the name as worth looking for in a text; "news" or "agency" do not."""


# Scripts written without spaces: a name there is a run of characters inside a longer run.
_NO_SPACE_RUN = no_space_run_pattern(2)


class _OutletWords:
    """The distinctive words of a corpus's outlet names, to tell cheaply which outlets a text
    may name before the attribution patterns look for them."""

    def __init__(self, outlets: Iterable[str]) -> None:
        holders: dict[str, set[str]] = {}
        for outlet in outlets:
            for alias in _aliases(outlet):
                for word in _name_key(alias).split():
                    holders.setdefault(word, set()).add(outlet)
        self.outlets = {w: o for w, o in holders.items() if len(o) <= CREDIT_WORD_OUTLETS}
        # Words of the scripts without spaces, by their first two characters: a text's runs of
        # such characters are looked up bigram by bigram, then the word is checked in place.
        self.by_bigram: dict[str, list[str]] = {}
        for word in self.outlets:
            if _NO_SPACE_RUN.fullmatch(word):
                self.by_bigram.setdefault(word[:2], []).append(word)

    def named_in(self, text: str) -> set[str]:
        """Outlets whose distinctive words occur in ``text``."""
        folded = _strip_accents_fold(text)
        found = {w for w in re.findall(r"\w+", folded) if w in self.outlets}
        if self.by_bigram:
            for run in _NO_SPACE_RUN.findall(folded):
                for k in range(len(run) - 1):
                    for word in self.by_bigram.get(run[k:k + 2], ()):
                        if run.startswith(word, k):
                            found.add(word)
        return {o for w in found for o in self.outlets[w]}


def credit_edges(
    docs: Iterable[Any],
    similarity: Callable[[int, np.ndarray], np.ndarray],
    *,
    linked: Iterable[tuple[str | None, str]] = (),
    window_days: float = 3.0,
    min_similarity: float = CREDIT_MIN_SIMILARITY,
    min_similarity_other_language: float = CREDIT_MIN_SIMILARITY_OTHER_LANGUAGE,
) -> list[Edge]:
    """Edges from explicit credits between articles that no story put together.

    :func:`provenance` looks within one story; a rewrite in another language, or one the
    clustering left on its own, may still name its source ("according to the Al-Ufuq news
    agency", "(MPA)").  Here every article's credits are matched to the outlets of the whole
    corpus, and the credited outlet's article is the one most similar to the crediting article
    among its latest :data:`CREDIT_MAX_CANDIDATES` published before it and within
    ``window_days`` (for an undated article: earlier in the input), if that similarity
    reaches ``min_similarity`` (``min_similarity_other_language`` between languages).  Same
    date: the article earlier in the input is the earlier.

    Parameters
    ----------
    docs : iterable of Article, dict or str
        The whole corpus (``source`` names the outlets that can be credited).
    similarity : callable
        ``similarity(derived, sources)`` -> array of the story similarity of article position
        ``derived`` to each of the positions ``sources`` (e.g. dot products of
        :meth:`StoryModel.vectors`).
    linked : iterable of (source_id, derived_id)
        Edges found already (by :func:`provenance` within stories): a derived article linked
        to an article of an outlet is not credited to that outlet again.
    window_days, min_similarity, min_similarity_other_language
        As above.

    Returns
    -------
    list of Edge
        One per crediting article and credited outlet, with evidence ``attribution``,
        ``similarity`` (weight 0: it only picks the article) and ``date``; sorted by
        confidence, then derived position.
    """
    articles: list[Article] = as_articles(docs)
    min_similarity = check_fraction(min_similarity, "min_similarity", open_low=False)
    min_similarity_other_language = check_fraction(
        min_similarity_other_language, "min_similarity_other_language", open_low=False)
    window_days = check_number(window_days, "window_days", 0.0, math.inf)  # inf: no time limit
    outlets_of = _OutletArticles(articles, window_days)
    if not outlets_of.members:
        return []
    words = _OutletWords(outlets_of.members)
    position = {a.id: i for i, a in enumerate(articles)}
    credited_already: dict[int, set[str]] = {}
    for source_id, derived_id in linked:
        if source_id in position and derived_id in position:
            outlet = articles[position[source_id]].source
            if outlet:
                credited_already.setdefault(position[derived_id], set()).add(outlet)
    edges: list[tuple[float, int, Edge]] = []
    for d, article in enumerate(articles):
        text = article.full_text
        outlets = sorted(words.named_in(text) - {article.source}
                         - credited_already.get(d, set()))
        if not outlets:
            continue
        known = sorted({alias for o in outlets for alias in _aliases(o)})
        done: set[str] = set()
        for attribution in find_attributions(text, known):
            if article.source and _refers_to(attribution.name, article.source):
                continue
            # One credit, one source: where several outlets of the corpus answer to the name
            # ("Yonhap", "Yonhap News Agency"), their candidates compete.
            named = [o for o in outlets if o not in done and _refers_to(attribution.name, o)]
            done.update(named)
            candidates = [s for o in named for s in outlets_of.before(d, o)]
            if not candidates:
                continue
            scores = np.asarray(similarity(d, np.asarray(candidates, dtype=np.int64)),
                                dtype=np.float64)
            floors = np.array([min_similarity if _same_language(article, articles[s])
                               else min_similarity_other_language for s in candidates])
            scores = np.where(scores >= floors, scores, -1.0)
            best = int(np.argmax(scores))  # ties: the first
            if scores[best] < 0.0:
                continue
            s = candidates[best]
            outlet = articles[s].source
            items = [Evidence("attribution", attribution.snippet, WEIGHT_ATTRIBUTION),
                     Evidence("similarity", f"the most similar of {len(candidates)} earlier "
                              f"article(s) of {' / '.join(named)} ({scores[best]:.3f})", 0.0)]
            if articles[s].date is not None and article.date is not None \
                    and articles[s].date < article.date:
                items.append(Evidence("date", f"published {articles[s].date.isoformat()} "
                                      f"before {article.date.isoformat()}", WEIGHT_DATE))
            confidence = _combine([e.weight for e in items])
            edges.append((confidence, d, Edge(articles[s].id, article.id, confidence,
                                              tuple(items), source_name=outlet)))
    edges.sort(key=lambda e: (-e[0], e[1]))
    return [e[2] for e in edges]


@lru_cache(maxsize=4096)
def _script(text: str) -> str:
    """The script most of the first letters of ``text`` are in (LATIN, ARABIC, CJK...)."""
    counts: dict[str, int] = {}
    seen = 0
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            script = name.split(" ", 1)[0] if name else ""
            counts[script] = counts.get(script, 0) + 1
            seen += 1
            if seen == 200:
                break
    return max(sorted(counts), key=counts.__getitem__) if counts else ""


def _same_language(a: Article, b: Article) -> bool:
    if a.lang and b.lang:
        return a.lang.strip().lower() == b.lang.strip().lower()
    return _script(a.text[:2000]) == _script(b.text[:2000])


CREDIT_MAX_CANDIDATES = 1000
"""The latest articles of a credited outlet that :func:`credit_edges` compares (a wire may
publish thousands in a window; the source of a rewrite is among its latest)."""


class _OutletArticles:
    """Each outlet's articles in publication order, to find those before an article quickly.

    An article is before another when published earlier, or at the same time and earlier in
    the input (so that two articles never credit each other); an undated article's candidates
    are the outlet's articles earlier in the input, and a dated one's the dated articles in
    the window.
    """

    def __init__(self, articles: Sequence[Article], window_days: float) -> None:
        self.articles = articles
        self.window_days = window_days
        self.members: dict[str, list[int]] = {}
        for i, article in enumerate(articles):
            if article.source:
                self.members.setdefault(article.source, []).append(i)
        self.dated: dict[str, tuple[list[tuple[_dt.datetime, int]], list[int]]] = {}
        for outlet, members in self.members.items():
            keys = sorted((articles[i].date, i) for i in members if articles[i].date is not None)
            self.dated[outlet] = (keys, [i for _, i in keys])

    def before(self, d: int, outlet: str) -> list[int]:
        date = self.articles[d].date
        if date is None:
            members = self.members[outlet]
            return members[max(0, bisect_left(members, d) - CREDIT_MAX_CANDIDATES):bisect_left(members, d)]
        keys, order = self.dated[outlet]
        hi = bisect_left(keys, (date, d))
        try:
            lo = bisect_left(keys, (date - _dt.timedelta(days=self.window_days), -1))
        except OverflowError:  # a window reaching before year 1: everything before
            lo = 0
        return order[max(lo, hi - CREDIT_MAX_CANDIDATES):hi]


def with_credit_edges(
    docs: Iterable[Any],
    edges: Sequence[Edge],
    similarity: Callable[[int, np.ndarray], np.ndarray],
    *,
    window_days: float = 3.0,
    min_confidence: float = 0.3,
) -> list[Edge]:
    """``edges`` (found within groups) plus the :func:`credit_edges` across groups that reach
    ``min_confidence``; an external edge whose credit such an edge resolves is dropped (the
    outlet is in the corpus after all).  The new edges come last."""
    min_confidence = check_fraction(min_confidence, "min_confidence", open_low=False)
    found = [e for e in credit_edges(
        docs, similarity, window_days=window_days,
        linked=[(e.source_id, e.derived_id) for e in edges if e.source_id is not None],
    ) if e.confidence >= min_confidence]
    if not found:
        return list(edges)
    resolved: dict[str, list[str]] = {}
    for e in found:
        resolved.setdefault(e.derived_id, []).append(e.source_name)
    kept = [e for e in edges if not (e.external and any(
        _refers_to(e.source_name, outlet) for outlet in resolved.get(e.derived_id, ())))]
    return kept + found


def _check_passages(passages: Any, position: Mapping[str, int]) -> dict[tuple[int, int], Any]:
    """``passages`` keyed by positions; errors name the argument."""
    if passages is None:
        return {}
    if not isinstance(passages, Mapping):
        raise TypeError(f"passages must be a mapping (a_id, b_id) -> passages, not "
                        f"{type(passages).__name__}")
    out: dict[tuple[int, int], Any] = {}
    for key, found in passages.items():
        i, j = _pair_positions(key, position, "passages")
        out[(i, j)] = list(found)
    return out


def _check_pairs(pairs: Any, position: Mapping[str, int]) -> set[tuple[int, int]]:
    """``pairs`` as (lower, higher) positions; errors name the argument."""
    if pairs is None:
        return set()
    if isinstance(pairs, (str, bytes)):
        raise TypeError("pairs must be an iterable of (a_id, b_id) tuples, not a string")
    out = set()
    for key in pairs:
        i, j = _pair_positions(key, position, "pairs")
        out.add((min(i, j), max(i, j)))
    return out


def _pair_positions(key: Any, position: Mapping[str, int], what: str) -> tuple[int, int]:
    if not isinstance(key, tuple) or len(key) != 2:
        raise TypeError(f"{what}: a pair must be a tuple (a_id, b_id), not {key!r}")
    try:
        i, j = position[key[0]], position[key[1]]
    except (KeyError, TypeError):
        raise ValueError(f"{what}: pair {key!r} names an article not in docs") from None
    if i == j:
        raise ValueError(f"{what}: pair {key!r} pairs an article with itself")
    return i, j


def _one_source_each(edges: list, articles: list[Article]) -> list:
    """Each derived article keeps one source, and any other it names.

    Two reprints of one wire story share everything with each other too; without an explicit
    credit, the second-best source of an article is an echo of its best one.  Among uncredited
    sources whose confidence is within :data:`SIMILAR_CONFIDENCE` of the best, the earliest
    (by date, then input position) is kept: a few hundredths come from a reprint's extra or
    missing words, not from who copied whom, and a copy is more often taken from the original
    than from another copy of it.
    """
    def credited(edge) -> bool:
        return any(x.kind == "attribution" for x in edge[3].evidence)

    by_derived: dict[int, list] = {}
    for edge in edges:
        by_derived.setdefault(edge[2], []).append(edge)
    chosen: set[int] = set()
    for group in by_derived.values():
        top = max(group, key=lambda e: (e[0], -e[1]))
        if not credited(top):
            similar = [e for e in group if not credited(e) and top[0] - e[0] <= SIMILAR_CONFIDENCE]
            top = min(similar, key=lambda e: _source_time(articles, e[1]))
        chosen.add(id(top))
    return [e for e in edges if id(e) in chosen or credited(e)]


def _source_time(articles: list[Article], position: int) -> tuple:
    date = articles[position].date
    return (date is None, date or _dt.datetime.min, position)


def _passage_weight(shared: int) -> float:
    return WEIGHT_PASSAGES * (1.0 - 2.0 ** (-shared / PASSAGE_WORDS_HALF))


def _pair_evidence(source: Article, derived: Article, derived_attributions: list[Attribution],
                   shared: int, n_passages: int, quotes: int, cov_s: float,
                   cov_d: float) -> tuple[float, list[Evidence]] | None:
    items: list[Evidence] = []
    for attribution in derived_attributions:
        if _refers_to(attribution.name, source.source):
            items.append(Evidence("attribution", attribution.snippet, WEIGHT_ATTRIBUTION))
            break
    if shared:
        what = f"{n_passages} shared passage(s), {shared} equal words"
        if quotes:
            what += f", {quotes} shared quote(s)"
        items.append(Evidence("passages", what,
                              _passage_weight(shared)))
    if not items:
        return None
    if cov_d - cov_s > COVERAGE_MARGIN:
        items.append(Evidence(
            "coverage",
            f"{cov_d:.0%} of the derived text is in shared passages, {cov_s:.0%} of the source",
            min(WEIGHT_COVERAGE_MAX, cov_d - cov_s),
        ))
    later = False
    if source.date is not None and derived.date is not None:
        if source.date < derived.date:
            items.append(Evidence("date", f"published {source.date.isoformat()} before "
                                  f"{derived.date.isoformat()}", WEIGHT_DATE))
        elif source.date > derived.date:
            later = True
    confidence = _combine([e.weight for e in items])
    if later:
        confidence *= LATER_DATE_FACTOR
        items.append(Evidence("date", f"published {source.date.isoformat()}, after "
                              f"{derived.date.isoformat()}", -LATER_DATE_FACTOR))
    return confidence, items


# ``retold.provenance`` is both this module and its main function (see retold._callable_module).
make_callable(__name__)
