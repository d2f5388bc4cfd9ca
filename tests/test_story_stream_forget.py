"""StoryStream(forget=True): memory bounded by the window, the labels and merges of the default.

Every test runs on both backends (the ``impl`` fixture), and the backends are compared with
each other where the compiled kernels are built.  ``rebase_min`` is lowered so that short
streams rebase many times; the default (REBASE_MIN) is what the memory test runs with.
"""
from __future__ import annotations

import pickle
import re

import numpy as np
import pytest

from retold import _backend
from retold.story_clustering import StoryClusterer
from tests.test_stories import demo_articles, random_stream

REBASE_MIN = _backend.reference_kernels("story_stream").REBASE_MIN


def same_state(x, y):
    sx, sy = x._state(), y._state()
    assert sorted(sx) == sorted(sy)
    for key in sx:
        a, b = sx[key], sy[key]
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), key
        else:
            assert a == b and type(a) is type(b), key


def make(kernels, *, forget, lag=10, window=1.0, window_articles=40, rebase_min=16):
    df = np.zeros(1 << 12, dtype=np.int64)
    index = kernels("story_stream").StoryStream(df, 0, 0.08, 0.5, 30, 20, 24, lag, window, 3.0, 3.0, 2.0, True,
                                                window_articles, 256, 48, forget)
    if forget:
        index.rebase_min = rebase_min
    return index


def stream_of(seed, n, *, undated=False):
    stream = random_stream(seed, n)
    if undated:
        stream = stream[:3] + (np.full(n, np.nan),) + stream[4:]
    return stream


def batches(kernels, stream, *, forget, n_batches=9, pickle_at=None, rebase_min=16, **options):
    """The labels of each add call as it returned them, the index, and each call's index after it."""
    offsets, indices, weights, times, _ = stream
    n = len(times)
    scripts = (np.arange(n) % 3 - 1).astype(np.int32)
    index = make(kernels, forget=forget, rebase_min=rebase_min, **options)
    bounds = np.linspace(0, n, n_batches + 1).astype(int)
    out = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        if pickle_at is not None and a >= pickle_at:
            index = pickle.loads(pickle.dumps(index))
            if forget:
                index.rebase_min = rebase_min
            pickle_at = None
        labels = np.empty(b - a, dtype=np.int64)
        index.add(offsets[a:b + 1] - offsets[a], indices[offsets[a]:offsets[b]], weights[offsets[a]:offsets[b]],
                  times[a:b], scripts[a:b], labels)
        out.append(labels)
        yield labels, index
    index.flush()
    yield None, index


def held_agree(full, forgetting):
    """What the forgetting stream still holds is what the full one says; the counts agree."""
    assert forgetting.n_created == full.n_created and forgetting.n_stories == full.n_stories
    assert forgetting.n_folded == full.n_folded and forgetting.n_active == full.n_active
    assert forgetting.link_entries() == full.link_entries() and forgetting.posted_terms() == full.posted_terms()
    p_full, p_held = full.parents(), forgetting.parents()
    z_full, z_held = full.story_sizes(), forgetting.story_sizes()
    held = p_held >= 0
    assert np.array_equal(held, z_held >= 0)
    assert np.array_equal(p_full[held], p_held[held]) and np.array_equal(z_full[held], z_held[held])
    assert held.sum() == forgetting.n_held_ids
    return held


@pytest.mark.parametrize("undated", [False, True], ids=["dated", "undated"])
@pytest.mark.parametrize("lag", [0, 10, 60])
def test_forget_gives_the_labels_and_merges_of_the_full_stream(impl, undated, lag):
    stream = stream_of(11, 1500, undated=undated)
    seen: list[np.ndarray] = []
    rebased = False
    for (a, full), (b, forgetting) in zip(batches(impl, stream, forget=False, lag=lag),
                                          batches(impl, stream, forget=True, lag=lag)):
        if a is None:  # after the flush
            held_agree(full, forgetting)
            break
        assert np.array_equal(a, b)  # each call's labels, as it returned them
        seen.append(a)
        held = held_agree(full, forgetting)
        rebased = rebased or forgetting.base > 0
        # Every earlier label still held resolves as the full stream resolves it.
        earlier = np.concatenate(seen)
        keep = held[earlier]
        assert np.array_equal(forgetting.resolve(earlier[keep]), full.resolve(earlier[keep]))
    assert rebased and full.n_folded > 0
    assert forgetting.n_held_ids < full.n_held_ids == full.n_created


def follow(merges: dict[int, int], labels: np.ndarray) -> np.ndarray:
    out = []
    for s in labels.tolist():
        while s in merges:
            s = merges[s]
        out.append(s)
    return np.array(out, dtype=np.int64)


def test_the_folds_each_call_reports_resolve_every_label(impl):
    # What a caller keeps of each call (last_folds) follows every label it was given to the
    # story it is in at the end, forgotten ids included.
    stream = stream_of(18, 1500)
    merges: dict[int, int] = {}
    labels = []
    for (a, full), (b, forgetting) in zip(batches(impl, stream, forget=False, lag=30),
                                          batches(impl, stream, forget=True, lag=30)):
        gone, into = forgetting.last_folds()
        g_full, i_full = full.last_folds()
        assert np.array_equal(gone, g_full) and np.array_equal(into, i_full)
        assert np.all(into < gone) and len(set(gone.tolist()) & set(merges)) == 0
        merges.update(zip(gone.tolist(), into.tolist()))
        if a is not None:
            labels.append(a)
    labels_all = np.concatenate(labels)
    assert forgetting.base > 0 and len(merges) == forgetting.n_folded
    assert np.array_equal(follow(merges, labels_all), full.resolve(labels_all))


def test_forget_backends_agree(compiled_or_skip):
    for undated in (False, True):
        stream = stream_of(12, 1200, undated=undated)
        runs = [list(batches(k, stream, forget=True, lag=7))
                for k in (_backend.compiled_kernels, _backend.reference_kernels)]
        for (a, ia), (b, ib) in zip(*runs):
            assert (a is None and b is None) or np.array_equal(a, b)
        ia, ib = runs[0][-1][1], runs[1][-1][1]
        assert ia.base == ib.base > 0 and ia.n_held_ids == ib.n_held_ids
        assert np.array_equal(ia.parents(), ib.parents())
        assert np.array_equal(ia.story_sizes(), ib.story_sizes())
        same_state(ia, ib)


def test_forgotten_ids_are_refused_clearly(impl):
    stream = stream_of(13, 800)
    *_, (_, index) = batches(impl, stream, forget=True)
    assert index.base > 0
    parents, sizes = index.parents(), index.story_sizes()
    assert parents.shape == sizes.shape == (index.n_created,)
    gone = np.flatnonzero(parents < 0)
    assert gone.size and np.all(sizes[gone] == -1) and np.all(gone < index.base)
    with pytest.raises(ValueError, match=re.escape(f"story id {int(gone[0])} is forgotten")
                       + ".*forget=True keeps only"):
        index.resolve([index.n_created - 1, int(gone[0])])
    with pytest.raises(ValueError, match="label outside"):
        index.resolve([index.n_created])
    # The active stories below base are held still, and resolve.
    active = np.flatnonzero((parents >= 0) & (np.arange(len(parents)) < index.base))
    assert active.size and np.array_equal(index.resolve(active), parents[active])


@pytest.mark.parametrize("undated", [False, True], ids=["dated", "undated"])
def test_forget_resumes_from_a_pickle(impl, undated):
    stream = stream_of(14, 1200, undated=undated)
    whole = list(batches(impl, stream, forget=True, lag=12))
    resumed = list(batches(impl, stream, forget=True, lag=12, pickle_at=500))
    for (a, ia), (b, ib) in zip(whole, resumed):
        assert (a is None and b is None) or np.array_equal(a, b)
    ia, ib = whole[-1][1], resumed[-1][1]
    assert ib.forget and ib.base > 0 and ib.n_stories == ia.n_stories
    assert np.array_equal(ia.parents(), ib.parents()) and np.array_equal(ia.story_sizes(), ib.story_sizes())
    same_state(ia, ib)


def test_a_full_state_resumes_with_forget(impl):
    # A state written without forget (as before forget= existed) loads into a forget=True
    # stream, which goes on with the same labels and starts forgetting.
    stream = stream_of(15, 1000)
    offsets, indices, weights, times, _ = stream
    scripts = np.zeros(1000, dtype=np.int32)
    full = make(impl, forget=False)
    first = np.empty(400, dtype=np.int64)
    full.add(offsets[:401], indices[:offsets[400]], weights[:offsets[400]], times[:400], scripts[:400], first)
    cls, args, state = full.__reduce__()
    assert "forget" not in state and "base" not in state and args[-1] is False
    forgetting = cls(args[0].copy(), *args[1:-1], True)  # its own copy of the idf
    forgetting.rebase_min = 16
    forgetting.__setstate__(state)
    rest = [np.empty(600, dtype=np.int64) for _ in range(2)]
    for index, labels in zip((full, forgetting), rest):
        index.add(offsets[400:] - offsets[400], indices[offsets[400]:], weights[offsets[400]:], times[400:],
                  scripts[400:], labels)
    assert np.array_equal(rest[0], rest[1]) and forgetting.base > 0
    held_agree(full, forgetting)
    # ... but a held-form state is refused by a stream that keeps every id.
    with pytest.raises(ValueError, match="made with forget=False"):
        cls(args[0].copy(), *args[1:-1], False).__setstate__(forgetting.__reduce__()[2])


def _held_state(kernels):
    *_, (_, index) = batches(kernels, stream_of(16, 700), forget=True, lag=20)
    cls, args, state = index.__reduce__()
    assert state["forget"] is True and state["base"] > 0 and len(state["old_ids"]) and args[-1] is True
    assert len(state["parent"]) == state["next_seq"] - state["base"]
    return cls, args, state


def _forgotten_id(s):
    return min(set(range(s["base"])) - set(s["old_ids"].tolist()))


HELD_CORRUPTIONS = {
    "'forget' is not a bool": lambda s: {"forget": "yes"},
    "'base' without 'forget'": lambda s: {"forget": False},
    "'base' is not a count": lambda s: {"base": -1},
    "'n_folded' is not a count": lambda s: {"n_folded": 1.5},
    "no 'old_sizes'": lambda s: {"old_sizes": None},
    "'old_sizes' has": lambda s: {"old_sizes": s["old_sizes"][1:]},
    "'old_ids' out of range": lambda s: {"old_ids": s["old_ids"] + s["base"]},
    "'base' is past 'front'": lambda s: {"base": s["front"] + 1, "parent": s["parent"][s["front"] + 1 - s["base"]:],
                                         "sizes": s["sizes"][s["front"] + 1 - s["base"]:]},
    "'parent' holds": lambda s: {"parent": s["parent"][:-1], "sizes": s["sizes"][:-1]},
    "folded into a forgotten one": lambda s: {"parent": np.concatenate([[_forgotten_id(s)], s["parent"][1:]])},
    "'n_folded' disagrees": lambda s: {"n_folded": s["next_seq"] + 1},
    "story sizes add up to more": lambda s: {"old_sizes": s["old_sizes"] + s["next_seq"]},
}


@pytest.mark.parametrize("message", sorted(HELD_CORRUPTIONS))
def test_corrupt_held_state_is_refused(impl, message):
    cls, args, state = _held_state(impl)
    cls(*args).__setstate__(state)  # the state as made is accepted
    broken = {**state, **HELD_CORRUPTIONS[message](state)}
    broken = {k: v for k, v in broken.items() if v is not None}
    with pytest.raises(ValueError, match=re.escape(message)):
        cls(*args).__setstate__(broken)


def test_corrupt_held_state_messages_are_the_backends_same(compiled_or_skip):
    cls_c, args_c, state = _held_state(_backend.compiled_kernels)
    cls_p, args_p, _ = _held_state(_backend.reference_kernels)
    for message, corrupt in HELD_CORRUPTIONS.items():
        broken = {k: v for k, v in {**state, **corrupt(state)}.items() if v is not None}
        errors = []
        for cls, args in ((cls_c, args_c), (cls_p, args_p)):
            with pytest.raises(ValueError) as info:
                cls(*args).__setstate__(broken)
            errors.append(str(info.value))
        assert errors[0] == errors[1], message


def test_forget_memory_is_bounded_by_the_window(impl):
    # 50,000 undated articles, a window of 100: the ids held stay under a bound set by the
    # window and REBASE_MIN, where the full stream holds one per article.
    n, window = 50_000, 100
    rng = np.random.default_rng(17)
    topics = rng.integers(0, 40, n)
    rows = [np.unique(np.concatenate([rng.integers(0, 300, 3), 300 + t * 16 + rng.integers(0, 16, 3)]))
            for t in topics.tolist()]
    offsets = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    indices = np.concatenate(rows).astype(np.uint32)
    weights = np.ones(len(indices))
    index = make(impl, forget=True, lag=5, window_articles=window, rebase_min=REBASE_MIN)
    assert index.rebase_min == REBASE_MIN
    bound = max(REBASE_MIN, window + 1) + 2 * (window + 1) + 1
    most = 0
    for a in range(0, n, 2_500):
        b = a + 2_500
        labels = np.empty(b - a, dtype=np.int64)
        index.add(offsets[a:b + 1] - offsets[a], indices[offsets[a]:offsets[b]], weights[offsets[a]:offsets[b]],
                  np.full(b - a, np.nan), np.zeros(b - a, dtype=np.int32), labels)
        most = max(most, index.n_held_ids)
        assert index.n_held_ids <= bound, (b, index.n_held_ids, bound)
        assert int(np.sum(index.parents() >= 0)) == index.n_held_ids
    assert index.n_created == n and index.base >= n - bound and index.n_folded > 0
    assert most < n // 10


def test_clusterer_forget_gives_the_same_labels_and_pickles():
    demo = demo_articles()
    ordered = sorted(demo, key=lambda d: d["date"])
    full = StoryClusterer(horizon_days=0.5, lag=5)
    forgetting = StoryClusterer(horizon_days=0.5, lag=5, forget=True)
    forgetting_resumed = None
    merges: dict[int, int] = {}
    given = []
    for k, a in enumerate(range(0, len(ordered), 6)):
        chunk = ordered[a:a + 6]
        labels = full.partial_fit(chunk)
        assert np.array_equal(labels, forgetting.partial_fit(chunk))
        assert forgetting.last_merged == full.last_merged
        merges.update(forgetting.last_merged)
        given.append(labels)
        assert forgetting._index is not None
        forgetting._index.rebase_min = 4  # rebase often on a short stream
        if k == 3:
            forgetting_resumed = pickle.loads(pickle.dumps(forgetting))
        elif forgetting_resumed is not None:
            assert forgetting_resumed._index is not None
            forgetting_resumed._index.rebase_min = 4
            assert np.array_equal(labels, forgetting_resumed.partial_fit(chunk))
    assert forgetting_resumed is not None and forgetting_resumed.forget
    assert forgetting._index is not None and forgetting._index.base > 0
    for clusterer in (full, forgetting, forgetting_resumed):
        clusterer.flush()
    merges.update(forgetting.last_merged)
    given_all = np.concatenate(given)
    assert np.array_equal(follow(merges, given_all), full.resolve(given_all))
    with pytest.raises(ValueError, match="forgotten"):
        forgetting.resolve(given_all)
    assert forgetting.n_stories == full.n_stories == forgetting_resumed.n_stories
    held = forgetting.story_sizes() >= 0
    assert np.array_equal(forgetting.story_sizes()[held], full.story_sizes()[held])
    assert forgetting.merged.items() <= full.merged.items()
    assert len(forgetting.merged) < len(full.merged)
    with pytest.raises(TypeError, match="forget must be a bool"):
        StoryClusterer(forget="yes")


def test_clusterer_pickled_before_forget_loads():
    clusterer = StoryClusterer()
    clusterer.partial_fit(["Port Calvera fire", "Port Calvera fire spreads"])
    cls, args, state = clusterer.__reduce_ex__(2)[:3]
    old = {k: v for k, v in state.items() if k != "forget"}
    again = StoryClusterer.__new__(StoryClusterer)
    again.__setstate__(old)
    assert again.forget is False and again.n_articles == 2
    with pytest.raises(ValueError, match="forget disagrees"):
        StoryClusterer.__new__(StoryClusterer).__setstate__({**state, "forget": True})
