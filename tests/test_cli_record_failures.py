"""Issue 19: no single article can end a run of any command."""
from __future__ import annotations

import json

import pytest

import retold.hashing
from retold.cli import main

COMMANDS = {"dedup": "out.jsonl", "stories": "out.jsonl", "provenance": "out.jsonl", "analyze": "outdir"}
TEXT = "Fire broke out at the container terminal of Port Calvera on Monday night, the authority said."


def write_input(tmp_path, middle_text):
    path = tmp_path / "in.jsonl"
    rows = [{"id": "a", "text": TEXT}, {"id": "b", "text": middle_text}, {"id": "c", "text": TEXT + " Later."}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", COMMANDS)
def test_tibetan_vowel_signs_do_not_end_a_run(tmp_path, command):
    path = write_input(tmp_path, "\u0f40\u0f7c\u0f73 \u0f74\u0f81 \u0300\u0f75 " + TEXT)
    assert main([command, str(path), "-q", "-o", str(tmp_path / COMMANDS[command])]) == 0


@pytest.fixture
def failing_record(monkeypatch):
    """Make tokenising fail, unexpectedly, on one record's text (a stand-in for a kernel bug)."""
    real = retold.hashing.tokenize

    def tokenize(text, **kwargs):
        if "POISON" in text:
            raise AssertionError("simulated kernel failure")
        return real(text, **kwargs)

    monkeypatch.setattr(retold.hashing, "tokenize", tokenize)


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unexpected_failure_names_the_record(tmp_path, capsys, failing_record, command):
    path = write_input(tmp_path, "POISON " + TEXT)
    assert main([command, str(path), "-q", "-o", str(tmp_path / COMMANDS[command])]) == 3
    err = capsys.readouterr().err
    assert "line 2" in err and "'b'" in err and "simulated kernel failure" in err


@pytest.mark.parametrize("command", COMMANDS)
def test_on_error_skip_leaves_the_failing_record_out(tmp_path, capsys, failing_record, command):
    path = write_input(tmp_path, "POISON " + TEXT)
    out = tmp_path / COMMANDS[command]
    assert main([command, str(path), "--on-error", "skip", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "skipped 1 malformed record" in err and "line 2" in err
    if command == "provenance":
        return  # its records are edges, not articles: the listing above is what shows
    written = (out / "articles.jsonl") if out.is_dir() else out
    ids = {json.loads(line)["id"] for line in written.read_text(encoding="utf-8").splitlines()}
    assert ids == {"a", "c"}


# Issue 19, point 3: one rule for an input without articles, and the previous output survives.
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("content", ["", "{not json\n"], ids=["empty", "all-malformed"])
def test_an_input_without_articles_writes_nothing(tmp_path, capsys, command, content):
    path = tmp_path / "in.jsonl"
    path.write_text(content, encoding="utf-8")
    out = tmp_path / COMMANDS[command]
    assert main([command, str(path), "--on-error", "skip", "-q", "-o", str(out)]) == 3
    assert "no articles in the input" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("command", ["dedup", "stories", "provenance"])
def test_an_empty_input_keeps_the_previous_output(tmp_path, command):
    out = tmp_path / "out.jsonl"
    out.write_text('{"previous": "run"}\n', encoding="utf-8")
    empty = tmp_path / "in.jsonl"
    empty.write_text("", encoding="utf-8")
    assert main([command, str(empty), "-q", "-o", str(out)]) == 3
    assert out.read_text(encoding="utf-8") == '{"previous": "run"}\n'
