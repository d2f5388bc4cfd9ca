"""The report in a real headless browser: it loads clean, stories and pairs open, passages show.

Needs Chromium (Debian: ``apt-get install chromium``) and playwright for Python
(``pip install playwright``; its own browser download is not used).  Skips, saying which is
missing, where either is absent.  Screenshots go to ``RETOLD_SCREENSHOT_DIR`` (default: the
test's temporary directory); ``report.png`` there is the picture in the README, the report
that ``retold analyze --demo`` writes
(``RETOLD_SCREENSHOT_DIR=docs pytest tests/test_report_browser.py -k analyze_demo`` refreshes it).
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

pytest.importorskip("jinja2", reason="the report needs Jinja2: pip install 'retold[report]'")
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: pip install playwright"
)

from retold.report import render_report  # noqa: E402

from .report_fixture import demo_report_data, synthetic_report_data  # noqa: E402

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Generous: the 10,000-article page opens in well under a second on a laptop; CI machines are
# shared and slow, and this only has to catch a page that renders everything up front.
LOAD_BOUND_S = 10.0


def _chromium() -> str | None:
    env = os.environ.get("RETOLD_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for path in CHROMIUM_CANDIDATES:
        if Path(path).exists():
            return path
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found


@pytest.fixture(scope="module")
def browser():
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium binary (apt-get install chromium, or set RETOLD_CHROMIUM)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    where = Path(os.environ.get("RETOLD_SCREENSHOT_DIR") or tmp_path)
    where.mkdir(parents=True, exist_ok=True)
    return where


class Page:
    """A page with its console errors, page errors and network requests recorded."""

    def __init__(self, browser, width=1400, height=1000):
        self.context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def open(self, path: Path, hash_: str = ""):
        self.page.goto(path.resolve().as_uri() + hash_, wait_until="load")
        self.page.wait_for_selector("html[data-ready]", timeout=30_000)
        return self.page

    def close(self):
        self.context.close()

    def assert_clean(self):
        assert self.errors == []
        # Only the file itself is loaded (plus data: / blob: URLs the page makes): no network.
        outside = [u for u in self.requests if not u.startswith(("file://", "data:", "blob:"))]
        assert outside == []


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    return render_report(demo_report_data(), path)


def _visible_marks(page, side: str) -> int:
    return page.evaluate(
        """side => Array.from(document.querySelectorAll('.col-' + side + ' mark.p')).filter(m => {
            const r = m.getBoundingClientRect(); return r.width > 0 && r.height > 0;
        }).length""",
        side,
    )


def test_demo_story_pair_and_copies(browser, demo_report, shots):
    tab = Page(browser)
    try:
        page = tab.open(demo_report)
        rows = page.locator("#story-list tbody tr[data-story]")
        assert rows.count() == 11  # the multi-article stories (min. size 2 by default)
        page.screenshot(path=str(shots / "report-stories.png"), full_page=True)

        # search narrows the list, and clearing it brings the list back
        page.fill("#story-search", "Kestrel")
        page.wait_for_function("document.querySelectorAll('#story-list tbody tr[data-story]').length === 1")
        assert rows.first.get_attribute("data-story") == "kestrel-systems-job-cuts"
        page.fill("#story-search", "")
        page.wait_for_function("document.querySelectorAll('#story-list tbody tr[data-story]').length === 11")
        page.select_option("#filter-lang", "zh")
        page.wait_for_function("document.querySelectorAll('#story-list tbody tr[data-story]').length === 2")
        page.select_option("#filter-lang", "")
        page.fill("#filter-min", "1")
        page.wait_for_function("document.querySelectorAll('#story-list tbody tr[data-story]').length === 23")
        page.select_option("#story-sort", "newest")
        newest = rows.first.get_attribute("data-story")
        assert newest in {"kestrel-systems-job-cuts", "saint-aurele-painting-theft", "hailan-spring-tea-prices"}
        page.select_option("#story-sort", "size")

        # open a story: its graph has a node per article and an edge per provenance link
        page.click("#story-list tbody tr[data-story='kestrel-systems-job-cuts']")
        page.wait_for_selector(".graph svg")
        assert page.locator(".graph .node").count() == 6
        assert page.locator(".graph path.edge").count() == 5
        assert page.locator("table.articles tbody tr").count() == 6
        page.dispatch_event(".graph path.edge[data-derived='d58']", "mouseenter")
        assert "names the source" in page.inner_text(".edge-info") or "passages" in page.inner_text(".edge-info")
        page.screenshot(path=str(shots / "report-story.png"), full_page=True)

        # open a pair of rewrites that share passages, one of them a quote
        page.click("table.pairs tbody tr[data-pair='d54|d58']")
        page.wait_for_selector(".col-a .text")
        n_a, n_b = _visible_marks(page, "a"), _visible_marks(page, "b")
        assert n_a > 0 and n_b > 0
        assert page.locator(".col-a sup.pn").count() == page.locator(".col-b sup.pn").count() == 3
        assert page.locator(".col-a mark.q").count() > 0 and page.locator(".col-b mark.q").count() > 0
        # the same passage has the same colour on both sides
        colours = page.evaluate("""() => ['a', 'b'].map(s => getComputedStyle(
            document.querySelector('.col-' + s + ' mark[data-p~="0"]')).backgroundColor)""")
        assert colours[0] == colours[1] and colours[0] not in ("rgba(0, 0, 0, 0)", "transparent")
        # highlighted text is the same passage in both columns
        texts = page.evaluate("""() => ['a', 'b'].map(s => Array.from(document.querySelectorAll(
            '.col-' + s + ' mark[data-p~="1"]')).map(m => m.textContent).join('').toLowerCase())""")
        assert texts[0] == texts[1] and len(texts[0].split()) >= 6
        # the next pair of the story opens from the pair view, and comes back
        page.click("#next-pair")
        page.wait_for_function("location.hash !== '#/pair/d54/d58'")
        page.click("#prev-pair")
        page.wait_for_function("location.hash === '#/pair/d54/d58'")
        page.wait_for_selector(".col-a mark.p")
        page.mouse.move(0, 0)  # no hover styles in the picture
        page.set_viewport_size({"width": 1400, "height": 1150})
        page.screenshot(path=str(shots / "report-fixture-pair.png"))
        page.set_viewport_size({"width": 1400, "height": 1000})

        # copies: a cluster opens lazily, a member's word diff against the representative
        page.click(".tabs a[data-tab=copies]")
        page.wait_for_selector("details.cluster")
        assert page.locator("details.cluster").count() == 8
        assert page.locator("details.member").count() == 0  # nothing built before it is opened
        page.click("details.cluster[data-cluster='cc-d54'] > summary")
        page.click("details.member[data-article='d56'] > summary")
        page.wait_for_selector("details.member[data-article='d56'] .diff")
        assert page.locator("details.member[data-article='d56'] .diff ins, details.member[data-article='d56'] .diff del").count() > 0
        page.screenshot(path=str(shots / "report-copies.png"), full_page=True)

        page.click(".tabs a[data-tab=about]")
        page.wait_for_selector("dl.kv")
        tab.assert_clean()
    finally:
        tab.close()


def test_right_to_left_and_chinese_pairs(browser, demo_report, shots):
    tab = Page(browser)
    try:
        # two Arabic copies (d44, d45) and two Chinese copies (d25, d26)
        for a, b in (("d44", "d45"), ("d25", "d26")):
            page = tab.open(demo_report, f"#/pair/{a}/{b}")
            page.wait_for_selector(".col-a .text")
            assert page.eval_on_selector(".col-a .text", "e => e.getAttribute('dir')") == "auto"
            assert _visible_marks(page, "a") > 0 and _visible_marks(page, "b") > 0
            if a == "d44":
                assert page.eval_on_selector(".col-a .text", "e => getComputedStyle(e).direction") == "rtl"
                page.screenshot(path=str(shots / "report-rtl.png"))
        tab.assert_clean()
    finally:
        tab.close()


def test_hostile_text_is_shown_not_run(browser, tmp_path):
    data = demo_report_data()
    evil = "</script><script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\"> & <b>bold</b>"
    data["articles"][0]["title"] = evil
    data["articles"][0]["text"] = evil + " " + data["articles"][0]["text"]
    path = render_report(data, tmp_path / "evil.html")
    tab = Page(browser)
    try:
        page = tab.open(path, "#/story/westbrook-hospital-cyberattack")
        page.wait_for_selector("table.articles")
        assert page.evaluate("window.__pwned === undefined")
        assert evil in page.inner_text("table.articles")
        page.goto(path.resolve().as_uri() + "#/pair/d01/d02")
        page.wait_for_selector(".col-a .text")
        assert page.inner_text(".col-a .text").startswith(evil)
        assert page.evaluate("window.__pwned === undefined")
        tab.assert_clean()
    finally:
        tab.close()


def test_ten_thousand_articles_open_fast(browser, tmp_path, shots):
    data = synthetic_report_data(10_000)
    path = render_report(data, tmp_path / "big.html")
    tab = Page(browser)
    try:
        started = time.perf_counter()
        page = tab.open(path)
        wall = time.perf_counter() - started
        ready_ms = page.evaluate("window.__retoldReady")
        paint_ms = page.evaluate("""() => {
            const p = performance.getEntriesByName('first-contentful-paint')[0];
            return p ? p.startTime : null; }""")
        print(f"\n10,000-article report ({path.stat().st_size / 1e6:.1f} MB): story list ready {ready_ms:.0f} ms "
              f"after navigation start, first contentful paint {paint_ms or float('nan'):.0f} ms, "
              f"{wall:.2f} s wall-clock from goto to ready")
        assert ready_ms / 1000 < LOAD_BOUND_S
        assert paint_ms is None or paint_ms / 1000 < LOAD_BOUND_S
        # the list is paged: one page of rows, not thousands
        assert page.locator("#story-list tbody tr").count() == 50
        page.click("#more-stories")
        assert page.locator("#story-list tbody tr").count() == 100
        page.click("#story-list tbody tr[data-story]")
        page.wait_for_selector(".graph svg")
        page.click("table.pairs tbody tr")
        page.wait_for_selector(".col-a mark.p")
        page.click(".tabs a[data-tab=copies]")
        page.wait_for_selector("details.cluster")
        assert page.locator("details.cluster").count() == 50
        page.screenshot(path=str(shots / "report-big.png"))
        tab.assert_clean()
    finally:
        tab.close()


def test_offsets_count_code_points_and_overlaps_are_kept(browser, tmp_path):
    # Python offsets count code points; the emoji before the passage are two UTF-16 units each.
    a_text = "\U0001F600\U0001F600 intro. the shared words run on here. tail"
    b_text = "\U0001F4F0 other start: the shared words run on here, and more"
    start_a, start_b = a_text.index("the shared"), b_text.index("the shared")
    n = len("the shared words run on here")
    data = {
        "articles": [{"id": "a", "text": a_text, "story": "s"}, {"id": "b", "text": b_text, "story": "s"}],
        "stories": [{"id": "s", "label": ["shared"], "size": 2, "articles": ["a", "b"]}],
        "pairs": [{"a": "a", "b": "b", "story": "s", "kind": "story", "similarity": 0.3, "coverage": 0.5,
                   "passages": [
                       {"a_start": start_a, "a_end": start_a + n, "b_start": start_b, "b_end": start_b + n,
                        "tokens": 6, "score": 6.0, "quoted": False},
                       # overlaps the first one in both texts
                       {"a_start": start_a + 4, "a_end": start_a + 16, "b_start": start_b + 4, "b_end": start_b + 16,
                        "tokens": 2, "score": 2.0, "quoted": True},
                   ]}],
    }
    path = render_report(data, tmp_path / "astral.html")
    tab = Page(browser)
    try:
        page = tab.open(path, "#/pair/a/b")
        page.wait_for_selector(".col-a mark.p")
        for side in ("a", "b"):
            marked = page.evaluate(
                "s => Array.from(document.querySelectorAll('.col-' + s + ' mark.p')).map(m => m.textContent).join('')", side)
            assert marked == "the shared words run on here"
            inner = page.evaluate(
                "s => Array.from(document.querySelectorAll('.col-' + s + ' mark[data-p~=\"1\"]')).map(m => m.textContent).join('')", side)
            assert inner == "shared words"
            assert page.locator(f".col-{side} mark.q").count() == 1
        tab.assert_clean()
    finally:
        tab.close()


def _lcs(a: list[str], b: list[str]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b):
            cur = row[j + 1]
            row[j + 1] = prev + 1 if x == y else max(row[j + 1], row[j])
            prev = cur
    return row[-1]


def test_word_diff_is_a_shortest_edit_script(browser, demo_report):
    import random

    rng = random.Random(7)
    cases = [([], []), (["a"], []), ([], ["b"]), (list("abcabba"), list("cbabac"))]
    for _ in range(60):
        vocab = list("abcde")[: rng.randint(1, 5)]
        a = [rng.choice(vocab) for _ in range(rng.randint(0, 30))]
        b = list(a)
        for _ in range(rng.randint(0, 8)):  # copies: a few local edits
            k = rng.randint(0, len(b))
            if rng.random() < 0.5 and k < len(b):
                del b[k]
            else:
                b.insert(k, rng.choice(vocab + ["z"]))
        cases.append((a, b))
    tab = Page(browser)
    try:
        page = tab.open(demo_report)
        for a, b in cases:
            ops = page.evaluate("([a, b]) => window.__retold.editScript(a, b)", [a, b])
            assert [i for op, i, _ in ops if op != "+"] == list(range(len(a)))
            assert [j for op, _, j in ops if op != "-"] == list(range(len(b)))
            assert all(a[i] == b[j] for op, i, j in ops if op == "=")
            assert sum(op == "=" for op, _, _ in ops) == _lcs(a, b)
        # the rendered diff of every copy reads as the member without <del>, the representative without <ins>
        texts = {x["id"]: x["text"] for x in demo_report_data()["articles"]}
        for cluster in demo_report_data()["copies"]:
            rep = cluster["representative"]
            for member in cluster["members"][1:]:
                sides = page.evaluate("""([r, m]) => {
                    const box = window.__retold.diffView(r, m, null).querySelector('.diff');
                    const keep = drop => Array.from(box.childNodes).filter(n => n.nodeName !== drop)
                        .map(n => n.textContent).join('');
                    return [keep('DEL'), keep('INS')];
                }""", [texts[rep], texts[member]])
                assert sides[0].split() == texts[member].split()
                assert sides[1].split() == texts[rep].split()
        tab.assert_clean()
    finally:
        tab.close()


def test_sparse_data_model_still_renders(browser, tmp_path):
    # Only the required parts, no dates, titles, labels, scores or provenance, and cut texts.
    text = "alpha beta gamma delta epsilon zeta eta theta iota kappa " * 20
    data = {
        "articles": [{"id": "x/1", "text": text, "source": "Outlet X", "lang": "la"},
                     {"id": "y 2", "text": "omega " + text, "copy_cluster": "c", "date": "2026-01-02"},
                     {"id": "z", "text": text, "copy_cluster": "c", "is_representative": True}],
        "stories": [{"id": "only", "articles": ["x/1", "y 2", "z"]}],
        "copies": [{"id": "c", "representative": "z", "members": ["z", "y 2"]}],
        "pairs": [{"a": "x/1", "b": "y 2", "story": "only",
                   "passages": [{"a_start": 0, "a_end": 400, "b_start": 6, "b_end": 406}]}],
    }
    path = render_report(data, tmp_path / "sparse.html", max_inline_text_chars=200)
    tab = Page(browser)
    try:
        page = tab.open(path, "#/stories")
        page.fill("#filter-min", "1")
        row = page.locator("#story-list tbody tr[data-story='only']")
        assert "Outlet X" in row.inner_text() and "2 Jan 2026" in row.inner_text()
        row.click()
        page.wait_for_selector(".graph svg")
        assert page.locator(".graph .node").count() == 3
        page.click("table.pairs tbody tr")
        page.wait_for_selector(".col-a mark.p")
        assert page.evaluate("location.hash") == "#/pair/x%2F1/y%202"
        assert "text cut here" in page.inner_text(".col-a")
        marked = page.evaluate("() => document.querySelector('.col-a mark.p').textContent")
        assert marked == text[:200]  # the highlight is clipped to the text in the page
        page.goto(path.resolve().as_uri() + "#/copies/c")
        page.wait_for_selector("details.cluster[open]")
        page.click("details.member > summary")
        page.wait_for_selector(".diff ins")
        page.goto(path.resolve().as_uri() + "#/about")
        page.wait_for_selector("dl.kv")
        page.goto(path.resolve().as_uri() + "#/story/missing")
        page.wait_for_selector("p.empty")
        tab.assert_clean()
    finally:
        tab.close()


def test_the_report_of_analyze_demo_shows_the_analysis(browser, tmp_path, shots):
    """The README's picture: the report ``retold analyze --demo`` writes, whose numbers are
    those of the analysis (issue 19: the picture showed another demo's)."""
    import retold
    from retold.cli import main
    from retold.data import load_demo

    out = tmp_path / "retold-report"
    assert main(["analyze", "--demo", "-o", str(out), "--no-parquet", "-q"]) == 0
    analysis = retold.analyze(load_demo())
    between_articles = [e for e in analysis.provenance if e.source_id is not None]
    expected = {
        "articles": len(analysis), "copy clusters": len(analysis.copies.clusters),
        "stories": len(analysis.stories.multi(2)),
        "shared passages": sum(len(p.passages) for p in analysis.pairs),
        "provenance edges": len(between_articles),
    }
    # The pair the picture shows: of one story, with the most passages, a quote among them.
    pair = max((p for p in analysis.pairs if p.kind == "story" and p.quoted_count),
               key=lambda p: (len(p.passages), p.a, p.b))
    tab = Page(browser)
    try:
        page = tab.open(out / "report.html")
        shown = page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll(
            'dl.stats > div')).map(d => [d.querySelector('dt').textContent,
            Number(d.querySelector('dd').textContent.replace(/,/g, ''))]))""")
        assert shown == expected
        assert page.locator("#story-list tbody tr[data-story]").count() == expected["stories"]
        page.goto((out / "report.html").resolve().as_uri() + f"#/pair/{pair.a}/{pair.b}")
        page.wait_for_selector(".col-a mark.p")
        for side in ("a", "b"):
            assert page.locator(f".col-{side} sup.pn").count() == len(pair.passages)
            assert page.locator(f".col-{side} mark.q").count() > 0
        page.mouse.move(0, 0)  # no hover styles in the picture
        page.set_viewport_size({"width": 1400, "height": 1150})
        page.screenshot(path=str(shots / "report.png"))
        tab.assert_clean()
    finally:
        tab.close()
