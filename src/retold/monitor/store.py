"""The monitor's SQLite store: schema, version check, one transaction per add, and reads.

One file holds everything a restart needs (WAL mode, so readers in other processes see the
last committed add while the monitor writes the next one):

- ``articles``: every article with its *current* copy cluster and story (folds applied);
- ``verdicts``: the verdict record of each article as :meth:`Monitor.add` returned it;
- ``copy_pairs``, ``copy_clusters``, ``stories``, ``merges``: copies and stories;
- ``pairs`` and ``passages``: the pairs aligned and the passages they share;
- ``edges``: provenance edges with their evidence, keyed by the article whose add made them;
- index state: ``copy_window`` (MinHash signatures of the articles still in the copy window),
  ``story_units`` (story vectors of the units of active stories) and ``checkpoint`` (the
  pickled :class:`retold.StoryClusterer` and its idf model, with the batch they cover; later
  batches are replayed from ``articles``, which is the log).

Writes use ``synchronous=FULL``: when a transaction's COMMIT returns, it is on disk (in the
WAL).  Copying the WAL back into the database file (a checkpoint) is not part of that promise
and does not wait for it: :class:`Checkpointer` does it on a thread of its own while the next
add works, instead of SQLite doing it inside the COMMIT that passes 1,000 pages.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

SCHEMA_VERSION = 1
APPLICATION = "retold.Monitor"
PAGE_SIZE = 16384
"""Bytes per page of a new store (SQLite's default is 4096)."""
CACHE_KIB = 32768
"""The writer's page cache in KiB: an add's changed pages, held until its COMMIT."""

WAL_SIZE_LIMIT = 64 << 20
"""Bytes the WAL file is cut back to once it has been copied into the database."""

CHECKPOINT_ARTICLES = 1000
"""Articles committed between two checkpoints: an article writes about one 16 KiB page, so
about the 1,000 pages SQLite's automatic checkpoint waits for (a checkpoint after every
single-article add would sync the database file as often as the WAL)."""

#: The rows one add writes, by table name, gathered before its one transaction.
Rows = dict[str, list[tuple[Any, ...]]]

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles(
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, batch INTEGER NOT NULL,
    title TEXT, source TEXT, date TEXT, lang TEXT, text TEXT NOT NULL, extra TEXT,
    copy_cluster INTEGER NOT NULL, story INTEGER NOT NULL);
CREATE INDEX articles_batch ON articles(batch);
CREATE INDEX articles_copy ON articles(copy_cluster);
CREATE INDEX articles_story ON articles(story);
CREATE INDEX articles_date ON articles(date);
CREATE TABLE verdicts(seq INTEGER PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE copy_pairs(
    left_seq INTEGER NOT NULL, right_seq INTEGER NOT NULL, similarity REAL NOT NULL,
    PRIMARY KEY(left_seq, right_seq)) WITHOUT ROWID;
CREATE TABLE copy_clusters(
    cluster INTEGER PRIMARY KEY, representative INTEGER NOT NULL, size INTEGER NOT NULL,
    merged_into INTEGER);
CREATE TABLE stories(
    story INTEGER PRIMARY KEY, size INTEGER NOT NULL, start TEXT, end TEXT,
    last_day REAL, last_undated INTEGER NOT NULL, merged_into INTEGER, active INTEGER NOT NULL);
CREATE TABLE merges(batch INTEGER NOT NULL, kind TEXT NOT NULL, old INTEGER NOT NULL,
    new INTEGER NOT NULL);
CREATE TABLE pairs(
    a_seq INTEGER NOT NULL, b_seq INTEGER NOT NULL, kind TEXT NOT NULL, story INTEGER,
    similarity REAL NOT NULL, coverage REAL NOT NULL, PRIMARY KEY(a_seq, b_seq)) WITHOUT ROWID;
CREATE INDEX pairs_b ON pairs(b_seq);
CREATE TABLE passages(
    a_seq INTEGER NOT NULL, b_seq INTEGER NOT NULL, k INTEGER NOT NULL,
    a_start INTEGER, a_end INTEGER, b_start INTEGER, b_end INTEGER, score INTEGER,
    tokens INTEGER, quoted INTEGER, a_tokens INTEGER, b_tokens INTEGER, a_text TEXT, b_text TEXT,
    PRIMARY KEY(a_seq, b_seq, k)) WITHOUT ROWID;
CREATE TABLE edges(
    seq INTEGER NOT NULL, k INTEGER NOT NULL, derived_seq INTEGER NOT NULL, source_seq INTEGER,
    source_name TEXT, confidence REAL NOT NULL, external INTEGER NOT NULL, evidence TEXT NOT NULL,
    PRIMARY KEY(seq, k)) WITHOUT ROWID;
CREATE TABLE copy_window(
    seq INTEGER PRIMARY KEY, signature BLOB NOT NULL, indices BLOB NOT NULL, vals BLOB NOT NULL,
    tokens INTEGER NOT NULL);
CREATE TABLE story_units(
    seq INTEGER PRIMARY KEY, story INTEGER NOT NULL, indices BLOB NOT NULL, vals BLOB NOT NULL);
CREATE INDEX story_units_story ON story_units(story);
CREATE TABLE checkpoint(name TEXT PRIMARY KEY, batch INTEGER NOT NULL, state BLOB NOT NULL);
"""


class StoreError(ValueError):
    """A monitor store that cannot be used: newer schema, another program's file, or damaged."""


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    if readonly:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        con = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        con = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA busy_timeout = 10000")
    return con


def open_store(path: str | os.PathLike[str], *, create: bool = True,
               readonly: bool = False) -> sqlite3.Connection:
    """A connection to the store at ``path`` (created with the current schema if absent).

    Raises :class:`StoreError` naming the file when it is not a monitor store, has a newer
    schema than this retold reads, or fails SQLite's quick check.
    """
    path = Path(path)
    exists = path.exists() and path.stat().st_size > 0
    if not exists and (readonly or not create):
        raise FileNotFoundError(f"{path}: no monitor store there")
    try:
        con = _connect(path, readonly=readonly)
        if not exists and not readonly:
            # Set before the first write, so the file is made with it (an existing store keeps
            # the page size it has).  An add writes megabytes (texts, passages, index state):
            # 16 KiB pages take a quarter of the writes 4 KiB pages do, and its commit is
            # cheaper by a third (the checkpoint's blob too).
            con.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        if not readonly:
            mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StoreError(f"{path}: SQLite would not use WAL mode here (got {mode!r})")
            con.execute("PRAGMA synchronous = FULL")
            # The pages an add of 1,000 articles changes fit in the cache, so they go to the
            # WAL once, at COMMIT, not spilled half-way and written again (2 MB by default).
            con.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
            con.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")  # the WAL shrinks back after a burst
        if not exists:
            with transaction(con):
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        con.execute(statement)
                con.executemany("INSERT INTO meta VALUES (?, ?)", [
                    ("application", APPLICATION), ("schema_version", str(SCHEMA_VERSION))])
        _check(con, path)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a readable monitor store ({exc})") from None
    return con


def _check(con: sqlite3.Connection, path: Path) -> None:
    ok = con.execute("PRAGMA quick_check").fetchone()[0]
    if ok != "ok":
        raise StoreError(f"{path}: the store is damaged (SQLite quick_check: {ok})")
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError:
        raise StoreError(f"{path}: not a retold monitor store (no meta table)") from None
    if meta.get("application") != APPLICATION:
        raise StoreError(f"{path}: not a retold monitor store")
    try:
        version = int(meta.get("schema_version", ""))
    except ValueError:
        raise StoreError(f"{path}: damaged store: schema_version {meta.get('schema_version')!r}") from None
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: the store has schema version {version}, newer than the {SCHEMA_VERSION} this "
            "retold reads; upgrade retold to open it")
    if version < 1:
        raise StoreError(f"{path}: damaged store: schema_version {version}")


@contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: committed (and on disk) when the block ends, rolled back if it raises."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@contextmanager
def snapshot(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A read transaction: every query in the block sees the same committed state (inside a
    transaction already, the block is part of it)."""
    if con.in_transaction:
        yield con
        return
    con.execute("BEGIN")
    try:
        yield con
    finally:
        con.execute("COMMIT")


def lock_writer(path: str | os.PathLike[str]) -> Any:
    """Hold ``PATH.lock`` so that a second monitor on the same store is refused (its in-memory
    windows would diverge from this one's); released when the returned file is closed."""
    try:
        import fcntl
    except ImportError:  # no advisory locks here: nothing to hold
        return None
    fh = open(f"{path}.lock", "a+")
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        raise StoreError(f"{path}: another monitor has this store open (it holds {path}.lock)") from None
    return fh


def get_meta(con: sqlite3.Connection, key: str) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else row[0]


def set_meta(con: sqlite3.Connection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


class Checkpointer:
    """Copies committed WAL frames into the database file on a thread with its own connection.

    An add of 1,000 articles writes some 1,000 pages; with SQLite's automatic checkpoint, the
    COMMIT that passes 1,000 pages in the WAL also copies them into the database and syncs it
    (a third of the COMMIT's time).  Here the writer's automatic checkpoint is off
    (``wal_autocheckpoint = 0``) and :meth:`kick`, called after each commit, has this thread
    run a PASSIVE checkpoint every :data:`CHECKPOINT_ARTICLES` articles (SQLite's automatic kind: it takes no lock the writer needs) while
    the next add works; the GIL is released while SQLite runs.  Durability is as before: a
    commit is on disk when it returns, in the WAL; a checkpoint killed half-way is finished by
    the next one (or by SQLite when the store is opened again).
    """

    def __init__(self, path: str | os.PathLike[str], writer: sqlite3.Connection) -> None:
        self._con = _connect(Path(path), readonly=False)
        self._con.execute("PRAGMA synchronous = FULL")
        self._con.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        self._wake = threading.Event()
        self._stopping = False
        self._pending = 0
        self._thread = threading.Thread(target=self._run, name=f"retold checkpoint {path}", daemon=True)
        self._thread.start()

    def kick(self, articles: int) -> None:
        """A commit of ``articles`` is done: once those since the last checkpoint reach
        :data:`CHECKPOINT_ARTICLES`, have the WAL copied into the database soon."""
        self._pending += articles
        if self._pending >= CHECKPOINT_ARTICLES:
            self._pending = 0
            self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            try:
                self._con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                pass  # the next kick tries again; closing the last connection checkpoints too

    def close(self) -> None:
        """Stop the thread (after the checkpoint it is running, if any) and close its connection."""
        self._stopping = True
        self._wake.set()
        self._thread.join()
        self._con.close()
