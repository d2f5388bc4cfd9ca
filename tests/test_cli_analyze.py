"""The ``retold analyze`` command: the demo run, the files it writes, error policy, exit codes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from retold.cli import main
from tests.conftest import parser_exit_code, run_retold

NAMES = ("articles", "copy_pairs", "stories", "passages", "provenance", "reused_passages")


def has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


PARQUET = has("pyarrow.parquet")
REPORT = has("jinja2")


def expected_files(parquet: bool = PARQUET) -> set[str]:
    return ({f"{n}.jsonl" for n in NAMES} | ({f"{n}.parquet" for n in NAMES} if parquet else set())
            | ({"report.html"} if REPORT else set()))

WIRE = (
    "Fire broke out at the container terminal of Port Calvera on Monday night, and the harbour "
    "authority said the eastern quay would stay closed. \"We will not reopen the eastern quay "
    "until every crane has been inspected and we are certain it is safe for the people who work "
    "there,\" the authority's director said on Tuesday morning."
)
REPRINT = WIRE.replace("Monday night", "Monday") + " Reporting by the Coastal Ledger."
OTHER = (
    "Heavy snow closed the mountain pass for a second day, stranding dozens of lorries near the "
    "border while road crews worked through the night to clear drifts up to two metres deep."
)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_demo_writes_every_file(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["analyze", "--demo", "-o", str(out)]) == 0
    assert {p.name for p in out.iterdir()} == expected_files()
    articles = read_jsonl(out / "articles.jsonl")
    assert len(articles) == 63
    err = capsys.readouterr().err
    assert "retold analyze: 63 articles" in err
    assert "articles.jsonl" in err and "provenance.jsonl" in err
    if not REPORT:
        assert "no report.html" in err
        return
    assert "report.html" in err
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "retold demo corpus" in html
    for story in read_jsonl(out / "stories.jsonl"):
        assert f'"id":"{story["story"]}"' in html


def test_default_directory_and_no_parquet(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["analyze", "--demo", "--no-parquet", "-q", "--neighbours", "1"]) == 0
    assert {p.name for p in (tmp_path / "retold-report").iterdir()} == expected_files(parquet=False)
    assert capsys.readouterr().err == ""  # --quiet


def test_options_reach_the_analysis(tmp_path):
    path = tmp_path / "news.jsonl"
    records = [
        {"id": "w", "text": WIRE, "source": "MPA", "date": "2026-03-01T08:00:00Z"},
        {"id": "r", "text": REPRINT, "source": "Coastal Ledger", "date": "2026-03-01T09:00:00Z"},
        {"id": "o", "text": OTHER, "source": "Alpine Wire", "date": "2026-03-01T10:00:00Z"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["analyze", str(path), "-o", str(out), "-q", "--copy-threshold", "0.7",
                 "--min-tokens", "5", "--workers", "2", "--story-threshold", "0.2"]) == 0
    articles = {a["id"]: a for a in read_jsonl(out / "articles.jsonl")}
    assert articles["w"]["copy_cluster"] == articles["r"]["copy_cluster"] != articles["o"]["copy_cluster"]
    assert articles["w"]["is_representative"] and not articles["r"]["is_representative"]
    passages = read_jsonl(out / "passages.jsonl")
    assert passages and all(p["a"] == "w" and p["b"] == "r" for p in passages)
    # Stricter copies: the reprint is no copy at containment 1.
    out2 = tmp_path / "out2"
    assert main(["analyze", str(path), "-o", str(out2), "-q", "--copy-threshold", "1"]) == 0
    articles = {a["id"]: a for a in read_jsonl(out2 / "articles.jsonl")}
    assert articles["w"]["copy_cluster"] != articles["r"]["copy_cluster"]


def bad_input(tmp_path: Path) -> Path:
    path = tmp_path / "bad.jsonl"
    lines = [
        json.dumps({"id": "w", "text": WIRE, "date": "2026-03-01T08:00:00Z"}),
        "{not json",
        json.dumps({"id": "r", "text": REPRINT, "date": "2026-03-01T09:00:00Z"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_malformed_record_fails_naming_the_line(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["analyze", str(bad_input(tmp_path)), "-o", str(out), "--on-error", "fail"]) == 3
    assert "bad.jsonl, line 2" in capsys.readouterr().err
    assert not out.exists()  # nothing half-written


def test_malformed_record_skipped_and_listed(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["analyze", str(bad_input(tmp_path)), "-o", str(out), "--on-error", "skip"]) == 0
    err = capsys.readouterr().err
    assert "skipped 1 malformed record" in err and "bad.jsonl, line 2" in err
    assert [a["id"] for a in read_jsonl(out / "articles.jsonl")] == ["w", "r"]


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["analyze"], 2, "no INPUT"),
        (["analyze", "x.jsonl", "--demo"], 2, "not both"),
        (["analyze", "missing.jsonl"], 3, "missing.jsonl"),
    ],
)
def test_usage_and_input_errors(argv, code, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == code
    assert message in capsys.readouterr().err


def test_duplicate_ids_and_output_that_is_a_file(tmp_path, capsys):
    path = tmp_path / "dup.jsonl"
    path.write_text(json.dumps({"id": "a", "text": WIRE}) + "\n" + json.dumps({"id": "a", "text": OTHER}) + "\n",
                    encoding="utf-8")
    assert main(["analyze", str(path), "-o", str(tmp_path / "out"), "-q"]) == 3
    assert "duplicate" in capsys.readouterr().err
    taken = tmp_path / "taken"
    taken.write_text("x", encoding="utf-8")
    assert main(["analyze", "--demo", "-o", str(taken), "-q"]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_bad_option_values_exit_2():
    for argv in (["analyze", "--demo", "--copy-threshold", "1.5"], ["analyze", "--demo", "--workers", "0"],
                 ["analyze", "--demo", "--neighbours", "-1"], ["analyze", "--demo", "--min-tokens", "0"]):
        assert parser_exit_code(argv) == 2


def test_python_dash_m_retold_analyze_demo(tmp_path):
    proc = run_retold(["analyze", "--demo", "-o", "tmp", "--no-parquet"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in (tmp_path / "tmp").iterdir()} == expected_files(parquet=False)
    assert "wrote to tmp/" in proc.stderr


def test_without_jinja2_the_records_are_still_written(tmp_path, monkeypatch, capsys):
    import retold.cli.analyze as command

    monkeypatch.setattr(command, "_can_render", lambda: False)
    out = tmp_path / "out"
    assert main(["analyze", "--demo", "-o", str(out), "--no-parquet"]) == 0
    assert {p.name for p in out.iterdir()} == {f"{n}.jsonl" for n in NAMES}
    assert "no report.html: the report needs Jinja2" in capsys.readouterr().err


def _interrupt_after(monkeypatch, files: int) -> None:
    """Make the writer raise KeyboardInterrupt when asked for file number ``files + 1``."""
    import retold.io

    real = retold.io.write_records
    count = {"n": 0}

    def write_records(records, path, **kwargs):
        count["n"] += 1
        if count["n"] > files:
            raise KeyboardInterrupt
        return real(records, path, **kwargs)

    monkeypatch.setattr(retold.io, "write_records", write_records)


def test_an_interrupted_run_leaves_no_new_directory(tmp_path, monkeypatch):
    out = tmp_path / "new"
    _interrupt_after(monkeypatch, 4)
    assert main(["analyze", "--demo", "-q", "-o", str(out)]) == 130
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # and no temporary directory left behind


def test_an_interrupted_run_leaves_the_previous_run_whole(tmp_path, monkeypatch):
    out = tmp_path / "run"
    assert main(["analyze", "--demo", "-q", "-o", str(out), "--no-parquet"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    _interrupt_after(monkeypatch, 2)
    assert main(["analyze", "--demo", "-q", "-o", str(out), "--story-threshold", "0.9"]) == 130
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_a_new_run_replaces_the_whole_set(tmp_path):
    out = tmp_path / "run"
    assert main(["analyze", "--demo", "-q", "-o", str(out)]) == 0
    assert main(["analyze", "--demo", "-q", "-o", str(out), "--no-parquet"]) == 0
    assert {p.name for p in out.iterdir()} == expected_files(parquet=False)


def test_a_directory_holding_other_files_is_not_replaced(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["analyze", "--demo", "-q", "-o", str(out)]) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_no_reused_passages_leaves_them_out(tmp_path):
    out = tmp_path / "out"
    assert main(["analyze", "--demo", "-o", str(out), "-q", "--no-parquet", "--no-reused-passages"]) == 0
    assert not (out / "reused_passages.jsonl").exists() and (out / "passages.jsonl").exists()
