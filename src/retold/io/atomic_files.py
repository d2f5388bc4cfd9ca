"""Files written whole or not at all: a temporary file beside the target, renamed over it.

A crash or an exception halfway never leaves a truncated file, and an existing file stays as
it was until the new one is complete; the new file gets the permissions a plain ``open``
would have given it.
"""
from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Iterator

__all__ = ["process_umask", "atomic_write", "atomic_write_bytes"]


@lru_cache(maxsize=1)
def process_umask() -> int:
    """The umask of this process (the mode bits a new file or directory does not get)."""
    try:  # Linux tells it without changing it
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere the only way to read it is to set it, briefly
    os.umask(mask)
    return mask


def _permissions_for(target: Path) -> int:
    # mkstemp creates files readable by their owner only; give the result the permissions
    # the target had, or those a plain open() would have given a new file.
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~process_umask()


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    encoding: str = "utf-8",
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` that replaces ``path`` when the block ends well.

    Parameters
    ----------
    path : str or PathLike
        The file to create or replace.  Its directory must exist.
    mode : {"w", "wt", "wb"}
        Text or binary.
    encoding, newline : str, optional
        As for :func:`open`, in text mode only.

    Yields
    ------
    file object
        Write the whole content to it.  If the block raises (even ``KeyboardInterrupt``), the
        temporary file is removed and an existing ``path`` is left untouched.

    Examples
    --------
    >>> with atomic_write("index.json") as out:  # doctest: +SKIP
    ...     out.write("{}")
    """
    if mode not in ("w", "wt", "wb"):
        raise ValueError(f"mode must be 'w', 'wt' or 'wb', not {mode!r}")
    target = Path(path)
    directory = target.parent
    if not directory.is_dir():
        raise FileNotFoundError(2, "output directory does not exist (create it first)", str(directory))
    binary = "b" in mode
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(
            fd, mode, encoding=None if binary else encoding, newline=None if binary else newline
        ) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())  # the data must be on disk before the rename is
        os.chmod(temporary, _permissions_for(target))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`)."""
    with atomic_write(path, "wb") as handle:
        handle.write(data)
