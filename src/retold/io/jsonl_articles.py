"""JSON Lines straight to Articles: one loop for the clean records, the general path for the rest.

The read stage of a large JSONL corpus spent as long between orjson and the Article as in
orjson itself: a RawRecord per line, a second generator, a copy of every record's dict and a
method call per field.  Most records of a real corpus are clean (a dict whose text is a
string, whose title is a string or absent, whose date string has been seen before, whose id
is new, with no nested value), and for those this loop builds the Article inline from the
dict orjson made, which it owns, so the known fields are taken out of it in place.

Any other line, whatever is odd about it, goes the way every reader's records go
(:meth:`.Admission.admit` on the RawRecord that :func:`.jsonl_records` would have given), so
values, ids, skips and messages are those of the general path by construction; a test reads
odd corpora both ways and compares.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

from ..article import Article
from . import article_records
from . import jsonl_records as jsonl_module  # fast_loads looked up per call: tests replace it
from .article_records import Admission
from .jsonl_records import BIG_FLOAT, REFUSED, jsonl_records, record_of_parsed
from .raw_records import without_bom


def _passes(check: Callable[[Article], Any], article: Article) -> bool:
    try:
        check(article)
    except Exception:  # noqa: BLE001 - the general path says what, or raises it again
        return False
    return True


def jsonl_articles(
    lines: Iterator[bytes], file: str, encoding_errors: str, admission: Admission
) -> Iterator[Article]:
    """The Articles of JSON Lines ``lines``, as ``admission.articles(jsonl_records(...))`` gives."""
    fast = jsonl_module.fast_loads()
    if fast is None or not admission.plain:
        yield from admission.articles(jsonl_records(lines, file, encoding_errors))
        return
    loads, fast_error = fast
    names = admission.names
    id_field, text_field, title_field = names.id_field, names.text_field, names.title_field
    date_field, source_field, lang_field = names.date_field, names.source_field, names.lang_field
    known = admission.known
    seen = admission.first_line_of_id
    dates = article_records.PARSED_DATES  # filled by the general path, which parses each new date
    build = Article.of_checked_fields
    admit = admission.admit
    check = admission.check
    position = -1
    for line_no, data in enumerate(without_bom(lines), 1):
        try:
            value = loads(data)
        except fast_error:
            if not data.strip():  # blank lines separate nothing and are not records
                continue
            value = REFUSED
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
                    if (kind is float and not -BIG_FLOAT < item < BIG_FLOAT) or kind is dict or kind is list:
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
                        for name in known:
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
                        value = REFUSED
        admitted = admit(record_of_parsed(data, value, file, line_no, encoding_errors), position)
        if admitted is not None:
            yield admitted
