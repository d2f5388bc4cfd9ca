"""Read articles from JSON Lines, CSV/TSV, Parquet, a directory of text files, HTML or WARC.

Every reader streams: it yields records as it reads them, so an input larger than memory can
be handled in chunks (:func:`iter_chunks`).  Parquet from standard input is the exception,
because a Parquet file is read from its footer.

This module picks the format and checks the options; each format's records come from its own
module (:mod:`.jsonl_records`, :mod:`.delimited_records`, :mod:`.parquet_records`, the web
ones), compressed files are opened by :mod:`.compressed`, and :mod:`.article_records` turns
records into Articles.
"""
from __future__ import annotations

import codecs
import itertools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, TypeVar

from ..article import Article
from ..article_fields import FieldNames, FieldOptions, field_keywords, field_names
from .arrow_delimited import arrow_delimited_records
from .article_records import Admission
from .compressed import compression_of, require_zstandard, without_compression
from .delimited_records import delimited_records
from .errors import InputError, SkippedRecord
from .jsonl_articles import jsonl_articles
from .parquet_records import PARQUET_INSTALL_HINT, parquet_records, require_pyarrow
from .raw_records import UTF8_BOM, RawRecord, bad_utf8, byte_lines
from .textfix import require_ftfy
from .html_pages import html_file_records, is_html_directory, require_trafilatura
from .warc_records import is_warc, require_fastwarc, warc_records

if TYPE_CHECKING:  # typing.Unpack is Python 3.11+; annotations are never evaluated here
    from typing_extensions import Unpack

FORMATS = ("jsonl", "csv", "tsv", "parquet", "txt", "html", "warc")
STDIN = "-"
__all__ = [
    "FORMATS", "PARQUET_INSTALL_HINT", "STDIN", "format_from_path", "is_gzipped", "is_stdin",
    "iter_chunks", "read_articles", "require_pyarrow",
]

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

T = TypeVar("T")


# --------------------------------------------------------------------------- formats


def is_stdin(path: Any) -> bool:
    """Whether ``path`` is ``"-"``, which means standard input (or output, for writers)."""
    return isinstance(path, str) and path == STDIN


def is_gzipped(path: str | os.PathLike[str]) -> bool:
    """Whether the file name ends in ``.gz``, which readers and writers treat as gzip."""
    return os.fspath(path).lower().endswith(_GZIP_EXTENSION)


def format_from_path(path: str | os.PathLike[str], *, reading: bool = False) -> str:
    """Name the format of ``path`` from its extension (a compression extension is looked through).

    Parameters
    ----------
    path : str or PathLike
        A file name such as ``news.jsonl``, ``news.jsonl.gz`` or ``news.parquet``; a
        directory means a directory of ``.txt`` files.
    reading : bool
        Look through ``.bz2`` and ``.zst`` too, which readers decompress but writers do not
        write; ``.gz`` is looked through either way.

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
    compression = compression_of(name)
    compressed = compression == "gzip" or (reading and compression is not None)
    if compressed:
        name = without_compression(name)
    fmt = _FORMAT_OF_EXTENSION.get(os.path.splitext(name)[1])
    if fmt is None or (compressed and fmt not in _COMPRESSIBLE_FORMATS):
        known = ", ".join(_FORMAT_OF_EXTENSION)
        more = ", .bz2 or .zst" if reading else ""
        raise ValueError(
            f"cannot tell the format of {os.fspath(path)!r} from its extension; use one of "
            f"{known} (add .gz{more} to a jsonl, csv or tsv file to compress it), a directory of "
            f".txt files, or name the format with format= (one of {', '.join(FORMATS)})"
        )
    return fmt


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"format={fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt


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


# --------------------------------------------------------------------------- text directories


def _txt_files(directory: Path) -> list[Path]:
    # Sorted, so ids and positions do not depend on the file system's listing order.
    return sorted(p for p in directory.iterdir() if p.suffix.lower() == ".txt" and p.is_file())


def _txt_records(
    directory: Path, encoding_errors: str, id_field: str, text_field: str
) -> Iterator[RawRecord]:
    for path in _txt_files(directory):
        data = path.read_bytes().removeprefix(UTF8_BOM)
        try:
            text = data.decode("utf-8", encoding_errors)
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            yield RawRecord(str(path), line, "line", None, bad_utf8(exc, "file"))
            continue
        yield RawRecord(str(path), None, "line", {id_field: path.stem, text_field: text})


# --------------------------------------------------------------------------- articles


@field_keywords
def read_articles(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    on_error: str = "fail",
    errors: list[SkippedRecord] | None = None,
    fix_text: bool = False,
    encoding_errors: str = "strict",
    check: Callable[[Article], Any] | None = None,
    strip_boilerplate: bool | None = None,
    boilerplate: Any = None,
    detect_language: bool = False,
    **fields: Unpack[FieldOptions],
) -> Iterator[Article]:
    """Stream the articles of a file, a directory of ``.txt`` files or standard input.

    The path, format and options are checked at once; records are read as the result is
    iterated.

    Parameters
    ----------
    path : str or PathLike
        ``.jsonl``/``.ndjson``/``.json`` (JSON Lines), ``.csv``, ``.tsv`` (each optionally
        ``.gz``, ``.bz2`` or ``.zst``, decompressed as read; ``.zst`` needs the ``zstd``
        extra), ``.parquet``, a directory of ``.txt`` files (id = file stem, text = the whole
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
    detect_language : bool
        Name the language of each article that has none (:func:`retold.language.detect_language`,
        the ``lang`` extra); an article whose record gives a language keeps it.

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
        Parquet without pyarrow, ``.zst`` without zstandard, ``fix_text=True`` without ftfy,
        or ``detect_language=True`` without py3langid; the message gives the ``pip install``
        command.
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
    detect = None
    if detect_language:
        from ..language import language_detector

        detect = language_detector()
    names = field_names(fields)
    admission = Admission(names, on_error, errors, fix_text, check, detect)
    articles = _articles(path, format, names, encoding_errors, admission)
    web = not is_stdin(path) and (format or format_from_path(path, reading=True)) in ("html", "warc")
    if strip_boilerplate if strip_boilerplate is not None else web:
        from ..boilerplate import stripped

        return stripped(articles, boilerplate)
    return articles


def _articles(
    path: str | os.PathLike[str], format: str | None, names: FieldNames, encoding_errors: str,
    admission: Admission,
) -> Iterator[Article]:
    """Check the input now and return the (lazy) iterator of its articles."""
    if is_stdin(path):
        fmt = _check_format(format or "jsonl")
        location, file = None, "<stdin>"
        if fmt == "txt":
            raise ValueError("standard input cannot be a directory of .txt files; pass the directory's path")
    else:
        if not os.path.exists(path):
            raise FileNotFoundError(2, "input not found (check the path)", os.fspath(path))
        fmt = _check_format(format) if format is not None else format_from_path(path, reading=True)
        location, file = path, os.fspath(path)
        if fmt in ("html", "warc"):  # the web extra: retold.io.html_pages / warc_records
            require_trafilatura(), fmt == "html" or require_fastwarc()  # fail now, not mid-stream
            web = html_file_records(Path(path), names) if fmt == "html" else warc_records(path, names)
            return admission.articles(RawRecord(*raw) for raw in web)
        if fmt == "txt":
            directory = Path(path)
            if not directory.is_dir():
                raise ValueError(f"format='txt' reads a directory of .txt files, and {file!r} is not a directory")
            if not _txt_files(directory):
                raise InputError(f"directory {file!r} holds no .txt files; retold reads one article per .txt file")
            return admission.articles(_txt_records(directory, encoding_errors, names.id_field, names.text_field))
        if Path(path).is_dir():
            raise ValueError(f"{file!r} is a directory; only format='txt' reads directories")
    if fmt == "parquet":
        require_pyarrow()
        return admission.articles(parquet_records(location, file, names.text_field))
    if location is not None and compression_of(location) == "zstd":
        require_zstandard()  # fail now, not at the first record
    delimiter = "\t" if fmt == "tsv" else ","
    if fmt != "jsonl" and location is not None:  # pyarrow where it reads as csv does
        return admission.articles(arrow_delimited_records(location, file, encoding_errors, delimiter, names.text_field))
    lines = byte_lines(location)
    if fmt == "jsonl":
        return jsonl_articles(lines, file, encoding_errors, admission)
    return admission.articles(delimited_records(lines, file, encoding_errors, delimiter, names.text_field))
