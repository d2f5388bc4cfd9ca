"""CSV and TSV records: a header row naming the columns, then one record per row.

A quoted field may span lines; a record is named by the line where its row starts.  A header
without the text column, or one that is not UTF-8, spoils every row, so it is an error of the
file (:class:`InputError`), never a record to skip.
"""
from __future__ import annotations

import csv
import sys
from typing import Iterator

from .errors import InputError, describe_location
from .raw_records import RawRecord, bad_utf8, without_bom


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


def delimited_records(
    lines: Iterator[bytes],
    file: str,
    encoding_errors: str,
    delimiter: str,
    text_field: str,
) -> Iterator[RawRecord]:
    _allow_huge_csv_fields()
    undecodable: dict[int, str] = {}  # line number -> what was wrong, for the row that holds it

    def decoded_lines() -> Iterator[str]:
        for line_no, data in enumerate(without_bom(lines), 1):
            try:
                yield data.decode("utf-8", encoding_errors)
            except UnicodeDecodeError as exc:
                undecodable[line_no] = bad_utf8(exc, "line")
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
            yield RawRecord(file, start, "line", None, f"unreadable row ({exc}); check its quoting")
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
            yield RawRecord(file, start, "line", None, problems[0])
        elif len(row) != len(header):
            yield RawRecord(
                file, start, "line", None,
                f"the row has {len(row)} fields but the header has {len(header)}; quote values "
                f"that contain {separator}, quotes or line breaks",
            )
        else:
            yield RawRecord(file, start, "line", dict(zip(header, row)))
