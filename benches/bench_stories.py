"""Stories: streaming story clustering at scale, the twin, and scikit-learn on the same data.

The corpus is made here (``story_corpus``): ``retold.synthetic`` makes copies of documents, not
stories told in other words, so this generator makes *stories*: each has a handful of its own
terms (capitalised names, rare words, numbers) and belongs to a *topic* (about 25 stories each:
"earthquakes", "central banks") whose words its articles share with the topic's other stories, so
that unrelated stories of one topic are hard negatives.  An article is 75% Zipfian common words,
20% topic words and 5% story terms (about 7 of 150 words), in random order.  Stories arrive as a Poisson stream (about
``docs_per_day`` articles a day over all stories), each with a geometric number of articles
spread over about a day.  Two articles of one story share no sentence: a same-story task, not a
copy task.  Everything is a function of the seed.

Measured (``python benches/bench_stories.py`` prints the tables for the README):

- streaming: :class:`retold.StoryClusterer` over the whole corpus in time order, one worker,
  batches of 1,000: articles/s overall, over the first and the last 10,000 (flat cost), active
  stories and index postings at the end (bounded by the window, not by the stream);
- twin: the same stream through the pure-Python kernels on a small sample, against the compiled;
- batch: :func:`retold.stories` against scikit-learn ``TfidfVectorizer`` + ``NearestNeighbors``
  (cosine, radius = 1 - threshold) + connected components, speed and B-cubed F1 side by side
  (scikit-learn gets the best threshold of a small grid, measured against the gold labels).

Under pytest (``python -m pytest benches/bench_stories.py -p no:cacheprovider``) the same runs
are pytest-benchmark cases; ``--benchmark-disable`` makes it a smoke run on a small corpus.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pytest

from retold import _backend
from retold.article import Article
from retold.evaluation.clusters import bcubed
from retold.stories import StoryClusterer, stories

SEED = 11
STREAM_DOCS = 200_000
BATCH = 1_000
_LETTERS = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)


@dataclass
class StoryCorpus:
    articles: list[Article]
    story: np.ndarray  # gold story of each article

    @property
    def texts(self) -> list[str]:
        return [a.text for a in self.articles]


def _words(rng: np.random.Generator, n: int, lo: int, hi: int) -> list[str]:
    lengths = rng.integers(lo, hi + 1, n)
    letters = _LETTERS[rng.integers(0, 26, (n, hi))]
    return [bytes(row[:k]).decode("ascii") for row, k in zip(letters, lengths)]


@lru_cache(maxsize=2)
def story_corpus(n_docs: int, *, seed: int = SEED, docs_per_day: int = 2_000, mean_story: float = 8.0,
                 words: int = 150, vocab: int = 30_000, story_terms: int = 12,
                 stories_per_topic: int = 25, topic_terms: int = 40) -> StoryCorpus:
    """``n_docs`` articles in time order over many stories (see the module documentation)."""
    rng = np.random.default_rng(seed)
    common = np.array(_words(rng, vocab, 2, 10), dtype=object)
    cdf = np.cumsum(1.0 / np.arange(1, vocab + 1))
    cdf /= cdf[-1]
    n_stories = int(n_docs / mean_story * 1.5) + 16
    start = np.sort(rng.uniform(0, n_docs / docs_per_day, n_stories))
    sizes = rng.geometric(1.0 / mean_story, n_stories)
    story = np.repeat(np.arange(n_stories), sizes)
    times = start[story] + rng.exponential(0.4, len(story))
    order = np.argsort(times, kind="stable")[:n_docs]
    story, times = story[order], times[order]
    # Each story's own terms: names (capitalised), rare words, two numbers.
    n_names = story_terms // 2
    n_rare = story_terms - n_names - 2
    names = [w.capitalize() for w in _words(rng, n_stories * n_names, 4, 9)]
    rare = _words(rng, n_stories * n_rare, 6, 11)
    numbers = [str(x) for x in rng.integers(10, 100_000, n_stories * 2)]
    terms = np.empty((n_stories, story_terms), dtype=object)
    terms[:, :n_names] = np.array(names, dtype=object).reshape(n_stories, n_names)
    terms[:, n_names:n_names + n_rare] = np.array(rare, dtype=object).reshape(n_stories, n_rare)
    terms[:, n_names + n_rare:] = np.array(numbers, dtype=object).reshape(n_stories, 2)
    n_topics = max(2, n_stories // stories_per_topic)
    topic_of = rng.integers(0, n_topics, n_stories)
    topic_words = np.array(_words(rng, n_topics * topic_terms, 4, 10), dtype=object).reshape(n_topics, topic_terms)
    n_common = int(words * 0.75)
    n_topic = int(words * 0.20)
    base = dt.datetime(2024, 1, 1)
    articles: list[Article] = []
    for a in range(0, n_docs, 10_000):
        b = min(n_docs, a + 10_000)
        ids = np.empty((b - a, words), dtype=object)
        ids[:, :n_common] = common[np.searchsorted(cdf, rng.random((b - a, n_common)))]
        picks = rng.integers(0, topic_terms, (b - a, n_topic))
        ids[:, n_common:n_common + n_topic] = topic_words[topic_of[story[a:b]][:, None], picks]
        picks = rng.integers(0, story_terms, (b - a, words - n_common - n_topic))
        ids[:, n_common + n_topic:] = terms[story[a:b, None], picks]
        perm = np.argsort(rng.random((b - a, words)), axis=1)
        ids = np.take_along_axis(ids, perm, axis=1)
        for i in range(b - a):
            articles.append(Article(id=f"s{a + i:07d}", text=" ".join(ids[i].tolist()) + ".",
                                    date=base + dt.timedelta(days=float(times[a + i]))))
    return StoryCorpus(articles, story)


# -- measurements ------------------------------------------------------------------------------


@dataclass
class StreamRun:
    n: int
    seconds: float
    cpu_seconds: float
    first_rate: float
    last_rate: float
    active: int
    stories: int
    postings: int
    scored_per_article: float
    f1: float


def stream(corpus: StoryCorpus, *, batch: int = BATCH, window: int = 10_000) -> StreamRun:
    clusterer = StoryClusterer()
    labels = []
    chunk_times = []
    gc.collect()
    start = time.perf_counter()
    cpu_start = time.process_time()
    for a in range(0, len(corpus.articles), batch):
        # CPU time of this process: the machine may be shared, and one worker is what is asked.
        t = time.process_time()
        labels.append(clusterer.partial_fit(corpus.articles[a:a + batch]))
        chunk_times.append((min(batch, len(corpus.articles) - a), time.process_time() - t))
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    labels = np.concatenate(labels)

    def rate(chunks):
        n = sum(c[0] for c in chunks)
        return n / sum(c[1] for c in chunks)

    k = max(1, window // batch)
    index = clusterer._index
    _, _, f1 = bcubed(labels.tolist(), corpus.story.tolist())
    return StreamRun(len(labels), seconds, cpu_seconds, rate(chunk_times[:k]), rate(chunk_times[-k:]),
                     clusterer.n_active, clusterer.n_stories, index.posted_terms(),
                     index.n_scored / len(labels), f1)


def twin_ratio(corpus: StoryCorpus, n: int) -> tuple[float, float, bool]:
    """CPU seconds for the first n articles on the compiled kernels and on the twin; equal labels?"""
    import retold.stories as module

    out = {}
    for name, loader in (("compiled", _backend.compiled_kernels), ("python", _backend.reference_kernels)):
        saved = module._stories
        module._stories = loader("stories")
        try:
            clusterer = StoryClusterer()
            t = time.process_time()
            labels = clusterer.partial_fit(corpus.articles[:n])
            out[name] = (time.process_time() - t, labels)
        finally:
            module._stories = saved
    return out["compiled"][0], out["python"][0], bool(np.array_equal(out["compiled"][1], out["python"][1]))


def retold_batch(corpus: StoryCorpus, threshold: float | None = None) -> tuple[float, float]:
    """Seconds and B-cubed F1 of :func:`retold.stories` (default threshold unless given)."""
    options = {} if threshold is None else {"threshold": threshold}
    t = time.perf_counter()
    result = stories(corpus.articles, **options)
    seconds = time.perf_counter() - t
    return seconds, bcubed(result.labels.tolist(), corpus.story.tolist())[2]


def retold_best(corpus: StoryCorpus, thresholds=(0.08, 0.12, 0.16, 0.2, 0.3)) -> tuple[float, float, float]:
    """Like :func:`sklearn_batch`: the best threshold of a grid, judged on the gold labels."""
    runs = [(retold_batch(corpus, t), t) for t in thresholds]
    (seconds, f1), t = max(runs, key=lambda r: r[0][1])
    return seconds, f1, t


def sklearn_batch(corpus: StoryCorpus, thresholds=(0.2, 0.3, 0.4, 0.5, 0.6)) -> tuple[float, float, float]:
    """TfidfVectorizer + radius neighbours (cosine) + connected components: seconds, F1, threshold.

    The time is that of the best threshold's run (vectorise, neighbours, components).
    """
    from scipy.sparse.csgraph import connected_components
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.neighbors import NearestNeighbors

    best = (-1.0, 0.0, 0.0)
    for threshold in thresholds:
        t = time.perf_counter()
        x = TfidfVectorizer(sublinear_tf=True).fit_transform(corpus.texts)
        nn = NearestNeighbors(radius=1.0 - threshold, metric="cosine", algorithm="brute").fit(x)
        graph = nn.radius_neighbors_graph(x, mode="connectivity")
        _, labels = connected_components(graph, directed=False)
        seconds = time.perf_counter() - t
        f1 = bcubed(labels.tolist(), corpus.story.tolist())[2]
        if f1 > best[0]:
            best = (f1, seconds, threshold)
    return best[1], best[0], best[2]


# -- pytest-benchmark cases --------------------------------------------------------------------


@pytest.fixture(scope="module")
def stream_corpus(sizes):
    # Smoke: six days of news, twice the window, so that stories get archived.
    n = int(os.environ.get("RETOLD_BENCH_DOCS", 0)) or (12_000 if sizes.smoke else STREAM_DOCS)
    return story_corpus(n)


@pytest.fixture(scope="module")
def batch_corpus(sizes):
    return story_corpus(min(sizes.docs, 10_000) if not sizes.smoke else 2_000, seed=SEED + 1)


def test_stream(benchmark, stream_corpus, sizes):
    run = benchmark.pedantic(stream, args=(stream_corpus,), rounds=1, iterations=1)
    benchmark.extra_info.update(vars(run))
    assert run.f1 > 0.8
    # Memory follows the window: the active stories are a small share of all stories made.
    assert run.active < run.stories
    if not sizes.smoke and _backend.BACKEND == "compiled":
        assert run.n / run.cpu_seconds >= 20_000
        assert run.first_rate / run.last_rate <= 1.5


def test_twin_agrees_and_is_slower(stream_corpus, compiled_or_skip_bench):
    compiled, python, same = twin_ratio(stream_corpus, 300)
    assert same
    assert python > compiled


@pytest.fixture
def compiled_or_skip_bench():
    try:
        _backend.compiled_kernels("stories")
    except ImportError:
        pytest.skip("compiled kernels are not built")


def test_batch_retold(benchmark, batch_corpus):
    seconds, f1 = benchmark.pedantic(retold_batch, args=(batch_corpus,), rounds=1, iterations=1)
    benchmark.extra_info.update({"f1": f1})
    assert f1 > 0.8


def test_batch_sklearn(benchmark, batch_corpus):
    pytest.importorskip("sklearn")
    seconds, f1, threshold = benchmark.pedantic(sklearn_batch, args=(batch_corpus,), rounds=1, iterations=1)
    benchmark.extra_info.update({"f1": f1, "threshold": threshold})


# -- the tables --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=STREAM_DOCS, help="articles streamed")
    parser.add_argument("--batch-docs", type=int, default=10_000, help="articles for the batch comparison")
    parser.add_argument("--twin-docs", type=int, default=1_000, help="articles for the twin comparison")
    args = parser.parse_args()
    t = time.perf_counter()
    corpus = story_corpus(args.docs)
    print(f"corpus: {args.docs} articles, {len(np.unique(corpus.story))} stories "
          f"(made in {time.perf_counter() - t:.1f}s)")
    run = stream(corpus)
    print("\n| streaming (1 worker) | value |\n|---|---|")
    print(f"| articles | {run.n:,} |")
    print(f"| articles/s overall (CPU time) | {run.n / run.cpu_seconds:,.0f} |")
    print(f"| articles/s overall (wall time, load average {os.getloadavg()[0]:.1f}) | {run.n / run.seconds:,.0f} |")
    print(f"| articles/s, first 10k (CPU time) | {run.first_rate:,.0f} |")
    print(f"| articles/s, last 10k (CPU time) | {run.last_rate:,.0f} |")
    print(f"| first/last rate | {run.first_rate / run.last_rate:.2f} |")
    print(f"| stories made / active at the end | {run.stories:,} / {run.active:,} |")
    print(f"| index postings at the end | {run.postings:,} |")
    print(f"| candidate stories scored per article | {run.scored_per_article:.2f} |")
    print(f"| B-cubed F1 | {run.f1:.3f} |")
    compiled, python, same = twin_ratio(corpus, args.twin_docs)
    print(f"\n| twin, first {args.twin_docs:,} articles | seconds |\n|---|---|")
    print(f"| compiled | {compiled:.3f} |\n| pure-Python twin | {python:.2f} |")
    print(f"| ratio | {python / compiled:.0f}x (labels identical: {same}) |")
    small = story_corpus(args.batch_docs, seed=SEED + 1)
    r_seconds, r_f1 = retold_batch(small)
    b_seconds, b_f1, b_t = retold_best(small)
    s_seconds, s_f1, s_t = sklearn_batch(small)
    print(f"\n| batch, {args.batch_docs:,} articles (wall time) | seconds | B-cubed F1 |\n|---|---|---|")
    print(f"| retold.stories, default threshold | {r_seconds:.2f} | {r_f1:.3f} |")
    print(f"| retold.stories, best threshold of a grid (t={b_t}) | {b_seconds:.2f} | {b_f1:.3f} |")
    print(f"| TfidfVectorizer + NearestNeighbors + connected components, best t={s_t} | {s_seconds:.2f} | {s_f1:.3f} |")


if __name__ == "__main__":
    main()


# -- streaming: the online average-link clusterer (issue 11) -------------------------------------
# Separate from the cases above so that the batch and streaming benches can change apart.

DEV_FILES = ("ecbplus-odd-topics.jsonl", "meantime-airbus-gm.jsonl")


def streaming_rates(corpus: StoryCorpus, *, batch: int = BATCH, window: int = 10_000) -> dict:
    """CPU articles/s of :class:`StoryClusterer` (features included), overall, first and last ``window``."""
    clusterer = StoryClusterer()
    labels, chunks = [], []
    gc.collect()
    for a in range(0, len(corpus.articles), batch):
        t = time.process_time()
        labels.append(clusterer.partial_fit(corpus.articles[a:a + batch]))
        chunks.append((min(batch, len(corpus.articles) - a), time.process_time() - t))
    clusterer.flush()
    labels = clusterer.resolve(np.concatenate(labels))
    k = max(1, window // batch)

    def rate(part):
        return sum(c[0] for c in part) / sum(c[1] for c in part)

    return {
        "articles": len(labels), "rate": rate(chunks), "first_rate": rate(chunks[:k]), "last_rate": rate(chunks[-k:]),
        "active_articles": clusterer.n_active_articles, "active_stories": clusterer.n_active,
        "stories": clusterer.n_stories, "merges": len(clusterer.merged),
        "postings": clusterer._index.posted_terms(), "links": clusterer._index.link_entries(),
        "scored_per_article": clusterer._index.n_scored / max(1, len(labels)),
        "f1": bcubed(labels.tolist(), corpus.story.tolist())[2],
    }


def streaming_dev_f1(folder) -> list[tuple[str, float, float]]:
    """(file, batch F1, stream F1) on the dev files in time order (dates dropped as a second run)."""
    import json

    out = []
    for name in DEV_FILES:
        path = folder / name
        if not path.exists():
            continue
        records = [json.loads(line) for line in path.open(encoding="utf-8")]
        runs = [("", records)]
        if any(r.get("date") for r in records):
            ordered = sorted(records, key=lambda r: r.get("date") or "")
            runs = [("", ordered), (" (dates dropped)", [{k: v for k, v in r.items() if k != "date"} for r in ordered])]
        for suffix, recs in runs:
            gold = [r["story"] for r in recs]
            clusterer = StoryClusterer()
            labels = clusterer.partial_fit(recs)
            clusterer.flush()
            out.append((name + suffix, bcubed(stories(recs).labels.tolist(), gold)[2],
                        bcubed(clusterer.resolve(labels).tolist(), gold)[2]))
    return out


def test_bench_streaming_rate(benchmark, sizes):
    n = int(os.environ.get("RETOLD_BENCH_DOCS", 0)) or (12_000 if sizes.smoke else 100_000)
    run = benchmark.pedantic(streaming_rates, args=(story_corpus(n),), rounds=1, iterations=1)
    benchmark.extra_info.update(run)
    assert run["f1"] > 0.9
    assert run["active_stories"] < run["stories"]  # the window, not the stream, is held


def test_bench_streaming_twin_agrees(compiled_or_skip_bench):
    corpus = story_corpus(2_000)
    labels = {}
    for name, loader in (("compiled", _backend.compiled_kernels), ("python", _backend.reference_kernels)):
        import retold.stories as module

        saved = module._story_stream
        module._story_stream = loader("story_stream")
        try:
            clusterer = StoryClusterer()
            got = clusterer.partial_fit(corpus.articles[:300])
            clusterer.flush()
            labels[name] = clusterer.resolve(got)
        finally:
            module._story_stream = saved
    assert np.array_equal(labels["compiled"], labels["python"])


def test_bench_streaming_dev_f1(benchmark):
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "shared" / "data" / "story-clusters"
    if not folder.exists():
        pytest.skip(f"{folder} is absent")
    rows = benchmark.pedantic(streaming_dev_f1, args=(folder,), rounds=1, iterations=1)
    benchmark.extra_info.update({name: {"batch": b, "stream": s} for name, b, s in rows})
    for name, b, s in rows:
        assert s >= b - 0.03, (name, b, s)
