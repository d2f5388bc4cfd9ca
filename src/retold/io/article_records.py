"""Raw records to Articles: the checks every reader shares, duplicate ids, repair, the user's check.

This is the per-record loop of the read stage, so it does each thing once: the date is parsed
here and nowhere else, the Article is built from checked fields without a second validation,
and the text of an error is only made when there is an error.
"""
from __future__ import annotations

import dataclasses
import itertools
from typing import Any, Callable, Iterable, Iterator, Mapping

from ..article import Article, parse_date
from ..article_fields import FieldNames as FieldNames  # re-exported: its home before retold.article_fields
from .errors import RecordError, SkippedRecord, describe_location
from .raw_records import RawRecord
from .textfix import repair_mojibake


# A feed's articles share few date strings (one a day, or a handful of times): parsing each
# distinct string once saves a third of the date cost.  datetimes are immutable, so sharing is
# safe; the cache is bounded, and emptied when full rather than kept as an LRU, to stay cheap.
PARSED_DATES: dict[str, Any] = {}  # date string -> parse_date of it; the JSONL fast path reads it too
PARSED_DATES_KEPT = 4096


def _parsed_date(value: Any) -> Any:
    date = parse_date(value)
    if type(value) is str:
        if len(PARSED_DATES) >= PARSED_DATES_KEPT:
            PARSED_DATES.clear()
        PARSED_DATES[value] = date
    return date


def _kind(value: Any) -> str:
    return f"a value of type {type(value).__name__}"


def article_from(
    raw: RawRecord,
    position: int,
    names: FieldNames,
    known: tuple[str, ...],
) -> Article:
    """Build the Article of one raw record, or raise RecordError saying what to fix.

    The fields are those :meth:`Article.from_dict` reads, with the same meaning.
    """
    if raw.problem is not None:
        raise RecordError(raw.file, raw.line, raw.problem, raw.unit)
    record = raw.fields
    assert record is not None
    text = record.get(names.text_field)
    if type(text) is not str:
        if text is None:
            present = ", ".join(map(repr, itertools.islice(record, 12))) or "none"
            raise RecordError(raw.file, raw.line, (
                f"no {names.text_field!r} field (fields: {present}); give every record a text, "
                "or name the text field with text_field="
            ), raw.unit)
        if not isinstance(text, str):
            raise RecordError(raw.file, raw.line, (
                f"field {names.text_field!r} holds {_kind(text)}, not a string; store the text as a string"
            ), raw.unit)
    title = record.get(names.title_field)
    if title is not None and not isinstance(title, str):
        raise RecordError(
            raw.file, raw.line, f"field {names.title_field!r} holds {_kind(title)}, not a string", raw.unit
        )
    title = title or None
    date = record.get(names.date_field)
    if date is not None:
        try:
            date = PARSED_DATES[date] if type(date) is str and date in PARSED_DATES else _parsed_date(date)
        except (ValueError, TypeError) as exc:
            raise RecordError(raw.file, raw.line, (
                f"field {names.date_field!r}: {exc}; write dates in ISO 8601 (2024-05-01 or "
                "2024-05-01T12:00:00Z) or leave the field empty"
            ), raw.unit) from None
    ident = record.get(names.id_field)
    # An empty CSV cell is no id, like an absent field: the record is named by its position.
    ident = str(position) if ident is None or ident == "" else str(ident)
    extra = dict(record)  # then the known fields out: quicker than a comprehension over all
    for name in known:
        if name in extra:
            del extra[name]
    return Article.of_checked_fields(
        ident, text, title, date, record.get(names.source_field) or None,
        record.get(names.lang_field) or None, extra,
    )


def _with_language(article: Article, detect: Callable[[str], str | None]) -> Article:
    """``article`` with the language ``detect`` finds in its title and text, when it gives none."""
    if article.lang is not None:
        return article  # the user's own label always wins
    lang = detect(article.full_text)
    if lang is None:
        return article
    return Article.of_checked_fields(
        article.id, article.text, article.title, article.date, article.source, lang, article.extra
    )


def _repaired(article: Article) -> Article:
    text = repair_mojibake(article.text)
    title = repair_mojibake(article.title) if article.title else article.title
    if text is article.text and title is article.title:
        return article
    return dataclasses.replace(article, text=text, title=title)


def _checked(article: Article, raw: RawRecord, check: Callable[[Article], Any]) -> None:
    """Run ``check`` on one article; any failure becomes a RecordError that names the record.

    Later stages work on the whole corpus at once, where one article's failure would end the
    run without saying which article it was; failing here, with the record's place, lets
    ``on_error="skip"`` leave it out.
    """
    try:
        check(article)
    except (KeyboardInterrupt, MemoryError, RecordError):
        raise
    except Exception as exc:  # noqa: BLE001 - anything unexpected is this record's problem
        raise RecordError(
            raw.file, raw.line,
            f"article {article.id!r} cannot be processed ({type(exc).__name__}: {exc}); "
            "please report this record to the retold developers",
            raw.unit,
        ) from exc


class Admission:
    """What becomes of each raw record: an Article yielded, an error raised or a skip listed.

    Holds what the read stage keeps across records (the line of each id seen, for duplicate
    ids), so that a reader with a faster path of its own for clean records (JSON Lines, see
    :mod:`.jsonl_articles`) sends every other record through the same checks and messages.
    """

    def __init__(
        self,
        names: FieldNames,
        on_error: str,
        errors: list[SkippedRecord] | None,
        fix_text: bool,
        check: Callable[[Article], Any] | None = None,
        detect: Callable[[str], str | None] | None = None,
    ) -> None:
        self.names = names
        self.known = names.known
        self.on_error = on_error
        self.errors = errors
        self.fix_text = fix_text
        self.check = check
        self.detect = detect
        self.first_line_of_id: dict[str, int | None] = {}

    @property
    def plain(self) -> bool:
        """Whether an article is the record's fields and nothing more (no repair, no language
        found), which is what a reader's fast path builds (it runs ``check`` itself)."""
        return not self.fix_text and self.detect is None

    def admit(self, raw: RawRecord, position: int) -> Article | None:
        """The Article of ``raw``, or None when it is skipped (``on_error="skip"``)."""
        try:
            article = article_from(raw, position, self.names, self.known)
            if article.id in self.first_line_of_id:
                first = describe_location(raw.file, self.first_line_of_id[article.id], raw.unit)
                raise RecordError(
                    raw.file, raw.line,
                    f"duplicate id {article.id!r}, first seen at {first}; results are keyed by "
                    "id, so give each record its own id or drop the copy",
                    raw.unit,
                )
            if self.fix_text:
                article = _repaired(article)
            if self.detect is not None:  # after the repair: mojibake would mislead the identifier
                article = _with_language(article, self.detect)
            if self.check is not None:
                _checked(article, raw, self.check)
        except RecordError as exc:
            if self.on_error == "fail":
                raise
            if self.errors is not None:
                self.errors.append(exc.as_skipped())
            return None
        self.first_line_of_id[article.id] = raw.line
        return article

    def articles(self, raws: Iterable[RawRecord]) -> Iterator[Article]:
        """The Articles of ``raws`` in order."""
        admit = self.admit
        for position, raw in enumerate(raws):
            article = admit(raw, position)
            if article is not None:
                yield article

