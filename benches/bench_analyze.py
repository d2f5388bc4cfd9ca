"""End to end ``retold.analyze``: copies, stories, passages, provenance and the saved outputs.

Two inputs: the demo corpus (63 articles in eight languages, with gold labels, so the timing sits
beside the accuracy it buys) and a synthetic corpus of a few thousand 300-word articles from
:func:`retold.synthetic.iter_news` (near-duplicates at known edit rates; its stories are the
copy groups plus whatever the story clustering joins).  Each run reports the wall time per stage
(copies, stories, passages, provenance, save) and the number of pairs aligned.

Smoke run (small inputs, as CI does)::

    PYTHONPATH=src python -m pytest benches/bench_analyze.py -p no:cacheprovider

Measured run, and the stage table as a script::

    PYTHONPATH=src python -m pytest benches/bench_analyze.py -p no:cacheprovider --benchmark-enable
    PYTHONPATH=src python benches/bench_analyze.py --docs 5000 --workers 2
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator


import retold
from retold.analysis import analyze
from retold.data import load_demo
from retold.synthetic import iter_news


class StageClock:
    """A ``progress`` hook for :func:`retold.analyze` and ``Analysis.save`` that times each stage."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str, total: int | None = None) -> Iterator:
        start = time.perf_counter()
        try:
            yield lambda n=1: None
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def run(docs: list[dict], out: Path, *, workers: int = 1) -> dict[str, Any]:
    """analyze + save once; stage timings and counts."""
    clock = StageClock()
    start = time.perf_counter()
    result = analyze(docs, workers=workers, progress=clock)
    written = result.save(out, progress=clock)
    wall = time.perf_counter() - start
    return {
        "articles": len(result),
        "wall_s": wall,
        "stages_s": dict(clock.timings),
        "copy_clusters": len(result.copies.clusters),
        "stories": len(result.stories.multi(2)),
        "pairs": len(result.pairs),
        "passages": sum(len(p.passages) for p in result.pairs),
        "quoted": sum(p.quoted_count for p in result.pairs),
        "edges": len(result.provenance),
        "files": len(written),
        "workers": workers,
        "result": result,
    }


def print_report(name: str, report: dict[str, Any]) -> None:
    print(f"\nretold analyze, {name}: {report['articles']:,} articles, {report['workers']} workers, "
          f"backend {retold.BACKEND}")
    for stage, seconds in report["stages_s"].items():
        print(f"  {stage:<11}{seconds:>8.2f} s")
    print(f"  {'total':<11}{report['wall_s']:>8.2f} s   ({report['articles'] / report['wall_s']:,.0f} articles/s)")
    print(f"  {report['copy_clusters']:,} copy clusters, {report['stories']:,} stories of 2+, "
          f"{report['pairs']:,} pairs aligned, {report['passages']:,} passages ({report['quoted']:,} quotes), "
          f"{report['edges']:,} provenance edges, {report['files']} files")


def synthetic(n: int) -> list[dict]:
    return list(iter_news(n, seed=0))


# ---------------------------------------------------------------- pytest-benchmark


def test_analyze_demo(benchmark, tmp_path):
    docs = load_demo()
    report = benchmark.pedantic(run, args=(docs, tmp_path / "demo"), rounds=1, iterations=1)
    benchmark.extra_info.update({k: v for k, v in report.items() if k != "result"})
    result = report["result"]
    # The accuracy the time buys: gold copy clusters, and shared quotes found.
    gold: dict = {}
    for record in docs:
        gold.setdefault(record["copy_cluster"], set()).add(record["id"])
    ours: dict = {}
    for doc_id, label in zip(result.copies.ids, result.copies.labels.tolist()):
        ours.setdefault(label, set()).add(doc_id)
    assert sorted(map(sorted, ours.values())) == sorted(map(sorted, gold.values()))
    assert report["quoted"] >= 1 and report["edges"] >= 1 and report["files"] >= 6


def test_analyze_synthetic(benchmark, sizes, tmp_path):
    n = 300 if sizes.smoke else 3000
    if retold.BACKEND != "compiled":
        n = min(n, 100)
    n = int(os.environ.get("RETOLD_BENCH_ANALYZE_DOCS", n))
    docs = synthetic(n)
    report = benchmark.pedantic(run, args=(docs, tmp_path / "synthetic"), kwargs={"workers": 2},
                                rounds=1, iterations=1)
    benchmark.extra_info.update({k: v for k, v in report.items() if k != "result"})
    result = report["result"]
    assert report["articles"] == n
    # Light copies (1% of words edited: 5-gram containment about 0.95) are found and aligned
    # with their original; heavier edits fall below containment 0.8, as they should.
    light = [(d["copy_of"], d["id"]) for d in docs if d["copy_of"] is not None and d["edit_rate"] <= 0.01]
    same = sum(result.copy_cluster(a) == result.copy_cluster(b) for a, b in light)
    assert light and same >= 0.9 * len(light), (same, len(light))
    assert all(p.passages for p in result.pairs if p.kind == "copy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000, help="synthetic articles (default 5000)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print_report("demo corpus", run(load_demo(), Path(folder) / "demo", workers=args.workers))
        docs = synthetic(args.docs)
        print_report("synthetic", run(docs, Path(folder) / "synthetic", workers=args.workers))


if __name__ == "__main__":
    main()


def test_story_stage_reuses_vectors_and_pairs_in_one_call(benchmark, sizes):
    """What analyze's story stage saves by reusing the clustering's vectors (it used to compute
    them a second time) and by scoring pairs in one kernel call (it used to loop in Python)."""
    import time

    import numpy as np

    from retold.story_clustering import CLUSTERING_OPTIONS, StoryModel, stories

    n = 300 if sizes.smoke else 5000
    docs = synthetic(n)

    def stage() -> dict:
        model = StoryModel(**CLUSTERING_OPTIONS)
        t0 = time.perf_counter()
        found = stories(docs, model=model)
        t1 = time.perf_counter()
        again = model.vectors(docs)  # the second pass analyze no longer makes
        t2 = time.perf_counter()
        rng = np.random.default_rng(0)
        left, right = rng.integers(0, n, 20 * n), rng.integers(0, n, 20 * n)
        looped = np.array([found.vectors.cosine(int(i), int(j)) for i, j in zip(left, right)])
        t3 = time.perf_counter()
        batched = found.vectors.pair_cosines(left, right)
        t4 = time.perf_counter()
        assert np.array_equal(again.indices, found.vectors.indices)
        assert np.allclose(looped, batched, rtol=0, atol=1e-12)
        return {"stories_s": t1 - t0, "second_vectors_s": t2 - t1, "saved_share": (t2 - t1) / (t2 - t0),
                "pairs": len(left), "pairs_looped_s": t3 - t2, "pairs_one_call_s": t4 - t3,
                "pairs_speedup": (t3 - t2) / max(t4 - t3, 1e-9)}

    report = benchmark.pedantic(stage, rounds=1, iterations=1)
    benchmark.extra_info.update(report)
    print(f"\n{n} articles: stories {report['stories_s']:.2f}s; the second vectors pass analyze "
          f"dropped {report['second_vectors_s']:.2f}s ({report['saved_share']:.0%} of the old stage); "
          f"{report['pairs']:,} pair cosines looped {report['pairs_looped_s']:.2f}s vs one call "
          f"{report['pairs_one_call_s']:.3f}s ({report['pairs_speedup']:.0f}x)")
    assert report["pairs_speedup"] > 1.0
