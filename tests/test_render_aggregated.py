"""The aggregated graph page of a large graph: the overview counts every component from the arrays, a bounded
selection is embedded, and every number shown equals what the full page computes for the same nodes."""

from __future__ import annotations

import math

import numpy as np
import pytest

import chainmap
from chainmap.render.facts import analysis_results, node_facts
from chainmap.render.html import PER_DIVISION, _aggregate_selection, _edges_among, render_html, view_data
from chainmap.render.overview import overview_arrays, overview_data
from chainmap.render.scenarios import ALPHABET, LARGE_COUNTRIES, scenario_pack
from tests.test_render import page_data


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from chainmap.io.generate import write_generated

    folder = tmp_path_factory.mktemp("gen") / "net"
    write_generated(folder, 3000, seed=11)
    return chainmap.load(folder)


def decode(text: str) -> list[int]:
    return [ALPHABET.index(text[i]) * 64 + ALPHABET.index(text[i + 1]) for i in range(0, len(text), 2)]


def same(a: object, b: object) -> bool:
    """Equal, floats within 1e-3 (sums taken in another order, then rounded to 4 digits)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, abs_tol=1e-3)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_overview_from_arrays_equals_the_per_component_overview(generated):
    g = generated
    facts = node_facts(g)
    flags = [np.array([getattr(facts[c], k) for c in g.component_ids]) for k in ("spof", "bottleneck")]
    fast, slow = overview_arrays(g, *flags), overview_data(g, facts, list(g.component_ids))
    assert same(fast, slow)
    assert sum(n["components"] for n in fast["nodes"]) == g.n_components and fast["edges"]


def test_selection_edges_and_facts_match_the_full_graph(generated):
    g = generated
    results = analysis_results(g)
    chosen, spof, bottleneck = _aggregate_selection(g, results, 20)
    assert g.n_countries <= len(chosen) < len(g.ids)
    assert set(range(g.n_countries)) <= chosen
    sel = g.igraph.es.select(_source_in=chosen, _target_in=chosen)
    expected: dict = {}
    expected_any: dict = {}
    expected_share: dict = {}
    for e in sel:
        k = (g.ids[e.source], g.ids[e.target], e["type"])
        expected[k] = expected.get(k, 0) + 1
        expected_any[k] = expected_any.get(k, False) or bool(e["any_of"])
        if e["type"] == "supplies":
            expected_share[k] = expected_share.get(k, 0.0) + float(e["share"])
    count, any_of, shares = _edges_among(g, chosen)
    assert count == expected and any_of == expected_any and shares == expected_share
    assert any(any_of.values()) and shares
    some = [g.ids[v] for v in sorted(chosen)][:400]
    full = node_facts(g, results=results)
    part = node_facts(g, nodes=some, results=results)
    assert list(part) == some and all(part[n] == full[n] for n in some)
    assert spof.tolist() == [full[c].spof for c in g.component_ids]
    assert bottleneck.tolist() == [full[c].bottleneck for c in g.component_ids]


def test_subset_scenarios_equal_the_full_pack_at_the_embedded_components(generated):
    g = generated
    subset = np.arange(0, g.n_components, 7)
    full = scenario_pack(g, horizons=("1y",))
    part = scenario_pack(g, horizons=("1y",), components=subset)
    assert part["components"] == [g.component_ids[c] for c in subset.tolist()]
    by_id = {s["id"]: s for s in full["scenarios"]}
    # an aggregated page takes the countries producing the most value-weighted supply (no ranking propagations)
    assert 0 < len(part["scenarios"]) <= LARGE_COUNTRIES + len(g.blocs) and all(s["id"] in by_id
                                                                                for s in part["scenarios"])
    for a in part["scenarios"]:
        b = by_id[a["id"]]
        assert decode(a["a"]) == [decode(b["a"])[c] for c in subset.tolist()]
        for key in ("lowered", "cut", "sectors", "down", "products_hit"):
            assert a[key] == b[key], key
        position = {int(c): i for i, c in enumerate(subset.tolist())}
        assert all(part["components"][i] in full["components"] for i in a["top"])
        embedded = [position[p] for p in b["top"] if p in position]  # the full top's embedded products lead
        assert a["top"][:len(embedded)] == embedded and len(a["top"]) <= len(b["top"])


def test_render_aggregates_above_max_embed(generated, tmp_path):
    g = generated
    data = view_data(g, max_embed=1000, scenarios=False)
    assert data["meta"]["embedded"] == "selection" and data["meta"]["aggregated"]
    assert data["meta"]["total_nodes"] == len(g.ids) > data["meta"]["shown_nodes"]
    assert sum(n["components"] for n in data["overview"]["nodes"]) == g.n_components
    per_division: dict[str, int] = {}
    for n in data["nodes"]:
        if n["kind"] == "component":
            per_division[n["sector"]] = per_division.get(n["sector"], 0) + 1
    assert data["nodes"] and max(per_division.values()) >= min(PER_DIVISION, 10)
    full = {n["id"]: n for n in view_data(g, scenarios=False)["nodes"]}
    for n in data["nodes"]:  # an embedded node's record is the full page's
        assert {k: v for k, v in n.items() if k != "color"} == {k: v for k, v in full[n["id"]].items() if k != "color"}
    out = render_html(g, tmp_path / "agg.html", max_embed=1000)
    page = page_data(out.read_text(encoding="utf-8"))
    assert page["meta"]["embedded"] == "selection" and len(page["scenarios"]["components"]) < g.n_components
    assert view_data(g, scenarios=False)["meta"]["embedded"] == "all"


def test_cli_render_max_embed(tmp_path):
    from typer.testing import CliRunner

    from chainmap.cli.app import app

    out = tmp_path / "view.html"
    result = CliRunner().invoke(app, ["render", "tests/data/mini", "-o", str(out), "--max-embed", "5"])
    assert result.exit_code == 0, result.output
    page = page_data(out.read_text(encoding="utf-8"))
    assert page["meta"]["embedded"] == "selection" and page["scenarios"]["horizons"] == ["1y"]
    g = chainmap.load("tests/data/mini")
    assert sum(n["components"] for n in page["overview"]["nodes"]) == g.n_components


def test_sector_view_of_a_large_graph_equals_the_full_computation(generated):
    g = generated
    code = max(g.sectors, key=lambda c: len(g.sectors[c].products))
    small = view_data(g, sector=code, scenarios=False)
    large = view_data(g, sector=code, scenarios=False, max_embed=1000)
    assert [n["id"] for n in large["nodes"]] == [n["id"] for n in small["nodes"]] and large["nodes"]
    strip = [{k: v for k, v in n.items() if k != "color"} for n in small["nodes"]]
    assert [{k: v for k, v in n.items() if k != "color"} for n in large["nodes"]] == strip
    assert large["edges"] == small["edges"] and large["overview"] == small["overview"]


def test_columns_say_what_the_records_say(generated):
    """An array-backed graph's sources and supply/input details are read from its columns: the same as from the
    records it builds on access (and as from a graph holding those records)."""
    from chainmap.graph import SupplyGraph
    from chainmap.render.facts import array_backed, sources_of
    from chainmap.render.html import _component_extras

    g = generated
    held = SupplyGraph(g.spec)  # the records, held (the path of a YAML graph)
    assert array_backed(g) and not array_backed(held)
    some = [*g.component_ids[::5], *g.supplier_ids[::50], *g.country_ids]
    assert any(sources_of(g, c)[0] for c in some)
    for node in some:
        assert sources_of(g, node) == sources_of(held, node), node
    for cid in g.component_ids[::5]:
        assert _component_extras(g, cid) == _component_extras(held, cid), cid


@pytest.mark.parametrize("reach", ["location", "owner"])
def test_removal_availability_is_the_propagation(generated, reach):
    """The scenario pack's country removals read ``cap(e)`` as a mask: the same numbers as the propagation."""
    from chainmap.analysis.propagate import availability
    from chainmap.analysis.scenario import Scenario, capacities
    from chainmap.render.scenarios import removal_availability

    g = generated
    targets = [*g.country_ids, *g.blocs, ("US", "CN") if "CN" in g.country_of else ("US",)]
    for target in targets:
        remove = target if isinstance(target, tuple) else (target,)
        for horizon in ("1y", "long"):
            caps = capacities(g, Scenario(remove=remove, horizon=horizon, reach=reach))
            assert removal_availability(g, caps).tolist() == availability(g, caps).tolist(), target
    limited = capacities(g, Scenario(limit={g.supplier_ids[0]: 0.5}, reach=reach))  # not a removal: propagated
    assert removal_availability(g, limited).tolist() == availability(g, limited).tolist()


def test_removals_tried_for_the_embedded_nodes_only_give_the_full_facts(generated):
    """A large page tries the removal bottlenecks of the countries and suppliers it embeds only: their facts
    (and every component's bottleneck flag) are those of the run that tries every foreign node."""
    from chainmap.render.facts import with_removals

    g = generated
    full = analysis_results(g)
    part = analysis_results(g, removals=False)
    chosen, spof, bottleneck = _aggregate_selection(g, part, 20)
    all_chosen, all_spof, all_bottleneck = _aggregate_selection(g, full, 20)
    assert chosen == all_chosen and spof.tolist() == all_spof.tolist()
    assert bottleneck.tolist() == all_bottleneck.tolist()
    off = g.n_countries + g.n_suppliers
    shown = [g.ids[v] for v in sorted(chosen)]
    part = with_removals(part, g, None, [n for n in shown if g.index[n] < off])
    expected = node_facts(g, nodes=shown, results=full)
    assert node_facts(g, nodes=shown, results=part) == expected
    assert sum(1 for f in expected.values() if f.kind != "component" and "removal" in f.bottleneck_reasons) > 3
    assert any(f.kind == "component" and f.bottleneck for f in expected.values())


def test_precomputed_results_give_the_same_pages_and_one_analysis_per_report(generated, tmp_path, monkeypatch):
    """render_html(results=...) is the page it computes itself (aggregated or not); render_report runs each
    analysis once for its two pages."""
    import chainmap.render.facts as facts_module
    from chainmap.render.report import render_report

    g = generated
    results = analysis_results(g)
    for max_embed in (1000, 10**9):
        own = render_html(g, tmp_path / f"own{max_embed}.html", max_embed=max_embed).read_bytes()
        given = render_html(g, tmp_path / f"given{max_embed}.html", max_embed=max_embed, results=results).read_bytes()
        assert own == given
    calls: list[str] = []
    for name in ("single_points_of_failure", "bottlenecks", "priorities"):
        real = getattr(facts_module, name)
        monkeypatch.setattr(facts_module, name,
                            lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    render_report(g, tmp_path / "report")
    assert sorted(calls) == ["bottlenecks", "priorities", "single_points_of_failure"]


def test_report_lists_are_capped_with_the_exact_count(generated, tmp_path, monkeypatch):
    import chainmap.render.report as report_module

    g = generated
    full = report_module.report_data(g)
    monkeypatch.setattr(report_module, "LISTED", 3)
    capped = report_module.report_data(g)
    for key, field in (("spofs", "targets"), ("bottlenecks", "hits")):
        assert [r["count"] for r in capped[key]] == [r["count"] for r in full[key]]
        assert [r[field] for r in capped[key]] == [r[field][:3] for r in full[key]]
        assert any(r["count"] > 3 for r in capped[key])
    html = report_module.render_report(g, tmp_path / "report").read_text(encoding="utf-8")
    assert "more (chainmap spof lists all)" in html and "more (chainmap bottlenecks lists all)" in html
