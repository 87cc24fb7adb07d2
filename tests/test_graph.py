"""The compiled graph: vertex order, typed edges, networkx round trip, JSON Schema."""

from __future__ import annotations

import json

import networkx as nx

import chainmap
from chainmap.graph import SupplyGraph
from chainmap.model.schema import GraphFile


def test_igraph_structure():
    g = chainmap.load("tests/data/mini")
    ig_graph = g.igraph
    assert ig_graph.vcount() == g.n_countries + g.n_suppliers + g.n_components
    types = sorted(set(ig_graph.es["type"]))
    assert types == ["located_in", "requires", "supplies"]
    edge = ig_graph.es.find(type="supplies", _source=g.index["asml"])
    assert ig_graph.vs[edge.target]["name"] == "scanner" and edge["share"] == 1.0


def test_networkx_round_trip_preserves_everything():
    g = chainmap.load("tests/data/mini")
    nxg = g.to_networkx()
    assert isinstance(nxg, nx.MultiDiGraph)
    assert set(nxg.nodes) == set(g.ids)
    back = SupplyGraph.from_networkx(nxg)
    assert back.ids == g.ids
    assert {c.id: c for c in back.spec.components} == {c.id: c for c in g.spec.components}
    assert back.spec.suppliers == sorted(g.spec.suppliers, key=lambda s: s.id) or \
        {s.id: s for s in back.spec.suppliers} == {s.id: s for s in g.spec.suppliers}
    assert back.blocs == g.blocs and back.sectors == g.sectors


def test_schema_export_validates_a_file():
    schema = GraphFile.model_json_schema()
    assert set(schema["properties"]) == {"chainmap", "countries", "blocs", "sectors", "components", "suppliers"}
    json.dumps(schema)


def test_home_changes_point_of_view():
    g = chainmap.load("tests/data/mini", home="NL")
    assert g.home == "NL" and not g.is_foreign("asml") and g.is_foreign("smee")
