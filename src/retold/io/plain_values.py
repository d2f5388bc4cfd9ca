"""Results as plain values: what JSON, CSV and Parquet can hold, the same for every writer."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import json
import math
import os
from typing import Any, Mapping

import numpy as np

__all__ = ["to_plain", "already_plain", "plain_record"]


def to_plain(value: Any) -> Any:
    """Turn a value into one JSON can hold: ISO strings for dates, Python numbers for numpy.

    Non-finite floats (NaN, infinities) become ``None``, since JSON has no literal for them;
    sets become sorted lists, so output does not depend on hashing order.

    Raises
    ------
    TypeError
        For a value with no faithful plain form (bytes, arbitrary objects).
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:  # the common case, first
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if isinstance(value, (bool, int)) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, str):
        return str(value)  # a str subclass such as numpy.str_ becomes a plain str
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(np.datetime_as_string(value))
    if isinstance(value, np.generic):
        return to_plain(value.item())
    if isinstance(value, np.ndarray):
        return to_plain(value.tolist())
    if isinstance(value, Mapping):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        items = [to_plain(item) for item in value]
        try:
            return sorted(items)
        except TypeError:
            return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, enum.Enum):
        return to_plain(value.value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_plain(dataclasses.asdict(value))
    raise TypeError(f"cannot write a {type(value).__name__} value; convert it to str, a number, a list or a dict")


# The types to_plain returns unchanged (floats only when finite): a dict of str keys and such
# values is written as it is, without a copy.  bool is a type of its own, not int's.
_PLAIN_TYPES = frozenset({str, int, bool, type(None)})


def already_plain(record: dict[str, Any]) -> bool:
    for key, value in record.items():
        kind = type(value)
        if type(key) is not str or (
            kind not in _PLAIN_TYPES and (kind is not float or not math.isfinite(value))
        ):
            return False
    return True


def plain_record(record: Any, index: int) -> dict[str, Any]:
    # Result records (dedup's one per document) are dicts of plain values already: checking
    # that costs a fifth of converting each value, and the write stage does it per record.
    if type(record) is dict and already_plain(record):
        return record
    if isinstance(record, Mapping):
        fields = record
    elif callable(getattr(record, "to_dict", None)):  # Article and result records
        fields = record.to_dict()
    else:
        raise TypeError(f"record {index}: expected a dict, not {type(record).__name__}")
    out: dict[str, Any] = {}
    for key, value in fields.items():
        try:
            out[str(key)] = to_plain(value)
        except TypeError as exc:
            raise TypeError(f"record {index}, field {key!r}: {exc}") from None
    return out
