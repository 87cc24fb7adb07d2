"""The interactive graph view: one self-contained HTML file (vis-network inlined).

:func:`render_html` writes a page that opens offline and fetches nothing: the
vis-network script and style shipped inside the installed ``pyvis`` package
are inlined, the graph travels as JSON in a ``<script type="application/json">``
block (``<``, ``>`` and ``&`` escaped), and the page's own script builds every
label, tooltip and list entry with ``textContent``, so no text from a graph
file is ever parsed as HTML. A Content-Security-Policy forbids every fetch.

What the page shows. It opens on the **overview**: one node per division
(sector), sized by value and coloured by mean foreign supply share, with
edges weighted by the requirements between divisions
(:mod:`chainmap.render.overview`); double-clicking a division opens its
chain (its components and their direct inputs), a breadcrumb leads back, and
graphs of at most ``max_nodes`` nodes also offer the whole graph in a layered
(Sugiyama) layout computed here. Clicking a node **focuses** it: its
neighbourhood (inputs, suppliers, users, 1-4 hops) is laid out around it and
the address becomes ``#id``, so links and back/forward work. The details
panel lists name, sector, the substitution priority's four factors,
suppliers with shares (year, method), inputs (``any_of`` groups, roles),
users, the binding chain under the selected scenario and what the node takes
down. Search lists id and name matches (arrow keys, Enter); filters by sector,
country, kind and flag hide nodes and update the counts. A **scenario
selector** applies one of the standard scenarios precomputed by
:mod:`chainmap.render.scenarios` (node colours by availability, an impact
chart by division, the products hit hardest); the page computes nothing
itself. Countries are squares, suppliers triangles, components dots
(coloured by country: home red, components by their leading supply country);
single points of failure are marked ``⚠``, foreign bottlenecks ``◆``.

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

import numpy as np

from chainmap.analysis.batch import _unique
from chainmap.analysis.explain import Explanation, explain_many
from chainmap.analysis.propagate import availability
from chainmap.analysis.scenario import Scenario, capacities, format_horizon
from chainmap.errors import UnknownNodeError
from chainmap.graph import SupplyGraph, ranges
from chainmap.io.atomic import write_text_atomic
from chainmap.render.facts import (
    AnalysisResults,
    NodeFacts,
    analysis_results,
    array_backed,
    binds_text,
    node_facts,
    with_removals,
)
from chainmap.render.layout import layered_layout, wrap_layers
from chainmap.render.overview import overview_arrays, overview_data
from chainmap.render.scenarios import HORIZONS, scenario_pack

__all__ = ["HOME_COLOR", "PALETTE", "country_colors", "json_for_script", "render_html", "view_data"]

HOME_COLOR = "#d62728"
OTHER_COLOR = "#a5acb3"
NEUTRAL_COLOR = "#dfe3e8"
CUT_COLOR = "#d9d9d9"
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
           "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354")
SHAPES = {"country": "square", "supplier": "triangle", "component": "dot", "group": "hexagon"}
MAX_EMBED = 200_000
"""A whole graph of more nodes is shown aggregated (see :func:`view_data`)."""
PER_DIVISION = 150
"""Components embedded per division in an aggregated page (before their inputs and suppliers)."""
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
    return colors_by_weight(graph, weight)


def colors_by_weight(graph: SupplyGraph, weight: dict[str, int]) -> dict[str, str]:
    """:func:`country_colors` from the number of nodes per foreign country (countries of weight 0 and the
    home country are left out of the ranking; home is red)."""
    weight = {c: n for c, n in weight.items() if c and n > 0 and c != graph.home}
    ranked = sorted(weight, key=lambda c: (-weight[c], c))
    colors = {c: PALETTE[i] if i < len(PALETTE) else OTHER_COLOR for i, c in enumerate(ranked)}
    colors[graph.home] = HOME_COLOR
    return colors


def _neighbourhood(graph: SupplyGraph, focus: str, depth: int) -> set[int]:
    if focus not in graph.index:
        raise UnknownNodeError(f"unknown node {focus!r} (focus){graph.did_you_mean(focus)}")
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
    off = graph.n_countries + graph.n_suppliers
    core = {off + i for i, code in enumerate(graph.arrays.component_sector) if code == sector}
    core |= {graph.index[p] for p in graph.sectors[sector].products}
    ig_graph = graph.igraph
    chosen = set(core)
    for v in core:
        chosen.update(ig_graph.predecessors(v))
    for v in list(chosen):
        if graph.ids[v] in graph.suppliers:
            chosen.add(graph.index[graph.suppliers[graph.ids[v]].country])
    return chosen


def _scenario_state(graph: SupplyGraph, scenario: Scenario | None,
                    vertices: set[int] | None = None) -> tuple[dict[str, float], dict[str, float]]:
    """Capacity below 1 per node, and availability per component (empty without a scenario); of ``vertices``
    only when given."""
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
    if vertices is not None:
        off = graph.n_countries + graph.n_suppliers
        comps = sorted(v - off for v in vertices if v >= off)
        return cap, {graph.component_ids[c]: float(avail[c]) for c in comps}
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
        "spof": f.spof, "spof_targets": f.spof_targets[:LIST_CAP], "spof_count": len(f.spof_targets),
        "bottleneck": f.bottleneck, "bottleneck_reasons": f.bottleneck_reasons,
        "bottleneck_hits": f.bottleneck_hits[:LIST_CAP], "bottleneck_count": len(f.bottleneck_hits),
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


EDGE_FIELDS = ("from", "to", "type", "count", "any_of", "share")
EDGE_TYPES = ("located_in", "supplies", "requires")
SUPPLY_FIELDS = ("id", "share", "year", "method", "estimate")
INPUT_FIELDS = ("members", "any_of", "role", "share")
LIST_CAP = 300  # ids listed per node for "takes down" and bottleneck hits (the counts are exact)


def _component_extras(graph: SupplyGraph, cid: str, index: int | None = None) -> dict[str, Any]:
    """Supply entries (``SUPPLY_FIELDS``: supplier or country id, share, year, method, estimate 0/1),
    requirement groups (``INPUT_FIELDS``: member ids, any_of 0/1, role, share) and value (``index``: the
    component's index, when known)."""
    i = graph.component_of[cid] if index is None else index
    supply: list[list[Any]]
    if array_backed(graph):  # the record's supply entries, read from the columns (no record built)
        lo, hi = int(graph.entry_ptr[i]), int(graph.entry_ptr[i + 1])
        estimate = graph.arrays.entry_estimate
        flags = [0] * (hi - lo) if estimate is None else [int(bool(x)) for x in estimate[lo:hi].tolist()]
        supply = [[graph.supplier_ids[s] if s >= 0 else graph.country_ids[c], _r(share), None, "", flag]
                  for s, c, share, flag in zip(graph.entry_supplier[lo:hi].tolist(), graph.entry_country[lo:hi].tolist(),
                                               graph.entry_share[lo:hi].tolist(), flags, strict=True)]
    else:
        supply = [[e.supplier or e.country or "", _r(float(e.share)), e.year, e.method or "", int(bool(e.estimate))]
                  for e in graph.components[cid].suppliers]
    supply.sort(key=lambda row: (-(row[1] or 0.0), row[0]))
    inputs = []
    for g in range(int(graph.comp_group_ptr[i]), int(graph.comp_group_ptr[i + 1])):
        members = sorted(graph.component_ids[m] for m in graph.group_members[graph.group_ptr[g]:graph.group_ptr[g + 1]]
                         .tolist())
        inputs.append([members, int(bool(graph.group_any_of[g])),
                       "equipment" if bool(graph.group_equipment[g]) else "input", _r(float(graph.group_share[g]))])
    return {"supply": supply, "inputs": inputs, "value": _r(float(graph.value[i]))}


def _aggregate_selection(graph: SupplyGraph, results: AnalysisResults, per_division: int) -> tuple[
        set[int], np.ndarray, np.ndarray]:
    """Vertices an aggregated page embeds: every country; in each division the ``per_division`` components
    that matter most (products, then single points of failure and bottlenecks, then by priority score, value
    and id), their direct inputs and the suppliers of all of those. Also the SPOF and bottleneck flag of
    every component (for the overview)."""
    n = graph.n_components
    spof = np.zeros(n, dtype=bool)
    for row in results.spof:
        c = graph.component_of.get(row.node)
        if c is not None:
            spof[c] = True
    bottleneck = results.bottleneck_components(graph)
    score = results.scores(graph)
    product = np.zeros(n, dtype=bool)
    product[graph.product_index] = True
    distinct = dict.fromkeys(graph.arrays.component_sector)
    position = {text: i for i, text in enumerate(sorted({s or "" for s in distinct}))}
    lookup = {s: position[s or ""] for s in distinct}  # None too: one C-level map over the million
    code = np.fromiter(map(lookup.__getitem__, graph.arrays.component_sector), dtype=np.int64, count=n)
    order = np.lexsort((np.arange(n), -graph.value, -np.nan_to_num(score, nan=-1.0), ~(spof | bottleneck), ~product,
                        code))
    sorted_code = code[order]
    first = np.searchsorted(sorted_code, sorted_code, side="left")
    keep = order[(np.arange(n) - first) < per_division]
    groups = ranges(graph.comp_group_ptr[keep], graph.comp_group_ptr[keep + 1])
    inputs = graph.group_members[ranges(graph.group_ptr[groups], graph.group_ptr[groups + 1])]
    comp_arr = _unique(np.concatenate((keep, inputs)))
    comps = comp_arr.tolist()
    entries = ranges(graph.entry_ptr[comp_arr], graph.entry_ptr[comp_arr + 1])
    sups = _unique(graph.entry_supplier[entries])
    sups = sups[sups >= 0]
    nc, ns = graph.n_countries, graph.n_suppliers
    chosen = set(range(nc)) | {nc + int(x) for x in sups.tolist()} | {nc + ns + c for c in comps}
    return chosen, spof, bottleneck


def _edges_among(graph: SupplyGraph, chosen: set[int]) -> tuple[dict[tuple[str, str, str], int],
                                                               dict[tuple[str, str, str], bool],
                                                               dict[tuple[str, str, str], float]]:
    """Edge counts, ``any_of`` and summed shares between chosen vertices, read from the arrays (the same as
    selecting them from :attr:`SupplyGraph.igraph`, without building it)."""
    nc, ns = graph.n_countries, graph.n_suppliers
    off = nc + ns
    inside = np.zeros(len(graph.ids), dtype=bool)
    inside[np.fromiter(chosen, dtype=np.int64, count=len(chosen))] = True
    owners, members = graph.requirement_edges
    group_of_edge = np.repeat(np.arange(graph.group_owner.size), np.diff(graph.group_ptr))
    parts = [
        (graph.supplier_country, nc + np.arange(ns), "located_in", np.zeros(ns, dtype=bool), None),
        (np.where(graph.entry_supplier >= 0, nc + graph.entry_supplier, graph.entry_country), off + graph.entry_comp,
         "supplies", np.zeros(graph.entry_comp.size, dtype=bool), graph.entry_share),
        (off + members, off + owners, "requires", graph.group_any_of[group_of_edge], None),
    ]
    count: dict[tuple[str, str, str], int] = {}
    any_of: dict[tuple[str, str, str], bool] = {}
    shares: dict[tuple[str, str, str], float] = {}
    ids = graph.ids
    for src, dst, kind, flag, share in parts:
        keep = np.flatnonzero(inside[src] & inside[dst])
        values = share[keep].tolist() if share is not None else None
        for j, (a, b, f) in enumerate(zip(src[keep].tolist(), dst[keep].tolist(), flag[keep].tolist(), strict=True)):
            k = (ids[a], ids[b], kind)
            count[k] = count.get(k, 0) + 1
            any_of[k] = any_of.get(k, False) or bool(f)
            if values is not None:
                shares[k] = shares.get(k, 0.0) + float(values[j])
    return count, any_of, shares


def view_data(graph: SupplyGraph, *, sector: str | None = None, focus: str | None = None, depth: int = 2,
              scenario: Scenario | None = None, home: str | None = None, max_nodes: int = 2000,
              scenarios: bool = True, max_embed: int = MAX_EMBED,
              results: AnalysisResults | None = None) -> dict[str, Any]:
    """The JSON-ready data of a view: nodes, edges, the division overview, scenarios, legend, metadata.

    Parameters are those of :func:`render_html`. Every node of the selection is
    embedded with its facts; up to ``max_nodes`` nodes also get positions of the
    full layered drawing (``meta.full``), above that the page only lays out the
    overview, a sector or a neighbourhood. A whole graph of more than ``max_embed``
    nodes is **aggregated**: the overview counts every component, but only
    the countries and, per division, the :data:`PER_DIVISION` components that matter
    most (with their direct inputs and suppliers) are embedded (``meta.embedded``),
    and the scenarios are those of the countries producing the most supply, at horizon 1y (a sector or
    neighbourhood of such a graph also gets facts, edges and scenarios of its own nodes only; the removal
    bottlenecks of such a page are tried for the countries and suppliers it embeds, which gives them the rows
    of a run over all). Nodes are
    sorted by layer, then
    position (by id without positions); the output is a pure function of the inputs.
    """
    graph = graph.with_home(home)
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be >= 1, got {max_nodes}")
    overlay = scenario if scenario is not None and not scenario.is_baseline() else None
    large = len(graph.ids) > max_embed  # facts, edges and scenarios of the embedded nodes only
    aggregated = large and sector is None and focus is None
    # once, shared by the selection, facts and overview; a sector or neighbourhood of a large graph tries the
    # removal bottlenecks of the countries and suppliers it embeds only (below), once they are chosen (an
    # aggregated page embeds every country, whose removals cost most: one run over all is cheaper)
    partial = results is None and large and not aggregated
    if results is None:
        results = analysis_results(graph, scenario, removals=not partial)
    overview: dict[str, Any] | None = None
    chosen_set = set(range(len(graph.ids)))
    if aggregated:
        chosen_set, spof_flags, bottleneck_flags = _aggregate_selection(graph, results, PER_DIVISION)
        overview = overview_arrays(graph, spof_flags, bottleneck_flags)
    if sector is not None:
        chosen_set &= _sector_selection(graph, sector)
    if focus is not None:
        chosen_set &= _neighbourhood(graph, focus, depth)
    if partial:
        off = graph.n_countries + graph.n_suppliers
        results = with_removals(results, graph, scenario, [graph.ids[v] for v in sorted(chosen_set) if v < off])
    facts = node_facts(graph, scenario, nodes=[graph.ids[v] for v in chosen_set] if large else None, results=results)
    colors = country_colors(graph, facts)
    cap, avail = _scenario_state(graph, overlay, chosen_set if large else None)
    chosen = sorted(chosen_set)
    full = len(chosen) <= max_nodes
    records: list[dict[str, Any]] = []
    for v in chosen:
        node = graph.ids[v]
        rec = _node_record(graph, facts[node], colors, cap, avail)
        if rec["kind"] == "component":
            rec.update(_component_extras(graph, node, v - graph.n_countries - graph.n_suppliers))
        records.append(rec)
    if overlay is not None:  # the binding chain of every shown component the scenario lowers
        lowered = [r["id"] for r in records if r["kind"] == "component" and r["id"] in avail
                   and avail[r["id"]] < 1.0]
        chains = explain_many(graph, lowered, overlay)
        for r in records:
            if r["id"] in chains and chains[r["id"]].availability < chains[r["id"]].baseline:
                r["chain"] = _chain_record(chains[r["id"]])
    if large:
        edge_count, any_of, shares = _edges_among(graph, chosen_set)
    else:
        ig_graph = graph.igraph
        edge_count, any_of, shares = {}, {}, {}
        for e in ig_graph.es.select(_source_in=chosen_set, _target_in=chosen_set) if chosen_set else []:
            k = (graph.ids[e.source], graph.ids[e.target], e["type"])
            edge_count[k] = edge_count.get(k, 0) + 1
            any_of[k] = any_of.get(k, False) or bool(e["any_of"])
            if e["type"] == "supplies":
                shares[k] = shares.get(k, 0.0) + float(e["share"])
    by_id = {r["id"]: r for r in records}
    edge_keys = sorted(edge_count)
    if full:
        order = sorted(by_id)
        index = {node: i for i, node in enumerate(order)}
        positions = layered_layout(len(order), [(index[a], index[b]) for a, b, _ in edge_keys])
        for node, (x, y, layer) in zip(order, wrap_layers(positions, X_GAP, ROW_GAP, LAYER_GAP), strict=True):
            by_id[node]["x"], by_id[node]["y"], by_id[node]["layer"] = x, y, layer
        nodes = sorted(by_id.values(), key=lambda r: (r["layer"], r["x"], r["id"]))
    else:
        nodes = sorted(by_id.values(), key=lambda r: r["id"])
    edges = [[a, b, EDGE_TYPES.index(t), edge_count[(a, b, t)], int(any_of[(a, b, t)]),
              _r(shares[(a, b, t)]) if (a, b, t) in shares else None] for a, b, t in edge_keys]
    used_colors = {r["color"] for r in nodes}
    legend_countries = [[graph.home, graph.name(graph.home), HOME_COLOR, "home"]] + [
        [c, graph.name(c), col, "foreign"] for c, col in sorted(colors.items(), key=lambda kv: (PALETTE.index(kv[1])
            if kv[1] in PALETTE else len(PALETTE), kv[0])) if c != graph.home and col != OTHER_COLOR and col in used_colors
    ]
    sectors = [[code, s.name] for code, s in graph.sectors.items()]
    countries = sorted({r["country"] for r in nodes if r["country"]} | {r["leader"] for r in nodes if r["leader"]})
    comps = [graph.ids[v] for v in chosen if graph.ids[v] in graph.component_of]
    pack = None
    if scenarios:
        reach = scenario.reach if scenario is not None else "location"
        if large:
            pack = scenario_pack(graph, horizons=("1y",), reach=reach, extra=overlay,
                                 components=np.array([graph.component_of[c] for c in comps], dtype=np.int64))
        else:
            pack = scenario_pack(graph, horizons=HORIZONS, reach=reach, extra=overlay)
    return {
        "meta": {
            "home": graph.home, "home_name": graph.name(graph.home), "aggregated": not full, "full": full,
            "total_nodes": len(graph.ids), "shown_nodes": len(nodes), "max_nodes": max_nodes,
            "embedded": "selection" if aggregated else "all",
            "sector": sector or "", "focus": focus or "", "depth": depth if focus else None,
            "scenario": overlay.describe() if overlay is not None else "",
            "horizon": format_horizon(scenario.horizon) if scenario is not None else "1y",
            "reach": scenario.reach if scenario is not None else "location",
        },
        "colors": {"home": HOME_COLOR, "other": OTHER_COLOR, "neutral": NEUTRAL_COLOR, "cut": CUT_COLOR},
        "legend": legend_countries,
        "sectors": sectors,
        "countries": [[c, graph.name(c)] for c in countries],
        "nodes": nodes,
        "edges": edges,  # rows of EDGE_FIELDS, type as an index into EDGE_TYPES
        "fields": {"edge": list(EDGE_FIELDS), "edge_types": list(EDGE_TYPES), "supply": list(SUPPLY_FIELDS),
                   "input": list(INPUT_FIELDS)},
        "overview": overview if overview is not None else overview_data(graph, facts, comps),
        "scenarios": pack,
    }


DETAIL_FIELDS = ("impact", "exposure", "gap", "urgency", "spof_targets", "bottleneck_reasons", "bottleneck_hits",
                 "sources", "notes", "supply", "inputs", "value", "chain")
"""Node fields the page parses only when a details panel or tooltip first needs them."""


def columnar_nodes(nodes: list[dict[str, Any]], fields: list[str] | None = None) -> dict[str, Any]:
    """Node records as ``{"fields": [...], "rows": [[...], ...]}`` (absent values as null): the
    page's compact form, about half the size of a list of objects; the page rebuilds the objects.

    >>> columnar_nodes([{"id": "a", "x": 1.0}, {"id": "b"}])
    {'fields': ['id', 'x'], 'rows': [['a', 1.0], ['b', None]]}
    """
    if fields is None:
        fields = sorted({k for n in nodes for k in n}, key=lambda k: (k != "id", k))
    return {"fields": fields, "rows": [list(map(n.get, fields)) for n in nodes]}


def page_blocks(data: dict[str, Any]) -> dict[str, str]:
    """The page's JSON blocks (escaped for ``<script type="application/json">``), by element id.

    ``chainmap-data`` is parsed at once (the overview, search and filters need it);
    ``chainmap-details`` (the :data:`DETAIL_FIELDS` of every node, same row order),
    ``chainmap-edges`` and ``chainmap-scenarios`` are parsed on first use, so a large
    graph paints its overview without parsing them.
    """
    keys = {k for n in data["nodes"] for k in n}
    detail = [k for k in DETAIL_FIELDS if k in keys]
    core = sorted(keys - set(detail), key=lambda k: (k != "id", k))
    pack = data["scenarios"]
    index = [[s["id"], s["kind"], s["target"], s["name"], s["horizon"], s["describe"]]
             for s in pack["scenarios"]] if pack else []
    main = {k: v for k, v in data.items() if k not in ("nodes", "edges", "scenarios")}
    main.update(nodes=columnar_nodes(data["nodes"], core), scenario_index=index)
    return {
        "chainmap-data": json_for_script(main),
        "chainmap-details": json_for_script(columnar_nodes(data["nodes"], detail)),
        "chainmap-edges": json_for_script(data["edges"]),
        "chainmap-scenarios": json_for_script(pack),
    }


def page_html(data: dict[str, Any], title: str) -> str:
    """The whole page for ``data`` (from :func:`view_data`, in the blocks of :func:`page_blocks`)."""
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
        blocks={k: Markup(v) for k, v in page_blocks(data).items()},
    )


def render_html(graph: SupplyGraph, path: str | Path, *, sector: str | None = None, focus: str | None = None,
                depth: int = 2, scenario: Scenario | None = None, home: str | None = None,
                max_nodes: int = 2000, scenarios: bool = True, max_embed: int = MAX_EMBED,
                results: AnalysisResults | None = None) -> Path:
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
    max_nodes : above this many nodes the page offers no drawing of the whole graph (only the
        division overview, a division's chain and neighbourhoods, laid out in the page).
    scenarios : precompute the standard scenarios (:mod:`chainmap.render.scenarios`) for the page's
        scenario selector.
    max_embed : a whole graph of more nodes is aggregated (the overview of every component, a selection
        embedded; see :func:`view_data`).
    results : the analyses already run on ``graph`` (:func:`~chainmap.render.facts.analysis_results` at
        ``scenario``'s horizon and reach, from ``home``, with every removal tried), as the report has them:
        the page then runs none of its own and is the same page.

    Returns
    -------
    Path
        ``path``.
    """
    data = view_data(graph, sector=sector, focus=focus, depth=depth, scenario=scenario, home=home,
                     max_nodes=max_nodes, scenarios=scenarios, max_embed=max_embed, results=results)
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
