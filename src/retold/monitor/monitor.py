"""``retold.Monitor``: label each article of a live stream at once, with state that survives a crash.

Each :meth:`Monitor.add` takes a batch in stream order and returns one :class:`Verdict` per
article: its copy cluster and verified best match, its story (and the stories folded since),
the passages it shares with its copy cluster's representative and with its story's most
similar earlier units, and its provenance edges.  Everything goes into one SQLite file (see
:mod:`retold.monitor.store`) in one transaction per add, so when ``add`` returns the verdicts
are on disk, and a process killed at any point restarts from the last add that returned.

How the verdicts compare with :func:`retold.analyze` on the same articles in the same order
--------------------------------------------------------------------------------------------
The monitor composes the same capabilities, but it cannot see the future:

- **copies**: the same shingles, MinHash, LSH tuning and exact verification as ``dedup``, so a
  pair is a copy pair exactly when ``dedup`` verifies it, except that (a) only earlier articles
  within the copy window are candidates (``copy_window_days``, ``copy_window_articles``), and
  (b) every LSH candidate is verified (the batch's ``bucket_cap`` star edges are not used).
  The clusters are the same partition where (a) and (b) change nothing; their *ids* differ:
  the arrival number of a cluster's first article, not a dense rank.  ``matched_with`` looks
  only back (the batch's best match may be a later article), and the representative is the
  earliest dated member *so far* (a later-arriving but earlier-dated copy takes over).
- **stories**: :class:`retold.StoryClusterer`, the batch's average-link decisions made online
  with idf learned as the stream arrives; ``story`` is the label at the end of the add, and a
  later bridge may still fold it (``merged_stories`` of a later verdict, and :meth:`get`).
  With the default ``story_lag=0`` an article's merge is decided when it arrives (the batch and a
  lagged clusterer also let later articles vote).
- **passages**: the pairs ``analyze`` would choose, chosen when the article arrives: its copy
  cluster's representative then (or, when it takes over as representative, the one it
  replaces), and, when its copy cluster is new to its story, the
  ``neighbours`` most similar earlier units of the story as it is then, by the cosine of story
  vectors weighted with the idf of that moment (arrival order stands in for time order).
- **provenance**: :func:`retold.provenance` on the article and those partners, with their
  passages; the edges kept are those involving the new article.  Credit edges across stories
  (``analyze``'s ``with_credit_edges``) are not made.

Deterministic: the same stream cut into the same batches gives the same verdicts and the same
store, with or without crashes and restarts in between, on either backend.
"""
from __future__ import annotations

import json
import math
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

from retold.article import Article
from retold.passages import prepare
from retold.monitor import store as _store
from retold.monitor import writes as _writes
from retold.monitor.store import Rows
from retold.monitor.copyindex import NO_DAY, CopyIndex, CopyVerdict
from retold.monitor.intake import as_articles
from retold.monitor.options import check_options, reconcile
from retold.monitor.pairs import align_partners, provenance_edges
from retold.monitor.restore import (
    Held,
    active_stories,
    article_day,
    articles_where,
    batches_after,
    blob,
    checkpoint_state,
    copy_window,
    read_checkpoint,
    stored_stories,
)
from retold.monitor.units import StoryUnits
from retold.monitor.verdict import SharedPassages, Verdict, with_folds

if TYPE_CHECKING:
    from retold.attribution.evidence import Edge

__all__ = ["Monitor"]


_SCAN_EVERY = 256
# Held articles keep their tokens (Held.for_align: ~9 KB each) for this many arrivals, not for
# the whole copy window (up to 14,000 articles): partners are mostly recent, and one from
# further back is tokenised again when it is needed.
_PREPARED_KEPT = 4096


class Monitor:
    """An incremental monitor of a news stream, its state in the SQLite file ``path``.

    ``Monitor(path, **options)`` creates the store when it is absent and otherwise continues it
    (options named must repeat the stored ones); :meth:`open` only continues.  See the module
    docstring for how the verdicts relate to :func:`retold.analyze`, and
    :func:`retold.monitor.options.defaults` for the options: copies (``copy_threshold``,
    ``copy_measure`` (``copy_similarity`` in 0.1), ``ngram``, ``num_perm``, ``recall``, ``seed``,
    ``copy_window_days``, ``copy_window_articles``), stories (``story_threshold``, ``window_days``, ``horizon_days``,
    ``window_articles``, ``story_lag``), passages and provenance (``min_tokens``,
    ``neighbours``, ``passages``, ``provenance``, ``min_confidence``) and ``checkpoint_every``.

    Memory follows the windows, not the stream: articles, copy clusters and stories that have
    left them are only in the store (:meth:`get` and :meth:`story` still find them).

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, path: str | os.PathLike[str], *, _create: bool = True, **options: Any) -> None:
        self.path = Path(path)
        if not _create and not self.path.exists():
            raise FileNotFoundError(f"{self.path}: no monitor store there")
        self._lock = _store.lock_writer(self.path)
        try:
            self._con = _store.open_store(self.path, create=_create)
        except BaseException:
            self._unlock()
            raise
        try:
            stored = _store.get_meta(self._con, "options")
            if stored is None:
                self.options = check_options(options)
                with _store.transaction(self._con):
                    _store.set_meta(self._con, "options", json.dumps(self.options, sort_keys=True))
            else:
                try:
                    stored_options = json.loads(stored)
                except ValueError:
                    raise _store.StoreError(f"{self.path}: damaged store: options are not JSON") from None
                self.options = reconcile(stored_options, options, str(self.path))
            self._load()
            self._checkpointer = _store.Checkpointer(self.path, self._con)
        except BaseException:
            self._con.close()
            self._unlock()
            raise

    def _unlock(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    @classmethod
    def open(cls, path: str | os.PathLike[str], **options: Any) -> "Monitor":
        """Continue the store at ``path`` (FileNotFoundError when there is none; StoreError naming
        the file when it is newer than this retold or damaged)."""
        return cls(path, _create=False, **options)

    # -- state -----------------------------------------------------------------------------------

    def _fresh(self) -> None:
        from retold.analysis import NEIGHBOUR_WINDOW
        from retold.copies import check_dedup_options
        from retold.story_clustering import CLUSTERING_OPTIONS, StoryClusterer, StoryModel

        o = self.options
        _, _, _, lsh_threshold = check_dedup_options(
            threshold=o["copy_threshold"], recall=o["recall"], ngram=o["ngram"], keep="earliest",
            measure=o["copy_measure"], verify=True, lsh_threshold=None)
        self._copies = CopyIndex(
            threshold=o["copy_threshold"], containment=o["copy_measure"] == "containment",
            lsh_threshold=lsh_threshold, ngram=o["ngram"], num_perm=o["num_perm"], recall=o["recall"],
            seed=o["seed"], window_days=o["copy_window_days"], window_articles=o["copy_window_articles"])
        self._clusterer = StoryClusterer(
            threshold=o["story_threshold"], window_days=o["window_days"], horizon_days=o["horizon_days"],
            window_articles=o["window_articles"], lag=o["story_lag"])
        self._model = StoryModel(**CLUSTERING_OPTIONS)
        self._units = StoryUnits(neighbours=o["neighbours"], window=NEIGHBOUR_WINDOW,
                                 n_features=self._model.n_features)
        self._held: dict[int, Held] = {}
        self._arrivals = 0
        self._last_add = 0
        self._batches = 0
        self._newest_day = -math.inf
        self._checkpoint_batch = -1
        self._checkpoint_arrivals = 0

    def _load(self) -> None:
        """Rebuild the in-memory state from the store (the last committed add)."""
        self._fresh()
        con = self._con
        with _store.snapshot(con):
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            self._arrivals = int(meta.get("arrivals", 0))
            self._batches = int(meta.get("batches", 0))
            self._newest_day = float(meta.get("newest_day", "-inf"))
            found = read_checkpoint(con, str(self.path))
            if found is not None:
                self._clusterer, self._model, self._checkpoint_batch, self._checkpoint_arrivals = found
            self._replay(con)
            self._restore_copies(con)
            self._restore_units(con)
        if self._clusterer.n_articles != self._arrivals:
            raise _store.StoreError(
                f"{self.path}: damaged store: the story state holds {self._clusterer.n_articles} "
                f"articles, the store {self._arrivals}")

    def _replay(self, con: sqlite3.Connection) -> None:
        """Feed the batches after the checkpoint to the story state again, as they came."""
        for batch in batches_after(con, self._checkpoint_batch):
            self._model.partial_fit(batch)
            self._clusterer.partial_fit(batch)

    def _restore_copies(self, con: sqlite3.Connection) -> None:
        self._held, window, clusters, folded = copy_window(con)
        self._copies.restore(window, clusters, folded)

    def _restore_units(self, con: sqlite3.Connection) -> None:
        self._units.stories.update(active_stories(con, str(self.path)))

    def _wake(self, story: int) -> None:
        """Make ``story`` active in memory: new, or back from the store (the clusterer keeps a
        story a little longer than its last article when that sits on the window's edge)."""
        if story not in self._units.stories:
            self._units.stories.update(stored_stories(self._con, [story]))

    def _wake_all(self, stories: list[int]) -> None:
        """:meth:`_wake` each of ``stories``, reading the store once per 500 stories rather than
        twice per story (most of an add's queries otherwise)."""
        self._units.stories.update(stored_stories(
            self._con, list(dict.fromkeys(s for s in stories if s not in self._units.stories))))

    def add(self, articles: Iterable[Any]) -> list[Verdict]:
        """Label a batch of articles (in stream order) and store it; one :class:`Verdict` each.

        Articles are str (id: arrival number), dict (``text`` and optional ``id``, ``title``,
        ``date``, ``source``, ``lang``) or :class:`retold.Article`; an id already in the store is
        refused.  The batch is one transaction: when this returns, the verdicts are on disk;
        if it raises, nothing of the batch is stored (and the monitor carries on from the store).
        """
        if self._con is None:
            raise ValueError(f"{self.path}: the monitor is closed")
        if isinstance(articles, (str, bytes)):
            raise TypeError("articles must be an iterable of articles, not a single string")
        arts = as_articles(list(articles), self._arrivals, self._con, str(self.path))
        if not arts:
            return []
        try:
            with _store.transaction(self._con):
                verdicts = self._add(arts)
        except BaseException:
            # Memory may be ahead of the store: take the state again from the last commit.
            self._load()
            raise
        self._checkpointer.kick(len(arts))
        return verdicts

    def _add(self, arts: list[Article]) -> list[Verdict]:
        con = self._con
        batch = self._batches
        seqs = list(range(self._arrivals, self._arrivals + len(arts)))
        days = [article_day(a) for a in arts]
        texts = [a.text for a in arts]
        signatures = self._copies.sign(texts)
        copy_verdicts = self._copies.add(seqs, texts, days, signatures)
        # One feature pass for both models (they are made with the same feature options).
        features = self._model.features(arts)
        vectors = self._model.partial_fit_vectors(arts, features=features)
        before = sorted(self._units.stories)
        shared = self._clusterer.model.feature_options == self._model.feature_options
        labels = self._clusterer.partial_fit(arts, features=features if shared else None).tolist()
        now = self._clusterer.resolve(np.asarray(before, dtype=np.int64)).tolist() if before else []
        story_folds = [(old, new) for old, new in zip(before, now) if old != new]
        rows: Rows = {name: [] for name in (
            "articles", "copy_window", "copy_pairs", "story_units", "drop_units", "pairs",
            "passages", "edges", "verdicts")}
        for old, new in story_folds:
            self._fold_story(old, new, batch, rows)
        self._arrivals += len(arts)
        self._last_add = len(arts)
        self._batches += 1
        for day in days:
            if day != NO_DAY:
                self._newest_day = max(self._newest_day, day)
        verdicts = []
        touched = {new for _, new in story_folds}
        self._wake_all(labels)
        for k, (article, seq, day, cv, story) in enumerate(zip(arts, seqs, days, copy_verdicts, labels)):
            ind, val = vectors.row(k)
            prepared = prepare(article.text)
            held = Held(article, day, len(prepared), ind.copy(), val.copy(), prepared)
            self._held[seq] = held
            verdicts.append(self._record(batch, seq, held, cv, story, signatures[k], rows))
            touched.add(story)
            older = self._held.get(seq - _PREPARED_KEPT)
            if older is not None:
                older.forget_tokens()
        verdicts = with_folds(verdicts, story_folds)
        rows["verdicts"] = [(v.seq, json.dumps(v.to_dict())) for v in verdicts]
        _writes.write_rows(con, rows, copy_verdicts, batch, self._copies)
        _writes.write_stories(con, self._units.stories, touched)
        self._evict()
        if self._arrivals - self._checkpoint_arrivals >= self.options["checkpoint_every"]:
            self._checkpoint()
        for key, value in (("arrivals", self._arrivals), ("batches", self._batches),
                           ("newest_day", repr(self._newest_day))):
            _store.set_meta(con, key, str(value))
        return verdicts

    def _fold_story(self, old: int, new: int, batch: int, rows: Rows) -> None:
        self._wake(new)
        rows["drop_units"].extend((s,) for s in self._units.fold(old, new, self._copies.resolve))
        _writes.fold_story(self._con, old, new, batch)

    def _record(self, batch: int, seq: int, held: Held, cv: CopyVerdict, story: int,
                signature: np.ndarray, rows: Rows) -> Verdict:
        """One article's rows and everything found for it; its verdict."""
        art = held.article
        date = art.date.isoformat() if art.date else None
        rows["articles"].append(
            (seq, art.id, batch, art.title, art.source, date, art.lang, art.text,
             json.dumps(dict(art.extra), default=str) if art.extra else None, cv.cluster, story))
        # The vectors are uint32/float64 already: no copy before the one into bytes.
        indices = blob(held.indices.astype(np.uint32, copy=False))
        values = blob(held.values.astype(np.float64, copy=False))
        rows["copy_window"].append((seq, blob(signature), indices, values, held.tokens))
        rows["copy_pairs"].extend(cv.pairs)
        partners: list[tuple[int, str, float | None]] = []
        if cv.representative != seq:
            partners.append((cv.representative, "copy", None))
        elif cv.replaced is not None:
            # An earlier-dated copy arriving late represents its cluster from now on: it is
            # aligned with the representative it replaces (the batch aligns it with every member).
            partners.append((cv.replaced, "copy", None))
        self._wake(story)
        chosen = self._units.add(story, seq, self._copies.resolve(cv.cluster), held.day, date,
                                 held.indices, held.values, self._copies.resolve)
        if chosen is not None:
            near, dropped = chosen
            rows["story_units"].append((seq, story, indices, values))
            rows["drop_units"].extend((s,) for s in dropped)
            taken = {p[0] for p in partners}
            partners.extend((u, "story", cos) for u, cos in near if u not in taken)
        shared = self._passages(seq, held, story, partners, rows) if self.options["passages"] else []
        edges = self._provenance(seq, held, shared, rows) if self.options["provenance"] and shared else []
        matched = None if cv.matched_with is None else self._id_of(cv.matched_with)
        return Verdict(id=art.id, seq=seq, copy_cluster=cv.cluster,
                       representative=self._id_of(cv.representative), matched_with=matched,
                       similarity=cv.similarity, story=story,
                       passages=tuple(s for s, _ in shared), edges=tuple(edges))

    def _id_of(self, seq: int) -> str:
        held = self._held.get(seq)
        if held is not None:
            return held.article.id
        return str(self._con.execute("SELECT id FROM articles WHERE seq = ?", (seq,)).fetchone()[0])

    def _partner(self, seq: int) -> Held:
        """A partner article: held, or (left the copy window) read back from the store."""
        held = self._held.get(seq)
        if held is not None:
            return held
        (_, _, article), = articles_where(self._con, "seq = ?", (seq,))
        vec = self._model.vectors([article])
        ind, val = vec.row(0)
        return Held(article, article_day(article), len(prepare(article.text)), ind, val)

    def _passages(self, seq: int, held: Held, story: int, partners: list[tuple[int, str, float | None]],
                  rows: Rows) -> list[tuple[SharedPassages, int]]:
        return align_partners(seq, held, story, [(o, k, c, self._partner(o)) for o, k, c in partners],
                              rows, min_tokens=self.options["min_tokens"],
                              calibration=self._model.calibration)

    def _provenance(self, seq: int, held: Held, shared: list[tuple[SharedPassages, int]],
                    rows: Rows) -> list[Edge]:
        return provenance_edges(seq, held, [(s, o, self._partner(o)) for s, o in shared], rows,
                                min_tokens=self.options["min_tokens"],
                                min_confidence=self.options["min_confidence"])

    def _evict(self) -> None:
        gone = self._copies.evict(self._newest_day, self._arrivals)
        for seq in gone:
            del self._held[seq]
        _writes.leave_copy_window(self._con, gone)
        o = self.options
        horizon = o["window_days"] if o["horizon_days"] is None else o["horizon_days"]
        # Stories are looked over once every ``every`` arrivals (a scan costs them all).
        every = max(1, min(_SCAN_EVERY, o["window_articles"] // 4))
        if self._arrivals // every == (self._arrivals - self._last_add) // every:
            return
        _writes.expire_stories(self._con, self._units.expired(
            self._newest_day, horizon, self._arrivals, o["window_articles"]))

    def _checkpoint(self) -> None:
        state = checkpoint_state(self._clusterer, self._model, self._arrivals)
        self._con.execute("INSERT OR REPLACE INTO checkpoint VALUES ('stories', ?, ?)",
                          (self._batches - 1, state))
        self._checkpoint_batch, self._checkpoint_arrivals = self._batches - 1, self._arrivals

    # -- reading ---------------------------------------------------------------------------------

    def get(self, article_id: str) -> dict[str, Any]:
        """The stored verdict of an article, with its copy cluster and story as they are now
        (``copy_cluster_then`` and ``story_then``: as the verdict gave them).  KeyError if absent."""
        from retold.monitor.reader import article_record

        return article_record(self._con, article_id, str(self.path))

    def story(self, story_id: int) -> dict[str, Any]:
        """A story as it is now (a folded id gives the story it is part of): id, size, start,
        end, articles (ids in time order), folded (ids folded into it).  KeyError if absent."""
        from retold.monitor.reader import story_record

        return story_record(self._con, story_id, str(self.path))

    def __len__(self) -> int:
        return self._arrivals

    def __contains__(self, article_id: object) -> bool:
        """Whether an article with this id is in the store."""
        return self._con.execute("SELECT 1 FROM articles WHERE id = ?",
                                 (str(article_id),)).fetchone() is not None

    @property
    def in_memory(self) -> dict[str, int]:
        """What the windows hold now: ``articles`` (copy window), ``copy_clusters`` and
        ``stories`` (active ones); everything else is only in the store."""
        return {"articles": len(self._held), "copy_clusters": len(self._copies.clusters),
                "stories": len(self._units)}

    def report_data(self, *, start: Any = None, end: Any = None, story: int | None = None,
                    title: str | None = None) -> dict[str, Any]:
        """The :mod:`retold.report` data model of the store, for the articles dated in
        ``[start, end]`` and/or of one story (see :func:`retold.monitor.reader.report_data`)."""
        from retold.monitor.reader import report_data

        return report_data(self._con, start=start, end=end, story=story, title=title)

    def __repr__(self) -> str:
        return (f"Monitor({str(self.path)!r}, articles={self._arrivals}, held={len(self._held)}, "
                f"active_stories={len(self._units)})")

    # -- closing ---------------------------------------------------------------------------------

    def close(self) -> None:
        """Checkpoint the story state and close the store (safe to call twice)."""
        if self._con is None:
            return
        try:
            self._checkpointer.close()
            if self._arrivals > self._checkpoint_arrivals:
                with _store.transaction(self._con):
                    self._checkpoint()
        finally:
            self._con.close()
            self._con = None  # type: ignore[assignment]
            self._unlock()

    def __enter__(self) -> "Monitor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
