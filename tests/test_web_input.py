"""HTML pages and WARC archives as input: pages written here, packed into a WARC here."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("trafilatura", reason="HTML/WARC input needs the web extra: pip install 'retold[web]'")
pytest.importorskip("fastwarc", reason="WARC input needs the web extra: pip install 'retold[web]'")

from retold.boilerplate import BoilerplateReport, strip_boilerplate  # noqa: E402
from retold.io import RecordError, read_articles  # noqa: E402
from retold.io.readers import format_from_path  # noqa: E402
from retold.io.warc_records import warc_response, write_warc  # noqa: E402

NAV = "Home World Politics Business Sport Weather"
COOKIE = "We use cookies to improve your experience. Accept all cookies or manage your settings."
READ_MORE = "Read more: Ten things you did not know about the city budget"

BRIDGE = [
    "The city council voted on Tuesday to close the old river bridge after engineers found deep cracks in two of its supports.",
    "Residents on the east bank said the closure would add twenty minutes to their daily commute into the centre.",
    "The mayor promised that a temporary pontoon crossing would open within six weeks, paid for from the emergency fund.",
]
HARBOUR = [
    "Fishermen in the northern harbour have landed the largest catch of herring recorded in the last forty years.",
    "Scientists at the marine institute credit cleaner water and a ban on trawling near the estuary for the recovery.",
    "Prices at the morning auction fell by a third as buyers from three countries competed for the surplus.",
]
RUSSIAN = [
    "Городской совет во вторник проголосовал за закрытие старого моста через реку после обнаружения трещин в опорах.",
    "Жители восточного берега говорят, что дорога на работу теперь займёт на двадцать минут больше времени.",
    "Мэр пообещал открыть временную понтонную переправу в течение шести недель за счёт резервного фонда.",
]
JAPANESE = [
    "市議会は火曜日、技術者が二本の支柱に深い亀裂を発見したことを受けて、古い川の橋を閉鎖することを決めた。",
    "東岸の住民は、閉鎖によって毎日の通勤時間が二十分長くなると話している。",
    "市長は緊急基金を使って六週間以内に仮設の浮き橋を開通させると約束した。",
]


def _article_page(title: str, paras: list[str], *, lang: str = "en", charset: str = "utf-8",
                  in_article: bool = True, site: str = "Daily Bugle") -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    main = (f"<article><h1>{title}</h1><p class='byline'>By Jane Doe</p>{body}</article>" if in_article
            else f"<div id='content'><div class='story'><h1>{title}</h1>{body}</div></div>")
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='{charset}'><title>{title} | {site}</title>"
        f"<meta property='og:site_name' content='{site}'><meta name='author' content='Jane Doe'>"
        f"<meta property='article:published_time' content='2024-05-01T09:00:00Z'></head><body>"
        f"<header><nav><ul>{''.join(f'<li><a href=/{w}>{w}</a></li>' for w in NAV.split())}</ul></nav></header>"
        f"<div class='cookie-banner'>{COOKIE}</div>{main}"
        f"<aside class='related'><h3>Read more</h3><ul><li><a href='/x'>{READ_MORE}</a></li></ul></aside>"
        "<footer>(c) 2024 Daily Bugle. All rights reserved.</footer></body></html>"
    )


NO_ARTICLE = ("<html><head><title>Index</title></head><body><nav><a href=/a>A</a> <a href=/b>B</a></nav>"
              "</body></html>")


@pytest.fixture
def pages() -> list[tuple[str, bytes, str]]:
    """(url, bytes as served, HTTP Content-Type) for each page; the last has no article."""
    return [
        ("https://www.bugle.example/bridge", _article_page("Bridge closed", BRIDGE).encode(), "text/html; charset=utf-8"),
        ("https://news.example/harbour", _article_page("Record herring catch", HARBOUR, in_article=False).encode(), "text/html"),
        # windows-1251 named only by the meta tag, not by the HTTP header
        ("https://ru.example/most", _article_page("Мост закрыт", RUSSIAN, lang="ru", charset="windows-1251").encode("windows-1251"), "text/html"),
        # Shift_JIS named only by the HTTP header (the meta tag is absent)
        ("https://jp.example/hashi", _article_page("橋を閉鎖", JAPANESE, lang="ja", charset="").replace("<meta charset=''>", "").encode("shift_jis"), "text/html; charset=shift_jis"),
        ("https://www.bugle.example/", NO_ARTICLE.encode(), "text/html"),
    ]


@pytest.fixture
def warc(tmp_path: Path, pages) -> tuple[Path, list[int]]:
    records = [warc_response(url, data, content_type=ct) for url, data, ct in pages]
    # a non-HTML response and an image are passed over without an error
    records.insert(1, warc_response("https://www.bugle.example/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00", content_type="image/png"))
    path = tmp_path / "crawl.warc.gz"
    return path, write_warc(path, records)


def test_format_detection(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<html></html>")
    assert format_from_path(tmp_path / "a.html") == "html"
    assert format_from_path(tmp_path / "b.htm") == "html"
    assert format_from_path(tmp_path) == "html"
    assert format_from_path("x.warc") == format_from_path("x.warc.gz") == "warc"


def test_warc_text_metadata_and_charsets(warc) -> None:
    path, offsets = warc
    errors: list = []
    got = {a.id: a for a in read_articles(path, on_error="skip", errors=errors)}
    assert set(got) == {"https://www.bugle.example/bridge", "https://news.example/harbour",
                        "https://ru.example/most", "https://jp.example/hashi"}
    for article, sentences in ((got["https://www.bugle.example/bridge"], BRIDGE),
                               (got["https://news.example/harbour"], HARBOUR),
                               (got["https://ru.example/most"], RUSSIAN),
                               (got["https://jp.example/hashi"], JAPANESE)):
        for sentence in sentences:
            assert sentence in article.text
        for chrome in (COOKIE, READ_MORE, "Weather", "All rights reserved"):
            assert chrome not in article.text
    bridge = got["https://www.bugle.example/bridge"]
    assert bridge.title == "Bridge closed" and bridge.source == "Daily Bugle" and bridge.lang == "en"
    assert bridge.date is not None and bridge.date.year == 2024 and bridge.extra["author"] == "Jane Doe"
    assert got["https://ru.example/most"].lang == "ru" and got["https://jp.example/hashi"].lang == "ja"
    assert got["https://ru.example/most"].extra["warc_offset"] == offsets[3]
    # the page without an article: skipped, named by file and offset
    assert len(errors) == 1 and errors[0].file == str(path) and errors[0].line == offsets[-1]
    assert errors[0].unit == "offset" and "no article" in errors[0].reason


def test_no_article_record_fails_with_file_and_offset(warc) -> None:
    path, offsets = warc
    with pytest.raises(RecordError) as caught:
        list(read_articles(path))
    assert f"{path}, offset {offsets[-1]}" in str(caught.value)
    assert "https://www.bugle.example/" in str(caught.value)


def test_id_field_takes_a_warc_header(warc) -> None:
    path, _ = warc
    ids = [a.id for a in read_articles(path, on_error="skip", id_field="WARC-Record-ID")]
    assert len(ids) == 4 and all(i.startswith("<urn:uuid:") for i in ids)


def test_html_directory(tmp_path: Path, pages) -> None:
    for n, (_, data, _) in enumerate(pages):
        (tmp_path / f"page{n}.html").write_bytes(data)
    errors: list = []
    articles = list(read_articles(tmp_path, on_error="skip", errors=errors))
    assert len(articles) == 4
    assert all(s in articles[2].text for s in RUSSIAN)  # windows-1251 from the meta tag
    assert [e.file for e in errors] == [str(tmp_path / "page4.html")]
    # page3 is Shift_JIS without a meta tag: a file has no HTTP header, so the guess decodes it
    assert all(s in articles[3].text for s in JAPANESE)
    by_path = list(read_articles(tmp_path / "page0.html", id_field="path"))
    assert by_path[0].id == str(tmp_path / "page0.html")


def _site_corpus(n: int) -> list:
    from retold.article import Article

    footer = "Subscribe to the Bugle for unlimited access from 1 euro a month."
    return [Article(id=f"https://bugle.example/{i}", text=f"Story number {i} about topic {i * 7}.\n{footer}",
                    source="Bugle") for i in range(n)] + [
        Article(id="https://other.example/1", text=f"Another outlet.\n{footer}", source="Other")]


def test_boilerplate_drops_a_sites_repeated_line() -> None:
    report = BoilerplateReport()
    out = strip_boilerplate(_site_corpus(10), report=report)
    assert all("Subscribe" not in a.text for a in out[:10]) and "Subscribe" in out[10].text
    assert report.lines_dropped == 10 and report.articles_affected == 10
    assert report.examples[0][0] == "Bugle" and "Subscribe" in report.examples[0][1]


def test_boilerplate_floor_keeps_a_small_sites_lines() -> None:
    out = strip_boilerplate(_site_corpus(4))  # 4 < min_articles: an update chain, not a template
    assert all("Subscribe" in a.text for a in out)


def test_boilerplate_default_on_for_warc_off_by_flag(warc) -> None:
    path, _ = warc
    report = BoilerplateReport()
    list(read_articles(path, on_error="skip", boilerplate=report))
    assert report.articles == 4  # the pass ran
    report2 = BoilerplateReport()
    list(read_articles(path, on_error="skip", strip_boilerplate=False, boilerplate=report2))
    assert report2.articles == 0


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "retold", *args], capture_output=True, text=True, timeout=300)


def test_cli_dedup_and_analyze_on_a_warc(tmp_path: Path, pages) -> None:
    url, data, ct = pages[0]
    records = [warc_response(u, d, content_type=c) for u, d, c in pages]
    records.append(warc_response(url + "-copy", data, content_type=ct))  # a reprint of the bridge story
    path = tmp_path / "c.warc"
    write_warc(path, records)
    failed = _cli("dedup", str(path), "-q")
    assert failed.returncode == 3 and "c.warc, offset" in failed.stderr
    out = tmp_path / "d.jsonl"
    ran = _cli("dedup", str(path), "--on-error", "skip", "-o", str(out))
    assert ran.returncode == 0, ran.stderr
    assert "skipped 1" in ran.stderr and "offset" in ran.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    groups = {r["id"]: r for r in rows}
    assert len(rows) == 5 and groups[url]["cluster"] == groups[url + "-copy"]["cluster"]
    analysed = _cli("analyze", str(path), "--on-error", "skip", "-q", "-o", str(tmp_path / "analysis"))
    assert analysed.returncode == 0, analysed.stderr
    pairs = [json.loads(line) for line in (tmp_path / "analysis" / "copy_pairs.jsonl").read_text().splitlines()]
    assert [{p["a"], p["b"]} for p in pairs] == [{url, url + "-copy"}]
