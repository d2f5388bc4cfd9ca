"""The report's "Reused passages" view: its data from analyze, validation, and the page in Chromium."""
from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("jinja2", reason="the report needs Jinja2: pip install 'retold[report]'")

from retold.analysis import analyze  # noqa: E402
from retold.data import load_demo  # noqa: E402
from retold.report import render_report, report_html  # noqa: E402


@pytest.fixture(scope="module")
def data() -> dict:
    return analyze(load_demo()).report_data(title="demo")


def test_analyze_lists_reused_passages_most_reprinted_first(data):
    reused = data["reused"]
    assert reused, "the demo corpus reprints passages"
    sizes = [p["documents"] for p in reused]
    assert sizes == sorted(sizes, reverse=True)
    texts = {a["id"]: a["text"] for a in data["articles"]}
    for p in reused:
        occ = p["occurrences"]
        assert len(occ) == p["size"] >= 2
        for o in occ:
            assert texts[o["article"]][o["start"]:o["end"]] == o["text"]
        dated = [o["date"] for o in occ if o["date"]]
        assert dated == sorted(dated) and (not dated or occ[0]["date"] == dated[0])
    html = report_html(data)
    assert 'data-tab="reused"' in html and "Reused passages" in html


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["reused"][0].update(occurrences=[]), r"\['reused'\]\[0\]\['occurrences'\]"),
    (lambda d: d["reused"][0]["occurrences"][0].update(article="nope"), "unknown article id 'nope'"),
    (lambda d: d["reused"][0]["occurrences"][0].update(text=3), "'text' must be a string"),
    (lambda d: d["reused"].append("x"), r"\['reused'\]\[\d+\]"),
])
def test_malformed_reused_entries_are_refused_with_where(data, mutate, message):
    broken = copy.deepcopy(data)
    mutate(broken)
    with pytest.raises(ValueError, match=message):
        report_html(broken)


def test_the_view_shows_printings_side_by_side_with_a_timeline(data, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    exe = os.environ.get("RETOLD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe or not Path(exe).exists():
        pytest.skip("no Chromium binary (apt-get install chromium, or set RETOLD_CHROMIUM)")
    path = render_report(data, tmp_path / "report.html")
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True,
                                     args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(path.resolve().as_uri() + "#/reused", wait_until="load")
            page.wait_for_selector("section.reuse")
            assert page.locator("section.reuse").count() == len(data["reused"])
            first = page.locator("section.reuse").first
            assert first.locator(".occ").count() == data["reused"][0]["size"]
            dated = sum(1 for o in data["reused"][0]["occurrences"] if o["date"])
            assert first.locator("svg.timeline circle").count() == dated
            assert first.locator(".occ-text").first.inner_text() == data["reused"][0]["occurrences"][0]["text"]
            assert page.locator(".tabs a.active").get_attribute("data-tab") == "reused"
            shots = Path(os.environ.get("RETOLD_SCREENSHOT_DIR") or tmp_path)
            page.screenshot(path=str(shots / "report-reused.png"), full_page=False)
        finally:
            browser.close()
    assert errors == []
