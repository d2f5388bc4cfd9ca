"""``retold eval reuse``: text reuse against COUNTER-format pairs (:mod:`retold.evaluation.reuse`).
"""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from retold.evaluation.reuse import LABELS, cross_validate, evaluate, load_counter

HELP = "text reuse against COUNTER-format pairs (NNNN.xml source, NNNNp.xml derived): WD/PD/ND F1"

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="DIR",
                        help="folder of COUNTER pairs: NNNN.xml (source) and NNNNp.xml (derived)")
    parser.add_argument("--min-tokens", type=int, default=8,
                        help="least equal words of an aligned passage (default 8)")
    parser.add_argument("--predictions", metavar="FILE",
                        help="also write each pair's id, gold and predicted label (JSONL/CSV)")
    parser.add_argument("--cv", type=int, default=0, metavar="K",
                        help="also estimate, by K-fold cross-validation, the scores the rule gets "
                             "when its two thresholds are tuned on the other folds (default: off)")
    parser.add_argument("--cv-repeats", type=int, default=10, metavar="R",
                        help="repeats of the cross-validation with fresh folds (default 10)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from retold.cli._common import EXIT_USAGE, CommandError, Progress

    if args.min_tokens < 1:
        raise CommandError("--min-tokens must be at least 1", EXIT_USAGE)
    if args.cv == 1 or args.cv < 0:
        raise CommandError("--cv must be 0 (off) or at least 2", EXIT_USAGE)
    if args.cv_repeats < 1:
        raise CommandError("--cv-repeats must be at least 1", EXIT_USAGE)
    try:
        pairs = load_counter(args.input)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    with Progress(quiet=args.quiet or args.json) as progress:
        with progress.stage("reuse", len(pairs)) as advance:
            report = evaluate(pairs, min_tokens=args.min_tokens, progress=advance)
    cv = None
    if args.cv:
        if args.cv > len(pairs):
            raise CommandError(
                f"--cv {args.cv} needs at least as many pairs; there are {len(pairs)}", EXIT_USAGE)
        chars = np.array([report.features[p.id][0] for p in pairs])
        words = np.array([report.features[p.id][1] for p in pairs])
        cv = cross_validate([p.label for p in pairs], chars, words, folds=args.cv,
                            repeats=args.cv_repeats)
    if args.predictions:
        from retold.io import write_records

        gold = {p.id: p.label for p in pairs}
        write_records(
            ({"id": pid, "gold": gold[pid], "predicted": label}
             for pid, label in report.predictions.items()),
            args.predictions,
        )
    if args.json:
        out = report.to_dict()
        if cv is not None:
            out["cv"] = cv
        print(json.dumps(out))
        return 0
    stream = sys.stdout  # not `out`: that name holds the JSON dict above
    print(f"pairs       {report.pairs}", file=stream)
    print(f"macro-F1    {report.macro_f1:.3f}   (WD/PD/ND)", file=stream)
    print(f"derived-F1  {report.derived_f1:.3f}   (WD or PD vs ND)", file=stream)
    print("per class   " + "  ".join(f"{k} {v:.3f}" for k, v in report.per_class.items()), file=stream)
    print("confusion   gold \\ predicted  " + "  ".join(f"{p:>4}" for p in LABELS), file=stream)
    for g in LABELS:
        print(f"            {g:<18}" + "  ".join(f"{report.confusion[g][p]:>4}" for p in LABELS),
              file=stream)
    if cv is not None:
        t1, t2 = cv["in_sample_thresholds"]
        print(f"cross-val   {cv['folds']}-fold, {cv['repeats']} repeats, thresholds refitted "
              "on the training folds:", file=stream)
        print(f"            macro-F1 {cv['macro_f1']:.3f} (sd {cv['macro_f1_sd']:.3f})   "
              f"derived-F1 {cv['derived_f1']:.3f} (sd {cv['derived_f1_sd']:.3f})", file=stream)
        print(f"            in-sample best: chars >= {t1:.3f}, words >= {t2:.3f}: macro-F1 "
              f"{cv['in_sample_macro_f1']:.3f}, derived-F1 {cv['in_sample_derived_f1']:.3f}",
              file=stream)
    return 0
