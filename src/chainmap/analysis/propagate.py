"""Availability propagation: how much of each component is still available.

Definitions (DESIGN "Semantics"), for capacities ``cap`` of a scenario:

- ``cap(e)`` of a supply entry: capacity of its supplier times capacity of
  the supplier's country (a country entry: the country's capacity);
- ``supply(c) = sum(share_e * cap(e)) / sum(share_e)`` over c's entries, or 1
  where c lists none;
- ``a(any_of group)`` = max of its members' ``a``;
- ``a(c) = cap(c) * min(supply(c), min over c's requirements of a(r))``.

Cycles are legal: ``a`` is the greatest fixed point (start at 1, lower until
nothing changes). Acyclic parts are evaluated level by level with numpy;
each cycle (strongly connected set) is solved exactly: by iteration when
every capacity in it is 0 or 1 (values then come from a finite set), else by a
decreasing sweep that settles the highest values first and lets a loop that
contains a partial cut decay to its limit 0 instead of iterating forever.

Examples
--------
>>> from chainmap.graph import SupplyGraph
>>> from chainmap.model import GraphSpec
>>> spec = GraphSpec.model_validate({"countries": [{"id": "CN", "name": "China"}, {"id": "JP", "name": "Japan"}],
...     "components": [{"id": "steel", "name": "Steel", "requires": ["machine"],
...                     "suppliers": [{"country": "CN", "share": 0.75}, {"country": "JP", "share": 0.25}]},
...                    {"id": "machine", "name": "Machine", "requires": ["steel"]}]})
>>> g = SupplyGraph.from_spec(spec)
>>> caps = Capacities.full(g); caps.country[g.country_of["JP"]] = 0
>>> availability(g, caps).tolist()   # [machine, steel]
[0.75, 0.75]
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from chainmap.analysis.scenario import Capacities
from chainmap.graph import FloatArray, Step, SupplyGraph

__all__ = ["availability", "entry_capacity", "supply"]


def entry_capacity(graph: SupplyGraph, caps: Capacities) -> FloatArray:
    """``cap(e)`` for every supply entry (supplier times country, or country)."""
    sup_cap = np.append(caps.supplier, 1.0)[graph.entry_supplier]  # index -1: no supplier
    cty_cap = caps.country[graph.entry_country]
    return np.where(graph.entry_supplier >= 0, sup_cap * cty_cap, cty_cap)


def supply(graph: SupplyGraph, caps: Capacities) -> FloatArray:
    """``supply(c)`` for every component (1 where it lists no entries)."""
    n = graph.n_components
    weighted = graph.entry_share * entry_capacity(graph, caps)
    num = np.bincount(graph.entry_comp, weights=weighted, minlength=n)
    den = np.bincount(graph.entry_comp, weights=graph.entry_share, minlength=n)
    out = np.ones(n)
    listed = np.bincount(graph.entry_comp, minlength=n) > 0
    out[listed] = num[listed] / den[listed]
    return out


def availability(graph: SupplyGraph, caps: Capacities, supplied: FloatArray | None = None,
                 steps: Iterable[Step] | None = None) -> FloatArray:
    """``a(c)`` for every component under ``caps`` (greatest fixed point).

    With ``steps`` (a part of the schedule closed under requirements, e.g. a
    target's upstream cone), only those components are evaluated; the others
    are left at 1.
    """
    s = supply(graph, caps) if supplied is None else supplied
    a = np.ones(graph.n_components)
    cap = caps.component
    for step in graph.schedule.steps if steps is None else steps:
        if not step.cyclic:
            _evaluate_batch(step, a, s, cap)
        elif np.all((cap[step.comps] == 0.0) | (cap[step.comps] == 1.0)):
            _iterate_cycle(step, a, s, cap)
        else:
            _sweep_cycle(graph, step, a, s, cap)
    return a


def _requirement_min(step: Step, a: FloatArray) -> FloatArray:
    """min over each component's groups of (max over the group's members)."""
    req = np.full(step.comps.size, np.inf)
    if step.groups.size:
        group_values = np.maximum.reduceat(a[step.members], step.offsets)
        np.minimum.at(req, step.owner_pos, group_values)
    return req


def _evaluate_batch(step: Step, a: FloatArray, s: FloatArray, cap: FloatArray) -> None:
    comps = step.comps
    a[comps] = cap[comps] * np.minimum(s[comps], _requirement_min(step, a))


def _iterate_cycle(step: Step, a: FloatArray, s: FloatArray, cap: FloatArray) -> None:
    """Kleene iteration from 1; exact and finite when capacities are 0 or 1."""
    comps = step.comps
    a[comps] = 1.0
    while True:
        new = cap[comps] * np.minimum(s[comps], _requirement_min(step, a))
        if np.array_equal(new, a[comps]):
            return
        a[comps] = new


def _sweep_cycle(graph: SupplyGraph, step: Step, a: FloatArray, s: FloatArray, cap: FloatArray) -> None:
    """Greatest fixed point of one cycle, settling values from the highest down.

    Invariant: every unsettled node's value is at most its ``bound``. A group
    is *known* once its value is: when a member inside the cycle settles (the
    first one settled is the highest), or when the level falls to the best
    member outside the cycle. At each level ``T`` (the highest bound), the
    nodes that can hold ``T`` are the greatest set W' of nodes at ``T`` whose
    unknown groups each have a member in W' (and whose capacity is 1, since a
    partial capacity on a loop decays it). They settle at ``T``; if none can,
    all nodes at ``T`` are strictly lower, at most the next level (the next
    highest bound, or the best outside member of a group not yet known).
    """
    comps = step.comps.tolist()
    inside = set(comps)
    groups_of = graph.groups_of
    members_of = graph.group_member_lists
    internal: dict[int, list[int]] = {}
    external: dict[int, float] = {}
    for c in comps:
        for g in groups_of[c]:
            inner = [m for m in members_of[g] if m in inside]
            outer = [a[m] for m in members_of[g] if m not in inside]
            internal[g] = inner
            external[g] = max(outer) if outer else -np.inf
    known: dict[int, float] = {g: external[g] for g in internal if not internal[g]}
    owners: dict[int, list[int]] = {}
    for c in comps:
        for g in groups_of[c]:
            for m in internal[g]:
                owners.setdefault(m, []).append(g)
    group_owner = graph.group_owner

    def bound_of(c: int) -> float:
        value = s[c]
        for g in groups_of[c]:
            if g in known:
                value = min(value, known[g])
        return float(cap[c] * value)

    bound = {c: bound_of(c) for c in comps}
    ceiling = {c: np.inf for c in comps}
    pending = sorted((g for g in internal if g not in known), key=lambda g: -external[g])
    unsettled = set(comps)
    while unsettled:
        while True:
            level = max(min(bound[c], ceiling[c]) for c in unsettled)
            changed = False
            while pending and (pending[0] in known or external[pending[0]] >= level):
                g = pending.pop(0)
                if g not in known:
                    known[g] = external[g]
                    owner = int(group_owner[g])
                    if owner in unsettled:
                        bound[owner] = bound_of(owner)
                    changed = True
            if not changed:
                break
        if level <= 0.0:
            for c in unsettled:
                a[c] = 0.0
            return
        at_level = {c for c in unsettled if min(bound[c], ceiling[c]) == level}
        holding = set(at_level)
        while True:
            drop = set()
            for c in holding:
                for g in groups_of[c]:
                    if g in known:
                        continue
                    if cap[c] < 1.0 or not any(m in holding for m in internal[g]):
                        drop.add(c)
                        break
            if not drop:
                break
            holding -= drop
        if not holding:
            rest = [min(bound[c], ceiling[c]) for c in unsettled - at_level]
            rest += [external[g] for g in pending if g not in known][:1]  # a group's best outside member
            lower = max(max(rest, default=0.0), 0.0)
            for c in at_level:
                ceiling[c] = lower
            continue
        settled = sorted(holding)
        for c in settled:
            a[c] = level
            unsettled.discard(c)
        newly: list[int] = []
        for c in settled:
            for g in owners.get(c, []):
                if g not in known:
                    known[g] = max(external[g], level)
                    newly.append(g)
        for g in newly:
            owner = int(group_owner[g])
            if owner in unsettled:
                bound[owner] = bound_of(owner)
