"""Results as pandas DataFrames and Arrow tables: the one conversion behind every ``to_pandas``
and ``to_arrow``.

Each result describes a table as a :class:`Table`: named columns, each with a declared kind
(so an empty table has the same dtypes as a full one) and its values, either a numpy array
(passed to pyarrow and pandas without a copy where the dtype allows) or a list of Python
values.  The result's methods only name the table; what the columns are is written here, once,
and in the README.

Kinds and what they become:

==============  =========================  ==========================
kind            pandas dtype               Arrow type
==============  =========================  ==========================
``int64``       int64                      int64
``int64?``      Int64 (<NA>: no value)     int64 (null)
``float64``     float64 (NaN: no value)    double (NaN kept)
``bool``        bool                       bool
``string``      pandas' string dtype       string (null: no value)
``timestamp``   datetime64[us] (NaT)       timestamp[us] (null)
``strings``     object (lists of str)      list<string>
``records``     object (lists of dicts)    list<struct> (inferred)
==============  =========================  ==========================

pandas and pyarrow are optional: they are imported when a table is asked for, and their
absence is an ImportError naming the package to install.
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

KINDS = ("int64", "int64?", "float64", "bool", "string", "timestamp", "strings", "records")
_NUMPY_DTYPES = {"int64": np.int64, "float64": np.float64, "bool": np.bool_}
_PANDAS_EXTENSION = {"string": "string", "int64?": "Int64"}


def _require(module: str, caller: str) -> Any:
    try:
        return __import__(module)
    except ImportError as exc:
        raise ImportError(
            f"{caller} needs {module}, an optional dependency: pip install {module} "
            '(or pip install "retold[frames]")'
        ) from exc


@dataclass(frozen=True)
class Column:
    """One column: its ``kind`` (one of :data:`KINDS`) and its values."""

    kind: str
    values: np.ndarray | Sequence[Any]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column kind must be one of {', '.join(KINDS)}, not {self.kind!r}")

    def as_numpy(self) -> np.ndarray:
        """The values as a numpy array of the kind's dtype (no copy when they are one already)."""
        if self.kind in _NUMPY_DTYPES:
            return np.asarray(self.values, dtype=_NUMPY_DTYPES[self.kind])
        if self.kind == "timestamp":
            return np.asarray(self.values, dtype="datetime64[us]")
        out = np.empty(len(self.values), dtype=object)
        out[:] = list(self.values)
        return out


@dataclass(frozen=True)
class Table:
    """Named columns of equal length, and the row labels of the pandas index (None: 0, 1, ...)."""

    columns: Mapping[str, Column]
    index: Any = None
    name: str = field(default="table", compare=False)

    def __post_init__(self) -> None:
        lengths = {name: len(col.values) for name, col in self.columns.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"{self.name}: columns differ in length: {lengths}")

    def __len__(self) -> int:
        return next((len(c.values) for c in self.columns.values()), 0)

    def to_pandas(self) -> pd.DataFrame:
        """The table as a pandas DataFrame (numeric columns wrap the numpy arrays)."""
        pandas = _require("pandas", f"{self.name}.to_pandas")
        data: dict[str, Any] = {}
        for name, col in self.columns.items():
            if col.kind in _PANDAS_EXTENSION:
                data[name] = pandas.array(list(col.values), dtype=_PANDAS_EXTENSION[col.kind])
            else:
                data[name] = col.as_numpy()
        index = None if self.index is None else pandas.Index(self.index)
        if not self.columns:
            data, index = {}, index if index is not None else pandas.RangeIndex(0)
        frame: pd.DataFrame = pandas.DataFrame(data, index=index, copy=False)
        return frame

    def to_arrow(self) -> pa.Table:
        """The table as a pyarrow Table (numeric columns share the numpy arrays' memory)."""
        pyarrow = _require("pyarrow", f"{self.name}.to_arrow")
        arrays = [_arrow_array(pyarrow, col) for col in self.columns.values()]
        table: pa.Table = pyarrow.Table.from_arrays(arrays, names=list(self.columns))
        return table


def _arrow_array(pa: Any, col: Column) -> Any:
    if col.kind in _NUMPY_DTYPES:
        return pa.array(col.as_numpy())  # zero-copy for int64 and float64
    if col.kind == "timestamp":
        return pa.array(col.as_numpy(), type=pa.timestamp("us"), from_pandas=True)  # NaT -> null
    if col.kind == "string":
        return pa.array(list(col.values), type=pa.string())
    if col.kind == "int64?":
        return pa.array(list(col.values), type=pa.int64())
    if col.kind == "strings":
        return pa.array([None if v is None else list(v) for v in col.values], type=pa.list_(pa.string()))
    return pa.array(list(col.values))


def from_records(records: Iterable[Mapping[str, Any]], schema: Mapping[str, str], *,
                 name: str, index: Any = None) -> Table:
    """A :class:`Table` of ``records``, one column per entry of ``schema`` (name -> kind)."""
    rows = list(records)
    columns: dict[str, Column] = {}
    for column, kind in schema.items():
        values = [row.get(column) for row in rows]
        if kind == "timestamp":
            values = [_naive(v) for v in values]
        elif kind == "float64":
            values = [np.nan if v is None else v for v in values]
        columns[column] = Column(kind, values)
    return Table(columns, index=index, name=name)


def _naive(value: Any) -> Any:
    if isinstance(value, str):
        return _dt.datetime.fromisoformat(value)
    return value


def pick(tables: Mapping[str, Callable[[], Table]], what: str, owner: str) -> Table:
    """The table named ``what`` of a result, or ValueError listing the names it has."""
    make = tables.get(what)
    if make is None:
        raise ValueError(f"{owner}: what must be one of {', '.join(map(repr, tables))}, not {what!r}")
    return make()


class ResultTables:
    """``to_pandas`` and ``to_arrow`` of a result, written once: the result's class says what its
    tables are in :meth:`_tables` (one of the functions below), the first being the default."""

    def _tables(self) -> dict[str, Callable[[], Table]]:
        raise NotImplementedError

    def to_pandas(self, what: str | None = None) -> pd.DataFrame:
        """One of the result's tables as a pandas DataFrame, by name (default: the first).

        The names are listed in the class's docstring, and the ValueError for another name lists
        them too; columns and dtypes are listed in the README ("pandas, Arrow and Hugging Face")
        and in :mod:`retold.io.frames`.  A table of one row per input article (``documents``,
        ``articles``) is indexed by the result's ``row_labels``, so ``df.join(result.to_pandas())``
        lines up with the DataFrame the result was made from; other tables by 0, 1, ...
        """
        return self._table(what).to_pandas()

    def to_arrow(self, what: str | None = None) -> pa.Table:
        """The same table as :meth:`to_pandas`, as a pyarrow Table (no index: use the ids)."""
        return self._table(what).to_arrow()

    def _table(self, what: str | None) -> Table:
        tables = self._tables()
        return pick(tables, next(iter(tables)) if what is None else what, type(self).__name__)


# ------------------------------------------------------------------- the tables of each result
# Each function takes the result (duck-typed: this module is imported by the results' modules'
# methods, never the other way round) and returns its tables by name, made when asked for.


def dedup_tables(result: Any) -> dict[str, Callable[[], Table]]:
    """:class:`retold.DedupResult`: ``documents`` (default), ``pairs``, ``clusters``."""
    ids: list[str] = list(result.ids)

    def documents() -> Table:
        labels = np.asarray(result.labels, dtype=np.int64)
        reps = np.asarray(result.representatives, dtype=np.int64)[labels]
        matched = np.asarray(result.matched_with, dtype=np.int64).tolist()
        return Table({
            "id": Column("string", ids),
            "cluster": Column("int64", labels),
            "cluster_size": Column("int64", result.cluster_sizes[labels]),
            "representative": Column("string", [ids[i] for i in reps.tolist()]),
            "is_representative": Column("bool", result.is_representative),
            "matched_with": Column("string", [ids[m] if m >= 0 else None for m in matched]),
            "similarity": Column("float64", result.similarity),
        }, index=result.row_labels, name="DedupResult")

    def pairs() -> Table:
        a = np.asarray(result.pairs.a, dtype=np.int64)
        b = np.asarray(result.pairs.b, dtype=np.int64)
        return Table({
            "a": Column("string", [ids[i] for i in a.tolist()]),
            "b": Column("string", [ids[i] for i in b.tolist()]),
            "a_position": Column("int64", a),
            "b_position": Column("int64", b),
            "similarity": Column("float64", result.pairs.similarity),
            "verified": Column("bool", result.pairs.verified),
            "cluster": Column("int64", np.asarray(result.labels, dtype=np.int64)[a]),
        }, name="DedupResult")

    def clusters() -> Table:
        labels = np.asarray(result.labels, dtype=np.int64)
        order = np.argsort(labels, kind="stable")
        bounds = np.concatenate([[0], np.cumsum(result.cluster_sizes)]).tolist()
        members = [[ids[m] for m in order[a:b].tolist()] for a, b in zip(bounds[:-1], bounds[1:])]
        reps = np.asarray(result.representatives, dtype=np.int64)
        return Table({
            "cluster": Column("int64", np.arange(len(reps), dtype=np.int64)),
            "size": Column("int64", result.cluster_sizes),
            "representative": Column("string", [ids[i] for i in reps.tolist()]),
            "representative_position": Column("int64", reps),
            "members": Column("strings", members),
        }, name="DedupResult")

    return {"documents": documents, "pairs": pairs, "clusters": clusters}


def story_tables(result: Any) -> dict[str, Callable[[], Table]]:
    """:class:`retold.StoryResult`: ``articles`` (default), ``stories``."""
    labels = np.asarray(result.labels, dtype=np.int64)

    def articles() -> Table:
        sizes = np.bincount(labels, minlength=result.n_stories).astype(np.int64)
        columns = {
            "id": Column("string", list(result.ids)),
            "story": Column("int64", labels),
            "story_size": Column("int64", sizes[labels]),
        }
        if result.topics is not None:
            columns["topic"] = Column("int64", np.asarray(result.topics, dtype=np.int64))
        return Table(columns, index=result.row_labels, name="StoryResult")

    def stories() -> Table:
        found = result.stories
        columns = {
            "story": Column("int64", [s.id for s in found]),
            "size": Column("int64", [s.size for s in found]),
            "label": Column("string", [s.label for s in found]),
            "terms": Column("strings", [list(s.terms) for s in found]),
            "start": Column("timestamp", [s.start for s in found]),
            "end": Column("timestamp", [s.end for s in found]),
            "sources": Column("strings", [list(s.sources) for s in found]),
            "ids": Column("strings", [list(s.ids) for s in found]),
        }
        if result.topics is not None:
            columns["topic"] = Column("int64", [s.topic for s in found])
        return Table(columns, name="StoryResult")

    return {"articles": articles, "stories": stories}


EDGE_SCHEMA = {"source_id": "string", "derived_id": "string", "confidence": "float64",
               "source_name": "string", "external": "bool", "evidence": "records"}
REUSED_SCHEMA = {"cluster": "int64", "size": "int64", "documents": "int64", "id": "string",
                 "begin": "int64", "end": "int64", "date": "timestamp", "source": "string",
                 "first": "bool", "text": "string"}
REUSED_PASSAGE_SCHEMA = {"cluster": "int64", "occurrences": "int64", "documents": "int64",
                         "sources": "strings", "first_id": "string", "first_date": "timestamp",
                         "last_date": "timestamp", "span_days": "float64", "text": "string"}
PASSAGE_SCHEMA = {"a_start": "int64", "a_end": "int64", "b_start": "int64", "b_end": "int64",
                  "score": "int64", "tokens": "int64", "quoted": "bool", "a_tokens": "int64",
                  "b_tokens": "int64", "a_text": "string", "b_text": "string"}


def edges_table(edges: Iterable[Any]) -> Table:
    """Provenance edges (:class:`retold.Edge`): one row each, confidence unrounded, evidence as
    a list of ``{kind, detail, weight}``."""
    rows = [{
        "source_id": e.source_id, "derived_id": e.derived_id, "confidence": e.confidence,
        "source_name": e.source_name, "external": e.external,
        "evidence": [{"kind": x.kind, "detail": x.detail, "weight": float(x.weight)} for x in e.evidence],
    } for e in edges]
    return from_records(rows, EDGE_SCHEMA, name="edges")


def edges_to_pandas(edges: Iterable[Any]) -> pd.DataFrame:
    """What :func:`retold.provenance` returns, as a DataFrame (columns: :data:`EDGE_SCHEMA`)."""
    return edges_table(edges).to_pandas()


def edges_to_arrow(edges: Iterable[Any]) -> pa.Table:
    """What :func:`retold.provenance` returns, as an Arrow table (columns: :data:`EDGE_SCHEMA`)."""
    return edges_table(edges).to_arrow()


def passages_table(passages: Iterable[Any]) -> Table:
    """Passages of :func:`retold.align` (:class:`retold.Passage`): one row each."""
    return from_records((p.to_dict() for p in passages), PASSAGE_SCHEMA, name="passages")


def passages_to_pandas(passages: Iterable[Any]) -> pd.DataFrame:
    """What :func:`retold.align` returns, as a DataFrame (columns: :data:`PASSAGE_SCHEMA`)."""
    return passages_table(passages).to_pandas()


def passages_to_arrow(passages: Iterable[Any]) -> pa.Table:
    """What :func:`retold.align` returns, as an Arrow table (columns: :data:`PASSAGE_SCHEMA`)."""
    return passages_table(passages).to_arrow()


def reused_tables(result: Any) -> dict[str, Callable[[], Table]]:
    """:class:`retold.ReusedPassages`: ``occurrences`` (default, one row per printing) and
    ``passages`` (one row per reused passage)."""
    return {
        "occurrences": lambda: from_records(result.iter_records(), REUSED_SCHEMA, name="ReusedPassages"),
        "passages": lambda: from_records(result.iter_passage_records(), REUSED_PASSAGE_SCHEMA,
                                         name="ReusedPassages"),
    }


ANALYSIS_SCHEMAS: dict[str, dict[str, str]] = {
    "articles": {"id": "string", "title": "string", "source": "string", "date": "timestamp",
                 "lang": "string", "copy_cluster": "int64", "copy_cluster_size": "int64",
                 "is_representative": "bool", "story": "int64", "story_size": "int64"},
    "copy_pairs": {"a": "string", "b": "string", "similarity": "float64",
                   "verified": "bool", "measure": "string", "copy_cluster": "int64"},
    "stories": {"story": "int64", "size": "int64", "label": "strings", "start": "timestamp",
                "end": "timestamp", "sources": "strings", "languages": "strings",
                "articles": "strings"},
    "passages": {"a": "string", "b": "string", "story": "int64?", "kind": "string",
                 "a_start": "int64", "a_end": "int64", "b_start": "int64", "b_end": "int64",
                 "tokens": "int64", "score": "int64", "quoted": "bool", "text": "string"},
}


def analysis_tables(result: Any) -> dict[str, Callable[[], Table]]:
    """:class:`retold.Analysis`: ``articles`` (default), ``copy_pairs``, ``stories``,
    ``passages``, ``provenance`` (as :func:`edges_table`) and ``reused`` (as
    :func:`reused_tables`' ``occurrences``; empty when the run did not look for them)."""
    schemas = ANALYSIS_SCHEMAS
    return {
        "articles": lambda: from_records(result.article_records(), schemas["articles"],
                                         name="Analysis", index=result.row_labels),
        "copy_pairs": lambda: from_records(result.copy_pair_records(), schemas["copy_pairs"],
                                           name="Analysis"),
        "stories": lambda: from_records(result.story_records(), schemas["stories"], name="Analysis"),
        "passages": lambda: from_records(result.passage_records(), schemas["passages"], name="Analysis"),
        "provenance": lambda: edges_table(result.provenance),
        "reused": lambda: from_records(result.reused_passage_records(), REUSED_SCHEMA, name="Analysis"),
    }
