"""Memory of the streaming paths: RSS while documents stream through iter_minhash and StoryClusterer.

Both promise memory bounded by a chunk or a window, however long the stream.  Each benchmark
streams synthetic documents (never held all at once: a pool of generated texts, each copy made
distinct by a serial-number token, with dates that advance so the story window slides) and
records the process's resident set size after every step.  Asserted: after the first window
(the first two steps), RSS never rises more than a small allowance (32 MiB) above where it
stood.

The clusterer runs with ``StoryClusterer(forget=True)``: by default it keeps three numbers
(24 bytes) for every story id it ever handed out (``story_sizes``, ``resolve`` and the average
links), and every article starts as a story of its own, so the default grows by 24 bytes per
*article* streamed (240 MB at 10M articles).  ``forget=True`` keeps them only for the recent
ids and the stories still in the window, with the same labels; the benchmark asserts that
too: once a million articles have streamed past the first window, RSS grew by less than
``FORGET_MAX_GROWTH`` bytes per article.

Sizes: smoke mode streams a few thousand documents; a full run (``--benchmark-enable``) streams
10M through iter_minhash and 10M through StoryClusterer, reporting every 1M.
``RETOLD_BENCH_STREAM_DOCS`` and ``RETOLD_BENCH_STREAM_STORY_DOCS`` override the counts (the
clusterer runs at about 10^3 - 10^4 documents per second, so 10M takes hours).

    python -m pytest benches/bench_memory.py --benchmark-enable -s
"""
from __future__ import annotations

import datetime as dt
import gc
import os
import resource
from typing import Iterator

import numpy as np
import pytest

from retold.hashing import iter_minhash
from retold.story_clustering import StoryClusterer
from retold.synthetic import iter_news

ALLOWANCE = 32 * 2**20
STORY_ID_BOOKKEEPING = 24  # bytes per story id ever handed out (one per article) with forget=False
FORGET_MAX_GROWTH = 2.0    # bytes per article after the first window, forget=True (judged over >= 1M)


def rss_bytes() -> int:
    """Current resident set size (Linux /proc), else the peak (getrusage) as an upper bound."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def stream_documents(n: int, *, per_day: int, pool: int = 4_000, seed: int = 5) -> Iterator[dict]:
    """``n`` distinct dated documents in constant memory: a pool of synthetic news texts, reused.

    Document ``i`` is pool text ``i % pool`` after the token ``n<i>``, dated ``i // per_day``
    days after 2024-01-01, so near-duplicates recur and the story window keeps sliding.
    """
    texts = [doc["text"] for doc in iter_news(pool, seed=seed, mean_words=120)]
    base = dt.datetime(2024, 1, 1)
    for i in range(n):
        yield {"id": f"m{i}", "text": f"n{i} {texts[i % pool]}", "date": base + dt.timedelta(days=i // per_day)}


def _sizes(smoke: bool) -> dict:
    if smoke:
        return dict(minhash_docs=20_000, minhash_step=2_500, story_docs=6_000, story_step=1_000, per_day=300)
    return dict(minhash_docs=10_000_000, minhash_step=1_000_000, story_docs=10_000_000, story_step=1_000_000,
                per_day=2_000)


@pytest.fixture(scope="module")
def plan(sizes) -> dict:
    plan = _sizes(sizes.smoke)
    for key, env in (("minhash_docs", "RETOLD_BENCH_STREAM_DOCS"), ("story_docs", "RETOLD_BENCH_STREAM_STORY_DOCS")):
        if os.environ.get(env):
            plan[key] = int(os.environ[env])
            step = "minhash_step" if key == "minhash_docs" else "story_step"
            plan[step] = max(1, min(plan[step], plan[key] // 5))
    return plan


def _report(title: str, trace: list[tuple[int, int]]) -> None:
    print(f"\n{title}\n| documents | RSS (MiB) |\n|---:|---:|")
    for n, rss in trace:
        print(f"| {n:,} | {rss / 2**20:,.1f} |")


def _assert_flat(trace: list[tuple[int, int]], allowance: int) -> None:
    assert len(trace) >= 3, "too few steps to judge flatness"
    settled = trace[1][1]   # after the first window
    worst = max(rss for _, rss in trace[2:])
    assert worst <= settled + allowance, (
        f"RSS grew from {settled / 2**20:.1f} MiB after the first window to {worst / 2**20:.1f} MiB "
        f"(allowance {allowance / 2**20:.1f} MiB): {trace}")


def stream_minhash(n: int, step: int, chunk: int = 10_000) -> list[tuple[int, int]]:
    gc.collect()
    trace, done, next_report = [], 0, step
    texts = (doc["text"] for doc in stream_documents(n, per_day=10**9))
    for signatures in iter_minhash(texts, chunk_size=min(chunk, step), num_perm=128):
        done += len(signatures)
        if done >= next_report or done == n:
            trace.append((done, rss_bytes()))
            next_report += step
    return trace


def stream_stories(n: int, step: int, per_day: int, batch: int = 1_000, *,
                   forget: bool = True) -> tuple[list[tuple[int, int]], int]:
    gc.collect()
    clusterer = StoryClusterer(forget=forget)
    trace, done, next_report, buffer = [], 0, step, []
    for doc in stream_documents(n, per_day=per_day):
        buffer.append(doc)
        if len(buffer) == min(batch, step):
            clusterer.partial_fit(buffer)
            done += len(buffer)
            buffer = []
            if done >= next_report:
                trace.append((done, rss_bytes()))
                next_report += step
    if buffer:
        clusterer.partial_fit(buffer)
        done += len(buffer)
        trace.append((done, rss_bytes()))
    return trace, clusterer.n_stories


def test_iter_minhash_memory_is_flat(benchmark, plan):
    trace = benchmark.pedantic(stream_minhash, args=(plan["minhash_docs"], plan["minhash_step"]),
                               rounds=1, iterations=1)
    benchmark.extra_info["rss_trace"] = trace
    _report(f"iter_minhash, num_perm=128, {plan['minhash_docs']:,} documents", trace)
    assert trace[-1][0] == plan["minhash_docs"]
    _assert_flat(trace, ALLOWANCE)


def test_story_clusterer_memory_is_flat(benchmark, plan):
    trace, stories = benchmark.pedantic(stream_stories, args=(plan["story_docs"], plan["story_step"], plan["per_day"]),
                                        rounds=1, iterations=1)
    benchmark.extra_info.update(rss_trace=trace, stories=stories)
    _report(f"StoryClusterer(forget=True), {plan['story_docs']:,} documents, {plan['per_day']:,} a day, "
            f"{stories:,} stories", trace)
    assert trace[-1][0] == plan["story_docs"]
    ids = trace[-1][0] - trace[1][0]  # story ids handed out after the first window: one per article
    grown = (trace[-1][1] - trace[1][1]) / max(1, ids)
    print(f"RSS after the first window grew {grown:.2f} bytes per article over {ids:,} articles "
          f"(forget=True; forget=False keeps {STORY_ID_BOOKKEEPING} per article; {stories:,} stories)")
    _assert_flat(trace, ALLOWANCE)
    if ids >= 1_000_000:  # a smoke run is too short to judge bytes per article against page-sized noise
        assert grown < FORGET_MAX_GROWTH, f"RSS grew {grown:.2f} bytes per article: {trace}"
