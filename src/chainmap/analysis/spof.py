"""Single points of failure: nodes whose removal alone takes a target down.

Definition (DESIGN): a node ``n``, not ``t``, is a single point of failure of
target ``t`` when removing ``n`` alone takes ``t`` down (``a(t) = 0``) while
``t`` is up (``a(t) > 0``) under the scenario. Structural: computed at
horizon ``long``, where only requirements with ``share = 1`` (*hard*) can
take a parent down.

Algorithm: no recomputation per node. The *kill set* ``K(c)`` of a component
is the set of nodes whose removal takes it down. With ``K(e)`` of a live
supply entry = {its supplier, its country (and, reach ``owner``, its owner)}
or {its country}::

    Kf(c) = ⋂ K(e) over c's live foreign entries   (everything when F is already 0,
                                                     nothing with unlisted supply left)
    Kd(c) = ⋂ K(e) over c's live domestic entries  (nothing for a home process)
    Kr(c) = ⋃ over c's hard groups of ⋂ K(member)
    view home:   K(c) = {c} ∪ (Kf ∩ (Kd ∪ Kr))     (x = F + min(D, R * D0) is 0 iff F = 0
                                                     and D = 0 or R = 0)
    view global: K(c) = {c} ∪ Kall ∪ Kr             (x = min(F + D, R))

Removing ``n`` takes ``c`` down when ``n`` is in the least fixed point of
these equations. One more way down exists in view home: a loop of hard
requirements whose foreign supply is all cut decays geometrically to 0 when
some member has ``D0 < 1`` (``a <= D0 * a`` around the loop). Such an ``n``
lies in ``Kf`` of a component with ``D0 < 1`` inside a cycle; those few
*decay candidates* are checked by propagating the removal (only what lies
downstream of its entries, from the baseline; cycles by Kleene rounds, which
bound the values from above and below, and the exact solver where the bounds
leave a target undecided), so the result is exact.

:func:`kill_members` evaluates the equations with numpy over uint64 bit
matrices (a row per component, a bit per node of the wanted kinds that can
appear in a kill set), in chunks of bits when the universe is large, or with
a small Python set per component when it is very large.

Examples
--------
>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> sorted(spof_sets(g)["logic-chip"])
['NL', 'asml', 'scanner', 'wafer']
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from chainmap.analysis.lazyrows import ResultList
from chainmap.analysis.propagate import SupplyTerms, _Context, availability, entry_capacity, supply_terms
from chainmap.analysis.scenario import LONG, Capacities, Scenario, capacities
from chainmap.errors import UnknownNodeError
from chainmap.graph import KINDS, FloatArray, IntArray, Step, SupplyGraph, ranges
from chainmap.idlist import as_ids

__all__ = [
    "DOWN",
    "SinglePointOfFailure",
    "bits_to_ids",
    "cone_steps",
    "kill_members",
    "resolve_targets",
    "single_points_of_failure",
    "spof_sets",
    "supply_kill_elements",
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
    for t in as_ids(targets):
        if t in graph.component_of:
            out.append(t)
        elif t in graph.sectors:
            out.extend(graph.sectors[t].products)
        else:
            raise UnknownNodeError(f"unknown target {t!r} (expected a component id or a sector code)"
                                   f"{graph.did_you_mean(t, ('component', 'sector'))}")
    return sorted(dict.fromkeys(out))


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
    wanted = set(as_ids(kinds) or KINDS)
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


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a block that allocates many small acyclic objects (kill-set
    tuples and sets, result rows): its passes over a large graph's heap would cost a third of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _kill_lists(
    graph: SupplyGraph, targets: Iterable[str] | None, kinds: Sequence[str] | None, scenario: Scenario | None
) -> tuple[list[str], list[IntArray | None]]:
    """The target ids and, per target, its single points of failure as sorted vertex ids (None: down)."""
    target_ids = resolve_targets(graph, targets)
    caps = structural_capacities(graph, scenario)
    if targets is None:  # every product: the graph's cached indexes (no lookup per id, shared with other analyses)
        idx = graph.product_index
    else:
        idx = np.array([graph.component_of[t] for t in target_ids], dtype=np.int64)
    return target_ids, kill_members(graph, caps, idx, kinds)


def spof_sets(
    graph: SupplyGraph,
    targets: Iterable[str] | None = None,
    kinds: Sequence[str] | None = None,
    scenario: Scenario | None = None,
) -> dict[str, set[str]]:
    """For each target, the set of single points of failure (of ``kinds``)."""
    with _gc_paused():
        target_ids, kills = _kill_lists(graph, targets, kinds, scenario)
        ids = graph.ids
        return {t: set() if k is None else set(map(ids.__getitem__, k.tolist()))
                for t, k in zip(target_ids, kills, strict=True)}


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
    with _gc_paused():
        return _spof_rows(graph, *_kill_lists(graph, targets, kinds, scenario))


def _spof_rows(graph: SupplyGraph, target_ids: list[str], kills: list[IntArray | None]) -> list[SinglePointOfFailure]:
    """The rows of :func:`single_points_of_failure` from the kill sets of the targets."""
    sizes = np.array([0 if k is None else k.size for k in kills], dtype=np.int64)
    if not sizes.sum():
        return ResultList([], SinglePointOfFailure)
    vertex = np.concatenate([k for k in kills if k is not None])
    target = np.repeat(np.arange(len(kills), dtype=np.int64), sizes)
    order = np.argsort(vertex, kind="stable")  # per node, its targets in target order (sorted ids)
    vertex, target = vertex[order], target[order]
    first = np.flatnonzero(np.r_[True, vertex[1:] != vertex[:-1]])
    nodes = vertex[first]
    named = np.array(target_ids, dtype=object)[target].tolist()
    bounds = np.r_[first, vertex.size].tolist()
    nc, ns = graph.n_countries, graph.n_suppliers
    ids = graph.ids
    ar = graph.arrays
    home = graph.home
    country_ids = graph.country_ids
    supplier_country = graph.supplier_country
    rows = []
    for i, v in enumerate(nodes.tolist()):
        if v < nc:
            kind, name, country = "country", ar.country_name[v], country_ids[v]
        elif v < nc + ns:
            kind, name, country = "supplier", ar.supplier_name[v - nc], country_ids[int(supplier_country[v - nc])]
        else:
            kind, name, country = "component", ar.component_name[v - nc - ns], None
        rows.append(SinglePointOfFailure(node=ids[v], kind=kind, name=name, country=country,
                                         foreign=country is not None and country != home,
                                         targets=named[bounds[i]:bounds[i + 1]]))
    rows.sort(key=lambda r: (-len(r.targets), r.node))
    return ResultList(rows, SinglePointOfFailure)


# -- vectorised kill sets ------------------------------------------------------
#
# The same equations evaluated with numpy over uint64 bit matrices: one row per
# component, one bit per node of a *universe* (the nodes of the wanted kinds
# that can appear in a kill set at all: a country or supplier only through
# some component's supply intersection, a component only in the cone). Large
# universes are processed in chunks of bits, one pass over the cone each.

_FULL = np.uint64(0xFFFFFFFFFFFFFFFF)
DOWN = 1e-12
"""Availabilities at or below this count as down (a decaying loop's Kleene limit is reached only approximately)."""
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


_ALL = -1  # an element list standing for "every node" (the term is already zero)


def structural_capacities(graph: SupplyGraph, scenario: Scenario | None) -> Capacities:
    """The scenario's capacities read at horizon ``long`` (SPOF and cut sets are structural)."""
    caps = capacities(graph, scenario)
    return Capacities(caps.country, caps.supplier, caps.component, caps.unlisted, LONG, caps.reach)


def is_up(a: FloatArray) -> NDArray[np.bool_]:
    """``a > 0`` (values at or below :data:`DOWN`, a loop's geometric decay, count as 0)."""
    return a > DOWN


def _meet_arrays(comp_of: IntArray, elems: IntArray, sel: NDArray[np.bool_], n: int
                 ) -> tuple[NDArray[np.bool_], IntArray]:
    """``⋂ K(e)`` over the selected entries of each component, vectorised.

    ``comp_of``: the component of each entry (entries of a component contiguous); ``elems``: (entries, 3)
    the vertex ids of ``K(e)``, -1 padded, no repeats. Returns ``(empty_meet, out)``: components without a
    selected entry (the meet of nothing: everything) and (n, 3) the meet's vertex ids, -1 padded, ascending.
    """
    out = np.full((n, 3), -1, dtype=np.int64)
    rows = np.flatnonzero(sel)
    count = np.bincount(comp_of[rows], minlength=n)
    if rows.size:
        comp_sel = comp_of[rows]
        first = np.flatnonzero(np.r_[True, comp_sel[1:] != comp_sel[:-1]])
        group = np.cumsum(np.r_[False, comp_sel[1:] != comp_sel[:-1]])  # group index of each selected entry
        owners = comp_sel[first]
        cand = elems[rows[first]]  # (groups, 3): K(e) of the first selected entry holds the whole meet
        sel_elems = elems[rows]
        for j in range(3):
            cj = cand[:, j][group]
            has = ((sel_elems == cj[:, None]).any(axis=1)) & (cj >= 0)
            hits = np.bincount(group, weights=has.astype(np.float64), minlength=first.size)
            keep = hits == count[owners]
            out[owners[keep], j] = cand[keep, j]
        out[owners] = np.sort(out[owners], axis=1)  # the other rows are all -1
    return count == 0, out


def _as_parts(empty_meet: NDArray[np.bool_], elems: IntArray, comps: IntArray, parts: list[object]) -> None:
    """Write ``_ALL`` or the sorted tuple of ``elems``' row into ``parts`` for each of ``comps``."""
    pad = (elems[comps] < 0).sum(axis=1)
    nonempty = (pad < elems.shape[1]) & ~empty_meet[comps]
    for c, row, k in zip(comps[nonempty].tolist(), elems[comps[nonempty]].tolist(), pad[nonempty].tolist(), strict=True):
        parts[c] = tuple(row[k:])
    for c in comps[empty_meet[comps]].tolist():
        parts[c] = _ALL


@dataclass(frozen=True)
class _SupplyKill:
    """``Kf`` and ``Kd`` of every component as arrays: ``*_all`` marks ``_ALL`` (the term is already zero),
    ``*_el`` (n, 3) holds the vertex ids, -1 padded, ascending (all -1 and not ``_all``: the empty set)."""

    f_all: NDArray[np.bool_]
    f_el: IntArray
    d_all: NDArray[np.bool_]
    d_el: IntArray


def _supply_kill_arrays(graph: SupplyGraph, caps: Capacities, comps: IntArray,
                        entry_cap: FloatArray | None = None) -> _SupplyKill:
    """:func:`supply_kill_elements` as arrays (rows outside ``comps``: the empty set); ``entry_cap``: every
    entry's ``cap(e)`` under ``caps`` when the caller has it (else computed for the cone's entries)."""
    n = graph.n_components
    nc = graph.n_countries
    starts, ends = graph.entry_ptr[comps], graph.entry_ptr[comps + 1]
    counts = ends - starts
    idx = ranges(starts, ends)
    comp_of = np.repeat(comps, counts)
    cap = entry_capacity(graph, caps, idx) if entry_cap is None else entry_cap[idx]
    live = (cap > 0) & (graph.entry_share[idx] > 0)
    dom = graph.entry_domestic[idx].astype(bool)
    sup = graph.entry_supplier[idx]
    cty = graph.entry_country[idx].astype(np.int64)
    has_sup = sup >= 0
    elems = np.full((idx.size, 3), -1, dtype=np.int64)
    elems[:, 0] = cty
    elems[:, 1] = np.where(has_sup, nc + sup, -1)
    if caps.reach == "owner":
        owner = np.append(graph.supplier_owner, -1)[sup]
        elems[:, 2] = np.where(has_sup & (owner != cty), owner, -1)
    has_unlisted = (graph.unlisted_share > 0) & (caps.unlisted > 0)
    with_entries = np.zeros(n, dtype=bool)
    with_entries[comps[counts > 0]] = True
    no_entries = np.zeros(n, dtype=bool)
    no_entries[comps[counts == 0]] = True
    if graph.settings.view == "home":
        f_all, f_el = _meet_arrays(comp_of, elems, live & ~dom, n)
        d_all, d_el = _meet_arrays(comp_of, elems, live & dom, n)
        f_all &= with_entries & ~has_unlisted
        f_el[~(with_entries & ~has_unlisted)] = -1
        d_all &= with_entries
        d_el[~with_entries] = -1
    else:
        d_all, d_el = _meet_arrays(comp_of, elems, live, n)
        d_all &= with_entries & ~has_unlisted
        d_el[~(with_entries & ~has_unlisted)] = -1
        f_all = with_entries.copy()
        f_el = np.full((n, 3), -1, dtype=np.int64)
    f_all |= no_entries  # a home process: D = 1 cannot be cut by a supplier or country (Kd empty)
    return _SupplyKill(f_all, f_el, d_all, d_el)


def _parts(kill: _SupplyKill, comps: IntArray, n: int) -> tuple[list[object], list[object]]:
    """The arrays as per-component ``_ALL`` or sorted tuples (``()`` outside ``comps``)."""
    kf: list[object] = [()] * n
    kd: list[object] = [()] * n
    _as_parts(kill.f_all, kill.f_el, comps, kf)
    _as_parts(kill.d_all, kill.d_el, comps, kd)
    return kf, kd


def supply_kill_elements(graph: SupplyGraph, caps: Capacities,
                         comps: IntArray | None = None) -> tuple[list[object], list[object]]:
    """Per component, ``Kf`` and ``Kd`` as sorted vertex-id tuples, or ``_ALL`` (already zero).

    ``K(e)`` of a live entry is {its supplier, its country} (and, reach ``owner``, its owner),
    or {its country}. In view ``global`` ``Kf`` is ``_ALL`` and ``Kd`` holds ``Kall`` (then both
    views share one equation). With ``comps`` only those components are filled (the others
    keep ``()``): a target's cone is all that its kill set reads. Vectorised: the meet of a
    component's entries lies in the first entry's ``K(e)``; each of its (at most 3) vertices is
    kept when every selected entry holds it.
    """
    n = graph.n_components
    comps = np.arange(n, dtype=np.int64) if comps is None else np.asarray(comps, dtype=np.int64)
    return _parts(_supply_kill_arrays(graph, caps, comps), comps, n)


def kill_members(
    graph: SupplyGraph,
    caps: Capacities,
    targets: IntArray,
    kinds: Sequence[str] | None = None,
    cone: _ConeSteps | None = None,
    up: NDArray[np.bool_] | None = None,
) -> list[IntArray | None]:
    """``K(t)`` restricted to ``kinds`` as sorted vertex ids, per target (None: target already down).

    ``caps`` are read at horizon ``long``. ``cone`` must contain the targets'
    upstream cone (default: computed).
    """
    with _gc_paused():
        return _kill_members(graph, caps, targets, kinds, cone, up)


def _kill_members(graph: SupplyGraph, caps: Capacities, targets: IntArray, kinds: Sequence[str] | None,
                  cone: _ConeSteps | None, up: NDArray[np.bool_] | None) -> list[IntArray | None]:
    """:func:`kill_members` (the collector paused)."""
    wanted = _kinds(kinds)
    caps = Capacities(caps.country, caps.supplier, caps.component, caps.unlisted, LONG, caps.reach)
    if cone is None:
        cone = cone_steps(graph, graph.upstream_of(targets.tolist()) if targets.size else np.zeros(0, dtype=np.int64))
    base: FloatArray | None = None
    entry_cap = entry_capacity(graph, caps)  # computed once: the baseline, the kill elements and the decay checks
    terms = supply_terms(graph, caps, entry_cap)
    if up is None:
        base = availability(graph, caps, terms)
        up = is_up(base)
    nc, ns = graph.n_countries, graph.n_suppliers
    offset = nc + ns
    sk = _supply_kill_arrays(graph, caps, cone.cone, entry_cap)
    n = graph.n_components
    nonempty_f = sk.f_all | (sk.f_el >= 0).any(axis=1)  # Kf = {} (the rest): K(c) = {c}, nothing to read
    hard = graph.group_share >= 1.0
    up_list = up.tolist()
    live = cone.cone[up[cone.cone]]
    found = np.concatenate([sk.f_el[live][~sk.f_all[live]].ravel(), sk.d_el[live][~sk.d_all[live]].ravel()])
    found = found[found >= 0]
    keep = np.zeros(found.size, dtype=bool)
    if "country" in wanted:
        keep |= found < nc
    if "supplier" in wanted:
        keep |= (found >= nc) & (found < offset)
    in_universe = np.zeros(offset + n, dtype=bool)
    in_universe[found[keep]] = True
    if "component" in wanted:
        in_universe[offset + live] = True
    universe = np.flatnonzero(in_universe).astype(np.int64)
    n_words = max(1, -(-universe.size // 64))
    if n_words > SPARSE_ABOVE_WORDS:
        # evaluated one by one: the up components with Kf not empty and a hard group; the others' K(c)
        # reads nothing (no hard group: Kr empty; Kf empty: {c}) and is computed here, as arrays
        n_hard = np.bincount(np.repeat(np.arange(n), np.diff(graph.comp_group_ptr))[hard], minlength=n)
        todo = np.zeros(n, dtype=bool)
        todo[live] = nonempty_f[live] & (n_hard[live] > 0)
        fixed = live[~todo[live]]
        f_el, d_el = sk.f_el[fixed], sk.d_el[fixed]
        in_d = (f_el[:, :, None] == d_el[:, None, :]).any(axis=2)
        el = np.where((f_el >= 0) & (in_d | sk.d_all[fixed][:, None]), f_el, -1)
        el = np.where(sk.f_all[fixed][:, None], d_el, el)  # Kf everything: K(c) = {c} ∪ Kd (Kd not everything: c up)
        el = np.where((el >= 0) & in_universe[np.maximum(el, 0)], el, -1)
        fixed_el = np.column_stack([el, np.where(in_universe[offset + fixed], offset + fixed, -1)])
        todo, fixed, fixed_el = _settle_simple(graph, cone, sk, up, in_universe, hard, todo, fixed, fixed_el)
        kf: list[object] = [()] * n  # Kf where evaluated or in a cycle (the decay check reads it), Kd where evaluated
        kd: list[object] = [()] * n
        read_f = todo.copy()
        for step in cone.steps:
            if step.cyclic:
                read_f[step.comps] = True
        read_f &= nonempty_f
        _as_parts(sk.f_all, sk.f_el, np.flatnonzero(read_f), kf)
        _as_parts(sk.d_all, sk.d_el, np.flatnonzero(todo), kd)
        kill_lists = _kill_sparse(graph, cone, in_universe.tolist(), kf, kd, hard,
                                  {"country", "supplier"} <= wanted, todo, targets, fixed, fixed_el)
        sets = [kill_lists[t] if up_list[t] else None for t in targets.tolist()]
        return _with_decay(graph, caps, targets, wanted, cone, up, kf, _sorted_sets(sets, targets, offset + n, offset),
                           base, (entry_cap, terms))
    kf, kd = _parts(sk, cone.cone[nonempty_f[cone.cone]], n)
    position = {v: i for i, v in enumerate(universe.tolist())}
    words = n_words
    self_bits = np.zeros((n, words), dtype=np.uint64)
    kf_bits = np.zeros((n, words), dtype=np.uint64)
    kd_bits = np.zeros((n, words), dtype=np.uint64)
    for c in cone.cone.tolist():
        pos = position.get(offset + c)
        if pos is not None:
            self_bits[c, pos // 64] |= np.uint64(1) << np.uint64(pos % 64)
        for part, bits in ((kf[c], kf_bits), (kd[c], kd_bits)):
            if part == _ALL:
                bits[c] = _FULL
                continue
            for v in part:  # type: ignore[attr-defined]
                p = position.get(v)
                if p is not None:
                    bits[c, p // 64] |= np.uint64(1) << np.uint64(p % 64)
    kill = _kill_pass(cone, up, self_bits, kf_bits, kd_bits, hard)
    chunk = kill[targets]
    unpacked = np.unpackbits(chunk.view(np.uint8), axis=1, bitorder="little")
    out: list[IntArray | None] = []
    for k, t in enumerate(targets.tolist()):
        if not up[t]:
            out.append(None)
            continue
        idx = np.flatnonzero(unpacked[k][:universe.size])
        ids = universe[idx]
        out.append(ids[ids != offset + t])
    return _with_decay(graph, caps, targets, wanted, cone, up, kf, out, base, (entry_cap, terms))


def _sorted_sets(sets: list[frozenset[int] | None], targets: IntArray, n_vertices: int,
                 offset: int) -> list[IntArray | None]:
    """Each target's kill set as sorted vertex ids without the target itself (None stays None), by one sort of
    (target, vertex) keys over all of them instead of a sort per target."""
    sizes = [0 if k is None else len(k) for k in sets]
    flat = np.fromiter(itertools.chain.from_iterable(k for k in sets if k is not None), dtype=np.int64,
                       count=sum(sizes))
    pos = np.repeat(np.arange(len(sets), dtype=np.int64), sizes)
    keep = flat != offset + targets[pos]
    packed = np.sort(pos[keep] * n_vertices + flat[keep])
    counts = np.bincount(pos[keep], minlength=len(sets))
    pieces = np.split(packed % n_vertices, np.cumsum(counts)[:-1].tolist()) if sets else []
    return [None if k is None else piece for k, piece in zip(sets, pieces, strict=True)]


def _with_decay(graph: SupplyGraph, caps: Capacities, targets: IntArray, wanted: set[str], cone: _ConeSteps,
                up: NDArray[np.bool_], kf: list[object], out: list[IntArray | None],
                base: FloatArray | None = None,
                supply: tuple[FloatArray, SupplyTerms] | None = None) -> list[IntArray | None]:
    """Add the nodes whose removal makes a loop of hard requirements decay to 0 (see module doc).

    ``base``: the availability under ``caps`` (None: computed over the cone when needed); ``supply``: every
    entry's ``cap(e)`` and the supply terms under ``caps``, when the caller has them.

    Two kinds of loop can decay: in view home, one through components whose domestic share ``D0 < 1`` once their
    foreign supply is cut (the candidates are read from the kill sets); in either view, one through a component
    the scenario limits (``cap < 1``: gain ``cap * D0 < 1`` whatever the supply), once the loop's other ways in
    are cut. For the second kind every node supplying the cone (and every component in it) is checked: scenario
    limits on components in loops are rare, and a check is an exact propagation of what lies downstream.
    """
    nc, ns = graph.n_countries, graph.n_suppliers
    offset = nc + ns
    limited = any(step.cyclic and bool((caps.component[step.comps] < 1.0).any()) for step in cone.steps)
    if graph.settings.view != "home" and not limited:
        return out
    d0 = graph.domestic_share
    candidates: set[int] = set()
    if limited:
        in_cone = np.zeros(graph.n_components, dtype=bool)
        in_cone[cone.cone] = True
        entries = np.flatnonzero(in_cone[graph.entry_comp])
        sup = graph.entry_supplier[entries]
        candidates.update(range(nc))
        candidates.update((np.unique(sup[sup >= 0]) + nc).tolist())
        candidates.update((np.asarray(cone.cone, dtype=np.int64) + offset).tolist())
    hard = graph.group_share >= 1.0
    gptr, mptr, members = graph.comp_group_ptr, graph.group_ptr, graph.group_members  # CSR: no per-graph lists
    for step in cone.steps:
        if not step.cyclic:
            continue
        maybe = step.comps[up[step.comps] & (d0[step.comps] < 1.0)].tolist()
        sel = [c for c in maybe if kf[c] and kf[c] != _ALL]  # _ALL: foreign supply already cut, decided
        if not sel:
            continue
        inside = set(step.comps.tolist())
        for c in sel:
            part = kf[c]
            # the loop through c must go on through a hard requirement whose foreign supply dies with v too
            nexts = [kf[m] for g in range(int(gptr[c]), int(gptr[c + 1])) if hard[g]
                     for m in members[int(mptr[g]):int(mptr[g + 1])].tolist() if m in inside]
            for v in part:  # type: ignore[attr-defined]
                if any(k == _ALL or v in k for k in nexts):  # type: ignore[operator]
                    candidates.add(v)
    checks = [v for v in sorted(candidates) if _vertex_kind(graph, v) in wanted]
    if not checks:
        return out
    base_cap, all_terms = supply if supply is not None else (entry_capacity(graph, caps), None)
    if base is None and len(checks) > 1:
        base = availability(graph, caps, all_terms, steps=cone.steps)
    base_terms = None if base is None else all_terms or supply_terms(graph, caps, base_cap)
    in_cone = np.zeros(graph.n_components, dtype=bool)
    in_cone[cone.cone] = True
    step_of = np.full(graph.n_components, -1, dtype=np.int64)
    for i, step in enumerate(cone.steps):
        step_of[step.comps] = i
    ctx: _Context | None = None
    moved = np.zeros(graph.n_components, dtype=bool)
    for v in checks:
        trial = caps.copy()
        _remove_vertex(graph, trial, v)
        if base is None or base_terms is None:  # one check: a propagation of the whole cone
            a = availability(graph, trial, supply_terms(graph, trial, _without(graph, caps, base_cap, v)),
                             steps=cone.steps)
        else:  # only what lies downstream of v's entries changes: propagate that, the rest keeps its base
            # v's cut written into the baseline terms, restored below (no copy of the whole arrays per check)
            terms = base_terms
            cut, old_f, old_d = _terms_without(graph, caps, base_cap, terms, v)
            changed = cut if v < offset else np.union1d(cut, [v - offset])
            moved[changed] = True  # components whose own terms or capacity differ from the baseline's
            try:
                steps = _restrict(graph, cone.steps, step_of, _downstream(graph, changed, in_cone))
                if ctx is None:  # weights and stock cover depend on the horizon only (long): computed once
                    ctx = _Context(graph, trial, terms)
                ctx.cap, ctx.foreign, ctx.domestic = trial.component, terms.foreign, terms.domestic
                hi, lo = _bounds(ctx, steps, base, moved)
                h, low = hi[targets], lo[targets]
                if ((h > DOWN) & (low < h) & (low <= _SURELY_UP)).any():  # undecided: the exact values
                    a = availability(graph, trial, terms, steps=steps, start=base)
                else:  # down where the upper bound is, up elsewhere (lower bound far from 0, or exact)
                    a = hi
            finally:
                moved[changed] = False
                terms.foreign[cut] = old_f
                terms.domestic[cut] = old_d
        down = np.flatnonzero(~is_up(a[targets]))
        for k in down.tolist():
            got = out[k]
            if got is None or v == offset + int(targets[k]) or v in set(got.tolist()):
                continue
            out[k] = np.array(sorted([*got.tolist(), v]), dtype=np.int64)
    return out


_KLEENE_ROUNDS = 64
"""Rounds of Kleene iteration a cycle gets in :func:`_bounds` (as many as :func:`propagate._solve_cycle`'s
first: a cycle that settles within them gets the same numbers)."""
_SURELY_UP = 1e-6
"""A lower bound above this is up whatever the round-off of an exact solution (far above :data:`DOWN`)."""


def _bounds(ctx: _Context, steps: Sequence[Step], start: FloatArray,
            moved: NDArray[np.bool_] | None = None) -> tuple[FloatArray, FloatArray]:
    """Upper and lower bounds on :func:`availability` over ``steps`` from ``start``, under the capacities and
    supply terms of ``ctx``,
    without solving a linear program: a cycle gets at most :data:`_KLEENE_ROUNDS` Kleene rounds from 1 (the
    same arithmetic as the exact solver's first rounds); one that settles has its exact value in both, one
    that does not has its last iterate in the upper bound and 0 in the lower. Every term is monotone (so is
    rounding), hence what lies downstream stays between the bounds. Where the two agree (every cycle
    settled) both are the exact values.

    ``moved``: mask of the components whose own terms or capacity differ from those ``start`` was computed
    with (``start`` must then be the exact availability under them). A cycle with none of those and every
    input at its ``start`` value keeps its ``start`` values in both bounds (they are exact): no Kleene rounds.
    """
    hi = start.copy()
    lo: FloatArray | None = None  # None: equal to hi so far
    # Cycles that do not read each other (the schedule's sets of one level) get their Kleene rounds together, as
    # one step: a set's iterates are those it gets alone (its inputs are final), and one that settles stays put
    wave: list[Step] = []
    in_wave = np.zeros(start.size, dtype=bool)

    def kleene(step: Step, scc_of: IntArray, k: int, a: FloatArray) -> NDArray[np.bool_]:
        """Kleene rounds from 1 over ``step`` (``k`` cycles, ``scc_of`` the cycle of each component); which
        cycles settled within :data:`_KLEENE_ROUNDS` rounds."""
        a[step.comps] = 1.0
        settled = np.zeros(k, dtype=bool)
        for _ in range(_KLEENE_ROUNDS):
            new = ctx.values(step, a)
            diff = new != a[step.comps]
            if not diff.any():
                return np.ones(k, dtype=bool)
            settled |= np.bincount(scc_of[diff], minlength=k) == 0
            a[step.comps] = new
        return settled

    def flush() -> None:
        nonlocal lo
        if not wave:
            return
        merged, scc_of = _merged(wave)
        k = len(wave)
        settled = kleene(merged, scc_of, k, hi)
        if lo is None:
            if not settled.all():
                lo = hi.copy()
                lo[merged.comps[~settled[scc_of]]] = 0.0
        else:
            lo_settled = kleene(merged, scc_of, k, lo)
            lo[merged.comps[~lo_settled[scc_of]]] = 0.0
        in_wave[merged.comps] = False
        wave.clear()

    for step in steps:
        if not step.cyclic:
            flush()
            ctx.evaluate(step, hi)
            if lo is not None:
                ctx.evaluate(step, lo)
            continue
        if in_wave[step.members].any():  # it reads a cycle of the wave: that one first
            flush()
        if moved is not None and not moved[step.comps].any() and np.array_equal(
                hi[step.members], start[step.members]) and (lo is None or np.array_equal(
                lo[step.members], start[step.members])):
            continue  # nothing it reads changed: hi and lo hold its start values, exact
        wave.append(step)
        in_wave[step.comps] = True
    flush()
    return hi, hi if lo is None else lo


def _merged(steps: Sequence[Step]) -> tuple[Step, IntArray]:
    """Cyclic ``steps`` as one step (their arrays concatenated, positions shifted), and the position in
    ``steps`` of each of its components."""
    if len(steps) == 1:
        return steps[0], np.zeros(steps[0].comps.size, dtype=np.int64)
    sizes = np.array([st.comps.size for st in steps], dtype=np.int64)
    comp_at = (np.cumsum(sizes) - sizes).tolist()
    member_sizes = np.array([st.members.size for st in steps], dtype=np.int64)
    member_at = (np.cumsum(member_sizes) - member_sizes).tolist()
    step = Step(True, np.concatenate([st.comps for st in steps]), np.concatenate([st.groups for st in steps]),
                np.concatenate([st.owner_pos + at for st, at in zip(steps, comp_at, strict=True)]),
                np.concatenate([st.members for st in steps]),
                np.concatenate([st.offsets + at for st, at in zip(steps, member_at, strict=True)]))
    return step, np.repeat(np.arange(len(steps), dtype=np.int64), sizes)


def _vertex_kind(graph: SupplyGraph, v: int) -> str:
    """``country``, ``supplier`` or ``component``: the kind of vertex ``v``."""
    if v < graph.n_countries:
        return "country"
    return "supplier" if v < graph.n_countries + graph.n_suppliers else "component"


def _restrict(graph: SupplyGraph, steps: Sequence[Step], step_of: IntArray, inside: NDArray[np.bool_]) -> list[Step]:
    """``steps`` restricted to the components of mask ``inside`` (``step_of``: the position in ``steps`` of
    each component's step, -1 outside them); a strongly connected set stays whole when ``inside`` is closed
    downstream."""
    comps = np.flatnonzero(inside)
    sid = step_of[comps]
    comps, sid = comps[sid >= 0], sid[sid >= 0]
    small = len(steps) <= np.iinfo(np.int16).max  # a stable sort of 16-bit keys is a radix sort
    order = np.argsort(sid.astype(np.int16) if small else sid, kind="stable")
    comps, sid = comps[order], sid[order]
    if not sid.size:  # nothing downstream changes (e.g. a country supplying none of the cone)
        return []
    first = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1]])
    out: list[Step] = []
    for i, lo, hi in zip(sid[first].tolist(), first.tolist(), np.r_[first[1:], sid.size].tolist(), strict=True):
        step = steps[i]
        out.append(step if hi - lo == step.comps.size else graph._step(step.cyclic, comps[lo:hi]))
    return out


def _terms_without(graph: SupplyGraph, caps: Capacities, entry_cap: FloatArray, terms: SupplyTerms,
                   vertex: int) -> tuple[IntArray, FloatArray, FloatArray]:
    """Write into ``terms`` (those of ``caps``, with ``entry_cap``) the ``supply_terms`` once ``vertex`` is
    also removed; return the components whose terms changed (sorted) and their previous ``F`` and ``D`` (for
    the caller to restore). Only their terms are summed again, entry by entry in the same order, so the numbers
    are those a full :func:`supply_terms` gives."""
    nc, ns = graph.n_countries, graph.n_suppliers
    if vertex < nc:
        hit = graph.entry_country == vertex
        if caps.reach == "owner" and ns:
            owner = np.append(graph.supplier_owner, -1)[graph.entry_supplier]
            hit |= (graph.entry_supplier >= 0) & (owner == vertex) & (owner != graph.entry_country)
        touched = np.flatnonzero(hit)
    elif vertex < nc + ns:
        touched = np.flatnonzero(graph.entry_supplier == vertex - nc)
    else:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
    touched = touched[entry_cap[touched] > 0]
    comps = graph.entry_comp[touched]  # ascending: a component's entries are contiguous
    comps = comps[np.r_[True, comps[1:] != comps[:-1]]] if comps.size else comps.astype(np.int64)
    comps = comps.astype(np.int64, copy=False)
    old = terms.foreign[comps], terms.domestic[comps]  # fancy indexing: copies
    if comps.size * 8 > graph.n_components:  # a large part of the graph: one bincount over every entry
        cap = entry_cap.copy()
        cap[touched] = 0.0
        both = np.bincount(graph.entry_comp * 2 + graph.entry_domestic, weights=graph.entry_share * cap,
                           minlength=2 * graph.n_components)
        norm = graph.supply_norm[comps]
        terms.domestic[comps] = both[2 * comps + 1] / norm
        terms.foreign[comps] = both[2 * comps] / norm + graph.unlisted_share[comps] * caps.unlisted
    elif comps.size:
        starts, ends = graph.entry_ptr[comps], graph.entry_ptr[comps + 1]
        idx = ranges(starts, ends)
        cap = entry_cap[idx]
        cap[np.searchsorted(idx, touched)] = 0.0
        weighted = graph.entry_share[idx] * cap
        local = np.repeat(np.arange(comps.size, dtype=np.int64), ends - starts)
        both = np.bincount(local * 2 + graph.entry_domestic[idx], weights=weighted, minlength=2 * comps.size)
        norm = graph.supply_norm[comps]
        terms.domestic[comps] = both[1::2] / norm
        terms.foreign[comps] = both[0::2] / norm + graph.unlisted_share[comps] * caps.unlisted
    return comps, old[0], old[1]


def _downstream(graph: SupplyGraph, sources: IntArray, inside: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Mask of the components of ``inside`` that require one of ``sources`` (transitively), sources included
    (breadth first; a frontier is deduplicated by a mark, not a sort)."""
    indptr, indices = graph.required_by_csr.indptr, graph.required_by_csr.indices
    seen = np.zeros(graph.n_components, dtype=bool)
    frontier = sources[inside[sources]]
    seen[frontier] = True
    slot = np.zeros(graph.n_components, dtype=np.int64)
    while frontier.size:
        nxt = indices[ranges(indptr[frontier].astype(np.int64), indptr[frontier + 1].astype(np.int64))]
        nxt = nxt[~seen[nxt] & inside[nxt]]
        slot[nxt] = np.arange(nxt.size)
        nxt = nxt[slot[nxt] == np.arange(nxt.size)]  # the last occurrence of each
        seen[nxt] = True
        frontier = nxt.astype(np.int64, copy=False)
    return seen


def _without(graph: SupplyGraph, caps: Capacities, entry_cap: FloatArray, vertex: int) -> FloatArray:
    """``entry_capacity`` once ``vertex`` is also removed, from ``entry_cap`` (that of ``caps``): its entries
    (of a supplier, or in a country, or, reach ``owner``, of suppliers a country owns abroad) are 0, as the
    product of capacities gives; the others are unchanged."""
    nc, ns = graph.n_countries, graph.n_suppliers
    out = entry_cap.copy()
    if vertex < nc:
        touched = graph.entry_country == vertex
        if caps.reach == "owner" and ns:
            owner = np.append(graph.supplier_owner, -1)[graph.entry_supplier]
            touched |= (graph.entry_supplier >= 0) & (owner == vertex) & (owner != graph.entry_country)
        out[touched] = 0.0
    elif vertex < nc + ns:
        out[graph.entry_supplier == vertex - nc] = 0.0
    return out


def _remove_vertex(graph: SupplyGraph, caps: Capacities, vertex: int) -> None:
    """Set the capacity of a vertex (country, supplier or component) to 0."""
    nc, ns = graph.n_countries, graph.n_suppliers
    if vertex < nc:
        caps.country[vertex] = 0.0
    elif vertex < nc + ns:
        caps.supplier[vertex - nc] = 0.0
    else:
        caps.component[vertex - nc - ns] = 0.0


def _settle_simple(graph: SupplyGraph, cone: _ConeSteps, sk: _SupplyKill, up: NDArray[np.bool_],
                   in_universe: NDArray[np.bool_], hard: NDArray[np.bool_], todo: NDArray[np.bool_], fixed: IntArray,
                   fixed_el: IntArray) -> tuple[NDArray[np.bool_], IntArray, IntArray]:
    """Move to ``fixed`` (with their kill set's vertices as rows like ``fixed_el``'s) the ``todo`` components
    outside cycles whose kill set the arrays decide without the kill sets of their inputs.

    With ``Kf`` not everything, ``K(c) = {c} ∪ {v ∈ Kf: v ∈ Kd or v ∈ Kr}``. ``v ∈ Kr`` needs a hard group
    every live member of which has ``v`` in its kill set, hence in its ``Kf`` (or ``Kf`` everything): where no
    hard group passes that test, ``v`` is out, and where ``v`` is in ``Kd`` it is in. A component all of whose
    ``v`` are decided so is settled here, vectorised; the others are left to :func:`_kill_sparse`.
    """
    n = graph.n_components
    offset = graph.n_countries + graph.n_suppliers
    acyclic = np.zeros(n, dtype=bool)
    for step in cone.steps:
        if not step.cyclic:
            acyclic[step.comps] = True
    cand = np.flatnonzero(todo & acyclic & ~sk.f_all)
    gptr, mptr = graph.comp_group_ptr, graph.group_ptr
    if not cand.size or bool(np.any(mptr[1:] == mptr[:-1])):  # (an empty group: no shortcut)
        return todo, fixed, fixed_el
    f = sk.f_el[cand]
    f = np.where((f >= 0) & in_universe[np.maximum(f, 0)], f, -1)
    in_d = (f >= 0) & (sk.d_all[cand][:, None] | (f[:, :, None] == sk.d_el[cand][:, None, :]).any(axis=2))
    pr, pj = np.nonzero((f >= 0) & ~in_d)  # (component, v) pairs only a hard requirement can take in
    pc, pv = cand[pr], f[pr, pj]
    gs = ranges(gptr[pc], gptr[pc + 1])
    gpair = np.repeat(np.arange(pc.size, dtype=np.int64), gptr[pc + 1] - gptr[pc])
    is_hard = hard[gs]
    gs, gpair = gs[is_hard], gpair[is_hard]
    sizes = mptr[gs + 1] - mptr[gs]
    members = graph.group_members[ranges(mptr[gs], mptr[gs + 1])]
    v = np.repeat(pv[gpair], sizes)
    ok = ~up[members] | sk.f_all[members] | (sk.f_el[members] == v[:, None]).any(axis=1)
    group_ok = np.logical_and.reduceat(ok, np.cumsum(sizes) - sizes) if ok.size else np.zeros(0, dtype=bool)
    maybe = np.bincount(gpair[group_ok], minlength=pc.size) > 0
    open_ = np.zeros(cand.size, dtype=bool)
    open_[pr[maybe]] = True  # a v some hard group may take in: left to the kill-set pass
    comps = cand[~open_]
    rows = np.column_stack([np.where(in_d[~open_], f[~open_], -1),
                            np.where(in_universe[offset + comps], offset + comps, -1)])
    todo = todo.copy()
    todo[comps] = False
    return todo, np.concatenate([fixed, comps]), np.concatenate([fixed_el, rows])


def _kill_sparse(graph: SupplyGraph, cone: _ConeSteps, in_universe: list[bool],
                 kf: list[object], kd: list[object], hard: NDArray[np.bool_], every_kind: bool,
                 todo: NDArray[np.bool_], targets: IntArray, fixed: IntArray,
                 fixed_el: IntArray) -> list[frozenset[int] | None]:
    """The equations with a small Python set per component (None: everything, a down component).

    ``every_kind``: countries and suppliers are wanted, so an up component's supply parts (which hold only
    countries and suppliers) are in the universe as they are: no restriction. ``todo``: the up cone
    components to evaluate; the others (``fixed``) have their kill set's vertices in the rows of
    ``fixed_el`` (-1 padded), set only where read (a member of a hard group of a ``todo`` component, or a
    target): the kill sets of the rest are left unset.
    """
    nc, ns = graph.n_countries, graph.n_suppliers
    offset = nc + ns
    n = graph.n_components
    kill: list[frozenset[int] | None] = [None] * n
    todo_idx = np.flatnonzero(todo)
    # the hard groups of the evaluated components only, as CSR lists indexed by position in todo_idx
    groups = ranges(graph.comp_group_ptr[todo_idx], graph.comp_group_ptr[todo_idx + 1])
    owner_pos = np.repeat(np.arange(todo_idx.size), np.diff(graph.comp_group_ptr)[todo_idx])
    is_hard = hard[groups]
    groups, owner_pos = groups[is_hard], owner_pos[is_hard]
    gptr = np.searchsorted(owner_pos, np.arange(todo_idx.size + 1)).tolist()
    sizes = graph.group_ptr[groups + 1] - graph.group_ptr[groups]
    ptr = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    member_array = graph.group_members[ranges(graph.group_ptr[groups], graph.group_ptr[groups + 1])]
    members = member_array.tolist()

    def restrict(part: object) -> object:
        if part == _ALL:
            return _ALL
        return frozenset(v for v in part if in_universe[v])  # type: ignore[attr-defined]

    # parts: _ALL or an iterable of vertex ids. With countries and suppliers wanted, an up component's parts
    # are all in the universe (it was built from them; a down component is never evaluated): nothing to restrict
    kf_r: Sequence[object] | dict[int, object] = kf
    kd_r: Sequence[object] | dict[int, object] = kd
    if not every_kind:
        todo_list = todo_idx.tolist()
        kf_r = {c: restrict(kf[c]) for c in todo_list}
        kd_r = {c: restrict(kd[c]) for c in todo_list}

    def in_requirement(i: int, v: int) -> bool:
        """``v`` in ``Kr(c)`` (``c`` at ``i``): some hard group whose every live member's kill set holds ``v``
        (or none is live)."""
        for g in range(gptr[i], gptr[i + 1]):
            for m in members[ptr[g]:ptr[g + 1]]:
                km = kill[m]
                if km is not None and v not in km:
                    break
            else:
                return True
        return False

    def evaluate(c: int, i: int) -> frozenset[int] | None:
        f = kf_r[c]
        if f != _ALL:  # the common case: K(c) ⊆ {c} ∪ Kf, a few vertices, each checked on its own
            d = kd_r[c]
            core = [v for v in f if d == _ALL or v in d or in_requirement(i, v)]  # type: ignore[attr-defined,operator]
            if in_universe[offset + c]:
                core.append(offset + c)
            return frozenset(core) if core else empty
        rq: set[int] | None = set()  # None: everything
        for g in range(gptr[i], gptr[i + 1]):
            inter: frozenset[int] | None = None  # None: everything (no live member yet)
            for m in members[ptr[g]:ptr[g + 1]]:
                km = kill[m]
                if km is None:
                    continue
                inter = km if inter is None else inter & km
            if inter is None:
                rq = None
                break
            rq.update(inter)  # type: ignore[union-attr]
        d = kd_r[c]
        if d == _ALL or rq is None:
            return None  # cannot happen for an up component
        rq.update(d)  # type: ignore[arg-type]
        if in_universe[offset + c]:
            rq.add(offset + c)
        return frozenset(rq)

    # the fixed components' kill sets where they are read; the others in schedule order
    read = np.zeros(n, dtype=bool)
    read[member_array] = True
    read[targets] = True
    empty: frozenset[int] = frozenset()
    sel = read[fixed]
    rows = -np.sort(-fixed_el[sel], axis=1)  # the vertices first (descending), the -1 padding last
    for c, row, k in zip(fixed[sel].tolist(), rows.tolist(), (rows >= 0).sum(axis=1).tolist(), strict=True):
        kill[c] = frozenset(row[:k]) if k else empty
    for step in cone.steps:
        at = step.comps[todo[step.comps]]
        comps = list(zip(at.tolist(), np.searchsorted(todo_idx, at).tolist(), strict=True))
        if not step.cyclic:
            for c, i in comps:
                kill[c] = evaluate(c, i)
            continue
        for c, _ in comps:
            kill[c] = empty
        changed = True
        while changed:
            changed = False
            for c, i in comps:
                new = evaluate(c, i)
                if new != kill[c]:
                    kill[c] = new
                    changed = True
    return kill


def _kill_pass(cone: _ConeSteps, up: NDArray[np.bool_], self_bits: NDArray[np.uint64], kf_bits: NDArray[np.uint64],
               kd_bits: NDArray[np.uint64], hard: NDArray[np.bool_]) -> NDArray[np.uint64]:
    """Kill-set bit matrix of every cone component (down components: all ones, neutral in intersections)."""
    kill = np.zeros_like(self_bits)
    kill[~up] = _FULL
    for step, starts, withg in zip(cone.steps, cone.group_starts, cone.with_groups, strict=True):
        comps = step.comps
        upc = up[comps]
        hard_groups = hard[step.groups] if step.groups.size else np.zeros(0, dtype=bool)

        def evaluate(step: Step = step, starts: IntArray = starts, withg: IntArray = withg,
                     upc: NDArray[np.bool_] = upc, hard_groups: NDArray[np.bool_] = hard_groups) -> NDArray[np.uint64]:
            rq = np.zeros_like(self_bits[step.comps])
            if step.groups.size:
                inter = np.bitwise_and.reduceat(kill[step.members], step.offsets, axis=0)
                inter[~hard_groups] = 0
                rq[withg] |= np.bitwise_or.reduceat(inter, starts, axis=0)
            acc = self_bits[step.comps] | (kf_bits[step.comps] & (kd_bits[step.comps] | rq))
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
    wanted = set(as_ids(kinds) or KINDS)
    unknown = wanted - set(KINDS)
    if unknown:
        raise UnknownNodeError(f"unknown node kind(s): {', '.join(sorted(unknown))}")
    return wanted
