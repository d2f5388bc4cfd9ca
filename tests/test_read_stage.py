"""The fast read stage: orjson and the standard library read JSON Lines alike, compressed
inputs stream, and each record's date is parsed once."""
from __future__ import annotations

import bz2
import gzip
import json
import math
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import retold.article
import retold.io.article_records as article_records
import retold.io.jsonl_records as jsonl_records
from retold import read_articles
from retold.article import Article
from retold.io import InputError, RecordError, format_from_path

RECORDS = [
    {"id": f"a{i}", "text": f"Story number {i} about the harbour.", "date": "2024-05-0%dT10:00:00Z" % (i + 1),
     "title": f"Headline {i}", "source": "Wire", "lang": "en", "views": i * 10}
    for i in range(5)
]


def jsonl_bytes(records) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")


def as_tuples(articles):
    return [(a.id, a.text, a.title, a.date, a.source, a.lang, dict(a.extra)) for a in articles]


@pytest.fixture(params=["orjson", "stdlib"])
def parser(request, monkeypatch):
    """Each test once with orjson and once as retold reads without it."""
    if request.param == "orjson":
        pytest.importorskip("orjson")
    else:
        monkeypatch.setattr(jsonl_records, "fast_loads", lambda: None)
    return request.param


def _zstd(data: bytes) -> bytes:
    zstandard = pytest.importorskip("zstandard")
    return zstandard.ZstdCompressor().compress(data)


COMPRESSORS = {".gz": lambda d: gzip.compress(d, mtime=0), ".bz2": bz2.compress, ".zst": _zstd}


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "tsv"])
def test_compressed_inputs_read_as_the_plain_file(tmp_path, suffix, fmt):
    plain = tmp_path / f"news.{fmt}"
    if fmt == "jsonl":
        plain.write_bytes(jsonl_bytes(RECORDS))
    else:
        sep = "," if fmt == "csv" else "\t"
        rows = [sep.join(["id", "text", "date"])] + [sep.join([r["id"], r["text"], r["date"]]) for r in RECORDS]
        plain.write_text("\n".join(rows) + "\n", encoding="utf-8")
    packed = tmp_path / f"news.{fmt}{suffix}"
    packed.write_bytes(COMPRESSORS[suffix](plain.read_bytes()))
    assert format_from_path(packed, reading=True) == fmt
    expected = as_tuples(read_articles(plain))
    assert len(expected) == len(RECORDS)
    assert as_tuples(read_articles(packed)) == expected


def test_writers_still_refuse_what_they_cannot_compress(tmp_path):
    with pytest.raises(ValueError, match="cannot tell the format"):
        format_from_path(tmp_path / "out.jsonl.zst")
    assert format_from_path(tmp_path / "out.jsonl.gz") == "jsonl"


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_a_cut_short_archive_is_an_input_error_naming_the_file(tmp_path, suffix):
    data = COMPRESSORS[suffix](jsonl_bytes([dict(r, id=f"r{i}") for i, r in enumerate(RECORDS * 500)]))
    path = tmp_path / f"news.jsonl{suffix}"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"news\.jsonl.*not a readable"):
        list(read_articles(path, on_error="skip"))


def test_zst_without_zstandard_names_the_extra(tmp_path, monkeypatch):
    path = tmp_path / "news.jsonl.zst"
    path.write_bytes(b"not read")
    monkeypatch.setitem(sys.modules, "zstandard", None)
    with pytest.raises(ImportError, match=r"retold\[zstd\]"):
        read_articles(path)


# Lines orjson refuses or reads otherwise, that json reads: values must be json's.
ODD_BUT_VALID = [
    '{"id": "nan", "text": "t", "score": NaN}',
    '{"id": "inf", "text": "t", "score": -Infinity}',
    '{"id": "big", "text": "t", "count": 123456789012345678901234567890}',
    '{"id": "neg", "text": "t", "count": -9223372036854775809}',
    '{"id": "nested", "text": "t", "deep": {"list": [1, 18446744073709551616]}}',
    '{"id": "sur", "text": "lone \\ud800 surrogate"}',
    '{"id": "huge", "text": "t", "x": 1e400}',
    '{"id": "dup", "text": "first", "text": "second"}',
]
BAD_LINES = [
    '{"id": "x", "text": ',  # cut short
    '[1, 2, 3]',
    '"just a string"',
    '{',
    '{"id": "y" "text": "t"}',
    '\x0c{"id": "ff", "text": "t"}',
    '{"id": "z", "text": "t"} trailing',
]


def _mixed_file(tmp_path: Path) -> Path:
    lines = ['\ufeff{"id": "first", "text": "after a BOM"}', ""] + ODD_BUT_VALID + BAD_LINES + ["   "]
    data = "\n".join(lines).encode("utf-8") + b'\n{"id": "utf", "text": "\xff bad"}\n'
    data += ("[" * 3000 + "]" * 3000 + "\n").encode()  # nested deeper than either parser goes
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(data)
    return path


def _read_all(path, **options):
    skipped: list = []
    articles = list(read_articles(path, on_error="skip", errors=skipped, **options))
    return articles, [str(s) for s in skipped]


def test_orjson_and_json_read_every_line_alike(tmp_path, monkeypatch):
    pytest.importorskip("orjson")
    path = _mixed_file(tmp_path)
    fast_articles, fast_skipped = _read_all(path)
    monkeypatch.setattr(jsonl_records, "fast_loads", lambda: None)
    slow_articles, slow_skipped = _read_all(path)
    assert fast_skipped == slow_skipped
    assert repr(as_tuples(fast_articles)) == repr(as_tuples(slow_articles))  # repr: NaN != NaN
    by_id = {a.id: a for a in fast_articles}
    assert type(by_id["big"].extra["count"]) is int
    assert by_id["big"].extra["count"] == 123456789012345678901234567890
    assert by_id["nested"].extra["deep"]["list"][1] == 2**64
    assert math.isnan(by_id["nan"].extra["score"]) and by_id["huge"].extra["x"] == math.inf
    assert by_id["sur"].text == "lone \ud800 surrogate" and by_id["dup"].text == "second"
    assert by_id["first"].text == "after a BOM"


def test_bad_lines_are_named_by_file_and_line(tmp_path, parser):
    path = _mixed_file(tmp_path)
    _, skipped = _read_all(path)
    first_bad = 3 + len(ODD_BUT_VALID)  # BOM line, blank line, the odd ones, then the bad
    lines = [int(s.split(", line ")[1].split(":")[0]) for s in skipped]
    assert lines == list(range(first_bad, first_bad + len(BAD_LINES))) + [first_bad + len(BAD_LINES) + 1,
                                                                            first_bad + len(BAD_LINES) + 2]
    assert all(s.startswith(f"{path}, line ") for s in skipped)
    assert "at the end of the line" in skipped[0]
    assert "a JSON array is not an object" in skipped[1] and "jq -c" in skipped[1]
    assert "pretty-printed" in skipped[3]
    assert "invalid UTF-8 at byte offset" in skipped[-2]
    with pytest.raises(RecordError, match=rf"mixed\.jsonl, line {first_bad}: not valid JSON"):
        list(read_articles(path))


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(
    st.text(max_size=5),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
        max_leaves=8,
    ),
    max_size=4,
))
def test_any_json_object_reads_the_same_either_way(extra):
    pytest.importorskip("orjson")
    line = json.dumps({"id": "a", "text": "t", **{f"x{k}": v for k, v in extra.items()}}).encode()
    fast = list(jsonl_records.jsonl_records(iter([line]), "f", "strict"))
    slow = list(jsonl_records.jsonl_records(iter([line]), "f", "strict", use_orjson=False))
    assert repr(fast) == repr(slow)
    assert [type(v) for v in fast[0].fields.values()] == [type(v) for v in slow[0].fields.values()]


def test_each_date_is_parsed_once(tmp_path, monkeypatch, parser):
    path = tmp_path / "news.jsonl"
    path.write_bytes(jsonl_bytes(RECORDS))
    calls: list = []
    real = retold.article.parse_date

    def counting(value):
        calls.append(value)
        return real(value)

    monkeypatch.setattr(retold.article, "parse_date", counting)  # what __post_init__/from_dict call
    monkeypatch.setattr(article_records, "parse_date", counting)  # what the reader calls
    article_records.PARSED_DATES.clear()  # the reader keeps recent date strings parsed
    articles = list(read_articles(path))
    assert calls == [r["date"] for r in RECORDS]
    repeated = tmp_path / "same_day.jsonl"  # a string seen before is not parsed again
    repeated.write_bytes(jsonl_bytes([dict(r, date=RECORDS[0]["date"]) for r in RECORDS]))
    calls.clear()
    assert {a.date for a in read_articles(repeated)} == {articles[0].date} and calls == []
    # The same result as the fully checked constructor gives.
    monkeypatch.undo()
    rebuilt = [Article(id=a.id, text=a.text, title=a.title, date=r["date"], source=a.source,
                       lang=a.lang, extra=a.extra) for a, r in zip(articles, RECORDS)]
    assert articles == rebuilt and [a.date for a in articles] == [b.date for b in rebuilt]
    assert articles[0].date.tzinfo is None and articles[0].date.hour == 10


def test_from_dict_keeps_its_checks_and_messages():
    with pytest.raises(ValueError, match=r"record 'q': no 'text' field"):
        Article.from_dict({"id": "q"})
    with pytest.raises(ValueError, match=r"record 7: field 'text' must be a string, not int"):
        Article.from_dict({"text": 5}, position=7)
    with pytest.raises(ValueError, match=r"record 'd': field 'date': not an ISO 8601 date"):
        Article.from_dict({"id": "d", "text": "t", "date": "yesterday"})
    with pytest.raises(TypeError, match="title must be str or None"):
        Article.from_dict({"id": "t", "text": "t", "title": 5})
    a = Article.from_dict({"id": 3, "text": "t", "title": "", "date": "2024-01-02T03:00:00+02:00", "k": 1})
    assert a == Article(id="3", text="t", date="2024-01-02T01:00:00") and a.title is None
    assert a.extra == {"k": 1} and a.date == Article(id="x", text="t", date=a.date).date


def test_record_field_types_are_checked_as_before(tmp_path, parser):
    path = tmp_path / "types.jsonl"
    path.write_bytes(jsonl_bytes([
        {"id": "a", "text": 5}, {"id": "b", "text": "t", "title": 0}, {"id": "c", "text": "t", "date": []},
        {"id": "", "text": "no id"}, {"text": "t", "title": "", "source": "", "lang": ""},
    ]))
    articles, skipped = _read_all(path)
    assert [s.split(": ", 1)[1] for s in skipped] == [
        "field 'text' holds a value of type int, not a string; store the text as a string",
        "field 'title' holds a value of type int, not a string",
        "field 'date': a date must be a str, date, datetime or number, not list; write dates in "
        "ISO 8601 (2024-05-01 or 2024-05-01T12:00:00Z) or leave the field empty",
    ]
    assert [(a.id, a.title, a.source, a.lang) for a in articles] == [("3", None, None, None), ("4", None, None, None)]


def test_zst_of_several_frames_reads_them_all(tmp_path):
    half = len(RECORDS) // 2
    path = tmp_path / "news.jsonl.zst"
    path.write_bytes(_zstd(jsonl_bytes(RECORDS[:half])) + _zstd(b"") + _zstd(jsonl_bytes(RECORDS[half:])))
    assert [a.id for a in read_articles(path)] == [r["id"] for r in RECORDS]
    (tmp_path / "empty.jsonl.zst").write_bytes(b"")
    assert list(read_articles(tmp_path / "empty.jsonl.zst")) == []
