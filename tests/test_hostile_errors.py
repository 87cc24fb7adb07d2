"""Issue 16, errors and injection: bugs are not bad input, error lines are safe, outputs are escaped for readers."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

import chainmap
from chainmap.cli.app import main
from chainmap.io.columnar import load_columnar
from chainmap.io.exporters import export

MINI = "tests/data/mini"
ENV = {**os.environ, "PYTHONPATH": str(Path("src").resolve())}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def shell(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chainmap", *args], capture_output=kwargs.pop("capture", True),
                          text=True, env=ENV, timeout=300, **kwargs)


def test_a_bug_is_an_internal_error_exit_70(capsys, monkeypatch):
    import chainmap.cli.analyze as analyze

    def broken(*args, **kwargs):
        raise ValueError("index out of range in a helper")

    monkeypatch.setattr(analyze, "single_points_of_failure", broken)
    code, _, err = run(capsys, "spof", MINI)
    assert code == 70
    assert err.startswith("internal error: ValueError: index out of range") and "Traceback" not in err
    code, _, err = run(capsys, "--debug", "spof", MINI)
    assert code == 70 and "Traceback" in err


def test_terminal_escapes_in_error_messages_are_escaped(tmp_path, capsys):
    (tmp_path / "g.yaml").write_text('components:\n  - {id: a, name: A, "\\e[31mred\\e]0;title\\a": 1}\n')
    code, _, err = run(capsys, "validate", str(tmp_path))
    assert code == 2 and "\x1b" not in err and "\x07" not in err and "\\x1b[31mred" in err


def test_error_output_is_capped(tmp_path, capsys):
    lines = "".join(f"  - {{id: c{i}, name: C, requires: [ghost{i}]}}\n" for i in range(500))
    (tmp_path / "g.yaml").write_text("components:\n" + lines)
    code, _, err = run(capsys, "validate", str(tmp_path))
    assert code == 2 and len(err.splitlines()) == 51 and "and 450 more problems" in err.splitlines()[-1]


@pytest.mark.parametrize("args", [["validate", MINI], ["schema"]])
def test_stdout_on_dev_full_is_one_line_exit_2(args):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        done = shell(args, capture=False, stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: cannot write standard output: No space left on device"


def test_closed_stdout_is_an_error():
    done = subprocess.run(f"{sys.executable} -m chainmap validate {MINI} >&-", shell=True, capture_output=False,
                          stderr=subprocess.PIPE, text=True, env=ENV, timeout=300)
    assert done.returncode == 2 and "standard output is closed" in done.stderr


def test_broken_pipe_is_one_line_exit_2(tmp_path):
    from chainmap.io.generate import write_generated

    write_generated(tmp_path / "net", 2000, seed=1)  # its GraphML is far bigger than a pipe's buffer
    proc = subprocess.Popen([sys.executable, "-m", "chainmap", "export", str(tmp_path / "net"), "-f", "graphml",
                             "-o", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(100).startswith(b"<?xml")
    proc.stdout.close()
    assert proc.wait(300) == 2
    assert proc.stderr.read().decode() == "error: cannot write standard output: Broken pipe\n"


def test_long_output_name_is_one_line(tmp_path, capsys):
    code, _, err = run(capsys, "generate", "-n", "20", "-o", str(tmp_path / ("x" * 300)))
    assert code == 2 and "File name too long" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("weight", ["gap=nan", "gap=inf", "gap=-1", "impact=1e400"])
def test_weights_finite_and_bounded(capsys, weight):
    code, _, err = run(capsys, "priorities", MINI, "--weight", weight)
    assert code == 2 and "must be a finite number in [0, 10]" in err and "http" not in err


HOSTILE = ["=cmd|' /C calc'!A0", "+HYPERLINK(\"http://x\")", "@SUM(A1)", "-2+3", "\tTab", "\rCR"]


def csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def hostile_graph(tmp_path: Path) -> Path:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "countries.csv").write_text("id,name\nCN,China\nJP,Japan\n")
    (folder / "suppliers.csv").write_text("id,name,country\nshin,Shin-Etsu,JP\n")
    rows = [["id", "name", "sector"], *([f"c{i}", n, "06"] for i, n in enumerate(HOSTILE[:4]))]
    (folder / "components.csv").write_text(csv_text(rows))
    supplies = [["component", "supplier", "country", "share", "source"],
                *([f"c{i}", "shin", "", "1", f"=src{chr(1)}{i}"] for i in range(4))]
    (folder / "supplies.csv").write_text(csv_text(supplies))
    return folder


def test_export_csv_escapes_formulas_not_numbers(tmp_path, capsys):
    g = hostile_graph(tmp_path)
    out = tmp_path / "out.csv"
    assert run(capsys, "export", str(g), "-f", "csv", "-o", str(out))[0] == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.nodes.csv").read_text(encoding="utf-8"))))
    names = {r["id"]: r["name"] for r in rows}
    assert [names[f"c{i}"] for i in range(4)] == ["'" + n for n in HOSTILE[:4]]
    assert all(not v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())
    edges = list(csv.DictReader(io.StringIO((tmp_path / "out.edges.csv").read_text(encoding="utf-8"))))
    assert {e["group"] for e in edges} >= {"-1"}  # numbers stay numbers
    assert run(capsys, "--csv-formulas", "export", str(g), "-f", "csv", "-o", str(out))[0] == 0
    names = {r["id"]: r["name"] for r in csv.DictReader(io.StringIO((tmp_path / "out.nodes.csv").read_text(encoding="utf-8")))}
    assert names["c0"] == HOSTILE[0]


def test_analysis_csv_escapes_formulas_not_numbers(tmp_path, capsys):
    g = hostile_graph(tmp_path)
    code, out, _ = run(capsys, "validate", str(g), "-f", "csv")
    assert code == 0
    code, out, _ = run(capsys, "priorities", str(g), "-f", "csv", "--home", "CN")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and all(r["name"].startswith("'") for r in rows)
    assert all(not v.startswith(("=", "+", "@")) for r in rows for v in r.values())


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_xml_exports_are_well_formed_with_control_characters(tmp_path, fmt, reader):
    graph = load_columnar(hostile_graph(tmp_path))
    path = export(graph, tmp_path / f"x.{fmt}", fmt)[0]
    back = reader(path)
    assert back.number_of_nodes() == len(graph.ids)
    assert any("\ufffd" in str(attrs.get("sources", "")) for _, attrs in back.nodes(data=True))
    assert b"<!-- generated by chainmap -->" in path.read_bytes()[:200]


def test_hostile_strings_round_trip_through_json(tmp_path):
    graph = load_columnar(hostile_graph(tmp_path))
    data = json.loads(export(graph, tmp_path / "x.json", "json")[0].read_text())
    names = {n["id"]: n["name"] for n in data["nodes"]}
    assert [names[f"c{i}"] for i in range(4)] == HOSTILE[:4]  # JSON needs no escaping: kept exact
    assert chainmap.load(MINI).home == "CN"
