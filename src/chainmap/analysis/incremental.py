"""Incremental propagation: re-evaluate only what a local change reaches.

Priorities (one component's foreign supply cut) and bottlenecks (one
supplier or country removed) each change the supply terms (``F``, ``D``) of a
few components. Instead of a full propagation per change,
:class:`Incremental` starts from the baseline availabilities and
re-evaluates, in schedule order, only the components whose inputs changed (a
worklist over the downstream cone that stops where values stop changing).
Each value is computed with the same floating-point operations as
:func:`chainmap.analysis.propagate.availability` (supply sums in entry order,
then the v2 rule of :func:`~chainmap.analysis.propagate.node_value`), and
cycles are solved by the same cycle solver, so results are identical.

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
from typing import Any

import numpy as np

from chainmap.analysis.propagate import SupplyTerms, _Context, _solve_cycle, availability, entry_capacity, supply_terms
from chainmap.analysis.scenario import Capacities
from chainmap.graph import IntArray, SupplyGraph

__all__ = ["Incremental"]

Terms = tuple[float, float]
"""``(F, D)`` of one component."""


class Incremental:
    """Baseline availabilities plus cheap what-ifs of local supply changes."""

    def __init__(self, graph: SupplyGraph, caps: Capacities, terms: SupplyTerms | None = None,
                 base: np.ndarray | None = None) -> None:
        self.graph = graph
        self.caps = caps
        self.terms = supply_terms(graph, caps) if terms is None else terms
        self.base = availability(graph, caps, self.terms) if base is None else base
        self.entry_cap = entry_capacity(graph, caps)
        self._ctx = _Context(graph, caps, self.terms.copy())
        self._work = self.base.copy()
        # the Python lists of the one-at-a-time loop are built on first use (__getattr__): a caller that
        # only needs the arrays (the batched path) does not pay for them
        self.budget = max(2000, graph.n_components // 50)  # node visits before a full propagation is cheaper

    _LAZY = frozenset({"_steps", "_step_of", "_cyclic", "_gptr", "_ptr", "_members", "_weight", "_uptr", "_users",
                       "_eptr", "_share", "_norm", "_dom", "_unlisted", "_d0", "_cover", "_cap", "_f", "_d",
                       "_home_view", "_a"})

    def __getattr__(self, name: str) -> Any:
        if name not in Incremental._LAZY:
            raise AttributeError(name)
        self._prepare()
        return self.__dict__[name]

    def _prepare(self) -> None:
        """The arrays as Python lists (scalar access in :meth:`run` is several times faster on lists)."""
        graph, caps = self.graph, self.caps
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
        self._weight = self._ctx.weight.tolist()
        down = graph.required_by_csr
        self._uptr = down.indptr.tolist()
        self._users = down.indices.tolist()
        self._eptr = graph.entry_ptr.tolist()
        self._share = graph.entry_share.tolist()
        self._norm = graph.supply_norm.tolist()
        self._dom = graph.entry_domestic.tolist()
        self._unlisted = (graph.unlisted_share * caps.unlisted).tolist()
        self._d0 = graph.domestic_share.tolist()
        self._cover = self._ctx.cover.tolist()
        self._cap = caps.component.tolist()
        self._f = self.terms.foreign.tolist()
        self._d = self.terms.domestic.tolist()
        self._home_view = self._ctx.home_view
        self._a = self.base.tolist()


    @cached_property
    def _by_supplier(self) -> tuple[IntArray, IntArray]:
        from chainmap.analysis.batch import stable_order

        g = self.graph
        order = stable_order(g.entry_supplier + 1)  # (-1: no supplier) the same order, non-negative: a radix sort
        ptr = np.searchsorted(g.entry_supplier[order], np.arange(g.n_suppliers + 1))
        return order.astype(np.int64), ptr.astype(np.int64)

    @cached_property
    def _by_country(self) -> tuple[IntArray, IntArray]:
        g = self.graph
        # entries located in a country, and (reach owner) entries of suppliers it owns elsewhere
        countries = g.entry_country
        rows = np.arange(countries.size)
        if self.caps.reach == "owner" and g.n_suppliers:
            owner = np.append(g.supplier_owner, -1)[g.entry_supplier]
            extra = (g.entry_supplier >= 0) & (owner != countries)
            countries = np.concatenate((countries, owner[extra]))
            rows = np.concatenate((rows, np.flatnonzero(extra)))
        from chainmap.analysis.batch import stable_order

        order = stable_order(countries * (g.entry_country.size + 1) + rows)  # by country, then row
        ptr = np.searchsorted(countries[order], np.arange(g.n_countries + 1))
        return rows[order].astype(np.int64), ptr.astype(np.int64)

    def terms_of(self, c: int, entry_cap: dict[int, float]) -> Terms:
        """``(F, D)`` of component ``c`` with some entries' capacities replaced (same arithmetic as
        :func:`~chainmap.analysis.propagate.supply_terms`)."""
        start, end = self._eptr[c], self._eptr[c + 1]
        if start == end:
            return 0.0, 1.0
        dom_sum = 0.0
        for_sum = 0.0
        ecap = self.entry_cap
        for e in range(start, end):
            w = self._share[e] * entry_cap.get(e, float(ecap[e]))
            if self._dom[e]:
                dom_sum += w
                for_sum += 0.0
            else:
                for_sum += w
                dom_sum += 0.0
        norm = self._norm[c]
        return for_sum / norm + self._unlisted[c], dom_sum / norm

    def remove(self, country: int | None = None, supplier: int | None = None) -> dict[int, float]:
        """Availabilities that change when a country or a supplier is removed: ``{component: new a}``."""
        g = self.graph
        if supplier is not None:
            order, ptr = self._by_supplier
            entries = order[ptr[supplier]:ptr[supplier + 1]]
        else:
            order, ptr = self._by_country
            k = int(country or 0)
            entries = order[ptr[k]:ptr[k + 1]]
        new_cap = {int(e): 0.0 for e in entries.tolist()}
        comps = sorted(set(g.entry_comp[entries].tolist()))
        return self.run({c: self.terms_of(c, new_cap) for c in comps})

    def cut_foreign(self, c: int) -> dict[int, float]:
        """Availabilities that change when all foreign supply of ``c`` (unlisted included) is cut."""
        return self.run({c: (0.0, self._d[c])})

    def run(self, new_terms: dict[int, Terms]) -> dict[int, float]:
        """Availabilities that change when the given components' ``(F, D)`` change: ``{component: new a}``."""
        vals, work = self._a, self._work
        base = self.base
        ctx = self._ctx
        changed: dict[int, float] = {}
        heap: list[tuple[int, int]] = []
        queued: set[int] = set()
        solved: set[int] = set()
        step_of = self._step_of
        for c, (f, d) in new_terms.items():
            ctx.foreign[c], ctx.domestic[c] = f, d
            if c not in queued:
                queued.add(c)
                heapq.heappush(heap, (step_of[c], c))
        gptr, ptr, members, cap, weight = self._gptr, self._ptr, self._members, self._cap, self._weight
        uptr, users = self._uptr, self._users
        fs, ds, d0s, covers, home_view = self._f, self._d, self._d0, self._cover, self._home_view
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
                    _solve_cycle(ctx, step, work)
                    moved = []
                    for k in step.comps.tolist():
                        new = float(work[k])
                        if new != vals[k]:
                            vals[k] = new
                            changed[k] = new
                            moved.append(k)
                else:
                    req = 1.0
                    for gi in range(gptr[c], gptr[c + 1]):
                        best = -float("inf")
                        for m in members[ptr[gi]:ptr[gi + 1]]:
                            v = vals[m]
                            if v > best:
                                best = v
                        f_g = 1.0 - weight[gi] * (1.0 - best)
                        if f_g < req:
                            req = f_g
                    f, d = new_terms.get(c, (fs[c], ds[c]))
                    x = f + min(d, req * d0s[c]) if home_view else min(f + d, req)
                    new = cap[c] * min(1.0, x + covers[c])
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
            for c in new_terms:
                ctx.foreign[c], ctx.domestic[c] = fs[c], ds[c]
        if visits > budget:
            return self._full(new_terms)
        return {c: v for c, v in changed.items() if v != base[c]}

    def _full(self, new_terms: dict[int, Terms]) -> dict[int, float]:
        """The same answer by one full vectorised propagation (for changes that reach far)."""
        terms = self.terms.copy()
        for c, (f, d) in new_terms.items():
            terms.foreign[c], terms.domestic[c] = f, d
        after = availability(self.graph, self.caps, terms)
        moved = np.flatnonzero(after != self.base)
        return dict(zip(moved.tolist(), after[moved].tolist(), strict=True))
