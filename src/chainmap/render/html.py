"""The interactive graph view: one self-contained HTML file (vis-network inlined).

:func:`render_html` writes a page that opens offline and fetches nothing: the
vis-network script and style shipped inside the installed ``pyvis`` package
are inlined, the graph travels as JSON in a ``<script type="application/json">``
block (``<``, ``>`` and ``&`` escaped), and the page's own script builds every
label, tooltip and list entry with ``textContent``, so no text from a graph
file is ever parsed as HTML. A Content-Security-Policy forbids every fetch.

What the page shows: countries (squares), suppliers (triangles) and
components (dots) coloured by country (home in red, foreign countries from a
palette, components by their leading supply country), sized by substitution
priority; single points of failure get a thick black border and a ``⚠``,
foreign bottlenecks a dashed purple border and a ``◆``. Hovering or clicking
shows the priority's four factors and the sources. A search box finds a node
by id or name; a dropdown filters by sector. Positions come from a layered
(Sugiyama) layout computed here, with physics off, so large graphs open fast;
above ``max_nodes`` nodes the view aggregates components by sector and
suppliers by country (``sector=...`` shows one sector in detail).

Examples
--------
>>> import chainmap, pathlib, tempfile
>>> g = chainmap.load("tests/data/mini")
>>> out = render_html(g, pathlib.Path(tempfile.mkdtemp()) / "mini.html")
>>> text = out.read_text(encoding="utf-8")
>>> "vis-network" in text and "http://" not in text.split("<script")[0]
True
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from chainmap.analysis.explain import Explanation, explain_many
from chainmap.analysis.propagate import availability
from chainmap.analysis.scenario import Scenario, capacities, format_horizon
from chainmap.errors import UnknownNodeError
from chainmap.graph import SupplyGraph
from chainmap.io.atomic import write_text_atomic
from chainmap.render.facts import NodeFacts, binds_text, node_facts
from chainmap.render.layout import layered_layout

__all__ = ["HOME_COLOR", "PALETTE", "country_colors", "json_for_script", "render_html", "view_data"]

HOME_COLOR = "#d62728"
OTHER_COLOR = "#a5acb3"
NEUTRAL_COLOR = "#dfe3e8"
CUT_COLOR = "#d9d9d9"
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
           "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354")
SHAPES = {"country": "square", "supplier": "triangle", "component": "dot", "group": "hexagon"}
X_GAP, ROW_GAP, LAYER_GAP = 170.0, 90.0, 240.0  # pixels: neighbours in a row, rows of a layer, layers


def json_for_script(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: ``<``, ``>``, ``&`` escaped.

    >>> json_for_script({"name": "</script><b>&"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@cache
def vis_assets() -> tuple[str, str]:
    """The vis-network script and style shipped with pyvis (``templates/lib/vis-*``)."""
    from importlib.util import find_spec

    spec = find_spec("pyvis")  # find its files without importing it
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the pyvis package (which ships vis-network) is not installed")
    lib = Path(next(iter(spec.submodule_search_locations))) / "templates" / "lib"
    folders = sorted(lib.glob("vis-*"), key=lambda p: [int(x) for x in re.findall(r"\d+", p.name)])
    if not folders:
        raise FileNotFoundError(f"no vis-network files under {lib}")
    js = (folders[-1] / "vis-network.min.js").read_text(encoding="utf-8")
    css = (folders[-1] / "vis-network.css").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S*", "", js)
    css = re.sub(r"/\*# sourceMappingURL=\S*\s*\*/", "", css)
    if re.search(r"</script|<!--", js, re.IGNORECASE) or re.search(r"</style", css, re.IGNORECASE):
        raise ValueError("vis-network assets cannot be inlined safely")
    return js, css


def template_text(name: str) -> str:
    """A file from ``chainmap/render/templates`` (package data)."""
    return resources.files("chainmap.render").joinpath("templates", name).read_text(encoding="utf-8")


def _r(x: float, digits: int = 4) -> float | None:
    """Round for JSON; NaN becomes None."""
    return None if x is None or math.isnan(x) else round(float(x), digits)


def country_colors(graph: SupplyGraph, facts: dict[str, NodeFacts]) -> dict[str, str]:
    """Colour per country id: home red, the busiest foreign countries from the palette, others grey."""
    weight: dict[str, int] = {}
    for f in facts.values():
        c = f.country or f.leader
        if c and c != graph.home:
            weight[c] = weight.get(c, 0) + 1
    ranked = sorted(weight, key=lambda c: (-weight[c], c))
    colors = {c: PALETTE[i] if i < len(PALETTE) else OTHER_COLOR for i, c in enumerate(ranked)}
    colors[graph.home] = HOME_COLOR
    return colors


def _neighbourhood(graph: SupplyGraph, focus: str, depth: int) -> set[int]:
    if focus not in graph.index:
        raise UnknownNodeError(f"unknown node {focus!r} (focus)")
    if depth < 0:
        raise ValueError(f"depth must be >= 0, got {depth}")
    v = graph.index[focus]
    ig_graph = graph.igraph
    up = ig_graph.neighborhood(v, order=depth, mode="in")
    down = ig_graph.neighborhood(v, order=depth, mode="out")
    return set(up) | set(down)


def _sector_selection(graph: SupplyGraph, sector: str) -> set[int]:
    """A sector's components and products, with their direct inputs (and those suppliers' countries)."""
    if sector not in graph.sectors:
        raise UnknownNodeError(f"unknown sector {sector!r} (expected one of: {', '.join(graph.sectors) or 'none'})")
    core = {graph.index[c] for c, comp in graph.components.items() if comp.sector == sector}
    core |= {graph.index[p] for p in graph.sectors[sector].products}
    ig_graph = graph.igraph
    chosen = set(core)
    for v in core:
        chosen.update(ig_graph.predecessors(v))
    for v in list(chosen):
        if graph.ids[v] in graph.suppliers:
            chosen.add(graph.index[graph.suppliers[graph.ids[v]].country])
    return chosen


def _scenario_state(graph: SupplyGraph, scenario: Scenario | None) -> tuple[dict[str, float], dict[str, float]]:
    """Capacity below 1 per node, and availability per component (empty without a scenario)."""
    if scenario is None:
        return {}, {}
    caps = capacities(graph, scenario)
    cap: dict[str, float] = {}
    for ids, arr in ((graph.country_ids, caps.country), (graph.supplier_ids, caps.supplier),
                     (graph.component_ids, caps.component)):
        for node, value in zip(ids, arr.tolist(), strict=True):
            if value < 1.0:
                cap[node] = float(value)
    avail = availability(graph, caps)
    return cap, {c: float(avail[i]) for i, c in enumerate(graph.component_ids)}


def _chain_record(e: Explanation) -> dict[str, Any]:
    """The binding chain of one component for the details panel (plain data; the page sets it as text)."""
    return {
        "availability": _r(e.availability), "baseline": _r(e.baseline), "root_causes": e.root_causes,
        "steps": [{"id": s.component, "name": s.name, "a": _r(s.availability), "term": s.term,
                   "binds": binds_text(s)} for s in e.steps],
    }


def _size(score: float) -> float:
    return 10.0 if math.isnan(score) else round(10.0 + 30.0 * math.sqrt(max(0.0, min(1.0, score))), 2)


def _node_record(graph: SupplyGraph, f: NodeFacts, colors: dict[str, str], cap: dict[str, float],
                 avail: dict[str, float]) -> dict[str, Any]:
    color_key = f.country or f.leader
    color = colors.get(color_key, OTHER_COLOR) if color_key else NEUTRAL_COLOR
    rec: dict[str, Any] = {
        "id": f.id, "name": f.name, "kind": f.kind, "country": f.country, "origin": f.origin,
        "sector": f.sector, "leader": f.leader, "color": color, "shape": SHAPES[f.kind],
        "size": _size(f.score) if f.kind == "component" else (14.0 if f.kind == "country" else 10.0),
        "spof": f.spof, "spof_targets": f.spof_targets, "bottleneck": f.bottleneck,
        "bottleneck_reasons": f.bottleneck_reasons, "bottleneck_hits": f.bottleneck_hits,
        "rank": f.rank, "score": _r(f.score), "impact": _r(f.impact), "exposure": _r(f.exposure),
        "gap": _r(f.gap), "urgency": _r(f.urgency), "sources": f.sources, "notes": f.notes,
    }
    if f.kind == "country":
        rec["country_name"] = f.name
    elif f.country:
        rec["country_name"] = graph.name(f.country)
    if f.id in cap:
        rec["capacity"] = _r(cap[f.id])
    if f.id in avail:
        rec["availability"] = _r(avail[f.id])
    return rec


def _aggregate(graph: SupplyGraph, chosen: list[int], facts: dict[str, NodeFacts], colors: dict[str, str],
               keep_components: bool) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """Group records: components by sector (unless kept), suppliers by country; countries stay."""
    group_of: dict[int, str] = {}
    members: dict[str, list[NodeFacts]] = {}
    for v in chosen:
        f = facts[graph.ids[v]]
        if f.kind == "supplier":
            key = f"suppliers:{f.country}"
        elif f.kind == "component" and not keep_components:
            key = f"sector:{f.sector or 'none'}"
        else:
            continue
        group_of[v] = key
        members.setdefault(key, []).append(f)
    records: list[dict[str, Any]] = []
    for key in sorted(members):
        group = members[key]
        kind, _, what = key.partition(":")
        scores = [m.score for m in group if m.has_priority]
        best = max(scores) if scores else float("nan")
        if kind == "suppliers":
            name = f"Suppliers in {graph.name(what)} ({len(group)})"
            color = colors.get(what, OTHER_COLOR)
            sector, country = "", what
            origin = "home" if what == graph.home else "foreign"
        else:
            sector_name = graph.sectors[what].name if what in graph.sectors else "no sector"
            name = f"Sector {what}: {sector_name} ({len(group)} components)" if what != "none" else \
                f"Components without a sector ({len(group)})"
            color = NEUTRAL_COLOR
            sector, country, origin = ("" if what == "none" else what), "", ""
        records.append({
            "id": key, "name": name, "kind": "group", "country": country, "origin": origin, "sector": sector,
            "leader": "", "color": color, "shape": SHAPES["group"], "size": max(_size(best), 16.0),
            "members": len(group), "spof": any(m.spof for m in group),
            "spof_count": sum(m.spof for m in group), "bottleneck": any(m.bottleneck for m in group),
            "bottleneck_count": sum(m.bottleneck for m in group), "rank": 0, "score": _r(best),
            "impact": None, "exposure": None, "gap": None, "urgency": None, "spof_targets": [],
            "bottleneck_reasons": [], "bottleneck_hits": [], "sources": [], "notes": [],
            "detail": f"--sector {what}" if kind == "sector" and what != "none" else "",
        })
    return records, group_of


def _wrap_layers(positions: list[tuple[float, int]]) -> list[tuple[float, float, int]]:
    """Pixel positions: each layer in Sugiyama order, wide layers folded into several rows.

    A layer of ``k`` nodes takes ``ceil(k / width)`` rows (``width`` ~ 2 sqrt(n)), the
    i-th node of the layer going to row ``i % rows``, column ``i // rows``, so the
    drawing stays roughly as wide as it is tall and neighbours stay close.
    """
    n = len(positions)
    width = max(24, math.ceil(2 * math.sqrt(n)))
    by_layer: dict[int, list[int]] = {}
    for v, (_pos, layer) in enumerate(positions):
        by_layer.setdefault(layer, []).append(v)
    out: list[tuple[float, float, int]] = [(0.0, 0.0, 0)] * n
    y0 = 0.0
    for layer in sorted(by_layer):
        members = sorted(by_layer[layer], key=lambda v: (positions[v][0], v))
        rows = math.ceil(len(members) / width)
        cols = math.ceil(len(members) / rows)
        offset = -(cols - 1) * X_GAP / 2
        for i, v in enumerate(members):
            out[v] = (round(offset + (i // rows) * X_GAP, 1), round(y0 + (i % rows) * ROW_GAP, 1), layer)
        y0 += (rows - 1) * ROW_GAP + LAYER_GAP
    return out


def view_data(graph: SupplyGraph, *, sector: str | None = None, focus: str | None = None, depth: int = 2,
              scenario: Scenario | None = None, home: str | None = None, max_nodes: int = 2000) -> dict[str, Any]:
    """The JSON-ready data of a view: nodes with positions and styles, edges, legend, metadata.

    Parameters are those of :func:`render_html`. Nodes are sorted by layer,
    then position; the output is a pure function of the inputs.
    """
    graph = graph.with_home(home)
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be >= 1, got {max_nodes}")
    overlay = scenario if scenario is not None and not scenario.is_baseline() else None
    facts = node_facts(graph, scenario)
    colors = country_colors(graph, facts)
    cap, avail = _scenario_state(graph, overlay)
    chosen_set = set(range(len(graph.ids)))
    if sector is not None:
        chosen_set &= _sector_selection(graph, sector)
    if focus is not None:
        chosen_set &= _neighbourhood(graph, focus, depth)
    chosen = sorted(chosen_set)
    aggregated = len(chosen) > max_nodes
    records: list[dict[str, Any]] = []
    key_of: dict[int, str] = {}
    if aggregated:
        records, key_of = _aggregate(graph, chosen, facts, colors, keep_components=sector is not None or focus is not None)
    for v in chosen:
        if v not in key_of:
            node = graph.ids[v]
            records.append(_node_record(graph, facts[node], colors, cap, avail))
            key_of[v] = node
    if overlay is not None:  # the binding chain of every shown component the scenario lowers
        lowered = [r["id"] for r in records if r["kind"] == "component" and r["id"] in avail
                   and avail[r["id"]] < 1.0]
        chains = explain_many(graph, lowered, overlay)
        for r in records:
            if r["id"] in chains and chains[r["id"]].availability < chains[r["id"]].baseline:
                r["chain"] = _chain_record(chains[r["id"]])
    ig_graph = graph.igraph
    edge_count: dict[tuple[str, str, str], int] = {}
    any_of: dict[tuple[str, str, str], bool] = {}
    shares: dict[tuple[str, str, str], float] = {}
    for e in ig_graph.es.select(_source_in=chosen_set, _target_in=chosen_set) if chosen_set else []:
        a, b = key_of[e.source], key_of[e.target]
        if a == b:
            continue
        k = (a, b, e["type"])
        edge_count[k] = edge_count.get(k, 0) + 1
        any_of[k] = any_of.get(k, False) or bool(e["any_of"])
        if e["type"] == "supplies":
            shares[k] = shares.get(k, 0.0) + float(e["share"])
    by_id = {r["id"]: r for r in records}
    order = sorted(by_id)
    index = {node: i for i, node in enumerate(order)}
    edge_keys = sorted(edge_count)
    positions = layered_layout(len(order), [(index[a], index[b]) for a, b, _ in edge_keys])
    for node, (x, y, layer) in zip(order, _wrap_layers(positions), strict=True):
        by_id[node]["x"], by_id[node]["y"], by_id[node]["layer"] = x, y, layer
    nodes = sorted(by_id.values(), key=lambda r: (r["layer"], r["x"], r["id"]))
    edges = [
        {"from": a, "to": b, "type": t, "count": edge_count[(a, b, t)], "any_of": any_of[(a, b, t)],
         "share": _r(shares[(a, b, t)]) if (a, b, t) in shares else None}
        for a, b, t in edge_keys
    ]
    used_colors = {r["color"] for r in nodes}
    legend_countries = [[graph.home, graph.name(graph.home), HOME_COLOR, "home"]] + [
        [c, graph.name(c), col, "foreign"] for c, col in sorted(colors.items(), key=lambda kv: (PALETTE.index(kv[1])
            if kv[1] in PALETTE else len(PALETTE), kv[0])) if c != graph.home and col != OTHER_COLOR and col in used_colors
    ]
    sectors = [[code, s.name] for code, s in graph.sectors.items()]
    return {
        "meta": {
            "home": graph.home, "home_name": graph.name(graph.home), "aggregated": aggregated,
            "total_nodes": len(graph.ids), "shown_nodes": len(nodes), "max_nodes": max_nodes,
            "sector": sector or "", "focus": focus or "", "depth": depth if focus else None,
            "scenario": overlay.describe() if overlay is not None else "",
            "horizon": format_horizon(scenario.horizon) if scenario is not None else "1y",
            "reach": scenario.reach if scenario is not None else "location",
        },
        "colors": {"home": HOME_COLOR, "other": OTHER_COLOR, "neutral": NEUTRAL_COLOR, "cut": CUT_COLOR},
        "legend": legend_countries,
        "sectors": sectors,
        "nodes": nodes,
        "edges": edges,
    }


def page_html(data: dict[str, Any], title: str) -> str:
    """The whole page for ``data`` (from :func:`view_data`)."""
    import jinja2
    from markupsafe import Markup

    js, css = vis_assets()
    env = jinja2.Environment(autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(template_text("graph.html.j2"))
    return template.render(
        title=title,
        vis_js=Markup(js),
        vis_css=Markup(css),
        app_js=Markup(template_text("graph.js")),
        app_css=Markup(template_text("graph.css")),
        data_json=Markup(json_for_script(data)),
    )


def render_html(graph: SupplyGraph, path: str | Path, *, sector: str | None = None, focus: str | None = None,
                depth: int = 2, scenario: Scenario | None = None, home: str | None = None,
                max_nodes: int = 2000) -> Path:
    """Write the interactive graph view of ``graph`` to ``path`` (one self-contained HTML file).

    Parameters
    ----------
    graph : the loaded graph.
    path : output file; written atomically, never one of ``graph.files``.
    sector : show one sector (code): its components and their direct inputs.
    focus, depth : show the upstream and downstream neighbourhood of node ``focus``, ``depth`` steps each way.
    scenario : overlay: cut nodes greyed, each component's availability and binding chain shown;
        its horizon and reach also set those of the bottlenecks and priorities.
    home : point of view (default: the graph's).
    max_nodes : above this many nodes, aggregate components by sector and suppliers by country.

    Returns
    -------
    Path
        ``path``.
    """
    data = view_data(graph, sector=sector, focus=focus, depth=depth, scenario=scenario, home=home,
                     max_nodes=max_nodes)
    meta = data["meta"]
    parts = [f"chainmap: {meta['home_name']} ({meta['home']}) view"]
    if sector:
        parts.append(f"sector {sector}")
    if focus:
        parts.append(f"around {focus}")
    if meta["scenario"]:
        parts.append(f"{meta['scenario']} (horizon {meta['horizon']}, reach {meta['reach']})")
    target = Path(path)
    write_text_atomic(target, page_html(data, " · ".join(parts)), graph.files)
    return target
