/* chainmap graph view. Every text that comes from a graph file is set with
 * textContent (or drawn on the canvas by vis-network); nothing is parsed as HTML.
 * No analysis runs here: availabilities, impacts and binding chains come
 * precomputed in the page data; this script only selects, lays out and colours. */
(function () {
  "use strict";
  var timings = { start: performance.now() };
  var data = JSON.parse(document.getElementById("chainmap-data").textContent);
  timings.parsed = performance.now();
  if (data.nodes.fields) {  /* columnar rows -> objects; null means absent */
    var F = data.nodes.fields;
    data.nodes = data.nodes.rows.map(function (r) {
      var o = {};
      for (var k = 0; k < F.length; k++) { if (r[k] !== null) { o[F[k]] = r[k]; } }
      return o;
    });
  }
  var meta = data.meta;
  var pack = null;  /* the scenario arrays: parsed on first use (getPack) */
  function block(id) { return JSON.parse(document.getElementById(id).textContent); }
  var byId = new Map();
  data.nodes.forEach(function (n) { byId.set(n.id, n); });
  var overview = data.overview || { nodes: [], edges: [] };
  var sectorNode = new Map();
  overview.nodes.forEach(function (s) { sectorNode.set(s.code, s); });
  var sectorName = new Map();
  data.sectors.forEach(function (s) { sectorName.set(s[0], s[1]); });
  /* details (sources, supply, inputs, lists, factors) and edges are parsed on first use */
  var detailsLoaded = false;
  function ensureDetails() {
    if (detailsLoaded) { return; }
    detailsLoaded = true;
    var d = block("chainmap-details"), F = d.fields;
    d.rows.forEach(function (r, i) {
      var o = data.nodes[i];
      for (var k = 0; k < F.length; k++) { if (r[k] !== null) { o[F[k]] = r[k]; } }
    });
  }
  var inE = null, outE = null;
  function adjacency() {
    if (inE) { return; }
    inE = new Map(); outE = new Map();
    data.edges = block("chainmap-edges").map(function (r) {
      return { from: r[0], to: r[1], type: data.fields.edge_types[r[2]], count: r[3], any_of: !!r[4], share: r[5] };
    });
    data.edges.forEach(function (e) {
      if (!inE.has(e.to)) { inE.set(e.to, []); }
      if (!outE.has(e.from)) { outE.set(e.from, []); }
      inE.get(e.to).push(e);
      outE.get(e.from).push(e);
    });
  }
  function inOf(id) { adjacency(); return inE.get(id) || []; }
  function outOf(id) { adjacency(); return outE.get(id) || []; }
  var compIndex = new Map();
  function getPack() {
    if (pack === null) {
      pack = block("chainmap-scenarios");
      if (pack) { pack.components.forEach(function (c, i) { compIndex.set(c, i); }); }
    }
    return pack;
  }
  function supplyOf(n) {
    return (n.supply || []).map(function (r) {
      var who = byId.get(r[0]), country = who && who.kind === "supplier" ? who.country : r[0];
      return { id: r[0], kind: who ? who.kind : "country", name: who ? who.name : r[0], country: country,
               country_name: nameOf(country), share: r[1], year: r[2], method: r[3], estimate: !!r[4] };
    });
  }
  function inputsOf(n) {
    return (n.inputs || []).map(function (r) { return { members: r[0], any_of: !!r[1], role: r[2], share: r[3] }; });
  }

  /* ---- small helpers ---- */
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  var SVG = "http://www.w3.org/2000/svg";
  function svgEl(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) { e.textContent = String(text); }
    return e;
  }
  function pct(x) { return (x === null || x === undefined) ? "n/a" : (Math.round(x * 1000) / 10) + "%"; }
  function num(x) { return (x === null || x === undefined) ? "n/a" : Number(x).toFixed(3); }
  function cmp(a, b) { return a < b ? -1 : (a > b ? 1 : 0); }
  function nameOf(id) { var n = byId.get(id); return n ? n.name : id; }
  function link(text, hash, cls) {
    var a = el("a", text, cls);
    a.href = "#" + hash;
    return a;
  }
  function nodeLink(id) { return link(nameOf(id), encodeURIComponent(id)); }
  function mix(c0, c1, t) {
    var r = [0, 1, 2].map(function (k) { return Math.round(c0[k] + t * (c1[k] - c0[k])); });
    return "#" + r.map(function (v) { return (v < 16 ? "0" : "") + v.toString(16); }).join("");
  }
  /* availability 0 (red) .. 0.5 (yellow) .. 1 (pale green): a colour scale, no analysis */
  function availColor(a) {
    if (a >= 0.9995) { return "#d4ecd4"; }
    if (a <= 0.5) { return mix([192, 57, 43], [255, 221, 113], a / 0.5); }
    return mix([255, 221, 113], [120, 190, 120], (a - 0.5) / 0.5);
  }
  /* a division's impact (availability lost): square-root scale, pale green 0 .. yellow .. red from 50% */
  function impactColor(x) {
    if (x <= 0.0005) { return "#d4ecd4"; }
    var t = Math.min(1, Math.sqrt(x / 0.5));
    return t < 0.5 ? mix([212, 236, 212], [255, 221, 113], t / 0.5) : mix([255, 221, 113], [192, 57, 43], (t - 0.5) / 0.5);
  }
  function decode(text) {
    var A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    var out = new Int16Array(text.length / 2);
    for (var i = 0; i < out.length; i++) { out[i] = A.indexOf(text[2 * i]) * 64 + A.indexOf(text[2 * i + 1]); }
    return out;
  }

  /* ---- state ---- */
  var state = { view: "", sector: "", focus: "" };
  var scen = null;  /* the selected scenario, decoded */
  var baseCache = {};
  function baselineOf(h) {
    if (!baseCache[h]) { baseCache[h] = decode(pack.baseline[h]); }
    return baseCache[h];
  }
  function selectScenario(sid) {
    scen = null;
    if (sid && getPack()) {
      var s = pack.scenarios.filter(function (x) { return x.id === sid; })[0];
      if (s) {
        var steps = new Map();
        (s.steps || []).forEach(function (r) { steps.set(r[0], r); });
        scen = { s: s, a: decode(s.a), base: pack.baseline[s.horizon] ? baselineOf(s.horizon) : null,
                 steps: steps, cut: new Set(s.cut),
                 sectors: new Map(s.sectors.map(function (x) { return [x[0], x[1]]; })) };
      }
    }
    scenarioSelect.value = scen ? sid : "";
    drawScenarioPanel();
    redraw();
    if (state.focus) { showDetails(state.focus); }
  }
  function availOf(id) {
    if (!scen) { return undefined; }
    var i = compIndex.get(id);
    return i === undefined ? undefined : scen.a[i] / 1000;
  }
  function lowered(id) {
    if (!scen) { return false; }
    var i = compIndex.get(id);
    return i !== undefined && (scen.base ? scen.a[i] < scen.base[i] : scen.a[i] < 1000);
  }

  /* ---- filters ---- */
  var fSector = document.getElementById("f-sector"), fCountry = document.getElementById("f-country");
  var fKind = document.getElementById("f-kind"), fFlag = document.getElementById("f-flag");
  data.sectors.forEach(function (s) { var o = el("option", s[0] + " " + s[1]); o.value = s[0]; fSector.appendChild(o); });
  data.countries.forEach(function (c) { var o = el("option", c[1] + " (" + c[0] + ")"); o.value = c[0]; fCountry.appendChild(o); });
  function filtersOn() { return !!(fSector.value || fCountry.value || fKind.value || fFlag.value); }
  function matches(n) {
    if (fSector.value && n.sector !== fSector.value) { return false; }
    if (fCountry.value && n.country !== fCountry.value && n.leader !== fCountry.value) { return false; }
    if (fKind.value && n.kind !== fKind.value) { return false; }
    if (fFlag.value === "spof" && !n.spof) { return false; }
    if (fFlag.value === "bottleneck" && !n.bottleneck) { return false; }
    if (fFlag.value === "ranked" && !n.rank) { return false; }
    return true;
  }
  [fSector, fCountry, fKind, fFlag].forEach(function (s) {
    s.addEventListener("change", function () { redraw(); runSearch(); });
  });

  /* ---- the network ---- */
  var nodes = new vis.DataSet([]);
  var edges = new vis.DataSet([]);
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    autoResize: true,
    physics: { enabled: false },
    layout: { improvedLayout: false, hierarchical: { enabled: false } },
    edges: { smooth: false, arrows: { to: { enabled: true, scaleFactor: 0.5 } }, selectionWidth: 2,
             color: { opacity: 0.55 } },
    nodes: { font: { size: 14, color: "#222222" }, borderWidth: 1, borderWidthSelected: 4,
             color: { highlight: { border: "#000000" }, hover: { border: "#000000" } },
             scaling: { label: { drawThreshold: 5 } } },
    interaction: { hover: true, tooltipDelay: 100, hideEdgesOnDrag: true, keyboard: false, multiselect: false }
  });
  var EDGE_COLORS = { located_in: "#c9c9c9", supplies: "#6f9fc0", requires: "#8f8f8f" };

  function labelOf(n, short) {
    var text = (n.spof ? "\u26a0 " : "") + (n.bottleneck ? "\u25c6 " : "") + n.name;
    if (short && text.length > 42) { text = text.slice(0, 40) + "\u2026"; }
    if (scen) {
      if (scen.cut.has(n.id)) { text += "\n(cut)"; }
      var a = availOf(n.id);
      if (a !== undefined && lowered(n.id)) { text += "\na = " + pct(a); }
    } else if (n.capacity !== undefined) {
      text += n.capacity === 0 ? "\n(cut)" : "\n(capacity " + pct(n.capacity) + ")";
    }
    return text;
  }
  function visNode(n, pos, short) {
    var bg = n.color, grey = false;
    if (scen) {
      if (scen.cut.has(n.id)) { bg = data.colors.cut; grey = true; }
      else if (n.kind === "component") { bg = availColor(availOf(n.id)); }
      else { bg = "#eef0f2"; }
    }
    var item = { id: n.id, label: labelOf(n, short), x: pos.x, y: pos.y, shape: n.shape,
                 size: short ? n.size : Math.max(14, n.size),
                 color: { background: bg, border: n.spof ? "#111111" : (n.bottleneck ? "#7b2cbf" : "#666666"),
                          highlight: { background: bg, border: "#000000" }, hover: { background: bg, border: "#000000" } },
                 borderWidth: (n.spof || n.bottleneck) ? 2 : 1 };
    if (n.bottleneck) { item.shapeProperties = { borderDashes: [5, 3] }; }
    if (grey) { item.font = { color: "#8a8a8a" }; }
    if (filtersOn() && !matches(n) && n.id !== state.focus) { item.hidden = true; }
    return item;
  }
  function visEdge(e, i) {
    return { id: i, from: e.from, to: e.to, arrows: "to", dashes: e.any_of,
             width: 1 + Math.log(e.count) / Math.LN2, color: EDGE_COLORS[e.type] || "#999999" };
  }

  /* ---- layouts (presentation only) ---- */
  function columns(ids, colOf, xGap, yGap) {
    var cols = new Map();
    ids.forEach(function (id) { var c = colOf.get(id); if (!cols.has(c)) { cols.set(c, []); } cols.get(c).push(id); });
    var pos = new Map();
    var keys = Array.from(cols.keys()).sort(function (a, b) { return a - b; });
    var x = 0;
    keys.forEach(function (c) {
      var members = cols.get(c);
      members.sort(function (a, b) {
        var na = byId.get(a), nb = byId.get(b);
        return cmp(na.kind, nb.kind) || cmp(na.name.toLowerCase(), nb.name.toLowerCase()) || cmp(a, b);
      });
      var per = 28, sub = Math.ceil(members.length / per), rows = Math.ceil(members.length / sub);
      members.forEach(function (id, i) {
        pos.set(id, { x: x + Math.floor(i / rows) * xGap, y: ((i % rows) - (rows - 1) / 2) * yGap });
      });
      x += sub * xGap + xGap * 0.4;
    });
    return pos;
  }
  function layeredPositions(ids) {
    var set = new Set(ids), layer = new Map();
    ids.forEach(function (id) { layer.set(id, 0); });
    for (var round = 0; round < 40; round++) {
      var changed = false;
      ids.forEach(function (id) {
        inOf(id).forEach(function (e) {
          if (set.has(e.from) && layer.get(e.from) + 1 > layer.get(id) && layer.get(e.from) < 60) {
            layer.set(id, layer.get(e.from) + 1); changed = true;
          }
        });
      });
      if (!changed) { break; }
    }
    return columns(ids, layer, 300, 64);
  }
  function focusPositions(focus, hops) {
    var col = new Map([[focus, 0]]);
    [["in", -1], ["out", 1]].forEach(function (dir) {
      var frontier = [focus];
      for (var d = 1; d <= hops; d++) {
        var next = [];
        frontier.forEach(function (id) {
          (dir[0] === "in" ? inOf(id) : outOf(id)).forEach(function (e) {
            var other = dir[0] === "in" ? e.from : e.to;
            if (!col.has(other)) { col.set(other, dir[1] * d); next.push(other); }
          });
        });
        frontier = next;
      }
    });
    return columns(Array.from(col.keys()), col, 340, 64);
  }

  /* ---- views ---- */
  function drawNodes(ids, pos, short) {
    var keep = new Set(ids);
    var list = ids.map(function (id) { return visNode(byId.get(id), pos.get(id), short); });
    var es = [];
    ids.forEach(function (id) {
      outOf(id).forEach(function (e) { if (keep.has(e.to)) { es.push(visEdge(e, es.length)); } });
    });
    edges.clear(); nodes.clear();
    nodes.add(list); edges.add(es);
    return list;
  }
  function wrap(text, width, lines) {
    var words = text.split(/\s+/), out = [], line = "";
    words.forEach(function (w) {
      if (line && (line + " " + w).length > width) { out.push(line); line = w; } else { line = line ? line + " " + w : w; }
    });
    if (line) { out.push(line); }
    if (out.length > lines) { out = out.slice(0, lines); out[lines - 1] += "\u2026"; }
    return out.join("\n");
  }
  function sectorLabel(s) {
    var short = s.name.replace(/^(Manufacture|Processing|Production and Supply|Extraction|Mining and Processing|Mining and Washing) of /, "");
    var text = (s.code === "none" ? "" : s.code + " ") + wrap(short, 24, 2);
    var count = s.components;
    if (filtersOn()) { count = sectorMatches(s.code) + " of " + s.components; }
    text += "\n(" + count + ")";
    if (scen) {
      var imp = scen.sectors.get(s.code);
      if (imp) { text += "\n\u2212" + pct(imp); }
    }
    return text;
  }
  var matchCount = null;
  function sectorMatches(code) {
    if (!matchCount) {
      matchCount = new Map();
      data.nodes.forEach(function (n) {
        if (n.kind === "component" && matches(n)) {
          var c = n.sector || "none";
          matchCount.set(c, (matchCount.get(c) || 0) + 1);
        }
      });
    }
    return matchCount.get(code) || 0;
  }
  function drawOverview() {
    matchCount = null;
    var list = overview.nodes.map(function (s) {
      var color = s.color;
      if (scen) { color = impactColor(scen.sectors.get(s.code) || 0); }
      var dim = filtersOn() && sectorMatches(s.code) === 0;
      return { id: s.id, label: sectorLabel(s), x: s.x, y: s.y, shape: "dot", size: s.size,
               color: { background: dim ? "#f2f2f2" : color, border: "#555555" },
               font: { size: 22, color: dim ? "#aaaaaa" : "#222222", strokeWidth: 3, strokeColor: "#ffffff" } };
    });
    var es = overview.edges.map(function (e, i) {
      return { id: i, from: e.from, to: e.to, arrows: "to", width: 0.5 + 1.5 * Math.log(1 + e.count) / Math.LN2,
               color: { color: "#7f8c99", opacity: 0.3 } };
    });
    edges.clear(); nodes.clear();
    nodes.add(list); edges.add(es);
    return list.length;
  }
  function currentIds() {
    if (state.view === "focus") { return Array.from(focusPositions(state.focus, hops()).keys()); }
    if (state.view === "sector") { return sectorIds(state.sector); }
    if (state.view === "all") { return data.nodes.map(function (n) { return n.id; }); }
    return [];
  }
  function sectorIds(code) {
    var keep = new Set();
    data.nodes.forEach(function (n) {
      if (n.kind === "component" && (n.sector || "none") === code) { keep.add(n.id); }
    });
    /* the division's chain: its components and the components they require (suppliers: on focus) */
    Array.from(keep).forEach(function (id) {
      inOf(id).forEach(function (e) { if (e.type === "requires") { keep.add(e.from); } });
    });
    return Array.from(keep);
  }
  function hops() { return Number(document.getElementById("hops").value) || 1; }
  function redraw() {
    var shown;
    if (state.view === "overview") {
      shown = drawOverview();
    } else if (state.view === "all") {
      var pos = new Map(data.nodes.map(function (n) { return [n.id, { x: n.x, y: n.y }]; }));
      shown = drawNodes(data.nodes.map(function (n) { return n.id; }), pos, true).filter(function (x) { return !x.hidden; }).length;
    } else if (state.view === "sector") {
      var ids = sectorIds(state.sector);
      shown = drawNodes(ids, layeredPositions(ids), false).filter(function (x) { return !x.hidden; }).length;
    } else {
      var fp = focusPositions(state.focus, hops());
      shown = drawNodes(Array.from(fp.keys()), fp, false).filter(function (x) { return !x.hidden; }).length;
      network.selectNodes([state.focus]);
    }
    network.fit({ animation: false });
    updateSummary(shown);
  }
  function updateSummary(shown) {
    var total = data.nodes.length, text;
    var matching = filtersOn() ? data.nodes.filter(matches).length : total;
    if (state.view === "overview") {
      text = overview.nodes.length + " divisions \u00b7 " + total + " nodes";
    } else {
      text = shown + " nodes in this view";
    }
    if (filtersOn()) { text += " \u00b7 " + matching + " of " + total + " match the filters"; }
    if (scen) { text += " \u00b7 scenario: " + scen.s.describe + " (" + scen.s.horizon + ")"; }
    document.getElementById("summary").textContent = text;
  }

  /* ---- breadcrumb ---- */
  function crumbs() {
    var nav = document.getElementById("crumbs");
    var parts = [link("Overview", "", state.view === "overview" ? "here" : "")];
    var code = state.view === "sector" ? state.sector : "";
    var n = state.view === "focus" ? byId.get(state.focus) : null;
    if (n && n.kind === "component") { code = n.sector || "none"; }
    if (code && sectorNode.has(code)) {
      var s = sectorNode.get(code);
      parts.push(link((code === "none" ? "" : code + " ") + s.name, "sector=" + encodeURIComponent(code),
                      state.view === "sector" ? "here" : ""));
    }
    if (state.view === "all") { parts.push(link("whole graph", "view=all", "here")); }
    if (n) { parts.push(el("span", n.name, "here")); }
    nav.replaceChildren();
    parts.forEach(function (p, i) { if (i) { nav.appendChild(el("span", "\u203a", "sep")); } nav.appendChild(p); });
    if (meta.full && state.view !== "all") { nav.appendChild(el("span", "\u00b7", "sep")); nav.appendChild(link("whole graph", "view=all")); }
    if (meta.embedded === "selection") {  /* an aggregated page: the overview counts all, the rest is a selection */
      nav.appendChild(el("span", "\u00b7", "sep"));
      nav.appendChild(el("span", "aggregated: " + meta.shown_nodes.toLocaleString("en") + " of " +
                         meta.total_nodes.toLocaleString("en") + " nodes embedded", "note"));
    }
  }

  /* ---- routing: #id focuses a node, #sector=CODE opens a division, #view=all the whole graph ---- */
  function parseHash() {
    var h = location.hash.replace(/^#/, "");
    try { h = decodeURIComponent(h); } catch (err) { h = ""; }  /* a malformed address opens the overview */
    if (!h) { return { view: overview.nodes.length > 1 || !meta.full ? "overview" : "all", sector: "", focus: "" }; }
    if (h === "view=all" && meta.full) { return { view: "all", sector: "", focus: "" }; }
    if (h.indexOf("sector=") === 0 && sectorNode.has(h.slice(7))) { return { view: "sector", sector: h.slice(7), focus: "" }; }
    if (byId.has(h)) { return { view: "focus", sector: "", focus: h }; }
    return { view: "overview", sector: "", focus: "" };
  }
  function route() {
    var next = parseHash();
    if (next.view === state.view && next.sector === state.sector && next.focus === state.focus) { return; }
    state = next;
    redraw();
    crumbs();
    if (state.view === "focus") { showDetails(state.focus); }
    else if (state.view === "sector") { showSector(state.sector); }
  }
  function go(hash) {
    if (location.hash.replace(/^#/, "") !== hash) { location.hash = hash; }
    route();
  }
  window.addEventListener("hashchange", route);
  document.getElementById("hops").addEventListener("change", function () { if (state.view === "focus") { redraw(); } });

  /* ---- details panel ---- */
  function factorRow(name, value, cls) {
    var row = el("div", null, "factor");
    row.appendChild(el("span", name));
    var bar = el("div", null, "bar" + (cls ? " " + cls : ""));
    var fill = el("span");
    fill.style.width = (value === null || value === undefined ? 0 : Math.max(0, Math.min(1, value)) * 100) + "%";
    bar.appendChild(fill);
    row.appendChild(bar);
    row.appendChild(el("span", value === null || value === undefined ? "n/a" : num(value)));
    return row;
  }
  function collapsible(title, items, render, more, command) {
    var d = el("details");
    d.appendChild(el("summary", title));
    var ul = el("ul", null, "plain");
    items.forEach(function (x) { var li = el("li"); li.appendChild(render(x)); ul.appendChild(li); });
    if (more > 0) { ul.appendChild(el("li", "\u2026 and " + more + " more (" + command + " lists all)", "muted")); }
    d.appendChild(ul);
    return d;
  }
  function sourceItem(text) {
    var span = el("span");
    var m = /(https?:\/\/[^\s<>"']+)/.exec(text);
    if (!m) { span.textContent = text; return span; }
    span.appendChild(document.createTextNode(text.slice(0, m.index)));
    var a = el("a", m[1]);
    a.href = m[1];
    a.rel = "noopener noreferrer";
    a.target = "_blank";
    span.appendChild(a);
    span.appendChild(document.createTextNode(text.slice(m.index + m[1].length)));
    return span;
  }
  var countryColor = new Map(data.legend.map(function (c) { return [c[0], c[2]]; }));  /* as on the nodes */
  function supplyBlock(n) {
    var supply = supplyOf(n);
    var box = el("div");
    box.appendChild(el("h2", "Suppliers and shares"));
    var byCountry = new Map();
    supply.forEach(function (s) { byCountry.set(s.country, (byCountry.get(s.country) || 0) + (s.share || 0)); });
    var stack = el("div", null, "stack");
    Array.from(byCountry.keys()).sort(function (a, b) { return byCountry.get(b) - byCountry.get(a) || cmp(a, b); }).forEach(function (c) {
      var seg = el("span");
      seg.style.width = (100 * byCountry.get(c)) + "%";
      seg.style.backgroundColor = countryColor.get(c) || data.colors.other;
      seg.title = nameOf(c) + " " + pct(byCountry.get(c));
      stack.appendChild(seg);
    });
    box.appendChild(stack);
    supply.forEach(function (s) {
      var row = el("div", null, "share");
      var who = el("span", null, "who");
      who.appendChild(byId.has(s.id) ? nodeLink(s.id) : el("span", s.name));
      if (s.kind === "supplier") { who.appendChild(el("span", " \u00b7 " + s.country_name + " (" + s.country + ")", "muted")); }
      row.appendChild(who);
      var bar = el("div", null, "bar blue");
      var fill = el("span");
      fill.style.width = Math.max(0, Math.min(1, s.share || 0)) * 100 + "%";
      bar.appendChild(fill);
      row.appendChild(bar);
      row.appendChild(el("span", pct(s.share)));
      var bits = [];
      if (s.year) { bits.push(String(s.year)); }
      if (s.method) { bits.push(s.method); }
      if (s.estimate) { bits.push("estimate"); }
      if (bits.length) { row.appendChild(el("div", bits.join(" \u00b7 "), "meta")); }
      box.appendChild(row);
    });
    return box;
  }
  function inputsBlock(n) {
    var inputs = inputsOf(n);
    var box = el("div");
    box.appendChild(el("h2", "Inputs (" + inputs.length + " requirements)"));
    inputs.forEach(function (g) {
      var row = el("div", null, "group");
      if (g.any_of) { row.appendChild(el("span", "any of: ", "tag")); }
      g.members.forEach(function (m, i) {
        if (i) { row.appendChild(el("span", " | ", "muted")); }
        row.appendChild(nodeLink(m));
        if (lowered(m)) { row.appendChild(el("span", " a=" + pct(availOf(m)), "badge hit")); }
      });
      var tag = g.role + (g.share !== 1 ? ", share " + g.share : "");
      row.appendChild(el("span", " (" + tag + ")", "tag"));
      box.appendChild(row);
    });
    return box;
  }
  function usersOf(id) {
    return outOf(id).map(function (e) { return e.to; }).sort(function (a, b) { return cmp(nameOf(a), nameOf(b)); });
  }
  function chainSteps(id) {
    /* walk the precomputed binding-input pointers of the selected scenario */
    var out = [], seen = new Set(), i = compIndex.get(id), row = null;
    while (i !== undefined && i >= 0 && !seen.has(i) && scen.steps.has(i)) {
      seen.add(i);
      row = scen.steps.get(i);
      out.push({ id: pack.components[i], a: scen.a[i] / 1000, term: pack.terms[row[2]] || "?",
                 via: row[1] >= 0 ? pack.components[row[1]] : "" });
      i = row[1];
    }
    var causes = row && row[3] >= 0 ? scen.s.causes[row[3]] : [];
    return { steps: out, causes: causes };
  }
  function chainBlock(n) {
    var box = el("div", null, "chain");
    if (scen && scen.s.id === "custom" && n.chain) {  /* the command line's scenario: full explain */
      box.appendChild(el("h2", "Why: binding chain (horizon " + meta.horizon + ", reach " + meta.reach + ")"));
      box.appendChild(el("div", num(n.chain.availability) + " (baseline " + num(n.chain.baseline) + ")", "muted"));
      var ol0 = el("ol", null, "steps");
      n.chain.steps.forEach(function (s) {
        var li = el("li");
        li.appendChild(el("span", s.id + " " + num(s.a) + ": ", "step-id"));
        li.appendChild(el("span", s.term + (s.binds ? " \u2192 " + s.binds : "")));
        ol0.appendChild(li);
      });
      box.appendChild(ol0);
      if (n.chain.root_causes.length) { box.appendChild(el("div", "Root causes: " + n.chain.root_causes.join(", "))); }
      return box;
    }
    box.appendChild(el("h2", "Why: binding chain under " + scen.s.describe + " (horizon " + scen.s.horizon + ")"));
    if (!scen.s.chains) {
      box.appendChild(el("div", "Availability " + pct(availOf(n.id)) + ". Chains are precomputed for blocs and the main countries; run: chainmap explain GRAPH " + n.id + " --remove " + scen.s.target + " --horizon " + scen.s.horizon, "hint"));
      return box;
    }
    var c = chainSteps(n.id);
    var ol = el("ol", null, "steps");
    c.steps.forEach(function (s) {
      var li = el("li");
      li.appendChild(nodeLink(s.id));
      li.appendChild(el("span", " a = " + pct(s.a) + ": " + s.term, "muted"));
      if (s.via) { li.appendChild(el("span", " \u2192 ")); li.appendChild(nodeLink(s.via)); }
      ol.appendChild(li);
    });
    box.appendChild(ol);
    if (c.causes.length) {
      var rc = el("div", "Root causes: ");
      c.causes.forEach(function (x, i) { if (i) { rc.appendChild(document.createTextNode(", ")); } rc.appendChild(byId.has(x) ? nodeLink(x) : el("span", x)); });
      box.appendChild(rc);
    }
    return box;
  }
  function details(n, compact) {
    ensureDetails();
    var box = el("div");
    box.appendChild(el("h3", n.name));
    var line = n.id + " \u00b7 " + n.kind;
    if (n.country) { line += " \u00b7 " + (n.country_name || n.country) + " (" + n.country + ", " + n.origin + ")"; }
    box.appendChild(el("div", line, "muted"));
    if (n.sector) {
      var sec = el("div", "Sector ");
      sec.appendChild(link(n.sector + " " + (sectorName.get(n.sector) || ""), "sector=" + encodeURIComponent(n.sector)));
      box.appendChild(sec);
    }
    var badges = el("div");
    if (n.spof) { badges.appendChild(el("span", "single point of failure", "badge spof")); }
    if (n.bottleneck) { badges.appendChild(el("span", "foreign bottleneck (" + n.bottleneck_reasons.join(", ") + ")", "badge bott")); }
    if (scen && scen.cut.has(n.id)) { badges.appendChild(el("span", "cut", "badge cut")); }
    if (scen && lowered(n.id)) { badges.appendChild(el("span", "a = " + pct(availOf(n.id)), "badge hit")); }
    box.appendChild(badges);
    if (n.rank) {
      box.appendChild(el("h2", "Substitution priority #" + n.rank + ": " + num(n.score)));
      box.appendChild(factorRow("impact", n.impact));
      box.appendChild(factorRow("exposure", n.exposure));
      box.appendChild(factorRow("gap", n.gap));
      box.appendChild(factorRow("urgency", n.urgency));
    }
    if (n.capacity !== undefined) { box.appendChild(el("div", "Scenario capacity: " + pct(n.capacity))); }
    if (n.availability !== undefined) { box.appendChild(el("div", "Availability under scenario: " + pct(n.availability))); }
    if (compact) {
      if (n.supply && n.supply.length) { box.appendChild(el("div", "Suppliers: " + supplyOf(n).slice(0, 4).map(function (s) { return s.name + " " + pct(s.share); }).join(", "))); }
      if (n.spof_count) { box.appendChild(el("div", "Takes down " + n.spof_count + " components")); }
      if (n.sources.length) { box.appendChild(el("div", n.sources.length + " sources", "muted")); }
      return box;
    }
    if (n.supply && n.supply.length) { box.appendChild(supplyBlock(n)); }
    if (n.inputs && n.inputs.length) { box.appendChild(inputsBlock(n)); }
    var users = usersOf(n.id);
    if (users.length) {
      var title = n.kind === "component" ? "Used by " : (n.kind === "country" ? "Suppliers located here: " : "Supplies ");
      box.appendChild(collapsible(title + users.length, users, nodeLink));
    }
    if (n.kind === "component" && (scen ? lowered(n.id) : false)) { box.appendChild(chainBlock(n)); }
    if (n.spof_count) {
      box.appendChild(collapsible("Takes down " + n.spof_count + " components", n.spof_targets, nodeLink,
                                  n.spof_count - n.spof_targets.length, "chainmap spof"));
    }
    if (n.bottleneck_count) {
      box.appendChild(collapsible("Bottleneck: hits " + n.bottleneck_count + " components", n.bottleneck_hits, nodeLink,
                                  n.bottleneck_count - n.bottleneck_hits.length, "chainmap bottlenecks"));
    }
    if (n.sources.length) { box.appendChild(collapsible("Sources (" + n.sources.length + ")", n.sources, sourceItem)); }
    if (n.notes.length) { box.appendChild(collapsible("Notes (" + n.notes.length + ")", n.notes, function (t) { return el("span", t); })); }
    return box;
  }
  var panel = document.getElementById("details");
  function showDetails(id) {
    var n = byId.get(id);
    if (n) { panel.replaceChildren(details(n, false)); }
  }
  function showSector(code) {
    var s = sectorNode.get(code);
    if (!s) { return; }
    var box = el("div");
    box.appendChild(el("h3", (code === "none" ? "" : code + " ") + s.name));
    box.appendChild(el("div", s.components + " components \u00b7 value " + num(s.value) + " \u00b7 " + s.spof + " single points of failure \u00b7 " + s.bottleneck + " bottlenecks", "muted"));
    box.appendChild(factorRow("foreign", s.foreign));
    box.appendChild(el("div", "mean foreign supply share over " + s.counted + " components with listed supply", "hint"));
    if (scen) { box.appendChild(factorRow("impact", scen.sectors.get(code) || 0)); }
    if (state.view !== "sector") { box.appendChild(link("Open this division's chain", "sector=" + encodeURIComponent(code))); }
    panel.replaceChildren(box);
  }
  var tooltip = document.getElementById("tooltip");
  network.on("hoverNode", function (params) {
    var n = byId.get(params.node);
    if (!n) { return; }
    tooltip.replaceChildren(details(n, true));
    var rect = container.getBoundingClientRect();
    tooltip.style.left = Math.min(window.innerWidth - 370, rect.left + params.pointer.DOM.x + 14) + "px";
    tooltip.style.top = Math.max(0, rect.top + params.pointer.DOM.y + 14) + "px";
    tooltip.hidden = false;
  });
  network.on("blurNode", function () { tooltip.hidden = true; });
  network.on("dragStart", function () { tooltip.hidden = true; });
  network.on("click", function (params) {
    if (!params.nodes.length) { return; }
    var id = params.nodes[0];
    if (state.view === "overview") { showSector(String(id).slice(7)); }
    else if (id !== state.focus) { tooltip.hidden = true; go(encodeURIComponent(id)); }
  });
  network.on("doubleClick", function (params) {
    if (params.nodes.length && state.view === "overview") { go("sector=" + encodeURIComponent(String(params.nodes[0]).slice(7))); }
  });

  /* ---- search ---- */
  var search = document.getElementById("search"), results = document.getElementById("results");
  var msg = document.getElementById("search-msg");
  var active = -1, hits = [];
  var sorted = data.nodes.slice().sort(function (a, b) { return cmp(a.id, b.id); });
  function candidates(query, limit) {
    var q = String(query || "").trim().toLowerCase();
    if (!q) { return []; }
    var words = q.split(/\s+/);
    var scored = [];
    sorted.forEach(function (n) {
      if (!matches(n)) { return; }
      var id = n.id.toLowerCase(), name = n.name.toLowerCase(), s = -1;
      if (id === q || name === q) { s = 0; }
      else if (id.indexOf(q) === 0 || name.indexOf(q) === 0) { s = 1; }
      else if (name.indexOf(" " + q) >= 0 || id.indexOf("-" + q) >= 0) { s = 2; }
      else if (id.indexOf(q) >= 0 || name.indexOf(q) >= 0) { s = 3; }
      else if (words.length > 1 && words.every(function (w) { return id.indexOf(w) >= 0 || name.indexOf(w) >= 0; })) { s = 4; }
      if (s >= 0) { scored.push([s, n]); }
    });
    scored.sort(function (a, b) {
      return a[0] - b[0] || (a[1].rank || 1e9) - (b[1].rank || 1e9) || a[1].name.length - b[1].name.length || cmp(a[1].name, b[1].name);
    });
    return scored.slice(0, limit || 20).map(function (x) { return x[1]; });
  }
  function runSearch() {
    hits = candidates(search.value, 20);
    active = hits.length ? 0 : -1;
    results.replaceChildren();
    hits.forEach(function (n, i) {
      var li = el("li");
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      li.appendChild(el("span", n.name));
      li.appendChild(el("span", "  " + n.id + " \u00b7 " + n.kind + (n.sector ? " \u00b7 " + n.sector : "") + (n.country ? " \u00b7 " + n.country : ""), "rid"));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(n.id); });
      results.appendChild(li);
    });
    results.hidden = !hits.length || !search.value.trim();
    msg.textContent = search.value.trim() ? (hits.length ? hits.length + (hits.length === 20 ? "+" : "") + " found" : "not found") : "";
  }
  function setActive(i) {
    active = Math.max(0, Math.min(hits.length - 1, i));
    Array.prototype.forEach.call(results.children, function (li, k) {
      li.setAttribute("aria-selected", k === active ? "true" : "false");
      if (k === active) { li.scrollIntoView({ block: "nearest" }); }
    });
  }
  function pick(id) {
    results.hidden = true;
    go(encodeURIComponent(id));
  }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { ev.preventDefault(); if (results.hidden) { runSearch(); } else { setActive(active + 1); } }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); setActive(active - 1); }
    else if (ev.key === "Escape") { results.hidden = true; }
  });
  search.addEventListener("blur", function () { results.hidden = true; });
  document.getElementById("search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!hits.length) { runSearch(); }
    if (hits.length) { pick(hits[Math.max(0, active)].id); } else { msg.textContent = "not found"; }
  });
  function find(query) {
    var q = String(query || "").trim();
    var id = byId.has(q) ? q : ((candidates(q, 1)[0] || {}).id || null);
    if (!id) { msg.textContent = "not found"; return null; }
    msg.textContent = "";
    go(encodeURIComponent(id));
    return id;
  }

  /* ---- scenarios ---- */
  var scenarioSelect = document.getElementById("scenario");
  if (data.scenario_index.length) {
    var groups = new Map();
    data.scenario_index.forEach(function (r) {
      var s = { id: r[0], kind: r[1], target: r[2], name: r[3], horizon: r[4], describe: r[5] };
      var g = s.kind === "custom" ? "command line" : "horizon " + s.horizon;
      if (!groups.has(g)) { var og = document.createElement("optgroup"); og.label = g; groups.set(g, og); scenarioSelect.appendChild(og); }
      var o = el("option", s.kind === "custom" ? s.describe : (s.kind === "bloc" ? "bloc " : "") + s.name + " (" + s.target + ") cut, " + s.horizon);
      o.value = s.id;
      groups.get(g).appendChild(o);
    });
  } else {
    scenarioSelect.disabled = true;
  }
  scenarioSelect.addEventListener("change", function () { selectScenario(scenarioSelect.value); });
  function drawScenarioPanel() {
    var box = document.getElementById("scenario-panel");
    if (!scen) { box.hidden = true; box.replaceChildren(); return; }
    var s = scen.s;
    box.replaceChildren();
    box.appendChild(el("h2", "Scenario: " + s.describe + " \u00b7 horizon " + s.horizon));
    box.appendChild(el("div", s.lowered + " components lowered \u00b7 " + s.products_hit + " products hit \u00b7 " + s.down + " products down", "muted"));
    var scale = el("div", null, "scale");
    scale.style.background = "linear-gradient(to right, " + availColor(0) + ", " + availColor(0.5) + ", " + availColor(0.99) + ", " + availColor(1) + ")";
    box.appendChild(scale);
    box.appendChild(el("div", "nodes: availability 0% \u2192 100%; grey = cut", "hint"));
    var scale2 = el("div", null, "scale");
    scale2.style.background = "linear-gradient(to right, " + impactColor(0) + ", " + impactColor(0.125) + ", " + impactColor(0.5) + ")";
    box.appendChild(scale2);
    box.appendChild(el("div", "divisions: impact 0 \u2192 50% and more (square-root scale)", "hint"));
    var top = s.sectors.slice(0, 12);
    if (top.length) {
      box.appendChild(el("h2", "Impact by division (value-weighted availability lost)"));
      var rowH = 18, w = 350, labelW = 150, maxV = Math.max.apply(null, top.map(function (x) { return x[1]; }));
      var svg = svgEl("svg", { width: w, height: top.length * rowH + 4, role: "img", id: "impact-chart" });
      top.forEach(function (x, i) {
        var y = i * rowH + 2, name = (sectorName.get(x[0]) || x[0]);
        var g = svgEl("g", { "data-code": x[0] });
        g.appendChild(svgEl("text", { x: 0, y: y + 12 }, x[0] + " " + (name.length > 22 ? name.slice(0, 21) + "\u2026" : name)));
        g.appendChild(svgEl("rect", { x: labelW, y: y + 3, width: w - labelW - 50, height: rowH - 6, "class": "track" }));
        g.appendChild(svgEl("rect", { x: labelW, y: y + 3, width: Math.max(1, (w - labelW - 50) * x[1] / maxV), height: rowH - 6, "class": "hitbar" }));
        g.appendChild(svgEl("text", { x: w - 46, y: y + 12 }, pct(x[1])));
        g.addEventListener("click", function () { go("sector=" + encodeURIComponent(x[0])); });
        svg.appendChild(g);
      });
      box.appendChild(svg);
    }
    if (s.top.length) {
      box.appendChild(el("h2", "Products hit hardest"));
      var ol = el("ol", null, "steps");
      ol.id = "top-hits";
      s.top.forEach(function (i) {
        var li = el("li"), id = pack.components[i];
        li.appendChild(nodeLink(id));
        var before = scen.base ? scen.base[i] / 1000 : 1;
        li.appendChild(el("span", " " + pct(before) + " \u2192 " + pct(scen.a[i] / 1000), "muted"));
        ol.appendChild(li);
      });
      box.appendChild(ol);
    }
    box.hidden = false;
  }

  /* ---- legend ---- */
  function legendRow(sw, text) {
    var row = el("div", null, "row");
    row.appendChild(sw);
    row.appendChild(el("span", text));
    return row;
  }
  function swatch(color, cls) {
    var s = el("span", null, "swatch" + (cls ? " " + cls : ""));
    if (color) { s.style.backgroundColor = color; }
    return s;
  }
  var legend = document.getElementById("legend");
  legend.appendChild(el("h2", "Legend"));
  legend.appendChild(el("div", "Overview: one circle per division, size = value, colour = mean foreign supply share (blue domestic \u2192 red foreign); arrows = requirements between divisions. Double-click to open.", "hint"));
  var exp = el("div", null, "scale");
  exp.style.background = "linear-gradient(to right, #2c7bb6, #ffdd71, #d7191c)";
  legend.appendChild(exp);
  legend.appendChild(legendRow(swatch("#bbbbbb"), "square: country"));
  legend.appendChild(legendRow(swatch(null, "tri"), "triangle: supplier"));
  legend.appendChild(legendRow(swatch("#bbbbbb", "round"), "dot: component (size = substitution priority)"));
  legend.appendChild(legendRow(swatch("#ffffff", "spof"), "\u26a0 single point of failure"));
  legend.appendChild(legendRow(swatch("#ffffff", "bott"), "\u25c6 foreign bottleneck"));
  legend.appendChild(el("h2", "Colour: country (components: leading supply country)"));
  data.legend.forEach(function (c) {
    legend.appendChild(legendRow(swatch(c[2]), c[1] + " (" + c[0] + ")" + (c[3] === "home" ? " \u2014 home" : "")));
  });
  legend.appendChild(legendRow(swatch(data.colors.other), "other foreign countries"));
  legend.appendChild(legendRow(swatch(data.colors.neutral, "round"), "component without listed supply"));
  legend.appendChild(el("div", "Edges: provider \u2192 user; dashed = one of several alternatives (any_of).", "hint"));

  /* ---- start ---- */
  window.chainmap = {
    data: data, nodes: nodes, edges: edges, network: network, find: find, go: go, state: function () { return state; },
    selectScenario: selectScenario, pack: getPack, candidates: function (q) { return candidates(q, 20).map(function (n) { return n.id; }); },
    details: function (id) { var n = byId.get(id); return n ? details(n, false) : null; }
  };
  network.once("afterDrawing", function () {
    timings.drawn = performance.now();
    window.chainmapTimings = timings;
    window.chainmapReadyMs = performance.now();
    window.chainmapReady = true;
    document.body.setAttribute("data-ready", "1");
  });
  var initial = data.scenario_index.length && data.scenario_index[0][1] === "custom" ? "custom" : "";
  if (initial) {
    scen = null;
    route();
    selectScenario(initial);
  } else {
    route();
  }
  timings.network = performance.now();
}());
