"""What readers report when the input, or one record of it, cannot become Articles."""
from __future__ import annotations

from dataclasses import dataclass


def describe_location(file: str, line: int | None, unit: str = "line") -> str:
    """Say where a record sits, e.g. ``"news.jsonl, line 3"`` or ``"a.parquet, row index 2"``."""
    return file if line is None else f"{file}, {unit} {line}"


@dataclass(frozen=True)
class SkippedRecord:
    """A record left out by ``on_error="skip"``.

    Parameters
    ----------
    file : str
        The input it came from (``"<stdin>"`` for standard input; the ``.txt`` file itself for a
        directory of text files).
    line : int or None
        Where it starts: the 1-based line for JSON Lines, CSV and TSV, the 0-based row index
        for Parquet (see ``unit``), ``None`` when the file alone names the record.
    reason : str
        What was wrong and what to do about it.
    unit : str
        What ``line`` counts: ``"line"`` or ``"row index"``.
    """

    file: str
    line: int | None
    reason: str
    unit: str = "line"

    def __str__(self) -> str:
        return f"{describe_location(self.file, self.line, self.unit)}: {self.reason}"


class InputError(ValueError):
    """The input cannot be read as articles: a file-level fault such as a CSV header without the
    text column, or a file that is not Parquet; :class:`RecordError` is the one-record kind.

    A ``ValueError`` so that callers who catch bad input generally catch this too; its own class
    so that a caller can tell bad input from bad arguments (the command line exits 3, not 2).
    """


class RecordError(InputError):
    """A record of the input is malformed (raised by ``on_error="fail"``).

    An :class:`InputError` (so a ``ValueError``) so that callers who catch bad input generally
    catch this too.  The
    message names the file, the line (or row) and what to do; the parts are attributes.

    Parameters
    ----------
    file, line, reason, unit
        As in :class:`SkippedRecord`.
    """

    def __init__(self, file: str, line: int | None, reason: str, unit: str = "line") -> None:
        self.file = file
        self.line = line
        self.reason = reason
        self.unit = unit
        super().__init__(
            f"{describe_location(file, line, unit)}: {reason} "
            "(to skip bad records and list them instead, use on_error='skip')"
        )

    def __reduce__(self) -> tuple[type, tuple[str, int | None, str, str]]:
        # The message is built from the parts, so rebuild from them: the error must survive
        # pickling to reach the parent of a worker process (multiprocessing, Dask).
        return (type(self), (self.file, self.line, self.reason, self.unit))

    def as_skipped(self) -> SkippedRecord:
        """The same problem as a :class:`SkippedRecord`, for ``on_error="skip"``."""
        return SkippedRecord(self.file, self.line, self.reason, self.unit)
