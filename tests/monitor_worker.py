"""Processes for the monitor's crash tests (run as ``python -m tests.monitor_worker``).

``write DB N BATCH SEED``: continue the synthetic stream where the store stops, one add per
BATCH articles, printing ``ack SEQ`` once each add has returned (so the parent knows what was
acknowledged when it kills the process).
``read DB STOPFILE BATCH``: read the store in snapshots until STOPFILE exists, print ``bad ...``
for any state that is not a whole number of committed adds of BATCH articles, else
``read OK N K`` (N snapshots, K distinct article counts seen).
"""
from __future__ import annotations

import datetime as dt
import sqlite3
import sys
import time

# Small windows and frequent checkpoints, so that a short stream evicts, folds and replays.
OPTIONS = {"copy_window_days": 2.0, "copy_window_articles": 60, "window_days": 1.0,
           "window_articles": 50, "checkpoint_every": 45}


def stream(n: int, seed: int) -> list[dict]:
    """``n`` synthetic articles, one an hour, every 7th undated: reprints with edits
    (:func:`retold.synthetic.iter_news`) between rewrites of shared events
    (:func:`retold.synthetic.story_corpus`), so that copies, stories and folds all occur."""
    from retold.synthetic import iter_news, story_corpus

    base = dt.datetime(2024, 1, 1)
    copies = iter_news(n, seed=seed, mean_words=60, duplicate_rate=0.5, edit_rates=(0.0, 0.01, 0.03),
                       vocabulary_size=5_000)
    told = story_corpus(max(1, n // 2), seed=seed, events_per_topic=4, mean_rewrites=6.0, outlets=8,
                        mean_words=60, vocabulary_size=20_000)
    out = []
    for k in range(n):
        if k % 2 and k // 2 < len(told):
            text, title, source = told.texts[k // 2], told.titles[k // 2], f"Outlet {told.outlet[k // 2] % 5}"
        else:
            text, title, source = next(copies)["text"], None, f"Outlet {k % 5}"
        out.append({"id": f"a{k:05d}", "text": text, "title": title, "source": source,
                    "date": None if k % 7 == 3 else (base + dt.timedelta(hours=k)).isoformat()})
    return out


def write(db: str, n: int, batch: int, seed: int) -> None:
    from retold.monitor import Monitor

    docs = stream(n, seed)
    with Monitor(db, **OPTIONS) as monitor:
        start = len(monitor)
        print(f"start {start}", flush=True)
        for lo in range(start, n, batch):
            verdicts = monitor.add(docs[lo:lo + batch])
            print(f"ack {verdicts[-1].seq}", flush=True)
    print("done", flush=True)


def check_snapshot(con: sqlite3.Connection, batch: int) -> str | None:
    """What is wrong with the committed state ``con`` sees now (None: nothing)."""
    con.execute("BEGIN")
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        arrivals = int(meta.get("arrivals", 0))
        n_articles, top = con.execute("SELECT count(*), coalesce(max(seq) + 1, 0) FROM articles").fetchone()
        n_verdicts = con.execute("SELECT count(*) FROM verdicts").fetchone()[0]
        orphan = con.execute("SELECT count(*) FROM passages p LEFT JOIN articles a ON a.seq = p.b_seq "
                             "WHERE a.seq IS NULL").fetchone()[0]
    finally:
        con.execute("COMMIT")
    if not (arrivals == n_articles == n_verdicts == top):
        return f"bad arrivals={arrivals} articles={n_articles} verdicts={n_verdicts} top={top}"
    if n_articles % batch:
        return f"bad {n_articles} articles is not a whole number of batches of {batch}"
    if orphan:
        return f"bad {orphan} passages of articles not stored"
    return None


def read(db: str, stop: str, batch: int) -> None:
    from pathlib import Path

    count, seen = 0, set()
    while not Path(stop).exists():
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, isolation_level=None)
            con.execute("PRAGMA busy_timeout = 10000")
            problem = check_snapshot(con, batch)
            seen.add(con.execute("SELECT count(*) FROM articles").fetchone()[0])
            con.close()
        except sqlite3.OperationalError:
            time.sleep(0.01)  # not created yet
            continue
        if problem:
            print(problem, flush=True)
            return
        count += 1
        time.sleep(0.002)
    print(f"read OK {count} {len(seen)}", flush=True)


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    if mode == "write":
        write(args[0], int(args[1]), int(args[2]), int(args[3]))
    elif mode == "read":
        read(args[0], args[1], int(args[2]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")
