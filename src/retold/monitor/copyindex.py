"""Copies as articles arrive: MinHash LSH over a time window, verified as :func:`retold.dedup` verifies.

Each new article is signed like ``dedup`` signs (same shingles, seed, permutations and LSH
tuning), its LSH candidates among the earlier articles still in the window are verified on
the exact shingle sets (containment or Jaccard), and every verified match joins it to that
match's cluster; a copy that matches two clusters folds the newer cluster into the older.

Clusters are named by the arrival number of their first article; the representative is the
earliest dated member, then the first arrived (``dedup(keep="earliest")``).  Articles leave the
window (the index, the texts held for verification) ``window_days`` behind the newest date, or
``window_articles`` arrivals later when undated, as :class:`retold.StoryClusterer` windows them.
"""
from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence, cast

import numpy as np

from retold._backend import kernels
from retold.hashing import EMPTY_SLOT, minhash_batch, shingle_sets
from retold.lsh import MinHashLSH

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import lsh as _lsh
else:
    _lsh = kernels("lsh")

NO_DAY = math.inf  # an undated article sorts after every dated one (dedup's rule)


@dataclass
class Cluster:
    """A copy cluster while it has members in the window."""

    representative: int
    rep_key: tuple[float, int]
    size: int
    members: list[int] = field(default_factory=list)  # members still in the window


@dataclass(frozen=True)
class CopyVerdict:
    """What the index found for one article."""

    cluster: int
    representative: int
    matched_with: int | None
    similarity: float | None
    pairs: tuple[tuple[int, int, float], ...]  # verified (earlier seq, seq, similarity)
    folds: tuple[tuple[int, int], ...]  # (old cluster, cluster it is folded into)
    replaced: int | None = None  # the representative this article took over from


class CopyIndex:
    def __init__(self, *, threshold: float, containment: bool, lsh_threshold: float, ngram: int,
                 num_perm: int, recall: float, seed: int, window_days: float,
                 window_articles: int) -> None:
        self.threshold = threshold
        self.containment = containment
        self.ngram = ngram
        self.num_perm = num_perm
        self.seed = seed
        self.window_days = window_days
        self.window_articles = window_articles
        self.lsh = MinHashLSH(lsh_threshold, num_perm, recall=recall)
        self.texts: dict[int, str] = {}
        self.cluster_of: dict[int, int] = {}
        self.clusters: dict[int, Cluster] = {}
        self.folded: dict[int, int] = {}  # every cluster ever folded -> the one it went into
        self._undated: deque[int] = deque()
        self._dated: list[tuple[float, int]] = []

    def __len__(self) -> int:
        return len(self.texts)

    def sign(self, texts: Sequence[str]) -> np.ndarray:
        return minhash_batch(list(texts), num_perm=self.num_perm, ngram=self.ngram, seed=self.seed)

    def resolve(self, cluster: int) -> int:
        """The cluster ``cluster`` is part of now."""
        while cluster in self.folded:
            cluster = self.folded[cluster]
        return cluster

    # -- adding -----------------------------------------------------------------------------

    def _enter(self, seq: int, text: str, day: float) -> None:
        self.texts[seq] = text
        if day == NO_DAY:
            self._undated.append(seq)
        else:
            heapq.heappush(self._dated, (day, seq))

    def _similarities(self, seqs: list[int], texts: list[str], found: list[list[int]]) -> list[np.ndarray]:
        """Verified similarity of each article with each of its candidates."""
        left: list[int] = []
        right: list[int] = []
        for i, cands in enumerate(found):
            left.extend(cands)
            right.extend([seqs[i]] * len(cands))
        if not left:
            return [np.zeros(0) for _ in found]
        universe = sorted(set(left) | set(right))
        where = {s: k for k, s in enumerate(universe)}
        offsets, values = shingle_sets([self.texts[s] for s in universe], ngram=self.ngram)
        out = np.empty(len(left), dtype=np.float64)
        _lsh.verify_pairs(offsets, values, np.array([where[s] for s in left], dtype=np.int64),
                          np.array([where[s] for s in right], dtype=np.int64), self.containment, out)
        sims, start = [], 0
        for cands in found:
            sims.append(out[start:start + len(cands)])
            start += len(cands)
        return sims

    def add(self, seqs: list[int], texts: list[str], days: list[float],
            signatures: np.ndarray) -> list[CopyVerdict]:
        """Take a batch (arrival order); each article is judged against every earlier one."""
        empty = np.all(signatures == EMPTY_SLOT, axis=1)
        for seq, text, day in zip(seqs, texts, days):
            self._enter(seq, text, day)
        self.lsh.insert_batch(seqs, signatures)
        if len(seqs) * 16 < len(self.lsh):
            found_keys = [self.lsh.query(sig) for sig in signatures]  # no re-sort of the whole index
        else:
            found_keys = self.lsh.query_batch(signatures)
        # The index holds no keys but this monitor's arrival numbers (ints).
        hits = cast("list[list[int]]", found_keys)
        found = [[] if empty[i] else sorted(k for k in hits[i] if k < seqs[i]) for i in range(len(seqs))]
        sims = self._similarities(seqs, texts, found)
        out = []
        for seq, day, cands, sim in zip(seqs, days, found, sims):
            out.append(self._join(seq, day, cands, sim))
        return out

    def _join(self, seq: int, day: float, cands: list[int], sim: np.ndarray) -> CopyVerdict:
        accepted = [(c, float(s)) for c, s in zip(cands, sim.tolist()) if s >= self.threshold]
        matched = best = None
        for c, s in accepted:  # candidates ascend, so ties go to the earlier article
            if best is None or s > best:
                matched, best = c, s
        roots = sorted({self.cluster_of[c] for c, _ in accepted})
        key = (day, seq)
        folds: list[tuple[int, int]] = []
        replaced = None
        if not roots:
            cluster = seq
            self.clusters[seq] = Cluster(seq, key, 1, [seq])
        else:
            cluster = roots[0]
            target = self.clusters[cluster]
            for other in roots[1:]:
                merged = self.clusters.pop(other)
                for m in merged.members:
                    self.cluster_of[m] = cluster
                target.members.extend(merged.members)
                target.size += merged.size
                if merged.rep_key < target.rep_key:
                    target.representative, target.rep_key = merged.representative, merged.rep_key
                self.folded[other] = cluster
                folds.append((other, cluster))
            target.members.append(seq)
            target.size += 1
            if key < target.rep_key:
                replaced = target.representative
                target.representative, target.rep_key = seq, key
        self.cluster_of[seq] = cluster
        rep = self.clusters[cluster].representative
        return CopyVerdict(cluster, rep, matched, best, tuple((c, seq, s) for c, s in accepted),
                           tuple(folds), replaced)

    # -- leaving the window -------------------------------------------------------------------

    def evict(self, newest_day: float, arrivals: int) -> list[int]:
        """Take out the articles the window has left; returns their arrival numbers."""
        gone: list[int] = []
        while self._undated and self._undated[0] <= arrivals - 1 - self.window_articles:
            gone.append(self._undated.popleft())
        while self._dated and self._dated[0][0] < newest_day - self.window_days:
            gone.append(heapq.heappop(self._dated)[1])
        for seq in gone:
            self.lsh.remove(seq)
            del self.texts[seq]
            cluster = self.cluster_of.pop(seq)
            info = self.clusters[cluster]
            info.members.remove(seq)
            if not info.members:
                del self.clusters[cluster]
        return gone

    # -- restoring from the store -------------------------------------------------------------

    def restore(self, rows: list[tuple[int, str, float, bytes, int]],
                clusters: dict[int, tuple[int, float, int]], folded: dict[int, int]) -> None:
        """Rebuild from the store: window rows (seq, text, day, signature, cluster) in arrival
        order, cluster facts (cluster -> representative, its day, size) and the folds so far."""
        self.folded = dict(folded)
        if not rows:
            return
        sigs = np.stack([np.frombuffer(r[3], dtype=np.uint64) for r in rows])
        for seq, text, day, _, cluster in rows:
            self._enter(seq, text, day)
            self.cluster_of[seq] = cluster
            if cluster not in self.clusters:
                rep, rep_day, size = clusters[cluster]
                self.clusters[cluster] = Cluster(rep, (rep_day, rep), size, [])
            self.clusters[cluster].members.append(seq)
        self.lsh.insert_batch([r[0] for r in rows], sigs)
