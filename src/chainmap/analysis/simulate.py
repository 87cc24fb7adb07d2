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

import json
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from chainmap.analysis.lazyrows import LazyRows, json_value, stream_json_records
from chainmap.analysis.propagate import availability
from chainmap.analysis.scenario import Scenario, capacities, format_horizon
from chainmap.graph import FloatArray, IntArray, SupplyGraph

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ComponentAvailability", "ComponentTable", "SectorAvailability", "SimulationResult", "sector_means", "simulate"]


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
    """What a scenario does: per component (sorted by id) and per sector (by code).

    ``components`` is a :class:`ComponentTable` (rows built when read) from :func:`simulate`, a list from
    the Spark engine.
    """

    scenario: str
    components: Sequence[ComponentAvailability]
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

    def hit_components(self) -> Sequence[ComponentAvailability]:
        """The components whose availability fell (``impact > 0``), largest impact first, ties by id."""
        if isinstance(self.components, ComponentTable):
            return self.components.hits()
        return sorted([c for c in self.components if c.impact > 0], key=lambda c: (-c.impact, c.id))

    def iter_json(self) -> Iterator[str]:
        """:meth:`to_dict` as JSON text in pieces (``json.dumps(indent=2)``'s text, floats rounded to 10
        places, a final newline), streamed from the columns without building the component rows."""
        head = {"scenario": self.scenario, "horizon": self.horizon, "reach": self.reach}
        yield "{\n" + "".join(f"  {json.dumps(k)}: {json_value(v, 1)},\n" for k, v in head.items())
        yield '  "components": '
        table = self.components if isinstance(self.components, ComponentTable) else None
        if table is not None:
            yield from stream_json_records(ComponentTable.fields, table._chunks(8192), depth=1)
        else:
            yield json_value([asdict(c) for c in self.components], 1)
        yield ',\n  "sectors": ' + json_value([asdict(s) for s in self.sectors], 1) + "\n}\n"


class ComponentTable(LazyRows[ComponentAvailability]):
    """Per-component results of :func:`simulate` held as columns; a :class:`ComponentAvailability` is
    built when a row is read.

    Examples
    --------
    >>> import chainmap
    >>> result = simulate(chainmap.load("tests/data/mini"), Scenario(remove=("NL",), horizon="long"))
    >>> table = result.components
    >>> len(table), table[0].id, [c.id for c in table.hits()][:2]
    (7, 'kylin-os', ['logic-chip', 'office-pc'])
    """

    fields = ("id", "name", "sector", "baseline", "availability", "impact", "up")

    def __init__(self, graph: SupplyGraph, base: FloatArray, after: FloatArray, index: IntArray | None = None) -> None:
        self._graph, self._base, self._after = graph, base, after
        self._index = np.arange(graph.n_components, dtype=np.int64) if index is None else index

    def __len__(self) -> int:
        return int(self._index.size)

    @overload
    def __getitem__(self, i: int) -> ComponentAvailability: ...

    @overload
    def __getitem__(self, i: slice) -> ComponentTable: ...

    def __getitem__(self, i: int | slice) -> ComponentAvailability | ComponentTable:
        if isinstance(i, slice):
            return ComponentTable(self._graph, self._base, self._after, self._index[i])
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        c = int(self._index[i])
        g = self._graph
        b, a = float(self._base[c]), float(self._after[c])
        return ComponentAvailability(g.component_ids[c], g.arrays.component_name[c], g.arrays.component_sector[c],
                                     b, a, float(self._base[c] - self._after[c]), a > 0)

    def hits(self) -> ComponentTable:
        """The rows whose availability fell (``impact > 0``), largest impact first, ties by id."""
        c = self._index
        impact = self._base[c] - self._after[c]
        keep = impact > 0
        c, impact = c[keep], impact[keep]
        return ComponentTable(self._graph, self._base, self._after, c[np.lexsort((c, -impact))])

    def column_values(self, start: int, stop: int) -> dict[str, Any]:
        """Rows ``start:stop`` as columns (the fields of :class:`ComponentAvailability`)."""
        g = self._graph
        c = self._index[start:stop]
        ids, names, sectors = g.component_ids, g.arrays.component_name, g.arrays.component_sector
        cl = c.tolist()
        after = self._after[c]
        return {"id": [ids[k] for k in cl], "name": [names[k] for k in cl], "sector": [sectors[k] for k in cl],
                "baseline": self._base[c], "availability": after, "impact": self._base[c] - after,
                "up": after > 0}


def sector_means(graph: SupplyGraph, values: FloatArray) -> dict[str, float]:
    """Value-weighted mean of a per-component array over each sector's products."""
    return _sector_means(graph, values)[0]


def _sector_means(graph: SupplyGraph, *arrays: FloatArray) -> list[dict[str, float]]:
    """:func:`sector_means` of each array, from one pass over the sectors."""
    outs: list[dict[str, float]] = [{} for _ in arrays]
    for code, idx in graph.sector_product_index.items():
        if idx.size == 0:
            continue
        weights = graph.value[idx]
        total = float(weights.sum())
        for out, array in zip(outs, arrays, strict=True):
            out[code] = float((weights * array[idx]).sum() / total) if total > 0 else float(array[idx].mean())
    return outs


_BASELINES: weakref.WeakKeyDictionary[SupplyGraph, dict[tuple[float, str], FloatArray]] = weakref.WeakKeyDictionary()


def baseline_availability(graph: SupplyGraph, horizon: float, reach: str = "location") -> FloatArray:
    """``a(c)`` of every component with nothing removed, at ``horizon`` and ``reach`` (read-only; computed once
    per graph and horizon while the graph lives: every simulation compares against it).

    >>> import chainmap
    >>> g = chainmap.load("tests/data/mini")
    >>> a = baseline_availability(g, float("inf"))
    >>> a is baseline_availability(g, float("inf")), a.flags.writeable, float(a.min())
    (True, False, 1.0)
    """
    cache = _BASELINES.setdefault(graph, {})
    key = (float(horizon), reach)
    a = cache.get(key)
    if a is None:
        a = availability(graph, capacities(graph, Scenario(horizon=horizon, reach=reach)))
        a.flags.writeable = False
        cache[key] = a
    return a


def simulate(graph: SupplyGraph, scenario: Scenario | None = None, baseline: Scenario | None = None) -> SimulationResult:
    """Availability of every component under ``scenario`` against ``baseline``.

    Parameters
    ----------
    graph : the loaded graph.
    scenario : nodes removed or limited (countries, blocs, suppliers, components).
    baseline : the reference scenario (default: nothing removed, same horizon and reach).
    """
    scenario = scenario or Scenario()
    a0 = (baseline_availability(graph, scenario.horizon, scenario.reach) if baseline is None
          else availability(graph, capacities(graph, baseline)))
    a1 = availability(graph, capacities(graph, scenario))
    components = ComponentTable(graph, a0, a1)
    base_means, scen_means = _sector_means(graph, a0, a1)
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
