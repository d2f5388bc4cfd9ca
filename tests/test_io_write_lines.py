"""JSON Lines output: the batched, encoder-reusing writer gives json.dumps's bytes exactly."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from retold import write_records
from retold.io import writers
from retold.io.plain_values import plain_record


def _reference(records: list[dict]) -> bytes:
    """What write_records wrote before it batched lines: one json.dumps per plain record."""
    out = []
    for index, record in enumerate(records):
        plain = plain_record(dict(record), index)
        try:
            line = json.dumps(plain, ensure_ascii=False, allow_nan=False)
            line.encode("utf-8")
        except UnicodeEncodeError:
            line = json.dumps(plain, ensure_ascii=True, allow_nan=False)
        out.append(line + "\n")
    return "".join(out).encode("utf-8")


RECORDS = [
    {"id": "a", "cluster": 0, "cluster_size": 2, "is_representative": True, "matched_with": None,
     "similarity": 0.912345},
    {"id": "é€😀", "text": 'quote " backslash \\ tab \t newline \n', "n": 2**70, "f": 1e16},
    {"id": "nan", "similarity": float("nan"), "inf": float("-inf")},
    {"id": "nested", "extra": {"k": [1, 2.5, None, "x"]}, "date": dt.date(2024, 5, 1)},
    {"id": "numpy", "v": np.int64(3), "w": np.float32(0.5)},
    {3: "non-str key", "id": "k"},
    {"id": "surrogate \udc80 alone"},
]


def test_lines_are_json_dumps_bytes(tmp_path):
    out = tmp_path / "o.jsonl"
    assert write_records(RECORDS, out) == len(RECORDS)
    assert out.read_bytes() == _reference(RECORDS)


def test_a_surrogate_inside_a_full_batch_costs_only_its_own_line(tmp_path):
    # More than one batch, with the unwritable text in the middle of one.
    records = [{"id": str(i), "text": "plain é"} for i in range(2 * writers._LINES_PER_WRITE + 7)]
    records[writers._LINES_PER_WRITE + 3]["text"] = "lone \ud800 here"
    out = tmp_path / "o.jsonl"
    write_records(records, out)
    assert out.read_bytes() == _reference(records)
    lines = out.read_text("utf-8").splitlines()
    assert len(lines) == len(records)
    assert json.loads(lines[writers._LINES_PER_WRITE + 3])["text"] == "lone \ud800 here"
    assert "é" in lines[0]  # the other lines keep non-ASCII as is


def test_plain_records_are_written_without_a_copy_but_unchanged():
    record = {"id": "x", "similarity": 0.5, "flag": False}
    assert plain_record(record, 0) is record
    assert plain_record({"id": "x", "s": float("nan")}, 0) == {"id": "x", "s": None}
    assert plain_record({1: "a"}, 0) == {"1": "a"}


def test_a_value_json_cannot_hold_still_names_its_record(tmp_path):
    with pytest.raises(TypeError, match=r"record 1, field 'b'"):
        write_records([{"a": 1}, {"b": b"bytes"}], tmp_path / "o.jsonl")
    assert not (tmp_path / "o.jsonl").exists()


def test_the_encoder_matches_json_dumps_on_its_own():
    for value in RECORDS[:2] + [{"k": [1, {"deep": [True, None]}]}]:
        assert writers._LINE(value) == json.dumps(value, ensure_ascii=False, allow_nan=False)
