"""The read stage: JSON Lines to Articles, old path vs new, beside pyarrow.json and bare orjson.

One run, one file, the same machine: every row reads the corpus of
:func:`retold.synthetic.write_news_jsonl` (the one the 1M-document bench reads, ~1.9 KB a
document) from the page cache:

- **old-equivalent**: the pre-orjson path, step for step (commit 296aa5d): ``json.loads`` per
  line, the reader's date parse, then ``Article.from_dict`` (a ``repr`` of the id for its error
  messages, a second date parse) and ``Article.__init__`` (a third); same output, which a test
  checks against the new path;
- **read_articles**: today's :func:`retold.read_articles` (orjson, one date parse), also on the
  same file gzip-, bz2- and zstd-compressed;
- **pyarrow.json.read_json**: the whole file to an Arrow table (both cores; no Python objects);
- **orjson lines**: ``orjson.loads`` of each line into a dict, the floor for any Python reader.

Ratios are to the new ``read_articles`` (higher = slower than it).  The issue's targets: new
>= 3x faster than old-equivalent and <= 2x the time of pyarrow.json.read_json.

    PYTHONPATH=src python benches/bench_read.py --docs 100000         # the table, best of 3
    PYTHONPATH=src python -m pytest benches/bench_read.py --benchmark-disable -q   # smoke
"""
from __future__ import annotations

import argparse
import bz2
import gzip
import json
import shutil
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


def pyarrow_json(path: Path) -> Any:
    import pyarrow.json

    return pyarrow.json.read_json(path)


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


def pipelines(path: Path) -> dict[str, Callable[[], Any]]:
    rows: dict[str, Callable[[], Any]] = {
        "old-equivalent (json, 3 date parses)": lambda: old_equivalent(path),
        "read_articles": lambda: new_path(path),
    }
    for suffix, packed in compressed_copies(path).items():
        rows[f"read_articles {suffix}"] = lambda p=packed: new_path(p)
    rows["pyarrow.json.read_json"] = lambda: pyarrow_json(path)
    rows["orjson lines (dicts only)"] = lambda: orjson_lines(path)
    rows["json lines (dicts only)"] = lambda: stdlib_lines(path)
    return rows


def measure(path: Path, repeats: int) -> dict[str, float]:
    """Best-of-``repeats`` seconds per pipeline, interleaved so load drifts hit all alike."""
    rows = pipelines(path)
    best = {name: float("inf") for name in rows}
    for _ in range(repeats):
        for name, run in rows.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def table(best: dict[str, float], docs: int) -> str:
    new = best["read_articles"]
    lines = ["| pipeline | seconds | docs/s | time / read_articles |", "|---|---:|---:|---:|"]
    for name, seconds in best.items():
        lines.append(f"| {name} | {seconds:.3f} | {docs / seconds:,.0f} | {seconds / new:.2f}x |")
    old, arrow = best["old-equivalent (json, 3 date parses)"], best["pyarrow.json.read_json"]
    lines.append("")
    lines.append(f"new vs old-equivalent: {old / new:.2f}x faster (target >= 3x: "
                 f"{'met' if old / new >= 3 else 'NOT met'}); new vs pyarrow.json: {new / arrow:.2f}x its "
                 f"time (target <= 2x: {'met' if new / arrow <= 2 else 'NOT met'})")
    return "\n".join(lines)


# ---------------------------------------------------------------- pytest-benchmark


@pytest.fixture(scope="module")
def corpus(sizes, tmp_path_factory) -> tuple[Path, int]:
    docs = sizes.docs * 5  # smoke 2,000; full 100,000 (the profile's size)
    path = tmp_path_factory.mktemp("read") / "news.jsonl"
    write_news_jsonl(path, docs, seed=0)
    return path, docs


NAMES = ["old-equivalent (json, 3 date parses)", "read_articles", "read_articles .gz",
         "read_articles .bz2", "read_articles .zst", "pyarrow.json.read_json", "orjson lines (dicts only)"]


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
    old, new = old_equivalent(path), new_path(path)
    assert len(new) == docs and old == new
    assert [(a.date, a.extra) for a in old] == [(a.date, a.extra) for a in new]


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
        print(table(measure(path, args.repeats), docs))
    finally:
        if folder:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
