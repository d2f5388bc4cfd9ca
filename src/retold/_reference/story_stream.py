"""Pure-Python twin of ``ext/story_stream.pyx``: streaming average-link story clustering.

This module is the specification the compiled kernel follows operation for operation (every
weight is an IEEE double computed in the same order), so both give identical labels.

The batch clustering (:func:`retold.stories`) merges stories greedily while the *average link*

    link(A, B) = W(A, B) / (|A| |B|)  -  penalty * (R(A) / |A| + R(B) / |B|) / 2

of some pair is at least ``threshold`` (``W`` sums the edge weights between the two stories'
members, ``R`` their densities: :mod:`retold._reference.agglomerate`).  A stream makes the same
decisions as each article arrives:

1. The article's features are weighted with the online idf (its own document frequencies
   counted first when ``update_idf``), then scaled to unit length.
2. Articles older than the window are *archived* first, in arrival order: a dated article
   (finite ``time``, in days) once ``time < newest date - window``, an undated one (``time``
   NaN) once more than ``window_articles`` articles have arrived after it.  Archived: taken out of the inverted index, their vectors freed; a story left
   with no active article is freed with its story-story links (no later article can link to
   it, so no later decision needs it).
3. Candidates are the active articles posted under one of the article's ``index_terms``
   strongest features (each article is posted under its own strongest, strongest first, ties
   by smaller feature, with its value there), read at most ``max_postings`` per feature: the
   newest ones, which in a feed are the nearest in time.  Each candidate read gets the part
   of the dot product those features carry (summed feature by feature, posting by posting);
   the ``candidates`` best by that partial score (ties by the earlier article) get their exact
   cosine (summed in the candidate's feature order), and the ``neighbours`` largest positive
   ones are kept, ties by the earlier article.  This is the batch's bounded search
   (:mod:`retold._reference.neighbours`) with the past as the only side: the work per article
   is at most ``index_terms * max_postings`` additions and ``candidates`` cosines, whatever
   the window holds.
4. The article's density is the sum of its ``density_neighbours`` largest cosines over
   ``density_neighbours`` (as in the batch, but over the past only).  An edge's weight is the
   cosine, divided by ``1 + gap / time_scale`` when ``time_scale > 0`` and both are dated, and
   multiplied by ``cross_script_weight`` when both scripts are known and differ.
5. The edges are summed per story (in neighbour order), and the article joins the story of the
   largest link ``W / |S| - penalty * (density + R(S) / |S|) / 2`` (ties: smaller story id)
   when it is at least ``threshold``; else it starts a story (ids count up from 0).
6. Joining can lift the link of the story to another the article touched (average links are
   size-weighted means: ``link(A + B, C)`` lies between ``link(A, C)`` and ``link(B, C)``, so
   nothing else can cross the threshold).  While the largest such link (ties: smaller id) is
   at least ``threshold`` the two stories merge: the larger id is *folded* into the smaller,
   which keeps the members, sizes, densities and links of both (each link the sum of the two).

Labels are story ids; :meth:`StoryStream.resolve` maps any earlier label to the story it has
been folded into since.  The result does not depend on how the stream is cut into calls.

Story ids are arrival numbers (every article starts a story), and by default every id ever
given out keeps its parent and size (and, in the kernel, its summed density): 24 bytes per
article for ever.  With ``forget=True`` the stream holds only what can still change:

7. The flat arrays hold the ids from ``base`` on (index ``id - base``); below ``base`` only the
   stories that still have an article in the window are held, in a small map ("old") of
   their parent and size.  Once ``front - base >= max(REBASE_MIN, articles in the window)``,
   after archiving, the stream *rebases*: every active article's story, and every label the
   running :meth:`add` call has written so far, is replaced by its root; every held id from
   ``front`` on is pointed straight at its root; the old map becomes the active stories below
   ``front`` (their parent themselves); ``base`` becomes ``front``.  A root below ``base``
   that is not in the map belongs to an archived story, which can never change again, so
   the labels of the running call resolve to it as they stand.  Memory is then bounded by
   the window (at most about twice its articles, and ``REBASE_MIN``, of held ids), the work is
   O(window) every window's worth of articles, and every decision reads the same numbers, so
   labels and merges are those of the default mode.  An id forgotten this way can no longer
   be resolved (:meth:`StoryStream.resolve` raises ValueError); ``story_sizes`` and
   ``parents`` give -1 for it.
"""
from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from typing import Any, NoReturn, TypedDict

import numpy as np
import numpy.typing as npt

from retold._reference.neighbours import dot_with
from retold._reference.neighbours import strongest

__all__ = ["REBASE_MIN", "StoryStream", "check_state", "forgotten_error"]

REBASE_MIN = 4096  # forget=True: the fewest archived ids a rebase drops (amortises its O(window) work)


def forgotten_error(label: int, base: int) -> ValueError:
    """What both backends raise when :meth:`StoryStream.resolve` meets a forgotten id."""
    return ValueError(
        f"story id {label} is forgotten: a StoryStream made with forget=True keeps only the ids from "
        f"{base} on and the stories that still have an article in the window; keep the labels and "
        f"merges as they are reported (resolve them while their story is in the window), or use "
        f"forget=False to resolve any id ever given out")


def idf_of(log_n1: float, df: int, power: float) -> float:
    """``(ln(N + 1) - ln(df + 1) + 1) ** power`` (``log_n1`` is ln(N + 1)), as the kernel computes it."""
    x = log_n1 - math.log(float(df + 1)) + 1.0
    if power == 1.0:
        return x
    if power == 1.5:
        return x * math.sqrt(x)
    if power == 2.0:
        return x * x
    return math.pow(x, power)


def check_arguments(df: Any, n_docs: Any, threshold: Any, density_penalty: Any, neighbours: Any,
                    density_neighbours: Any, index_terms: Any, lag: Any, window: Any, time_scale: Any,
                    cross_script_weight: Any, idf_power: Any, window_articles: Any, max_postings: Any,
                    candidates: Any, forget: Any = False) -> None:
    """The constructor's checks, shared by both backends (same errors, same words).

    The arguments are Any: this is where whatever a caller passed is found right or wrong."""
    if not isinstance(forget, (bool, np.bool_)):
        raise TypeError(f"forget must be a bool, not {type(forget).__name__}")
    if not isinstance(df, np.ndarray) or df.dtype != np.int64 or df.ndim != 1 or df.shape[0] < 1:
        raise ValueError("df must be a non-empty 1-d int64 array")
    if not df.flags.c_contiguous or not df.flags.writeable:
        raise ValueError("df must be a contiguous, writeable array")
    if df.shape[0] > (1 << 31):
        raise ValueError("df has more than 2**31 features")
    if int(df.min()) < 0:
        raise ValueError("df holds a negative document frequency")
    if isinstance(n_docs, bool) or not isinstance(n_docs, (int, np.integer)) or n_docs < 0:
        raise ValueError("n_docs must be a non-negative int")
    for name, value in (("threshold", threshold), ("density_penalty", density_penalty),
                        ("window", window), ("time_scale", time_scale),
                        ("cross_script_weight", cross_script_weight), ("idf_power", idf_power)):
        if not math.isfinite(float(value)):
            raise ValueError(f"{name} must be finite")
    for name, value in (("density_penalty", density_penalty), ("window", window),
                        ("time_scale", time_scale), ("cross_script_weight", cross_script_weight)):
        if float(value) < 0:
            raise ValueError(f"{name} must not be negative")
    for name, value in (("neighbours", neighbours), ("density_neighbours", density_neighbours),
                        ("index_terms", index_terms), ("max_postings", max_postings),
                        ("candidates", candidates)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= 4096:
            raise ValueError(f"{name} must be an int in [1, 4096]")
    if isinstance(lag, bool) or not isinstance(lag, (int, np.integer)) or not 0 <= lag <= (1 << 40):
        raise ValueError("lag must be an int in [0, 2**40]")
    if (isinstance(window_articles, bool) or not isinstance(window_articles, (int, np.integer))
            or not 1 <= window_articles <= (1 << 62)):
        raise ValueError("window_articles must be an int in [1, 2**62]")


def check_batch(offsets: npt.NDArray[np.int64], indices: npt.NDArray[np.uint32],
                weights: npt.NDArray[np.float64], times: npt.NDArray[np.float64],
                scripts: npt.NDArray[np.int32], labels: npt.NDArray[np.int64], n_features: int) -> None:
    """The checks of :meth:`StoryStream.add`, shared by both backends."""
    n = len(labels)
    if len(offsets) != n + 1 or len(times) != n or len(scripts) != n:
        raise ValueError("offsets, times, scripts and labels disagree in length")
    if len(indices) != len(weights) or int(offsets[0]) != 0 or int(offsets[-1]) != len(indices):
        raise ValueError("offsets, indices and weights disagree")
    if n and bool(np.any(np.diff(offsets) < 0)):
        raise ValueError("offsets must be non-decreasing")
    if len(indices):
        if int(indices.max()) >= n_features:
            raise ValueError(f"a feature outside [0, {n_features})")
        step = np.diff(indices.astype(np.int64))
        starts = np.zeros(len(indices), dtype=bool)
        starts[offsets[:-1][offsets[:-1] < len(indices)]] = True
        if bool(np.any((step <= 0) & ~starts[1:])):
            raise ValueError("the features of a row must be strictly increasing")
        if not bool(np.all(np.isfinite(weights))):
            raise ValueError("weights must be finite")
    if n and bool(np.any(np.isinf(times))):
        raise ValueError("times must be finite days, or NaN for an undated article")


class _Article:
    __slots__ = ("time", "script", "story", "near", "density", "idx", "val", "top")

    def __init__(self, time: float, script: int, story: int, near: list[float], density: float,
                 idx: list[int], val: list[float], top: list[int]) -> None:
        self.time = time
        self.script = script
        self.story = story
        self.near = near        # its largest cosines so far, largest first (past and later articles)
        self.density = density
        self.idx = idx
        self.val = val
        self.top = top


class _Story:
    __slots__ = ("density", "active", "links")

    def __init__(self, density: float, active: int) -> None:
        self.density = density  # R: the summed densities of its members
        self.active = active    # members not archived yet
        self.links: dict[int, float] = {}  # other story id -> summed edge weight between the two


class StoryStream:
    """Stories of a stream, decided as each article arrives (see the module documentation).

    The twin of ``retold._ext.story_stream.StoryStream`` (same parameters, same labels).

    Parameters
    ----------
    df : np.ndarray of int64
        Document frequencies of the features (updated in place when ``update_idf``).
    n_docs : int
        Documents counted in ``df``.
    threshold, density_penalty : float
        Least average link for an article to join a story, or two stories to merge; weight of
        the densities in the link.
    neighbours, density_neighbours, index_terms : int
        Nearest past articles kept per article; how many of them make its density; features an
        article is posted under and queried with.
    window : float
        Dated articles with ``time < newest date - window`` are archived (days).
    time_scale : float
        Edge weights are divided by ``1 + gap / time_scale`` (0: no discount).
    cross_script_weight : float
        Multiplier of the weight of an edge between two scripts.
    idf_power : float
    update_idf : bool
    window_articles : int
        Undated articles are archived once this many articles have arrived after them.
    max_postings, candidates : int
        Postings read per query feature (the newest); candidates scored exactly (step 3).
    forget : bool
        Forget the ids of archived stories (step 7): memory bounded by the window, the same
        labels; ``resolve`` refuses a forgotten id.  Default False: every id is kept.
    """

    def __init__(self, df: npt.NDArray[np.int64], n_docs: int, threshold: float, density_penalty: float,
                 neighbours: int, density_neighbours: int, index_terms: int, lag: int, window: float,
                 time_scale: float, cross_script_weight: float, idf_power: float, update_idf: bool,
                 window_articles: int, max_postings: int, candidates: int, forget: bool = False) -> None:
        check_arguments(df, n_docs, threshold, density_penalty, neighbours, density_neighbours,
                        index_terms, lag, window, time_scale, cross_script_weight, idf_power,
                        window_articles, max_postings, candidates, forget)
        self.forget = bool(forget)
        self.rebase_min = REBASE_MIN  # forget: the fewest archived ids a rebase drops (smaller in tests)
        self.window_articles = int(window_articles)
        self.max_postings = int(max_postings)
        self.candidates = int(candidates)
        self.df_array = df
        self.n_features = int(df.shape[0])
        self.n_docs = int(n_docs)
        self.threshold = float(threshold)
        self.density_penalty = float(density_penalty)
        self.neighbours = int(neighbours)
        self.density_neighbours = int(density_neighbours)
        self.index_terms = int(index_terms)
        self.lag = int(lag)
        self.window = float(window)
        self.time_scale = float(time_scale)
        self.cross_script_weight = float(cross_script_weight)
        self.idf_power = float(idf_power)
        self.update_idf = bool(update_idf)
        self.n_scored = 0
        self.next_seq = 0
        self.front = 0
        self.decided = 0
        self.now = -math.inf  # the newest date seen (none yet)
        self.articles: dict[int, _Article] = {}
        # feature -> (arrival number, value), oldest first
        self.postings: dict[int, deque[tuple[int, float]]] = {}
        self.stories: dict[int, _Story] = {}
        self.parent: list[int] = []  # of the ids from base on (all of them unless forget)
        self.sizes: list[int] = []
        self.base = 0
        # forget: the stories below base still active (or folded since the last rebase): [parent, size]
        self.old: dict[int, list[int]] = {}
        self._pending: npt.NDArray[np.int64] | None = None  # the running add's labels so far
        self._n_pending = 0
        self.fold_log: list[tuple[int, int]] = []  # (gone, keep) of each fold of the running or last add / flush
        self.n_folded = 0
        self.busy = False

    def _enter(self) -> None:
        # One call at a time: the compiled kernel releases the GIL inside add, so a second
        # thread would find its buffers half-written; both backends refuse alike.
        self._idle()
        self.busy = True

    def _idle(self) -> None:
        if self.busy:
            raise RuntimeError("this StoryStream is in use by another thread; "
                               "guard it with a lock (StoryClusterer does)")

    # -- bookkeeping ---------------------------------------------------------------------------

    @property
    def n_created(self) -> int:
        """Story ids given out so far (folded ones included)."""
        return self.base + len(self.parent)

    @property
    def n_stories(self) -> int:
        """Stories so far, archived ones included, folded ones not."""
        return self.base + len(self.parent) - self.n_folded

    @property
    def n_held_ids(self) -> int:
        """Story ids whose parent and size are held (all of them unless ``forget``)."""
        return len(self.parent) + len(self.old)

    @property
    def n_active(self) -> int:
        """Stories with an article in the window."""
        return len(self.stories)

    @property
    def n_active_articles(self) -> int:
        """Articles in the window."""
        return self.next_seq - self.front

    def find(self, s: int) -> int:
        """The story that story id ``s`` has been folded into (itself when it has not).

        With ``forget``, an id below ``base`` that is not held is an archived story's root
        (only such ids are left reachable by a rebase) and is its own answer."""
        if not self.base:
            root = s
            while self.parent[root] != root:
                root = self.parent[root]
            while self.parent[s] != root:
                self.parent[s], s = root, self.parent[s]
            return root
        base, parent, old = self.base, self.parent, self.old
        root = s
        while True:
            if root >= base:
                up = parent[root - base]
            elif root in old:
                up = old[root][0]
            else:
                break
            if up == root:
                break
            root = up
        while s != root:
            if s >= base:
                parent[s - base], s = root, parent[s - base]
            elif s in old:
                held = old[s]
                held[0], s = root, held[0]
            else:
                break
        return root

    def _size(self, s: int) -> int:
        return self.sizes[s - self.base] if s >= self.base else self.old[s][1]

    def _set_size(self, s: int, size: int) -> None:
        if s >= self.base:
            self.sizes[s - self.base] = size
        else:
            self.old[s][1] = size

    def _set_parent(self, s: int, up: int) -> None:
        if s >= self.base:
            self.parent[s - self.base] = up
        else:
            self.old[s][0] = up

    def _rebase(self) -> None:
        """Step 7: forget the ids below ``front`` but the active stories' roots."""
        new_base = self.front
        for q in range(self.front, self.next_seq):
            art = self.articles[q]
            art.story = self.find(art.story)
        pending = self._pending
        if pending is not None:
            for i in range(self._n_pending):
                pending[i] = self.find(int(pending[i]))
        for s in range(new_base, self.base + len(self.parent)):
            self.find(s)  # points the id straight at its root
        self.old = {s: [s, self._size(s)] for s in sorted(self.stories) if s < new_base}
        drop = new_base - self.base
        del self.parent[:drop]
        del self.sizes[:drop]
        self.base = new_base

    def _new_story(self, density: float) -> int:
        s = self.base + len(self.parent)
        self.parent.append(s)
        self.sizes.append(1)
        self.stories[s] = _Story(density, 1)
        return s

    def _expired(self, time: float, seq: int, arriving: int) -> bool:
        if time != time:  # undated: by arrivals
            return arriving - seq > self.window_articles
        return time < self.now - self.window

    def _archive(self, arriving: int) -> None:
        while self.front < self.next_seq and self._expired(self.articles[self.front].time, self.front, arriving):
            seq = self.front
            while self.decided <= seq:  # an article is decided before it leaves the window
                self._decide(self.decided)
                self.decided += 1
            art = self.articles.pop(seq)
            for f in art.top:
                posting = self.postings[f]
                posting.popleft()
                if not posting:
                    del self.postings[f]
            s = self.find(art.story)
            story = self.stories[s]
            story.active -= 1
            if story.active == 0:
                for other in story.links:
                    del self.stories[other].links[s]
                del self.stories[s]
            self.front += 1
        if self.forget and self.front - self.base >= max(self.rebase_min, self.next_seq - self.front):
            self._rebase()

    def _link(self, a: int, b: int, total: float) -> float:
        sa, sb = self._size(a), self._size(b)
        ra, rb = self.stories[a].density, self.stories[b].density
        return total / (sa * sb) - self.density_penalty * (ra / sa + rb / sb) / 2.0

    def _fold(self, a: int, b: int) -> int:
        keep, gone = (a, b) if a < b else (b, a)
        self._set_parent(gone, keep)
        self.fold_log.append((gone, keep))
        self._set_size(keep, self._size(keep) + self._size(gone))
        self._set_size(gone, 0)
        self.n_folded += 1
        k, g = self.stories[keep], self.stories.pop(gone)
        k.density = k.density + g.density
        k.active += g.active
        links = k.links
        links.pop(gone, None)
        for other, total in g.links.items():
            if other == keep:
                continue
            theirs = self.stories[other].links
            del theirs[gone]
            if other in links:
                links[other] = links[other] + total
                theirs[keep] = theirs[keep] + total
            else:
                links[other] = total
                theirs[keep] = total
        return keep

    # -- one article ---------------------------------------------------------------------------

    def _add_one(self, idx: list[int], w: list[float], time: float, script: int) -> int:
        df = self.df_array
        if self.update_idf:
            for f in idx:
                df[f] += 1
            self.n_docs += 1
        log_n1 = math.log(float(self.n_docs) + 1.0)
        vec: list[float] = []
        norm = 0.0
        for f, x in zip(idx, w):
            x = x * idf_of(log_n1, int(df[f]), self.idf_power)
            vec.append(x)
            norm += x * x
        norm = math.sqrt(norm)
        seq = self.next_seq
        if time > self.now:  # NaN (undated) never is
            self.now = time
        self._archive(seq)
        self.next_seq += 1
        if not idx or norm == 0.0:
            s = self._new_story(0.0)
            self.articles[seq] = _Article(time, script, s, [], 0.0, [], [], [])
            self._decide_due()
            return s
        vec = [x / norm for x in vec]
        top = strongest(idx, vec, self.index_terms)
        partial: dict[int, float] = {}
        for f, vi in top:
            run: deque[tuple[int, float]] | tuple[()] = self.postings.get(f, ())
            for q, vq in list(run)[max(0, len(run) - self.max_postings):]:
                partial[q] = partial.get(q, 0.0) + vi * vq
        mine = dict(zip(idx, vec))
        scored: list[tuple[float, int]] = []
        for q in sorted(partial, key=lambda q: (-partial[q], q))[:self.candidates]:
            other = self.articles[q]
            self.n_scored += 1
            dot = dot_with(mine, other.idx, other.val)
            if dot > 0.0:
                scored.append((-dot, q))
        scored.sort()
        nearest = scored[:self.neighbours]
        near = [-neg for neg, _ in nearest[:self.density_neighbours]]
        density = self._density(near)
        # Edge weights summed per story, stories in order of first appearance.
        touched: dict[int, float] = {}
        for neg, q in nearest:
            other = self.articles[q]
            weight = -neg
            if self.time_scale > 0.0 and time == time and other.time == other.time:  # both dated
                weight = weight / (1.0 + abs(time - other.time) / self.time_scale)
            if script >= 0 and other.script >= 0 and script != other.script:
                weight = weight * self.cross_script_weight
            s = self.find(other.story)
            touched[s] = touched[s] + weight if s in touched else weight
        s = self._new_story(density)
        links = self.stories[s].links
        for t, total in touched.items():
            links[t] = total
            self.stories[t].links[s] = total
        # The article is a neighbour of its neighbours too: their densities may rise.
        for neg, q in nearest:
            self._near_update(q, -neg)
        self.articles[seq] = _Article(time, script, s, near, density, list(idx), vec, [f for f, _ in top])
        for f, v in top:
            self.postings.setdefault(f, deque()).append((seq, v))
        self._decide_due()
        return s

    def _density(self, near: list[float]) -> float:
        density = 0.0
        for c in near:
            density += c
        return density / self.density_neighbours

    def _near_update(self, q: int, cosine: float) -> None:
        art = self.articles[q]
        near = art.near
        if len(near) == self.density_neighbours and not cosine > near[-1]:
            return
        at = len(near)
        while at > 0 and near[at - 1] < cosine:
            at -= 1
        near.insert(at, cosine)
        if len(near) > self.density_neighbours:
            near.pop()
        old = art.density
        art.density = self._density(near)
        story = self.stories[self.find(art.story)]
        story.density = story.density + (art.density - old)

    def _decide_due(self) -> None:
        while self.next_seq - self.decided > self.lag:
            self._decide(self.decided)
            self.decided += 1

    def _best(self, s: int) -> tuple[int, float]:
        """The partner of story ``s`` with the largest link (ties: smaller id), and that link."""
        best, best_link = -1, 0.0
        for t, total in self.stories[s].links.items():
            link = self._link(s, t, total)
            if best < 0 or link > best_link or (link == best_link and t < best):
                best, best_link = t, link
        return best, best_link

    def _decide(self, seq: int) -> None:
        """Merge around the story of article ``seq`` as the batch would: follow the chain of
        best partners to a pair that are each other's best (average links are reducible, so
        merging such a pair is what the global greedy order does too), merge it, and start
        again from the merged story, until the story's best link is below the threshold."""
        chain = [self.find(self.articles[seq].story)]
        while chain:
            a = chain[-1]
            b, link = self._best(a)
            if b < 0 or link < self.threshold:
                chain.pop()
                continue
            if b in chain or self._best(b)[0] == a:
                chain = [self._fold(a, b)]
                continue
            chain.append(b)

    def flush(self) -> None:
        """Decide every article still waiting for its ``lag`` (e.g. at the end of a stream)."""
        self._enter()
        try:
            self.fold_log = []
            while self.decided < self.next_seq:
                self._decide(self.decided)
                self.decided += 1
        finally:
            self.busy = False

    # -- the API -------------------------------------------------------------------------------

    def add(self, offsets: npt.NDArray[np.int64], indices: npt.NDArray[np.uint32],
            weights: npt.NDArray[np.float64], times: npt.NDArray[np.float64], scripts: npt.NDArray[np.int32],
            labels: npt.NDArray[np.int64]) -> None:
        """Cluster each article (a CSR row of feature weights) in order.

        ``labels[i]`` receives the story of article ``i`` as it stands at the end of the call
        (later calls may fold it: see :meth:`resolve`).  ``times`` are days (dated streams)
        or arrival numbers; ``scripts`` int32 script ids (-1: unknown).
        """
        check_batch(offsets, indices, weights, times, scripts, labels, self.n_features)
        self._enter()
        try:
            self.fold_log = []
            self._add(offsets, indices, weights, times, scripts, labels)
        finally:
            self.busy = False

    def _add(self, offsets: npt.NDArray[np.int64], indices: npt.NDArray[np.uint32],
             weights: npt.NDArray[np.float64], times: npt.NDArray[np.float64], scripts: npt.NDArray[np.int32],
             labels: npt.NDArray[np.int64]) -> None:
        # Python numbers: the per-article work reads single elements, which numpy scalars make slow.
        starts = [int(x) for x in offsets]
        features = [int(x) for x in indices]
        values = [float(x) for x in weights]
        days = [float(x) for x in times]
        script_ids = [int(x) for x in scripts]
        self._pending = labels
        try:
            for i in range(len(labels)):
                a, b = starts[i], starts[i + 1]
                self._n_pending = i
                labels[i] = self._add_one(features[a:b], values[a:b], days[i], script_ids[i])
        finally:
            self._pending, self._n_pending = None, 0
        for i in range(len(labels)):
            labels[i] = self.find(int(labels[i]))

    def resolve(self, labels: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """The current story of each earlier label (int64 array).

        With ``forget``, a label below ``base`` whose story has left the window is forgotten:
        ValueError (see :func:`forgotten_error`)."""
        self._idle()
        ids = np.asarray(labels, dtype=np.int64)
        n_created = self.n_created
        if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= n_created):
            raise ValueError(f"a label outside [0, {n_created})")
        flat = ids.ravel().tolist()
        if self.base:
            for s in flat:
                if s < self.base and s not in self.old:
                    raise forgotten_error(s, self.base)
        return np.array([self.find(s) for s in flat], dtype=np.int64).reshape(ids.shape)

    def story_sizes(self) -> npt.NDArray[np.int64]:
        """Articles in each story id so far (0 for a folded id; -1 for a forgotten one)."""
        if not self.base:
            return np.array(self.sizes, dtype=np.int64)
        out = np.full(self.n_created, -1, dtype=np.int64)
        out[self.base:] = self.sizes
        for s, (_, size) in self.old.items():
            out[s] = size
        return out

    def parents(self) -> npt.NDArray[np.int64]:
        """For each story id, the story it has been folded into (itself if none; -1 for a
        forgotten one), int64."""
        if not self.base:
            return np.array([self.find(s) for s in range(len(self.parent))], dtype=np.int64)
        out = np.full(self.n_created, -1, dtype=np.int64)
        for s in sorted(self.old):
            out[s] = self.find(s)
        out[self.base:] = [self.find(s) for s in range(self.base, self.n_created)]
        return out

    def last_folds(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The folds of the last :meth:`add` or :meth:`flush` call, in order: two int64 arrays,
        the id folded and the story it was folded into then (a later fold of the same call
        may fold that one too).  What a caller keeps to follow its labels with ``forget``."""
        self._idle()
        return (np.array([g for g, _ in self.fold_log], dtype=np.int64),
                np.array([k for _, k in self.fold_log], dtype=np.int64))

    def posted_terms(self) -> int:
        """Entries in the inverted index."""
        return sum(len(p) for p in self.postings.values())

    def link_entries(self) -> int:
        """Story-story links held (each pair counted from both sides)."""
        return sum(len(s.links) for s in self.stories.values())

    # -- pickling ------------------------------------------------------------------------------

    def _args(self) -> tuple[npt.NDArray[np.int64], int, float, float, int, int, int, int, float, float,
                             float, float, bool, int, int, int]:
        return (self.df_array, self.n_docs, self.threshold, self.density_penalty, self.neighbours,
                self.density_neighbours, self.index_terms, self.lag, self.window, self.time_scale,
                self.cross_script_weight, self.idf_power, self.update_idf, self.window_articles,
                self.max_postings, self.candidates)

    def __reduce__(self) -> tuple[type[StoryStream], tuple[Any, ...], dict[str, float | npt.NDArray[Any]]]:
        return (StoryStream, self._args() + (self.forget,), self._state())

    def _state(self) -> dict[str, float | npt.NDArray[Any]]:
        # What check_state reads back: counts, the newest date and 1-d arrays.  forget=True adds
        # the held form: 'base', 'n_folded' and the old map ('old_ids', 'old_parent', 'old_sizes';
        # 'parent' and 'sizes' then hold the ids from base on).
        self._idle()
        seqs = range(self.front, self.next_seq)
        arts = [self.articles[q] for q in seqs]
        ids = sorted(self.stories)
        links = [sorted(self.stories[s].links.items()) for s in ids]
        held: dict[str, float | npt.NDArray[Any]] = {}
        if self.forget:
            old_ids = sorted(self.old)
            held = {
                "forget": True, "base": self.base, "n_folded": self.n_folded,
                "old_ids": np.array(old_ids, dtype=np.int64),
                "old_parent": np.array([self.find(s) for s in old_ids], dtype=np.int64),
                "old_sizes": np.array([self.old[s][1] for s in old_ids], dtype=np.int64),
                "parent": np.array([self.find(s) for s in range(self.base, self.n_created)], dtype=np.int64),
                "sizes": np.array(self.sizes, dtype=np.int64),
            }
        return {
            "n_docs": self.n_docs, "n_scored": self.n_scored, "next_seq": self.next_seq,
            "front": self.front, "decided": self.decided, "now": self.now,
            # (the held form replaces these two: no array as long as the stream is made here)
            "parent": held["parent"] if held else self.parents(), "sizes": held["sizes"] if held else self.story_sizes(),
            "art_time": np.array([a.time for a in arts], dtype=np.float64),
            "art_script": np.array([a.script for a in arts], dtype=np.int32),
            "art_story": np.array([self.find(a.story) for a in arts], dtype=np.int64),
            "art_density": np.array([a.density for a in arts], dtype=np.float64),
            "art_n_near": np.array([len(a.near) for a in arts], dtype=np.int32),
            "art_near": np.array([c for a in arts for c in a.near], dtype=np.float64),
            "art_n": np.array([len(a.idx) for a in arts], dtype=np.int32),
            "art_idx": np.array([f for a in arts for f in a.idx], dtype=np.uint32),
            "art_val": np.array([v for a in arts for v in a.val], dtype=np.float64),
            "art_n_top": np.array([len(a.top) for a in arts], dtype=np.int32),
            "art_top": np.array([f for a in arts for f in a.top], dtype=np.uint32),
            "story_ids": np.array(ids, dtype=np.int64),
            "story_density": np.array([self.stories[s].density for s in ids], dtype=np.float64),
            "story_active": np.array([self.stories[s].active for s in ids], dtype=np.int64),
            "link_n": np.array([len(x) for x in links], dtype=np.int64),
            "link_to": np.array([t for x in links for t, _ in x], dtype=np.int64),
            "link_w": np.array([w for x in links for _, w in x], dtype=np.float64),
        } | held

    def __setstate__(self, state: object) -> None:
        self._idle()
        if self.next_seq or self.parent:
            raise RuntimeError("a StoryStream's state can only be set on a new stream")
        st = check_state(state, self.n_features, self.index_terms, self.density_neighbours, forget=self.forget)
        self.n_docs, self.n_scored = st["n_docs"], st["n_scored"]
        self.next_seq, self.front, self.now = st["next_seq"], st["front"], st["now"]
        self.decided = st["decided"]
        self.parent = st["parent"].tolist()
        self.sizes = st["sizes"].tolist()
        self.base = st["base"]
        self.old = {s: [p, z] for s, p, z in zip(st["old_ids"].tolist(), st["old_parent"].tolist(),
                                                 st["old_sizes"].tolist())}
        self.n_folded = st["n_folded"]
        at = top_at = near_at = 0
        top_val = st["art_top_val"].tolist()
        for i, seq in enumerate(range(self.front, self.next_seq)):
            n, m, k = int(st["art_n"][i]), int(st["art_n_top"][i]), int(st["art_n_near"][i])
            near = st["art_near"][near_at:near_at + k].tolist()
            near_at += k
            art = _Article(float(st["art_time"][i]), int(st["art_script"][i]), int(st["art_story"][i]),
                           near, float(st["art_density"][i]), st["art_idx"][at:at + n].tolist(),
                           st["art_val"][at:at + n].tolist(), st["art_top"][top_at:top_at + m].tolist())
            at += n
            self.articles[seq] = art
            for f, v in zip(art.top, top_val[top_at:top_at + m]):
                self.postings.setdefault(f, deque()).append((seq, v))
            top_at += m
        at = 0
        for i, s in enumerate(st["story_ids"].tolist()):
            story = _Story(float(st["story_density"][i]), int(st["story_active"][i]))
            n = int(st["link_n"][i])
            story.links = dict(zip(st["link_to"][at:at + n].tolist(), st["link_w"][at:at + n].tolist()))
            at += n
            self.stories[s] = story


class CheckedState(TypedDict):
    """A pickled stream's state as :func:`check_state` returns it: the counts and the newest
    date as Python numbers, every array contiguous and of the dtype the compiled kernel's
    memoryviews take (a plain dict at run time)."""
    n_docs: int
    n_scored: int
    next_seq: int
    front: int
    decided: int
    now: float
    parent: npt.NDArray[np.int64]
    sizes: npt.NDArray[np.int64]
    art_time: npt.NDArray[np.float64]
    art_script: npt.NDArray[np.int32]
    art_story: npt.NDArray[np.int64]
    art_density: npt.NDArray[np.float64]
    art_n_near: npt.NDArray[np.int32]
    art_near: npt.NDArray[np.float64]
    art_n: npt.NDArray[np.int32]
    art_idx: npt.NDArray[np.uint32]
    art_val: npt.NDArray[np.float64]
    art_n_top: npt.NDArray[np.int32]
    art_top: npt.NDArray[np.uint32]
    art_top_val: npt.NDArray[np.float64]
    story_ids: npt.NDArray[np.int64]
    story_density: npt.NDArray[np.float64]
    story_active: npt.NDArray[np.int64]
    link_n: npt.NDArray[np.int64]
    link_to: npt.NDArray[np.int64]
    link_w: npt.NDArray[np.float64]
    # The held form (forget=True; a state without it holds every id: base 0, no old map).
    forget: bool
    base: int
    n_folded: int
    old_ids: npt.NDArray[np.int64]
    old_parent: npt.NDArray[np.int64]
    old_sizes: npt.NDArray[np.int64]


def _array(state: Mapping[str, Any], key: str, kinds: str, what: str) -> npt.NDArray[Any]:
    try:
        value = np.asarray(state[key])
    except KeyError:
        raise ValueError(f"corrupt StoryStream state: no {key!r}") from None
    if value.ndim != 1 or (value.size and value.dtype.kind not in kinds):
        raise ValueError(f"corrupt StoryStream state: {key!r} is not a 1-d array of {what}")
    return value


def _roots(parent: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The story each story id is folded into, following ``parent`` to its fixed point."""
    roots: npt.NDArray[np.int64] = parent.copy()
    while True:
        up: npt.NDArray[np.int64] = roots[roots]
        if np.array_equal(up, roots):
            return roots
        roots = up


def check_state(state: object, n_features: int, index_terms: int, density_neighbours: int, *,
                forget: bool = False) -> CheckedState:
    """The arrays of a pickled stream, checked before any is trusted (both backends use this):
    a corrupt or hand-made state raises ValueError, never writes outside a buffer.

    ``forget``: the stream it is for was made with forget=True, and may take a state in the
    held form (step 7 of the module documentation); any stream takes a state holding every id."""
    if not isinstance(state, dict):
        raise ValueError("corrupt StoryStream state: not a dict")

    def bad(what: str) -> NoReturn:
        raise ValueError(f"corrupt StoryStream state: {what}")

    out: dict[str, int] = {}
    for key in ("n_docs", "n_scored", "next_seq", "front", "decided"):
        value = state.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            bad(f"{key!r} is not a count")
        out[key] = int(value)
    now = state.get("now")
    if (isinstance(now, bool) or not isinstance(now, (int, float, np.integer, np.floating))
            or now != now or now == math.inf):
        bad("'now' is not a finite number (or -inf: no date yet)")
    ints, floats = "iu", "fiu"
    spec = {
        "parent": ints, "sizes": ints, "art_time": floats, "art_script": ints, "art_story": ints,
        "art_density": floats, "art_n_near": ints, "art_near": floats, "art_n": ints, "art_idx": ints, "art_val": floats, "art_n_top": ints,
        "art_top": ints, "story_ids": ints, "story_density": floats, "story_active": ints,
        "link_n": ints, "link_to": ints, "link_w": floats,
    }
    a = {key: _array(state, key, kinds, "numbers") for key, kinds in spec.items()}
    held_form = state.get("forget", False)
    if not isinstance(held_form, (bool, np.bool_)):
        bad("'forget' is not a bool")
    held_keys = ("base", "n_folded", "old_ids", "old_parent", "old_sizes")
    if held_form and not forget:
        bad("forgotten story ids ('forget': True) for a stream made with forget=False")
    if not held_form:
        extra = [key for key in held_keys if key in state]
        if extra:
            bad(f"{extra[0]!r} without 'forget'")
    base = 0
    if held_form:
        for key in ("base", "n_folded"):
            value = state.get(key)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                bad(f"{key!r} is not a count")
        base = int(state["base"])
        for key in ("old_ids", "old_parent", "old_sizes"):
            a[key] = _array(state, key, ints, "numbers")
    else:
        for key in ("old_ids", "old_parent", "old_sizes"):
            a[key] = np.zeros(0, dtype=np.int64)
    old_ids = a["old_ids"].astype(np.int64)
    n_old = old_ids.shape[0]
    for key in ("old_parent", "old_sizes"):
        if a[key].shape[0] != n_old:
            bad(f"{key!r} has {a[key].shape[0]} entries for {n_old} old ids")
    if n_old and (old_ids.min() < 0 or old_ids.max() >= base or np.any(np.diff(old_ids) <= 0)):
        bad("'old_ids' out of range (below 'base') or order")
    n_held = a["parent"].shape[0]
    n_created = base + n_held
    if held_form and not base <= out["front"]:
        bad("'base' is past 'front'")
    if held_form and n_created != out["next_seq"]:
        bad(f"'parent' holds {n_held} ids from 'base' for {out['next_seq'] - base} articles since")
    # Every id held, in one increasing order (the old ones, then those from base on): a
    # position among them stands for an id from here on.
    known = np.concatenate([old_ids, np.arange(base, n_created, dtype=np.int64)])
    n_known = known.shape[0]

    def position(ids: npt.NDArray[np.int64], what: str) -> npt.NDArray[np.int64]:
        if not held_form:
            return ids
        at: npt.NDArray[np.int64] = np.searchsorted(known, ids).astype(np.int64)
        if ids.size and (np.any(at >= n_known) or np.any(known[np.minimum(at, n_known - 1)] != ids)):
            bad(what)
        return at

    m = out["next_seq"] - out["front"]
    if m < 0:
        bad("'front' is past 'next_seq'")
    if not out["front"] <= out["decided"] <= out["next_seq"]:
        bad("'decided' is outside the window")
    if a["sizes"].shape[0] != n_held:
        bad(f"'sizes' has {a['sizes'].shape[0]} entries for {n_held} stories")
    for key in ("art_time", "art_script", "art_story", "art_density", "art_n_near", "art_n", "art_n_top"):
        if a[key].shape[0] != m:
            bad(f"{key!r} has {a[key].shape[0]} entries for {m} active articles")
    ns = a["story_ids"].shape[0]
    for key in ("story_density", "story_active", "link_n"):
        if a[key].shape[0] != ns:
            bad(f"{key!r} has {a[key].shape[0]} entries for {ns} active stories")
    if a["art_time"].size and bool(np.any(np.isinf(a["art_time"].astype(np.float64)))):
        bad("an infinite value in 'art_time' (NaN is an undated article)")
    for key in ("art_density", "art_near", "art_val", "story_density", "link_w"):
        if a[key].size and not bool(np.all(np.isfinite(a[key].astype(np.float64)))):
            bad(f"a non-finite value in {key!r}")
    parent = a["parent"].astype(np.int64)
    old_parent = a["old_parent"].astype(np.int64)
    known_parent = np.concatenate([old_parent, parent])
    if n_known and (known_parent.min() < 0 or np.any(known_parent > known)):
        bad("a story folded into a later one")
    at_parent = position(known_parent, "a story folded into a forgotten one")
    sizes = a["sizes"].astype(np.int64)
    old_sizes = a["old_sizes"].astype(np.int64)
    known_sizes = np.concatenate([old_sizes, sizes])
    if n_known and known_sizes.min() < 0:
        bad("a negative story size")
    if not held_form and int(sizes.sum()) != out["next_seq"]:
        bad("story sizes do not add up to the articles seen")
    if held_form and int(known_sizes.sum()) > out["next_seq"]:
        bad("story sizes add up to more than the articles seen")
    roots = _roots(at_parent)
    folded = int(np.sum(at_parent != np.arange(n_known)))
    n_folded = int(state["n_folded"]) if held_form else folded
    if not folded <= n_folded <= n_created - (n_known - folded):
        bad("'n_folded' disagrees with the held story ids")
    art_n, art_n_top = a["art_n"].astype(np.int64), a["art_n_top"].astype(np.int64)
    if m and (art_n.min() < 0 or art_n_top.min() < 0 or art_n_top.max() > index_terms):
        bad(f"an article with a negative count or more than {index_terms} posted features")
    if a["art_idx"].shape[0] != int(art_n.sum()) or a["art_val"].shape[0] != a["art_idx"].shape[0]:
        bad("article features and counts disagree")
    if a["art_top"].shape[0] != int(art_n_top.sum()):
        bad("posted features and counts disagree")
    for key in ("art_idx", "art_top"):
        if a[key].size and (int(a[key].min()) < 0 or int(a[key].max()) >= n_features):
            bad(f"a feature outside [0, {n_features})")
    idx = a["art_idx"].astype(np.int64)
    if idx.shape[0] > 1:
        starts = np.zeros(idx.shape[0] + 1, dtype=bool)
        starts[np.concatenate([[0], np.cumsum(art_n)])] = True
        if np.any((np.diff(idx) <= 0) & ~starts[1:idx.shape[0]]):
            bad("article features out of order")
    n_near = a["art_n_near"].astype(np.int64)
    if m and (n_near.min() < 0 or n_near.max() > density_neighbours):
        bad(f"an article with more than {density_neighbours} or fewer than 0 nearest cosines")
    if a["art_near"].shape[0] != int(n_near.sum()):
        bad("nearest cosines and counts disagree")
    top = a["art_top"].astype(np.int64)
    owner = np.repeat(np.arange(m), art_n_top)
    if top.size and np.unique(owner * n_features + top).shape[0] != top.shape[0]:
        bad("an article posted twice under one feature")
    # Each posted feature is one of the article's own: its value there goes into the postings.
    keyed = np.repeat(np.arange(m), art_n) * n_features + idx
    at = np.searchsorted(keyed, owner * n_features + top)
    if top.size and (np.any(at >= keyed.shape[0]) or np.any(keyed[np.minimum(at, keyed.shape[0] - 1)]
                                                           != owner * n_features + top)):
        bad("an article posted under a feature it does not have")
    top_val = np.ascontiguousarray(a["art_val"], dtype=np.float64)[at] if top.size else np.zeros(0)
    story = a["art_story"].astype(np.int64)
    if m and (story.min() < 0 or story.max() >= n_created):
        bad("an article of a story id outside the stories")
    at_story = position(story, "an article of a forgotten story id")
    ids = a["story_ids"].astype(np.int64)
    if ns and (ids.min() < 0 or ids.max() >= n_created or np.any(np.diff(ids) <= 0)):
        bad("active story ids out of range or order")
    at_ids = position(ids, "an active story whose id is forgotten")
    if ns and (np.any(at_parent[at_ids] != at_ids) or np.any(known_sizes[at_ids] < 1)):
        bad("an active story that is folded or empty")
    active = a["story_active"].astype(np.int64)
    counted = np.bincount(roots[at_story], minlength=n_known) if m else np.zeros(n_known, dtype=np.int64)
    expected = np.zeros(n_known, dtype=np.int64)
    expected[at_ids] = active
    if not np.array_equal(counted, expected) or (ns and active.min() < 1):
        bad("the active stories disagree with their articles")
    link_n = a["link_n"].astype(np.int64)
    to = a["link_to"].astype(np.int64)
    w = a["link_w"].astype(np.float64)
    if ns and link_n.min() < 0:
        bad("a negative link count")
    if to.shape[0] != int(link_n.sum()) or w.shape[0] != to.shape[0]:
        bad("links and counts disagree")
    frm = np.repeat(ids, link_n)
    if to.size:
        slot = np.searchsorted(ids, to)
        if np.any(slot >= ns) or np.any(ids[np.minimum(slot, ns - 1)] != to) or np.any(to == frm):
            bad("a link to a story that is not active")
        key = frm * n_created + to
        if np.any(np.diff(key) <= 0):
            bad("links out of order")
        back = np.searchsorted(key, to * n_created + frm)
        if np.any(back >= key.shape[0]) or np.any(key[np.minimum(back, key.shape[0] - 1)] != to * n_created + frm) \
                or np.any(w[np.minimum(back, key.shape[0] - 1)] != w):
            bad("links are not symmetric")
    return CheckedState(
        n_docs=out["n_docs"], n_scored=out["n_scored"], next_seq=out["next_seq"], front=out["front"],
        decided=out["decided"], now=float(now), parent=parent, sizes=sizes,
        art_time=np.ascontiguousarray(a["art_time"], dtype=np.float64),
        art_script=np.ascontiguousarray(a["art_script"], dtype=np.int32),
        art_story=story, art_density=np.ascontiguousarray(a["art_density"], dtype=np.float64),
        art_n_near=np.ascontiguousarray(n_near, dtype=np.int32),
        art_near=np.ascontiguousarray(a["art_near"], dtype=np.float64),
        art_n=np.ascontiguousarray(art_n, dtype=np.int32),
        art_idx=np.ascontiguousarray(a["art_idx"], dtype=np.uint32),
        art_val=np.ascontiguousarray(a["art_val"], dtype=np.float64),
        art_n_top=np.ascontiguousarray(art_n_top, dtype=np.int32),
        art_top=np.ascontiguousarray(a["art_top"], dtype=np.uint32),
        art_top_val=np.ascontiguousarray(top_val, dtype=np.float64),
        story_ids=ids, story_density=np.ascontiguousarray(a["story_density"], dtype=np.float64),
        story_active=active, link_n=link_n, link_to=to, link_w=w,
        forget=bool(held_form), base=base, n_folded=n_folded, old_ids=old_ids, old_parent=old_parent,
        old_sizes=old_sizes,
    )
