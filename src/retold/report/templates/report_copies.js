  /* The copy clusters (#/copies, #/copies/ID) and the word-level diff of a copy from its representative.
     A part of report.js: render.py joins the parts, in the order of its SCRIPT_PARTS,
     inside one function, so they share its names. */
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
