"""Columnar CSV/JSON writers (issue 15) print exactly what the row-by-row output layer prints."""

from __future__ import annotations

import json

import pytest

import chainmap
from chainmap.analysis.lazyrows import LazyRows
from chainmap.cli.output import to_csv, to_json


@pytest.fixture(scope="module")
def graphs(tmp_path_factory):
    from chainmap.io.generate import write_generated

    folder = tmp_path_factory.mktemp("gen") / "net"
    write_generated(str(folder), 400, 3)
    return [chainmap.load("tests/data/mini"), chainmap.load(str(folder))]


def tables(graph):
    yield chainmap.priorities(graph)
    yield chainmap.priorities(graph, top=3)[1:]
    yield chainmap.bottlenecks(graph)
    yield chainmap.bottlenecks(graph, threshold=0.2, hhi_threshold=0.9)
    yield chainmap.simulate(graph, chainmap.Scenario(remove=("NL" if "NL" in graph.country_of else "US",))).components
    yield chainmap.simulate(graph, chainmap.Scenario(remove=(graph.country_ids[0],))).components.hits()


@pytest.mark.parametrize("escape", [True, False])
def test_streamed_csv_and_json_equal_the_row_output(graphs, escape, monkeypatch):
    from chainmap.cli import output

    monkeypatch.setitem(output.CSV_ESCAPE, "on", escape)
    for graph in graphs:
        for table in tables(graph):
            assert isinstance(table, LazyRows)
            rows = list(table)
            for chunk in (3, 8192):
                assert "".join(table.iter_csv(escape, chunk=chunk)) == (to_csv(rows) if rows else to_csv(rows, table.fields))
                assert "".join(table.iter_json(chunk=chunk)) == to_json(rows)


def test_simulation_json_streams_to_dict(graphs):
    for graph in graphs:
        result = chainmap.simulate(graph, chainmap.Scenario(remove=(graph.country_ids[-1],), horizon="long"))
        text = "".join(result.iter_json())
        assert text == to_json(result.to_dict())
        assert json.loads(text)["components"][0]["id"] == graph.component_ids[0]
        hits = result.hit_components()
        assert list(hits) == sorted([c for c in result.components if c.impact > 0], key=lambda c: (-c.impact, c.id))


def test_stream_csv_quotes_like_csv_line():
    from chainmap.analysis.lazyrows import csv_cells, stream_csv
    from chainmap.io.csvcell import csv_line

    texts = ["plain", "a,b", 'say "hi"', "x\ny", "x\ry", "", "=1+1", "-", "tab\tin"]
    columns = {"a": texts, "b": [1.5, None, float("nan"), 2, True, -0.25, 1e-9, 3.0, 0.0], "c": [[t, "z"] for t in texts]}
    expected = csv_line(["a", "b", "c"]) + "".join(
        csv_line([csv_cells([columns[k][i]])[0] for k in "abc"]) for i in range(len(texts)))
    assert "".join(stream_csv(["a", "b", "c"], [columns])) == expected
    assert "".join(stream_csv(["a"], [{"a": texts}])) == csv_line(["a"]) + "".join(csv_line([c]) for c in csv_cells(texts))
