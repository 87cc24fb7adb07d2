"""The report's vectorised data (shares, exposure, colours, top lists, scenarios, array-backed data quality)
equal what one record per node and one simulate per scenario give (``report_reference``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainmap
from chainmap.analysis import Scenario
from chainmap.analysis.concentration import country_shares
from chainmap.graph import SupplyGraph
from chainmap.model.quality import quality_report
from chainmap.render.facts import node_facts
from chainmap.render.html import country_colors
from chainmap.render.report import ShareTable, _colors, report_data

from .report_reference import report_data_reference
from .strategies import specs

DATA = Path(__file__).parent / "data"


def _plain(data: dict) -> dict:
    return {**data, "scenarios": [dataclasses.astuple(s) for s in data["scenarios"]]}


def _check(graph: SupplyGraph, scenario: Scenario | None = None, deny: tuple[str, ...] = ()) -> None:
    assert _plain(report_data(graph, scenario, deny)) == _plain(report_data_reference(graph, scenario, deny))
    table = ShareTable(graph)
    for c, cid in enumerate(graph.component_ids):
        lo, hi = int(table.ptr[c]), int(table.ptr[c + 1])
        got = {graph.country_ids[k]: v for k, v in zip(table.country[lo:hi].tolist(), table.share[lo:hi].tolist(),
                                                        strict=True)}
        want = country_shares(graph, cid)
        assert list(got.items()) == list(want.items()), cid
    assert _colors(graph, table) == country_colors(graph, node_facts(graph))


def _arrays(graph: SupplyGraph) -> SupplyGraph:
    """The same graph array-backed (records built on access, as from columnar files)."""
    return SupplyGraph.from_arrays(graph.arrays, graph.files)


@st.composite
def sectored_specs(draw):
    """:func:`specs` with components spread over two divisions (or none), products in one."""
    spec = draw(specs())
    comps = [c.model_copy(update={"sector": draw(st.sampled_from([None, "39", "40"]))}) for c in spec.components]
    sectors = [*spec.sectors, spec.sectors[0].model_copy(update={"code": "40", "name": "Other", "products": []})]
    return spec.model_copy(update={"components": comps, "sectors": sectors})


@settings(max_examples=150, deadline=None)
@given(sectored_specs(), st.sampled_from(["90d", "1y", "long"]))
def test_report_data_matches_reference(spec, horizon):
    graph = SupplyGraph.from_spec(spec)
    _check(graph, Scenario(horizon=horizon))
    _check(_arrays(graph), Scenario(horizon=horizon))


@pytest.mark.parametrize("path", [DATA / "mini", DATA / "hostile", Path(__file__).parent.parent / "graphs"])
def test_report_data_matches_reference_on_bundled_graphs(path):
    graph = chainmap.load(path)
    _check(graph, deny=("forum.example", "sinodefenceforum.com", "reuters.com"))
    _check(_arrays(graph), Scenario(horizon="long"), deny=("forum.example", "reuters.com", "usgs.gov"))


def test_report_data_matches_reference_on_generated_graph(tmp_path):
    from chainmap.io.generate import write_generated

    write_generated(tmp_path / "net", 3000, seed=3)
    graph = chainmap.load(tmp_path / "net")
    _check(graph)
    _check(graph, Scenario(horizon="long", reach="owner"))


@settings(max_examples=150, deadline=None)
@given(sectored_specs())
def test_array_quality_matches_records(spec):
    """The columnar quality counts equal those of the records an array-backed graph builds."""
    graph = _arrays(SupplyGraph.from_spec(spec))
    for deny in ((), ("example.com",)):
        assert quality_report(graph, deny_hosts=deny) == quality_report(graph.spec, deny_hosts=deny)
