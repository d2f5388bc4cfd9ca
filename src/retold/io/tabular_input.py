"""The one place where what a user passes as ``docs`` becomes Articles.

Every batch call of retold (:func:`retold.dedup`, :func:`retold.stories`,
:func:`retold.analyze`, :func:`retold.provenance`, :func:`retold.reused_passages`, the
:class:`retold.StoryModel` methods) reads its documents through :class:`ArticleInput`, so they
all accept the same things and refuse the same things with the same messages:

- Articles, strings (a string's id is its position) and mappings (records, as
  :meth:`retold.Article.from_dict` reads them), mixed, in any iterable;
- a pandas ``DataFrame`` (one article per row, the columns named by the ``*_field`` options),
  a pandas ``Series`` of texts;
- a pyarrow ``Table`` or ``RecordBatch`` (rows, like a DataFrame), ``ChunkedArray`` or
  ``Array`` (of texts);
- a Hugging Face ``datasets.Dataset`` (rows, like a DataFrame);
- a one-dimensional numpy array of strings (or of objects: texts, records, Articles).

pandas, pyarrow and datasets are recognised by the module of the object's type, never
imported here: ``import retold`` stays numpy-only, and a user who has them passes their
objects.  In records, ``None``, NaN, ``NaT`` and ``pd.NA`` mean "missing" (a table has no
other way to leave a cell empty); dates go through :func:`retold.article.parse_date`.

A row whose text is missing or not a string is a bad *row*: :class:`RecordError` names its
position and id, or ``on_error="skip"`` leaves it out and lists it in
:attr:`ArticleInput.skipped`.  Input of the wrong *shape* (a dict, a 2-D array, a table
without the text column, a list of numbers) is a ``TypeError`` that says what was expected,
whatever ``on_error`` says: skipping every row of it would be a silent wrong answer.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..article import Article
# FieldOptions is re-exported: its home before retold.article_fields.
from ..article_fields import FIELD_DEFAULTS as FIELD_DEFAULTS, FieldOptions as FieldOptions
from .errors import RecordError, SkippedRecord

if TYPE_CHECKING:  # typing.Unpack is Python 3.11+; annotations are never evaluated here
    from typing_extensions import Unpack

ON_ERROR = ("raise", "fail", "skip")
"""``"raise"`` (default) and ``"fail"`` (the command line's name for it) raise :class:`RecordError`
on a bad row; ``"skip"`` leaves it out and lists it in :attr:`ArticleInput.skipped`."""

_ROWS_PER_BLOCK = 1024  # rows converted to Python records at a time: bounded memory for big tables


def _kind(value: Any) -> str:
    """``"dataframe"``, ``"series"``, ``"arrow_table"``, ``"arrow_array"``, ``"dataset"``,
    ``"ndarray"`` or ``""`` (anything else), without importing pandas, pyarrow or datasets.

    The classes are matched by module and name along the MRO, so subclasses (a GeoDataFrame,
    a pyarrow ``StringArray``) count as what they extend.
    """
    if isinstance(value, np.ndarray):
        return "ndarray"
    for cls in type(value).__mro__:
        module, name = cls.__module__.partition(".")[0], cls.__name__
        if module == "pandas" and name in _PANDAS:
            return _PANDAS[name]
        if module == "pyarrow" and name in _PYARROW:
            return _PYARROW[name]
        if module == "datasets" and name == "Dataset":
            return "dataset"
    return ""


_PANDAS = {"DataFrame": "dataframe", "Series": "series"}
# pyarrow.Array's class is defined in pyarrow.lib, whose module name starts with "pyarrow".
_PYARROW = {"Table": "arrow_table", "RecordBatch": "arrow_table",
            "ChunkedArray": "arrow_array", "Array": "arrow_array"}


def is_missing(value: Any) -> bool:
    """Whether a cell holds no value: None, NaN, NaT or ``pd.NA``."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if type(value).__name__ in ("NaTType", "NAType"):
        return True
    return isinstance(value, np.generic) and bool(value != value)


def check_on_error(on_error: Any) -> str:
    """``on_error`` as given, or ValueError naming the choices."""
    if on_error not in ON_ERROR:
        raise ValueError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
    return str(on_error)


class ArticleInput:
    """The Articles of ``docs``, read lazily in input order (iterable once per ``iter``).

    Parameters
    ----------
    docs
        Any of the inputs the module docstring lists.
    what : str
        The argument's name, for messages (``"docs"``, ``"batch"``).
    on_error : {"raise", "skip"}
        A bad row raises :class:`RecordError`, or is skipped and listed in :attr:`skipped`.
    id_field, text_field, title_field, date_field, source_field, lang_field : str
        The columns (or record keys) of each part, as :func:`retold.read_articles` names them.

    Attributes
    ----------
    skipped : list of SkippedRecord
        The rows left out by ``on_error="skip"`` in the last iteration (``file`` names the
        input's type, ``line`` is the 0-based row position, ``unit`` is ``"row"``).
    """

    def __init__(self, docs: Any, *, what: str = "docs", on_error: str = "raise",
                 **fields: Unpack[FieldOptions]) -> None:
        unknown = set(fields) - set(FIELD_DEFAULTS)
        if unknown:
            raise TypeError(f"unknown field option(s): {', '.join(sorted(unknown))}")
        self.fields: dict[str, str] = {**FIELD_DEFAULTS, **fields}  # type: ignore[dict-item]
        for name, value in self.fields.items():
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a str, not {type(value).__name__}")
        self.on_error = check_on_error(on_error)
        self.what = what
        self.docs = docs
        self.kind = _kind(docs)
        self.skipped: list[SkippedRecord] = []
        self._kept: list[int] = []
        self._check_shape()

    # -- shape ----------------------------------------------------------------------------------

    def _expected(self) -> str:
        return (
            f"{self.what} must be an iterable of texts, records (dicts) or retold.Article, a "
            "pandas DataFrame or Series, a pyarrow Table, RecordBatch or (Chunked)Array, a "
            "datasets.Dataset or a 1-D numpy array of strings"
        )

    def _columns(self) -> list[Any]:
        docs = self.docs
        if self.kind == "dataframe":
            return list(docs.columns)
        if self.kind == "arrow_table":
            return list(docs.schema.names)
        return list(docs.column_names)  # a datasets.Dataset

    def _check_shape(self) -> None:
        docs, kind = self.docs, self.kind
        if isinstance(docs, (str, bytes, Article, Mapping)):
            single = "string" if isinstance(docs, str) else type(docs).__name__
            raise TypeError(f"{self._expected()}, not a single {single}")
        if kind in ("dataframe", "arrow_table", "dataset"):
            text_field = self.fields["text_field"]
            columns = self._columns()
            if text_field not in columns:
                shown = ", ".join(map(repr, columns[:20])) or "none"
                raise TypeError(
                    f"{self.what}: the {type(docs).__name__} has no column {text_field!r} "
                    f"(columns: {shown}); name the text column with text_field="
                )
        elif kind == "ndarray":
            if docs.ndim != 1:
                raise TypeError(f"{self._expected()}, not a {docs.ndim}-D array of shape {docs.shape}")
            if docs.dtype.kind not in "UOT":
                raise TypeError(f"{self._expected()}, not an array of dtype {docs.dtype}")
        elif not isinstance(docs, Iterable):
            raise TypeError(f"{self._expected()}, not {type(docs).__name__}")

    # -- rows -----------------------------------------------------------------------------------

    def _items(self) -> Iterator[Any]:
        """The input's rows, as records (dicts) for tables and as elements otherwise."""
        docs, kind = self.docs, self.kind
        if kind == "dataframe":
            for start in range(0, len(docs), _ROWS_PER_BLOCK):
                yield from docs.iloc[start:start + _ROWS_PER_BLOCK].to_dict("records")
        elif kind == "arrow_table":
            batches = docs.to_batches(_ROWS_PER_BLOCK) if hasattr(docs, "to_batches") else [docs]
            for batch in batches:
                yield from batch.to_pylist()
        elif kind == "arrow_array":
            chunks = docs.chunks if hasattr(docs, "chunks") else [docs]
            for chunk in chunks:
                for start in range(0, len(chunk), _ROWS_PER_BLOCK):
                    yield from chunk.slice(start, _ROWS_PER_BLOCK).to_pylist()
        elif kind == "dataset":
            yield from docs
        elif kind == "series":
            yield from docs.array  # the values, not (index, value) pairs
        else:
            yield from docs

    def _where(self) -> str:
        return {"dataframe": "pandas DataFrame", "series": "pandas Series",
                "arrow_table": f"pyarrow {type(self.docs).__name__}",
                "arrow_array": f"pyarrow {type(self.docs).__name__}",
                "dataset": "datasets.Dataset", "ndarray": "numpy array"}.get(self.kind, self.what)

    def _article(self, item: Any, position: int) -> Article:
        if isinstance(item, Article):
            return item
        if isinstance(item, str):  # numpy's str_ too
            return Article(id=str(position), text=str(item))
        if isinstance(item, Mapping):
            return self._from_record(item, position)
        if is_missing(item):
            raise RecordError(self._where(), position, f"{self.what} {position} has no text", "row")
        raise TypeError(
            f"{self.what}: document {position}: expected str, dict or retold.Article, not "
            f"{type(item).__name__} (see the supported inputs in retold.io.tabular_input)"
        )

    def _from_record(self, record: Mapping[Any, Any], position: int) -> Article:
        fields = self.fields
        # Empty cells are absent fields: a table cannot leave a cell out, only fill it with NaN.
        clean = {k: v for k, v in record.items() if not is_missing(v)}
        ident = clean.get(fields["id_field"], position)
        if isinstance(ident, (float, np.floating)) and float(ident).is_integer():
            ident = int(ident)  # an int column with a gap is float in pandas: 7.0 is id "7"
        if fields["id_field"] in clean:
            clean[fields["id_field"]] = str(ident)
        try:
            return Article.from_dict(clean, position=position, **fields)
        except (ValueError, TypeError) as exc:
            reason = str(exc).removeprefix(f"record {clean.get(fields['id_field'], position)!r}: ")
            raise RecordError(self._where(), position, f"id {str(ident)!r}: {reason}", "row") from None

    def __iter__(self) -> Iterator[Article]:
        self.skipped = []
        self._kept = []
        for position, item in enumerate(self._items()):
            try:
                article = self._article(item, position)
            except RecordError as exc:
                if self.on_error != "skip":
                    raise
                self.skipped.append(exc.as_skipped())
                continue
            self._kept.append(position)
            yield article

    def articles(self) -> list[Article]:
        """Every article, as a list (reads the whole input)."""
        return list(self)

    def row_labels(self) -> Any:
        """Labels of the rows read, for the results' tables: the pandas index of the rows kept
        for pandas input, their positions when rows were skipped, None (0, 1, ...) otherwise."""
        if self.kind in ("dataframe", "series"):
            return self.docs.index[np.asarray(self._kept, dtype=np.int64)]
        if self.skipped:
            return np.asarray(self._kept, dtype=np.int64)
        return None


def as_article_list(docs: Any, *, what: str = "docs", on_error: str = "raise",
                    **fields: Unpack[FieldOptions]) -> list[Article]:
    """The Articles of ``docs`` (see :class:`ArticleInput`), all at once."""
    return ArticleInput(docs, what=what, on_error=on_error, **fields).articles()


def chunked(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    """Lists of ``size`` articles (the last may be shorter)."""
    iterator = iter(articles)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
