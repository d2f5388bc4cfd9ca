"""Dates as the layers compare them: microseconds since 1970 and days since 1970.

Copies rank "earliest" by microseconds (undated last), stories weigh time by days; the batch,
live and Dask drivers all take them from here so that they agree to the last bit.
"""
from __future__ import annotations

import datetime as _dt
from typing import Sequence

import numpy as np

__all__ = ["NO_DATE_US", "EPOCH", "microseconds", "epoch_days", "days_of_microseconds"]

NO_DATE_US = np.iinfo(np.int64).max
"""The microseconds of an undated article: the largest int64, so undated sorts last."""
EPOCH = _dt.datetime(1970, 1, 1)


def microseconds(dates: Sequence[_dt.datetime | None]) -> np.ndarray:
    """Datetimes (or None) as int64 microseconds since 1970, undated as :data:`NO_DATE_US`."""
    values = np.array(dates, dtype="datetime64[us]")
    out = values.astype(np.int64)
    out[np.isnat(values)] = NO_DATE_US
    return out


def epoch_days(date: _dt.datetime) -> float:
    """Days since 1970 of one (naive) datetime, as :func:`retold.story_clustering.article_days` counts them."""
    return (date - EPOCH).total_seconds() / 86400.0


def days_of_microseconds(date_us: np.ndarray) -> np.ndarray:
    """:func:`epoch_days` of many microsecond dates at once (NaN for :data:`NO_DATE_US`), bit for bit.

    ``total_seconds`` is the correctly rounded quotient of the whole microseconds by 10**6,
    which is what IEEE division of the (exactly representable, < 2**53) microseconds by 1e6
    gives too; the division by 86400 is then the same operation on the same float.
    """
    days = (date_us.astype(np.float64) / 1e6) / 86400.0
    days[date_us == NO_DATE_US] = np.nan
    return days
