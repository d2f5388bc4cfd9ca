"""End to end copy finding: read JSONL, sign, band, verify, cluster, write, with stage timings and peak RSS.

The target (issue 3): 1,000,000 synthetic 300-word news documents in <= 120 s wall and <= 4 GB
peak RSS on a 2-core machine.  The corpus comes from :func:`retold.synthetic.write_news_jsonl`
(made once, in a child process, so its memory is not counted) and goes through the same path as
``retold dedup``: :func:`retold.read_articles` streaming into :func:`retold.dedup`, then
:func:`retold.write_records`.  Reading is interleaved with signing; the time spent inside the
reader is measured and reported as its own stage.

Run the full size as a script (the corpus file is about 1.9 GB)::

    PYTHONPATH=src python benches/bench_dedup_e2e.py --docs 1000000 --data /tmp/news_1m.jsonl

and the small pytest-benchmark version (``--benchmark-disable`` for a smoke run)::

    PYTHONPATH=src python -m pytest benches/bench_dedup_e2e.py -p no:cacheprovider
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest

from retold import dedup, read_articles, write_records


def make_corpus(path: Path, n_docs: int, seed: int = 0) -> None:
    """Write the synthetic corpus in a child process, so the generator's memory is not ours."""
    code = (
        "import sys; from retold.synthetic import write_news_jsonl; "
        "write_news_jsonl(sys.argv[1], int(sys.argv[2]), seed=int(sys.argv[3]))"
    )
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    subprocess.run([sys.executable, "-c", code, str(path), str(n_docs), str(seed)], check=True, env=env)


class StageClock:
    """A ``progress`` hook for :func:`retold.dedup` that times each stage."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str, total: int | None = None) -> Iterator:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            yield lambda n=1: None
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu


class TimedReader:
    """Wraps an iterator and adds up the time spent producing its items.

    ``cpu`` is the reading thread's own CPU time (``time.thread_time``): with several workers
    dedup signs one chunk while it reads the next, so the process's CPU time over a read
    would count the hashing threads too, and its wall time their competition for the cores.
    """

    def __init__(self, items: Iterator[Any]) -> None:
        self.items = iter(items)
        self.seconds = 0.0
        self.cpu = 0.0
        self.count = 0

    def __iter__(self) -> "TimedReader":
        return self

    def __next__(self) -> Any:
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            item = next(self.items)
        finally:
            self.seconds += time.perf_counter() - start
            self.cpu += time.thread_time() - cpu
        self.count += 1
        return item


def peak_rss_bytes() -> int:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage if sys.platform == "darwin" else usage * 1024


def run_pipeline(
    data: Path, out: Path, *, workers: int = 2, threshold: float = 0.8, low_memory: bool = False
) -> dict[str, Any]:
    """The whole job once; returns stage timings, counts and peak RSS.

    With ``low_memory`` the texts are not held: verification reads the file a second time (its
    reading time counts in ``verify``).
    """
    clock = StageClock()
    wall, cpu = time.perf_counter(), time.process_time()
    reader = TimedReader(read_articles(data))
    reread = (lambda: read_articles(data)) if low_memory else None
    result = dedup(reader, threshold=threshold, workers=workers, progress=clock, reread=reread)
    with clock("write"):
        written = write_records(result.iter_records(), out)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    timings = {"read": reader.seconds, "sign": clock.timings["sign"] - reader.seconds}
    cpu_times = {"read": reader.cpu, "sign": clock.cpu["sign"] - reader.cpu}
    for name in ("band", "verify", "cluster", "write"):
        timings[name] = clock.timings[name]
        cpu_times[name] = clock.cpu[name]
    stats = result.stats
    return {
        "documents": stats.documents,
        "written": written,
        "wall_s": wall,
        "cpu_s": cpu,
        "stages_s": timings,
        "stages_cpu_s": cpu_times,
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "peak_rss_gb": peak_rss_bytes() / 1e9,
        "candidates": stats.candidates,
        "accepted": stats.accepted,
        "rejected": stats.rejected,
        "clusters_with_copies": len(result.clusters),
        "params": stats.params,
        "buckets_capped": stats.buckets_capped,
        "workers": workers,
        "low_memory": low_memory,
    }


def print_report(report: dict[str, Any]) -> None:
    mode = ", low memory (second reading to verify)" if report["low_memory"] else ""
    print(f"\nretold dedup end to end: {report['documents']:,} documents, {report['workers']} workers{mode}")
    print(f"  {'stage':<8}{'wall s':>9}{'cpu s':>9}   (cpu: all threads of this process; read: the reading "
          "thread's own, while the workers sign the chunk before)")
    for name, seconds in report["stages_s"].items():
        print(f"  {name:<8}{seconds:>9.2f}{report['stages_cpu_s'][name]:>9.2f}")
    print(
        f"  {'total':<8}{report['wall_s']:>9.2f}{report['cpu_s']:>9.2f}   "
        f"({report['documents'] / report['wall_s']:,.0f} docs/s; 1-min load average at the end "
        f"{report['load_average']:.1f})"
    )
    print(f"  peak RSS {report['peak_rss_gb']:.2f} GB")
    print(
        f"  {report['candidates']:,} candidates, {report['accepted']:,} verified copies, "
        f"{report['rejected']:,} rejected; {report['clusters_with_copies']:,} clusters with copies; "
        f"LSH {report['params'][0]} bands x {report['params'][1]} rows; "
        f"{report['buckets_capped']} capped buckets"
    )


# ---------------------------------------------------------------- pytest-benchmark (small)

SMALL = 5000


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("e2e") / "news.jsonl"
    make_corpus(path, SMALL)
    return path


@pytest.mark.parametrize("low_memory", [False, True], ids=["held-texts", "low-memory"])
def test_dedup_end_to_end_small(benchmark, small_corpus, tmp_path, low_memory):
    out = tmp_path / "clusters.jsonl"
    report = benchmark.pedantic(
        run_pipeline, args=(small_corpus, out), kwargs={"low_memory": low_memory}, rounds=1, iterations=1
    )
    assert report["documents"] == report["written"] == SMALL
    assert report["accepted"] > 0 and report["clusters_with_copies"] > 0
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) >= {"id", "cluster", "representative", "matched_with", "similarity"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, help="corpus JSONL (made if absent)")
    parser.add_argument("--out", type=Path, help="clusters output (default: a temporary file)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the report as JSON too")
    parser.add_argument("--low-memory", action="store_true", help="verify from a second reading, not held texts")
    args = parser.parse_args()
    data = args.data or Path(tempfile.gettempdir()) / f"retold_news_{args.docs}.jsonl"
    if not data.exists():
        start = time.perf_counter()
        make_corpus(data, args.docs)
        print(f"made {data} in {time.perf_counter() - start:.0f}s (not timed below)")
    with tempfile.TemporaryDirectory() as folder:
        out = args.out or Path(folder) / "clusters.jsonl"
        report = run_pipeline(data, out, workers=args.workers, low_memory=args.low_memory)
    print_report(report)
    if args.json:
        print(json.dumps(report))


if __name__ == "__main__":
    main()
