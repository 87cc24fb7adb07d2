"""Exports read back with networkx (and igraph for GraphML): same nodes, edges and attributes."""

from __future__ import annotations

import csv
import json
import math
import shutil
from collections import Counter

import igraph as ig
import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import chainmap
from chainmap.cli.app import app
from chainmap.errors import OutputError
from chainmap.io.exporters import EDGE_FIELDS, NODE_FIELDS, export, export_graph

from .strategies import specs

MINI = "tests/data/mini"
runner = CliRunner()


@pytest.fixture(scope="module")
def graph():
    return chainmap.load(MINI)


@pytest.fixture(scope="module")
def expected(graph):
    return export_graph(graph)


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        a = float("nan") if a is None or a == "" else float(a)
        b = float("nan") if b is None or b == "" else float(b)
        return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b)
    return a == b


def edge_multiset(g, type_key="type") -> Counter:
    return Counter((str(a), str(b), d[type_key]) for a, b, d in g.edges(data=True))


def check_nodes(expected, got, fields=NODE_FIELDS, convert=None):
    assert set(got.nodes) == set(expected.nodes)
    for node, attrs in expected.nodes(data=True):
        have = got.nodes[node]
        for key in fields:
            value = have.get(key)
            if convert:
                value = convert(key, value)
            assert same(attrs[key], value), (node, key, attrs[key], value)


def test_export_graph_attributes(expected):
    nl = expected.nodes["NL"]
    assert nl["spof"] is True and nl["bottleneck"] is True and nl["origin"] == "foreign"
    assert nl["spof_targets"] == "logic-chip;office-pc;scanner" and math.isnan(nl["score"])
    scanner = expected.nodes["scanner"]
    assert scanner["rank"] == 1 and scanner["gap"] == pytest.approx(0.8) and scanner["leader"] == "NL"
    assert all(v is not None for _, d in expected.nodes(data=True) for v in d.values())
    assert expected.number_of_nodes() == 18 and expected.number_of_edges() == 17
    assert sum(d["any_of"] for _, _, d in expected.edges(data=True)) == 2
    assert expected.nodes["asml"]["owner"] == "NL" and expected.nodes["NL"]["owner"] == ""


V2 = """\
countries: [{id: CN, name: China}, {id: US, name: United States}, {id: DE, name: Germany}]
suppliers:
  - {id: us-plant, name: US plant in China, country: CN, owner: US}
  - {id: de-works, name: German works, country: DE}
components:
  - id: beer
    name: Beer
    requires:
      - malt
      - {component: line, role: equipment, lifetime_years: 15}
      - {any_of: [can, bottle], share: 0.6}
    suppliers: [{country: CN, share: 0.9}]
  - {id: malt, name: Malt, suppliers: [{supplier: us-plant, share: 1}]}
  - {id: line, name: Bottling line, requires: [{component: can, role: equipment}], suppliers: [{supplier: de-works, share: 1}]}
  - {id: can, name: Can, suppliers: [{supplier: us-plant, share: 1}]}
  - {id: bottle, name: Bottle}
"""


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "cytoscape", "csv"])
def test_v2_requirement_and_owner_attributes(tmp_path, fmt):
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "graph.yaml").write_text(V2)
    graph = chainmap.load(tmp_path / "g")
    paths = export(graph, tmp_path / f"out.{fmt}", fmt)
    if fmt == "graphml":
        got = nx.read_graphml(paths[0], force_multigraph=True)
    elif fmt == "gexf":
        got = nx.read_gexf(paths[0])
    elif fmt == "json":
        got = nx.node_link_graph(json.loads(paths[0].read_text()), edges="edges")
    elif fmt == "cytoscape":
        got = nx.cytoscape_graph(json.loads(paths[0].read_text()))
    else:
        got = nx.MultiDiGraph()
        for row in csv.DictReader(paths[0].open()):
            got.add_node(row.pop("id"), **row)
        for row in csv.DictReader(paths[1].open()):
            got.add_edge(row.pop("source"), row.pop("target"), **row)
    assert got.nodes["us-plant"]["owner"] == "US" and got.nodes["de-works"]["owner"] == "DE"
    requires = {(str(a), str(b)): d for a, b, d in got.edges(data=True)
                if d.get("type", d.get("relation")) == "requires"}

    def num(value):
        return float("nan") if value is None or value == "" else float(value)

    line = requires[("line", "beer")]
    assert line["role"] == "equipment" and num(line["lifetime_years"]) == 15 and num(line["share"]) == 1
    assert num(requires[("can", "line")]["lifetime_years"]) == 10  # the default service life
    for member in ("can", "bottle"):
        edge = requires[(member, "beer")]
        assert edge["role"] == "input" and num(edge["share"]) == 0.6 and math.isnan(num(edge["lifetime_years"]))


def test_graphml_networkx_and_igraph(graph, expected, tmp_path):
    [path] = export(graph, tmp_path / "g.graphml", "graphml")
    got = nx.read_graphml(path, force_multigraph=True)
    check_nodes(expected, got)
    assert edge_multiset(got) == edge_multiset(expected)
    assert got.graph["home"] == "CN"
    ig_graph = ig.Graph.Read_GraphML(str(path))
    assert sorted(ig_graph.vs["id"]) == sorted(expected.nodes)
    assert ig_graph.ecount() == expected.number_of_edges()
    v = ig_graph.vs.find(id="scanner")
    # v2 at the default horizon 1y: the scanner's 90 days of stock lower the impact to 1 - 90/365
    assert v["kind"] == "component" and v["spof"] is True and v["score"] == pytest.approx(0.7 * (1 - 90 / 365))
    types = Counter((ig_graph.vs[e.source]["id"], ig_graph.vs[e.target]["id"], e["type"]) for e in ig_graph.es)
    assert types == edge_multiset(expected)


def test_gexf(graph, expected, tmp_path):
    [path] = export(graph, tmp_path / "g.gexf", "gexf")
    got = nx.read_gexf(path)
    check_nodes(expected, got)
    assert edge_multiset(got, "relation") == edge_multiset(expected)
    assert "lastmodifieddate" not in path.read_text()


def test_cytoscape(graph, expected, tmp_path):
    [path] = export(graph, tmp_path / "g.cyjs", "cytoscape")
    data = json.loads(path.read_text())
    assert "NaN" not in path.read_text()
    got = nx.cytoscape_graph(data)
    check_nodes(expected, got)
    assert edge_multiset(got) == edge_multiset(expected)
    assert {e["data"]["source"] for e in data["elements"]["edges"]} <= set(expected.nodes)


def test_node_link_json(graph, expected, tmp_path):
    [path] = export(graph, tmp_path / "g.json", "json")
    got = nx.node_link_graph(json.loads(path.read_text()), edges="edges")
    check_nodes(expected, got)
    assert edge_multiset(got) == edge_multiset(expected)
    assert all(d["share"] is None for _, _, d in got.edges(data=True) if d["type"] == "located_in")
    assert all(d["share"] == 1 and d["role"] == "input" and d["lifetime_years"] is None
               for _, _, d in got.edges(data=True) if d["type"] == "requires")


def test_csv_pair(graph, expected, tmp_path):
    paths = export(graph, tmp_path / "g.csv", "csv")
    assert [p.name for p in paths] == ["g.nodes.csv", "g.edges.csv"]
    nodes = list(csv.DictReader(paths[0].open()))
    edges = list(csv.DictReader(paths[1].open()))
    assert list(nodes[0]) == ["id", *NODE_FIELDS] and list(edges[0]) == ["source", "target", *EDGE_FIELDS]
    got = nx.MultiDiGraph()
    for row in nodes:
        got.add_node(row.pop("id"), **row)
    for row in edges:
        got.add_edge(row.pop("source"), row.pop("target"), **row)

    def convert(key, value):
        if key in ("spof", "bottleneck"):
            return value == "true"
        if key == "rank":
            return int(value)
        return value

    check_nodes(expected, got, convert=convert)
    assert edge_multiset(got) == edge_multiset(expected)
    # a folder gets nodes.csv and edges.csv
    (tmp_path / "dir").mkdir()
    assert [p.name for p in export(graph, tmp_path / "dir", "csv")] == ["nodes.csv", "edges.csv"]


def test_exports_are_deterministic(graph, tmp_path):
    for fmt in ("graphml", "gexf", "cytoscape", "json"):
        a = export(graph, tmp_path / f"a.{fmt}", fmt)[0].read_bytes()
        b = export(chainmap.load(MINI), tmp_path / f"b.{fmt}", fmt)[0].read_bytes()
        assert a == b, fmt


def test_hostile_names_survive_round_trip(tmp_path):
    graph = chainmap.load("tests/data/hostile")
    got = nx.read_graphml(export(graph, tmp_path / "h.graphml", "graphml")[0])
    assert got.nodes["evil-supplier"]["name"] == "<script>alert(1)</script>"


def test_refuses_input_files_and_unknown_format(tmp_path, graph):
    shutil.copytree(MINI, tmp_path / "g")
    loaded = chainmap.load(tmp_path / "g")
    with pytest.raises(OutputError):
        export(loaded, tmp_path / "g" / "graph.yaml", "json")
    with pytest.raises(OutputError):
        export(graph, tmp_path / "x.dot", "dot")


def test_cli_export(tmp_path):
    out = tmp_path / "m.graphml"
    result = runner.invoke(app, ["export", MINI, "--format", "graphml", "-o", str(out)])
    assert result.exit_code == 0 and out.exists()
    result = runner.invoke(app, ["export", MINI, "--format", "csv", "-o", str(tmp_path / "m.csv"), "--home", "JP"])
    assert result.exit_code == 0 and "m.nodes.csv" in result.output
    rows = {r["id"]: r for r in csv.DictReader((tmp_path / "m.nodes.csv").open())}
    assert rows["JP"]["origin"] == "home"
    result = runner.invoke(app, ["export", MINI, "--format", "dot", "-o", str(out)])
    assert result.exit_code == 2
    shutil.copytree(MINI, tmp_path / "g")
    result = runner.invoke(app, ["export", str(tmp_path / "g"), "-f", "json", "-o", str(tmp_path / "g" / "graph.yaml")])
    assert result.exit_code == 2 and "refusing to overwrite" in result.output and "Traceback" not in result.output


def test_cli_report(tmp_path):
    result = runner.invoke(app, ["report", MINI, "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="graph.html"' in index and (tmp_path / "out" / "graph.html").exists()
    assert "Lithography scanner" in index and "Chip export controls" in index
    (tmp_path / "file").write_text("x")
    result = runner.invoke(app, ["report", MINI, "-o", str(tmp_path / "file")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def _same_records(a, b) -> bool:
    """Edge records equal, NaN equal to NaN."""
    def norm(rec):
        s, t, k, attrs = rec
        return s, t, k, {x: ("nan" if isinstance(v, float) and math.isnan(v) else v) for x, v in attrs.items()}
    return [norm(r) for r in a] == [norm(r) for r in b]


@settings(max_examples=150, deadline=None)
@given(specs())
def test_array_edge_records_equal_record_path(spec):
    """The columnar fast path yields the record path's edges, in the same order, on random graphs."""
    from chainmap.graph import SupplyGraph, _arrays_from_spec
    from chainmap.io.exporters import _array_edge_records, _record_edge_records

    g = SupplyGraph.from_arrays(_arrays_from_spec(spec))
    assert _same_records(list(_array_edge_records(g)), list(_record_edge_records(g)))


def test_array_edge_records_on_a_generated_network(tmp_path):
    from chainmap.io.exporters import _array_edge_records, _record_edge_records
    from chainmap.io.generate import write_generated

    write_generated(tmp_path / "net", 3000, seed=3)
    g = chainmap.load(tmp_path / "net")
    fast = list(_array_edge_records(g))
    assert len(fast) > 10000 and _same_records(fast, list(_record_edge_records(g)))


def _facts_columns(graph):
    """The node attributes from node_facts, one node at a time (what the exporters wrote before columns)."""
    from chainmap.io.exporters import NODE_FIELDS
    from chainmap.render.facts import node_facts

    facts = node_facts(graph)
    owners = {sid: graph.country_ids[int(graph.supplier_owner[i])] for i, sid in enumerate(graph.supplier_ids)}
    out = {}
    for node in graph.ids:
        f = facts[node]
        out[node] = dict(zip(NODE_FIELDS, (
            f.kind, f.name, f.country, owners.get(node, ""), f.origin, f.sector, f.leader, f.spof,
            ";".join(f.spof_targets), f.bottleneck, ";".join(f.bottleneck_reasons), ";".join(f.bottleneck_hits),
            int(f.rank), float(f.score), float(f.impact), float(f.exposure), float(f.gap), float(f.urgency),
            ";".join(f.sources), ";".join(f.notes)), strict=True))
    return out


def _same_nodes(graph) -> bool:
    from chainmap.io.exporters import node_records

    def norm(attrs):
        return {k: ("nan" if isinstance(v, float) and math.isnan(v) else (type(v).__name__, v))
                for k, v in attrs.items()}
    fast = {node: norm(attrs) for node, attrs in node_records(graph)}
    slow = {node: norm(attrs) for node, attrs in _facts_columns(graph).items()}
    return list(fast) == list(graph.ids) and fast == slow


@settings(max_examples=60, deadline=None)
@given(specs())
def test_node_columns_equal_node_facts(spec):
    """The columnar node facts (render/factcolumns.py) are node_facts' values, with their types, on random
    array-backed graphs."""
    from chainmap.graph import SupplyGraph, _arrays_from_spec

    assert _same_nodes(SupplyGraph.from_arrays(_arrays_from_spec(spec)))


def test_node_columns_on_a_generated_network(tmp_path):
    from chainmap.io.generate import write_generated
    from chainmap.render.factcolumns import fact_chunks
    from chainmap.render.facts import analysis_results

    write_generated(tmp_path / "net", 3000, seed=3)
    g = chainmap.load(tmp_path / "net")
    assert fact_chunks(g, analysis_results(g)) is not None  # the columnar path is the one compared
    assert _same_nodes(g)


@settings(max_examples=40, deadline=None)
@given(specs())
def test_graphml_of_array_graphs_reads_back_as_the_export_graph(spec):
    """The GraphML writer's columnar path (rendered columns, edges from _edge_table) writes what
    export_graph holds, attribute for attribute, parallel edges by key."""
    import io

    import networkx as nx

    from chainmap.graph import SupplyGraph, _arrays_from_spec
    from chainmap.io.exporters import export_graph, write_export

    g = SupplyGraph.from_arrays(_arrays_from_spec(spec))
    out = io.StringIO()
    write_export(g, "graphml", out)
    read = nx.read_graphml(io.BytesIO(out.getvalue().encode("utf-8")), force_multigraph=True)
    ref = export_graph(g)

    def norm(attrs):
        return {k: ("nan" if isinstance(v, float) and math.isnan(v) else v) for k, v in attrs.items()}
    assert list(read.nodes) == list(ref.nodes)
    assert all(norm(read.nodes[n]) == norm(ref.nodes[n]) for n in ref.nodes)
    got = sorted((a, b, int(k), sorted(norm(x).items())) for a, b, k, x in read.edges(keys=True, data=True))
    want = sorted((a, b, int(k), sorted(norm(x).items())) for a, b, k, x in ref.edges(keys=True, data=True))
    assert got == want


HOSTILE = ["=1+1", "+x", "-y", "@z", "a,b", 'say "hi"', "<tag>&amp;", "ünï ✓", "'quoted'", ";semi", "a;b"]
HOSTILE_SOURCES = [*HOSTILE, "x&y<z>", '"q"', "é, \u2028"]  # (the schema refuses control characters)


@settings(max_examples=40, deadline=None)
@given(specs(), st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=6),
       st.lists(st.sampled_from(HOSTILE_SOURCES), min_size=1, max_size=6))
def test_column_writers_equal_row_writers(spec, names, sources):
    """Every format's column-at-a-time writer (io/exportrows.py, GraphML in io/exporters.py) writes the bytes
    the row-at-a-time writers write, on random array-backed graphs with hostile names and sources."""
    import io
    from unittest import mock

    from chainmap.graph import SupplyGraph, _arrays_from_spec
    from chainmap.io import exportrows
    from chainmap.io.exporters import CSV_TABLES, write_csv_table, write_export

    data = spec.model_dump(exclude_none=True)
    for i, item in enumerate([*data["components"], *data["suppliers"]]):
        item["name"] = names[i % len(names)]
    for i, comp in enumerate(data["components"]):
        for k, entry in enumerate(comp["suppliers"]):
            if (i + k) % 2:
                entry["source"] = sources[(i + k) % len(sources)]
    g = SupplyGraph.from_arrays(_arrays_from_spec(type(spec).model_validate(data)))

    def written() -> dict[str, str]:
        out = {}
        for fmt in ("graphml", "gexf", "json", "cytoscape"):
            handle = io.StringIO()
            write_export(g, fmt, handle)
            out[fmt] = handle.getvalue()
        for table in CSV_TABLES:
            for escape in (True, False):
                handle = io.StringIO()
                write_csv_table(g, table, handle, escape)
                out[f"{table}-{escape}"] = handle.getvalue()
        return out

    columns = written()
    with mock.patch.object(exportrows, "array_backed_edges", lambda graph: False), \
            mock.patch("chainmap.io.exporters._graphml_edges", lambda graph, w: False):
        rows = written()
    assert columns == rows
