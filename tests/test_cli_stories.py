"""The ``retold stories`` and ``retold eval`` commands: outputs, error policy, exit codes, plug-ins."""
from __future__ import annotations

import csv
import json
import sys
import types
from pathlib import Path

import pytest

from retold.cli import main
from tests.conftest import parser_exit_code, write_jsonl

CALVERA = "A fire at the Port Calvera container terminal halted shipping; two workers were hurt in Port Calvera."
CALVERA2 = "Port Calvera terminal fire: nine ships diverted and two workers hurt, the Calvera port said."
OSTERIA = "Osteria's central bank raised its main rate to 5.25 percent as inflation climbed in Osteria."


@pytest.fixture
def corpus(tmp_path) -> Path:
    return write_jsonl(tmp_path / "news.jsonl", [
        {"id": "a", "text": CALVERA, "date": "2026-03-03T08:00:00Z", "source": "MPA", "story": "fire"},
        {"id": "b", "text": CALVERA2, "date": "2026-03-03T10:00:00Z", "source": "Post", "story": "fire"},
        {"id": "c", "text": OSTERIA, "date": "2026-03-04T10:00:00Z", "source": "Nordwire", "story": "rate"},
    ])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_stories_writes_one_record_per_article(corpus, tmp_path):
    out = tmp_path / "out.jsonl"
    assert main(["stories", str(corpus), "-o", str(out), "-q", "--threshold", "0.2"]) == 0
    records = read_jsonl(out)
    assert [r["id"] for r in records] == ["a", "b", "c"]
    assert records[0]["story"] == records[1]["story"] != records[2]["story"]
    assert records[0]["story_size"] == 2 and "Calvera" in records[0]["story_label"]


def test_stories_emit_stories_csv(corpus, tmp_path):
    out = tmp_path / "stories.csv"
    assert main(["stories", str(corpus), "-o", str(out), "-q", "--threshold", "0.2",
                 "--emit", "stories", "--min-size", "2"]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 1 and rows[0]["size"] == "2"


def test_stories_demo_to_stdout(capsys):
    assert main(["stories", "--demo", "-q"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 63
    assert all("story" in json.loads(line) for line in lines)


def test_stories_summary_on_stderr(corpus, tmp_path, capsys):
    assert main(["stories", str(corpus), "-o", str(tmp_path / "o.jsonl"), "--threshold", "0.2"]) == 0
    err = capsys.readouterr().err
    assert "3 articles in 2 stories" in err and "wrote 3 article records" in err


def test_stories_error_policy(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "a", "text": CALVERA}) + "\n{not json\n"
                    + json.dumps({"id": "b", "text": CALVERA2}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["stories", str(path), "-o", str(out), "-q"]) == 3
    assert "line 2" in capsys.readouterr().err
    assert not out.exists()  # nothing half-written
    assert main(["stories", str(path), "-o", str(out), "-q", "--on-error", "skip"]) == 0
    assert [r["id"] for r in read_jsonl(out)] == ["a", "b"]
    assert "skipped 1 malformed record" in capsys.readouterr().err


def test_stories_usage_errors(corpus, capsys):
    assert main(["stories", str(corpus), "--demo"]) == 2
    assert main(["stories"]) == 2
    assert main(["stories", str(corpus) + ".missing"]) == 3
    assert parser_exit_code(["stories", str(corpus), "--threshold", "1.5"]) == 2


def test_eval_clusters_on_demo(capsys):
    assert main(["eval", "clusters", "--demo", "-q", "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["f1"] >= 0.95 and scores["n_items"] == 63


def test_eval_clusters_gold_field_and_label_from_id(corpus, tmp_path, capsys):
    assert main(["eval", "clusters", str(corpus), "-q", "--threshold", "0.2"]) == 0
    assert "F1 1.0000" in capsys.readouterr().out
    assert main(["eval", "clusters", str(corpus), "-q", "--gold-field", "nope"]) == 3
    assert "no gold field 'nope'" in capsys.readouterr().err
    folder = tmp_path / "txt"
    folder.mkdir()
    for name, text in [("fire.1", CALVERA), ("fire.2", CALVERA2), ("rate.1", OSTERIA)]:
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    assert main(["eval", "clusters", str(folder), "-q", "--threshold", "0.2",
                 "--label-from-id", r"^(.*)\.\d+$", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["f1"] == 1.0


def test_eval_similarity_pairs_file(tmp_path, capsys):
    path = tmp_path / "pairs.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["pair_id", "lang1", "lang2", "text1", "text2", "Overall"])
        w.writerow(["1", "en", "en", CALVERA, CALVERA2, "1"])
        w.writerow(["2", "en", "en", CALVERA, OSTERIA, "4"])
        w.writerow(["3", "en", "en", CALVERA2, OSTERIA, "3.5"])
    assert main(["eval", "similarity", str(path), "--no-fix-text"]) == 0
    out = capsys.readouterr().out
    assert "3 pairs" in out and "ROC-AUC" in out and "same-language" in out
    assert main(["eval", "similarity", str(path), "--no-fix-text", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["groups"]["all"]["roc_auc"] == 1.0
    assert main(["eval", "similarity", str(tmp_path / "none.csv")]) == 3


def test_eval_without_subcommand_is_usage_error(capsys):
    assert main(["eval"]) == 2


def test_eval_plugs_in_a_new_subcommand(monkeypatch, capsys):
    from retold.cli import eval as eval_cli

    module = types.ModuleType("retold_test_fake_eval")
    module.HELP = "a fake evaluation"
    module.add_arguments = lambda parser: parser.add_argument("--level", type=int, default=1)
    module.run = lambda args: print(f"fake level {args.level}") or 0
    monkeypatch.setitem(sys.modules, "retold_test_fake_eval", module)
    monkeypatch.setitem(eval_cli.SUBCOMMANDS, "fake", "retold_test_fake_eval")
    assert main(["eval", "fake", "--level", "3"]) == 0
    assert "fake level 3" in capsys.readouterr().out
    # A registered module that is not installed is left out rather than breaking the command.
    monkeypatch.setitem(eval_cli.SUBCOMMANDS, "absent", "retold_test_no_such_module")
    assert main(["eval", "clusters", "--demo", "-q", "--json"]) == 0
