"""A batch given to :meth:`retold.Monitor.add`, as articles: checked before anything is labelled."""
from __future__ import annotations

import sqlite3
from typing import Any, Mapping, Sequence

from retold.article import Article


def as_articles(docs: Sequence[Any], first_seq: int, con: sqlite3.Connection, path: str) -> list[Article]:
    """``docs`` (str, dict or Article; the first arrives as number ``first_seq``) as articles.

    A str gets its arrival number as id.  TypeError names the article that is none of these;
    ValueError an id given twice in the batch or already in the store at ``path``.
    """
    out = []
    for k, doc in enumerate(docs):
        seq = first_seq + k
        if isinstance(doc, Article):
            out.append(doc)
        elif isinstance(doc, str):
            out.append(Article(id=str(seq), text=doc))
        elif isinstance(doc, Mapping):
            out.append(Article.from_dict(doc, position=seq))
        else:
            raise TypeError(f"article {seq} of the stream: expected str, dict or retold.Article, "
                            f"not {type(doc).__name__}")
    ids = [a.id for a in out]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ValueError(f"article id {dup!r} occurs twice in the batch")
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        found = con.execute(
            f"SELECT id FROM articles WHERE id IN ({','.join('?' * len(part))}) LIMIT 1", part).fetchone()
        if found is not None:
            raise ValueError(f"{path}: article id {found[0]!r} is in the store already")
    return out
