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

The loop is a kernel, ``clean_articles`` (``ext/jsonl_articles.pyx``, its twin in
``retold._reference.jsonl_articles``): compiled, it is quicker, and it untracks its Articles
from the cyclic garbage collector (the kernel's docstring says why that is safe).
"""
from __future__ import annotations

from typing import Any, Iterator

from .._backend import kernels
from ..article import Article
from . import article_records
from . import jsonl_records as jsonl_module  # fast_loads looked up per call: tests replace it
from .article_records import Admission
from .jsonl_records import BIG_FLOAT, REFUSED, jsonl_records, record_of_parsed
from .raw_records import without_bom


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
    admit = admission.admit

    def general(data: bytes, value: Any, line_no: int, position: int) -> Article | None:
        return admit(record_of_parsed(data, value, file, line_no, encoding_errors), position)

    yield from kernels("jsonl_articles").clean_articles(
        without_bom(lines), loads, fast_error,
        (names.id_field, names.text_field, names.title_field, names.date_field,
         names.source_field, names.lang_field),
        admission.first_line_of_id,
        article_records.PARSED_DATES,  # filled by the general path, which parses each new date
        Article.of_checked_fields, admission.check, general, REFUSED, BIG_FLOAT,
    )
