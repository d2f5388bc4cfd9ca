"""Scoring :func:`retold.reuse` on COUNTER-format text-reuse pairs (``retold eval reuse DIR``).

COUNTER (COrpus of Urdu News TExt Reuse, Sharjeel et al.) holds pairs ``NNNN.xml`` (a news
agency story) and ``NNNNp.xml`` (a newspaper story); the newspaper file's root element has
``classification`` WD (wholly derived), PD (partially derived) or ND (non-derived) and both
hold ``<headline>`` and ``<body>``.  The text compared is the headline and the body.

Metrics: macro-F1 over WD/PD/ND, and F1 of "derived" (WD or PD) against ND.

The decision rule and its two thresholds live in :func:`retold.reuse`; they were set once, on
the public (odd-numbered) half of COUNTER, and are the same for every language:
derived when at least 0.16 of the newspaper story's character 6-grams occur in the agency
story, wholly derived when also at least 0.65 of its distinct words do.  On that half this
gives macro-F1 0.763 and derived-F1 0.894 (in sample: the thresholds were tuned on these very
pairs; the best pair of cuts would give 0.772 / 0.894).  What such tuning is worth on unseen
pairs is measured by ``retold eval reuse DIR --cv 5``: stratified 5-fold cross-validation,
both thresholds refitted on four folds and scored on the fifth, 10 repeats: macro-F1 0.738
(sd 0.013), derived-F1 0.885 (sd 0.005).  Expect about that on the other half.

Plain unigram containment with two thresholds tuned on the same half gives 0.757 / 0.883 (the
README of the data quotes 0.74 / 0.86 with another tokeniser).  Features that did not do
better, in sample or cross-validated: containment of word 1-3 grams both ways, of character
4-8 grams with and without the spaces (Urdu spacing is erratic: ``کےآ خری``, ``بنائیپویلین``;
dropping spaces gains +0.002 macro-F1 in cross-validation, within the noise), of words after
dropping short or frequent ones, aligned coverage, share of characters in shared substrings of
at least 8-40 characters, longest passage, headline left out, length ratio, and sentence-level
reuse (the share of the newspaper's sentences whose best agency sentence, or the whole agency
story, contains at least a given share of its words, bigrams or character 6-grams: AUC of
derived against ND 0.81 at best, against 0.90 for the document-level containments).  Logistic
regression on a dozen of them cross-validates at macro-F1 about 0.73-0.75.  Later checks:
word 1-3 gram containment weighted by idf, by inverse idf or kept to n-grams with a frequent
word (AUC 0.84-0.90, best in-sample derived-F1 0.892); aligned coverage with passages of 3-6
words, seeded or full Smith-Waterman (AUC 0.82-0.88); character 6-gram containment with that
coverage and word containment in one logistic regression (cross-validated AUC 0.892 against
0.895 alone).  No single feature reaches derived-F1 0.90 even with its cut set in sample
(character 6-grams: 0.899 at best).  Folding Arabic and
Urdu letter variants (ي/ی, ك/ک, ه/ہ) and diacritics changes nothing here: the corpus uses the
Urdu letters throughout and diacritics are under 0.1% of its characters.  The remaining errors
are mostly pairs a reader would also argue over (an ND story carrying a copied sentence, a PD
story paraphrased throughout, a WD story sharing one topic sentence), so the simple rule stays.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

LABELS = ("WD", "PD", "ND")
KIND_TO_LABEL = {"wholly": "WD", "partially": "PD", "none": "ND"}


@dataclass(frozen=True)
class ReusePair:
    """One COUNTER pair: the agency story, the newspaper story and the gold label."""

    id: str
    source: str
    derived: str
    label: str


def _document_text(path: Path) -> tuple[str, str | None]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ValueError(f"{path}: not well-formed XML ({exc})") from None
    headline = root.findtext("headline") or ""
    body = root.findtext("body") or ""
    return f"{headline.strip()}\n{body.strip()}".strip(), root.get("classification")


def load_counter(folder: str | Path) -> list[ReusePair]:
    """The pairs of a COUNTER-format folder, sorted by number.

    Raises ``FileNotFoundError`` for a missing folder and ``ValueError`` naming the file for a
    source without its derived story, a malformed XML file or a label outside WD/PD/ND.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such directory")
    pairs = []
    for source_path in sorted(folder.glob("*.xml")):
        if source_path.stem.endswith("p"):
            continue
        derived_path = source_path.with_name(source_path.stem + "p.xml")
        if not derived_path.exists():
            raise ValueError(f"{source_path}: no derived story {derived_path.name} beside it")
        source, _ = _document_text(source_path)
        derived, label = _document_text(derived_path)
        if label not in LABELS:
            raise ValueError(
                f"{derived_path}: classification must be one of {', '.join(LABELS)}, not {label!r}"
            )
        pairs.append(ReusePair(source_path.stem, source, derived, label))
    if not pairs:
        raise ValueError(f"{folder}: no COUNTER pairs (NNNN.xml with NNNNp.xml) found")
    return pairs


def f1_score(gold: list[str], predicted: list[str], positive: str) -> float:
    tp = sum(g == positive and p == positive for g, p in zip(gold, predicted))
    fp = sum(g != positive and p == positive for g, p in zip(gold, predicted))
    fn = sum(g == positive and p != positive for g, p in zip(gold, predicted))
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


@dataclass
class ReuseReport:
    """Scores of predicted labels against gold ones."""

    pairs: int
    macro_f1: float
    derived_f1: float
    per_class: dict[str, Any]
    confusion: dict[str, Any]
    predictions: dict[str, Any] = field(default_factory=dict)
    features: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "macro_f1": self.macro_f1,
            "derived_f1": self.derived_f1,
            "per_class_f1": self.per_class,
            "confusion": self.confusion,
        }


def score_labels(gold: list[str], predicted: list[str]) -> ReuseReport:
    """Macro-F1 over WD/PD/ND, derived-F1 (WD or PD vs ND), per-class F1 and confusion counts."""
    if len(gold) != len(predicted):
        raise ValueError(f"gold and predicted differ in length: {len(gold)} and {len(predicted)}")
    per_class = {label: f1_score(gold, predicted, label) for label in LABELS}
    derived = f1_score(
        ["D" if g != "ND" else "N" for g in gold], ["D" if p != "ND" else "N" for p in predicted], "D"
    )
    confusion = {g: {p: 0 for p in LABELS} for g in LABELS}
    for g, p in zip(gold, predicted):
        confusion[g][p] += 1
    return ReuseReport(len(gold), float(np.mean(list(per_class.values()))), derived, per_class,
                       confusion)


def evaluate(pairs: list[ReusePair], *, min_tokens: int = 8,
             progress: Callable[[int], None] | None = None) -> ReuseReport:
    """Run :func:`retold.reuse` on every pair and score its verdicts.

    ``report.features`` keeps each pair's ``(char_containment, score)``, the two numbers the
    rule thresholds, for :func:`cross_validate`.
    """
    from retold.passages import reuse

    predicted = []
    features = {}
    for pair in pairs:
        found = reuse(pair.source, pair.derived, min_tokens=min_tokens)
        predicted.append(KIND_TO_LABEL[found.kind])
        features[pair.id] = (found.char_containment, found.score)
        if progress is not None:
            progress(1)
    report = score_labels([p.label for p in pairs], predicted)
    report.predictions = {p.id: label for p, label in zip(pairs, predicted)}
    report.features = features
    return report


def _apply_rule(chars: np.ndarray, words: np.ndarray, derived_at: float,
                wholly_at: float) -> np.ndarray:
    # The rule of retold.reuse, with its two thresholds as arguments.
    return np.where(chars < derived_at, "ND", np.where(words >= wholly_at, "WD", "PD"))


def _candidates(values: np.ndarray) -> np.ndarray:
    # Midpoints between neighbouring distinct values, and one below / above all of them.
    v = np.unique(values)
    if len(v) == 0:
        return np.array([0.0])
    return np.concatenate(([v[0] - 1e-9], (v[1:] + v[:-1]) / 2, [v[-1] + 1e-9]))


def fit_thresholds(gold: list[str], chars: np.ndarray, words: np.ndarray) -> tuple[float, float]:
    """The two thresholds of the :func:`retold.reuse` rule that maximise macro-F1 on these pairs.

    Every cut between neighbouring observed values is tried for both (derived at
    ``chars >= t1``, wholly at ``words >= t2`` too); ties go to the higher derived-F1, then
    to the lower thresholds.  This is how the rule's constants would be tuned, so
    :func:`cross_validate` can measure what such tuning is worth on unseen pairs.
    """
    g = np.asarray(gold)
    chars = np.asarray(chars, dtype=np.float64)
    words = np.asarray(words, dtype=np.float64)
    gold_derived = g != "ND"
    wholly_cuts = _candidates(words)
    is_wholly = words[None, :] >= wholly_cuts[:, None]          # (cuts, pairs)
    best_key, best = (-1.0, -1.0), (0.0, 0.0)
    for t1 in _candidates(chars):
        derived = chars >= t1
        f1s = []
        for label, predicted in (("ND", np.broadcast_to(~derived, is_wholly.shape)),
                                 ("WD", derived & is_wholly), ("PD", derived & ~is_wholly)):
            positive = g == label
            tp = np.count_nonzero(predicted & positive, axis=1)
            denominator = np.count_nonzero(predicted, axis=1) + np.count_nonzero(positive)
            f1s.append(np.where(denominator > 0, 2 * tp / np.maximum(denominator, 1), 0.0))
        macro = np.mean(f1s, axis=0)
        tp = np.count_nonzero(derived & gold_derived)
        denominator = np.count_nonzero(derived) + np.count_nonzero(gold_derived)
        derived_f1 = 2 * tp / denominator if denominator else 0.0
        j = int(np.argmax(macro))                                # first (lowest) cut on ties
        key = (float(macro[j]), derived_f1)
        if key > best_key:
            best_key, best = key, (float(t1), float(wholly_cuts[j]))
    return best


def cross_validate(gold: list[str], chars: np.ndarray, words: np.ndarray, *, folds: int = 5,
                   repeats: int = 10, seed: int = 0) -> dict[str, Any]:
    """Stratified k-fold estimate of the rule's scores when its thresholds are tuned on data.

    For each repeat the pairs are split into ``folds`` folds stratified by gold label; the two
    thresholds are fitted (:func:`fit_thresholds`) on all folds but one and applied to the one
    left out.  Returns the mean and standard deviation over repeats of macro-F1 and derived-F1,
    with the in-sample best thresholds and their scores for comparison.  Deterministic for a
    given ``seed``.
    """
    g = np.asarray(gold)
    chars = np.asarray(chars, dtype=np.float64)
    words = np.asarray(words, dtype=np.float64)
    if not 2 <= folds <= len(g):
        raise ValueError(f"folds must be between 2 and the number of pairs ({len(g)}), not {folds}")
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, not {repeats}")
    rng = np.random.default_rng(seed)
    scores = []
    for _ in range(repeats):
        fold_of = np.empty(len(g), dtype=np.int64)
        for label in LABELS:
            members = np.flatnonzero(g == label)
            rng.shuffle(members)
            fold_of[members] = np.arange(len(members)) % folds
        predicted = np.empty(len(g), dtype=object)
        for k in range(folds):
            held = fold_of == k
            t1, t2 = fit_thresholds(list(g[~held]), chars[~held], words[~held])
            predicted[held] = _apply_rule(chars[held], words[held], t1, t2)
        report = score_labels(list(g), [str(p) for p in predicted])
        scores.append((report.macro_f1, report.derived_f1))
    table = np.array(scores)
    t1, t2 = fit_thresholds(list(g), chars, words)
    in_sample = score_labels(list(g), [str(p) for p in _apply_rule(chars, words, t1, t2)])
    return {
        "folds": folds, "repeats": repeats, "seed": seed,
        "macro_f1": float(table[:, 0].mean()), "macro_f1_sd": float(table[:, 0].std()),
        "derived_f1": float(table[:, 1].mean()), "derived_f1_sd": float(table[:, 1].std()),
        "in_sample_thresholds": [t1, t2],
        "in_sample_macro_f1": in_sample.macro_f1, "in_sample_derived_f1": in_sample.derived_f1,
    }
