  /* The story list (#/stories) and a story's view (#/story/ID) with its article and pair tables.
     A part of report.js: render.py joins the parts, in the order of its SCRIPT_PARTS,
     inside one function, so they share its names. */
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
