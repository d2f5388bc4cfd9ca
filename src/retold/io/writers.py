"""Write results as JSON Lines, CSV/TSV or Parquet, atomically.

Every file is written to a temporary file beside the target and moved over it only when
complete, so a crash or an exception halfway never leaves a truncated output, and an
existing file stays as it was until the new one is whole.
"""
from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as _dt
import enum
import gzip
import io
import json
import math
import os
import stat
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Mapping

import numpy as np

from .readers import format_from_path, is_gzipped, is_stdin, require_pyarrow

WRITABLE_FORMATS = ("jsonl", "csv", "tsv", "parquet")
# CSV rows are held on disk, not in memory, until the header (the union of all keys) is known.
_CSV_SPOOL_BYTES_IN_MEMORY = 32 * 1024 * 1024


# --------------------------------------------------------------------------- atomic files


@lru_cache(maxsize=1)
def process_umask() -> int:
    """The umask of this process (the mode bits a new file or directory does not get)."""
    try:  # Linux tells it without changing it
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere the only way to read it is to set it, briefly
    os.umask(mask)
    return mask


def _permissions_for(target: Path) -> int:
    # mkstemp creates files readable by their owner only; give the result the permissions
    # the target had, or those a plain open() would have given a new file.
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~process_umask()


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    encoding: str = "utf-8",
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` that replaces ``path`` when the block ends well.

    Parameters
    ----------
    path : str or PathLike
        The file to create or replace.  Its directory must exist.
    mode : {"w", "wt", "wb"}
        Text or binary.
    encoding, newline : str, optional
        As for :func:`open`, in text mode only.

    Yields
    ------
    file object
        Write the whole content to it.  If the block raises (even ``KeyboardInterrupt``), the
        temporary file is removed and an existing ``path`` is left untouched.

    Examples
    --------
    >>> with atomic_write("index.json") as out:  # doctest: +SKIP
    ...     out.write("{}")
    """
    if mode not in ("w", "wt", "wb"):
        raise ValueError(f"mode must be 'w', 'wt' or 'wb', not {mode!r}")
    target = Path(path)
    directory = target.parent
    if not directory.is_dir():
        raise FileNotFoundError(2, "output directory does not exist (create it first)", str(directory))
    binary = "b" in mode
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(
            fd, mode, encoding=None if binary else encoding, newline=None if binary else newline
        ) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())  # the data must be on disk before the rename is
        os.chmod(temporary, _permissions_for(target))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`)."""
    with atomic_write(path, "wb") as handle:
        handle.write(data)


# --------------------------------------------------------------------------- plain values


def to_plain(value: Any) -> Any:
    """Turn a value into one JSON can hold: ISO strings for dates, Python numbers for numpy.

    Non-finite floats (NaN, infinities) become ``None``, since JSON has no literal for them;
    sets become sorted lists, so output does not depend on hashing order.

    Raises
    ------
    TypeError
        For a value with no faithful plain form (bytes, arbitrary objects).
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:  # the common case, first
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if isinstance(value, (bool, int)) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, str):
        return str(value)  # a str subclass such as numpy.str_ becomes a plain str
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(np.datetime_as_string(value))
    if isinstance(value, np.generic):
        return to_plain(value.item())
    if isinstance(value, np.ndarray):
        return to_plain(value.tolist())
    if isinstance(value, Mapping):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        items = [to_plain(item) for item in value]
        try:
            return sorted(items)
        except TypeError:
            return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, enum.Enum):
        return to_plain(value.value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_plain(dataclasses.asdict(value))
    raise TypeError(f"cannot write a {type(value).__name__} value; convert it to str, a number, a list or a dict")


# The types to_plain returns unchanged (floats only when finite): a dict of str keys and such
# values is written as it is, without a copy.  bool is a type of its own, not int's.
_PLAIN_TYPES = frozenset({str, int, bool, type(None)})


def _already_plain(record: dict[str, Any]) -> bool:
    for key, value in record.items():
        kind = type(value)
        if type(key) is not str or (
            kind not in _PLAIN_TYPES and (kind is not float or not math.isfinite(value))
        ):
            return False
    return True


def _plain_record(record: Any, index: int) -> dict[str, Any]:
    # Result records (dedup's one per document) are dicts of plain values already: checking
    # that costs a fifth of converting each value, and the write stage does it per record.
    if type(record) is dict and _already_plain(record):
        return record
    if isinstance(record, Mapping):
        fields = record
    elif callable(getattr(record, "to_dict", None)):  # Article and result records
        fields = record.to_dict()
    else:
        raise TypeError(f"record {index}: expected a dict, not {type(record).__name__}")
    out: dict[str, Any] = {}
    for key, value in fields.items():
        try:
            out[str(key)] = to_plain(value)
        except TypeError as exc:
            raise TypeError(f"record {index}, field {key!r}: {exc}") from None
    return out


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
    plain = (_plain_record(record, index) for index, record in enumerate(records))
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
