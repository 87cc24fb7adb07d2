"""Analyses: pure functions of (graph, scenario) returning typed results."""

from chainmap.analysis.bottlenecks import Bottleneck, bottlenecks
from chainmap.analysis.cuts import CutSet, cut_sets
from chainmap.analysis.priority import Priority, priorities
from chainmap.analysis.propagate import availability, supply
from chainmap.analysis.scenario import Capacities, Scenario, capacities
from chainmap.analysis.selfsufficiency import SelfSufficiency, self_sufficiency
from chainmap.analysis.simulate import SimulationResult, simulate
from chainmap.analysis.spof import SinglePointOfFailure, single_points_of_failure, spof_sets

__all__ = [
    "Bottleneck",
    "Capacities",
    "CutSet",
    "Priority",
    "Scenario",
    "SelfSufficiency",
    "SimulationResult",
    "SinglePointOfFailure",
    "availability",
    "bottlenecks",
    "capacities",
    "cut_sets",
    "priorities",
    "self_sufficiency",
    "simulate",
    "single_points_of_failure",
    "spof_sets",
    "supply",
]
