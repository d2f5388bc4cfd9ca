"""The WARC read path: records/s of FastWARC and warcio on the same archive, in one run, and of
``read_articles`` (FastWARC + trafilatura extraction + boilerplate pass) end to end.

The archive is written by :func:`retold.io.warc_records.write_warc` (one gzip member a record,
as crawlers write them): ``--records`` HTML responses made from ``retold.synthetic.story_corpus``
texts in a page with nav, cookie banner, "read more" box and footer, plus one image response
in five (a crawl holds many non-HTML records, which the reader must pass over).

    PYTHONPATH=src python benches/bench_web_input.py [--records 3000]

warcio is measured only here (``pip install warcio``); it is not a dependency of retold.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from retold.io import read_articles
from retold.io.warc_records import warc_response, write_warc
from retold.synthetic import story_corpus

_PAGE = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
    "<meta property='og:site_name' content='Site {site}'></head><body><nav><a href=/>Home</a> "
    "<a href=/world>World</a> <a href=/sport>Sport</a></nav><div class=cookie>We use cookies. "
    "Accept all?</div><article><h1>{title}</h1>{body}</article><aside><h3>Read more</h3>"
    "<a href=/x>Other story</a></aside><footer>(c) 2024 Site {site}</footer></body></html>"
)


def make_archive(path: Path, n: int) -> int:
    corpus = story_corpus(n, outlets=30, seed=1)
    records = []
    for i, text in enumerate(corpus.texts):
        words = text.split()
        body = "".join(f"<p>{' '.join(words[k:k + 25])}.</p>" for k in range(0, len(words), 25))
        page = _PAGE.format(title=corpus.titles[i], site=int(corpus.outlet[i]), body=body)
        records.append(warc_response(f"https://site{int(corpus.outlet[i])}.example/{i}", page.encode()))
        if i % 5 == 0:
            records.append(warc_response(f"https://cdn.example/{i}.png", b"\x89PNG" + os.urandom(2000),
                                         content_type="image/png"))
    write_warc(path, records)
    return len(records)


def time_fastwarc(path: Path) -> tuple[int, float]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    t0 = time.perf_counter()
    n = 0
    for record in ArchiveIterator(str(path), record_types=WarcRecordType.response, parse_http=True, fsspec_args=False):
        record.http_headers.get("Content-Type")
        record.reader.read()
        n += 1
    return n, time.perf_counter() - t0


def time_warcio(path: Path) -> tuple[int, float]:
    from warcio.archiveiterator import ArchiveIterator

    t0 = time.perf_counter()
    n = 0
    with open(path, "rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type != "response":
                continue
            record.http_headers.get_header("Content-Type")
            record.content_stream().read()
            n += 1
    return n, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.warc.gz"
        total = make_archive(path, args.records)
        print(f"{path.name}: {total} records ({args.records} HTML pages), {path.stat().st_size / 1e6:.1f} MB gzipped")
        for name, fn in (("fastwarc", time_fastwarc), ("warcio", time_warcio), ("fastwarc", time_fastwarc)):
            try:
                n, secs = fn(path)
            except ImportError:
                print(f"{name:<10} not installed")
                continue
            print(f"{name:<10} {n} responses in {secs:.3f} s: {n / secs:,.0f} records/s (iterate + HTTP head + payload)")
        for strip in (False, True):
            t0 = time.perf_counter()
            n = sum(1 for _ in read_articles(path, strip_boilerplate=strip))
            secs = time.perf_counter() - t0
            print(f"read_articles strip_boilerplate={strip}: {n} articles in {secs:.2f} s: {n / secs:,.0f} articles/s "
                  "(FastWARC + charset + trafilatura)")


if __name__ == "__main__":
    main()
