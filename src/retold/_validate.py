"""Argument checks shared by the Python layer, so every capability words its errors alike.

Each raises ``TypeError`` for a value of the wrong kind and ``ValueError`` for one out of range,
naming the argument; ``bool`` is refused where a number is asked for (``ngram=True`` is a slip,
not a 1).
"""
from __future__ import annotations

import operator
from typing import Any, Sequence


def check_int(value: Any, name: str, low: int, high: int) -> int:
    """``value`` as an int in [low, high]."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not bool")
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(value).__name__}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {value}")
    return value


def check_fraction(value: Any, name: str, *, open_low: bool = True) -> float:
    """``value`` as a float in (0, 1] (or [0, 1] with ``open_low=False``)."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, not bool")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}") from None
    if not (0.0 < value <= 1.0 if open_low else 0.0 <= value <= 1.0):
        raise ValueError(f"{name} must be in {'(0' if open_low else '[0'}, 1], got {value}")
    return value


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, not {value!r}")
    return value
