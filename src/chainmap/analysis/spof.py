"""Single points of failure: nodes whose removal alone takes a target down.

Definition (DESIGN): a node ``n``, not ``t``, is a single point of failure of
target ``t`` when removing ``n`` alone takes ``t`` down (``a(t) = 0``) while
``t`` is up (``a(t) > 0``) under the scenario.

Algorithm: no recomputation per node. The *kill set* ``K(c)`` of a component
is the set of nodes whose removal takes it down. With baseline-up members
and live supply entries only::

    K(entry) = {supplier, its country}  or  {country}
    K(c)     = {c}  ∪  ⋂ K(entry) over c's entries
                    ∪  ⋃ over c's groups of ⋂ K(member)

Removing ``n`` takes ``c`` down exactly when ``n`` is in the least fixed point
of these equations (the complement of the greatest fixed point that defines
"up"), so iterating from empty sets, level by level, and to a fixed point
inside cycles gives every ``K`` at once. Sets are Python ints used as bitsets
over vertex ids.

Examples
--------
>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> sorted(spof_sets(g)["logic-chip"])
['NL', 'asml', 'scanner', 'wafer']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chainmap.analysis.propagate import availability, entry_capacity
from chainmap.analysis.scenario import Capacities, Scenario, capacities
from chainmap.errors import UnknownNodeError
from chainmap.graph import KINDS, SupplyGraph

__all__ = ["SinglePointOfFailure", "bits_to_ids", "kill_sets", "resolve_targets", "single_points_of_failure", "spof_sets", "upstream"]


@dataclass(frozen=True)
class SinglePointOfFailure:
    """A node and the targets its removal alone takes down."""

    node: str
    kind: str
    name: str
    country: str | None
    foreign: bool
    targets: list[str]


def resolve_targets(graph: SupplyGraph, targets: Iterable[str] | None) -> list[str]:
    """Component ids to analyse: given ids, sector codes (their products), or all products."""
    if targets is None:
        return graph.products
    out: list[str] = []
    for t in targets:
        if t in graph.component_of:
            out.append(t)
        elif t in graph.sectors:
            out.extend(graph.sectors[t].products)
        else:
            raise UnknownNodeError(f"unknown target {t!r} (expected a component id or a sector code)")
    return sorted(dict.fromkeys(out))


def kill_sets(graph: SupplyGraph, caps: Capacities, within: set[int] | None = None) -> list[int | None]:
    """``K(c)`` as an int bitset over vertex ids, per component index.

    ``None`` marks a component already down under ``caps``. With ``within``,
    only those components (closed under requirements) are computed.
    """
    n = graph.n_components
    up = availability(graph, caps) > 0
    offset = graph.n_countries + graph.n_suppliers
    live = (entry_capacity(graph, caps) > 0) & (graph.entry_share > 0)
    entry_bits: list[int] = []
    for e in range(len(graph.entry_comp)):
        sup = int(graph.entry_supplier[e])
        bits = 1 << int(graph.entry_country[e])
        if sup >= 0:
            bits |= 1 << (graph.n_countries + sup)
        entry_bits.append(bits)
    supply_bits: list[int] = [0] * n
    for c in range(n):
        entries = [entry_bits[e] for e in graph.entries_of[c] if live[e]]
        if entries:
            acc = entries[0]
            for b in entries[1:]:
                acc &= b
            supply_bits[c] = acc
    members_of = graph.group_member_lists
    groups_of = graph.groups_of
    kill: list[int | None] = [None if not up[c] else 0 for c in range(n)]

    def evaluate(c: int) -> int:
        acc = (1 << (offset + c)) | supply_bits[c]
        for g in groups_of[c]:
            inter: int | None = None
            for m in members_of[g]:
                km = kill[m]
                if km is None:
                    continue
                inter = km if inter is None else inter & km
            acc |= inter or 0
        return acc

    for step in graph.schedule.steps:
        comps = [c for c in step.comps.tolist() if up[c] and (within is None or c in within)]
        if not step.cyclic:
            for c in comps:
                kill[c] = evaluate(c)
            continue
        changed = True
        while changed:
            changed = False
            for c in comps:
                new = evaluate(c)
                if new != kill[c]:
                    kill[c] = new
                    changed = True
    return kill


def bits_to_ids(graph: SupplyGraph, bits: int) -> list[str]:
    """Vertex ids of the set bits, in vertex order."""
    out = []
    while bits:
        low = bits & -bits
        out.append(graph.ids[low.bit_length() - 1])
        bits ^= low
    return out


def _kind_mask(graph: SupplyGraph, kinds: Sequence[str] | None) -> int:
    wanted = set(kinds or KINDS)
    unknown = wanted - set(KINDS)
    if unknown:
        raise UnknownNodeError(f"unknown node kind(s): {', '.join(sorted(unknown))}")
    mask = 0
    nc, ns, nk = graph.n_countries, graph.n_suppliers, graph.n_components
    if "country" in wanted:
        mask |= (1 << nc) - 1
    if "supplier" in wanted:
        mask |= ((1 << ns) - 1) << nc
    if "component" in wanted:
        mask |= ((1 << nk) - 1) << (nc + ns)
    return mask


def upstream(graph: SupplyGraph, targets: Iterable[int]) -> set[int]:
    """Component indexes the targets depend on (requirements, transitively), targets included."""
    cone: set[int] = set()
    for t in targets:
        cone.update(graph.component_graph.subcomponent(t, mode="out"))
    return cone


def spof_sets(
    graph: SupplyGraph,
    targets: Iterable[str] | None = None,
    kinds: Sequence[str] | None = None,
    scenario: Scenario | None = None,
) -> dict[str, set[str]]:
    """For each target, the set of single points of failure (of ``kinds``)."""
    target_ids = resolve_targets(graph, targets)
    caps = capacities(graph, scenario)
    idx = [graph.component_of[t] for t in target_ids]
    kill = kill_sets(graph, caps, upstream(graph, idx) if idx else set())
    mask = _kind_mask(graph, kinds)
    offset = graph.n_countries + graph.n_suppliers
    out: dict[str, set[str]] = {}
    for t, i in zip(target_ids, idx, strict=True):
        k = kill[i]
        out[t] = set() if k is None else set(bits_to_ids(graph, k & mask & ~(1 << (offset + i))))
    return out


def single_points_of_failure(
    graph: SupplyGraph,
    targets: Iterable[str] | None = None,
    kinds: Sequence[str] | None = None,
    scenario: Scenario | None = None,
) -> list[SinglePointOfFailure]:
    """Every single point of failure with the targets it takes down.

    Parameters
    ----------
    targets : component ids or sector codes (default: every sector product).
    kinds : node kinds to report (``country``, ``supplier``, ``component``; default all).
    scenario : evaluate on top of this scenario (default: baseline).

    Returns rows sorted by number of targets hit (most first), then id.
    """
    sets = spof_sets(graph, targets, kinds, scenario)
    hits: dict[str, list[str]] = {}
    for target in sorted(sets):
        for node in sets[target]:
            hits.setdefault(node, []).append(target)
    rows = [
        SinglePointOfFailure(
            node=node,
            kind=graph.kind(node),
            name=graph.name(node),
            country=graph.country_of_node(node),
            foreign=graph.is_foreign(node),
            targets=hits[node],
        )
        for node in hits
    ]
    rows.sort(key=lambda r: (-len(r.targets), r.node))
    return rows

