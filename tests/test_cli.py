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
    assert [r["nodes"] for r in rows] == [["NL"], ["CN", "JP"], ["CN", "US"]]
    table = list(csv.DictReader(io.StringIO(invoke("cuts", MINI, "-t", "office-pc", "-f", "csv").output)))
    assert table[1]["nodes"] == "CN;JP"


def test_priorities_factors_and_weights():
    rows = json.loads(invoke("priorities", MINI, "--format", "json").output)
    assert {"impact", "exposure", "gap", "urgency", "score"} <= set(rows[0])
    weighted = json.loads(invoke("priorities", MINI, "-f", "json", "--weight", "gap=0").output)
    assert weighted[0]["score"] == pytest.approx(rows[0]["impact"] * rows[0]["exposure"] * rows[0]["urgency"])


def test_simulate_json_shape_and_bloc_removal():
    data = json.loads(invoke("simulate", MINI, "--remove", "chip-controls", "--format", "json").output)
    assert {c["id"]: c["availability"] for c in data["components"]}["wafer"] == 0.25
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
