"""Minimal cut sets: smallest sets of nodes whose joint removal takes a target down.

Definition (DESIGN): a minimal cut set of order k of target ``t`` is a set of
k nodes (of the chosen kinds) whose joint removal takes ``t`` down while no
proper subset does; order 1 is a single point of failure.

Algorithm: for every non-cut set ``R`` of order ``k - 1`` (starting from the
empty set), remove ``R`` and compute the kill sets of the remaining graph
(:func:`chainmap.analysis.spof.kill_sets`, restricted to ``t``'s upstream
cone): every ``n`` in ``K_R(t)`` makes ``R ∪ {n}`` a cut, kept when minimal.
Only nodes that can matter to ``t`` (in its cone, or supplying it) are tried.

Examples
--------
>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> [c.nodes for c in cut_sets(g, "office-pc", max_order=2, kinds=("country",))]
[['NL'], ['CN', 'JP'], ['CN', 'US']]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from chainmap.analysis.scenario import Scenario, capacities
from chainmap.analysis.spof import _kind_mask, bits_to_ids, kill_sets, upstream
from chainmap.errors import UnknownNodeError
from chainmap.graph import SupplyGraph

__all__ = ["CutSet", "cut_sets"]


@dataclass(frozen=True)
class CutSet:
    """A minimal set of nodes whose joint removal takes ``target`` down."""

    target: str
    order: int
    nodes: list[str]
    kinds: list[str]
    foreign: bool


def cut_sets(
    graph: SupplyGraph,
    target: str,
    max_order: int = 2,
    kinds: Sequence[str] | None = ("country",),
    scenario: Scenario | None = None,
) -> list[CutSet]:
    """All minimal cut sets of ``target`` up to ``max_order`` nodes of ``kinds``.

    Returns cut sets sorted by order, then by their node ids. Empty when the
    target is already down.
    """
    if target not in graph.component_of:
        raise UnknownNodeError(f"unknown target component {target!r}")
    if max_order < 1:
        raise UnknownNodeError("max_order must be at least 1")
    base_caps = capacities(graph, scenario)
    t = graph.component_of[target]
    cone = upstream(graph, [t])
    mask = _kind_mask(graph, kinds) & ~(1 << (graph.n_countries + graph.n_suppliers + t))
    relevant = _relevant(graph, cone) & mask
    base = kill_sets(graph, base_caps, cone)[t]
    if base is None:
        return []
    found: set[frozenset[str]] = {frozenset([n]) for n in bits_to_ids(graph, base & relevant)}
    candidates = [n for n in bits_to_ids(graph, relevant) if frozenset([n]) not in found]
    for order in range(2, max_order + 1):
        for rest in combinations(candidates, order - 1):
            removed = frozenset(rest)
            if any(c <= removed for c in found):
                continue
            caps = base_caps.copy()
            for node in rest:
                caps.set(graph, node, 0.0)
            kill = kill_sets(graph, caps, cone)[t]
            extra = bits_to_ids(graph, (kill or relevant) & relevant)
            for n in extra:
                if n in removed:
                    continue
                cut = removed | {n}
                if not any(c < cut for c in found):
                    found.add(cut)
    order_of = {node: i for i, node in enumerate(graph.ids)}
    rows = []
    for cut in found:
        nodes = sorted(cut, key=order_of.__getitem__)
        rows.append(CutSet(target, len(nodes), nodes, sorted({graph.kind(n) for n in nodes}),
                           all(graph.is_foreign(n) for n in nodes)))
    rows.sort(key=lambda c: (c.order, [order_of[n] for n in c.nodes]))
    return rows


def _relevant(graph: SupplyGraph, cone: set[int]) -> int:
    """Bits of the nodes that can affect the cone: its components and their suppliers' countries."""
    offset = graph.n_countries + graph.n_suppliers
    bits = 0
    for c in cone:
        bits |= 1 << (offset + c)
        for e in graph.entries_of[c]:
            bits |= 1 << int(graph.entry_country[e])
            sup = int(graph.entry_supplier[e])
            if sup >= 0:
                bits |= 1 << (graph.n_countries + sup)
    return bits
