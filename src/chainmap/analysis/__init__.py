"""Analyses: pure functions of (graph, scenario) returning typed results.

Every result has ``to_dataframe()`` (pandas, optional) and can annotate
:meth:`~chainmap.graph.SupplyGraph.to_networkx` (``results=``).
"""

from chainmap.analysis import attributes as _attributes  # noqa: F401  (registers to_networkx(results=))
from chainmap.analysis.bottlenecks import Bottleneck, BottleneckTable, bottlenecks
from chainmap.analysis.cuts import CutSet, cut_sets
from chainmap.analysis.diff import GraphDiff, diff
from chainmap.analysis.explain import Explanation, Step, explain
from chainmap.analysis.lazyrows import LazyRows, ResultList
from chainmap.analysis.priority import Priority, PriorityTable, priorities
from chainmap.analysis.propagate import SupplyTerms, availability, supply_terms
from chainmap.analysis.scenario import LONG, Capacities, Scenario, capacities, parse_horizon
from chainmap.analysis.selfsufficiency import (
    ComponentSufficiency,
    SectorSufficiency,
    SelfSufficiency,
    self_sufficiency,
)
from chainmap.analysis.simulate import ComponentAvailability, SectorAvailability, SimulationResult, simulate
from chainmap.analysis.spof import SinglePointOfFailure, single_points_of_failure, spof_sets

__all__ = [
    "LONG",
    "Bottleneck",
    "BottleneckTable",
    "Capacities",
    "ComponentAvailability",
    "ComponentSufficiency",
    "CutSet",
    "Explanation",
    "GraphDiff",
    "LazyRows",
    "Priority",
    "PriorityTable",
    "ResultList",
    "Scenario",
    "SectorAvailability",
    "SectorSufficiency",
    "SelfSufficiency",
    "SimulationResult",
    "SinglePointOfFailure",
    "Step",
    "SupplyTerms",
    "availability",
    "bottlenecks",
    "capacities",
    "cut_sets",
    "diff",
    "explain",
    "parse_horizon",
    "priorities",
    "self_sufficiency",
    "simulate",
    "single_points_of_failure",
    "spof_sets",
    "supply_terms",
]

RESULT_TYPES = (Bottleneck, BottleneckTable, CutSet, Explanation, GraphDiff, Priority, PriorityTable, ResultList,
                SelfSufficiency, SimulationResult, SinglePointOfFailure)
"""The result classes (re-exported by :mod:`chainmap`)."""
