"""Analysis results as node attributes of the networkx graph (:meth:`SupplyGraph.to_networkx` ``results=``).

==========================================  ==========================================================
result                                      node attributes
==========================================  ==========================================================
:func:`simulate`                            components: ``availability``, ``availability_baseline``,
                                            ``impact`` (graph attribute ``scenario``: its description)
:func:`single_points_of_failure`            every node: ``spof`` (bool); SPOFs: ``spof_targets``
:func:`bottlenecks`                         every node: ``bottleneck`` (bool); bottlenecks:
                                            ``bottleneck_reasons``, ``bottleneck_hits``
:func:`priorities`                          ranked components: ``priority_rank``, ``priority_score``
:func:`self_sufficiency`                    components: ``domestic_share``, ``autarky``
==========================================  ==========================================================

Examples
--------
>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> s = chainmap.Scenario(remove="NL", horizon="long")
>>> h = g.to_networkx(results=[chainmap.simulate(g, s), chainmap.single_points_of_failure(g),
...                            chainmap.priorities(g)])
>>> h.nodes["logic-chip"]["availability"], h.nodes["NL"]["spof"], h.nodes["JP"]["spof"]
(0.0, True, False)
>>> h.nodes["scanner"]["priority_rank"], h.graph["scenario"]
(1, 'remove NL')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx

from chainmap import graph as graph_layer
from chainmap.analysis.bottlenecks import Bottleneck
from chainmap.analysis.lazyrows import LazyRows, ResultList
from chainmap.analysis.priority import Priority
from chainmap.analysis.selfsufficiency import SelfSufficiency
from chainmap.analysis.simulate import SimulationResult
from chainmap.analysis.spof import SinglePointOfFailure

__all__ = ["add_results", "results_list"]

_ROWS = (SinglePointOfFailure, Bottleneck, Priority)


def _row_type(result: Any) -> type | None:
    if isinstance(result, ResultList):
        return result.row_type
    if isinstance(result, LazyRows):
        return result.row_type()
    if isinstance(result, Sequence) and result and isinstance(result[0], _ROWS):
        return type(result[0])
    return None


def _is_result(value: Any) -> bool:
    return isinstance(value, SimulationResult | SelfSufficiency) or _row_type(value) is not None


def results_list(results: Any) -> list[Any]:
    """``results`` as a list of results: one result, or an iterable of them."""
    if results is None:
        return []
    if _is_result(results):
        return [results]
    if isinstance(results, Iterable) and not isinstance(results, str | bytes):
        return list(results)
    raise TypeError(f"results: expected analysis results, got {type(results).__name__}")


def add_results(graph: nx.MultiDiGraph, results: Any) -> None:
    """Put the attributes of each result (see the module doc) on ``graph``'s nodes."""
    nodes = graph.nodes
    for result in results_list(results):
        if isinstance(result, SimulationResult):
            graph.graph["scenario"] = result.scenario
            for c in result.components:
                nodes[c.id].update(availability=c.availability, availability_baseline=c.baseline, impact=c.impact)
            continue
        if isinstance(result, SelfSufficiency):
            for s in result.components:
                nodes[s.id].update(domestic_share=s.domestic_share, autarky=s.autarky)
            continue
        kind = _row_type(result)
        if kind is SinglePointOfFailure:
            nx.set_node_attributes(graph, False, "spof")
            for r in result:
                nodes[r.node].update(spof=True, spof_targets=list(r.targets))
        elif kind is Bottleneck:
            nx.set_node_attributes(graph, False, "bottleneck")
            for b in result:
                data = nodes[b.node]
                data["bottleneck"] = True
                data["bottleneck_reasons"] = [*data.get("bottleneck_reasons", []), b.reason]
                data["bottleneck_hits"] = sorted({*data.get("bottleneck_hits", []), *b.hits})
        elif kind is Priority:
            for p in result:
                nodes[p.id].update(priority_rank=p.rank, priority_score=p.score)
        elif not (isinstance(result, Sequence) and not result):  # an empty plain list adds nothing
            raise TypeError(f"results: {type(result).__name__} has no node attributes (expected simulate, "
                            "single_points_of_failure, bottlenecks, priorities or self_sufficiency results)")


graph_layer.RESULT_WRITER["add"] = add_results  # SupplyGraph.to_networkx(results=...) calls it
