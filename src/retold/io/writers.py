"""Write results as JSON Lines, CSV/TSV or Parquet, atomically.

The files are written by :mod:`.atomic_files`, the values made plain by :mod:`.plain_values`.

Every file is written to a temporary file beside the target and moved over it only when
complete, so a crash or an exception halfway never leaves a truncated output, and an
existing file stays as it was until the new one is whole.
"""
from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import os
import sys
import tempfile
from typing import IO, Any, Callable, Iterable, Iterator

# atomic_write and to_plain are re-exported: their home before atomic_files and plain_values.
from .atomic_files import atomic_write as atomic_write, atomic_write_bytes as atomic_write_bytes
from .atomic_files import process_umask as process_umask
from .plain_values import plain_record, to_plain as to_plain
from .readers import format_from_path, is_gzipped, is_stdin, require_pyarrow

WRITABLE_FORMATS = ("jsonl", "csv", "tsv", "parquet")
# CSV rows are held on disk, not in memory, until the header (the union of all keys) is known.
_CSV_SPOOL_BYTES_IN_MEMORY = 32 * 1024 * 1024


# --------------------------------------------------------------------------- formats


def _line_encoder() -> Callable[[Any], str]:
    """``json.dumps(value, ensure_ascii=False, allow_nan=False)``, the same bytes, faster.

    json.dumps with options builds a JSONEncoder, and the encoder a C encoder, per call: for
    a short result record that was half the cost of its line.  The C encoder (the one
    ``JSONEncoder.iterencode`` makes) is made once here.  Values reach it through
    :func:`to_plain`, which makes fresh containers, so no value holds itself and the circular
    check (``markers``) has nothing to find; it is kept anyway, as json.dumps keeps it.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # a Python without the _json accelerator
        return json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    markers: dict[int, Any] = {}

    def refuse(value: Any) -> Any:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    encode = make(markers, refuse, json.encoder.encode_basestring, None, ": ", ", ", False, False, False)

    def line(value: Any) -> str:
        try:
            return "".join(encode(value, 0))
        finally:
            markers.clear()  # left filled when a value fails halfway

    return line


_LINE = _line_encoder()
_LINES_PER_WRITE = 512  # lines joined into one write: fewer calls through the text layers


def _write_jsonl(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    batch: list[dict[str, Any]] = []
    for count, record in enumerate(records, 1):
        batch.append(record)
        if len(batch) == _LINES_PER_WRITE:
            _write_lines(batch, out)
    _write_lines(batch, out)
    return count


def _write_lines(records: list[dict[str, Any]], out: IO[str]) -> None:
    """Write one JSON line per record, and empty the list."""
    if not records:
        return
    try:
        out.write("".join([_LINE(record) + "\n" for record in records]))
    except UnicodeEncodeError:
        # Unpaired surrogates cannot be UTF-8; JSON's \\u escapes keep them exactly.  The
        # failed write wrote nothing (the text layer encodes before it writes), so the lines
        # are written again one by one, escaped only where they need it.
        for record in records:
            try:
                out.write(_LINE(record) + "\n")
            except UnicodeEncodeError:
                out.write(json.dumps(record, ensure_ascii=True, allow_nan=False) + "\n")
    records.clear()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _write_delimited(records: Iterable[dict[str, Any]], out: IO[str], delimiter: str) -> int:
    columns: dict[str, None] = {}  # an insertion-ordered set: first-seen order of the keys
    count = 0
    with tempfile.SpooledTemporaryFile(
        _CSV_SPOOL_BYTES_IN_MEMORY, mode="w+", encoding="ascii", newline="\n"
    ) as spool:
        for count, record in enumerate(records, 1):
            cells = {key: _csv_cell(value) for key, value in record.items()}
            columns.update(dict.fromkeys(cells))
            spool.write(json.dumps(cells, ensure_ascii=True) + "\n")
        if not count:
            return 0
        spool.seek(0)
        # RFC 4180's CRLF ends rows: the csv module quotes only fields holding a character of
        # the line terminator, so with "\n" alone a lone "\r" in a text would break the row.
        writer = csv.DictWriter(
            out, fieldnames=list(columns), delimiter=delimiter, lineterminator="\r\n", restval=""
        )
        writer.writeheader()
        for index, line in enumerate(spool):
            try:
                writer.writerow(json.loads(line))
            except UnicodeEncodeError:
                raise ValueError(
                    f"record {index} holds unpaired surrogate characters, which UTF-8 cannot "
                    "store; repair the text or write JSON Lines, which escapes them"
                ) from None
    return count


def _arrow_column(values: list[Any], pyarrow: Any) -> Any:
    # Nested values go in as JSON strings: a column of one simple type reads back anywhere.
    values = [json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v for v in values]
    try:
        return pyarrow.array(values)
    except (pyarrow.ArrowInvalid, pyarrow.ArrowTypeError):  # mixed types: fall back to text
        return pyarrow.array([v if v is None or isinstance(v, str) else json.dumps(v) for v in values])


def _write_parquet(records: Iterable[dict[str, Any]], path: str | os.PathLike[str]) -> int:
    pyarrow, parquet = require_pyarrow()
    rows = list(records)  # Parquet stores columns, so every value of a column is needed at once
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    table = pyarrow.table({name: _arrow_column([row.get(name) for row in rows], pyarrow) for name in columns})
    with atomic_write(path, "wb") as handle:
        parquet.write_table(table, handle)
    return len(rows)


@contextlib.contextmanager
def _stdout_text() -> Iterator[IO[str]]:
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stand-in such as io.StringIO
        yield sys.stdout
        return
    sys.stdout.flush()
    # UTF-8 whatever the locale says, as in files; detached, not closed, so stdout lives on.
    text = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    try:
        yield text
    finally:
        text.flush()
        text.detach()


def write_records(
    records: Iterable[Any], path: str | os.PathLike[str], *, format: str | None = None
) -> int:
    """Write records (dicts, or objects with ``to_dict()`` such as Article) to a file or stdout.

    Parameters
    ----------
    records : iterable of dict
        Read once, lazily.  Datetimes become ISO strings, numpy values Python ones, NaN null.
    path : str or PathLike
        The output; ``"-"`` writes JSON Lines (or CSV/TSV with ``format``) to standard output.
        A ``.gz`` suffix gzips JSON Lines, CSV and TSV.
    format : {"jsonl", "csv", "tsv", "parquet"}, optional
        Overrides the format inferred from the extension.

        - ``jsonl``: one UTF-8 JSON object per line, non-ASCII kept as is.
        - ``csv``/``tsv``: a header with the union of all keys in first-seen order; missing
          values and ``None`` are empty cells; numbers, booleans and nested values are JSON.
        - ``parquet``: one column per key; nested values as JSON strings, and a column of
          mixed types as strings.  Needs pyarrow, and holds the records in memory.

    Returns
    -------
    int
        The number of records written.

    Raises
    ------
    ValueError
        Unknown format, Parquet to standard output, or text CSV cannot store.
    TypeError
        A record or value that cannot be written; the message names the record's index.
    """
    to_stdout = is_stdin(path)
    fmt = format if format is not None else ("jsonl" if to_stdout else format_from_path(path))
    if fmt not in WRITABLE_FORMATS:
        raise ValueError(f"cannot write format {fmt!r}; use one of {', '.join(WRITABLE_FORMATS)}")
    plain = (plain_record(record, index) for index, record in enumerate(records))
    if fmt == "parquet":
        if to_stdout:
            raise ValueError("Parquet cannot be written to standard output; give a file path")
        return _write_parquet(plain, path)
    write: Callable[[Iterable[dict[str, Any]], IO[str]], int]
    if fmt == "jsonl":
        write = _write_jsonl
    else:
        delimiter = "\t" if fmt == "tsv" else ","
        write = lambda rows, out: _write_delimited(rows, out, delimiter)  # noqa: E731
    if to_stdout:
        with _stdout_text() as out:
            return write(plain, out)
    if not is_gzipped(path):
        with atomic_write(path, "w", encoding="utf-8", newline="") as out:
            return write(plain, out)
    with atomic_write(path, "wb") as raw:
        # No file name or time in the gzip header, so equal records give equal bytes.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as compressed:
            with io.TextIOWrapper(compressed, encoding="utf-8", newline="") as out:
                return write(plain, out)
