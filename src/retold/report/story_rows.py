"""The story list the report page shows without JavaScript, and the page's way of writing dates.

The page's script writes the same rows from the same data; these are its static fallback, so
a reader without JavaScript still sees the largest stories.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

__all__ = ["STATIC_STORY_ROWS", "human_time", "static_story_rows"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def human_time(iso: Any) -> str | None:
    """``2026-03-20T12:00:00+00:00`` as ``20 Mar 2026, 12:00 UTC``; other strings as they are."""
    if not iso:
        return None
    text = str(iso)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    zone = " UTC" if when.tzinfo is not None else ""
    month = _MONTHS[when.month - 1]  # not %b: that follows the locale
    return f"{when.day} {month} {when.year}, {when:%H:%M}{zone}"


STATIC_STORY_ROWS = 200
"""Stories listed in the page's static fallback (shown without JavaScript): the largest, as
the page lists them first; the page with JavaScript pages through all of them."""


def _day(iso: Any) -> tuple[datetime | None, str | None]:
    if not iso:
        return None, None
    try:
        when = datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return None, str(iso)
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when, f"{when.day} {_MONTHS[when.month - 1]} {when.year}"


def _span_text(start: Any, end: Any) -> str:
    """A story's time span as the page writes it: "17 Mar 2026", "17 – 19 Mar 2026"."""
    (a, a_text), (b, b_text) = _day(start), _day(end)
    if a is None and b is None:
        return a_text or b_text or "undated"
    if a is None or b is None or a_text == b_text:
        return a_text or b_text  # type: ignore[return-value]
    if a.year == b.year:
        return f"{a.day} {_MONTHS[a.month - 1]} – {b_text}"
    return f"{a_text} – {b_text}"


def static_story_rows(plain: Mapping[str, Any], limit: int) -> tuple[list[dict[str, Any]], int]:
    """The rows of the story list the page shows without JavaScript, and how many stories the
    list holds in all: stories of 2+ articles (all stories where none has 2), largest first,
    then earliest, then by id, as the page's default order."""
    by_id = {a["id"]: a for a in plain["articles"]}

    def size(story: Mapping[str, Any]) -> int:
        value = story.get("size")
        return int(value) if isinstance(value, int) else len(story.get("articles") or [])

    listed = [s for s in plain["stories"] if size(s) >= 2] or list(plain["stories"])

    def start_key(story: Mapping[str, Any]) -> float:
        when, _ = _day(story.get("start"))
        return when.timestamp() if when is not None and when.tzinfo is not None else (
            when.replace(tzinfo=timezone.utc).timestamp() if when is not None else float("inf"))

    listed.sort(key=lambda s: (-size(s), start_key(s), s["id"]))
    rows = []
    for story in listed[:limit]:
        members = [by_id[i] for i in story.get("articles") or [] if i in by_id]
        dated = sorted(members, key=lambda a: (_day(a.get("date"))[0] is None,
                                               str(a.get("date") or "")))
        first = dated[0] if dated else None
        sources = story.get("sources")
        if sources is None:
            sources = list(dict.fromkeys(a["source"] for a in members if a.get("source")))
        languages = story.get("languages")
        if languages is None:
            languages = list(dict.fromkeys(a["lang"] for a in members if a.get("lang")))
        start, end = story.get("start"), story.get("end")
        if start is None and end is None and dated:
            start, end = dated[0].get("date"), dated[-1].get("date")
        title = None
        if first is not None:
            text = first.get("title") or first.get("text") or first["id"]
            title = text if len(text) <= 90 else text[:89] + "…"
        rows.append({
            "id": story["id"], "label": [str(t) for t in (story.get("label") or [])[:5]],
            "title": title, "size": size(story), "span": _span_text(start, end),
            "sources": [str(o) for o in sources[:3]], "more_sources": max(0, len(sources) - 3),
            "languages": [str(x) for x in languages],
        })
    return rows, len(listed)
