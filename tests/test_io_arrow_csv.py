"""CSV/TSV through pyarrow (retold.io.arrow_delimited) give the records of the csv module:
the same Articles, the same line numbers, the same skipped rows and messages."""
from __future__ import annotations

import bz2
import csv
import gzip
import io

import pytest

from retold import read_articles
from retold.io import InputError, RecordError
from retold.io import arrow_delimited
from retold.io.article_records import Admission, FieldNames
from retold.io.delimited_records import delimited_records
from retold.io.raw_records import byte_lines

pytest.importorskip("pyarrow.csv")

NAMES = FieldNames("id", "text", "title", "date", "source", "lang")


def _csv_module(path, delimiter=",", on_error="skip", errors=None, encoding_errors="strict"):
    """What read_articles gave before pyarrow: csv module rows through the general path."""
    raws = delimited_records(byte_lines(path), str(path), encoding_errors, delimiter, "text")
    return Admission(NAMES, on_error, errors, False).articles(raws)


def _tuples(articles):
    return [(a.id, a.text, a.title, a.date, a.source, a.lang, dict(a.extra)) for a in articles]


def _same_both_ways(path, delimiter=",", encoding_errors="strict"):
    new_errors, old_errors = [], []
    new = _tuples(read_articles(path, on_error="skip", errors=new_errors, encoding_errors=encoding_errors))
    old = _tuples(_csv_module(path, delimiter, "skip", old_errors, encoding_errors))
    assert new == old
    assert new_errors == old_errors
    return new, new_errors


def _rows_via_arrow(path, delimiter=","):
    """How many records pyarrow itself gave (not the csv module after it stopped)."""
    header = arrow_delimited._header(path, delimiter)
    pyarrow = arrow_delimited._arrow_csv()
    got = []
    try:
        for raw in arrow_delimited._rows(pyarrow, path, str(path), delimiter, header):
            got.append(raw)
    except Exception:  # noqa: BLE001 - where pyarrow stops
        pass
    return got


def test_quoting_bom_and_multiline_cells(tmp_path):
    path = tmp_path / "news.csv"
    rows = [
        ["id", "text", "title", "date", "source", "views"],
        ["a", 'He said "yes", then left.', "Quotes, commas", "2024-05-01", "Wire", "3"],
        ["b", "First paragraph.\n\nSecond, after a blank line inside the cell.", "", "", "", ""],
        ["c", "CRLF inside\r\na cell", "T", "2024-05-02T10:00:00+02:00", "", "7"],
        ["d", "  spaces kept  ", "é ü 漢字", "", "Agence", ""],
    ]
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:  # with a BOM
        csv.writer(handle).writerows(rows)
    new, errors = _same_both_ways(path)
    assert [r[0] for r in new] == ["a", "b", "c", "d"] and not errors
    assert new[1][1].count("\n") == 2 and new[3][2] == "é ü 漢字"
    assert len(_rows_via_arrow(path)) == 4  # all of them through pyarrow
    # Line numbers: a row starts after the line breaks inside the rows before it.
    assert [raw.line for raw in _rows_via_arrow(path)] == [2, 3, 6, 8]
    assert [raw.line for raw in delimited_records(byte_lines(path), "f", "strict", ",", "text")] == [2, 3, 6, 8]


def test_missing_fields_bad_rows_and_duplicates_are_reported_by_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        b"id,text,date\n"
        b"1,fine,2024-01-01\n"
        b'2,"multi\nline",\n'
        b"3,too,many,fields\n"
        b"4,few\n"
        b"1,duplicate id,\n"
        b"5,bad date,yesterday-ish\n"
        b"6,,\n"
        b"7,last,2024-01-02\n"
    )
    new, errors = _same_both_ways(path)
    assert [r[0] for r in new] == ["1", "2", "6", "7"]
    assert [e.line for e in errors] == [5, 6, 7, 8]
    with pytest.raises(RecordError) as fast:
        list(read_articles(path))
    with pytest.raises(RecordError) as slow:
        list(_csv_module(path, on_error="fail"))
    assert str(fast.value) == str(slow.value) and ", line 5:" in str(fast.value)


@pytest.mark.parametrize("body", [
    b"id,text\n1,a\n\n2,b\n",          # a blank line between rows
    b"id,text\n1,a\n2,b\n\n",          # and at the end
    b"id,text\r\n1,a\r\n\r\n2,b\r\n",  # CRLF blank line
    b"id,text\n1,a\n,\n2,b\n",         # a row of empty cells, which csv keeps
    b"id,text\n1,a\r2,b\n",            # a lone carriage return
    b"id,text\n1,\"a\rb\"\n2,b\n",     # one inside a cell
    b"id,text\n1,a\n2,b\xff\n3,c\n",   # not UTF-8
    b"id,text\n1,\"open quote\n2,b\n",  # an unclosed quote
    b"id,text\n1,\"x\"y\n2,a\"b\n",    # quotes csv takes literally
    b"\n\nid,text\n1,a\n",             # blank lines before the header
    b"text\n\nonly\n\nheader\n",       # one column with blank lines
    b"id,text\n",                      # no rows
    b"",                               # nothing
])
def test_odd_files_read_as_the_csv_module_reads_them(tmp_path, body):
    path = tmp_path / "odd.csv"
    path.write_bytes(body)
    try:
        _same_both_ways(path)
        _same_both_ways(path, encoding_errors="replace")
    except InputError as exc:  # a bad file is the same error both ways
        with pytest.raises(InputError) as slow:
            list(_csv_module(path))
        assert str(exc) == str(slow.value)


def test_a_header_without_the_text_column_is_the_same_error(tmp_path):
    path = tmp_path / "h.csv"
    path.write_bytes(b"id,body\n1,a\n")
    with pytest.raises(InputError) as fast:
        list(read_articles(path))
    with pytest.raises(InputError) as slow:
        list(_csv_module(path))
    assert str(fast.value) == str(slow.value)


def test_pyarrow_stops_where_the_csv_module_must_take_over(tmp_path, monkeypatch):
    # Rows in several blocks, a blank line near the end: pyarrow gives the rows before it, csv
    # the rest, and the records are the csv module's all the same.
    monkeypatch.setattr(arrow_delimited, "_BLOCK_BYTES", 1 << 10)
    lines = [b"id,text"] + [b'%d,"row %d\nwith a break"' % (i, i) for i in range(300)]
    lines.insert(250, b"")
    path = tmp_path / "long.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    via_arrow = _rows_via_arrow(path)
    assert 0 < len(via_arrow) < 300
    new, errors = _same_both_ways(path)
    assert len(new) == 300 and not errors


@pytest.mark.parametrize("suffix,pack", [(".gz", lambda d: gzip.compress(d, mtime=0)), (".bz2", bz2.compress)])
def test_compressed_and_tsv(tmp_path, suffix, pack):
    data = b"id\ttext\tlang\n1\tone\ten\n2\t\"two\n\"\t\n"
    path = tmp_path / f"n.tsv{suffix}"
    path.write_bytes(pack(data))
    new, _ = _same_both_ways(path, delimiter="\t")
    assert [r[0] for r in new] == ["1", "2"]
    assert len(_rows_via_arrow(path, "\t")) == 2


def test_without_pyarrow_the_csv_module_reads(tmp_path, monkeypatch):
    monkeypatch.setattr(arrow_delimited, "_arrow_csv", lambda: None)
    path = tmp_path / "n.csv"
    path.write_text("id,text\n1,a\n")
    assert [a.text for a in read_articles(path)] == ["a"]
