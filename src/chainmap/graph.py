"""The compiled graph: :class:`SupplyGraph`, an igraph graph plus numpy arrays.

Vertices are countries, suppliers and components (in that order, each sorted
by id), so vertex ids are stable for a given graph whatever the file order.
Edges point downstream, from provider to user:

======================  ====================================  =====================
edge ``type``           from -> to                            attributes
======================  ====================================  =====================
``located_in``          country -> supplier
``supplies``            supplier or country -> component      ``share``
``requires``            required component -> component       ``group``, ``any_of``
======================  ====================================  =====================

The analyses work on the arrays (component space ``0..n_components-1``):
supply entries (``entry_*``), requirement groups in CSR form (``group_*``;
a plain requirement is a group of one) and the evaluation :attr:`schedule`.

Examples
--------
>>> from chainmap.model import GraphSpec
>>> spec = GraphSpec.model_validate({
...     "countries": [{"id": "CN", "name": "China"}, {"id": "NL", "name": "Netherlands"}],
...     "suppliers": [{"id": "asml", "name": "ASML", "country": "NL"}],
...     "components": [
...         {"id": "scanner", "name": "Scanner", "suppliers": [{"supplier": "asml", "share": 1}]},
...         {"id": "chip", "name": "Chip", "requires": ["scanner"]}]})
>>> g = SupplyGraph.from_spec(spec)
>>> g.ids, g.igraph.ecount()
(['CN', 'NL', 'asml', 'chip', 'scanner'], 3)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import igraph as ig
import networkx as nx
import numpy as np
from numpy.typing import NDArray

from chainmap.errors import UnknownNodeError
from chainmap.model.load import LoadedSpec
from chainmap.model.schema import AnyOf, GraphSpec

__all__ = ["COMPONENT", "COUNTRY", "KINDS", "SUPPLIER", "Schedule", "Step", "SupplyGraph"]

COUNTRY, SUPPLIER, COMPONENT = 0, 1, 2
KINDS = ("country", "supplier", "component")
Kind = Literal["country", "supplier", "component"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Step:
    """One step of the evaluation order.

    Either a batch of components outside cycles whose requirements are all
    evaluated by earlier steps (``cyclic=False``), or one strongly connected
    set of components that require each other (``cyclic=True``), solved as a
    fixed point. ``groups``/``owner_pos``/``members``/``offsets`` describe the
    requirement groups of ``comps`` flattened for vectorised evaluation.
    """

    cyclic: bool
    comps: IntArray
    groups: IntArray
    owner_pos: IntArray
    members: IntArray
    offsets: IntArray


@dataclass(frozen=True)
class Schedule:
    """Order in which component availabilities are evaluated (see :class:`Step`)."""

    steps: tuple[Step, ...]


class SupplyGraph:
    """A loaded graph, compiled for analysis. Build with :func:`chainmap.load`."""

    def __init__(self, spec: GraphSpec, origins: dict[str, tuple[str, int]] | None = None,
                 warnings: list[Any] | None = None, files: list[str] | None = None) -> None:
        self.spec = spec
        self.origins = origins or {}
        self.warnings = warnings or []
        self.files = files or []
        self.home: str = spec.settings.home
        self.country_ids = sorted(c.id for c in spec.countries)
        self.supplier_ids = sorted(s.id for s in spec.suppliers)
        self.component_ids = sorted(c.id for c in spec.components)
        self.ids = self.country_ids + self.supplier_ids + self.component_ids
        self.index = {node: i for i, node in enumerate(self.ids)}
        self.n_countries = len(self.country_ids)
        self.n_suppliers = len(self.supplier_ids)
        self.n_components = len(self.component_ids)
        self.country_of = {c: i for i, c in enumerate(self.country_ids)}
        self.supplier_of = {s: i for i, s in enumerate(self.supplier_ids)}
        self.component_of = {c: i for i, c in enumerate(self.component_ids)}
        self.countries = {c.id: c for c in spec.countries}
        self.suppliers = {s.id: s for s in spec.suppliers}
        self.components = {c.id: c for c in spec.components}
        self.sectors = {s.code: s for s in sorted(spec.sectors, key=lambda s: s.code)}
        self.blocs = {b.id: b for b in sorted(spec.blocs, key=lambda b: b.id)}
        self._compile_arrays()

    # -- construction -------------------------------------------------------

    @classmethod
    def from_spec(cls, spec: GraphSpec) -> SupplyGraph:
        """Compile a validated :class:`GraphSpec` (references assumed checked)."""
        return cls(spec)

    @classmethod
    def from_loaded(cls, loaded: LoadedSpec) -> SupplyGraph:
        """Compile the result of :func:`chainmap.model.load_spec`."""
        return cls(loaded.spec, loaded.origins, loaded.warnings, loaded.files)

    def with_home(self, home: str | None) -> SupplyGraph:
        """The same graph seen from another home country."""
        if home is None or home == self.home:
            return self
        settings = self.spec.settings.model_copy(update={"home": home})
        return SupplyGraph(self.spec.model_copy(update={"settings": settings}), self.origins, self.warnings, self.files)

    def _compile_arrays(self) -> None:
        supplier_country = np.array(
            [self.country_of[self.suppliers[s].country] for s in self.supplier_ids], dtype=np.int64
        )
        self.supplier_country: IntArray = supplier_country
        e_comp: list[int] = []
        e_share: list[float] = []
        e_sup: list[int] = []
        e_cty: list[int] = []
        g_owner: list[int] = []
        g_ptr: list[int] = [0]
        g_members: list[int] = []
        g_any: list[bool] = []
        value = np.ones(self.n_components)
        stock = np.full(self.n_components, np.nan)
        recovery = np.full(self.n_components, np.nan)
        for ci, cid in enumerate(self.component_ids):
            comp = self.components[cid]
            entries = sorted(
                comp.suppliers,
                key=lambda e: (0, e.supplier) if e.supplier is not None else (1, e.country or ""),
            )
            for e in entries:
                e_comp.append(ci)
                e_share.append(e.share)
                if e.supplier is not None:
                    si = self.supplier_of[e.supplier]
                    e_sup.append(si)
                    e_cty.append(int(supplier_country[si]))
                else:
                    e_sup.append(-1)
                    e_cty.append(self.country_of[e.country or ""])
            for req in comp.requires:
                members = req.any_of if isinstance(req, AnyOf) else [req]
                g_owner.append(ci)
                g_members.extend(sorted({self.component_of[m] for m in members}))
                g_ptr.append(len(g_members))
                g_any.append(isinstance(req, AnyOf))
            if comp.value is not None:
                value[ci] = comp.value
            if comp.stock_days is not None:
                stock[ci] = comp.stock_days
            if comp.recovery_days is not None:
                recovery[ci] = comp.recovery_days
        self.entry_comp: IntArray = np.array(e_comp, dtype=np.int64)
        self.entry_share: FloatArray = np.array(e_share, dtype=np.float64)
        self.entry_supplier: IntArray = np.array(e_sup, dtype=np.int64)
        self.entry_country: IntArray = np.array(e_cty, dtype=np.int64)
        self.group_owner: IntArray = np.array(g_owner, dtype=np.int64)
        self.group_ptr: IntArray = np.array(g_ptr, dtype=np.int64)
        self.group_members: IntArray = np.array(g_members, dtype=np.int64)
        self.group_any_of: NDArray[np.bool_] = np.array(g_any, dtype=bool)
        self.value: FloatArray = value
        self.stock_days: FloatArray = stock
        self.recovery_days: FloatArray = recovery

    # -- derived structure --------------------------------------------------

    @property
    def home_index(self) -> int:
        """Country index of home (-1 when home is not among the countries)."""
        return self.country_of.get(self.home, -1)

    @cached_property
    def products(self) -> list[str]:
        """Every sector product id, sorted and unique (the default targets)."""
        return sorted({p for s in self.sectors.values() for p in s.products})

    @cached_property
    def country_risk(self) -> FloatArray:
        """Risk per country index: as given, else 0 for home and 1 for others."""
        risk = np.ones(self.n_countries)
        for i, cid in enumerate(self.country_ids):
            given = self.countries[cid].risk
            risk[i] = given if given is not None else (0.0 if cid == self.home else 1.0)
        return risk

    @cached_property
    def group_member_lists(self) -> list[list[int]]:
        """Members of each requirement group, as Python lists."""
        ptr = self.group_ptr.tolist()
        members = self.group_members.tolist()
        return [members[ptr[g]:ptr[g + 1]] for g in range(len(ptr) - 1)]

    @cached_property
    def groups_of(self) -> list[list[int]]:
        """Requirement group indexes per component."""
        out: list[list[int]] = [[] for _ in range(self.n_components)]
        for g, owner in enumerate(self.group_owner.tolist()):
            out[owner].append(g)
        return out

    @cached_property
    def entries_of(self) -> list[list[int]]:
        """Supply entry indexes per component."""
        out: list[list[int]] = [[] for _ in range(self.n_components)]
        for e, comp in enumerate(self.entry_comp.tolist()):
            out[comp].append(e)
        return out

    @cached_property
    def users_of(self) -> list[list[int]]:
        """Components that require each component (directly, any group)."""
        out: list[set[int]] = [set() for _ in range(self.n_components)]
        for g, members in enumerate(self.group_member_lists):
            owner = int(self.group_owner[g])
            for m in members:
                out[m].add(owner)
        return [sorted(s) for s in out]

    @cached_property
    def component_graph(self) -> ig.Graph:
        """igraph of components only, edge owner -> required member."""
        counts = np.diff(self.group_ptr)
        owners = np.repeat(self.group_owner, counts)
        edges = list(zip(owners.tolist(), self.group_members.tolist(), strict=True))
        return ig.Graph(n=self.n_components, edges=edges, directed=True)

    @cached_property
    def schedule(self) -> Schedule:
        """Evaluation order: acyclic batches by level, cyclic sets alone."""
        cg = self.component_graph
        membership = np.array(cg.connected_components(mode="strong").membership, dtype=np.int64)
        n_scc = int(membership.max()) + 1 if self.n_components else 0
        sizes = np.bincount(membership, minlength=n_scc)
        self_loop = np.zeros(n_scc, dtype=bool)
        for a, b in cg.get_edgelist():
            if a == b:
                self_loop[membership[a]] = True
        cyclic = (sizes > 1) | self_loop
        dag = cg.copy()
        dag.contract_vertices(membership.tolist(), combine_attrs="first")
        dag.simplify(loops=True, multiple=True)
        # level = 1 + max level of what it requires (sinks first)
        order = dag.topological_sorting(mode="out")
        level = np.zeros(n_scc, dtype=np.int64)
        for s in reversed(order):
            succ = dag.successors(s)
            if succ:
                level[s] = 1 + int(level[succ].max())
        steps: list[Step] = []
        members_by_scc: dict[int, list[int]] = {}
        for comp, scc in enumerate(membership.tolist()):
            members_by_scc.setdefault(scc, []).append(comp)
        comp_level = level[membership] if self.n_components else level
        for lv in range(int(level.max()) + 1 if n_scc else 0):
            at = np.flatnonzero((comp_level == lv) & ~cyclic[membership])
            if at.size:
                steps.append(self._step(False, at.astype(np.int64)))
            for scc in np.flatnonzero((level == lv) & cyclic).tolist():
                steps.append(self._step(True, np.array(members_by_scc[scc], dtype=np.int64)))
        return Schedule(tuple(steps))

    def _step(self, cyclic: bool, comps: IntArray) -> Step:
        groups_of = self.groups_of
        groups: list[int] = []
        owner_pos: list[int] = []
        for pos, c in enumerate(comps.tolist()):
            for g in groups_of[c]:
                groups.append(g)
                owner_pos.append(pos)
        garr = np.array(groups, dtype=np.int64)
        starts = self.group_ptr[garr] if groups else np.zeros(0, dtype=np.int64)
        ends = self.group_ptr[garr + 1] if groups else np.zeros(0, dtype=np.int64)
        lengths = ends - starts
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64) if groups else starts
        if groups:
            idx = np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))
            members = self.group_members[idx]
        else:
            members = np.zeros(0, dtype=np.int64)
        return Step(cyclic, comps, garr, np.array(owner_pos, dtype=np.int64), members, offsets)

    @cached_property
    def igraph(self) -> ig.Graph:
        """The whole graph as igraph (downstream edges, typed; see module doc)."""
        edges: list[tuple[int, int]] = []
        etype: list[str] = []
        share: list[float] = []
        group: list[int] = []
        nc, ns = self.n_countries, self.n_suppliers
        for si, ci in enumerate(self.supplier_country.tolist()):
            edges.append((ci, nc + si))
            etype.append("located_in")
            share.append(float("nan"))
            group.append(-1)
        for e in range(len(self.entry_comp)):
            sup = int(self.entry_supplier[e])
            src = nc + sup if sup >= 0 else int(self.entry_country[e])
            edges.append((src, nc + ns + int(self.entry_comp[e])))
            etype.append("supplies")
            share.append(float(self.entry_share[e]))
            group.append(-1)
        for g, members in enumerate(self.group_member_lists):
            owner = nc + ns + int(self.group_owner[g])
            for m in members:
                edges.append((nc + ns + m, owner))
                etype.append("requires")
                share.append(float("nan"))
                group.append(g)
        graph = ig.Graph(n=len(self.ids), edges=edges, directed=True)
        graph.vs["name"] = self.ids
        graph.vs["kind"] = ["country"] * nc + ["supplier"] * ns + ["component"] * self.n_components
        graph.es["type"] = etype
        graph.es["share"] = share
        graph.es["group"] = group
        graph.es["any_of"] = [g >= 0 and bool(self.group_any_of[g]) for g in group]
        return graph

    # -- lookups ------------------------------------------------------------

    def kind(self, node: str) -> Kind:
        """``country``, ``supplier`` or ``component`` (UnknownNodeError otherwise)."""
        if node in self.country_of:
            return "country"
        if node in self.supplier_of:
            return "supplier"
        if node in self.component_of:
            return "component"
        raise UnknownNodeError(f"unknown node {node!r}")

    def name(self, node: str) -> str:
        """Human name of a node id (the id itself when unnamed)."""
        for table in (self.components, self.suppliers, self.countries, self.blocs):
            if node in table:
                return table[node].name  # type: ignore[attr-defined, no-any-return]
        return node

    def country_of_node(self, node: str) -> str | None:
        """The country of a country or supplier id (None for components)."""
        if node in self.countries:
            return node
        if node in self.suppliers:
            return self.suppliers[node].country
        return None

    def is_foreign(self, node: str) -> bool:
        """True for a country other than home, or a supplier located there."""
        country = self.country_of_node(node)
        return country is not None and country != self.home

    def nodes(self, kinds: Iterable[str] | None = None) -> list[str]:
        """Node ids of the given kinds (all when None), in vertex order."""
        wanted = set(kinds) if kinds is not None else set(KINDS)
        unknown = wanted - set(KINDS)
        if unknown:
            raise UnknownNodeError(f"unknown node kind(s): {', '.join(sorted(unknown))}")
        out: list[str] = []
        if "country" in wanted:
            out += self.country_ids
        if "supplier" in wanted:
            out += self.supplier_ids
        if "component" in wanted:
            out += self.component_ids
        return out

    def __repr__(self) -> str:
        return (f"<SupplyGraph home={self.home} countries={self.n_countries} suppliers={self.n_suppliers} "
                f"components={self.n_components} sectors={len(self.sectors)}>")

    # -- networkx interop ---------------------------------------------------

    def to_networkx(self) -> nx.MultiDiGraph:
        """A networkx MultiDiGraph with the same vertices, edges and attributes.

        Node attributes: ``kind``, ``name`` and the entity's fields; edges as
        in the igraph form. :meth:`from_networkx` reverses it.
        """
        graph = nx.MultiDiGraph(home=self.home, settings=self.spec.settings.model_dump(mode="json"),
                                sectors=[s.model_dump(mode="json") for s in self.sectors.values()],
                                blocs=[b.model_dump(mode="json") for b in self.blocs.values()])
        for cid in self.country_ids:
            graph.add_node(cid, kind="country", **self.countries[cid].model_dump(mode="json", exclude={"id"}))
        for sid in self.supplier_ids:
            graph.add_node(sid, kind="supplier", **self.suppliers[sid].model_dump(mode="json", exclude={"id"}))
        for cid in self.component_ids:
            data = self.components[cid].model_dump(mode="json", exclude={"id", "requires", "suppliers"})
            graph.add_node(cid, kind="component", **data)
        for sid in self.supplier_ids:
            graph.add_edge(self.suppliers[sid].country, sid, type="located_in")
        for cid in self.component_ids:
            comp = self.components[cid]
            for entry in comp.suppliers:
                fact = entry.model_dump(mode="json", exclude={"supplier", "country"})
                graph.add_edge(entry.supplier or entry.country, cid, type="supplies", **fact)
            for g, req in enumerate(comp.requires):
                members = req.any_of if isinstance(req, AnyOf) else [req]
                for position, m in enumerate(members):
                    graph.add_edge(m, cid, type="requires", group=g, position=position, any_of=isinstance(req, AnyOf))
        return graph

    @classmethod
    def from_networkx(cls, graph: nx.MultiDiGraph) -> SupplyGraph:
        """Rebuild a SupplyGraph from :meth:`to_networkx` output."""
        countries, suppliers, components = [], [], []
        for node, data in graph.nodes(data=True):
            fields = {k: v for k, v in data.items() if k != "kind"}
            if data["kind"] == "country":
                countries.append({"id": node, **fields})
            elif data["kind"] == "supplier":
                suppliers.append({"id": node, **fields})
            else:
                comp = {"id": node, **fields, "requires": [], "suppliers": []}
                groups: dict[int, tuple[bool, list[tuple[int, str]]]] = {}
                for src, _, edata in graph.in_edges(node, data=True):
                    if edata["type"] == "requires":
                        groups.setdefault(edata["group"], (edata["any_of"], []))[1].append((edata["position"], src))
                    elif edata["type"] == "supplies":
                        kind = graph.nodes[src]["kind"]
                        entry = {k: v for k, v in edata.items() if k != "type"}
                        entry[kind] = src
                        comp["suppliers"].append(entry)
                for g in sorted(groups):
                    any_of, members = groups[g]
                    ordered = [m for _, m in sorted(members)]
                    comp["requires"].append({"any_of": ordered} if any_of else ordered[0])
                components.append(comp)
        spec = GraphSpec.model_validate({
            "settings": graph.graph.get("settings", {}), "countries": countries, "suppliers": suppliers,
            "components": components, "sectors": graph.graph.get("sectors", []),
            "blocs": graph.graph.get("blocs", []),
        })
        return cls(spec)
