"""Issue 16: the fuzz suite extended to outputs. Random graphs with hostile names and notes go through every
exporter; each output is parsed back by its consumer (json, csv module, networkx GraphML and GEXF readers)
and carries the same strings (escaped as docs/output-safety.md says)."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from pathlib import Path

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainmap.graph import SupplyGraph
from chainmap.io.csvcell import safe_cell
from chainmap.io.exporters import export, xml_text
from chainmap.model import GraphSpec
from tests.strategies import specs

# everything a name may hold (no control characters), weighted towards what breaks writers
_NAME_CHARS = st.one_of(
    st.sampled_from([*"=+-@'\"<>&;,:|!{}[]\\ ", "\ufffe", "\uffff", "\u00e9", "\u4e2d", "\U0001f600"]),
    st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")),
)
NAMES = st.text(_NAME_CHARS, min_size=1, max_size=12).map(str.strip).filter(bool)
NOTES = st.text(st.one_of(_NAME_CHARS, st.sampled_from(["\t", "\n", "\r"])), max_size=20)


@st.composite
def hostile_graphs(draw) -> SupplyGraph:
    spec = draw(specs(max_components=5, max_suppliers=3))
    data = spec.model_dump(exclude_none=True)
    for section in ("components", "suppliers"):
        for item in data[section]:
            item["name"] = draw(NAMES)
    for comp in data["components"]:
        comp["note"] = draw(NOTES)
    return SupplyGraph.from_spec(GraphSpec.model_validate(data))


def _names(graph: SupplyGraph) -> dict[str, str]:
    return {node: graph.name(node) for node in graph.ids}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_graphs())
def test_every_export_parses_back_with_the_same_strings(graph: SupplyGraph) -> None:
    names = _names(graph)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        node_link = json.loads(export(graph, out / "g.json", "json")[0].read_text(encoding="utf-8"))
        assert {n["id"]: n["name"] for n in node_link["nodes"]} == names
        cyto = json.loads(export(graph, out / "g.cyjs", "cytoscape")[0].read_text(encoding="utf-8"))
        assert {n["data"]["id"]: n["data"]["name"] for n in cyto["elements"]["nodes"]} == names
        h = nx.read_graphml(export(graph, out / "g.graphml", "graphml")[0])
        assert {n: h.nodes[n]["name"] for n in h.nodes} == {k: xml_text(v) for k, v in names.items()}
        assert h.number_of_edges() == len(node_link["edges"])
        gexf = nx.read_gexf(export(graph, out / "g.gexf", "gexf")[0])
        assert {n: gexf.nodes[n]["label"] for n in gexf.nodes} == {k: xml_text(v) for k, v in names.items()}
        assert gexf.number_of_edges() == len(node_link["edges"])
        notes = {n["id"]: n["notes"] for n in node_link["nodes"]}
        assert {n: h.nodes[n].get("notes", "") for n in h.nodes} == {k: xml_text(v) for k, v in notes.items()}
        nodes_csv, edges_csv = export(graph, out / "g.csv", "csv")
        rows = list(csv.DictReader(io.StringIO(nodes_csv.read_bytes().decode("utf-8"), newline="")))
        assert {r["id"]: r["name"] for r in rows} == {k: safe_cell(v) for k, v in names.items()}
        assert not any(re.match(r"[=+@\t\r]", v) or (v.startswith("-") and not _number(v))
                       for r in rows for v in r.values())
        edges = list(csv.DictReader(io.StringIO(edges_csv.read_bytes().decode("utf-8"), newline="")))
        assert len(edges) == len(node_link["edges"])


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
