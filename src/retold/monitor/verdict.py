"""What :meth:`retold.Monitor.add` says about one article, the moment it arrives."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from retold.attribution.evidence import Edge
    from retold.passages import Passage


@dataclass(frozen=True)
class SharedPassages:
    """The passages an article shares with one earlier article (offsets into both texts).

    ``kind`` is ``"copy"`` (the earlier article represents the new one's copy cluster) or
    ``"story"`` (one of the story's most similar earlier units, as :func:`retold.analyze`
    chooses them); ``similarity`` is story similarity in [0, 1] and ``coverage`` the equal words
    over the shorter article's word count.
    """

    with_id: str
    kind: str
    similarity: float
    coverage: float
    passages: tuple[Passage, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "with": self.with_id, "kind": self.kind, "similarity": round(self.similarity, 6),
            "coverage": round(self.coverage, 6),
            "passages": [{
                "a_start": p.a_start, "a_end": p.a_end, "b_start": p.b_start, "b_end": p.b_end,
                "tokens": p.tokens, "score": float(p.score), "quoted": bool(p.quoted),
            } for p in self.passages],
        }


@dataclass(frozen=True)
class Verdict:
    """One article's labels at the end of the :meth:`~retold.Monitor.add` that took it.

    Attributes
    ----------
    id : str
        The article's id.
    seq : int
        Its arrival number in the stream (0, 1, ...).
    copy_cluster : int
        Its copy cluster, named by the arrival number of the cluster's first article (so an
        id never changes when later articles arrive; two clusters a later copy bridges are
        folded into the older one, which :meth:`~retold.Monitor.get` then reports).
    representative : str
        Id of the article that stands for the copy cluster (the earliest dated, then first
        arrived, as ``dedup(keep="earliest")``).
    matched_with : str or None
        The earlier article this one matched most closely, verified on the shingle sets as
        :func:`retold.dedup` verifies (ties to the earlier arrival); None without a copy.
    similarity : float or None
        Its verified similarity (containment or Jaccard, as configured).
    story : int
        The article's story (an id of :class:`retold.StoryClusterer`, folded ids resolved).
    merged_stories : tuple of (int, int)
        Stories folded during this add, as ``(old id, id it is part of now)``: those folded into
        this article's story, and on the batch's last verdict any others, so each fold is
        reported once.
    passages : tuple of SharedPassages
        What it shares with its copy cluster's representative and its story's most similar
        earlier units.
    edges : tuple of Edge
        Provenance edges in which this article is the one derived (or, where dates put it
        first, the source), with their evidence (:class:`retold.attribution.Edge`).
    """

    id: str
    seq: int
    copy_cluster: int
    representative: str
    matched_with: str | None
    similarity: float | None
    story: int
    merged_stories: tuple[tuple[int, int], ...] = ()
    passages: tuple[SharedPassages, ...] = ()
    edges: tuple[Edge, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record (what ``retold watch`` prints, one per line)."""
        return {
            "id": self.id, "seq": self.seq, "copy_cluster": self.copy_cluster,
            "representative": self.representative, "matched_with": self.matched_with,
            "similarity": None if self.similarity is None else round(self.similarity, 6),
            "story": self.story, "merged_stories": [list(m) for m in self.merged_stories],
            "passages": [p.to_dict() for p in self.passages],
            "edges": [e.to_dict() for e in self.edges],
        }


def with_folds(verdicts: list[Verdict], folds: list[tuple[int, int]]) -> list[Verdict]:
    """The verdicts of an add with its story ``folds`` reported: each goes on the batch's last
    verdict of the story it went into or, when no article of the batch is in that story, on
    the batch's last verdict."""
    from dataclasses import replace

    if not folds:
        return verdicts
    last_of = {v.story: k for k, v in enumerate(verdicts)}
    extra: dict[int, list[tuple[int, int]]] = {}
    for fold in folds:
        extra.setdefault(last_of.get(fold[1], len(verdicts) - 1), []).append(fold)
    return [replace(v, merged_stories=tuple(extra[k])) if k in extra else v
            for k, v in enumerate(verdicts)]
