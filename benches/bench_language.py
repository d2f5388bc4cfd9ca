"""Language identification on the SemEval-2022 Task 8 texts, whose language is known: accuracy
and speed of py3langid (retold's ``lang`` extra) and lingua-language-detector, in one run.

Each text of ../shared/data/semeval2022-task8/train.csv (both sides of every pair, as stored:
mojibake rows included) is identified once; a text counts as right when the ISO 639-1 code
matches its ``lang1``/``lang2``.  Load time (reading the model) is reported apart.

    PYTHONPATH=src python benches/bench_language.py               # all 2,566 texts
    PYTHONPATH=src python -m pytest benches/bench_language.py --benchmark-disable -q   # smoke
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "semeval2022-task8" / "train.csv"


def semeval_texts(limit: int | None = None) -> list[tuple[str, str]]:
    """``(lang, text)`` for both texts of each pair, in file order."""
    csv.field_size_limit(sys.maxsize)
    with open(DATA, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = [(r["lang1"], r["text1"]) for r in rows] + [(r["lang2"], r["text2"]) for r in rows]
    return texts[:limit] if limit else texts


def identifiers(full: bool) -> dict[str, Callable[[], Callable[[str], str | None]]]:
    """Name -> a function that loads the identifier and returns text -> ISO 639-1 code."""

    def retold_py3langid():
        from retold.language import detect_language, language_detector

        language_detector()
        detect_language("warm the model up")
        return detect_language

    def lingua(low: bool):
        def load():
            from lingua import LanguageDetectorBuilder

            builder = LanguageDetectorBuilder.from_all_languages()
            if low:
                builder = builder.with_low_accuracy_mode()
            detector = builder.with_preloaded_language_models().build()

            def detect(text: str) -> str | None:
                found = detector.detect_language_of(text)
                return found.iso_code_639_1.name.lower() if found else None

            return detect

        return load

    out = {"py3langid (retold.detect_language)": retold_py3langid, "lingua, low accuracy mode": lingua(True)}
    if full:  # the high-accuracy models take ~20 s to load: not in a smoke run
        out["lingua, high accuracy"] = lingua(False)
    return out


def measure(texts: list[tuple[str, str]], full: bool) -> list[tuple[str, float, float, float]]:
    rows = []
    for name, load in identifiers(full).items():
        start = time.perf_counter()
        detect = load()
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        found = [detect(text) for _, text in texts]
        seconds = time.perf_counter() - start
        accuracy = sum(f == lang for f, (lang, _) in zip(found, texts)) / len(texts)
        rows.append((name, accuracy, seconds, loaded))
    return rows


def table(rows, n: int) -> str:
    fastest = min(seconds for _, _, seconds, _ in rows)
    lines = [f"language identification, {n:,} SemEval-2022 Task 8 texts:",
             "| identifier | accuracy | texts/s | time / fastest | model load s |", "|---|---:|---:|---:|---:|"]
    for name, accuracy, seconds, loaded in rows:
        lines.append(f"| {name} | {accuracy:.2%} | {n / seconds:,.0f} | {seconds / fastest:.1f}x | {loaded:.1f} |")
    return "\n".join(lines)


@pytest.mark.skipif(not DATA.exists(), reason=f"the SemEval data is not at {DATA} (../shared is absent)")
def test_language_identifiers_on_semeval(sizes, capsys):
    pytest.importorskip("py3langid")
    pytest.importorskip("lingua")
    texts = semeval_texts(200 if sizes.smoke else None)
    rows = measure(texts, full=not sizes.smoke)
    with capsys.disabled():
        print("\n" + table(rows, len(texts)))
    assert rows[0][1] > 0.95  # py3langid, the one retold ships, stays accurate on news


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="first N texts only")
    args = parser.parse_args()
    texts = semeval_texts(args.limit)
    print(table(measure(texts, full=True), len(texts)))


if __name__ == "__main__":
    main()
