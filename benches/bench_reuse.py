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
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retold.passage_reuse import NOISY_OCR

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
            "n=3, min_shared=3, bridge_gap=32": {"ngram": 3, "min_shared": 3, "bridge_gap": 32},
            "n=3, min_shared=3, bridge_gap=32, match_score=3": {"ngram": 3, "min_shared": 3,
                                                                "bridge_gap": 32, "match_score": 3},
            "noisy OCR (NOISY_OCR: those, min_shared=2, misread_words)": NOISY_OCR}


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


SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def real_table(seeds: int) -> list[str]:
    """Planted paragraphs in real news: P / R as in :func:`quality_table`, over the passages that
    touch a printing, and the share of an occurrence's characters inside its printing."""
    import retold
    from retold.evaluation.planted_reprints import real_hosts_and_paragraphs, touching_printings
    from retold.synthetic_reprints import plant_reprints, score_reprints

    if not (SHARED / "story-clusters").is_dir():
        return [f"skipped: {SHARED} is absent (ECB+, WikiRef220 and MEANTIME are read from it)"]
    hosts, paragraphs = real_hosts_and_paragraphs(SHARED)
    lines = [f"{len(hosts)} host articles, {len(paragraphs)} paragraphs, mean of {seeds} plantings",
             "| letters misread | " + " | ".join(f"{name}: P / R / inside" for name in SETTINGS) + " |",
             "|---|" + "---|" * len(SETTINGS)]
    for noise in NOISE_RATES:
        cells = []
        for options in SETTINGS.values():
            p = r = inside = 0.0
            for seed in range(seeds):
                corpus = plant_reprints(hosts, paragraphs, noise=noise, seed=seed)
                printed = {d: (s, e) for ps in corpus.planted for d, s, e in ps}
                found = touching_printings(retold.reused_passages(corpus.texts, **options).passages, corpus)
                score = score_reprints(found, corpus)
                shares = [(min(o.end, printed[o.position][1]) - max(o.start, printed[o.position][0]))
                          / (o.end - o.start) for q in found for o in q.occurrences if o.position in printed]
                p += score.precision / seeds
                r += score.recall / seeds
                inside += (float(np.mean(shares)) if shares else 1.0) / seeds
            cells.append(f"{p:.3f} / {r:.3f} / {inside:.3f}")
        lines.append(f"| {noise:.0%} | " + " | ".join(cells) + " |")
    return lines


def _covered(result: Any, lengths: dict[str, int], partner: dict[str, str]) -> dict[str, float]:
    """Share of each article's characters in passages that also hold its partner."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for p in result:
        ids = {o.id for o in p.occurrences}
        for o in p.occurrences:
            if o.id in partner and partner[o.id] in ids:
                spans.setdefault(o.id, []).append((o.start, o.end))
    out = {}
    for doc, n in lengths.items():
        total, reach = 0, -1
        for a, b in sorted(spans.get(doc, [])):
            a = max(a, reach)
            if b > a:
                total, reach = total + b - a, b
        out[doc] = total / max(1, n)
    return out


def _auc(pos: list[float], neg: list[float]) -> float:
    p, n = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return float(((p > n).sum() + 0.5 * (p == n).sum()) / (p.size * n.size))


def graded_table() -> list[str]:
    """Clean real reuse, each corpus as one run: Clough-Stevenson (95 answers and their 5
    sources; Spearman of coverage by the source's passages with cut > light > heavy > non) and
    COUNTER's public half (300 agency/newspaper pairs; AUC of coverage, derived against ND)."""
    import csv

    import retold
    from scipy.stats import spearmanr

    from retold.evaluation.reuse import load_counter

    if not (SHARED / "clough-stevenson").is_dir():
        return [f"skipped: {SHARED} is absent"]
    grades = {"cut": 3, "light": 2, "heavy": 1, "non": 0}
    folder = SHARED / "clough-stevenson"
    rows = [r for r in csv.DictReader(open(folder / "file_information.csv", encoding="utf-8"))
            if r["Category"] in grades]
    cs_docs = [{"id": f"orig_task{t}", "text": (folder / f"orig_task{t}.txt").read_text(
        encoding="utf-8", errors="replace")} for t in "abcde"]
    cs_docs += [{"id": r["File"], "text": (folder / r["File"]).read_text(encoding="utf-8", errors="replace")}
                for r in rows]
    cs_partner = {r["File"]: f"orig_task{r['Task']}" for r in rows}
    cs_grade = {r["File"]: grades[r["Category"]] for r in rows}
    cs_len = {d["id"]: len(d["text"]) for d in cs_docs if d["id"] in cs_partner}
    pairs = load_counter(SHARED / "counter-dev")
    co_docs = [d for p in pairs for d in ({"id": p.id + "s", "text": p.source},
                                          {"id": p.id + "d", "text": p.derived})]
    co_partner = {p.id + "d": p.id + "s" for p in pairs}
    co_label = {p.id + "d": p.label for p in pairs}
    co_len = {p.id + "d": len(p.derived) for p in pairs}
    lines = ["| setting | Clough-Stevenson: Spearman / coverage heavy / non | COUNTER: AUC / ND stories sharing a passage |",
             "|---|---|---|"]
    for name, options in SETTINGS.items():
        cov = _covered(retold.reused_passages(cs_docs, **options), cs_len, cs_partner)
        rho = spearmanr([cov[d] for d in cs_len], [cs_grade[d] for d in cs_len]).correlation
        by = {g: np.mean([cov[d] for d in cs_len if cs_grade[d] == g]) for g in (1, 0)}
        cov = _covered(retold.reused_passages(co_docs, **options), co_len, co_partner)
        pos = [cov[d] for d in co_len if co_label[d] != "ND"]
        neg = [cov[d] for d in co_len if co_label[d] == "ND"]
        lines.append(f"| {name} | {rho:.3f} / {by[1]:.2f} / {by[0]:.2f} | {_auc(pos, neg):.3f} / "
                     f"{sum(v > 0 for v in neg)} of {len(neg)} |")
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


@pytest.mark.parametrize("backend", ["compiled", "python"])
def test_misread_extension_kernel(benchmark, backend):
    """The misread-words extension alone, per backend: two printings of one paragraph misread
    at 10%, walked forward from their first words (what NOISY_OCR does past each piece)."""
    from retold import _backend
    from retold.misread_words import EXTEND_DROP, EXTEND_LEAST, text_words
    from retold.synthetic_reprints import misread_printing

    loader = _backend.compiled_kernels if backend == "compiled" else _backend.reference_kernels
    try:
        kernel = loader("misread")
    except ImportError:
        pytest.skip("compiled kernels are not built")
    rng = np.random.default_rng(0)
    paragraph = " ".join(_corpus(20).texts[0].split()[:60])  # a reprinted paragraph's length
    sides = []
    for _ in range(2):
        text = misread_printing(rng, paragraph, 0.1)
        starts, ends = zip(*[(w.start(), w.end()) for w in re.finditer(r"\S+", text)])
        sides.append(text_words(text, np.array(starts), np.array(ends)))
    (a, b) = sides
    n, m = len(a.starts), len(b.starts)
    taken = benchmark(kernel.extend, *a, 0, n, *b, 0, m, 1, 3, 4, EXTEND_DROP, EXTEND_LEAST)
    assert taken[0] > n // 2  # the walk runs over most of the misread printing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print one JSON object per size")
    parser.add_argument("--quality", type=int, metavar="DOCS",
                        help="instead: the precision/recall table by noise rate on corpora of DOCS")
    parser.add_argument("--seeds", type=int, default=3, help="corpora per cell of --quality")
    parser.add_argument("--real", action="store_true",
                        help="instead: the table by noise rate for paragraphs planted in real news "
                        "(../shared/data)")
    parser.add_argument("--graded", action="store_true",
                        help="instead: clean real reuse (Clough-Stevenson, COUNTER) for each setting")
    args = parser.parse_args()
    if args.graded:
        print("\n".join(graded_table()))
        return
    if args.real:
        print("\n".join(real_table(args.seeds)))
        return
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
