"""The rows an add changes in the monitor's store, written inside its one transaction.

:class:`retold.monitor.Monitor` gathers an add's new rows (:data:`retold.monitor.store.Rows`)
while it labels the batch; these functions write them, and the changes folds and window
exits make to rows already stored, so that every label in the store is as it is at the add's end.
"""
from __future__ import annotations

import sqlite3
from typing import Iterable

from retold.monitor.copyindex import CopyIndex, CopyVerdict
from retold.monitor.store import Rows
from retold.monitor.units import ActiveStory


def write_rows(con: sqlite3.Connection, rows: Rows, copy_verdicts: list[CopyVerdict], batch: int,
               copies: CopyIndex) -> None:
    """The add's rows, in an order that leaves every label as it is at the add's end."""
    con.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows["articles"])
    folds = [f for cv in copy_verdicts for f in cv.folds]
    for old, new in folds:  # in order: a later fold may move what an earlier one moved
        con.execute("UPDATE articles SET copy_cluster = ? WHERE copy_cluster = ?", (new, old))
        con.execute("UPDATE copy_clusters SET merged_into = ? WHERE merged_into = ?", (new, old))
    con.executemany("INSERT INTO merges VALUES (?, 'copy', ?, ?)", [(batch, o, n) for o, n in folds])
    write_clusters(con, copies, {c for cv in copy_verdicts for c in (cv.cluster, *(f[0] for f in cv.folds))})
    con.executemany("INSERT INTO copy_window VALUES (?, ?, ?, ?, ?)", rows["copy_window"])
    con.executemany("INSERT INTO copy_pairs VALUES (?, ?, ?)", rows["copy_pairs"])
    con.executemany("DELETE FROM story_units WHERE seq = ?", rows["drop_units"])
    con.executemany("INSERT INTO story_units VALUES (?, ?, ?, ?)", rows["story_units"])
    con.executemany("INSERT INTO pairs VALUES (?, ?, ?, ?, ?, ?)", rows["pairs"])
    con.executemany("INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows["passages"])
    con.executemany("INSERT INTO edges VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows["edges"])
    con.executemany("INSERT INTO verdicts VALUES (?, ?)", rows["verdicts"])


def write_clusters(con: sqlite3.Connection, copies: CopyIndex, touched: set[int]) -> None:
    """The copy clusters this add touched, as they are at its end."""
    out = []
    for cluster in sorted(touched):
        root = copies.resolve(cluster)
        info = copies.clusters[root]
        out.append((cluster, info.representative, info.size if root == cluster else 0,
                    None if root == cluster else root))
    con.executemany("INSERT OR REPLACE INTO copy_clusters VALUES (?, ?, ?, ?)", out)


def write_stories(con: sqlite3.Connection, stories: dict[int, ActiveStory], touched: set[int]) -> None:
    """The rows of the active stories this add touched."""
    con.executemany("INSERT OR REPLACE INTO stories VALUES (?, ?, ?, ?, ?, ?, NULL, 1)",
                    [stories[s].row(s) for s in sorted(touched) if s in stories])


def fold_story(con: sqlite3.Connection, old: int, new: int, batch: int) -> None:
    """Story ``old`` folded into ``new``: its articles, units and earlier folds go with it."""
    con.execute("UPDATE stories SET merged_into = ?, active = 0 WHERE story = ?", (new, old))
    con.execute("UPDATE stories SET merged_into = ? WHERE merged_into = ?", (new, old))
    con.execute("UPDATE articles SET story = ? WHERE story = ?", (new, old))
    con.execute("UPDATE story_units SET story = ? WHERE story = ?", (new, old))
    con.execute("INSERT INTO merges VALUES (?, 'story', ?, ?)", (batch, old, new))


def leave_copy_window(con: sqlite3.Connection, gone: Iterable[int]) -> None:
    con.executemany("DELETE FROM copy_window WHERE seq = ?", [(s,) for s in gone])


def expire_stories(con: sqlite3.Connection, expired: Iterable[int]) -> None:
    """Stories that left the story window: inactive, their units dropped."""
    expired = list(expired)
    con.executemany("UPDATE stories SET active = 0 WHERE story = ?", [(s,) for s in expired])
    con.executemany("DELETE FROM story_units WHERE story = ?", [(s,) for s in expired])
