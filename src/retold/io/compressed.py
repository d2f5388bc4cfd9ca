"""Compressed inputs (``.gz``, ``.bz2``, ``.zst``), opened as byte streams decompressed as read.

Every reader takes its lines from :func:`open_input`, so a compressed file is never unpacked to
disk or held whole in memory.  gzip and bz2 come with Python; zstd needs the ``zstandard``
package (the ``zstd`` extra), imported only when a ``.zst`` file is read.
"""
from __future__ import annotations

import bz2
import gzip
import io
import os
from typing import IO, Any

ZSTD_INSTALL_HINT = 'pip install "retold[zstd]"'

COMPRESSION_OF_EXTENSION = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd"}
"""The extensions readers look through, and the compression each names."""

# zstd frames can declare windows up to 2 GiB; zstandard's default cap (128 MiB) refuses files
# written with --long=31, which large corpora use.  The window is memory the user asked for.
_ZSTD_MAX_WINDOW = 2**31


def compression_of(path: str | os.PathLike[str]) -> str | None:
    """``"gzip"``, ``"bz2"``, ``"zstd"`` or ``None``, from the file name's last extension."""
    return COMPRESSION_OF_EXTENSION.get(os.path.splitext(os.fspath(path).lower())[1])


def without_compression(name: str) -> str:
    """``name`` without a compression extension (``news.jsonl.zst`` -> ``news.jsonl``)."""
    base, ext = os.path.splitext(name)
    return base if ext.lower() in COMPRESSION_OF_EXTENSION else name


def require_zstandard() -> Any:
    """Import ``zstandard``, or say which extra holds it."""
    try:
        import zstandard
    except ImportError as exc:
        raise ImportError(
            f"reading .zst input needs the zstandard package, which is not installed: {ZSTD_INSTALL_HINT}"
        ) from exc
    return zstandard


def open_input(path: str | os.PathLike[str]) -> IO[bytes]:
    """Open ``path`` for reading bytes, decompressing in streaming as its extension says.

    The result iterates by lines like any binary file; close it (or use ``with``) when done.
    """
    kind = compression_of(path)
    if kind == "gzip":
        return gzip.open(path, "rb")
    if kind == "bz2":
        return bz2.open(path, "rb")
    if kind == "zstd":
        zstandard = require_zstandard()
        raw = open(path, "rb")
        try:
            reader = zstandard.ZstdDecompressor(max_window_size=_ZSTD_MAX_WINDOW).stream_reader(
                raw, read_across_frames=True, closefd=True
            )
        except BaseException:
            raw.close()
            raise
        # stream_reader has no readline; a buffer gives lines at C speed.
        return io.BufferedReader(reader, buffer_size=1 << 20)  # type: ignore[arg-type]
    return open(path, "rb")
