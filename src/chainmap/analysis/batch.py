"""Batched incremental propagation: many independent what-ifs at once, vectorised.

Priorities (one component's foreign supply cut per candidate) and bottlenecks
(one supplier or country removed per candidate) ask the same question for
hundreds of thousands of candidates: which availabilities change, and to what.
:class:`~chainmap.analysis.incremental.Incremental` answers it one candidate at a
time in a Python loop. :class:`BatchPropagation` answers it for a batch of
candidates together: the state is a set of ``(candidate, component)`` pairs
whose value differs from the baseline, and the schedule's steps are walked in
order, each step evaluating, with numpy, every pair whose inputs changed (the
union of the candidates' downstream frontiers). A pair is evaluated once, after
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
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from chainmap.analysis.incremental import Incremental
from chainmap.graph import FloatArray, IntArray, _ranges

BoolArray = NDArray[np.bool_]

__all__ = ["BatchPropagation", "BatchResult", "unique_inverse"]


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


def unique_inverse(a: IntArray) -> tuple[IntArray, IntArray]:
    """``np.unique(a, return_inverse=True)`` by a stable sort (faster than its hashing on large arrays).

    >>> unique_inverse(np.array([5, 3, 5, 1]))
    (array([1, 3, 5]), array([2, 1, 2, 0]))
    """
    order = np.argsort(a, kind="stable")
    s = a[order]
    new = np.empty(s.size, dtype=bool)
    if s.size:
        new[0] = True
        np.not_equal(s[1:], s[:-1], out=new[1:])
    inverse = np.empty(a.size, dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return s[new], inverse


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
        step_of = np.zeros(self.n, dtype=np.int64)
        for i, step in enumerate(steps):
            step_of[step.comps] = i
        self.step_of = step_of
        self.step_cyclic = np.array([s.cyclic for s in steps], dtype=bool)
        down = g.required_by_csr
        self.uptr = np.asarray(down.indptr, dtype=np.int64)
        self.users = np.asarray(down.indices, dtype=np.int64)
        self.gptr = g.comp_group_ptr
        self.mptr = g.group_ptr
        self.members = g.group_members
        self.entry_cap = inc.entry_cap
        self.cycles_exact = True  # False: hand candidates that reach a cycle back as ``fallback``
        self._work = self.base.copy()
        # groups containing each component, and each group's owner
        self.n_groups = n_groups = g.group_owner.size
        self.group_owner = g.group_owner
        edge_group = np.repeat(np.arange(n_groups, dtype=np.int64), np.diff(g.group_ptr))
        order = np.argsort(g.group_members, kind="stable")
        self.mg_groups = edge_group[order]
        self.mg_ptr = np.searchsorted(g.group_members[order], np.arange(self.n + 1)).astype(np.int64)
        # baseline R of every component outside cycles, as the propagation computes it
        self.base_r = np.ones(self.n)
        for step in steps:
            if not step.cyclic:
                self.base_r[step.comps] = ctx.requirement_limit(step, self.base)

    # -- seeds ------------------------------------------------------------------------------

    def removal_seeds(self, nodes: Sequence[tuple[str, int]]) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
        """``(candidate, component, F, D)`` of every component whose supply terms change when
        ``nodes[k]`` (``("country", i)`` or ``("supplier", i)``) is removed alone (the arithmetic of
        :meth:`Incremental.terms_of`: sums in entry order)."""
        g, inc = self.graph, self.inc
        parts_k: list[IntArray] = []
        parts_e: list[IntArray] = []
        for kind in ("country", "supplier"):
            ks = np.array([k for k, (t, _) in enumerate(nodes) if t == kind], dtype=np.int64)
            if ks.size == 0:
                continue
            idx = np.array([nodes[k][1] for k in ks.tolist()], dtype=np.int64)
            order, ptr = inc._by_country if kind == "country" else inc._by_supplier
            starts, ends = ptr[idx], ptr[idx + 1]
            parts_e.append(order[_ranges(starts, ends)])
            parts_k.append(np.repeat(ks, ends - starts))
        n_entries = g.entry_comp.size
        if not parts_k:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0), np.zeros(0)
        rk, re = np.concatenate(parts_k), np.concatenate(parts_e)
        removed = _unique(rk * n_entries + re)
        pairs = _unique(rk * self.n + g.entry_comp[re])
        pk, pc = pairs // self.n, pairs % self.n
        eptr = g.entry_ptr
        starts, ends = eptr[pc], eptr[pc + 1]
        e = _ranges(starts, ends)
        pair_of = np.repeat(np.arange(pairs.size), ends - starts)
        key = pk[pair_of] * n_entries + e
        pos = np.minimum(np.searchsorted(removed, key), max(removed.size - 1, 0))
        is_removed = removed[pos] == key
        w = g.entry_share[e] * np.where(is_removed, 0.0, self.entry_cap[e])
        dom = g.entry_domestic[e]
        dom_sum = np.bincount(pair_of, weights=np.where(dom, w, 0.0), minlength=pairs.size)
        for_sum = np.bincount(pair_of, weights=np.where(dom, 0.0, w), minlength=pairs.size)
        norm = g.supply_norm[pc]
        unlisted = g.unlisted_share[pc] * inc.caps.unlisted
        return pk, pc, for_sum / norm + unlisted, dom_sum / norm

    # -- propagation --------------------------------------------------------------------------

    def run(self, seed_cand: IntArray, seed_comp: IntArray, seed_f: FloatArray, seed_d: FloatArray,
            n_cand: int) -> BatchResult:
        """Availabilities that change when, for each candidate ``k`` separately, the seeds
        ``(k, c)`` take supply terms ``(F, D)``, none above the baseline's (a cut, not a rise).

        Values only fall, so a component's ``R`` is its baseline ``R`` lowered by the groups
        with a changed member (``min`` is exact): only those groups are evaluated.
        """
        n, n_groups = self.n, self.n_groups
        if bool(np.any(seed_f > self.foreign[seed_comp])) or bool(np.any(seed_d > self.domestic[seed_comp])):
            raise ValueError("BatchPropagation.run: supply terms may only fall")
        seed_keys = seed_cand.astype(np.int64) * n + seed_comp
        order = np.argsort(seed_keys, kind="stable")
        seed_keys, seed_f, seed_d = seed_keys[order], seed_f[order], seed_d[order]
        fallback = np.zeros(n_cand, dtype=bool)
        pairs: dict[int, list[IntArray]] = {}  # step -> keys k * n + c (seeds)
        groups: dict[int, list[IntArray]] = {}  # step -> keys k * n_groups + g (groups with a changed member)
        heap: list[int] = []
        queued: set[int] = set()  # steps in the heap
        self._push(pairs, heap, queued, seed_keys, self.step_of[seed_keys % n])
        changed = _Store(self.step_of, n)
        base = self.base
        while heap:
            s = heapq.heappop(heap)
            queued.discard(s)
            skeys = _unique(np.concatenate(pairs.pop(s, [np.zeros(0, dtype=np.int64)])))
            gkeys = _unique(np.concatenate(groups.pop(s, [np.zeros(0, dtype=np.int64)])))
            skeys = skeys[~fallback[skeys // n]]
            gkeys = gkeys[~fallback[gkeys // n_groups]]
            if skeys.size == 0 and gkeys.size == 0:
                continue
            if self.step_cyclic[s]:
                if not self.cycles_exact:
                    fallback[skeys // n] = True
                    fallback[gkeys // n_groups] = True
                    continue
                cands = _unique(np.concatenate((skeys // n, gkeys // n_groups)))
                mk, mv = self._cycle(s, cands, seed_keys, seed_f, seed_d, changed)
                rose = mv > base[mk % n]  # the cycle solver's rounding: keep the one-at-a-time answer
                if rose.any():
                    fallback[mk[rose] // n] = True
                    keep = ~fallback[mk // n]
                    mk, mv = mk[keep], mv[keep]
            else:
                mk, mv = self._evaluate(skeys, gkeys, seed_keys, seed_f, seed_d, changed)
            if mk.size == 0:
                continue
            changed.add(s, mk, mv)
            mu, mc = mk % n, mk // n
            starts, ends = self.mg_ptr[mu], self.mg_ptr[mu + 1]
            gs = self.mg_groups[_ranges(starts, ends)]
            steps = self.step_of[self.group_owner[gs]]
            later = steps > s  # a cycle's own members are solved already
            if later.any():
                self._push(groups, heap, queued, (np.repeat(mc, ends - starts) * n_groups + gs)[later], steps[later])
        keys, vals = changed.all()
        cand, comp = keys // n, keys % n
        keep = ~fallback[cand]
        return BatchResult(cand[keep], comp[keep], vals[keep], fallback)

    def _evaluate(self, skeys: IntArray, gkeys: IntArray, seed_keys: IntArray, seed_f: FloatArray,
                  seed_d: FloatArray, changed: _Store) -> tuple[IntArray, FloatArray]:
        """New values of the pairs of one step outside cycles: seeds, and owners of changed groups."""
        n, n_groups = self.n, self.n_groups
        gk, gg = gkeys // n_groups, gkeys % n_groups
        ms, me = self.mptr[gg], self.mptr[gg + 1]
        nm = me - ms
        members = self.members[_ranges(ms, me)]
        vals = changed.lookup(np.repeat(gk, nm) * n + members, members, self.base[members])
        f_group = np.zeros(0)
        if gg.size:
            best = np.maximum.reduceat(vals, np.cumsum(nm) - nm)
            f_group = 1.0 - self.weight[gg] * (1.0 - best)
        owner_keys = gk * n + self.group_owner[gg]  # sorted: groups are ordered by owner
        first = np.flatnonzero(np.concatenate(([True], owner_keys[1:] != owner_keys[:-1]))) if gg.size else gg
        keys = _unique(np.concatenate((skeys, owner_keys[first])))
        u = keys % n
        req = self.base_r[u].copy()
        if gg.size:
            at = np.searchsorted(keys, owner_keys[first])
            req[at] = np.minimum(req[at], np.minimum.reduceat(f_group, first))
        f, d = self.foreign[u], self.domestic[u]
        if seed_keys.size:
            p = np.minimum(np.searchsorted(seed_keys, keys), seed_keys.size - 1)
            is_seed = seed_keys[p] == keys
            f = np.where(is_seed, seed_f[p], f)
            d = np.where(is_seed, seed_d[p], d)
        x = f + np.minimum(d, req * self.d0[u]) if self.home_view else np.minimum(f + d, req)
        new = self.cap[u] * np.minimum(1.0, x + self.cover[u])
        moved = new != self.base[u]
        return keys[moved], new[moved]

    def _cycle(self, s: int, cands: IntArray, seed_keys: IntArray, seed_f: FloatArray, seed_d: FloatArray,
               changed: _Store) -> tuple[IntArray, FloatArray]:
        """Solve cyclic step ``s`` for each candidate in ``cands`` (one at a time, with the exact
        cycle solver on the candidate's values around it, as :meth:`Incremental.run` does)."""
        from chainmap.analysis.propagate import _solve_cycle

        n = self.n
        step = self.graph.schedule.steps[s]
        comps = step.comps
        outside = _unique(step.members)
        work, ctx, base = self._work, self.inc._ctx, self.base
        out_keys: list[IntArray] = []
        out_vals: list[FloatArray] = []
        for k in cands.tolist():
            work[outside] = changed.lookup(k * n + outside, outside, base[outside])
            own = k * n + comps
            q = np.minimum(np.searchsorted(seed_keys, own), max(seed_keys.size - 1, 0))
            seeded = seed_keys[q] == own if seed_keys.size else np.zeros(own.size, dtype=bool)
            ctx.foreign[comps[seeded]] = seed_f[q[seeded]]
            ctx.domestic[comps[seeded]] = seed_d[q[seeded]]
            try:
                _solve_cycle(ctx, step, work)
                new = work[comps].copy()
            finally:
                ctx.foreign[comps] = self.foreign[comps]
                ctx.domestic[comps] = self.domestic[comps]
                work[outside] = base[outside]
                work[comps] = base[comps]
            moved = new != base[comps]
            out_keys.append(own[moved])
            out_vals.append(new[moved])
        return np.concatenate(out_keys), np.concatenate(out_vals)

    @staticmethod
    def _push(pending: dict[int, list[IntArray]], heap: list[int], queued: set[int], keys: IntArray,
              steps: IntArray) -> None:
        """Queue keys under their schedule steps."""
        if keys.size == 0:
            return
        order = np.argsort(steps, kind="stable")
        steps, keys = steps[order], keys[order]
        bounds = np.flatnonzero(np.diff(steps)) + 1
        for s, part in zip(steps[np.concatenate(([0], bounds))].tolist(), np.split(keys, bounds), strict=True):
            if s not in pending:
                pending[s] = []
            if s not in queued:
                queued.add(s)
                heapq.heappush(heap, s)
            pending[s].append(part)


class _Store:
    """Changed ``(candidate, component)`` values, one sorted chunk per schedule step.

    A lookup searches only the chunk of the step its component belongs to, so
    adding a step's values never re-sorts what earlier steps found.
    """

    def __init__(self, step_of: IntArray, n: int) -> None:
        self.step_of, self.n = step_of, n
        self.chunks: dict[int, tuple[IntArray, FloatArray]] = {}
        self.touched = np.zeros(n, dtype=bool)  # components changed for some candidate

    def add(self, step: int, keys: IntArray, vals: FloatArray) -> None:
        if keys.size > 1 and not bool(np.all(keys[1:] > keys[:-1])):
            o = np.argsort(keys, kind="stable")
            keys, vals = keys[o], vals[o]
        self.chunks[step] = (keys, vals)
        self.touched[keys % self.n] = True

    def lookup(self, keys: IntArray, comps: IntArray, default: FloatArray) -> FloatArray:
        """The stored value of each key, else ``default``."""
        out = default.copy()
        if not self.chunks or keys.size == 0:
            return out
        some = np.flatnonzero(self.touched[comps])
        if some.size < keys.size:
            out[some] = self.lookup(keys[some], comps[some], default[some])
            return out
        steps = self.step_of[comps]
        order = np.argsort(steps, kind="stable")
        sorted_steps = steps[order]
        bounds = np.flatnonzero(np.diff(sorted_steps)) + 1
        starts = np.concatenate(([0], bounds))
        ends = np.concatenate((bounds, [keys.size]))
        for s, a, b in zip(sorted_steps[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
            chunk = self.chunks.get(s)
            if chunk is None:
                continue
            ck, cv = chunk
            idx = order[a:b]
            want = keys[idx]
            p = np.minimum(np.searchsorted(ck, want), ck.size - 1)
            hit = ck[p] == want
            out[idx[hit]] = cv[p[hit]]
        return out

    def all(self) -> tuple[IntArray, FloatArray]:
        """Every stored pair, sorted by key."""
        if not self.chunks:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        keys = np.concatenate([k for k, _ in self.chunks.values()])
        vals = np.concatenate([v for _, v in self.chunks.values()])
        o = np.argsort(keys, kind="stable")
        return keys[o], vals[o]
