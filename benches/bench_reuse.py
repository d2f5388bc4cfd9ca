"""Corpus-wide reused passages: time by stage, peak RSS, candidate pairs, alignments/s, scaling.

The corpus is :func:`retold.synthetic_reprints.reprint_corpus`: unrelated ~300-word synthetic
news articles, one planted paragraph (60 words) per hundred articles, each reprinted into 2-8
articles with 2% of its letters misread.  Quality is measured beside speed: a run that misses
the planted paragraphs fails the bench.

As a script, each size runs in a fresh child process (so peak RSS is its own), and the table
shows whether the cost per article stays flat as the corpus grows::

    PYTHONPATH=src python benches/bench_reuse.py --docs 100000 300000 --workers 2

The pytest-benchmark version (``--benchmark-disable`` for a smoke run on a tiny corpus)::

    PYTHONPATH=src python -m pytest benches/bench_reuse.py -p no:cacheprovider
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import time
from typing import Any

import numpy as np
import pytest

PASSAGES_PER_DOC = 1 / 100


def _corpus(n_docs: int, seed: int = 0) -> Any:
    from retold.synthetic_reprints import reprint_corpus

    return reprint_corpus(n_docs, passages=max(1, int(n_docs * PASSAGES_PER_DOC)), noise=0.02,
                          seed=seed)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(n_docs: int, workers: int) -> dict[str, Any]:
    """One run: corpus made, then :func:`retold.reused_passages` timed and scored."""
    import retold
    from retold.synthetic_reprints import score_reprints

    began = time.perf_counter()
    corpus = _corpus(n_docs)
    records = corpus.records()
    made = time.perf_counter() - began
    rss_corpus = _peak_rss_mb()
    began = time.perf_counter()
    cpu_began = time.process_time()
    result = retold.reused_passages(records, workers=workers)
    wall = time.perf_counter() - began
    cpu = time.process_time() - cpu_began
    score = score_reprints(result.passages, corpus)
    s = result.stats
    return {
        "docs": n_docs, "workers": workers, "backend": retold.BACKEND, "corpus_s": round(made, 2),
        "wall_s": round(wall, 2), **{f"{k}_s": round(v, 2) for k, v in s.seconds.items()},
        "us_per_doc": round(1e6 * wall / n_docs, 1), "cpu_s": round(cpu, 2),
        "cpu_us_per_doc": round(1e6 * cpu / n_docs, 1),
        "ngrams": s.ngrams, "rare_ngrams": s.rare_ngrams, "boilerplate": s.boilerplate_ngrams,
        "evidence_pairs": s.evidence_pairs, "candidate_pairs": s.candidate_pairs,
        "alignments": s.alignments, "passages": s.passages,
        "aligned_pairs_per_s": round(s.candidate_pairs / max(s.seconds.get("align", 0), 1e-9)),
        "rss_corpus_mb": round(rss_corpus), "rss_peak_mb": round(_peak_rss_mb()),
        "precision": round(score.precision, 4), "recall": round(score.recall, 4),
    }


def _child(n_docs: int, workers: int, queue: Any) -> None:
    queue.put(measure(n_docs, workers))


def run_isolated(n_docs: int, workers: int) -> dict[str, Any]:
    import queue as queues

    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    proc = ctx.Process(target=_child, args=(n_docs, workers, results))
    proc.start()
    while True:
        try:
            out = results.get(timeout=5)
            break
        except queues.Empty:
            if not proc.is_alive():  # killed (out of memory?) before it could answer
                return {"docs": n_docs, "workers": workers, "failed": f"exit code {proc.exitcode}"}
    proc.join()
    return out


NOISE_RATES = (0.0, 0.01, 0.02, 0.05, 0.08, 0.1)
SETTINGS = {"passim defaults (n=5, min-match 5)": {},
            "n=3, min_shared=3": {"ngram": 3, "min_shared": 3},
            "noisy OCR (n=3, min_shared=3, bridge_gap=32)": {"ngram": 3, "min_shared": 3, "bridge_gap": 32}}


def quality_table(n_docs: int, seeds: int) -> list[str]:
    """Passage-level precision / recall by noise rate, for each setting (mean over seeds)."""
    import retold
    from retold.synthetic_reprints import reprint_corpus, score_reprints

    lines = ["| letters misread | " + " | ".join(f"{name}: P / R" for name in SETTINGS) + " |",
             "|---|" + "---|" * len(SETTINGS)]
    for noise in NOISE_RATES:
        cells = []
        for options in SETTINGS.values():
            p = r = 0.0
            for seed in range(seeds):
                corpus = reprint_corpus(n_docs, passages=n_docs // 20, noise=noise, seed=seed)
                score = score_reprints(retold.reused_passages(corpus.records(), **options).passages, corpus)
                p += score.precision / seeds
                r += score.recall / seeds
            cells.append(f"{p:.3f} / {r:.3f}")
        lines.append(f"| {noise:.0%} | " + " | ".join(cells) + " |")
    return lines


# ---------------------------------------------------------------- pytest-benchmark


def test_reused_passages_end_to_end(benchmark, sizes):
    import retold
    from retold.synthetic_reprints import score_reprints

    corpus = _corpus(sizes.docs)
    records = corpus.records()
    result = benchmark.pedantic(retold.reused_passages, args=(records,), rounds=1, iterations=1)
    score = score_reprints(result.passages, corpus)
    benchmark.extra_info.update(candidate_pairs=result.stats.candidate_pairs,
                                passages=len(result), precision=score.precision, recall=score.recall)
    assert score.precision >= 0.95 and score.recall >= 0.95, score


@pytest.mark.parametrize("backend", ["compiled", "python"])
def test_candidate_kernel(benchmark, sizes, backend):
    """The hot loop alone: rows of a corpus into pair evidence, per backend."""
    from retold import _backend
    from retold.reuse_index import ngram_rows

    loader = _backend.compiled_kernels if backend == "compiled" else _backend.reference_kernels
    try:
        kernel = loader("reuse")
    except ImportError:
        pytest.skip("compiled kernels are not built")
    docs = sizes.docs if backend == "compiled" else sizes.reference_docs
    hashes, ids, positions = ngram_rows(_corpus(max(docs, 100)).texts[:docs], ngram=5)
    order = np.argsort(hashes, kind="stable")
    h, d, p = hashes[order], ids[order], positions[order]
    out = benchmark(kernel.rare_ngram_pairs, h, d, p, 100)
    assert out[4] > 0 or docs < 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print one JSON object per size")
    parser.add_argument("--quality", type=int, metavar="DOCS",
                        help="instead: the precision/recall table by noise rate on corpora of DOCS")
    parser.add_argument("--seeds", type=int, default=3, help="corpora per cell of --quality")
    args = parser.parse_args()
    if args.quality:
        print("\n".join(quality_table(args.quality, args.seeds)))
        return
    rows = [run_isolated(n, args.workers) for n in args.docs]
    if args.json:
        for r in rows:
            print(json.dumps(r))
        return
    cols = ["docs", "wall_s", "prepare_s", "index_s", "candidates_s", "align_s", "cluster_s", "us_per_doc",
            "cpu_us_per_doc",
            "candidate_pairs", "aligned_pairs_per_s", "passages", "rss_corpus_mb", "rss_peak_mb",
            "precision", "recall"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(str(r.get(c, "")) for c in cols) + " |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
