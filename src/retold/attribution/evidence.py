"""The evidence for an edge, how it is weighed, and the edge itself (:class:`Edge`).

Weights (set by hand, documented here, the same for every language): attribution 0.75
(an external source's edge has confidence 0.6: its name is guessed from capitals);
shared passages 0.4 * (1 - 2 ** (-shared words / 12)); coverage asymmetry min(0.3,
difference) when above 0.05; earlier date 0.25.  Confidence = 1 - prod(1 - weight) (each
item read as an independent chance that the edge is right), halved when the "source" was
published after the "derived" article.  A pair gives an edge only with an attribution or
shared passages, in the direction of higher confidence (no edge on a tie), when its
confidence reaches ``min_confidence``.  Each derived article then keeps its most confident
source, and other sources only where it names them (two reprints of one wire story share as
much with each other as with the wire); among uncredited sources within 0.05 of the best,
the earliest.

Why the passage weight is geometric: every further equal word makes chance agreement less
likely by a roughly constant factor, so the doubt left should shrink geometrically (halved
every 12 words), not fall linearly to a cap.  The linear rule it replaces (0.4 * min(1,
words / 50)) valued the shortest passage the aligner reports (8 words) at 0.064, a quarter
of a mere earlier date, so a rewrite sharing one reworded sentence with its source could not
reach 0.3 whatever else was known.  Demo corpus (per gold story): precision 0.94 -> 1.0,
recall 0.78 -> 0.85 with this and the earliest-source rule, flat for half-lives 8 to 20.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from retold.article import Article
from retold.attribution.names import refers_to
from retold.attribution.scanning import Attribution

WEIGHT_ATTRIBUTION = 0.75
WEIGHT_EXTERNAL = 0.6
WEIGHT_PASSAGES = 0.4
PASSAGE_WORDS_HALF = 12
WEIGHT_COVERAGE_MAX = 0.3
COVERAGE_MARGIN = 0.05
WEIGHT_DATE = 0.25
LATER_DATE_FACTOR = 0.5
SIMILAR_CONFIDENCE = 0.05


@dataclass(frozen=True)
class Evidence:
    """One reason for an edge: ``kind`` in {"attribution", "passages", "coverage", "date"}."""

    kind: str
    detail: str
    weight: float

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "detail": self.detail, "weight": round(self.weight, 4)}


@dataclass(frozen=True)
class Edge:
    """``derived_id`` took from ``source_id``.

    Attributes
    ----------
    source_id : str or None
        Id of the source article; None for an external source (named, not in the set).
    derived_id : str
    confidence : float
        In [0, 1]; see :mod:`retold.attribution.evidence` for how evidence combines.
    evidence : tuple of Evidence
    source_name : str or None
        The source's outlet name (the external name as written, for an external source).
    external : bool
    """

    source_id: str | None
    derived_id: str
    confidence: float
    evidence: tuple[Evidence, ...] = ()
    source_name: str | None = None
    external: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_id": self.source_id,
            "derived_id": self.derived_id,
            "confidence": round(self.confidence, 4),
            "source_name": self.source_name,
            "external": self.external,
            "evidence": [e.to_dict() for e in self.evidence],
        }


def combine_weights(weights: list[float]) -> float:
    """The confidence of independent items of evidence: ``1 - prod(1 - weight)``."""
    remaining = 1.0
    for w in weights:
        remaining *= 1.0 - w
    return 1.0 - remaining


def _passage_weight(shared: int) -> float:
    doubt: float = 2.0 ** (-shared / PASSAGE_WORDS_HALF)
    return WEIGHT_PASSAGES * (1.0 - doubt)


def pair_evidence(source: Article, derived: Article, derived_attributions: list[Attribution],
                  shared: int, n_passages: int, quotes: int, cov_s: float,
                  cov_d: float) -> tuple[float, list[Evidence]] | None:
    """The confidence that ``derived`` took from ``source`` and its evidence, or None when
    there is neither an attribution nor a shared passage (``cov_s``, ``cov_d``: the share of
    each text in the passages)."""
    items: list[Evidence] = []
    for attribution in derived_attributions:
        if refers_to(attribution.name, source.source):
            items.append(Evidence("attribution", attribution.snippet, WEIGHT_ATTRIBUTION))
            break
    if shared:
        what = f"{n_passages} shared passage(s), {shared} equal words"
        if quotes:
            what += f", {quotes} shared quote(s)"
        items.append(Evidence("passages", what,
                              _passage_weight(shared)))
    if not items:
        return None
    if cov_d - cov_s > COVERAGE_MARGIN:
        items.append(Evidence(
            "coverage",
            f"{cov_d:.0%} of the derived text is in shared passages, {cov_s:.0%} of the source",
            min(WEIGHT_COVERAGE_MAX, cov_d - cov_s),
        ))
    later = False
    if source.date is not None and derived.date is not None:
        if source.date < derived.date:
            items.append(Evidence("date", f"published {source.date.isoformat()} before "
                                  f"{derived.date.isoformat()}", WEIGHT_DATE))
        elif source.date > derived.date:
            later = True
    confidence = combine_weights([e.weight for e in items])
    if later:
        assert source.date is not None and derived.date is not None  # both dated: see above
        confidence *= LATER_DATE_FACTOR
        items.append(Evidence("date", f"published {source.date.isoformat()}, after "
                              f"{derived.date.isoformat()}", -LATER_DATE_FACTOR))
    return confidence, items
