"""Every numeric option of the public API goes through one checker whose value is used.

A string that looks like a number, NaN, a bool or a value out of range fails at the call,
naming the option, instead of failing later deep inside (``'<' not supported``) or passing.
"""
from __future__ import annotations

import math
import importlib

import numpy as np
import pytest

import retold
from retold._validate import check_fraction, check_number

DOCS = ["Fire at the port of Calvera hurts two dock workers, Yonhap said.",
        "Two dock workers were hurt in a fire at Calvera port (Yonhap)."]


provenance_module = importlib.import_module("retold.attribution.credits")


def _similarity(i, rows):
    return np.full(len(rows), 0.5)


CALLS = {
    "provenance.min_confidence": lambda v: retold.provenance(DOCS, min_confidence=v),
    "with_credit_edges.min_confidence": lambda v: provenance_module.with_credit_edges(
        DOCS, [], _similarity, min_confidence=v),
    "credit_edges.look_back_days": lambda v: provenance_module.credit_edges(DOCS, _similarity, look_back_days=v),
    "credit_edges.min_similarity": lambda v: provenance_module.credit_edges(DOCS, _similarity, min_similarity=v),
    "align.min_quote_share": lambda v: retold.align(DOCS[0], DOCS[1], min_quote_share=v),
    "stories.threshold": lambda v: retold.stories(DOCS, threshold=v),
    "stories.density_penalty": lambda v: retold.stories(DOCS, density_penalty=v),
    "stories.window_days": lambda v: retold.stories(DOCS, window_days=v),
    "dedup.threshold": lambda v: retold.dedup(DOCS, threshold=v),
    "MinHashLSH.threshold": lambda v: retold.MinHashLSH(threshold=v),
}


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("value, error", [
    ("0.3", TypeError), (True, TypeError), (None, TypeError), (math.nan, ValueError),
    (-1.5, ValueError), (1e12, ValueError),
])
def test_bad_numbers_fail_at_the_call_and_name_the_option(call, value, error):
    option = call.split(".")[1]
    if option in ("window_days", "look_back_days") and value == 1e12:
        CALLS[call](value)  # any time span is a window (inf: no limit)
        return
    with pytest.raises(error, match=option):
        CALLS[call](value)


@pytest.mark.parametrize("call", sorted(CALLS))
def test_good_numbers_of_any_numeric_type_are_used(call):
    for value in (0.5, np.float32(0.5), np.float64(0.5)):
        CALLS[call](value)


def test_the_checked_value_is_the_one_used():
    # A numpy float comes back a Python float, and provenance compares with it (it used to
    # keep the unchecked argument).
    assert type(check_number(np.float32(0.25), "x", 0, 1)) is float
    strict = retold.provenance(DOCS, min_confidence=np.float64(1.0))
    loose = retold.provenance(DOCS, min_confidence=0)
    assert len(strict) <= len(loose)
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        check_fraction(0.0, "share")
