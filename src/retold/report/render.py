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
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from retold.io import atomic_write

from .report_data import prepare_report_data
from .story_rows import STATIC_STORY_ROWS, human_time, static_story_rows

if TYPE_CHECKING:  # Jinja2 is the optional [report] extra, imported lazily by _jinja
    import jinja2

__all__ = ["render_report", "report_html"]

_TEMPLATE = "report.html.j2"
_ASSETS = ("report.css", "report.js")
SCRIPT_PARTS = ("report_base.js", "report_stories.js", "report_graph.js", "report_pair.js",
                "report_copies.js", "report_routes.js")
"""The parts of the page's script, in order: report.js is the frame they are put in, at its
``/* @parts@ */`` line (one scope, so a part calls the others' functions by name)."""
_PARTS_MARKER = "  /* @parts@ */\n"


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
    for name in _ASSETS + SCRIPT_PARTS:
        source, _, _ = loader.get_source(env, name)
        if "</script" in source.lower() or "</style" in source.lower():
            raise RuntimeError(f"template asset {name} must not contain a closing tag")
        assets[name.replace(".", "_")] = source
    frame = assets["report_js"]
    if frame.count(_PARTS_MARKER) != 1:
        raise RuntimeError(f"report.js must hold the line {_PARTS_MARKER.strip()!r} once")
    script = "\n".join(assets.pop(name.replace(".", "_")) for name in SCRIPT_PARTS)
    assets["report_js"] = frame.replace(_PARTS_MARKER, script)
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
    plain = prepare_report_data(data, max_inline_text_chars)
    template = _environment().get_template(_TEMPLATE)
    static_stories, listed_stories = static_story_rows(plain, STATIC_STORY_ROWS)
    return template.render(
        static_stories=static_stories,
        listed_stories=listed_stories,
        title=str(plain["title"]),
        generated=plain["generated"],
        generated_text=human_time(plain["generated"]),
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
