/* retold report.  The data is parsed once from the JSON block; the DOM of a view is built only
   when it is opened (hash routes: #/stories, #/story/ID, #/pair/A/B, #/copies, #/copies/ID,
   #/reused, #/about), and the story and cluster lists are paged, so large reports open fast.
   All text goes into the page through text nodes, never innerHTML. */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("retold-data").textContent);
  var app = document.getElementById("app");
  var PAGE = 50;
  var NCOLORS = 8;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  // ------------------------------------------------------------------ indexes
  var articles = new Map();
  DATA.articles.forEach(function (a) { articles.set(a.id, a); });
  var stories = new Map();
  DATA.stories.forEach(function (s) {
    stories.set(s.id, s);
    // A model without the story's outlets, languages or time span gets them from its articles.
    if (!s.sources || !s.languages || (s.start == null && s.end == null)) {
      var arts = (s.articles || []).map(function (id) { return articles.get(id); }).filter(Boolean);
      var uniq = function (key) {
        return arts.map(function (a) { return a[key]; }).filter(function (v, i, all) { return v && all.indexOf(v) === i; });
      };
      if (!s.sources) s.sources = uniq("source");
      if (!s.languages) s.languages = uniq("lang");
      if (s.start == null && s.end == null) {
        var dated = arts.filter(function (a) { return !isNaN(parseDate(a.date)); }).sort(function (x, y) {
          return parseDate(x.date) - parseDate(y.date); });
        if (dated.length) { s.start = dated[0].date; s.end = dated[dated.length - 1].date; }
      }
    }
  });
  var clusters = new Map();
  DATA.copies.forEach(function (c) { clusters.set(c.id, c); });
  var pairsByStory = new Map();
  var pairByKey = new Map();
  DATA.pairs.forEach(function (p) {
    pairByKey.set(p.a + "\u0000" + p.b, p);
    if (!pairByKey.has(p.b + "\u0000" + p.a)) pairByKey.set(p.b + "\u0000" + p.a, p);
    var sid = p.story != null ? p.story : storyOf(p.a);
    if (sid == null) return;
    if (!pairsByStory.has(sid)) pairsByStory.set(sid, []);
    pairsByStory.get(sid).push(p);
  });
  var edgesByStory = null; // built on first use

  function sizeOf(s) { return s.size != null ? s.size : (s.articles || []).length; }
  function storyOf(id) { var a = articles.get(id); return a ? a.story : null; }
  function clusterSize(id) { var c = clusters.get(id); return c && c.members ? c.members.length : 1; }
  function storyArticles(s) {
    return (s.articles || []).map(function (id) { return articles.get(id); }).filter(Boolean);
  }
  function storyEdges(sid) {
    if (!edgesByStory) {
      edgesByStory = new Map();
      DATA.provenance.forEach(function (e) {
        var s1 = storyOf(e.source_id), s2 = storyOf(e.derived_id);
        [s1, s2].forEach(function (s, i) {
          if (s == null || (i === 1 && s === s1)) return;
          if (!edgesByStory.has(s)) edgesByStory.set(s, []);
          edgesByStory.get(s).push(e);
        });
      });
    }
    return edgesByStory.get(sid) || [];
  }

  // ------------------------------------------------------------------ small helpers
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        var v = attrs[k];
        if (v == null || v === false) continue;
        if (k === "text") el.textContent = v;
        else if (k === "class") el.className = v;
        else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? "" : v);
      }
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function append(el, child) {
    if (child == null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(el, c); }); return; }
    el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
  function svg(tag, attrs) {
    var el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (var k in attrs || {}) {
      if (k === "text") el.textContent = attrs[k];
      else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), attrs[k]);
      else el.setAttribute(k, attrs[k]);
    }
    return el;
  }
  function enc(s) { return encodeURIComponent(s); }
  function parseDate(iso) {
    if (!iso) return NaN;
    var t = Date.parse(iso);
    return t;
  }
  function fmtDate(iso, withTime) {
    var t = parseDate(iso);
    if (isNaN(t)) return iso ? String(iso) : "undated";
    var d = new Date(t);
    var s = d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
    if (withTime && (d.getUTCHours() || d.getUTCMinutes())) {
      s += ", " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
    }
    return s;
  }
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function fmtSpan(start, end) {
    var a = parseDate(start), b = parseDate(end);
    if (isNaN(a) && isNaN(b)) return "undated";
    if (isNaN(b) || a === b) return fmtDate(start);
    if (isNaN(a)) return fmtDate(end);
    var da = new Date(a), db = new Date(b);
    if (da.getUTCFullYear() === db.getUTCFullYear()) {
      if (fmtDate(start) === fmtDate(end)) return fmtDate(start);
      return da.getUTCDate() + " " + MONTHS[da.getUTCMonth()] + " \u2013 " + fmtDate(end);
    }
    return fmtDate(start) + " \u2013 " + fmtDate(end);
  }
  function pct(x) { return x == null ? "\u2013" : Math.round(x * 100) + "%"; }
  function num(x, digits) { return x == null ? "\u2013" : Number(x).toFixed(digits == null ? 2 : digits); }
  // A paged list: the first `shown` of `rows` drawn afresh into `container` by `draw`; how many.
  function drawPage(container, rows, shown, draw) {
    container.textContent = "";
    var n = Math.min(rows.length, shown);
    for (var i = 0; i < n; i++) container.appendChild(draw(rows[i]));
    return n;
  }
  // Its "Show N more" button, for `n` of `total` rows shown.
  function showMore(button, n, total) {
    button.hidden = n >= total;
    button.textContent = "Show " + Math.min(PAGE, total - n) + " more";
  }
  function plural(n, one, many) { return n.toLocaleString("en") + " " + (n === 1 ? one : (many || one + "s")); }
  function truncate(s, n) { s = s || ""; return s.length > n ? s.slice(0, n - 1) + "\u2026" : s; }
  function titleOf(a) { return a.title || truncate(a.text, 90) || a.id; }
  function storyName(s) {
    return s.label && s.label.length ? s.label.slice(0, 6).join(" \u00b7 ") : s.id;
  }
  function bdi(t) { return h("bdi", { text: t }); }
  function langChip(l) { return l ? h("span", { "class": "chip lang", text: l }) : null; }
  function bar(x) {
    var w = Math.max(0, Math.min(1, x || 0)) * 100;
    return h("span", { "class": "bar", "aria-hidden": "true" }, h("i", { style: "width:" + w.toFixed(1) + "%" }));
  }
  function clickRow(tr, href) {
    tr.className = "click";
    tr.tabIndex = 0;
    tr.addEventListener("click", function (ev) {
      if (ev.target.closest && ev.target.closest("a")) return;
      location.hash = href;
    });
    tr.addEventListener("keydown", function (ev) { if (ev.key === "Enter") location.hash = href; });
    return tr;
  }
  function copyBadge(a) {
    if (!a.copy_cluster || clusterSize(a.copy_cluster) < 2) return null;
    return h("a", { "class": "badge copy", href: "#/copies/" + enc(a.copy_cluster),
      title: "copy cluster " + a.copy_cluster + (a.is_representative ? " (representative)" : ""),
      text: (a.is_representative ? "\u2605 " : "") + "copy \u00d7" + clusterSize(a.copy_cluster) });
  }
  function crumbs(items) {
    var el = h("nav", { "class": "crumbs", "aria-label": "Breadcrumb" });
    items.forEach(function (it, i) {
      if (i) append(el, " \u203a ");
      append(el, it[1] ? h("a", { href: it[1], text: it[0] }) : h("span", { text: it[0] }));
    });
    return el;
  }
  function setTab(name) {
    document.querySelectorAll(".tabs a").forEach(function (a) {
      a.classList.toggle("active", a.getAttribute("data-tab") === name);
    });
  }

  // ------------------------------------------------------------------ story list
  var listState = { q: "", lang: "", source: "", minSize: null, sort: "size", shown: PAGE };
  var haystacks = null;
  var facets = null;

  function storyFacets() {
    if (facets) return facets;
    var langs = new Map(), sources = new Map(), big = 0;
    DATA.stories.forEach(function (s) {
      (s.languages || []).forEach(function (l) { langs.set(l, (langs.get(l) || 0) + 1); });
      (s.sources || []).forEach(function (o) { sources.set(o, (sources.get(o) || 0) + 1); });
      if (sizeOf(s) >= 2) big++;
    });
    function sorted(m) {
      return Array.from(m.entries()).sort(function (x, y) {
        return y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0);
      });
    }
    facets = { langs: sorted(langs), sources: sorted(sources), big: big };
    return facets;
  }
  function storyHaystack(s) {
    if (!haystacks) haystacks = new Map();
    var hs = haystacks.get(s.id);
    if (hs == null) {
      var parts = [s.id].concat(s.label || [], s.sources || []);
      (s.articles || []).slice(0, 40).forEach(function (id) {
        var a = articles.get(id);
        if (a && a.title) parts.push(a.title);
      });
      hs = parts.join("\n").toLowerCase();
      haystacks.set(s.id, hs);
    }
    return hs;
  }
  var storyOrders = {};
  var SORTS = {
    size: ["largest first", function (x, y) { return sizeOf(y) - sizeOf(x); }],
    newest: ["newest first", function (x, y) { return timeOr(y.end || y.start, -Infinity) - timeOr(x.end || x.start, -Infinity); }],
    oldest: ["oldest first", function (x, y) { return timeOr(x.start, Infinity) - timeOr(y.start, Infinity); }],
    outlets: ["most outlets", function (x, y) { return (y.sources || []).length - (x.sources || []).length; }],
  };
  function timeOr(iso, missing) { var t = parseDate(iso); return isNaN(t) ? missing : t; }
  function sortedStories() {
    var key = SORTS[listState.sort] ? listState.sort : "size";
    if (!storyOrders[key]) {
      var cmp = SORTS[key][1];
      // ties: larger, then earlier, then by id, so the order never depends on the input order
      storyOrders[key] = DATA.stories.slice().sort(function (x, y) {
        return cmp(x, y) || sizeOf(y) - sizeOf(x) ||
          timeOr(x.start, Infinity) - timeOr(y.start, Infinity) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
      });
    }
    return storyOrders[key];
  }
  function filteredStories() {
    var q = listState.q.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var min = listState.minSize || 0;
    return sortedStories().filter(function (s) {
      if (sizeOf(s) < min) return false;
      if (listState.lang && (s.languages || []).indexOf(listState.lang) < 0) return false;
      if (listState.source && (s.sources || []).indexOf(listState.source) < 0) return false;
      if (q.length) {
        var hs = storyHaystack(s);
        for (var i = 0; i < q.length; i++) if (hs.indexOf(q[i]) < 0) return false;
      }
      return true;
    });
  }

  function viewStories() {
    setTab("stories");
    var f = storyFacets();
    if (listState.minSize == null) listState.minSize = f.big ? 2 : 1;
    var tbody = h("tbody");
    var count = h("span", { "class": "count", id: "story-count" });
    var moreBtn = h("button", { "class": "more", type: "button", id: "more-stories" });
    var rows = [];

    function refill(reset) {
      if (reset) listState.shown = PAGE;
      rows = filteredStories();
      var n = drawPage(tbody, rows, listState.shown, storyRow);
      if (!rows.length) {
        tbody.appendChild(h("tr", null, h("td", { colspan: 5, "class": "empty", text: "No story matches these filters." })));
      }
      count.textContent = "showing " + n.toLocaleString("en") + " of " + plural(rows.length, "story", "stories") +
        (rows.length !== DATA.stories.length ? " (" + DATA.stories.length.toLocaleString("en") + " in all)" : "");
      showMore(moreBtn, n, rows.length);
    }
    moreBtn.addEventListener("click", function () {
      var from = Math.min(rows.length, listState.shown);
      listState.shown += PAGE;
      var to = Math.min(rows.length, listState.shown);
      for (var i = from; i < to; i++) tbody.appendChild(storyRow(rows[i]));
      count.textContent = count.textContent.replace(/^showing [\d,]+/, "showing " + to.toLocaleString("en"));
      showMore(moreBtn, to, rows.length);
    });

    var timer = null;
    var search = h("input", { type: "search", id: "story-search", placeholder: "Search terms, titles, outlets\u2026",
      value: listState.q, "aria-label": "Search stories",
      oninput: function () {
        clearTimeout(timer);
        timer = setTimeout(function () { listState.q = search.value; refill(true); }, 120);
      } });
    var lang = h("select", { id: "filter-lang", onchange: function () { listState.lang = lang.value; refill(true); } },
      h("option", { value: "", text: "all languages" }),
      f.langs.map(function (e) { return h("option", { value: e[0], text: e[0] + " (" + e[1] + ")" }); }));
    lang.value = listState.lang;
    var source = h("select", { id: "filter-source", onchange: function () { listState.source = source.value; refill(true); } },
      h("option", { value: "", text: "all outlets" }),
      f.sources.map(function (e) { return h("option", { value: e[0], text: truncate(e[0], 40) + " (" + e[1] + ")" }); }));
    source.value = listState.source;
    var min = h("input", { type: "number", id: "filter-min", min: 1, step: 1, value: listState.minSize,
      oninput: function () { listState.minSize = Math.max(1, parseInt(min.value, 10) || 1); refill(true); } });

    var sort = h("select", { id: "story-sort", onchange: function () { listState.sort = sort.value; refill(true); } },
      Object.keys(SORTS).map(function (k) { return h("option", { value: k, text: SORTS[k][0] }); }));
    sort.value = listState.sort;

    var table = h("table", { id: "story-list" },
      h("thead", null, h("tr", null,
        h("th", { text: "Story" }), h("th", { "class": "num", text: "Articles" }), h("th", { text: "Time span" }),
        h("th", { text: "Outlets" }), h("th", { text: "Languages" }))),
      tbody);
    app.textContent = "";
    append(app, [
      h("div", { "class": "filters" },
        h("label", null, "Search", search),
        h("label", null, "Language", lang),
        h("label", null, "Outlet", source),
        h("label", null, "Min. articles", min),
        h("label", null, "Order", sort),
        count),
      h("div", { "class": "panel" }, table),
      moreBtn,
    ]);
    refill(false);
  }

  function storyRow(s) {
    var first = storyArticles(s).slice().sort(function (x, y) {
      return (parseDate(x.date) || 0) - (parseDate(y.date) || 0);
    })[0];
    var srcs = s.sources || [];
    var tr = h("tr", { "data-story": s.id },
      h("td", null,
        h("div", { "class": "story-name" },
          (s.label || []).slice(0, 5).map(function (t) { return h("span", { "class": "chip term", dir: "auto", text: t }); }),
          !(s.label && s.label.length) ? s.id : null),
        first ? h("div", { "class": "story-sub", dir: "auto", title: titleOf(first), text: titleOf(first) }) : null),
      h("td", { "class": "num", text: sizeOf(s).toLocaleString("en") }),
      h("td", { "class": "nowrap", text: fmtSpan(s.start, s.end) }),
      h("td", { title: srcs.join("\n") },
        srcs.slice(0, 3).map(function (o) { return h("span", { "class": "chip", dir: "auto", text: truncate(o, 28) }); }),
        srcs.length > 3 ? h("span", { "class": "muted", text: " +" + (srcs.length - 3) }) : null),
      h("td", { "class": "nowrap" }, (s.languages || []).map(langChip)));
    return clickRow(tr, "#/story/" + enc(s.id));
  }

  // ------------------------------------------------------------------ story view
  function viewStory(id) {
    setTab("stories");
    var s = stories.get(id);
    app.textContent = "";
    if (!s) { append(app, notFound("story", id)); return; }
    var arts = storyArticles(s).sort(byDate);
    var pairs = storyPairOrder(id);
    var inStory = new Set(s.articles || []);
    var edges = storyEdges(id).filter(function (e) { return inStory.has(e.source_id) && inStory.has(e.derived_id); });
    var artTable = articleTable(arts);
    append(app, [
      crumbs([["Stories", "#/stories"], [storyName(s)]]),
      h("div", { "class": "story-head" }, h("h2", { dir: "auto", text: storyName(s) })),
      h("div", { "class": "facts" },
        h("span", null, h("b", { text: plural(sizeOf(s), "article") })),
        h("span", { text: fmtSpan(s.start, s.end) }),
        h("span", null, h("b", { text: (s.sources || []).length }), " outlets"),
        h("span", null, (s.languages || []).map(langChip)),
        h("span", null, h("b", { text: pairs.length }), " pairs \u00b7 ",
          h("b", { text: edges.length }), " provenance edges")),
      h("h3", { text: "Who took from whom" }),
      graphPanel(s, arts, edges, artTable),
      h("h3", { text: "Articles" }),
      h("div", { "class": "panel" }, artTable),
      h("h3", { text: "Pairs" }),
      h("div", { "class": "panel" }, pairTable(pairs)),
    ]);
  }
  function byDate(x, y) {
    var tx = parseDate(x.date), ty = parseDate(y.date);
    if (isNaN(tx) !== isNaN(ty)) return isNaN(tx) ? 1 : -1;
    if (!isNaN(tx) && tx !== ty) return tx - ty;
    return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
  }
  // Long tables (a story of thousands of articles) get their rows a page at a time.
  function paged(table, items, rowFn, size, what) {
    var tbody = table.tBodies[0], shown = 0;
    var btn = h("button", { "class": "more", type: "button", style: "margin:10px auto" });
    function more() {
      var to = Math.min(items.length, shown + size);
      for (; shown < to; shown++) tbody.appendChild(rowFn(items[shown]));
      btn.hidden = shown >= items.length;
      btn.textContent = "Show " + Math.min(size, items.length - shown) + " more " + what +
        " (" + (items.length - shown).toLocaleString("en") + " not shown)";
    }
    btn.addEventListener("click", more);
    more();
    return h("div", null, table, btn);
  }
  function articleTable(arts) {
    var table = h("table", { "class": "articles" },
      h("thead", null, h("tr", null, h("th", { text: "Date" }), h("th", { text: "Title" }), h("th", { text: "Outlet" }),
        h("th", { text: "Lang." }), h("th", { text: "Copies" }))),
      h("tbody"));
    return paged(table, arts, function (a) {
        return h("tr", { "data-article": a.id },
          h("td", { "class": "nowrap muted", text: fmtDate(a.date, true) }),
          h("td", { dir: "auto", text: titleOf(a) }),
          h("td", { dir: "auto", text: a.source || "\u2013" }),
          h("td", null, langChip(a.lang)),
          h("td", null, copyBadge(a)));
      }, 200, "articles");
  }
  function pairTable(pairs) {
    if (!pairs.length) return h("p", { "class": "empty", text: "No pairs were compared in this story." });
    var shown = pairs.filter(function (p) { return (p.passages || []).length || p.kind === "copy"; });
    var rest = pairs.length - shown.length;
    if (shown.length < 3) { shown = pairs; rest = 0; }
    var table = pairRows(shown);
    if (!rest) return table;
    var btn = h("button", { "class": "more", type: "button", style: "margin:10px auto", id: "more-pairs",
      text: "Show " + plural(rest, "more pair") + " with no shared passage",
      onclick: function () { table.replaceWith(pairRows(pairs)); btn.remove(); } });
    return [table, btn];
  }
  function pairRows(pairs) {
    var table = h("table", { "class": "pairs" },
      h("thead", null, h("tr", null, h("th", { text: "Article" }), h("th", { text: "Article" }), h("th", { text: "Kind" }),
        h("th", { text: "Coverage" }), h("th", { "class": "num", text: "Similarity" }), h("th", { "class": "num", text: "Passages" }))),
      h("tbody"));
    return paged(table, pairs, function (p) {
        var a = articles.get(p.a), b = articles.get(p.b);
        var quoted = (p.passages || []).filter(function (x) { return x.quoted; }).length;
        return clickRow(h("tr", { "data-pair": p.a + "|" + p.b },
          h("td", null, h("div", { dir: "auto", text: truncate(titleOf(a), 70) }),
            h("div", { "class": "muted", style: "font-size:12.5px" }, bdi(a.source || ""), " \u00b7 " + fmtDate(a.date))),
          h("td", null, h("div", { dir: "auto", text: truncate(titleOf(b), 70) }),
            h("div", { "class": "muted", style: "font-size:12.5px" }, bdi(b.source || ""), " \u00b7 " + fmtDate(b.date))),
          h("td", null, h("span", { "class": "badge " + (p.kind === "copy" ? "copy" : "story"), text: p.kind || "story" })),
          h("td", { "class": "nowrap" }, bar(p.coverage), pct(p.coverage)),
          h("td", { "class": "num", text: num(p.similarity) }),
          h("td", { "class": "num" }, String((p.passages || []).length),
            quoted ? [" ", h("span", { "class": "badge quote", title: plural(quoted, "quoted passage"), text: "\u201c\u201d " + quoted })] : null)),
          "#/pair/" + enc(p.a) + "/" + enc(p.b));
      }, 100, "pairs");
  }

  // The provenance graph: articles left to right by date, lanes so labels never overlap,
  // edges from source to derived with confidence as width and opacity.
  function graphPanel(s, arts, edges, artTable) {
    var info = h("div", { "class": "edge-info", text: edges.length
      ? "Arrows point from a source to the article derived from it; thicker and darker means more confident. Hover an arrow for its evidence, click it for the pair."
      : "No provenance edges were found for this story." });
    var nodes = arts;
    var note = null;
    if (nodes.length > 80) {
      var inEdges = new Set();
      edges.forEach(function (e) { inEdges.add(e.source_id); inEdges.add(e.derived_id); });
      nodes = nodes.filter(function (a) { return inEdges.has(a.id); }).slice(0, 80);
      note = h("div", { "class": "muted", style: "font-size:12.5px;padding:0 4px 6px",
        text: "Showing " + nodes.length + " of " + arts.length + " articles (those with provenance edges)." });
    }
    var width = Math.max(640, Math.min(1220, (app.clientWidth || 1200) - 26));
    var mx = 96, top = 74, laneH = 64, r = 7;
    var times = nodes.map(function (a) { return parseDate(a.date); });
    var known = times.filter(function (t) { return !isNaN(t); });
    var tmin = known.length ? Math.min.apply(null, known) : 0, tmax = known.length ? Math.max.apply(null, known) : 0;
    var undated = times.some(isNaN);
    var right = width - mx - (undated ? 110 : 0);
    var pos = new Map(), laneEnd = [];
    // x mixes time and rank: order is exactly by date, but a burst of articles within an
    // hour is not squeezed into one spot while a late follow-up sits alone far right.  When
    // that would put neighbours closer than a label's width, rank alone decides.
    var nKnown = known.length;
    function xs(wTime) {
      var rank = 0;
      return times.map(function (t) {
        if (isNaN(t)) return width - mx;
        if (nKnown === 1) return (mx + right) / 2;
        var lin = tmax === tmin ? rank / (nKnown - 1) : (t - tmin) / (tmax - tmin);
        return mx + (right - mx) * (wTime * lin + (1 - wTime) * rank++ / (nKnown - 1));
      });
    }
    function minStep(v) {
      var m = Infinity;
      for (var i = 1; i < v.length; i++) m = Math.min(m, v[i] - v[i - 1]);
      return m;
    }
    var MIN_GAP = 96, xpos = xs(0.4);
    if (minStep(xpos) < MIN_GAP) xpos = xs(0);
    var gap = Math.max(MIN_GAP, Math.min(150, minStep(xpos)));
    var oneDay = known.length && fmtDate(new Date(tmin).toISOString()) === fmtDate(new Date(tmax).toISOString());
    nodes.forEach(function (a, i) {
      var x = xpos[i], lane = 0;
      while (lane < laneEnd.length && laneEnd[lane] > x - gap) lane++;
      laneEnd[lane] = x;
      pos.set(a.id, { x: x, y: 0, lane: lane, a: a });
    });
    var lanes = Math.max(1, laneEnd.length);
    // labels as wide as the room between neighbours in the same lane
    var room = Infinity, lastInLane = [];
    nodes.forEach(function (a) {
      var p = pos.get(a.id);
      if (lastInLane[p.lane] != null) room = Math.min(room, p.x - lastInLane[p.lane]);
      lastInLane[p.lane] = p.x;
    });
    var labelChars = Math.max(10, Math.min(26, Math.floor((Math.min(room, 190) - 10) / 6.6)));
    // One lane: labels below, arcs above.  Two lanes: labels outside (above the first, below
    // the second) and every edge in the corridor between them, so no edge runs along a label.
    // More (very crowded stories): lanes stacked, labels below, arcs above the first lane.
    var maxLift = 0;
    edges.forEach(function (e) {
      var p1 = pos.get(e.source_id), p2 = pos.get(e.derived_id);
      if (p1 && p2 && p1.lane === p2.lane) maxLift = Math.max(maxLift, arcLift(p1, p2));
    });
    var laneY = [], corridor = 0;
    if (lanes === 2) {
      corridor = Math.max(84, Math.min(150, maxLift + 34));
      laneY = [54, 54 + corridor];
    } else {
      for (var L = 0; L < lanes; L++) laneY.push(Math.round(maxLift) + 22 + L * laneH);
    }
    pos.forEach(function (p) { p.y = laneY[p.lane]; });
    var layout = { lanes: lanes, corridor: corridor, r: r };
    var height = laneY[lanes - 1] + 74;
    var root = svg("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img",
      "aria-label": "Provenance graph of " + nodes.length + " articles and " + edges.length + " edges" });
    var defs = svg("defs");
    defs.appendChild(arrowMarker("arrow", "#2f5d8a"));
    defs.appendChild(arrowMarker("arrow-hot", "#c2410c"));
    root.appendChild(defs);

    // time axis
    var axis = svg("g", { "class": "axis" });
    var ay = height - 12;
    axis.appendChild(svg("line", { x1: mx - 20, x2: width - mx + 20, y1: ay - 12, y2: ay - 12 }));
    if (known.length) {
      var short = tmax - tmin < 3 * 86400000;
      axis.appendChild(svg("text", { x: mx - 20, y: ay, "text-anchor": "start", text: "earliest: " + fmtDate(new Date(tmin).toISOString(), short) }));
      if (tmax > tmin) axis.appendChild(svg("text", { x: right + 20, y: ay, "text-anchor": "end", text: "latest: " + fmtDate(new Date(tmax).toISOString(), short) + " \u2192" }));
    }
    if (undated) axis.appendChild(svg("text", { x: width - mx, y: ay, "text-anchor": "middle", text: "undated" }));
    root.appendChild(axis);

    // edges under nodes
    var colorOf = clusterColors(nodes);
    var g = svg("g");
    edges.forEach(function (e) {
      var p1 = pos.get(e.source_id), p2 = pos.get(e.derived_id);
      if (!p1 || !p2) return;
      var c = Math.max(0, Math.min(1, e.confidence == null ? 0.5 : e.confidence));
      var d = edgePath(p1, p2, layout);
      var sa = p1.a, da = p2.a;
      var label = "\u2068" + (sa.source || sa.id) + "\u2069 \u2192 \u2068" + (da.source || da.id) + "\u2069 \u00b7 confidence " + pct(c);
      var path = svg("path", { "class": "edge", d: d, "stroke-width": (1 + 4.5 * c).toFixed(2),
        "stroke-opacity": (0.25 + 0.75 * c).toFixed(2), "marker-end": "url(#arrow)",
        "data-source": e.source_id, "data-derived": e.derived_id });
      path.appendChild(svg("title", { text: label + "\n" + (e.evidence || []).join("\n") }));
      path.addEventListener("mouseenter", function () {
        path.classList.add("hot"); path.setAttribute("marker-end", "url(#arrow-hot)");
        info.textContent = "";
        append(info, [h("b", { text: label }),
          h("ul", null, (e.evidence || []).map(function (x) { return h("li", { dir: "auto", text: x }); }))]);
      });
      path.addEventListener("mouseleave", function () {
        path.classList.remove("hot"); path.setAttribute("marker-end", "url(#arrow)");
      });
      path.addEventListener("click", function () {
        if (pairByKey.has(e.source_id + "\u0000" + e.derived_id)) {
          var p = pairByKey.get(e.source_id + "\u0000" + e.derived_id);
          location.hash = "#/pair/" + enc(p.a) + "/" + enc(p.b);
        }
      });
      g.appendChild(path);
    });
    root.appendChild(g);

    nodes.forEach(function (a) {
      var p = pos.get(a.id);
      var node = svg("g", { "class": "node", transform: "translate(" + p.x.toFixed(1) + "," + p.y + ")", "data-article": a.id });
      node.appendChild(svg("circle", { r: a.is_representative && clusterSize(a.copy_cluster) > 1 ? r + 1.5 : r, fill: colorOf(a) }));
      var above = lanes === 2 && p.lane === 0;
      node.appendChild(svg("text", { y: above ? -27 : 21, "text-anchor": "middle", text: truncate(a.source || a.id, labelChars) }));
      node.appendChild(svg("text", { "class": "sub", y: above ? -13 : 35, "text-anchor": "middle",
        text: (a.lang ? a.lang.toUpperCase() + " \u00b7 " : "") + shortWhen(a.date, oneDay) }));
      node.appendChild(svg("title", { text: titleOf(a) + "\n" + (a.source || "") + " \u00b7 " + fmtDate(a.date, true) }));
      node.addEventListener("click", function () {
        var row = artTable.querySelector('tr[data-article="' + cssEscape(a.id) + '"]');
        if (row) { row.scrollIntoView({ block: "center", behavior: "smooth" }); flash(row); }
      });
      root.appendChild(node);
    });
    return h("div", { "class": "panel" }, h("div", { "class": "graph" }, note, root), info);
  }
  // Same lane: an arc above the lane (higher for longer jumps, so arcs nest instead of
  // running through the nodes between); different lanes: an S-curve.
  function edgePath(p1, p2, layout) {
    var c1, c2, r = layout.r;
    if (p1.lane === p2.lane) {
      var lift = arcLift(p1, p2), down = layout.lanes === 2 && p1.lane === 0;
      if (layout.lanes === 2) lift = Math.min(lift, layout.corridor - 26);
      var dy = (down ? 1 : -1) * lift * 1.33;
      c1 = { x: p1.x + (p2.x - p1.x) * 0.25, y: p1.y + dy };
      c2 = { x: p1.x + (p2.x - p1.x) * 0.75, y: p2.y + dy };
    } else {
      var dx = Math.max(30, Math.abs(p2.x - p1.x) * 0.4), dy = (p2.y - p1.y) * 0.6;
      c1 = { x: p1.x + dx, y: p1.y + dy };
      c2 = { x: p2.x - dx, y: p2.y - dy };
    }
    var s = toward(p1, c1, r + 1), e = toward(p2, c2, r + 4);
    return "M" + f(s.x) + "," + f(s.y) + " C" + f(c1.x) + "," + f(c1.y) + " " + f(c2.x) + "," + f(c2.y) + " " + f(e.x) + "," + f(e.y);
  }
  function shortWhen(iso, oneDay) {
    var t = parseDate(iso);
    if (isNaN(t)) return "undated";
    var d = new Date(t);
    return oneDay ? pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) : d.getUTCDate() + " " + MONTHS[d.getUTCMonth()];
  }
  function arcLift(p1, p2) { return Math.min(110, 14 + Math.abs(p2.x - p1.x) * 0.16); }
  function toward(p, c, dist) {
    var dx = c.x - p.x, dy = c.y - p.y, n = Math.sqrt(dx * dx + dy * dy) || 1;
    return { x: p.x + dx / n * dist, y: p.y + dy / n * dist };
  }
  function f(x) { return x.toFixed(1); }
  function arrowMarker(id, color) {
    var m = svg("marker", { id: id, viewBox: "0 0 10 10", refX: 8, refY: 5, markerWidth: 9, markerHeight: 9,
      markerUnits: "userSpaceOnUse", orient: "auto" });
    m.appendChild(svg("path", { d: "M0,1 L9,5 L0,9 z", fill: color }));
    return m;
  }
  var NODE_COLORS = ["#c9a227", "#3d86b8", "#4f9a43", "#b9527f", "#7a5cc2", "#d27633", "#2f968b", "#8e8a3a"];
  function clusterColors(nodes) {
    var map = new Map(), next = 0;
    return function (a) {
      if (!a.copy_cluster || clusterSize(a.copy_cluster) < 2) return "#9aa1ad";
      if (!map.has(a.copy_cluster)) map.set(a.copy_cluster, NODE_COLORS[next++ % NODE_COLORS.length]);
      return map.get(a.copy_cluster);
    };
  }
  function cssEscape(s) { return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, "\\$&"); }
  function flash(el) {
    el.classList.add("flash");
    if (el.tagName === "TR") el.style.background = "#fff4d6";
    setTimeout(function () { el.classList.remove("flash"); if (el.tagName === "TR") el.style.background = ""; }, 1400);
  }

  // ------------------------------------------------------------------ pair view
  // Offsets in the data count code points (Python str); JavaScript strings count UTF-16 units.
  var unitMaps = new Map();
  function toUnits(a) {
    if (!unitMaps.has(a.id)) {
      var text = a.text || "", map = null;
      if (/[\uD800-\uDBFF]/.test(text)) {
        map = [];
        for (var i = 0; i < text.length; i++) {
          map.push(i);
          var c = text.charCodeAt(i);
          if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.length) i++;
        }
        map.push(text.length);
      }
      unitMaps.set(a.id, map);
    }
    var m = unitMaps.get(a.id);
    return function (cp) {
      if (!m) return cp;
      return cp < m.length ? m[cp] : m[m.length - 1];
    };
  }

  function viewPair(aId, bId) {
    setTab("stories");
    app.textContent = "";
    var p = pairByKey.get(aId + "\u0000" + bId);
    var a = articles.get(aId), b = articles.get(bId);
    if (!a || !b) { append(app, notFound("pair", aId + " / " + bId)); return; }
    if (p && p.a !== aId) { var t = a; a = b; b = t; }
    var passages = ((p && p.passages) || []).map(function (x, i) { return { p: x, i: i }; });
    passages.sort(function (x, y) { return x.p.a_start - y.p.a_start || x.p.b_start - y.p.b_start || x.i - y.i; });
    passages.forEach(function (x, n) { x.n = n; });
    var quoted = passages.filter(function (x) { return x.p.quoted; }).length;
    var s = stories.get((p && p.story) || a.story);

    var colA = textPanel(a, passages, "a"), colB = textPanel(b, passages, "b");
    function jump(n, fromSide) {
      var other = fromSide === "a" ? colB : colA, same = fromSide === "a" ? colA : colB;
      [other, same].forEach(function (col) {
        var m = col.querySelector('mark[data-p~="' + n + '"]');
        if (m) { scrollWithin(col.querySelector(".text"), m); flash(m); }
      });
    }
    [colA, colB].forEach(function (col, k) {
      col.addEventListener("click", function (ev) {
        var m = ev.target.closest && ev.target.closest("mark.p");
        if (m) jump(m.getAttribute("data-p").split(" ")[0], k === 0 ? "a" : "b");
      });
    });

    append(app, [
      h("div", { "class": "pair-nav" },
        crumbs([["Stories", "#/stories"], s ? [storyName(s), "#/story/" + enc(s.id)] : null, ["Pair"]].filter(Boolean)),
        s ? siblings(s.id, p) : null),
      h("div", { "class": "pair-stats" },
        p ? h("span", { "class": "badge " + (p.kind === "copy" ? "copy" : "story"), text: p.kind === "copy" ? "copies" : "same story" }) : null,
        h("span", null, "similarity ", h("b", { text: p ? num(p.similarity) : "\u2013" })),
        h("span", null, "coverage ", h("b", { text: p ? pct(p.coverage) : "\u2013" })),
        h("span", null, h("b", { text: passages.length }), passages.length === 1 ? " shared passage" : " shared passages"),
        quoted ? h("span", null, h("b", { text: quoted }), " quoted") : null,
        h("span", { "class": "legend" },
          h("span", null, h("span", { "class": "swatch c1" }), h("span", { "class": "swatch c0" }), "same colour and number = same passage in both texts"),
          h("span", null, h("mark", { "class": "p q c0", style: "cursor:default", text: "quoted" }), " passage inside a quotation"))),
      h("div", { "class": "pair-head" }, docMeta(a), docMeta(b)),
      h("div", { "class": "cols" }, colA, colB),
      passages.length ? [h("h3", { text: "Shared passages" }), h("div", { "class": "panel" }, passageTable(a, b, passages, jump))]
        : h("p", { "class": "empty", text: "These articles share no passage long enough to report." }),
    ]);
  }
  // Previous / next pair of the same story, in the order of the story's pair table.
  function siblings(sid, p) {
    var list = storyPairOrder(sid), i = list.indexOf(p);
    if (!p || i < 0 || list.length < 2) return null;
    function link(q, label, id) {
      return q ? h("a", { href: "#/pair/" + enc(q.a) + "/" + enc(q.b), id: id, text: label })
        : h("span", { "class": "muted", text: label });
    }
    return h("div", { "class": "sib" }, link(list[i - 1], "\u2190 previous pair", "prev-pair"),
      h("span", { "class": "muted", text: " " + (i + 1) + " of " + list.length + " " }),
      link(list[i + 1], "next pair \u2192", "next-pair"));
  }
  function storyPairOrder(sid) {
    return (pairsByStory.get(sid) || []).slice().sort(function (x, y) {
      return (y.coverage || 0) - (x.coverage || 0) || (y.similarity || 0) - (x.similarity || 0);
    });
  }
  function scrollWithin(box, el) {
    if (!box) return;
    var top = el.offsetTop - box.offsetTop - box.clientHeight / 3;
    box.scrollTo({ top: Math.max(0, top), behavior: "smooth" });
    var r = box.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) box.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }
  function docMeta(a) {
    return h("div", { "class": "panel doc-meta", "data-article": a.id },
      h("div", { "class": "t", dir: "auto", lang: a.lang || null, text: titleOf(a) }),
      h("div", { "class": "m" }, h("span", { dir: "auto", text: a.source || "unknown outlet" }), " \u00b7 ",
        fmtDate(a.date, true), " ", langChip(a.lang), " ", copyBadge(a)));
  }
  function textPanel(a, passages, side) {
    var text = a.text || "";
    var conv = toUnits(a);
    var spans = [];
    passages.forEach(function (x) {
      var s = conv(x.p[side + "_start"]), e = conv(x.p[side + "_end"]);
      s = Math.max(0, Math.min(s, text.length)); e = Math.max(s, Math.min(e, text.length));
      if (e > s) spans.push({ s: s, e: e, n: x.n, q: !!x.p.quoted });
    });
    var body = h("div", { "class": "text", dir: "auto", lang: a.lang || null, "data-side": side });
    highlight(body, text, spans);
    if (a.text_length && a.text_length > text.length) {
      body.appendChild(h("span", { "class": "cut", text: "\n[\u2026 text cut here: " + text.length.toLocaleString("en") +
        " of " + a.text_length.toLocaleString("en") + " characters are in this report]" }));
    }
    return h("div", { "class": "panel col-" + side }, body);
  }
  // Split the text at every span boundary; each piece is marked with the passages covering it
  // (overlaps are kept: the piece takes the colour of the first passage), and a numbered tag
  // opens each passage so the same number can be found in the other column.
  function highlight(el, text, spans) {
    if (!spans.length) { el.textContent = text; return; }
    var cuts = new Set([0, text.length]);
    spans.forEach(function (sp) { cuts.add(sp.s); cuts.add(sp.e); });
    var bounds = Array.from(cuts).sort(function (x, y) { return x - y; });
    var starts = new Map();
    spans.forEach(function (sp) {
      if (!starts.has(sp.s)) starts.set(sp.s, []);
      starts.get(sp.s).push(sp);
    });
    var frag = document.createDocumentFragment();
    for (var i = 0; i + 1 < bounds.length; i++) {
      var lo = bounds[i], hi = bounds[i + 1];
      var piece = text.slice(lo, hi);
      (starts.get(lo) || []).forEach(function (sp) {
        frag.appendChild(h("sup", { "class": "pn c" + (sp.n % NCOLORS), "aria-hidden": "true", text: String(sp.n + 1) }));
      });
      var cover = spans.filter(function (sp) { return sp.s <= lo && sp.e >= hi; });
      if (!cover.length) { frag.appendChild(document.createTextNode(piece)); continue; }
      cover.sort(function (x, y) { return x.n - y.n; });
      var q = cover.some(function (sp) { return sp.q; });
      frag.appendChild(h("mark", { "class": "p c" + (cover[0].n % NCOLORS) + (q ? " q" : ""),
        "data-p": cover.map(function (sp) { return sp.n; }).join(" "),
        title: "passage " + cover.map(function (sp) { return sp.n + 1; }).join(", ") + (q ? " (quoted)" : ""),
        text: piece }));
    }
    el.appendChild(frag);
  }
  function passageTable(a, b, passages, jump) {
    var ca = toUnits(a), cb = toUnits(b);
    return h("table", { "class": "passages" },
      h("thead", null, h("tr", null, h("th", { text: "#" }), h("th", { text: "In " + truncate(a.source || a.id, 30) }),
        h("th", { text: "In " + truncate(b.source || b.id, 30) }), h("th", { "class": "num", text: "Tokens" }),
        h("th", { "class": "num", text: "Score" }))),
      h("tbody", null, passages.map(function (x) {
        var pa = (a.text || "").slice(ca(x.p.a_start), ca(x.p.a_end)), pb = (b.text || "").slice(cb(x.p.b_start), cb(x.p.b_end));
        var tr = h("tr", null,
          h("td", null, h("sup", { "class": "pn c" + (x.n % NCOLORS), text: String(x.n + 1) }),
            x.p.quoted ? [" ", h("span", { "class": "badge quote", text: "\u201c\u201d quote" })] : null),
          h("td", { "class": "snip", dir: "auto", lang: a.lang || null, text: truncate(pa, 160) }),
          h("td", { "class": "snip", dir: "auto", lang: b.lang || null, text: truncate(pb, 160) }),
          h("td", { "class": "num", text: x.p.tokens != null ? x.p.tokens : "\u2013" }),
          h("td", { "class": "num", text: num(x.p.score, 1) }));
        tr.className = "click";
        tr.addEventListener("click", function () { jump(String(x.n), "b"); });
        return tr;
      })));
  }

  // ------------------------------------------------------------------ copies
  var copyState = { q: "", shown: PAGE };
  var copyOrder = null;
  function multiClusters() {
    if (!copyOrder) {
      copyOrder = DATA.copies.filter(function (c) { return (c.members || []).length > 1; }).sort(function (x, y) {
        return y.members.length - x.members.length || byDate(articles.get(x.representative) || { id: x.id },
          articles.get(y.representative) || { id: y.id });
      });
    }
    return copyOrder;
  }
  function viewCopies(openId) {
    setTab("copies");
    app.textContent = "";
    var all = multiClusters();
    var list = h("div", { id: "cluster-list" });
    var count = h("span", { "class": "count" });
    var moreBtn = h("button", { "class": "more", type: "button" });
    var rows = all;
    function filtered() {
      var q = copyState.q.trim().toLowerCase().split(/\s+/).filter(Boolean);
      if (!q.length) return all;
      return all.filter(function (c) {
        var hs = c.members.map(function (id) { var a = articles.get(id); return a ? (a.title || "") + "\n" + (a.source || "") : ""; })
          .join("\n").toLowerCase() + "\n" + c.id.toLowerCase();
        return q.every(function (w) { return hs.indexOf(w) >= 0; });
      });
    }
    function refill(reset) {
      if (reset) copyState.shown = PAGE;
      rows = filtered();
      var n = drawPage(list, rows, copyState.shown, clusterBlock);
      if (!rows.length) list.appendChild(h("p", { "class": "empty", text: all.length ? "No cluster matches." : "No article has a copy in this collection." }));
      count.textContent = "showing " + n + " of " + plural(rows.length, "cluster") + " with two or more articles \u00b7 " +
        plural(DATA.copies.length - all.length, "article") + " without copies not listed";
      showMore(moreBtn, n, rows.length);
    }
    moreBtn.addEventListener("click", function () { copyState.shown += PAGE; refill(false); });
    var timer = null;
    var search = h("input", { type: "search", placeholder: "Search titles and outlets\u2026", value: copyState.q,
      "aria-label": "Search copy clusters", oninput: function () {
        clearTimeout(timer);
        timer = setTimeout(function () { copyState.q = search.value; refill(true); }, 120);
      } });
    append(app, [h("div", { "class": "filters" }, h("label", null, "Search", search), count), list, moreBtn]);
    if (openId) {
      var k = all.findIndex(function (c) { return c.id === openId; });
      if (k >= 0 && !copyState.q) copyState.shown = Math.max(copyState.shown, k + 1);
    }
    refill(false);
    if (openId) {
      var el = list.querySelector('details[data-cluster="' + cssEscape(openId) + '"]');
      if (el) { el.open = true; el.scrollIntoView({ block: "start" }); }
      else if (clusters.has(openId)) append(list, h("p", { "class": "empty", text: "Cluster " + openId + " has a single article." }));
    }
  }
  function clusterBlock(c) {
    var rep = articles.get(c.representative) || articles.get(c.members[0]);
    var det = h("details", { "class": "cluster panel", "data-cluster": c.id },
      h("summary", null,
        h("span", { "class": "badge copy", text: "\u00d7" + c.members.length }),
        h("span", { "class": "t", dir: "auto", text: titleOf(rep) }),
        h("span", { "class": "muted nowrap" }, bdi(truncate(rep.source || "", 36)), " \u00b7 " + fmtDate(rep.date))));
    var built = false;
    det.addEventListener("toggle", function () {
      if (!det.open || built) return;
      built = true;
      var sims = new Map();
      (c.pairs || []).forEach(function (p) {
        sims.set(p.a === rep.id ? p.b : p.b === rep.id ? p.a : null, p);
      });
      var body = h("div", { "class": "body" },
        h("div", { style: "margin-top:10px" }, h("span", { "class": "badge rep", text: "representative" }), " ",
          bdi(rep.source || rep.id), " \u00b7 " + fmtDate(rep.date, true), " ", langChip(rep.lang),
          rep.story && stories.has(rep.story) ? [" \u00b7 ", h("a", { href: "#/story/" + enc(rep.story), text: "story" })] : null));
      c.members.filter(function (id) { return id !== rep.id; }).map(function (id) { return articles.get(id); })
        .filter(Boolean).sort(byDate).forEach(function (m) { body.appendChild(memberBlock(rep, m, sims.get(m.id))); });
      det.appendChild(body);
    });
    return det;
  }
  function memberBlock(rep, m, pair) {
    var det = h("details", { "class": "member", "data-article": m.id },
      h("summary", null,
        h("b", null, bdi(m.source || m.id)), " \u00b7 ", fmtDate(m.date, true), " ", langChip(m.lang), " ",
        pair ? h("span", { "class": "muted", text: "similarity " + num(pair.similarity) }) : null, " ",
        pair ? h("span", { "class": "badge " + (pair.verified ? "rep" : "warn"), text: pair.verified ? "verified" : "not verified" }) : null, " ",
        pairByKey.has(rep.id + "\u0000" + m.id) ? h("a", { href: "#/pair/" + enc(rep.id) + "/" + enc(m.id), text: "side by side" }) : null));
    var built = false;
    det.addEventListener("toggle", function () {
      if (!det.open || built) return;
      built = true;
      det.appendChild(diffView(rep.text || "", m.text || "", m.lang));
    });
    return det;
  }

  // Word-level differences of a member from its representative (Myers' O(ND) algorithm on
  // words, after the common head and tail are cut off: copies differ in few places).
  function splitWords(text) {
    var words = [], spaces = [];
    var lead = /^\s*/.exec(text)[0];
    var re = /(\S+)(\s*)/g, m;
    re.lastIndex = lead.length;
    while ((m = re.exec(text))) { words.push(m[1]); spaces.push(m[2]); }
    return { lead: lead, words: words, spaces: spaces };
  }
  function editScript(a, b) {
    var pre = 0;
    while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
    var suf = 0;
    while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
    var A = a.slice(pre, a.length - suf), B = b.slice(pre, b.length - suf);
    var ops = [];
    for (var i = 0; i < pre; i++) ops.push(["=", i, i]);
    var mid = myers(A, B);
    mid.forEach(function (o) { ops.push([o[0], o[1] + pre, o[2] + pre]); });
    for (var j = 0; j < suf; j++) ops.push(["=", a.length - suf + j, b.length - suf + j]);
    return ops;
  }
  function myers(a, b) {
    var n = a.length, m = b.length, max = n + m, ops = [], i;
    if (!n || !m || max > 200000) {
      for (i = 0; i < n; i++) ops.push(["-", i, 0]);
      for (i = 0; i < m; i++) ops.push(["+", n, i]);
      return ops;
    }
    var LIMIT = Math.min(max, 2500);
    var off = max + 1, v = new Int32Array(2 * max + 3), trace = [], D = -1, x, y, k, d;
    outer:
    for (d = 0; d <= LIMIT; d++) {
      trace.push(v.slice(off - d - 1, off + d + 2));
      for (k = -d; k <= d; k += 2) {
        if (k === -d || (k !== d && v[off + k - 1] < v[off + k + 1])) x = v[off + k + 1];
        else x = v[off + k - 1] + 1;
        y = x - k;
        while (x < n && y < m && a[x] === b[y]) { x++; y++; }
        v[off + k] = x;
        if (x >= n && y >= m) { D = d; break outer; }
      }
    }
    if (D < 0) { // too different to be worth aligning: all out, all in
      for (i = 0; i < n; i++) ops.push(["-", i, 0]);
      for (i = 0; i < m; i++) ops.push(["+", n, i]);
      return ops;
    }
    x = n; y = m;
    for (d = D; d > 0; d--) {
      var snap = trace[d];
      k = x - y;
      var V = function (kk) { return snap[kk + d + 1]; };
      var prevK = (k === -d || (k !== d && V(k - 1) < V(k + 1))) ? k + 1 : k - 1;
      var px = V(prevK), py = px - prevK;
      while (x > px && y > py) { x--; y--; ops.push(["=", x, y]); }
      if (prevK === k + 1) { y--; ops.push(["+", x, y]); } else { x--; ops.push(["-", x, y]); }
    }
    while (x > 0 && y > 0) { x--; y--; ops.push(["=", x, y]); }
    return ops.reverse();
  }
  // A minimal diff can pair up stray common words ("for", "a") inside a rewritten sentence;
  // equal runs of one or two words between changes are folded into the change, so readers
  // see one deletion and one insertion instead of confetti.
  function changeBlocks(ops) {
    var blocks = [], cur = null;
    ops.forEach(function (o) {
      var eq = o[0] === "=";
      if (!cur || (cur.eq !== eq)) { cur = { eq: eq, a: [], b: [] }; blocks.push(cur); }
      if (o[0] !== "+") cur.a.push(o[1]);
      if (o[0] !== "-") cur.b.push(o[2]);
    });
    var out = [];
    blocks.forEach(function (bl, i) {
      var prev = out[out.length - 1], next = blocks[i + 1];
      if (bl.eq && bl.a.length <= 2 && prev && !prev.eq && next && !next.eq) {
        prev.a = prev.a.concat(bl.a); prev.b = prev.b.concat(bl.b); return;
      }
      if (!bl.eq && prev && !prev.eq) { prev.a = prev.a.concat(bl.a); prev.b = prev.b.concat(bl.b); return; }
      out.push(bl);
    });
    return out;
  }
  function diffView(repText, memText, lang) {
    var A = splitWords(repText), B = splitWords(memText);
    var blocks = changeBlocks(editScript(A.words, B.words));
    var box = h("div", { "class": "diff", dir: "auto", lang: lang || null });
    var plus = 0, minus = 0, run = null, buf = "";
    function flush() {
      if (!buf) return;
      box.appendChild(run === "=" ? document.createTextNode(buf) : h(run === "+" ? "ins" : "del", { text: buf }));
      buf = "";
    }
    box.appendChild(document.createTextNode(B.lead));
    blocks.forEach(function (bl) {
      if (bl.eq) {
        flush(); run = "=";
        bl.b.forEach(function (j) { buf += B.words[j] + B.spaces[j]; });
        return;
      }
      if (bl.a.length) {
        flush(); run = "-";
        bl.a.forEach(function (i) { buf += A.words[i] + (A.spaces[i] || " "); });
        minus += bl.a.length;
      }
      if (bl.b.length) {
        flush(); run = "+";
        bl.b.forEach(function (j) { buf += B.words[j] + B.spaces[j]; });
        plus += bl.b.length;
      }
    });
    flush();
    var sum = h("div", { "class": "diff-sum" },
      plus || minus ? [h("span", { "class": "plus", text: "+" + plural(plus, "word") }), " added, ",
        h("span", { "class": "minus", text: "\u2212" + plural(minus, "word") }), " removed, compared with the representative"]
        : "identical words to the representative");
    return h("div", null, sum, box);
  }

  // ------------------------------------------------------------------ reused passages
  var reusedShown = PAGE;
  function reuseTimeline(occ) {
    // One dot per printing on a line from the first to the last dated one.
    var times = occ.map(function (o) { return parseDate(o.date); });
    var dated = times.filter(function (t) { return !isNaN(t); });
    var W = 320, H = 26, pad = 8;
    var el = svg("svg", { "class": "timeline", width: W, height: H, viewBox: "0 0 " + W + " " + H,
      role: "img", "aria-label": "timeline of " + plural(occ.length, "printing") });
    append(el, svg("line", { x1: pad, y1: H / 2, x2: W - pad, y2: H / 2, "class": "axis" }));
    if (!dated.length) return el;
    var lo = Math.min.apply(null, dated), hi = Math.max.apply(null, dated), span = hi - lo || 1;
    times.forEach(function (t, i) {
      if (isNaN(t)) return;
      var x = hi === lo ? W / 2 : pad + (W - 2 * pad) * (t - lo) / span;
      append(el, svg("circle", { cx: x.toFixed(1), cy: H / 2, r: i === 0 ? 5 : 3.5,
        "class": i === 0 ? "first" : "dot" }, null));
      el.lastChild.appendChild(svg("title", { text: (occ[i].source || occ[i].article) + ", " + fmtDate(occ[i].date, true) }));
    });
    return el;
  }
  function reusedCard(p) {
    var occ = p.occurrences || [];
    var first = occ[0] || {};
    var head = h("div", { "class": "reuse-head" },
      h("strong", { text: "printed " + plural(p.size || occ.length, "time") }),
      " in " + plural(p.documents || occ.length, "article") +
      ((p.sources || []).length ? ", " + plural(p.sources.length, "outlet") : "") +
      "; first " + (first.date ? fmtDate(first.date, true) : "undated") +
      (first.source ? " in " + first.source : "") +
      (p.span_days != null ? "; spread over " + num(p.span_days, 1) + " days" : ""));
    var grid = h("div", { "class": "occ-grid" }, occ.map(function (o, i) {
      var a = articles.get(o.article) || {};
      var meta = h("div", { "class": "occ-meta" },
        h("span", { "class": i === 0 ? "badge first" : "muted", text: i === 0 ? "first" : "#" + (i + 1) }), " ",
        a.story ? h("a", { href: "#/story/" + enc(a.story), text: truncate(o.source || o.article, 40) })
          : bdi(truncate(o.source || o.article, 40)),
        h("span", { "class": "muted", text: " \u00b7 " + (o.date ? fmtDate(o.date) : "undated") }));
      return h("div", { "class": "occ" }, meta,
        h("div", { "class": "occ-text", dir: "auto", lang: a.lang || null, text: o.text }));
    }));
    return h("section", { "class": "panel reuse", id: "reused-" + p.id }, head, reuseTimeline(occ), grid);
  }
  function viewReused() {
    setTab("reused");
    app.textContent = "";
    var list = DATA.reused || [];
    append(app, [h("h2", { text: "Reused passages" }),
      h("p", { "class": "muted", text: list.length ? "Passages printed in several articles, most reprinted first; each printing side by side, the earliest first, and a timeline of its spread."
        : "No passage of this corpus was reprinted in another article." })]);
    var box = h("div", null);
    function more() {
      box.textContent = "";
      list.slice(0, reusedShown).forEach(function (p) { append(box, reusedCard(p)); });
      if (list.length > reusedShown) {
        append(box, h("button", { "class": "more", type: "button", text: "Show more (" + (list.length - reusedShown) + " left)",
          onclick: function () { reusedShown += PAGE; more(); } }));
      }
    }
    more();
    append(app, box);
  }

  // ------------------------------------------------------------------ about
  function viewAbout() {
    setTab("about");
    app.textContent = "";
    var opts = DATA.options || {};
    var kv = h("dl", { "class": "kv" });
    function row(k, v) { append(kv, [h("dt", { text: k }), h("dd", { text: typeof v === "string" ? v : JSON.stringify(v) })]); }
    row("title", DATA.title);
    row("generated", DATA.generated || "\u2013");
    row("retold version", DATA.retold_version || "\u2013");
    Object.keys(opts).sort().forEach(function (k) { row(k, opts[k]); });
    var dl = h("button", { "class": "more", type: "button", style: "margin:14px 0 0", text: "Save the data as JSON",
      onclick: function () {
        var blob = new Blob([document.getElementById("retold-data").textContent], { type: "application/json" });
        var a = h("a", { href: URL.createObjectURL(blob), download: "retold-report.json" });
        document.body.appendChild(a); a.click(); a.remove();
      } });
    append(app, [h("h2", { text: "About this report" }),
      h("p", { "class": "muted", text: "Analysis options as recorded when the report was made. The data behind every view is in this file, as JSON." }),
      h("div", { "class": "panel" }, kv), dl]);
  }

  function notFound(what, id) {
    return [crumbs([["Stories", "#/stories"]]), h("p", { "class": "empty", text: "No " + what + " " + id + " in this report." })];
  }

  // ------------------------------------------------------------------ routing
  function route() {
    var parts = location.hash.replace(/^#\/?/, "").split("/").map(function (x) {
      try { return decodeURIComponent(x); } catch (e) { return x; }
    });
    var view = parts[0] || "stories";
    if (view === "story" && parts.length > 1) viewStory(parts.slice(1).join("/"));
    else if (view === "pair" && parts.length > 2) viewPair(parts[1], parts[2]);
    else if (view === "copies") viewCopies(parts[1]);
    else if (view === "about") viewAbout();
    else if (view === "reused") viewReused();
    else viewStories();
    if (view !== "copies" || !parts[1]) window.scrollTo(0, 0);
  }
  window.addEventListener("hashchange", route);
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.key !== "/" || (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA"))) return;
    var box = document.querySelector(".filters input[type=search]");
    if (box) { ev.preventDefault(); box.focus(); }
  });
  route();
  // For the test suite: the pure pieces, so they can be checked against an oracle.
  window.__retold = { editScript: editScript, diffView: diffView };
  window.__retoldReady = performance.now();
  document.documentElement.setAttribute("data-ready", "1");
})();
