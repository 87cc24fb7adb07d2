"""The CLI through typer's CliRunner: formats, exit codes, one-line errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from chainmap.cli.app import app, main

MINI = "tests/data/mini"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_validate_table_and_json():
    result = invoke("validate", MINI)
    assert result.exit_code == 0
    assert "Coverage by division" in result.output
    data = json.loads(invoke("validate", MINI, "--format", "json").output)
    assert data["components"] == 7 and data["countries"] == 5
    assert [row["code"] for row in data["coverage"]] == ["35", "39"]


def test_validate_bad_graph_exit_2_one_line_each(tmp_path):
    (tmp_path / "a.yaml").write_text("components:\n  - {id: a, name: A, requires: [ghost]}\n  - {id: b}\n")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    lines = [x for x in result.output.splitlines() if x]
    assert len(lines) == 1 and "a.yaml:3: components[1].name: Field required" in lines[0]
    assert "Traceback" not in result.output


def test_schema_prints_json_schema():
    schema = json.loads(invoke("schema").output)
    assert schema["title"] == "chainmap graph file"


def test_spof_json_shape():
    rows = json.loads(invoke("spof", MINI, "--format", "json").output)
    assert {"node", "kind", "targets"} <= set(rows[0])
    assert rows[0]["node"] == "NL" and rows[0]["targets"] == ["logic-chip", "office-pc", "scanner"]


def test_spof_fail_on_gate():
    assert invoke("spof", MINI, "--fail-on", "spof").exit_code == 1
    assert invoke("spof", MINI, "--target", "35", "--kind", "component", "--fail-on", "spof").exit_code == 0


def test_cuts_json_and_csv():
    rows = json.loads(invoke("cuts", MINI, "--target", "office-pc", "--format", "json").output)
    # v2: CN+JP is no cut any more: the wafer's unlisted 20% survives
    assert [r["nodes"] for r in rows] == [["NL"], ["CN", "US"]]
    table = list(csv.DictReader(io.StringIO(invoke("cuts", MINI, "-t", "office-pc", "-f", "csv").output)))
    assert table[1]["nodes"] == "CN;US"


def test_priorities_factors_and_weights():
    rows = json.loads(invoke("priorities", MINI, "--format", "json").output)
    assert {"impact", "exposure", "gap", "urgency", "score"} <= set(rows[0])
    weighted = json.loads(invoke("priorities", MINI, "-f", "json", "--weight", "gap=0").output)
    assert weighted[0]["score"] == pytest.approx(rows[0]["impact"] * rows[0]["exposure"] * rows[0]["urgency"])


def test_simulate_json_shape_and_bloc_removal():
    data = json.loads(invoke("simulate", MINI, "--remove", "chip-controls", "--format", "json").output)
    assert {c["id"]: c["availability"] for c in data["components"]}["wafer"] == pytest.approx(0.4)  # CN 0.2 + unlisted 0.2
    assert {s["code"] for s in data["sectors"]} == {"35", "39"}


def test_bottlenecks_fail_on():
    assert invoke("bottlenecks", MINI, "--fail-on", "bottleneck").exit_code == 1


def test_diff_qualify():
    data = json.loads(invoke("diff", MINI, "--qualify", "smee:scanner=1", "--format", "json").output)
    assert {s["node"] for s in data["spof"]} == {"NL", "asml"}


def test_selfsufficiency_json():
    data = json.loads(invoke("selfsufficiency", MINI, "--format", "json").output)
    assert data["home"] == "CN"


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", MINI, "--remove", "atlantis"],
        ["simulate", MINI, "--limit", "JP=2"],
        ["simulate", MINI, "--limit", "JP"],
        ["cuts", MINI, "--target", "nothing"],
        ["spof", MINI, "--kind", "planet"],
        ["diff", MINI, "--qualify", "smee-scanner"],
        ["priorities", MINI, "--weight", "beauty=2"],
        ["validate", "no/such/path"],
    ],
)
def test_bad_input_exit_2_without_traceback(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_main_maps_usage_errors_to_exit_2(capsys):
    assert main(["cuts", MINI]) == 2
    assert main(["no-such-command"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert main(["validate", MINI, "-f", "json"]) == 0


# -- semantics v2: --horizon, --reach, explain ------------------------------------

HOME_SPOF = (
    "chainmap: {home: CN}\n"
    "countries: [{id: CN, name: China}, {id: JP, name: Japan}]\n"
    "sectors: [{code: '10', name: Food, products: [rice]}]\n"
    "components:\n"
    "  - {id: rice, name: Rice, sector: '10', suppliers: [{country: CN, share: 1}]}\n"
)


def test_simulate_horizon_and_reach():
    long = json.loads(invoke("simulate", MINI, "--remove", "NL", "--horizon", "long", "-f", "json").output)
    year = json.loads(invoke("simulate", MINI, "--remove", "NL", "-f", "json").output)
    assert (long["horizon"], long["reach"], year["horizon"]) == ("long", "location", "1y")
    chip = {c["id"]: c["availability"] for c in long["components"]}["logic-chip"]
    assert chip == 0.0
    # the scanner's 90 days of stock cover a quarter of a year
    assert {c["id"]: c["availability"] for c in year["components"]}["logic-chip"] == pytest.approx(90 / 365)
    days = json.loads(invoke("simulate", MINI, "--remove", "NL", "--horizon", "90", "-f", "json").output)
    assert days["horizon"] == "90d" and {c["id"]: c["availability"] for c in days["components"]}["logic-chip"] == 1.0
    table = invoke("simulate", MINI, "--remove", "NL", "--horizon", "6m", "--reach", "owner").output
    assert "Sectors under: remove NL (horizon 6m, reach owner)" in table


def test_explain_table_tree_json():
    table = invoke("explain", MINI, "office-pc", "--remove", "NL", "--horizon", "long")
    assert table.exit_code == 0
    assert "Binding chain of office-pc (Office PC): 0.000 (baseline 1.000) under remove NL (horizon long, reach location)" in table.output
    lines = table.output.splitlines()
    assert len(lines) <= 24  # one screen
    assert any("logic-chip (input, share 1, k 1) f=0.000" in x for x in lines)
    assert any("scanner" in x and "foreign supply" in x and "NL" in x for x in lines)
    assert lines[-1] == "root causes: NL"
    tree = invoke("explain", MINI, "office-pc", "--remove", "NL", "-f", "tree").output.splitlines()
    assert tree[0].startswith("office-pc: 0.247 (baseline 1.000; remove NL; horizon 1y; reach location)")
    assert [x.strip().split()[1] for x in tree[1:]] == ["office-pc", "logic-chip", "scanner"]
    data = json.loads(invoke("explain", MINI, "office-pc", "--remove", "NL", "--horizon", "2y", "--reach", "owner",
                             "-f", "json").output)
    assert (data["target"], data["horizon"], data["reach"], data["root_causes"]) == ("office-pc", "2y", "owner", ["NL"])
    assert [s["term"] for s in data["steps"]] == ["requirement", "requirement", "foreign supply"]
    base = json.loads(invoke("explain", MINI, "salmon", "-f", "json").output)
    assert [s["term"] for s in base["steps"]] == ["baseline"] and base["root_causes"] == []


def test_explain_unknown_target_exit_2():
    result = runner.invoke(app, ["explain", MINI, "unobtainium"])
    assert result.exit_code == 2 and result.output.startswith("error: ") and result.output.count("\n") == 1


@pytest.mark.parametrize("command", [
    ["simulate", MINI], ["explain", MINI, "office-pc"], ["bottlenecks", MINI], ["priorities", MINI],
    ["selfsufficiency", MINI], ["diff", MINI], ["spof", MINI], ["cuts", MINI, "-t", "office-pc"],
    ["render", MINI, "-o", "never.html"], ["report", MINI, "-o", "never"],
])
@pytest.mark.parametrize("bad", [["--horizon", "3x"], ["--horizon", "-5"], ["--horizon", "0"], ["--horizon", "1e400"],
                                 ["--horizon", "nan"], ["--reach", "plant"]])
def test_bad_horizon_or_reach_exit_2(command, bad):
    result = runner.invoke(app, [*command, *bad])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [["spof", MINI], ["cuts", MINI, "-t", "office-pc"]])
def test_structural_commands_say_horizon_long(command):
    result = invoke(*command, "--horizon", "90d")
    assert result.exit_code == 0
    assert "(structural, horizon long" in result.stdout
    assert result.stderr.count("\n") == 1 and "computed at horizon long" in result.stderr
    assert invoke(*command).stderr == ""
    rows = json.loads(invoke(*command, "--horizon", "90d", "-f", "json").stdout)
    assert rows == json.loads(invoke(*command, "-f", "json").stdout)  # the horizon changes nothing


def test_spof_fail_on_ignores_home(tmp_path):
    (tmp_path / "g.yaml").write_text(HOME_SPOF)
    rows = json.loads(invoke("spof", str(tmp_path), "-f", "json").output)
    assert [r["node"] for r in rows] == ["CN"]  # home itself takes rice down: not news
    assert invoke("spof", str(tmp_path), "--fail-on", "spof").exit_code == 0
    assert main(["spof", str(tmp_path), "--fail-on", "bottleneck"]) == 2  # a gate of the bottlenecks command
    (tmp_path / "g.yaml").write_text(HOME_SPOF.replace("products: [rice]", "products: [rice, meal]")
                                     + "  - {id: tea, name: Tea, suppliers: [{country: JP, share: 1}]}\n"
                                     "  - {id: meal, name: Meal, requires: [rice, tea]}\n")
    nodes = {r["node"] for r in json.loads(invoke("spof", str(tmp_path), "-f", "json").output)}
    assert {"CN", "JP"} <= nodes
    assert invoke("spof", str(tmp_path), "--fail-on", "spof").exit_code == 1


def test_bottlenecks_drop_chain_length_and_candidates():
    rows = json.loads(invoke("bottlenecks", MINI, "--horizon", "long", "-f", "json").output)
    nl = next(r for r in rows if r["node"] == "NL")
    assert {"node", "kind", "reason", "hits", "drops"} <= set(nl)
    assert nl["chain_lengths"] == {"logic-chip": 2, "office-pc": 3, "scanner": 1}
    assert nl["drops"]["office-pc"] == 1.0
    only = json.loads(invoke("bottlenecks", MINI, "--candidates", "NL", "--candidates", "JP", "-f", "json").output)
    assert {r["node"] for r in only if r["reason"] == "removal"} == {"NL", "JP"}
    table = runner.invoke(app, ["bottlenecks", MINI, "--candidates", "NL", "--horizon", "long"],
                          env={"COLUMNS": "200"}).output  # wide enough for each hit on one line
    assert "Foreign bottlenecks under: baseline (horizon long, reach location)" in table
    assert "office-pc (100%, 3)" in table
    rows_csv = list(csv.DictReader(io.StringIO(invoke("bottlenecks", MINI, "--candidates", "NL", "-f", "csv").output)))
    assert "office-pc=3" in rows_csv[0]["chain_lengths"] and "office-pc=" in rows_csv[0]["drops"]
    assert runner.invoke(app, ["bottlenecks", MINI, "--candidates", "atlantis"]).exit_code == 2


def test_priorities_selfsufficiency_diff_take_the_horizon():
    long = json.loads(invoke("priorities", MINI, "--horizon", "long", "-f", "json").output)
    year = json.loads(invoke("priorities", MINI, "-f", "json").output)
    scanner = {r["id"]: r for r in long}["scanner"]
    assert scanner["impact"] == 1.0 and {r["id"]: r for r in year}["scanner"]["impact"] < 1.0
    assert "Substitution priorities under: baseline (horizon 90d, reach owner)" in invoke(
        "priorities", MINI, "--horizon", "90d", "--reach", "owner").output
    limited = json.loads(invoke("priorities", MINI, "--limit", "JP=0.5", "--horizon", "long", "-f", "json").output)
    assert {r["id"]: r for r in limited}["wafer"]["impact"] != {r["id"]: r for r in long}["wafer"]["impact"]
    suff = json.loads(invoke("selfsufficiency", MINI, "--horizon", "long", "-f", "json").output)
    assert (suff["home"], suff["horizon"], suff["reach"]) == ("CN", "long", "location")
    assert {s["code"]: s["autarky"] for s in suff["sectors"]}["35"] == 0.0
    suff_y = json.loads(invoke("selfsufficiency", MINI, "-f", "json").output)
    assert suff_y["horizon"] == "1y" and {s["code"]: s["autarky"] for s in suff_y["sectors"]}["35"] == pytest.approx(90 / 365)
    assert "Self-sufficiency of CN under: baseline (horizon 1y, reach location)" in invoke("selfsufficiency", MINI).output
    d = json.loads(invoke("diff", MINI, "--qualify", "smee:scanner=1", "--remove", "NL", "--horizon", "long",
                          "-f", "json").output)
    assert (d["scenario"], d["horizon"], d["reach"]) == ("remove NL", "long", "location")
    assert {s["code"]: s["change"] for s in d["sectors"]}["35"] == 0.5  # SMEE now supplies half the scanners
    table = invoke("diff", MINI, "--qualify", "smee:scanner=1", "--horizon", "6m").output
    assert "Sectors under: baseline (horizon 6m, reach location)" in table and "Priority ranks (horizon 6m" in table


def test_render_and_report_take_the_scenario(tmp_path):
    out = tmp_path / "v.html"
    result = invoke("render", MINI, "-o", str(out), "--remove", "NL", "--horizon", "long", "--reach", "owner")
    assert result.exit_code == 0
    text = out.read_text(encoding="utf-8")
    from tests.test_render import page_data

    data = page_data(text)
    assert (data["meta"]["scenario"], data["meta"]["horizon"], data["meta"]["reach"]) == ("remove NL", "long", "owner")
    assert {n["id"]: n for n in data["nodes"]}["office-pc"]["chain"]["root_causes"] == ["NL"]
    assert invoke("report", MINI, "-o", str(tmp_path / "r"), "--remove", "NL", "--horizon", "2y").exit_code == 0
    index = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "Impacts at horizon 2y, reach location" in index
    assert "binding chain" in index and '"chain"' in (tmp_path / "r" / "graph.html").read_text(encoding="utf-8")
