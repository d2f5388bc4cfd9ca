"""The monitor's store survives SIGKILL: restarted, it ends where an uninterrupted run ends.

A writer process (``tests/monitor_worker.py``) is killed at random points of a synthetic stream
(several seeds, several kills each), restarted, and left to finish; the final store must equal
that of an uninterrupted run table by table (labels, pairs, passages, edges, index state), hold
every acknowledged article once, and pass ``PRAGMA integrity_check``, while a reader process
checks that each snapshot it takes is a whole number of committed adds.
"""
from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import retold

from tests import monitor_worker
from tests.conftest import stored_articles

REPO = Path(__file__).resolve().parents[1]

# Every table but the story checkpoint (taken at other moments when a run is cut short; what
# it holds is checked through the labels it leads to).
TABLES = {
    "meta": "key", "articles": "seq", "verdicts": "seq", "copy_pairs": "left_seq, right_seq",
    "copy_clusters": "cluster", "stories": "story", "merges": "rowid", "pairs": "a_seq, b_seq",
    "passages": "a_seq, b_seq, k", "edges": "seq, k", "copy_window": "seq", "story_units": "seq",
}

N, BATCH = 84, 6


def dump(path: Path) -> dict[str, list]:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY {order}").fetchall()
                for t, order in TABLES.items()}
    finally:
        con.close()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # The retold this process imported (a checkout's src/ or an installed one), and tests/.
    here = str(Path(retold.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([here, str(REPO), env.get("PYTHONPATH", "")])
    return env


def _writer(db: Path, seed: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.monitor_worker", "write", str(db), str(N), str(BATCH), str(seed)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=_env())


def _reader(db: Path, stop: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.monitor_worker", "read", str(db), str(stop), str(BATCH)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=_env())


def _stop(reader: subprocess.Popen, stop: Path) -> str:
    stop.touch()
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    return out


@pytest.fixture(scope="module")
def references(tmp_path_factory) -> dict[int, dict]:
    """Uninterrupted runs, one per seed (in this process: same code, no start-up cost)."""
    out = {}
    for seed in (11, 12, 13):
        db = tmp_path_factory.mktemp("ref") / "ref.db"
        monitor_worker.write(str(db), N, BATCH, seed)
        out[seed] = dump(db)
    return out


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_sigkill_and_restart_end_as_an_uninterrupted_run(tmp_path, references, seed):
    rng = random.Random(seed)
    db = tmp_path / "live.db"
    stop = tmp_path / "stop"
    reader = _reader(db, stop)
    acked = -1
    kills = 0
    try:
        while True:
            writer = _writer(db, seed)
            if kills < 3:
                # Let it acknowledge a few adds, then kill it at a random moment of the next ones.
                wanted = rng.randint(1, 4)
                got = 0
                for line in writer.stdout:
                    if line.startswith("ack "):
                        acked = max(acked, int(line.split()[1]))
                        got += 1
                        if got >= wanted:
                            break
                time.sleep(rng.uniform(0.0, 0.06))
                writer.kill()  # SIGKILL: no clean-up of any kind
                writer.wait()
                kills += 1
                stored = stored_articles(db)
                assert stored >= acked + 1, f"acknowledged article {acked} lost (store holds {stored})"
                assert stored % BATCH == 0, f"{stored} articles: a batch was stored in part"
                continue
            out, err = writer.communicate(timeout=120)
            assert writer.returncode == 0, err
            assert out.splitlines()[-1] == "done"
            break
    finally:
        r_out = _stop(reader, stop)
    assert kills == 3
    assert "bad" not in r_out, r_out
    got = dump(db)
    for table, rows in references[seed].items():
        assert got[table] == rows, f"table {table} differs from the uninterrupted run"
    assert len(got["articles"]) == N and len({r[1] for r in got["articles"]}) == N
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


def test_a_concurrent_reader_sees_whole_adds(tmp_path):
    """While a writer runs, every snapshot of another process is a whole number of adds."""
    db, stop = tmp_path / "read.db", tmp_path / "stop"
    reader = _reader(db, stop)
    writer = _writer(db, 21)
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    r_out = _stop(reader, stop)
    assert r_out.startswith("read OK"), r_out
    # It must have read the store part-way through for this to test anything.
    assert int(r_out.split()[-1]) >= 3, r_out


def test_check_snapshot_sees_a_torn_state(tmp_path):
    """The reader's check fails on a state that is not whole adds (so it can fail at all)."""
    db = tmp_path / "torn.db"
    monitor_worker.write(str(db), 2 * BATCH, BATCH, 5)
    con = sqlite3.connect(db, isolation_level=None)
    assert monitor_worker.check_snapshot(con, BATCH) is None
    con.execute("DELETE FROM verdicts WHERE seq = (SELECT max(seq) FROM verdicts)")
    assert monitor_worker.check_snapshot(con, BATCH).startswith("bad")


def test_both_backends_write_the_same_store(tmp_path):
    """The same stream gives the same store with the compiled kernels and the Python twins."""
    pytest.importorskip("retold._ext.text", reason="compiled kernels are not built")
    dumps = []
    for impl in ("compiled", "python"):
        db = tmp_path / f"{impl}.db"
        env = _env()
        env["RETOLD_IMPLEMENTATION"] = impl
        done = subprocess.run(
            [sys.executable, "-m", "tests.monitor_worker", "write", str(db), "60", str(BATCH), "3"],
            capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        dumps.append(dump(db))
    for table in TABLES:
        assert dumps[0][table] == dumps[1][table], f"table {table} differs between the backends"
