"""Which language an article is written in: found from its text, and compared between articles.

:func:`detect_language` names the language of a text (ISO 639-1, e.g. ``"en"``, ``"zh"``) with
py3langid, the ``lang`` extra (``pip install "retold[lang]"``); its model (97 languages, a few
MB) is inside the wheel, so nothing is downloaded at run time.  py3langid was picked over
lingua-language-detector on the SemEval-2022 Task 8 texts: the same accuracy (99.8%) at about a
thirteenth of the time (README, "Language identification"; ``benches/bench_language.py``).

:func:`same_language` is the one rule by which the layers decide whether two articles share a
language (the cross-language rules of stories and provenance): it needs no extra.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any, Callable

__all__ = ["LANG_INSTALL_HINT", "detect_language", "language_detector", "same_language", "script_of"]

LANG_INSTALL_HINT = 'pip install "retold[lang]"'

# The first characters name the language as well as the whole text does (the SemEval texts,
# ~1,000 characters each, are identified at 99.8%), and py3langid's time grows with the length.
_DETECT_CHARS = 2000
_SCRIPT_CHARS = 200  # letters looked at to name a text's script

_classify: Callable[[str], tuple[str, float]] | None = None


def _require_py3langid() -> Callable[[str], tuple[str, float]]:
    global _classify
    if _classify is None:
        try:
            from py3langid import langid
        except ImportError as exc:
            raise ImportError(
                f"detecting languages needs py3langid, which is not installed: {LANG_INSTALL_HINT}"
            ) from exc
        _classify = langid.classify
    return _classify


def language_detector() -> Callable[[str], str | None]:
    """:func:`detect_language`, after checking that its extra is installed (raises ImportError
    naming the extra otherwise), so a reader can fail before its first record."""
    _require_py3langid()
    return detect_language


def detect_language(text: str) -> str | None:
    """The language of ``text`` as an ISO 639-1 code, or ``None`` when the text has no letters.

    Parameters
    ----------
    text : str
        Any text; its first 2,000 characters are looked at.

    Returns
    -------
    str or None
        A lower-case two-letter code such as ``"de"``; always one of py3langid's 97 languages,
        even for a text in another (its closest), so short or mixed texts may be named wrongly.

    Raises
    ------
    TypeError
        ``text`` is not a string.
    ImportError
        py3langid is not installed; the message names the ``lang`` extra.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    classify = _require_py3langid()
    sample = text[:_DETECT_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return None  # digits and punctuation only: py3langid would answer with its floor guess
    return str(classify(sample)[0])


@lru_cache(maxsize=4096)  # provenance asks again for each candidate source of an article
def script_of(text: str) -> str:
    """The script most of the first letters of ``text`` are written in (the first word of their
    Unicode names: ``"LATIN"``, ``"CJK"``, ``"ARABIC"``...), ``""`` without letters; ties go to
    the name first in alphabetical order, so the answer does not depend on the text's order."""
    counts: dict[str, int] = {}
    seen = 0
    for ch in text:
        if not ch.isalpha():
            continue
        script = unicodedata.name(ch, "").split(" ", 1)[0]
        counts[script] = counts.get(script, 0) + 1
        seen += 1
        if seen == _SCRIPT_CHARS:
            break
    if not counts:
        return ""
    best = max(counts.values())
    return min(name for name, n in counts.items() if n == best)


def _primary_tag(lang: Any) -> str:
    # "en-US", "en_GB" and "EN" are all English: compare the primary subtag of BCP 47.
    return str(lang).strip().lower().replace("_", "-").split("-", 1)[0]


def same_language(a: Any, b: Any) -> bool:
    """Whether two articles are in the same language, by the one rule all layers use.

    Both labelled (``lang``, the user's or found by ``read_articles(detect_language=True)``):
    their primary language subtags agree (``"en-US"`` and ``"en"`` are the same).  Either
    unlabelled: their texts are written mostly in the same script (:func:`script_of`), which
    tells Chinese from English without any extra but not German from English; label or detect
    the languages to tell those apart.

    Parameters
    ----------
    a, b : Article
        Anything with ``lang`` and ``text`` attributes.
    """
    if a.lang and b.lang:
        return _primary_tag(a.lang) == _primary_tag(b.lang)
    return script_of(a.text[: _SCRIPT_CHARS * 10]) == script_of(b.text[: _SCRIPT_CHARS * 10])
