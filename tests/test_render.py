"""The HTML graph view and the report page: self-contained, escaped, deterministic, correct data."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import chainmap
from chainmap.analysis import Scenario
from chainmap.cli.app import app
from chainmap.errors import OutputError, UnknownNodeError
from chainmap.graph import SupplyGraph
from chainmap.model import GraphSpec
from chainmap.render.html import json_for_script, render_html, view_data
from chainmap.render.layout import layered_layout, longest_path_layers

MINI = "tests/data/mini"
HOSTILE = "tests/data/hostile"
runner = CliRunner()

SYNTH_COUNTRIES = ["CN", "US", "JP", "DE", "KR", "NL", "FR", "GB", "IT", "TW",
                   "IN", "BR", "AU", "CA", "CH", "SE", "RU", "ZA", "MX", "ID"]


def synthetic_spec(n_nodes: int = 10_000, seed: int = 7) -> GraphSpec:
    """A random layered supply graph of ``n_nodes`` nodes (20 countries, n/5 suppliers, the rest components)."""
    rng = random.Random(seed)
    n_sup = n_nodes // 5
    n_comp = n_nodes - len(SYNTH_COUNTRIES) - n_sup
    suppliers = [{"id": f"s{i}", "name": f"Supplier {i}", "country": rng.choice(SYNTH_COUNTRIES)} for i in range(n_sup)]
    codes = [f"{c:02d}" for c in range(13, 43)]
    comps = []
    for i in range(n_comp):
        req = [f"c{j}" for j in sorted(rng.sample(range(i), min(i, rng.randint(0, 2))))]
        entries = {}
        for _ in range(rng.randint(0 if req else 1, 2)):
            sup = f"s{rng.randrange(n_sup)}"
            entries[sup] = {"supplier": sup, "share": round(rng.uniform(0.1, 1), 2)}
        comps.append({"id": f"c{i}", "name": f"Component {i}", "sector": rng.choice(codes), "requires": req,
                      "suppliers": list(entries.values())})
    sectors = [{"code": code, "name": f"Sector {code}",
                "products": [c["id"] for c in comps[-n_comp // 4:] if c["sector"] == code][:20]} for code in codes]
    return GraphSpec.model_validate({"countries": [{"id": c, "name": c} for c in SYNTH_COUNTRIES],
                                     "suppliers": suppliers, "components": comps, "sectors": sectors})


def page_data(html: str) -> dict:
    """The page's data as :func:`view_data` returns it, rebuilt from the page's JSON blocks."""
    blocks = {m.group(1): json.loads(m.group(2)) for m in re.finditer(
        r'<script type="application/json" id="(chainmap-[a-z]+)">(.*?)</script>', html, re.S)}
    assert set(blocks) == {"chainmap-data", "chainmap-details", "chainmap-edges", "chainmap-scenarios"}
    data = blocks["chainmap-data"]
    core, detail = data["nodes"], blocks["chainmap-details"]
    data["nodes"] = [{k: v for k, v in [*zip(core["fields"], a, strict=True), *zip(detail["fields"], b, strict=True)]
                      if v is not None} for a, b in zip(core["rows"], detail["rows"], strict=True)]
    data["edges"] = blocks["chainmap-edges"]
    data["scenarios"] = blocks["chainmap-scenarios"]
    return data


@pytest.fixture(scope="module")
def mini() -> SupplyGraph:
    return chainmap.load(MINI)


def test_render_is_self_contained_and_loads_nothing(mini, tmp_path):
    out = chainmap.render_html(mini, tmp_path / "view.html")
    assert out == tmp_path / "view.html" and sorted(p.name for p in tmp_path.iterdir()) == ["view.html"]
    html = out.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(https?:)?//""", html, re.I)
    assert "@import" not in html and "sourceMappingURL" not in html
    assert "vis.Network" in html  # vis-network inlined
    data = page_data(html)
    assert len(data["nodes"]) == len(mini.ids) == 18
    assert [s[0] for s in data["scenario_index"]] == [s["id"] for s in data["scenarios"]["scenarios"]]
    assert "sources" in data["nodes"][0] and "impact" not in json.loads(re.search(
        r'id="chainmap-data">(.*?)</script>', html, re.S).group(1))["nodes"]["fields"]  # details parsed on demand
    assert not Path("lib").exists() or not (Path("lib") / "vis-9.1.2").exists()  # nothing written into the cwd


def test_render_is_deterministic(mini, tmp_path):
    a = render_html(mini, tmp_path / "a.html", scenario=Scenario(remove=("NL",)))
    b = render_html(chainmap.load(MINI), tmp_path / "b.html", scenario=Scenario(remove=("NL",)))
    assert a.read_bytes() == b.read_bytes()


def test_node_data_carries_marks_factors_sources(mini):
    data = view_data(mini, scenario=Scenario(horizon="long"))  # v1 numbers: no stock term
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["NL"]["spof"] and nodes["NL"]["bottleneck"] and nodes["NL"]["shape"] == "square"
    assert nodes["asml"]["shape"] == "triangle" and nodes["asml"]["origin"] == "foreign"
    assert nodes["smee"]["origin"] == "home" and nodes["smee"]["color"] == data["colors"]["home"]
    scanner = nodes["scanner"]
    assert scanner["rank"] == 1 and scanner["impact"] == 1.0 and scanner["gap"] == 0.8
    assert scanner["urgency"] == 0.875 and scanner["score"] == pytest.approx(0.7)
    assert scanner["size"] > nodes["wafer"]["size"]  # sized by priority
    assert scanner["color"] == nodes["NL"]["color"]  # leading supply country
    assert {c[0] for c in data["legend"]} >= {"CN", "NL", "JP"}
    assert [s[0] for s in data["sectors"]] == ["35", "39"]
    assert data["fields"]["edge"] == ["from", "to", "type", "count", "any_of", "share"]
    data["edges"] = [dict(zip(data["fields"]["edge"], e, strict=True)) for e in data["edges"]]
    for e in data["edges"]:
        e["type"] = data["fields"]["edge_types"][e["type"]]
    edges = {(e["from"], e["to"], e["type"]) for e in data["edges"]}
    assert ("asml", "scanner", "supplies") in edges and ("scanner", "logic-chip", "requires") in edges
    assert ("NL", "asml", "located_in") in edges
    anyof = [e for e in data["edges"] if e["any_of"]]
    assert {e["from"] for e in anyof} == {"windows", "kylin-os"}
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])


def test_sources_and_notes_in_node_data(tmp_path):
    (tmp_path / "g.yaml").write_text(
        "countries: [{id: CN, name: China}, {id: JP, name: Japan, risk: 0.5, source: 'Risk memo 2024'}]\n"
        "suppliers: [{id: s, name: S, country: JP, source: 'Annual report 2023'}]\n"
        "components:\n  - {id: c, name: C, note: 'check', suppliers: [{supplier: s, share: 1, source: 'USGS 2024'}]}\n")
    nodes = {n["id"]: n for n in view_data(chainmap.load(tmp_path))["nodes"]}
    assert nodes["JP"]["sources"] == ["Risk memo 2024"]
    assert nodes["c"]["sources"] == ["s share: USGS 2024"] and nodes["c"]["notes"] == ["check"]


def test_scenario_overlay(mini):
    nodes = {n["id"]: n for n in view_data(mini, scenario=Scenario.parse(["NL"], ["JP=0.5"], horizon="long"))["nodes"]}
    assert nodes["NL"]["capacity"] == 0.0 and nodes["JP"]["capacity"] == 0.5
    assert nodes["logic-chip"]["availability"] == 0.0 and nodes["salmon"]["availability"] == 1.0
    assert "capacity" not in nodes["CN"]
    bloc = {n["id"]: n for n in view_data(mini, scenario=Scenario(remove=("chip-controls",), horizon="long"))["nodes"]}
    assert bloc["US"]["capacity"] == 0.0 and bloc["windows"]["availability"] == 0.0


def test_sector_and_focus_views(mini):
    ids = {n["id"] for n in view_data(mini, sector="35")["nodes"]}
    assert ids == {"scanner", "asml", "NL"}
    ids = {n["id"] for n in view_data(mini, focus="wafer", depth=1)["nodes"]}
    assert ids == {"wafer", "shin-etsu", "nsig", "logic-chip"}
    ids = {n["id"] for n in view_data(mini, focus="wafer", depth=2)["nodes"]}
    assert ids == {"wafer", "shin-etsu", "nsig", "logic-chip", "JP", "CN", "office-pc"}
    with pytest.raises(UnknownNodeError):
        view_data(mini, focus="ghost")
    with pytest.raises(UnknownNodeError):
        view_data(mini, sector="99")


def test_above_max_nodes_no_full_drawing_but_every_node(mini):
    data = view_data(mini, max_nodes=5, scenarios=False)
    assert data["meta"]["aggregated"] and not data["meta"]["full"]
    assert {n["id"] for n in data["nodes"]} == set(mini.ids)  # every node, for focus and search
    assert all("x" not in n for n in data["nodes"])  # the page lays out what it shows
    assert data["scenarios"] is None
    full = view_data(mini, scenarios=False)
    assert full["meta"]["full"] and all(isinstance(n["x"], float) for n in full["nodes"])


def test_overview_divisions(mini):
    ov = view_data(mini, scenarios=False)["overview"]
    nodes = {n["code"]: n for n in ov["nodes"]}
    assert set(nodes) == {"35", "39", "none"}
    assert nodes["35"]["foreign"] == 1.0 and nodes["35"]["spof"] == 1 and nodes["35"]["components"] == 1
    assert nodes["39"]["value"] > nodes["35"]["value"] and nodes["39"]["size"] > nodes["35"]["size"]
    assert nodes["35"]["color"] == "#d7191c"  # all foreign: red end of the scale
    assert {(e["from"], e["to"]) for e in ov["edges"]} == {("sector:35", "sector:39"), ("sector:none", "sector:39")}
    assert len({(n["x"], n["y"]) for n in ov["nodes"]}) == 3


def test_component_details_data(mini):
    data = view_data(mini, scenarios=False)
    nodes = {n["id"]: n for n in data["nodes"]}
    supply = [dict(zip(data["fields"]["supply"], r, strict=True)) for r in nodes["scanner"]["supply"]]
    assert supply[0]["id"] == "asml" and supply[0]["share"] == 1.0
    pc = [dict(zip(data["fields"]["input"], r, strict=True)) for r in nodes["office-pc"]["inputs"]]
    assert {"members": ["kylin-os", "windows"], "any_of": 1, "role": "input", "share": 1.0} in pc
    assert {"members": ["logic-chip"], "any_of": 0, "role": "input", "share": 1.0} in pc
    assert nodes["NL"]["spof_count"] == len(nodes["NL"]["spof_targets"]) > 0


def _decode(text: str) -> list[int]:
    from chainmap.render.scenarios import ALPHABET

    return [ALPHABET.index(text[i]) * 64 + ALPHABET.index(text[i + 1]) for i in range(0, len(text), 2)]


def test_scenario_pack_matches_the_analyses(mini):
    """Every array in the page equals what simulate and explain say (the page computes nothing)."""
    from chainmap.analysis import simulate
    from chainmap.analysis.explain import explain

    pack = view_data(mini)["scenarios"]
    ids = [s["id"] for s in pack["scenarios"]]
    assert len(ids) == len(set(ids)) == 3 * (1 + 4)  # the bloc and JP, NL, NO, US at 90d, 1y, long
    assert "country:NL@90d" in ids and "bloc:chip-controls@long" in ids
    for s in pack["scenarios"]:
        scenario = Scenario(remove=(s["target"],), horizon=s["horizon"])
        result = simulate(mini, scenario)
        a = _decode(s["a"])
        for i, comp in enumerate(result.components):
            assert pack["components"][i] == comp.id and a[i] == round(1000 * comp.availability)
        impacts = {x.code: x.impact for x in result.sectors if x.impact > 1e-9}
        assert {k: pytest.approx(v, abs=1e-4) for k, v in impacts.items()} == dict(s["sectors"])
        for i, via, term, cause in s.get("steps", []):
            e = explain(mini, pack["components"][i], scenario)
            assert pack["terms"][term] == e.steps[0].term
            assert (pack["components"][via] if via >= 0 else None) == (e.steps[1].component if len(e.steps) > 1 else None)
            assert (s["causes"][cause] if cause >= 0 else []) == e.steps[0].causes
    nl = next(s for s in pack["scenarios"] if s["id"] == "country:NL@long")
    assert nl["chains"] and nl["cut"] == ["NL"]
    assert [pack["components"][i] for i in nl["top"]][:1] in (["logic-chip"], ["office-pc"], ["scanner"])


def test_scenario_pack_chains_only_for_main_countries(mini):
    from chainmap.render.scenarios import scenario_pack

    pack = scenario_pack(mini, horizons=("long",), chain_countries=1)
    assert len(pack["chain_countries"]) == 1
    by = {s["id"]: s for s in pack["scenarios"]}
    assert by["bloc:chip-controls@long"]["chains"]
    assert sum(s["chains"] for s in pack["scenarios"] if s["kind"] == "country") == 1
    assert all(("steps" in s) == s["chains"] for s in pack["scenarios"])


def test_json_for_script_escapes():
    text = json_for_script({"a": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_hostile_names_are_escaped(tmp_path):
    graph = chainmap.load(HOSTILE)
    html = render_html(graph, tmp_path / "h.html").read_text(encoding="utf-8")
    for raw in ("<img src=x", "<svg onload", "<iframe", "<script>window.__pwned", "<script>alert(1)", "<style>body",
                "<link rel", "<base href", "<b>bold", "<!-- -->"):
        assert raw not in html, raw
    body_tags = re.findall(r"<(script|img|svg|iframe|style|link|base)\b[^>]*>", html)
    # exactly our tags: two <style>, one JSON block, vis script, app script (vis's own code contains "<script>")
    assert body_tags.count("img") == 0 and body_tags.count("svg") == 0 and body_tags.count("iframe") == 0
    assert body_tags.count("link") == 0 and body_tags.count("base") == 0 and body_tags.count("style") == 2
    data = page_data(html)
    names = {n["id"]: n["name"] for n in data["nodes"]}
    assert names["evil-supplier"] == "<script>alert(1)</script>"
    assert names["NL"] == '<img src=x onerror="window.__pwned=2">'
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert "<script>" not in title and "&lt;script&gt;" in title


def test_refuses_to_overwrite_graph_files(tmp_path):
    shutil.copytree(MINI, tmp_path / "g")
    graph = chainmap.load(tmp_path / "g")
    before = (tmp_path / "g" / "graph.yaml").read_text()
    with pytest.raises(OutputError):
        render_html(graph, tmp_path / "g" / "graph.yaml")
    assert (tmp_path / "g" / "graph.yaml").read_text() == before


def test_layout_layers_and_determinism():
    assert longest_path_layers(5, [(0, 1), (1, 2), (2, 1), (2, 3), (0, 3)]) == [0, 1, 1, 2, 0]
    edges = [(random.Random(1).randrange(200), v) for v in range(200)]
    assert layered_layout(200, edges) == layered_layout(200, edges)
    assert layered_layout(0, []) == []


def test_large_graph_view_data():
    graph = SupplyGraph.from_spec(synthetic_spec(3000))
    data = view_data(graph, max_nodes=3000, scenarios=False)
    assert data["meta"]["full"] is True and len(data["nodes"]) == 3000
    small = view_data(graph, scenarios=False)  # default max_nodes=2000: no drawing of the whole graph
    assert small["meta"]["full"] is False and len(small["nodes"]) == 3000
    assert len(small["overview"]["nodes"]) == 30


# -- CLI -----------------------------------------------------------------------

def test_cli_render(tmp_path):
    out = tmp_path / "v.html"
    result = runner.invoke(app, ["render", MINI, "-o", str(out), "--remove", "NL", "--limit", "JP=0.5"])
    assert result.exit_code == 0, result.output
    data = page_data(out.read_text(encoding="utf-8"))
    assert data["meta"]["scenario"] == "remove NL; limit JP=0.5"
    result = runner.invoke(app, ["render", MINI, "-o", str(out), "--focus", "wafer", "--depth", "1", "--home", "JP"])
    assert result.exit_code == 0, result.output
    data = page_data(out.read_text(encoding="utf-8"))
    assert data["meta"]["home"] == "JP" and len(data["nodes"]) == 4
    result = runner.invoke(app, ["render", MINI, "-o", str(out), "--sector", "39", "--max-nodes", "3"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args, message", [
    (["--focus", "ghost"], "unknown node 'ghost'"),
    (["--sector", "99"], "unknown sector '99'"),
    (["--remove", "ghost"], "unknown node 'ghost'"),
    (["--limit", "JP=2"], "capacity must be in [0, 1]"),
])
def test_cli_render_bad_input_exit_2(tmp_path, args, message):
    result = runner.invoke(app, ["render", MINI, "-o", str(tmp_path / "v.html"), *args])
    assert result.exit_code == 2
    lines = [x for x in result.output.splitlines() if x]
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]
    assert "Traceback" not in result.output


def test_cli_render_refuses_input_file(tmp_path):
    shutil.copytree(MINI, tmp_path / "g")
    result = runner.invoke(app, ["render", str(tmp_path / "g"), "-o", str(tmp_path / "g" / "graph.yaml")])
    assert result.exit_code == 2 and "refusing to overwrite input graph file" in result.output


# -- report page -----------------------------------------------------------------

def test_report_content(mini, tmp_path):
    from chainmap.render.report import render_report, report_data

    data = report_data(mini, Scenario(horizon="long"))  # at 1y the scanner's 90 days of stock soften the cut
    assert data["horizon"] == "long" and data["reach"] == "location"
    assert data["priorities"][0]["id"] == "scanner"
    assert [f[0] for f in data["priorities"][0]["factors"]] == ["impact", "exposure", "gap", "urgency"]
    assert data["spofs"][0]["id"] == "NL"
    names = [s.name for s in data["scenarios"]]
    assert names[0] == "bloc Chip export controls" and "country Netherlands" in names
    bloc = data["scenarios"][0]
    assert bloc.products_down == 3 and bloc.products == 3
    for row in data["exposure"]:
        if row["counted"]:
            assert sum(s["share"] for s in row["segments"]) == pytest.approx(1.0)
    assert data["spofs"][0]["country_name"] == "Netherlands" and ("scanner", "Lithography scanner") in data["spofs"][0]["targets"]
    assert data["bottlenecks"] and all(r["count"] == len(r["hits"]) for r in data["bottlenecks"])
    assert ("NL", "Netherlands") in data["priorities"][0]["foreign"]
    index = render_report(mini, tmp_path / "out")
    html = index.read_text(encoding="utf-8")
    assert html.count("<script") == 1 and "chainmap-data" not in html  # the table sorter only, no data
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert 'href="graph.html#scanner"' in html and 'href="graph.html#sector=35"' in html
    assert html.count('<table class="sortable') >= 5 and "<svg" in html and "<details>" in html
    assert "Netherlands (NL)" in html
    assert render_report(chainmap.load(MINI), tmp_path / "again").read_bytes() == index.read_bytes()
    assert (tmp_path / "again" / "graph.html").read_bytes() == (tmp_path / "out" / "graph.html").read_bytes()


def test_report_escapes_hostile_text(tmp_path):
    from chainmap.render.report import render_report

    html = render_report(chainmap.load(HOSTILE), tmp_path / "out").read_text(encoding="utf-8")
    assert html.count("<script") == 1 and "<img" not in html and "<iframe" not in html and "<svg onload" not in html
    assert "<script>alert(1)" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_scenario_view_carries_binding_chains(mini):
    data = view_data(mini, scenario=Scenario.parse(["NL"], horizon="1y"))
    assert data["meta"]["horizon"] == "1y" and data["meta"]["reach"] == "location"
    nodes = {n["id"]: n for n in data["nodes"]}
    chain = nodes["office-pc"]["chain"]
    assert [s["id"] for s in chain["steps"]] == ["office-pc", "logic-chip", "scanner"]
    assert chain["steps"][0]["term"] == "requirement" and chain["steps"][0]["binds"].startswith("logic-chip (input")
    assert chain["steps"][-1]["binds"] == "NL" and chain["root_causes"] == ["NL"]
    assert "chain" not in nodes["salmon"] and "chain" not in nodes["NL"]
    assert all("chain" not in n for n in view_data(mini)["nodes"])  # no scenario, no chains


def test_chain_text_is_escaped(tmp_path):
    (tmp_path / "g.yaml").write_text(
        "countries: [{id: CN, name: China}, {id: JP, name: Japan}]\n"
        "suppliers: [{id: s, name: '</script><b>x', country: JP}]\n"
        "components:\n  - {id: c, name: '<img src=x onerror=alert(1)>', suppliers: [{supplier: s, share: 1}]}\n"
        "  - {id: d, name: D, requires: [c]}\n")
    out = render_html(chainmap.load(tmp_path), tmp_path / "v.html", scenario=Scenario(remove=("JP",)))
    text = out.read_text(encoding="utf-8")
    assert "<img src=x" not in text and "</script><b>" not in text
    nodes = {n["id"]: n for n in page_data(text)["nodes"]}
    assert nodes["d"]["chain"]["steps"][1]["name"] == "<img src=x onerror=alert(1)>"
