"""spof_sets and cut_sets agree exactly with the brute-force oracle (v2, horizon long)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chainmap.analysis.cuts import cut_sets
from chainmap.analysis.spof import spof_sets
from chainmap.graph import SupplyGraph

from . import oracle
from .strategies import specs, v1_specs

KIND_CHOICES = [("country",), ("supplier",), ("component",), ("country", "supplier", "component")]


@settings(max_examples=250, deadline=None)
@given(specs(), st.sampled_from(KIND_CHOICES))
def test_spof_matches_oracle(spec, kinds):
    graph = SupplyGraph.from_spec(spec)
    targets = [c.id for c in spec.components]
    got = spof_sets(graph, targets, kinds)
    for t in targets:
        assert got[t] == oracle.spof(spec, t, kinds), t


@settings(max_examples=100, deadline=None)
@given(v1_specs(), st.sampled_from(KIND_CHOICES))
def test_spof_v1_special_case(spec, kinds):
    graph = SupplyGraph.from_spec(spec)
    targets = [c.id for c in spec.components]
    got = spof_sets(graph, targets, kinds)
    for t in targets:
        assert got[t] == oracle.spof_v1(spec, t, kinds) == oracle.spof(spec, t, kinds), t


@settings(max_examples=200, deadline=None)
@given(specs(max_components=6, max_suppliers=3), st.sampled_from(KIND_CHOICES), st.integers(1, 2),
       st.integers(0, 5))
def test_cut_sets_match_oracle(spec, kinds, order, pick):
    graph = SupplyGraph.from_spec(spec)
    target = spec.components[pick % len(spec.components)].id
    got = {frozenset(c.nodes) for c in cut_sets(graph, target, max_order=order, kinds=kinds)}
    assert got == oracle.cut_sets(spec, target, order, kinds)


@settings(max_examples=100, deadline=None)
@given(specs(max_components=4, max_suppliers=2), st.sampled_from(KIND_CHOICES), st.integers(0, 3))
def test_cut_sets_order_3_small_graphs(spec, kinds, pick):
    graph = SupplyGraph.from_spec(spec)
    target = spec.components[pick % len(spec.components)].id
    got = {frozenset(c.nodes) for c in cut_sets(graph, target, max_order=3, kinds=kinds)}
    assert got == oracle.cut_sets(spec, target, 3, kinds)


@settings(max_examples=150, deadline=None)
@given(specs(), st.sampled_from([*KIND_CHOICES, ("country", "supplier"), ("supplier", "component")]))
def test_spof_sparse_path_matches_oracle(spec, kinds):
    """The per-component set path (large universes, e.g. every kind at 1M) equals the oracle too."""
    _assert_spof_sets_match_oracle_with(spec, kinds, "SPARSE_ABOVE_WORDS", 0)


def _assert_spof_sets_match_oracle_with(spec, kinds, setting, value):
    """``spof_sets`` over every component with the module setting ``chainmap.analysis.spof.<setting>`` at
    ``value`` (restored after) equals the oracle."""
    from chainmap.analysis import spof

    saved = getattr(spof, setting)
    setattr(spof, setting, value)
    try:
        graph = SupplyGraph.from_spec(spec)
        targets = [c.id for c in spec.components]
        got = spof_sets(graph, targets, kinds)
    finally:
        setattr(spof, setting, saved)
    for t in targets:
        assert got[t] == oracle.spof(spec, t, kinds), t


def test_decay_checks_zero_the_removed_nodes_entries(tmp_path):
    """The decay checks take ``cap(e)`` of a removal from the scenario's (the removed node's entries at 0):
    the same bytes as recomputing it, for countries, suppliers and a component, both reaches."""
    import chainmap
    from chainmap.analysis.propagate import entry_capacity
    from chainmap.analysis.scenario import Scenario, capacities
    from chainmap.analysis.spof import _remove_vertex, _without
    from chainmap.io.generate import write_generated

    write_generated(tmp_path, 1500, seed=11)
    g = chainmap.load(tmp_path)
    vertices = [*range(g.n_countries), *range(g.n_countries, g.n_countries + g.n_suppliers, 5), len(g.ids) - 1]
    for reach in ("location", "owner"):
        for scenario in (Scenario(reach=reach), Scenario(remove=("US",), limit={g.supplier_ids[3]: 0.5}, reach=reach)):
            caps = capacities(g, scenario)
            base = entry_capacity(g, caps)
            for v in vertices:
                trial = caps.copy()
                _remove_vertex(g, trial, v)
                assert entry_capacity(g, trial).tobytes() == _without(g, caps, base, v).tobytes(), (reach, v)


@settings(max_examples=150, deadline=None)
@given(specs(), st.sampled_from(KIND_CHOICES), st.integers(1, 3))
def test_spof_decay_bounds_match_oracle(spec, kinds, rounds):
    """The decay checks decide from Kleene bounds when a cycle does not settle (few rounds here, so most
    cycles do not) and fall back to the exact propagation where the bounds leave a target undecided."""
    _assert_spof_sets_match_oracle_with(spec, kinds, "_KLEENE_ROUNDS", rounds)

