"""Plain brute-force implementations of the DESIGN definitions (test oracle).

Written for clarity, not speed: dictionaries, loops, remove-and-recompute.
The fast paths in chainmap must agree with these exactly.
"""

from __future__ import annotations

from itertools import combinations

from chainmap.model import AnyOf, GraphSpec

SNAP = 1e-200  # a loop holding a partial cut decays geometrically; its limit is 0


def supply(spec: GraphSpec, caps: dict[str, float]) -> dict[str, float]:
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


def availability(spec: GraphSpec, caps: dict[str, float]) -> dict[str, float]:
    """Greatest fixed point: start every component at 1, lower until stable."""
    s = supply(spec, caps)
    a = {c.id: 1.0 for c in spec.components}
    while True:
        new = {}
        for comp in spec.components:
            values = [s[comp.id]]
            for req in comp.requires:
                members = req.any_of if isinstance(req, AnyOf) else [req]
                values.append(max(a[m] for m in members))
            value = caps.get(comp.id, 1.0) * min(values)
            new[comp.id] = 0.0 if value < SNAP else value
        if new == a:
            return a
        a = new


def all_nodes(spec: GraphSpec, kinds=("country", "supplier", "component")) -> list[str]:
    out = []
    if "country" in kinds:
        out += [c.id for c in spec.countries]
    if "supplier" in kinds:
        out += [s.id for s in spec.suppliers]
    if "component" in kinds:
        out += [c.id for c in spec.components]
    return out


def spof(spec: GraphSpec, target: str, kinds=("country", "supplier", "component")) -> set[str]:
    """Nodes n != target whose removal alone takes target down (target up at baseline)."""
    if availability(spec, {})[target] <= 0:
        return set()
    return {n for n in all_nodes(spec, kinds) if n != target and availability(spec, {n: 0.0})[target] <= 0}


def cut_sets(spec: GraphSpec, target: str, max_order: int, kinds) -> set[frozenset[str]]:
    """Minimal sets of up to max_order nodes of kinds whose removal takes target down."""
    if availability(spec, {})[target] <= 0:
        return set()
    nodes = [n for n in all_nodes(spec, kinds) if n != target]
    found: set[frozenset[str]] = set()
    for k in range(1, max_order + 1):
        for combo in combinations(nodes, k):
            cut = frozenset(combo)
            if any(c <= cut for c in found):
                continue
            if availability(spec, {n: 0.0 for n in combo})[target] <= 0:
                found.add(cut)
    return found
