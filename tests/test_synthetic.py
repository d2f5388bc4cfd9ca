"""The synthetic corpus generator: deterministic, with the proportions and similarities it promises."""
from __future__ import annotations

import json

import numpy as np
import pytest

import retold
from retold.synthetic import iter_news, news_corpus, pairs_at_jaccard, vocabulary, write_news_jsonl


def _word_ngrams(text: str, n: int = 5) -> set[tuple[str, ...]]:
    # Naive oracle: the generator writes ASCII words separated by spaces and punctuation.
    words = [w.strip(".,").lower() for w in text.split()]
    return {tuple(words[i : i + n]) for i in range(max(len(words) - n + 1, 1))}


@pytest.fixture(scope="module")
def corpus():
    return news_corpus(3_000, seed=11)


def test_same_seed_same_corpus(corpus):
    again = news_corpus(3_000, seed=11)
    assert again.texts == corpus.texts
    np.testing.assert_array_equal(again.copy_of, corpus.copy_of)
    np.testing.assert_array_equal(again.edit_rate, corpus.edit_rate)
    assert news_corpus(50, seed=12).texts != corpus.texts[:50]


def test_shorter_corpus_is_a_prefix(corpus):
    short = news_corpus(700, seed=11)  # crosses a chunk boundary
    assert short.texts == corpus.texts[:700]
    np.testing.assert_array_equal(short.copy_of, corpus.copy_of[:700])


def test_streaming_gives_the_same_documents(corpus):
    records = list(iter_news(1_000, seed=11))
    assert [r["text"] for r in records] == corpus.texts[:1_000]
    assert [r["id"] for r in records[:2]] == ["n0000000", "n0000001"]
    for r, source in zip(records, corpus.copy_of[:1_000].tolist()):
        assert r["copy_of"] == (f"n{source:07d}" if source >= 0 else None)
    dates = [r["date"] for r in records]
    assert dates == sorted(dates)


def test_proportions_and_lengths(corpus):
    copies = corpus.copy_of >= 0
    assert abs(copies.mean() - 0.2) < 0.03
    assert np.all(corpus.copy_of[copies] < np.nonzero(copies)[0])
    assert np.all(corpus.copy_of[corpus.copy_of[copies]] == -1), "copies point at originals"
    assert set(np.unique(corpus.edit_rate[copies])) == {0.01, 0.05, 0.1, 0.2}
    assert np.all(corpus.edit_rate[~copies] == 0)
    lengths = np.array([len(t.split()) for t in corpus.texts])
    assert 270 < lengths[~copies].mean() < 330
    assert lengths.std() > 50


def test_texts_look_like_news(corpus):
    text = "".join(corpus.texts[:200])
    assert text.isascii()
    assert ". " in text and ", " in text and "\n\n" in text
    tokens = text.split()
    assert any(t[:1].isdigit() for t in tokens)
    capitalised_inside = [b for a, b in zip(tokens, tokens[1:]) if not a.endswith(".") and b[:1].isupper()]
    assert len(capitalised_inside) > 100, "names appear mid-sentence"
    for doc in corpus.texts[:50]:
        assert doc[:1].isupper() and doc.endswith(".")


def test_vocabulary_is_zipfian_and_distinct():
    vocab = vocabulary(50_000, 0)
    assert len(set(w.lower() for w in vocab.words)) == 50_000
    ranks = vocab.sample(np.random.default_rng(0), 200_000)
    counts = np.bincount(ranks, minlength=1000)
    # p(r) ~ 1/(r + 3.2): rank 0 about 10x rank 30 and 100x rank 330.
    assert 6 < counts[0] / counts[30] < 14
    assert 50 < counts[:3].sum() / counts[330:333].sum() < 200


def test_shingles_are_the_word_ngrams(corpus):
    for text in corpus.texts[:20]:
        assert len(retold.shingles(text)) == len(_word_ngrams(text))


def test_higher_edit_rates_give_lower_jaccard():
    corpus = news_corpus(4_000, seed=5, trim_rate=0.0)
    means = []
    for rate in (0.01, 0.05, 0.1, 0.2):
        copies = np.nonzero(corpus.edit_rate == rate)[0][:60]
        assert len(copies) >= 30
        means.append(
            np.mean(
                [
                    retold.jaccard(
                        retold.shingles(corpus.texts[i]), retold.shingles(corpus.texts[corpus.copy_of[i]])
                    )
                    for i in copies
                ]
            )
        )
    assert means == sorted(means, reverse=True)
    # Each edit touches about ngram shingles on both sides: J ~ (1 - r)^5 / (2 - (1 - r)^5).
    for rate, mean in zip((0.01, 0.05, 0.1, 0.2), means):
        s = (1 - rate) ** 5
        assert abs(mean - s / (2 - s)) < 0.08


def test_trimmed_copies_are_contained_in_their_original():
    corpus = news_corpus(2_000, seed=6, trim_rate=1.0, edit_rates=(0.0,))
    copies = np.nonzero(corpus.copy_of >= 0)[0][:20]
    assert np.all(corpus.trimmed[copies] >= 0.05)
    for i in copies:
        copy, original = corpus.texts[i], corpus.texts[corpus.copy_of[i]]
        assert retold.containment(retold.shingles(copy), retold.shingles(original)) == 1.0
        assert retold.jaccard(retold.shingles(copy), retold.shingles(original)) < 0.96


def test_pairs_hit_their_targets():
    targets = np.linspace(0.0, 1.0, 21)
    pairs = pairs_at_jaccard(targets, seed=2)
    assert len(pairs) == 21
    for target, (a, b, exact) in zip(targets, pairs):
        assert exact == retold.jaccard(retold.shingles(a), retold.shingles(b))
        assert abs(exact - target) <= 0.05, (target, exact)
    assert pairs_at_jaccard([0.5], seed=2, words=120)[0][2] == pytest.approx(0.5, abs=0.05)
    assert [p[:2] for p in pairs_at_jaccard([0.3, 0.7], seed=9)] == [
        p[:2] for p in pairs_at_jaccard([0.3, 0.7], seed=9)
    ]


def test_jsonl_writer_streams_records(tmp_path):
    path = tmp_path / "news.jsonl"
    assert write_news_jsonl(path, 100, seed=4) == 100
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["text"] for r in records] == news_corpus(100, seed=4).texts
    assert {"id", "text", "date", "copy_of", "edit_rate"} <= set(records[0])


@pytest.mark.parametrize(
    "options",
    [
        {"n_docs": -1},
        {"n_docs": 10, "duplicate_rate": 1.5},
        {"n_docs": 10, "edit_rates": ()},
        {"n_docs": 10, "mean_words": 1},
    ],
)
def test_bad_options_are_refused(options):
    with pytest.raises(ValueError):
        news_corpus(**options)
    with pytest.raises(ValueError):
        pairs_at_jaccard([1.5])


def test_empty_corpus():
    corpus = news_corpus(0)
    assert len(corpus) == 0 and corpus.copy_of.shape == (0,)


def test_story_corpus_has_stories_told_by_several_outlets():
    from retold.synthetic import story_corpus

    corpus = story_corpus(2_000, seed=5)
    again = story_corpus(2_000, seed=5)
    assert len(corpus) == 2_000 and corpus.texts == again.texts and corpus.titles == again.titles
    np.testing.assert_array_equal(corpus.story, again.story)
    assert corpus.dates == sorted(corpus.dates)
    sizes = np.bincount(corpus.story)
    assert sizes[sizes > 0].mean() > 2.5  # several rewrites per event...
    for s in np.flatnonzero(sizes > 1)[:50]:  # ...each by a different outlet, in other words
        members = np.flatnonzero(corpus.story == s)
        assert len(set(corpus.outlet[members].tolist())) == len(members)
        assert len({corpus.texts[i] for i in members}) == len(members)
    per_topic = [len(np.unique(corpus.story[corpus.topic == t])) for t in np.unique(corpus.topic)]
    assert np.mean(per_topic) > 10  # many events to a topic: hard negatives
    arts = corpus.articles(dated=False)
    assert arts[0].date is None and arts[0].title == corpus.titles[0]
    with pytest.raises(ValueError, match="n_docs"):
        story_corpus(-1)
