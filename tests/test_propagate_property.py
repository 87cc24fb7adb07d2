"""availability agrees with the brute-force oracle (DESIGN "Semantics (v2)") within 1e-9."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from chainmap.analysis.propagate import availability
from chainmap.analysis.scenario import Scenario, capacities
from chainmap.graph import SupplyGraph

from . import oracle
from .strategies import CAPS, spec_and_scenario, v1_specs

TOL = 1e-9


def run(spec, caps, horizon=math.inf, reach="location") -> dict[str, float]:
    graph = SupplyGraph.from_spec(spec)
    got = availability(graph, capacities(graph, Scenario(limit=caps, horizon=horizon, reach=reach)))
    return {cid: float(got[i]) for i, cid in enumerate(graph.component_ids)}


def assert_close(got: dict[str, float], expected: dict[str, float]) -> None:
    assert got.keys() == expected.keys()
    bad = {c: (got[c], expected[c]) for c in got if not abs(got[c] - expected[c]) <= TOL}
    assert not bad, f"component: (chainmap, oracle) {bad}"


@settings(max_examples=400, deadline=None)
@given(spec_and_scenario())
def test_availability_matches_oracle(case):
    spec, caps, horizon, reach = case
    assert_close(run(spec, caps, horizon, reach), oracle.availability(spec, caps, horizon, reach))


@st.composite
def v1_cases(draw):
    spec = draw(v1_specs())
    nodes = oracle.all_nodes(spec)
    chosen = draw(st.lists(st.sampled_from(nodes), max_size=4, unique=True))
    return spec, {n: draw(st.sampled_from(CAPS)) for n in chosen}


@settings(max_examples=200, deadline=None)
@given(v1_cases())
def test_v1_special_case_matches_v1(case):
    spec, caps = case
    expected = oracle.availability_v1(spec, caps)
    assert_close(run(spec, caps, math.inf), expected)
    assert_close(oracle.availability(spec, caps, math.inf), expected)  # the oracles agree too
