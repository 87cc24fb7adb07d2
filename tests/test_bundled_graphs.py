"""The bundled graphs/: they load, cover all 41 divisions at the promised sizes,
every fact is sourced, and the chains strategists ask about first give the
answers a domain expert expects."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import chainmap
from chainmap.analysis.concentration import concentration
from chainmap.model.coverage import coverage

GRAPHS = Path(__file__).resolve().parents[1] / "graphs"
STRATEGIC = {"26", "27", "34", "35", "36", "37", "38", "39", "40"}


@cache
def graph() -> chainmap.SupplyGraph:
    return chainmap.load(GRAPHS)


def test_all_41_divisions_with_official_names():
    import csv

    shared = GRAPHS.parents[1] / "shared" / "data" / "gbt4754-2017" / "divisions.csv"
    g = graph()
    assert sorted(g.sectors) == [f"{c:02d}" for c in range(6, 47)]
    if shared.exists():
        with shared.open(encoding="utf-8") as handle:
            names = {row["code"]: row["name_en"] for row in csv.DictReader(handle)}
        assert {code: s.name for code, s in g.sectors.items()} == names


def test_sizes_per_division_and_in_all():
    cov = coverage(graph().spec, graph().origins)
    assert cov.total.components >= 1000
    for row in cov.sectors:
        assert row.components >= (40 if row.code in STRATEGIC else 15), row
        assert row.products >= 1, row


def test_every_fact_is_sourced():
    g = graph()
    cov = coverage(g.spec, g.origins)
    assert cov.total.sourced == 1.0
    assert not [w for w in g.warnings if w.message == "fact without a source"]
    for comp in g.spec.components:
        for alt in comp.alternatives:
            assert alt.estimate, f"{comp.id}: readiness of {alt.supplier} must be marked an estimate"


def test_euv_has_one_foreign_supplier_and_no_ready_domestic_alternative():
    g = graph()
    euv = g.components["euv-scanner"]
    assert [e.supplier for e in euv.suppliers] == ["asml"]
    assert g.suppliers["asml"].country == "NL"
    ready = [a.readiness for a in euv.alternatives if g.suppliers[a.supplier].country == "CN"]
    assert max(ready, default=0.0) < 0.5
    assert concentration(g, "euv-scanner").hhi == 1.0
    spofs = {r.node for r in chainmap.single_points_of_failure(g, targets=["euv-scanner"], kinds=["supplier", "country"])}
    assert {"asml", "NL"} <= spofs


def test_office_pc_survives_a_us_export_ban_through_the_domestic_stack():
    g = graph()
    result = chainmap.simulate(g, chainmap.Scenario(remove=("US",)))
    a = {c.id: c.availability for c in result.components}
    for incumbent in ("x86-cpu", "windows-os", "oracle-database", "microsoft-office"):
        assert a[incumbent] == 0.0, incumbent
    for domestic in ("kylin-os", "wps-office", "dameng-database"):
        assert a[domestic] > 0, domestic


def test_battery_materials_are_concentrated_in_china():
    g = graph()
    for material in ("lithium-processing", "cobalt-processing", "natural-graphite-extraction"):
        assert concentration(g, material).leader == "CN", material
    assert concentration(g, "cobalt-extraction").leader == "CD"
