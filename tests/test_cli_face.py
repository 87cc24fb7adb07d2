"""The CLI face (issue 12): every default table fits 120 columns without splitting an id or a header word,
one option set with plain metavars, an example in every help, did-you-mean, silent progress when captured."""

from __future__ import annotations

import itertools
import json
import re
from functools import cache
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import chainmap
from chainmap.cli.app import app, main
from chainmap.cli.output import Col, to_table

ROOT = Path(__file__).resolve().parents[1]
MINI = "tests/data/mini"
GRAPHS = "graphs/"
runner = CliRunner()

# Every command that prints a table, with the arguments it needs, on the test graph and the bundled graphs.
TABLES = {
    MINI: [["validate"], ["validate", "--quality"], ["spof"], ["cuts", "-t", "office-pc"], ["bottlenecks"],
           ["priorities"], ["simulate", "--remove", "NL"], ["selfsufficiency"],
           ["diff", "--qualify", "asml:scanner=0.5"], ["explain", "office-pc", "--remove", "NL"]],
    GRAPHS: [["validate"], ["validate", "--quality"], ["spof"], ["cuts", "-t", "aero-engine", "--max-order", "1"],
             ["bottlenecks"], ["priorities"], ["simulate", "--remove", "US"], ["selfsufficiency"],
             ["diff", "--qualify", "smee:duv-immersion-scanner=0.5"], ["explain", "beer", "--remove", "US"]],
}


def invoke(*args: str, columns: str | None = "120"):
    return runner.invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": columns})


@cache
def words_of(path: str) -> frozenset[str]:
    """Ids, sector codes and their names' words: what a table must never break in two."""
    graph = chainmap.load(ROOT / path)
    return frozenset([*graph.ids, *graph.blocs, *graph.sectors])


_SEP = re.compile("[│┃]")
_TOKEN = re.compile(r"[^\s,;()]+")


def splits(text: str, words: frozenset[str]) -> list[str]:
    """Words of ``words`` (or header words) broken across two lines of a table cell.

    Consecutive lines of a table are compared cell by cell: the last token of a cell and the first token of the
    same cell on the next line must not join into a known id (the old renderer folded ``cigarett|es``)."""
    lines = [line for line in text.splitlines() if _SEP.search(line)]
    found = []
    for upper, lower in itertools.pairwise(lines):
        a_cells, b_cells = _SEP.split(upper), _SEP.split(lower)
        if len(a_cells) != len(b_cells):
            continue
        for a, b in zip(a_cells, b_cells, strict=True):
            a_tokens, b_tokens = _TOKEN.findall(a), _TOKEN.findall(b)
            if a_tokens and b_tokens and not (a_tokens[-1].isdigit() and b_tokens[0].isdigit()):  # two rows' numbers
                joined = a_tokens[-1] + b_tokens[0]
                if joined in words or (a_tokens[-1].endswith("-") and joined.rstrip("-") in words):
                    found.append(joined)
    return found


def test_the_split_detector_catches_a_folded_id():
    table = to_table([{"targets": ["cigarettes"]}], ["targets"], width=9)  # too narrow: the id is cut
    console = Console(width=9, color_system=None)
    with console.capture() as out:
        console.print(table)
    assert "cigarettes" not in out.get()
    folded = "│ cigarett │\n│ es       │\n"
    assert splits(folded, frozenset({"cigarettes"})) == ["cigarettes"]


@pytest.mark.parametrize(("path", "command"), [(p, c) for p, commands in TABLES.items() for c in commands],
                         ids=lambda x: x if isinstance(x, str) else " ".join(x))
def test_default_table_fits_120_columns_without_splitting_an_id(path, command):
    result = invoke(command[0], path, *command[1:])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "━" in text or ": none" in text or "no availability changed" in text
    too_long = [line for line in text.splitlines() if len(line) > 120]
    assert not too_long, too_long[:3]
    assert splits(text, words_of(path)) == []


def test_table_width_follows_columns_and_defaults_to_120_when_piped():
    narrow = invoke("priorities", MINI, columns="80").stdout
    assert max(map(len, narrow.splitlines())) <= 80
    piped = invoke("priorities", GRAPHS, "--top", "3", columns=None).stdout  # not a terminal, COLUMNS unset
    assert max(map(len, piped.splitlines())) == 120


def test_lists_summarised_and_full_with_wide():
    default = invoke("spof", GRAPHS, "--top", "1").stdout
    assert re.search(r"\d+ products: \S+, \S+, \S+, … \(\+\d+\)", " ".join(default.split()).replace("│ ", ""))
    wide = invoke("spof", GRAPHS, "--top", "1", "--wide").stdout
    assert "(+" not in wide and wide.count("\n") > default.count("\n")


def test_names_beside_ids_percentages_and_no_empty_column():
    priorities = invoke("priorities", MINI).stdout
    assert "Lithography" in priorities and "smee (20.0%)" in priorities  # names beside ids, readiness in %
    rows = json.loads(invoke("priorities", MINI, "--top", "1", "-f", "json").stdout)
    assert rows[0]["best_alternative"] == "smee"
    top = json.loads(invoke("priorities", GRAPHS, "--top", "3", "-f", "json").stdout)
    if not any(r["best_alternative"] for r in top):  # an empty column is left out
        assert "alternative" not in invoke("priorities", GRAPHS, "--top", "3").stdout
    validate = invoke("validate", GRAPHS).stdout
    assert "100%" in validate and "│ 1       │" not in validate  # sourced is a fraction: a percentage


def test_simulate_top_sorts_sectors_by_impact():
    text = invoke("simulate", GRAPHS, "--remove", "US", "--top", "3").stdout
    sector_table = text.split("Components hit")[0]
    rows = [line for line in sector_table.splitlines() if re.match(r"│ \d\d ", line)]
    assert len(rows) == 3
    impacts = [float(line.rstrip(" │").rsplit("│", 1)[1].strip().rstrip("%")) for line in rows]
    assert impacts == sorted(impacts, reverse=True)
    assert not re.search(r"\d\.\d{4,}", text)  # short numbers, not 6 significant digits


def test_selfsufficiency_says_why_a_share_is_unknown():
    text = invoke("selfsufficiency", GRAPHS).stdout
    assert "unknown" in text and "lists no supply mix" in text and "products without a supply mix" in text


def test_diff_qualify_lists_only_components_whose_score_changed():
    text = invoke("diff", GRAPHS, "--qualify", "smee:duv-immersion-scanner=0.5").stdout
    ranks = text.split("Priority ranks")[1].split("Sectors under")[0]
    rows = [line for line in ranks.splitlines() if line.startswith("│ ") and not line.startswith("│  ")]
    assert 0 < len(rows) < 20
    for row in rows:
        cells = [c.strip() for c in row.strip("│").split("│")]
        assert cells[-2] != cells[-1], row  # score before and after differ at the precision shown
    assert "only because these moved" in text
    data = json.loads(invoke("diff", GRAPHS, "--qualify", "smee:duv-immersion-scanner=0.5", "-f", "json").stdout)
    assert len(data["priorities"]) > len(rows)  # JSON keeps every rank


def test_spof_fail_on_and_bottleneck_gate_refused(capsys):
    assert main(["spof", MINI, "--fail-on", "bottleneck"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not one of 'spof'" in err
    assert main(["bottlenecks", MINI, "--fail-on", "spof"]) == 2


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout == f"chainmap {chainmap.__version__}\n"


def _commands() -> list[list[str]]:
    import typer.main

    group = typer.main.get_command(app)
    out = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(command, "commands", None)
        out += [[name, sub] for sub in subs] if subs else [[name]]
    return out


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_help_has_an_example_and_plain_metavars(command):
    text = invoke(*command, "--help").stdout
    assert "Example" in text
    assert "``" not in text  # no raw RST
    assert not re.search(r"<(list|bool|str|int|float|path)", text), text


def test_top_level_help_has_an_example():
    assert "Example" in invoke("--help").stdout


@pytest.mark.parametrize(("args", "expected"), [
    (["spof", MINI, "--target", "offce-pc"], "did you mean 'office-pc'"),
    (["simulate", MINI, "--remove", "Netherland"], "did you mean 'NL'"),
    (["simulate", MINI, "--limit", "asm=0.5"], "did you mean 'asml'"),
    (["explain", MINI, "scaner"], "did you mean 'scanner'"),
    (["cuts", MINI, "-t", "ofice-pc"], "did you mean 'office-pc'"),
    (["bottlenecks", MINI, "--candidates", "NLL"], "did you mean 'NL'"),
    (["priorities", MINI, "--remove", "asmll"], "did you mean 'asml'"),
])
def test_unknown_id_did_you_mean_one_line_exit_2(capsys, args, expected):
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and expected in captured.err, captured.err
    assert "Traceback" not in captured.err


def test_did_you_mean_in_the_api():
    graph = chainmap.load(ROOT / MINI)
    with pytest.raises(chainmap.ScenarioError, match="did you mean 'asml'"):
        chainmap.simulate(graph, chainmap.Scenario(remove=("asmll",)))
    with pytest.raises(chainmap.UnknownNodeError, match="did you mean 'office-pc'"):
        graph.kind("office_pc")
    assert graph.did_you_mean("zzzzzz") == ""


@pytest.mark.parametrize("args", [
    ["cuts", MINI, "-t", "office-pc"], ["bottlenecks", MINI], ["priorities", MINI],
    ["export", MINI, "-f", "json", "-o", "-"]])
def test_progress_is_silent_when_not_a_terminal(args):
    result = runner.invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0 and result.stderr == ""
    assert "\x1b[" not in result.stdout and "⠋" not in result.stdout


def test_generate_and_import_progress_silent(tmp_path):
    result = runner.invoke(app, ["generate", "-n", "50", "-o", str(tmp_path / "g")], catch_exceptions=False)
    assert result.exit_code == 0 and result.stderr == "" and result.stdout.startswith("wrote ")
    result = runner.invoke(app, ["import", "csv", str(tmp_path / "g"), "-o", str(tmp_path / "g.yaml")],
                           catch_exceptions=False)
    assert result.exit_code == 0 and result.stderr == "" and result.stdout.startswith("wrote ")


def test_every_analysis_takes_the_option_set():
    """--remove, --limit, --qualify, --home, --horizon, --reach and --format on every analysis."""
    common = ["--remove", "JP", "--limit", "US=0.5", "--qualify", "asml:scanner=0.5", "--home", "CN",
              "--horizon", "90d", "--reach", "owner"]
    for command in (["spof"], ["cuts", "-t", "office-pc"], ["bottlenecks"], ["priorities"], ["simulate"],
                    ["selfsufficiency"], ["diff"], ["explain", "office-pc"]):
        result = invoke(command[0], MINI, *command[1:], *common, "--format", "json")
        assert result.exit_code == 0, (command, result.output)
        json.loads(result.stdout)


def test_fit_keeps_every_word_whole():
    rows = [{"id": "a-very-long-component-identifier", "name": "Some words that can wrap anywhere between",
             "users": ["x-one", "x-two", "x-three", "x-four"]}]
    table = to_table(rows, ["id", "name", Col("users", noun="users")], width=60)
    console = Console(width=60, color_system=None)
    with console.capture() as out:
        console.print(table)
    text = out.get()
    assert "a-very-long-component-identifier" in text
    assert max(map(len, text.splitlines())) <= 60
    assert splits(text, frozenset({"a-very-long-component-identifier", "x-one", "x-two", "x-three"})) == []
