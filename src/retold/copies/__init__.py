"""Copies of the same article at corpus scale: sign, band, verify, cluster.

:func:`dedup` runs the whole job on a stream of documents:

1. **sign**: MinHash signatures of word n-gram shingles, chunk by chunk (only the band keys of
   each chunk are kept, not the signatures);
2. **band**: candidate pairs from :class:`retold.MinHashLSH`'s batch path, tuned so that a pair at
   the threshold is found with the asked recall;
3. **verify**: every candidate's exact Jaccard (or containment) on its shingle sets; pairs below
   the threshold are dropped, so the results hold no false positives;
4. **cluster**: union-find over the verified pairs; each cluster elects a representative.

Everything is deterministic: the same documents in the same order give the same cluster ids,
representatives and pairs on every backend, thread count and run.

The package: :mod:`.batch` holds :func:`dedup` and the options it checks, :mod:`.stages` the
sign and verify stages it runs, :mod:`.results` what it returns (:class:`DedupResult`,
:class:`CopyPairs`, :class:`Cluster`, :class:`DedupStats`); the names are imported from here.
"""
from __future__ import annotations

from retold.copies.batch import KEEPS, MEASURES, check_dedup_options, dedup
from retold.copies.results import Cluster, CopyPairs, DedupResult, DedupStats
from retold.progress import ProgressHook

__all__ = ["Cluster", "CopyPairs", "DedupResult", "DedupStats", "KEEPS", "MEASURES", "ProgressHook",
           "check_dedup_options", "dedup"]
