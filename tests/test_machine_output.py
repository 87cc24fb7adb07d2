"""Machine-readable output (issue 12): every JSON output against its shipped schema, every CSV output read by
pandas with the right dtypes, one table per CSV, and the API around results (ids, to_dataframe, to_networkx)."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import math
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import chainmap
from chainmap.cli.app import app
from chainmap.schemas import columns, csv_tables, load_schema, names, table_of_header

pd = pytest.importorskip("pandas")
jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent
MINI = "tests/data/mini"
BUNDLED = "graphs"
runner = CliRunner()

# Per graph: a target, a removal and a --qualify edit that exist in it (bundled: cheap cut sets, --max-order 1).
CASES = {
    MINI: {"target": "office-pc", "remove": "NL", "qualify": "smee:scanner=1", "cuts": ["-t", "office-pc"]},
    BUNDLED: {"target": "dram", "remove": "US", "qualify": "smee:duv-immersion-scanner=0.5",
              "cuts": ["-t", "euv-scanner", "--max-order", "1"]},
}
ID_COLUMNS = {"id", "node", "code", "sector", "country", "leader", "target", "source", "component", "via",
              "best_alternative", "host", "owner"}
"""Columns holding ids or codes: strings whatever they look like (``06``, ``NA``)."""


def invoke(*args: str, code: int = 0):
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, (args, result.output, result.stderr if result.stderr_bytes else "")
    return result


def json_commands(graph: str) -> dict[str, list[str]]:
    """Every command that prints a result, by schema name, as ``--format json`` argv."""
    c = CASES[graph]
    return {
        "validate": ["validate", graph],
        "quality": ["validate", graph, "--quality"],
        "spof": ["spof", graph],
        "cuts": ["cuts", graph, *c["cuts"]],
        "bottlenecks": ["bottlenecks", graph],
        "priorities": ["priorities", graph],
        "simulate": ["simulate", graph, "--remove", c["remove"]],
        "selfsufficiency": ["selfsufficiency", graph],
        "diff": ["diff", graph, "--qualify", c["qualify"]],
        "explain": ["explain", graph, c["target"], "--remove", c["remove"]],
        "export": ["export", graph, "-o", "-"],
    }


def test_schemas_are_up_to_date_and_valid():
    spec = importlib.util.spec_from_file_location("make_schemas", ROOT / "tools" / "make_schemas.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0
    for name in names():
        jsonschema.Draft202012Validator.check_schema(load_schema(name))
    assert set(names()) == set(json_commands(MINI))  # a schema for every command that prints a result


@pytest.mark.parametrize("graph", [MINI, pytest.param(BUNDLED, marks=pytest.mark.slow)])
def test_every_json_output_matches_its_schema(graph):
    for name, argv in json_commands(graph).items():
        data = json.loads(invoke(*argv, "--format", "json").stdout)
        jsonschema.Draft202012Validator(load_schema(name)).validate(data)
        assert data, name  # not vacuous: each command printed something on these graphs


def test_schema_rejects_a_changed_shape():
    data = json.loads(invoke("simulate", MINI, "--remove", "NL", "-f", "json").stdout)
    validator = jsonschema.Draft202012Validator(load_schema("simulate"))
    validator.validate(data)
    data["sectors"][0]["code"] = 35  # a code must stay a string
    assert not validator.is_valid(data)
    data["sectors"][0]["code"] = "35"
    data["components"][0]["extra"] = 1  # an undocumented field
    assert not validator.is_valid(data)


def check_csv(text: str, where: str) -> pd.DataFrame:
    """Read one CSV table as chainmap.read_csv does and check every column's dtype against the raw cells."""
    raw = list(csv.reader(io.StringIO(text)))
    header, cells = raw[0], raw[1:]
    assert table_of_header(header) is not None, f"{where}: header is no shipped table's: {header}"
    df = pd.read_csv(io.StringIO(text), **_read_options(header))
    assert list(df.columns) == header and len(df) == len(cells), where
    for j, name in enumerate(header):
        col = df[name]
        values = [row[j] for row in cells]
        dtype = table_of_header(header)[name]
        if name in ID_COLUMNS:
            assert dtype == "str", f"{where}: id column {name} is {dtype}"
        if dtype == "str":
            assert pd.api.types.is_string_dtype(col) or pd.api.types.is_object_dtype(col), (where, name, col.dtype)
            assert [None if pd.isna(v) else v for v in col] == [v or None for v in values], (where, name)
        elif dtype == "boolean":
            assert pd.api.types.is_bool_dtype(col), (where, name, col.dtype)
            assert [bool(v) for v in col] == [v.lower() == "true" for v in values], (where, name)
        else:
            assert pd.api.types.is_numeric_dtype(col), (where, name, col.dtype)
            for got, cell in zip(col, values, strict=True):
                assert (pd.isna(got) and cell == "") or math.isclose(float(got), float(cell)), (where, name, cell)
    return df


def _read_options(header: list[str]) -> dict[str, object]:
    from chainmap.schemas import csv_dtypes

    return {"dtype": csv_dtypes(header), "keep_default_na": False, "na_values": [""]}


def csv_outputs(graph: str, tmp: Path) -> dict[str, str]:
    """Every CSV table of every command: ``{where: text}`` (multi-table commands through -o FOLDER)."""
    c = CASES[graph]
    out: dict[str, str] = {}
    single = {"spof": ["spof", graph], "cuts": ["cuts", graph, *c["cuts"]],
              "bottlenecks": ["bottlenecks", graph], "priorities": ["priorities", graph],
              "explain": ["explain", graph, c["target"], "--remove", c["remove"]]}
    for name, argv in single.items():
        out[name] = invoke(*argv, "-f", "csv").stdout
    several = {"validate": ["validate", graph], "quality": ["validate", graph, "--quality"],
               "simulate": ["simulate", graph, "--remove", c["remove"]], "selfsufficiency": ["selfsufficiency", graph],
               "diff": ["diff", graph, "--qualify", c["qualify"]]}
    for name, argv in several.items():
        folder = tmp / name
        printed = invoke(*argv, "-f", "csv", "-o", str(folder)).stdout
        assert printed.splitlines() == [f"wrote {folder / t}.csv" for t in csv_tables(name)]
        for table in csv_tables(name):
            out[f"{name} {table}"] = (folder / f"{table}.csv").read_text(encoding="utf-8")
    invoke("export", graph, "-f", "csv", "-o", str(tmp / "export.csv"))
    for table in ("nodes", "edges"):
        out[f"export {table}"] = (tmp / f"export.{table}.csv").read_text(encoding="utf-8")
    return out


@pytest.mark.parametrize("graph", [MINI, pytest.param(BUNDLED, marks=pytest.mark.slow)])
def test_every_csv_output_reads_with_the_right_dtypes(graph, tmp_path):
    outputs = csv_outputs(graph, tmp_path)
    frames = {where: check_csv(text, where) for where, text in outputs.items()}
    empty = {where for where, f in frames.items() if not len(f)}  # tables these graphs leave empty
    assert empty <= {"quality denied_hosts", "diff spof", "diff bottlenecks", "validate warnings"}, empty
    if graph == BUNDLED:  # sector codes with a leading zero stay strings
        assert "06" in set(frames["validate coverage"]["code"])
        assert "06" in set(frames["export nodes"]["sector"])
        assert "06" in set(frames["simulate sectors"]["code"])


def test_read_csv_keeps_codes_and_namibia(tmp_path):
    path = tmp_path / "sectors.csv"
    path.write_text("code,name,domestic_share,autarky\n06,Coal,,0.5\nNA,x,0.25,1\n", encoding="utf-8")
    df = chainmap.read_csv(path)
    assert df["code"].tolist() == ["06", "NA"]
    assert pd.isna(df["domestic_share"][0]) and df["autarky"].tolist() == [0.5, 1.0]
    plain = pd.read_csv(path)  # why the dtypes are shipped: pandas alone makes 06 a number and NA missing
    assert plain["code"].isna().any() or plain["code"].dtype != object


def test_one_table_per_csv_and_table_errors(tmp_path):
    sectors = invoke("simulate", MINI, "--remove", "NL", "-f", "csv", "--table", "sectors").stdout
    assert sectors.splitlines()[0] == ",".join(columns("simulate", "sectors"))
    default = invoke("selfsufficiency", MINI, "-f", "csv").stdout
    assert default.splitlines()[0] == ",".join(columns("selfsufficiency", "sectors"))
    comps = invoke("selfsufficiency", MINI, "-f", "csv", "--table", "components").stdout
    assert len(comps.splitlines()) == 1 + len(chainmap.load(MINI).component_ids)
    diff = invoke("diff", MINI, "--qualify", "smee:scanner=1", "-f", "csv").stdout
    assert "\n\n" not in diff and diff.splitlines()[0] == ",".join(columns("diff", "priorities"))
    bad = invoke("diff", MINI, "-f", "csv", "--table", "nope", code=2)
    assert bad.stderr.strip() == "error: --table 'nope': diff has the tables priorities, spof, bottlenecks, sectors"
    assert invoke("simulate", MINI, "--table", "sectors", code=2).stderr.startswith("error: --table is for --format csv")
    quality = invoke("validate", MINI, "--quality", "-f", "csv", "--table", "coverage", code=2)
    assert "validate --quality has the tables divisions, metrics, denied_hosts" in quality.stderr
    edges = invoke("export", MINI, "-f", "csv", "-o", "-", "--table", "edges").stdout
    assert edges.splitlines()[0] == ",".join(columns("export", "edges"))


def test_csv_folder_is_a_checked_output(tmp_path):
    folder = tmp_path / "out"
    invoke("selfsufficiency", MINI, "-f", "csv", "-o", str(folder))
    invoke("selfsufficiency", MINI, "-f", "csv", "-o", str(folder))  # its own output: replaced
    assert sorted(p.name for p in folder.iterdir()) == ["components.csv", "sectors.csv"]
    (folder / "sectors.csv").write_text("someone's notes\n")
    refused = invoke("selfsufficiency", MINI, "-f", "csv", "-o", str(folder), code=2)
    assert "refusing to overwrite" in refused.stderr and len(refused.stderr.splitlines()) == 1
    assert (folder / "sectors.csv").read_text() == "someone's notes\n"
    invoke("selfsufficiency", MINI, "-f", "csv", "-o", str(folder), "--force")
    assert (folder / "sectors.csv").read_text().startswith("code,")
    invoke("simulate", MINI, "-f", "csv", "-o", str(tmp_path / "sim"), "--table", "sectors")
    assert [p.name for p in (tmp_path / "sim").iterdir()] == ["sectors.csv"]
    assert invoke("simulate", MINI, "-o", str(tmp_path / "x"), code=2).stderr.startswith("error: --output is for")


def test_csv_numbers_at_full_precision():
    rows = list(csv.DictReader(io.StringIO(invoke("simulate", MINI, "--remove", "NL", "-f", "csv").stdout)))
    data = json.loads(invoke("simulate", MINI, "--remove", "NL", "-f", "json").stdout)
    by_id = {c["id"]: c for c in data["components"]}
    for row in rows:
        assert float(row["availability"]) == by_id[row["id"]]["availability"]  # as JSON has it, not 6 digits


# -- API ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mini():
    return chainmap.load(MINI)


def test_a_string_is_one_id_everywhere(mini):
    from chainmap.analysis.explain import explain_many
    from chainmap.analysis.spof import spof_sets
    from chainmap.model.quality import denied_host, quality_report

    assert chainmap.Scenario(remove="NL").remove == ("NL",)
    assert chainmap.Scenario.parse(remove="NL", limit="JP=0.5") == chainmap.Scenario.parse(["NL"], ["JP=0.5"])
    assert chainmap.single_points_of_failure(mini, targets="office-pc", kinds="country") == \
        chainmap.single_points_of_failure(mini, targets=["office-pc"], kinds=["country"])
    assert spof_sets(mini, "office-pc", "country") == spof_sets(mini, ["office-pc"], ["country"])
    assert chainmap.cut_sets(mini, "office-pc", kinds="country") == chainmap.cut_sets(mini, "office-pc",
                                                                                     kinds=["country"])
    assert list(explain_many(mini, "office-pc")) == ["office-pc"]
    assert mini.nodes("country") == mini.country_ids
    assert quality_report(mini, deny_hosts="forum.example") == quality_report(mini, deny_hosts=["forum.example"])
    assert denied_host("see forum.example/x", "forum.example") == "forum.example"
    with pytest.raises(TypeError, match="sequence of ids, got int"):
        chainmap.single_points_of_failure(mini, targets=3)  # type: ignore[arg-type]


def test_bottlenecks_candidates_string_is_one_id(mini):
    assert chainmap.bottlenecks(mini, candidates="NL") == chainmap.bottlenecks(mini, candidates=["NL"])


def results(g):
    s = chainmap.Scenario(remove="NL")
    return {
        ("spof", "spof"): chainmap.single_points_of_failure(g),
        ("cuts", "cuts"): chainmap.cut_sets(g, "office-pc"),
        ("bottlenecks", "bottlenecks"): chainmap.bottlenecks(g),
        ("priorities", "priorities"): chainmap.priorities(g),
        ("explain", "steps"): chainmap.explain(g, "office-pc", s),
        **{("simulate", t): chainmap.simulate(g, s) for t in ("components", "sectors")},
        **{("selfsufficiency", t): chainmap.self_sufficiency(g) for t in ("sectors", "components")},
        **{("diff", t): chainmap.diff(g, g) for t in ("priorities", "spof", "bottlenecks", "sectors")},
    }


def test_result_classes_are_exported(mini):
    for (command, _table), result in results(mini).items():
        kind = type(result)
        assert getattr(chainmap, kind.__name__) is kind, (command, kind)
        assert kind.__name__ in chainmap.__all__


def test_to_dataframe_on_every_result(mini):
    for (command, table), result in results(mini).items():
        several = len(csv_tables(command)) > 1
        df = result.to_dataframe(table) if several else result.to_dataframe()
        assert list(df.columns) == columns(command, table), (command, table)  # the CSV's columns
        rows = getattr(result, table) if several else (result.steps if command == "explain" else result)
        assert len(df) == len(rows), (command, table)
        assert chainmap.to_dataframe(result, table if several else None).equals(df)
    empty = chainmap.cut_sets(mini, "salmon", kinds="supplier")
    assert list(empty.to_dataframe().columns) == columns("cuts", "cuts")
    sim = chainmap.simulate(mini)
    with pytest.raises(ValueError, match="has the tables components, sectors"):
        sim.to_dataframe("spof")
    assert chainmap.to_dataframe(list(chainmap.priorities(mini)))["id"].tolist()[:1] == ["scanner"]


def test_to_dataframe_without_pandas_names_the_extra(mini, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'chainmap\[dataframe\]'"):
        chainmap.priorities(mini).to_dataframe()


def test_to_networkx_carries_analysis_attributes(mini):
    s = chainmap.Scenario(remove="NL", horizon="long")
    sim = chainmap.simulate(mini, s)
    spof = chainmap.single_points_of_failure(mini)
    bott = chainmap.bottlenecks(mini)
    prio = chainmap.priorities(mini)
    suff = chainmap.self_sufficiency(mini)
    h = mini.to_networkx(results=[sim, spof, bott, prio, suff])
    for c in sim.components:
        assert h.nodes[c.id]["availability"] == c.availability and h.nodes[c.id]["impact"] == c.impact
    spof_nodes = {r.node for r in spof}
    assert {n for n, d in h.nodes(data=True) if d["spof"]} == spof_nodes
    assert {n for n, d in h.nodes(data=True) if d["bottleneck"]} == {b.node for b in bott}
    assert {n: d["priority_score"] for n, d in h.nodes(data=True) if "priority_rank" in d} == \
        {p.id: p.score for p in prio}
    assert h.nodes["wafer"]["autarky"] == next(c.autarky for c in suff.components if c.id == "wafer")
    assert h.graph["scenario"] == "remove NL"
    assert "availability" not in mini.to_networkx().nodes["wafer"]  # only when asked
    back = chainmap.SupplyGraph.from_networkx(h)  # the analysis attributes do not leak into the graph
    assert back.component_ids == mini.component_ids
    with pytest.raises(TypeError, match="has no node attributes"):
        mini.to_networkx(results=[chainmap.explain(mini, "office-pc")])


def test_docs_list_every_schema_and_table():
    text = (ROOT / "docs" / "machine-output.md").read_text(encoding="utf-8")
    for name in names():
        line = next((ln for ln in text.splitlines() if f"`{name}.schema.json`" in ln), None)
        assert line is not None, name
        assert line.split("|")[3].strip() == ", ".join(f"`{t}`" for t in csv_tables(name)), name


def test_schema_command_prints_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(json.loads(invoke("schema").stdout))
