"""Parquet records, read through pyarrow one record batch at a time.

A batch's columns are turned into Python lists column by column (pyarrow's loop, in C++), then
zipped into one record per row, so memory stays bounded by the batch and no Arrow scalar is made
per cell.  pyarrow is the ``parquet`` extra, imported when a Parquet file is read.
"""
from __future__ import annotations

import io
import os
import sys
from typing import Any, Iterator

from .errors import InputError
from .raw_records import RawRecord

PARQUET_INSTALL_HINT = 'pip install "retold[parquet]"'
_BATCH_ROWS = 8192  # ~16 MB of 2 KB articles: big enough that the per-batch cost vanishes


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


def parquet_records(path: str | os.PathLike[str] | None, file: str, text_field: str) -> Iterator[RawRecord]:
    """The rows of a Parquet file (``None`` is standard input), named by their 0-based index."""
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
        for batch in table.iter_batches(batch_size=_BATCH_ROWS):
            names = batch.schema.names
            for values in zip(*(column.to_pylist() for column in batch.columns)):
                yield RawRecord(file, index, "row index", dict(zip(names, values)))
                index += 1
