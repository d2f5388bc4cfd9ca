  /* The reused passages (#/reused), the about page, and the hash routing that opens each view.
     A part of report.js: render.py joins the parts, in the order of its SCRIPT_PARTS,
     inside one function, so they share its names. */
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
