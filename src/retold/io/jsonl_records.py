"""JSON Lines records: one JSON object per line, parsed with orjson where it is installed.

orjson (the ``fast`` extra) parses a line several times faster than the standard library and
straight from bytes.  It accepts a subset of what :func:`json.loads` accepts (it refuses NaN and
Infinity, lone surrogate escapes, nesting past 1024 levels and any line that is not valid UTF-8),
so a line it refuses is read again the standard way: every line gives the same value, and every
bad line the same message, with or without orjson.  The one value it reads differently is an
integer beyond 64 bits, which orjson (3.8) turns into a float where :mod:`json` keeps the int;
such a float is at least 2**63 in size, so a record holding one is read again too.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Iterator

from .raw_records import RawRecord, bad_utf8, without_bom


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def not_an_object(value: Any) -> str:
    return (
        f"a JSON {_json_kind(value)} is not an object; retold reads JSON Lines, one object "
        'per line such as {"id": "a1", "text": "..."}'
        + (" (turn a JSON array into lines with: jq -c '.[]')" if isinstance(value, list) else "")
    )


def bad_json(text: str, exc: json.JSONDecodeError) -> str:
    """The reason of a line that is not JSON, in words a user can act on."""
    if text.strip() in ("[", "{"):
        return (
            "not valid JSON: the input looks like one pretty-printed JSON document, but retold "
            "reads JSON Lines, one object per line (convert with: jq -c '.[]' in.json > out.jsonl)"
        )
    # Some of json's messages end in "at" already ("Unterminated string starting at").
    what = exc.msg.removesuffix(" at")
    if exc.pos >= len(text.rstrip("\r\n")):
        # Past the last character (json counts the line break as a line of its own): the line
        # ended before the object did.
        where = "at the end of the line"
    else:
        where = f"at column {exc.colno}"
    return f"not valid JSON ({what} {where}); write one complete JSON object per line"


def stdlib_record(data: bytes, file: str, line_no: int, encoding_errors: str) -> RawRecord:
    """One line read by the standard library: the reference behaviour, messages included."""
    try:
        text = data.decode("utf-8", encoding_errors)
    except UnicodeDecodeError as exc:
        return RawRecord(file, line_no, "line", None, bad_utf8(exc, "line"))
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return RawRecord(file, line_no, "line", None, bad_json(text, exc))
    except RecursionError:
        return RawRecord(file, line_no, "line", None, "JSON nested too deeply to read; flatten the record")
    if not isinstance(value, dict):
        return RawRecord(file, line_no, "line", None, not_an_object(value))
    return RawRecord(file, line_no, "line", value)


BIG_FLOAT = float(2**63)  # every integer orjson keeps as an int is smaller than this in magnitude


def _maybe_big_int(value: Any) -> bool:
    """Whether a value parsed by orjson holds a float that may have been an integer literal."""
    for item in value.values() if type(value) is dict else value:
        kind = type(item)
        if kind is float:
            if not -BIG_FLOAT < item < BIG_FLOAT:
                return True
        elif (kind is dict or kind is list) and _maybe_big_int(item):
            return True
    return False


def needs_stdlib(value: Any) -> bool:
    try:
        return _maybe_big_int(value)
    except RecursionError:  # nested deeper than Python recurses: let json decide, as before
        return True


REFUSED = object()
"""The value :func:`record_of_parsed` takes for a line orjson refused (``None`` is ``null``)."""


def record_of_parsed(data: bytes, value: Any, file: str, line_no: int, encoding_errors: str) -> RawRecord:
    """The RawRecord of a non-blank line that orjson parsed to ``value`` (or ``REFUSED``), as
    :func:`jsonl_records` gives it: read again the standard way where orjson may differ."""
    if value is REFUSED:
        return stdlib_record(data, file, line_no, encoding_errors)
    if type(value) is dict:
        if needs_stdlib(value):
            return stdlib_record(data, file, line_no, encoding_errors)
        return RawRecord(file, line_no, "line", value)
    if type(value) is list and needs_stdlib(value):
        return stdlib_record(data, file, line_no, encoding_errors)
    return RawRecord(file, line_no, "line", None, not_an_object(value))


def fast_loads() -> tuple[Callable[[bytes], Any], type[Exception]] | None:
    """orjson's ``loads`` and the error it raises, or ``None`` without orjson."""
    try:
        import orjson
    except ImportError:
        return None
    return orjson.loads, orjson.JSONDecodeError


def jsonl_records(
    lines: Iterator[bytes], file: str, encoding_errors: str, *, use_orjson: bool = True
) -> Iterator[RawRecord]:
    """The records of JSON Lines ``lines`` (blank lines skipped, line numbers 1-based).

    ``use_orjson=False`` reads every line with the standard library, as retold did before
    orjson (the benches compare the two; results are the same).
    """
    fast = fast_loads() if use_orjson else None
    if fast is None:
        for line_no, data in enumerate(without_bom(lines), 1):
            if data.strip():  # blank lines separate nothing and are not records
                yield stdlib_record(data, file, line_no, encoding_errors)
        return
    loads, fast_error = fast
    for line_no, data in enumerate(without_bom(lines), 1):
        try:
            value = loads(data)
        except fast_error:
            if data.strip():
                yield stdlib_record(data, file, line_no, encoding_errors)
            continue
        if type(value) is dict:
            for item in value.values():  # the flat case inline: most records hold no container
                kind = type(item)
                if (kind is float and not -BIG_FLOAT < item < BIG_FLOAT) or kind is dict or kind is list:
                    if needs_stdlib(value):
                        value = None
                    break
            if value is None:
                yield stdlib_record(data, file, line_no, encoding_errors)
            else:
                yield RawRecord(file, line_no, "line", value)
        elif type(value) is list and needs_stdlib(value):
            yield stdlib_record(data, file, line_no, encoding_errors)
        else:
            yield RawRecord(file, line_no, "line", None, not_an_object(value))
