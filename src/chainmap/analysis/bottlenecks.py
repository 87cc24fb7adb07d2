"""Foreign bottlenecks: foreign nodes that hurt, and supply concentrated abroad.

Definition (DESIGN): a *foreign bottleneck* is a node outside home (a foreign
supplier, a foreign country) whose removal lowers some product's ``a`` by at
least ``threshold`` (default 0.5), or a component whose supply is
concentrated abroad (country HHI >= ``hhi_threshold``, default 0.25, with a
foreign leader). Each is reported with what it hits.

Examples
--------
>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> [(b.node, b.reason) for b in bottlenecks(g)][:3]
[('NL', 'removal'), ('asml', 'removal'), ('JP', 'removal')]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from chainmap.analysis.concentration import concentration
from chainmap.analysis.propagate import availability, supply
from chainmap.analysis.scenario import Capacities
from chainmap.graph import SupplyGraph

__all__ = ["Bottleneck", "bottlenecks", "downstream_products"]


@dataclass(frozen=True)
class Bottleneck:
    """A foreign node or a concentrated component, with the products it hits."""

    node: str
    kind: str
    name: str
    reason: str  # "removal" or "concentration"
    country: str | None
    max_drop: float
    hits: list[str]
    hhi: float | None = None
    leader: str | None = None
    leader_share: float | None = None
    drops: dict[str, float] = field(default_factory=dict)


def downstream_products(graph: SupplyGraph, component: str) -> list[str]:
    """Products that require ``component`` (transitively), itself included if a product."""
    c = graph.component_of[component]
    reached = set(graph.component_graph.subcomponent(c, mode="in"))
    return [p for p in graph.products if graph.component_of[p] in reached]


def bottlenecks(
    graph: SupplyGraph,
    home: str | None = None,
    threshold: float | None = None,
    hhi_threshold: float | None = None,
) -> list[Bottleneck]:
    """Foreign bottlenecks of the whole graph, most damaging first.

    Parameters
    ----------
    home : point of view (default: the graph's ``home``).
    threshold : minimum drop of some product's availability (default from settings, 0.5).
    hhi_threshold : minimum country HHI for a concentration bottleneck (default 0.25).
    """
    graph = graph.with_home(home)
    settings = graph.spec.settings
    threshold = settings.bottleneck_threshold if threshold is None else threshold
    hhi_threshold = settings.hhi_threshold if hhi_threshold is None else hhi_threshold
    products = np.array([graph.component_of[p] for p in graph.products], dtype=np.int64)
    base = availability(graph, Capacities.full(graph))[products]
    rows: list[Bottleneck] = []
    used_countries = sorted(set(graph.entry_country.tolist()))
    used_suppliers = sorted({s for s in graph.entry_supplier.tolist() if s >= 0})
    candidates = [("country", graph.country_ids[i], i) for i in used_countries] + [
        ("supplier", graph.supplier_ids[i], i) for i in used_suppliers
    ]
    for kind, node, i in candidates:
        if not graph.is_foreign(node):
            continue
        caps = Capacities.full(graph)
        (caps.country if kind == "country" else caps.supplier)[i] = 0.0
        drop = base - availability(graph, caps, supply(graph, caps))[products]
        hit = np.flatnonzero(drop >= threshold - 1e-12)
        if hit.size:
            drops = {graph.products[j]: float(drop[j]) for j in np.flatnonzero(drop > 0)}
            rows.append(Bottleneck(node, kind, graph.name(node), "removal", graph.country_of_node(node),
                                   float(drop.max()), [graph.products[j] for j in hit], drops=drops))
    for cid in graph.component_ids:
        conc = concentration(graph, cid)
        if conc.leader is None or conc.leader == graph.home or conc.hhi < hhi_threshold - 1e-12:
            continue
        rows.append(Bottleneck(cid, "component", graph.name(cid), "concentration", conc.leader, 0.0,
                               downstream_products(graph, cid), conc.hhi, conc.leader, conc.leader_share))
    rows.sort(key=lambda b: (b.reason != "removal", -b.max_drop, -(b.hhi or 0), -len(b.hits), b.node))
    return rows
