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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from chainmap.analysis.concentration import concentration
from chainmap.analysis.incremental import Incremental
from chainmap.analysis.scenario import Scenario, capacities
from chainmap.graph import FloatArray, IntArray, SupplyGraph

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
    chain_lengths: dict[str, int] = field(default_factory=dict)


def downstream_products(graph: SupplyGraph, component: str) -> list[str]:
    """Products that require ``component`` (transitively), itself included if a product."""
    c = graph.component_of[component]
    reached = graph.downstream_of([c])
    is_product = np.zeros(graph.n_components, dtype=bool)
    is_product[graph.product_index] = True
    ids = graph.component_ids
    return [ids[k] for k in reached[is_product[reached]].tolist()]


def bottlenecks(
    graph: SupplyGraph,
    home: str | None = None,
    threshold: float | None = None,
    hhi_threshold: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    scenario: Scenario | None = None,
    candidates: Sequence[str] | None = None,
) -> list[Bottleneck]:
    """Foreign bottlenecks of the whole graph, most damaging first.

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
        wanted = set(candidates)
        for node in wanted:
            graph.kind(node)  # UnknownNodeError for an unknown id
        tried = [t for t in tried if t[1] in wanted]
    chain_length = _ChainLength(graph, scenario, inc.base)
    dense = threshold - 1e-12 <= 0.0  # then products that do not move are hits too
    feeds_product = np.zeros(graph.n_components, dtype=bool)  # a removal elsewhere cannot move any product
    feeds_product[graph.upstream_of(products.tolist())] = True
    by_supplier = np.zeros(graph.n_suppliers, dtype=bool)
    by_country = np.zeros(graph.n_countries, dtype=bool)
    feeding = feeds_product[graph.entry_comp]
    by_supplier[graph.entry_supplier[feeding & (graph.entry_supplier >= 0)]] = True
    by_country[graph.entry_country[feeding]] = True
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
                                   max_drop, hit_ids, drops=drops, chain_lengths=chain_length(node, hit_ids, changed)))
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


class _ChainLength:
    """Length of the binding chain of each hit under one removal (explain), computed lazily."""

    def __init__(self, graph: SupplyGraph, scenario: Scenario, base: FloatArray) -> None:
        self.graph, self.scenario, self.base = graph, scenario, base

    def __call__(self, node: str, hits: list[str], changed: dict[int, float]) -> dict[str, int]:
        from chainmap.analysis.explain import explain_many

        removed = Scenario(remove=(*self.scenario.remove, node), limit=self.scenario.limit,
                           horizon=self.scenario.horizon, reach=self.scenario.reach)
        after = self.base.copy()
        if changed:
            after[np.fromiter(changed.keys(), dtype=np.int64)] = np.fromiter(changed.values(), dtype=np.float64)
        chains = explain_many(self.graph, hits, removed, availabilities=(after, self.base))
        return {t: len(chain.steps) for t, chain in chains.items()}


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
    keys, inverse = np.unique(key, return_inverse=True)
    sums = np.bincount(inverse, weights=graph.entry_share)
    owner = keys // nc
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = sums / total[owner]
    hhi = np.bincount(owner, weights=np.nan_to_num(frac) ** 2, minlength=n)
    return np.flatnonzero((total > 0) & (hhi >= hhi_threshold - 1e-9))
