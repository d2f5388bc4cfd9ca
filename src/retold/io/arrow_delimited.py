"""CSV and TSV records parsed by pyarrow in record batches, where pyarrow reads them as csv does.

The csv module parses a 2 KB article row at about 11 us; pyarrow's CSV reader (C++, a block
of rows at a time) about three times faster.  Its results must be those of
:func:`.delimited_records`, record for record, messages included, and the two parsers differ
in a few places, so pyarrow is only trusted on input where they agree:

- no carriage return that does not end a line (pyarrow ends a row there, csv does not): the
  bytes are checked as pyarrow reads them (:class:`_CheckedBytes`);
- no row of empty cells, which is what pyarrow makes of a blank line (csv skips a blank line
  but keeps a row of empty cells, and retold's line numbers count both);
- every row whole and of the header's width, every cell UTF-8: anything else is an error of
  pyarrow's, which stops the fast path too.

Stopping is never an error: the rows given so far were read the same by both parsers, so
:func:`.delimited_records` reads the input again from the start, passes over as many records
and goes on from there, reporting each bad row by its line as it always has.

A row's line is the line after the previous row's, plus the line breaks inside the previous
row's cells, which is exact once no blank line
and no lone carriage return can lie between rows.  Every column is read as text, as csv gives it, empty cells as ``""``.
"""
from __future__ import annotations

import csv
import itertools
import operator
import os
from typing import IO, Any, Iterator

from .compressed import open_input
from .delimited_records import delimited_records
from .raw_records import RawRecord, byte_lines, without_bom

_BLOCK_BYTES = 1 << 24  # a row must fit in one block; a longer one stops the fast path


class _NotForArrow(Exception):
    """The bytes hold something pyarrow would read otherwise than csv (see the module doc)."""


class _CheckedBytes:
    """A binary file whose ``read`` refuses bytes holding a carriage return that does not
    end a line: pyarrow ends a row there, csv (which gets lines split at line feeds) does not."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._last = b""  # the byte before this read's: a CR there may pair with an LF here
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        view = self._last + data
        if not data and view == b"\r" or view.count(b"\r") != view.count(b"\r\n") + view.endswith(b"\r"):
            raise _NotForArrow()
        self._last = view[-1:]
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True
        self._raw.close()


def _arrow_csv() -> Any:
    """pyarrow with its csv and compute modules, or None (then csv reads everything)."""
    try:
        import pyarrow
        import pyarrow.compute
        import pyarrow.csv
    except ImportError:
        return None
    return pyarrow


def _header(path: str | os.PathLike[str], delimiter: str) -> list[str] | None:
    """The header row as csv reads it, or None where it is not a plain first line (blank,
    not UTF-8, unreadable): :func:`.delimited_records` then reads all, and says what is wrong."""
    lines = byte_lines(path)
    try:
        decoded = (data.decode("utf-8") for data in without_bom(lines))
        return next(csv.reader(decoded, delimiter=delimiter)) or None
    except (StopIteration, csv.Error, UnicodeDecodeError):
        return None
    finally:
        lines.close()  # type: ignore[attr-defined]


def _rows(pyarrow: Any, path: str | os.PathLike[str], file: str, delimiter: str,
          header: list[str]) -> Iterator[RawRecord]:
    """The records pyarrow reads, until the end or until it stops (by raising)."""
    arrow_csv, compute = pyarrow.csv, pyarrow.compute
    source = _CheckedBytes(open_input(path))
    try:
        reader = arrow_csv.open_csv(
            source,
            read_options=arrow_csv.ReadOptions(block_size=_BLOCK_BYTES),
            # Blank lines kept as rows of empty cells, found below: csv skips them, but they
            # count in the line numbers.
            parse_options=arrow_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=arrow_csv.ConvertOptions(
                column_types={name: pyarrow.string() for name in header}, strings_can_be_null=False,
            ),
        )
        names = reader.schema.names
        if names != header:
            raise _NotForArrow()
        line = 2 + sum(name.count("\n") for name in header)  # where the first row starts
        for batch in reader:
            lengths = None  # per row: the bytes of its cells
            for column in batch.columns:
                length = compute.binary_length(column)
                lengths = length if lengths is None else compute.add(lengths, length)
            if lengths is None:
                raise _NotForArrow()  # no columns at all
            # A row of empty cells may be a blank line (csv skips it) or a row of empty cells
            # (csv keeps it): only csv can tell, so pyarrow's rows end before the first one.
            blank = compute.index(lengths, pyarrow.scalar(0, lengths.type)).as_py()
            rows = len(batch) if blank < 0 else blank
            cells = [column.slice(0, rows).to_pylist() for column in batch.columns]
            # str.count per cell is five times quicker than pyarrow's count_substring.
            breaks = [0] * rows
            for values in cells:
                counts = [value.count("\n") for value in values]
                if any(counts):
                    breaks = list(map(operator.add, breaks, counts))
            starts = list(itertools.accumulate(breaks, lambda at, n: at + n + 1, initial=line))
            line = starts.pop()
            for start, values in zip(starts, zip(*cells)):
                yield RawRecord(file, start, "line", dict(zip(names, values)))
            if blank >= 0:
                raise _NotForArrow()
    finally:
        source.close()


def arrow_delimited_records(
    path: str | os.PathLike[str], file: str, encoding_errors: str, delimiter: str, text_field: str
) -> Iterator[RawRecord]:
    """The records :func:`.delimited_records` gives for the file ``path``, through pyarrow as
    far as it reads them alike (see the module doc)."""
    pyarrow = _arrow_csv()
    header = _header(path, delimiter) if pyarrow is not None else None
    given = 0
    if header is not None and text_field in header:
        try:
            for raw in _rows(pyarrow, path, file, delimiter, header):
                yield raw
                given += 1
            return
        except Exception:  # noqa: BLE001 - any refusal of pyarrow's: csv reads on from here
            pass
    rest = delimited_records(byte_lines(path), file, encoding_errors, delimiter, text_field)
    yield from itertools.islice(rest, given, None)
