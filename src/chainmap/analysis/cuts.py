"""Minimal cut sets: smallest sets of nodes whose joint removal takes a target down.

Definition (DESIGN): a minimal cut set of order k of target ``t`` is a set of
k nodes (of the chosen kinds) whose joint removal takes ``t`` down while no
proper subset does; order 1 is a single point of failure. Structural:
computed at horizon ``long``.

Algorithm: for every non-cut set ``R`` of order ``k - 1`` (starting from the
empty set), remove ``R`` and compute the kill sets of the remaining graph
(:func:`chainmap.analysis.spof.kill_members`, restricted to ``t``'s upstream
cone): every ``n`` in ``K_R(t)`` makes ``R ∪ {n}`` a cut, kept when minimal.
Only nodes that can matter to ``t`` (in its cone, or supplying it) are tried.

Examples
--------
>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> [c.nodes for c in cut_sets(g, "office-pc", max_order=2, kinds=("country",))]
[['NL'], ['CN', 'US']]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np

from chainmap.analysis.lazyrows import ResultList
from chainmap.analysis.propagate import availability
from chainmap.analysis.scenario import Scenario
from chainmap.analysis.spof import _kinds, _remove_vertex, cone_steps, is_up, kill_members, structural_capacities
from chainmap.errors import UnknownNodeError
from chainmap.graph import IntArray, SupplyGraph

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
    progress: Callable[[int, int], None] | None = None,
) -> list[CutSet]:
    """All minimal cut sets of ``target`` up to ``max_order`` nodes of ``kinds``.

    Returns cut sets sorted by order, then by their node ids. Empty when the
    target is already down. ``progress(done, total)`` is called as the sets
    of removed nodes are tried.
    """
    if target not in graph.component_of:
        raise UnknownNodeError(f"unknown target component {target!r}{graph.did_you_mean(target, ['component'])}")
    if max_order < 1:
        raise UnknownNodeError("max_order must be at least 1")
    _kinds(kinds)
    base_caps = structural_capacities(graph, scenario)
    t = graph.component_of[target]
    cone_idx = graph.upstream_of([t])
    cone = cone_steps(graph, cone_idx)
    targets = np.array([t], dtype=np.int64)
    relevant = [v for v in _relevant(graph, cone_idx, kinds, base_caps.reach).tolist()
                if v != graph.n_countries + graph.n_suppliers + t]
    relevant_set = set(relevant)
    up = is_up(availability(graph, base_caps, steps=cone.steps))
    base = kill_members(graph, base_caps, targets, kinds, cone, up)[0]
    if base is None:
        return ResultList([], CutSet)
    found: set[frozenset[int]] = {frozenset([v]) for v in base.tolist() if v in relevant_set}
    candidates = [v for v in relevant if frozenset([v]) not in found]
    for order in range(2, max_order + 1):
        total = comb(len(candidates), order - 1)
        for done, rest in enumerate(combinations(candidates, order - 1)):
            if progress is not None and done % 64 == 0:
                progress(done, total)
            removed = frozenset(rest)
            if any(c <= removed for c in found):
                continue
            caps = base_caps.copy()
            for v in rest:
                _remove_vertex(graph, caps, v)
            up = is_up(availability(graph, caps, steps=cone.steps))
            kill = kill_members(graph, caps, targets, kinds, cone, up)[0]
            extra = relevant if kill is None else [v for v in kill.tolist() if v in relevant_set]
            for n in extra:
                if n in removed:
                    continue
                cut = removed | {n}
                if not any(c < cut for c in found):
                    found.add(cut)
    ids = graph.ids
    rows = []
    for cut in found:
        nodes = [ids[v] for v in sorted(cut)]
        rows.append(CutSet(target, len(nodes), nodes, sorted({graph.kind(n) for n in nodes}),
                           all(graph.is_foreign(n) for n in nodes)))
    rows.sort(key=lambda c: (c.order, [graph.index[n] for n in c.nodes]))
    return ResultList(rows, CutSet)


def _relevant(graph: SupplyGraph, cone: IntArray, kinds: Sequence[str] | None, reach: str = "location") -> IntArray:
    """Vertex ids (sorted) of the wanted kinds that can affect the cone: its components, their suppliers and
    countries (and, reach ``owner``, the suppliers' owners)."""
    wanted = _kinds(kinds)
    nc, ns = graph.n_countries, graph.n_suppliers
    in_cone = np.zeros(graph.n_components, dtype=bool)
    in_cone[cone] = True
    entries = in_cone[graph.entry_comp]
    parts = []
    if "country" in wanted:
        parts.append(np.unique(graph.entry_country[entries]))
        if reach == "owner":
            sup = graph.entry_supplier[entries]
            parts.append(np.unique(graph.supplier_owner[sup[sup >= 0]]))
    if "supplier" in wanted:
        sup = graph.entry_supplier[entries]
        parts.append(nc + np.unique(sup[sup >= 0]))
    if "component" in wanted:
        parts.append(nc + ns + cone)
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
