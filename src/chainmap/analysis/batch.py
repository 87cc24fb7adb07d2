"""Batched incremental propagation: many independent what-ifs at once, vectorised.

Priorities (one component's foreign supply cut per candidate) and bottlenecks
(one supplier or country removed per candidate) ask the same question for
hundreds of thousands of candidates: which availabilities change, and to what.
:class:`~chainmap.analysis.incremental.Incremental` answers it one candidate at a
time in a Python loop. :class:`BatchPropagation` answers it for a batch of
candidates together: the state is a set of ``(candidate, component)`` pairs
whose value differs from the baseline, and the schedule's steps are walked in
order, each step evaluating, with numpy, every pair whose inputs changed (the
union of the candidates' downstream frontiers). A changed pair is pushed, with
its value, to the requirement-group slots it fills in later steps, so a step
reads its inputs from what it was pushed (one sort per step, no lookups in
what earlier steps found). A pair is evaluated once, after
everything it requires is final, with the same floating-point operations as
:func:`chainmap.analysis.propagate.availability` (``max`` and ``min`` are exact,
the rest is elementwise), so the answers are bit-identical to the one-at-a-time
path. A candidate whose change reaches a cycle is handed back (``fallback``) for
the exact cycle solver of :class:`Incremental`.

Examples
--------
>>> import chainmap
>>> import numpy as np
>>> from chainmap.analysis.incremental import Incremental
>>> from chainmap.analysis.scenario import Capacities
>>> g = chainmap.load("tests/data/mini")
>>> inc = Incremental(g, Capacities.full(g))
>>> batch = BatchPropagation(inc)
>>> k, c, f, d = batch.removal_seeds([("country", g.country_of["NL"])])
>>> result = batch.run(k, c, f, d, 1)
>>> sorted(g.component_ids[i] for i in result.comp.tolist()) == sorted(
...     g.component_ids[i] for i in inc.remove(country=g.country_of["NL"]))
True
"""

from __future__ import annotations

import heapq
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from chainmap.analysis.incremental import Incremental
from chainmap.graph import FloatArray, IntArray, SupplyGraph, ranges

BoolArray = NDArray[np.bool_]

__all__ = ["BatchPropagation", "BatchResult", "largest_first", "stable_order", "unique_inverse", "upstream_mask"]


def _unique(a: IntArray) -> IntArray:
    """Sorted unique values (by sorting: faster than ``np.unique``'s hashing on large key arrays; input
    already in order, as a batch's seeds often are, is only de-duplicated)."""
    if a.size < 2:
        return np.sort(a)
    s = a if bool(np.all(a[1:] >= a[:-1])) else np.sort(a)
    keep = np.empty(s.size, dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


@dataclass(frozen=True)
class BatchResult:
    """Changed availabilities of a batch: parallel arrays sorted by (candidate, component).

    ``fallback[k]`` marks candidates whose change reached a cycle: their pairs are
    left out and the caller computes them exactly one at a time.
    """

    cand: IntArray
    comp: IntArray
    value: FloatArray
    fallback: BoolArray


def unique_inverse(a: IntArray, runs: bool = False) -> tuple[IntArray, IntArray]:
    """``np.unique(a, return_inverse=True)`` for non-negative integers, by one sort (faster than its hashing
    on large arrays; ``runs``: ``a`` is mostly in sorted runs, merged by a merge sort).

    >>> unique_inverse(np.array([5, 3, 5, 1]))
    (array([1, 3, 5]), array([2, 1, 2, 0]))
    """
    a = np.asarray(a, dtype=np.int64)
    s, order = _sort_perm(a, int(np.abs(a).max()) + 1 if a.size else 1, runs)
    new = np.empty(s.size, dtype=bool)
    if s.size:
        new[0] = True
        np.not_equal(s[1:], s[:-1], out=new[1:])
    inverse = np.empty(a.size, dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return s[new], inverse


def stable_order(values: IntArray) -> IntArray:
    """``np.argsort(values, kind="stable")`` for non-negative integers (by one ``np.sort`` of packed keys).

    >>> stable_order(np.array([2, 0, 2, 1]))
    array([1, 3, 0, 2])
    """
    values = np.asarray(values, dtype=np.int64)
    if values.size > _RADIX_ABOVE and int(values.min()) >= 0 and int(values.max()) < 1 << 32:
        # two stable passes over 16-bit digits (numpy's radix sort), low digit first
        low = np.argsort((values & 0xFFFF).astype(np.uint16), kind="stable")
        return low[np.argsort((values[low] >> 16).astype(np.uint16), kind="stable")]
    return _sort_perm(values, int(np.abs(values).max()) + 1 if values.size else 1)[1]


_RADIX_ABOVE = 100_000
"""Arrays longer than this are ordered by :func:`stable_order` with a radix sort."""


def largest_first(groups: IntArray, values: NDArray[Any]) -> IntArray:
    """``np.lexsort((-values, groups))`` for ``groups`` sorted: within each run of equal groups, largest
    value first, ties in their order. Small runs (the usual case) are ranked by comparing each element with
    its next few neighbours, vectorised; large runs or NaN fall back to ``lexsort``.

    >>> largest_first(np.array([0, 0, 0, 1, 1]), np.array([0.2, 0.5, 0.2, 0.1, 0.3]))
    array([1, 0, 2, 4, 3])
    """
    m = groups.size
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    new = np.empty(m, dtype=bool)
    new[0] = True
    np.not_equal(groups[1:], groups[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    longest = int(np.diff(np.append(starts, m)).max())
    if longest > 32 or bool(np.isnan(values).any()):
        return np.lexsort((-values, groups))
    ahead = np.zeros(m, dtype=np.int64)  # elements of the same run placed before each element
    run_start = np.repeat(starts, np.diff(np.append(starts, m)))
    left = np.repeat(np.diff(np.append(starts, m)), np.diff(np.append(starts, m))) - (np.arange(m) - run_start) - 1
    idx = np.flatnonzero(left >= 1)  # elements i with i + d in their run, for d = 1, 2, ... (shrinking)
    for d in range(1, longest):
        later_bigger = values[idx + d] > values[idx]  # i + d goes first; else i does (ties keep their order)
        ahead[idx] += later_bigger
        ahead[idx + d] += ~later_bigger
        idx = idx[left[idx] >= d + 1]
    out = np.empty(m, dtype=np.int64)
    out[run_start + ahead] = np.arange(m)
    return out


def upstream_mask(graph: SupplyGraph, targets: IntArray) -> BoolArray:
    """Components the targets require (transitively), targets included, as a mask
    (:meth:`SupplyGraph.upstream_of` as a mask, by frontier marks instead of sorting)."""
    n = graph.n_components
    csr = graph.requires_csr
    indptr, indices = np.asarray(csr.indptr, dtype=np.int64), np.asarray(csr.indices, dtype=np.int64)
    seen = np.zeros(n, dtype=bool)
    seen[targets] = True
    frontier = np.flatnonzero(seen)
    while frontier.size:
        nxt = indices[ranges(indptr[frontier], indptr[frontier + 1])]
        nxt = nxt[~seen[nxt]]
        if nxt.size == 0:
            break
        fresh = np.zeros(n, dtype=bool)
        fresh[nxt] = True
        seen |= fresh
        frontier = np.flatnonzero(fresh)
    return seen


@dataclass(frozen=True)
class _Structure:
    """Arrays of a graph's schedule and groups that every batch over the graph uses (computed once per
    graph: a second analysis on the same graph in one process reuses them)."""

    step_of: IntArray  # schedule step of each component
    step_cyclic: BoolArray
    slot_group: IntArray  # group of each slot (position in ``group_members``)
    mg_slots: IntArray  # slots by member: the slots of component u are mg_slots[mg_ptr[u]:mg_ptr[u + 1]]
    mg_step: IntArray  # step of each of those slots' group owner
    mg_ptr: IntArray
    comp_cyclic: BoolArray  # components in a cyclic step


_STRUCTURES: weakref.WeakKeyDictionary[SupplyGraph, _Structure] = weakref.WeakKeyDictionary()


def _structure(g: SupplyGraph) -> _Structure:
    """The graph's :class:`_Structure` (cached while the graph lives)."""
    st = _STRUCTURES.get(g)
    if st is None:
        steps = g.schedule.steps
        step_of = np.zeros(g.n_components, dtype=np.int64)
        for i, step in enumerate(steps):
            step_of[step.comps] = i
        slot_group = np.repeat(np.arange(g.group_owner.size, dtype=np.int64), np.diff(g.group_ptr))
        order = stable_order(g.group_members)
        mg_ptr = np.searchsorted(g.group_members[order], np.arange(g.n_components + 1)).astype(np.int64)
        cyclic = np.array([s.cyclic for s in steps], dtype=bool)
        st = _Structure(step_of, cyclic, slot_group, order.astype(np.int64),
                        step_of[g.group_owner[slot_group[order]]], mg_ptr, cyclic[step_of])
        _STRUCTURES[g] = st
    return st


class BatchPropagation:
    """Vectorised what-ifs over the arrays of an :class:`Incremental` (same baseline, same capacities)."""

    def __init__(self, inc: Incremental) -> None:
        g = inc.graph
        self.inc = inc
        self.graph = g
        self.n = g.n_components
        self.base = inc.base
        ctx = inc._ctx  # the baseline context: weights, stock cover, terms
        self.home_view = ctx.home_view
        self.weight = np.asarray(ctx.weight, dtype=np.float64)
        self.cover = np.asarray(ctx.cover, dtype=np.float64)
        self.cap = np.asarray(inc.caps.component, dtype=np.float64)
        self.d0 = g.domestic_share
        self.foreign = inc.terms.foreign
        self.domestic = inc.terms.domestic
        steps = g.schedule.steps
        st = _structure(g)
        self.step_of = st.step_of
        self.step_cyclic = st.step_cyclic
        self.mptr = g.group_ptr
        self.members = g.group_members
        self.entry_cap = inc.entry_cap
        self.cycles_exact = True  # False: hand candidates that reach a cycle back as ``fallback``
        self._work = self.base.copy()
        self._entry_w: FloatArray | None = None
        self._tops: tuple[IntArray, NDArray[np.int32]] | None = None
        # each group's owner; the group slots (positions in ``members``) of each component
        self.n_groups = g.group_owner.size
        self.n_steps = len(steps)
        self.group_owner = g.group_owner
        self.slot_group, self.mg_slots, self.mg_step, self.mg_ptr = st.slot_group, st.mg_slots, st.mg_step, st.mg_ptr
        # pair keys ``k << nbits | component``, push keys ``k << sbits | slot``
        self.nbits = max(int(self.n).bit_length(), 1)
        self.nmask = (1 << self.nbits) - 1
        self.sbits = max(int(g.group_members.size).bit_length(), 1)
        self.smask = (1 << self.sbits) - 1
        # baseline R of every component outside cycles, as the propagation computes it
        self.base_r = np.ones(self.n)
        for step in steps:
            if not step.cyclic:
                self.base_r[step.comps] = ctx.requirement_limit(step, self.base)

    def _group_tops(self) -> tuple[IntArray, NDArray[np.int32]]:
        """Per group, how many of its members hold its baseline value (the max of their baseline ``a``); per
        slot, 1 where its member holds its group's baseline value (computed on first use)."""
        if self._tops is None:
            g = self.graph
            ptr = g.group_ptr
            if ptr.size > 1 and bool(np.all(ptr[1:] > ptr[:-1])):
                values = self.base[g.group_members]
                gmax = np.maximum.reduceat(values, ptr[:-1])
                slot_top = (values == gmax[self.slot_group]).astype(np.int32)
                count = np.add.reduceat(slot_top, ptr[:-1]).astype(np.int64)
            else:  # no groups, or an empty one: no shortcut (no group counts as holding its value unpushed)
                count = np.zeros(self.n_groups, dtype=np.int64)
                slot_top = np.zeros(g.group_members.size, dtype=np.int32)
            self._tops = (count, slot_top)
        return self._tops

    # -- seeds ------------------------------------------------------------------------------

    def removal_seeds(self, nodes: Sequence[tuple[str, int]]) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
        """``(candidate, component, F, D)`` of every component whose supply terms change when
        ``nodes[k]`` (``("country", i)`` or ``("supplier", i)``) is removed alone (the arithmetic of
        :meth:`Incremental.terms_of`: sums in entry order)."""
        g, inc = self.graph, self.inc
        is_country = np.array([t == "country" for t, _ in nodes], dtype=bool)
        node = np.array([i for _, i in nodes], dtype=np.int64)
        parts_k: list[IntArray] = []
        parts_e: list[IntArray] = []
        for kind in ("country", "supplier"):
            ks = np.flatnonzero(is_country if kind == "country" else ~is_country)
            if ks.size == 0:
                continue
            order, ptr = inc._by_country if kind == "country" else inc._by_supplier
            starts, ends = ptr[node[ks]], ptr[node[ks] + 1]
            parts_e.append(order[ranges(starts, ends)])
            parts_k.append(np.repeat(ks, ends - starts))
        if not parts_k:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0), np.zeros(0)
        rk, re = np.concatenate(parts_k), np.concatenate(parts_e)
        pairs = _unique(rk * self.n + g.entry_comp[re])
        pk, pc = pairs // self.n, pairs % self.n
        eptr = g.entry_ptr
        starts, ends = eptr[pc], eptr[pc + 1]
        e = ranges(starts, ends)
        pair_of = np.repeat(np.arange(pairs.size), ends - starts)
        # the entries the removal cuts: those of the removed supplier, or located in the removed country
        # (reach owner: or of a supplier it owns), as in Incremental._by_country / _by_supplier
        ek = pk[pair_of]
        target = node[ek]
        owner_reach = inc.caps.reach == "owner" and g.n_suppliers > 0
        if not owner_reach and bool(is_country.all()):  # one kind of node: one column read
            is_removed = g.entry_country[e] == target
        elif not owner_reach and not is_country.any():
            is_removed = g.entry_supplier[e] == target
        else:
            sup = g.entry_supplier[e]
            is_removed = np.where(is_country[ek], g.entry_country[e] == target, sup == target)
            if owner_reach:
                owner = np.append(g.supplier_owner, -1)[sup]
                is_removed |= is_country[ek] & (sup >= 0) & (owner == target)
        # share * capacity of each entry (a removed entry weighs 0.0, as share * 0.0 does in
        # Incremental.terms_of), summed in entry order per (pair, domestic) bin: the same sums as two bincounts
        # with zeros in place of the other kind's entries (adding 0.0 changes no sum)
        if self._entry_w is None:
            self._entry_w = g.entry_share * self.entry_cap
        both = np.bincount(pair_of * 2 + g.entry_domestic[e], weights=np.where(is_removed, 0.0, self._entry_w[e]),
                           minlength=2 * pairs.size)
        dom_sum, for_sum = both[1::2], both[0::2]
        norm = g.supply_norm[pc]
        unlisted = g.unlisted_share[pc] * inc.caps.unlisted
        return pk, pc, for_sum / norm + unlisted, dom_sum / norm

    # -- propagation --------------------------------------------------------------------------

    def run(self, seed_cand: IntArray, seed_comp: IntArray, seed_f: FloatArray, seed_d: FloatArray,
            n_cand: int) -> BatchResult:
        """Availabilities that change when, for each candidate ``k`` separately, the seeds
        ``(k, c)`` take supply terms ``(F, D)``, none above the baseline's (a cut, not a rise).

        Values only fall, so a component's ``R`` is its baseline ``R`` lowered by the groups
        with a changed member (``min`` is exact): only those groups are evaluated. A changed
        pair ``(k, u)`` is pushed, with its value, to every group slot of ``u`` (the slot's
        later step), so a step finds its groups' changed members in what it was pushed,
        without looking values up. Pairs are keys ``k << nbits | u``, pushes ``k << sbits | slot``.
        """
        nb = self.nbits
        if bool(np.any(seed_f > self.foreign[seed_comp])) or bool(np.any(seed_d > self.domestic[seed_comp])):
            raise ValueError("BatchPropagation.run: supply terms may only fall")
        seed_keys = (seed_cand.astype(np.int64) << nb) | seed_comp
        order = np.argsort(seed_keys, kind="stable")
        seed_keys, seed_f, seed_d = seed_keys[order], seed_f[order], seed_d[order]
        fallback = np.zeros(n_cand, dtype=bool)
        any_fallback = False
        # seeds bucketed by step, sorted by key within a step
        seeds: dict[int, slice] = {}
        if seed_keys.size:
            seed_steps = self.step_of[seed_keys & self.nmask]
            so = _argsort_small(seed_steps, self.n_steps)
            seed_keys, seed_f, seed_d, seed_steps = seed_keys[so], seed_f[so], seed_d[so], seed_steps[so]
            bounds = np.flatnonzero(seed_steps[1:] != seed_steps[:-1]) + 1
            lo = np.concatenate(([0], bounds)).tolist()
            hi = np.concatenate((bounds, [seed_keys.size])).tolist()
            for a, b in zip(lo, hi, strict=True):
                seeds[int(seed_steps[a])] = slice(a, b)
        pushed: dict[int, list[tuple[IntArray, FloatArray]]] = {}  # step -> (k << sbits | slot, value)
        heap = list(seeds)
        heapq.heapify(heap)
        queued = set(heap)
        out_keys: list[IntArray] = []
        out_vals: list[FloatArray] = []
        base = self.base
        push_bound = n_cand << self.sbits
        while heap:
            s = heapq.heappop(heap)
            queued.discard(s)
            sl = seeds.get(s, slice(0, 0))
            skeys, sf, sd = seed_keys[sl], seed_f[sl], seed_d[sl]
            parts = pushed.pop(s, [])
            if len(parts) == 1:
                pkeys, pvals = parts[0]
            elif parts:
                pkeys = np.concatenate([p[0] for p in parts])
                pvals = np.concatenate([p[1] for p in parts])
            else:
                pkeys, pvals = np.zeros(0, dtype=np.int64), np.zeros(0)
            if any_fallback:
                keep = ~fallback[skeys >> nb]
                skeys, sf, sd = skeys[keep], sf[keep], sd[keep]
                keep = ~fallback[pkeys >> self.sbits]
                pkeys, pvals = pkeys[keep], pvals[keep]
            if skeys.size == 0 and pkeys.size == 0:
                continue
            if pkeys.size > 1:  # keys are distinct: (candidate, slot) sorts by (candidate, group) too
                pkeys, o = _sort_perm(pkeys, push_bound, runs=True)  # each push sorted by candidate
                pvals = pvals[o]
            if self.step_cyclic[s]:
                if not self.cycles_exact:
                    fallback[skeys >> nb] = True
                    fallback[pkeys >> self.sbits] = True
                    any_fallback = True
                    continue
                mk, mv = self._cycle(s, skeys, sf, sd, pkeys, pvals)
                rose = mv > base[mk & self.nmask]  # the cycle solver's rounding: keep the one-at-a-time answer
                if rose.any():
                    fallback[mk[rose] >> nb] = True
                    any_fallback = True
                    keep = ~fallback[mk >> nb]
                    mk, mv = mk[keep], mv[keep]
            else:
                mk, mv = self._evaluate(skeys, sf, sd, pkeys, pvals)
            if mk.size == 0:
                continue
            out_keys.append(mk)
            out_vals.append(mv)
            self._push(pushed, heap, queued, s, mk, mv)
        if out_keys:
            keys, vals = np.concatenate(out_keys), np.concatenate(out_vals)
            keys, o = _sort_perm(keys, n_cand << nb, runs=True)  # distinct keys, sorted within each step
            vals = vals[o]
        else:
            keys, vals = np.zeros(0, dtype=np.int64), np.zeros(0)
        cand, comp = keys >> nb, keys & self.nmask
        if any_fallback:
            keep = ~fallback[cand]
            cand, comp, vals = cand[keep], comp[keep], vals[keep]
        return BatchResult(cand, comp, vals, fallback)

    def _evaluate(self, skeys: IntArray, sf: FloatArray, sd: FloatArray, pkeys: IntArray,
                  pvals: FloatArray) -> tuple[IntArray, FloatArray]:
        """New values of the pairs of one step outside cycles: seeds ``skeys`` (sorted) with their terms,
        and owners of the groups with a changed member (``pkeys``: candidate and slot, sorted)."""
        nb, sb = self.nbits, self.sbits
        pk, slot = pkeys >> sb, pkeys & self.smask
        pg = self.slot_group[slot]
        if pk.size:
            new = np.empty(pk.size, dtype=bool)
            new[0] = True
            np.not_equal(pg[1:], pg[:-1], out=new[1:])
            new[1:] |= pk[1:] != pk[:-1]
            gk, gg = pk[new], pg[new]
            inverse = np.cumsum(new) - 1
        else:
            gk = gg = inverse = pk
        f_group = np.zeros(0)
        if gg.size:
            # a one-member group's best is its pushed value; larger groups read their other members' baseline
            ms, me = self.mptr[gg], self.mptr[gg + 1]
            several = (me - ms) > 1
            first_push = np.flatnonzero(new)
            best = pvals[first_push]  # the group's first pushed value (its only one when one member)
            kept = np.zeros(gg.size, dtype=bool)
            if several.any():
                # a group one of whose members holding its baseline value was not pushed keeps that value
                # (pushed values are below their baseline): its f is its baseline f, which R already holds
                top_count, slot_top = self._group_tops()
                kept = several & (np.add.reduceat(slot_top[slot], first_push) < top_count[gg])
                several &= ~kept
            if several.any():
                big = np.flatnonzero(several)
                ms, me = ms[big], me[big]
                nm = me - ms
                offsets = np.cumsum(nm) - nm
                vals = self.base[self.members[ranges(ms, me)]]
                rank = np.full(gg.size, -1, dtype=np.int64)
                rank[big] = np.arange(big.size)
                r = rank[inverse]
                mine = r >= 0
                vals[offsets[r[mine]] + (slot[mine] - self.mptr[pg[mine]])] = pvals[mine]
                best[big] = np.maximum.reduceat(vals, offsets)
            if kept.any():  # unchanged groups lower no R: left out
                gk, gg, best = gk[~kept], gg[~kept], best[~kept]
            f_group = 1.0 - self.weight[gg] * (1.0 - best)
        owner_keys = (gk << nb) | self.group_owner[gg]  # sorted: groups are ordered by owner
        first = np.flatnonzero(np.concatenate(([True], owner_keys[1:] != owner_keys[:-1]))) if gg.size else gg
        okeys = owner_keys[first]
        keys, at, p = _union(okeys, skeys)
        u = keys & self.nmask
        req = self.base_r[u]
        if gg.size:
            req[at] = np.minimum(req[at], np.minimum.reduceat(f_group, first))
        f, d = self.foreign[u], self.domestic[u]
        if skeys.size:
            f[p] = sf
            d[p] = sd
        x = f + np.minimum(d, req * self.d0[u]) if self.home_view else np.minimum(f + d, req)
        new_a = self.cap[u] * np.minimum(1.0, x + self.cover[u])
        moved = new_a != self.base[u]
        return keys[moved], new_a[moved]

    def _cycle(self, s: int, skeys: IntArray, sf: FloatArray, sd: FloatArray, pkeys: IntArray,
               pvals: FloatArray) -> tuple[IntArray, FloatArray]:
        """Solve cyclic step ``s`` for each candidate with a seed or a changed input there (one at a
        time, with the exact cycle solver on the candidate's values around it, as
        :meth:`Incremental.run` does)."""
        from chainmap.analysis.propagate import _solve_cycle

        nb = self.nbits
        step = self.graph.schedule.steps[s]
        comps = step.comps
        work, ctx, base = self._work, self.inc._ctx, self.base
        sk, sc = skeys >> nb, skeys & self.nmask
        pk = pkeys >> self.sbits
        pu = self.members[pkeys & self.smask]
        cands = _unique(np.concatenate((sk, pk)))
        s_lo, s_hi = np.searchsorted(sk, cands, "left").tolist(), np.searchsorted(sk, cands, "right").tolist()
        p_lo, p_hi = np.searchsorted(pk, cands, "left").tolist(), np.searchsorted(pk, cands, "right").tolist()
        out_keys: list[IntArray] = []
        out_vals: list[FloatArray] = []
        for i, k in enumerate(cands.tolist()):
            inputs = pu[p_lo[i]:p_hi[i]]
            seeded = sc[s_lo[i]:s_hi[i]]
            work[inputs] = pvals[p_lo[i]:p_hi[i]]
            ctx.foreign[seeded] = sf[s_lo[i]:s_hi[i]]
            ctx.domestic[seeded] = sd[s_lo[i]:s_hi[i]]
            try:
                _solve_cycle(ctx, step, work)
                new = work[comps].copy()
            finally:
                ctx.foreign[seeded] = self.foreign[seeded]
                ctx.domestic[seeded] = self.domestic[seeded]
                work[inputs] = base[inputs]
                work[comps] = base[comps]
            moved = new != base[comps]
            out_keys.append((k << nb) | comps[moved])
            out_vals.append(new[moved])
        return np.concatenate(out_keys), np.concatenate(out_vals)

    def _push(self, pending: dict[int, list[tuple[IntArray, FloatArray]]], heap: list[int], queued: set[int],
              s: int, mk: IntArray, mv: FloatArray) -> None:
        """Queue the changed pairs ``(mk, mv)`` of step ``s`` at every group slot of a later step."""
        mu, mc = mk & self.nmask, mk >> self.nbits
        starts, ends = self.mg_ptr[mu], self.mg_ptr[mu + 1]
        idx = ranges(starts, ends)
        steps = self.mg_step[idx]
        count = ends - starts
        keys = (np.repeat(mc, count) << self.sbits) | self.mg_slots[idx]
        vals = np.repeat(mv, count)
        if self.step_cyclic[s]:  # a cycle's own members are solved already (outside cycles every owner is later)
            later = steps > s
            keys, vals, steps = keys[later], vals[later], steps[later]
        if keys.size == 0:
            return
        if bool(np.all(steps == steps[0])):
            parts = [(int(steps[0]), keys, vals)]
        else:
            order = _argsort_small(steps, self.n_steps)
            steps, keys, vals = steps[order], keys[order], vals[order]
            bounds = np.flatnonzero(steps[1:] != steps[:-1]) + 1
            lo = np.concatenate(([0], bounds)).tolist()
            hi = np.concatenate((bounds, [keys.size])).tolist()
            parts = [(int(steps[a]), keys[a:b], vals[a:b]) for a, b in zip(lo, hi, strict=True)]
        for t, k, v in parts:
            if t not in pending:
                pending[t] = []
            if t not in queued:
                queued.add(t)
                heapq.heappush(heap, t)
            pending[t].append((k, v))


def _argsort_small(values: IntArray, bound: int) -> IntArray:
    """Stable argsort of integers in ``[0, bound)`` (a radix sort when they fit 16 bits)."""
    if bound <= np.iinfo(np.int16).max:
        return np.argsort(values.astype(np.int16), kind="stable")
    return np.argsort(values, kind="stable")


def _sort_perm(keys: IntArray, bound: int, runs: bool = False) -> tuple[IntArray, IntArray]:
    """``(sorted keys, stable permutation)`` of integer keys of magnitude below ``bound``: the positions
    ride in the low bits of one ``np.sort`` (faster than ``argsort``) when both fit 63 bits. ``runs``: the
    keys are in long sorted runs (a merge sort takes them in near-linear time).

    >>> _sort_perm(np.array([7, 3, 5]), 8)
    (array([3, 5, 7]), array([1, 2, 0]))
    """
    ibits = max(int(keys.size - 1).bit_length(), 1)
    if int(max(bound - 1, 1)).bit_length() + ibits > 63:
        o = np.argsort(keys, kind="stable")
        return keys[o], o
    packed = (keys << ibits) | np.arange(keys.size, dtype=np.int64)
    packed.sort(kind="stable" if runs else "quicksort")
    return packed >> ibits, packed & ((1 << ibits) - 1)


def _union(a: IntArray, b: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Union of two sorted arrays of distinct values, and where each value of ``a`` and of ``b`` is in it.

    >>> _union(np.array([1, 4, 6]), np.array([2, 4]))
    (array([1, 2, 4, 6]), array([0, 2, 3]), array([1, 2]))
    """
    if b.size == 0:
        return a, np.arange(a.size), np.zeros(0, dtype=np.int64)
    if a.size == 0:
        return b, np.zeros(0, dtype=np.int64), np.arange(b.size)
    pos = np.searchsorted(a, b)
    inside = pos < a.size
    inside[inside] = a[pos[inside]] == b[inside]
    fresh = b[~inside]
    ins = np.searchsorted(a, fresh) + np.arange(fresh.size)  # where the new values land
    out = np.empty(a.size + fresh.size, dtype=a.dtype)
    is_a = np.ones(out.size, dtype=bool)
    is_a[ins] = False
    out[ins] = fresh
    out[is_a] = a
    at = np.flatnonzero(is_a)
    pb = np.empty(b.size, dtype=np.int64)
    pb[~inside] = ins
    pb[inside] = at[pos[inside]]
    return out, at, pb
