"""Readers and writers: round trips per format, malformed records, atomic writes, mojibake."""
from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
import pickle
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retold.article import Article
from retold.io import (
    RecordError,
    SkippedRecord,
    atomic_write,
    atomic_write_bytes,
    iter_chunks,
    read_articles,
    repair_mojibake,
    write_records,
)

ARTICLES = [
    Article(id="ar", text="قالت وكالة الأنباء إن الاجتماع انتهى", title="عاجل", date=dt.datetime(2024, 5, 1, 12, 30)),
    Article(id="zh", text="新华社北京5月1日电 会议今天结束", title="新闻", source="Xinhua", lang="zh"),
    Article(id="emoji", text="Markets 📈 rally 🚀 after the vote", date=dt.datetime(2023, 12, 31, 23, 59, 59, 123456)),
    Article(id="nul", text="before\x00after, with \"quotes\", commas\tand\ttabs\nand a second line"),
    Article(id="empty", text=""),
    Article(id="crlf", text="windows\r\nline\rbreaks and \u2028 separators \x85"),
]
TEXT_FORMATS = ["jsonl", "csv", "tsv"]
EXTENSION = {"jsonl": ".jsonl", "csv": ".csv", "tsv": ".tsv", "parquet": ".parquet"}


def write_lines(path, lines: list[bytes]) -> None:
    path.write_bytes(b"\n".join(lines) + b"\n")


def roundtrip(tmp_path, fmt, articles=ARTICLES, **read_options):
    path = tmp_path / f"articles{EXTENSION[fmt]}"
    assert write_records(articles, path) == len(articles)
    return list(read_articles(path, **read_options))


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_round_trip_keeps_every_field(tmp_path, fmt):
    back = roundtrip(tmp_path, fmt)
    assert back == ARTICLES
    assert [a.to_dict() for a in back] == [a.to_dict() for a in ARTICLES]


def test_parquet_round_trip(tmp_path):
    pytest.importorskip("pyarrow")
    assert roundtrip(tmp_path, "parquet") == ARTICLES


def test_parquet_nested_and_mixed_values_become_strings(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "r.parquet"
    write_records([{"text": "a", "tags": ["x", "y"], "n": 1}, {"text": "b", "tags": None, "n": "two"}], path)
    back = list(read_articles(path))
    assert json.loads(back[0].extra["tags"]) == ["x", "y"]
    assert [a.extra["n"] for a in back] == ["1", "two"]


def test_gzipped_jsonl_round_trip(tmp_path):
    path = tmp_path / "articles.jsonl.gz"
    write_records(ARTICLES, path)
    assert gzip.decompress(path.read_bytes()).startswith(b'{"id": "ar"')
    assert list(read_articles(path)) == ARTICLES


def test_gzip_output_is_deterministic(tmp_path):
    first, second = tmp_path / "a.csv.gz", tmp_path / "b.csv.gz"
    write_records(ARTICLES, first)
    write_records(ARTICLES, second)
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("extension", [".ndjson", ".json"])
def test_other_json_lines_extensions(tmp_path, extension):
    path = tmp_path / f"a{extension}"
    write_records(ARTICLES, path, format="jsonl")
    assert list(read_articles(path)) == ARTICLES


def test_explicit_format_overrides_extension(tmp_path):
    path = tmp_path / "articles.data"
    write_records(ARTICLES, path, format="tsv")
    assert list(read_articles(path, format="tsv")) == ARTICLES


def test_custom_field_names(tmp_path):
    path = tmp_path / "custom.csv"
    write_records(
        [{"uid": "u1", "body": "Body one", "headline": "H", "published": "2024-02-03T04:05:06Z",
          "outlet": "AP", "language": "en", "section": "world"}],
        path,
    )
    [article] = read_articles(
        path, id_field="uid", text_field="body", title_field="headline", date_field="published",
        source_field="outlet", lang_field="language",
    )
    assert article == Article(id="u1", text="Body one", title="H", date=dt.datetime(2024, 2, 3, 4, 5, 6),
                              source="AP", lang="en")
    assert article.extra == {"section": "world"}


def test_missing_ids_become_positions(tmp_path):
    path = tmp_path / "a.jsonl"
    write_lines(path, [b'{"text": "zero"}', b"", b'{"text": "one", "id": null}', b'{"id": "x", "text": "two"}'])
    assert [a.id for a in read_articles(path)] == ["0", "1", "x"]


def test_empty_csv_id_cell_means_no_id(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,text\n,first\nb,second\n", encoding="utf-8")
    assert [a.id for a in read_articles(path)] == ["0", "b"]


def test_stdin_defaults_to_jsonl(monkeypatch):
    data = "".join(json.dumps(a.to_dict(), ensure_ascii=False) + "\n" for a in ARTICLES).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert list(read_articles("-")) == ARTICLES


def test_stdin_csv(monkeypatch):
    data = "id,text\na,é\n".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert list(read_articles("-", format="csv")) == [Article(id="a", text="é")]


def test_write_to_stdout(monkeypatch):
    buffer = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(buffer, encoding="ascii"))
    write_records([{"id": "a", "text": "日本"}], "-")
    assert buffer.getvalue() == '{"id": "a", "text": "日本"}\n'.encode()  # UTF-8 whatever the locale


def test_txt_directory(tmp_path):
    (tmp_path / "b-story.txt").write_text("Headline-looking first line\nbody ✓", encoding="utf-8")
    (tmp_path / "a.txt").write_bytes(b"\xef\xbb\xbfwith a BOM")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not an article", encoding="utf-8")
    assert list(read_articles(tmp_path)) == [
        Article(id="a", text="with a BOM"),
        Article(id="b-story", text="Headline-looking first line\nbody ✓"),
        Article(id="empty", text=""),
    ]


def test_txt_directory_with_bad_utf8(tmp_path):
    (tmp_path / "good.txt").write_text("fine", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"line one\nline \xff two")
    with pytest.raises(RecordError, match=r"bad\.txt, line 2: invalid UTF-8"):
        list(read_articles(tmp_path))
    errors: list[SkippedRecord] = []
    assert [a.id for a in read_articles(tmp_path, on_error="skip", errors=errors)] == ["good"]
    assert errors[0].file.endswith("bad.txt") and errors[0].line == 2


def test_empty_text_is_a_record(tmp_path):
    path = tmp_path / "a.jsonl"
    write_lines(path, [b'{"id": "e", "text": ""}'])
    assert list(read_articles(path)) == [Article(id="e", text="")]


def test_empty_inputs(tmp_path):
    for name in ("a.jsonl", "a.csv"):
        (tmp_path / name).write_bytes(b"")
        assert list(read_articles(tmp_path / name)) == []


def test_dates_in_other_forms_are_read(tmp_path):
    path = tmp_path / "a.jsonl"
    write_lines(path, [b'{"text": "a", "date": "2024-05-01T14:30:00+02:00"}', b'{"text": "b", "date": 0}'])
    assert [a.date for a in read_articles(path)] == [dt.datetime(2024, 5, 1, 12, 30), dt.datetime(1970, 1, 1)]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_twenty_megabyte_record(tmp_path, fmt):
    big = Article(id="big", text=("Долгий текст, " * 800_000)[: 20 * 1024 * 1024 // 2])
    back = roundtrip(tmp_path, fmt, [Article(id="small", text="s"), big, Article(id="after", text="a")])
    assert [a.id for a in back] == ["small", "big", "after"]
    assert back[1].text == big.text


# --------------------------------------------------------------------------- malformed records


GOOD_1 = b'{"id": "g1", "text": "first good"}'
GOOD_2 = b'{"id": "g2", "text": "second good"}'

MALFORMED_JSONL = {
    "bad JSON": (b'{"id": "b", "text": "unterminated', "not valid JSON"),
    "not an object": (b'["id", "text"]', "JSON array is not an object"),
    "missing text": (b'{"id": "b", "body": "x"}', "no 'text' field"),
    "null text": (b'{"id": "b", "text": null}', "no 'text' field"),
    "text not a string": (b'{"id": "b", "text": 42}', "not a string"),
    "title not a string": (b'{"id": "b", "text": "x", "title": ["t"]}', "'title' holds"),
    "invalid UTF-8": (b'{"id": "b", "text": "caf\xe9"}', "invalid UTF-8"),
    "bad date": (b'{"id": "b", "text": "x", "date": "last Tuesday"}', "not an ISO 8601 date"),
    "duplicate id": (b'{"id": "g1", "text": "again"}', "duplicate id 'g1', first seen at .*line 2"),
}


@pytest.mark.parametrize("kind", list(MALFORMED_JSONL))
def test_malformed_jsonl_fails_naming_file_and_line(tmp_path, kind):
    bad, message = MALFORMED_JSONL[kind]
    path = tmp_path / "news.jsonl"
    write_lines(path, [b"", GOOD_1, bad, GOOD_2])
    articles = read_articles(path)
    assert next(articles).id == "g1"
    with pytest.raises(RecordError, match=rf"news\.jsonl, line 3: .*{message}") as caught:
        next(articles)
    assert isinstance(caught.value, ValueError)
    assert (caught.value.line, caught.value.file) == (3, str(path))
    assert "on_error='skip'" in str(caught.value)


@pytest.mark.parametrize("kind", list(MALFORMED_JSONL))
def test_malformed_jsonl_skipped_and_listed(tmp_path, kind):
    bad, message = MALFORMED_JSONL[kind]
    path = tmp_path / "news.jsonl"
    write_lines(path, [b"", GOOD_1, bad, GOOD_2])
    errors: list[SkippedRecord] = []
    assert [a.id for a in read_articles(path, on_error="skip", errors=errors)] == ["g1", "g2"]
    [skipped] = errors
    assert (skipped.file, skipped.line) == (str(path), 3)
    assert "news.jsonl, line 3:" in str(skipped)


def test_every_kind_skipped_in_one_file(tmp_path):
    path = tmp_path / "news.jsonl"
    lines = [GOOD_1]
    for bad, _ in MALFORMED_JSONL.values():
        lines += [bad, b'{"text": "good %d"}' % len(lines)]
    write_lines(path, lines)
    errors: list[SkippedRecord] = []
    good = list(read_articles(path, on_error="skip", errors=errors))
    assert len(good) == 1 + len(MALFORMED_JSONL)
    assert [e.line for e in errors] == list(range(2, 2 * len(MALFORMED_JSONL) + 1, 2))


def test_record_error_survives_pickling():
    error = RecordError("news.jsonl", 3, "not valid JSON", "line")
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.file, copy.line, copy.reason) == (str(error), "news.jsonl", 3, "not valid JSON")


def test_skip_without_an_error_list(tmp_path):
    path = tmp_path / "news.jsonl"
    write_lines(path, [GOOD_1, b"{", GOOD_2])
    assert [a.id for a in read_articles(path, on_error="skip")] == ["g1", "g2"]


def test_invalid_utf8_in_the_middle_line_can_be_replaced(tmp_path):
    path = tmp_path / "news.jsonl"
    write_lines(path, [GOOD_1, b'{"id": "m", "text": "caf\xe9 cr\xe8me"}', GOOD_2])
    with pytest.raises(RecordError, match=r"line 2: invalid UTF-8 .*encoding_errors='replace'"):
        list(read_articles(path))
    kept = list(read_articles(path, encoding_errors="replace"))
    assert [a.text for a in kept] == ["first good", "caf\ufffd cr\ufffdme", "second good"]


def test_pretty_printed_json_gets_a_hint(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('[\n  {"text": "x"}\n]\n', encoding="utf-8")
    with pytest.raises(RecordError, match=r"a\.json, line 1: .*pretty-printed .*jq"):
        list(read_articles(path))


CSV_GOOD = "id,text,date\ng1,first good,2024-01-01\n"
CSV_TAIL = "g2,\"second, good\",\n"
MALFORMED_CSV = {
    "too many fields": ("b,x,2024-01-01,extra\n", "the row has 4 fields but the header has 3"),
    "too few fields": ("b,x\n", "the row has 2 fields"),
    "bad date": ("b,x,31/12/2024\n", "not an ISO 8601 date"),
    "duplicate id": ("g1,again,\n", "duplicate id 'g1', first seen at .*line 2"),
}


@pytest.mark.parametrize("kind", list(MALFORMED_CSV))
def test_malformed_csv_rows(tmp_path, kind):
    bad, message = MALFORMED_CSV[kind]
    path = tmp_path / "news.csv"
    path.write_text(CSV_GOOD + bad + CSV_TAIL, encoding="utf-8")
    with pytest.raises(RecordError, match=rf"news\.csv, line 3: .*{message}"):
        list(read_articles(path))
    errors: list[SkippedRecord] = []
    assert [a.id for a in read_articles(path, on_error="skip", errors=errors)] == ["g1", "g2"]
    assert [(e.file, e.line) for e in errors] == [(str(path), 3)]


def test_csv_line_numbers_count_physical_lines(tmp_path):
    path = tmp_path / "news.csv"
    path.write_bytes(b'id,text\na,"spans\nthree\nlines"\nb,"caf\xe9"\nc,ok\n')
    errors: list[SkippedRecord] = []
    assert [a.id for a in read_articles(path, on_error="skip", errors=errors)] == ["a", "c"]
    assert [e.line for e in errors] == [5]
    assert "invalid UTF-8" in errors[0].reason


def test_tsv_wrong_field_count_names_tabs(tmp_path):
    path = tmp_path / "news.tsv"
    path.write_text("id\ttext\na\tx\ty\n", encoding="utf-8")
    with pytest.raises(RecordError, match=r"news\.tsv, line 2: .*contain tabs"):
        list(read_articles(path))


def test_csv_without_text_column_fails_even_when_skipping(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text("id,body\na,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"news\.csv, line 1: .*no column 'text' \(columns: id, body\).*text_field="):
        list(read_articles(path, on_error="skip"))


def test_parquet_without_text_column(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "news.parquet"
    write_records([{"id": "a", "body": "x"}], path)
    with pytest.raises(ValueError, match=r"news\.parquet: no column 'text' \(columns: id, body\)"):
        list(read_articles(path, on_error="skip"))
    assert [a.text for a in read_articles(path, text_field="body")] == ["x"]


def test_parquet_bad_rows_are_named_by_row_index(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "news.parquet"
    write_records([{"id": "a", "text": "x"}, {"id": "b", "text": None}, {"id": "c", "text": "z"}], path)
    with pytest.raises(RecordError, match=r"news\.parquet, row index 1: no 'text' field"):
        list(read_articles(path))
    errors: list[SkippedRecord] = []
    assert [a.id for a in read_articles(path, on_error="skip", errors=errors)] == ["a", "c"]
    assert [(e.line, e.unit) for e in errors] == [(1, "row index")]


# --------------------------------------------------------------------------- input problems


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.jsonl"):
        read_articles(tmp_path / "nowhere.jsonl")  # at once, not at the first record


def test_unknown_extension_lists_the_formats(tmp_path):
    path = tmp_path / "news.xml"
    path.write_text("<news/>", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\.jsonl.*\.csv.*\.parquet.*format="):
        read_articles(path)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"on_error": "ignore"}, "on_error"),
        ({"encoding_errors": "nonsense"}, "encoding_errors"),
        ({"format": "xml"}, "format='xml'"),
    ],
)
def test_bad_options_are_refused_at_once(tmp_path, options, message):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=message):
        read_articles(path, **options)


def test_directory_without_txt_files(tmp_path):
    with pytest.raises(ValueError, match="no .txt files"):
        read_articles(tmp_path)


def test_parquet_without_pyarrow_says_what_to_install(tmp_path, monkeypatch):
    path = tmp_path / "a.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ImportError, match=r'pip install "retold\[parquet\]"'):
        read_articles(path)
    with pytest.raises(ImportError, match=r'pip install "retold\[parquet\]"'):
        write_records([{"text": "x"}], path)


def test_fix_text_without_ftfy_says_what_to_install(tmp_path, monkeypatch):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"")
    monkeypatch.setitem(sys.modules, "ftfy", None)
    with pytest.raises(ImportError, match=r'pip install "retold\[fix\]"'):
        read_articles(path, fix_text=True)


# --------------------------------------------------------------------------- chunks


def test_iter_chunks_streams_lazily():
    consumed = []

    def numbers():
        for n in range(7):
            consumed.append(n)
            yield n

    chunks = iter_chunks(numbers(), 3)
    assert next(chunks) == [0, 1, 2]
    assert consumed == [0, 1, 2]
    assert list(chunks) == [[3, 4, 5], [6]]
    assert list(iter_chunks([], 3)) == []
    with pytest.raises(ValueError, match="size"):
        list(iter_chunks([1], 0))


def test_reading_in_chunks(tmp_path):
    path = tmp_path / "a.jsonl"
    write_records(({"text": f"article {i}"} for i in range(10)), path)
    chunks = list(iter_chunks(read_articles(path), 4))
    assert [len(c) for c in chunks] == [4, 4, 2]
    assert chunks[2][1].id == "9"


# --------------------------------------------------------------------------- writers


def test_csv_header_is_the_union_of_keys_in_first_seen_order(tmp_path):
    path = tmp_path / "out.csv"
    write_records([{"b": 1, "a": "x"}, {"c": {"nested": [1, 2]}, "a": "y"}, {"d": True, "b": None}], path)
    assert path.read_bytes().decode("utf-8") == (
        'b,a,c,d\r\n1,x,,\r\n,y,"{""nested"": [1, 2]}",\r\n,,,true\r\n'
    )


def test_values_are_made_plain(tmp_path):
    path = tmp_path / "out.jsonl"
    write_records(
        [{
            "when": dt.datetime(2024, 1, 2, 3, 4, 5),
            "day": dt.date(2024, 1, 2),
            "score": np.float32(0.5),
            "count": np.int64(7),
            "flag": np.bool_(True),
            "vector": np.arange(3, dtype=np.uint8),
            "stamp": np.datetime64("2024-01-02T03:04:05"),
            "missing": float("nan"),
            "tags": {"b", "a"},
            "pair": (1, "x"),
        }],
        path,
    )
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "when": "2024-01-02T03:04:05", "day": "2024-01-02", "score": 0.5, "count": 7, "flag": True,
        "vector": [0, 1, 2], "stamp": "2024-01-02T03:04:05", "missing": None, "tags": ["a", "b"],
        "pair": [1, "x"],
    }


def test_unwritable_value_names_the_record(tmp_path):
    with pytest.raises(TypeError, match=r"record 1, field 'blob'.*bytes"):
        write_records([{"text": "ok"}, {"blob": b"\x00"}], tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()


def test_unknown_output_format(tmp_path):
    with pytest.raises(ValueError, match="cannot write format 'txt'"):
        write_records([], tmp_path, format="txt")
    with pytest.raises(ValueError, match="standard output"):
        write_records([], "-", format="parquet")


def test_lone_surrogates_survive_jsonl(tmp_path):
    path = tmp_path / "out.jsonl"
    write_records([{"text": "half \ud800 pair"}], path)
    assert [a.text for a in read_articles(path)] == ["half \ud800 pair"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_atomic_write_keeps_the_old_file_when_records_fail(tmp_path, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    path = tmp_path / f"out{EXTENSION[fmt]}"
    path.write_bytes(b"old content")

    def records():
        yield {"text": "one"}
        yield {"text": "two"}
        raise RuntimeError("upstream failed halfway")

    with pytest.raises(RuntimeError, match="halfway"):
        write_records(records(), path)
    assert path.read_bytes() == b"old content"
    assert os.listdir(tmp_path) == [path.name]  # no temporary file left behind


def test_atomic_write_replaces_and_keeps_permissions(tmp_path):
    path = tmp_path / "index.bin"
    atomic_write_bytes(path, b"first")
    path.chmod(0o640)
    with atomic_write(path, "w") as out:
        out.write("second")
    assert path.read_text() == "second"
    assert path.stat().st_mode & 0o777 == 0o640
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(path, "wb") as out:
            out.write(b"partial")
            raise KeyboardInterrupt
    assert path.read_text() == "second"
    assert os.listdir(tmp_path) == ["index.bin"]


def test_new_files_get_ordinary_permissions(tmp_path):
    path = tmp_path / "fresh.jsonl"
    write_records([{"text": "x"}], path)
    umask = os.umask(0o022)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_atomic_write_needs_an_existing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing"):
        atomic_write_bytes(tmp_path / "missing" / "x.bin", b"")


# --------------------------------------------------------------------------- mojibake


def test_repair_mojibake():
    pytest.importorskip("ftfy")
    assert repair_mojibake("Ã©tÃ© Ã  Paris") == "été à Paris"
    for correct in ("été à Paris", "“curly” ﬁ ＡＢ", "It’s", "Москва", "line\r\nbreak &amp; \x1b[0m", ""):
        assert repair_mojibake(correct) == correct


def test_fix_text_repairs_text_and_title(tmp_path):
    pytest.importorskip("ftfy")
    path = tmp_path / "a.jsonl"
    write_records([{"id": "m", "text": "Ã©tÃ© Ã  Paris", "title": "CafÃ©"}, {"id": "ok", "text": "fine"}], path)
    fixed = list(read_articles(path, fix_text=True))
    assert [(a.text, a.title) for a in fixed] == [("été à Paris", "Café"), ("fine", None)]
    assert next(read_articles(path)).text == "Ã©tÃ© Ã  Paris"  # only when asked


# --------------------------------------------------------------------------- properties


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)
records_strategy = st.lists(
    st.fixed_dictionaries({"text": st.text()}, optional={"title": st.text(min_size=1), "tag": json_values}),
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=records_strategy)
def test_any_records_round_trip_through_jsonl(tmp_path, records):
    path = tmp_path / "property.jsonl"
    write_records(records, path)
    back = list(read_articles(path))
    assert [a.to_dict() for a in back] == [{"id": str(i), **record} for i, record in enumerate(records)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.parametrize("fmt", ["csv", "tsv"])
@given(texts=st.lists(st.text(), max_size=8))
def test_any_text_round_trips_through_delimited_files(tmp_path, fmt, texts):
    path = tmp_path / f"property.{fmt}"
    write_records([{"id": f"r{i}", "text": text} for i, text in enumerate(texts)], path)
    assert [a.text for a in read_articles(path)] == texts
