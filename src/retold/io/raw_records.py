"""What every reader yields before a record becomes an Article, and the byte lines they read.

Bytes are decoded line by line rather than by one text wrapper around the file, so a single
line of bad UTF-8 costs one record, not the whole input.
"""
from __future__ import annotations

import codecs
import os
import sys
import zlib
from typing import Any, Iterator, Mapping, NamedTuple

from .compressed import compression_of, open_input
from .errors import InputError

UTF8_BOM = codecs.BOM_UTF8
_READ_BUFFER = 1 << 20


class RawRecord(NamedTuple):
    """One record as read, before it becomes an Article: its fields or what is wrong with it."""

    file: str
    line: int | None
    unit: str
    fields: Mapping[str, Any] | None
    problem: str | None = None


def bad_utf8(exc: UnicodeDecodeError, scope: str) -> str:
    """The reason of a record whose bytes are not UTF-8, with what to do about it."""
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


def _decompression_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error)
    zstandard = sys.modules.get("zstandard")  # imported by open_input when a .zst is read
    if zstandard is not None:
        errors += (zstandard.ZstdError,)
    return errors


def byte_lines(path: str | os.PathLike[str] | None) -> Iterator[bytes]:
    """The input's lines as bytes, decompressed as its extension says; ``None`` is standard input.

    A compressed file that is cut short or corrupt is an :class:`InputError` naming the file
    (the records before the damage have been yielded by then).
    """
    if path is None:
        yield from _stdin_bytes()
        return
    kind = compression_of(path)
    if kind is None:
        # A 1 MiB buffer, not the default 8 KiB: with news-sized lines (2 KB) the default
        # refills every few lines, and iterating lines took 2.5 times as long.
        with open(path, "rb", buffering=_READ_BUFFER) as plain:
            yield from plain
        return
    handle = open_input(path)
    try:
        with handle:
            yield from handle
    except _decompression_errors() as exc:
        raise InputError(
            f"{os.fspath(path)}: not a readable {kind} file, or cut short ({exc}); check the "
            "download or decompress it by hand to see where it breaks"
        ) from exc


def without_bom(lines: Iterator[bytes]) -> Iterator[bytes]:
    """``lines`` with a UTF-8 byte order mark dropped from the first."""
    first = next(lines, None)
    if first is None:
        return
    yield first.removeprefix(UTF8_BOM)
    yield from lines
