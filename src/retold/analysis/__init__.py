"""The whole job: :func:`retold.analyze` and the :class:`Analysis` it returns.

One module per job:

- :mod:`~retold.analysis.pipeline`: :func:`analyze`, which composes copies, stories, passages
  and provenance;
- :mod:`~retold.analysis.pair_selection`: which pairs are aligned up front
  (:func:`candidate_pairs`, :data:`DEFAULT_NEIGHBOURS`, :data:`NEIGHBOUR_WINDOW`);
- :mod:`~retold.analysis.pair_passages`: :class:`PairPassages`, two articles and the passages
  they share;
- :mod:`~retold.analysis.result`: the :class:`Analysis` object and its lookups;
- :mod:`~retold.analysis.export`: its records, the report's data and the files ``save`` writes.

Until the next release the same names are also found at their old path ``retold.analyze``
(with a ``DeprecationWarning``); ``retold.analyze(...)`` itself stays the public function.
"""
from __future__ import annotations

from retold.analysis.export import OUTPUT_NAMES, REPORT_REUSED_PASSAGES
from retold.progress import ProgressHook
from retold.analysis.pair_passages import PairPassages
from retold.analysis.pair_selection import DEFAULT_NEIGHBOURS, NEIGHBOUR_WINDOW, candidate_pairs
from retold.analysis.pipeline import analyze
from retold.analysis.result import Analysis

__all__ = [
    "DEFAULT_NEIGHBOURS",
    "NEIGHBOUR_WINDOW",
    "OUTPUT_NAMES",
    "REPORT_REUSED_PASSAGES",
    "Analysis",
    "PairPassages",
    "ProgressHook",
    "analyze",
    "candidate_pairs",
]
