"""The overview level of the graph page: one node per division (sector), edges between divisions.

Each division node carries the value of its components (the sum of their
``value``, 1 where unset), their mean foreign supply share (over components
with listed supply, from the home's point of view) and its counts of single
points of failure and bottlenecks; an edge ``A -> B`` counts the requirements
of B's components on A's components. Components without a sector form the
group ``none``. Positions: a grid filled in the order of the layered layout (upstream divisions
first), which keeps every label readable where a layered drawing of a dense division graph would not.

Examples
--------
>>> import chainmap
>>> from chainmap.render.facts import node_facts
>>> g = chainmap.load("tests/data/mini")
>>> ov = overview_data(g, node_facts(g), list(g.component_ids))
>>> [(n["code"], n["components"]) for n in ov["nodes"]]
[('35', 1), ('39', 3), ('none', 3)]
>>> [(e["from"], e["to"], e["count"]) for e in ov["edges"]]
[('sector:35', 'sector:39', 1), ('sector:none', 'sector:39', 1)]
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from chainmap.analysis.concentration import country_shares
from chainmap.graph import SupplyGraph
from chainmap.render.facts import NodeFacts
from chainmap.render.layout import layered_layout

__all__ = ["exposure_color", "overview_arrays", "overview_data"]

GAP_X, GAP_Y = 320.0, 200.0
STOPS = ((0.0, (44, 123, 182)), (0.5, (255, 221, 113)), (1.0, (215, 25, 28)))


def exposure_color(x: float | None) -> str:
    """Blue (0, domestic) through yellow to red (1, all foreign); grey for unknown.

    >>> exposure_color(0.0), exposure_color(1.0), exposure_color(None)
    ('#2c7bb6', '#d7191c', '#c8ccd0')
    """
    if x is None or math.isnan(x):
        return "#c8ccd0"
    x = max(0.0, min(1.0, x))
    for (x0, c0), (x1, c1) in itertools.pairwise(STOPS):
        if x <= x1:
            t = (x - x0) / (x1 - x0)
            rgb = [round(a + t * (b - a)) for a, b in zip(c0, c1, strict=True)]
            return "#" + "".join(f"{v:02x}" for v in rgb)
    return "#d7191c"


def overview_data(graph: SupplyGraph, facts: dict[str, NodeFacts], components: list[str]) -> dict[str, Any]:
    """Division nodes (with layout positions) and weighted edges between divisions, for ``components``."""
    members: dict[str, list[str]] = {}
    sectors = graph.arrays.component_sector
    for cid in components:
        members.setdefault(sectors[graph.component_of[cid]] or "none", []).append(cid)
    codes = sorted(members)
    value_of = {code: sum(float(graph.value[graph.component_of[c]]) for c in members[code]) for code in codes}
    top = max(value_of.values(), default=1.0) or 1.0
    sector_of = {c: code for code in codes for c in members[code]}
    counts: dict[tuple[str, str], int] = {}
    for g in range(int(graph.group_owner.size)):
        owner = graph.component_ids[int(graph.group_owner[g])]
        if owner not in sector_of:
            continue
        seen: set[str] = set()
        for m in graph.group_member_lists[g]:
            src = sector_of.get(graph.component_ids[m])
            if src is not None and src != sector_of[owner] and src not in seen:
                seen.add(src)
                counts[(src, sector_of[owner])] = counts.get((src, sector_of[owner]), 0) + 1
    index = {code: i for i, code in enumerate(codes)}
    edge_keys = sorted(counts)
    positions = layered_layout(len(codes), [(index[a], index[b]) for a, b in edge_keys])
    cols = max(1, math.ceil(math.sqrt(len(codes))))
    ordered = sorted(range(len(codes)), key=lambda v: (positions[v][1], positions[v][0], v))  # upstream first
    xy = {v: (round((k % cols - (cols - 1) / 2) * GAP_X, 1), round((k // cols) * GAP_Y, 1))
          for k, v in enumerate(ordered)}
    nodes = []
    for code in codes:
        comps = members[code]
        foreign_sum, counted = 0.0, 0
        for c in comps:
            shares = country_shares(graph, c)
            if shares:
                counted += 1
                foreign_sum += sum(v for k, v in shares.items() if k != graph.home)
        foreign = foreign_sum / counted if counted else None
        name = graph.sectors[code].name if code in graph.sectors else "Components without a sector"
        x, y = xy[index[code]]
        nodes.append({
            "id": f"sector:{code}", "code": code, "name": name, "components": len(comps),
            "value": round(value_of[code], 4), "foreign": None if foreign is None else round(foreign, 4),
            "counted": counted, "spof": sum(facts[c].spof for c in comps),
            "bottleneck": sum(facts[c].bottleneck for c in comps),
            "size": round(14.0 + 36.0 * math.sqrt(value_of[code] / top), 2), "color": exposure_color(foreign),
            "x": x, "y": y,
        })
    edges = [{"from": f"sector:{a}", "to": f"sector:{b}", "count": counts[(a, b)]} for a, b in edge_keys]
    return {"nodes": nodes, "edges": edges}


def overview_arrays(graph: SupplyGraph, spof: np.ndarray, bottleneck: np.ndarray) -> dict[str, Any]:
    """:func:`overview_data` over every component, counted with numpy (no per-component Python work): for the
    aggregated page of a large graph. ``spof``/``bottleneck``: a flag per component index.

    The numbers are those of :func:`overview_data` up to the last digit of float sums taken in another order.

    >>> import chainmap
    >>> from chainmap.render.facts import node_facts
    >>> g = chainmap.load("tests/data/mini")
    >>> facts = node_facts(g)
    >>> flags = [np.array([getattr(facts[c], k) for c in g.component_ids]) for k in ("spof", "bottleneck")]
    >>> overview_arrays(g, *flags) == overview_data(g, facts, list(g.component_ids))
    True
    """
    n = graph.n_components
    sector_text = [s if s else "none" for s in dict.fromkeys(graph.arrays.component_sector)]
    codes = sorted(set(sector_text))
    index = {code: i for i, code in enumerate(codes)}
    lookup = {s: index[s if s else "none"] for s in dict.fromkeys(graph.arrays.component_sector)}
    code_of = np.fromiter(map(lookup.__getitem__, graph.arrays.component_sector), dtype=np.int64, count=n)
    k = len(codes)
    counts_of = np.bincount(code_of, minlength=k)
    present = counts_of > 0
    value_of = np.bincount(code_of, weights=graph.value, minlength=k)
    top = float(value_of[present].max()) if present.any() else 1.0
    top = top or 1.0
    # edges: each requirement group counts once per (member division, owner division), members of other divisions
    owners, members = graph.requirement_edges
    group_of_edge = np.repeat(np.arange(graph.group_owner.size), np.diff(graph.group_ptr))
    src, dst = code_of[members], code_of[owners]
    other = src != dst
    key = np.sort(group_of_edge[other] * k + src[other])
    key = key[np.append(True, key[1:] != key[:-1])] if key.size else key  # distinct (group, member division)
    dst_of_key = code_of[graph.group_owner[key // k]]
    pair = np.bincount((key % k) * k + dst_of_key, minlength=k * k)
    edge_keys = [(codes[int(x) // k], codes[int(x) % k]) for x in np.flatnonzero(pair)]
    positions = layered_layout(len(codes), [(index[a], index[b]) for a, b in edge_keys])
    cols = max(1, math.ceil(math.sqrt(len(codes))))
    ordered = sorted(range(len(codes)), key=lambda v: (positions[v][1], positions[v][0], v))  # upstream first
    xy = {v: (round((j % cols - (cols - 1) / 2) * GAP_X, 1), round((j // cols) * GAP_Y, 1))
          for j, v in enumerate(ordered)}
    # mean foreign share over components with supply: normalised shares of entries outside home
    total = np.bincount(graph.entry_comp, weights=graph.entry_share, minlength=n)
    foreign_entry = graph.entry_country != graph.home_index
    foreign_sum = np.bincount(graph.entry_comp, weights=np.where(foreign_entry, graph.entry_share, 0.0), minlength=n)
    counted = total > 0
    share = np.divide(foreign_sum, total, out=np.zeros(n), where=counted)
    counted_of = np.bincount(code_of, weights=counted.astype(np.float64), minlength=k)
    foreign_of = np.bincount(code_of, weights=share, minlength=k)
    spof_of = np.bincount(code_of, weights=spof.astype(np.float64), minlength=k)
    bottleneck_of = np.bincount(code_of, weights=bottleneck.astype(np.float64), minlength=k)
    nodes = []
    for code in codes:
        i = index[code]
        c = int(counted_of[i])
        foreign = float(foreign_of[i]) / c if c else None
        name = graph.sectors[code].name if code in graph.sectors else "Components without a sector"
        x, y = xy[i]
        nodes.append({
            "id": f"sector:{code}", "code": code, "name": name, "components": int(counts_of[i]),
            "value": round(float(value_of[i]), 4), "foreign": None if foreign is None else round(foreign, 4),
            "counted": c, "spof": int(spof_of[i]), "bottleneck": int(bottleneck_of[i]),
            "size": round(14.0 + 36.0 * math.sqrt(float(value_of[i]) / top), 2), "color": exposure_color(foreign),
            "x": x, "y": y,
        })
    edges = [{"from": f"sector:{a}", "to": f"sector:{b}", "count": int(pair[index[a] * k + index[b]])}
             for a, b in edge_keys]
    return {"nodes": nodes, "edges": edges}
