"""Self-sufficiency: how much of the supply is domestic, directly and along the chain.

For each component: ``domestic_share`` = home's share of its listed supply
(None where it lists none), and ``autarky`` = its availability when every
foreign country is removed (the whole chain, not just the last step). Per
sector: both as value-weighted means over the sector's products.

Examples
--------
>>> import chainmap
>>> rows = self_sufficiency(chainmap.load("tests/data/mini"))
>>> [(r.code, r.autarky) for r in rows.sectors]
[('35', 0.0), ('39', 0.0)]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from chainmap.analysis.concentration import country_shares
from chainmap.analysis.propagate import availability
from chainmap.analysis.scenario import Capacities
from chainmap.analysis.simulate import sector_means
from chainmap.graph import SupplyGraph

__all__ = ["ComponentSufficiency", "SectorSufficiency", "SelfSufficiency", "self_sufficiency"]


@dataclass(frozen=True)
class ComponentSufficiency:
    id: str
    name: str
    sector: str | None
    domestic_share: float | None
    autarky: float


@dataclass(frozen=True)
class SectorSufficiency:
    code: str
    name: str
    domestic_share: float | None
    autarky: float


@dataclass(frozen=True)
class SelfSufficiency:
    home: str
    components: list[ComponentSufficiency]
    sectors: list[SectorSufficiency]

    def to_dict(self) -> dict[str, Any]:
        return {"home": self.home, "components": [asdict(c) for c in self.components],
                "sectors": [asdict(s) for s in self.sectors]}


def self_sufficiency(graph: SupplyGraph, home: str | None = None) -> SelfSufficiency:
    """Domestic share and chain autarky per component and per sector."""
    graph = graph.with_home(home)
    caps = Capacities.full(graph)
    for i, cid in enumerate(graph.country_ids):
        if cid != graph.home:
            caps.country[i] = 0.0
    autarky = availability(graph, caps)
    shares: list[float | None] = []
    for cid in graph.component_ids:
        cs = country_shares(graph, cid)
        shares.append(cs.get(graph.home, 0.0) if cs else None)
    comps = [ComponentSufficiency(cid, graph.components[cid].name, graph.components[cid].sector, shares[i],
                                  float(autarky[i])) for i, cid in enumerate(graph.component_ids)]
    share_arr = np.array([np.nan if s is None else s for s in shares])
    dom_means = sector_means(graph, share_arr)
    aut_means = sector_means(graph, autarky)
    sectors = [SectorSufficiency(code, graph.sectors[code].name,
                                 None if np.isnan(dom_means[code]) else dom_means[code], aut_means[code])
               for code in aut_means]
    return SelfSufficiency(graph.home, comps, sectors)
