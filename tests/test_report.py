"""The HTML report without a browser: data round trip, escaping, validation, size, no network."""
from __future__ import annotations

import copy
import html
import json
import re
import sys

import numpy as np
import pytest

import retold

pytest.importorskip("jinja2", reason="the report needs Jinja2: pip install 'retold[report]'")

from retold.report import render, render_report, report_html  # noqa: E402

from .report_fixture import demo_report_data, shared_runs, synthetic_report_data  # noqa: E402

DATA_RE = re.compile(r'<script type="application/json" id="retold-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def demo():
    return demo_report_data()


def embedded(page: str) -> dict:
    blocks = DATA_RE.findall(page)
    assert len(blocks) == 1, "the data is embedded exactly once"
    return json.loads(blocks[0])


def test_demo_fixture_is_plausible(demo):
    s = demo["summary"]
    assert s["articles"] == 63 and s["stories"] == 23 and s["edges"] == 40
    assert s["passages"] > 20
    ids = {a["id"] for a in demo["articles"]}
    texts = {a["id"]: a["text"] for a in demo["articles"]}
    quoted = 0
    for pair in demo["pairs"]:
        assert {pair["a"], pair["b"]} <= ids
        for p in pair["passages"]:
            a = texts[pair["a"]][p["a_start"]:p["a_end"]]
            b = texts[pair["b"]][p["b_start"]:p["b_end"]]
            assert retold.tokenize(a).hashes.tolist() == retold.tokenize(b).hashes.tolist()
            assert len(retold.tokenize(a).hashes) == p["tokens"] >= 6
            quoted += p["quoted"]
    assert quoted > 0


def test_shared_runs_finds_the_common_sentence():
    a = 'Intro words here. "We will rebuild the bridge before the winter comes," she said. Other text.'
    b = 'Different start entirely. "We will rebuild the bridge before the winter comes," the mayor said.'
    (p,) = shared_runs(a, b)
    assert a[p["a_start"]:p["a_end"]] == "We will rebuild the bridge before the winter comes"
    assert b[p["b_start"]:p["b_end"]] == a[p["a_start"]:p["a_end"]]
    assert p["tokens"] == 9 and p["quoted"]
    assert shared_runs("one two three", "four five six") == []


def test_page_embeds_the_data_once_and_it_round_trips(demo):
    page = report_html(demo)
    assert page.startswith("<!DOCTYPE html>")
    back = embedded(page)
    assert back["articles"] == demo["articles"]
    assert back["pairs"] == demo["pairs"]
    assert back["provenance"] == demo["provenance"]
    assert back["summary"] == demo["summary"]
    assert "<title>retold demo corpus</title>" in page
    assert "20 Mar 2026, 12:00 UTC" in page
    assert report_html(demo) == page  # deterministic


def test_page_is_self_contained(demo):
    page = report_html(demo)
    # nothing that a browser would fetch: no external scripts, styles, fonts, images
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)\s*=', page, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page, re.I)
    assert "@import" not in page
    assert page.count("<script") == 2 and page.count("<style") == 1


def test_hostile_text_cannot_end_the_data_block(demo):
    data = copy.deepcopy(demo)
    evil = "</script><script>alert(1)</script><!-- \u2028 & </SCRIPT >"
    data["articles"][0]["text"] = evil + data["articles"][0]["text"]
    data["articles"][0]["title"] = evil
    data["title"] = "<b>Report</b> & co"
    page = report_html(data)
    block = DATA_RE.findall(page)[0]
    assert "<" not in block and ">" not in block and "\u2028" not in block
    assert embedded(page)["articles"][0]["title"] == evil
    assert "<title>&lt;b&gt;Report&lt;/b&gt; &amp; co</title>" in page
    assert html.escape("<b>Report</b>") in page


def test_numpy_values_and_missing_parts_are_accepted():
    data = {
        "articles": [
            {"id": "x", "text": "alpha beta gamma", "date": np.datetime64("2026-03-01T10:00")},
            {"id": "y", "text": "alpha beta delta"},
        ],
        "pairs": [{
            "a": "x", "b": "y", "kind": "story", "similarity": np.float32(0.5), "coverage": float("nan"),
            "passages": [{"a_start": np.int64(0), "a_end": np.int64(10), "b_start": 0, "b_end": 10,
                          "tokens": np.int32(2), "score": 2.0, "quoted": np.bool_(False)}],
        }],
    }
    back = embedded(report_html(data))
    assert back["summary"] == {"articles": 2, "copy_clusters": 0, "stories": 0, "passages": 1, "edges": 0}
    assert back["pairs"][0]["similarity"] == 0.5 and back["pairs"][0]["coverage"] is None
    assert back["pairs"][0]["passages"][0]["a_end"] == 10
    assert back["articles"][0]["date"].startswith("2026-03-01T10:00")
    assert back["stories"] == [] and back["copies"] == [] and back["provenance"] == []


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["pairs"][0].update(b="nope"), r"\['pairs'\]\[0\]\['b'\]: unknown article id 'nope'"),
    (lambda d: d["articles"].append(dict(d["articles"][0])), r"duplicate article id 'd01'"),
    (lambda d: d["articles"][3].update(text=42), r"'text' of article 'd04' must be a string"),
    (lambda d: d["pairs"][0]["passages"].append({"a_start": 5, "a_end": 2, "b_start": 0, "b_end": 1}),
     r"\['pairs'\]\[0\]\['passages'\]\[\d+\]: a_start=5, a_end=2 is not a span"),
    (lambda d: d["pairs"][0]["passages"].append({"a_start": 0, "a_end": 1.5, "b_start": 0, "b_end": 1}),
     r"a_start and a_end must be integers"),
    (lambda d: d["provenance"].append({"source_id": "d01", "derived_id": "zz"}),
     r"\['provenance'\]\[40\]\['derived_id'\]: unknown article id 'zz'"),
    (lambda d: d["stories"][0]["articles"].append("zz"), r"\['stories'\]\[0\]\['articles'\]: unknown article id"),
    (lambda d: d.update(pairs={"a": 1}), r"\['pairs'\]: expected a list, got dict"),
])
def test_malformed_data_is_refused_with_where(demo, mutate, message):
    data = copy.deepcopy(demo)
    mutate(data)
    with pytest.raises(ValueError, match=message):
        report_html(data)


def test_argument_types():
    with pytest.raises(TypeError, match="data must be a dict"):
        report_html([])
    with pytest.raises(TypeError, match="max_inline_text_chars"):
        report_html({"articles": []}, max_inline_text_chars=True)
    with pytest.raises(ValueError, match="max_inline_text_chars must be >= 0"):
        report_html({"articles": []}, max_inline_text_chars=-1)


def test_max_inline_text_chars_cuts_texts(demo):
    back = embedded(report_html(demo, max_inline_text_chars=100))
    long = [a for a in back["articles"] if "text_length" in a]
    assert len(long) == 63 and all(len(a["text"]) == 100 for a in long)
    original = {a["id"]: a["text"] for a in demo["articles"]}
    assert all(original[a["id"]].startswith(a["text"]) and a["text_length"] == len(original[a["id"]]) for a in long)
    assert "text_length" not in demo["articles"][0]  # the caller's data is not changed


def test_render_report_writes_atomically(demo, tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(ValueError):
        render_report({"articles": [{"id": 1}]}, target)
    assert target.read_text(encoding="utf-8") == "old"  # a failed render leaves the old file
    out = render_report(demo, str(target))
    assert out == target
    assert target.read_text(encoding="utf-8") == report_html(demo)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary left behind


def test_missing_jinja2_says_what_to_install(monkeypatch):
    render._environment.cache_clear()
    render._assets.cache_clear()
    monkeypatch.setitem(sys.modules, "jinja2", None)
    try:
        with pytest.raises(ImportError, match=r"pip install 'retold\[report\]'"):
            report_html({"articles": []})
    finally:
        monkeypatch.undo()
        render._environment.cache_clear()
        render._assets.cache_clear()
    assert report_html({"articles": []}).startswith("<!DOCTYPE html>")


def test_ten_thousand_articles_stay_lean():
    data = synthetic_report_data(10_000, words_per_article=60)
    page = report_html(data)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    shell = len(report_html({"articles": []}))
    # The data once, plus the page's fixed code: no per-article markup rendered up front,
    # only the static story list (for browsers without JavaScript), which is bounded.
    assert len(page) < len(payload) * 1.05 + shell
    assert page.count("<tr data-story=") == render.STATIC_STORY_ROWS and "<mark" not in page
    print(f"\n10,000 articles: {len(page) / 1e6:.1f} MB of HTML, of which {shell / 1e3:.0f} kB page code")


# ---------------------------------------------------------------- without JavaScript


class _StaticPage:
    """What a browser without JavaScript shows: the text of elements, outside <script>,
    <style> and <template>, by the classes and attributes that mark the parts checked."""

    def __init__(self, page: str) -> None:
        from html.parser import HTMLParser

        self.stats: dict[str, str] = {}
        self.rows: list[dict] = []
        self.texts: list[str] = []
        state = {"skip": 0, "dt": None, "in": None, "cell": None}
        outer = self

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                attrs = dict(attrs)
                if tag in ("script", "style"):
                    state["skip"] += 1
                elif tag in ("dt", "dd"):
                    state["in"] = tag
                elif tag == "tr" and "data-story" in attrs:
                    outer.rows.append({"id": attrs["data-story"], "cells": []})
                elif tag == "td" and outer.rows:
                    state["cell"] = []
                    outer.rows[-1]["cells"].append(state["cell"])

            def handle_endtag(self, tag):
                if tag in ("script", "style"):
                    state["skip"] -= 1
                elif tag in ("dt", "dd"):
                    state["in"] = None
                elif tag == "td":
                    state["cell"] = None

            def handle_data(self, data):
                if state["skip"] or not data.strip():
                    return
                outer.texts.append(data.strip())
                if state["in"] == "dt":
                    state["dt"] = data.strip()
                elif state["in"] == "dd" and state["dt"]:
                    outer.stats[state["dt"]] = data.strip()
                if state["cell"] is not None:
                    state["cell"].append(data.strip())

        Parser().feed(page)


def test_without_javascript_the_header_and_story_list_show(demo):
    page = _StaticPage(report_html(demo))
    summary = render.prepare_report_data(demo, None)["summary"]
    assert page.stats == {
        "articles": f"{summary['articles']:,}", "copy clusters": f"{summary['copy_clusters']:,}",
        "stories": f"{summary['stories']:,}", "shared passages": f"{summary['passages']:,}",
        "provenance edges": f"{summary['edges']:,}",
    }
    multi = [s for s in demo["stories"] if len(s["articles"]) >= 2]
    assert [r["id"] for r in page.rows] == [s["id"] for s in sorted(
        multi, key=lambda s: (-len(s["articles"]), s["start"] or "", s["id"]))]
    first = page.rows[0]
    story = next(s for s in demo["stories"] if s["id"] == first["id"])
    cells = [" ".join(c) for c in first["cells"]]
    assert story["label"][0] in cells[0] and cells[1] == str(len(story["articles"]))
    assert re.fullmatch(r"\d{1,2}( \w{3})?( \d{4})?( \u2013 \d{1,2} \w{3} \d{4})?", cells[2])
    assert story["sources"][0] in cells[3] and story["languages"][0] in cells[4]
    assert not any("needs JavaScript" in t for t in page.texts)


def test_without_javascript_text_is_escaped_and_a_big_list_is_cut(demo):
    data = copy.deepcopy(demo)
    evil = "<b>bold</b> & <script>x()</script>"
    story = data["stories"][0]
    story["label"] = [evil]
    page = report_html(data)
    assert evil not in page and html.escape(evil) in page
    big = _StaticPage(report_html(synthetic_report_data(2_000)))
    assert len(big.rows) == render.STATIC_STORY_ROWS
    assert any(re.search(r"largest of [\d,]+ stories; with JavaScript", t) for t in big.texts)
