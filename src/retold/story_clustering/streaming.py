"""Streaming story clustering: :class:`StoryClusterer`, the batch's decisions made as articles arrive."""
from __future__ import annotations

import threading
from types import ModuleType
from typing import Any, Iterable, Sequence

import numpy as np

from retold._validate import check_int as _check_int
from retold._validate import check_number as _check_number
from retold.article import Article
from retold.io.tabular_input import as_article_list
from retold.scripts import dominant_scripts
from retold.story_clustering import _kernels
from retold.story_clustering.batch import article_days
from retold.story_clustering.model import StoryModel
from retold.story_clustering.options import (
    CLUSTERING_OPTIONS, DEFAULT_CROSS_SCRIPT_WEIGHT, DEFAULT_DENSITY_PENALTY, DEFAULT_NEIGHBOURS,
    DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS, DENSITY_NEIGHBOURS, NEIGHBOUR_INDEX_TERMS,
    NEIGHBOUR_MAX_POSTINGS, STREAM_LAG, STREAM_WINDOW_ARTICLES,
)

__all__ = ["StoryClusterer"]


class StoryClusterer:
    """Streaming story clustering: the batch's average-link decisions, made as articles arrive.

    Each article is compared with the recent articles that share one of its strongest features
    (an inverted index over the active window, read as the batch reads it: at most
    :data:`NEIGHBOUR_MAX_POSTINGS` of the newest postings per feature, ranked by the part of
    the cosine those features carry, and only the best ``neighbours`` scored exactly, so the
    work per article does not grow with the window); its nearest ``neighbours`` by cosine are its
    edges, weighted as :func:`story_graph` weighs them (date discount, cross-script weight),
    and its density is that of :func:`stories` over the neighbours found so far (later
    articles raise it as they find it).  Each article starts as a story of its own; ``lag``
    arrivals later its story is merged, as the batch merges, with the partner of the best
    average link

        W(S, T) / (|S| |T|) - density_penalty * (R(S) / |S| + R(T) / |T|) / 2

    while that is at least ``threshold`` (pairs that are each other's best first).  A sparse
    map of story-story edge weights is kept, so stories that later articles *bridge* are
    merged too.  A merge folds the newer story id into the older, which :attr:`merged` and
    :meth:`resolve` report (:attr:`last_merged`: those of the last call); :meth:`flush`
    decides the articles still waiting at the end of a stream.  The algorithm is stated in :mod:`retold._reference.story_stream`.

    Articles older than the window (``horizon_days`` behind the newest date, or
    ``window_articles`` arrivals ago in a stream without dates) are archived: out of the index,
    their vectors freed, and a story with no article left in the window is freed with its
    links; memory is bounded by the window, plus, by default, three numbers per story id ever
    made (24 bytes per article: every article starts a story), for :meth:`story_sizes`,
    :meth:`resolve` and the average links.  With ``forget=True`` those are kept only for the
    recent ids and the stories still in the window, and memory is bounded by the window alone;
    the labels and merges are the same, but an older id whose story has left the window is
    forgotten: :meth:`resolve` refuses it (ValueError), :meth:`story_sizes` gives it -1 and
    :attr:`merged` leaves it out.  Keep the merges as they are reported instead
    (:attr:`last_merged` after each call).

    The same stream gives the same labels on either backend and whatever the batch sizes
    (after :meth:`resolve`).  A clusterer pickles mid-stream (model, idf, window, stories) and
    resumes with the labels an uninterrupted run gives; a damaged state raises ValueError.
    Threads may share a clusterer: feature extraction runs in parallel and the clustering
    itself one batch at a time (in the order the threads get there).

    Parameters
    ----------
    threshold, density_penalty, neighbours, cross_script_weight
        As for :func:`stories` (same defaults).
    window_days : float
        Time scale of the date discount, as for :func:`stories` (0: dates only order the stream).
    horizon_days : float, optional
        Articles this many days older than the newest are archived (default: ``window_days``;
        a story stays joinable as long as it keeps getting articles within the horizon).
    window_articles : int
        The window in articles, for streams without dates.
    lag : int
        Arrivals an article's merge decision waits for (:data:`STREAM_LAG`); until then it is a
        story of its own, and its merge is reported as a fold.  :meth:`flush` decides the rest.
    model : StoryModel, optional
        The feature options and a prior idf (e.g. fitted on a sample of the stream); its
        document frequencies are copied and then updated online with every article.  By
        default ``StoryModel(**CLUSTERING_OPTIONS)`` with no prior idf.
    update_idf : bool
        Count each article in the idf as it arrives (default True).
    forget : bool
        Forget the ids of stories that have left the window (default False: every id ever
        handed out stays resolvable, at 24 bytes per article).
    """

    def __init__(
        self,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        density_penalty: float = DEFAULT_DENSITY_PENALTY,
        window_days: float = DEFAULT_WINDOW_DAYS,
        horizon_days: float | None = None,
        window_articles: int = STREAM_WINDOW_ARTICLES,
        lag: int = STREAM_LAG,
        neighbours: int = DEFAULT_NEIGHBOURS,
        cross_script_weight: float = DEFAULT_CROSS_SCRIPT_WEIGHT,
        model: StoryModel | None = None,
        update_idf: bool = True,
        forget: bool = False,
    ) -> None:
        self.threshold = _check_number(threshold, "threshold", -1.0, 1.0)
        self.density_penalty = _check_number(density_penalty, "density_penalty", 0.0, 10.0)
        self.window_days = _check_number(window_days, "window_days", 0.0, 1e9)
        self.horizon_days = self.window_days if horizon_days is None else _check_number(
            horizon_days, "horizon_days", 0.0, 1e9)
        self.window_articles = _check_int(window_articles, "window_articles", 1, 1 << 62)
        self.lag = _check_int(lag, "lag", 0, 1 << 40)
        self.neighbours = _check_int(neighbours, "neighbours", 1, 1 << 12)
        self.cross_script_weight = _check_number(cross_script_weight, "cross_script_weight", 0.0, 100.0)
        if model is None:
            model = StoryModel(**CLUSTERING_OPTIONS)
        elif not isinstance(model, StoryModel):
            raise TypeError(f"model must be a StoryModel, not {type(model).__name__}")
        model.df  # checked when read: refused here rather than when the stream starts
        self.model = model
        if not isinstance(update_idf, (bool, np.bool_)):
            raise TypeError(f"update_idf must be a bool, not {type(update_idf).__name__}")
        self.update_idf = bool(update_idf)
        if not isinstance(forget, (bool, np.bool_)):
            raise TypeError(f"forget must be a bool, not {type(forget).__name__}")
        self.forget = bool(forget)
        self._index: _kernels.story_stream.StoryStream | None = None  # the kernel's StoryStream, made by the first batch
        self._dated: bool | None = None
        self._last_time = 0.0
        self._arrivals = 0
        self._lock = threading.Lock()

    @property
    def n_articles(self) -> int:
        """Articles seen so far."""
        return self._arrivals

    @property
    def n_stories(self) -> int:
        """Stories so far (archived ones included, those folded into another not)."""
        return 0 if self._index is None else int(self._index.n_stories)

    @property
    def n_active(self) -> int:
        """Stories with an article in the window (the rest are archived)."""
        return 0 if self._index is None else int(self._index.n_active)

    @property
    def n_active_articles(self) -> int:
        """Articles in the window."""
        return 0 if self._index is None else int(self._index.n_active_articles)

    def story_sizes(self) -> np.ndarray:
        """Articles in each story so far, by story id (0 for an id folded into another; -1 for
        an id forgotten with ``forget=True``)."""
        with self._lock:
            return np.zeros(0, dtype=np.int64) if self._index is None else self._index.story_sizes()

    @property
    def merged(self) -> dict[int, int]:
        """Every story id folded into another so far, mapped to the story it is part of now
        (with ``forget=True``, of the ids still held: see the class documentation)."""
        with self._lock:
            if self._index is None:
                return {}
            parents = self._index.parents()
        folded = np.flatnonzero((parents != np.arange(len(parents))) & (parents >= 0))
        return dict(zip(folded.tolist(), parents[folded].tolist()))

    @property
    def last_merged(self) -> dict[int, int]:
        """The story ids folded by the last :meth:`partial_fit` or :meth:`flush`, each mapped to
        the story it is part of at the end of that call.

        What a caller of a ``forget=True`` clusterer keeps to follow its labels: gathered call
        after call (a later call's entries map the stories of earlier ones on), they resolve
        every label ever handed out, where :attr:`merged` and :meth:`resolve` know only the
        ids still held."""
        with self._lock:
            if self._index is None:
                return {}
            gone, into = self._index.last_folds()
        step = dict(zip(gone.tolist(), into.tolist()))
        out: dict[int, int] = {}
        for g in sorted(step):  # an id folds into a smaller one, whose end is known by then
            k = step[g]
            out[g] = out[k] if k in out else k
        return out

    def resolve(self, labels: Any) -> np.ndarray:
        """The story each label (from any earlier :meth:`partial_fit`) is part of now (int64).

        With ``forget=True`` a label whose story has left the window (and is no longer among
        the recent ids) is forgotten: ValueError."""
        with self._lock:
            if self._index is None:
                arr = np.asarray(labels, dtype=np.int64)
                if arr.size:
                    raise ValueError("a label outside [0, 0): no stories yet")
                return arr
            return self._index.resolve(labels)

    def _make_index(self) -> None:
        self._dated = False
        self._index = _kernels.story_stream.StoryStream(
            self.model.df.copy(), int(self.model.n_docs), self.threshold, self.density_penalty,
            self.neighbours, DENSITY_NEIGHBOURS, NEIGHBOUR_INDEX_TERMS, self.lag,
            self.horizon_days, self.window_days, self.cross_script_weight, self.model.idf_power,
            self.update_idf, self.window_articles, NEIGHBOUR_MAX_POSTINGS, self.neighbours,
            self.forget,
        )

    def _times(self, articles: Sequence[Article]) -> np.ndarray:
        # Each article's own date in days, NaN where it has none: the kernel discounts a pair
        # only when both are dated, and windows each article by its own kind (see the module).
        times = article_days(articles)
        if not np.isnan(times).all():
            self._dated = True
            self._last_time = max(self._last_time, float(np.nanmax(times)))
        return times

    def partial_fit(self, batch: Iterable[Any], *, workers: int = 1,
                    features: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """Add a batch of articles, in stream order; returns the story id of each (int64).

        The ids are those at the end of the call: a later batch may fold a story into an older
        one (see :attr:`merged`; :meth:`resolve` brings earlier labels up to date).  Dates follow
        the module's one rule: a pair is discounted by its gap only when both are dated; a
        dated article leaves the window ``horizon_days`` behind the newest date, an undated one
        after ``window_articles`` later arrivals.

        ``features``: the batch's :meth:`StoryModel.features` from a model with this one's
        :attr:`~StoryModel.feature_options`, when the caller has them already (a monitor
        weighs the same batch with its own model).
        """
        articles = as_article_list(batch, what="batch")
        workers = _check_int(workers, "workers", 1, 1024)
        if not articles:
            return np.zeros(0, dtype=np.int64)
        # Features and scripts need no state: threads sharing a clusterer make them in parallel.
        if features is None:
            features = self.model.features_of(articles, workers)
        elif len(features) != 3 or len(features[0]) != len(articles) + 1:
            raise ValueError(f"features: not the CSR features of a batch of {len(articles)} articles")
        offsets, indices, weights = features
        scripts = dominant_scripts(articles)
        labels = np.empty(len(articles), dtype=np.int64)
        with self._lock:
            if self._index is None:
                self._make_index()
            assert self._index is not None  # made just above
            times = self._times(articles)
            self._index.add(offsets, indices, weights, times, scripts, labels)
            self._arrivals += len(articles)
        return labels

    def flush(self) -> None:
        """Decide every article still within its ``lag`` (at the end of a stream, or before a
        report); labels handed out before then are brought up to date by :meth:`resolve`."""
        with self._lock:
            if self._index is not None:
                self._index.flush()

    # -- pickling: the lock stays behind, the kernel's state is checked when it is loaded --------

    _FIELDS = ("threshold", "density_penalty", "window_days", "horizon_days", "window_articles",
               "lag", "neighbours", "cross_script_weight", "model", "update_idf", "_index", "_dated",
               "_last_time", "_arrivals", "forget")

    def __getstate__(self) -> dict[str, Any]:
        with self._lock:
            return {name: getattr(self, name) for name in self._FIELDS}

    def __setstate__(self, state: dict[str, Any]) -> None:
        if isinstance(state, dict) and "forget" not in state:
            state = {**state, "forget": False}  # written before forget=: every id kept
        if not isinstance(state, dict) or set(state) != set(self._FIELDS):
            raise ValueError("corrupt StoryClusterer state: not the fields of a StoryClusterer")
        if not isinstance(state["forget"], bool):
            raise ValueError("corrupt StoryClusterer state: forget is not a bool")
        if not isinstance(state["model"], StoryModel):
            raise ValueError("corrupt StoryClusterer state: model is not a StoryModel")
        index = state["_index"]
        kernel_types = tuple(
            getattr(module, "StoryStream") for module in _stream_kernel_modules())
        if index is not None and not isinstance(index, kernel_types):
            raise ValueError("corrupt StoryClusterer state: _index is not a StoryStream")
        if index is not None and bool(index.forget) != state["forget"]:
            raise ValueError("corrupt StoryClusterer state: forget disagrees with the stream")
        if state["_dated"] not in (None, True, False) or (index is None) != (state["_dated"] is None):
            raise ValueError("corrupt StoryClusterer state: _dated")
        arrivals = state["_arrivals"]
        if isinstance(arrivals, bool) or not isinstance(arrivals, int) or arrivals < 0 or (
                index is not None and arrivals != index.next_seq):
            raise ValueError("corrupt StoryClusterer state: _arrivals disagrees with the stream")
        fresh = StoryClusterer(
            threshold=state["threshold"], density_penalty=state["density_penalty"],
            window_days=state["window_days"], horizon_days=state["horizon_days"],
            window_articles=state["window_articles"], lag=state["lag"], neighbours=state["neighbours"],
            cross_script_weight=state["cross_script_weight"], model=state["model"],
            update_idf=state["update_idf"], forget=state["forget"])
        try:
            last_time = float(state["_last_time"])
        except (TypeError, ValueError):
            raise ValueError("corrupt StoryClusterer state: _last_time") from None
        self.__dict__.update(fresh.__dict__)
        self._index, self._dated, self._last_time, self._arrivals = index, state["_dated"], last_time, arrivals


def _stream_kernel_modules() -> list[ModuleType]:
    """The story_stream kernel modules that can be loaded (a pickle may name either backend)."""
    import importlib

    out = []
    for name in ("retold._ext.story_stream", "retold._reference.story_stream"):
        try:
            out.append(importlib.import_module(name))
        except ImportError:
            pass
    return out
