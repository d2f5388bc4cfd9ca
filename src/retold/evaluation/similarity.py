"""Scoring a same-story similarity against human ratings: SemEval-2022 Task 8 and pair files.

``load_semeval`` reads the SemEval-2022 Task 8 pair format (columns ``lang1, lang2, text1,
text2, Overall`` and more, where ``Overall`` is 1 = very similar .. 4 = very dissimilar);
``load_pairs`` reads the tgcontest crowd-labelling format (``INPUT:first_text``,
``INPUT:second_text``, ``GOLDEN:quality`` OK/BAD) and a plain ``text1, text2, label`` CSV/TSV.
Pearson correlation and ROC-AUC are implemented here with numpy (no scipy or scikit-learn).
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

if TYPE_CHECKING:  # numpy.typing only for the checker: keeps `import retold` light
    from numpy.typing import ArrayLike

    from retold.story_clustering import StoryModel

__all__ = [
    "PairSet",
    "load_semeval",
    "load_pairs",
    "pearson",
    "roc_auc",
    "best_accuracy",
    "SimilarityReport",
    "evaluate_pairs",
    "score_pairs",
]

csv.field_size_limit(1 << 30)


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    """Pearson correlation of two equal-length sequences; nan when either is constant or n < 2."""
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"x and y differ in length: {a.shape} and {b.shape}")
    if a.size < 2:
        return float("nan")
    a = a - a.mean()
    b = b - b.mean()
    denom = math.sqrt(float(np.dot(a, a)) * float(np.dot(b, b)))
    return float(np.dot(a, b) / denom) if denom > 0 else float("nan")


def roc_auc(scores: Sequence[float], positive: Sequence[bool]) -> float:
    """Area under the ROC curve: the chance that a random positive outscores a random negative.

    Ties count one half (the Mann-Whitney U statistic with mid-ranks).  nan without both classes.
    """
    s = np.asarray(scores, dtype=np.float64)
    p = np.asarray(positive, dtype=bool)
    if s.shape != p.shape:
        raise ValueError(f"scores and positive differ in length: {s.shape} and {p.shape}")
    n_pos = int(p.sum())
    n_neg = int(p.size - n_pos)
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    sorted_s = s[order]
    ranks = np.empty(s.size, dtype=np.float64)
    # Mid-ranks over runs of equal scores.
    starts = np.flatnonzero(np.r_[True, sorted_s[1:] != sorted_s[:-1]])
    ends = np.r_[starts[1:], s.size]
    mid = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(mid, ends - starts)
    u = ranks[p].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def best_accuracy(scores: Sequence[float] | ArrayLike, positive: Sequence[bool] | ArrayLike) -> tuple[float, float]:
    """The best accuracy of ``score >= t`` over all thresholds t, and that threshold."""
    s = np.asarray(scores, dtype=np.float64)
    p = np.asarray(positive, dtype=bool)
    if s.size == 0:
        return float("nan"), float("nan")
    cands = np.unique(s)
    best, best_t = -1.0, float(cands[0])
    for t in np.r_[cands, np.inf]:
        acc = float(np.mean((s >= t) == p))
        if acc > best:
            best, best_t = acc, float(t)
    return best, best_t


@dataclass(frozen=True)
class PairSet:
    """Article pairs with a human rating.

    Attributes
    ----------
    text1, text2 : list of str
    lang1, lang2 : list of str
        Language codes ("" when unknown).
    target : np.ndarray of float64
        Higher means more similar (for SemEval: minus ``Overall``; for OK/BAD files: 1/0).
    positive : np.ndarray of bool
        The binary "same story" label (SemEval: ``Overall <= 2``).
    ids : list of str
    """

    text1: list[str]
    text2: list[str]
    lang1: list[str]
    lang2: list[str]
    target: np.ndarray
    positive: np.ndarray
    ids: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.text1)


def _open_table(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    dialect = "excel-tab" if path.suffix.lower() == ".tsv" or (
        "\t" in text.split("\n", 1)[0] and "," not in text.split("\n", 1)[0]
    ) else "excel"
    return list(csv.DictReader(text.splitlines(keepends=True), dialect=dialect))


def _fixer(fix_text: bool) -> Callable[[str], str]:
    if not fix_text:
        return lambda s: s
    from retold.io import repair_mojibake

    return repair_mojibake


def load_semeval(path: str | Path, *, fix_text: bool = True) -> PairSet:
    """Read a SemEval-2022 Task 8 pair file (CSV with ``text1, text2, Overall``...).

    Parameters
    ----------
    path : str or Path
    fix_text : bool
        Repair mojibake (UTF-8 decoded as Latin-1/cp1252) in the texts with ftfy (see
        :func:`retold.io.repair_mojibake`); some rows of the training file need it.
    """
    path = Path(path)
    rows = _open_table(path)
    if not rows:
        raise ValueError(f"{path}: no rows")
    missing = {"text1", "text2", "Overall"} - set(rows[0])
    if missing:
        raise ValueError(f"{path}: not a SemEval-2022 Task 8 file (no column {', '.join(sorted(missing))})")
    fix = _fixer(fix_text)
    t1, t2, l1, l2, overall, ids = [], [], [], [], [], []
    for line, row in enumerate(rows, start=2):
        try:
            value = float(row["Overall"])
        except (TypeError, ValueError):
            raise ValueError(f"{path}, line {line}: Overall is not a number: {row['Overall']!r}") from None
        t1.append(fix(row["text1"] or ""))
        t2.append(fix(row["text2"] or ""))
        l1.append(row.get("lang1") or "")
        l2.append(row.get("lang2") or "")
        overall.append(value)
        ids.append(row.get("pair_id") or str(line))
    o = np.asarray(overall, dtype=np.float64)
    return PairSet(t1, t2, l1, l2, -o, o <= 2.0, ids)


_OK = {"ok", "1", "true", "yes", "same", "positive"}


def load_pairs(path: str | Path, *, fix_text: bool = True, lang: str = "") -> PairSet:
    """Read labelled pairs: the tgcontest format (``INPUT:first_text``, ``INPUT:second_text``,
    ``GOLDEN:quality`` OK/BAD) or a CSV/TSV with ``text1, text2, label`` (1/0, OK/BAD, true/false).
    """
    path = Path(path)
    rows = _open_table(path)
    if not rows:
        raise ValueError(f"{path}: no rows")
    cols = set(rows[0])
    if {"INPUT:first_text", "INPUT:second_text", "GOLDEN:quality"} <= cols:
        a, b, lab = "INPUT:first_text", "INPUT:second_text", "GOLDEN:quality"
        ta, tb = "INPUT:first_title", "INPUT:second_title"
    elif {"text1", "text2", "label"} <= cols:
        a, b, lab, ta, tb = "text1", "text2", "label", "title1", "title2"
    else:
        raise ValueError(f"{path}: expected columns INPUT:first_text, INPUT:second_text, GOLDEN:quality "
                         "or text1, text2, label")
    fix = _fixer(fix_text)
    t1, t2, pos, ids = [], [], [], []
    for line, row in enumerate(rows, start=2):
        first = fix(row[a] or "")
        second = fix(row[b] or "")
        if row.get(ta):
            first = fix(row[ta]) + "\n" + first
        if row.get(tb):
            second = fix(row[tb]) + "\n" + second
        t1.append(first)
        t2.append(second)
        pos.append(str(row[lab]).strip().lower() in _OK)
        ids.append(row.get("TASK:id") or str(line))
    p = np.asarray(pos, dtype=bool)
    return PairSet(t1, t2, [lang] * len(t1), [lang] * len(t1), p.astype(np.float64), p, ids)


@dataclass(frozen=True)
class SimilarityReport:
    """Scores of a similarity against the ratings of a :class:`PairSet`.

    ``groups`` maps a group name ("all", "same-language", "cross-language", "de-en"...) to
    ``(n_pairs, pearson, roc_auc)``.
    """

    groups: dict[str, tuple[int, float, float]]
    best_accuracy: float
    best_threshold: float

    def lines(self) -> list[str]:
        out = [f"{'pairs':<16}{'n':>6}{'Pearson':>10}{'ROC-AUC':>10}"]
        for name, (n, r, auc) in self.groups.items():
            out.append(f"{name:<16}{n:>6}{r:>10.3f}{auc:>10.3f}")
        out.append(f"best-threshold accuracy {self.best_accuracy:.3f} (similarity >= {self.best_threshold:.3f})")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "groups": {k: {"n": n, "pearson": r, "roc_auc": a} for k, (n, r, a) in self.groups.items()},
            "best_accuracy": self.best_accuracy,
            "best_threshold": self.best_threshold,
        }


def evaluate_pairs(pairs: PairSet, scores: Sequence[float] | np.ndarray) -> SimilarityReport:
    """Pearson with the target and ROC-AUC for ``positive``, over all pairs and per language pair."""
    s = np.asarray(scores, dtype=np.float64)
    if s.shape != (len(pairs),):
        raise ValueError(f"scores must have one value per pair ({len(pairs)}), got shape {s.shape}")
    l1 = np.asarray(pairs.lang1, dtype=object)
    l2 = np.asarray(pairs.lang2, dtype=object)
    groups: dict[str, tuple[int, float, float]] = {}

    def add(name: str, mask: np.ndarray) -> None:
        if mask.any():
            groups[name] = (int(mask.sum()), pearson(s[mask], pairs.target[mask]),
                            roc_auc(s[mask], pairs.positive[mask]))

    add("all", np.ones(len(s), dtype=bool))
    known = (l1 != "") & (l2 != "")
    if known.any():
        add("same-language", known & (l1 == l2))
        add("cross-language", known & (l1 != l2))
        names = sorted({f"{a}-{b}" if a != b else a for a, b in zip(l1[known], l2[known])})
        for name in names:
            a, _, b = name.partition("-")
            add(name, (l1 == a) & (l2 == (b or a)))
    acc, t = best_accuracy(s, pairs.positive)
    return SimilarityReport(groups, acc, t)


def score_pairs(pairs: PairSet, model: StoryModel | None = None, *, workers: int = 1) -> np.ndarray:
    """Similarity of every pair under ``model`` (a fresh :class:`StoryModel` by default), fitted
    unsupervised on the texts of the pairs themselves."""
    from retold.story_clustering import StoryModel

    model = model if model is not None else StoryModel()
    model.fit(pairs.text1 + pairs.text2, workers=workers)
    similarities: np.ndarray = model.similarities(pairs.text1, pairs.text2, workers=workers)
    return similarities
