"""Analyses: pure functions of (graph, scenario) returning typed results."""

from chainmap.analysis.bottlenecks import Bottleneck, bottlenecks
from chainmap.analysis.cuts import CutSet, cut_sets
from chainmap.analysis.explain import Explanation, explain
from chainmap.analysis.priority import Priority, priorities
from chainmap.analysis.propagate import SupplyTerms, availability, supply_terms
from chainmap.analysis.scenario import LONG, Capacities, Scenario, capacities, parse_horizon
from chainmap.analysis.selfsufficiency import SelfSufficiency, self_sufficiency
from chainmap.analysis.simulate import SimulationResult, simulate
from chainmap.analysis.spof import SinglePointOfFailure, single_points_of_failure, spof_sets

__all__ = [
    "LONG",
    "Bottleneck",
    "Capacities",
    "CutSet",
    "Explanation",
    "Priority",
    "Scenario",
    "SelfSufficiency",
    "SimulationResult",
    "SinglePointOfFailure",
    "SupplyTerms",
    "availability",
    "bottlenecks",
    "capacities",
    "cut_sets",
    "explain",
    "parse_horizon",
    "priorities",
    "self_sufficiency",
    "simulate",
    "single_points_of_failure",
    "spof_sets",
    "supply_terms",
]
