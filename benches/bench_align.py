"""Alignment speed, memory and agreement: seeded vs full, compiled vs its pure-Python twin.

Inputs (all generated here, deterministic):

``news pairs``
    Pairs of ~500-word synthetic news articles (Zipf-distributed vocabulary, so function words
    repeat as in real text).  Each pair's second article carries 1-3 passages of 15-60 words
    taken from the first, at known places, with edits (about 4% of the words substituted, and
    now and then two words dropped), between words of its own.
``books``
    remember00palm vs remembermeorholy00palm (../shared/data/textreuse/ats): two OCR'd editions
    of one 19th-century book, about 11,500 words each.
``2,000-token pairs``
    Token-id sequences of 2,000 words sharing three edited passages, aligned by the kernels
    directly (compiled ``retold._ext.align`` and its twin ``retold._reference.align``).

What is measured:

- pairs/s of ``retold.align`` (tokenising included) with ``method="seeded"`` and ``"full"``;
- agreement: Jaccard of the derived-side words covered by seeded vs full passages, and the
  share of planted passage words each method recovers;
- books: seconds and peak Python-heap memory (tracemalloc) of seeded, beside the matrix
  ``method="full"`` would need (4 bytes per cell);
- compiled / twin speed ratio of ``align_seeded`` on 2,000-token pairs (target >= 50x).

Smoke mode (``--benchmark-disable``, the project default) runs small inputs once and checks the
answers; ``--benchmark-enable`` measures at full size (10,000 pairs).  The tables:

    PYTHONPATH=src python benches/bench_align.py [--pairs 10000] [--full-pairs 1000] [--books-full]
"""
from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import retold
from retold._backend import reference_kernels

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
BOOKS = SHARED / "data" / "textreuse" / "ats"
SEED = 20240914
VOCAB_SIZE = 20_000


# ---------------------------------------------------------------- synthetic pairs


@dataclass(frozen=True)
class NewsPair:
    a: str
    b: str
    planted: tuple  # (start, stop) word ranges of b copied from a


def _vocabulary(rng: np.random.Generator) -> list[str]:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(2, 11, VOCAB_SIZE)
    words = {"".join(rng.choice(letters, k)) for k in lengths}
    return sorted(words)


def news_pairs(count: int, *, words: int = 500, seed: int = SEED) -> list[NewsPair]:
    """``count`` deterministic pairs; the second text of each reuses 1-3 edited passages."""
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(rng)
    ranks = np.arange(1, len(vocab) + 1)
    p = 1.0 / ranks**1.05
    p /= p.sum()

    def draw(k: int) -> list[str]:
        return [vocab[i] for i in rng.choice(len(vocab), k, p=p)]

    out = []
    for _ in range(count):
        a = draw(words)
        b: list[str] = []
        planted = []
        n_passages = int(rng.integers(1, 4))
        for _ in range(n_passages):
            b += draw(int(rng.integers(20, 120)))
            length = int(rng.integers(15, 61))
            start = int(rng.integers(0, words - length))
            passage = list(a[start:start + length])
            for k in range(len(passage)):
                if rng.random() < 0.04:
                    passage[k] = vocab[int(rng.integers(0, len(vocab)))]
            if length > 30 and rng.random() < 0.3:
                cut = int(rng.integers(5, length - 5))
                del passage[cut:cut + 2]
            planted.append((len(b), len(b) + len(passage)))
            b += passage
        b += draw(max(0, words - len(b)))
        out.append(NewsPair(" ".join(a), " ".join(b), tuple(planted)))
    return out


def covered_words(text: str, passages, side: str = "b") -> set:
    tokens = retold.tokenize(text)
    covered: set[int] = set()
    for p in passages:
        start, end = (p.b_start, p.b_end) if side == "b" else (p.a_start, p.a_end)
        lo = int(np.searchsorted(tokens.starts, start))
        hi = int(np.searchsorted(tokens.ends, end, side="right"))
        covered.update(range(lo, hi))
    return covered


def align_all(pairs: list[NewsPair], method: str) -> list:
    return [retold.align(p.a, p.b, method=method) for p in pairs]


def agreement(pairs: list[NewsPair], seeded: list, full: list) -> dict:
    """Jaccard of covered derived words (seeded vs full) and recall of planted words."""
    jaccards, recall_s, recall_f = [], [], []
    for pair, ps, pf in zip(pairs, seeded, full):
        cs, cf = covered_words(pair.b, ps), covered_words(pair.b, pf)
        union = cs | cf
        jaccards.append(len(cs & cf) / len(union) if union else 1.0)
        planted = {w for lo, hi in pair.planted for w in range(lo, hi)}
        recall_s.append(len(cs & planted) / len(planted))
        recall_f.append(len(cf & planted) / len(planted))
    return {
        "jaccard": float(np.mean(jaccards)),
        "recall_seeded": float(np.mean(recall_s)),
        "recall_full": float(np.mean(recall_f)),
        "identical_pairs": float(np.mean([a == b for a, b in zip(seeded, full)])),
    }


# ---------------------------------------------------------------- kernel-level pairs


def token_pairs(count: int, length: int = 2000, seed: int = SEED + 1):
    """Int64 id sequences of ``length`` words sharing three edited passages."""
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, VOCAB_SIZE + 1)
    p = 1.0 / ranks**1.05
    p /= p.sum()
    out = []
    for _ in range(count):
        a = rng.choice(VOCAB_SIZE, length, p=p).astype(np.int64)
        b = rng.choice(VOCAB_SIZE, length, p=p).astype(np.int64)
        for k in range(3):
            size = int(rng.integers(100, 300))
            src = int(rng.integers(0, length - size))
            dst = k * (length // 3) + int(rng.integers(0, length // 3 - size))
            piece = a[src:src + size].copy()
            edits = rng.random(size) < 0.04
            piece[edits] = rng.integers(0, VOCAB_SIZE, int(edits.sum()))
            b[dst:dst + size] = piece
        out.append((a, b))
    return out


SEEDED_ARGS = (2, 4, 40, 8, 2, -1, -1, 8)  # ngram, max_occurrences, max_gap, band, scores, min


def run_kernel(kernels, pairs) -> list:
    results = []
    for a, b in pairs:
        spans = np.zeros((len(a) // 8 + 1, kernels.SPAN_COLUMNS), np.int64)
        ops = np.zeros(len(a) + len(b), np.int8)
        count, n_ops = kernels.align_seeded(a, b, *SEEDED_ARGS, spans, ops)
        results.append((spans[:count].copy(), ops[:n_ops].copy()))
    return results


def compiled_kernels_or_skip():
    try:
        from retold._backend import compiled_kernels

        return compiled_kernels("align")
    except ImportError:
        pytest.skip("compiled kernels are not built")


# ---------------------------------------------------------------- books


def read_books() -> tuple[str, str]:
    return ((BOOKS / "remember00palm.txt").read_text(encoding="utf-8"),
            (BOOKS / "remembermeorholy00palm.txt").read_text(encoding="utf-8"))


def measure_books() -> dict:
    a, b = read_books()
    n, m = len(retold.tokenize(a)), len(retold.tokenize(b))
    tracemalloc.start()
    start = time.perf_counter()
    found = retold.align(a, b)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "words_a": n,
        "words_b": m,
        "seconds": seconds,
        "peak_bytes": peak,
        "full_bytes": 4 * (n + 1) * (m + 1),
        "passages": len(found),
        "aligned_words": sum(p.tokens for p in found),
    }


_RSS_SCRIPT = """
import resource, sys, time
import retold
a = open(sys.argv[1], encoding="utf-8").read()
b = open(sys.argv[2], encoding="utf-8").read()
retold.align(a[:2000], b[:2000], method=sys.argv[3])  # warm: imports, kernels loaded
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
found = retold.align(a, b, method=sys.argv[3])
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(seconds, (after - before) * 1024, sum(p.tokens for p in found))
"""


def books_in_fresh_process(method: str) -> tuple[float, int, int]:
    """(seconds, growth of peak RSS in bytes, equal words aligned) of one call, in a new process
    (peak RSS is a high-water mark: only a fresh process measures one call's memory, kernel C
    buffers included, which tracemalloc does not see)."""
    import os
    import subprocess

    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / "src")
    out = subprocess.run(
        [sys.executable, "-c", _RSS_SCRIPT, str(BOOKS / "remember00palm.txt"),
         str(BOOKS / "remembermeorholy00palm.txt"), method],
        capture_output=True, text=True, check=True, env=env,
    ).stdout.split()
    return float(out[0]), int(out[1]), int(out[2])


# ---------------------------------------------------------------- pytest-benchmark


def _n_pairs(sizes) -> int:
    return 200 if sizes.smoke else 10_000


def _n_full(sizes) -> int:
    return 50 if sizes.smoke else 1_000


@pytest.fixture(scope="module")
def pairs(sizes):
    return news_pairs(_n_pairs(sizes))


def test_seeded_pairs(benchmark, pairs):
    result = benchmark.pedantic(align_all, args=(pairs, "seeded"), rounds=1, iterations=1)
    planted = agreement(pairs, result, result)["recall_seeded"]
    benchmark.extra_info.update(pairs=len(pairs), planted_recall=planted)
    assert planted > 0.9


def test_full_pairs_and_agreement(benchmark, pairs, sizes):
    sample = pairs[: _n_full(sizes)]
    full = benchmark.pedantic(align_all, args=(sample, "full"), rounds=1, iterations=1)
    seeded = align_all(sample, "seeded")
    scores = agreement(sample, seeded, full)
    benchmark.extra_info.update(pairs=len(sample), **scores)
    assert scores["jaccard"] > 0.9
    assert scores["recall_full"] > 0.9


def test_books_seeded_time_and_memory(benchmark):
    if not BOOKS.exists():
        pytest.skip(f"{BOOKS} is absent: the real data lives in ../shared beside the repository")
    info = benchmark.pedantic(measure_books, rounds=1, iterations=1)
    benchmark.extra_info.update(info)
    assert info["aligned_words"] > 0.8 * min(info["words_a"], info["words_b"])
    assert info["peak_bytes"] < info["full_bytes"] / 20


@pytest.mark.parametrize("backend", ["compiled", "python"])
def test_kernel_2000_token_pairs(benchmark, backend, sizes):
    kernels = compiled_kernels_or_skip() if backend == "compiled" else reference_kernels("align")
    count = 2 if backend == "python" or sizes.smoke else 50
    data = token_pairs(count)
    result = benchmark.pedantic(run_kernel, args=(kernels, data), rounds=1, iterations=1)
    assert all(len(spans) >= 3 for spans, _ in result)
    if backend == "python":
        compiled = run_kernel(compiled_kernels_or_skip(), data)
        for (s1, o1), (s2, o2) in zip(result, compiled):
            np.testing.assert_array_equal(s1, s2)
            np.testing.assert_array_equal(o1, o2)


def _edit_script_case(n_ops: int = 300, seed: int = 0):
    """A passage's edit script of every op (mostly matches, as a reprint's) and the two texts
    it walks, for the aligned-strings kernel."""
    rng = np.random.default_rng(seed)
    ops = rng.choice(np.array([0, 1, 2, 3], dtype=np.int8), size=n_ops, p=[0.85, 0.07, 0.04, 0.04])
    words = [f"w{int(x)}" for x in rng.integers(0, 5_000, size=2 * n_ops)]
    a_words = words[: int(np.count_nonzero(ops != 3))]
    b_words = words[n_ops: n_ops + int(np.count_nonzero(ops != 2))]

    def laid_out(ws):
        text = " ".join(ws)
        ends = np.cumsum([len(w) + 1 for w in ws]) - 1
        return text, ends - np.array([len(w) for w in ws]), ends

    return (*laid_out(a_words), *laid_out(b_words), ops, "#")


@pytest.mark.parametrize("backend", ["compiled", "python"])
def test_aligned_strings_kernel(benchmark, backend):
    """A passage's two aligned strings from its edit script (the last step of every align), per
    backend; both give the same strings."""
    from retold._backend import compiled_kernels

    try:
        compiled = compiled_kernels("render")
    except ImportError:
        pytest.skip("compiled kernels are not built")
    kernels = compiled if backend == "compiled" else reference_kernels("render")
    case = _edit_script_case()
    got = benchmark(kernels.aligned_strings, *case)
    assert got == compiled.aligned_strings(*case) and len(got[0]) > 0


# ---------------------------------------------------------------- tables


def _timed(function, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--full-pairs", type=int, default=1_000,
                        help="pairs also aligned with method='full' (it is slower)")
    parser.add_argument("--kernel-pairs", type=int, default=50)
    parser.add_argument("--reference-pairs", type=int, default=3)
    parser.add_argument("--books-full", action="store_true",
                        help="also align the books with method='full' (about 0.5 GiB)")
    args = parser.parse_args(argv)
    print(f"backend: {retold.BACKEND}\n")

    data = news_pairs(args.pairs)
    t_seeded, seeded = _timed(align_all, data, "seeded")
    sample = data[: args.full_pairs]
    t_full, full = _timed(align_all, sample, "full")
    t_seeded_sample, seeded_sample = _timed(align_all, sample, "seeded")
    scores = agreement(sample, seeded_sample, full)
    planted = agreement(data, seeded, seeded)["recall_seeded"]
    print("| ~500-word news pairs | pairs | seconds | pairs/s | planted words recovered |")
    print("|---|---:|---:|---:|---:|")
    print(f"| seeded | {len(data)} | {t_seeded:.2f} | {len(data) / t_seeded:,.0f} | {planted:.3f} |")
    print(f"| seeded (same sample as full) | {len(sample)} | {t_seeded_sample:.2f} | "
          f"{len(sample) / t_seeded_sample:,.0f} | {scores['recall_seeded']:.3f} |")
    print(f"| full | {len(sample)} | {t_full:.2f} | {len(sample) / t_full:,.0f} | "
          f"{scores['recall_full']:.3f} |")
    print(f"\nagreement seeded vs full on {len(sample)} pairs: Jaccard of covered words "
          f"{scores['jaccard']:.4f}; identical passage lists {scores['identical_pairs']:.3f}\n")

    if BOOKS.exists():
        info = measure_books()
        print("| books | words | seconds | peak memory | full would need |")
        print("|---|---:|---:|---:|---:|")
        print(f"| remember00palm vs remembermeorholy00palm (seeded) | {info['words_a']:,} x "
              f"{info['words_b']:,} | {info['seconds']:.3f} | {info['peak_bytes'] / 2**20:.1f} MiB"
              f" | {info['full_bytes'] / 2**20:,.0f} MiB |")
        print(f"\n{info['passages']} passage(s), {info['aligned_words']:,} equal words aligned; "
              "peak memory is tracemalloc's (Python and numpy allocations)\n")
        print("| books, one call in a fresh process | seconds | peak RSS growth | equal words |")
        print("|---|---:|---:|---:|")
        for method in ("seeded", "full") if args.books_full else ("seeded",):
            seconds, rss, words = books_in_fresh_process(method)
            print(f"| {method} | {seconds:.3f} | {rss / 2**20:,.1f} MiB | {words:,} |")
        print()

    compiled = compiled_kernels_or_skip_main()
    if compiled is not None:
        kdata = token_pairs(max(args.kernel_pairs, args.reference_pairs))
        t_c, res_c = _timed(run_kernel, compiled, kdata[: args.kernel_pairs])
        t_r, res_r = _timed(run_kernel, reference_kernels("align"), kdata[: args.reference_pairs])
        for (s1, o1), (s2, o2) in zip(res_r, res_c):
            assert np.array_equal(s1, s2) and np.array_equal(o1, o2)
        per_c = t_c / args.kernel_pairs
        per_r = t_r / args.reference_pairs
        print("| align_seeded, 2,000-token pairs | pairs | ms/pair | ratio |")
        print("|---|---:|---:|---:|")
        print(f"| compiled | {args.kernel_pairs} | {per_c * 1e3:.3f} | {per_r / per_c:,.0f}x |")
        print(f"| pure-Python twin | {args.reference_pairs} | {per_r * 1e3:.1f} | 1x |")
    return 0


def compiled_kernels_or_skip_main():
    try:
        from retold._backend import compiled_kernels

        return compiled_kernels("align")
    except ImportError:
        print("compiled kernels are not built: no compiled/twin ratio")
        return None


if __name__ == "__main__":
    sys.exit(main())
