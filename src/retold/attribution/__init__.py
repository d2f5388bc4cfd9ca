"""Who took from whom: directed edges between related articles, with the evidence for each.

The package behind :func:`retold.provenance`, one module per job:

- :mod:`~retold.attribution.patterns`: the phrases that credit a source, per language
  ("according to {N}", "(Yonhap)", "据{N}报道"), and the regular expressions made of them;
- :mod:`~retold.attribution.scanning`: :func:`find_attributions`, the names a text credits;
- :mod:`~retold.attribution.names`: which outlet a name refers to (aliases, initials,
  inflected forms);
- :mod:`~retold.attribution.evidence`: :class:`Evidence`, :class:`Edge` and the weights that
  combine evidence into a confidence;
- :mod:`~retold.attribution.within_story`: :func:`provenance`, the edges within one story;
- :mod:`~retold.attribution.credits`: :func:`credit_edges` and :func:`with_credit_edges`, the
  edges explicit credits make across stories.

Until the next release the same names are also found at their old path ``retold.provenance``
(with a ``DeprecationWarning``); ``retold.provenance(...)`` itself stays the public function.
"""
from __future__ import annotations

from retold.attribution.credits import (
    CREDIT_MAX_CANDIDATES,
    CREDIT_MIN_SIMILARITY,
    CREDIT_MIN_SIMILARITY_OTHER_LANGUAGE,
    CREDIT_WORD_OUTLETS,
    credit_edges,
    with_credit_edges,
)
from retold.attribution.evidence import (
    COVERAGE_MARGIN,
    LATER_DATE_FACTOR,
    PASSAGE_WORDS_HALF,
    SIMILAR_CONFIDENCE,
    WEIGHT_ATTRIBUTION,
    WEIGHT_COVERAGE_MAX,
    WEIGHT_DATE,
    WEIGHT_EXTERNAL,
    WEIGHT_PASSAGES,
    Edge,
    Evidence,
)
from retold.attribution.patterns import ATTRIBUTION_PATTERNS, ATTRIBUTION_TRIGGERS
from retold.attribution.scanning import Attribution, find_attributions
from retold.attribution.within_story import provenance

__all__ = [
    "ATTRIBUTION_PATTERNS",
    "ATTRIBUTION_TRIGGERS",
    "COVERAGE_MARGIN",
    "CREDIT_MAX_CANDIDATES",
    "CREDIT_MIN_SIMILARITY",
    "CREDIT_MIN_SIMILARITY_OTHER_LANGUAGE",
    "CREDIT_WORD_OUTLETS",
    "LATER_DATE_FACTOR",
    "PASSAGE_WORDS_HALF",
    "SIMILAR_CONFIDENCE",
    "WEIGHT_ATTRIBUTION",
    "WEIGHT_COVERAGE_MAX",
    "WEIGHT_DATE",
    "WEIGHT_EXTERNAL",
    "WEIGHT_PASSAGES",
    "Attribution",
    "Edge",
    "Evidence",
    "credit_edges",
    "find_attributions",
    "provenance",
    "with_credit_edges",
]
