"""Old keyword and attribute names kept for one release after a rename (CHANGELOG.md, "Renamed").

One vocabulary runs through the results and the commands (issue 13): the choice of Jaccard or
containment is a ``measure`` (``similarity`` is a number), ``members`` are article ids (input
positions are ``positions``), a count of quoted passages is ``quoted_count`` (``quoted`` is one
passage's bool).  Code written against the old names keeps working for one release, with a
``DeprecationWarning`` that names the new one; both helpers here go with the aliases.
"""
from __future__ import annotations

import warnings
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


def renamed_keyword(value: T, old_value: T | None, *, old: str, new: str, default: T, where: str) -> T:
    """The value of keyword ``new`` when the caller may still pass it as ``old``.

    ``old_value`` is None when the old keyword was not given.  Given both, with different
    values, is a ``TypeError``: there is no telling which one the caller meant.
    """
    if old_value is None:
        return value
    warnings.warn(f"{where}({old}=...) is renamed {new}=; the old name goes in the next release",
                  DeprecationWarning, stacklevel=3)
    if value != default and value != old_value:
        raise TypeError(f"{where}() got {old}={old_value!r} and {new}={value!r}: give only {new}=")
    return old_value


class renamed_attribute(Generic[T]):
    """A read-only class attribute that reads another one, with a warning naming it.

    ``members = renamed_attribute[tuple[int, ...]]("positions")`` in a class body makes
    ``obj.members`` give ``obj.positions``.
    """

    def __init__(self, new: str) -> None:
        self.new = new
        self.old = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.old = f"{owner.__name__}.{name}"

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> renamed_attribute[T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        warnings.warn(f"{self.old} is renamed {self.new}; the old name goes in the next release",
                      DeprecationWarning, stacklevel=2)
        return getattr(obj, self.new)
