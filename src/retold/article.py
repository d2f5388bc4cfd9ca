"""The record every layer of retold works on."""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import numpy as np

from .article_fields import FieldNames, FieldOptions, field_keywords, field_names

if TYPE_CHECKING:  # typing.Unpack is Python 3.11+; annotations are never evaluated here
    from typing_extensions import Unpack

_EPOCH = _dt.datetime(1970, 1, 1)


def parse_date(value: Any) -> _dt.datetime | None:
    """Turn a date given by a user (ISO string, date, datetime, epoch seconds) into a datetime.

    Every date of retold passes through here once, so that all dates of a corpus compare:
    naive datetimes are taken as UTC; aware ones (feeds and pandas usually give them) are
    converted to UTC and made naive.  pandas ``Timestamp`` and numpy ``datetime64`` values are
    accepted; ``None``, ``""``, ``NaT`` and NaN mean no date.  Raises ``ValueError`` for text
    that is not a date and ``TypeError`` for other types.
    """
    if type(value) is str:  # the common case first: readers call this once per record
        return _parse_iso(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if type(value).__name__ == "NaTType" or (isinstance(value, np.generic) and value != value):
        return None  # pandas.NaT, numpy's NaT and NaN
    if isinstance(value, np.datetime64):
        micro = value.astype("datetime64[us]").astype(np.int64)
        return _EPOCH + _dt.timedelta(microseconds=int(micro))
    if isinstance(value, _dt.datetime):
        if hasattr(value, "to_pydatetime"):  # pandas.Timestamp: drop nanoseconds, keep the zone
            value = value.to_pydatetime(warn=False)
        if value.tzinfo is not None and value.utcoffset() is not None:
            value = value.astimezone(_dt.timezone.utc)
        naive: _dt.datetime = value.replace(tzinfo=None)
        return naive
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        try:
            return _dt.datetime.fromtimestamp(float(value), _dt.timezone.utc).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"epoch seconds out of range: {value!r}") from None
    if isinstance(value, str):
        return _parse_iso(value)
    raise TypeError(f"a date must be a str, date, datetime or number, not {type(value).__name__}")


def _parse_iso(value: str) -> _dt.datetime | None:
    text = value.strip()
    if not text:
        return None
    if text[-1] == "Z":
        text = text[:-1] + "+00:00"
    try:
        parsed = _dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date: {value!r}") from None
    if parsed.tzinfo is not None and parsed.utcoffset() is not None:
        parsed = parsed.astimezone(_dt.timezone.utc)
    return parsed.replace(tzinfo=None) if parsed.tzinfo is not None else parsed


@dataclass(frozen=True, slots=True)
class Article:
    """One news article.

    Parameters
    ----------
    id : str
        Identity of the article; results refer to articles by it.
    text : str
        The body text.
    title, source, lang : str, optional
        Headline, outlet name (matched against attributions such as "according to Yonhap")
        and language code.
    date : datetime, optional
        Publication time (strings are parsed as ISO 8601; naive times are UTC).
    extra : dict
        Any other fields of the input record, carried through to the outputs.

    Notes
    -----
    The Articles that :func:`retold.read_articles` builds from plain JSON Lines records (no
    nested value) with the compiled kernels are not tracked by the cyclic garbage collector:
    they hold nothing that could refer back to them, and a corpus of them held in memory would
    otherwise be scanned by every full collection.  A cycle you make through ``extra`` back to
    the article is then not collected.
    """

    id: str
    text: str
    title: str | None = None
    date: _dt.datetime | None = None
    source: str | None = None
    lang: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str):
            object.__setattr__(self, "id", str(self.id))
        if not isinstance(self.text, str):
            raise TypeError(f"article {self.id!r}: text must be str, not {type(self.text).__name__}")
        if self.title is not None and not isinstance(self.title, str):
            raise TypeError(f"article {self.id!r}: title must be str or None")
        if self.date is not None:
            # Always normalised, datetimes included: an aware one would not compare with naive ones.
            object.__setattr__(self, "date", parse_date(self.date))

    @property
    def full_text(self) -> str:
        """Title and body as one text (the title first, on its own line)."""
        return f"{self.title}\n{self.text}" if self.title else self.text

    @classmethod
    @field_keywords
    def from_dict(
        cls,
        record: Mapping[str, Any],
        *,
        position: int | None = None,
        **fields: Unpack[FieldOptions],
    ) -> "Article":
        """Build an Article from a mapping; ``position`` names it when it has no id.

        The ``*_field`` keywords (:mod:`retold.article_fields`) name the fields that hold each
        part.  Raises ``ValueError`` naming the record when the text field is missing or not a
        string.
        """
        return cls.from_record(record, position, field_names(fields))

    @classmethod
    def from_record(cls, record: Mapping[str, Any], position: int | None, names: FieldNames) -> "Article":
        """:meth:`from_dict` with the field names given as one :class:`FieldNames`."""
        id_field, text_field, date_field = names.id_field, names.text_field, names.date_field

        def where() -> str:  # only on failure: a repr per record would cost more than the record
            return f"record {record.get(id_field, position)!r}"

        text = record.get(text_field)
        if text is None:
            raise ValueError(f"{where()}: no {text_field!r} field")
        if not isinstance(text, str):
            raise ValueError(f"{where()}: field {text_field!r} must be a string, not {type(text).__name__}")
        ident = record.get(id_field)
        if ident is None:
            if position is None:
                raise ValueError(f"{where()}: no {id_field!r} field")
            ident = str(position)
        known = {id_field, text_field, names.title_field, date_field, names.source_field, names.lang_field}
        try:
            date = parse_date(record.get(date_field))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{where()}: field {date_field!r}: {exc}") from None
        title = record.get(names.title_field) or None
        if title is not None and not isinstance(title, str):
            raise TypeError(f"article {str(ident)!r}: title must be str or None")
        # The date is parsed (once, above) and the fields checked: no second pass in __post_init__.
        return cls.of_checked_fields(
            str(ident), text, title, date, record.get(names.source_field) or None,
            record.get(names.lang_field) or None, {k: v for k, v in record.items() if k not in known},
        )

    @classmethod
    def of_checked_fields(
        cls,
        id: str,
        text: str,
        title: str | None,
        date: _dt.datetime | None,
        source: Any,
        lang: Any,
        extra: Mapping[str, Any],
    ) -> "Article":
        """An Article of fields the caller has already checked as ``__post_init__`` would:
        ``id`` and ``text`` strings, ``title`` a string or None, ``date`` a value returned by
        :func:`parse_date` (or None).  Nothing is checked again: for readers, which build one
        Article per record, skipping the frozen ``__init__`` (one ``object.__setattr__`` per
        field) and the second date parse takes a third off the cost of reading.  Anything
        else should call ``Article(...)``.
        """
        article = object.__new__(cls)
        # The slots' own setters: a frozen dataclass refuses setattr, and object.__setattr__
        # would look each slot up by name.
        set_id, set_text, set_title, set_date, set_source, set_lang, set_extra = _SLOT_SETTERS
        set_id(article, id)
        set_text(article, text)
        set_title(article, title)
        set_date(article, date)
        set_source(article, source)
        set_lang(article, lang)
        set_extra(article, extra)
        return article

    def to_dict(self) -> dict[str, Any]:
        """The article as a JSON-ready dict (dates as ISO strings)."""
        out: dict[str, Any] = {"id": self.id, "text": self.text}
        if self.title is not None:
            out["title"] = self.title
        if self.date is not None:
            out["date"] = self.date.isoformat()
        if self.source is not None:
            out["source"] = self.source
        if self.lang is not None:
            out["lang"] = self.lang
        out.update(self.extra)
        return out


# Slots, not a __dict__ per article: a corpus holds millions, and each __dict__ is one more
# object for the cyclic garbage collector to walk while the corpus is read.
_SLOT_SETTERS = tuple(
    Article.__dict__[name].__set__ for name in ("id", "text", "title", "date", "source", "lang", "extra")
)
