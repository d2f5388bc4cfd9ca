"""Turn news pages (HTML bytes) into article fields with trafilatura: text, title, date, author,
source and language; ``.html``/``.htm`` files and directories of them.

trafilatura and lxml are the ``web`` extra, imported only when a page is read, so ``import
retold`` stays light.  Bytes are decoded here, not by the extractor: the HTTP header's charset
wins (it is what a browser obeys), then a ``<meta charset>``, then UTF-8, then
charset-normalizer's guess, so a windows-1251 or Shift_JIS page without UTF-8 reads right.
"""
from __future__ import annotations

import codecs
import os
import re
from pathlib import Path
from typing import Any, Iterator, NamedTuple
from urllib.parse import urlsplit

WEB_INSTALL_HINT = 'pip install "retold[web]"'
HTML_EXTENSIONS = (".html", ".htm")

# A <meta charset="..."> or <meta http-equiv="Content-Type" content="...; charset=...">; the
# HTML standard says to look in the first 1024 bytes, and real pages put it later, so 4 KiB.
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_LANG = re.compile(rb"""<html[^>]*\slang\s*=\s*["']?\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?""", re.IGNORECASE)
_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_SNIFF_BYTES = 4096
# Below this, what the extractor kept is a link, a caption or an error line, not an article: a
# one-sentence brief is ~80 characters, a "page not found" body ~20.
MIN_ARTICLE_CHARS = 50
_BINARY_SNIFF = 1024


class PageFields(NamedTuple):
    """What the extractor found on one page; ``text`` is never empty."""

    text: str
    title: str | None
    date: str | None
    author: str | None
    source: str | None
    lang: str | None
    url: str | None


class PageProblem(Exception):
    """A page the extractor cannot use; the message says why (the caller adds where)."""


def require_trafilatura() -> Any:
    """Import trafilatura, or say how to install the extra that holds it."""
    try:
        import trafilatura
    except ImportError as exc:
        raise ImportError(
            f"reading HTML or WARC input needs trafilatura, which is not installed: {WEB_INSTALL_HINT}"
        ) from exc
    return trafilatura


def charset_of_content_type(content_type: str | None) -> str | None:
    """The ``charset=`` parameter of an HTTP Content-Type header, if it names a known codec."""
    if not content_type:
        return None
    match = _CHARSET_PARAM.search(content_type)
    return _known_codec(match.group(1)) if match else None


def _known_codec(name: str | bytes) -> str | None:
    label = name.decode("ascii", "replace") if isinstance(name, bytes) else name
    try:
        return codecs.lookup(label.strip()).name
    except LookupError:
        return None


def decode_html(data: bytes, header_charset: str | None = None) -> str:
    """Decode a page's bytes: HTTP charset, then ``<meta charset>``, then UTF-8, then a guess.

    Raises
    ------
    PageProblem
        The bytes hold NULs near the start (an image or PDF served as HTML).
    """
    if b"\x00" in data[:_BINARY_SNIFF] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise PageProblem("the payload is binary (NUL bytes near the start), not an HTML page")
    candidates: list[str] = []
    if header_charset:
        candidates.append(header_charset)
    meta = _META_CHARSET.search(data[:_SNIFF_BYTES])
    if meta and (codec := _known_codec(meta.group(1))):
        candidates.append(codec)
    candidates.append("utf-8")
    for codec in candidates:
        try:
            return data.decode("utf-8-sig" if codec == "utf-8" else codec)
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes  # a trafilatura dependency: present with the extra

    best = from_bytes(data).best()
    if best is None:
        return data.decode("utf-8", "replace")
    return str(best)


def host_of(url: str | None) -> str | None:
    """The host of ``url`` without a leading ``www.``; ``None`` for no URL or no host."""
    if not url:
        return None
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else None


def extract_page(data: bytes, *, url: str | None = None, content_type: str | None = None) -> PageFields:
    """Extract one article from a page's bytes.

    Parameters
    ----------
    data : bytes
        The page as served.
    url : str, optional
        Where it was served from (a WARC record's target URI); helps the extractor and names
        the source when the page names no site.
    content_type : str, optional
        The HTTP Content-Type header, whose charset decides the decoding.

    Raises
    ------
    PageProblem
        Binary bytes, a page the parser cannot read, or no article text found.
    """
    trafilatura = require_trafilatura()
    html = decode_html(data, charset_of_content_type(content_type))
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception as exc:  # noqa: BLE001 - lxml/trafilatura raise many kinds on broken markup
        raise PageProblem(f"the HTML cannot be parsed ({type(exc).__name__}: {exc})") from exc
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        raise PageProblem("the extractor found no article text on the page (a page without an article?)")
    if len(text) < MIN_ARTICLE_CHARS:
        raise PageProblem(
            f"the extractor found no article on the page (only {len(text)} characters of text: {text[:40]!r})"
        )
    page_url = url or getattr(doc, "url", None)
    lang_match = _HTML_LANG.search(data[:_SNIFF_BYTES])
    lang = lang_match.group(1).decode("ascii").lower() if lang_match else getattr(doc, "language", None)
    return PageFields(
        text=text,
        title=getattr(doc, "title", None) or None,
        date=getattr(doc, "date", None) or None,
        author=getattr(doc, "author", None) or None,
        source=getattr(doc, "sitename", None) or host_of(page_url) or getattr(doc, "hostname", None),
        lang=lang or None,
        url=page_url or None,
    )


def html_files(path: Path) -> list[Path]:
    """The HTML files a path names: itself, or a directory's ``.html``/``.htm`` files (recursively,
    sorted, so ids and positions do not depend on the file system's order)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix.lower() in HTML_EXTENSIONS and p.is_file())
    return [path]


def is_html_directory(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a directory holding HTML files and no ``.txt`` files."""
    directory = Path(path)
    if not directory.is_dir():
        return False
    names = [p.suffix.lower() for p in directory.iterdir()]
    return ".txt" not in names and any(p.suffix.lower() in HTML_EXTENSIONS for p in directory.rglob("*"))


def fields_of_page(page: PageFields, id_value: str, names: Any, extra: dict[str, Any]) -> dict[str, Any]:
    """The record dict of one page, keyed by the reader's field names (``names``), so that HTML
    and WARC records become Articles by the same path as JSON Lines."""
    record: dict[str, Any] = {
        names.id_field: id_value,
        names.text_field: page.text,
        names.title_field: page.title,
        names.date_field: page.date,
        names.source_field: page.source,
        names.lang_field: page.lang,
    }
    if page.url is not None:
        record.setdefault("url", page.url)
    if page.author is not None:
        record.setdefault("author", page.author)
    for key, value in extra.items():
        record.setdefault(key, value)
    return {k: v for k, v in record.items() if v is not None}


def html_file_records(path: Path, names: Any) -> Iterator[tuple[str, int | None, str, dict[str, Any] | None, str | None]]:
    """``(file, line, unit, fields, problem)`` for each HTML file under ``path``.

    The id is the page's URL (its canonical link or og:url) when ``id_field`` is the default
    ``"id"``; ``--id-field path`` or a page without a URL gives the file's path instead.
    """
    for file in html_files(path):
        try:
            page = extract_page(file.read_bytes())
        except PageProblem as exc:
            yield (str(file), None, "line", None, str(exc))
            continue
        by_path = names.id_field == "path" or page.url is None
        id_value = str(file) if by_path else page.url
        assert id_value is not None
        yield (str(file), None, "line", fields_of_page(page, id_value, names, {"path": str(file)}), None)
