"""Plain brute-force implementations of the DESIGN definitions (test oracle).

Written for clarity, not speed: dictionaries, loops, remove-and-recompute,
straight over the pydantic :class:`GraphSpec` (nothing from chainmap.analysis).
The fast paths in chainmap must agree with these.

- :func:`availability`, :func:`spof`, :func:`cut_sets`: DESIGN "Semantics (v2)".
- :func:`availability_v1`, :func:`spof_v1`, :func:`cut_sets_v1`: the version 1
  definitions (kept to check that v2 reduces to v1 on v1 graphs).
"""

from __future__ import annotations

import math
from itertools import combinations

from chainmap.model import GraphSpec, requirement_members

ALL_KINDS = ("country", "supplier", "component")
UNLISTED = "unlisted"
DOWN = 1e-12
"""v2 "down" (a = 0): the fixed-point iteration only decays geometrically towards 0,
to about 1e-15, so the oracle calls a value down at or below this."""
TOLERANCE = 1e-15
"""Jacobi iteration stops when no value changes by more than this."""
MAX_ROUNDS = 200_000


# ===================================================================== v2


def node_caps(spec: GraphSpec, caps: dict[str, float]) -> dict[str, float]:
    """Resolve scenario capacities: a bloc sets each of its members; a node
    named more than once (itself and through blocs) keeps the lowest value."""
    out: dict[str, float] = {}
    bloc_members = {b.id: b.members for b in spec.blocs}

    def lower(node: str, value: float) -> None:
        out[node] = min(out.get(node, 1.0), value)

    for node, value in caps.items():
        if node in bloc_members:
            for member in bloc_members[node]:
                lower(member, value)
        else:
            lower(node, value)
    return out


def entry_terms(spec: GraphSpec, caps: dict[str, float], reach: str = "location") -> dict[str, tuple[float, float, float]]:
    """``(D0, D, F)`` of every component (DESIGN v2: entry capacity, shares, domestic)."""
    cap = node_caps(spec, caps)
    home = spec.settings.home
    supplier = {s.id: s for s in spec.suppliers}
    out = {}
    for comp in spec.components:
        if not comp.suppliers:  # a home process
            out[comp.id] = (1.0, 1.0, 0.0)
            continue
        total = 0.0
        for e in comp.suppliers:
            total += e.share
        unlisted = 1.0 - total if 1.0 - total > 1e-9 else 0.0  # rounding (0.2 + 0.7 + 0.1) is no remainder
        d0 = d = f = 0.0  # sums of listed shares, divided by T (when T > 1) at the end
        for e in comp.suppliers:
            share = e.share
            if e.supplier is not None:
                s = supplier[e.supplier]
                cap_e = cap.get(s.id, 1.0) * cap.get(s.country, 1.0)
                owner = s.owner if s.owner is not None else s.country
                if reach == "owner" and owner != s.country:
                    cap_e *= cap.get(owner, 1.0)
                domestic = s.country == home
            else:
                cap_e = cap.get(e.country, 1.0)
                domestic = e.country == home
            if domestic:
                d0 += share
                d += share * cap_e
            else:
                f += share * cap_e
        if total >= 1 - 1e-9:  # T >= 1 up to rounding: divide the sums (not each share): an all-domestic mix keeps D0 = 1 exactly
            d0, d, f = d0 / total, d / total, f / total
        f += unlisted * cap.get(UNLISTED, 1.0)
        out[comp.id] = (d0, d, f)
    return out


def equipment_k(req, horizon: float) -> float:
    """``k`` of a requirement: 1 for an input, ``min(1, H / (365 * lifetime))`` for equipment."""
    if isinstance(req, str) or req.role == "input":
        return 1.0
    if math.isinf(horizon):
        return 1.0
    return min(1.0, horizon / (365.0 * req.lifetime))


def requirement_share(req) -> float:
    return 1.0 if isinstance(req, str) else req.share


def availability(spec: GraphSpec, caps: dict[str, float], horizon: float = math.inf,
                 reach: str = "location") -> dict[str, float]:
    """``a(c)`` for every component: the greatest fixed point of the DESIGN v2 rules,
    by Jacobi iteration from all ones."""
    cap = node_caps(spec, caps)
    terms = entry_terms(spec, caps, reach)
    view = spec.settings.view
    a = {c.id: 1.0 for c in spec.components}
    for _ in range(MAX_ROUNDS):
        new = {}
        for comp in spec.components:
            r = 1.0
            for req in comp.requires:
                a_req = max(a[m] for m in requirement_members(req))
                f = 1.0 - requirement_share(req) * equipment_k(req, horizon) * (1.0 - a_req)
                r = min(r, f)
            d0, d, foreign = terms[comp.id]
            x = foreign + min(d, r * d0) if view == "home" else min(foreign + d, r)
            stock = comp.stock_days or 0.0
            if stock and not math.isinf(horizon):
                x = x + stock / horizon
            new[comp.id] = cap.get(comp.id, 1.0) * min(1.0, x)
        change = max((abs(new[c] - a[c]) for c in a), default=0.0)
        a = new
        if change <= TOLERANCE:
            return a
    raise RuntimeError(f"oracle availability did not converge in {MAX_ROUNDS} rounds")


def all_nodes(spec: GraphSpec, kinds=ALL_KINDS) -> list[str]:
    out = []
    if "country" in kinds:
        out += [c.id for c in spec.countries]
    if "supplier" in kinds:
        out += [s.id for s in spec.suppliers]
    if "component" in kinds:
        out += [c.id for c in spec.components]
    return out


_memo: dict = {"spec": None, "table": {}}


def _structural(spec: GraphSpec, removed: frozenset[str]) -> dict[str, float]:
    """v2 availability at horizon long with ``removed`` at capacity 0 (memoised per spec
    object, so that asking for every target does not recompute every removal)."""
    if _memo["spec"] is not spec:
        _memo["spec"], _memo["table"] = spec, {}
    table = _memo["table"]
    if removed not in table:
        table[removed] = availability(spec, {n: 0.0 for n in removed})
    return table[removed]


def is_down(value: float) -> bool:
    return value <= DOWN


def spof(spec: GraphSpec, target: str, kinds=ALL_KINDS) -> set[str]:
    """Nodes n != target whose removal alone takes target down (target up at baseline),
    at horizon long (v2)."""
    if is_down(_structural(spec, frozenset())[target]):
        return set()
    return {n for n in all_nodes(spec, kinds) if n != target and is_down(_structural(spec, frozenset([n]))[target])}


def cut_sets(spec: GraphSpec, target: str, max_order: int, kinds=ALL_KINDS) -> set[frozenset[str]]:
    """Minimal sets of up to max_order nodes of kinds whose removal takes target down (v2)."""
    if is_down(_structural(spec, frozenset())[target]):
        return set()
    nodes = [n for n in all_nodes(spec, kinds) if n != target]
    found: set[frozenset[str]] = set()
    for k in range(1, max_order + 1):
        for combo in combinations(nodes, k):
            cut = frozenset(combo)
            if any(c <= cut for c in found):
                continue
            if is_down(_structural(spec, cut)[target]):
                found.add(cut)
    return found


# ===================================================================== v1

SNAP = 1e-200  # a loop holding a partial cut decays geometrically; its limit is 0


def supply_v1(spec: GraphSpec, caps: dict[str, float]) -> dict[str, float]:
    country_of = {s.id: s.country for s in spec.suppliers}
    out = {}
    for comp in spec.components:
        if not comp.suppliers:
            out[comp.id] = 1.0
            continue
        entries = sorted(comp.suppliers, key=lambda e: (0, e.supplier) if e.supplier else (1, e.country))
        num = den = 0.0
        for e in entries:
            if e.supplier is not None:
                cap_e = caps.get(e.supplier, 1.0) * caps.get(country_of[e.supplier], 1.0)
            else:
                cap_e = caps.get(e.country, 1.0)
            num += e.share * cap_e
            den += e.share
        out[comp.id] = num / den
    return out


def availability_v1(spec: GraphSpec, caps: dict[str, float]) -> dict[str, float]:
    """Greatest fixed point: start every component at 1, lower until stable."""
    s = supply_v1(spec, caps)
    a = {c.id: 1.0 for c in spec.components}
    while True:
        new = {}
        for comp in spec.components:
            values = [s[comp.id]]
            for req in comp.requires:
                values.append(max(a[m] for m in requirement_members(req)))
            value = caps.get(comp.id, 1.0) * min(values)
            new[comp.id] = 0.0 if value < SNAP else value
        if new == a:
            return a
        a = new


def spof_v1(spec: GraphSpec, target: str, kinds=ALL_KINDS) -> set[str]:
    """Nodes n != target whose removal alone takes target down (target up at baseline)."""
    if availability_v1(spec, {})[target] <= 0:
        return set()
    return {n for n in all_nodes(spec, kinds) if n != target and availability_v1(spec, {n: 0.0})[target] <= 0}


def cut_sets_v1(spec: GraphSpec, target: str, max_order: int, kinds=ALL_KINDS) -> set[frozenset[str]]:
    """Minimal sets of up to max_order nodes of kinds whose removal takes target down."""
    if availability_v1(spec, {})[target] <= 0:
        return set()
    nodes = [n for n in all_nodes(spec, kinds) if n != target]
    found: set[frozenset[str]] = set()
    for k in range(1, max_order + 1):
        for combo in combinations(nodes, k):
            cut = frozenset(combo)
            if any(c <= cut for c in found):
                continue
            if availability_v1(spec, {n: 0.0 for n in combo})[target] <= 0:
                found.add(cut)
    return found
