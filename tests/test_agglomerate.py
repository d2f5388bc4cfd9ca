"""Average-link agglomeration over a sparse graph (``ext/agglomerate.pyx`` and its twin).

Checked against a deliberately naive O(n^3) agglomeration kept in this file (recompute every
link of every pair of connected clusters, merge the best, repeat), against each other bit for
bit, on answers worked out by hand, and on wrong arguments, refused alike by both backends.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retold import _backend

from .conftest import refusal_tests
from .strategies import similarity_graphs


def average_link(impl, n, a, b, w, offset=None, threshold=0.5, penalty=0.0):
    offset = np.zeros(n) if offset is None else offset
    return impl("agglomerate").average_link(n, a, b, w, offset, threshold, penalty)


def naive_average_link(n, a, b, w, offset, threshold, penalty):
    """Greedy best-link merges, every link recomputed from the edges at every step."""
    members = {i: [i] for i in range(n)}
    label = list(range(n))
    edges = [(x, y, v) for x, y, v in zip(a.tolist(), b.tolist(), w.tolist()) if x != y]
    while True:
        totals: dict[tuple[int, int], float] = {}
        for x, y, v in edges:
            p, q = sorted((label[x], label[y]))
            if p != q:
                totals[p, q] = totals.get((p, q), 0.0) + v
        best = None
        for (p, q), total in totals.items():
            sp, sq = len(members[p]), len(members[q])
            rp, rq = sum(offset[members[p]]), sum(offset[members[q]])
            # The twin's formula, evaluated the same way (its sums are exact on these inputs).
            link = total / (sp * sq) - penalty * (rp / sp + rq / sq) / 2.0
            if best is None or (-link, p, q) < best:
                best = (-link, p, q)
        if best is None or -best[0] < threshold:
            return np.array(label, dtype=np.int64)
        _, p, q = best
        members[p] += members.pop(q)
        for i in members[p]:
            label[i] = p


thresholds = st.sampled_from((-math.inf, -0.5, 0.0, 0.25, 0.5, 1.0, 2.0, math.inf)) | st.floats(-1, 2)


@settings(max_examples=300, deadline=None)
@given(graph=similarity_graphs(exact=True), threshold=thresholds,
       penalty=st.sampled_from((0.0, 0.5, 1.0, 0.3)))
def test_equals_naive_greedy_agglomeration(impl, graph, threshold, penalty):
    n, a, b, w, offset = graph
    got = impl("agglomerate").average_link(n, a, b, w, offset, threshold, penalty)
    np.testing.assert_array_equal(got, naive_average_link(n, a, b, w, offset, threshold, penalty))


@settings(max_examples=300, deadline=None)
@given(graph=similarity_graphs() | similarity_graphs(max_items=40, max_edges=120),
       threshold=thresholds, penalty=st.floats(0, 2))
def test_compiled_equals_twin(compiled_or_skip, graph, threshold, penalty):
    n, a, b, w, offset = graph
    got = compiled_or_skip("agglomerate").average_link(n, a, b, w, offset, threshold, penalty)
    want = _backend.reference_kernels("agglomerate").average_link(n, a, b, w, offset, threshold, penalty)
    assert got.dtype == want.dtype == np.int64
    np.testing.assert_array_equal(got, want)


@settings(max_examples=150, deadline=None)
@given(graph=similarity_graphs(), threshold=thresholds, penalty=st.floats(0, 1))
def test_labels_are_smallest_members_of_connected_sets(impl, graph, threshold, penalty):
    n, a, b, w, offset = graph
    labels = impl("agglomerate").average_link(n, a, b, w, offset, threshold, penalty)
    assert labels.shape == (n,)
    for i in range(n):
        assert labels[i] <= i and labels[labels[i]] == labels[i]
    # A cluster never spans two connected components of the graph.
    component = naive_average_link(n, a, b, w, np.zeros(n), -math.inf, 0.0)
    for c in np.unique(labels):
        assert len(np.unique(component[labels == c])) == 1
    # Deterministic.
    np.testing.assert_array_equal(impl("agglomerate").average_link(n, a, b, w, offset, threshold, penalty), labels)


@settings(max_examples=100, deadline=None)
@given(graph=similarity_graphs(exact=True), threshold=thresholds, data=st.data())
def test_edge_order_and_direction_do_not_matter(impl, graph, threshold, data):
    # Exact weights: any order of adding them up gives the same sums, so the same merges.
    n, a, b, w, offset = graph
    perm = np.array(data.draw(st.permutations(range(len(a)))), dtype=np.int64)
    flip = np.array(data.draw(st.lists(st.booleans(), min_size=len(a), max_size=len(a))), dtype=bool)
    a2, b2 = np.where(flip, b, a)[perm], np.where(flip, a, b)[perm]
    first = impl("agglomerate").average_link(n, a, b, w, offset, threshold, 0.5)
    np.testing.assert_array_equal(impl("agglomerate").average_link(n, a2, b2, w[perm], offset, threshold, 0.5), first)


# -- known answers ---------------------------------------------------------------------------


def test_chain_worked_by_hand(impl):
    # 0-1 at 0.9 merge first; then link({0, 1}, 2) = (0 + 0.8) / (2 * 1) = 0.4.
    a, b, w = np.array([0, 1]), np.array([1, 2]), np.array([0.9, 0.8])
    np.testing.assert_array_equal(average_link(impl, 3, a, b, w, threshold=0.5), [0, 0, 2])
    np.testing.assert_array_equal(average_link(impl, 3, a, b, w, threshold=0.4), [0, 0, 0])
    np.testing.assert_array_equal(average_link(impl, 3, a, b, w, threshold=0.95), [0, 1, 2])


def test_average_not_single_or_complete_link(impl):
    # {0, 1} (1.0) and {2, 3} (1.0), joined by 0-2 at 0.8 and 1-3 at 0.4: average
    # (0.8 + 0.4 + 0 + 0) / 4 = 0.3; single link would say 0.8, complete link 0.
    a, b, w = np.array([0, 2, 0, 1]), np.array([1, 3, 2, 3]), np.array([1.0, 1.0, 0.8, 0.4])
    np.testing.assert_array_equal(average_link(impl, 4, a, b, w, threshold=0.3), [0, 0, 0, 0])
    np.testing.assert_array_equal(average_link(impl, 4, a, b, w, threshold=0.31), [0, 0, 2, 2])


def test_density_penalty_worked_by_hand(impl):
    # link(0, 1) = 0.9 - 1.0 * (0.6 + 0.2) / 2 = 0.5; link(1, 2) = 0.7 - (0.2 + 0.0) / 2 = 0.6.
    a, b, w = np.array([0, 1]), np.array([1, 2]), np.array([0.9, 0.7])
    offset = np.array([0.6, 0.2, 0.0])
    np.testing.assert_array_equal(average_link(impl, 3, a, b, w, offset, 0.55, 1.0), [0, 1, 1])
    # Without the penalty 0-1 is the stronger pair and merges first.
    np.testing.assert_array_equal(average_link(impl, 3, a, b, w, offset, 0.55, 0.0), [0, 0, 2])


def test_ties_go_to_the_smaller_pair(impl):
    # Links 0-1 and 1-2 tie at 1.0: (0, 1) merges first, then {0, 1}-2 is 0.5 < 0.75.
    np.testing.assert_array_equal(average_link(impl, 3, [0, 1], [1, 2], [1.0, 1.0], threshold=0.75), [0, 0, 2])
    np.testing.assert_array_equal(average_link(impl, 3, [2, 1], [1, 0], [1.0, 1.0], threshold=0.75), [0, 0, 2])
    # The same with the items renamed the other way round: again the smaller pair wins.
    np.testing.assert_array_equal(average_link(impl, 3, [0, 0], [1, 2], [1.0, 1.0], threshold=0.75), [0, 0, 2])


def test_duplicate_edges_add_up_and_self_loops_are_ignored(impl):
    np.testing.assert_array_equal(average_link(impl, 2, [0, 1], [1, 0], [0.3, 0.3], threshold=0.5), [0, 0])
    np.testing.assert_array_equal(average_link(impl, 2, [0, 1, 0], [0, 1, 0], [5.0, 5.0, 5.0]), [0, 1])


def test_a_zero_weight_edge_is_still_a_candidate(impl):
    # With a threshold at or below 0 a zero edge merges; an absent edge never does.
    np.testing.assert_array_equal(average_link(impl, 3, [0], [1], [0.0], threshold=0.0), [0, 0, 2])
    np.testing.assert_array_equal(average_link(impl, 3, [0], [1], [0.0], threshold=-math.inf), [0, 0, 2])


def test_infinite_thresholds(impl):
    a, b, w = np.array([0, 2]), np.array([1, 3]), np.array([-0.5, 2.0])
    np.testing.assert_array_equal(average_link(impl, 5, a, b, w, threshold=math.inf), [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(average_link(impl, 5, a, b, w, threshold=-math.inf), [0, 0, 2, 2, 4])


def test_empty_inputs(impl):
    labels = average_link(impl, 0, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    assert labels.shape == (0,) and labels.dtype == np.int64
    assert average_link(impl, 0, [], [], [], []).shape == (0,)
    np.testing.assert_array_equal(average_link(impl, 4, [], [], []), [0, 1, 2, 3])


def test_long_chain_labels(impl):
    # Every item merges into 0 (path compression keeps the labelling linear).
    n = 2_000 if impl("agglomerate").__name__.startswith("retold._ext") else 300
    a = np.arange(n - 1)
    np.testing.assert_array_equal(average_link(impl, n, a, a + 1, np.ones(n - 1), threshold=0.0), np.zeros(n))


# -- arguments -------------------------------------------------------------------------------

GOOD = dict(n=3, a=np.array([0, 1]), b=np.array([1, 2]), w=np.array([0.9, 0.8]), offset=np.zeros(3),
            threshold=0.5, penalty=0.5)

BAD = {
    "n negative": ({"n": -1}, ValueError, r"n must be in \[0, "),
    "n float": ({"n": 3.0}, TypeError, "n must be an int, not float"),
    "n bool": ({"n": True}, TypeError, "n must be an int, not bool"),
    "n None": ({"n": None}, TypeError, "n must be an int, not NoneType"),
    "n too small for ids": ({"n": 2, "offset": np.zeros(2)}, ValueError,
                            r"b\[1\] = 2 is not an item: items are 0..n-1 \(n = 2\)"),
    "n 0 with edges": ({"n": 0, "offset": []}, ValueError, r"a\[0\] = 0 is not an item.*\(n = 0\)"),
    "a float": ({"a": np.array([0.0, 1.7])}, TypeError, "a must hold integers, not float64"),
    "a 2-D": ({"a": np.array([[0, 1]])}, ValueError, r"a must be 1-D, got .*\(1, 2\)"),
    "a scalar": ({"a": 0}, TypeError, "a must be a 1-D array, not int"),
    "a negative": ({"a": np.array([0, -1])}, ValueError, r"a\[1\] = -1 is not an item"),
    "a too big": ({"a": np.array([3, 1])}, ValueError, r"a\[0\] = 3 is not an item"),
    "a uint64 huge": ({"a": np.array([1 << 63, 1], np.uint64)}, ValueError, r"a\[0\] = 9223372036854775808 is outside"),
    "b bool": ({"b": np.array([True, False])}, TypeError, "b must hold integers, not bool"),
    "b longer": ({"b": np.array([1, 2, 2])}, ValueError, "a, b and w differ in length: 2, 3 and 2"),
    "w shorter": ({"w": np.array([0.9])}, ValueError, "a, b and w differ in length: 2, 2 and 1"),
    "w NaN": ({"w": np.array([np.nan, 0.8])}, ValueError, r"w\[0\] = nan is not finite"),
    "w inf": ({"w": np.array([0.9, np.inf])}, ValueError, r"w\[1\] = inf is not finite"),
    "w text": ({"w": ["x", "y"]}, TypeError, "w must hold real numbers"),
    "offset short": ({"offset": np.zeros(2)}, ValueError, "offset has 2 values for 3 items"),
    "offset NaN": ({"offset": np.array([0.0, np.nan, 0.0])}, ValueError, r"offset\[1\] = nan is not finite"),
    "offset 2-D": ({"offset": np.zeros((3, 1))}, ValueError, "offset must be 1-D"),
    "threshold NaN": ({"threshold": math.nan}, ValueError, "threshold must be a number, got nan"),
    "threshold text": ({"threshold": "0.5"}, TypeError, "threshold must be a number, not str"),
    "threshold None": ({"threshold": None}, TypeError, "threshold must be a number, not NoneType"),
    "penalty NaN": ({"penalty": math.nan}, ValueError, "penalty must be finite, got nan"),
    "penalty inf": ({"penalty": math.inf}, ValueError, "penalty must be finite, got inf"),
    "penalty bool": ({"penalty": False}, TypeError, "penalty must be a number, not bool"),
}


test_bad_arguments_are_refused, test_both_backends_refuse_alike = refusal_tests("agglomerate", "average_link", GOOD, BAD)


def test_accepted_array_forms(impl):
    want = average_link(impl, 3, np.array([0, 1]), np.array([1, 2]), np.array([0.9, 0.8]), threshold=0.4)
    for a, b, w in (([0, 1], [1, 2], [0.9, 0.8]),
                    (np.array([0, 1], np.int32), np.array([1, 2], np.uint8), np.array([0.9, 0.8], np.float32)),
                    (np.array([0, 9, 1])[::2], np.array([1, 9, 2])[::2], np.array([0.9, 0, 0.8])[::2])):
        np.testing.assert_array_equal(average_link(impl, np.int64(3), a, b, w, threshold=0.4), want)
