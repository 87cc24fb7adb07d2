"""Country shares of a component's supply and their concentration (HHI).

``country_shares(c)``: c's normalised supply shares summed per country (a
supplier entry counts for the supplier's country). ``HHI`` is the sum of the
squared shares (0..1); the *leader* is the country with the largest share
(ties broken by id).

Examples
--------
>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> c = concentration(g, "wafer")
>>> c.leader, round(c.leader_share, 2), round(c.hhi, 3)
('JP', 0.75, 0.625)
"""

from __future__ import annotations

from dataclasses import dataclass

from chainmap.graph import SupplyGraph

__all__ = ["Concentration", "concentration", "country_shares"]


@dataclass(frozen=True)
class Concentration:
    """Country concentration of one component's supply."""

    component: str
    shares: dict[str, float]
    hhi: float
    leader: str | None
    leader_share: float
    foreign_share: float
    domestic_share: float


def country_shares(graph: SupplyGraph, component: str) -> dict[str, float]:
    """Normalised supply share per country, largest first (ties by id)."""
    c = graph.component_of[component]
    entries = range(int(graph.entry_ptr[c]), int(graph.entry_ptr[c + 1]))
    total = float(sum(graph.entry_share[e] for e in entries))
    shares: dict[str, float] = {}
    if total <= 0:
        return shares
    for e in entries:
        country = graph.country_ids[int(graph.entry_country[e])]
        shares[country] = shares.get(country, 0.0) + float(graph.entry_share[e]) / total
    return dict(sorted(shares.items(), key=lambda kv: (-kv[1], kv[0])))


def concentration(graph: SupplyGraph, component: str) -> Concentration:
    """HHI, leader and home/foreign split of ``component``'s supply."""
    shares = country_shares(graph, component)
    hhi = sum(v * v for v in shares.values())
    leader = next(iter(shares), None)
    domestic = shares.get(graph.home, 0.0)
    foreign = sum(v for k, v in shares.items() if k != graph.home)
    return Concentration(component, shares, hhi, leader, shares.get(leader, 0.0) if leader else 0.0, foreign, domestic)
