"""The file format of :meth:`retold.MinHashLSH.save`: an uncompressed ``.npz`` of plain arrays.

Reading checks every array an index is made of, so that a truncated, corrupt or foreign file is
an :class:`IndexFileError` naming it, never an index that answers wrongly; with ``mmap`` the large
arrays map the file in place and are checked by cheap vectorised invariants instead of CRCs.
"""
from __future__ import annotations

import os
import zlib
import zipfile
from pathlib import Path

import numpy as np


class IndexFileError(ValueError):
    """A saved index that cannot be read: truncated, corrupt, or not a retold index."""


def check_index_arrays(keys: np.ndarray, state: np.ndarray, row_keys: np.ndarray,
                        sorted_keys: np.ndarray, sorted_rows: np.ndarray, bands: int) -> None:
    """Refuse arrays that :meth:`MinHashLSH.save` cannot have written (``ValueError``).

    Each test is one vectorised pass at most, so that a mapped index stays cheap to open, yet
    together they catch any single changed value of the large arrays, whose bytes are not
    checksummed in mmap mode: every indexed row appears ``bands`` times in ``sorted_rows``,
    ``sorted_keys`` is sorted, and it sums (mod 2**64) to what the indexed rows' keys sum to.
    """
    n = len(keys)
    if keys.ndim != 1 or not (keys.dtype.kind == "U" or keys.dtype == np.int64):
        raise ValueError("keys are neither str nor int64")
    if state.shape != (n,) or state.dtype != np.uint8 or np.any(state > 2) or np.any(state == 0):
        raise ValueError("row states of the wrong shape or values")
    indexed_rows = state == 1
    indexed = int(np.count_nonzero(indexed_rows))
    if (
        row_keys.shape != (n, bands)
        or sorted_keys.shape != (bands * indexed,)
        or sorted_rows.shape != (bands * indexed,)
        or row_keys.dtype != np.uint64
        or sorted_keys.dtype != np.uint64
        or sorted_rows.dtype != np.int64
    ):
        raise ValueError("arrays of inconsistent shapes or types")
    if not indexed:
        return
    if sorted_rows.min() < 0 or sorted_rows.max() >= n:
        raise ValueError("sorted_rows points outside the index")
    if not np.array_equal(np.bincount(sorted_rows, minlength=n), indexed_rows * bands):
        raise ValueError("sorted_rows does not list every indexed row once per band")
    if np.any(sorted_keys[1:] < sorted_keys[:-1]):
        raise ValueError("sorted_keys is not sorted")
    # uint64 sums wrap around, which is what makes them a checksum: one flipped bit changes one
    # sum by a power of two, never by a multiple of 2**64.
    if int(sorted_keys.sum(dtype=np.uint64)) != int(row_keys[indexed_rows].sum(dtype=np.uint64)):
        raise ValueError("sorted_keys and row_keys disagree")


# Members read whole on every load: in mmap mode their CRC is checked too (it costs nothing
# next to reading them), while the large ones are checked by _check_index_arrays.
_SMALL_MEMBERS = ("magic.npy", "meta.npy", "keys.npy", "state.npy", "scheme.npy")


def read_npz(path: Path, *, mmap: bool) -> dict[str, np.ndarray]:
    """The members of an uncompressed .npz; with ``mmap`` the arrays map the file in place.

    A damaged file raises ``ValueError`` whatever zipfile or numpy made of it (they raise
    RuntimeError for a flipped "encrypted" flag, NotImplementedError for a compression method,
    SyntaxError for a header, ...).
    """
    try:
        return _read_npz_members(path, mmap=mmap)
    except (FileNotFoundError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - see above
        if isinstance(exc, ValueError):
            raise
        raise ValueError(f"{type(exc).__name__}: {exc}") from None


def _read_npz_members(path: Path, *, mmap: bool) -> dict[str, np.ndarray]:
    if not mmap:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    out: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as archive, open(path, "rb") as raw:
        for info in archive.infolist():
            if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
                raise ValueError(f"member {info.filename!r} is compressed or not an array")
            # The local header (30 bytes + name + extra) precedes the member's bytes.
            raw.seek(info.header_offset)
            local = raw.read(30)
            if len(local) != 30 or local[:4] != b"PK\x03\x04":
                raise ValueError(f"bad local header for {info.filename!r}")
            name_len = int.from_bytes(local[26:28], "little")
            extra_len = int.from_bytes(local[28:30], "little")
            start = info.header_offset + 30 + name_len + extra_len
            raw.seek(start)
            version = np.lib.format.read_magic(raw)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(raw)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(raw)
            if dtype.hasobject:
                raise ValueError(f"member {info.filename!r} holds Python objects")
            if fortran:  # save() writes C order only; a flipped flag would transpose the data
                raise ValueError(f"member {info.filename!r} is in Fortran order")
            offset = raw.tell()
            nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if offset - start + nbytes != info.file_size or offset + nbytes > os.path.getsize(path):
                raise ValueError(f"member {info.filename!r} is truncated")
            if info.filename in _SMALL_MEMBERS:
                raw.seek(start)
                if zlib.crc32(raw.read(info.file_size)) != info.CRC:
                    raise ValueError(f"member {info.filename!r} fails its CRC check")
            name = info.filename[: -len(".npy")]
            if nbytes == 0:
                out[name] = np.empty(shape, dtype=dtype)
            else:
                out[name] = np.memmap(
                    path, dtype=dtype, mode="r", offset=offset, shape=shape,
                    order="F" if fortran else "C",
                )
    return out
