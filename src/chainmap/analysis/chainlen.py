"""Binding-chain lengths without building the chain (what bottlenecks report per hit).

:func:`chainmap.analysis.explain.explain` walks a binding chain step by step and
describes each step (ids, names, causes, the requirement's numbers). A
bottleneck only needs each hit's chain *length*, for thousands of hits per
removal, so :class:`ChainLengths` makes the same decisions as
``explain._Walker.step`` (the same floating-point arithmetic, the same
tie-breaks: component index order is id order) from the graph's CSR arrays,
without describing the steps, and remembers the length from each component
outside cycles: from such a component the rest of the walk cannot meet a
component it has seen (everything upstream is in earlier steps), so its length
is the same for every hit that reaches it.

Examples
--------
>>> import chainmap
>>> from chainmap.analysis.scenario import Scenario, capacities
>>> from chainmap.analysis.propagate import availability
>>> g = chainmap.load("tests/data/mini")
>>> before = capacities(g, Scenario())
>>> after = capacities(g, Scenario(remove=("NL",)))
>>> lengths = ChainLengths(g, after, availability(g, after), availability(g, before))
>>> [lengths.of(g.component_of[p]) for p in ("scanner", "logic-chip", "office-pc")]
[1, 2, 3]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainmap.analysis.scenario import Capacities
from chainmap.graph import SupplyGraph

__all__ = ["ChainLengths"]


class ChainLengths:
    """Chain lengths under one state: ``caps`` (the removal's capacities), its availabilities ``a``
    (an array, or anything indexable by component) and the baseline's ``base``."""

    def __init__(self, graph: SupplyGraph, caps: Capacities, a: Any, base: Any) -> None:
        from chainmap.analysis.batch import _structure
        from chainmap.analysis.explain import _Walker

        self.graph, self.caps, self.a, self.base = graph, caps, a, base
        self._walker = _Walker(graph, caps, a, base)  # entry capacities and weights, explain's own arithmetic
        self.home_view = graph.settings.view == "home"
        self._memo: dict[int, int] = {}
        self._cyclic = _structure(graph).comp_cyclic

    def of(self, start: int) -> int:
        """Number of steps of the binding chain from component ``start``."""
        memo, cyclic = self._memo, self._cyclic
        path: list[int] = []
        seen: set[int] = set()
        c: int | None = start
        tail = 0
        while c is not None:
            if c in memo:
                tail = memo[c]
                break
            if c in seen:
                break
            seen.add(c)
            path.append(c)
            c = self._next(c, seen)
        total = len(path) + tail
        for i, node in enumerate(path):
            if not cyclic[node]:
                memo[node] = total - i
        return total

    def _terms(self, c: int) -> tuple[float, float, float]:
        """``(F, D)`` of ``c`` and its ``F`` at full capacity, as ``_Walker.terms`` (one pass over its entries,
        each ``cap(e)`` as ``_Walker.entry_cap``: the same operations in the same order)."""
        g = self.graph
        start, end = int(g.entry_ptr[c]), int(g.entry_ptr[c + 1])
        if start == end:
            return 0.0, 1.0, 0.0
        caps = self.caps
        country_cap, supplier_cap = caps.country, caps.supplier
        by_owner = caps.reach == "owner"
        dom = fore = fore_full = 0.0
        shares = g.entry_share[start:end].tolist()
        domestic = g.entry_domestic[start:end].tolist()
        countries = g.entry_country[start:end].tolist()
        suppliers = g.entry_supplier[start:end].tolist()
        for share, is_domestic, country, sup in zip(shares, domestic, countries, suppliers, strict=True):
            if sup < 0:
                cap = float(country_cap[country])
            else:
                cap = float(supplier_cap[sup] * country_cap[country])
                if by_owner:
                    owner = int(g.supplier_owner[sup])
                    if owner != country:
                        cap *= float(country_cap[owner])
            w = share * cap
            if is_domestic:
                dom += w
            else:
                fore += w
                fore_full += share * 1.0
        norm = float(g.supply_norm[c])
        unlisted = float(g.unlisted_share[c])
        return fore / norm + unlisted * caps.unlisted, dom / norm, fore_full / norm + unlisted * 1.0

    def _next(self, c: int, seen: set[int]) -> int | None:
        """The component the chain follows from ``c`` (None: the chain ends at ``c``)."""
        g, a = self.graph, self.a
        if float(a[c]) >= float(self.base[c]) or self.caps.component[c] < 1.0:
            return None
        gs, ge = g.comp_group_ptr[c:c + 2].tolist()
        if gs == ge:
            return None
        mptr = g.group_ptr[gs:ge + 1].tolist()
        first = mptr[0]
        every = g.group_members[first:mptr[-1]].tolist()  # the members of c's groups, group after group
        every_values = a[np.array(every, dtype=np.int64)].tolist() if isinstance(a, np.ndarray) else [float(a[m]) for m in every]
        best: tuple[float, bool, list[int], int] | None = None  # (f, back onto the chain, members, via)
        for k, grp in enumerate(range(gs, ge)):
            lo, hi = mptr[k] - first, mptr[k + 1] - first
            members, values = every[lo:hi], every_values[lo:hi]
            top = max(values)
            f_g = 1.0 - self._walker.weight(grp) * (1.0 - top)
            via = min(m for m, v in zip(members, values, strict=True) if v == top)
            key = (f_g, via in seen, sorted(members))
            if best is None or key < best[:3]:
                best = (*key, via)
        if best is None:
            return None
        req = best[0]
        f, d, f0 = self._terms(c)
        d0 = float(g.domestic_share[c])
        if not (req * d0 < d if self.home_view else req < f + d):
            return None
        if self.home_view and not d - req * d0 >= f0 - f:
            return None
        return best[3]
