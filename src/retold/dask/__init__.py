"""retold on a Dask cluster: copies and stories of corpora larger than one machine.

The functions here take a dask bag (of strings, dicts or :class:`retold.Article`) or a dask
dataframe and give the same results as the single-machine :func:`retold.dedup` and
:func:`retold.stories` on the same documents in the same order: ``labels`` in input order, the
same cluster ids, representatives and pairs.  They reuse the single-machine building blocks
(:func:`retold.minhash_batch`, :meth:`retold.MinHashLSH.band_keys`, :func:`retold.shingle_sets`,
the kernels' exact verification and union-find, :func:`retold.stories.cluster_vectors`), run on the
workers where the texts live.

:func:`dedup`, stage by stage:

1. **place**: each partition's records become articles (ids, texts, dates), numbered by their
   global position; persisted on the workers, so the input is read once;
2. **sign**: MinHash signatures and band keys per partition with the compiled kernels; only the
   rows ``(band, key, position)`` of non-empty documents leave the partition;
3. **band**: one dask shuffle on ``(band, key)`` brings each LSH bucket to one partition, where
   it is sorted by position and turned into candidate pairs with the same rule as
   :meth:`retold.MinHashLSH.candidate_pairs` (all pairs, or star edges from the smallest
   position of a bucket larger than ``bucket_cap``);
4. **verify**: candidates are routed to blocks ``(partition of left, partition of right)``; each
   text partition computes the shingle sets of just the documents it is asked for, and each
   block's pairs are verified exactly (Jaccard or containment) against those sets;
5. **cluster**: union-find on the driver while the accepted pairs number at most
   ``max_driver_edges``, else distributed large-star/small-star iterations over a dask
   dataframe of edges; representatives, ``matched_with`` and cluster ids exactly as
   :func:`retold.dedup` computes them.

:func:`stories` sums the story model's document frequencies over the partitions, computes
each partition's story vectors where it lives, and clusters the gathered vectors in one task
with the clustering step of :func:`retold.stories`: the same labels.

dask and distributed are an optional extra: ``pip install "retold[dask]"``.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import importlib
import operator
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Sequence

import numpy as np

from retold._backend import kernels
from retold._validate import check_int
from retold.article import Article
from retold.copies import DedupResult
from retold.hashing import EMPTY_SLOT, minhash_batch, shingle_sets

__all__ = [
    "DaskDedupResult",
    "DaskStoryResult",
    "add_dask_arguments",
    "connected_components",
    "dask_client_from_args",
    "dedup",
    "read_articles",
    "reused_passages",
    "stories",
]

_INSTALL = 'pip install "retold[dask]"'
_NO_DATE = np.iinfo(np.int64).max
_MASK32 = np.uint64(0xFFFFFFFF)
DEFAULT_MAX_DRIVER_EDGES = 50_000_000
"""Accepted pairs up to which connected components run on the driver (16 bytes per edge)."""


def _require_dask() -> tuple[Any, Any, Any]:
    """``(dask, dask.dataframe, dask.bag)``, or an ImportError that says what to install."""
    try:
        dask = importlib.import_module("dask")
        dd = importlib.import_module("dask.dataframe")
        db = importlib.import_module("dask.bag")
        importlib.import_module("distributed")
    except ImportError as exc:
        raise ImportError(
            f"retold.dask needs dask[dataframe] and distributed ({exc}); install them with: {_INSTALL}"
        ) from exc
    return dask, dd, db


def _delayed(func: Any, *args: Any, **kwargs: Any) -> Any:
    dask, _, _ = _require_dask()
    return dask.delayed(func, pure=True)(*args, **kwargs)


def _is_dataframe(collection: Any) -> bool:
    _, dd, _ = _require_dask()
    return isinstance(collection, dd.DataFrame)


def _is_bag(collection: Any) -> bool:
    _, _, db = _require_dask()
    return isinstance(collection, db.Bag)


# ---------------------------------------------------------------- reading and placing


def read_articles(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    format: str | None = None,
    blocksize: int | str | None = "64MiB",
    columns: Sequence[str] | None = None,
) -> Any:
    """Read Parquet or JSON Lines files as a dask dataframe of records, one row per article.

    Parameters
    ----------
    paths : path, glob or list of them
        ``.parquet`` files (or directories of them), ``.jsonl``/``.ndjson``/``.json`` files
        (optionally ``.gz``, which cannot be split into blocks), or ``.csv``/``.tsv`` files
        with a header (one partition per file).
    format : {"parquet", "jsonl", "csv", "tsv"}, optional
        Overrides the format inferred from the first path's extension.
    blocksize : int or str, optional
        JSON Lines are split into blocks of about this many bytes, one partition each (row
        order is kept: partition ``i`` holds the rows before partition ``i + 1``).
    columns : list of str, optional
        Parquet columns to read (the others are not loaded).

    Returns
    -------
    dask.dataframe.DataFrame
        Pass it to :func:`dedup` or :func:`stories` (name its columns with ``text_field=`` and
        the like when they are not ``id``, ``text``, ``date``...).
    """
    _, dd, _ = _require_dask()
    listed = [os.fspath(p) for p in ([paths] if isinstance(paths, (str, os.PathLike)) else paths)]
    if not listed:
        raise ValueError("paths is empty: give at least one Parquet or JSON Lines file")
    if format is None:
        name = listed[0].lower().rstrip("/")
        if name.endswith(".gz"):
            name = name[:-3]
        if name.endswith(".parquet") or name.endswith(".pq") or os.path.isdir(listed[0]):
            format = "parquet"
        elif name.endswith((".jsonl", ".ndjson", ".json")):
            format = "jsonl"
        elif name.endswith((".csv", ".tsv")):
            format = name[-3:]
        else:
            raise ValueError(
                f"cannot tell the format of {listed[0]!r} from its extension; pass format='parquet', "
                "'jsonl', 'csv' or 'tsv'"
            )
    if format == "parquet":
        return dd.read_parquet(listed if len(listed) > 1 else listed[0], columns=columns)
    if format == "jsonl":
        gz = any(p.endswith(".gz") for p in listed)
        # dtype=False: ids such as "0042" stay strings, dates stay text for Article to parse.
        return dd.read_json(
            listed, lines=True, orient="records", blocksize=None if gz else blocksize, dtype=False,
        )
    if format in ("csv", "tsv"):
        # One partition per file: a quoted field may hold line breaks, so a file cannot be
        # split at arbitrary bytes.  Every cell is text, as retold.read_articles reads it.
        return dd.read_csv(
            listed, blocksize=None, sep="\t" if format == "tsv" else ",", dtype=str, keep_default_na=False,
        )
    raise ValueError(f"format must be 'parquet', 'jsonl', 'csv' or 'tsv', not {format!r}")


@dataclass(frozen=True)
class _Fields:
    id: str = "id"
    text: str = "text"
    title: str = "title"
    date: str = "date"
    source: str = "source"
    lang: str = "lang"


_PLACED_COLUMNS = ("pos", "id", "text", "title", "date_us", "source", "lang", "length", "auto_id")


def _microseconds(dates: list) -> np.ndarray:
    from retold.copies import _microseconds as microseconds

    return microseconds(dates)


def _epoch_days(date_us: np.ndarray) -> np.ndarray:
    """Days since 1970 of microsecond dates (NaN undated), bit for bit as retold.stories computes them.

    retold.stories takes ``(date - epoch).total_seconds() / 86400``; ``total_seconds`` is the
    correctly rounded quotient of the whole microseconds by 10**6, which is what IEEE division
    of the (exactly representable, < 2**53) microseconds by 1e6 gives too.
    """
    days = (date_us.astype(np.float64) / 1e6) / 86400.0
    days[date_us == _NO_DATE] = np.nan
    return days


def _article_from_record(record: Any, position: int, fields: _Fields) -> Article:
    if isinstance(record, Article):
        return record
    if isinstance(record, str):
        return Article(id=str(position), text=record)
    if isinstance(record, dict):
        return Article.from_dict(
            record, position=position, id_field=fields.id, text_field=fields.text,
            title_field=fields.title, date_field=fields.date, source_field=fields.source,
            lang_field=fields.lang,
        )
    raise TypeError(f"document {position}: expected str, dict or retold.Article, not {type(record).__name__}")


def _records_of(part: Any) -> list:
    """The records of one partition: a list of bag items, or of a pandas frame's rows as dicts."""
    if hasattr(part, "to_dict") and hasattr(part, "columns"):
        import pandas as pd

        # Absent cells (NaN, NaT, None, pd.NA) become None, as in a record read from JSON.
        plain = part.astype(object).where(pd.notna(part), None)
        return plain.to_dict(orient="records")
    return list(part)


def _place_part(part: Any, offset: int, fields: _Fields) -> Any:
    """Articles of one partition as a pandas frame of _PLACED_COLUMNS, numbered from ``offset``.

    ``auto_id`` marks the articles whose id is their position (strings, records without an id),
    which :func:`_renumber` rewrites once the partition's global offset is known.
    """
    if hasattr(part, "columns") and hasattr(part, "to_dict"):
        fast = _place_frame(part, offset, fields)
        if fast is not None:
            return fast
    records = _records_of(part)
    articles = [_article_from_record(r, offset + i, fields) for i, r in enumerate(records)]
    auto_id = np.fromiter(
        (isinstance(r, str) or (isinstance(r, dict) and r.get(fields.id) is None) for r in records),
        dtype=bool, count=len(records),
    )
    return _placed_frame(
        offset,
        ids=[a.id for a in articles],
        texts=[a.text for a in articles],
        titles=[a.title for a in articles],
        # The date key retold.dedup ranks "earliest" by (microseconds, undated last).
        date_us=_microseconds([a.date for a in articles]),
        sources=[a.source for a in articles],
        langs=[a.lang for a in articles],
        auto_id=auto_id,
    )


def _placed_frame(offset: int, *, ids: list, texts: list, titles: list, date_us: np.ndarray, sources: list,
                  langs: list, auto_id: np.ndarray) -> Any:
    import pandas as pd

    n = len(texts)
    return pd.DataFrame(
        {
            "pos": np.arange(offset, offset + n, dtype=np.int64),
            "id": pd.Series(ids, dtype=object),
            "text": pd.Series(texts, dtype=object),
            "title": pd.Series(titles, dtype=object),
            "date_us": date_us,
            "source": pd.Series(sources, dtype=object),
            "lang": pd.Series(langs, dtype=object),
            "length": np.fromiter((len(t) for t in texts), dtype=np.int64, count=n),
            "auto_id": auto_id,
        }
    )


def _place_frame(frame: Any, offset: int, fields: _Fields) -> Any:
    """:func:`_place_part` for a pandas frame, column by column: the fields as
    :meth:`retold.Article.from_dict` reads them, without an object per article.

    Returns None when a record is not plain (a text that is not a string, a date that does not
    parse), so that the per-record path raises the error naming it.
    """
    from retold.article import parse_date

    n = len(frame)
    if fields.text not in frame.columns:
        return None
    texts = _column_values(frame, fields.text)
    if not all(type(t) is str for t in texts):
        return None

    def optional(name: str) -> list:
        # `record.get(field) or None`, as Article.from_dict takes titles, sources and languages.
        if name not in frame.columns:
            return [None] * n
        return [v or None for v in _column_values(frame, name)]

    titles = optional(fields.title)
    if not all(t is None or type(t) is str for t in titles):
        return None

    if fields.id in frame.columns:
        raw_ids = _column_values(frame, fields.id)
        auto_id = np.fromiter((v is None for v in raw_ids), dtype=bool, count=n)
        ids = [str(offset + i) if v is None else (v if type(v) is str else str(v)) for i, v in enumerate(raw_ids)]
    else:
        auto_id = np.ones(n, dtype=bool)
        ids = [str(offset + i) for i in range(n)]
    dates: list = [None] * n
    if fields.date in frame.columns:
        parsed: dict = {}
        for i, value in enumerate(_column_values(frame, fields.date)):
            if value is None:
                continue
            try:
                key = (type(value), value)
                date = parsed.get(key)
                if date is None:
                    date = parsed[key] = parse_date(value)
            except (ValueError, TypeError):
                return None
            dates[i] = date
    return _placed_frame(
        offset, ids=ids, texts=texts, titles=titles, date_us=_microseconds(dates),
        sources=optional(fields.source), langs=optional(fields.lang), auto_id=auto_id,
    )


def _column_values(frame: Any, name: str) -> list:
    """A column as Python values, absent cells (NaN, NaT, None, pd.NA) as None."""
    import pandas as pd

    column = frame[name]
    values = column.astype(object).tolist()
    missing = pd.isna(column).to_numpy()
    if missing.any():
        for i in np.flatnonzero(missing).tolist():
            values[i] = None
    return values


def _renumber(frame: Any, offset: int) -> Any:
    """The partition at its place in the whole input: positions, and ids made of positions."""
    if offset == 0:
        return frame
    frame = frame.copy(deep=False)
    pos = frame["pos"].to_numpy() + offset
    frame["pos"] = pos
    auto = frame["auto_id"].to_numpy()
    if auto.any():
        ids = frame["id"].to_numpy(copy=True)
        ids[auto] = [str(p) for p in pos[auto].tolist()]
        frame["id"] = ids
    return frame


@dataclass
class _Corpus:
    """The placed corpus: one persisted pandas frame per partition, and where each begins."""

    parts: list  # delayed / persisted pandas frames
    bounds: np.ndarray  # int64, len(parts) + 1: partition i holds positions [bounds[i], bounds[i+1])

    @property
    def n(self) -> int:
        return int(self.bounds[-1])


def _place(collection: Any, fields: _Fields) -> _Corpus:
    """Number the documents of a bag or dataframe in input order and persist them as articles."""
    dask, _, _ = _require_dask()
    if isinstance(collection, _Corpus):
        return collection
    if _is_dataframe(collection):
        if fields.text not in collection.columns:
            raise ValueError(
                f"the dataframe has no column {fields.text!r} (columns: {', '.join(map(str, collection.columns))}); "
                "name the text column with text_field="
            )
        raw = collection.to_delayed()
    elif _is_bag(collection):
        raw = collection.to_delayed()
    else:
        raise TypeError(
            f"collection must be a dask bag or dask dataframe, not {type(collection).__name__}; "
            "for an in-memory list use retold.dedup / retold.stories"
        )
    # Each partition is read once and numbered from 0; once the lengths are known, positions
    # (and so ids of plain strings and every tie-break) become those of the single-machine run.
    staged = list(dask.persist(*[_delayed(_place_part, p, 0, fields) for p in raw]))
    lengths = np.asarray(dask.compute(*[_delayed(len, s) for s in staged]), dtype=np.int64)
    bounds = np.zeros(len(raw) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    placed = list(dask.persist(*[_delayed(_renumber, s, int(bounds[i])) for i, s in enumerate(staged)]))
    return _Corpus(placed, bounds)


def _gather_columns(corpus: _Corpus, names: Sequence[str]) -> dict[str, np.ndarray]:
    dask, _, _ = _require_dask()
    pieces = dask.compute(*[_delayed(_columns_part, p, tuple(names)) for p in corpus.parts])
    out = {}
    for j, name in enumerate(names):
        arrays = [piece[j] for piece in pieces]
        out[name] = np.concatenate(arrays) if arrays else np.zeros(0)
    return out


def _columns_part(part: Any, names: tuple) -> tuple:
    return tuple(part[name].to_numpy() for name in names)


# ---------------------------------------------------------------- dedup: sign and band


def _sign_part(part: Any, lsh: Any, ngram: int, unit: str, seed: int) -> tuple[Any, np.ndarray]:
    """Band-key rows (band, key, pos) of a partition's non-empty documents, and its empty mask."""
    import pandas as pd

    texts = part["text"].tolist()
    sigs = minhash_batch(texts, num_perm=lsh.num_perm, ngram=ngram, unit=unit, seed=seed)
    empty = np.all(sigs == EMPTY_SLOT, axis=1) if sigs.shape[1] else np.ones(len(texts), bool)
    keys = lsh.band_keys(sigs)  # (bands, n)
    rows = np.flatnonzero(~empty)
    pos = part["pos"].to_numpy()[rows]
    frame = pd.DataFrame(
        {
            "band": np.repeat(np.arange(lsh.bands, dtype=np.uint16), len(rows)),
            "key": keys[:, rows].ravel(),
            "pos": np.tile(pos, lsh.bands),
        }
    )
    return frame, empty


def _bucket_key_shift(m: int) -> int:
    """Low bits of the band keys that :meth:`retold.MinHashLSH.candidate_pairs_from_keys` drops.

    The single-machine batch path sorts each band's keys packed with the row number in the
    low ``bits = bit_length(m - 1)`` bits (``m``: non-empty documents), so its buckets are runs
    of equal ``key >> bits``.  Bucketing on the same truncated key gives the same candidates,
    the rare spurious ones included.
    """
    bits = max(1, (m - 1).bit_length())
    return bits if bits <= 40 else 0


def _truncated_keys(signed: tuple, shift: int) -> Any:
    frame = signed[0]
    if shift:
        frame = frame.assign(key=frame["key"].to_numpy() >> np.uint64(shift))
    return frame


def _band_meta() -> Any:
    import pandas as pd

    return pd.DataFrame(
        {"band": np.zeros(0, np.uint16), "key": np.zeros(0, np.uint64), "pos": np.zeros(0, np.int64)}
    )


def _bucket_pairs(frame: Any, cap: int) -> tuple[np.ndarray, tuple[int, int, int]]:
    """Candidate pair codes of the buckets in one shuffled partition, as MinHashLSH makes them.

    Rows are sorted by (band, key, position): a bucket's members are in input order, and one
    over the cap gives the star edges from its smallest position, as the single-machine batch
    path does (keys already truncated as it truncates them, see :func:`_bucket_key_shift`).
    """
    lsh_kernels = kernels("lsh")
    band = frame["band"].to_numpy()
    key = frame["key"].to_numpy()
    pos = frame["pos"].to_numpy()
    order = np.lexsort((pos, key, band))
    band, key, pos = band[order], np.ascontiguousarray(key[order]), np.ascontiguousarray(pos[order])
    starts = np.flatnonzero(np.r_[True, band[1:] != band[:-1]]) if len(band) else np.zeros(0, np.int64)
    ends = np.r_[starts[1:], len(band)]
    codes = []
    capped = largest = 0
    for a, b in zip(starts.tolist(), ends.tolist()):
        seg_keys, seg_pos = key[a:b], pos[a:b]
        count, seg_capped, seg_largest = lsh_kernels.count_bucket_pairs(seg_keys, cap)
        capped += int(seg_capped)
        largest = max(largest, int(seg_largest))
        out = np.empty(int(count), dtype=np.uint64)
        if count:
            lsh_kernels.fill_bucket_pairs(seg_keys, seg_pos, cap, out)
        codes.append(out)
    merged = np.unique(np.concatenate(codes)) if codes else np.zeros(0, np.uint64)
    return merged, (int(len(merged)), capped, largest)


def _route(bucketed: tuple, bounds: np.ndarray) -> dict:
    """Split one partition's pair codes by block (partition of left, partition of right).

    Also lists, per text partition, the positions whose shingle sets the blocks will ask for.
    """
    codes, (_, capped, largest) = bucketed
    left = (codes >> np.uint64(32)).astype(np.int64)
    right = (codes & _MASK32).astype(np.int64)
    n_parts = len(bounds) - 1
    lp = np.searchsorted(bounds, left, side="right") - 1
    rp = np.searchsorted(bounds, right, side="right") - 1
    block = lp * n_parts + rp
    order = np.argsort(block, kind="stable")
    blocks: dict[int, np.ndarray] = {}
    if len(order):
        sorted_block = block[order]
        cuts = np.flatnonzero(np.r_[True, sorted_block[1:] != sorted_block[:-1], True])
        for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
            blocks[int(sorted_block[a])] = codes[order[a:b]]
    docs = np.unique(np.concatenate([left, right]))
    dp = np.searchsorted(bounds, docs, side="right") - 1
    need: dict[int, np.ndarray] = {}
    if len(docs):
        cuts = np.flatnonzero(np.r_[True, dp[1:] != dp[:-1], True])
        for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
            need[int(dp[a])] = docs[a:b]
    return {"blocks": blocks, "need": need, "capped": capped, "largest": largest}


def _route_summary(routed: dict) -> tuple[list[int], list[int], int, int]:
    return sorted(routed["blocks"]), sorted(routed["need"]), routed["capped"], routed["largest"]


def _pick(routed: dict, kind: str, key: int) -> np.ndarray:
    return routed[kind][key]


# ---------------------------------------------------------------- dedup: verify where the texts live


def _export(
    part: Any, offset: int, mode: str, ngram: int, unit: str, num_perm: int, seed: int, *needs: np.ndarray
) -> tuple:
    """What the blocks need of one partition: shingle sets (or signatures) of the asked documents."""
    positions = np.unique(np.concatenate(needs)) if needs else np.zeros(0, np.int64)
    texts = part["text"].to_numpy()[positions - offset].tolist()
    if mode == "verify":
        offsets, values = shingle_sets(texts, ngram=ngram, unit=unit)
        return positions, offsets, values
    return positions, minhash_batch(texts, num_perm=num_perm, ngram=ngram, unit=unit, seed=seed)


def _verify_block(
    left_export: tuple, right_export: tuple | None, mode: str, containment: bool, threshold: float,
    *code_parts: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Similarity of one block's candidate pairs; returns the accepted (left, right, sim) and the count."""
    codes = np.unique(np.concatenate(code_parts)) if code_parts else np.zeros(0, np.uint64)
    left = (codes >> np.uint64(32)).astype(np.int64)
    right = (codes & _MASK32).astype(np.int64)
    r_export = left_export if right_export is None else right_export
    li = np.searchsorted(left_export[0], left)
    ri = np.searchsorted(r_export[0], right)
    sims = np.empty(len(codes), dtype=np.float64)
    if mode == "verify":
        if right_export is None:
            offsets, values = left_export[1], left_export[2]
        else:
            offsets = np.concatenate([left_export[1], right_export[1][1:] + left_export[1][-1]])
            values = np.concatenate([left_export[2], right_export[2]])
            ri = ri + len(left_export[0])
        if len(codes):
            kernels("lsh").verify_pairs(
                np.ascontiguousarray(offsets, dtype=np.int64), np.ascontiguousarray(values, dtype=np.uint64),
                np.ascontiguousarray(li, dtype=np.int64), np.ascontiguousarray(ri, dtype=np.int64),
                containment, sims,
            )
    else:
        # The MinHash estimate, as retold.copies computes it (share of equal slots).
        for start in range(0, len(codes), 65536):
            a = left_export[1][li[start : start + 65536]]
            b = r_export[1][ri[start : start + 65536]]
            sims[start : start + 65536] = np.mean(a == b, axis=1)
    accept = sims >= threshold
    return left[accept], right[accept], sims[accept], int(len(codes))


def _block_counts(block: tuple) -> tuple[int, int]:
    return block[3], len(block[0])


def _edges_frame(block: tuple) -> Any:
    import pandas as pd

    left, right, sims, _ = block
    return pd.DataFrame({"u": left, "v": right, "similarity": sims})


# ---------------------------------------------------------------- connected components


def _star_partition(frame: Any, large: bool) -> Any:
    """One large-star or small-star step on the edges of the nodes hashed to this partition.

    ``frame`` holds directed edges (u, v) grouped so that every edge of a given u is here.
    Large-star: m = min(u, N(u)); emit (v, m) for each neighbour v > u.
    Small-star: m = min(u, N_<=(u)); emit (v, m) for each v in N_<=(u) + {u}, v != m.
    """
    import pandas as pd

    if len(frame) == 0:
        return frame[["u", "v"]]
    u = frame["u"].to_numpy()
    v = frame["v"].to_numpy()
    if not large:
        keep = v < u
        u, v = u[keep], v[keep]
        if len(u) == 0:
            return pd.DataFrame({"u": np.zeros(0, np.int64), "v": np.zeros(0, np.int64)})
    order = np.lexsort((v, u))
    u, v = u[order], v[order]
    first = np.flatnonzero(np.r_[True, u[1:] != u[:-1]])
    mins = np.minimum(u[first], np.minimum.reduceat(v, first))
    m = np.repeat(mins, np.diff(np.r_[first, len(u)]))
    if large:
        sel = v > u
        out_u, out_v = v[sel], m[sel]
    else:
        nodes = u[first]
        out_u = np.concatenate([v, nodes])
        out_v = np.concatenate([m, mins])
        sel = out_u != out_v
        out_u, out_v = out_u[sel], out_v[sel]
    edges = np.unique((out_u.astype(np.uint64) << np.uint64(32)) | out_v.astype(np.uint64))
    return pd.DataFrame(
        {"u": (edges >> np.uint64(32)).astype(np.int64), "v": (edges & _MASK32).astype(np.int64)}
    )


def _both_ways(frame: Any) -> Any:
    import pandas as pd

    u, v = frame["u"].to_numpy(), frame["v"].to_numpy()
    return pd.DataFrame({"u": np.concatenate([u, v]), "v": np.concatenate([v, u])})


def _fingerprint(frame: Any) -> np.ndarray:
    u = frame["u"].to_numpy().astype(np.uint64)
    v = frame["v"].to_numpy().astype(np.uint64)
    mixed = (u * np.uint64(0x9E3779B97F4A7C15)) ^ (v * np.uint64(0xC2B2AE3D27D4EB4F) + np.uint64(1))
    return np.array([len(u), int(np.bitwise_xor.reduce(mixed)) if len(u) else 0], dtype=np.uint64)


def connected_components(edges: Any, *, npartitions: int | None = None, max_rounds: int = 64) -> Any:
    """The component of every node of an edge list, by large-star/small-star rounds (Kiveris et al. 2014).

    Parameters
    ----------
    edges : dask.dataframe.DataFrame
        Columns ``u`` and ``v`` (int64 node ids); undirected, duplicates allowed.
    npartitions : int, optional
        Partitions of the shuffles (default: those of ``edges``).
    max_rounds : int
        Rounds (one large-star and one small-star each) before giving up.

    Returns
    -------
    dask.dataframe.DataFrame
        Columns ``u`` (each node that has an edge, once) and ``v`` (the smallest node of its
        component), the same labels as union-find by smaller index.
    """
    dask, dd, _ = _require_dask()
    meta = _star_partition(_both_ways(_empty_edges()), True)
    current = edges[["u", "v"]]
    npartitions = npartitions or current.npartitions
    previous = None
    for _ in range(max_rounds):
        both = current.map_partitions(_both_ways, meta=meta)
        current = both.shuffle(on="u", npartitions=npartitions).map_partitions(
            _star_partition, True, meta=meta
        )
        both = current.map_partitions(_both_ways, meta=meta)
        current = both.shuffle(on="u", npartitions=npartitions).map_partitions(
            _star_partition, False, meta=meta
        )
        current = current.persist()
        stamp = np.vstack(dask.compute(*[_delayed(_fingerprint, p) for p in current.to_delayed()]))
        state = (int(stamp[:, 0].sum()), int(np.bitwise_xor.reduce(stamp[:, 1])))
        if state == previous:
            # A fixed point: every edge points from a node to the smallest of its component.
            # Add (root, root) rows, and keep each node once (a leaf's edge can be emitted by
            # several partitions).
            rows = dd.concat([current, current.map_partitions(_root_rows, meta=meta)])
            return rows.shuffle(on="u", npartitions=npartitions).map_partitions(_unique_edges, meta=meta)
        previous = state
    raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")


def _empty_edges() -> Any:
    import pandas as pd

    return pd.DataFrame({"u": np.zeros(0, np.int64), "v": np.zeros(0, np.int64)})


def _root_rows(frame: Any) -> Any:
    import pandas as pd

    roots = np.unique(frame["v"].to_numpy())
    return pd.DataFrame({"u": roots, "v": roots})


def _unique_edges(frame: Any) -> Any:
    import pandas as pd

    codes = np.unique(
        (frame["u"].to_numpy().astype(np.uint64) << np.uint64(32)) | frame["v"].to_numpy().astype(np.uint64)
    )
    return pd.DataFrame(
        {"u": (codes >> np.uint64(32)).astype(np.int64), "v": (codes & _MASK32).astype(np.int64)}
    )


# ---------------------------------------------------------------- dedup


@dataclass(frozen=True, eq=False, repr=False)
class DaskDedupResult(DedupResult):
    """A :class:`retold.DedupResult` from a Dask run, with where its time and bytes went.

    Attributes
    ----------
    dask_stats : dict
        ``partitions``, ``band_partitions``, ``band_rows`` and ``shuffle_bytes`` (rows and bytes
        the band-key shuffle moved), ``blocks`` (verification blocks), ``components``
        ("driver" or "distributed"), ``seconds`` (wall time of the stages ``read``, ``sign``,
        ``band``, ``verify``, ``cluster``).
    pair_frame : dask.dataframe.DataFrame
        The accepted pairs as a dask dataframe (``u``, ``v`` positions, ``similarity``), kept on
        the workers; when the components ran distributed, ``pairs`` is left empty and this
        holds them.
    """

    dask_stats: dict = field(default_factory=dict)
    pair_frame: Any = field(default=None, repr=False)
    _corpus: Any = field(default=None, repr=False)

    def to_parquet(
        self, path: str | os.PathLike[str], *, pairs_path: str | os.PathLike[str] | None = None
    ) -> None:
        """Write one row per document (the columns of :meth:`to_records`) as a Parquet dataset.

        The partitions are written by the workers, in input order, into a directory beside
        ``path`` under a temporary name that is renamed into place at the end, so a failed run
        leaves no partial output (a URL such as ``s3://bucket/out`` is written in place: object
        stores cannot rename).  The workers must all see ``path``: a shared file system or an
        object store on a real cluster.  ``pairs_path`` also writes the accepted pairs (``left``,
        ``right`` ids, ``similarity``).
        """
        _write_dedup_parquet(self, path)
        if pairs_path is not None:
            _write_pairs_parquet(self, pairs_path)


class _Stages:
    """Stage timings, and a ``progress`` hook's context per stage (stages end at a barrier)."""

    def __init__(self, progress: Any, names: Sequence[str]) -> None:
        self.progress = progress
        self.names = list(names)
        self.seconds: dict[str, float] = {}
        self.start = time.perf_counter()
        self.context: Any = None
        self._open()

    def _open(self) -> None:
        if self.progress is not None and self.names:
            self.context = self.progress(self.names[0], None)
            self.context.__enter__()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = round(now - self.start, 3)
        self.start = now
        if self.context is not None:
            self.context.__exit__(None, None, None)
            self.context = None
        if self.names and self.names[0] == stage:
            self.names.pop(0)
        self._open()

    def close(self) -> None:
        if self.context is not None:
            self.context.__exit__(None, None, None)
            self.context = None


def dedup(
    collection: Any,
    *,
    threshold: float = 0.8,
    ngram: int = 5,
    num_perm: int = 128,
    recall: float = 0.95,
    verify: bool = True,
    keep: str = "earliest",
    similarity: str = "jaccard",
    lsh_threshold: float | None = None,
    params: tuple[int, int] | None = None,
    unit: str = "word",
    seed: int = 1,
    bucket_cap: int | None = None,
    text_field: str = "text",
    id_field: str = "id",
    date_field: str = "date",
    title_field: str = "title",
    source_field: str = "source",
    lang_field: str = "lang",
    band_partitions: int | None = None,
    shuffle_method: str | None = None,
    max_driver_edges: int = DEFAULT_MAX_DRIVER_EDGES,
    progress: Any = None,
) -> Any:
    """Find the copies in a corpus on a Dask cluster: :func:`retold.dedup`, distributed.

    Takes the options of :func:`retold.dedup` (``threshold``, ``ngram``, ``num_perm``,
    ``recall``, ``verify``, ``keep``, ``similarity``, ``lsh_threshold``, ``params``, ``unit``,
    ``seed``, ``bucket_cap``) with the same meaning and defaults, and returns the same result on
    the same documents in the same order.  Runs on the current Dask client (or dask's local
    scheduler when there is none).

    Parameters
    ----------
    collection : dask.bag.Bag or dask.dataframe.DataFrame
        A bag of strings, dicts or :class:`retold.Article`, or a dataframe with one row per
        article (see :func:`read_articles`).  Input order is partition order, then row order.
    text_field, id_field, date_field, title_field, source_field, lang_field : str
        Names of the columns (or dict keys) of each part of an article.
    band_partitions : int, optional
        Partitions of the band-key shuffle (default: as many as the input).
    shuffle_method : {"p2p", "tasks", "disk"}, optional
        How dask shuffles the band keys (default: dask's choice, p2p on a distributed cluster).
    max_driver_edges : int
        Connected components run on the driver when the accepted pairs number at most this
        many; beyond, distributed large-star/small-star, and ``pairs`` of the result stays
        empty while ``pair_frame`` holds the pairs on the workers.
    progress : callable, optional
        ``progress(stage, total)`` returning a context manager, as for :func:`retold.dedup`
        (``retold.cli._common.Progress.stage`` fits); the stages are ``read``, ``sign``,
        ``band``, ``verify``, ``cluster``.

    Returns
    -------
    DaskDedupResult
        A :class:`retold.DedupResult` (``labels`` in input order, ``representatives``,
        ``matched_with``, ``similarity``, ``pairs``, ``stats``) with ``dask_stats`` and
        :meth:`to_parquet`.
    """
    _require_dask()
    from retold.copies import check_dedup_options
    from retold.lsh import DEFAULT_BUCKET_CAP, MinHashLSH

    threshold, recall, ngram, lsh_threshold = check_dedup_options(
        threshold=threshold, recall=recall, ngram=ngram, keep=keep, similarity=similarity,
        verify=verify, lsh_threshold=lsh_threshold,
    )
    max_driver_edges = check_int(max_driver_edges, "max_driver_edges", 0, 1 << 62)
    lsh = MinHashLSH(
        lsh_threshold, num_perm, recall=recall, params=params,
        bucket_cap=DEFAULT_BUCKET_CAP if bucket_cap is None else bucket_cap,
    )
    fields = _Fields(id_field, text_field, title_field, date_field, source_field, lang_field)

    stages = _Stages(progress, ("read", "sign", "band", "verify", "cluster"))
    lap = stages.lap
    try:
        return _dedup(
            collection, lap, stages.seconds, lsh=lsh, fields=fields, threshold=threshold, ngram=ngram,
            unit=unit, seed=seed, verify=verify, keep=keep, similarity=similarity,
            lsh_threshold=lsh_threshold, band_partitions=band_partitions,
            shuffle_method=shuffle_method, max_driver_edges=max_driver_edges,
        )
    finally:
        stages.close()


def _dedup(
    collection: Any, lap: Any, seconds: dict, *, lsh: Any, fields: _Fields, threshold: float, ngram: int,
    unit: str, seed: int, verify: bool, keep: str, similarity: str, lsh_threshold: float,
    band_partitions: int | None, shuffle_method: str | None, max_driver_edges: int,
) -> Any:
    dask, dd, _ = _require_dask()
    from retold.copies import CopyPairs, DedupStats, _best_matches, _representatives

    corpus = _place(collection, fields)
    n, n_parts = corpus.n, len(corpus.parts)
    if n > (1 << 32) - 1:
        raise ValueError(f"at most {(1 << 32) - 1} documents, got {n}")
    meta = _gather_columns(corpus, ("id", "length", "date_us"))
    ids = [str(i) for i in meta["id"].tolist()]
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        for ident in ids:
            if ident in seen:
                raise ValueError(f"duplicate document id {ident!r}: ids must be unique")
            seen.add(ident)

    lap("read")
    # sign -> one shuffle on (band, key) -> candidate pairs per bucket
    signed = list(dask.persist(*[_delayed(_sign_part, p, lsh, ngram, unit, seed) for p in corpus.parts]))
    empty_parts = dask.compute(*[_delayed(operator.getitem, s, 1) for s in signed])
    empty = np.concatenate(empty_parts) if empty_parts else np.zeros(0, bool)
    lap("sign")
    shift = _bucket_key_shift(int((~empty).sum()))
    band_rows = [_delayed(_truncated_keys, s, shift) for s in signed]
    frame = dd.from_delayed(band_rows, meta=_band_meta(), verify_meta=False)
    band_parts = band_partitions or max(1, n_parts)
    shuffled = frame.shuffle(on=["band", "key"], npartitions=band_parts, shuffle_method=shuffle_method)
    bucketed = [_delayed(_bucket_pairs, p, lsh.bucket_cap) for p in shuffled.to_delayed()]
    routed = list(dask.persist(*[_delayed(_route, b, corpus.bounds) for b in bucketed]))
    del signed, band_rows, frame, shuffled, bucketed
    summaries = dask.compute(*[_delayed(_route_summary, r) for r in routed])
    lap("band")
    band_row_count = int(lsh.bands * int((~empty).sum()))

    # verify where the texts live: exports per text partition, then one task per block
    mode = "verify" if verify else "estimate"
    need_from: dict[int, list] = {}
    block_from: dict[int, list] = {}
    for m, (blocks, needs, _, _) in enumerate(summaries):
        for q in needs:
            need_from.setdefault(q, []).append(_delayed(_pick, routed[m], "need", q))
        for blk in blocks:
            block_from.setdefault(blk, []).append(_delayed(_pick, routed[m], "blocks", blk))
    exports = {
        q: _delayed(
            _export, corpus.parts[q], int(corpus.bounds[q]), mode, ngram, unit, lsh.num_perm, seed, *parts
        )
        for q, parts in sorted(need_from.items())
    }
    verified = []
    for blk, parts in sorted(block_from.items()):
        p, q = divmod(blk, n_parts)
        verified.append(
            _delayed(
                _verify_block, exports[p], None if p == q else exports[q], mode,
                similarity == "containment", threshold, *parts,
            )
        )
    verified = list(dask.persist(*verified))
    counts = dask.compute(*[_delayed(_block_counts, v) for v in verified])
    lap("verify")
    n_candidates = int(sum(c for c, _ in counts))
    n_accepted = int(sum(a for _, a in counts))
    del routed, exports

    edge_meta = _edges_frame((np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), 0))
    pair_frame = (
        dd.from_delayed([_delayed(_edges_frame, v) for v in verified], meta=edge_meta, verify_meta=False)
        if verified
        else dd.from_pandas(edge_meta, npartitions=1)
    )
    dask_stats: dict[str, Any] = {
        "partitions": n_parts,
        "band_partitions": band_parts,
        "band_rows": band_row_count,
        # Each row is a uint16 band, a uint64 key and an int64 position.
        "shuffle_bytes": band_row_count * 18,
        "blocks": len(block_from),
    }

    if n_accepted <= max_driver_edges:
        dask_stats["components"] = "driver"
        blocks_out = dask.compute(*verified)
        if blocks_out:
            left = np.concatenate([b[0] for b in blocks_out])
            right = np.concatenate([b[1] for b in blocks_out])
            sims = np.concatenate([b[2] for b in blocks_out])
        else:
            left = right = np.zeros(0, np.int64)
            sims = np.zeros(0, np.float64)
        order = np.lexsort((right, left))
        pairs = CopyPairs(left[order], right[order], sims[order], np.full(len(order), verify, dtype=bool))
        roots = np.empty(n, dtype=np.int64)
        kernels("lsh").union_find(pairs.left, pairs.right, roots)
        matched, match_sim = _best_matches(n, pairs)
    else:
        dask_stats["components"] = "distributed"
        components = connected_components(pair_frame, npartitions=max(1, n_parts)).compute()
        roots = np.arange(n, dtype=np.int64)
        roots[components["u"].to_numpy()] = components["v"].to_numpy()
        matched, match_sim = _distributed_best_matches(pair_frame, n)
        pairs = CopyPairs(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool))
    # Roots are the smallest member, so cluster ids follow first appearance (as retold.dedup).
    _, labels = np.unique(roots, return_inverse=True)
    labels = labels.astype(np.int64).reshape(-1)
    n_clusters = int(labels.max()) + 1 if n else 0
    signed_like = SimpleNamespace(lengths=meta["length"].astype(np.int64), dates=meta["date_us"].astype(np.int64))
    reps = _representatives(labels, n_clusters, keep, signed_like)

    buckets_capped = int(sum(s[2] for s in summaries))
    largest_bucket = int(max((s[3] for s in summaries), default=0))
    stats = DedupStats(
        documents=n,
        empty=int(empty.sum()),
        candidates=n_candidates,
        accepted=n_accepted,
        rejected=n_candidates - n_accepted,
        params=lsh.params,
        lsh_threshold=lsh_threshold,
        bucket_cap=lsh.bucket_cap,
        buckets_capped=buckets_capped,
        largest_bucket=largest_bucket,
    )
    lap("cluster")
    dask_stats["seconds"] = seconds
    return DaskDedupResult(
        ids=ids,
        labels=labels,
        representatives=reps,
        matched_with=matched,
        similarity=match_sim,
        pairs=pairs,
        stats=stats,
        threshold=threshold,
        measure=similarity,
        keep=keep,
        dask_stats=dask_stats,
        pair_frame=pair_frame,
        _corpus=corpus,
    )


def _best_partner(frame: Any) -> Any:
    """Per document of this partition, its best match: highest similarity, ties to the earlier."""
    import pandas as pd

    doc = frame["u"].to_numpy()
    partner = frame["v"].to_numpy()
    sim = frame["similarity"].to_numpy()
    if len(doc) == 0:
        return pd.DataFrame({"u": doc, "v": partner, "similarity": sim})
    order = np.lexsort((partner, -sim, doc))
    doc, partner, sim = doc[order], partner[order], sim[order]
    first = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])
    return pd.DataFrame({"u": doc[first], "v": partner[first], "similarity": sim[first]})


def _both_ways_sim(frame: Any) -> Any:
    import pandas as pd

    u, v, s = frame["u"].to_numpy(), frame["v"].to_numpy(), frame["similarity"].to_numpy()
    return pd.DataFrame({"u": np.concatenate([u, v]), "v": np.concatenate([v, u]), "similarity": np.concatenate([s, s])})


def _distributed_best_matches(pair_frame: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    meta = _best_partner(_both_ways_sim(_edges_frame((np.zeros(0, np.int64),) * 2 + (np.zeros(0), 0))))
    both = pair_frame.map_partitions(_both_ways_sim, meta=meta)
    best = both.shuffle(on="u").map_partitions(_best_partner, meta=meta).compute()
    matched = np.full(n, -1, dtype=np.int64)
    similarity = np.full(n, np.nan, dtype=np.float64)
    matched[best["u"].to_numpy()] = best["v"].to_numpy()
    similarity[best["u"].to_numpy()] = best["similarity"].to_numpy()
    return matched, similarity


# ---------------------------------------------------------------- writing results


def _dataset_into_place(write: Any, path: str | os.PathLike[str]) -> None:
    """Run ``write(tmp_dir)`` and rename the directory over ``path`` (atomic on one file system).

    A URL (``s3://...``, ``gs://...``: object stores cannot rename) is written in place.
    """
    if "://" in os.fspath(path):
        write(os.fspath(path))
        return
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(str(tmp))
        if target.is_dir():
            old = target.with_name(f".{target.name}.{uuid.uuid4().hex}.old")
            target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            if target.exists():
                target.unlink()
            tmp.rename(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _dedup_rows(part: Any, labels: np.ndarray, sizes: np.ndarray, reps: list, is_rep: np.ndarray,
                matched: list, sims: np.ndarray) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "id": part["id"].astype(object).to_numpy(),
            "cluster": labels,
            "cluster_size": sizes,
            "representative": pd.Series(reps, dtype=object).to_numpy(),
            "is_representative": is_rep,
            "matched_with": pd.Series(matched, dtype=object).to_numpy(),
            "similarity": np.round(sims, 6),
        }
    )


def _write_dedup_parquet(result: Any, path: str | os.PathLike[str]) -> None:
    _, dd, _ = _require_dask()
    corpus: _Corpus = result._corpus
    sizes = result.cluster_sizes
    ids = result.ids
    parts = []
    for i, part in enumerate(corpus.parts):
        a, b = int(corpus.bounds[i]), int(corpus.bounds[i + 1])
        labels = result.labels[a:b]
        rep_pos = result.representatives[labels]
        match = result.matched_with[a:b]
        parts.append(
            _delayed(
                _dedup_rows, part, labels, sizes[labels], [ids[r] for r in rep_pos.tolist()],
                rep_pos == np.arange(a, b), [ids[m] if m >= 0 else None for m in match.tolist()],
                result.similarity[a:b],
            )
        )
    meta = _dedup_rows(
        _place_part([], 0, _Fields()), np.zeros(0, np.int64), np.zeros(0, np.int64), [],
        np.zeros(0, bool), [], np.zeros(0),
    )
    frame = dd.from_delayed(parts, meta=meta, verify_meta=False)
    schema = {"id": "string", "cluster": "int64", "cluster_size": "int64", "representative": "string",
              "is_representative": "bool_", "matched_with": "string", "similarity": "float64"}
    _dataset_into_place(lambda tmp: frame.to_parquet(tmp, write_index=False, schema=_schema(schema)), path)


def _schema(columns: dict[str, str]) -> Any:
    """A pyarrow schema (columns of None-able strings cannot be inferred from empty meta)."""
    import pyarrow as pa

    return pa.schema([(name, getattr(pa, kind)()) for name, kind in columns.items()])


def _pair_rows(frame: Any, ids: Any) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "left": pd.Series([ids[i] for i in frame["u"].tolist()], dtype=object).to_numpy(),
            "right": pd.Series([ids[i] for i in frame["v"].tolist()], dtype=object).to_numpy(),
            "similarity": np.round(frame["similarity"].to_numpy(), 6),
        }
    )


def _write_pairs_parquet(result: Any, path: str | os.PathLike[str]) -> None:
    import pandas as pd

    ids = np.asarray(result.ids, dtype=object)
    meta = pd.DataFrame({"left": pd.Series([], dtype=object), "right": pd.Series([], dtype=object),
                         "similarity": np.zeros(0)})
    frame = result.pair_frame.map_partitions(_pair_rows, ids, meta=meta)
    schema = _schema({"left": "string", "right": "string", "similarity": "float64"})
    _dataset_into_place(lambda tmp: frame.to_parquet(tmp, write_index=False, schema=schema), path)


# ---------------------------------------------------------------- stories


def _story_counts(part: Any, model: Any) -> np.ndarray:
    """Document frequencies of one partition's articles (dense, ``2**n_bits``), by the model's own fit."""
    import copy

    articles = _gather_articles(part, np.arange(len(part)))
    return copy.copy(model).fit(articles).df


def _add_arrays(*arrays: np.ndarray) -> np.ndarray:
    total = arrays[0].copy()
    for a in arrays[1:]:
        total += a
    return total


def _tree_sum(dask: Any, items: list) -> Any:
    """Pairwise (tree) sum of delayed arrays, so no worker receives them all at once."""
    while len(items) > 1:
        items = [
            _delayed(_add_arrays, *items[i : i + 8]) if len(items[i : i + 8]) > 1 else items[i]
            for i in range(0, len(items), 8)
        ]
    return items[0]


def _story_vectors(part: Any, model: Any) -> tuple:
    """One partition's story vectors (CSR arrays, weighted by the corpus idf the model holds),
    with the articles' dates in days and dominant scripts: what the clustering needs of them."""
    from retold.stories import article_days, dominant_scripts

    articles = _gather_articles(part, np.arange(len(part)))
    vectors = model.vectors(articles)
    return vectors.offsets, vectors.indices, vectors.values, article_days(articles), dominant_scripts(articles)


def _cluster_stories(options: dict, n_features: int, *pieces: tuple) -> np.ndarray:
    """Story ids of the whole corpus from the partitions' vectors, in input order
    (:func:`retold.stories.cluster_vectors`, the step :func:`retold.stories` ends with)."""
    from retold.stories import StoryVectors, cluster_vectors

    offsets, base = [np.zeros(1, dtype=np.int64)], 0
    for piece in pieces:
        offsets.append(piece[0][1:] + base)
        base += int(piece[0][-1])
    vectors = StoryVectors(
        np.concatenate(offsets),
        np.concatenate([p[1] for p in pieces]) if pieces else np.zeros(0, dtype=np.uint32),
        np.concatenate([p[2] for p in pieces]) if pieces else np.zeros(0, dtype=np.float64),
        n_features,
    )
    days = np.concatenate([p[3] for p in pieces]) if pieces else np.zeros(0)
    scripts = np.concatenate([p[4] for p in pieces]) if pieces else np.zeros(0, dtype=np.int64)
    return cluster_vectors(vectors, days, scripts, **options)


@dataclass(frozen=True, eq=False, repr=False)
class DaskStoryResult:
    """Stories found on a Dask cluster.

    Attributes
    ----------
    labels : np.ndarray of int64
        Story id of each article in input order, numbered as :func:`retold.stories` numbers
        them (from 0, in order of each story's first article in time).
    ids : tuple of str
        Article ids in input order.
    model : StoryModel
        The model, with the document frequencies of the whole corpus.
    dask_stats : dict
        ``partitions`` and ``vector_bytes`` (the story vectors sent to the clustering task).
    """

    labels: np.ndarray
    ids: tuple
    model: Any = field(repr=False)
    dask_stats: dict = field(default_factory=dict)
    _corpus: Any = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.labels)

    def __repr__(self) -> str:
        return f"DaskStoryResult(articles={len(self.labels)}, stories={self.n_stories})"

    @property
    def n_stories(self) -> int:
        return int(self.labels.max()) + 1 if len(self.labels) else 0

    def describe(self, min_size: int = 1) -> tuple:
        """The stories of at least ``min_size`` articles, by id, as :class:`retold.stories.Story`.

        Their articles are gathered from the workers to describe them exactly as
        :attr:`retold.StoryResult.stories` does (time span, sources, top words); with
        ``min_size=1`` that is every article of the corpus, so prefer a larger ``min_size`` on
        big corpora.
        """
        import dataclasses

        from retold.stories import StoryResult

        dask, _, _ = _require_dask()
        sizes = np.bincount(self.labels) if len(self.labels) else np.zeros(0, dtype=np.int64)
        wanted = np.flatnonzero(sizes[self.labels] >= min_size) if len(self.labels) else np.zeros(0, np.int64)
        if len(wanted) == 0:
            return ()
        corpus: _Corpus = self._corpus
        part_of = np.searchsorted(corpus.bounds, wanted, side="right") - 1
        pieces = []
        for p in np.unique(part_of).tolist():
            rows = wanted[part_of == p] - corpus.bounds[p]
            pieces.append(_delayed(_gather_articles, corpus.parts[p], rows))
        articles = [a for piece in dask.compute(*pieces) for a in piece]
        vectors = self.model._weigh(*self.model._features(articles))
        subset = StoryResult(self.labels[wanted], tuple(a.id for a in articles), articles, vectors, self.model)
        return tuple(
            dataclasses.replace(s, members=tuple(int(wanted[m]) for m in s.members)) for s in subset.stories
        )

    @cached_property
    def stories(self) -> tuple:
        """Every story (singletons included), by id: :meth:`describe` with ``min_size=1``."""
        return self.describe(1)

    def multi(self, min_size: int = 2) -> tuple:
        """The stories of at least ``min_size`` articles, largest first (as :meth:`retold.StoryResult.multi`)."""
        return tuple(sorted(self.describe(min_size), key=lambda s: (-s.size, s.id)))

    def to_records(self) -> list[dict[str, Any]]:
        """One record per article: ``id``, ``story``, ``story_size`` (as :meth:`retold.StoryResult.to_records`)."""
        sizes = np.bincount(self.labels) if len(self.labels) else np.zeros(0, dtype=np.int64)
        return [
            {"id": i, "story": int(s), "story_size": int(sizes[s])}
            for i, s in zip(self.ids, self.labels.tolist())
        ]

    def to_parquet(self, path: str | os.PathLike[str]) -> None:
        """Write ``id``, ``story``, ``story_size`` per article as a Parquet dataset, from the workers, atomically."""
        _, dd, _ = _require_dask()
        corpus: _Corpus = self._corpus
        sizes = np.bincount(self.labels) if len(self.labels) else np.zeros(0, dtype=np.int64)
        parts = []
        for i, part in enumerate(corpus.parts):
            a, b = int(corpus.bounds[i]), int(corpus.bounds[i + 1])
            parts.append(_delayed(_story_rows, part, self.labels[a:b], sizes[self.labels[a:b]]))
        meta = _story_rows(_place_part([], 0, _Fields()), np.zeros(0, np.int64), np.zeros(0, np.int64))
        frame = dd.from_delayed(parts, meta=meta, verify_meta=False)
        schema = _schema({"id": "string", "story": "int64", "story_size": "int64"})
        _dataset_into_place(lambda tmp: frame.to_parquet(tmp, write_index=False, schema=schema), path)


def _gather_articles(part: Any, rows: np.ndarray, date_us: np.ndarray | None = None) -> list[Article]:
    """Articles of the given rows, rebuilt from the placed frame (dates to the microsecond).

    ``date_us`` replaces their dates (microseconds, one per row) when given.
    """
    out = []
    epoch = _dt.datetime(1970, 1, 1)
    columns = {name: part[name].to_numpy() for name in ("id", "text", "title", "date_us", "source", "lang")}
    for i, r in enumerate(rows.tolist()):
        us = int(columns["date_us"][r] if date_us is None else date_us[i])
        out.append(Article(
            id=str(columns["id"][r]), text=columns["text"][r], title=columns["title"][r] or None,
            date=None if us == _NO_DATE else epoch + _dt.timedelta(microseconds=us),
            source=columns["source"][r] or None, lang=columns["lang"][r] or None,
        ))
    return out


def _story_rows(part: Any, labels: np.ndarray, sizes: np.ndarray) -> Any:
    import pandas as pd

    return pd.DataFrame({"id": part["id"].astype(object).to_numpy(), "story": labels, "story_size": sizes})


def stories(
    collection: Any,
    *,
    model: Any = None,
    text_field: str = "text",
    id_field: str = "id",
    date_field: str = "date",
    title_field: str = "title",
    source_field: str = "source",
    lang_field: str = "lang",
    **options: Any,
) -> DaskStoryResult:
    """Group a corpus into stories on a Dask cluster: the labels of :func:`retold.stories`.

    1. the model's document frequencies are counted per partition (by the model's own
       :meth:`~retold.StoryModel.fit`) and summed in a tree: the same integers as a
       single-machine fit;
    2. each partition's articles become story vectors on the worker that holds them (the
       features are most of the cost), weighted by that corpus-wide idf;
    3. one task gathers the vectors and runs the clustering step of :func:`retold.stories`
       (:func:`retold.stories.cluster_vectors`: nearest neighbours, average link), so the labels
       are always those of the single-machine run.

    The vectors are about 12 bytes per distinct feature of an article (some 2 KB an article):
    the clustering task needs that for the whole corpus, about 2 GB per million articles.

    Parameters
    ----------
    collection : dask.bag.Bag or dask.dataframe.DataFrame
        As for :func:`dedup`.
    model : StoryModel, optional
        As for :func:`retold.stories` (fitted on the corpus when it has seen no documents).
    **options
        The clustering options of :func:`retold.stories` (``threshold``, ``density_penalty``,
        ``window_days``, ``neighbours``, ``cross_script_weight``), with its defaults.

    Returns
    -------
    DaskStoryResult
    """
    dask, _, _ = _require_dask()
    import inspect

    from retold.stories import CLUSTERING_OPTIONS, StoryModel, check_clustering_options
    from retold.stories import stories as single_machine

    # The single-machine options and defaults, read from it so that the two cannot drift apart.
    accepted = {
        name: p.default for name, p in inspect.signature(single_machine).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and name not in ("workers", "model")
    }
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise TypeError(f"unexpected option(s) {', '.join(unknown)}; retold.stories takes {', '.join(accepted)}")
    options = check_clustering_options(**{**accepted, **options})  # checked here, not in the tasks
    if model is None:
        model = StoryModel(**CLUSTERING_OPTIONS)
    elif not isinstance(model, StoryModel):
        raise TypeError(f"model must be a StoryModel, not {type(model).__name__}")
    fields = _Fields(id_field, text_field, title_field, date_field, source_field, lang_field)
    corpus = _place(collection, fields)
    n, n_parts = corpus.n, len(corpus.parts)
    if model.n_docs == 0 and n:
        counts = [_delayed(_story_counts, p, model) for p in corpus.parts]
        model.df = dask.compute(_tree_sum(dask, counts))[0]
        model.n_docs = n
    ids = tuple(str(i) for i in _gather_columns(corpus, ("id",))["id"].tolist())
    model_d = dask.delayed(model, pure=True)
    pieces = [_delayed(_story_vectors, p, model_d) for p in corpus.parts]
    sizes = [_delayed(_piece_bytes, piece) for piece in pieces]
    labels, vector_bytes = dask.compute(_delayed(_cluster_stories, options, model.n_features, *pieces), sizes)
    stats = {"partitions": n_parts, "vector_bytes": int(sum(vector_bytes))}
    return DaskStoryResult(np.asarray(labels, dtype=np.int64), ids, model, stats, corpus)


def _piece_bytes(piece: tuple) -> int:
    return sum(int(a.nbytes) for a in piece)


# ---------------------------------------------------------------- reused passages


def _reuse_rows(part: Any, ngram: int, buckets: int) -> list:
    """A partition's n-gram rows (global positions), split into ``buckets`` by hash."""
    from retold.reuse_index import ngram_rows

    first = int(part["pos"].iloc[0]) if len(part) else 0
    hashes, docs, positions = ngram_rows(list(part["text"]), ngram=ngram, first=first)
    docs, positions = docs.astype(np.int32), positions.astype(np.int32)  # 16 bytes a row to ship
    which = (hashes % np.uint64(buckets)).astype(np.int64)
    return [(hashes[which == b], docs[which == b], positions[which == b]) for b in range(buckets)]


def _reuse_bucket(max_df: int, *rows: tuple) -> Any:
    """The pair evidence of one hash bucket; its rows come in partition (so document) order."""
    from retold.reuse_index import pair_evidence

    return pair_evidence(*(np.concatenate([r[j] for r in rows]) for j in range(3)), max_df=max_df)


def _row_count(piece: list) -> int:
    return sum(len(bucket[0]) for bucket in piece)


def _reuse_texts(part: Any, wanted: np.ndarray) -> dict:
    """Texts of the wanted global positions that this partition holds."""
    pos = part["pos"].to_numpy()
    keep = np.isin(pos, wanted)
    return dict(zip(pos[keep].tolist(), part["text"].to_numpy()[keep].tolist()))


def _reuse_align(pairs: Any, ngram: int, min_tokens: int, *texts: dict) -> Any:
    from retold.reuse_index import align_candidates

    merged: dict = {}
    for t in texts:
        merged.update(t)
    return align_candidates(merged, pairs, ngram=ngram, min_tokens=min_tokens)


def _reuse_articles(part: Any, wanted: np.ndarray) -> dict:
    pos = part["pos"].to_numpy()
    rows = np.flatnonzero(np.isin(pos, wanted))
    return dict(zip(pos[rows].tolist(), _gather_articles(part, rows)))


def reused_passages(
    collection: Any,
    *,
    text_field: str = "text",
    id_field: str = "id",
    date_field: str = "date",
    title_field: str = "title",
    source_field: str = "source",
    lang_field: str = "lang",
    buckets: int | None = None,
    **options: Any,
) -> Any:
    """Passages reused across a corpus on a Dask cluster: the result of :func:`retold.reused_passages`.

    1. **index** where the texts live: each partition's n-gram rows, split into ``buckets`` by
       hash (default: the number of partitions);
    2. **candidates**: each bucket's pair evidence (posting lists capped at ``max_df``) in one
       task; the buckets hold disjoint n-grams, so their evidence adds up on the driver to
       exactly the single-machine counts;
    3. **align**: the candidate pairs in chunks, each task given the texts of just its articles;
    4. **cluster** on the driver, over the aligned spans and the articles they name.

    ``options`` are those of :func:`retold.reused_passages` (``workers`` excepted), with its
    defaults; ``stats.seconds`` times the stages as seen from the driver.
    """
    dask, _, _ = _require_dask()
    from retold.passage_reuse import (
        DEFAULTS,
        ReusedPassages,
        ReuseStats,
        check_reuse_options,
        cluster_alignments,
    )
    from retold.reuse_index import Alignments, merge_pair_evidence

    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise TypeError(f"unexpected option(s) {', '.join(unknown)}; "
                        f"retold.reused_passages takes {', '.join(DEFAULTS)}")
    opts = check_reuse_options(**{**DEFAULTS, **options})
    fields = _Fields(id_field, text_field, title_field, date_field, source_field, lang_field)
    corpus = _place(collection, fields)
    n_parts = len(corpus.parts)
    n_buckets = check_int(buckets if buckets is not None else max(1, n_parts), "buckets", 1, 1 << 16)
    seconds: dict[str, float] = {}
    began = time.perf_counter()
    rows = [_delayed(_reuse_rows, p, opts["ngram"], n_buckets) for p in corpus.parts]
    counted = [_delayed(_row_count, r) for r in rows]
    # Each bucket task is sent its own slice of every partition's rows, not the whole rows.
    evidence = [_delayed(_reuse_bucket, opts["max_df"], *[_delayed(operator.getitem, r, b) for r in rows])
                for b in range(n_buckets)]
    parts, sizes = dask.compute(evidence, counted)
    seconds["index+candidates"] = time.perf_counter() - began
    began = time.perf_counter()
    whole = merge_pair_evidence(list(parts))
    candidates = whole.candidates(opts["min_shared"])
    if not opts["same_source"]:
        sources = _gather_columns(corpus, ("source",))["source"].tolist()
        candidates = candidates.across_sources(sources)
    wanted = np.unique(np.concatenate([candidates.left, candidates.right]))
    texts = [_delayed(_reuse_texts, p, wanted) for p in corpus.parts]
    size = max(1, -(-len(candidates) // max(1, 4 * n_parts)))
    chunks = [_delayed(_reuse_align, candidates.rows(i, min(i + size, len(candidates))),
                       opts["ngram"], opts["min_tokens"], *texts)
              for i in range(0, len(candidates), size)]
    aligned = Alignments.concatenate(list(dask.compute(*chunks)))
    seconds["align"] = time.perf_counter() - began
    began = time.perf_counter()
    named = np.unique(np.concatenate([aligned.left_doc, aligned.right_doc]))
    articles: dict = {}
    for piece in dask.compute(*[_delayed(_reuse_articles, p, named) for p in corpus.parts]):
        articles.update(piece)
    passages = cluster_alignments(aligned, articles, relative_overlap=opts["relative_overlap"])
    seconds["cluster"] = time.perf_counter() - began
    stats = ReuseStats(
        documents=corpus.n, ngrams=int(sum(sizes)), rare_ngrams=whole.rare,
        boilerplate_ngrams=whole.boilerplate, evidence_pairs=len(whole),
        candidate_pairs=len(candidates), alignments=len(aligned), passages=len(passages),
        seconds=seconds,
    )
    return ReusedPassages(passages, stats, opts)


# ---------------------------------------------------------------- command line


def add_dask_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--scheduler ADDRESS`` and ``--dask-workers N`` to a command's parser."""
    group = parser.add_argument_group(f"Dask (needs {_INSTALL})")
    where = group.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on the Dask cluster whose scheduler is at ADDRESS (e.g. tcp://10.0.0.5:8786)",
    )
    where.add_argument(
        "--dask-workers",
        type=int,
        metavar="N",
        help="run on a local Dask cluster of N worker processes (one thread each)",
    )


def dask_client_from_args(args: argparse.Namespace) -> Any:
    """The ``distributed.Client`` the options ask for, or None when neither option was given.

    Use it as a context manager: closing the client also stops a local cluster it started.

    Raises
    ------
    ImportError
        dask or distributed is missing (the message says what to install).
    ValueError
        ``--dask-workers`` below 1, or a scheduler that cannot be reached.
    """
    address = getattr(args, "scheduler", None)
    workers = getattr(args, "dask_workers", None)
    if address is None and workers is None:
        return None
    _require_dask()
    from distributed import Client

    if address is not None:
        try:
            return Client(address, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise ValueError(f"cannot reach the Dask scheduler at {address!r}: {exc}") from None
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"--dask-workers must be a positive int, got {workers!r}")
    return Client(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
