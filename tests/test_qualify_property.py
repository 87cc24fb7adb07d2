"""``qualify_graph`` on an array-backed graph edits the arrays into those the spec path compiles."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainmap
from chainmap.analysis import simulate
from chainmap.errors import ScenarioError
from chainmap.graph import SupplyGraph
from chainmap.model.edit import qualify, qualify_graph

from .strategies import specs


def _same(got: SupplyGraph, want: SupplyGraph) -> None:
    """The same arrays (every field), evaluation order and simulation."""
    for field in dataclasses.fields(got.arrays):
        a, b = getattr(got.arrays, field.name), getattr(want.arrays, field.name)
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            assert np.array_equal(np.asarray(a), np.asarray(b), equal_nan=a.dtype.kind == "f"), field.name
        elif field.name == "entry_source":
            assert list(a or []) == list(b or []), field.name
        else:
            assert a == b, field.name
    assert [s.comps.tolist() for s in got.schedule.steps] == [s.comps.tolist() for s in want.schedule.steps]
    a, b = simulate(got), simulate(want)
    assert list(a.components) == list(b.components) and a.sectors == b.sectors


@st.composite
def edits(draw):
    spec = draw(specs(max_suppliers=4))
    if not spec.suppliers:
        spec = spec.model_copy(update={"suppliers": [
            spec.suppliers[0] if spec.suppliers else
            type(spec).model_validate({"countries": [{"id": spec.countries[0].id, "name": "x"}],
                                       "suppliers": [{"id": "s9", "name": "S9", "country": spec.countries[0].id}],
                                       }).suppliers[0]]})
    items = draw(st.lists(st.tuples(st.sampled_from([s.id for s in spec.suppliers]),
                                    st.sampled_from([c.id for c in spec.components]),
                                    st.sampled_from([0.1, 0.5, 1.0])), min_size=1, max_size=3))
    return spec, items


@settings(max_examples=200, deadline=None)
@given(edits())
def test_array_qualify_matches_spec_path(case):
    spec, items = case
    graph = SupplyGraph.from_arrays(SupplyGraph.from_spec(spec).arrays)
    graph.schedule  # noqa: B018 (compiled before the edit: kept by it)
    want = graph.spec
    for item in items:
        want = qualify(want, *item)
    _same(qualify_graph(graph, items), SupplyGraph(want))


def test_array_qualify_on_generated_columnar_graph(tmp_path):
    from chainmap.io.generate import write_generated

    write_generated(tmp_path / "net", 2000, seed=5)
    graph = chainmap.load(tmp_path / "net")
    assert graph._spec is None
    comp = graph.component_ids[7]
    items = [(graph.supplier_ids[3], comp, 0.4), (graph.supplier_ids[0], comp, 0.2),
             (graph.supplier_ids[-1], graph.component_ids[-1], 1.0)]
    want = graph.spec
    for item in items:
        want = qualify(want, *item)
    _same(qualify_graph(SupplyGraph.from_arrays(graph.arrays), items), SupplyGraph(want))


def test_qualify_graph_unknown_ids():
    graph = chainmap.load("tests/data/mini")
    with pytest.raises(ScenarioError, match="unknown supplier"):
        qualify_graph(graph, [("nobody", "scanner", 0.5)])
    with pytest.raises(ScenarioError, match="unknown component"):
        qualify_graph(graph, [("smee", "nothing", 0.5)])
