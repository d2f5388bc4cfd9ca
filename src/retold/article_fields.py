"""Which field of a record holds each part of an article: the ``*_field`` options, stated once.

Every call that reads records (:func:`retold.read_articles`, :meth:`retold.Article.from_dict`,
the batch calls through :class:`retold.io.tabular_input.ArticleInput`, the Dask readers) takes
the same six keywords with the same defaults.  They are defined here and nowhere else:
:class:`FieldNames` holds them (and their defaults), :class:`FieldOptions` types them as
``**fields`` keywords, and :func:`field_keywords` writes them, with their defaults, into the
signature that ``help()`` and ``inspect.signature`` show for a function that takes ``**fields``.
"""
from __future__ import annotations

import dataclasses
import inspect
from typing import Any, Callable, Mapping, TypedDict, TypeVar


@dataclasses.dataclass(frozen=True)
class FieldNames:
    """Which field of a record holds each part of an article (the defaults of
    :func:`retold.read_articles` and of every call that takes the ``*_field`` keywords)."""

    id_field: str = "id"
    text_field: str = "text"
    title_field: str = "title"
    date_field: str = "date"
    source_field: str = "source"
    lang_field: str = "lang"

    @classmethod
    def split(cls, options: Mapping[str, Any]) -> tuple[FieldNames, dict[str, Any]]:
        """The ``*_field`` keywords among ``options`` (as :class:`FieldOptions` types them) as
        FieldNames, the defaults for those not given; and the other options."""
        given = {key: value for key, value in options.items() if key in FIELD_DEFAULTS}
        return cls(**given), {key: value for key, value in options.items() if key not in FIELD_DEFAULTS}

    @property
    def known(self) -> tuple[str, ...]:
        """The fields that are not carried to ``Article.extra`` (each once)."""
        return tuple(dict.fromkeys(dataclasses.astuple(self)))


DEFAULT_FIELD_NAMES = FieldNames()
FIELD_DEFAULTS: dict[str, str] = dataclasses.asdict(DEFAULT_FIELD_NAMES)
"""``{"id_field": "id", ...}``: each ``*_field`` option and its default."""


class FieldOptions(TypedDict, total=False):
    """The ``*_field`` keyword options as ``**fields`` (``Unpack[FieldOptions]``); the defaults
    are :data:`FIELD_DEFAULTS`."""

    id_field: str
    text_field: str
    title_field: str
    date_field: str
    source_field: str
    lang_field: str


def field_names(fields: Mapping[str, Any]) -> FieldNames:
    """``**fields`` keywords as FieldNames; a ``TypeError`` names an unknown one."""
    if not fields:
        return DEFAULT_FIELD_NAMES
    unknown = set(fields) - set(FIELD_DEFAULTS)
    if unknown:
        raise TypeError(f"unknown field option(s): {', '.join(sorted(unknown))}")
    return FieldNames(**fields)


F = TypeVar("F", bound=Callable[..., Any])


def field_keywords(func: F) -> F:
    """Show the six ``*_field`` keywords and their defaults in ``func``'s signature in place of
    its ``**fields`` parameter, so that ``help()`` documents them where they are defined once."""
    signature = inspect.signature(func)
    params = list(signature.parameters.values())
    spread = [i for i, p in enumerate(params) if p.kind is inspect.Parameter.VAR_KEYWORD]
    if not spread:
        raise TypeError(f"{func.__qualname__} has no **fields parameter to show the field keywords in")
    keywords = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation="str")
                for name, default in FIELD_DEFAULTS.items()]
    func.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=params[: spread[0]] + keywords)
    return func
