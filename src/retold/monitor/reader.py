"""Reading a monitor store: one article, one story, and the report data of a time range or story.

Every function reads inside one SQLite read transaction, so a reader in another process sees
one committed add, never half of one, while the monitor goes on writing (WAL mode).
"""
from __future__ import annotations

import datetime as _dt
import json
import sqlite3
from typing import Any

from retold.monitor.store import snapshot


def article_record(con: sqlite3.Connection, article_id: str, path: str) -> dict[str, Any]:
    """The stored verdict of ``article_id`` with its copy cluster and story as they are now."""
    with snapshot(con):
        row = con.execute("SELECT a.seq, a.copy_cluster, a.story, v.record FROM articles a "
                          "JOIN verdicts v USING (seq) WHERE a.id = ?", (article_id,)).fetchone()
    if row is None:
        raise KeyError(f"{path}: no article with id {article_id!r}")
    record: dict[str, Any] = json.loads(row[3])
    record["copy_cluster_then"], record["story_then"] = record["copy_cluster"], record["story"]
    record["copy_cluster"], record["story"] = row[1], row[2]
    return record


def story_record(con: sqlite3.Connection, story_id: int, path: str) -> dict[str, Any]:
    """A story as it is now (a folded id leads to the story it went into)."""
    with snapshot(con):
        story = int(story_id)
        for _ in range(1 << 20):
            row = con.execute("SELECT story, size, start, end, merged_into FROM stories WHERE story = ?",
                              (story,)).fetchone()
            if row is None:
                raise KeyError(f"{path}: no story {story_id!r}")
            if row[4] is None:
                break
            story = row[4]
        ids = [r[0] for r in con.execute(
            "SELECT id FROM articles WHERE story = ? ORDER BY date IS NULL, date, seq", (story,))]
        folded = [r[0] for r in con.execute(
            "SELECT story FROM stories WHERE merged_into = ? ORDER BY story", (story,))]
    return {"story": row[0], "size": row[1], "start": row[2], "end": row[3], "articles": ids,
            "folded": folded}


def _iso(value: Any, name: str) -> str | None:
    if value is None:
        return None
    from retold.article import parse_date

    date = parse_date(value)
    if date is None:
        raise ValueError(f"{name}: not a date: {value!r}")
    return date.isoformat()


def report_data(con: sqlite3.Connection, *, start: Any = None, end: Any = None,
                story: int | None = None, title: str | None = None) -> dict[str, Any]:
    """The :mod:`retold.report` data model of the store (as :meth:`retold.Analysis.report_data`
    makes it), for the articles dated in ``[start, end]`` and/or of one ``story``."""
    from retold import __version__

    where: list[str] = ["1"]
    params: list[Any] = []
    lo, hi = _iso(start, "start"), _iso(end, "end")
    if lo is not None:
        where.append("a.date >= ?")
        params.append(lo)
    if hi is not None:
        where.append("a.date <= ?")
        params.append(hi)
    with snapshot(con):
        if story is not None:
            story = story_record(con, story, "store")["story"]
            where.append("a.story = ?")
            params.append(story)
        rows = con.execute(
            "SELECT a.seq, a.id, a.title, a.source, a.date, a.lang, a.copy_cluster, a.story, a.text, "
            "c.representative FROM articles a LEFT JOIN copy_clusters c ON c.cluster = a.copy_cluster "
            f"WHERE {' AND '.join(where)} ORDER BY a.seq", params).fetchall()
        seqs = {r[0] for r in rows}
        id_of = {r[0]: r[1] for r in rows}
        # Pairs, passages and edges are read over the arrival range of the articles chosen (a
        # time range is close to one), through the tables' keys, then kept when both ends are in.
        span = (min(seqs), max(seqs)) if seqs else (0, -1)
        options = json.loads(con.execute("SELECT value FROM meta WHERE key = 'options'").fetchone()[0])
        pairs_rows = [r for r in con.execute(
            "SELECT a_seq, b_seq, kind, story, similarity, coverage FROM pairs WHERE b_seq BETWEEN ? AND ? "
            "ORDER BY b_seq, a_seq", span)
            if r[0] in seqs and r[1] in seqs]
        passages: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for a, b, a0, a1, b0, b1, tokens, score, quoted in con.execute(
                "SELECT a_seq, b_seq, a_start, a_end, b_start, b_end, tokens, score, quoted FROM passages "
                "WHERE a_seq BETWEEN ? AND ? ORDER BY a_seq, b_seq, k", span):
            if a in seqs and b in seqs:
                passages.setdefault((a, b), []).append({
                    "a_start": a0, "a_end": a1, "b_start": b0, "b_end": b1, "tokens": tokens,
                    "score": float(score), "quoted": bool(quoted)})
        copy_rows = [r for r in con.execute(
            "SELECT left_seq, right_seq, similarity FROM copy_pairs WHERE left_seq BETWEEN ? AND ?", span)
            if r[0] in seqs and r[1] in seqs]
        edge_rows = [r for r in con.execute(
            "SELECT derived_seq, source_seq, confidence, evidence FROM edges WHERE seq BETWEEN ? AND ? "
            "AND source_seq IS NOT NULL ORDER BY seq, k", span) if r[0] in seqs and r[1] in seqs]
    articles: list[dict[str, Any]] = []
    members: dict[int, list[tuple[bool, str, int]]] = {}
    stories: dict[int, list[tuple[bool, str, int, str | None, str | None]]] = {}
    for seq, ident, title_, source, date, lang, cluster, story_id, text, rep in rows:
        articles.append({
            "id": ident, "title": title_, "source": source, "date": date, "lang": lang,
            "copy_cluster": str(cluster), "story": str(story_id),
            "is_representative": rep == seq, "text": text})
        members.setdefault(cluster, []).append((date is None, date or "", seq))
        stories.setdefault(story_id, []).append((date is None, date or "", seq, source, lang))
    cluster_of = {r[0]: r[6] for r in rows}
    rep_of = {r[6]: r[9] for r in rows}
    copy_pairs: dict[int, list[dict[str, Any]]] = {}
    for left, right, sim in copy_rows:
        copy_pairs.setdefault(cluster_of[left], []).append(
            {"a": id_of[left], "b": id_of[right], "similarity": round(sim, 6), "verified": True})
    copies = []
    for cluster, cms in sorted(members.items()):
        ordered = [m[2] for m in sorted(cms)]
        rep = rep_of.get(cluster)
        rep = rep if rep in seqs else ordered[0]
        copies.append({"id": str(cluster), "representative": id_of[rep],
                       "members": [id_of[rep]] + [id_of[m] for m in ordered if m != rep],
                       "pairs": copy_pairs.get(cluster, [])})
    story_list: list[dict[str, Any]] = []
    for story_id, ms in sorted(stories.items()):
        ms.sort()
        dates = [m[1] for m in ms if not m[0]]
        story_list.append({
            "id": str(story_id), "size": len(ms), "label": [],
            "start": min(dates) if dates else None, "end": max(dates) if dates else None,
            "sources": list(dict.fromkeys(m[3] for m in ms if m[3])),
            "languages": list(dict.fromkeys(m[4] for m in ms if m[4])),
            "articles": [id_of[m[2]] for m in ms]})
    pairs = [{"a": id_of[a], "b": id_of[b], "story": None if s is None else str(s), "kind": kind,
              "similarity": round(sim, 4), "coverage": round(cov, 4),
              "passages": passages.get((a, b), [])} for a, b, kind, s, sim, cov in pairs_rows]
    provenance = []
    for derived, source, confidence, evidence in edge_rows:
        items = json.loads(evidence)
        provenance.append({
            "source_id": id_of[source], "derived_id": id_of[derived],
            "confidence": float(min(1.0, max(0.0, confidence))),
            "evidence": [f"{e.get('kind', 'evidence')}: {e.get('detail', '')}" for e in items]})
    return {
        "title": title or f"retold monitor: {len(articles):,} articles",
        "generated": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "retold_version": __version__, "options": options,
        "summary": {"articles": len(articles), "copy_clusters": len(copies),
                    "stories": sum(1 for s in story_list if s["size"] >= 2),
                    "passages": sum(len(p["passages"]) for p in pairs), "edges": len(provenance)},
        "articles": articles, "copies": copies, "stories": story_list, "pairs": pairs,
        "provenance": provenance,
    }
