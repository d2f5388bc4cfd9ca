"""Corpus-wide passage reuse: the kernel on both backends against a naive oracle, the stages,
known answers (seeds, R textreuse's legal codes, planted reprints)."""
from __future__ import annotations

import datetime as dt
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import retold
from retold import _backend
from retold.article import Article
from retold.passage_reuse import NOISY_OCR
from retold.reuse_index import (
    bridge_spans,
    index_evidence,
    merge_pair_evidence,
    ngram_index,
    ngram_rows,
    pair_evidence,
)
from retold.synthetic_reprints import plant_reprints, reprint_corpus, score_reprints
from tests.conftest import shared_path


def _oracle(rows, max_df):
    """Per hash: the documents (first position each); pairs of lists of 2..max_df documents."""
    lists: dict[int, dict[int, int]] = {}
    for h, d, p in rows:
        lists.setdefault(h, {}).setdefault(d, p)
    pairs, rare, boilerplate = [], 0, 0
    for h in sorted(lists):
        docs = lists[h]
        if len(docs) > max_df:
            boilerplate += 1
        elif len(docs) >= 2:
            rare += 1
            pairs += [(a, b, docs[a], docs[b]) for a, b in combinations(sorted(docs), 2)]
    return pairs, rare, boilerplate


@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 9), st.integers(0, 30)), max_size=80),
       st.integers(2, 5))
def test_rare_ngram_pairs_matches_a_naive_oracle(impl, rows, max_df):
    rows = sorted(set(rows), key=lambda r: (r[1], r[2]))  # document order, positions ascending
    order = sorted(range(len(rows)), key=lambda i: rows[i][0])  # stable: documents stay in order
    h = np.array([rows[i][0] for i in order], dtype=np.uint64)
    d = np.array([rows[i][1] for i in order], dtype=np.int64)
    p = np.array([rows[i][2] for i in order], dtype=np.int64)
    left, right, lp, rp, rare, boilerplate = impl("reuse").rare_ngram_pairs(h, d, p, max_df)
    pairs, rare_o, boiler_o = _oracle(rows, max_df)
    assert list(zip(left.tolist(), right.tolist(), lp.tolist(), rp.tolist())) == pairs
    assert (rare, boilerplate) == (rare_o, boiler_o)


def test_both_backends_agree_and_fail_alike(compiled_or_skip):
    from retold._backend import reference_kernels

    rng = np.random.default_rng(7)
    h = np.sort(rng.integers(0, 50, 2000).astype(np.uint64), kind="stable")
    d = rng.integers(0, 300, 2000).astype(np.int64)
    order = np.lexsort((d, h))
    h, d = h[order], d[order]
    p = np.arange(2000, dtype=np.int64)
    for max_df in (2, 10, 1000):
        a = compiled_or_skip("reuse").rare_ngram_pairs(h, d, p, max_df)
        b = reference_kernels("reuse").rare_ngram_pairs(h, d, p, max_df)
        for x, y in zip(a, b):
            assert np.array_equal(x, y)
    for module in (compiled_or_skip("reuse"), reference_kernels("reuse")):
        with pytest.raises(ValueError, match="max_df must be at least 2"):
            module.rare_ngram_pairs(h, d, p, 1)
        with pytest.raises(ValueError, match="same length"):
            module.rare_ngram_pairs(h, d[:-1], p, 5)


@given(st.lists(st.integers(0, 2**64 - 1), max_size=60), st.lists(st.integers(0, 40), max_size=30))
def test_member_mask_matches_a_set(impl, members, small):
    values = np.array(members + small + [m for m in members[::2]], dtype=np.uint64)
    chosen = np.unique(np.array(members[1::2] + small[::3], dtype=np.uint64))
    mask = impl("reuse").member_mask(values, chosen)
    assert mask.dtype == np.uint8
    assert mask.tolist() == [int(v in set(chosen.tolist())) for v in values.tolist()]


def test_evidence_of_buckets_adds_up_to_the_whole():
    corpus = reprint_corpus(120, passages=8, noise=0.02, seed=4)
    rows = ngram_rows(corpus.texts, ngram=5)
    whole = pair_evidence(*rows, max_df=6)
    buckets = [rows[0] % np.uint64(3) == np.uint64(b) for b in range(3)]
    parts = [pair_evidence(*(r[m] for r in rows), max_df=6) for m in buckets]
    merged = merge_pair_evidence(parts)
    csr = index_evidence(*ngram_index(corpus.texts, ngram=5), max_df=6)
    for name in ("left", "right", "shared", "left_lo", "left_hi", "right_lo", "right_hi"):
        assert np.array_equal(getattr(whole, name), getattr(merged, name)), name
        assert np.array_equal(getattr(whole, name), getattr(csr, name)), name
    assert (whole.rare, whole.boilerplate) == (merged.rare, merged.boilerplate) == (csr.rare, csr.boilerplate)
    assert len(whole) > 0


def test_boilerplate_ngrams_are_dropped_and_counted():
    shared = "the committee said on tuesday that the new rules would take effect next month"
    frames = ["alpha beta gamma delta", "red green blue", "one two three four", "north south",
              "oak elm ash pine", "salt pepper"]
    docs = [f"{frame}. {shared}. {frame[::-1]}" for frame in frames]
    loose = retold.reused_passages(docs, max_df=10)
    assert len(loose) == 1 and loose.passages[0].count == 6
    assert all(o.text == shared for o in loose.passages[0].occurrences)
    strict = retold.reused_passages(docs, max_df=5)
    assert len(strict) == 0
    assert strict.stats.boilerplate_ngrams >= 10 and strict.stats.candidate_pairs == 0


def test_occurrences_are_exact_slices_first_by_date_with_spread():
    quote = "we will not stop until every family in the valley has clean water to drink, she said"
    docs = [
        Article(id="late", text=f"Other news first. {quote}. More.", date="2024-03-05", source="B"),
        Article(id="early", text=f"{quote}. Unrelated tail words here.", date="2024-03-01", source="A"),
        Article(id="undated", text=f"Intro words here. {quote}", source="C"),
    ]
    result = retold.reused_passages(docs)
    (passage,) = result.passages
    assert [o.id for o in passage.occurrences] == ["early", "late", "undated"]
    assert passage.first.id == "early" and passage.sources == ("A", "B", "C")
    assert passage.span_days == 4 and passage.documents == 3
    for o, article in zip(passage.occurrences, [docs[1], docs[0], docs[2]]):
        assert article.text[o.start:o.end] == o.text and quote.startswith(o.text[:40])
    records = list(result.iter_records())
    assert [r["first"] for r in records] == [True, False, False]
    assert records[0]["date"] == dt.datetime(2024, 3, 1)


def test_same_source_pairs_can_be_left_out():
    quote = "the river rose by four metres overnight and the old bridge was closed to all traffic"
    docs = [Article(id="a", text=f"{quote}. One.", source="Post"),
            Article(id="b", text=f"Two. {quote}.", source="Post"),
            Article(id="c", text=f"Three. {quote}.", source="Herald"),
            Article(id="d", text=f"Four. {quote}.")]
    both = retold.reused_passages(docs)
    assert [o.id for o in both.passages[0].occurrences] == ["a", "b", "c", "d"]
    across = retold.reused_passages(docs, same_source=False)
    assert across.stats.candidate_pairs == 5  # all pairs but (a, b)
    assert {o.id for o in across.passages[0].occurrences} == {"a", "b", "c", "d"}  # joined via c, d
    only_post = retold.reused_passages(docs[:2], same_source=False)
    assert len(only_post) == 0
    with pytest.raises(TypeError, match="same_source"):
        retold.reused_passages(docs, same_source="no")


def test_options_are_checked_naming_the_argument():
    for name, value in (("ngram", 0), ("max_df", 1), ("min_shared", 0), ("min_tokens", 0),
                        ("relative_overlap", 1.5), ("bridge_gap", -1), ("match_score", 0),
                        ("workers", 0)):
        with pytest.raises(ValueError, match=name):
            retold.reused_passages(["a b c"], **{name: value})
    with pytest.raises(TypeError, match="document 1"):
        retold.reused_passages(["text", 3])


def test_threads_give_the_same_passages():
    corpus = reprint_corpus(700, passages=20, noise=0.02, seed=5)
    one = retold.reused_passages(corpus.records())
    two = retold.reused_passages(corpus.records(), workers=2)
    assert one.passages == two.passages and len(one) == 20


@pytest.mark.parametrize("noise, options", [
    (0.0, {}), (0.02, {}), (0.05, {"ngram": 3, "min_shared": 3}), (0.0, NOISY_OCR), (0.05, NOISY_OCR),
    (0.08, NOISY_OCR), (0.1, NOISY_OCR),
])
def test_planted_reprints_are_recovered(noise, options):
    corpus = reprint_corpus(1000, passages=40, noise=noise, seed=11)
    score = score_reprints(retold.reused_passages(corpus.records(), **options).passages, corpus)
    assert score.precision >= 0.95 and score.recall >= 0.95, score


@pytest.mark.parametrize("noise", [0.08, 0.1])
def test_pieces_of_a_misread_printing_are_one_passage(noise):
    # At 8% misread letters, n=3 and min_shared=3 find every paragraph, but pieces of one
    # printing count as passages of their own (precision 0.89 over 3 corpora of 2,000
    # articles); bridging them, scoring equal words 3 and extending over misread words
    # (NOISY_OCR) gives 1.00.  At 10%, precision 0.73 -> 1.00 and recall 0.84 -> 0.99 (recall
    # 0.96-1.00 over seeds 10-19).
    corpus = reprint_corpus(2000, passages=100, noise=noise, seed=12)
    records = corpus.records()
    loose = score_reprints(retold.reused_passages(records, ngram=3, min_shared=3).passages, corpus)
    noisy = score_reprints(retold.reused_passages(records, **NOISY_OCR).passages, corpus)
    assert loose.precision < 0.95 <= noisy.precision, (loose, noisy)
    assert noisy.recall >= max(loose.recall, 0.95), (loose, noisy)
    bridged = score_reprints(retold.reused_passages(records, ngram=3, min_shared=3,
                                                    bridge_gap=32).passages, corpus)
    assert loose.found > bridged.found and bridged.precision > loose.precision


def test_bridging_changes_nothing_on_clean_reprints():
    clean = reprint_corpus(300, passages=10, noise=0.0, seed=3).records()
    assert (retold.reused_passages(clean, bridge_gap=32).passages
            == retold.reused_passages(clean).passages)


def test_bridge_spans_joins_fragments_in_order_on_one_diagonal():
    def row(a0, a1, b0, b1, matches):
        return [a0, a1, b0, b1, 0, matches, 0, 0]

    pieces = [row(40, 50, 42, 52, 6), row(0, 10, 0, 10, 6), row(18, 30, 19, 31, 5)]
    # in order of the first text; gaps 8/9 and 10/11 tokens, diagonals within BRIDGE_SHIFT
    assert bridge_spans(pieces, min_tokens=10, gap=16) == [(0, 50, 0, 52, 17)]
    assert bridge_spans(pieces, min_tokens=10, gap=9) == [(0, 30, 0, 31, 11)]  # 10 > 9: not joined
    assert bridge_spans(pieces, min_tokens=6, gap=0) == [(0, 10, 0, 10, 6), (40, 50, 42, 52, 6)]
    # a piece off the diagonal (gaps 8 and 30) or out of order in the second text stays apart
    assert bridge_spans([row(0, 10, 0, 10, 6), row(18, 30, 40, 52, 6)], min_tokens=6, gap=32) == [
        (0, 10, 0, 10, 6), (18, 30, 40, 52, 6)]
    assert bridge_spans([row(0, 10, 20, 30, 6), row(18, 30, 0, 12, 6)], min_tokens=12, gap=32) == []


def test_scorer_counts_misses_and_false_passages():
    corpus = reprint_corpus(200, passages=10, noise=0.0, seed=2)
    found = retold.reused_passages(corpus.records()).passages
    assert score_reprints(found, corpus).recall == 1.0
    half = score_reprints(found[:5], corpus)
    assert half.recall == 0.5 and half.precision == 1.0
    docs = corpus.records()
    other = retold.reused_passages([docs[0]["text"][:300]] * 3).passages  # not planted
    assert score_reprints(found + other, corpus).precision < 1.0


def test_paragraphs_planted_in_given_articles_are_known_answers():
    hosts = [f"Story {i} begins here. It goes on! Does it end? Yes." for i in range(20)]
    paragraphs = ["The council met on Monday and voted to close the old bridge for repairs.",
                  "Heavy rain is expected across the north of the country until Friday night."]
    clean = plant_reprints(hosts, paragraphs, noise=0.0, copies=(2, 4), seed=1)
    hosts_used = [d for ps in clean.planted for d, _, _ in ps]
    assert len(hosts_used) == len(set(hosts_used)) and all(2 <= len(ps) <= 4 for ps in clean.planted)
    for paragraph, printings in zip(paragraphs, clean.planted):
        for doc, start, end in printings:
            assert clean.texts[doc][start:end] == paragraph
            assert clean.texts[doc].replace(paragraph + " ", "") in (hosts[doc], hosts[doc] + " ")
    noisy = plant_reprints(hosts, paragraphs, noise=0.3, copies=(2, 4), seed=1)
    assert noisy.planted != clean.planted or noisy.texts != clean.texts
    assert plant_reprints(hosts, paragraphs, noise=0.3, copies=(2, 4), seed=1) == noisy
    with pytest.raises(ValueError, match="need at least"):
        plant_reprints(hosts[:3], paragraphs, noise=0.0)


# ---------------------------------------------------------------- real data


def test_seeds_share_the_spokesmans_quote(seeds):
    result = retold.reused_passages([Article(id=k, text=v) for k, v in seeds.items()])
    quoted = [p for p in result if "wait and see" in p.text]
    assert quoted, [p.text for p in result]
    ids = {o.id for o in quoted[0].occurrences}
    assert {"aa", "yonhap"} <= ids
    for o in quoted[0].occurrences:
        assert seeds[o.id][o.start:o.end] == o.text and "already knows" in o.text


def test_textreuse_legal_codes_share_one_long_passage():
    folder = shared_path("data", "textreuse", "legal")
    docs = [Article(id=p.stem, text=p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))]
    result = retold.reused_passages(docs)
    longest = max(result, key=lambda p: max(len(o.text) for o in p.occurrences))
    assert {o.id for o in longest.occurrences} == {"ca1851-match", "ny1850-match"}
    assert len(longest.text.split()) > 200
    assert all(len(o.text.split()) < 60 for p in result for o in p.occurrences
               if o.id == "ca1851-nomatch")


@pytest.mark.slow
@pytest.mark.parametrize("noise", [0.08, 0.1])
def test_paragraphs_misread_into_real_news_are_found(noise):
    # Real host articles and real paragraphs (retold.evaluation.planted_reprints): over
    # plantings 0-9, NOISY_OCR gives P / R 0.98 / 0.99 at 8% and 0.97 / 0.96 at 10%; one
    # planting ranges 0.92-1.00, so the mean of three is asserted.
    if _backend.BACKEND != "compiled":
        pytest.skip("three plantings on the pure-Python kernels take minutes; the compiled run checks this")
    from retold.evaluation.planted_reprints import real_hosts_and_paragraphs, touching_printings

    hosts, paragraphs = real_hosts_and_paragraphs(shared_path("data"))
    precision = recall = 0.0
    for seed in range(3):
        corpus = plant_reprints(hosts, paragraphs, noise=noise, seed=seed)
        found = touching_printings(retold.reused_passages(corpus.texts, **NOISY_OCR).passages, corpus)
        score = score_reprints(found, corpus)
        precision, recall = precision + score.precision / 3, recall + score.recall / 3
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
