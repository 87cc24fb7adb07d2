"""Availability propagation (semantics v2): how much of each component home still gets.

Definitions (DESIGN "Semantics (v2)"), for the capacities, horizon ``H`` and
reach of a scenario:

- ``cap(e)`` of a supply entry: its supplier's capacity times its country's
  (reach ``owner``: also times its owner's, where the owner differs); a
  country entry: the country's capacity;
- shares are divided by ``T`` (their sum) when ``T > 1``; when ``T < 1`` the
  remainder ``u = 1 - T`` is unlisted foreign supply with ``cap(unlisted)``;
- ``D0`` = normalised domestic share, ``D`` = sum of ``share * cap(e)`` over
  domestic entries, ``F`` = the same over foreign ones plus ``u * cap(unlisted)``
  (a component with no entries is a home process: ``D0 = D = 1``, ``F = 0``);
- a requirement ``r`` (a group: the max of its members' ``a``) limits by
  ``f(r) = 1 - share * k * (1 - a(r))`` with ``k = 1`` for an input and
  ``min(1, H / (365 * lifetime_years))`` for equipment; ``R`` = min of ``f``;
- view ``home``: ``x = F + min(D, R * D0)``; view ``global``: ``x = min(F + D, R)``;
- ``a = cap(c) * min(1, x + stock_days / H)`` (no stock term at ``H = inf``).

Cycles are legal: ``a`` is the greatest fixed point. Acyclic parts are
evaluated level by level with numpy. A cycle (strongly connected set) is
solved by :func:`_solve_cycle`; see there for why it terminates and is exact.

Examples
--------
>>> from chainmap.graph import SupplyGraph
>>> from chainmap.model import GraphSpec
>>> spec = GraphSpec.model_validate({"countries": [{"id": "CN", "name": "China"}, {"id": "JP", "name": "Japan"}],
...     "components": [{"id": "steel", "name": "Steel", "requires": [{"component": "machine", "role": "equipment"}],
...                     "suppliers": [{"country": "CN", "share": 0.75}, {"country": "JP", "share": 0.25}]},
...                    {"id": "machine", "name": "Machine", "suppliers": [{"country": "JP", "share": 1}]}]})
>>> g = SupplyGraph.from_spec(spec)
>>> caps = Capacities.full(g, horizon=365.0); caps.country[g.country_of["JP"]] = 0
>>> [round(v, 6) for v in availability(g, caps).tolist()]   # [machine, steel]: steel = 0 + min(0.75, 0.9 * 0.75)
[0.0, 0.675]
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from chainmap.analysis.scenario import Capacities
from chainmap.graph import FloatArray, IntArray, Step, SupplyGraph

__all__ = ["SupplyTerms", "availability", "entry_capacity", "node_value", "requirement_weight", "stock_cover",
           "supply_terms"]

_MAX_ROUNDS = 1_000_000
"""Kleene rounds after which a cycle with a gain of almost 1 keeps its LP lower bound."""


@dataclass(frozen=True)
class SupplyTerms:
    """Per component: remaining foreign supply ``F`` (unlisted included) and domestic ``D``."""

    foreign: FloatArray
    domestic: FloatArray

    def copy(self) -> SupplyTerms:
        """An independent copy."""
        return SupplyTerms(self.foreign.copy(), self.domestic.copy())


def entry_capacity(graph: SupplyGraph, caps: Capacities, entries: IntArray | None = None) -> FloatArray:
    """``cap(e)`` for every supply entry (supplier x country [x owner], or country); with ``entries``, for
    those entries only (the same numbers, element by element)."""
    supplier = graph.entry_supplier if entries is None else graph.entry_supplier[entries]
    country = graph.entry_country if entries is None else graph.entry_country[entries]
    sup_cap = np.append(caps.supplier, 1.0)[supplier]  # index -1: no supplier
    cty_cap = caps.country[country]
    out: FloatArray = np.where(supplier >= 0, sup_cap * cty_cap, cty_cap).astype(np.float64)
    if caps.reach == "owner" and graph.n_suppliers:
        owner = np.append(graph.supplier_owner, -1)[supplier]
        foreign_owned = (supplier >= 0) & (owner != country)
        out = np.where(foreign_owned, out * caps.country[np.where(foreign_owned, owner, 0)], out)
    return out


def supply_terms(graph: SupplyGraph, caps: Capacities, entry_cap: FloatArray | None = None) -> SupplyTerms:
    """``F`` and ``D`` of every component under ``caps``."""
    n = graph.n_components
    if entry_cap is None and _all_full(caps):  # the baseline: every cap(e) is 1 (times 1 is exact)
        weighted = graph.entry_share
    else:
        weighted = graph.entry_share * (entry_capacity(graph, caps) if entry_cap is None else entry_cap)
    norm = graph.supply_norm
    # one bincount over (component, domestic) bins: each bin sums its entries in entry order, as two
    # bincounts with zeros in place of the other kind's entries do (adding 0.0 changes no sum)
    both = np.bincount(graph.entry_comp * 2 + graph.entry_domestic, weights=weighted, minlength=2 * n)
    domestic = both[1::2] / norm
    listed_foreign = both[0::2] / norm
    foreign = listed_foreign + graph.unlisted_share * caps.unlisted
    listed = graph.has_entries
    return SupplyTerms(np.where(listed, foreign, 0.0), np.where(listed, domestic, 1.0))


def _all_full(caps: Capacities) -> bool:
    """Every country and supplier at capacity 1 (component capacities do not enter ``cap(e)``)."""
    return bool(caps.country.size == 0 or caps.country.min() >= 1.0) and bool(
        caps.supplier.size == 0 or caps.supplier.min() >= 1.0)


def requirement_weight(graph: SupplyGraph, horizon: float) -> FloatArray:
    """``share * k`` of every requirement group at ``horizon`` days (``f = 1 - w * (1 - a)``)."""
    k = np.ones(graph.group_owner.size)
    if not math.isinf(horizon):
        k = np.where(graph.group_equipment, np.minimum(1.0, horizon / (365.0 * graph.group_lifetime)), 1.0)
    return graph.group_share * k


def stock_cover(graph: SupplyGraph, horizon: float) -> FloatArray:
    """``stock_days / H`` per component (0 at ``long`` or where no stock is given)."""
    if math.isinf(horizon):
        return np.zeros(graph.n_components)
    return np.where(np.isnan(graph.stock_days), 0.0, graph.stock_days / horizon)


def node_value(view_home: bool, cap: float, foreign: float, domestic: float, d0: float, req: float,
               cover: float) -> float:
    """``a(c)`` from its terms (scalar form of the vectorised rule, same arithmetic).

    >>> node_value(True, 1.0, 0.2, 0.8, 0.8, 0.5, 0.0)   # 0.2 + min(0.8, 0.5 * 0.8)
    0.6000000000000001
    """
    x = foreign + min(domestic, req * d0) if view_home else min(foreign + domestic, req)
    return cap * min(1.0, x + cover)


def availability(graph: SupplyGraph, caps: Capacities, terms: SupplyTerms | None = None,
                 steps: Iterable[Step] | None = None, start: FloatArray | None = None) -> FloatArray:
    """``a(c)`` for every component under ``caps`` (greatest fixed point).

    With ``steps`` (a part of the schedule closed under requirements, e.g. a
    target's upstream cone), only those components are evaluated; the others
    are left at 1, or at their value in ``start`` (e.g. a baseline whose
    inputs the steps' components alone see changed: the steps are then those
    downstream of the change).
    """
    ctx = _Context(graph, caps, supply_terms(graph, caps) if terms is None else terms)
    a = np.ones(graph.n_components) if start is None else start.copy()
    for step in graph.schedule.steps if steps is None else steps:
        if step.cyclic:
            _solve_cycle(ctx, step, a)
        else:
            ctx.evaluate(step, a)
    return a


class _Context:
    """Everything a step evaluation needs, computed once per propagation."""

    def __init__(self, graph: SupplyGraph, caps: Capacities, terms: SupplyTerms) -> None:
        self.graph = graph
        self.home_view = graph.settings.view == "home"
        self.cap = caps.component
        self.foreign = terms.foreign
        self.domestic = terms.domestic
        self.d0 = graph.domestic_share
        self.weight = requirement_weight(graph, caps.horizon)
        self.cover = stock_cover(graph, caps.horizon)

    def requirement_limit(self, step: Step, a: FloatArray) -> FloatArray:
        """``R`` of each component of the step: min over its groups of ``1 - w * (1 - max member a)``."""
        req = np.ones(step.comps.size)
        if step.groups.size:
            group_values = np.maximum.reduceat(a[step.members], step.offsets)
            f = 1.0 - self.weight[step.groups] * (1.0 - group_values)
            np.minimum.at(req, step.owner_pos, f)
        return req

    def values(self, step: Step, a: FloatArray) -> FloatArray:
        """The right-hand side of every component of the step, from the current ``a``."""
        c = step.comps
        req = self.requirement_limit(step, a)
        if self.home_view:
            x = self.foreign[c] + np.minimum(self.domestic[c], req * self.d0[c])
        else:
            x = np.minimum(self.foreign[c] + self.domestic[c], req)
        return self.cap[c] * np.minimum(1.0, x + self.cover[c])

    def evaluate(self, step: Step, a: FloatArray) -> None:
        a[step.comps] = self.values(step, a)


def _solve_cycle(ctx: _Context, step: Step, a: FloatArray) -> None:
    """Greatest fixed point of one strongly connected set of components.

    Each component's rule is a min of terms ``alpha + beta * max(members)``
    (``beta >= 0``) and a constant, so the map is monotone and the greatest
    fixed point ``p`` exists (Knaster-Tarski). Two bounds close in on it:

    - *upper*: Kleene iteration from 1; every iterate is ``>= p``. It ends
      exactly (no change) in most cycles, e.g. whenever every loop has gain 1
      or 0; a loop of gain ``0 < g < 1`` only converges geometrically.
    - *lower*: fix, in each group, the member that is largest at the current
      upper iterate; the resulting min-affine system's greatest fixed point is
      the largest vector satisfying its inequalities, i.e. the solution of
      the linear program ``max sum(a)`` (HiGHS), and it is a post-fixed point
      of the full map, hence ``<= p``. Strategy improvement (switch a group to
      a member that is strictly larger at the LP solution, re-solve) raises it.

    When no group of the cycle has a choice inside the cycle the LP bound *is*
    ``p`` (no iteration needed beyond the first LP). Otherwise the bounds are
    compared and the Kleene iteration continued, in rounds of growing length,
    until they agree within 1e-12; once the upper iterate is close enough
    that its largest members are the ones largest at ``p`` (finitely many
    rounds, since members that differ at ``p`` differ by a positive amount)
    the LP bound equals ``p``. The loop is capped at 10**6 Kleene rounds (a
    cycle of gain ``1 - 1e-9`` with a choice inside), where the LP lower bound
    is returned.
    """
    comps = step.comps
    rounds = 0
    budget = 64
    x = np.ones(comps.size)
    a[comps] = x
    while True:
        for _ in range(budget):
            new = ctx.values(step, a)
            rounds += 1
            if np.array_equal(new, a[comps]):
                return
            a[comps] = new
        x = a[comps].copy()
        lower, exact = _lp_lower_bound(ctx, step, a, x)
        if lower is None:  # LP failed (numerically); keep iterating
            budget *= 4
            continue
        if exact or float(np.max(x - lower)) <= 1e-12 or rounds >= _MAX_ROUNDS:
            a[comps] = np.minimum(lower, x)
            # polish: a post-fixed point stays below p under the map; one step removes LP round-off
            a[comps] = np.minimum(ctx.values(step, a), x)
            return
        a[comps] = x
        budget *= 4


def _lp_lower_bound(ctx: _Context, step: Step, a: FloatArray, upper: FloatArray) -> tuple[FloatArray | None, bool]:
    """The greatest fixed point of the cycle's system with one member chosen per group
    (strategy improvement from the members largest at ``upper``), and whether no
    group had a choice inside the cycle (then it is the exact answer)."""
    from scipy.optimize import linprog

    graph = ctx.graph
    comps = step.comps.tolist()
    pos = {c: i for i, c in enumerate(comps)}
    n = len(comps)
    home_view = ctx.home_view
    gptr, mptr, group_members = graph.comp_group_ptr, graph.group_ptr, graph.group_members
    consts = np.empty(n)
    rows: list[tuple[int, int, float, float]] = []  # (node pos, member pos or -1, alpha, beta)
    choices: list[tuple[int, float, float, list[int], float]] = []  # groups with a choice inside
    for i, c in enumerate(comps):
        cap, f, d, d0, cover = (float(ctx.cap[c]), float(ctx.foreign[c]), float(ctx.domestic[c]),
                                float(ctx.d0[c]), float(ctx.cover[c]))
        consts[i] = cap * min(1.0, cover + f + d)
        for g in range(int(gptr[c]), int(gptr[c + 1])):  # CSR: no per-graph Python lists at 1M
            w = float(ctx.weight[g])
            if home_view:
                alpha, beta = cap * (cover + f + d0 * (1.0 - w)), cap * d0 * w
            else:
                alpha, beta = cap * (cover + 1.0 - w), cap * w
            members = group_members[int(mptr[g]):int(mptr[g + 1])].tolist()
            inner = [pos[m] for m in members if m in pos]
            outer = max((float(a[m]) for m in members if m not in pos), default=-math.inf)
            if not inner:
                consts[i] = min(consts[i], alpha + beta * outer)
            elif len(inner) == 1 and outer == -math.inf:
                rows.append((i, inner[0], alpha, beta))
            else:
                choices.append((i, alpha, beta, inner, outer))
    exact = not choices
    pick = [max(inner, key=lambda m: (upper[m], -m)) if not (outer >= max(upper[m] for m in inner)) else -1
            for (_, _, _, inner, outer) in choices]
    for _ in range(len(choices) + 2):
        a_ub: list[list[float]] = []
        b_ub: list[float] = []
        bounds_hi = consts.copy()
        for (i, m, alpha, beta) in rows + [(ch[0], p, ch[1], ch[2]) for ch, p in zip(choices, pick, strict=True)]:
            if m < 0:
                continue
            if m == i:
                if beta < 1.0:
                    bounds_hi[i] = min(bounds_hi[i], alpha / (1.0 - beta))
                elif alpha < 0:
                    bounds_hi[i] = 0.0
                continue
            row = [0.0] * n
            row[i] = 1.0
            row[m] = -beta
            a_ub.append(row)
            b_ub.append(alpha)
        for ch, p in zip(choices, pick, strict=True):
            if p < 0:
                bounds_hi[ch[0]] = min(bounds_hi[ch[0]], ch[1] + ch[2] * ch[4])
        result = linprog(-np.ones(n), A_ub=np.array(a_ub) if a_ub else None, b_ub=np.array(b_ub) if b_ub else None,
                         bounds=list(zip([0.0] * n, np.clip(bounds_hi, 0.0, 1.0).tolist(), strict=True)),
                         method="highs", options={"primal_feasibility_tolerance": 1e-10,
                                                  "dual_feasibility_tolerance": 1e-10})
        if result.status != 0:
            return None, False
        q = np.clip(result.x, 0.0, 1.0)
        better = []
        for (_, _, _, inner, outer), p in zip(choices, pick, strict=True):
            current = outer if p < 0 else q[p]
            best = max(inner, key=lambda m: (q[m], -m))
            better.append(best if q[best] > current + 1e-12 else p)
        if better == pick:
            return q, exact
        pick = better
    return q, exact
