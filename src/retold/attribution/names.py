"""Which outlet a name refers to: the names an outlet goes by and how two names are compared.

An attribution's name ("Yonhap", "South Korea's Yonhap", "AA", "Рейтерс") is matched to the
``source`` of the articles of a corpus ("Yonhap News Agency", "Anadolu Agency", "Рейтер"):
folded alike, the same words or a run of them, inflected forms, acronyms and initials.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def nfkc_casefold(text: str) -> str:
    """``text`` in the form names are compared in: NFKC-normalised and case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def name_key(name: str) -> str:
    """A comparable form of an outlet name: folded, words only, no leading article or 's."""
    words = [w for w in re.findall(r"\w+", nfkc_casefold(name)) if w]
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
    a, b = name_key(captured), name_key(known)
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


def _is_latin(text: str) -> bool:
    return all(ord(c) < 0x250 for c in text if c.isalpha())


def aliases(source: str | None) -> list[str]:
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
def refers_to(name: str, source: str | None) -> bool:
    """Does the attribution's ``name`` refer to the outlet ``source`` (by any of its :func:`aliases`)?"""
    # Cached: a story asks the same (name, outlet) question for many articles.
    return any(_same_name(name, alias) for alias in aliases(source))
