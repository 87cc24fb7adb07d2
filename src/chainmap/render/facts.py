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
('component', True, True, 1, 0.53)
>>> facts["asml"].origin, facts["asml"].country
('foreign', 'NL')
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from chainmap.analysis import bottlenecks, priorities, single_points_of_failure
from chainmap.analysis.concentration import country_shares
from chainmap.analysis.explain import Step
from chainmap.analysis.scenario import LONG, Scenario
from chainmap.graph import SupplyGraph, _Table

__all__ = ["AnalysisResults", "NodeFacts", "analysis_results", "array_backed", "binds_text", "node_facts",
           "sources_of", "with_removals"]

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


def sources_of(graph: SupplyGraph, node: str, vertex: int | None = None) -> tuple[list[str], list[str]]:
    """Sources (citations, each prefixed with what it backs) and notes of a node (``vertex``: its index, when
    known, saves looking the id up)."""
    sources: list[str] = []
    notes: list[str] = []
    off = graph.n_countries + graph.n_suppliers
    if vertex is not None and array_backed(graph):
        c: int | None = vertex - off if vertex >= off else None
        if c is None:
            return sources, notes  # a country's or supplier's record, built from names and countries, cites nothing
    else:
        c = graph.component_of.get(node)
    if c is not None and array_backed(graph):  # what its record would say, read from the columns
        source, estimate = graph.arrays.entry_source, graph.arrays.entry_estimate
        if source is not None:
            for e in range(int(graph.entry_ptr[c]), int(graph.entry_ptr[c + 1])):
                if source[e]:
                    sup = int(graph.entry_supplier[e])
                    who = graph.supplier_ids[sup] if sup >= 0 else graph.country_ids[int(graph.entry_country[e])]
                    flag = " (estimate)" if estimate is not None and estimate[e] else ""
                    sources.append(f"{who} share{flag}: {source[e]}")
        return sources, notes
    if c is None and array_backed(graph) and (node in graph.country_of or node in graph.supplier_of):
        return sources, notes  # their records, built from names and countries, cite nothing
    entity = graph.countries.get(node) or graph.suppliers.get(node) or graph.components.get(node)
    if entity is None:
        return sources, notes
    if entity.source:
        sources.append(entity.source)
    if entity.note:
        notes.append(entity.note)
    comp = entity if node in graph.component_of else None  # the record once (array-backed graphs build it)
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


def array_backed(graph: SupplyGraph) -> bool:
    """True when ``graph`` builds its component records from its arrays on access (columnar input): then
    the columns say all a record would (no year, method or note; sources and estimates per supply entry),
    and the views read them directly instead of building a record per component."""
    return isinstance(graph.components, _Table)


def binds_text(step: Step) -> str:
    """What binds at one step of a binding chain, in one line.

    >>> binds_text(Step("pc", "PC", 0.2, 1.0, "requirement", 0.0, 1.0, 1.0, 0.2, 0.0, ["chip"], "chip",
    ...                 "equipment", 0.5, 0.8, 0.2))
    'chip (equipment, share 0.5, k 0.8) f=0.200'
    """
    if step.term == "requirement":
        return f"{step.via} ({step.role}, share {step.share:g}, k {step.k:.3g}) f={step.f:.3f}"
    return ", ".join(step.causes)


@dataclass
class AnalysisResults:
    """The analyses behind the facts, run once and shared (by the facts of any set of nodes, the overview,
    the selection of an aggregated page).

    ``removals``: when set, the removal bottlenecks of some countries and suppliers only (a table without
    concentration rows, :func:`with_removals`), and ``bottlenecks`` holds the concentration rows; the rows
    read are then those of the two tables in that order, as in one table.
    """

    spof: list[Any]
    bottlenecks: Any
    priorities: Any
    removals: Any = None
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def _tables(self) -> list[Any]:
        return [self.bottlenecks] if self.removals is None else [self.removals, self.bottlenecks]

    def bottleneck_nodes(self, graph: SupplyGraph) -> set[str]:
        """Every node that is a bottleneck (any reason), read from the table's columns when it has them."""
        nodes: set[str] = set()
        for table in self._tables():
            removal, conc = getattr(table, "_removal", None), getattr(table, "_conc", None)
            if removal is None:
                nodes.update(b.node for b in table)
                continue
            nodes.update(b.node for b in removal)
            if conc is not None:
                ids = graph.component_ids
                nodes.update(ids[c] for c in conc.comps.tolist())
        return nodes

    def bottleneck_components(self, graph: SupplyGraph) -> np.ndarray:
        """A flag per component index: a bottleneck (any reason), read from the columns when the table has
        them (the same nodes as :meth:`bottleneck_nodes`)."""
        flags = np.zeros(graph.n_components, dtype=bool)
        of = graph.component_of
        for table in self._tables():
            removal, conc = getattr(table, "_removal", None), getattr(table, "_conc", None)
            if removal is None:
                rows: Iterable[Any] = table
            else:
                rows = removal
                if conc is not None:
                    flags[conc.comps] = True
            flags[[of[b.node] for b in rows if b.node in of]] = True
        return flags

    def bottleneck_rows(self, graph: SupplyGraph, wanted: set[str] | None) -> Iterable[Any]:
        """The bottleneck rows of the ``wanted`` nodes (all when None), in table order, built only for them."""
        for table in self._tables():
            removal, conc = getattr(table, "_removal", None), getattr(table, "_conc", None)
            if wanted is None or removal is None:
                yield from (b for b in table if wanted is None or b.node in wanted)
                continue
            yield from (b for b in removal if b.node in wanted)
            if conc is not None:
                mask = np.zeros(graph.n_components, dtype=bool)
                of = graph.component_of
                mask[[of[node] for node in wanted if node in of]] = True
                for i in np.flatnonzero(mask[conc.comps]).tolist():
                    yield conc.row(i)

    def priority_columns(self) -> dict[str, Any]:
        """Rank, id and factors of every ranked component, as columns (built once)."""
        if "columns" not in self._memo:
            columns = getattr(self.priorities, "columns", None)
            if columns is not None:
                self._memo["columns"] = columns()
            else:
                rows = list(self.priorities)
                self._memo["columns"] = {k: [getattr(p, k) for p in rows]
                                         for k in ("rank", "id", "score", "impact", "exposure", "gap", "urgency")}
        out: dict[str, Any] = self._memo["columns"]
        return out

    def priority_index(self, graph: SupplyGraph) -> np.ndarray:
        """The component index of each row of :meth:`priority_columns` (computed once)."""
        if "index" not in self._memo:
            of_table = getattr(self.priorities, "component_index", None)  # a PriorityTable holds them
            if of_table is not None:
                self._memo["index"] = np.asarray(of_table(), dtype=np.int64)
            else:
                ids = self.priority_columns()["id"]
                self._memo["index"] = np.fromiter((graph.component_of[c] for c in ids), dtype=np.int64,
                                                  count=len(ids))
        out: np.ndarray = self._memo["index"]
        return out

    def scores(self, graph: SupplyGraph) -> Any:
        """Priority score per component index (NaN: not ranked)."""
        cols = self.priority_columns()
        out = np.full(graph.n_components, np.nan)
        out[self.priority_index(graph)] = np.asarray(cols["score"], dtype=np.float64)
        return out


def analysis_results(graph: SupplyGraph, scenario: Scenario | None = None, removals: bool = True) -> AnalysisResults:
    """SPOFs (structural: horizon long), bottlenecks and priorities at ``scenario``'s horizon and reach.

    ``removals=False``: no removal is tried (the bottlenecks are the concentration rows): a page that shows
    a few countries and suppliers tries theirs once it knows them (:func:`with_removals`).
    """
    from chainmap.io.columnar import release_memory  # what one analysis freed is not the next one's floor

    scenario = scenario or Scenario()
    at = Scenario(horizon=scenario.horizon, reach=scenario.reach)
    found = bottlenecks(graph, scenario=at, candidates=None if removals else ())
    conc = getattr(found, "_conc", None)
    if conc is not None:  # every view reads its ranked rows: rank them now, before the SPOF rows take memory
        conc.comps  # noqa: B018
    release_memory()
    spof = single_points_of_failure(graph, scenario=Scenario(horizon=LONG, reach=scenario.reach))
    release_memory()
    ranked = priorities(graph, scenario=at)
    release_memory()
    return AnalysisResults(spof, found, ranked)


def with_removals(results: AnalysisResults, graph: SupplyGraph, scenario: Scenario | None,
                  nodes: Iterable[str]) -> AnalysisResults:
    """``results`` (of ``analysis_results(.., removals=False)``) with the removal bottlenecks of ``nodes``
    (countries and suppliers; the foreign ones are tried). Each removal is measured on its own, so their
    rows, and their order, are those of a run that tries every foreign node."""
    from chainmap.io.columnar import release_memory

    scenario = scenario or Scenario()
    tried = bottlenecks(graph, scenario=Scenario(horizon=scenario.horizon, reach=scenario.reach),
                        candidates=list(nodes), hhi_threshold=math.inf)  # no concentration rows: those are kept
    release_memory()
    out = replace(results, removals=tried)
    out._memo.update(results._memo)  # the priority columns and index do not change
    return out


def node_facts(graph: SupplyGraph, scenario: Scenario | None = None, *, nodes: Iterable[str] | None = None,
               results: AnalysisResults | None = None) -> dict[str, NodeFacts]:
    """Facts for every node of ``graph`` (from its ``home``), keyed by id in vertex order.

    ``scenario`` gives the horizon (default 1y) and reach of bottlenecks and
    priorities (measured from the baseline); SPOFs are structural (horizon long).
    ``nodes``: only these (in vertex order); ``results``: analyses already run
    (:func:`analysis_results` at the same scenario).
    """
    results = results or analysis_results(graph, scenario)
    facts: dict[str, NodeFacts] = {}
    vertices: Iterable[int] = range(len(graph.ids)) if nodes is None else sorted(
        {_vertex(graph, node) for node in set(nodes)})
    nc, off = graph.n_countries, graph.n_countries + graph.n_suppliers
    ids, cids, arrays, home = graph.ids, graph.country_ids, graph.arrays, graph.home
    comps: list[int] = []  # the component indexes among them
    for v in vertices:  # by vertex index: kind, country and name read from the arrays, no id looked up
        node = ids[v]
        sector = leader = ""
        if v < nc:
            kind, country, name = "country", node, arrays.country_name[v]
        elif v < off:
            kind, country, name = "supplier", cids[int(graph.supplier_country[v - nc])], arrays.supplier_name[v - nc]
        else:
            c = v - off
            comps.append(c)
            kind, country, name = "component", "", arrays.component_name[c]
            sector = arrays.component_sector[c] or ""
            leader = next(iter(country_shares(graph, node)), "")
        origin = "" if kind == "component" else ("home" if country == home else "foreign")
        sources, notes = sources_of(graph, node, v)
        facts[node] = NodeFacts(node, kind, name, country, origin, sector, leader, sources=sources, notes=notes)
    for row in results.spof:
        f = facts.get(row.node)
        if f is not None:
            f.spof = True
            f.spof_targets = list(row.targets)
    for b in results.bottleneck_rows(graph, None if nodes is None else set(facts)):
        f = facts[b.node]
        f.bottleneck = True
        if b.reason not in f.bottleneck_reasons:
            f.bottleneck_reasons.append(b.reason)
        f.bottleneck_hits = sorted(set(f.bottleneck_hits) | set(b.hits))
    cols = results.priority_columns()
    names = ("rank", "score", "impact", "exposure", "gap", "urgency")
    rows: Iterable[int] = range(len(cols["id"]))
    if nodes is not None:  # the rows of the wanted components only
        shown = np.zeros(graph.n_components, dtype=bool)
        shown[comps] = True
        rows = np.flatnonzero(shown[results.priority_index(graph)]).tolist()
    for i in rows:
        f = facts.get(cols["id"][i])
        if f is not None:
            f.rank, f.score, f.impact, f.exposure, f.gap, f.urgency = (
                int(cols["rank"][i]), *(float(cols[k][i]) for k in names[1:]))
    return facts


def _vertex(graph: SupplyGraph, node: str) -> int:
    """Vertex index of ``node`` (KeyError if unknown), without building :attr:`SupplyGraph.index`."""
    c = graph.component_of.get(node)
    if c is not None:
        return graph.n_countries + graph.n_suppliers + c
    s = graph.supplier_of.get(node)
    return graph.n_countries + s if s is not None else graph.country_of[node]
