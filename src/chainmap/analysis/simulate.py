"""Scenario simulation: availability of every component and impact per sector.

``impact`` of a scenario on a component t is ``a_baseline(t) - a_scenario(t)``;
on a sector it is the value-weighted mean over the sector's products.

Examples
--------
>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> result = simulate(g, Scenario(remove=("NL",), horizon="long"))
>>> [(c.id, c.availability) for c in result.components if c.id == "logic-chip"]
[('logic-chip', 0.0)]
>>> result = simulate(g, Scenario(remove=("NL",), horizon="1y"))   # 90 days of scanners in stock
>>> [(c.id, round(c.availability, 4)) for c in result.components if c.id == "logic-chip"]
[('logic-chip', 0.2466)]
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from chainmap.analysis.propagate import availability
from chainmap.analysis.scenario import Scenario, capacities, format_horizon
from chainmap.graph import FloatArray, SupplyGraph

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ComponentAvailability", "SectorAvailability", "SimulationResult", "sector_means", "simulate"]


@dataclass(frozen=True)
class ComponentAvailability:
    """One component's availability before and under the scenario."""

    id: str
    name: str
    sector: str | None
    baseline: float
    availability: float
    impact: float
    up: bool


@dataclass(frozen=True)
class SectorAvailability:
    """A sector's value-weighted mean availability over its products."""

    code: str
    name: str
    products: int
    baseline: float
    availability: float
    impact: float


@dataclass(frozen=True)
class SimulationResult:
    """What a scenario does: per component (sorted by id) and per sector (by code)."""

    scenario: str
    components: list[ComponentAvailability]
    sectors: list[SectorAvailability]
    horizon: str = "1y"
    reach: str = "location"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``{"scenario", "horizon", "reach", "components", "sectors"}``."""
        return {
            "scenario": self.scenario,
            "horizon": self.horizon,
            "reach": self.reach,
            "components": [asdict(c) for c in self.components],
            "sectors": [asdict(s) for s in self.sectors],
        }

    def to_dataframe(self, table: str = "components") -> pd.DataFrame:
        """One table, ``components`` or ``sectors``, as a pandas DataFrame (``pip install 'chainmap[dataframe]'``).

        >>> import chainmap
        >>> r = simulate(chainmap.load("tests/data/mini"), Scenario(remove="NL", horizon="long"))
        >>> df = r.to_dataframe()
        >>> df.loc[df["id"] == "logic-chip", "availability"].tolist(), r.to_dataframe("sectors")["code"].tolist()
        ([0.0], ['35', '39'])
        """
        from chainmap.dataframes import table_frame

        return table_frame(self, table, {"components": ComponentAvailability, "sectors": SectorAvailability})


def sector_means(graph: SupplyGraph, values: FloatArray) -> dict[str, float]:
    """Value-weighted mean of a per-component array over each sector's products."""
    out: dict[str, float] = {}
    for code, sector in graph.sectors.items():
        idx = np.array([graph.component_of[p] for p in sector.products], dtype=np.int64)
        if idx.size == 0:
            continue
        weights = graph.value[idx]
        total = float(weights.sum())
        out[code] = float((weights * values[idx]).sum() / total) if total > 0 else float(values[idx].mean())
    return out


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def simulate(graph: SupplyGraph, scenario: Scenario | None = None, baseline: Scenario | None = None) -> SimulationResult:
    """Availability of every component under ``scenario`` against ``baseline``.

    Parameters
    ----------
    graph : the loaded graph.
    scenario : nodes removed or limited (countries, blocs, suppliers, components).
    baseline : the reference scenario (default: nothing removed, same horizon and reach).
    """
    scenario = scenario or Scenario()
    baseline = baseline or Scenario(horizon=scenario.horizon, reach=scenario.reach)
    a0 = availability(graph, capacities(graph, baseline))
    a1 = availability(graph, capacities(graph, scenario))
    names = graph.arrays.component_name
    sectors_of = graph.arrays.component_sector
    base_list = a0.tolist()
    after_list = a1.tolist()
    impact_list = (a0 - a1).tolist()
    with _no_gc():  # a million small result rows: the cyclic GC would rescan them again and again
        components = [
            ComponentAvailability(cid, names[i], sectors_of[i], base_list[i], after_list[i], impact_list[i],
                                  after_list[i] > 0)
            for i, cid in enumerate(graph.component_ids)
        ]
    base_means = sector_means(graph, a0)
    scen_means = sector_means(graph, a1)
    sectors = [
        SectorAvailability(
            code=code,
            name=graph.sectors[code].name,
            products=len(graph.sectors[code].products),
            baseline=base_means[code],
            availability=scen_means[code],
            impact=base_means[code] - scen_means[code],
        )
        for code in base_means
    ]
    return SimulationResult(scenario.describe(), components, sectors, format_horizon(scenario.horizon), scenario.reach)
