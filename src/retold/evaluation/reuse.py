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
gives macro-F1 0.763 and derived-F1 0.894; plain unigram containment with two thresholds tuned
on the same half gives 0.757 / 0.883 (the README of the data quotes 0.74 / 0.86 with another
tokeniser).  Cross-validated logistic regression on a dozen features (containment of word 1-3
grams both ways, character 3-8 grams, aligned coverage, longest passage, sentence-level
overlap, length ratio) did no better (macro-F1 about 0.73), so the simple rule stays.
"""
from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

LABELS = ("WD", "PD", "ND")
KIND_TO_LABEL = {"wholly": "WD", "partially": "PD", "none": "ND"}

HELP = "text reuse against COUNTER-format pairs (NNNN.xml source, NNNNp.xml derived): WD/PD/ND F1"


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
    per_class: dict
    confusion: dict
    predictions: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
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
    """Run :func:`retold.reuse` on every pair and score its verdicts."""
    from retold.passages import reuse

    predicted = []
    for pair in pairs:
        predicted.append(KIND_TO_LABEL[reuse(pair.source, pair.derived, min_tokens=min_tokens).kind])
        if progress is not None:
            progress(1)
    report = score_labels([p.label for p in pairs], predicted)
    report.predictions = {p.id: label for p, label in zip(pairs, predicted)}
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="DIR",
                        help="folder of COUNTER pairs: NNNN.xml (source) and NNNNp.xml (derived)")
    parser.add_argument("--min-tokens", type=int, default=8,
                        help="least equal words of an aligned passage (default 8)")
    parser.add_argument("--predictions", metavar="FILE",
                        help="also write each pair's id, gold and predicted label (JSONL/CSV)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from retold.cli._common import EXIT_USAGE, CommandError, Progress

    if args.min_tokens < 1:
        raise CommandError("--min-tokens must be at least 1", EXIT_USAGE)
    try:
        pairs = load_counter(args.input)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    with Progress(quiet=args.quiet or args.json) as progress:
        with progress.stage("reuse", len(pairs)) as advance:
            report = evaluate(pairs, min_tokens=args.min_tokens, progress=advance)
    if args.predictions:
        from retold.io import write_records

        gold = {p.id: p.label for p in pairs}
        write_records(
            ({"id": pid, "gold": gold[pid], "predicted": label}
             for pid, label in report.predictions.items()),
            args.predictions,
        )
    if args.json:
        print(json.dumps(report.to_dict()))
        return 0
    out = sys.stdout
    print(f"pairs       {report.pairs}", file=out)
    print(f"macro-F1    {report.macro_f1:.3f}   (WD/PD/ND)", file=out)
    print(f"derived-F1  {report.derived_f1:.3f}   (WD or PD vs ND)", file=out)
    print("per class   " + "  ".join(f"{k} {v:.3f}" for k, v in report.per_class.items()), file=out)
    print("confusion   gold \\ predicted  " + "  ".join(f"{p:>4}" for p in LABELS), file=out)
    for g in LABELS:
        print(f"            {g:<18}" + "  ".join(f"{report.confusion[g][p]:>4}" for p in LABELS),
              file=out)
    return 0
