"""Reading the monitor's state back from its store: what a restart rebuilds, and how.

The windows are rebuilt from their tables (``copy_window``, ``stories``/``story_units``), the
story clusterer from its checkpoint plus the batches stored after it, replayed as they came.
"""
from __future__ import annotations

import io
import math
import pickle
import sqlite3
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import numpy as np

from retold.article import Article
from retold.monitor.copyindex import NO_DAY

if TYPE_CHECKING:
    from retold.attribution.scanning import Attribution
    from retold.passages import Prepared
    from retold.story_clustering import StoryClusterer, StoryModel
from retold.monitor.store import StoreError
from retold.monitor.units import ActiveStory, Unit


@dataclass
class Held:
    """What the monitor keeps of an article while it is in the copy window.

    An article is aligned with every later partner and judged again in each of their
    provenance sets: the names it credits (``attributions``) are worked out once, when first
    needed, and kept while it is held; its tokens (``for_align``) are kept for its first
    arrivals after it (see :data:`retold.monitor.monitor._PREPARED_KEPT`).
    """

    article: Article
    day: float
    tokens: int
    indices: np.ndarray
    values: np.ndarray
    _prepared: Prepared | None = field(default=None, repr=False)
    _credits: dict[tuple[str, ...], list[Attribution]] = field(default_factory=dict, repr=False)

    @property
    def for_align(self) -> Prepared | str:
        """What :func:`retold.align` takes for this article: its tokens while the monitor keeps
        them (its recent arrivals), its text otherwise (tokenised again, memory bounded)."""
        return self.article.text if self._prepared is None else self._prepared

    def forget_tokens(self) -> None:
        """Let the tokens go (memory); :attr:`prepared` makes them again if they are needed."""
        self._prepared = None

    def attributions(self, known: tuple[str, ...]) -> list[Attribution]:
        """The names the article credits among ``known`` outlets' aliases (sorted) or outside
        them, its own outlet left out: what :func:`retold.provenance` scans it for."""
        found = self._credits.get(known)
        if found is None:
            from retold.attribution.within_story import credited_names

            found = self._credits[known] = credited_names(self.article, known)
        return found


def article_day(article: Article) -> float:
    """The article's date in days since 1970 (:data:`NO_DAY` when undated)."""
    from retold.story_clustering import article_days

    value = float(article_days([article])[0])
    return NO_DAY if math.isnan(value) else value


def blob(array: np.ndarray) -> bytes:
    return np.ascontiguousarray(array).tobytes()


def _vector(indices: bytes, values: bytes) -> tuple[np.ndarray, np.ndarray]:
    return np.frombuffer(indices, dtype=np.uint32), np.frombuffer(values, dtype=np.float64)


def articles_where(con: sqlite3.Connection, where: str, params: Sequence[Any] = ()) -> list[tuple[int, int, Article]]:
    """(seq, batch, Article) of the stored articles matching ``where``, in arrival order."""
    rows = con.execute(
        "SELECT seq, batch, id, text, title, date, source, lang FROM articles "
        f"WHERE {where} ORDER BY seq", params).fetchall()
    return [(seq, batch, Article(id=i, text=t, title=ti, date=d, source=s, lang=la))
            for seq, batch, i, t, ti, d, s, la in rows]


def batches_after(con: sqlite3.Connection, batch: int) -> Iterator[list[Article]]:
    """The stored batches after ``batch``, each as it was added."""
    rows = articles_where(con, "batch > ?", (batch,))
    start = 0
    while start < len(rows):
        stop = start
        while stop < len(rows) and rows[stop][1] == rows[start][1]:
            stop += 1
        yield [r[2] for r in rows[start:stop]]
        start = stop


_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def _zstandard() -> Any:
    try:
        import zstandard
    except ImportError:
        return None
    return zstandard


def checkpoint_state(clusterer: Any, model: Any, arrivals: int) -> bytes:
    # The document frequencies are mostly zeros: compressed, a checkpoint is a third of its
    # pickle.  It is taken inside an add, so the compressor is the fast one there is: zstd
    # (the ``retold[zstd]`` extra) at level 1 compresses as small as zlib at level 1, some
    # three times faster (0.18 s against 0.59 s for the 54 MB of a 5,000-article stream).
    # The pickle streams into the compressor: the whole pickle is never held at once.
    state = (clusterer, model, arrivals)
    zstandard = _zstandard()
    if zstandard is None:
        return zlib.compress(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), 1)
    out = io.BytesIO()
    with zstandard.ZstdCompressor(level=1).stream_writer(out, closefd=False) as writer:
        pickle.dump(state, writer, protocol=pickle.HIGHEST_PROTOCOL)
    return out.getvalue()


def _unpickle(blob: bytes, path: str) -> Any:
    """A checkpoint's objects: zstd frames by their magic number, zlib otherwise."""
    if blob[:4] != _ZSTD_MAGIC:
        return pickle.loads(zlib.decompress(blob))
    zstandard = _zstandard()
    if zstandard is None:
        raise StoreError(f"{path}: the story checkpoint is zstd-compressed; install "
                         "retold[zstd] (zstandard) to open this store")
    with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(blob)) as reader:
        return pickle.load(reader)


def read_checkpoint(con: sqlite3.Connection,
                    path: str) -> tuple[StoryClusterer, StoryModel, int, int] | None:
    """(clusterer, model, batch, arrivals) of the story checkpoint, or None when there is none."""
    from retold.story_clustering import StoryClusterer, StoryModel

    row = con.execute("SELECT batch, state FROM checkpoint WHERE name = 'stories'").fetchone()
    if row is None:
        return None
    try:
        clusterer, model, arrivals = _unpickle(row[1], path)
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to unpickle is damage
        raise StoreError(f"{path}: damaged story checkpoint ({exc})") from None
    if not isinstance(clusterer, StoryClusterer) or not isinstance(model, StoryModel):
        raise StoreError(f"{path}: damaged story checkpoint")
    return clusterer, model, int(row[0]), int(arrivals)


def copy_window(con: sqlite3.Connection) -> tuple[
        dict[int, Held], list[tuple[int, str, float, bytes, int]], dict[int, tuple[int, float, int]],
        dict[int, int]]:
    """The copy window: held articles, the rows :meth:`CopyIndex.restore` takes, the facts of
    their clusters (representative, its day, size) and every copy fold so far."""
    rows = con.execute(
        "SELECT w.seq, w.signature, w.indices, w.vals, w.tokens, a.copy_cluster, a.id, a.text, "
        "a.title, a.date, a.source, a.lang FROM copy_window w JOIN articles a USING (seq) "
        "ORDER BY w.seq").fetchall()
    held: dict[int, Held] = {}
    window: list[tuple[int, str, float, bytes, int]] = []
    for seq, sig, ind, val, tokens, cluster, i, text, title, date, source, lang in rows:
        article = Article(id=i, text=text, title=title, date=date, source=source, lang=lang)
        day = article_day(article)
        held[seq] = Held(article, day, tokens, *_vector(ind, val))
        window.append((seq, text, day, sig, cluster))
    clusters: dict[int, tuple[int, float, int]] = {}
    for cluster, rep, size, rep_text, rep_date in con.execute(
            "SELECT c.cluster, c.representative, c.size, a.text, a.date FROM copy_clusters c "
            "JOIN articles a ON a.seq = c.representative WHERE c.cluster IN "
            "(SELECT DISTINCT a.copy_cluster FROM copy_window w JOIN articles a USING (seq))"):
        clusters[cluster] = (rep, article_day(Article(id=str(rep), text=rep_text, date=rep_date)), size)
    folded = dict(con.execute("SELECT old, new FROM merges WHERE kind = 'copy' ORDER BY rowid"))
    return held, window, clusters, folded


def active_story(row: Sequence[Any]) -> ActiveStory:
    """An :class:`ActiveStory` from its ``stories`` row (units and clusters not included)."""
    _, size, start, end, last_day, last_undated = row
    return ActiveStory(last_day=-math.inf if last_day is None else last_day,
                       last_undated=last_undated, size=size, start=start, end=end)


def active_stories(con: sqlite3.Connection, path: str) -> dict[int, ActiveStory]:
    """The stories still in the story window, with their units and copy clusters."""
    out = {}
    for row in con.execute("SELECT story, size, start, end, last_day, last_undated FROM stories "
                           "WHERE active = 1 ORDER BY story"):
        out[row[0]] = active_story(row)
    for seq, story, ind, val in con.execute("SELECT seq, story, indices, vals FROM story_units ORDER BY seq"):
        if story not in out:
            raise StoreError(f"{path}: damaged store: a unit of story {story}, which is not active")
        out[story].units.append(Unit(seq, *_vector(ind, val)))
    for story, cluster in con.execute(
            "SELECT a.story, a.copy_cluster FROM articles a JOIN stories s ON s.story = a.story "
            "WHERE s.active = 1"):
        out[story].clusters.add(cluster)
    return out


def stored_stories(con: sqlite3.Connection, stories: Sequence[int]) -> dict[int, ActiveStory]:
    """``stories`` as the store has them (a story it lacks: new, empty), without their units:
    what brings a story back into memory.  One read per 500 stories."""
    out: dict[int, ActiveStory] = {}
    for start in range(0, len(stories), 500):
        part = list(stories[start:start + 500])
        marks = ",".join("?" * len(part))
        rows = {r[0]: r for r in con.execute(
            "SELECT story, size, start, end, last_day, last_undated FROM stories "
            f"WHERE story IN ({marks})", part)}
        clusters: dict[int, list[int]] = {}
        for story, cluster in con.execute(
                f"SELECT story, copy_cluster FROM articles WHERE story IN ({marks})", part):
            clusters.setdefault(story, []).append(cluster)
        for story in part:
            active = out[story] = active_story(rows.get(story, (story, 0, None, None, None, -1)))
            active.clusters.update(clusters.get(story, ()))
    return out
