"""The ``retold passages`` command: outputs, input fields, error policy, exit codes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from retold.cli import main
from tests.conftest import write_jsonl

QUOTE = ("we will not stop until every family in the valley has clean water to drink and the "
         "wells are safe again, the minister told reporters")


@pytest.fixture
def corpus(tmp_path) -> Path:
    return write_jsonl(tmp_path / "news.jsonl", [
        {"key": "x", "body": f"Floods hit the north. {QUOTE}. Roads stay closed.", "date": "2024-05-03",
         "outlet": "Daily"},
        {"key": "y", "body": f"Markets fell sharply today. Separately, {QUOTE}.", "date": "2024-05-01",
         "outlet": "Wire"},
        {"key": "z", "body": "An unrelated story about the harvest festival and its parade.",
         "date": "2024-05-02", "outlet": "Gazette"},
    ])


ARGS = ["--id-field", "key", "--text-field", "body", "--source-field", "outlet", "-q"]


def test_writes_one_record_per_printing_first_by_date(corpus, tmp_path):
    out = tmp_path / "out.jsonl"
    assert main(["passages", str(corpus), "-o", str(out), *ARGS]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["first"], r["source"]) for r in rows] == [("y", True, "Wire"), ("x", False, "Daily")]
    body = {"x": f"Floods hit the north. {QUOTE}. Roads stay closed.",
            "y": f"Markets fell sharply today. Separately, {QUOTE}."}
    assert all(body[r["id"]][r["begin"]:r["end"]] == r["text"] for r in rows)
    assert {r["cluster"] for r in rows} == {0} and rows[0]["size"] == 2


def test_passages_to_parquet(corpus, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "out.parquet"
    assert main(["passages", str(corpus), "-o", str(out), "--emit", "passages", *ARGS]) == 0
    table = pq.read_table(out).to_pylist()
    assert len(table) == 1 and table[0]["first_id"] == "y" and table[0]["documents"] == 2
    assert table[0]["span_days"] == 2.0


def test_malformed_records_fail_or_are_skipped(corpus, tmp_path, capsys):
    with corpus.open("a", encoding="utf-8") as f:
        f.write('{"key": "bad", "body": 12}\n')
    out = tmp_path / "out.jsonl"
    assert main(["passages", str(corpus), "-o", str(out), *ARGS]) == 3
    assert "line 4" in capsys.readouterr().err and not out.exists()
    assert main(["passages", str(corpus), "-o", str(out), "--on-error", "skip", *ARGS]) == 0
    assert "skipped 1 malformed" in capsys.readouterr().err
    assert len(out.read_text().splitlines()) == 2


def test_bad_options_and_empty_input_are_usage_and_input_errors(corpus, tmp_path, capsys):
    empty = write_jsonl(tmp_path / "empty.jsonl", [])
    assert main(["passages", str(empty), "-q"]) == 3
    assert "no articles" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["passages", str(corpus), "--max-df", "1", *ARGS])
    assert exit_.value.code == 2 and "--max-df: must be at least 2" in capsys.readouterr().err


def test_noisy_ocr_options_reach_reused_passages(tmp_path):
    import retold
    from retold.passage_reuse import NOISY_OCR
    from retold.synthetic_reprints import reprint_corpus

    records = reprint_corpus(200, passages=8, noise=0.1, seed=5).records()
    path = write_jsonl(tmp_path / "ocr.jsonl", [{k: r[k] for k in ("id", "text")} for r in records])
    out = tmp_path / "out.jsonl"
    assert main(["passages", str(path), "-o", str(out), "-q", "--ngram", "3", "--min-shared", "2",
                 "--bridge-gap", "32", "--match-score", "3", "--misread-words"]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    texts = [{"id": r["id"], "text": r["text"]} for r in records]
    expected = list(retold.reused_passages(texts, **NOISY_OCR).iter_records())
    assert [(r["cluster"], r["id"], r["begin"], r["end"]) for r in rows] == [
        (r["cluster"], r["id"], r["begin"], r["end"]) for r in expected]
    assert expected != list(retold.reused_passages(texts, ngram=3, min_shared=3).iter_records())
    assert expected != list(retold.reused_passages(texts, **{**NOISY_OCR, "misread_words": False}).iter_records())


def test_dask_workers_give_the_same_records(corpus, tmp_path):
    pytest.importorskip("distributed", reason="--dask-workers needs retold[dask]")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert main(["passages", str(corpus), "-o", str(one), *ARGS]) == 0
    assert main(["passages", str(corpus), "-o", str(two), "--dask-workers", "1", *ARGS]) == 0
    assert one.read_text() == two.read_text()
