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
from typing import IO, Any, cast

ZSTD_INSTALL_HINT = 'pip install "retold[zstd]"'

COMPRESSION_OF_EXTENSION = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd"}
"""The extensions readers look through, and the compression each names."""

# zstd frames can declare windows up to 2 GiB; zstandard's default cap (128 MiB) refuses files
# written with --long=31, which large corpora use.  The window is memory the user asked for.
_ZSTD_MAX_WINDOW = 2**31
_CHUNK = 1 << 20


class _ZstdStream(io.RawIOBase):
    """The decompressed bytes of a ``.zst`` file, frame after frame, read in chunks.

    Not zstandard's ``stream_reader``: given a file cut short inside a frame, it ends quietly
    (a truncated download would read as a shorter corpus); this raises ``ZstdError`` instead.
    """

    def __init__(self, raw: IO[bytes], zstandard: Any) -> None:
        self._raw = raw
        self._zstandard = zstandard
        self._frame = self._new_frame()
        self._fed = False  # whether the current frame has been given any bytes
        self._out = memoryview(b"")

    def _new_frame(self) -> Any:
        return self._zstandard.ZstdDecompressor(max_window_size=_ZSTD_MAX_WINDOW).decompressobj()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._out:
            chunk = self._raw.read(_CHUNK)
            if not chunk:
                if self._fed and not self._frame.eof:
                    raise self._zstandard.ZstdError("the input ends inside a zstd frame")
                return 0
            out = [self._frame.decompress(chunk)]
            self._fed = True
            while self._frame.eof:  # a frame ended inside this chunk: the rest starts the next
                rest = self._frame.unused_data
                self._frame, self._fed = self._new_frame(), bool(rest)
                if not rest:
                    break
                out.append(self._frame.decompress(rest))
            self._out = memoryview(b"".join(out))
        n = min(len(buffer), len(self._out))
        buffer[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()



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
        return cast(IO[bytes], gzip.open(path, "rb"))
    if kind == "bz2":
        return cast(IO[bytes], bz2.open(path, "rb"))
    if kind == "zstd":
        zstandard = require_zstandard()
        # A BufferedReader gives lines at C speed over the raw stream below.
        return io.BufferedReader(_ZstdStream(open(path, "rb"), zstandard), buffer_size=_CHUNK)
    return open(path, "rb")
