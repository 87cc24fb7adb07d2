"""Scenarios: which nodes lose how much capacity.

A :class:`Scenario` removes nodes (capacity 0) and limits others (capacity in
[0, 1]). Ids may name countries, blocs (all members), suppliers or
components. :func:`capacities` resolves it against a graph into arrays; when a
node is named twice the lower capacity wins.

Examples
--------
>>> s = Scenario.parse(remove=["NL"], limit=["JP=0.5"])
>>> s.remove, dict(s.limit)
(('NL',), {'JP': 0.5})
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from chainmap.errors import ScenarioError
from chainmap.graph import FloatArray, SupplyGraph

__all__ = ["Capacities", "Scenario", "capacities"]


@dataclass(frozen=True)
class Scenario:
    """Nodes removed and nodes limited to a fraction of their capacity."""

    remove: tuple[str, ...] = ()
    limit: Mapping[str, float] = field(default_factory=dict)
    name: str = ""

    @classmethod
    def parse(cls, remove: Iterable[str] = (), limit: Iterable[str] = (), name: str = "") -> Scenario:
        """Build from CLI-style strings: ids, and ``ID=FRACTION`` limits."""
        limits: dict[str, float] = {}
        for item in limit:
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
        return cls(tuple(dict.fromkeys(remove)), limits, name)

    def describe(self) -> str:
        """Short human description: ``remove NL; limit JP=0.5``."""
        parts = []
        if self.remove:
            parts.append("remove " + ", ".join(self.remove))
        if self.limit:
            parts.append("limit " + ", ".join(f"{k}={v:g}" for k, v in sorted(self.limit.items())))
        return "; ".join(parts) or "baseline"

    def is_baseline(self) -> bool:
        """True when the scenario changes nothing."""
        return not self.remove and all(v >= 1.0 for v in self.limit.values())


@dataclass(frozen=True)
class Capacities:
    """Remaining capacity per country, supplier and component index."""

    country: FloatArray
    supplier: FloatArray
    component: FloatArray

    @classmethod
    def full(cls, graph: SupplyGraph) -> Capacities:
        """Every node at capacity 1 (the baseline)."""
        return cls(np.ones(graph.n_countries), np.ones(graph.n_suppliers), np.ones(graph.n_components))

    def copy(self) -> Capacities:
        """An independent copy (the arrays are mutable)."""
        return Capacities(self.country.copy(), self.supplier.copy(), self.component.copy())

    def set(self, graph: SupplyGraph, node: str, value: float) -> None:
        """Lower ``node`` (country, bloc, supplier, component) to ``value``."""
        if node in graph.country_of:
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
            raise ScenarioError(f"scenario names unknown node {node!r}")


def capacities(graph: SupplyGraph, scenario: Scenario | None = None) -> Capacities:
    """Resolve ``scenario`` against ``graph`` into capacity arrays."""
    caps = Capacities.full(graph)
    if scenario is None:
        return caps
    for node in scenario.remove:
        caps.set(graph, node, 0.0)
    for node, value in scenario.limit.items():
        if not (0.0 <= value <= 1.0):
            raise ScenarioError(f"capacity of {node!r} must be in [0, 1], got {value}")
        caps.set(graph, node, value)
    return caps
