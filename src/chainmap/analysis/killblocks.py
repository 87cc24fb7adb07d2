"""Kill sets of many removal sets at once, over one target's upstream cone (the engine of cut sets).

Given a *universe* of candidate nodes ``u_0 .. u_{m-1}`` and a list of removal
sets ``R_b`` (*blocks*, each a tuple of universe positions), one pass over the
cone in schedule order finds, for every block ``b`` and position ``j``, whether
removing ``R_b ∪ {u_j}`` takes the target down; one more position, ``m``,
stands for ``R_b`` alone. Row ``b`` is the kill set ``K(t)`` of
:mod:`chainmap.analysis.spof` once ``R_b`` is removed (with ``R_b`` alone as
its last bit): the same equations, evaluated for every block at once, one
uint64 bit per (block, position), over the cone's components only (O(cone),
not O(graph), per block). With ``dead(c)`` (``c`` itself removed, or at
capacity 0), ``Fz``/``Dz``/``Az`` (every live foreign / domestic / any supply
entry cut, and no unlisted remainder in ``Fz``/``Az``) and
``Rz(c)`` = some hard requirement group all of whose members are down::

    view home:   down(c) = dead(c) | Fz(c) & (Dz(c) | Rz(c))
    view global: down(c) = dead(c) | Az(c) | Rz(c)

as bitwise operations on the rows; a cycle takes the least fixed point from
"up". The equations miss one way down (as the kill sets do): a loop of hard
requirements whose every member keeps some supply can still decay
geometrically to 0 when a member has gain ``cap * D0 < 1`` (view home, its
foreign supply cut) or ``cap < 1`` (view global). For each cycle the bits
where such a loop may exist are found (the largest set of up members, foreign
supply cut in view home, each with a hard group made of down members and
members of the set, holding a member of gain < 1); those bits and all they
feed are *uncertain*, and each uncertain bit of the target is settled by a
propagation over the cone (the arithmetic of
:func:`chainmap.analysis.propagate.availability`), so the result is exact.
A component down at baseline (by that propagation: at or below
:data:`chainmap.analysis.spof.DOWN`) is down in every block.

Memory: a pass holds a few rows of ``words = ceil((m + 1) / 64)`` uint64 per
block for each cone component and supply entry; blocks are evaluated in
chunks of about :data:`CHUNK_BYTES`.

Examples
--------
>>> import chainmap
>>> import numpy as np
>>> g = chainmap.load("tests/data/mini")
>>> t = g.component_of["office-pc"]
>>> cone = ConeKill(g, t, np.array([g.index["CN"], g.index["NL"], g.index["US"]]))
>>> cone.down([(), (0,)]).astype(int).tolist()   # (CN removed first) and: CN, NL, US, nothing more
[[0, 1, 0, 0], [0, 1, 1, 0]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from chainmap.analysis.propagate import SupplyTerms, _Context, _solve_cycle, entry_capacity
from chainmap.analysis.scenario import Capacities
from chainmap.analysis.spof import _remove_vertex, cone_steps, is_up
from chainmap.graph import FloatArray, IntArray, SupplyGraph, ranges

__all__ = ["ConeKill", "upstream_cone"]

_FULL = np.uint64(0xFFFFFFFFFFFFFFFF)
CHUNK_BYTES = 64 << 20
"""Memory for one chunk of blocks (the cone's rows and its supply entries' rows)."""

Bits = NDArray[np.uint64]


def upstream_cone(graph: SupplyGraph, target: int) -> IntArray:
    """:meth:`SupplyGraph.upstream_of` of one target, by a search over the requirement groups' CSR arrays
    (O(cone): no graph-wide adjacency built, which costs a second at 1M in a fresh process)."""
    parts = [np.array([target], dtype=np.int64)]
    seen = np.zeros(graph.n_components, dtype=bool)
    seen[target] = True
    frontier = parts[0]
    gptr, mptr, members = graph.comp_group_ptr, graph.group_ptr, graph.group_members
    while frontier.size:
        groups = ranges(gptr[frontier], gptr[frontier + 1])
        found = members[ranges(mptr[groups], mptr[groups + 1])]
        frontier = np.unique(found[~seen[found]]).astype(np.int64)
        seen[frontier] = True
        parts.append(frontier)
    return np.sort(np.concatenate(parts))


@dataclass(frozen=True)
class _Step:
    """One step of the cone's schedule, in cone positions, hard requirement groups only."""

    cyclic: bool
    comps: IntArray  # cone positions
    members: IntArray  # cone positions of the hard groups' members, group after group
    offsets: IntArray  # start of each hard group in members
    starts: IntArray  # first hard group of each owner that has one (for reduceat over groups)
    owners: IntArray  # position in comps of those owners
    member_starts: IntArray  # first member of each such owner (for reduceat over members)


class ConeKill:
    """The cone of ``target`` compiled for block evaluations (see module doc).

    Parameters
    ----------
    graph : the compiled graph.
    target : component index of the target.
    universe : vertex ids of the candidate nodes (sorted; not the target itself).
    caps : the scenario's capacities at horizon ``long`` (default: baseline).
    cone : ``target``'s upstream cone, sorted (default: :func:`upstream_cone`).
    """

    def __init__(self, graph: SupplyGraph, target: int, universe: IntArray,
                 caps: Capacities | None = None, cone: IntArray | None = None) -> None:
        self.graph = graph
        self.caps = Capacities.full(graph) if caps is None else caps
        self.universe = np.asarray(universe, dtype=np.int64)
        self.m = m = int(self.universe.size)
        self.words = -(-(m + 1) // 64)
        nc, ns = graph.n_countries, graph.n_suppliers
        offset = nc + ns
        cone = upstream_cone(graph, target) if cone is None else cone
        self.cone = cone
        self.schedule = cone_steps(graph, cone)
        self.t = int(np.searchsorted(cone, target))
        size = cone.size
        # supply entries of the cone (entries of a component are contiguous, components in index order)
        starts, ends = graph.entry_ptr[cone], graph.entry_ptr[cone + 1]
        self.entries = entries = ranges(starts, ends)
        self.entry_owner = np.repeat(np.arange(size, dtype=np.int64), ends - starts)
        n = graph.n_components
        self._terms = SupplyTerms(np.zeros(n), np.zeros(n))  # F and D, filled on the cone per propagation
        self._context = _Context(graph, self.caps, self._terms)
        self._a = np.ones(n)
        base = self._propagate(self.caps)[cone].copy()
        cap_e = entry_capacity(graph, self.caps, entries)
        self.live = (cap_e > 0) & (graph.entry_share[entries] > 0)
        self.domestic = graph.entry_domestic[entries].astype(bool)
        sup = graph.entry_supplier[entries]
        cty = graph.entry_country[entries].astype(np.int64)
        elems = np.full((entries.size, 3), -1, dtype=np.int64)  # K(e): country, supplier, owner (reach owner)
        elems[:, 0] = cty
        elems[:, 1] = np.where(sup >= 0, nc + sup, -1)
        if self.caps.reach == "owner" and ns:
            owner = np.append(graph.supplier_owner, -1)[sup]
            elems[:, 2] = np.where((sup >= 0) & (owner != cty), owner, -1)
        self.entry_pos = self._positions(elems)
        self.self_pos = self._positions((offset + cone)[:, None])[:, 0]
        with_entries = ends > starts
        self.no_entries = ~with_entries
        self.unlisted = with_entries & (graph.unlisted_share[cone] > 0) & (self.caps.unlisted > 0)
        self.base_down = ~is_up(base)
        self.home = graph.settings.view == "home"
        comp_cap = self.caps.component[cone]
        gain = comp_cap * graph.domestic_share[cone] if self.home else comp_cap
        self.lossy = gain < 1.0  # a loop through it may decay to 0
        self.steps = [self._step(s.cyclic, s.comps) for s in self.schedule.steps]

    # -- compilation ---------------------------------------------------------------------------------

    def _positions(self, vertices: IntArray) -> IntArray:
        """Universe position of each vertex id (-1: not a candidate, or no vertex)."""
        pos = np.searchsorted(self.universe, vertices)
        pos = np.minimum(pos, max(self.m - 1, 0))
        hit = (vertices >= 0) & (self.m > 0)
        if self.m:
            hit &= self.universe[pos] == vertices
        return np.where(hit, pos, -1)

    def _step(self, cyclic: bool, comps: IntArray) -> _Step:
        graph = self.graph
        gstart, gend = graph.comp_group_ptr[comps], graph.comp_group_ptr[comps + 1]
        groups = ranges(gstart, gend)
        owner_pos = np.repeat(np.arange(comps.size, dtype=np.int64), gend - gstart)
        hard = graph.group_share[groups] >= 1.0
        groups, owner_pos = groups[hard], owner_pos[hard]
        lengths = graph.group_ptr[groups + 1] - graph.group_ptr[groups]
        keep = lengths > 0
        groups, owner_pos, lengths = groups[keep], owner_pos[keep], lengths[keep]
        members = np.searchsorted(self.cone, graph.group_members[ranges(graph.group_ptr[groups],
                                                                           graph.group_ptr[groups + 1])])
        offsets = (np.cumsum(lengths) - lengths).astype(np.int64)
        first = np.flatnonzero(np.diff(owner_pos, prepend=-1) != 0).astype(np.int64)
        return _Step(cyclic, np.searchsorted(self.cone, comps), members.astype(np.int64), offsets, first,
                     owner_pos[first], offsets[first])

    def _propagate(self, caps: Capacities) -> FloatArray:
        """``a`` over the cone under ``caps`` (the other components' entries are stale): the steps of
        :func:`chainmap.analysis.propagate.availability` with the same arithmetic, the supply terms of
        :func:`chainmap.analysis.propagate.supply_terms` summed over the cone's entries only (the same
        sums, entry by entry), and one context and one array reused, so a propagation costs O(cone)."""
        graph = self.graph
        cone, entries = self.cone, self.entries
        weighted = graph.entry_share[entries] * entry_capacity(graph, caps, entries)
        bins = self.entry_owner * 2 + graph.entry_domestic[entries]
        both = np.bincount(bins, weights=weighted, minlength=2 * cone.size)
        norm = graph.supply_norm[cone]
        listed = graph.has_entries[cone]
        self._terms.foreign[cone] = np.where(listed, both[0::2] / norm + graph.unlisted_share[cone] * caps.unlisted,
                                             0.0)
        self._terms.domestic[cone] = np.where(listed, both[1::2] / norm, 1.0)
        ctx, a = self._context, self._a
        ctx.cap = caps.component
        for step in self.schedule.steps:
            if step.cyclic:
                _solve_cycle(ctx, step, a)
            else:
                ctx.evaluate(step, a)
        return a

    # -- evaluation ----------------------------------------------------------------------------------

    def down(self, blocks: Sequence[tuple[int, ...]],
             progress: Callable[[int, int], None] | None = None) -> NDArray[np.bool_]:
        """``(len(blocks), m + 1)``: whether removing ``R_b ∪ {u_j}`` (``j = m``: ``R_b`` alone) takes the
        target down. ``progress(done, total)`` is called per chunk of blocks."""
        m, words = self.m, self.words
        out = np.zeros((len(blocks), m + 1), dtype=bool)
        per_block = (8 * self.cone.size + 2 * self.entries.size) * words * 8  # bytes of the pass's arrays
        chunk = max(1, CHUNK_BYTES // max(1, per_block))
        for lo in range(0, len(blocks), chunk):
            if progress is not None:
                progress(lo, len(blocks))
            part = blocks[lo:lo + chunk]
            down, unsure = self._pass(part)
            bits = np.unpackbits(down.view(np.uint8), bitorder="little").reshape(len(part), words * 64)[:, :m + 1]
            out[lo:lo + len(part)] = bits.astype(bool)
            if unsure.any():
                check = np.unpackbits(unsure.view(np.uint8), bitorder="little").reshape(len(part), words * 64)
                for b, j in zip(*np.nonzero(check[:, :m + 1]), strict=True):
                    out[lo + b, j] = self._exact(part[b], int(j))
        if progress is not None:
            progress(len(blocks), len(blocks))
        return out

    def _exact(self, block: tuple[int, ...], j: int) -> bool:
        """Whether removing ``block ∪ {u_j}`` takes the target down, by a propagation over the cone."""
        caps = Capacities(self.caps.country.copy(), self.caps.supplier.copy(), self.caps.component,
                          self.caps.unlisted, self.caps.horizon, self.caps.reach)
        removed = [int(self.universe[p]) for p in {*block, *([j] if j < self.m else [])}]
        if any(v >= self.graph.n_countries + self.graph.n_suppliers for v in removed):
            caps = caps.copy()  # a component: its own capacity array
        for v in removed:
            _remove_vertex(self.graph, caps, v)
        return not bool(is_up(self._propagate(caps)[self.cone[self.t:self.t + 1]])[0])

    def _pass(self, blocks: Sequence[tuple[int, ...]]) -> tuple[Bits, Bits]:
        """One pass over the cone: the target's down bits and its uncertain bits, ``(blocks, words)``."""
        nb, words, m = len(blocks), self.words, self.m
        width = nb * words
        # member[p, b]: universe position p is in R_b (row m, the "nothing more" position, never is)
        member = np.zeros((m + 1, nb), dtype=bool)
        for b, block in enumerate(blocks):
            member[list(block), b] = True
        # an entry is cut in block b by R_b (the whole row) or by one candidate (its bits)
        epos = self.entry_pos
        n_entries = epos.shape[0]
        bits = np.zeros((n_entries, words), dtype=np.uint64)
        whole = np.zeros((n_entries, nb), dtype=bool)
        rows = np.arange(n_entries)
        for j in range(epos.shape[1]):
            p = epos[:, j]
            has = p >= 0
            bits[rows[has], p[has] // 64] |= np.left_shift(np.uint64(1), (p[has] % 64).astype(np.uint64))
            whole[has] |= member[p[has]]
        cut = np.where(whole[:, :, None], _FULL, bits[:, None, :]).reshape(n_entries, width)
        size = self.cone.size
        owner = self.entry_owner
        live = self.live
        if self.home:
            fz = self._meet(cut, live & ~self.domestic, owner, size)
            dz = self._meet(cut, live & self.domestic, owner, size)
            fz[self.unlisted] = 0
            dz[self.no_entries] = 0
        else:
            az = self._meet(cut, live, owner, size)
            az[self.unlisted | self.no_entries] = 0
        # dead(c): removed itself (a candidate component), or down at baseline
        blocks_dead = np.zeros((size, nb, words), dtype=np.uint64)
        sp = self.self_pos
        with_pos = np.flatnonzero(sp >= 0)
        at = sp[with_pos]
        blocks_dead[with_pos, :, at // 64] = np.left_shift(np.uint64(1), (at % 64).astype(np.uint64))[:, None]
        blocks_dead[with_pos] = np.where(member[at][:, :, None], _FULL, blocks_dead[with_pos])
        dead = blocks_dead.reshape(size, width)
        dead[self.base_down] = _FULL
        if self.home:
            leaf = dead | (fz & dz)
            gate = fz
        else:
            leaf = dead | az
            gate = np.full((size, width), _FULL, dtype=np.uint64)
        down = np.zeros((size, width), dtype=np.uint64)
        unsure = np.zeros((size, width), dtype=np.uint64)
        lossy = self.lossy
        any_unsure = False
        for step in self.steps:
            comps = step.comps
            if not step.cyclic:
                down[comps] = leaf[comps] | (gate[comps] & self._rz(step, down))
                if any_unsure:
                    unsure[comps] = self._feeds(step, down, unsure) & ~down[comps]
                continue
            while True:  # least fixed point from "up"
                new = leaf[comps] | (gate[comps] & self._rz(step, down))
                if np.array_equal(new, down[comps]):
                    break
                down[comps] = new
            # bits where a loop of up members (foreign supply cut, view home) may decay: the largest such set
            held = down[comps].copy()
            eligible = gate[comps] & ~held
            loop = eligible
            while loop.any():
                down[comps] = held | loop
                new = eligible & self._rz(step, down)
                if np.array_equal(new, loop):
                    break
                loop = new
            down[comps] = held
            # uncertain: every member, where a loop may decay or where a member's input is uncertain
            spread = np.zeros(width, dtype=np.uint64)
            if any_unsure:
                spread |= np.bitwise_or.reduce(self._feeds(step, down, unsure), axis=0)
            if lossy[comps].any():
                spread |= np.bitwise_or.reduce(loop[lossy[comps]], axis=0)
            if spread.any():
                any_unsure = True
                unsure[comps] = spread[None, :] & ~held
        t = self.t
        return down[t].reshape(nb, words), (unsure[t] & ~down[t]).reshape(nb, words)

    @staticmethod
    def _meet(cut: Bits, sel: NDArray[np.bool_], owner: IntArray, size: int) -> Bits:
        """Per component, the AND of the selected entries' rows (all ones without one)."""
        out = np.full((size, cut.shape[1]), _FULL, dtype=np.uint64)
        rows = np.flatnonzero(sel)
        if rows.size:
            comp = owner[rows]
            first = np.flatnonzero(np.r_[True, comp[1:] != comp[:-1]])
            out[comp[first]] = np.bitwise_and.reduceat(cut[rows], first, axis=0)
        return out

    @staticmethod
    def _rz(step: _Step, down: Bits) -> Bits:
        """Per component of the step: the bits where some hard group has every member down."""
        out = np.zeros((step.comps.size, down.shape[1]), dtype=np.uint64)
        if step.members.size:
            groups = np.bitwise_and.reduceat(down[step.members], step.offsets, axis=0)
            out[step.owners] = np.bitwise_or.reduceat(groups, step.starts, axis=0)
        return out

    @staticmethod
    def _feeds(step: _Step, down: Bits, unsure: Bits) -> Bits:
        """Per component of the step: the uncertain bits of its hard groups' members (where not down)."""
        out = np.zeros((step.comps.size, down.shape[1]), dtype=np.uint64)
        if step.members.size:
            vals = unsure[step.members] & ~down[step.members]
            out[step.owners] = np.bitwise_or.reduceat(vals, step.member_starts, axis=0)
        return out
