"""The bit-parallel cone kill sets (analysis/killblocks.py) and cut sets under a scenario agree with brute force.

Each bit of :meth:`ConeKill.down` (remove ``R_b`` and one more node on top of a scenario, both reaches,
both views, capacities below 1 that make loops decay) is compared with the oracle's availability; the
blocks are also evaluated one chunk each. Cut sets under a scenario are compared with the oracle's
definition applied on top of the same capacities.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from chainmap.analysis import killblocks
from chainmap.analysis.cuts import cut_sets
from chainmap.analysis.killblocks import ConeKill
from chainmap.analysis.scenario import Scenario
from chainmap.analysis.spof import spof_sets, structural_capacities
from chainmap.graph import SupplyGraph

from . import oracle
from .strategies import spec_and_scenario, specs

KIND_CHOICES = [("country",), ("supplier",), ("component",), ("country", "supplier", "component")]


def _down(spec, caps: dict[str, float], reach: str, removed: frozenset[str], target: str, memo: dict) -> bool:
    if removed not in memo:
        merged = dict(caps)
        for n in removed:
            merged[n] = 0.0
        memo[removed] = oracle.is_down(oracle.availability(spec, merged, math.inf, reach)[target])
    return memo[removed]


@settings(max_examples=150, deadline=None)
@given(spec_and_scenario(specs(max_components=6, max_suppliers=3)), st.integers(0, 5), st.booleans(),
       st.integers(0, 3))
def test_cone_kill_bits_match_oracle(drawn, pick, one_chunk, n_pairs):
    spec, caps, _, reach = drawn
    graph = SupplyGraph.from_spec(spec)
    target = spec.components[pick % len(spec.components)].id
    t = graph.component_of[target]
    universe = np.array([v for v in range(len(graph.ids)) if v != graph.n_countries + graph.n_suppliers + t],
                        dtype=np.int64)
    engine = ConeKill(graph, t, universe, structural_capacities(graph, Scenario(limit=caps, reach=reach)))
    m = universe.size
    blocks: list[tuple[int, ...]] = [(), *[(i,) for i in range(m)], *list(combinations(range(m), 2))[:n_pairs]]
    saved = killblocks.CHUNK_BYTES
    if one_chunk:
        killblocks.CHUNK_BYTES = 1
    try:
        got = engine.down(blocks)
    finally:
        killblocks.CHUNK_BYTES = saved
    memo: dict = {}
    ids = graph.ids
    for b, block in enumerate(blocks):
        for j in range(m + 1):
            removed = frozenset(ids[int(universe[p])] for p in (*block, *([j] if j < m else [])))
            assert bool(got[b, j]) == _down(spec, caps, reach, removed, target, memo), (block, j, sorted(removed))


def _brute_cut_sets(spec, caps: dict[str, float], reach: str, target: str, max_order: int, kinds) -> set[frozenset[str]]:
    memo: dict = {}
    if _down(spec, caps, reach, frozenset(), target, memo):
        return set()
    nodes = [n for n in oracle.all_nodes(spec, kinds) if n != target]
    found: set[frozenset[str]] = set()
    for k in range(1, max_order + 1):
        for combo in combinations(nodes, k):
            cut = frozenset(combo)
            if not any(c <= cut for c in found) and _down(spec, caps, reach, cut, target, memo):
                found.add(cut)
    return found


@settings(max_examples=120, deadline=None)
@given(spec_and_scenario(specs(max_components=5, max_suppliers=3)), st.sampled_from(KIND_CHOICES),
       st.integers(1, 3), st.integers(0, 4))
def test_cut_sets_under_a_scenario_match_brute_force(drawn, kinds, order, pick):
    spec, caps, _, reach = drawn
    graph = SupplyGraph.from_spec(spec)
    target = spec.components[pick % len(spec.components)].id
    got = {frozenset(c.nodes) for c in cut_sets(graph, target, order, kinds, Scenario(limit=caps, reach=reach))}
    assert got == _brute_cut_sets(spec, caps, reach, target, order, kinds)


def test_a_component_limit_makes_a_loop_decay():
    """A loop of gain ``cap < 1`` (a component limited by the scenario) decays to 0 once its other way in is
    cut, in both views (``D0 = 1``: a home process): removing US is a cut of c0, and a single point of failure."""
    from chainmap.model import GraphSpec

    for view in ("home", "global"):
        spec = GraphSpec.model_validate({
            "settings": {"home": "CN", "view": view},
            "countries": [{"id": "CN", "name": "CN"}, {"id": "US", "name": "US"}],
            "components": [
                {"id": "c0", "name": "C0", "requires": [{"any_of": ["c0", "c1"]}], "suppliers": []},
                {"id": "c1", "name": "C1", "suppliers": [{"country": "US", "share": 1.0}]},
            ],
            "sectors": [{"code": "39", "name": "E", "products": ["c0"]}],
        })
        graph = SupplyGraph.from_spec(spec)
        caps = {"c0": 0.5}
        got = {frozenset(c.nodes) for c in cut_sets(graph, "c0", 2, ("country",), Scenario(limit=caps))}
        assert got == _brute_cut_sets(spec, caps, "location", "c0", 2, ("country",)) == {frozenset(["US"])}, view
        base = oracle.availability(spec, oracle.node_caps(spec, caps))
        assert base["c0"] == 0.5, view
        spofs = spof_sets(graph, ["c0"], ("country",), Scenario(limit=caps))  # SPOF sees the same decay
        assert [sorted(s) for s in spofs.values()] == [["US"]], view


@settings(max_examples=100, deadline=None)
@given(specs(max_components=8))
def test_upstream_cone_is_upstream_of(spec):
    from chainmap.analysis.killblocks import upstream_cone

    graph = SupplyGraph.from_spec(spec)
    for t in range(graph.n_components):
        assert upstream_cone(graph, t).tolist() == graph.upstream_of([t]).tolist()


@settings(max_examples=150, deadline=None)
@given(spec_and_scenario(specs(max_components=5, max_suppliers=3)), st.sampled_from(KIND_CHOICES), st.integers(0, 4))
def test_spof_sets_under_a_scenario_match_brute_force(drawn, kinds, pick):
    """SPOF under a scenario (limits that make loops decay included) are the brute force's cut sets of order 1."""
    spec, caps, _, reach = drawn
    graph = SupplyGraph.from_spec(spec)
    target = spec.components[pick % len(spec.components)].id
    got = spof_sets(graph, [target], kinds, Scenario(limit=caps, reach=reach))
    want = {next(iter(c)) for c in _brute_cut_sets(spec, caps, reach, target, 1, kinds)}
    assert set(got.get(target, ())) == want
