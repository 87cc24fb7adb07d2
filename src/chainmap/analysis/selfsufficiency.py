"""Self-sufficiency: how much of the supply is domestic, directly and along the chain.

For each component: ``domestic_share`` = home's share of its listed supply
(None where it lists none), and ``autarky`` = its availability at horizon H
(default 1y) when every foreign country and the unlisted remainder are cut
(the whole chain, not just the last step; stock covers part of the horizon).
A scenario's own removals and limits stay, and its reach applies (under
``owner``, home plants of foreign owners are cut too). Per sector: both as
value-weighted means over the sector's products.

Examples
--------
>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> [(r.code, r.autarky) for r in self_sufficiency(g, scenario=chainmap.Scenario(horizon="long")).sectors]
[('35', 0.0), ('39', 0.0)]
>>> [(r.code, round(r.autarky, 3)) for r in self_sufficiency(g).sectors]
[('35', 0.247), ('39', 0.2)]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from chainmap.analysis.propagate import availability
from chainmap.analysis.scenario import Scenario, capacities, format_horizon
from chainmap.analysis.simulate import sector_means
from chainmap.graph import FloatArray, SupplyGraph

if TYPE_CHECKING:
    import pandas as pd

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
    scenario: str = "baseline"
    horizon: str = "1y"
    reach: str = "location"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``{"home", "scenario", "horizon", "reach", "components", "sectors"}``."""
        return {"home": self.home, "scenario": self.scenario, "horizon": self.horizon, "reach": self.reach,
                "components": [asdict(c) for c in self.components], "sectors": [asdict(s) for s in self.sectors]}

    def to_dataframe(self, table: str = "sectors") -> pd.DataFrame:
        """One table, ``sectors`` or ``components``, as a pandas DataFrame (``pip install 'chainmap[dataframe]'``).

        >>> import chainmap
        >>> self_sufficiency(chainmap.load("tests/data/mini")).to_dataframe()[["code", "autarky"]].round(3).values.tolist()
        [['35', 0.247], ['39', 0.2]]
        """
        from chainmap.dataframes import table_frame

        return table_frame(self, table, {"sectors": SectorSufficiency, "components": ComponentSufficiency})


def domestic_shares(graph: SupplyGraph) -> FloatArray:
    """Home's share of each component's listed supply, NaN where it lists none (or only zero shares).

    The shares are normalised by their sum ``T`` (unlisted supply is left out), as
    :func:`chainmap.analysis.concentration.country_shares` does for one component, and summed in the same
    order, so the two agree to the last bit.

    >>> import chainmap
    >>> g = chainmap.load("tests/data/mini")
    >>> list(zip(g.component_ids, domestic_shares(g).round(3).tolist()))[:3]
    [('kylin-os', 1.0), ('logic-chip', nan), ('office-pc', nan)]
    """
    total = graph.listed_share
    positive = total > 0
    per_entry = np.where(graph.entry_domestic, graph.entry_share / np.where(positive, total, 1.0)[graph.entry_comp], 0.0)
    home = np.bincount(graph.entry_comp, weights=per_entry, minlength=graph.n_components)
    out: FloatArray = np.where(graph.has_entries & positive, home, np.nan)
    return out


def self_sufficiency(graph: SupplyGraph, home: str | None = None, scenario: Scenario | None = None) -> SelfSufficiency:
    """Domestic share and chain autarky per component and per sector.

    ``scenario`` sets the horizon (default 1y), the reach, and removals or
    limits that hold on top of the foreign cut-off.
    """
    graph = graph.with_home(home)
    scenario = scenario or Scenario()
    caps = capacities(graph, scenario)
    for i, cid in enumerate(graph.country_ids):
        if cid != graph.home:
            caps.country[i] = 0.0
    object.__setattr__(caps, "unlisted", 0.0)  # unlisted supply is of unknown, hence foreign, origin
    autarky = availability(graph, caps)
    share_arr = domestic_shares(graph)
    names, sectors_of = graph.arrays.component_name, graph.arrays.component_sector
    comps = [ComponentSufficiency(cid, names[i], sectors_of[i], None if np.isnan(share) else share, aut)
             for i, (cid, share, aut) in enumerate(zip(graph.component_ids, share_arr.tolist(), autarky.tolist(), strict=True))]
    dom_means = sector_means(graph, share_arr)
    aut_means = sector_means(graph, autarky)
    sectors = [SectorSufficiency(code, graph.sectors[code].name,
                                 None if np.isnan(dom_means[code]) else dom_means[code], aut_means[code])
               for code in aut_means]
    return SelfSufficiency(graph.home, comps, sectors, scenario.describe(), format_horizon(scenario.horizon),
                           scenario.reach)
