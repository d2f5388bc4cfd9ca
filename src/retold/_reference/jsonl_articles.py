"""Pure-Python twin of the JSON Lines to Articles loop (``ext/jsonl_articles.pyx``).

The wrapper, :func:`retold.io.jsonl_articles.jsonl_articles`, explains the fast path; this
loop takes every piece it needs as an argument, so kernels import nothing of the library.
The one thing the twin cannot do is untrack the Articles from the cyclic garbage collector
(Python has no call for it): its Articles are the same values, only tracked.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator


def clean_articles(
    lines: Iterator[bytes],
    loads: Callable[[bytes], Any],
    loads_error: type[Exception],
    fields: tuple[str, str, str, str, str, str],
    seen: dict[str, int],
    dates: dict[str, Any],
    build: Callable[..., Any],
    check: Callable[[Any], Any] | None,
    general: Callable[[bytes, Any, int, int], Any],
    refused: object,
    big_float: float,
) -> Iterator[Any]:
    """The Articles of JSON Lines ``lines`` (the BOM already removed).

    ``fields`` are the id, text, title, date, source and lang field names; ``seen`` maps each
    id read to its line (updated); ``dates`` maps date strings to parsed dates (read only);
    ``build`` is ``Article.of_checked_fields``; ``check`` the caller's check or None;
    ``general(data, value, line_no, position)`` reads any other line the general way, with
    ``value`` orjson's parse or ``refused``, and returns its Article or None.
    """
    id_field, text_field, title_field, date_field, source_field, lang_field = fields
    position = -1
    for line_no, data in enumerate(lines, 1):
        try:
            value = loads(data)
        except loads_error:
            if not data.strip():  # blank lines separate nothing and are not records
                continue
            value = refused
        position += 1
        if type(value) is dict:
            text = value.get(text_field)
            title = value.get(title_field)
            date = value.get(date_field)
            if (
                type(text) is str
                and (title is None or type(title) is str)
                and (date is None or (type(date) is str and date in dates))
            ):
                for item in value.values():
                    kind = type(item)
                    if (kind is float and not -big_float < item < big_float) or kind is dict or kind is list:
                        break  # maybe a big integer, or nested: the general path decides
                else:
                    ident = value.get(id_field)
                    if ident is None or ident == "":
                        ident = str(position)
                    elif type(ident) is not str:
                        ident = str(ident)
                    if ident not in seen:
                        source = value.get(source_field) or None
                        lang = value.get(lang_field) or None
                        for name in fields:
                            if name in value:
                                del value[name]
                        article = build(ident, text, title or None, None if date is None else dates[date],
                                        source, lang, value)
                        if check is None or _passes(check, article):
                            seen[ident] = line_no
                            yield article
                            continue
                        # The check failed: the general path runs it again, to report it.  It
                        # needs the whole record, and this one lost its known fields.
                        value = refused
        admitted = general(data, value, line_no, position)
        if admitted is not None:
            yield admitted


def _passes(check: Callable[[Any], Any], article: Any) -> bool:
    try:
        check(article)
    except Exception:  # noqa: BLE001 - the general path says what, or raises it again
        return False
    return True
