"""The ``retold dedup`` command: outputs, error policy, exit codes, atomic writes."""
from __future__ import annotations

import collections
import csv
import io
import json
import sys
from pathlib import Path

import pytest

from retold.cli import main
from tests.conftest import parser_exit_code, run_retold, write_jsonl


BASE = (
    "The central bank raised its main interest rate by a quarter point on Thursday, its third "
    "increase this year, and said further moves would depend on how quickly inflation eased in "
    "the coming months, according to a statement released after the meeting in the capital."
)
OTHER = (
    "Heavy snow closed the mountain pass for a second day, stranding dozens of lorries near the "
    "border while road crews worked through the night to clear drifts up to two metres deep."
)


@pytest.fixture
def corpus(tmp_path) -> Path:
    return write_jsonl(
        tmp_path / "news.jsonl",
        [
            {"id": "a", "text": BASE, "date": "2024-05-02"},
            {"id": "b", "text": BASE.replace("Thursday", "Thursday afternoon"), "date": "2024-05-01"},
            {"id": "c", "text": OTHER, "source": "Alpine Wire"},
        ],
    )


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_clusters_to_file(corpus, tmp_path, capsys):
    out = tmp_path / "clusters.jsonl"
    assert main(["dedup", str(corpus), "-o", str(out), "--threshold", "0.7"]) == 0
    records = read_jsonl(out)
    assert [r["id"] for r in records] == ["a", "b", "c"]
    assert records[0]["cluster"] == records[1]["cluster"] != records[2]["cluster"]
    assert records[0]["representative"] == "b"  # earliest date
    assert records[0]["matched_with"] == "b" and records[2]["matched_with"] is None
    err = capsys.readouterr().err
    assert "3 articles, 1 copy cluster holding" in err and "1 copy can be dropped" in err


def test_pairs_and_unique_to_stdout(corpus, capsys):
    assert main(["dedup", str(corpus), "--emit", "pairs", "--threshold", "0.7", "-q"]) == 0
    captured = capsys.readouterr()
    pairs = [json.loads(line) for line in captured.out.splitlines()]
    assert [(p["a"], p["b"], p["verified"]) for p in pairs] == [("a", "b", True)]
    assert captured.err == ""
    assert main(["dedup", str(corpus), "--emit", "unique", "--threshold", "0.7", "--keep", "first", "-q"]) == 0
    unique = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [u["id"] for u in unique] == ["a", "c"]
    assert unique[1]["source"] == "Alpine Wire" and unique[1]["text"] == OTHER


def test_unique_from_stdin(corpus, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(corpus.read_bytes()), encoding="utf-8"))
    assert main(["dedup", "-", "--emit", "unique", "--threshold", "0.7", "-q"]) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == ["b", "c"]


def test_csv_output(corpus, tmp_path):
    out = tmp_path / "clusters.csv"
    assert main(["dedup", str(corpus), "-o", str(out), "-q", "--threshold", "0.7"]) == 0
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == ["a", "b", "c"] and rows[2]["matched_with"] == ""


def test_demo_with_containment_matches_gold(tmp_path):
    from retold.data import load_demo

    out = tmp_path / "demo.jsonl"
    assert main(["dedup", "--demo", "--measure", "containment", "-o", str(out), "-q"]) == 0
    records = read_jsonl(out)
    gold = {r["id"]: r["copy_cluster"] for r in load_demo()}
    ours = collections.defaultdict(set)
    theirs = collections.defaultdict(set)
    for r in records:
        ours[r["cluster"]].add(r["id"])
        theirs[gold[r["id"]]].add(r["id"])
    assert sorted(map(sorted, ours.values())) == sorted(map(sorted, theirs.values()))


def test_malformed_record_stops_run_naming_line_and_keeps_old_output(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps({"id": "a", "text": BASE}) + "\n{not json\n" + json.dumps({"id": "c"}) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    assert main(["dedup", str(bad), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert "bad.jsonl, line 2" in err
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "out.jsonl"]


def test_skip_lists_bad_records_and_loses_nothing_else(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    lines = [
        json.dumps({"id": "a", "text": BASE}),
        "{not json",
        json.dumps({"id": "c"}),
        json.dumps({"id": "d", "text": OTHER}),
    ]
    data = ("\n".join(lines) + "\n").encode() + b'{"id": "e", "text": "caf\xe9"}\n'
    bad.write_bytes(data)
    out = tmp_path / "out.jsonl"
    assert main(["dedup", str(bad), "-o", str(out), "--on-error", "skip"]) == 0
    assert [r["id"] for r in read_jsonl(out)] == ["a", "d"]
    err = capsys.readouterr().err
    assert "skipped 3 malformed record(s)" in err
    assert "bad.jsonl, line 2" in err and "line 3" in err and "line 5" in err


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["dedup"], 2, "no INPUT"),
        (["dedup", "x.jsonl", "--demo"], 2, "not both"),
        (["dedup", "missing.jsonl"], 3, "missing.jsonl"),
        (["dedup", "--demo", "--num-perm", "4", "--threshold", "0.1", "--recall", "0.999"], 2, "cannot reach recall"),
    ],
)
def test_usage_and_input_errors(argv, code, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == code
    assert message in capsys.readouterr().err


def test_bad_option_values_exit_2(capsys):
    for argv in (["dedup", "--demo", "--threshold", "1.5"], ["dedup", "--demo", "--workers", "0"]):
        assert parser_exit_code(argv) == 2


def test_python_dash_m_retold_runs_the_demo(tmp_path):
    proc = run_retold(["dedup", "--demo", "--emit", "pairs", "--measure", "containment"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 20
    assert "63 articles" in proc.stderr


def test_low_memory_reads_twice_and_gives_the_same_clusters(tmp_path):
    plain, low = tmp_path / "plain.jsonl", tmp_path / "low.jsonl"
    assert main(["dedup", "--demo", "--measure", "containment", "-o", str(plain), "-q"]) == 0
    assert main(["dedup", "--demo", "--similarity", "containment", "--low-memory", "-o", str(low), "-q"]) == 0
    assert plain.read_text(encoding="utf-8") == low.read_text(encoding="utf-8")


def test_low_memory_refuses_stdin(capsys):
    assert main(["dedup", "-", "--low-memory"]) == 2
    assert "standard input" in capsys.readouterr().err


def test_capped_buckets_are_reported(tmp_path, capsys):
    boiler = "Subscribe to our newsletter for the latest news from the region every morning and evening"
    corpus = write_jsonl(tmp_path / "boiler.jsonl", [{"id": f"b{i}", "text": boiler} for i in range(30)])
    assert main(["dedup", str(corpus), "--bucket-cap", "5", "--emit", "pairs", "-o", str(tmp_path / "p.jsonl")]) == 0
    err = capsys.readouterr().err
    assert "LSH buckets over 5 members gave star edges only (largest 30)" in err
    assert len(read_jsonl(tmp_path / "p.jsonl")) == 29
