/* chainmap graph view. Every text that comes from a graph file is set with
 * textContent or drawn on the canvas by vis-network; nothing is parsed as HTML. */
(function () {
  "use strict";
  var timings = { start: performance.now() };
  var data = JSON.parse(document.getElementById("chainmap-data").textContent);
  timings.parsed = performance.now();
  var meta = data.meta;
  var byId = new Map();
  data.nodes.forEach(function (n) { byId.set(n.id, n); });
  var big = data.nodes.length > 3000;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function pct(x) { return (x === null || x === undefined) ? "n/a" : (Math.round(x * 1000) / 10) + "%"; }
  function num(x) { return (x === null || x === undefined) ? "n/a" : Number(x).toFixed(3); }
  function greyed(n) { return n.capacity === 0 || n.availability === 0; }

  function labelOf(n) {
    var text = (n.spof ? "\u26a0 " : "") + (n.bottleneck ? "\u25c6 " : "") + n.name;
    if (n.capacity !== undefined) { text += n.capacity === 0 ? "\n(cut)" : "\n(capacity " + pct(n.capacity) + ")"; }
    if (n.availability !== undefined && n.availability < 1) { text += "\na = " + pct(n.availability); }
    return text;
  }

  function visNode(n) {
    var grey = greyed(n);
    var bg = grey ? data.colors.cut : n.color;
    var item = { id: n.id, label: labelOf(n), x: n.x, y: n.y, shape: n.shape, size: n.size,
                 color: { background: bg, border: n.spof ? "#111111" : (n.bottleneck ? "#7b2cbf" : (grey ? "#aaaaaa" : "#555555")) } };
    if (n.spof || n.bottleneck) { item.borderWidth = n.spof ? 4 : 3; }
    if (n.bottleneck) { item.shapeProperties = { borderDashes: [5, 3] }; }
    if (grey) { item.font = { color: "#8a8a8a" }; }
    if (n.kind === "group") { item.font = { size: 14 }; }
    return item;
  }
  var EDGE_COLORS = { located_in: "#c9c9c9", supplies: "#6f9fc0", requires: "#8f8f8f" };
  function visEdge(e, i) {
    return {
      id: i, from: e.from, to: e.to, arrows: "to", dashes: e.any_of,
      width: 1 + Math.log(e.count) / Math.LN2, color: EDGE_COLORS[e.type] || "#999999"
    };
  }

  var nodes = new vis.DataSet(data.nodes.map(visNode));
  var edges = new vis.DataSet(data.edges.map(visEdge));
  timings.datasets = performance.now();
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    autoResize: true,
    physics: { enabled: false },
    layout: { improvedLayout: false, hierarchical: { enabled: false } },
    edges: { smooth: false, arrows: { to: { enabled: true, scaleFactor: 0.5 } }, selectionWidth: 2,
             color: { opacity: 0.6 } },
    nodes: { font: { size: 12, color: "#222222" }, borderWidth: 1, borderWidthSelected: 5,
             color: { highlight: { border: "#000000" }, hover: { border: "#000000" } },
             scaling: { label: { drawThreshold: 6 } } },
    interaction: { hover: true, tooltipDelay: 100, hideEdgesOnDrag: big, hideEdgesOnZoom: big,
                   keyboard: false, multiselect: false }
  });
  timings.network = performance.now();
  window.chainmapTimings = timings;
  network.once("afterDrawing", function () {
    timings.drawn = performance.now();
    window.chainmapReadyMs = performance.now();
    window.chainmapReady = true;
    document.body.setAttribute("data-ready", "1");
  });

  /* ---- details (tooltip and side panel) ---- */
  function factorRow(name, value) {
    var row = el("div", null, "factor");
    row.appendChild(el("span", name));
    var bar = el("div", null, "bar");
    var fill = el("span");
    fill.style.width = (value === null || value === undefined ? 0 : Math.max(0, Math.min(1, value)) * 100) + "%";
    bar.appendChild(fill);
    row.appendChild(bar);
    row.appendChild(el("span", num(value)));
    return row;
  }
  function listBlock(title, items, limit) {
    var box = el("div");
    box.appendChild(el("h2", title));
    var ul = el("ul", null, "sources");
    items.slice(0, limit).forEach(function (s) { ul.appendChild(el("li", s)); });
    if (items.length > limit) { ul.appendChild(el("li", "\u2026 and " + (items.length - limit) + " more", "muted")); }
    box.appendChild(ul);
    return box;
  }
  function chainBlock(chain) {
    /* the binding chain (chainmap explain) of this component under the page's scenario */
    var box = el("div", null, "chain");
    box.appendChild(el("h2", "Why: binding chain (horizon " + meta.horizon + ", reach " + meta.reach + ")"));
    box.appendChild(el("div", num(chain.availability) + " (baseline " + num(chain.baseline) + ")", "muted"));
    var ol = el("ol", null, "steps");
    chain.steps.forEach(function (s) {
      var li = el("li");
      li.appendChild(el("span", s.id + " " + num(s.a) + ": ", "step-id"));
      li.appendChild(el("span", s.term + (s.binds ? " \u2192 " + s.binds : "")));
      ol.appendChild(li);
    });
    box.appendChild(ol);
    if (chain.root_causes.length) { box.appendChild(el("div", "Root causes: " + chain.root_causes.join(", "))); }
    return box;
  }
  function details(n, compact) {
    var box = el("div");
    box.appendChild(el("h3", n.name));
    var what = n.kind === "group" ? "group of " + n.members : n.kind;
    var line = n.id + " \u00b7 " + what;
    if (n.country) { line += " \u00b7 " + (n.country_name || n.country) + " (" + n.origin + ")"; }
    if (n.sector) { line += " \u00b7 sector " + n.sector; }
    box.appendChild(el("div", line, "muted"));
    var badges = el("div");
    if (n.spof) { badges.appendChild(el("span", "single point of failure", "badge spof")); }
    if (n.bottleneck) { badges.appendChild(el("span", "foreign bottleneck", "badge bott")); }
    if (greyed(n)) { badges.appendChild(el("span", n.capacity === 0 ? "cut" : "down", "badge cut")); }
    box.appendChild(badges);
    if (n.kind === "group") {
      box.appendChild(el("div", n.spof_count + " single points of failure, " + n.bottleneck_count + " bottlenecks"));
      if (n.score !== null) { box.appendChild(el("div", "highest priority score " + num(n.score))); }
      if (n.detail) { box.appendChild(el("div", "Detail: chainmap render GRAPH " + n.detail + " -o FILE.html", "hint")); }
      return box;
    }
    if (n.spof_targets.length) { box.appendChild(el("div", "Takes down: " + n.spof_targets.join(", "))); }
    if (n.bottleneck) {
      box.appendChild(el("div", "Bottleneck (" + n.bottleneck_reasons.join(", ") + ") hits: " + n.bottleneck_hits.join(", ")));
    }
    if (n.leader) { box.appendChild(el("div", "Leading supply country: " + n.leader)); }
    if (n.rank) {
      box.appendChild(el("h2", "Substitution priority #" + n.rank + ": " + num(n.score)));
      box.appendChild(factorRow("impact", n.impact));
      box.appendChild(factorRow("exposure", n.exposure));
      box.appendChild(factorRow("gap", n.gap));
      box.appendChild(factorRow("urgency", n.urgency));
    }
    if (n.capacity !== undefined) { box.appendChild(el("div", "Scenario capacity: " + pct(n.capacity))); }
    if (n.availability !== undefined) { box.appendChild(el("div", "Availability under scenario: " + pct(n.availability))); }
    if (n.chain && !compact) { box.appendChild(chainBlock(n.chain)); }
    if (n.sources.length) { box.appendChild(listBlock("Sources", n.sources, compact ? 4 : 50)); }
    if (n.notes.length) { box.appendChild(listBlock("Notes", n.notes, compact ? 2 : 20)); }
    return box;
  }
  var panel = document.getElementById("details");
  function showDetails(id) {
    var n = byId.get(id);
    if (!n) { return; }
    panel.replaceChildren(details(n, false));
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
  network.on("click", function (params) { if (params.nodes.length) { showDetails(params.nodes[0]); } });

  /* ---- legend ---- */
  function legendRow(swatch, text) {
    var row = el("div", null, "row");
    row.appendChild(swatch);
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
  legend.appendChild(legendRow(swatch("#bbbbbb"), "square: country"));
  var tri = swatch(null, "tri");
  legend.appendChild(legendRow(tri, "triangle: supplier"));
  legend.appendChild(legendRow(swatch("#bbbbbb", "round"), "dot: component (size = substitution priority)"));
  if (meta.aggregated) { legend.appendChild(legendRow(swatch("#dddddd"), "hexagon: group (sector or suppliers of a country)")); }
  legend.appendChild(legendRow(swatch("#ffffff", "spof"), "\u26a0 single point of failure"));
  legend.appendChild(legendRow(swatch("#ffffff", "bott"), "\u25c6 foreign bottleneck"));
  if (meta.scenario) { legend.appendChild(legendRow(swatch(data.colors.cut), "cut or down under the scenario")); }
  legend.appendChild(el("h2", "Colour: country (components: leading supply country)"));
  data.legend.forEach(function (c) {
    legend.appendChild(legendRow(swatch(c[2]), c[1] + " (" + c[0] + ")" + (c[3] === "home" ? " \u2014 home" : "")));
  });
  legend.appendChild(legendRow(swatch(data.colors.other), "other foreign countries"));
  legend.appendChild(legendRow(swatch(data.colors.neutral, "round"), "component without listed supply"));
  legend.appendChild(el("div", "Edges: downstream (provider \u2192 user); dashed = one of several alternatives (any_of).", "hint"));

  /* ---- header: title, summary ---- */
  var summary = meta.shown_nodes + " of " + meta.total_nodes + " nodes";
  if (meta.aggregated) { summary += " (aggregated above " + meta.max_nodes + "; use --sector for detail)"; }
  if (meta.scenario) { summary += " \u00b7 scenario: " + meta.scenario + " (horizon " + meta.horizon + ", reach " + meta.reach + ")"; }
  document.getElementById("summary").textContent = summary;

  /* ---- sector filter ---- */
  var select = document.getElementById("sector");
  data.sectors.forEach(function (s) {
    var opt = el("option", s[0] + " " + s[1]);
    opt.value = s[0];
    select.appendChild(opt);
  });
  var visible = null;
  function filterSector(code) {
    select.value = code;
    if (!code) {
      visible = null;
      nodes.update(data.nodes.map(function (n) { return { id: n.id, hidden: false }; }));
      return data.nodes.length;
    }
    var keep = new Set();
    data.nodes.forEach(function (n) { if (n.sector === code) { keep.add(n.id); } });
    data.edges.forEach(function (e) { if (keep.has(e.to) && e.type !== "located_in") { keep.add(e.from); } });
    Array.from(keep).forEach(function (id) {
      var n = byId.get(id);
      if (n && n.country && byId.has(n.country)) { keep.add(n.country); }
    });
    visible = keep;
    nodes.update(data.nodes.map(function (n) { return { id: n.id, hidden: !keep.has(n.id) }; }));
    network.fit({ nodes: Array.from(keep), animation: false });
    return keep.size;
  }
  select.addEventListener("change", function () { filterSector(select.value); });

  /* ---- search ---- */
  var datalist = document.getElementById("search-names");
  if (data.nodes.length <= 5000) {
    data.nodes.slice().sort(function (a, b) { return a.id < b.id ? -1 : (a.id > b.id ? 1 : 0); }).forEach(function (n) {
      var opt = el("option", n.name);
      opt.value = n.id;
      datalist.appendChild(opt);
    });
  }
  var sortedNodes = data.nodes.slice().sort(function (a, b) { return a.id < b.id ? -1 : (a.id > b.id ? 1 : 0); });
  function find(query) {
    var q = String(query || "").trim().toLowerCase();
    if (!q) { return null; }
    var hit = null;
    if (byId.has(query.trim())) { hit = query.trim(); }
    for (var i = 0; !hit && i < sortedNodes.length; i++) {
      if (sortedNodes[i].id.toLowerCase() === q || sortedNodes[i].name.toLowerCase() === q) { hit = sortedNodes[i].id; }
    }
    for (var j = 0; !hit && j < sortedNodes.length; j++) {
      if (sortedNodes[j].id.toLowerCase().indexOf(q) >= 0 || sortedNodes[j].name.toLowerCase().indexOf(q) >= 0) {
        hit = sortedNodes[j].id;
      }
    }
    return hit;
  }
  function findAndFocus(query) {
    var msg = document.getElementById("search-msg");
    var id = find(query);
    if (!id) { msg.textContent = "not found"; return null; }
    msg.textContent = "";
    if (visible && !visible.has(id)) { filterSector(""); }
    network.selectNodes([id]);
    network.focus(id, { scale: 1.2, animation: false });
    showDetails(id);
    return id;
  }
  document.getElementById("search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    findAndFocus(document.getElementById("search").value);
  });

  window.chainmap = { data: data, nodes: nodes, edges: edges, network: network, find: findAndFocus,
                      filterSector: filterSector, details: function (id) { var n = byId.get(id); return n ? details(n, false) : null; } };
}());
