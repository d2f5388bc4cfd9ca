"""What an :class:`~retold.analysis.Analysis` gives out: records, the report's data, the files.

The record generators are what ``Analysis.article_records()`` and the others return, what
:mod:`retold.io.frames` makes tables of and what :func:`save` writes as JSONL and Parquet;
:func:`report_data` is the data model :mod:`retold.report` renders.
"""
from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, cast

import numpy as np

from retold.analysis.pair_selection import time_key
from retold.progress import ProgressHook
from retold.progress import no_progress as _no_progress

if TYPE_CHECKING:
    from retold.analysis.result import Analysis


OUTPUT_NAMES = ("articles", "copy_pairs", "stories", "passages", "provenance")
"""Record files :meth:`Analysis.save` writes, as ``NAME.jsonl`` (and ``NAME.parquet``)."""

REPORT_REUSED_PASSAGES = 500
"""The most reprinted passages the report lists (all are in ``reused_passages.jsonl``)."""


def _story_id(label: int) -> str:
    return str(label)


def _copy_id(label: int) -> str:
    return str(label)


def _time_sorted(analysis: Analysis, positions: list[int]) -> list[int]:
    return sorted(positions, key=lambda i: time_key(analysis.articles[i], i))


def article_records(analysis: Analysis) -> Iterator[dict[str, Any]]:
    """One record per article, in input order: id, title, source, date, lang, copy_cluster,
    copy_cluster_size, is_representative, story, story_size (texts are left out: join on id)."""
    copy_sizes = analysis.copies.cluster_sizes
    story_sizes = np.bincount(analysis.stories.labels, minlength=analysis.stories.n_stories)
    reps = analysis.copies.is_representative
    for i, art in enumerate(analysis.articles):
        c, s = int(analysis.copies.labels[i]), int(analysis.stories.labels[i])
        yield {
            "id": art.id, "title": art.title, "source": art.source,
            "date": art.date.isoformat() if art.date else None, "lang": art.lang,
            "copy_cluster": c, "copy_cluster_size": int(copy_sizes[c]),
            "is_representative": bool(reps[i]),
            "story": s, "story_size": int(story_sizes[s]),
        }


def copy_pair_records(analysis: Analysis) -> Iterator[dict[str, Any]]:
    """One record per verified copy pair: a, b, similarity, verified, measure, copy_cluster."""
    for record, a in zip(analysis.copies.iter_pair_records(), analysis.copies.pairs.a.tolist()):
        record["copy_cluster"] = int(analysis.copies.labels[a])
        yield record


def story_records(analysis: Analysis) -> Iterator[dict[str, Any]]:
    """One record per story (singletons included), by id: story, size, label (top terms),
    start, end, sources, languages, articles (ids in time order)."""
    for story in analysis.stories.stories:
        members = _time_sorted(analysis, list(story.positions))
        arts = [analysis.articles[m] for m in members]
        yield {
            "story": story.id, "size": story.size, "label": list(story.terms),
            "start": story.start.isoformat() if story.start else None,
            "end": story.end.isoformat() if story.end else None,
            "sources": list(story.sources),
            "languages": list(dict.fromkeys(a.lang for a in arts if a.lang)),
            "articles": [a.id for a in arts],
        }


def passage_records(analysis: Analysis) -> Iterator[dict[str, Any]]:
    """One record per passage of the precomputed pairs: a, b, story, kind, the offsets into
    each text, tokens (equal words), score, quoted, and ``text`` (the passage in ``a``)."""
    for pair in analysis.pairs:
        text_a = analysis.article(pair.a).text
        for p in pair.passages:
            yield {
                "a": pair.a, "b": pair.b, "story": pair.story, "kind": pair.kind,
                "a_start": p.a_start, "a_end": p.a_end, "b_start": p.b_start, "b_end": p.b_end,
                "tokens": p.tokens, "score": p.score, "quoted": p.quoted,
                "text": text_a[p.a_start:p.a_end],
            }


def provenance_records(analysis: Analysis) -> Iterator[dict[str, Any]]:
    """One record per provenance edge (see :class:`retold.Edge`)."""
    for edge in analysis.provenance:
        yield _edge_dict(edge)


def reused_passage_records(analysis: Analysis) -> Iterator[dict[str, Any]]:
    """One record per printing of a reused passage (see :meth:`ReusedPassages.iter_records`)."""
    return iter(()) if analysis.reused is None else analysis.reused.iter_records()


def _reused_report(analysis: Analysis) -> list[dict[str, Any]]:
    if analysis.reused is None:
        return []
    out = []
    for p in analysis.reused.passages[:REPORT_REUSED_PASSAGES]:
        out.append({
            "id": f"r{p.cluster}", "size": p.count, "documents": p.documents,
            "sources": list(p.sources), "span_days": p.span_days,
            "occurrences": [{
                "article": o.id, "start": o.start, "end": o.end, "text": o.text,
                "date": o.date.isoformat() if o.date else None, "source": o.source,
            } for o in p.occurrences],
        })
    return out


def report_data(analysis: Analysis, *, title: str | None = None) -> dict[str, Any]:
    """The data model of :mod:`retold.report` for this analysis (see ``retold.report.render``)."""
    from retold import __version__

    reps = analysis.copies.is_representative
    articles = []
    for i, art in enumerate(analysis.articles):
        articles.append({
            "id": art.id, "title": art.title, "source": art.source,
            "date": art.date.isoformat() if art.date else None, "lang": art.lang,
            "copy_cluster": _copy_id(int(analysis.copies.labels[i])),
            "story": _story_id(int(analysis.stories.labels[i])),
            "is_representative": bool(reps[i]), "text": art.text,
        })
    cluster_pairs: dict[int, list[dict[str, Any]]] = {}
    for record, a in zip(analysis.copies.iter_pair_records(), analysis.copies.pairs.a.tolist()):
        cluster_pairs.setdefault(int(analysis.copies.labels[a]), []).append({
            "a": record["a"], "b": record["b"],
            "similarity": record["similarity"], "verified": record["verified"],
        })
    order = np.argsort(analysis.copies.labels, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(analysis.copies.cluster_sizes)])
    copies = []
    for label in range(len(analysis.copies.representatives)):
        members = order[bounds[label]:bounds[label + 1]].tolist()
        rep = int(analysis.copies.representatives[label])
        members = [rep] + [m for m in _time_sorted(analysis, members) if m != rep]
        copies.append({
            "id": _copy_id(label), "representative": analysis.articles[rep].id,
            "members": [analysis.articles[m].id for m in members],
            "pairs": cluster_pairs.get(label, []),
        })
    stories = []
    for record in analysis.story_records():
        record = dict(record)
        record["id"] = _story_id(record.pop("story"))
        stories.append(record)
    pairs: list[dict[str, Any]] = []
    for pair in analysis.pairs:
        pairs.append({
            "a": pair.a, "b": pair.b,
            "story": None if pair.story is None else _story_id(pair.story),
            "kind": pair.kind, "similarity": round(pair.similarity, 4),
            "coverage": round(pair.coverage, 4),
            "passages": [{
                "a_start": p.a_start, "a_end": p.a_end, "b_start": p.b_start, "b_end": p.b_end,
                "tokens": p.tokens, "score": float(p.score), "quoted": p.quoted,
            } for p in pair.passages],
        })
    provenance = []
    for edge in analysis.provenance:
        record = _edge_dict(edge)
        if record.get("source_id") is None:
            # An outlet named as the source but not in the corpus: the page draws edges
            # between articles only (provenance.jsonl keeps these).
            continue
        provenance.append({
            "source_id": record["source_id"], "derived_id": record["derived_id"],
            "confidence": float(min(1.0, max(0.0, record.get("confidence") or 0.0))),
            "evidence": [_evidence_text(e) for e in record.get("evidence") or []],
        })
    return {
        "title": title or f"retold analysis of {len(analysis.articles):,} articles",
        "generated": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "retold_version": __version__,
        "options": dict(analysis.options),
        "summary": {
            "articles": len(articles),
            "copy_clusters": len(analysis.copies.clusters),
            "stories": len(analysis.stories.multi(2)),
            "passages": sum(len(p["passages"]) for p in pairs),
            "edges": len(provenance),
        },
        "articles": articles, "copies": copies, "stories": stories, "pairs": pairs,
        "provenance": provenance, "reused": _reused_report(analysis),
    }


def save(analysis: Analysis, directory: str | os.PathLike[str], *, parquet: bool | None,
         report: bool, title: str | None, progress: ProgressHook | None) -> dict[str, Path]:
    """What :meth:`Analysis.save` does: write the results into ``directory``, all files at once
    (the parameters, files and errors are documented there)."""
    from retold.io import write_records

    if parquet is None:
        try:
            import pyarrow  # noqa: F401
            import pyarrow.parquet  # noqa: F401
        except ImportError:
            parquet = False
        else:
            parquet = True
    from retold.io.atomic_directory import atomic_directory

    sources: dict[str, Callable[[], Iterable[dict[str, Any]]]] = {
        "articles": analysis.article_records,
        "copy_pairs": analysis.copy_pair_records,
        "stories": analysis.story_records,
        "passages": analysis.passage_records,
        "provenance": analysis.provenance_records,
    }
    if analysis.reused is not None:
        sources["reused_passages"] = analysis.reused_passage_records
    formats = ["jsonl"] + (["parquet"] if parquet else [])
    # Every name any run may write, so that re-running with other options is not refused.
    owned = {f"{name}.{fmt}" for name in [*sources, "reused_passages"]
             for fmt in ("jsonl", "parquet")} | {"report.html"}
    total = len(sources) * len(formats) + int(report)
    names: list[str] = []
    stage = progress or _no_progress
    target = Path(directory)
    # The files belong together (the report and the records describe one run): written
    # into a temporary directory that replaces ``directory`` only once all are there.
    with stage("report", total) as advance, atomic_directory(target, owned=owned) as staging:
        for name, records in sources.items():
            for fmt in formats:
                path = staging / f"{name}.{fmt}"
                write_records(records(), path, format=fmt)
                names.append(path.name)
                advance(1)
        if report:
            from retold.report import render_report

            path = render_report(report_data(analysis, title=title), staging / "report.html")
            names.append(path.name)
            advance(1)
    written = {name: target / name for name in names}
    return written


def _edge_dict(edge: Any) -> dict[str, Any]:
    if isinstance(edge, Mapping):
        return dict(edge)
    if callable(getattr(edge, "to_dict", None)):
        record: dict[str, Any] = edge.to_dict()
        return record
    from dataclasses import asdict, is_dataclass

    if is_dataclass(edge):
        return asdict(cast(Any, edge))
    raise TypeError(f"cannot turn a provenance edge of type {type(edge).__name__} into a record")


def _evidence_text(item: Any) -> str:
    if isinstance(item, Mapping) and "detail" in item:
        return f"{item.get('kind', 'evidence')}: {item['detail']}"
    return str(item)
