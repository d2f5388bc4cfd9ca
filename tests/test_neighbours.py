"""The sparse k-nearest-rows kernel (``ext/neighbours.pyx`` and its twin), on both backends.

The twin states the rules; here they are checked against a brute-force oracle (every pair's
exact dot product, kept in this file), against each other bit for bit, on answers worked out by
hand, and on every kind of wrong argument, which must be refused alike by both backends.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retold import _backend
from retold._validate import MAX_NEIGHBOURS

from .conftest import refusal_tests
from .strategies import sparse_rows


def nn(impl, offsets, indices, values, k, index_terms=8, query_terms=8):
    return impl("neighbours").nearest_neighbours(offsets, indices, values, k, index_terms, query_terms)


def brute_force(offsets, indices, values, k):
    """Every other row's dot product; the k largest positive ones, ties by smaller row."""
    n = len(offsets) - 1
    rows = [dict(zip(indices[offsets[i]:offsets[i + 1]].tolist(), values[offsets[i]:offsets[i + 1]].tolist()))
            for i in range(n)]
    ids = np.full((n, k), -1, dtype=np.int64)
    sims = np.zeros((n, k), dtype=np.float64)
    for i in range(n):
        scored = []
        for j in range(n):
            dot = sum(v * rows[j].get(f, 0.0) for f, v in rows[i].items())
            if j != i and dot > 0:
                scored.append((-dot, j))
        for slot, (neg, j) in enumerate(sorted(scored)[:k]):
            ids[i, slot], sims[i, slot] = j, -neg
    return ids, sims


def csr(rows):
    """CSR arrays of ``[{feature: value}, ...]`` (features sorted)."""
    offsets, indices, values = [0], [], []
    for row in rows:
        for f in sorted(row):
            indices.append(f)
            values.append(row[f])
        offsets.append(len(indices))
    return np.array(offsets, np.int64), np.array(indices, np.uint32), np.array(values, np.float64)


# -- against the oracle and each other -------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(data=sparse_rows(exact=True), k=st.integers(1, 6))
def test_exact_top_k_when_every_feature_is_indexed(impl, data, k):
    # With every feature of every row posted and queried, the candidates are all rows sharing
    # a feature: the result is the exact top k, which the brute force finds over all pairs.
    # Exact values make the oracle's sums bit-identical whatever order it adds them in.
    offsets, indices, values = data
    ids, sims = nn(impl, offsets, indices, values, k, 10, 10)
    want_ids, want_sims = brute_force(offsets, indices, values, k)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_array_equal(sims, want_sims)


@settings(max_examples=200, deadline=None)
@given(data=st.one_of(sparse_rows(), sparse_rows(wide=True), sparse_rows(max_rows=30, n_features=40)),
       k=st.integers(1, 5), index_terms=st.integers(1, 7), query_terms=st.integers(1, 7))
def test_compiled_equals_twin_bit_for_bit(compiled_or_skip, data, k, index_terms, query_terms):
    offsets, indices, values = data
    got = compiled_or_skip("neighbours").nearest_neighbours(offsets, indices, values, k, index_terms, query_terms)
    want = _backend.reference_kernels("neighbours").nearest_neighbours(
        offsets, indices, values, k, index_terms, query_terms)
    assert got[0].dtype == want[0].dtype == np.int64 and got[1].dtype == want[1].dtype == np.float64
    assert got[0].shape == want[0].shape == (len(offsets) - 1, k)
    np.testing.assert_array_equal(got[0], want[0])
    assert got[1].tobytes() == want[1].tobytes()


@settings(max_examples=100, deadline=None)
@given(data=sparse_rows(max_rows=15), k=st.integers(1, 4), terms=st.integers(1, 4))
def test_results_are_well_formed(impl, data, k, terms):
    offsets, indices, values = data
    ids, sims = nn(impl, offsets, indices, values, k, terms, terms)
    n = len(offsets) - 1
    for i in range(n):
        found = ids[i][ids[i] >= 0]
        # Filled slots first, no row twice, never the row itself, cosines positive and falling.
        assert (ids[i][len(found):] == -1).all() and (sims[i][len(found):] == 0).all()
        assert len(set(found.tolist())) == len(found) and i not in found and (found < n).all()
        assert (sims[i][:len(found)] > 0).all()
        order = list(zip((-sims[i][:len(found)]).tolist(), found.tolist()))
        assert order == sorted(order)
    # Deterministic: a second call gives the same bits.
    again = nn(impl, offsets, indices, values, k, terms, terms)
    assert np.array_equal(again[0], ids) and again[1].tobytes() == sims.tobytes()


# -- known answers ---------------------------------------------------------------------------


def test_small_answer_worked_by_hand(impl):
    # Unit rows: 0 = (f1 .6, f2 .8), 1 = (f1 .8, f2 .6), 2 = (f2 1), 3 = (f9 1).
    offsets, indices, values = csr([{1: 0.6, 2: 0.8}, {1: 0.8, 2: 0.6}, {2: 1.0}, {9: 1.0}])
    ids, sims = nn(impl, offsets, indices, values, 2)
    # 0.1: .48 + .48 = .96; 0.2: .8; 1.2: .6; row 3 shares nothing.
    np.testing.assert_array_equal(ids, [[1, 2], [0, 2], [0, 1], [-1, -1]])
    np.testing.assert_allclose(sims, [[0.96, 0.8], [0.96, 0.6], [0.8, 0.6], [0.0, 0.0]], rtol=0, atol=1e-15)


def test_ties_go_to_the_smaller_row(impl):
    offsets, indices, values = csr([{5: 1.0}] * 4)
    ids, sims = nn(impl, offsets, indices, values, 2)
    np.testing.assert_array_equal(ids, [[1, 2], [0, 2], [0, 1], [0, 1]])
    assert (sims == 1.0).all()


def test_candidates_come_only_from_the_strongest_features(impl):
    # Rows 0 and 1 share only feature 7, the weakest of each: with one indexed term per row
    # neither finds the other, with two both do.
    offsets, indices, values = csr([{1: 0.9, 7: 0.1}, {2: 0.9, 7: 0.1}])
    ids, _ = nn(impl, offsets, indices, values, 1, 1, 1)
    np.testing.assert_array_equal(ids, [[-1], [-1]])
    ids, sims = nn(impl, offsets, indices, values, 1, 2, 2)
    np.testing.assert_array_equal(ids, [[1], [0]])
    np.testing.assert_allclose(sims, [[0.01], [0.01]])


def test_strongest_feature_ties_go_to_the_smaller_feature(impl):
    # Row 0's two features weigh the same; with one term, feature 3 (not 8) is the one posted.
    offsets, indices, values = csr([{3: 0.5, 8: 0.5}, {3: 1.0}, {8: 1.0}])
    ids, _ = nn(impl, offsets, indices, values, 2, 1, 1)
    np.testing.assert_array_equal(ids, [[1, -1], [0, -1], [-1, -1]])


def test_only_positive_cosines_are_kept(impl):
    offsets, indices, values = csr([{1: 1.0}, {1: -1.0}, {1: 0.0}])
    ids, sims = nn(impl, offsets, indices, values, 2)
    np.testing.assert_array_equal(ids, [[-1, -1]] * 3)
    assert (sims == 0).all()


def test_wide_feature_ids_do_not_collide(impl):
    # Features 2**32 - 1 and 0 sit at both ends of the packed (feature, row) keys.
    top = (1 << 32) - 1
    offsets, indices, values = csr([{0: 1.0}, {top: 1.0}, {top: 1.0}, {0: 1.0}])
    ids, _ = nn(impl, offsets, indices, values, 2)
    np.testing.assert_array_equal(ids, [[3, -1], [2, -1], [1, -1], [0, -1]])


def test_empty_inputs(impl):
    ids, sims = nn(impl, np.zeros(1, np.int64), np.zeros(0, np.uint32), np.zeros(0), 3)
    assert ids.shape == sims.shape == (0, 3) and ids.dtype == np.int64 and sims.dtype == np.float64
    # Plain empty lists are fine too (numpy calls them float64: no values, nothing truncated).
    ids, sims = nn(impl, [0], [], [], 1)
    assert ids.shape == (0, 1)
    # Rows without features have no neighbours, and are no one's neighbour.
    ids, sims = nn(impl, [0, 0, 1, 1, 2], [4, 4], [1.0, 1.0], 3)
    np.testing.assert_array_equal(ids, [[-1, -1, -1], [3, -1, -1], [-1, -1, -1], [1, -1, -1]])
    ids, _ = nn(impl, [0, 1], [4], [1.0], 5)
    np.testing.assert_array_equal(ids, [[-1] * 5])


def test_array_forms_give_the_same_answer(impl):
    offsets, indices, values = csr([{1: 0.6, 2: 0.8}, {1: 0.8, 2: 0.6}, {2: 1.0}])
    want = nn(impl, offsets, indices, values, 2)
    strided = np.zeros(2 * len(values))
    strided[::2] = values
    readonly = values.copy()
    readonly.flags.writeable = False
    for form in (
        (offsets.tolist(), indices.tolist(), values.tolist()),
        (offsets.astype(np.int32), indices.astype(np.uint64), values.astype(np.longdouble)),
        (offsets, indices.astype(np.int64), strided[::2]),
        (offsets, indices, readonly),
    ):
        got = nn(impl, *form, 2)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])


def test_huge_term_counts_are_safe(impl):
    # Once n * index_terms overflowed the key buffer's size (a double free in the compiled kernel).
    offsets, indices, values = csr([{1: 1.0, 2: 1.0}, {1: 1.0}])
    ids, sims = nn(impl, offsets, indices, values, 1, MAX_NEIGHBOURS, MAX_NEIGHBOURS)
    np.testing.assert_array_equal(ids, [[1], [0]])


# -- arguments -------------------------------------------------------------------------------

GOOD = dict(offsets=np.array([0, 2, 3]), indices=np.array([1, 4, 1], np.uint32),
            values=np.array([0.6, 0.8, 1.0]), k=2, index_terms=4, query_terms=4)

BAD = {
    "offsets None": ({"offsets": None}, TypeError, "offsets must be a 1-D array"),
    "offsets 2-D": ({"offsets": np.array([[0, 2, 3]])}, ValueError, r"offsets must be 1-D, got .*\(1, 3\)"),
    "offsets float": ({"offsets": np.array([0.0, 2.0, 3.0])}, TypeError, "offsets must hold integers"),
    "offsets bool": ({"offsets": np.array([False, True, True])}, TypeError, "offsets must hold integers"),
    "offsets empty": ({"offsets": np.zeros(0, np.int64)}, ValueError, "offsets must hold at least one value"),
    "offsets not from 0": ({"offsets": np.array([1, 2, 3])}, ValueError, "offsets must start at 0"),
    "offsets decreasing": ({"offsets": np.array([0, 3, 2, 3])}, ValueError,
                           r"offsets must be non-decreasing: offsets\[2\] = 2 < offsets\[1\] = 3"),
    "offsets end short": ({"offsets": np.array([0, 2])}, ValueError, r"offsets\[-1\] = 2 but .* 3 entries"),
    "offsets end beyond": ({"offsets": np.array([0, 2, 5])}, ValueError, r"offsets\[-1\] = 5"),
    "offsets negative": ({"offsets": np.array([0, -1, 3])}, ValueError, "non-decreasing"),
    "indices ragged": ({"indices": [[1], [4, 1]]}, TypeError, "indices must be a 1-D array"),
    "indices float": ({"indices": np.array([1.0, 4.0, 1.0])}, TypeError, "indices must hold integers"),
    "indices negative": ({"indices": np.array([1, -4, 1])}, ValueError, r"indices\[1\] = -4 is outside"),
    "indices too big": ({"indices": np.array([1, 1 << 32, 1])}, ValueError, r"indices\[1\] = 4294967296"),
    "indices unsorted": ({"indices": np.array([4, 1, 1])}, ValueError,
                         r"indices of row 0 are not strictly increasing \(indices\[0\] = 4, indices\[1\] = 1\)"),
    "indices duplicate": ({"indices": np.array([4, 4, 1])}, ValueError, "row 0 are not strictly increasing"),
    "indices shorter": ({"indices": np.array([1, 4])}, ValueError, "indices and values differ in length: 2 and 3"),
    "values shorter": ({"values": np.array([0.6, 0.8])}, ValueError, "indices and values differ in length: 3 and 2"),
    "values NaN": ({"values": np.array([0.6, np.nan, 1.0])}, ValueError, r"values\[1\] = nan is not finite"),
    "values inf": ({"values": np.array([0.6, 0.8, -np.inf])}, ValueError, r"values\[2\] = -inf is not finite"),
    "values text": ({"values": np.array(["a", "b", "c"])}, TypeError, "values must hold real numbers"),
    "values complex": ({"values": np.ones(3, complex)}, TypeError, "values must hold real numbers"),
    "k zero": ({"k": 0}, ValueError, r"k must be in \[1, "),
    "k negative": ({"k": -3}, ValueError, r"k must be in \[1, .*got -3"),
    "k too big": ({"k": MAX_NEIGHBOURS + 1}, ValueError, "k must be in"),
    "k float": ({"k": 2.0}, TypeError, "k must be an int, not float"),
    "k bool": ({"k": True}, TypeError, "k must be an int, not bool"),
    "k None": ({"k": None}, TypeError, "k must be an int, not NoneType"),
    "index_terms zero": ({"index_terms": 0}, ValueError, "index_terms must be in"),
    "index_terms huge": ({"index_terms": 1 << 62}, ValueError, "index_terms must be in"),
    "query_terms negative": ({"query_terms": -1}, ValueError, "query_terms must be in"),
    "query_terms text": ({"query_terms": "4"}, TypeError, "query_terms must be an int, not str"),
}


test_bad_arguments_are_refused, test_both_backends_refuse_alike = refusal_tests("neighbours", "nearest_neighbours", GOOD, BAD)


def test_unsorted_rows_name_the_row(impl):
    # Row 0 ends where row 1 starts: a drop there is fine, a drop inside row 2 is not.
    with pytest.raises(ValueError, match="row 2 are not strictly increasing"):
        nn(impl, [0, 2, 3, 5], [5, 9, 1, 7, 3], [1.0] * 5, 1)
    # Empty rows in between: the boundary still counts.
    nn(impl, [0, 2, 2, 2, 3], [5, 9, 1], [1.0] * 3, 1)


# -- row_dots: one row against a list of rows (the monitor's story cosines) -------------------


@settings(max_examples=200, deadline=None)
@given(data=st.one_of(sparse_rows(), sparse_rows(wide=True)), pick=st.integers(0, 11))
def test_row_dots_are_row_cosines_bit_for_bit(impl, data, pick):
    # The monitor swapped StoryVectors.cosines (numpy) for row_dots: the same sums, in the
    # same order, so its verdicts cannot move by a bit.
    from retold.story_clustering import StoryVectors

    offsets, indices, values = data
    n = len(offsets) - 1
    if n == 0:
        return
    i = pick % n
    rows = [(indices[offsets[j]:offsets[j + 1]], values[offsets[j]:offsets[j + 1]]) for j in range(n)]
    got = impl("neighbours").row_dots(*rows[i], rows)
    want = impl("neighbours").row_cosines(offsets, indices, values, np.full(n, i), np.arange(n))
    assert got.dtype == np.float64 and got.shape == (n,)
    np.testing.assert_array_equal(got.view(np.int64), want.view(np.int64))
    vectors = StoryVectors(offsets, indices, values, 1 << 32)
    np.testing.assert_array_equal(got.view(np.int64), vectors.cosines(i, np.arange(n)).view(np.int64))


def test_row_dots_worked_by_hand_and_empty(impl):
    dots = impl("neighbours").row_dots
    row = (np.array([1, 3, 7], np.uint32), np.array([0.5, 2.0, 1.0]))
    others = [(np.array([3, 7], np.uint32), np.array([1.0, 4.0])), (np.array([], np.uint32), np.array([])),
              (np.array([0, 2], np.uint32), np.array([9.0, 9.0]))]
    np.testing.assert_array_equal(dots(*row, others), [6.0, 0.0, 0.0])
    assert dots(*row, []).shape == (0,)


@pytest.mark.parametrize("row, rows, error, words", [
    ((np.array([1], np.int64), np.array([1.0])), [], TypeError, "indices must be a 1-d uint32"),
    ((np.array([1], np.uint32), np.array([1], np.float32)), [], TypeError, "values must be a 1-d float64"),
    ((np.array([1, 2], np.uint32), np.array([1.0])), [], ValueError, "values: 1 values for 2 indices"),
    ((np.array([1], np.uint32), np.array([1.0])), [(np.array([1], np.uint32),)], ValueError,
     r"rows\[0\] must be a pair"),
    ((np.array([1], np.uint32), np.array([1.0])), [(np.array([1.0]), np.array([1.0]))], TypeError,
     r"rows\[0\] indices must be a 1-d uint32"),
    ((np.array([1], np.uint32), np.array([1.0])), [(np.array([1], np.uint32), np.array([1.0, 2.0]))],
     ValueError, r"rows\[0\] values: 2 values for 1 indices"),
])
def test_row_dots_refuse_bad_rows_by_name(impl, row, rows, error, words):
    with pytest.raises(error, match=words):
        impl("neighbours").row_dots(*row, rows)
