"""Read articles from JSON Lines, CSV/TSV, Parquet or a directory of text files, one at a time.

Every reader streams: it yields records as it reads them, so an input larger than memory can
be handled in chunks (:func:`iter_chunks`).  Parquet from standard input is the exception,
because a Parquet file is read from its footer.

Bytes are decoded line by line rather than by one text wrapper around the file, so a single
line of bad UTF-8 costs one record, not the whole input.
"""
from __future__ import annotations

import codecs
import csv
import dataclasses
import gzip
import io
import itertools
import json
import os
import sys
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Mapping, NamedTuple, TypeVar

from ..article import Article, parse_date
from .errors import InputError, RecordError, SkippedRecord, describe_location
from .textfix import repair_mojibake, require_ftfy
from .html_pages import html_file_records, is_html_directory, require_trafilatura
from .warc_records import is_warc, require_fastwarc, warc_records

FORMATS = ("jsonl", "csv", "tsv", "parquet", "txt", "html", "warc")
STDIN = "-"
PARQUET_INSTALL_HINT = 'pip install "retold[parquet]"'

_FORMAT_OF_EXTENSION = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".html": "html",
    ".htm": "html",
    ".warc": "warc",
}
_GZIP_EXTENSION = ".gz"
_COMPRESSIBLE_FORMATS = ("jsonl", "csv", "tsv")
_UTF8_BOM = codecs.BOM_UTF8
_PARQUET_BATCH_ROWS = 1024

T = TypeVar("T")


# --------------------------------------------------------------------------- formats


def is_stdin(path: Any) -> bool:
    """Whether ``path`` is ``"-"``, which means standard input (or output, for writers)."""
    return isinstance(path, str) and path == STDIN


def is_gzipped(path: str | os.PathLike[str]) -> bool:
    """Whether the file name ends in ``.gz``, which readers and writers treat as gzip."""
    return os.fspath(path).lower().endswith(_GZIP_EXTENSION)


def format_from_path(path: str | os.PathLike[str]) -> str:
    """Name the format of ``path`` from its extension (``.gz`` is looked through).

    Parameters
    ----------
    path : str or PathLike
        A file name such as ``news.jsonl``, ``news.jsonl.gz`` or ``news.parquet``; a
        directory means a directory of ``.txt`` files.

    Returns
    -------
    str
        One of :data:`FORMATS`.

    Raises
    ------
    ValueError
        When the extension is not one retold knows; the message lists those it does.
    """
    if Path(path).is_dir():
        return "html" if is_html_directory(path) else "txt"
    if is_warc(path):
        return "warc"
    name = os.fspath(path).lower()
    compressed = name.endswith(_GZIP_EXTENSION)
    if compressed:
        name = name[: -len(_GZIP_EXTENSION)]
    fmt = _FORMAT_OF_EXTENSION.get(os.path.splitext(name)[1])
    if fmt is None or (compressed and fmt not in _COMPRESSIBLE_FORMATS):
        known = ", ".join(_FORMAT_OF_EXTENSION)
        raise ValueError(
            f"cannot tell the format of {os.fspath(path)!r} from its extension; use one of "
            f"{known} (add .gz to a jsonl, csv or tsv file to gzip it), a directory of .txt "
            f"files, or name the format with format= (one of {', '.join(FORMATS)})"
        )
    return fmt


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"format={fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt


def require_pyarrow() -> tuple[Any, Any]:
    """Import ``pyarrow`` and ``pyarrow.parquet``, or say how to install them."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:
        raise ImportError(
            f"reading or writing Parquet needs pyarrow, which is not installed: {PARQUET_INSTALL_HINT}"
        ) from exc
    return pyarrow, pyarrow.parquet


# --------------------------------------------------------------------------- chunks


def iter_chunks(iterable: Iterable[T], size: int) -> Iterator[list[T]]:
    """Yield lists of ``size`` items (the last may be shorter), consuming ``iterable`` lazily.

    Parameters
    ----------
    iterable : iterable
        Any iterable, e.g. the articles from :func:`read_articles`.
    size : int
        Items per chunk, at least 1.

    Yields
    ------
    list
        The next chunk; nothing for an empty iterable.
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"size must be a positive int, not {size!r}")
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


# --------------------------------------------------------------------------- raw records


class _RawRecord(NamedTuple):
    """One record as read, before it becomes an Article: its fields or what is wrong with it."""

    file: str
    line: int | None
    unit: str
    fields: Mapping[str, Any] | None
    problem: str | None = None


def _bad_utf8(exc: UnicodeDecodeError, scope: str) -> str:
    bad = exc.object[exc.start : exc.end]
    return (
        f"invalid UTF-8 at byte offset {exc.start} of the {scope} ({bad!r}); re-save the input "
        "as UTF-8, or pass encoding_errors='replace' to keep the record with U+FFFD in place "
        "of the bad bytes"
    )


def _stdin_bytes() -> Iterator[bytes]:
    stream = sys.stdin
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        yield from buffer
    else:  # a text-only stand-in (io.StringIO): undo its decoding, losslessly where possible
        for line in stream:
            yield line.encode("utf-8", "surrogateescape")


def _byte_lines(path: str | os.PathLike[str] | None) -> Iterator[bytes]:
    """The input's lines as bytes; ``None`` is standard input."""
    if path is None:
        yield from _stdin_bytes()
        return
    opener: Callable[..., IO[bytes]] = gzip.open if is_gzipped(path) else open
    with opener(path, "rb") as handle:
        yield from handle


def _without_bom(lines: Iterator[bytes]) -> Iterator[bytes]:
    first = next(lines, None)
    if first is None:
        return
    yield first.removeprefix(_UTF8_BOM)
    yield from lines


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


def _jsonl_records(lines: Iterator[bytes], file: str, encoding_errors: str) -> Iterator[_RawRecord]:
    for line_no, data in enumerate(_without_bom(lines), 1):
        if not data.strip():  # blank lines separate nothing and are not records
            continue
        try:
            text = data.decode("utf-8", encoding_errors)
        except UnicodeDecodeError as exc:
            yield _RawRecord(file, line_no, "line", None, _bad_utf8(exc, "line"))
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            yield _RawRecord(file, line_no, "line", None, _bad_json(text, exc))
            continue
        except RecursionError:
            yield _RawRecord(file, line_no, "line", None, "JSON nested too deeply to read; flatten the record")
            continue
        if not isinstance(value, dict):
            yield _RawRecord(
                file, line_no, "line", None,
                f"a JSON {_json_kind(value)} is not an object; retold reads JSON Lines, one object "
                'per line such as {"id": "a1", "text": "..."}'
                + (" (turn a JSON array into lines with: jq -c '.[]')" if isinstance(value, list) else ""),
            )
            continue
        yield _RawRecord(file, line_no, "line", value)


def _bad_json(text: str, exc: json.JSONDecodeError) -> str:
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


def _allow_huge_csv_fields() -> None:
    # One article can be tens of megabytes; the csv module's default cap is 128 KiB.  The
    # limit is global to the process, so it is only ever raised, never lowered.
    limit = sys.maxsize
    while limit > csv.field_size_limit():
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:  # a C long is 32 bits on Windows
            limit //= 2


def _delimited_records(
    lines: Iterator[bytes],
    file: str,
    encoding_errors: str,
    delimiter: str,
    text_field: str,
) -> Iterator[_RawRecord]:
    _allow_huge_csv_fields()
    undecodable: dict[int, str] = {}  # line number -> what was wrong, for the row that holds it

    def decoded_lines() -> Iterator[str]:
        for line_no, data in enumerate(_without_bom(lines), 1):
            try:
                yield data.decode("utf-8", encoding_errors)
            except UnicodeDecodeError as exc:
                undecodable[line_no] = _bad_utf8(exc, "line")
                yield data.decode("utf-8", "replace")  # keeps the row structure intact

    reader = csv.reader(decoded_lines(), delimiter=delimiter)
    separator = "tabs" if delimiter == "\t" else "commas"
    header: list[str] | None = None
    while True:
        start = reader.line_num + 1  # a quoted field may span lines: report where the row starts
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _RawRecord(file, start, "line", None, f"unreadable row ({exc}); check its quoting")
            continue
        problems = [undecodable.pop(n) for n in range(start, reader.line_num + 1) if n in undecodable]
        if not row:  # a blank line
            continue
        if header is None:
            # A bad header spoils every row, so it is an error of the file, never skipped.
            where = describe_location(file, start)
            if problems:
                raise InputError(f"{where}: the header row: {problems[0]}")
            header = row
            if text_field not in header:
                raise InputError(
                    f"{where}: the header has no column {text_field!r} (columns: "
                    f"{', '.join(header)}); name the text column with text_field="
                )
            continue
        if problems:
            yield _RawRecord(file, start, "line", None, problems[0])
        elif len(row) != len(header):
            yield _RawRecord(
                file, start, "line", None,
                f"the row has {len(row)} fields but the header has {len(header)}; quote values "
                f"that contain {separator}, quotes or line breaks",
            )
        else:
            yield _RawRecord(file, start, "line", dict(zip(header, row)))


def _parquet_records(path: str | os.PathLike[str] | None, file: str, text_field: str) -> Iterator[_RawRecord]:
    pyarrow, parquet = require_pyarrow()
    # Standard input cannot seek, and Parquet is read from its footer: this is the one case
    # that holds the whole input in memory.
    source: Any = io.BytesIO(sys.stdin.buffer.read()) if path is None else path
    try:
        table = parquet.ParquetFile(source)
    except (pyarrow.ArrowException, OSError) as exc:
        raise InputError(f"{file}: not a readable Parquet file ({exc})") from exc
    with table:
        columns = table.schema_arrow.names
        if text_field not in columns:
            raise InputError(
                f"{file}: no column {text_field!r} (columns: {', '.join(columns)}); name the "
                "text column with text_field="
            )
        index = 0
        for batch in table.iter_batches(batch_size=_PARQUET_BATCH_ROWS):
            for row in batch.to_pylist():
                yield _RawRecord(file, index, "row index", row)
                index += 1


def _txt_files(directory: Path) -> list[Path]:
    # Sorted, so ids and positions do not depend on the file system's listing order.
    return sorted(p for p in directory.iterdir() if p.suffix.lower() == ".txt" and p.is_file())


def _txt_records(
    directory: Path, encoding_errors: str, id_field: str, text_field: str
) -> Iterator[_RawRecord]:
    for path in _txt_files(directory):
        data = path.read_bytes().removeprefix(_UTF8_BOM)
        try:
            text = data.decode("utf-8", encoding_errors)
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            yield _RawRecord(str(path), line, "line", None, _bad_utf8(exc, "file"))
            continue
        yield _RawRecord(str(path), None, "line", {id_field: path.stem, text_field: text})


# --------------------------------------------------------------------------- articles


@dataclasses.dataclass(frozen=True)
class _FieldNames:
    id_field: str
    text_field: str
    title_field: str
    date_field: str
    source_field: str
    lang_field: str


def _kind(value: Any) -> str:
    return f"a value of type {type(value).__name__}"


def _article_from(raw: _RawRecord, position: int, names: _FieldNames) -> Article:
    """Build the Article of one raw record, or raise RecordError saying what to fix."""

    def fail(reason: str) -> RecordError:
        return RecordError(raw.file, raw.line, reason, raw.unit)

    if raw.problem is not None:
        raise fail(raw.problem)
    record = raw.fields
    assert record is not None
    text = record.get(names.text_field)
    if text is None:
        present = ", ".join(map(repr, itertools.islice(record, 12))) or "none"
        raise fail(
            f"no {names.text_field!r} field (fields: {present}); give every record a text, or "
            "name the text field with text_field="
        )
    if not isinstance(text, str):
        raise fail(
            f"field {names.text_field!r} holds {_kind(text)}, not a string; store the text as a string"
        )
    title = record.get(names.title_field)
    if title is not None and not isinstance(title, str):
        raise fail(f"field {names.title_field!r} holds {_kind(title)}, not a string")
    try:
        date = parse_date(record.get(names.date_field))
    except (ValueError, TypeError) as exc:
        raise fail(
            f"field {names.date_field!r}: {exc}; write dates in ISO 8601 (2024-05-01 or "
            "2024-05-01T12:00:00Z) or leave the field empty"
        ) from None
    if date is not None:
        record[names.date_field] = date  # parsed once: from_dict passes a datetime through
    if record.get(names.id_field) == "":  # an empty CSV cell: no id, like an absent field
        record = {k: v for k, v in record.items() if k != names.id_field}
    try:
        # vars(), not dataclasses.asdict(): asdict deep-copies, once per record.
        return Article.from_dict(record, position=position, **vars(names))
    except (ValueError, TypeError) as exc:
        raise fail(str(exc)) from None


def _repaired(article: Article) -> Article:
    text = repair_mojibake(article.text)
    title = repair_mojibake(article.title) if article.title else article.title
    if text is article.text and title is article.title:
        return article
    return dataclasses.replace(article, text=text, title=title)


def _articles(
    raws: Iterable[_RawRecord],
    names: _FieldNames,
    on_error: str,
    errors: list[SkippedRecord] | None,
    fix_text: bool,
    check: Callable[[Article], Any] | None = None,
) -> Iterator[Article]:
    first_line_of_id: dict[str, int | None] = {}
    for position, raw in enumerate(raws):
        try:
            article = _article_from(raw, position, names)
            if article.id in first_line_of_id:
                first = describe_location(raw.file, first_line_of_id[article.id], raw.unit)
                raise RecordError(
                    raw.file, raw.line,
                    f"duplicate id {article.id!r}, first seen at {first}; results are keyed by "
                    "id, so give each record its own id or drop the copy",
                    raw.unit,
                )
            if fix_text:
                article = _repaired(article)
            if check is not None:
                _checked(article, raw, check)
        except RecordError as exc:
            if on_error == "fail":
                raise
            if errors is not None:
                errors.append(exc.as_skipped())
            continue
        first_line_of_id[article.id] = raw.line
        yield article


def _checked(article: Article, raw: _RawRecord, check: Callable[[Article], Any]) -> None:
    """Run ``check`` on one article; any failure becomes a RecordError that names the record.

    Later stages work on the whole corpus at once, where one article's failure would end the
    run without saying which article it was; failing here, with the record's place, lets
    ``on_error="skip"`` leave it out.
    """
    try:
        check(article)
    except (KeyboardInterrupt, MemoryError, RecordError):
        raise
    except Exception as exc:  # noqa: BLE001 - anything unexpected is this record's problem
        raise RecordError(
            raw.file, raw.line,
            f"article {article.id!r} cannot be processed ({type(exc).__name__}: {exc}); "
            "please report this record to the retold developers",
            raw.unit,
        ) from exc


def read_articles(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    id_field: str = "id",
    text_field: str = "text",
    title_field: str = "title",
    date_field: str = "date",
    source_field: str = "source",
    lang_field: str = "lang",
    on_error: str = "fail",
    errors: list[SkippedRecord] | None = None,
    fix_text: bool = False,
    encoding_errors: str = "strict",
    check: Callable[[Article], Any] | None = None,
    strip_boilerplate: bool | None = None,
    boilerplate: Any = None,
) -> Iterator[Article]:
    """Stream the articles of a file, a directory of ``.txt`` files or standard input.

    The path, format and options are checked at once; records are read as the result is
    iterated.

    Parameters
    ----------
    path : str or PathLike
        ``.jsonl``/``.ndjson``/``.json`` (JSON Lines), ``.csv``, ``.tsv`` (each optionally
        ``.gz``), ``.parquet``, a directory of ``.txt`` files (id = file stem, text = the whole
        file), ``.html``/``.htm`` files or directories and ``.warc``/``.warc.gz`` archives
        (the ``web`` extra; :mod:`retold.io.html_pages`, :mod:`retold.io.warc_records`), or ``"-"`` for standard input (JSON Lines unless ``format`` says otherwise).
    format : {"jsonl", "csv", "tsv", "parquet", "txt"}, optional
        Overrides the format inferred from the extension.
    id_field, text_field, title_field, date_field, source_field, lang_field : str
        Names of the fields that hold each part of an article; other fields go to
        ``Article.extra``.  A record without an id gets its 0-based position in the input.
    on_error : {"fail", "skip"}
        On a malformed record, raise :class:`RecordError` or skip it and read on.
    errors : list, optional
        With ``on_error="skip"``, a list of yours to which a :class:`SkippedRecord` is appended
        for each record skipped.
    fix_text : bool
        Repair mojibake (UTF-8 read as Latin-1/cp1252) in text and title; needs ftfy.
    encoding_errors : str
        How to decode bytes that are not UTF-8: ``"strict"`` makes the record malformed,
        ``"replace"`` keeps it with U+FFFD in their place (any codecs error handler works).
    check : callable, optional
        Called with each article; if it raises, the record counts as malformed (its error
        names the file and line, and ``on_error`` decides), so one article that a later stage
        cannot process does not end a whole run.
    strip_boilerplate : bool, optional
        Drop the lines each source repeats across its articles (:mod:`retold.boilerplate`);
        default on for HTML and WARC input, off otherwise.  The corpus is then held in memory.
    boilerplate : retold.boilerplate.BoilerplateReport, optional
        Filled with what was dropped.

    Returns
    -------
    Iterator[Article]
        The articles in input order (``.txt`` files in name order).

    Raises
    ------
    FileNotFoundError
        The path does not exist.
    InputError
        A directory without ``.txt`` files (a ``ValueError``, as all errors of the input are).
    ValueError
        Unknown extension or format, or a bad option.
    ImportError
        Parquet without pyarrow, or ``fix_text=True`` without ftfy; the message gives the
        ``pip install`` command.
    RecordError
        While iterating, with ``on_error="fail"``: a malformed record or a duplicate id; the
        message names the file and line (row index for Parquet) and what to do.
    InputError
        While iterating, in either mode: a CSV/TSV header or Parquet schema without the text
        column, an undecodable header, or an unreadable Parquet file (the input as a whole is
        bad, so ``on_error="skip"`` cannot help).
    """
    if on_error not in ("fail", "skip"):
        raise ValueError(f"on_error must be 'fail' or 'skip', not {on_error!r}")
    try:
        codecs.lookup_error(encoding_errors)
    except LookupError:
        raise ValueError(
            f"encoding_errors={encoding_errors!r} is not a codecs error handler; use 'strict' or 'replace'"
        ) from None
    if fix_text:
        require_ftfy()
    names = _FieldNames(id_field, text_field, title_field, date_field, source_field, lang_field)
    raws = _raw_records(path, format, names, encoding_errors)
    articles = _articles(raws, names, on_error, errors, fix_text, check)
    web = not is_stdin(path) and (format or format_from_path(path)) in ("html", "warc")
    if strip_boilerplate if strip_boilerplate is not None else web:
        from ..boilerplate import stripped

        return stripped(articles, boilerplate)
    return articles


def _raw_records(
    path: str | os.PathLike[str], format: str | None, names: _FieldNames, encoding_errors: str
) -> Iterator[_RawRecord]:
    """Check the input now and return the (lazy) iterator of its raw records."""
    if is_stdin(path):
        fmt = _check_format(format or "jsonl")
        location, file = None, "<stdin>"
        if fmt == "txt":
            raise ValueError("standard input cannot be a directory of .txt files; pass the directory's path")
    else:
        if not os.path.exists(path):
            raise FileNotFoundError(2, "input not found (check the path)", os.fspath(path))
        fmt = _check_format(format) if format is not None else format_from_path(path)
        location, file = path, os.fspath(path)
        if fmt in ("html", "warc"):  # the web extra: retold.io.html_pages / warc_records
            require_trafilatura(), fmt == "html" or require_fastwarc()  # fail now, not mid-stream
            web = html_file_records(Path(path), names) if fmt == "html" else warc_records(path, names)
            return (_RawRecord(*raw) for raw in web)
        if fmt == "txt":
            directory = Path(path)
            if not directory.is_dir():
                raise ValueError(f"format='txt' reads a directory of .txt files, and {file!r} is not a directory")
            if not _txt_files(directory):
                raise InputError(f"directory {file!r} holds no .txt files; retold reads one article per .txt file")
            return _txt_records(directory, encoding_errors, names.id_field, names.text_field)
        if Path(path).is_dir():
            raise ValueError(f"{file!r} is a directory; only format='txt' reads directories")
    if fmt == "parquet":
        require_pyarrow()
        return _parquet_records(location, file, names.text_field)
    lines = _byte_lines(location)
    if fmt == "jsonl":
        return _jsonl_records(lines, file, encoding_errors)
    return _delimited_records(lines, file, encoding_errors, "\t" if fmt == "tsv" else ",", names.text_field)
