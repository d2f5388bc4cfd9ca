"""The pairs a new article is aligned with, their passages, and its provenance edges.

The rows these functions append are written by :class:`retold.monitor.Monitor` in the add's
transaction; what they return goes into the article's :class:`~retold.monitor.Verdict`.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING


from retold.monitor.restore import Held
from retold.monitor.store import Rows
from retold.monitor.units import story_cosines
from retold.monitor.verdict import SharedPassages

if TYPE_CHECKING:
    from retold.attribution.evidence import Edge


def align_partners(seq: int, held: Held, story: int, partners: list[tuple[int, str, float | None, Held]], rows: Rows, *,
                   min_tokens: int, calibration: float) -> list[tuple[SharedPassages, int]]:
    """Align the article with each partner ``(seq, kind, cosine or None, Held)``: passages as
    :func:`retold.align` finds them (on the texts tokenised once, :attr:`Held.for_align`),
    story similarity and coverage as :func:`retold.analyze` computes them."""
    from retold.passages import align

    out: list[tuple[SharedPassages, int]] = []
    for other, kind, cos, early in partners:
        if cos is None:
            cos = float(story_cosines(held.indices, held.values, [(early.indices, early.values)])[0])
        similarity = float(min(1.0, max(0.0, cos)) ** calibration)
        found = tuple(align(early.for_align, held.for_align, min_tokens=min_tokens))
        shorter = min(early.tokens, held.tokens)
        coverage = min(1.0, sum(p.tokens for p in found) / shorter) if shorter else 0.0
        rows["pairs"].append((other, seq, kind, story, similarity, coverage))
        rows["passages"].extend(
            (other, seq, k, p.a_start, p.a_end, p.b_start, p.b_end, int(p.score), p.tokens,
             int(p.quoted), p.a_tokens, p.b_tokens, p.a_text, p.b_text) for k, p in enumerate(found))
        out.append((SharedPassages(early.article.id, kind, similarity, coverage, found), other))
    return out


def provenance_edges(seq: int, held: Held, shared: list[tuple[SharedPassages, int, Held]], rows: Rows, *,
                     min_tokens: int, min_confidence: float) -> list[Edge]:
    """Edges among the article and its partners ``(SharedPassages, seq, Held)`` that involve the
    article (as :func:`retold.analyze` judges a story: the pairs aligned, with their passages,
    plus those an explicit credit links).  Each article's attributions are scanned once while
    it is held (:meth:`Held.attributions`), not again in every later partner's set."""
    from retold.attribution.within_story import judge, known_aliases

    partners = sorted(((h, other) for _, other, h in shared), key=lambda x: (x[0].day, x[1]))
    members = [h for h, _ in partners] + [held]
    docs = [h.article for h in members]
    known = known_aliases(docs)
    me = held.article.id
    passages = {(s.with_id, me): s.passages for s, _, _ in shared}
    edges = judge(docs, [h.attributions(known) for h in members], passages=passages, pairs=[],
                  min_tokens=min_tokens, min_confidence=min_confidence,
                  lengths=[h.tokens for h in members], texts=[h.for_align for h in members])
    kept = [e for e in edges if e.derived_id == me or e.source_id == me]
    seq_of = {s.with_id: other for s, other, _ in shared}
    seq_of[me] = seq
    rows["edges"].extend(
        (seq, k, seq_of[e.derived_id], None if e.source_id is None else seq_of[e.source_id],
         e.source_name, e.confidence, int(e.external), json.dumps([x.to_dict() for x in e.evidence]))
        for k, e in enumerate(kept))
    return kept
