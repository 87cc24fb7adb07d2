"""Per-node analysis facts shared by the HTML views, the report and the exporters.

One :class:`NodeFacts` per vertex: what the node is (kind, name, country,
home or foreign, sector), what the analyses say about it (single point of
failure, foreign bottleneck, substitution priority with its four factors) and
where its facts come from (sources, notes). No formatting happens here.

Examples
--------
>>> import chainmap
>>> facts = node_facts(chainmap.load("tests/data/mini"))
>>> f = facts["scanner"]
>>> f.kind, f.spof, f.bottleneck, f.rank, round(f.score, 2)
('component', True, True, 1, 0.7)
>>> facts["asml"].origin, facts["asml"].country
('foreign', 'NL')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from chainmap.analysis import bottlenecks, priorities, single_points_of_failure
from chainmap.analysis.concentration import country_shares
from chainmap.graph import SupplyGraph

__all__ = ["NodeFacts", "node_facts", "sources_of"]

NAN = float("nan")


@dataclass
class NodeFacts:
    """Everything the views and exports say about one node."""

    id: str
    kind: str
    name: str
    country: str = ""  # the node's country (countries, suppliers) or "" (components)
    origin: str = ""  # "home", "foreign" or "" (components)
    sector: str = ""
    leader: str = ""  # components: the leading supply country ("" without supply entries)
    spof: bool = False
    spof_targets: list[str] = field(default_factory=list)
    bottleneck: bool = False
    bottleneck_reasons: list[str] = field(default_factory=list)
    bottleneck_hits: list[str] = field(default_factory=list)
    rank: int = 0  # 0 = not ranked (no foreign supply)
    score: float = NAN
    impact: float = NAN
    exposure: float = NAN
    gap: float = NAN
    urgency: float = NAN
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def has_priority(self) -> bool:
        """True when the node has a substitution-priority score."""
        return self.rank > 0 and not math.isnan(self.score)


def sources_of(graph: SupplyGraph, node: str) -> tuple[list[str], list[str]]:
    """Sources (citations, each prefixed with what it backs) and notes of a node."""
    sources: list[str] = []
    notes: list[str] = []
    entity = graph.countries.get(node) or graph.suppliers.get(node) or graph.components.get(node)
    if entity is None:
        return sources, notes
    if entity.source:
        sources.append(entity.source)
    if entity.note:
        notes.append(entity.note)
    comp = graph.components.get(node)
    if comp is not None:
        for entry in comp.suppliers:
            who = entry.supplier or entry.country or ""
            if entry.source:
                sources.append(f"{who} share{' (estimate)' if entry.estimate else ''}: {entry.source}")
            if entry.note:
                notes.append(f"{who}: {entry.note}")
        for alt in comp.alternatives:
            if alt.source:
                sources.append(f"{alt.supplier} readiness{' (estimate)' if alt.estimate else ''}: {alt.source}")
            if alt.note:
                notes.append(f"{alt.supplier}: {alt.note}")
    return sources, notes


def node_facts(graph: SupplyGraph) -> dict[str, NodeFacts]:
    """Facts for every node of ``graph`` (from its ``home``), keyed by id in vertex order."""
    facts: dict[str, NodeFacts] = {}
    for node in graph.ids:
        kind = graph.kind(node)
        country = graph.country_of_node(node) or ""
        origin = "" if kind == "component" else ("home" if country == graph.home else "foreign")
        sector = ""
        leader = ""
        if kind == "component":
            sector = graph.components[node].sector or ""
            leader = next(iter(country_shares(graph, node)), "")
        sources, notes = sources_of(graph, node)
        facts[node] = NodeFacts(node, kind, graph.name(node), country, origin, sector, leader,
                                sources=sources, notes=notes)
    for row in single_points_of_failure(graph):
        f = facts[row.node]
        f.spof = True
        f.spof_targets = list(row.targets)
    for b in bottlenecks(graph):
        f = facts[b.node]
        f.bottleneck = True
        if b.reason not in f.bottleneck_reasons:
            f.bottleneck_reasons.append(b.reason)
        f.bottleneck_hits = sorted(set(f.bottleneck_hits) | set(b.hits))
    for p in priorities(graph):
        f = facts[p.id]
        f.rank, f.score, f.impact, f.exposure, f.gap, f.urgency = p.rank, p.score, p.impact, p.exposure, p.gap, p.urgency
    return facts
