  /* The data and its indexes, and the small helpers every view uses (DOM building, dates, paging).
     A part of report.js: render.py joins the parts, in the order of its SCRIPT_PARTS,
     inside one function, so they share its names. */
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
