"""Foreign bottlenecks: foreign nodes that hurt, and supply concentrated abroad.

Definition (DESIGN): a *foreign bottleneck* is a node outside home (a foreign
supplier, a foreign country) whose removal lowers some product's ``a`` by at
least ``threshold`` (default 0.5) at horizon H (default 1y), or a component
whose supply is concentrated abroad (country HHI >= ``hhi_threshold``,
default 0.25, with a foreign leader). Each is reported with what it hits and,
per hit, the drop and the length of the binding chain under its removal.

Examples
--------
>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> [(b.node, b.reason) for b in bottlenecks(g)][:3]
[('NL', 'removal'), ('asml', 'removal'), ('JP', 'removal')]
"""

from __future__ import annotations

import copy
import heapq
import itertools
from collections.abc import Callable, ItemsView, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from chainmap.analysis.batch import largest_first, unique_inverse, upstream_mask
from chainmap.analysis.concentration import concentration
from chainmap.analysis.incremental import Incremental
from chainmap.analysis.lazyrows import LazyRows
from chainmap.analysis.propagate import availability
from chainmap.analysis.scenario import Capacities, Scenario, capacities
from chainmap.graph import FloatArray, IntArray, SupplyGraph, ranges
from chainmap.idlist import as_ids

__all__ = ["Bottleneck", "BottleneckTable", "bottlenecks", "bottlenecks_reference", "downstream_products"]


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
    chain_lengths: Mapping[str, int] = field(default_factory=dict)


def downstream_products(graph: SupplyGraph, component: str) -> list[str]:
    """Products that require ``component`` (transitively), itself included if a product."""
    c = graph.component_of[component]
    reached = graph.downstream_of([c])
    is_product = np.zeros(graph.n_components, dtype=bool)
    is_product[graph.product_index] = True
    ids = graph.component_ids
    return [ids[k] for k in reached[is_product[reached]].tolist()]


def bottlenecks_reference(
    graph: SupplyGraph,
    home: str | None = None,
    threshold: float | None = None,
    hhi_threshold: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    scenario: Scenario | None = None,
    candidates: Sequence[str] | None = None,
) -> list[Bottleneck]:
    """:func:`bottlenecks` one removal at a time (the reference the batched fast path is tested against).

    Parameters
    ----------
    home : point of view (default: the graph's ``home``).
    threshold : minimum drop of some product's availability (default from settings, 0.5).
    hhi_threshold : minimum country HHI for a concentration bottleneck (default 0.25).
    progress : called as ``progress(done, total)`` over the removal candidates.
    scenario : horizon (default 1y), reach and the state removals are measured from.
    candidates : node ids to try removing (default: every foreign country and supplier).

    Each removal re-evaluates only what it reaches
    (:class:`~chainmap.analysis.incremental.Incremental`).
    """
    graph = graph.with_home(home)
    settings = graph.settings
    threshold = settings.bottleneck_threshold if threshold is None else threshold
    hhi_threshold = settings.hhi_threshold if hhi_threshold is None else hhi_threshold
    products = graph.product_index
    product_pos = {int(c): j for j, c in enumerate(products.tolist())}
    scenario = scenario or Scenario()
    caps = capacities(graph, scenario)
    inc = Incremental(graph, caps)
    base = inc.base[products]
    rows: list[Bottleneck] = []
    used_countries = sorted(set(graph.entry_country.tolist()))
    used_suppliers = sorted({s for s in graph.entry_supplier.tolist() if s >= 0})
    if caps.reach == "owner":
        used_countries = sorted(set(used_countries) | set(graph.supplier_owner.tolist()))
    tried = [("country", graph.country_ids[i], i) for i in used_countries] + [
        ("supplier", graph.supplier_ids[i], i) for i in used_suppliers
    ]
    if candidates is not None:
        wanted = set(as_ids(candidates))
        for node in wanted:
            graph.kind(node)  # UnknownNodeError for an unknown id
        tried = [t for t in tried if t[1] in wanted]
    chain_length = _ChainLength(graph, scenario, inc)
    dense = threshold - 1e-12 <= 0.0  # then products that do not move are hits too
    feeds_product = np.zeros(graph.n_components, dtype=bool)  # a removal elsewhere cannot move any product
    feeds_product[graph.upstream_of(products.tolist())] = True
    by_supplier = np.zeros(graph.n_suppliers, dtype=bool)
    by_country = np.zeros(graph.n_countries, dtype=bool)
    feeding = feeds_product[graph.entry_comp]
    by_supplier[graph.entry_supplier[feeding & (graph.entry_supplier >= 0)]] = True
    by_country[graph.entry_country[feeding]] = True
    if caps.reach == "owner":  # a country also cuts the suppliers it owns elsewhere
        by_country[graph.supplier_owner[graph.entry_supplier[feeding & (graph.entry_supplier >= 0)]]] = True
    for done, (kind, node, i) in enumerate(tried):
        if progress is not None and done % 256 == 0:
            progress(done, len(tried))
        if not graph.is_foreign(node):
            continue
        if not dense and not (by_country if kind == "country" else by_supplier)[i]:
            continue
        changed = inc.remove(country=i) if kind == "country" else inc.remove(supplier=i)
        moved = sorted(product_pos[c] for c in changed if c in product_pos)
        if dense:
            drop = np.zeros(products.size)
            for j in moved:
                drop[j] = base[j] - changed[int(products[j])]
            hit = np.flatnonzero(drop >= threshold - 1e-12).tolist()
            positive = np.flatnonzero(drop > 0).tolist()
            values = drop.tolist()
        else:
            values_by = {j: float(base[j] - changed[int(products[j])]) for j in moved}
            hit = [j for j in moved if values_by[j] >= threshold - 1e-12]
            positive = [j for j in moved if values_by[j] > 0]
            values = values_by  # type: ignore[assignment]
        if hit:
            drops = {graph.products[j]: float(values[j]) for j in positive}
            max_drop = max(float(values[j]) for j in (range(products.size) if dense else moved))
            hit_ids = [graph.products[j] for j in hit]
            rows.append(Bottleneck(node, kind, graph.name(node), "removal", graph.country_of_node(node),
                                   max_drop, hit_ids, drops=drops, chain_lengths=_ChainLengths(chain_length, node, hit_ids)))
    concentrated = []
    for c in _maybe_concentrated(graph, hhi_threshold).tolist():
        conc = concentration(graph, graph.component_ids[c])
        if conc.leader is None or conc.leader == graph.home or conc.hhi < hhi_threshold - 1e-12:
            continue
        concentrated.append((c, conc))
    hits_of = _downstream_products_all(graph) if len(concentrated) > 2000 else None
    for c, conc in concentrated:
        cid = graph.component_ids[c]
        hits = downstream_products(graph, cid) if hits_of is None else [graph.component_ids[p] for p in hits_of[c].tolist()]
        rows.append(Bottleneck(cid, "component", graph.name(cid), "concentration", conc.leader, 0.0,
                               hits, conc.hhi, conc.leader, conc.leader_share))
    rows.sort(key=lambda b: (b.reason != "removal", -b.max_drop, -(b.hhi or 0), -len(b.hits), b.node))
    return rows


def bottlenecks(
    graph: SupplyGraph,
    home: str | None = None,
    threshold: float | None = None,
    hhi_threshold: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    scenario: Scenario | None = None,
    candidates: Sequence[str] | None = None,
) -> BottleneckTable:
    """Foreign bottlenecks of the whole graph, most damaging first.

    Parameters
    ----------
    home : point of view (default: the graph's ``home``).
    threshold : minimum drop of some product's availability (default from settings, 0.5).
    hhi_threshold : minimum country HHI for a concentration bottleneck (default 0.25).
    progress : called as ``progress(done, total)`` over the removal candidates.
    scenario : horizon (default 1y), reach and the state removals are measured from.
    candidates : node ids to try removing (default: every foreign country and supplier).

    Notes
    -----
    Under a scenario: ``scenario`` (removals, limits, horizon, reach) is the state every removal
    is measured from, not a removal itself: the *baseline* is the scenario's
    availability ``a_S``, and removing a foreign node ``n`` drops product
    ``p`` by ``a_S(p) - a_S+n(p)``, where ``S+n`` is the scenario with ``n``
    also at capacity 0 (nodes the scenario removes or limits stay so; a node
    it already removed drops nothing more). The concentration rows (country
    HHI of the listed shares) are properties of the graph. ``--qualify``
    (:func:`chainmap.model.edit.qualify`) is an edit of the graph, applied
    before the call. ``scenario=None`` is ``Scenario()``: nothing removed,
    horizon 1y, reach ``location``.

    All removals are propagated together
    (:class:`~chainmap.analysis.batch.BatchPropagation`; one that reaches a
    cycle goes through :class:`~chainmap.analysis.incremental.Incremental`) and
    concentration is computed as numpy columns, so the rows equal
    :func:`bottlenecks_reference`'s. Each row's ``chain_lengths`` is computed
    when first read (from the batch's changed values, no recomputation). The
    concentration rows are counted at once but ranked on the first read of
    one of them: their order needs every concentrated component's downstream
    products, which a caller reading only the top (removal) rows never pays for.
    """
    graph = graph.with_home(home)
    settings = graph.settings
    threshold = settings.bottleneck_threshold if threshold is None else threshold
    hhi_threshold = settings.hhi_threshold if hhi_threshold is None else hhi_threshold
    if threshold - 1e-12 <= 0.0:  # every product is a hit of every removal: the reference's dense path
        return BottleneckTable(bottlenecks_reference(graph, home, threshold, hhi_threshold, progress, scenario,
                                                     candidates))
    scenario = scenario or Scenario()
    caps = capacities(graph, scenario)
    inc = Incremental(graph, caps)
    tried = _removal_candidates(graph, caps.reach, candidates)
    rows = _removal_rows(graph, inc, tried, threshold, _ChainLength(graph, scenario), progress)
    del inc
    rows.sort(key=lambda b: (-b.max_drop, -len(b.hits), b.node))  # removal rows have no hhi
    return BottleneckTable(rows, _Concentrated(graph, hhi_threshold))


class _Concentrated:
    """The concentration bottlenecks as columns, ranked (HHI, then hits, then id); rows built on read.

    Which components are concentrated (and so how many rows) is known at once; their ranking needs each
    one's downstream products (:class:`_ProductSets`), computed on first read of a row or of ``comps``.
    """

    def __init__(self, graph: SupplyGraph, hhi_threshold: float) -> None:
        n = graph.n_components
        self.graph = graph
        kc, kn, sums = _country_share_table(graph)
        hhi = np.bincount(kc, weights=sums * sums, minlength=n)
        leader = np.full(n, -1, dtype=np.int64)
        leader_share = np.zeros(n)
        if kc.size:
            lead = np.concatenate(([True], kc[1:] != kc[:-1]))
            leader[kc[lead]] = kn[lead]
            leader_share[kc[lead]] = sums[lead]
        self._unranked = np.flatnonzero((leader >= 0) & (leader != graph.home_index)
                                        & ~(hhi < hhi_threshold - 1e-12))
        self._all = (hhi, leader, leader_share)
        self._ranked: tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]] | None = None
        self.hits_of: _ProductSets | None = None
        self.small: dict[int, list[str]] = {}

    def _rank(self) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]]:
        if self._ranked is None:
            graph, comps = self.graph, self._unranked
            hhi, leader, leader_share = self._all
            if comps.size > 2000:
                self.hits_of = _ProductSets(graph)
                counts = self.hits_of.count(comps)
            else:
                self.small = {c: downstream_products(graph, graph.component_ids[c]) for c in comps.tolist()}
                counts = np.array([len(self.small[c]) for c in comps.tolist()], dtype=np.int64)
            order = np.lexsort((comps, -counts, -hhi[comps]))  # ids sorted within a kind: index order is id order
            ranked = comps[order]
            self._ranked = (ranked, hhi[ranked], leader[ranked], leader_share[ranked])
            del self._all
        return self._ranked

    @property
    def comps(self) -> IntArray:
        """The concentrated components, in rank order."""
        return self._rank()[0]

    @property
    def hhi(self) -> FloatArray:
        return self._rank()[1]

    @property
    def leader(self) -> IntArray:
        return self._rank()[2]

    @property
    def leader_share(self) -> FloatArray:
        return self._rank()[3]

    def __len__(self) -> int:
        return int(self._unranked.size)

    def column_values(self, start: int, stop: int) -> dict[str, Any]:
        """Rows ``start:stop`` as columns (the fields of :class:`Bottleneck`), without building rows."""
        g = self.graph
        comps = self.comps[start:stop].tolist()
        ids, names, cids = g.component_ids, g.arrays.component_name, g.country_ids
        if self.hits_of is None:
            hits = [list(self.small[c]) for c in comps]
        else:  # every row's products at once, then cut into rows
            ptr, prods = self.hits_of.ptr, self.hits_of.products
            at = np.asarray(comps, dtype=np.int64)
            starts, ends = ptr[at], ptr[at + 1]
            flat = list(map(ids.__getitem__, prods[ranges(starts, ends)].tolist()))
            bounds = np.cumsum(ends - starts).tolist()
            hits = [flat[a:b] for a, b in zip([0, *bounds[:-1]] if bounds else [], bounds, strict=True)]
        who = [cids[k] for k in self.leader[start:stop].tolist()]
        m = len(comps)
        return {"node": [ids[c] for c in comps], "kind": ["component"] * m, "name": [names[c] for c in comps],
                "reason": ["concentration"] * m, "country": who, "max_drop": np.zeros(m), "hits": hits,
                "hhi": self.hhi[start:stop], "leader": who, "leader_share": self.leader_share[start:stop],
                "drops": [{}] * m, "chain_lengths": [{}] * m}

    def row(self, i: int) -> Bottleneck:
        g = self.graph
        c = int(self.comps[i])
        cid = g.component_ids[c]
        if self.hits_of is None:
            hits = list(self.small[c])
        else:
            ids = g.component_ids
            hits = [ids[p] for p in self.hits_of.of(c).tolist()]
        who = g.country_ids[int(self.leader[i])]
        return Bottleneck(cid, "component", g.component_name(c), "concentration", who, 0.0, hits,
                          float(self.hhi[i]), who, float(self.leader_share[i]))


class BottleneckTable(LazyRows[Bottleneck]):
    """Ranked bottlenecks: the removal rows, then the concentration rows held as columns and built when read.

    A sequence (index, slice, iterate, ``len``, ``==`` with a list of rows).

    Examples
    --------
    >>> import chainmap
    >>> table = chainmap.bottlenecks(chainmap.load("tests/data/mini"))
    >>> len(table), table[0].node, table[-1].reason
    (8, 'NL', 'concentration')
    """

    def __init__(self, removal: list[Bottleneck], concentrated: _Concentrated | None = None) -> None:
        self._removal, self._conc = removal, concentrated

    fields = ("node", "kind", "name", "reason", "country", "max_drop", "hits", "hhi", "leader", "leader_share",
              "drops", "chain_lengths")

    def __len__(self) -> int:
        return len(self._removal) + (len(self._conc) if self._conc is not None else 0)

    def column_values(self, start: int, stop: int) -> dict[str, Any]:
        """Rows ``start:stop`` as columns: removal rows read from their rows (each one's chain lengths
        computed here), concentration rows from their columns."""
        n_rem = len(self._removal)
        parts = []
        if start < n_rem:
            rows = self._removal[start:min(stop, n_rem)]
            parts.append({name: [getattr(r, name) for r in rows] for name in self.fields})
        if stop > n_rem and self._conc is not None:
            parts.append(self._conc.column_values(max(start - n_rem, 0), stop - n_rem))
        if len(parts) == 1:
            return parts[0]
        return {name: [*parts[0][name], *(v.tolist() if isinstance(v := parts[1][name], np.ndarray) else v)]
                for name in self.fields}

    @overload
    def __getitem__(self, i: int) -> Bottleneck: ...

    @overload
    def __getitem__(self, i: slice) -> list[Bottleneck]: ...

    def __getitem__(self, i: int | slice) -> Bottleneck | list[Bottleneck]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        if i < len(self._removal):
            return self._removal[i]
        assert self._conc is not None
        return self._conc.row(i - len(self._removal))


def _removal_candidates(graph: SupplyGraph, reach: str, candidates: Sequence[str] | None) -> list[tuple[str, int]]:
    """``(kind, index)`` of the foreign countries and suppliers whose removal can move some product."""
    products = graph.product_index
    used_countries = np.flatnonzero(np.bincount(graph.entry_country, minlength=graph.n_countries))
    used_suppliers = np.flatnonzero(np.bincount(graph.entry_supplier[graph.entry_supplier >= 0],
                                                minlength=graph.n_suppliers))
    if reach == "owner":
        used_countries = np.union1d(used_countries, graph.supplier_owner)
    feeds_product = upstream_mask(graph, products)
    feeding = feeds_product[graph.entry_comp]
    by_supplier = np.zeros(graph.n_suppliers, dtype=bool)
    by_country = np.zeros(graph.n_countries, dtype=bool)
    by_supplier[graph.entry_supplier[feeding & (graph.entry_supplier >= 0)]] = True
    by_country[graph.entry_country[feeding]] = True
    if reach == "owner":  # a country also cuts the suppliers it owns elsewhere
        by_country[graph.supplier_owner[graph.entry_supplier[feeding & (graph.entry_supplier >= 0)]]] = True
    home = graph.home_index
    countries = used_countries[by_country[used_countries] & (used_countries != home)]
    suppliers = used_suppliers[by_supplier[used_suppliers] & (graph.supplier_country[used_suppliers] != home)]
    tried = [("country", i) for i in countries.tolist()] + [("supplier", i) for i in suppliers.tolist()]
    if candidates is not None:
        wanted = set(as_ids(candidates))
        for node in wanted:
            graph.kind(node)  # UnknownNodeError for an unknown id
        tried = [t for t in tried if (graph.country_ids if t[0] == "country" else graph.supplier_ids)[t[1]] in wanted]
    return tried


_BATCH_SEEDS = 400_000
"""Changed supply terms propagated together (bounds the batch's memory)."""


def _removal_rows(graph: SupplyGraph, inc: Incremental, tried: list[tuple[str, int]], threshold: float,
                  chain_length: _ChainLength, progress: Callable[[int, int], None] | None) -> list[Bottleneck]:
    """The removal bottlenecks among ``tried``, by batches of removals."""
    from chainmap.analysis.batch import BatchPropagation

    products = graph.product_index
    pos = np.full(graph.n_components, -1, dtype=np.int64)
    pos[products] = np.arange(products.size)
    base = inc.base[products]
    batch = BatchPropagation(inc)
    # batches of consecutive candidates whose seeds (affected components) add up to about _BATCH_SEEDS
    entries = np.zeros(len(tried), dtype=np.int64)
    for kind, order_ptr in (("country", inc._by_country), ("supplier", inc._by_supplier)):
        ks = np.array([k for k, t in enumerate(tried) if t[0] == kind], dtype=np.int64)
        if ks.size:
            idx = np.array([tried[k][1] for k in ks.tolist()], dtype=np.int64)
            entries[ks] = order_ptr[1][idx + 1] - order_ptr[1][idx]
    cuts = np.searchsorted(np.cumsum(entries), np.arange(1, entries.sum() // _BATCH_SEEDS + 1) * _BATCH_SEEDS)
    bounds = sorted({0, len(tried), *cuts.tolist()})
    rows: list[Bottleneck] = []
    pids = graph.products
    for lo, hi in itertools.pairwise(bounds):
        if progress is not None:
            progress(lo, len(tried))
        chunk = tried[lo:hi]
        if not chunk:
            continue
        k, c, f, d = batch.removal_seeds(chunk)
        result = batch.run(k, c, f, d, len(chunk))
        j = pos[result.comp]
        keep = j >= 0
        cand, j, drop = result.cand[keep], j[keep], base[j[keep]] - result.value[keep]
        if j.size > 1 and not _pairs_sorted(cand, j):  # sorted by (candidate, component): j follows component
            o = np.lexsort((j, cand))
            cand, j, drop = cand[o], j[o], drop[o]
        count = np.bincount(cand, minlength=len(chunk))
        first = np.cumsum(count) - count
        is_hit = drop >= threshold - 1e-12
        with_hit = np.flatnonzero(np.bincount(cand[is_hit], minlength=len(chunk)))
        # every changed value of a removal (sorted by candidate): kept for its chain lengths when few
        rlo = np.searchsorted(result.cand, np.arange(len(chunk)), side="left")
        rhi = np.searchsorted(result.cand, np.arange(len(chunk)), side="right")
        for m in sorted(set(with_hit.tolist()) | set(np.flatnonzero(result.fallback).tolist())):
            kind, i = chunk[m]
            if kind == "country":
                node, name, country = graph.country_ids[i], graph.arrays.country_name[i], graph.country_ids[i]
            else:
                node, name = graph.supplier_ids[i], graph.arrays.supplier_name[i]
                country = graph.country_ids[int(graph.supplier_country[i])]
            if result.fallback[m]:
                changed = inc.remove(country=i) if kind == "country" else inc.remove(supplier=i)
                moved = sorted(int(pos[x]) for x in changed if pos[x] >= 0)
                values = {jj: float(base[jj] - changed[int(products[jj])]) for jj in moved}
            else:
                sl = slice(int(first[m]), int(first[m] + count[m]))
                values = dict(zip(j[sl].tolist(), drop[sl].tolist(), strict=True))
                moved = list(values)
            hit = [jj for jj in moved if values[jj] >= threshold - 1e-12]
            if not hit:
                continue
            hit_ids = [pids[jj] for jj in hit]
            near = None
            if not result.fallback[m]:  # the changed values, for the chain lengths (no recomputation)
                near = (result.comp[rlo[m]:rhi[m]].astype(np.int32), result.value[rlo[m]:rhi[m]].copy())
            rows.append(Bottleneck(node, kind, name, "removal", country,
                                   max(values[jj] for jj in moved), hit_ids,
                                   drops={pids[jj]: values[jj] for jj in moved if values[jj] > 0},
                                   chain_lengths=_ChainLengths(chain_length, node, hit_ids, near,
                                                               (kind == "country", i, products[hit].tolist()))))
    if progress is not None:
        progress(len(tried), len(tried))
    return rows


def _pairs_sorted(cand: IntArray, j: IntArray) -> bool:
    """``(cand, j)`` in lexicographic order."""
    dc = np.diff(cand)
    return bool(np.all((dc > 0) | ((dc == 0) & (np.diff(j) >= 0))))


def _country_share_table(graph: SupplyGraph) -> tuple[IntArray, IntArray, FloatArray]:
    """``(component, country, share)`` of :func:`~chainmap.analysis.concentration.country_shares` for every
    component, in its order (component, then largest share first, ties by id), same arithmetic."""
    nc = graph.n_countries
    ec, share, country = graph.entry_comp, graph.entry_share, graph.entry_country
    total = np.bincount(ec, weights=share, minlength=graph.n_components)
    sel = np.flatnonzero(total[ec] > 0)
    keys, inverse = unique_inverse(ec[sel] * nc + country[sel], runs=True)  # entries by component
    sums = np.bincount(inverse, weights=share[sel] / total[ec[sel]], minlength=keys.size)
    kc, kn = keys // nc, keys % nc
    o = largest_first(kc, sums)  # keys are in (component, country) order: equal shares stay by country
    return kc[o].astype(np.int64), kn[o].astype(np.int64), sums[o].astype(np.float64)


class _ChainLength:
    """Length of the binding chain of each hit under one removal (explain), computed when first asked.

    Holds only the graph and the scenario; the incremental propagation that
    recomputes a removal's changed values is built on first use and shared.
    """

    def __init__(self, graph: SupplyGraph, scenario: Scenario, inc: Incremental | None = None) -> None:
        self.graph, self.scenario = graph, scenario
        self._inc = inc

    def __call__(self, node: str, hits: list[str], changed: tuple[NDArray[Any], FloatArray] | None = None,
                 at: tuple[bool, int, list[int]] | None = None) -> dict[str, int]:
        """``{hit: chain length}`` under the removal of ``node``; ``changed``: the removal's changed
        availabilities (components, values) when the caller has them (the batch computed them); ``at``:
        whether ``node`` is a country, its index and the hits' component indexes, when the caller has them
        (no lookup by id)."""
        from chainmap.analysis.chainlen import ChainLengths

        if self._inc is None:
            self._inc = Incremental(self.graph, capacities(self.graph, self.scenario))
        inc, g = self._inc, self.graph
        if at is None:
            is_country = g.kind(node) == "country"
            i = g.country_of[node] if is_country else g.supplier_of[node]
            comps = [g.component_of[t] for t in hits]
        else:
            is_country, i, comps = at
        ptr = (inc._by_country if is_country else inc._by_supplier)[1]
        # the scenario's capacities with the node removed (explain's); components' are shared, not changed
        caps = Capacities(inc.caps.country.copy(), inc.caps.supplier.copy(), inc.caps.component, inc.caps.unlisted,
                          inc.caps.horizon, inc.caps.reach)
        (caps.country if is_country else caps.supplier)[i] = 0.0
        after: FloatArray | _Overlay
        if changed is not None and changed[0].size > _DENSE:  # many changed values: one array is cheaper
            after = inc.base.copy()
            after[changed[0]] = changed[1]
        elif changed is not None:
            after = _Overlay(inc.base, dict(zip(changed[0].tolist(), changed[1].tolist(), strict=True)))
        elif int(ptr[i + 1] - ptr[i]) > inc.budget:  # reaches far: one full propagation gives the same values
            after = availability(g, caps)
        else:  # the changed values over the baseline, without a copy of the whole array per removal
            after = _Overlay(inc.base, inc.remove(country=i) if is_country else inc.remove(supplier=i))
        lengths = ChainLengths(g, caps, after, inc.base)
        return {t: lengths.of(c) for t, c in zip(hits, comps, strict=True)}


_DENSE = 20_000
"""Changed values above which a removal's availabilities are held as a whole array, not a dict."""


class _Overlay:
    """``base`` with some entries replaced (``changed``), read one index at a time (what explain's walker does)."""

    def __init__(self, base: FloatArray, changed: dict[int, float]) -> None:
        self.base, self.changed = base, changed

    def __getitem__(self, i: int) -> float:
        value = self.changed.get(i)
        return float(self.base[i]) if value is None else value


class _ChainLengths(Mapping[str, int]):
    """``{hit: binding chain length}`` of one removal, computed on first access (then kept).

    Copies (``dataclasses.asdict``, ``copy``) and pickles are plain dicts.
    """

    def __init__(self, source: _ChainLength, node: str, hits: list[str],
                 changed: tuple[NDArray[Any], FloatArray] | None = None,
                 at: tuple[bool, int, list[int]] | None = None) -> None:
        self._source, self._node, self._hits, self._changed, self._at = source, node, hits, changed, at
        self._value: dict[str, int] | None = None

    def _get(self) -> dict[str, int]:
        if self._value is None:
            self._value = self._source(self._node, self._hits, self._changed, self._at)
            self._changed = self._at = None
        return self._value

    def __getitem__(self, key: str) -> int:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def items(self) -> ItemsView[str, int]:
        return self._get().items()

    def __repr__(self) -> str:
        return repr(self._get())

    def __copy__(self) -> dict[str, int]:
        return dict(self._get())

    def __deepcopy__(self, memo: dict[int, object]) -> dict[str, int]:
        return copy.deepcopy(self._get(), memo)

    def __reduce__(self) -> tuple[type, tuple[dict[str, int]]]:
        return dict, (self._get(),)


class _ProductSets:
    """Per component, the product indexes (sorted) that require it transitively, itself included if a product
    (what :func:`_downstream_products_all` gives), as one CSR built with numpy.

    ``(component, product)`` pairs are pushed down the schedule from the products, step by
    step from the last: a step's pairs are complete once every later step has pushed (a
    component is required only by later steps or by its own cycle, whose members share
    one set), then de-duplicated and pushed to what the step's components require.
    """

    def __init__(self, graph: SupplyGraph) -> None:
        from chainmap.analysis.batch import _structure, _unique

        n = graph.n_components
        nb = max(int(n).bit_length(), 1)  # keys: component << nb | product
        mask = (1 << nb) - 1
        steps = graph.schedule.steps
        step_of = _structure(graph).step_of
        req = graph.requires_csr
        rptr, rcols = np.asarray(req.indptr, dtype=np.int64), np.asarray(req.indices, dtype=np.int64)
        products = graph.product_index.astype(np.int64)
        pending: dict[int, list[IntArray]] = {}
        for st, keys in zip(*_split_by(step_of[products], (products << nb) | products, len(steps)), strict=True):
            pending.setdefault(st, []).append(keys)
        done: list[IntArray] = []
        order = sorted(pending, reverse=True)
        heap = [-i for i in order]
        heapq.heapify(heap)
        queued = set(order)
        while heap:
            i = -heapq.heappop(heap)
            queued.discard(i)
            parts = pending.pop(i)
            keys = _unique(parts[0] if len(parts) == 1 else np.concatenate(parts))
            if steps[i].cyclic:  # every member of the cycle reaches the same products
                comps = np.sort(steps[i].comps).astype(np.int64)
                prods = _unique(keys & mask)
                keys = ((comps[:, None] << nb) | prods[None, :]).ravel()
            done.append(keys)
            c = keys >> nb
            starts, ends = rptr[c], rptr[c + 1]
            members = rcols[ranges(starts, ends)]
            pushed = np.repeat(keys & mask, ends - starts) | (members << nb)
            target = step_of[members]
            lower = target < i
            if not lower.all():
                pushed, target = pushed[lower], target[lower]
            for st, part in zip(*_split_by(target, pushed, len(steps)), strict=True):
                if st not in queued:
                    queued.add(st)
                    heapq.heappush(heap, -st)
                pending.setdefault(st, []).append(part)
        # CSR by placing each step's keys (sorted, its own components) at their components' rows: no global sort
        counts = np.zeros(n, dtype=np.int64)
        for keys in done:
            counts += np.bincount(keys >> nb, minlength=n)
        self.ptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.products = np.zeros(int(self.ptr[-1]), dtype=np.int32 if n < 2**31 else np.int64)
        while done:  # each chunk freed once placed (bounded memory)
            keys = done.pop()
            if keys.size == 0:
                continue
            c = keys >> nb
            idx = np.arange(keys.size)
            run_start = np.maximum.accumulate(np.where(np.concatenate(([True], c[1:] != c[:-1])), idx, 0))
            self.products[self.ptr[c] + idx - run_start] = keys & mask

    def count(self, comps: IntArray) -> IntArray:
        return (self.ptr[comps + 1] - self.ptr[comps]).astype(np.int64)

    def of(self, c: int) -> NDArray[Any]:
        return self.products[self.ptr[c]:self.ptr[c + 1]]


def _split_by(steps: IntArray, keys: IntArray, n_steps: int) -> tuple[list[int], list[IntArray]]:
    """``keys`` grouped by ``steps`` (distinct steps, and the keys of each, in their order)."""
    from chainmap.analysis.batch import _argsort_small

    if keys.size == 0:
        return [], []
    if bool(np.all(steps == steps[0])):
        return [int(steps[0])], [keys]
    order = _argsort_small(steps, n_steps)
    steps, keys = steps[order], keys[order]
    bounds = np.flatnonzero(steps[1:] != steps[:-1]) + 1
    return steps[np.concatenate(([0], bounds))].tolist(), np.split(keys, bounds)


def _downstream_products_all(graph: SupplyGraph) -> list[IntArray]:
    """Per component, the product indexes (sorted) that require it transitively, itself included if a product.

    One sweep from the top of the schedule down: a component's set is its own
    (if a product) joined with its users' sets; a cycle shares one set.
    """
    n = graph.n_components
    is_product = np.zeros(n, dtype=bool)
    is_product[graph.product_index] = True
    down = graph.required_by_csr
    uptr, users = down.indptr.tolist(), down.indices.tolist()
    empty = np.zeros(0, dtype=np.int64)
    hits: list[IntArray] = [empty] * n
    for step in reversed(graph.schedule.steps):
        comps = step.comps.tolist()
        if step.cyclic:
            inside = set(comps)
            parts = [np.array([c for c in comps if is_product[c]], dtype=np.int64)]
            parts += [hits[u] for c in comps for u in users[uptr[c]:uptr[c + 1]] if u not in inside]
            merged = np.unique(np.concatenate(parts))
            for c in comps:
                hits[c] = merged
            continue
        for c in comps:
            parts = [hits[u] for u in users[uptr[c]:uptr[c + 1]]]
            if is_product[c]:
                parts.append(np.array([c], dtype=np.int64))
            if not parts:
                continue
            hits[c] = parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))
    return hits


def _maybe_concentrated(graph: SupplyGraph, hhi_threshold: float) -> IntArray:
    """Components whose country HHI may reach the threshold (vectorised prefilter; exact test follows)."""
    n, nc = graph.n_components, graph.n_countries
    if graph.entry_comp.size == 0:
        return np.zeros(0, dtype=np.int64)
    total = np.bincount(graph.entry_comp, weights=graph.entry_share, minlength=n)
    key = graph.entry_comp * nc + graph.entry_country
    keys, inverse = unique_inverse(key)
    sums = np.bincount(inverse, weights=graph.entry_share)
    owner = keys // nc
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = sums / total[owner]
    hhi = np.bincount(owner, weights=np.nan_to_num(frac) ** 2, minlength=n)
    return np.flatnonzero((total > 0) & (hhi >= hhi_threshold - 1e-9))
