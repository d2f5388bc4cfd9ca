  /* A story's provenance graph (SVG): articles by date in lanes, edges from source to derived.
     A part of report.js: render.py joins the parts, in the order of its SCRIPT_PARTS,
     inside one function, so they share its names. */
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
