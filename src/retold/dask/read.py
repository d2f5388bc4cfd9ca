"""Reading corpora and placing them on the workers: every record an article, numbered by its
position in the whole input, persisted where it was read.
"""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from retold.article import Article
from retold.article_fields import FieldNames
from retold.dask.runtime import delayed, is_bag, is_dataframe, require_dask
from retold.dates import NO_DATE_US, microseconds

__all__ = ["read_articles", "Fields", "Corpus", "place", "place_part", "gather_columns", "gather_articles"]


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
    _, dd, _ = require_dask()
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


# The field names of the readers, one definition for the single-machine and the Dask paths.
Fields = FieldNames


_PLACED_COLUMNS = ("pos", "id", "text", "title", "date_us", "source", "lang", "length", "auto_id")


def _article_from_record(record: Any, position: int, fields: Fields) -> Article:
    if isinstance(record, Article):
        return record
    if isinstance(record, str):
        return Article(id=str(position), text=record)
    if isinstance(record, dict):
        return Article.from_record(record, position, fields)
    raise TypeError(f"document {position}: expected str, dict or retold.Article, not {type(record).__name__}")


def _records_of(part: Any) -> list[Any]:
    """The records of one partition: a list of bag items, or of a pandas frame's rows as dicts."""
    if hasattr(part, "to_dict") and hasattr(part, "columns"):
        import pandas as pd

        # Absent cells (NaN, NaT, None, pd.NA) become None, as in a record read from JSON.
        plain = part.astype(object).where(pd.notna(part), None)
        records: list[Any] = plain.to_dict(orient="records")
        return records
    return list(part)


def place_part(part: Any, offset: int, fields: Fields) -> Any:
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
        (isinstance(r, str) or (isinstance(r, dict) and r.get(fields.id_field) is None) for r in records),
        dtype=bool, count=len(records),
    )
    return _placed_frame(
        offset,
        ids=[a.id for a in articles],
        texts=[a.text for a in articles],
        titles=[a.title for a in articles],
        # The date key retold.dedup ranks "earliest" by (microseconds, undated last).
        date_us=microseconds([a.date for a in articles]),
        sources=[a.source for a in articles],
        langs=[a.lang for a in articles],
        auto_id=auto_id,
    )


def _placed_frame(offset: int, *, ids: list[Any], texts: list[Any], titles: list[Any], date_us: np.ndarray, sources: list[Any],
                  langs: list[Any], auto_id: np.ndarray) -> Any:
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


def _place_frame(frame: Any, offset: int, fields: Fields) -> Any:
    """:func:`place_part` for a pandas frame, column by column: the fields as
    :meth:`retold.Article.from_dict` reads them, without an object per article.

    Returns None when a record is not plain (a text that is not a string, a date that does not
    parse), so that the per-record path raises the error naming it.
    """
    from retold.article import parse_date

    n = len(frame)
    if fields.text_field not in frame.columns:
        return None
    texts = _column_values(frame, fields.text_field)
    if not all(type(t) is str for t in texts):
        return None

    def optional(name: str) -> list[Any]:
        # `record.get(field) or None`, as Article.from_dict takes titles, sources and languages.
        if name not in frame.columns:
            return [None] * n
        return [v or None for v in _column_values(frame, name)]

    titles = optional(fields.title_field)
    if not all(t is None or type(t) is str for t in titles):
        return None

    if fields.id_field in frame.columns:
        raw_ids = _column_values(frame, fields.id_field)
        auto_id = np.fromiter((v is None for v in raw_ids), dtype=bool, count=n)
        ids = [str(offset + i) if v is None else (v if type(v) is str else str(v)) for i, v in enumerate(raw_ids)]
    else:
        auto_id = np.ones(n, dtype=bool)
        ids = [str(offset + i) for i in range(n)]
    dates: list[Any] = [None] * n
    if fields.date_field in frame.columns:
        parsed: dict[tuple[type, Any], Any] = {}
        for i, value in enumerate(_column_values(frame, fields.date_field)):
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
        offset, ids=ids, texts=texts, titles=titles, date_us=microseconds(dates),
        sources=optional(fields.source_field), langs=optional(fields.lang_field), auto_id=auto_id,
    )


def _column_values(frame: Any, name: str) -> list[Any]:
    """A column as Python values, absent cells (NaN, NaT, None, pd.NA) as None."""
    import pandas as pd

    column = frame[name]
    values: list[Any] = column.astype(object).tolist()
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
class Corpus:
    """The placed corpus: one persisted pandas frame per partition, and where each begins."""

    parts: list[Any]  # delayed / persisted pandas frames
    bounds: np.ndarray  # int64, len(parts) + 1: partition i holds positions [bounds[i], bounds[i+1])

    @property
    def n(self) -> int:
        return int(self.bounds[-1])


def place(collection: Any, fields: Fields) -> Corpus:
    """Number the documents of a bag or dataframe in input order and persist them as articles."""
    dask, _, _ = require_dask()
    if isinstance(collection, Corpus):
        return collection
    if is_dataframe(collection):
        if fields.text_field not in collection.columns:
            raise ValueError(
                f"the dataframe has no column {fields.text_field!r} (columns: {', '.join(map(str, collection.columns))}); "
                "name the text column with text_field="
            )
        raw = collection.to_delayed()
    elif is_bag(collection):
        raw = collection.to_delayed()
    else:
        raise TypeError(
            f"collection must be a dask bag or dask dataframe, not {type(collection).__name__}; "
            "for an in-memory list use retold.dedup / retold.stories"
        )
    # Each partition is read once and numbered from 0; once the lengths are known, positions
    # (and so ids of plain strings and every tie-break) become those of the single-machine run.
    staged = list(dask.persist(*[delayed(place_part, p, 0, fields) for p in raw]))
    lengths = np.asarray(dask.compute(*[delayed(len, s) for s in staged]), dtype=np.int64)
    bounds = np.zeros(len(raw) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    placed = list(dask.persist(*[delayed(_renumber, s, int(bounds[i])) for i, s in enumerate(staged)]))
    return Corpus(placed, bounds)


def gather_columns(corpus: Corpus, names: Sequence[str]) -> dict[str, np.ndarray]:
    dask, _, _ = require_dask()
    pieces = dask.compute(*[delayed(_columns_part, p, tuple(names)) for p in corpus.parts])
    out = {}
    for j, name in enumerate(names):
        arrays = [piece[j] for piece in pieces]
        out[name] = np.concatenate(arrays) if arrays else np.zeros(0)
    return out


def _columns_part(part: Any, names: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(part[name].to_numpy() for name in names)


def gather_articles(part: Any, rows: np.ndarray, date_us: np.ndarray | None = None) -> list[Article]:
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
            date=None if us == NO_DATE_US else epoch + _dt.timedelta(microseconds=us),
            source=columns["source"][r] or None, lang=columns["lang"][r] or None,
        ))
    return out
