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

from typing import Any

import numpy as np

from retold.io import atomic_write
from retold.sketch_schemes import ALL_SCHEMES

FORMAT = "retold.MinHashLSH/1"


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


def write_index(path: str | os.PathLike[str], fields: dict[str, Any]) -> None:
    """Write an index's arrays to ``path`` atomically (uncompressed, so that they can be mapped).

    ``fields``: ``meta`` (threshold, recall or NaN, num_perm, bands, rows, bucket_cap), ``keys``
    (all str or all int), ``state``, ``row_keys``, ``sorted_keys``, ``sorted_rows``, ``scheme``.
    """
    keys = fields["keys"]
    if all(isinstance(k, str) for k in keys):
        key_array = np.array(keys, dtype=str) if keys else np.empty(0, dtype="<U1")
    elif all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in keys):
        key_array = np.array(keys, dtype=np.int64)
    else:
        raise TypeError("save() needs keys that are all str or all int")
    with atomic_write(path, "wb") as fh:
        np.savez(
            fh,
            magic=np.array(FORMAT),
            meta=np.array(fields["meta"], dtype=np.float64),
            keys=key_array,
            state=fields["state"],
            row_keys=fields["row_keys"],
            sorted_keys=fields["sorted_keys"],
            sorted_rows=fields["sorted_rows"],
            scheme=np.array(fields["scheme"]),
        )


def read_index(path: str | os.PathLike[str], *, mmap: bool = False) -> dict[str, Any]:
    """The fields :func:`write_index` wrote, every one checked; :class:`IndexFileError` names a bad file."""
    path = Path(path)
    try:
        arrays = read_npz(path, mmap=mmap)
        fmt = str(np.asarray(arrays["magic"])[()])
        if fmt != FORMAT:
            raise ValueError(f"format {fmt!r}, expected {FORMAT!r}")
        meta = arrays["meta"].tolist()
        if len(meta) != 6:
            raise ValueError("meta holds the wrong number of values")
        keys, state = arrays["keys"], np.asarray(arrays["state"])
        row_keys = arrays["row_keys"]
        sorted_keys, sorted_rows = arrays["sorted_keys"], arrays["sorted_rows"]
        check_index_arrays(keys, state, row_keys, sorted_keys, sorted_rows, int(meta[3]))
        scheme = str(np.asarray(arrays["scheme"])[()]) if "scheme" in arrays else ""  # older files: none
        if scheme and scheme not in ALL_SCHEMES:
            raise ValueError(f"unknown MinHash scheme {scheme!r}")
    except (IndexFileError, FileNotFoundError):
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, TypeError) as exc:
        raise IndexFileError(
            f"{path}: cannot load a MinHashLSH index: the file is truncated, corrupt or not "
            f"written by MinHashLSH.save ({exc})"
        ) from None
    key_list = keys.tolist()
    if len(set(key_list)) != len(key_list):
        raise IndexFileError(f"{path}: cannot load a MinHashLSH index: duplicate keys")
    return {"meta": meta, "keys": key_list, "state": state, "row_keys": row_keys,
            "sorted_keys": sorted_keys, "sorted_rows": sorted_rows, "scheme": scheme}
