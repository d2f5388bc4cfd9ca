"""retold: find where news is told again.

Copies of the same article, same-story rewrites, the passages they share, and who took from whom.

Importing retold loads only numpy and the hashing core; each capability's module is imported
the first time one of its names is used.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from retold._backend import BACKEND
from retold.article import Article
from retold.hashing import (
    EMPTY_SLOT,
    Tokens,
    containment,
    fold,
    hamming,
    iter_minhash,
    jaccard,
    minhash_batch,
    shingle_hashes,
    shingle_sets,
    shingles,
    signature_jaccard,
    simhash,
    tokenize,
)
from retold.lean_minhash import LeanMinHash
from retold.minhash import MinHash
from retold.io import RecordError, SkippedRecord, read_articles, write_records

__version__ = "0.1.0"

if TYPE_CHECKING:
    # What __getattr__ below returns at run time, seen by type checkers only: `import retold`
    # stays light, and `retold.dedup` is typed for users instead of `Any`.  Keep in step
    # with _LAZY (tests/test_typing.py checks that every lazy name is here); `X as X` is
    # the explicit re-export, since a type checker cannot read `*_LAZY` in __all__.
    from retold.analysis import Analysis as Analysis, analyze as analyze
    from retold.copies import DedupResult as DedupResult, dedup as dedup
    from retold.lsh import MinHashLSH as MinHashLSH
    from retold.monitor import Monitor as Monitor, Verdict as Verdict
    from retold.passage_reuse import (
        ReusedPassage as ReusedPassage,
        ReusedPassages as ReusedPassages,
        reused_passages as reused_passages,
    )
    from retold.passages import Passage as Passage, Reuse as Reuse, align as align, reuse as reuse
    from retold.attribution import Edge as Edge, provenance as provenance
    from retold.report import render_report as render_report
    from retold.story_clustering import (
        StoryClusterer as StoryClusterer,
        StoryModel as StoryModel,
        StoryResult as StoryResult,
        stories as stories,
    )

# Public names defined by capability modules, imported on first use.
_LAZY = {
    # copies
    "MinHashLSH": "retold.lsh",
    "dedup": "retold.copies",
    "DedupResult": "retold.copies",
    # stories
    "StoryModel": "retold.story_clustering",
    "StoryClusterer": "retold.story_clustering",
    "StoryResult": "retold.story_clustering",
    "stories": "retold.story_clustering",
    # passages and provenance
    "Passage": "retold.passages",
    "Reuse": "retold.passages",
    "align": "retold.passages",
    "reuse": "retold.passages",
    "ReusedPassage": "retold.passage_reuse",
    "ReusedPassages": "retold.passage_reuse",
    "reused_passages": "retold.passage_reuse",
    "Edge": "retold.attribution",
    "provenance": "retold.attribution",
    # a live stream
    "Monitor": "retold.monitor",
    "Verdict": "retold.monitor",
    # the whole job
    "Analysis": "retold.analysis",
    "analyze": "retold.analysis",
    "render_report": "retold.report",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'retold' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "BACKEND",
    "EMPTY_SLOT",
    "Article",
    "LeanMinHash",
    "MinHash",
    "RecordError",
    "SkippedRecord",
    "Tokens",
    "__version__",
    "containment",
    "fold",
    "hamming",
    "iter_minhash",
    "jaccard",
    "minhash_batch",
    "read_articles",
    "shingle_hashes",
    "shingle_sets",
    "shingles",
    "signature_jaccard",
    "simhash",
    "tokenize",
    "write_records",
    *_LAZY,
]
