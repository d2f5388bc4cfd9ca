"""Replace a whole directory of outputs at once, so that it holds one complete run, old or new."""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import stat
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Collection, Iterator

from .atomic_files import process_umask

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@lru_cache(maxsize=1)
def _renameat2() -> ctypes._FuncPointer | None:  # ctypes' own (stub-only) name for a C function
    """glibc's renameat2, or None where there is none (not Linux, old glibc, musl)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step; False where the system cannot."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    return False  # e.g. EINVAL on a filesystem without exchange: fall back to two renames


def _swap_in(new: Path, target: Path) -> None:
    """Put directory ``new`` at ``target``, removing what was there."""
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        shutil.rmtree(new)  # now the previous run
        return
    # Two renames: between them ``target`` is briefly absent, never a mixture of two runs.
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    os.rmdir(old)
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old)


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike[str], *, owned: Collection[str]) -> Iterator[Path]:
    """A temporary directory beside ``path`` that replaces ``path`` when the block ends well.

    Parameters
    ----------
    path : str or PathLike
        The directory to create or replace.  Its parent is created if needed.
    owned : collection of str
        The names of the files this writer produces.  An existing ``path`` holding anything
        else is refused (``ValueError``): replacing it would delete files that are not ours.

    Yields
    ------
    Path
        Write every file into it.  If the block raises (even ``KeyboardInterrupt``), it is
        removed and ``path`` is left as it was.
    """
    target = Path(path)
    if target.exists():
        if not target.is_dir():
            raise NotADirectoryError(20, "exists and is not a directory", str(target))
        foreign = sorted(p.name for p in target.iterdir() if p.name not in owned)
        if foreign:
            shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
            raise ValueError(
                f"{target} holds files retold did not write ({shown}); the whole directory is "
                "replaced by the new results, so choose a new or empty directory"
            )
        mode = stat.S_IMODE(target.stat().st_mode)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = 0o777 & ~process_umask()
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield temporary
        os.chmod(temporary, mode)  # mkdtemp makes it private; give it what the target had
        _swap_in(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
