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

import bisect
import copy
import dataclasses
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import igraph as ig
import networkx as nx
import numpy as np
from numpy.typing import NDArray

from chainmap.errors import UnknownNodeError
from chainmap.idlist import as_ids
from chainmap.model.load import LoadedSpec
from chainmap.model.schema import (
    DEFAULT_LIFETIME_YEARS,
    Alternative,
    Bloc,
    Component,
    Country,
    GraphSpec,
    Requirement,
    Sector,
    Settings,
    Supplier,
    SupplyEntry,
    amount_of,
    is_any_of,
    requirement_members,
)

__all__ = ["COMPONENT", "COUNTRY", "KINDS", "RESULT_ATTRIBUTES", "SUPPLIER", "GraphArrays", "Schedule", "Step",
           "SupplyGraph", "compile_requirements", "counts_ptr", "stable_argsort"]

COUNTRY, SUPPLIER, COMPONENT = 0, 1, 2
KINDS = ("country", "supplier", "component")
Kind = Literal["country", "supplier", "component"]

UNLISTED_TOLERANCE = 1e-9
"""Listed shares summing to at least ``1 - UNLISTED_TOLERANCE`` leave no unlisted remainder."""

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


@dataclass
class GraphArrays:
    """The array form of a graph: everything :class:`SupplyGraph` needs, no pydantic object per row.

    Ids are sorted within each kind; references are indexes into those lists.
    Optional per-row values use NaN (floats) or ``None`` (texts) for "not given".
    Supply entries are sorted by component, then supplier entries (by
    supplier index) before country entries (by country index); requirement
    groups by owner component, members sorted and unique within a group.
    """

    settings: Settings
    country_ids: list[str]
    country_name: list[str]
    country_risk: FloatArray  # NaN: default (0 home, 1 others)
    supplier_ids: list[str]
    supplier_name: list[str]
    supplier_country: IntArray
    component_ids: list[str]
    component_name: list[str]
    component_sector: list[str | None]
    value: FloatArray  # NaN: not given
    stock_days: FloatArray
    recovery_days: FloatArray
    entry_comp: IntArray
    entry_supplier: IntArray  # -1: a country entry
    entry_country: IntArray
    entry_share: FloatArray
    group_owner: IntArray
    group_ptr: IntArray
    group_members: IntArray
    group_any_of: NDArray[np.bool_]
    alt_comp: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    alt_supplier: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    alt_readiness: FloatArray = field(default_factory=lambda: np.zeros(0))
    entry_source: Sequence[str | None] | None = None
    entry_estimate: NDArray[np.bool_] | None = None
    supplier_owner: IntArray | None = None  # None: every supplier owned where it produces
    group_share: FloatArray | None = None  # None: every requirement has share 1
    group_equipment: NDArray[np.bool_] | None = None  # None: every requirement is an input
    group_lifetime: FloatArray | None = None  # years; None: the default of 10
    sectors: list[Sector] = field(default_factory=list)
    blocs: list[Bloc] = field(default_factory=list)


def _opt(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


class _Table(Mapping[str, Any]):
    """A read-only id -> record mapping whose records are built on access (array-backed graphs)."""

    def __init__(self, ids: list[str], index: Mapping[str, int], build: Callable[[int], Any]) -> None:
        self._ids, self._index, self._build = ids, index, build

    def __getitem__(self, key: str) -> Any:
        return self._build(self._index[key])

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


class _Positions(Mapping[str, int]):
    """id -> its position in a list of ids, for a million ids without a dict built up front: the ids are
    sorted (:class:`GraphArrays`), so a lookup bisects the list; after ``len(ids) // 8`` lookups (or when the
    list turns out unsorted) the dict is built once and used from then on.

    >>> of = _Positions(["a", "c", "d"])
    >>> of["c"], "b" in of, of.get("b"), 3 in of, list(of.items())
    (1, False, None, False, [('a', 0), ('c', 1), ('d', 2)])
    """

    def __init__(self, ids: list[str]) -> None:
        self._ids = ids
        self._dict: dict[str, int] | None = None if len(ids) > _LAZY_POSITIONS else self._build()
        self._budget = len(ids) // 8
        self._checked = False

    def _build(self) -> dict[str, int]:
        self._dict = dict(zip(self._ids, range(len(self._ids)), strict=True))
        return self._dict

    def _find(self, key: str) -> int:
        """Position of ``key`` (-1 when absent), by bisection or the dict."""
        d = self._dict
        if d is None:
            self._budget -= 1
            if not self._checked:
                ids = self._ids
                self._checked = True
                if not all(map(str.__lt__, ids, itertools.islice(ids, 1, None))):
                    self._budget = -1  # not sorted and unique: a dict
            if self._budget < 0:
                d = self._build()
        if d is not None:
            return d.get(key, -1)
        i = bisect.bisect_left(self._ids, key)
        return i if i < len(self._ids) and self._ids[i] == key else -1

    def __getitem__(self, key: str) -> int:
        i = self._find(key) if isinstance(key, str) else -1
        if i < 0:
            raise KeyError(key)
        return i

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._find(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Positions, (self._ids,))


_LAZY_POSITIONS = 50_000
"""Lists of ids longer than this get their dict on demand (:class:`_Positions`)."""


RESULT_ATTRIBUTES = frozenset({
    "availability", "availability_baseline", "impact", "spof", "spof_targets", "bottleneck", "bottleneck_reasons",
    "bottleneck_hits", "priority_rank", "priority_score", "domestic_share", "autarky"})
"""Node attributes :meth:`SupplyGraph.to_networkx` adds from analysis results (``results=``)."""

RESULT_WRITER: dict[str, Callable[[nx.MultiDiGraph, Any], None] | None] = {"add": None}
"""How :meth:`SupplyGraph.to_networkx` puts analysis results on nodes: registered by
:mod:`chainmap.analysis.attributes` when the analyses are imported (any result object implies they are), so the
graph layer never imports the analyses above it."""


class SupplyGraph:
    """A loaded graph, compiled for analysis. Build with :func:`chainmap.load`.

    The arrays are the primary form. A graph loaded from YAML/JSON also keeps
    its pydantic :attr:`spec`; an array-backed graph (:meth:`from_arrays`,
    columnar files) builds records on access (``graph.components[cid]``) and
    the whole ``spec`` only when asked for.
    """

    def __init__(self, spec: GraphSpec, origins: dict[str, tuple[str, int]] | None = None,
                 warnings: list[Any] | None = None, files: list[str] | None = None) -> None:
        self._setup(_arrays_from_spec(spec), origins, warnings, files)
        self._spec: GraphSpec | None = spec
        self.countries: Mapping[str, Any] = {c.id: c for c in spec.countries}
        self.suppliers: Mapping[str, Any] = {s.id: s for s in spec.suppliers}
        self.components: Mapping[str, Any] = {c.id: c for c in spec.components}

    def _setup(self, arrays: GraphArrays, origins: dict[str, tuple[str, int]] | None,
               warnings: list[Any] | None, files: list[str] | None) -> None:
        self.arrays = arrays
        self.origins = origins or {}
        self.warnings = warnings or []
        self.files = files or []
        self.settings: Settings = arrays.settings
        self.home: str = arrays.settings.home
        self.country_ids = arrays.country_ids
        self.supplier_ids = arrays.supplier_ids
        self.component_ids = arrays.component_ids
        self.ids = self.country_ids + self.supplier_ids + self.component_ids
        self.n_countries = len(self.country_ids)
        self.n_suppliers = len(self.supplier_ids)
        self.n_components = len(self.component_ids)
        self.country_of = dict(zip(self.country_ids, range(self.n_countries), strict=True))
        self.supplier_of: Mapping[str, int] = _Positions(self.supplier_ids)
        self.component_of: Mapping[str, int] = _Positions(self.component_ids)
        self.sectors = {s.code: s for s in sorted(arrays.sectors, key=lambda s: s.code)}
        self.blocs = {b.id: b for b in sorted(arrays.blocs, key=lambda b: b.id)}
        self.supplier_country: IntArray = arrays.supplier_country
        self.entry_comp: IntArray = arrays.entry_comp
        self.entry_share: FloatArray = arrays.entry_share
        self.entry_supplier: IntArray = arrays.entry_supplier
        self.entry_country: IntArray = arrays.entry_country
        self.group_owner: IntArray = arrays.group_owner
        self.group_ptr: IntArray = arrays.group_ptr
        self.group_members: IntArray = arrays.group_members
        self.group_any_of: NDArray[np.bool_] = arrays.group_any_of
        n_groups = self.group_owner.size
        self.supplier_owner: IntArray = (arrays.supplier_owner if arrays.supplier_owner is not None
                                         else self.supplier_country)
        self.group_share: FloatArray = arrays.group_share if arrays.group_share is not None else np.ones(n_groups)
        self.group_equipment: NDArray[np.bool_] = (arrays.group_equipment if arrays.group_equipment is not None
                                                   else np.zeros(n_groups, dtype=bool))
        self.group_lifetime: FloatArray = (arrays.group_lifetime if arrays.group_lifetime is not None
                                           else np.full(n_groups, DEFAULT_LIFETIME_YEARS))
        self.value: FloatArray = np.where(np.isnan(arrays.value), 1.0, arrays.value)
        self.stock_days: FloatArray = arrays.stock_days
        self.recovery_days: FloatArray = arrays.recovery_days
        self.entry_ptr: IntArray = counts_ptr(self.entry_comp, self.n_components)
        self.comp_group_ptr: IntArray = counts_ptr(self.group_owner, self.n_components)
        self.alt_ptr: IntArray = counts_ptr(arrays.alt_comp, self.n_components)

    # -- construction -------------------------------------------------------

    @classmethod
    def from_spec(cls, spec: GraphSpec) -> SupplyGraph:
        """Compile a validated :class:`GraphSpec` (references assumed checked)."""
        return cls(spec)

    @classmethod
    def from_loaded(cls, loaded: LoadedSpec) -> SupplyGraph:
        """Compile the result of :func:`chainmap.model.load_spec`."""
        return cls(loaded.spec, loaded.origins, loaded.warnings, loaded.files)

    @classmethod
    def from_arrays(cls, arrays: GraphArrays, files: list[str] | None = None,
                    warnings: list[Any] | None = None, compiled: Mapping[str, Any] | None = None) -> SupplyGraph:
        """Build straight from the array form (references assumed checked), no pydantic row objects;
        ``compiled``: what :func:`compile_requirements` returned for the same arrays (else computed on first
        use)."""
        graph = cls.__new__(cls)
        graph._setup(arrays, None, warnings, files)
        if compiled is not None:
            graph.__dict__.update({name: compiled[name] for name in COMPILED})
        graph._spec = None
        graph.countries = _Table(graph.country_ids, graph.country_of, graph._country_record)
        graph.suppliers = _Table(graph.supplier_ids, graph.supplier_of, graph._supplier_record)
        graph.components = _Table(graph.component_ids, graph.component_of, graph._component_record)
        return graph

    @property
    def spec(self) -> GraphSpec:
        """The pydantic form of the whole graph (built on first use for array-backed graphs)."""
        if self._spec is None:
            self._spec = GraphSpec.model_construct(
                settings=self.settings,
                countries=[self.countries[c] for c in self.country_ids],
                blocs=list(self.blocs.values()), sectors=list(self.sectors.values()),
                components=[self.components[c] for c in self.component_ids],
                suppliers=[self.suppliers[s] for s in self.supplier_ids])
        return self._spec

    def _country_record(self, i: int) -> Country:
        return Country.model_construct(id=self.country_ids[i], name=self.arrays.country_name[i],
                                       risk=_opt(self.arrays.country_risk[i]))

    def _supplier_record(self, i: int) -> Supplier:
        country, owner = int(self.supplier_country[i]), int(self.supplier_owner[i])
        return Supplier.model_construct(id=self.supplier_ids[i], name=self.arrays.supplier_name[i],
                                        country=self.country_ids[country],
                                        owner=None if owner == country else self.country_ids[owner])

    def _component_record(self, i: int) -> Component:
        ar = self.arrays
        entries = []
        for e in range(int(self.entry_ptr[i]), int(self.entry_ptr[i + 1])):
            sup = int(self.entry_supplier[e])
            fields: dict[str, Any] = {"share": float(self.entry_share[e]), "supplier": None, "country": None,
                                      "year": None, "method": None, "note": None,
                                      "source": ar.entry_source[e] if ar.entry_source is not None else None,
                                      "estimate": bool(ar.entry_estimate[e]) if ar.entry_estimate is not None else False}
            if sup >= 0:
                fields["supplier"] = self.supplier_ids[sup]
            else:
                fields["country"] = self.country_ids[int(self.entry_country[e])]
            entries.append(SupplyEntry.model_construct(**fields))
        requires = [self.requirement_record(g)
                    for g in range(int(self.comp_group_ptr[i]), int(self.comp_group_ptr[i + 1]))]
        alternatives = [
            Alternative.model_construct(supplier=self.supplier_ids[int(ar.alt_supplier[k])],
                                        readiness=float(ar.alt_readiness[k]), source=None, year=None, method=None,
                                        estimate=False, note=None)
            for k in range(int(self.alt_ptr[i]), int(self.alt_ptr[i + 1]))
        ]
        return Component.model_construct(
            id=self.component_ids[i], name=ar.component_name[i], sector=ar.component_sector[i],
            requires=requires, suppliers=entries, alternatives=alternatives, value=_opt(ar.value[i]),
            stock_days=_opt(self.stock_days[i]), recovery_days=_opt(self.recovery_days[i]), tags=[],
            source=None, year=None, method=None, estimate=False, note=None)

    def requirement_record(self, g: int) -> str | Requirement:
        """Requirement group ``g`` as written in a file: a plain id, or a mapping when it is
        an ``any_of`` group or has a role, share or lifetime other than the defaults."""
        names = [self.component_ids[m] for m in self.group_members[self.group_ptr[g]:self.group_ptr[g + 1]].tolist()]
        equipment = bool(self.group_equipment[g])
        share = float(self.group_share[g])
        lifetime = float(self.group_lifetime[g])
        if not self.group_any_of[g] and not equipment and share == 1.0:
            plain: str = names[0]
            return plain
        fields: dict[str, Any] = {
            "component": None if self.group_any_of[g] else names[0],
            "any_of": names if self.group_any_of[g] else None,
            "role": "equipment" if equipment else "input", "share": share,
            "lifetime_years": lifetime if equipment and lifetime != DEFAULT_LIFETIME_YEARS else None,
            "source": None, "year": None, "method": None, "estimate": False, "note": None}
        req: Requirement = Requirement.model_construct(**fields)
        return req

    def with_home(self, home: str | None) -> SupplyGraph:
        """The same graph seen from another home country."""
        if home is None or home == self.home:
            return self
        other = copy.copy(self)
        for cached in ("country_risk", "entry_domestic", "domestic_share", "supply_norm"):
            other.__dict__.pop(cached, None)
        other.settings = self.settings.model_copy(update={"home": home})
        other.arrays = dataclasses.replace(self.arrays, settings=other.settings)
        other.home = home
        if self._spec is not None:
            other._spec = self._spec.model_copy(update={"settings": other.settings})
        return other

    # -- derived structure --------------------------------------------------

    @cached_property
    def index(self) -> dict[str, int]:
        """Vertex id of every node id."""
        return {node: i for i, node in enumerate(self.ids)}

    @property
    def home_index(self) -> int:
        """Country index of home (-1 when home is not among the countries)."""
        return self.country_of.get(self.home, -1)

    @cached_property
    def products(self) -> list[str]:
        """Every sector product id, sorted and unique (the default targets)."""
        return sorted({p for s in self.sectors.values() for p in s.products})

    @cached_property
    def product_index(self) -> IntArray:
        """Component indexes of :attr:`products`."""
        return np.array([self.component_of[p] for p in self.products], dtype=np.int64)

    @cached_property
    def sector_product_index(self) -> dict[str, IntArray]:
        """Component indexes of each sector's products, in the order of ``sector.products`` (looked up once
        per graph: every simulation's sector means read them)."""
        of = self.component_of
        return {code: np.fromiter(map(of.__getitem__, sector.products), dtype=np.int64, count=len(sector.products))
                for code, sector in self.sectors.items()}

    @cached_property
    def country_risk(self) -> FloatArray:
        """Risk per country index: as given, else 0 for home and 1 for others."""
        risk = np.where(np.isnan(self.arrays.country_risk), 1.0, self.arrays.country_risk)
        h = self.home_index
        if h >= 0 and np.isnan(self.arrays.country_risk[h]):
            risk[h] = 0.0
        return risk

    @cached_property
    def listed_share(self) -> FloatArray:
        """``T``: the sum of listed shares per component (0 where none are listed)."""
        return np.bincount(self.entry_comp, weights=self.entry_share, minlength=self.n_components).astype(np.float64)

    @cached_property
    def has_entries(self) -> NDArray[np.bool_]:
        """Whether each component lists supply entries (one with none is a home process)."""
        return np.bincount(self.entry_comp, minlength=self.n_components) > 0

    @cached_property
    def supply_norm(self) -> FloatArray:
        """``T`` where ``T >= 1`` (within :data:`UNLISTED_TOLERANCE`), else 1, per component: sums of
        shares are divided by it (DESIGN: shares above 1 are normalised; a sum short of 1 by rounding
        only is normalised too, so it leaves no remainder). Sums are taken first and divided once, so an all-domestic list gives ``D0 = 1``
        exactly (a loop of gain 1 must not decay through rounding)."""
        total = self.listed_share
        return np.where(total >= 1.0 - UNLISTED_TOLERANCE, np.maximum(total, 1e-300), 1.0)

    @cached_property
    def entry_norm_share(self) -> FloatArray:
        """Each entry's share divided by ``T`` where ``T > 1``."""
        return self.entry_share / self.supply_norm[self.entry_comp]

    @cached_property
    def unlisted_share(self) -> FloatArray:
        """``u = 1 - T`` where listed shares sum below 1: supply of unknown (foreign) origin.

        A remainder below :data:`UNLISTED_TOLERANCE` is rounding (0.2 + 0.7 + 0.1 sums to
        0.9999999999999999), not supply: it is 0.
        """
        rest = 1.0 - self.listed_share
        return np.where(self.has_entries & (rest > UNLISTED_TOLERANCE), rest, 0.0)

    @cached_property
    def entry_domestic(self) -> NDArray[np.bool_]:
        """Whether each supply entry produces in home (a home country entry or a supplier located there)."""
        out: NDArray[np.bool_] = self.entry_country == self.home_index
        return out

    @cached_property
    def domestic_share(self) -> FloatArray:
        """``D0``: the normalised domestic share of each component (1 for a home process)."""
        d0 = np.bincount(self.entry_comp, weights=np.where(self.entry_domestic, self.entry_share, 0.0),
                         minlength=self.n_components) / self.supply_norm
        return np.where(self.has_entries, d0, 1.0)

    @cached_property
    def group_member_lists(self) -> list[list[int]]:
        """Members of each requirement group, as Python lists."""
        ptr = self.group_ptr.tolist()
        members = self.group_members.tolist()
        return [members[ptr[g]:ptr[g + 1]] for g in range(len(ptr) - 1)]

    @cached_property
    def groups_of(self) -> list[list[int]]:
        """Requirement group indexes per component."""
        ptr = self.comp_group_ptr.tolist()
        return [list(range(ptr[c], ptr[c + 1])) for c in range(self.n_components)]

    @cached_property
    def entries_of(self) -> list[list[int]]:
        """Supply entry indexes per component."""
        ptr = self.entry_ptr.tolist()
        return [list(range(ptr[c], ptr[c + 1])) for c in range(self.n_components)]

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
    def requirement_edges(self) -> tuple[IntArray, IntArray]:
        """``(owner, member)`` per requirement edge (one per group member)."""
        return _requirement_edges(self.group_owner, self.group_ptr, self.group_members)

    @cached_property
    def requires_csr(self) -> Any:
        """scipy CSR matrix of components, row owner -> column required member."""
        return _requires_csr(self.n_components, *self.requirement_edges)

    @cached_property
    def required_by_csr(self) -> Any:
        """scipy CSR matrix of components, row member -> column owner (downstream)."""
        return self.requires_csr.T.tocsr()

    def upstream_of(self, targets: Iterable[int]) -> IntArray:
        """Sorted component indexes the targets require (transitively), targets included."""
        return _reach(self.requires_csr, targets, self.n_components)

    def downstream_of(self, sources: Iterable[int]) -> IntArray:
        """Sorted component indexes that require the sources (transitively), sources included."""
        return _reach(self.required_by_csr, sources, self.n_components)

    @cached_property
    def component_graph(self) -> ig.Graph:
        """igraph of components only, edge owner -> required member."""
        owners, members = self.requirement_edges
        edges = list(zip(owners.tolist(), members.tolist(), strict=True))
        return ig.Graph(n=self.n_components, edges=edges, directed=True)

    @cached_property
    def scc(self) -> tuple[IntArray, NDArray[np.bool_]]:
        """Strongly connected set of each component and whether each set is a cycle."""
        return _scc(self.n_components, self.requires_csr, *self.requirement_edges)

    @cached_property
    def schedule(self) -> Schedule:
        """Evaluation order: acyclic batches by level, cyclic sets alone."""
        membership, cyclic = self.scc
        return _schedule(membership, cyclic, self.required_by_csr, self.comp_group_ptr, self.group_ptr,
                         self.group_members)

    def _step(self, cyclic: bool, comps: IntArray) -> Step:
        return _step(self.comp_group_ptr, self.group_ptr, self.group_members, cyclic, comps)

    @cached_property
    def igraph(self) -> ig.Graph:
        """The whole graph as igraph (downstream edges, typed; see module doc)."""
        nc, ns = self.n_countries, self.n_suppliers
        off = nc + ns
        owners, members = self.requirement_edges
        group_of_edge = np.repeat(np.arange(self.group_owner.size), np.diff(self.group_ptr))
        src = np.concatenate((self.supplier_country, np.where(self.entry_supplier >= 0, nc + self.entry_supplier,
                                                               self.entry_country), off + members))
        dst = np.concatenate((nc + np.arange(ns), off + self.entry_comp, off + owners))
        n_loc, n_sup = ns, self.entry_comp.size
        etype = ["located_in"] * n_loc + ["supplies"] * n_sup + ["requires"] * owners.size
        share = np.concatenate((np.full(n_loc, np.nan), self.entry_share, np.full(owners.size, np.nan)))
        group = np.concatenate((np.full(n_loc + n_sup, -1), group_of_edge))
        graph = ig.Graph(n=len(self.ids), edges=list(zip(src.tolist(), dst.tolist(), strict=True)), directed=True)
        graph.vs["name"] = self.ids
        graph.vs["kind"] = ["country"] * nc + ["supplier"] * ns + ["component"] * self.n_components
        graph.es["type"] = etype
        graph.es["share"] = share.tolist()
        graph.es["group"] = group.tolist()
        any_of = np.zeros(group.size, dtype=bool)
        any_of[n_loc + n_sup:] = self.group_any_of[group_of_edge]
        graph.es["any_of"] = any_of.tolist()
        return graph

    def component_name(self, i: int) -> str:
        """Name of component index ``i``."""
        return self.arrays.component_name[i]

    def component_sector(self, i: int) -> str | None:
        """Sector code of component index ``i`` (None when not given)."""
        return self.arrays.component_sector[i]

    def best_domestic_alternative(self, i: int) -> tuple[str | None, float | None]:
        """Best-ready domestic alternative supplier of component ``i`` and its readiness (first wins ties)."""
        ar = self.arrays
        best_alt: str | None = None
        best_ready: float | None = None
        h = self.home_index
        for k in range(int(self.alt_ptr[i]), int(self.alt_ptr[i + 1])):
            s = int(ar.alt_supplier[k])
            ready = float(ar.alt_readiness[k])
            if int(self.supplier_country[s]) == h and h >= 0 and (best_ready is None or ready > best_ready):
                best_alt, best_ready = self.supplier_ids[s], ready
        return best_alt, best_ready

    # -- lookups ------------------------------------------------------------

    def kind(self, node: str) -> Kind:
        """``country``, ``supplier`` or ``component`` (UnknownNodeError otherwise, with a did-you-mean)."""
        if node in self.country_of:
            return "country"
        if node in self.supplier_of:
            return "supplier"
        if node in self.component_of:
            return "component"
        raise UnknownNodeError(f"unknown node {node!r}{self.did_you_mean(node)}")

    def did_you_mean(self, text: str, kinds: Iterable[str] | None = None) -> str:
        """`` (did you mean 'a', 'b'?)`` naming the ids closest to ``text`` (by id or by name), or ``''``.

        Ids of ``kinds`` (``country``, ``bloc``, ``supplier``, ``component``, ``sector``; default all) are
        compared with :func:`difflib.get_close_matches`, and so are their names (a match by name suggests
        its id). Every "unknown id" error of the library ends with it.

        Examples
        --------
        >>> g = SupplyGraph.from_spec(GraphSpec.model_validate({
        ...     "countries": [{"id": "CN", "name": "China"}, {"id": "NL", "name": "Netherlands"}],
        ...     "components": [{"id": "dram", "name": "DRAM memory", "suppliers": [{"country": "NL", "share": 1}]}]}))
        >>> g.did_you_mean("dramm"), g.did_you_mean("netherland"), g.did_you_mean("zzz")
        (" (did you mean 'dram'?)", " (did you mean 'NL'?)", '')
        """
        import difflib

        wanted = set(kinds) if kinds is not None else {"country", "bloc", "supplier", "component", "sector"}
        names: dict[str, str] = {}
        if "country" in wanted:
            names.update(zip(self.country_ids, self.arrays.country_name, strict=True))
        if "bloc" in wanted:
            names.update((b, self.blocs[b].name) for b in self.blocs)
        if "supplier" in wanted:
            names.update(zip(self.supplier_ids, self.arrays.supplier_name, strict=True))
        if "component" in wanted:
            names.update(zip(self.component_ids, self.arrays.component_name, strict=True))
        if "sector" in wanted:
            names.update((code, self.sectors[code].name) for code in self.sectors)
        raw = str(text)
        if len(names) > 50_000 and raw:  # a large graph: compare with the ids and names of similar start and length
            first, size = raw[0].lower(), len(raw)
            names = {node: name for node, name in names.items()
                     if (node[:1].lower() == first and abs(len(node) - size) <= 3)
                     or (str(name)[:1].lower() == first and abs(len(str(name)) - size) <= 3)}
        scores: dict[str, float] = {}
        for node in difflib.get_close_matches(raw, list(names), n=5, cutoff=0.6):
            scores[node] = difflib.SequenceMatcher(None, raw, node).ratio()
        by_name: dict[str, str] = {}
        for node, name in names.items():
            by_name.setdefault(str(name).lower(), node)
        for name in difflib.get_close_matches(raw.lower(), list(by_name), n=5, cutoff=0.6):
            score = difflib.SequenceMatcher(None, raw.lower(), name).ratio()
            scores[by_name[name]] = max(score, scores.get(by_name[name], 0.0))
        found = sorted(scores, key=lambda node: (-scores[node], node))
        found = [node for node in found if scores[node] >= scores[found[0]] - 0.1] if found else []
        if not found:
            return ""
        return " (did you mean " + ", ".join(repr(f) for f in found[:3]) + "?)"

    def name(self, node: str) -> str:
        """Human name of a node id (the id itself when unnamed)."""
        if node in self.component_of:
            return self.arrays.component_name[self.component_of[node]]
        if node in self.supplier_of:
            return self.arrays.supplier_name[self.supplier_of[node]]
        if node in self.country_of:
            return self.arrays.country_name[self.country_of[node]]
        if node in self.blocs:
            return self.blocs[node].name
        return node

    def country_of_node(self, node: str) -> str | None:
        """The country of a country or supplier id (None for components)."""
        if node in self.country_of:
            return node
        if node in self.supplier_of:
            return self.country_ids[int(self.supplier_country[self.supplier_of[node]])]
        return None

    def is_foreign(self, node: str) -> bool:
        """True for a country other than home, or a supplier located there."""
        country = self.country_of_node(node)
        return country is not None and country != self.home

    def nodes(self, kinds: Iterable[str] | None = None) -> list[str]:
        """Node ids of the given kinds (all when None), in vertex order."""
        wanted = set(as_ids(kinds)) if kinds is not None else set(KINDS)
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

    def to_networkx(self, results: Any = None) -> nx.MultiDiGraph:
        """A networkx MultiDiGraph with the same vertices, edges and attributes.

        Node attributes: ``kind``, ``name`` and the entity's fields; edges as
        in the igraph form. :meth:`from_networkx` reverses it.

        Parameters
        ----------
        results : analysis results (one, or a list) whose values become node attributes: availability
            under a scenario, SPOF and bottleneck flags, priority rank and score, autarky
            (:mod:`chainmap.analysis.attributes` lists them).

        Examples
        --------
        >>> import chainmap
        >>> g = chainmap.load("tests/data/mini")
        >>> h = g.to_networkx(results=chainmap.bottlenecks(g))
        >>> h.nodes["NL"]["bottleneck"], h.nodes["CN"]["bottleneck"]
        (True, False)
        """
        graph = nx.MultiDiGraph(home=self.home, settings=self.settings.model_dump(mode="json"),
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
            owner = self.suppliers[sid].owner
            if owner is not None and owner != self.suppliers[sid].country:
                graph.add_edge(owner, sid, type="owns")
        for cid in self.component_ids:
            comp = self.components[cid]
            for entry in comp.suppliers:
                fact = entry.model_dump(mode="json", exclude={"supplier", "country"})
                graph.add_edge(entry.supplier or entry.country, cid, type="supplies", **fact)
            for g, req in enumerate(comp.requires):
                extra: dict[str, Any] = {}
                if isinstance(req, Requirement):
                    extra = req.model_dump(mode="json", exclude={"component", "any_of"}, exclude_none=True)
                for position, m in enumerate(requirement_members(req)):
                    graph.add_edge(m, cid, type="requires", group=g, position=position, any_of=is_any_of(req),
                                   mapping=isinstance(req, Requirement), **extra)
        if results is not None:
            if RESULT_WRITER["add"] is None:
                raise TypeError("results= takes chainmap analysis results (import chainmap.analysis first)")
            RESULT_WRITER["add"](graph, results)
        return graph

    @classmethod
    def from_networkx(cls, graph: nx.MultiDiGraph) -> SupplyGraph:
        """Rebuild a SupplyGraph from :meth:`to_networkx` output (analysis attributes, :data:`RESULT_ATTRIBUTES`,
        are left out)."""
        countries, suppliers, components = [], [], []
        for node, data in graph.nodes(data=True):
            data = {k: v for k, v in data.items() if v is not None and k not in RESULT_ATTRIBUTES}
            fields = {k: v for k, v in data.items() if k != "kind"}
            if data["kind"] == "country":
                countries.append({"id": node, **fields})
            elif data["kind"] == "supplier":
                suppliers.append({"id": node, **fields})
            else:
                comp = {"id": node, **fields, "requires": [], "suppliers": []}
                groups: dict[int, tuple[dict[str, Any], list[tuple[int, str]]]] = {}
                for src, _, edata in graph.in_edges(node, data=True):
                    if edata["type"] == "requires":
                        groups.setdefault(edata["group"], (edata, []))[1].append((edata["position"], src))
                    elif edata["type"] == "supplies":
                        kind = graph.nodes[src]["kind"]
                        entry = {k: v for k, v in edata.items() if k != "type"}
                        entry[kind] = src
                        comp["suppliers"].append(entry)
                for g in sorted(groups):
                    edata, members = groups[g]
                    ordered = [m for _, m in sorted(members)]
                    if not edata["any_of"] and not edata.get("mapping"):
                        comp["requires"].append(ordered[0])
                        continue
                    req = {k: v for k, v in edata.items()
                           if k not in ("type", "group", "position", "any_of", "mapping")}
                    req.update({"any_of": ordered} if edata["any_of"] else {"component": ordered[0]})
                    comp["requires"].append(req)
                components.append(comp)
        spec = GraphSpec.model_validate({
            "settings": graph.graph.get("settings", {}), "countries": countries, "suppliers": suppliers,
            "components": components, "sectors": graph.graph.get("sectors", []),
            "blocs": graph.graph.get("blocs", []),
        })
        return cls(spec)


def stable_argsort(keys: NDArray[np.integer[Any]]) -> IntArray:
    """``np.argsort(keys, kind="stable")`` for non-negative integer keys: keys in random order below 2**32
    as radix passes on 16-bit digits (numpy sorts 16-bit integers by radix: two passes sort a million keys
    in half the time of its merge sort), others (nearly sorted, which the merge sort finds in runs, or
    wider) by the merge sort.

    >>> stable_argsort(np.array([70000, 3, 70000, 0, 3])).tolist()
    [3, 1, 4, 0, 2]
    """
    n = keys.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    lo, hi = int(keys.min()), int(keys.max())
    if lo < 0 or hi >= 1 << 32 or np.count_nonzero(keys[1:] < keys[:-1]) < n // 16:
        return np.argsort(keys, kind="stable").astype(np.int64)
    order: IntArray | None = None
    shift = 0
    while True:
        digit = ((keys if order is None else keys[order]) >> shift) & 0xFFFF
        step = np.argsort(digit.astype(np.uint16), kind="stable")
        order = step.astype(np.int64) if order is None else order[step]
        shift += 16
        if hi >> shift == 0:
            return order


def counts_ptr(keys: IntArray, n: int) -> IntArray:
    """CSR pointers (``n + 1``) of rows sorted by ``keys`` in ``[0, n)``: like ``searchsorted(keys,
    arange(n + 1))`` for sorted keys, by counting."""
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=ptr[1:])
    return ptr


def ranges(starts: IntArray, ends: IntArray) -> IntArray:
    """Concatenation of ``arange(s, e)`` for each pair (vectorised): the positions of CSR rows
    (:func:`ranges_by_length` of ``(s, e - s)``).

    >>> ranges(np.array([2, 7, 5, 0]), np.array([4, 9, 5, 1])).tolist()
    [2, 3, 7, 8, 0]
    """
    return ranges_by_length(starts, ends - starts)


def ranges_by_length(starts: IntArray, lengths: IntArray) -> IntArray:
    """Concatenation of ``arange(s, s + length)`` for each pair (:func:`ranges` of ``(s, s + length)``). Built
    as one array of steps summed in place (1 within a row, the jump to the next row's start at its first
    position): a single array of the output's size, no temporaries of that size.

    >>> ranges_by_length(np.array([2, 7, 5, 0]), np.array([2, 2, 0, 1])).tolist()
    [2, 3, 7, 8, 0]
    """
    nonempty = lengths > 0
    if not nonempty.all():
        starts, lengths = starts[nonempty], lengths[nonempty]
    if lengths.size == 0:
        return np.zeros(0, dtype=np.int64)
    firsts = np.cumsum(lengths)
    total = int(firsts[-1])
    firsts -= lengths  # the output position of each row's first element
    out = np.ones(total, dtype=np.int64)
    out[0] = starts[0]
    jump = starts[1:] - starts[:-1]
    jump -= lengths[:-1]
    jump += 1
    out[firsts[1:]] = jump  # from the previous row's last element to this row's first
    np.cumsum(out, out=out)
    return out


def _reach(csr: Any, sources: Iterable[int], n: int) -> IntArray:
    """Sorted indexes reachable from ``sources`` along the CSR's rows, sources included."""
    seen = np.zeros(n, dtype=bool)
    frontier = np.unique(np.fromiter(sources, dtype=np.int64))
    seen[frontier] = True
    indptr, indices = csr.indptr, csr.indices
    while frontier.size:
        nxt = indices[ranges(indptr[frontier].astype(np.int64), indptr[1:][frontier].astype(np.int64))]
        nxt = np.unique(nxt[~seen[nxt]])
        seen[nxt] = True
        frontier = nxt.astype(np.int64)
    return np.flatnonzero(seen)


COMPILED = ("requirement_edges", "requires_csr", "required_by_csr", "scc", "schedule")
"""The compiled forms :func:`compile_requirements` computes (cached properties of :class:`SupplyGraph`)."""


def compile_requirements(n: int, group_owner: IntArray, group_ptr: IntArray, group_members: IntArray) -> dict[str, Any]:
    """The compiled requirement structure of ``n`` components' requirement groups (:data:`COMPILED`: what
    :attr:`SupplyGraph.schedule` computes on first use), for :meth:`SupplyGraph.from_arrays` to start with
    (a loader computes it in a thread while it builds the rest)."""
    edges = _requirement_edges(group_owner, group_ptr, group_members)
    csr = _requires_csr(n, *edges)
    down = csr.T.tocsr()
    membership, cyclic = _scc(n, csr, *edges)
    schedule = _schedule(membership, cyclic, down, counts_ptr(group_owner, n), group_ptr, group_members)
    return {"requirement_edges": edges, "requires_csr": csr, "required_by_csr": down, "scc": (membership, cyclic),
            "schedule": schedule}


def _requirement_edges(group_owner: IntArray, group_ptr: IntArray, group_members: IntArray) -> tuple[IntArray, IntArray]:
    return np.repeat(group_owner, np.diff(group_ptr)), group_members


def _requires_csr(n: int, owners: IntArray, members: IntArray) -> Any:
    from scipy.sparse import csr_array

    return csr_array((np.ones(owners.size, dtype=np.int8), (owners, members)), shape=(n, n))


def _scc(n: int, requires_csr: Any, owners: IntArray, members: IntArray) -> tuple[IntArray, NDArray[np.bool_]]:
    """Strongly connected set of each component and whether each set is a cycle."""
    from scipy.sparse.csgraph import connected_components

    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    n_scc, labels = connected_components(requires_csr, directed=True, connection="strong")
    membership = labels.astype(np.int64)
    cyclic = np.bincount(membership, minlength=n_scc) > 1
    cyclic[membership[owners[owners == members]]] = True
    return membership, cyclic


def _levels(membership: IntArray, cyclic: NDArray[np.bool_], required_by_csr: Any) -> IntArray:
    """Level of each strongly connected set: 0 when it requires nothing outside itself, else 1 + the highest
    level of the sets it requires. Kahn rounds from the sinks over the distinct (member, owner) pairs of the
    downstream CSR (grouped by member already: no sort of the edges)."""
    n_scc, n = cyclic.size, membership.size
    ptr = required_by_csr.indptr.astype(np.int64, copy=False)
    owner_set = membership[required_by_csr.indices]
    cross = owner_set != np.repeat(membership, np.diff(ptr))  # pairs within one set do not order it
    remaining = np.bincount(owner_set[cross], minlength=n_scc)
    single = np.bincount(membership, minlength=n_scc) == 1
    comp_of = np.zeros(n_scc, dtype=np.int64)
    comp_of[membership] = np.arange(n, dtype=np.int64)  # the component of each set of one
    multi = np.flatnonzero(~single[membership])
    multi = multi[np.argsort(membership[multi], kind="stable")]  # components of larger sets, by set
    multi_set = membership[multi]
    level = np.zeros(n_scc, dtype=np.int64)
    frontier = np.flatnonzero(remaining == 0)
    lv = 0
    while frontier.size:
        level[frontier] = lv
        comps = comp_of[frontier[single[frontier]]]
        several = frontier[~single[frontier]]
        if several.size:
            lo, hi = np.searchsorted(multi_set, several, "left"), np.searchsorted(multi_set, several, "right")
            comps = np.concatenate((comps, multi[ranges(lo, hi)]))
        pairs = ranges(ptr[comps], ptr[1:][comps])  # ptr[1:][i] is ptr[i + 1] (no index array + 1)
        users = owner_set[pairs[cross[pairs]]]
        if users.size == 0:
            break
        if users.size * 8 < n_scc:  # a few: count them without a pass over every set
            touched, dec = np.unique(users, return_counts=True)
        else:
            counts = np.bincount(users, minlength=n_scc)
            touched = np.flatnonzero(counts)
            dec = counts[touched]
        remaining[touched] -= dec
        frontier = touched[remaining[touched] == 0]
        lv += 1
    return level


def _schedule(membership: IntArray, cyclic: NDArray[np.bool_], required_by_csr: Any,
              comp_group_ptr: IntArray, group_ptr: IntArray, group_members: IntArray) -> Schedule:
    """Evaluation order: acyclic batches by level, cyclic sets alone."""
    n_scc = cyclic.size
    level = _levels(membership, cyclic, required_by_csr)
    comp_level = level[membership]
    comp_cyclic = cyclic[membership]
    if n_scc == 0:
        return Schedule(())
    n_levels = int(level.max()) + 1
    acyclic_comps = np.flatnonzero(~comp_cyclic)
    acyclic_comps = acyclic_comps[stable_argsort(comp_level[acyclic_comps])]
    acyc_ptr = np.searchsorted(comp_level[acyclic_comps], np.arange(n_levels + 1))
    cyc_comps = np.flatnonzero(comp_cyclic)
    cyc_order = np.lexsort((cyc_comps, membership[cyc_comps], comp_level[cyc_comps]))
    cyc_comps = cyc_comps[cyc_order]
    cyc_scc = membership[cyc_comps]
    cyc_lv = comp_level[cyc_comps]
    bounds = np.flatnonzero(np.diff(cyc_scc)) + 1 if cyc_comps.size else np.zeros(0, dtype=np.int64)
    cyc_starts = np.concatenate(([0], bounds)).astype(np.int64) if cyc_comps.size else bounds
    cyc_ends = np.concatenate((bounds, [cyc_comps.size])).astype(np.int64) if cyc_comps.size else bounds
    cyc_step_lv = cyc_lv[cyc_starts] if cyc_comps.size else cyc_starts
    cyc_ptr = np.searchsorted(cyc_step_lv, np.arange(n_levels + 1))
    pieces: list[IntArray] = []
    sizes: list[int] = []
    cyclic_steps: list[bool] = []
    for lv in range(n_levels):  # per level: its acyclic batch (sorted: a stable sort by level of sorted indexes),
        a0, a1 = int(acyc_ptr[lv]), int(acyc_ptr[lv + 1])  # then its cyclic sets one by one
        if a1 > a0:
            pieces.append(acyclic_comps[a0:a1])
            sizes.append(a1 - a0)
            cyclic_steps.append(False)
        k0, k1 = int(cyc_ptr[lv]), int(cyc_ptr[lv + 1])
        if k1 > k0:
            pieces.append(cyc_comps[cyc_starts[k0]:cyc_ends[k1 - 1]])
            sizes += (cyc_ends[k0:k1] - cyc_starts[k0:k1]).tolist()
            cyclic_steps += [True] * (k1 - k0)
    comps = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
    bounds = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=bounds[1:])
    steps = _steps(comp_group_ptr, group_ptr, group_members, comps.astype(np.int64, copy=False), bounds, cyclic_steps)
    return Schedule(tuple(steps))


def _steps(comp_group_ptr: IntArray, group_ptr: IntArray, group_members: IntArray, comps: IntArray,
           bounds: IntArray, cyclic: list[bool]) -> list[Step]:
    """The steps of ``comps[bounds[k]:bounds[k + 1]]`` (``cyclic[k]``) as :func:`_step` builds each, from one
    pass over all of them (a graph of a million components has hundreds of small cyclic steps). Few
    temporaries: per-row arrays are built in place, and the members are gathered by component (a
    component's groups, and so their members, are contiguous)."""
    k = bounds.size - 1
    gstart = comp_group_ptr[comps]
    counts = comp_group_ptr[1:][comps]
    counts -= gstart  # groups per component
    garr = ranges_by_length(gstart, counts)
    count_cum = np.zeros(comps.size + 1, dtype=np.int64)
    np.cumsum(counts, out=count_cum[1:])
    gbounds = count_cum[bounds]
    del count_cum
    per_step = np.diff(gbounds)
    owner_pos = np.repeat(np.arange(comps.size, dtype=np.int64), counts)
    owner_pos -= np.repeat(bounds[:-1], per_step)  # position of each group's owner in its step
    lengths = group_ptr[1:][garr]
    lengths -= group_ptr[garr]  # members per group
    length_cum = np.zeros(garr.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=length_cum[1:])
    del lengths
    mbounds = length_cum[gbounds]
    offsets = length_cum[:-1]
    offsets -= np.repeat(mbounds[:-1], per_step)  # each group's first member, from its step's first
    mstart = group_ptr[gstart]
    gstart += counts
    mlength = group_ptr[gstart]
    mlength -= mstart  # members per component
    del gstart, counts
    members = group_members[ranges_by_length(mstart, mlength)]
    b, g, m = bounds.tolist(), gbounds.tolist(), mbounds.tolist()
    return [Step(cyclic[i], comps[b[i]:b[i + 1]], garr[g[i]:g[i + 1]], owner_pos[g[i]:g[i + 1]],
                 members[m[i]:m[i + 1]], offsets[g[i]:g[i + 1]]) for i in range(k)]


def _step(comp_group_ptr: IntArray, group_ptr: IntArray, group_members: IntArray, cyclic: bool, comps: IntArray) -> Step:
    gstart, gend = comp_group_ptr[comps], comp_group_ptr[comps + 1]
    counts = gend - gstart
    garr = ranges(gstart, gend)
    owner_pos = np.repeat(np.arange(comps.size, dtype=np.int64), counts)
    starts, ends = group_ptr[garr], group_ptr[garr + 1]
    lengths = ends - starts
    offsets = (np.cumsum(lengths) - lengths).astype(np.int64)
    members = group_members[ranges(starts, ends)]
    return Step(cyclic, comps, garr, owner_pos, members, offsets)


def _arrays_from_spec(spec: GraphSpec) -> GraphArrays:
    """The array form of a validated spec (references assumed checked)."""
    country_ids = sorted(c.id for c in spec.countries)
    supplier_ids = sorted(s.id for s in spec.suppliers)
    component_ids = sorted(c.id for c in spec.components)
    countries = {c.id: c for c in spec.countries}
    suppliers = {s.id: s for s in spec.suppliers}
    components = {c.id: c for c in spec.components}
    country_of = {c: i for i, c in enumerate(country_ids)}
    supplier_of = {s: i for i, s in enumerate(supplier_ids)}
    component_of = {c: i for i, c in enumerate(component_ids)}
    supplier_country = np.array([country_of[suppliers[s].country] for s in supplier_ids], dtype=np.int64)
    e_comp: list[int] = []
    e_share: list[float] = []
    e_sup: list[int] = []
    e_cty: list[int] = []
    e_src: list[str | None] = []
    e_est: list[bool] = []
    g_owner: list[int] = []
    g_ptr: list[int] = [0]
    g_members: list[int] = []
    g_any: list[bool] = []
    g_share: list[float] = []
    g_equipment: list[bool] = []
    g_lifetime: list[float] = []
    a_comp: list[int] = []
    a_sup: list[int] = []
    a_ready: list[float] = []
    n = len(component_ids)
    value = np.full(n, np.nan)
    stock = np.full(n, np.nan)
    recovery = np.full(n, np.nan)
    for ci, cid in enumerate(component_ids):
        comp = components[cid]
        entries = sorted(
            comp.suppliers,
            key=lambda e: (0, e.supplier) if e.supplier is not None else (1, e.country or ""),
        )
        for e in entries:
            e_comp.append(ci)
            e_share.append(e.share)
            e_src.append(e.source)
            e_est.append(e.estimate)
            if e.supplier is not None:
                si = supplier_of[e.supplier]
                e_sup.append(si)
                e_cty.append(int(supplier_country[si]))
            else:
                e_sup.append(-1)
                e_cty.append(country_of[e.country or ""])
        for req in comp.requires:
            g_owner.append(ci)
            g_members.extend(sorted({component_of[m] for m in requirement_members(req)}))
            g_ptr.append(len(g_members))
            g_any.append(is_any_of(req))
            mapping = req if isinstance(req, Requirement) else None
            g_share.append(mapping.share if mapping else 1.0)
            g_equipment.append(mapping is not None and mapping.role == "equipment")
            g_lifetime.append(mapping.lifetime if mapping else DEFAULT_LIFETIME_YEARS)
        for alt in comp.alternatives:
            if alt.supplier in supplier_of:
                a_comp.append(ci)
                a_sup.append(supplier_of[alt.supplier])
                a_ready.append(alt.readiness)
        for column, number in ((value, comp.value), (stock, comp.stock_days), (recovery, comp.recovery_days)):
            if number is not None:
                column[ci] = amount_of(number)
    return GraphArrays(
        settings=spec.settings,
        country_ids=country_ids,
        country_name=[countries[c].name for c in country_ids],
        country_risk=np.array([np.nan if countries[c].risk is None else countries[c].risk for c in country_ids],
                              dtype=np.float64),
        supplier_ids=supplier_ids,
        supplier_name=[suppliers[s].name for s in supplier_ids],
        supplier_country=supplier_country,
        supplier_owner=np.array([country_of[suppliers[s].owner or suppliers[s].country] for s in supplier_ids],
                                dtype=np.int64),
        component_ids=component_ids,
        component_name=[components[c].name for c in component_ids],
        component_sector=[components[c].sector for c in component_ids],
        value=value, stock_days=stock, recovery_days=recovery,
        entry_comp=np.array(e_comp, dtype=np.int64),
        entry_supplier=np.array(e_sup, dtype=np.int64),
        entry_country=np.array(e_cty, dtype=np.int64),
        entry_share=np.array(e_share, dtype=np.float64),
        group_owner=np.array(g_owner, dtype=np.int64),
        group_ptr=np.array(g_ptr, dtype=np.int64),
        group_members=np.array(g_members, dtype=np.int64),
        group_any_of=np.array(g_any, dtype=bool),
        group_share=np.array(g_share, dtype=np.float64),
        group_equipment=np.array(g_equipment, dtype=bool),
        group_lifetime=np.array(g_lifetime, dtype=np.float64),
        alt_comp=np.array(a_comp, dtype=np.int64),
        alt_supplier=np.array(a_sup, dtype=np.int64),
        alt_readiness=np.array(a_ready, dtype=np.float64),
        entry_source=e_src, entry_estimate=np.array(e_est, dtype=bool),
        sectors=list(spec.sectors), blocs=list(spec.blocs),
    )
