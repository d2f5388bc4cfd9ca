"""The live monitor (:class:`retold.Monitor`): throughput, latency, memory and store size over a stream.

A synthetic stream (:func:`retold.synthetic.iter_news`: ~300-word articles, 20% reprints with
edits, 2,000 a day, dated) goes through one monitor with passages and provenance on:

- in batches of 1,000: articles/s for each step of the stream (100,000 articles a step in a
  full run), the resident set size (``VmRSS``) and the store's size on disk (file + WAL) at the
  end of each step, and the add's latency p50/p99 (each article of a batch waits for its add);
- in batches of 1 (after a warm-up stream, so the windows are full): per-article latency p50/p99.

Targets (issue 18), on one worker: >= 3,000 articles/s in batches of 1,000; p99 <= 50 ms for a
single article; RSS flat after the first window.  They are printed beside what was measured,
not asserted: the numbers depend on the machine and its load, which the table records.

Full run (writes a store in a temporary directory)::

    PYTHONPATH=src python benches/bench_monitor.py --docs 100000 --step 10000

Smoke run (tiny; checks the bench still works and its answers)::

    python -m pytest benches/bench_monitor.py --benchmark-disable -q
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

TARGET_RATE = 3_000
TARGET_P99_MS = 50.0


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux ``/proc``; NaN elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def store_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()) / 1e6


def stream(n: int, seed: int = 0):
    from retold.synthetic import iter_news

    for doc in iter_news(n, seed=seed):
        yield {"id": doc["id"], "text": doc["text"], "date": doc["date"]}


def run_batches(path: Path, n: int, batch: int, step: int, **options) -> dict:
    """Stream ``n`` articles in batches; a row per ``step`` articles (``options``: the Monitor's)."""
    from retold.monitor import Monitor

    rows, latencies = [], []
    docs = stream(n)
    with Monitor(path, **options) as monitor:
        done, t_step, a_step = 0, time.perf_counter(), 0
        while done < n:
            chunk = [d for _, d in zip(range(min(batch, n - done)), docs)]
            t = time.perf_counter()
            verdicts = monitor.add(chunk)
            latencies.append(time.perf_counter() - t)
            assert len(verdicts) == len(chunk)
            done += len(chunk)
            if done - a_step >= step or done == n:
                now = time.perf_counter()
                held = monitor.in_memory
                rows.append({"articles": done, "rate": (done - a_step) / (now - t_step),
                             "rss_mb": rss_mb(), "store_mb": store_mb(path), "held": held["articles"],
                             "stories": held["stories"]})
                t_step, a_step = now, done
        stored = len(monitor)
    lat = np.array(latencies) * 1e3
    return {"rows": rows, "stored": stored, "p50_ms": float(np.percentile(lat, 50)),
            "p99_ms": float(np.percentile(lat, 99))}


def run_singles(path: Path, warm: int, n: int) -> dict:
    """``warm`` articles in batches of 1,000, then ``n`` one at a time; latency of each."""
    from retold.monitor import Monitor

    docs = list(stream(warm + n, seed=1))
    with Monitor(path) as monitor:
        for lo in range(0, warm, 1000):
            monitor.add(docs[lo:min(warm, lo + 1000)])
        lat = []
        for doc in docs[warm:]:
            t = time.perf_counter()
            monitor.add([doc])
            lat.append(time.perf_counter() - t)
        stored = len(monitor)
    lat = np.array(lat) * 1e3
    return {"stored": stored, "p50_ms": float(np.percentile(lat, 50)),
            "p99_ms": float(np.percentile(lat, 99)), "max_ms": float(lat.max())}


def print_tables(batches: dict, singles: dict, batch: int) -> None:
    print(f"\nretold.Monitor, batches of {batch} (passages and provenance on); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("| articles | articles/s | RSS MB | store MB | held articles | active stories |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in batches["rows"]:
        print(f"| {r['articles']:,} | {r['rate']:,.0f} | {r['rss_mb']:,.0f} | {r['store_mb']:,.1f} | "
              f"{r['held']:,} | {r['stories']:,} |")
    print(f"add latency, batches of {batch}: p50 {batches['p50_ms']:.0f} ms, p99 {batches['p99_ms']:.0f} ms "
          f"(target >= {TARGET_RATE:,} articles/s)")
    print(f"single articles ({singles['stored']:,} in the store): p50 {singles['p50_ms']:.1f} ms, "
          f"p99 {singles['p99_ms']:.1f} ms, max {singles['max_ms']:.1f} ms (target p99 <= {TARGET_P99_MS:.0f} ms)")


# -- pytest ---------------------------------------------------------------------------------------


def _sizes(sizes) -> tuple[int, int, int, int]:
    """(stream, step, warm-up, singles) for this run."""
    if sizes.smoke:
        return 600, 200, 200, 20
    n = int(os.environ.get("RETOLD_BENCH_DOCS", 100_000))
    return n, max(1, n // 10), 10_000, 2_000


def test_bench_monitor_stream(benchmark, sizes, tmp_path):
    n, step, warm, singles_n = _sizes(sizes)
    batch = 1000 if not sizes.smoke else 100
    batches = benchmark.pedantic(run_batches, args=(tmp_path / "b.db", n, batch, step), rounds=1,
                                 iterations=1)
    assert batches["stored"] == n and len(batches["rows"]) >= 2
    singles = run_singles(tmp_path / "s.db", warm, singles_n)
    assert singles["stored"] == warm + singles_n
    # The windows hold what they should: two days of articles at most, not the stream.
    assert all(r["held"] <= 7 * 2_000 + batch for r in batches["rows"])
    print_tables(batches, singles, batch)


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--step", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--warm", type=int, default=10_000)
    parser.add_argument("--singles", type=int, default=2_000)
    parser.add_argument("--copy-window-days", type=float, default=7.0,
                        help="the Monitor's copy window (a shorter one shows the flat part sooner)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        batches = run_batches(Path(tmp) / "b.db", args.docs, args.batch, args.step,
                              copy_window_days=args.copy_window_days)
        singles = run_singles(Path(tmp) / "s.db", args.warm, args.singles)
    print_tables(batches, singles, args.batch)


if __name__ == "__main__":
    _main()
