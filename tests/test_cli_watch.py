"""``retold watch`` and ``retold report --state``: stdin, followed files, directories, Ctrl-C."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import retold

from retold.cli import main
from tests import monitor_worker
from tests.conftest import stored_articles

REPO = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # The retold this process imported (a checkout's src/ or an installed one), and tests/.
    here = str(Path(retold.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([here, str(REPO), env.get("PYTHONPATH", "")])
    return env


def _write(path: Path, docs) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(d) + "\n")


@pytest.fixture(scope="module")
def docs():
    return monitor_worker.stream(40, 8)


def test_watch_a_file_then_again_doubles_nothing(tmp_path, docs, capsys):
    feed, db, out = tmp_path / "feed.jsonl", tmp_path / "news.db", tmp_path / "verdicts.jsonl"
    _write(feed, docs)
    assert main(["watch", "--state", str(db), str(feed), "-o", str(out), "--batch", "7"]) == 0
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["id"] for r in lines] == [d["id"] for d in docs]
    assert main(["watch", "--state", str(db), str(feed), "-o", str(out)]) == 0
    assert "40 already there" in capsys.readouterr().err
    assert stored_articles(db) == 40 and len(out.read_text().splitlines()) == 40


def test_watch_a_directory_and_report_from_the_store(tmp_path, docs, capsys):
    folder, db = tmp_path / "in", tmp_path / "news.db"
    folder.mkdir()
    _write(folder / "a.jsonl", docs[:25])
    _write(folder / "b.jsonl", docs[25:])
    assert main(["watch", "--state", str(db), str(folder)]) == 0
    printed = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(printed) == 40
    pytest.importorskip("jinja2")
    story = printed[-1]["story"]
    assert main(["report", "--state", str(db), "-o", str(tmp_path / "rep"), "--story", str(story)]) == 0
    assert (tmp_path / "rep" / "report.html").stat().st_size > 1000
    assert main(["report", "--state", str(tmp_path / "absent.db"), "-o", str(tmp_path / "r2")]) == 3


def test_store_options_are_kept_and_checked(tmp_path, docs, capsys):
    feed, db = tmp_path / "feed.jsonl", tmp_path / "news.db"
    _write(feed, docs[:5])
    assert main(["watch", "--state", str(db), str(feed), "--copy-threshold", "0.7", "--no-provenance"]) == 0
    assert main(["watch", "--state", str(db), str(feed), "--copy-threshold", "0.9"]) == 2
    assert "copy_threshold=0.7" in capsys.readouterr().err
    assert main(["watch", "--state", str(db), str(feed)]) == 0  # the stored options go on


def test_a_malformed_line_is_named(tmp_path, docs, capsys):
    feed, db = tmp_path / "feed.jsonl", tmp_path / "news.db"
    _write(feed, docs[:3])
    with open(feed, "a") as fh:
        fh.write("{not json\n")
    assert main(["watch", "--state", str(db), str(feed)]) == 3
    assert f"{feed}:4" in capsys.readouterr().err
    assert stored_articles(db) == 3
    assert main(["watch", "--state", str(db), str(feed), "--on-error", "skip"]) == 0


def test_follow_then_ctrl_c_stops_after_the_transaction(tmp_path, docs):
    feed, db = tmp_path / "feed.jsonl", tmp_path / "news.db"
    _write(feed, docs[:10])
    proc = subprocess.Popen(
        [sys.executable, "-m", "retold", "watch", "--state", str(db), "--follow", str(feed), "--linger", "0.05"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=_env())
    seen = []
    try:
        for line in proc.stdout:
            seen.append(json.loads(line))
            if len(seen) == 10:
                break
        _write(feed, docs[10:30])  # appended while it follows the file
        for line in proc.stdout:
            seen.append(json.loads(line))
            if len(seen) == 30:
                break
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    seen.extend(json.loads(x) for x in out.splitlines())
    assert proc.returncode == 130, err
    assert "stopped after the last transaction" in err
    assert [r["id"] for r in seen] == [d["id"] for d in docs[:30]]
    assert stored_articles(db) == 30
