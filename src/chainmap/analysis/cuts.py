"""Minimal cut sets: smallest sets of nodes whose joint removal takes a target down.

Definition (DESIGN): a minimal cut set of order k of target ``t`` is a set of
k nodes (of the chosen kinds) whose joint removal takes ``t`` down while no
proper subset does; order 1 is a single point of failure. Structural:
computed at horizon ``long``.

Algorithm: for every non-cut set ``R`` of order ``k - 1`` (starting from the
empty set), the kill set ``K_R(t)`` of the graph with ``R`` removed: every
``n`` in it makes ``R ∪ {n}`` a cut, kept when minimal. Only nodes that can
matter to ``t`` (in its cone, or supplying it) are tried, and the kill sets of
all the ``R`` of an order are evaluated together, over ``t``'s upstream cone
only, one bit per (``R``, ``n``) (:class:`chainmap.analysis.killblocks.ConeKill`;
orders 1 and 2 in one pass).

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

import numpy as np

from chainmap.analysis.killblocks import ConeKill, upstream_cone
from chainmap.analysis.lazyrows import ResultList
from chainmap.analysis.scenario import Scenario
from chainmap.analysis.spof import _kinds, structural_capacities
from chainmap.errors import UnknownNodeError
from chainmap.graph import IntArray, SupplyGraph, ranges

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
    of removed nodes are tried (per chunk of them).
    """
    if target not in graph.component_of:
        raise UnknownNodeError(f"unknown target component {target!r}{graph.did_you_mean(target, ['component'])}")
    if max_order < 1:
        raise UnknownNodeError("max_order must be at least 1")
    _kinds(kinds)
    caps = structural_capacities(graph, scenario)
    t = graph.component_of[target]
    cone = upstream_cone(graph, t)
    universe = _relevant(graph, cone, kinds, caps.reach)
    universe = universe[universe != graph.n_countries + graph.n_suppliers + t]
    engine = ConeKill(graph, t, universe, caps, cone)
    m = int(universe.size)
    first: list[tuple[int, ...]] = [(), *[(i,) for i in range(m)]] if max_order >= 2 else [()]
    down = engine.down(first, progress)
    if down[0, m]:
        return ResultList([], CutSet)  # the target is already down
    singles = np.flatnonzero(down[0, :m])
    found: set[frozenset[int]] = {frozenset([i]) for i in singles.tolist()}
    if max_order >= 2:
        minimal = down[1:, :m].copy()
        minimal[singles, :] = False
        minimal[:, singles] = False
        for i, j in zip(*np.nonzero(minimal), strict=True):
            found.add(frozenset([int(i), int(j)]))
    candidates = [i for i in range(m) if frozenset([i]) not in found]
    for order in range(3, max_order + 1):
        blocks = [rest for rest in combinations(candidates, order - 1) if not _holds_cut(rest, found)]
        down = engine.down(blocks, progress)
        new: set[frozenset[int]] = set()
        for b, j in zip(*np.nonzero(down[:, :m]), strict=True):
            cut = frozenset([*blocks[b], int(j)])
            if len(cut) == order and not _holds_cut(tuple(cut), found, proper=True):
                new.add(cut)
        found |= new
    ids = graph.ids
    rows = []
    for nodes in sorted((sorted(int(universe[i]) for i in cut) for cut in found), key=lambda c: (len(c), c)):
        rows.append(CutSet(target, len(nodes), [ids[v] for v in nodes], sorted({_kind(graph, v) for v in nodes}),
                           all(_is_foreign(graph, v) for v in nodes)))
    return ResultList(rows, CutSet)


def _kind(graph: SupplyGraph, vertex: int) -> str:
    """The kind of a vertex id (by its range)."""
    if vertex < graph.n_countries:
        return "country"
    return "supplier" if vertex < graph.n_countries + graph.n_suppliers else "component"


def _is_foreign(graph: SupplyGraph, vertex: int) -> bool:
    """:meth:`SupplyGraph.is_foreign` of a vertex id: a country other than home or a supplier located there."""
    nc = graph.n_countries
    if vertex < nc:
        return vertex != graph.home_index
    if vertex < nc + graph.n_suppliers:
        return int(graph.supplier_country[vertex - nc]) != graph.home_index
    return False


def _holds_cut(nodes: tuple[int, ...], found: set[frozenset[int]], proper: bool = False) -> bool:
    """Whether a found cut is a subset (``proper``: a proper subset) of ``nodes``."""
    top = len(nodes) - 1 if proper else len(nodes)
    return any(frozenset(sub) in found for k in range(1, top + 1) for sub in combinations(nodes, k))


def _relevant(graph: SupplyGraph, cone: IntArray, kinds: Sequence[str] | None, reach: str = "location") -> IntArray:
    """Vertex ids (sorted) of the wanted kinds that can affect the cone: its components, their suppliers and
    countries (and, reach ``owner``, the suppliers' owners)."""
    wanted = _kinds(kinds)
    nc, ns = graph.n_countries, graph.n_suppliers
    entries = ranges(graph.entry_ptr[cone], graph.entry_ptr[cone + 1])  # the cone's supply entries
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
