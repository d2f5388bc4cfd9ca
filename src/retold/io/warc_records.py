"""Read the HTML pages of a web archive (``.warc``, ``.warc.gz``) with FastWARC, and write small
archives (tests, benches and users who want to pack pages into one file).

FastWARC over warcio: it reads the same records several times faster (benches/bench_web_input.py
measures both in one run) and its ``stream_pos`` is the record's offset in the file as stored
(compressed for ``.warc.gz``), which is the offset Common Crawl indexes give, so an error's
offset can be fed straight to ``dd``/``zcat`` or a CDX lookup.

Only ``response`` records whose HTTP Content-Type is HTML are articles; requests, metadata,
images, scripts and style sheets are passed over without a word, as every crawl holds them.
"""
from __future__ import annotations

import datetime as _dt
import gzip
import os
import uuid
from typing import Any, Iterable, Iterator

from .html_pages import PageProblem, extract_page, fields_of_page, require_trafilatura, WEB_INSTALL_HINT

WARC_EXTENSIONS = (".warc", ".warc.gz")
_HTML_TYPES = ("text/html", "application/xhtml+xml")

RawTuple = tuple[str, int | None, str, "dict[str, Any] | None", "str | None"]


def require_fastwarc() -> Any:
    """Import ``fastwarc.warc``, or say how to install the extra that holds it."""
    try:
        import fastwarc.warc
    except ImportError as exc:
        raise ImportError(f"reading WARC input needs FastWARC, which is not installed: {WEB_INSTALL_HINT}") from exc
    return fastwarc.warc


def is_warc(path: str | os.PathLike[str]) -> bool:
    """Whether the file name ends in ``.warc`` or ``.warc.gz``."""
    return os.fspath(path).lower().endswith(WARC_EXTENSIONS)


def _is_html(content_type: str | None) -> bool:
    return bool(content_type) and content_type.split(";", 1)[0].strip().lower() in _HTML_TYPES  # type: ignore[union-attr]


def warc_records(path: str | os.PathLike[str], names: Any) -> Iterator[RawTuple]:
    """``(file, offset, "offset", fields, problem)`` for each HTML response of the archive.

    The id is the record's ``WARC-Target-URI`` when ``id_field`` is the default ``"id"``; an
    ``id_field`` that names a WARC header (``WARC-Record-ID``) takes that header instead.
    """
    warc = require_fastwarc()
    require_trafilatura()
    file = os.fspath(path)
    iterator = warc.ArchiveIterator(
        file, record_types=warc.WarcRecordType.response, parse_http=True, fsspec_args=False
    )
    header_id = names.id_field if names.id_field.lower().startswith("warc-") else None
    for record in iterator:
        offset = int(record.stream_pos)
        try:
            content_type = record.http_headers.get("Content-Type") if record.http_headers else None
        except Exception as exc:  # noqa: BLE001 - a broken HTTP head is this record's problem
            yield (file, offset, "offset", None, f"unreadable HTTP headers ({exc})")
            continue
        if not _is_html(content_type):
            continue
        url = record.headers.get("WARC-Target-URI")
        status = getattr(record.http_headers, "status_code", 200)
        if status is not None and not 200 <= int(status) < 300:
            continue  # a redirect or an error page is not an article of the site
        try:
            data = record.reader.read()
            page = extract_page(data, url=url, content_type=content_type)
        except PageProblem as exc:
            yield (file, offset, "offset", None, f"{url or 'a record without a URI'}: {exc}")
            continue
        id_value = record.headers.get(header_id) if header_id else (url or page.url)
        if not id_value:
            yield (file, offset, "offset", None, "the record has no WARC-Target-URI to use as its id; name one with id_field=")
            continue
        extra = {"url": url, "warc_offset": offset, "warc_record_id": record.headers.get("WARC-Record-ID")}
        yield (file, offset, "offset", fields_of_page(page, id_value, names, extra), None)


def warc_response(url: str, html: bytes, *, content_type: str = "text/html; charset=utf-8",
                  date: _dt.datetime | None = None, status: str = "200 OK") -> bytes:
    """One WARC/1.0 ``response`` record (HTTP head + body) as bytes, with the required headers."""
    http = (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(html)}\r\n\r\n").encode("latin-1") + html
    when = (date or _dt.datetime(2024, 5, 1, tzinfo=_dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = (
        "WARC/1.0\r\n"
        "WARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}>\r\n"
        f"WARC-Date: {when}\r\n"
        f"WARC-Target-URI: {url}\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode("utf-8")
    return head + http + b"\r\n\r\n"


def write_warc(path: str | os.PathLike[str], records: Iterable[bytes]) -> list[int]:
    """Write WARC records (from :func:`warc_response`) to ``path``; ``.gz`` gzips each record as
    its own member, as crawlers do, so any record can be read from its offset.  Returns each
    record's offset in the file as written."""
    compress = os.fspath(path).lower().endswith(".gz")
    offsets: list[int] = []
    tmp = f"{os.fspath(path)}.tmp{os.getpid()}"
    with open(tmp, "wb") as out:
        for record in records:
            offsets.append(out.tell())
            out.write(gzip.compress(record, mtime=0) if compress else record)
    os.replace(tmp, path)  # atomic: a reader never sees half an archive
    return offsets
