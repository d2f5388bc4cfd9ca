  /* The pair view (#/pair/A/B): the two texts side by side with their shared passages marked.
     A part of report.js: render.py joins the parts, in the order of its SCRIPT_PARTS,
     inside one function, so they share its names. */
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
