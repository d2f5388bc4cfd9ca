"""The read stage: JSON Lines to Articles, old path vs new, beside pyarrow.json and bare orjson.

One run, one file, the same machine: every row reads the corpus of
:func:`retold.synthetic.write_news_jsonl` (the one the 1M-document bench reads, ~1.9 KB a
document) from the page cache:

- **old-equivalent**: the pre-orjson path, step for step (commit 296aa5d): ``json.loads`` per
  line, the reader's date parse, then ``Article.from_dict`` (a ``repr`` of the id for its error
  messages, a second date parse) and ``Article.__init__`` (a third); same output, which a test
  checks against the new path;
- **the old code** itself, with ``--old-src`` (its ``src/`` unpacked from git), in a child process;
- **read_articles**: today's :func:`retold.read_articles` (orjson, one date parse), also on the
  same file gzip-, bz2- and zstd-compressed, and on the same records as CSV, through pyarrow's
  CSV reader and through the csv module as before;
- **pyarrow.json.read_json**: the whole file to an Arrow table (both cores; no Python objects);
- **orjson lines**: ``orjson.loads`` of each line into a dict, the floor for any Python reader.

Ratios are to the new ``read_articles`` (higher = slower than it).  The issue's targets: new
>= 3x faster than old-equivalent and <= 2x the time of pyarrow.json.read_json.

    git archive 296aa5d | tar -x -C /tmp/old      # the code before this change, to time it too
    PYTHONPATH=src python benches/bench_read.py --docs 100000 --old-src /tmp/old/src   # best of 3
    PYTHONPATH=src python -m pytest benches/bench_read.py --benchmark-disable -q   # smoke
"""
from __future__ import annotations

import argparse
import bz2
import csv
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from retold import read_articles
from retold.article import Article, parse_date
from retold.io.jsonl_records import jsonl_records
from retold.io.raw_records import byte_lines
from retold.synthetic import write_news_jsonl


# ---------------------------------------------------------------- the pipelines


def old_equivalent(path: Path) -> list[Article]:
    """What read_articles did per record before orjson (commit 296aa5d), with the public
    constructor: decode + json.loads, three date parses, an eager repr per record."""
    out, seen = [], {}
    for position, raw in enumerate(jsonl_records(byte_lines(path), str(path), "strict", use_orjson=False)):
        record = raw.fields
        assert record is not None, raw.problem
        text = record.get("text")
        if not isinstance(text, str):
            raise ValueError(f"{path}, line {raw.line}: bad text")
        date = parse_date(record.get("date"))  # 1: the reader
        if date is not None:
            record["date"] = date
        where = f"record {record.get('id', position)!r}"  # from_dict built this for every record
        ident = record.get("id")
        ident = str(position) if ident is None else ident
        try:
            date = parse_date(record.get("date"))  # 2: from_dict
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        known = {"id", "text", "title", "date", "source", "lang"}
        article = Article(  # 3: __post_init__
            id=str(ident), text=text, title=record.get("title") or None, date=date,
            source=record.get("source") or None, lang=record.get("lang") or None,
            extra={k: v for k, v in record.items() if k not in known},
        )
        if article.id in seen:
            raise ValueError(f"duplicate id {article.id!r}")
        seen[article.id] = raw.line
        out.append(article)
    return out


def new_path(path: Path) -> list[Article]:
    return list(read_articles(path))


def twin_path(path: Path) -> list[Article]:
    """``read_articles`` with the pure-Python twin of the JSONL loop (``clean_articles``)."""
    from retold import _backend
    from retold.io import jsonl_articles

    compiled = jsonl_articles.kernels
    jsonl_articles.kernels = _backend.reference_kernels  # type: ignore[assignment]
    try:
        return list(read_articles(path))
    finally:
        jsonl_articles.kernels = compiled  # type: ignore[assignment]


def pyarrow_json(path: Path, threads: bool = True) -> Any:
    import pyarrow.json

    return pyarrow.json.read_json(path, read_options=pyarrow.json.ReadOptions(use_threads=threads))


_OLD_CODE = (
    "import sys, time, warnings; warnings.simplefilter('ignore'); sys.path.insert(0, sys.argv[1]); "
    "from retold.io.readers import read_articles; start = time.perf_counter(); "
    "n = len(list(read_articles(sys.argv[2]))); print(n, time.perf_counter() - start)"
)


def released_code(src: Path, path: Path) -> float:
    """Seconds of ``list(read_articles(path))`` by the retold whose ``src/`` is ``src`` (an
    earlier commit, unpacked with ``git archive``), in a child process: the old code itself."""
    done = subprocess.run([sys.executable, "-c", _OLD_CODE, str(src), str(path)],
                          check=True, capture_output=True, text=True)
    count, seconds = done.stdout.split()
    return float(seconds)


def orjson_lines(path: Path) -> list[dict]:
    import orjson

    with open(path, "rb") as handle:
        return [orjson.loads(line) for line in handle]


def stdlib_lines(path: Path) -> list[dict]:
    with open(path, "rb") as handle:
        return [json.loads(line) for line in handle]


def compressed_copies(path: Path) -> dict[str, Path]:
    """The corpus as .gz, .bz2 and (with zstandard) .zst, beside it."""
    data = path.read_bytes()
    copies = {".gz": lambda d: gzip.compress(d, compresslevel=6, mtime=0), ".bz2": bz2.compress}
    try:
        import zstandard

        copies[".zst"] = lambda d: zstandard.ZstdCompressor(level=3).compress(d)
    except ImportError:
        pass
    out = {}
    for suffix, compress in copies.items():
        target = path.with_name(path.name + suffix)
        if not target.exists():
            target.write_bytes(compress(data))
        out[suffix] = target
    return out


def csv_copy(path: Path) -> Path:
    """The corpus as CSV beside it (the same records; null cells empty, as CSV has no null)."""
    target = path.with_name(path.name.removesuffix(".jsonl") + ".csv")
    if not target.exists():
        with open(path, "rb") as lines, open(target, "w", encoding="utf-8", newline="") as out:
            writer = None
            for line in lines:
                record = json.loads(line)
                if writer is None:
                    writer = csv.DictWriter(out, fieldnames=list(record))
                    writer.writeheader()
                writer.writerow({k: "" if v is None else v for k, v in record.items()})
    return target


def csv_module_path(path: Path) -> list[Article]:
    """read_articles as it read CSV before pyarrow: the csv module's rows, the same Articles."""
    from retold.io import arrow_delimited

    real = arrow_delimited._arrow_csv
    arrow_delimited._arrow_csv = lambda: None
    try:
        return list(read_articles(path))
    finally:
        arrow_delimited._arrow_csv = real


def pipelines(path: Path) -> dict[str, Callable[[], Any]]:
    rows: dict[str, Callable[[], Any]] = {
        "old-equivalent (json, 3 date parses)": lambda: old_equivalent(path),
        "read_articles": lambda: new_path(path),
        "read_articles, the loop's pure-Python twin": lambda: twin_path(path),
    }
    for suffix, packed in compressed_copies(path).items():
        rows[f"read_articles {suffix}"] = lambda p=packed: new_path(p)
    table = csv_copy(path)
    rows["read_articles .csv (pyarrow's CSV reader)"] = lambda: new_path(table)
    rows["read_articles .csv (csv module, as before)"] = lambda: csv_module_path(table)
    rows["pyarrow.json.read_json"] = lambda: pyarrow_json(path)
    rows["pyarrow.json.read_json, 1 thread"] = lambda: pyarrow_json(path, threads=False)
    rows["orjson lines (dicts only)"] = lambda: orjson_lines(path)
    rows["json lines (dicts only)"] = lambda: stdlib_lines(path)
    return rows


def measure(path: Path, repeats: int, old_src: Path | None = None) -> dict[str, float]:
    """Best-of-``repeats`` seconds per pipeline, interleaved so load drifts hit all alike;
    with ``old_src``, the released code's own read_articles as a row too."""
    rows = pipelines(path)
    best = {name: float("inf") for name in rows}
    if old_src is not None:
        best[OLD_RELEASED] = best[NEW_CHILD] = float("inf")
    for _ in range(repeats):
        if old_src is not None:  # both in a fresh child process, so neither finds memory warm
            best[OLD_RELEASED] = min(best[OLD_RELEASED], released_code(old_src, path))
            best[NEW_CHILD] = min(best[NEW_CHILD], released_code(THIS_SRC, path))
        for name, run in rows.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


OLD_RELEASED = "read_articles of commit 296aa5d (the old code), child process"
NEW_CHILD = "read_articles, child process"
THIS_SRC = Path(__file__).resolve().parents[1] / "src"


def table(best: dict[str, float], docs: int) -> str:
    new = best["read_articles"]
    new_child = best.get(NEW_CHILD, new)
    lines = ["| pipeline | seconds | docs/s | time / read_articles |", "|---|---:|---:|---:|"]
    for name, seconds in best.items():
        lines.append(f"| {name} | {seconds:.3f} | {docs / seconds:,.0f} | {seconds / new:.2f}x |")
    old = best.get(OLD_RELEASED, best["old-equivalent (json, 3 date parses)"])
    arrow = best["pyarrow.json.read_json"]
    lines.append("")
    lines.append(f"new vs {'old code' if OLD_RELEASED in best else 'old-equivalent'}: {old / new_child:.2f}x faster (target >= 3x: "
                 f"{'met' if old / new_child >= 3 else 'NOT met'}); new vs pyarrow.json: {new / arrow:.2f}x its "
                 f"time (target <= 2x: {'met' if new / arrow <= 2 else 'NOT met'})")
    return "\n".join(lines)


# ---------------------------------------------------------------- pytest-benchmark


@pytest.fixture(scope="module")
def corpus(sizes, tmp_path_factory) -> tuple[Path, int]:
    docs = sizes.docs * 5  # smoke 2,000; full 100,000 (the profile's size)
    path = tmp_path_factory.mktemp("read") / "news.jsonl"
    write_news_jsonl(path, docs, seed=0)
    return path, docs


NAMES = ["old-equivalent (json, 3 date parses)", "read_articles", "read_articles, the loop's pure-Python twin",
         "read_articles .gz",
         "read_articles .bz2", "read_articles .zst", "read_articles .csv (pyarrow's CSV reader)",
         "read_articles .csv (csv module, as before)", "pyarrow.json.read_json", "orjson lines (dicts only)"]


@pytest.mark.parametrize("name", NAMES)
def test_read_stage(benchmark, corpus, name):
    path, docs = corpus
    rows = pipelines(path)
    if name not in rows:
        pytest.skip("zstandard is not installed")
    if "pyarrow" in name:
        pytest.importorskip("pyarrow.json")
    result = benchmark.pedantic(rows[name], rounds=3, iterations=1)
    assert (result.num_rows if hasattr(result, "num_rows") else len(result)) == docs


def test_new_path_gives_the_old_articles(corpus):
    path, docs = corpus
    old, new, twin = old_equivalent(path), new_path(path), twin_path(path)
    assert len(new) == docs and old == new == twin
    assert [(a.date, a.extra) for a in old] == [(a.date, a.extra) for a in new] == [(a.date, a.extra) for a in twin]


def test_csv_through_pyarrow_gives_the_csv_modules_articles(corpus):
    pytest.importorskip("pyarrow.csv")
    path, docs = corpus
    table = csv_copy(path)
    fast, slow = new_path(table), csv_module_path(table)
    assert len(fast) == docs and fast == slow
    assert [(a.date, a.extra) for a in fast] == [(a.date, a.extra) for a in slow]


def test_ratio_table_in_one_run(corpus, sizes, capsys):
    pytest.importorskip("orjson")
    pytest.importorskip("pyarrow.json")
    path, docs = corpus
    best = measure(path, 1 if sizes.smoke else 3)
    with capsys.disabled():
        print(f"\nread stage, {docs:,} documents ({path.stat().st_size / 1e6:.0f} MB):\n" + table(best, docs))
    assert all(seconds > 0 for seconds in best.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data", type=Path, help="corpus JSONL (made if absent)")
    parser.add_argument("--old-src", type=Path, help="src/ of an earlier retold to time as well, e.g. "
                        "git archive 296aa5d | tar -x -C /tmp/old, then --old-src /tmp/old/src")
    args = parser.parse_args()
    folder = None
    path = args.data
    if path is None:
        folder = tempfile.mkdtemp()
        path = Path(folder) / "news.jsonl"
    try:
        if not path.exists():
            write_news_jsonl(path, args.docs, seed=0)
        docs = sum(1 for _ in open(path, "rb"))
        print(f"read stage, {docs:,} documents ({path.stat().st_size / 1e6:.0f} MB), best of {args.repeats}:")
        print(table(measure(path, args.repeats, args.old_src), docs))
    finally:
        if folder:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
