"""Render an analysis as one self-contained HTML page.

The report knows nothing of kernels: it renders a plain, JSON-ready data model, which
``retold.analyze`` produces and which anyone can build by hand.  Everything the page needs
(CSS, JavaScript and the data) is inline, so the file opens offline and can be mailed around.
The data is embedded once, as JSON in a ``<script type="application/json">`` block; the page
builds the DOM of a story, a pair or a copy cluster only when it is opened, and pages through
the story list, so a report of 10,000 articles opens in well under a second.

The data model
--------------
A dict (every value JSON-ready; numpy numbers, dates and sets are converted on the way in)::

    {
      "title": str,                      # shown in the page header and <title>
      "generated": str,                  # ISO 8601 timestamp of the analysis
      "retold_version": str,
      "options": {name: value, ...},     # the analysis options, listed under "About"
      "summary": {"articles": int, "copy_clusters": int, "stories": int,
                  "passages": int, "edges": int},
      "articles": [{
          "id": str, "title": str | None, "source": str | None,
          "date": str | None,            # ISO 8601
          "lang": str | None,            # language code ("en", "ar", ...)
          "copy_cluster": str | None,    # id of an entry of "copies"
          "story": str | None,           # id of an entry of "stories"
          "is_representative": bool,     # the article that stands for its copy cluster
          "text": str,
      }, ...],
      "copies": [{
          "id": str,
          "representative": str,         # an article id
          "members": [str, ...],         # article ids, representative included
          "pairs": [{"a": str, "b": str, "similarity": float, "verified": bool}, ...],
      }, ...],
      "stories": [{
          "id": str,
          "label": [str, ...],           # top terms and names
          "size": int,                   # number of articles
          "start": str | None, "end": str | None,   # ISO 8601 time span
          "sources": [str, ...],         # outlet names
          "languages": [str, ...],       # language codes
          "articles": [str, ...],        # article ids
      }, ...],
      "pairs": [{
          "a": str, "b": str,            # article ids
          "story": str | None,           # story id
          "kind": "copy" | "story",
          "similarity": float, "coverage": float,   # both in [0, 1]
          "passages": [{
              "a_start": int, "a_end": int,   # character offsets into a's text, end exclusive
              "b_start": int, "b_end": int,   # the same passage in b's text
              "tokens": int, "score": float,
              "quoted": bool,            # the passage is (part of) a direct quote
          }, ...],
      }, ...],
      "provenance": [{
          "source_id": str, "derived_id": str,   # article ids: who took from whom
          "confidence": float,           # in [0, 1]
          "evidence": [str, ...],        # human-readable reasons
      }, ...],
      "reused": [{                       # passages reprinted across the corpus, most first
          "id": str,
          "size": int, "documents": int, # printings, and articles printing it
          "sources": [str, ...],
          "span_days": float | None,     # first to last dated printing
          "occurrences": [{              # earliest first
              "article": str,            # an article id
              "start": int, "end": int,  # character offsets into its text
              "text": str,               # the printing as it reads there
              "date": str | None, "source": str | None,
          }, ...],
      }, ...],
    }

Only ``articles`` is required; a missing list is taken as empty and a missing ``summary`` is
counted from the lists.  Within an entry only the ids, the texts and the passage offsets are
required: other fields may be missing or null, and the page shows what there is (a story's
size, outlets, languages and time span are then taken from its articles).  Character offsets count Python ``str`` characters (code points); the
page converts them to JavaScript string positions, so text outside the Basic Multilingual
Plane (emoji, rare CJK) is highlighted where it should be.

Jinja2 is an optional dependency (``pip install 'retold[report]'``), imported on first use.
"""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Iterator

from retold.io import atomic_write, to_plain

if TYPE_CHECKING:  # Jinja2 is the optional [report] extra, imported lazily by _jinja
    import jinja2

__all__ = ["render_report", "report_html"]

_TEMPLATE = "report.html.j2"
_ASSETS = ("report.css", "report.js")
_SUMMARY_KEYS = ("articles", "copy_clusters", "stories", "passages", "edges")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LISTS = ("articles", "copies", "stories", "pairs", "provenance", "reused")


def _jinja() -> ModuleType:
    try:
        import jinja2
    except ImportError as exc:  # pragma: no cover - exercised where jinja2 is absent
        raise ImportError(
            "the HTML report needs Jinja2, an optional dependency: "
            "pip install 'retold[report]'"
        ) from exc
    return jinja2


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    jinja = _jinja()
    environment: jinja2.Environment = jinja.Environment(
        loader=jinja.PackageLoader("retold.report", "templates"),
        autoescape=jinja.select_autoescape(enabled_extensions=("html", "j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja.StrictUndefined,
    )
    return environment


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    # CSS and JavaScript are inlined verbatim, not rendered: they are code, not templates.
    env = _environment()
    assets = {}
    loader = env.loader
    assert loader is not None  # _environment always sets a PackageLoader
    for name in _ASSETS:
        source, _, _ = loader.get_source(env, name)
        if "</script" in source.lower() or "</style" in source.lower():
            raise RuntimeError(f"template asset {name} must not contain a closing tag")
        assets[name.replace(".", "_")] = source
    return assets


def _json_for_script(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\\u`` escapes, so no ``</script>`` or ``<!--`` in an
    article's text can end the block early; U+2028/U+2029 are escaped for old parsers.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _human_time(iso: Any) -> str | None:
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


def _static_stories(plain: Mapping[str, Any], limit: int) -> tuple[list[dict[str, Any]], int]:
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


def _fail(where: str, message: str) -> ValueError:
    return ValueError(f"report data {where}: {message}")


def _as_list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(f"[{key!r}]", f"expected a list, got {type(value).__name__}")
    return value


def _check_offsets(where: str, passage: Any) -> None:
    if not isinstance(passage, dict):
        raise _fail(where, f"expected a dict, got {type(passage).__name__}")
    for side in ("a", "b"):
        start, end = passage.get(f"{side}_start"), passage.get(f"{side}_end")
        if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool):
            raise _fail(where, f"{side}_start and {side}_end must be integers")
        if not 0 <= start <= end:
            raise _fail(where, f"{side}_start={start}, {side}_end={end} is not a span")


def _prepare(data: Mapping[str, Any], max_inline_text_chars: int | None) -> dict[str, Any]:
    """Validate ``data``, convert it to plain JSON values and fill the defaults."""
    if not isinstance(data, Mapping):
        raise TypeError(f"data must be a dict, got {type(data).__name__}")
    if max_inline_text_chars is not None:
        if isinstance(max_inline_text_chars, bool) or not isinstance(max_inline_text_chars, int):
            raise TypeError("max_inline_text_chars must be an int or None")
        if max_inline_text_chars < 0:
            raise ValueError("max_inline_text_chars must be >= 0")
    plain: dict[str, Any] = to_plain(data)
    for key in _LISTS:
        plain[key] = _as_list(plain, key)

    ids: set[str] = set()
    for i, article in enumerate(plain["articles"]):
        where = f"['articles'][{i}]"
        if not isinstance(article, dict):
            raise _fail(where, f"expected a dict, got {type(article).__name__}")
        article_id = article.get("id")
        if not isinstance(article_id, str):
            raise _fail(where, "'id' must be a string")
        if article_id in ids:
            raise _fail(where, f"duplicate article id {article_id!r}")
        ids.add(article_id)
        text = article.get("text")
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise _fail(where, f"'text' of article {article_id!r} must be a string")
        if max_inline_text_chars is not None and len(text) > max_inline_text_chars:
            # The page clips highlights to the text it has, and says the text was cut.
            article["text_length"] = len(text)
            text = text[:max_inline_text_chars]
        article["text"] = text

    def known(where: str, article_id: Any) -> None:
        if article_id not in ids:
            raise _fail(where, f"unknown article id {article_id!r}")

    def records(key: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for i, record in enumerate(plain[key]):
            where = f"[{key!r}][{i}]"
            if not isinstance(record, dict):
                raise _fail(where, f"expected a dict, got {type(record).__name__}")
            yield where, record

    for where, pair in records("pairs"):
        known(f"{where}['a']", pair.get("a"))
        known(f"{where}['b']", pair.get("b"))
        passages = pair.get("passages") or []
        if not isinstance(passages, list):
            raise _fail(f"{where}['passages']", "expected a list")
        for j, passage in enumerate(passages):
            _check_offsets(f"{where}['passages'][{j}]", passage)
        pair["passages"] = passages
    for where, edge in records("provenance"):
        known(f"{where}['source_id']", edge.get("source_id"))
        known(f"{where}['derived_id']", edge.get("derived_id"))
    for i, story in enumerate(plain["stories"]):
        if not isinstance(story, dict) or not isinstance(story.get("id"), str):
            raise _fail(f"['stories'][{i}]", "expected a dict with a string 'id'")
        for article_id in story.get("articles") or []:
            known(f"['stories'][{i}]['articles']", article_id)
    for i, cluster in enumerate(plain["copies"]):
        if not isinstance(cluster, dict) or not isinstance(cluster.get("id"), str):
            raise _fail(f"['copies'][{i}]", "expected a dict with a string 'id'")
        for article_id in cluster.get("members") or []:
            known(f"['copies'][{i}]['members']", article_id)

    for i, passage in enumerate(plain["reused"]):
        where = f"['reused'][{i}]"
        if not isinstance(passage, dict) or not isinstance(passage.get("id"), str):
            raise _fail(where, "expected a dict with a string 'id'")
        occurrences = passage.get("occurrences")
        if not isinstance(occurrences, list) or not occurrences:
            raise _fail(f"{where}['occurrences']", "expected a non-empty list")
        for j, occ in enumerate(occurrences):
            if not isinstance(occ, dict):
                raise _fail(f"{where}['occurrences'][{j}]", "expected a dict")
            known(f"{where}['occurrences'][{j}]['article']", occ.get("article"))
            if not isinstance(occ.get("text"), str):
                raise _fail(f"{where}['occurrences'][{j}]", "'text' must be a string")

    summary = plain.get("summary") or {}
    counted = {
        "articles": len(plain["articles"]),
        "copy_clusters": len(plain["copies"]),
        "stories": len(plain["stories"]),
        "passages": sum(len(pair["passages"]) for pair in plain["pairs"]),
        "edges": len(plain["provenance"]),
    }
    plain["summary"] = {key: summary.get(key, counted[key]) for key in _SUMMARY_KEYS}
    plain.setdefault("title", "retold report")
    plain.setdefault("generated", None)
    plain.setdefault("retold_version", None)
    plain["options"] = plain.get("options") or {}
    return plain


def report_html(data: Mapping[str, Any], *, max_inline_text_chars: int | None = None) -> str:
    """The report page for ``data`` as one HTML string.

    Parameters
    ----------
    data : dict
        The report data model described in this module's docstring.
    max_inline_text_chars : int, optional
        Keep at most this many characters of each article's text in the page (passages
        beyond it are clipped), to bound the size of very large reports.  Default: all.

    Returns
    -------
    str
        A self-contained HTML document: no network access is needed to view it.

    Raises
    ------
    ImportError
        When Jinja2 is not installed.
    TypeError, ValueError
        When ``data`` does not follow the data model; the message says where.
    """
    plain = _prepare(data, max_inline_text_chars)
    template = _environment().get_template(_TEMPLATE)
    static_stories, listed_stories = _static_stories(plain, STATIC_STORY_ROWS)
    return template.render(
        static_stories=static_stories,
        listed_stories=listed_stories,
        title=str(plain["title"]),
        generated=plain["generated"],
        generated_text=_human_time(plain["generated"]),
        retold_version=plain["retold_version"],
        summary=plain["summary"],
        data_json=_json_for_script(plain),
        **_assets(),
    )


def render_report(
    data: Mapping[str, Any],
    path: str | os.PathLike[str],
    *,
    max_inline_text_chars: int | None = None,
) -> Path:
    """Write the report page for ``data`` to ``path``, atomically.

    Parameters
    ----------
    data : dict
        The report data model described in this module's docstring.
    path : str or PathLike
        The HTML file to create or replace; its directory must exist.
    max_inline_text_chars : int, optional
        See :func:`report_html`.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    html = report_html(data, max_inline_text_chars=max_inline_text_chars)
    target = Path(path)
    with atomic_write(target, "w", encoding="utf-8") as fh:
        fh.write(html)
    return target
