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
    from chainmap.analysis import spof

    saved = spof.SPARSE_ABOVE_WORDS
    spof.SPARSE_ABOVE_WORDS = 0
    try:
        graph = SupplyGraph.from_spec(spec)
        targets = [c.id for c in spec.components]
        got = spof_sets(graph, targets, kinds)
    finally:
        spof.SPARSE_ABOVE_WORDS = saved
    for t in targets:
        assert got[t] == oracle.spof(spec, t, kinds), t
