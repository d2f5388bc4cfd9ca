"""What the command line says: exit codes for bad input, advice in option spelling, wording,
and help for the input options (issue 19, point 6)."""
from __future__ import annotations

import argparse
import json
import re

import pytest

from retold.cli import build_parser, main
from retold.cli._common import as_command_line, counted

TEXT = ("The central bank raised its main interest rate by a quarter point on Thursday, its third "
        "increase this year, and said further moves would depend on inflation.")


def _err(capsys) -> str:
    return capsys.readouterr().err


# ------------------------------------------------------------------------------- exit codes


def test_a_csv_without_the_text_column_is_bad_input(tmp_path, capsys):
    path = tmp_path / "news.csv"
    path.write_text("id,body\na,hello there\n", encoding="utf-8")
    for command, out in (("dedup", "o.jsonl"), ("stories", "o.jsonl"), ("provenance", "o.jsonl"),
                         ("analyze", "outdir")):
        assert main([command, str(path), "-o", str(tmp_path / out), "-q"]) == 3, command
        err = _err(capsys)
        assert "no column 'text'" in err and "--text-field" in err and "text_field=" not in err
        assert not (tmp_path / out).exists()


def test_a_parquet_file_without_the_text_column_is_bad_input(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "news.parquet"
    pq.write_table(pa.table({"id": ["a"], "body": ["hello"]}), path)
    assert main(["dedup", str(path), "-o", str(tmp_path / "o.jsonl"), "-q"]) == 3
    assert "--text-field" in _err(capsys)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet at all")
    assert main(["dedup", str(broken), "-o", str(tmp_path / "o.jsonl"), "-q"]) == 3


def test_a_folder_without_txt_files_is_bad_input_and_bad_options_are_usage(tmp_path, capsys):
    folder = tmp_path / "empty"
    folder.mkdir()
    assert main(["dedup", str(folder), "-o", str(tmp_path / "o.jsonl"), "-q"]) == 3
    assert "holds no .txt files" in _err(capsys)
    news = tmp_path / "news.jsonl"
    news.write_text(json.dumps({"id": "a", "text": TEXT}) + "\n", encoding="utf-8")
    # Naming the wrong format for a file is the user's argument, not the file's fault.
    assert main(["dedup", str(news), "--format", "txt", "-o", str(tmp_path / "o.jsonl"), "-q"]) == 2
    err = _err(capsys)
    assert "--format txt reads a directory" in err and "format='txt'" not in err
    odd = tmp_path / "news.data"
    odd.write_text("x", encoding="utf-8")
    assert main(["dedup", str(odd), "-o", str(tmp_path / "o.jsonl"), "-q"]) == 2
    err = _err(capsys)
    assert "name the format with --format (one of" in err


def test_the_library_still_raises_value_errors():
    from retold.io import InputError, RecordError, read_articles

    assert issubclass(InputError, ValueError) and issubclass(RecordError, InputError)


# ------------------------------------------------------------------------------- advice


def test_skipped_records_are_listed_with_command_line_advice(tmp_path, capsys):
    path = tmp_path / "news.jsonl"
    path.write_bytes(json.dumps({"id": "a", "text": TEXT}).encode() + b"\n"
                     + b'{"id": "b", "text": "bad \xff bytes"}\n')
    assert main(["dedup", str(path), "-o", str(tmp_path / "o.jsonl"), "--on-error", "skip"]) == 0
    err = _err(capsys)
    assert "line 2: invalid UTF-8" in err
    assert "--encoding-errors replace" in err and "encoding_errors" not in err
    assert main(["dedup", str(path), "-o", str(tmp_path / "o.jsonl")]) == 3
    err = _err(capsys)
    assert "--encoding-errors replace" in err and "--on-error skip" in err and "=" not in err


def test_align_advice_names_the_method_option(tmp_path, capsys, monkeypatch):
    import retold.passages as passages

    monkeypatch.setattr(passages, "FULL_MEMORY_LIMIT", 1000)
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(TEXT, encoding="utf-8")
    b.write_text(TEXT, encoding="utf-8")
    assert main(["align", str(a), str(b), "--method", "full"]) == 2
    err = _err(capsys)
    assert "--method full would need" in err and "use --method seeded," in err
    assert "method=" not in err


def test_keywords_become_options_only_where_the_command_has_them():
    flags = {"encoding_errors": "--encoding-errors", "method": "--method", "text_field": "--text-field",
             "fix_text": "--fix-text", "label_from_id": "--label-from-id"}
    assert as_command_line("pass encoding_errors='replace' to keep it", flags) == \
        "pass --encoding-errors replace to keep it"
    assert as_command_line('use method="seeded", whose', flags) == "use --method seeded, whose"
    assert as_command_line("name it with text_field=", flags) == "name it with --text-field"
    assert as_command_line("(text_field=) or fix_text=True.", flags) == "(--text-field) or --fix-text."
    assert as_command_line("label_from_id='^(.*) x$'", flags) == "--label-from-id '^(.*) x$'"
    # Not options of this command, or not keywords at all: as written.
    assert as_command_line("use on_error='skip'; a=b; x.method='full'", flags) == \
        "use on_error='skip'; a=b; x.method='full'"
    assert as_command_line("encoding_errors='replace'", {}) == "encoding_errors='replace'"


# ------------------------------------------------------------------------------- wording


@pytest.mark.parametrize("line, what", [
    (b'{"id": "a", "text": "abc', "Unterminated string starting at column 21"),
    (b'{"id": "a", "text": "abc\n', "Invalid control character at the end of the line"),
    (b'{"id": "a" "text": "x"}\n', "Expecting ',' delimiter at column 12"),
    (b'{"id": "a", "text": \n', "Expecting value at the end of the line"),
])
def test_json_errors_say_where_once(tmp_path, capsys, line, what):
    path = tmp_path / "news.jsonl"
    path.write_bytes(line)
    assert main(["dedup", str(path), "-o", str(tmp_path / "o.jsonl"), "-q"]) == 3
    err = _err(capsys)
    assert f"not valid JSON ({what})" in err
    assert not re.search(r"\bat at\b", err)


def test_counts_agree_with_their_nouns():
    assert counted(1, "copy cluster") == "1 copy cluster"
    assert counted(0, "copy cluster") == "0 copy clusters"
    assert counted(1, "story", "stories") == "1 story"
    assert counted(12, "story", "stories") == "12 stories"


def test_summaries_agree_in_number(tmp_path, capsys):
    path = tmp_path / "news.jsonl"
    rows = [{"id": "a", "text": TEXT}, {"id": "b", "text": TEXT + " More."},
            {"id": "c", "text": "Heavy snow closed the mountain pass for a second day, stranding "
             "dozens of lorries near the border while crews worked."}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["dedup", str(path), "-o", str(tmp_path / "o.jsonl")]) == 0
    err = _err(capsys)
    assert "3 articles, 1 copy cluster holding 2 articles; 1 copy can be dropped" in err
    assert "wrote 3 records" in err
    assert main(["analyze", str(path), "-o", str(tmp_path / "out"), "--no-parquet"]) == 0
    err = _err(capsys)
    assert "1 copy cluster holds 2 articles" in err
    assert not re.search(r"\b1 (copy clusters|stories|articles|records|edges|quotes)\b", err)


# ------------------------------------------------------------------------------- help


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", ["dedup", "stories", "provenance", "analyze"])
def test_input_options_have_help_and_show_their_defaults(command):
    parser = _subparsers(build_parser())[command]
    by_flag = {o: a for a in parser._actions for o in a.option_strings}
    for flag in ("--format", "--id-field", "--text-field", "--title-field", "--date-field",
                 "--source-field", "--lang-field", "--on-error", "--encoding-errors"):
        action = by_flag[flag]
        assert action.help, flag
        if action.default is not None:
            assert "%(default)s" in action.help or str(action.default) in action.help, flag
    text = parser.format_help()
    assert "(default: text)" in text and "(default: strict)" in text
