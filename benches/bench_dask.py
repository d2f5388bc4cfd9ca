"""Copies on a local 2-worker Dask cluster vs the single-process run, on the same synthetic corpus.

The corpus (:func:`retold.synthetic.iter_news`, 300-word news documents with ~20% near-copies)
is written once as Parquet files of 50,000 documents each.  Two runs then read it:

- **single process**: :func:`retold.read_articles` over the files, streaming into
  :func:`retold.dedup` (signing with as many threads as the cluster has workers);
- **dask**: :func:`retold.dask.read_articles` + :func:`retold.dask.dedup` on a
  ``LocalCluster(n_workers=W, threads_per_worker=1, processes=True)``.

Each run happens in a fresh child process, so its peak RSS is its own.  Reported: wall time (and
the dask run's stages), peak RSS of the single process, of the dask driver and of each worker,
the shuffle volume (rows and bytes of band keys repartitioned by the one shuffle) and the bytes
workers sent each other as task data.  The two results must be identical (labels,
representatives, pairs), or the bench fails.

The 1M-document comparison, as a script (the Parquet corpus is about 1.2 GB)::

    PYTHONPATH=src python benches/bench_dask.py --docs 1000000 --data /tmp/news_parquet

and the small pytest-benchmark version (``--benchmark-disable`` for a smoke run)::

    PYTHONPATH=src python -m pytest benches/bench_dask.py -p no:cacheprovider
"""
from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

FILE_DOCS = 50_000
"""Documents per Parquet file (one partition each), at most; a corpus gets at least 8 files."""


def write_corpus(folder: Path, n_docs: int, seed: int = 0) -> list[Path]:
    """Write ``n_docs`` synthetic documents as Parquet files of FILE_DOCS each (once)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from retold.synthetic import iter_news

    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / f"corpus-{n_docs}-{seed}.done"
    per_file = max(1, min(FILE_DOCS, -(-n_docs // 8)))
    files = [folder / f"part-{i:05d}.parquet" for i in range(-(-n_docs // per_file))]
    if stamp.exists():
        return files
    for old in folder.glob("part-*.parquet"):
        old.unlink()
    batch: dict[str, list] = {"id": [], "text": [], "date": []}
    index = 0
    for record in iter_news(n_docs, seed=seed):
        for key in batch:
            batch[key].append(record[key])
        if len(batch["id"]) == per_file:
            pq.write_table(pa.table(batch), files[index])
            index += 1
            batch = {"id": [], "text": [], "date": []}
    if batch["id"]:
        pq.write_table(pa.table(batch), files[index])
    stamp.write_text("ok\n")
    return files


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def _single(files: list[str], workers: int, queue: Any) -> None:
    from retold import dedup, read_articles

    def articles():
        for path in files:
            yield from read_articles(path)

    start = time.perf_counter()
    result = dedup(articles(), workers=workers)
    wall = time.perf_counter() - start
    queue.put({
        "wall_s": wall,
        "peak_rss_mb": _peak_rss_mb(),
        "labels": result.labels,
        "representatives": result.representatives,
        "pairs": (result.pairs.a, result.pairs.b, result.pairs.similarity),
        "stats": result.stats,
    })


def _worker_counters(dask_worker: Any) -> dict[str, float]:
    return {
        "peak_rss_mb": _peak_rss_mb(),
        "sent_bytes": float(dask_worker.transfer_outgoing_bytes_total),
    }


def _clustered(files: list[str], workers: int, memory_limit: str, shuffle_method: str | None, queue: Any) -> None:
    from distributed import Client, LocalCluster

    import retold.dask as rd

    logging.getLogger("distributed.shuffle").setLevel(logging.ERROR)
    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, memory_limit=memory_limit,
        dashboard_address=":0",
    ) as cluster, Client(cluster) as client:
        start = time.perf_counter()
        result = rd.dedup(rd.read_articles(files), shuffle_method=shuffle_method)
        wall = time.perf_counter() - start
        counters = client.run(_worker_counters)
    queue.put({
        "wall_s": wall,
        "peak_rss_mb": _peak_rss_mb(),
        "workers": list(counters.values()),
        "labels": result.labels,
        "representatives": result.representatives,
        "pairs": (result.pairs.a, result.pairs.b, result.pairs.similarity),
        "stats": result.stats,
        "dask_stats": result.dask_stats,
    })


def _in_child(target: Any, *args: Any) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    out = queue.get()
    process.join()
    if process.exitcode:
        raise RuntimeError(f"{target.__name__} failed with exit code {process.exitcode}")
    return out


def compare(files: list[Path], *, workers: int = 2, memory_limit: str = "auto",
            shuffle_method: str | None = None) -> dict:
    """Run both and check they agree; returns the measurements."""
    names = [str(p) for p in files]
    single = _in_child(_single, names, workers)
    clustered = _in_child(_clustered, names, workers, memory_limit, shuffle_method)
    same = (
        np.array_equal(single["labels"], clustered["labels"])
        and np.array_equal(single["representatives"], clustered["representatives"])
        and all(np.array_equal(a, b) for a, b in zip(single["pairs"], clustered["pairs"]))
        and single["stats"] == clustered["stats"]
    )
    return {"single": single, "dask": clustered, "identical": bool(same)}


def report(numbers: dict, n_docs: int) -> str:
    single, clustered = numbers["single"], numbers["dask"]
    ds = clustered["dask_stats"]
    per_worker = ", ".join(f"{w['peak_rss_mb']:.0f}" for w in clustered["workers"])
    sent = sum(w["sent_bytes"] for w in clustered["workers"])
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in ds["seconds"].items())
    lines = [
        f"documents: {n_docs:,}  clusters: {int(single['labels'].max()) + 1:,}  "
        f"accepted pairs: {single['stats'].accepted:,}  candidates: {single['stats'].candidates:,}",
        "| run | wall (s) | peak RSS (MB) |",
        "|---|---:|---:|",
        f"| single process ({len(clustered['workers'])} threads) | {single['wall_s']:.1f} | {single['peak_rss_mb']:.0f} |",
        f"| dask, {len(clustered['workers'])} workers x 1 thread | {clustered['wall_s']:.1f} | "
        f"driver {clustered['peak_rss_mb']:.0f}; workers {per_worker} |",
        f"dask stages: {stages}",
        f"shuffle: {ds['band_rows']:,} band-key rows, {ds['shuffle_bytes'] / 2**20:.1f} MiB "
        f"({ds['band_partitions']} partitions); task data sent between workers: {sent / 2**20:.1f} MiB; "
        f"verification blocks: {ds['blocks']}",
        f"identical results: {numbers['identical']}",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- pytest-benchmark (small)


@pytest.fixture(scope="module")
def client():
    pytest.importorskip("distributed", reason='needs distributed: pip install "retold[dask]"')
    from distributed import Client, LocalCluster

    logging.getLogger("distributed.shuffle").setLevel(logging.ERROR)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as c:
        yield c


def test_dask_dedup_matches_single_process(benchmark, sizes, client, tmp_path_factory):
    import retold
    import retold.dask as rd

    n_docs = min(sizes.docs, 20_000)
    files = write_corpus(tmp_path_factory.mktemp("news"), n_docs)
    frame = rd.read_articles([str(f) for f in files])
    result = benchmark.pedantic(lambda: rd.dedup(frame), rounds=1, iterations=1)
    expected = retold.dedup([a for f in files for a in retold.read_articles(f)])
    np.testing.assert_array_equal(result.labels, expected.labels)
    np.testing.assert_array_equal(result.representatives, expected.representatives)
    assert result.stats == expected.stats
    assert result.dask_stats["shuffle_bytes"] == 18 * result.dask_stats["band_rows"] > 0
    benchmark.extra_info.update({k: v for k, v in result.dask_stats.items() if k != "seconds"})
    benchmark.extra_info.update({f"seconds_{k}": v for k, v in result.dask_stats["seconds"].items()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/retold_news_parquet"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="auto", help="per worker, as LocalCluster takes it")
    parser.add_argument("--shuffle-method", choices=["p2p", "tasks", "disk"], default=None)
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    files = write_corpus(args.data, args.docs)
    print(f"corpus: {len(files)} Parquet files in {args.data} ({time.perf_counter() - start:.0f}s)", file=sys.stderr)
    numbers = compare(files, workers=args.workers, memory_limit=args.memory_limit,
                      shuffle_method=args.shuffle_method)
    print(report(numbers, args.docs))
    if args.json:
        plain = {
            "docs": args.docs,
            "identical": numbers["identical"],
            "single": {k: numbers["single"][k] for k in ("wall_s", "peak_rss_mb")},
            "dask": {k: numbers["dask"][k] for k in ("wall_s", "peak_rss_mb", "workers", "dask_stats")},
        }
        args.json.write_text(json.dumps(plain, indent=2, default=str))
    return 0 if numbers["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
