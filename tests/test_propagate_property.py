"""simulate / availability agree exactly with the brute-force oracle."""

from __future__ import annotations

from hypothesis import given, settings

from chainmap.analysis.propagate import availability
from chainmap.analysis.scenario import Scenario, capacities
from chainmap.graph import SupplyGraph

from . import oracle
from .strategies import spec_and_caps


@settings(max_examples=400, deadline=None)
@given(spec_and_caps())
def test_availability_matches_oracle(case):
    spec, caps = case
    graph = SupplyGraph.from_spec(spec)
    scenario = Scenario(limit=caps)
    got = availability(graph, capacities(graph, scenario))
    expected = oracle.availability(spec, caps)
    assert {cid: float(got[i]) for i, cid in enumerate(graph.component_ids)} == expected
