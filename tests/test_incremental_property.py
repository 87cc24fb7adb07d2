"""Incremental propagation (priorities, bottlenecks) agrees exactly with a full propagation."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from chainmap.analysis.incremental import Incremental
from chainmap.analysis.propagate import SupplyTerms, availability, supply_terms
from chainmap.analysis.scenario import Scenario, capacities
from chainmap.analysis.spof import cone_steps
from chainmap.graph import SupplyGraph

from .strategies import spec_and_caps


def moved(before: np.ndarray, after: np.ndarray) -> dict[int, float]:
    idx = np.flatnonzero(after != before)
    return dict(zip(idx.tolist(), after[idx].tolist(), strict=True))


@settings(max_examples=300, deadline=None)
@given(spec_and_caps(), st.sampled_from([0.0, 0.5, 0.9]), st.sampled_from([0, 10_000]),
       st.sampled_from([30.0, 365.0, float("inf")]), st.sampled_from(["location", "owner"]))
def test_incremental_matches_full_propagation(case, factor, budget, horizon, reach):
    spec, caps_given = case
    graph = SupplyGraph.from_spec(spec)
    caps = capacities(graph, Scenario(limit=caps_given, horizon=horizon, reach=reach))
    inc = Incremental(graph, caps)
    inc.budget = budget  # 0: every change falls back to the full propagation
    for c in range(graph.n_components):
        terms = inc.terms.copy()
        terms.foreign[c] *= factor
        new = (float(terms.foreign[c]), float(terms.domestic[c]))
        assert inc.run({c: new}) == moved(inc.base, availability(graph, caps, terms)), c
        cut = SupplyTerms(inc.terms.foreign.copy(), inc.terms.domestic.copy())
        cut.foreign[c] = 0.0
        assert inc.cut_foreign(c) == moved(inc.base, availability(graph, caps, cut)), c
    for kind, n in (("country", graph.n_countries), ("supplier", graph.n_suppliers)):
        for i in range(n):
            removed = caps.copy()
            (removed.country if kind == "country" else removed.supplier)[i] = 0.0
            inc = Incremental(graph, caps)
            expected = moved(inc.base, availability(graph, removed, supply_terms(graph, removed)))
            got = inc.remove(country=i) if kind == "country" else inc.remove(supplier=i)
            assert got == expected, (kind, i)


@settings(max_examples=200, deadline=None)
@given(spec_and_caps())
def test_cone_restricted_availability_matches_full(case):
    spec, caps_given = case
    graph = SupplyGraph.from_spec(spec)
    caps = capacities(graph, Scenario(limit=caps_given))
    full = availability(graph, caps)
    for t in range(graph.n_components):
        cone = graph.upstream_of([t])
        part = availability(graph, caps, steps=cone_steps(graph, cone).steps)
        assert np.array_equal(part[cone], full[cone], equal_nan=True)
