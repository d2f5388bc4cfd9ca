"""The report's data model checked and made plain: what :func:`retold.report.report_html` renders.

:func:`prepare_report_data` refuses data that does not follow the model described in
:mod:`retold.report.render`, naming where, and returns it as plain JSON-ready values.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Iterator

from retold.io import to_plain

__all__ = ["prepare_report_data"]

_SUMMARY_KEYS = ("articles", "copy_clusters", "stories", "passages", "edges")
_LISTS = ("articles", "copies", "stories", "pairs", "provenance", "reused")


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


def prepare_report_data(data: Mapping[str, Any], max_inline_text_chars: int | None) -> dict[str, Any]:
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
