"""Two articles and the passages they share: :class:`PairPassages`, and how a pair is aligned.

:func:`align_pair` runs :func:`retold.align` with the options of a run; :func:`calibrated`
turns the cosine of two story vectors into the story similarity a pair reports.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Mapping

from retold._renamed import renamed_attribute
from retold.article import Article

if TYPE_CHECKING:
    from retold.passages import Passage


@dataclass(frozen=True)
class PairPassages:
    """Two articles and the passages they share.

    Attributes
    ----------
    a, b : str
        Article ids; ``a`` is the earlier one (for a copy pair, the representative).
    story : int or None
        Their story id (``Analysis.stories.labels``) when both are in the same story.
    kind : {"copy", "story", "other"}
        ``copy``: both are in one copy cluster; ``story``: same story, different copy clusters;
        ``other``: different stories (only pairs asked for with :meth:`Analysis.pair`).
    similarity : float
        Story similarity of the two articles in [0, 1] (see :meth:`retold.StoryModel.similarity`).
    coverage : float
        Words equal in the passages over the word count of the shorter article, in [0, 1].
    passages : tuple of Passage
        As :func:`retold.align` gives them, offsets into ``a``'s and ``b``'s texts.
    """

    a: str
    b: str
    story: int | None
    kind: str
    similarity: float
    coverage: float
    passages: tuple[Passage, ...]

    @property
    def quoted_count(self) -> int:
        """Number of passages that are shared quotes (``Passage.quoted`` is each one's bool)."""
        return sum(1 for p in self.passages if p.quoted)

    quoted = renamed_attribute[int]("quoted_count")

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a, "b": self.b, "story": self.story, "kind": self.kind,
            "similarity": round(self.similarity, 6), "coverage": round(self.coverage, 6),
            "passages": [p.to_dict() for p in self.passages],
        }


def swap_passage(passage: Passage) -> Passage:
    """The same passage seen from the other article."""
    return replace(
        passage,
        a_start=passage.b_start, a_end=passage.b_end, b_start=passage.a_start, b_end=passage.a_end,
        a_text=passage.b_text, b_text=passage.a_text,
        a_tokens=passage.b_tokens, b_tokens=passage.a_tokens,
    )


def align_pair(a: Article, b: Article, options: Mapping[str, Any]) -> list[Passage]:
    """Passages of a and b (:func:`retold.align` gives offsets into the texts as given)."""
    from retold.passages import align

    return align(a.text, b.text, **options)


def calibrated(cosine: float, calibration: float) -> float:
    """Story similarity in [0, 1] from a cosine of story vectors and the model's calibration."""
    return float(min(1.0, max(0.0, cosine)) ** calibration)
