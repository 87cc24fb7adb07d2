"""Scenarios: which nodes lose how much capacity, over which horizon, with which reach.

A :class:`Scenario` removes nodes (capacity 0) and limits others (capacity in
[0, 1]). Ids may name countries, blocs (all members), suppliers, components
or the reserved id ``unlisted`` (the unlisted remainder of every supply mix).
Its ``horizon`` is in days (``math.inf``: ``long``, the structural view); its
``reach`` says whether cutting a country also cuts the suppliers it owns
abroad (``owner``) or only those located in it (``location``, the default).
:func:`capacities` resolves it against a graph into arrays; when a node is
named twice the lower capacity wins.

Examples
--------
>>> s = Scenario.parse(remove=["NL"], limit=["JP=0.5"], horizon="6m")
>>> s.remove, dict(s.limit), s.horizon
(('NL',), {'JP': 0.5}, 182.5)
>>> [parse_horizon(t) for t in ["long", "90", "90d", "1y", "2y"]]
[inf, 90.0, 90.0, 365.0, 730.0]
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from chainmap.errors import ScenarioError
from chainmap.graph import FloatArray, SupplyGraph
from chainmap.idlist import as_ids
from chainmap.model.schema import RESERVED_ID

__all__ = ["DEFAULT_HORIZON", "LONG", "REACHES", "Capacities", "Scenario", "capacities", "format_horizon",
           "parse_horizon"]

LONG = math.inf
"""Horizon ``long``: the structural view (no stock, equipment as if it were consumed)."""
DEFAULT_HORIZON = 365.0
"""Default horizon in days of the analyses that print impacts."""
REACHES = ("location", "owner")
UNLISTED = RESERVED_ID
_UNITS = {"d": 1.0, "w": 7.0, "m": 365.0 / 12.0, "y": 365.0}


def parse_horizon(text: str | float | int) -> float:
    """A horizon in days from ``long``, plain days (``90``) or ``90d``/``6w``/``6m``/``1y``/``2y``."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = float(text)
    else:
        raw = str(text).strip().lower()
        if raw in ("long", "inf", "infinity"):
            return LONG
        unit = _UNITS.get(raw[-1:])
        number = raw[:-1] if unit is not None else raw
        try:
            value = float(number) * (unit or 1.0)
        except ValueError:
            raise ScenarioError(f"horizon {text!r}: expected 'long', days (90) or 90d, 6m, 1y, 2y") from None
        if math.isinf(value):  # '1e400' overflows to infinity: an unbounded horizon is spelt 'long'
            raise ScenarioError(f"horizon {text!r}: too large a number of days (say 'long' for no horizon)")
    if math.isnan(value) or value <= 0:
        raise ScenarioError(f"horizon {text!r}: must be a positive number of days or 'long'")
    return value


def format_horizon(days: float) -> str:
    """``long``, ``1y``, ``2y``, ``6m`` where exact, else ``90d``.

    >>> [format_horizon(d) for d in [math.inf, 365, 730, 182.5, 90]]
    ['long', '1y', '2y', '6m', '90d']
    """
    if math.isinf(days):
        return "long"
    if days % 365 == 0:
        return f"{int(days // 365)}y"
    months = days / (365.0 / 12.0)
    if abs(months - round(months)) < 1e-9 and days % 1 != 0:
        return f"{round(months)}m"
    return f"{days:g}d"


@dataclass(frozen=True)
class Scenario:
    """Nodes removed and nodes limited to a fraction of their capacity, over a horizon (days)."""

    remove: tuple[str, ...] = ()
    limit: Mapping[str, float] = field(default_factory=dict)
    name: str = ""
    horizon: float = DEFAULT_HORIZON
    reach: str = "location"

    def __post_init__(self) -> None:
        object.__setattr__(self, "remove", as_ids(self.remove))  # remove="US": one node, not "U" and "S"
        object.__setattr__(self, "horizon", parse_horizon(self.horizon))
        if self.reach not in REACHES:
            raise ScenarioError(f"reach {self.reach!r}: expected one of {', '.join(REACHES)}")

    def at(self, horizon: float | str) -> Scenario:
        """The same cut at another horizon."""
        return dataclasses.replace(self, horizon=parse_horizon(horizon))

    @classmethod
    def parse(cls, remove: Iterable[str] = (), limit: Iterable[str] = (), name: str = "",
              horizon: float | str = DEFAULT_HORIZON, reach: str = "location") -> Scenario:
        """Build from CLI-style strings: ids, ``ID=FRACTION`` limits, a horizon such as ``1y``."""
        limits: dict[str, float] = {}
        remove = as_ids(remove)
        for item in as_ids(limit):
            node, sep, text = item.rpartition("=")
            if not sep or not node:
                raise ScenarioError(f"--limit {item!r}: expected ID=FRACTION")
            try:
                value = float(text)
            except ValueError:
                raise ScenarioError(f"--limit {item!r}: {text!r} is not a number") from None
            if not (0.0 <= value <= 1.0) or math.isnan(value):
                raise ScenarioError(f"--limit {item!r}: capacity must be in [0, 1]")
            limits[node] = min(value, limits.get(node, 1.0))
        return cls(tuple(dict.fromkeys(remove)), limits, name, parse_horizon(horizon), reach)

    def describe(self) -> str:
        """Short human description: ``remove NL; limit JP=0.5``."""
        parts = []
        if self.remove:
            parts.append("remove " + ", ".join(self.remove))
        if self.limit:
            parts.append("limit " + ", ".join(f"{k}={v:g}" for k, v in sorted(self.limit.items())))
        return "; ".join(parts) or "baseline"

    def describe_long(self) -> str:
        """Description with horizon and reach: ``remove US; horizon 1y; reach location``."""
        return f"{self.describe()}; horizon {format_horizon(self.horizon)}; reach {self.reach}"

    def is_baseline(self) -> bool:
        """True when the scenario changes nothing."""
        return not self.remove and all(v >= 1.0 for v in self.limit.values())


@dataclass(frozen=True)
class Capacities:
    """Remaining capacity per country, supplier and component index, of the unlisted
    remainder, and the horizon (days) and reach they are read with."""

    country: FloatArray
    supplier: FloatArray
    component: FloatArray
    unlisted: float = 1.0
    horizon: float = LONG
    reach: str = "location"

    @classmethod
    def full(cls, graph: SupplyGraph, horizon: float = LONG, reach: str = "location") -> Capacities:
        """Every node at capacity 1 (the baseline) at ``horizon`` (default ``long``)."""
        return cls(np.ones(graph.n_countries), np.ones(graph.n_suppliers), np.ones(graph.n_components),
                   1.0, horizon, reach)

    def copy(self) -> Capacities:
        """An independent copy (the arrays are mutable)."""
        return Capacities(self.country.copy(), self.supplier.copy(), self.component.copy(), self.unlisted,
                          self.horizon, self.reach)

    def set(self, graph: SupplyGraph, node: str, value: float) -> None:
        """Lower ``node`` (country, bloc, supplier, component, ``unlisted``) to ``value``."""
        if node == UNLISTED:
            object.__setattr__(self, "unlisted", min(self.unlisted, value))
        elif node in graph.country_of:
            i = graph.country_of[node]
            self.country[i] = min(self.country[i], value)
        elif node in graph.supplier_of:
            i = graph.supplier_of[node]
            self.supplier[i] = min(self.supplier[i], value)
        elif node in graph.component_of:
            i = graph.component_of[node]
            self.component[i] = min(self.component[i], value)
        elif node in graph.blocs:
            for member in graph.blocs[node].members:
                self.set(graph, member, value)
        else:
            raise ScenarioError(f"scenario names unknown node {node!r}{graph.did_you_mean(node)}")


def capacities(graph: SupplyGraph, scenario: Scenario | None = None) -> Capacities:
    """Resolve ``scenario`` against ``graph`` into capacity arrays."""
    if scenario is None:
        return Capacities.full(graph, DEFAULT_HORIZON)
    caps = Capacities.full(graph, scenario.horizon, scenario.reach)
    for node in scenario.remove:
        caps.set(graph, node, 0.0)
    for node, value in scenario.limit.items():
        if not (0.0 <= value <= 1.0):
            raise ScenarioError(f"capacity of {node!r} must be in [0, 1], got {value}")
        caps.set(graph, node, value)
    return caps
