"""dedup: recall and precision on synthetic copies, the demo corpus, known answers, policies, determinism."""
from __future__ import annotations

import collections
import itertools
import random

import numpy as np
import pytest

from retold import Article, DedupResult, dedup, jaccard, shingles, containment
from retold.synthetic import news_corpus, pairs_at_jaccard
from tests.conftest import shared_path

def partition(ids, labels) -> list[list[str]]:
    groups = collections.defaultdict(list)
    for doc_id, label in zip(ids, labels):
        groups[label].append(doc_id)
    return sorted(sorted(g) for g in groups.values())


# ---------------------------------------------------------------- recall and precision


@pytest.fixture(scope="module")
def injected():
    """A synthetic background corpus with pairs injected at known exact Jaccard."""
    targets = np.linspace(0.85, 1.0, 120).tolist() + np.linspace(0.3, 0.8, 60).tolist()
    pairs = pairs_at_jaccard(targets, seed=11, words=200)
    background = news_corpus(300, seed=11, mean_words=150)
    texts = list(background.texts)
    truth = []
    for a, b, exact in pairs:
        texts.append(a)
        texts.append(b)
        truth.append((len(texts) - 2, len(texts) - 1, exact))
    rng = random.Random(11)
    order = list(range(len(texts)))
    rng.shuffle(order)  # copies are not neighbours in the input
    where = {old: new for new, old in enumerate(order)}
    shuffled = [texts[i] for i in order]
    truth = [tuple(sorted((where[a], where[b]))) + (exact,) for a, b, exact in truth]
    return shuffled, truth


def test_recall_and_precision_on_injected_pairs(injected):
    texts, truth = injected
    result = dedup(texts, threshold=0.8)
    found = {(a, b): s for a, b, s in zip(result.pairs.a.tolist(), result.pairs.b.tolist(), result.pairs.similarity.tolist())}
    wanted = [(a, b) for a, b, exact in truth if exact >= 0.85]
    assert len(wanted) >= 100
    recall = sum(pair in found for pair in wanted) / len(wanted)
    assert recall >= 0.99
    # Precision 1.0: every accepted pair really has Jaccard >= threshold, measured independently.
    for (a, b), sim in found.items():
        exact = jaccard(shingles(texts[a]), shingles(texts[b]))
        assert sim == pytest.approx(exact, abs=1e-12) and exact >= 0.8
    assert result.pairs.verified.all()
    for a, b, exact in truth:
        if exact < 0.8:
            assert (a, b) not in found


def test_recall_on_generated_near_duplicates():
    corpus = news_corpus(800, seed=3, mean_words=200, edit_rates=(0.0, 0.005, 0.01, 0.02), trim_rate=0.0)
    result = dedup(corpus.texts, threshold=0.8)
    sets = [shingles(t) for t in corpus.texts]
    families = collections.defaultdict(list)
    for i, source in enumerate(corpus.copy_of.tolist()):
        families[source if source >= 0 else i].append(i)
    wanted = [
        (a, b)
        for members in families.values()
        for a, b in itertools.combinations(sorted(members), 2)
        if jaccard(sets[a], sets[b]) >= 0.85
    ]
    assert len(wanted) >= 100
    found = set(zip(result.pairs.a.tolist(), result.pairs.b.tolist()))
    assert sum(p in found for p in wanted) / len(wanted) >= 0.99
    assert all(jaccard(sets[a], sets[b]) >= 0.8 for a, b in found)


# ---------------------------------------------------------------- the demo corpus


def test_demo_copy_clusters_exact_with_containment():
    from retold.data import load_demo

    records = load_demo()
    result = dedup(records, measure="containment")
    gold = partition([r["id"] for r in records], [r["copy_cluster"] for r in records])
    assert partition(result.ids, result.labels) == gold
    assert all(result.pairs.similarity >= 0.8)


def test_demo_jaccard_never_merges_what_gold_separates():
    """Jaccard 0.8 splits off trimmed reprints (Jaccard 0.56-0.78, containment >= 0.94) but never
    joins articles of different gold copy clusters: its clusters refine the gold ones."""
    from retold.data import load_demo

    records = load_demo()
    result = dedup(records)
    gold = {r["id"]: r["copy_cluster"] for r in records}
    for members in partition(result.ids, result.labels):
        assert len({gold[m] for m in members}) == 1


def test_textreuse_legal_pair_verifies():
    folder = shared_path("data", "textreuse", "legal")
    files = sorted(folder.glob("*.txt"))
    docs = [{"id": f.stem, "text": f.read_text(encoding="utf-8")} for f in files]
    result = dedup(docs, threshold=0.4, num_perm=200, params=(50, 4))
    assert result.stats.candidates == 1
    records = list(result.iter_pair_records())
    assert [(r["a"], r["b"]) for r in records] == [("ca1851-match", "ny1850-match")]
    exact = jaccard(shingles(docs[0]["text"]), shingles(docs[2]["text"]))
    assert records[0]["verified"] and records[0]["similarity"] == pytest.approx(exact, abs=1e-6)
    assert result.cluster_of("ca1851-match") == ["ca1851-match", "ny1850-match"]


# ---------------------------------------------------------------- representatives and matches

BASE = (
    "The central bank raised its main interest rate by a quarter point on Thursday, its third "
    "increase this year, and said further moves would depend on how quickly inflation eased in "
    "the coming months, according to a statement released after the meeting in the capital."
)
EDITED = BASE.replace("Thursday", "Thursday afternoon")
LONGER = BASE + " Markets had expected the move."
OTHER = (
    "Heavy snow closed the mountain pass for a second day, stranding dozens of lorries near the "
    "border while road crews worked through the night to clear drifts up to two metres deep."
)


def test_keep_policies():
    docs = [
        {"id": "a", "text": EDITED, "date": "2024-05-02T10:00:00"},
        {"id": "b", "text": LONGER, "date": "2024-05-01T09:00:00"},
        {"id": "c", "text": OTHER},
        {"id": "d", "text": BASE},
    ]
    reps = {}
    for keep in ("first", "longest", "earliest"):
        result = dedup(docs, threshold=0.7, keep=keep)
        assert partition(result.ids, result.labels) == [["a", "b", "d"], ["c"]]
        reps[keep] = result.ids[result.representatives[result.labels[0]]]
    assert reps == {"first": "a", "longest": "b", "earliest": "b"}
    # Undated documents come after dated ones; among undated, the first.
    undated = [{"id": "x", "text": BASE}, {"id": "y", "text": EDITED, "date": "2030-01-01"}]
    result = dedup(undated, threshold=0.7)
    assert result.unique_ids() == ["y"]


def test_result_fields_and_records():
    result = dedup([BASE, OTHER, EDITED, ""], threshold=0.7)
    assert isinstance(result, DedupResult)
    assert result.labels.tolist() == [0, 1, 0, 2]
    assert result.representatives.tolist() == [0, 1, 3]
    assert result.matched_with.tolist() == [2, -1, 0, -1]
    expected = jaccard(shingles(BASE), shingles(EDITED))
    assert result.similarity[0] == pytest.approx(expected) and np.isnan(result.similarity[1])
    assert [c.members for c in result.clusters] == [("0", "2")]
    assert result.clusters[0].representative == "0"
    assert result.is_representative.tolist() == [True, True, False, True]
    records = result.to_records()
    assert records[2] == {
        "id": "2",
        "cluster": 0,
        "cluster_size": 2,
        "representative": "0",
        "is_representative": False,
        "matched_with": "0",
        "similarity": round(expected, 6),
    }
    assert result.stats.empty == 1 and result.stats.documents == 4
    assert result.stats.accepted == len(result.pairs) == 1


def test_empty_texts_are_never_copies_of_each_other():
    result = dedup(["", "", "   ", OTHER])
    assert len(set(result.labels.tolist())) == 4


def test_empty_input():
    result = dedup([])
    assert len(result) == 0 and result.labels.shape == (0,) and result.clusters == []


def test_containment_finds_trimmed_copy_that_jaccard_misses():
    long_text = " ".join(f"word{i}" for i in range(400))
    trimmed = " ".join(f"word{i}" for i in range(220))
    assert jaccard(shingles(long_text), shingles(trimmed)) < 0.6
    assert len(dedup([long_text, trimmed]).pairs) == 0
    result = dedup([long_text, trimmed], measure="containment")
    assert len(result.pairs) == 1
    assert result.pairs.similarity[0] == pytest.approx(containment(shingles(trimmed), shingles(long_text)))


def test_unverified_mode_uses_minhash_estimate():
    result = dedup([BASE, EDITED, OTHER], threshold=0.7, verify=False)
    assert result.pairs.verified.tolist() == [False]
    assert 0.7 <= result.pairs.similarity[0] <= 1.0
    assert next(result.iter_pair_records())["measure"] == "jaccard_estimate"


def test_deterministic_and_order_independent_clusters():
    corpus = news_corpus(400, seed=9, mean_words=120, edit_rates=(0.0, 0.01))
    docs = [{"id": f"n{i}", "text": t, "date": d} for i, (t, d) in enumerate(zip(corpus.texts, corpus.dates))]
    first = dedup(docs, threshold=0.8)
    again = dedup(docs, threshold=0.8, workers=2, chunk_size=37)
    assert np.array_equal(first.labels, again.labels)
    assert np.array_equal(first.representatives, again.representatives)
    assert np.array_equal(first.pairs.similarity, again.pairs.similarity)
    shuffled = docs[::-1]
    reverse = dedup(shuffled, threshold=0.8)
    assert partition(reverse.ids, reverse.labels) == partition(first.ids, first.labels)


def test_boilerplate_bucket_is_capped_and_still_clusters():
    boiler = "Subscribe to our newsletter for the latest news from the region every morning and evening"
    docs = [boiler] * 300 + [OTHER]
    result = dedup(docs, bucket_cap=20)
    assert result.stats.buckets_capped > 0 and result.stats.largest_bucket == 300
    assert result.stats.candidates == 299  # star edges only
    assert len(result.clusters) == 1 and len(result.clusters[0]) == 300


def test_articles_dicts_and_strings():
    docs = [Article(id="art", text=BASE), {"id": 7, "text": EDITED}, OTHER]
    result = dedup(docs, threshold=0.7)
    assert result.ids == ["art", "7", "2"]
    assert result.cluster_of("7") == ["art", "7"]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"threshold": 0}, ValueError, "threshold"),
        ({"threshold": "x"}, TypeError, "threshold"),
        ({"keep": "last"}, ValueError, "keep"),
        ({"measure": "cosine"}, ValueError, "measure"),
        ({"workers": 0}, ValueError, "workers"),
        ({"ngram": 2.5}, TypeError, "ngram"),
        ({"verify": "yes"}, TypeError, "verify"),
        ({"measure": "containment", "verify": False}, ValueError, "containment"),
        ({"params": (100, 2)}, ValueError, "num_perm"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        dedup([BASE, OTHER], **kwargs)


def test_bad_documents():
    with pytest.raises(ValueError, match="duplicate document id 'a'"):
        dedup([{"id": "a", "text": BASE}, {"id": "a", "text": OTHER}])
    with pytest.raises(TypeError, match="document 1"):
        dedup([BASE, 42])
    with pytest.raises(TypeError, match="single string"):
        dedup(BASE)
    with pytest.raises(ValueError, match="no 'text' field"):
        dedup([{"id": "a"}])


def test_progress_hook_sees_every_stage():
    from contextlib import contextmanager

    seen = collections.Counter()

    @contextmanager
    def stage(name, total=None):
        yield lambda n=1: seen.update({name: n})

    dedup((t for t in [BASE, EDITED, OTHER]), threshold=0.7, progress=stage)
    assert seen["sign"] == 3 and seen["cluster"] == 3 and seen["verify"] == 1 and "band" in seen


def test_reread_verifies_without_holding_texts():
    corpus = news_corpus(500, seed=4, mean_words=120, edit_rates=(0.0, 0.01, 0.05))
    docs = [{"id": f"n{i}", "text": t} for i, t in enumerate(corpus.texts)]
    held = dedup(docs, measure="containment")
    reads = []

    def reread():
        reads.append(1)
        return iter(docs)

    streamed = dedup(iter(docs), measure="containment", reread=reread, chunk_size=64)
    assert reads == [1]
    assert np.array_equal(held.labels, streamed.labels)
    assert np.array_equal(held.pairs.similarity, streamed.pairs.similarity)
    assert len(held.pairs) > 0


def test_reread_must_give_the_same_documents():
    docs = [BASE, OTHER, BASE.replace("Thursday", "Friday")]
    with pytest.raises(ValueError, match="same documents in the same order"):
        dedup(docs, threshold=0.7, reread=lambda: [OTHER, BASE, docs[2]])
    with pytest.raises(ValueError, match="gave 2 documents"):
        dedup(docs, threshold=0.7, reread=lambda: docs[:2])
    with pytest.raises(TypeError, match="reread"):
        dedup(docs, reread=docs)


def test_signing_in_the_background_changes_nothing():
    """With workers > 1 a chunk is signed while the next is read: same result as one worker,
    chunk after chunk, and an error in the input still names its record."""
    docs = list(news_corpus(600, seed=5, mean_words=120).texts)
    one = dedup(docs, workers=1, chunk_size=64)
    two = dedup(docs, workers=2, chunk_size=64)
    np.testing.assert_array_equal(one.labels, two.labels)
    np.testing.assert_array_equal(one.matched_with, two.matched_with)
    assert one.ids == two.ids and one.stats.candidates == two.stats.candidates
    bad = [{"id": str(i), "text": t} for i, t in enumerate(docs)] + [{"id": "3", "text": "again"}]
    with pytest.raises(ValueError, match="duplicate document id '3'"):
        dedup(bad, workers=2, chunk_size=64)

    def failing():
        yield from docs[:200]
        raise OSError("the feed broke")

    with pytest.raises(OSError, match="the feed broke"):
        dedup(failing(), workers=2, chunk_size=64)
