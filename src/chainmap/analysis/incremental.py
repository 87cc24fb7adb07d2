"""Incremental propagation: re-evaluate only what a local change reaches.

Priorities (one component's supply cut) and bottlenecks (one supplier or
country removed) each change the supply of a few components. Instead of a
full propagation per change, :class:`Incremental` starts from the baseline
availabilities and re-evaluates, in schedule order, only the components whose
inputs changed (a worklist over the downstream cone that stops where values
stop changing). Each value is computed with the same floating-point
operations as :func:`chainmap.analysis.propagate.availability` (supply sums
in entry order, then ``cap * min(supply, min over groups of max)``), and
cycles are solved by the same cycle solvers, so results are identical.

Examples
--------
>>> import chainmap
>>> from chainmap.analysis.scenario import Capacities
>>> g = chainmap.load("tests/data/mini")
>>> inc = Incremental(g, Capacities.full(g))
>>> changed = inc.remove(country=g.country_of["NL"])
>>> sorted(g.component_ids[c] for c in changed)
['logic-chip', 'office-pc', 'scanner']
"""

from __future__ import annotations

import heapq
from functools import cached_property

import numpy as np

from chainmap.analysis.propagate import _iterate_cycle, _sweep_cycle, availability, entry_capacity, supply
from chainmap.analysis.scenario import Capacities
from chainmap.graph import FloatArray, IntArray, SupplyGraph

__all__ = ["Incremental"]


class Incremental:
    """Baseline availabilities plus cheap what-ifs of local supply changes."""

    def __init__(self, graph: SupplyGraph, caps: Capacities, supplied: FloatArray | None = None,
                 base: FloatArray | None = None) -> None:
        self.graph = graph
        self.caps = caps
        self.supplied = supply(graph, caps) if supplied is None else supplied
        self.base = availability(graph, caps, self.supplied) if base is None else base
        self.entry_cap = entry_capacity(graph, caps)
        steps = graph.schedule.steps
        step_of = np.zeros(graph.n_components, dtype=np.int64)
        for i, step in enumerate(steps):
            step_of[step.comps] = i
        self._steps = steps
        self._step_of = step_of.tolist()
        self._cyclic = [s.cyclic for s in steps]
        self._gptr = graph.comp_group_ptr.tolist()
        self._ptr = graph.group_ptr.tolist()
        self._members = graph.group_members.tolist()
        down = graph.required_by_csr
        self._uptr = down.indptr.tolist()
        self._users = down.indices.tolist()
        self._eptr = graph.entry_ptr.tolist()
        self._share = graph.entry_share.tolist()
        self._cap = caps.component.tolist()
        self._a = self.base.tolist()
        self._supplied = self.supplied.tolist()
        self._work = self.base.copy()
        self._s_work = self.supplied.copy()
        self.budget = max(2000, graph.n_components // 50)  # node visits before a full propagation is cheaper

    @cached_property
    def _by_supplier(self) -> tuple[IntArray, IntArray, int]:
        g = self.graph
        order = np.argsort(g.entry_supplier, kind="stable")
        ptr = np.searchsorted(g.entry_supplier[order], np.arange(g.n_suppliers + 1))
        return order.astype(np.int64), ptr.astype(np.int64), 0

    @cached_property
    def _by_country(self) -> tuple[IntArray, IntArray, int]:
        g = self.graph
        order = np.argsort(g.entry_country, kind="stable")
        ptr = np.searchsorted(g.entry_country[order], np.arange(g.n_countries + 1))
        return order.astype(np.int64), ptr.astype(np.int64), 0

    def supply_of(self, c: int, entry_cap: dict[int, float]) -> float:
        """``supply(c)`` with some entries' capacities replaced (same arithmetic as :func:`supply`)."""
        start, end = self._eptr[c], self._eptr[c + 1]
        if start == end:
            return 1.0
        num = 0.0
        den = 0.0
        ecap = self.entry_cap
        for e in range(start, end):
            share = self._share[e]
            num += share * entry_cap.get(e, float(ecap[e]))
            den += share
        return float(np.float64(num) / np.float64(den))

    def remove(self, country: int | None = None, supplier: int | None = None) -> dict[int, float]:
        """Availabilities that change when a country or a supplier is removed: ``{component: new a}``."""
        g = self.graph
        if supplier is not None:
            order, ptr, i = self._by_supplier
            entries = order[ptr[supplier]:ptr[supplier + 1]]
        else:
            order, ptr, i = self._by_country
            k = int(country or 0)
            entries = order[ptr[k]:ptr[k + 1]]
        _ = i
        new_cap = {int(e): 0.0 for e in entries.tolist()}
        comps = sorted(set(g.entry_comp[entries].tolist()))
        return self.run({c: self.supply_of(c, new_cap) for c in comps})

    def run(self, new_supply: dict[int, float]) -> dict[int, float]:
        """Availabilities that change when the given components' supply changes: ``{component: new a}``."""
        vals, work, s_work = self._a, self._work, self._s_work
        base = self.base
        changed: dict[int, float] = {}
        heap: list[tuple[int, int]] = []
        queued: set[int] = set()
        solved: set[int] = set()
        step_of = self._step_of
        for c, v in new_supply.items():
            s_work[c] = v
            if c not in queued:
                queued.add(c)
                heapq.heappush(heap, (step_of[c], c))
        gptr, ptr, members, cap = self._gptr, self._ptr, self._members, self._cap
        uptr, users, supplied = self._uptr, self._users, self._supplied
        visits = 0
        budget = self.budget
        try:
            while heap:
                visits += 1
                if visits > budget:
                    break
                step_index, c = heapq.heappop(heap)
                if self._cyclic[step_index]:
                    if step_index in solved:
                        continue
                    solved.add(step_index)
                    step = self._steps[step_index]
                    comps = step.comps
                    cap_c = self.caps.component[comps]
                    if np.all((cap_c == 0.0) | (cap_c == 1.0)):
                        _iterate_cycle(step, work, s_work, self.caps.component)
                    else:
                        _sweep_cycle(self.graph, step, work, s_work, self.caps.component)
                    moved = []
                    for k in comps.tolist():
                        new = float(work[k])
                        if new != vals[k]:
                            vals[k] = new
                            changed[k] = new
                            moved.append(k)
                else:
                    req = float("inf")
                    for gi in range(gptr[c], gptr[c + 1]):
                        best = -float("inf")
                        for m in members[ptr[gi]:ptr[gi + 1]]:
                            v = vals[m]
                            if v > best or v != v:  # NaN propagates, as in np.maximum
                                best = v
                                if v != v:
                                    break
                        if best < req or best != best:
                            req = best
                            if best != best:
                                break
                    s = new_supply.get(c, supplied[c])
                    new = cap[c] * (s if (s <= req or s != s) else req)
                    if new == vals[c]:
                        continue
                    vals[c] = new
                    work[c] = new
                    changed[c] = new
                    moved = [c]
                for m in moved:
                    for u in users[uptr[m]:uptr[m + 1]]:
                        if u not in queued:
                            queued.add(u)
                            heapq.heappush(heap, (step_of[u], u))
        finally:
            for c in changed:
                vals[c] = float(base[c])
                work[c] = base[c]
            for c in new_supply:
                s_work[c] = self.supplied[c]
        if visits > budget:
            return self._full(new_supply)
        return {c: v for c, v in changed.items() if v != base[c]}

    def _full(self, new_supply: dict[int, float]) -> dict[int, float]:
        """The same answer by one full vectorised propagation (for changes that reach far)."""
        s = self.supplied.copy()
        for c, v in new_supply.items():
            s[c] = v
        after = availability(self.graph, self.caps, s)
        moved = np.flatnonzero(after != self.base)
        return dict(zip(moved.tolist(), after[moved].tolist(), strict=True))
