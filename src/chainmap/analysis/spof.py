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
inside cycles gives every ``K`` at once.

:func:`kill_members` evaluates these equations with numpy over uint64 bit
matrices (a row per component, a bit per node of the wanted kinds that can
appear in a kill set: a country or supplier only through some component's
supply intersection, which holds at most one of each), in chunks of bits when
the universe is large; :func:`kill_sets` is the plain Python-int version.

Examples
--------
>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> sorted(spof_sets(g)["logic-chip"])
['NL', 'asml', 'scanner', 'wafer']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from chainmap.analysis.propagate import availability, entry_capacity
from chainmap.analysis.scenario import Capacities, Scenario, capacities
from chainmap.errors import UnknownNodeError
from chainmap.graph import KINDS, IntArray, Step, SupplyGraph

__all__ = [
    "SinglePointOfFailure",
    "bits_to_ids",
    "cone_steps",
    "kill_members",
    "kill_sets",
    "resolve_targets",
    "single_points_of_failure",
    "spof_sets",
    "supply_intersection",
    "upstream",
]


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

    _solve_in_order(graph.schedule.steps, lambda c: bool(up[c]) and (within is None or c in within), evaluate, kill, 0)
    return kill


K = TypeVar("K")


def _solve_in_order(
    steps: Iterable[Step], keep: Callable[[int], bool], evaluate: Callable[[int], K], kill: list[K | None], empty: K
) -> None:
    """Fill ``kill`` step by step: one pass over acyclic batches; inside a cycle, the
    least fixed point, iterated from ``empty`` until nothing changes."""
    for step in steps:
        comps = [c for c in step.comps.tolist() if keep(c)]
        if not step.cyclic:
            for c in comps:
                kill[c] = evaluate(c)
            continue
        for c in comps:
            kill[c] = empty
        changed = True
        while changed:
            changed = False
            for c in comps:
                new = evaluate(c)
                if new != kill[c]:
                    kill[c] = new
                    changed = True


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
    return set(graph.upstream_of(list(targets)).tolist())


def spof_sets(
    graph: SupplyGraph,
    targets: Iterable[str] | None = None,
    kinds: Sequence[str] | None = None,
    scenario: Scenario | None = None,
) -> dict[str, set[str]]:
    """For each target, the set of single points of failure (of ``kinds``)."""
    target_ids = resolve_targets(graph, targets)
    caps = capacities(graph, scenario)
    idx = np.array([graph.component_of[t] for t in target_ids], dtype=np.int64)
    kills = kill_members(graph, caps, idx, kinds)
    ids = graph.ids
    return {t: set() if k is None else {ids[v] for v in k.tolist()} for t, k in zip(target_ids, kills, strict=True)}


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


# -- vectorised kill sets ------------------------------------------------------
#
# The same equations evaluated with numpy over uint64 bit matrices: one row per
# component, one bit per node of a *universe* (the nodes of the wanted kinds
# that can appear in a kill set at all: a country or supplier only through
# some component's supply intersection, a component only in the cone). Large
# universes are processed in chunks of bits, one pass over the cone each.

_FULL = np.uint64(0xFFFFFFFFFFFFFFFF)
CHUNK_BYTES = 128 << 20  # memory for one chunk's bit matrix
SPARSE_ABOVE_WORDS = 16  # larger universes: one small Python set per component instead


@dataclass(frozen=True)
class _ConeSteps:
    """The evaluation schedule restricted to a cone (closed under requirements)."""

    steps: tuple[Step, ...]
    cone: IntArray
    # per step: start of each component's groups within the step's groups (for reduceat), comps with groups
    group_starts: tuple[IntArray, ...]
    with_groups: tuple[IntArray, ...]


def cone_steps(graph: SupplyGraph, cone: IntArray | None = None) -> _ConeSteps:
    """The schedule's steps restricted to ``cone`` (all components when None)."""
    steps: list[Step] = []
    if cone is None:
        steps = list(graph.schedule.steps)
        cone = np.arange(graph.n_components, dtype=np.int64)
    else:
        inside = np.zeros(graph.n_components, dtype=bool)
        inside[cone] = True
        for step in graph.schedule.steps:
            keep = inside[step.comps]
            if keep.all():
                steps.append(step)
            elif keep.any():
                steps.append(graph._step(step.cyclic, step.comps[keep]))
    starts: list[IntArray] = []
    withg: list[IntArray] = []
    for step in steps:
        if step.owner_pos.size:
            first = np.flatnonzero(np.diff(step.owner_pos, prepend=-1) != 0)
            starts.append(first.astype(np.int64))
            withg.append(step.owner_pos[first])
        else:
            starts.append(np.zeros(0, dtype=np.int64))
            withg.append(np.zeros(0, dtype=np.int64))
    return _ConeSteps(tuple(steps), cone, tuple(starts), tuple(withg))


def supply_intersection(graph: SupplyGraph, caps: Capacities) -> tuple[IntArray, IntArray]:
    """Per component, the country and the supplier common to all its live supply entries (-1: none)."""
    n = graph.n_components
    live = (entry_capacity(graph, caps) > 0) & (graph.entry_share > 0)
    comp = graph.entry_comp[live]
    country = np.full(n, -1, dtype=np.int64)
    supplier = np.full(n, -1, dtype=np.int64)
    if comp.size == 0:
        return country, supplier
    starts = np.flatnonzero(np.diff(comp, prepend=-1) != 0)
    owners = comp[starts]
    for values, out in ((graph.entry_country[live], country), (graph.entry_supplier[live], supplier)):
        lo = np.minimum.reduceat(values, starts)
        hi = np.maximum.reduceat(values, starts)
        same = lo == hi
        out[owners[same]] = lo[same]
    return country, supplier


def kill_members(
    graph: SupplyGraph,
    caps: Capacities,
    targets: IntArray,
    kinds: Sequence[str] | None = None,
    cone: _ConeSteps | None = None,
    up: NDArray[np.bool_] | None = None,
) -> list[IntArray | None]:
    """``K(t)`` restricted to ``kinds`` as sorted vertex ids, per target (None: target already down).

    ``cone`` must contain the targets' upstream cone (default: computed).
    """
    wanted = _kinds(kinds)
    if cone is None:
        cone = cone_steps(graph, graph.upstream_of(targets.tolist()) if targets.size else np.zeros(0, dtype=np.int64))
    if up is None:
        up = availability(graph, caps) > 0
    nc, ns = graph.n_countries, graph.n_suppliers
    offset = nc + ns
    s_country, s_supplier = supply_intersection(graph, caps)
    cone_up = cone.cone[up[cone.cone]]
    parts = []
    if "country" in wanted:
        parts.append(np.unique(s_country[cone_up][s_country[cone_up] >= 0]))
    if "supplier" in wanted:
        parts.append(nc + np.unique(s_supplier[cone_up][s_supplier[cone_up] >= 0]))
    if "component" in wanted:
        parts.append(offset + cone_up)
    universe = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
    position = np.full(offset + graph.n_components, -1, dtype=np.int64)
    position[universe] = np.arange(universe.size)
    n_words = max(1, -(-universe.size // 64))
    if n_words > SPARSE_ABOVE_WORDS:
        return _kill_sparse(graph, cone, up, targets, position >= 0, s_country, s_supplier)
    chunk_words = int(max(1, min(n_words, CHUNK_BYTES // max(8 * graph.n_components, 1))))
    result: list[list[IntArray]] = [[] for _ in range(targets.size)]
    # elements each component contributes: itself and its supply intersection
    rows = [np.arange(graph.n_components, dtype=np.int64)] * 1
    elems = [offset + rows[0]]
    has_c = s_country >= 0
    rows.append(np.flatnonzero(has_c))
    elems.append(s_country[has_c])
    has_s = s_supplier >= 0
    rows.append(np.flatnonzero(has_s))
    elems.append(nc + s_supplier[has_s])
    el_rows = np.concatenate(rows)
    el_pos = position[np.concatenate(elems)]
    keep = el_pos >= 0
    el_rows, el_pos = el_rows[keep], el_pos[keep]
    for first_word in range(0, n_words, chunk_words):
        words = min(chunk_words, n_words - first_word)
        lo_bit, hi_bit = first_word * 64, (first_word + words) * 64
        sel = (el_pos >= lo_bit) & (el_pos < hi_bit)
        base = np.zeros((graph.n_components, words), dtype=np.uint64)
        bit = el_pos[sel] - lo_bit
        np.bitwise_or.at(base, (el_rows[sel], bit // 64), np.left_shift(np.uint64(1), (bit % 64).astype(np.uint64)))
        kill = _kill_pass(cone, up, base)
        del base
        chunk = kill[targets]
        bits = np.unpackbits(chunk.view(np.uint8), axis=1, bitorder="little")
        t_idx, b_idx = np.nonzero(bits)
        ids = universe[np.minimum(b_idx + lo_bit, universe.size - 1)]
        valid = b_idx + lo_bit < universe.size
        t_idx, ids = t_idx[valid], ids[valid]
        splits = np.searchsorted(t_idx, np.arange(targets.size + 1))
        for k in range(targets.size):
            result[k].append(ids[splits[k]:splits[k + 1]])
        del kill
    out: list[IntArray | None] = []
    for k, t in enumerate(targets.tolist()):
        if not up[t]:
            out.append(None)
            continue
        ids = np.concatenate(result[k]) if result[k] else np.zeros(0, dtype=np.int64)
        out.append(ids[ids != offset + t])
    return out


def _kill_sparse(graph: SupplyGraph, cone: _ConeSteps, up: NDArray[np.bool_], targets: IntArray,
                 in_universe: NDArray[np.bool_], s_country: IntArray, s_supplier: IntArray) -> list[IntArray | None]:
    """The same equations with a small Python set per component (large universes, small kill sets)."""
    nc, ns = graph.n_countries, graph.n_suppliers
    offset = nc + ns
    n = graph.n_components
    own = np.where(in_universe[offset + np.arange(n)], offset + np.arange(n), -1)
    cty = np.where(s_country >= 0, s_country, -1)
    cty = np.where((cty >= 0) & in_universe[np.maximum(cty, 0)], cty, -1)
    sup = np.where(s_supplier >= 0, nc + s_supplier, -1)
    sup = np.where((sup >= 0) & in_universe[np.maximum(sup, 0)], sup, -1)
    base_lists = np.stack((own, cty, sup), axis=1).tolist()
    gptr = graph.comp_group_ptr.tolist()
    ptr = graph.group_ptr.tolist()
    members = graph.group_members.tolist()
    up_list = up.tolist()
    kill: list[tuple[int, ...] | None] = [None] * n
    empty: tuple[int, ...] = ()

    def evaluate(c: int) -> tuple[int, ...]:
        acc = {v for v in base_lists[c] if v >= 0}
        for g in range(gptr[c], gptr[c + 1]):
            start, end = ptr[g], ptr[g + 1]
            if end - start == 1:
                km = kill[members[start]]
                if km:
                    acc.update(km)
                continue
            inter: set[int] | None = None
            for m in members[start:end]:
                km = kill[m]
                if km is None:
                    continue
                if inter is None:
                    inter = set(km)
                else:
                    inter.intersection_update(km)
                if not inter:
                    break
            if inter:
                acc.update(inter)
        return tuple(sorted(acc))

    _solve_in_order(cone.steps, up_list.__getitem__, evaluate, kill, empty)
    out: list[IntArray | None] = []
    for t in targets.tolist():
        k = kill[t]
        if not up_list[t] or k is None:
            out.append(None)
            continue
        ids = np.array(k, dtype=np.int64)
        out.append(ids[ids != offset + t])
    return out


def _kill_pass(cone: _ConeSteps, up: NDArray[np.bool_], base: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """Kill-set bit matrix of every cone component (down components: all ones, neutral in intersections)."""
    kill = np.zeros_like(base)
    kill[~up] = _FULL
    for step, starts, withg in zip(cone.steps, cone.group_starts, cone.with_groups, strict=True):
        comps = step.comps
        upc = up[comps]

        def evaluate(step: Step = step, starts: IntArray = starts, withg: IntArray = withg,
                     upc: NDArray[np.bool_] = upc) -> NDArray[np.uint64]:
            acc = base[step.comps]
            if step.groups.size:
                inter = np.bitwise_and.reduceat(kill[step.members], step.offsets, axis=0)
                acc[withg] |= np.bitwise_or.reduceat(inter, starts, axis=0)
            acc[~upc] = _FULL
            return acc

        if not step.cyclic:
            kill[comps] = evaluate()
            continue
        kill[comps[upc]] = 0
        while True:
            new = evaluate()
            if np.array_equal(new, kill[comps]):
                break
            kill[comps] = new
    return kill


def _kinds(kinds: Sequence[str] | None) -> set[str]:
    wanted = set(kinds or KINDS)
    unknown = wanted - set(KINDS)
    if unknown:
        raise UnknownNodeError(f"unknown node kind(s): {', '.join(sorted(unknown))}")
    return wanted
