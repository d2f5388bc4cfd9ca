"""Compiled alignment, LSH, story-feature and similarity kernels against their twins: every output equal."""
from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from retold import _backend

from ..strategies import adversarial_text, sparse_rows
from .budget import FUZZ
from .compare import same_outcome

# Few distinct ids, so that sequences share runs and seeds; -1 matches nothing.
ids = st.lists(st.integers(-1, 5), max_size=60).map(lambda v: np.array(v, dtype=np.int64))
scores = st.tuples(st.integers(1, 4), st.integers(-3, 0), st.integers(-3, 0))


def _passages(spans_at: int, ops_at: int):
    """The rows of spans and the ops that an alignment kernel reports as written."""
    return lambda result, args: (args[spans_at][:result[0]], args[ops_at][:result[1]])


@given(ids, ids, scores, st.integers(1, 6), st.integers(0, 6))
@FUZZ
def test_align_full(a, b, score, min_matches, capacity):
    same_outcome("align", "align_full", lambda: (
        a, b, *score, min_matches, np.zeros((capacity, 8), np.int64), np.zeros(len(a) + len(b), np.int8)),
        written=_passages(6, 7))


@given(ids, ids, st.integers(1, 4), st.integers(1, 5), st.integers(0, 20), st.integers(0, 8), scores,
       st.integers(1, 6), st.integers(0, 6))
@FUZZ
def test_align_seeded(a, b, ngram, max_occurrences, max_gap, band, score, min_matches, capacity):
    same_outcome("align", "align_seeded", lambda: (
        a, b, ngram, max_occurrences, max_gap, band, *score, min_matches, np.zeros((capacity, 8), np.int64),
        np.zeros(len(a) + len(b), np.int8)), written=_passages(10, 11))


@given(ids, ids, st.tuples(st.integers(0, 4), st.integers(-3, 0), st.integers(-3, 0)))
@FUZZ
def test_align_global(a, b, score):
    same_outcome("align", "align_global", lambda: (a, b, *score, np.zeros(len(a) + len(b), np.int8)),
                 written=lambda result, args: args[5][:result[1]])


@given(ids, ids, st.integers(1, 4), st.integers(1, 5), st.integers(0, 20), scores)
@FUZZ
def test_seeds_and_chains(a, b, ngram, max_occurrences, max_gap, score):
    outcome = same_outcome("align", "find_seeds", lambda: (a, b, ngram, max_occurrences))
    si, sj = outcome[1]
    same_outcome("align", "chain_seeds", lambda: (si, sj, ngram, max_gap, *score))


_FEATURE_DEFAULTS = dict(lead_tokens=40, title_boost=1.5, lead_boost=1.5, name_boost=2.0, number_boost=1.5,
                         quote_boost=1.2, stem_length=4, stem_weight=1.0, translit=True, skeleton_weight=0.5,
                         uncased_skeleton_weight=1.0, short_weight=0.3)


@given(st.lists(st.tuples(adversarial_text(6), adversarial_text(2)), max_size=4),
       st.integers(1, 32), st.integers(0, 50), st.integers(0, 9), st.booleans())
@FUZZ
def test_story_features(docs, n_bits, lead_tokens, stem_length, translit):
    texts = [d[0] for d in docs]
    titles = [d[1] for d in docs]
    p = dict(_FEATURE_DEFAULTS, lead_tokens=lead_tokens, stem_length=stem_length, translit=translit)
    same_outcome("stories", "text_features", lambda: (texts, titles, n_bits, *p.values()))


@given(adversarial_text())
@FUZZ
def test_story_word_hashes(text):
    starts, ends, hashes, _ = _backend.reference_kernels("text").tokenize(text)
    same_outcome("stories", "word_hashes", lambda: (text, starts, ends, hashes))


@given(st.one_of(sparse_rows(), sparse_rows(wide=True), sparse_rows(max_rows=20, n_features=30)),
       st.integers(1, 5), st.integers(1, 7), st.integers(1, 7), st.data())
@FUZZ
def test_story_similarities(rows, k, index_terms, query_terms, data):
    offsets, indices, values = rows
    same_outcome("neighbours", "nearest_neighbours", lambda: (offsets, indices, values, k, index_terms, query_terms))
    n = len(offsets) - 1
    if n:
        pairs = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=10))
        left = np.array([p[0] for p in pairs], dtype=np.int64)
        right = np.array([p[1] for p in pairs], dtype=np.int64)
        same_outcome("neighbours", "row_cosines", lambda: (offsets, indices, values, left, right))


@given(st.integers(0, 12), st.integers(1, 4), st.integers(1, 4), st.integers(0, 3), st.integers(1, 4), st.data())
@FUZZ
def test_lsh_kernels(n_docs, bands, rows, spare, cap, data):
    width = bands * rows + spare
    # Few distinct slot values, so bands collide and buckets form.
    sigs = np.array(data.draw(st.lists(st.lists(st.integers(0, 2), min_size=width, max_size=width),
                                       min_size=n_docs, max_size=n_docs)), dtype=np.uint64).reshape(n_docs, width)
    outcome = same_outcome("lsh", "band_keys", lambda: (sigs, bands, rows, np.zeros((bands, n_docs), np.uint64)))
    keys = np.zeros((bands, n_docs), np.uint64)
    _backend.reference_kernels("lsh").band_keys(sigs, bands, rows, keys)
    assert outcome[0] == "returned"
    for band in keys:
        order = np.argsort(band, kind="stable").astype(np.int64)
        sorted_keys = np.ascontiguousarray(band[order])
        count = same_outcome("lsh", "count_bucket_pairs", lambda: (sorted_keys, cap))[1][0]
        room = data.draw(st.sampled_from([count, max(count - 1, 0), count + 3]))
        same_outcome("lsh", "fill_bucket_pairs", lambda: (sorted_keys, order, cap, np.zeros(room, np.uint64)),
                     outputs=(3,))
    sets = [np.array(sorted(data.draw(st.sets(st.integers(0, 9), max_size=6))), dtype=np.uint64)
            for _ in range(n_docs)]
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in sets])]).astype(np.int64)
    values = np.concatenate(sets + [np.zeros(0, np.uint64)]).astype(np.uint64)
    if n_docs:
        edges = data.draw(st.lists(st.tuples(st.integers(0, n_docs - 1), st.integers(0, n_docs - 1)), max_size=12))
    else:
        edges = []
    left = np.array([e[0] for e in edges], dtype=np.int64)
    right = np.array([e[1] for e in edges], dtype=np.int64)
    for containment in (False, True):
        same_outcome("lsh", "verify_pairs", lambda: (offsets, values, left, right, containment,
                                                     np.zeros(len(left), np.float64)), outputs=(5,))
    same_outcome("lsh", "union_find", lambda: (left, right, np.zeros(n_docs, np.int64)), outputs=(2,))
