"""Columnar graphs (CSV/Parquet tables): load straight into arrays, same results as YAML, file:line errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import chainmap
from chainmap.cli.app import app
from chainmap.errors import GraphFileError
from chainmap.io.columnar import is_columnar, load_columnar, tables_of, write_tables

runner = CliRunner()
ARRAYS = ["entry_comp", "entry_supplier", "entry_country", "entry_share", "group_owner", "group_ptr", "supplier_owner",
          "group_members", "group_any_of", "group_share", "group_equipment", "group_lifetime", "value", "stock_days",
          "recovery_days", "supplier_country"]


def as_columnar(path: str, folder: Path, fmt: str = "csv") -> tuple[chainmap.SupplyGraph, chainmap.SupplyGraph]:
    g = chainmap.load(path)
    write_tables(folder, tables_of(g), fmt)
    return g, chainmap.load(folder)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("path", ["tests/data/mini", "graphs/"])
def test_columnar_round_trip_gives_identical_arrays_and_results(tmp_path, path, fmt):
    g, h = as_columnar(path, tmp_path / "net", fmt)
    assert is_columnar(tmp_path / "net") and h.ids == g.ids and h.products == g.products
    for name in ARRAYS:
        a, b = getattr(g, name), getattr(h, name)
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    assert chainmap.priorities(g) == chainmap.priorities(h)
    assert chainmap.bottlenecks(g) == chainmap.bottlenecks(h)
    assert chainmap.single_points_of_failure(g) == chainmap.single_points_of_failure(h)
    scenario = chainmap.Scenario(remove=("JP",), limit={"US": 0.5})
    assert chainmap.simulate(g, scenario).components == chainmap.simulate(h, scenario).components
    target = g.products[0]
    assert chainmap.cut_sets(g, target, 2) == chainmap.cut_sets(h, target, 2)


V2_GRAPH = """\
chainmap: {home: CN, view: home, as_of: 2024, unlisted_risk: 0.7}
countries:
  - {id: CN, name: China}
  - {id: US, name: United States, risk: 0.9}
  - {id: DE, name: Germany, risk: 0.4}
  - {id: JP, name: Japan, risk: 0.5}
sectors:
  - {code: "15", name: Beverages, products: [beer]}
  - {code: "34", name: Machinery, products: [bearing]}
suppliers:
  - {id: us-plant, name: US plant in China, country: CN, owner: US}
  - {id: de-works, name: German works, country: DE}
  - {id: cn-mill, name: Chinese mill, country: CN, year: 2023, method: company-report}
components:
  - id: beer
    name: Beer
    sector: "15"
    value: 3
    stock_days: 20
    requires:
      - malt
      - {component: bottling-line, role: equipment, lifetime_years: 15}
      - {any_of: [can, bottle], share: 0.6}
      - {component: tractor, role: equipment, share: 0.3}
    suppliers:
      - {country: CN, share: 0.9, source: stats, year: 2023, method: production-statistics}
  - {id: malt, name: Malt, suppliers: [{country: CN, share: 0.5}, {country: DE, share: 0.2}]}
  - id: bottling-line
    name: Bottling line
    requires: [{component: bearing, role: equipment}]
    suppliers: [{supplier: de-works, share: 0.7}, {supplier: us-plant, share: 0.3}]
  - {id: can, name: Can, suppliers: [{supplier: us-plant, share: 1}]}
  - {id: bottle, name: Bottle, suppliers: [{supplier: cn-mill, share: 0.8}, {country: JP, share: 0.4}]}
  - {id: tractor, name: Tractor, requires: [bearing], suppliers: [{country: US, share: 1}]}
  - id: bearing
    name: Bearing
    sector: "34"
    stock_days: 60
    recovery_days: 200
    requires: [{component: tractor, role: equipment, lifetime_years: 20}, steel]
    suppliers: [{supplier: cn-mill, share: 0.6}, {country: JP, share: 0.2}]
    alternatives: [{supplier: cn-mill, readiness: 0.5}]
  - {id: steel, name: Steel, requires: [{component: bearing, role: equipment, share: 0.5}]}
"""


def v2_graph(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "graph.yaml").write_text(V2_GRAPH)
    return folder


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_v2_fields_round_trip(tmp_path, fmt):
    g, h = as_columnar(str(v2_graph(tmp_path / "yaml")), tmp_path / "net", fmt)
    assert g.group_equipment.any() and (g.group_share < 1).any() and (g.unlisted_share > 0).any()
    assert (g.supplier_owner != g.supplier_country).any() and any(step.cyclic for step in g.schedule.steps)
    for name in ARRAYS:
        a, b = getattr(g, name), getattr(h, name)
        assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    assert h.settings == g.settings and h.settings.as_of == 2024 and h.settings.unlisted_risk == 0.7
    assert [h.requirement_record(k) for k in range(h.group_owner.size)] == \
        [g.requirement_record(k) for k in range(g.group_owner.size)]
    assert h.suppliers["us-plant"].owner == "US" and h.suppliers["de-works"].owner is None
    assert chainmap.priorities(g) == chainmap.priorities(h)
    assert chainmap.bottlenecks(g) == chainmap.bottlenecks(h)
    assert chainmap.single_points_of_failure(g) == chainmap.single_points_of_failure(h)
    for scenario in (chainmap.Scenario(remove=("US",)), chainmap.Scenario(remove=("US",), reach="owner"),
                     chainmap.Scenario(remove=("DE", "unlisted"), horizon="90d"),
                     chainmap.Scenario(limit={"JP": 0.5}, horizon="long")):
        assert chainmap.simulate(g, scenario).components == chainmap.simulate(h, scenario).components
    assert chainmap.cut_sets(g, "beer", 2) == chainmap.cut_sets(h, "beer", 2)
    # and back to one graph file
    result = runner.invoke(app, ["import", "csv", str(tmp_path / "net"), "-o", str(tmp_path / "back.yaml")])
    assert result.exit_code == 0, result.output
    back = chainmap.load(tmp_path / "back.yaml")
    for name in ARRAYS:
        a, b = getattr(g, name), getattr(back, name)
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    assert back.settings == g.settings


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_generated_v2_network_round_trips(tmp_path, fmt):
    from chainmap.io.generate import write_generated

    write_generated(tmp_path / "net", 3000, seed=3, fmt=fmt)
    g = chainmap.load(tmp_path / "net")
    # semantics v2: equipment, partial requirements, foreign-owned plants, unlisted remainders
    assert 0.05 < g.group_equipment.mean() < 0.3 and 0.05 < (g.group_share < 1).mean() < 0.3
    assert set(np.unique(g.group_lifetime[g.group_equipment]).tolist()) <= {5, 8, 10, 12, 15, 20, 25}
    assert 0.02 < (g.supplier_owner != g.supplier_country).mean() < 0.2
    unlisted = g.unlisted_share[g.has_entries]
    assert 0.05 < (unlisted > 0).mean() < 0.3 and unlisted[unlisted > 0].min() > 0.01  # no float-noise remainders
    assert g.settings.view == "home" and g.settings.unlisted_risk == 0.5
    write_tables(tmp_path / "again", tables_of(g), fmt)
    h = chainmap.load(tmp_path / "again")
    for name in ARRAYS:
        a, b = getattr(g, name), getattr(h, name)
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    scenario = chainmap.Scenario(remove=("US",), reach="owner")
    assert chainmap.simulate(g, scenario).components == chainmap.simulate(h, scenario).components


def test_v2_columns_are_optional_with_v1_defaults(tmp_path):
    base(tmp_path)
    write(tmp_path, "requires", "component,group,member,any_of,role,lifetime_years,share\n"
                                "chip,0,wafer,false,equipment,,\n")
    write(tmp_path, "suppliers", "id,name,country,owner\nshin,Shin-Etsu,JP,\n")
    write(tmp_path, "settings", "key,value\nhome,CN\nview,global\nas_of,\n")
    g = load_columnar(tmp_path)
    assert g.group_equipment.tolist() == [True] and g.group_lifetime.tolist() == [10.0]
    assert g.group_share.tolist() == [1.0] and g.supplier_owner.tolist() == g.supplier_country.tolist()
    assert g.settings.view == "global" and g.settings.as_of is None


def test_array_backed_records_match_yaml(tmp_path):
    g, h = as_columnar("tests/data/mini", tmp_path / "net")
    for cid in g.component_ids:
        a, b = g.components[cid], h.components[cid]
        assert (a.name, a.sector, a.value, a.stock_days, a.recovery_days) == \
            (b.name, b.sector, b.value, b.stock_days, b.recovery_days)
        assert sorted((e.supplier, e.country, e.share) for e in a.suppliers) == \
            sorted((e.supplier, e.country, e.share) for e in b.suppliers)
        assert [(x.supplier, x.readiness) for x in a.alternatives] == [(x.supplier, x.readiness) for x in b.alternatives]
    assert "scanner" in h.components and "nope" not in h.components and len(h.components) == g.n_components
    assert h.name("asml") == g.name("asml") and h.country_of_node("asml") == "NL"
    assert {c.id for c in h.spec.components} == set(g.component_ids)
    assert h.with_home("NL").home == "NL" and not h.with_home("NL").is_foreign("asml")


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.csv").write_text(text)


def base(folder: Path) -> None:
    write(folder, "countries", "id,name,risk\nCN,China,\nJP,Japan,0.5\n")
    write(folder, "suppliers", "id,name,country\nshin,Shin-Etsu,JP\n")
    write(folder, "components", "id,name,sector,value,stock_days,recovery_days,product\n"
                                "wafer,Wafer,39,,,,false\nchip,Chip,39,2,,,true\n")
    write(folder, "requires", "component,group,member,any_of\nchip,0,wafer,false\n")
    write(folder, "supplies", "component,supplier,country,share,source,estimate\nwafer,shin,,1,x,false\n")


def problems(folder: Path) -> list[str]:
    with pytest.raises(GraphFileError) as exc:
        load_columnar(folder)
    return [f"{Path(p.file).name}:{p.line}:{p.field}: {p.message}" for p in exc.value.problems]


@pytest.mark.parametrize(("table", "text", "expected"), [
    ("supplies", "component,supplier,country,share\nwafer,shin,,1.5\n", "supplies.csv:2:share: must be a number in [0, 1]"),
    ("supplies", "component,supplier,country,share\nwafer,nobody,,1\n", "supplies.csv:2:supplier: unknown supplier 'nobody'"),
    ("supplies", "component,supplier,country,share\nwafer,shin,,1\nchop,,JP,1\n", "supplies.csv:3:component: unknown component 'chop'"),
    ("supplies", "component,supplier,country,share\nwafer,shin,CN,1\n", "supplies.csv:2:country: does not match the supplier's country"),
    ("supplies", "component,supplier,country,share\nwafer,,,1\n", "supplies.csv:2:supplier: give a supplier or a country"),
    ("requires", "component,group,member,any_of\nchip,0,waffle,false\n", "requires.csv:2:member: unknown component 'waffle'"),
    ("requires", "component,group,member,any_of\nchip,0,wafer,false\nchip,0,chip,true\n", "requires.csv:2:any_of: any_of differs within one group"),
    ("components", "id,name,sector\nwafer,Wafer,39\nwafer,Again,39\n", "components.csv:3:id: duplicate id 'wafer'"),
    ("components", "id,name,sector\nwafer,Wafer,99\nchip,Chip,39\n", "components.csv:2:sector: '99' is not a valid sector code (06..46)"),
    ("components", "id,name,sector,value\nwafer,Wafer,39,-1\nchip,Chip,39,\n", "components.csv:2:value: must be a number in [0, 1e+15]"),
    ("countries", "id,name,risk\nCN,China,\nJP,Japan,2\n", "countries.csv:3:risk: must be a number in [0, 1]"),
    ("countries", "id,name\nCN,China\nJP,Japan\nQQ,Nowhere\n", "countries.csv:4:id: 'QQ' is not an ISO 3166-1 alpha-2 code"),
    ("suppliers", "id,name,country\nshin,Shin-Etsu,ZZ\n", "suppliers.csv:2:country: unknown country 'ZZ'"),
    ("suppliers", "id,name,country,colour\nshin,Shin-Etsu,JP,red\n", "suppliers.csv:1:colour: unknown column (typo?)"),
    ("suppliers", "id,name,country,owner\nshin,Shin-Etsu,JP,ZZ\n", "suppliers.csv:2:owner: unknown country 'ZZ'"),
    ("requires", "component,group,member,role\nchip,0,wafer,tool\n",
     "requires.csv:2:role: 'tool' is not a valid role (input or equipment)"),
    ("requires", "component,group,member,share\nchip,0,wafer,0\n", "requires.csv:2:share: must be a number in (0, 1]"),
    ("requires", "component,group,member,role,lifetime_years\nchip,0,wafer,equipment,-3\n",
     "requires.csv:2:lifetime_years: must be a number of years in (0, 1000]"),
    ("requires", "component,group,member,lifetime_years\nchip,0,wafer,12\n",
     "requires.csv:2:lifetime_years: applies to role 'equipment' only"),
    ("requires", "component,group,member,any_of,share\nchip,0,wafer,true,0.5\nchip,0,chip,true,0.4\n",
     "requires.csv:2:share: share differs within one group"),
    ("requires", "component,group,member,any_of,role\nchip,0,wafer,true,equipment\nchip,0,chip,true,\n",
     "requires.csv:2:role: role differs within one group"),
    ("supplies", "component,supplier,country,share,year\nwafer,shin,,1,1850\n",
     "supplies.csv:2:year: must be a year in [1900, 2100]"),
    ("supplies", "component,supplier,country,share,method\nwafer,shin,,1,guess\n",
     "supplies.csv:2:method: 'guess' is not a valid method (customs, production-statistics, company-report, "
     "market-share, equal-split, judgement)"),
    ("settings", "key,value\nhome,CN\nview,sideways\n", "settings.csv:3:value: view: Input should be 'home' or 'global'"),
    ("settings", "key,value\nhome,CN\nunlisted_risk,2\n",
     "settings.csv:3:value: unlisted_risk: Input should be less than or equal to 1"),
    ("settings", "key,value\nhome,CN\nas_of,soon\n",
     "settings.csv:3:value: as_of: Input should be a valid integer, unable to parse string as an integer"),
    ("settings", "key,value\nhome,CN\ncolour,red\n", "settings.csv:3:key: colour: unknown setting (typo?)"),
    ("settings", "key,value\nhome,CN\nhome,JP\n", "settings.csv:3:key: duplicate setting 'home'"),
])
def test_errors_name_table_line_and_column(tmp_path, table, text, expected):
    base(tmp_path)
    write(tmp_path, table, text)
    assert expected in problems(tmp_path)


def test_bad_number_is_a_graph_file_error(tmp_path):
    base(tmp_path)
    write(tmp_path, "supplies", "component,supplier,country,share\nwafer,shin,,lots\n")
    (problem,) = problems(tmp_path)
    assert problem.startswith("supplies.csv:")


def test_many_bad_rows_are_summarised(tmp_path):
    base(tmp_path)
    write(tmp_path, "supplies", "component,supplier,country,share\n" + "wafer,shin,,7\n" * 100)
    found = problems(tmp_path)
    assert len(found) == 21 and "80 more rows" in found[-1]


def test_load_dispatches_and_cli_reads_columnar(tmp_path):
    base(tmp_path / "net")
    g = chainmap.load(tmp_path / "net")
    assert g.products == ["chip"] and chainmap.single_points_of_failure(g)[0].node in {"JP", "shin", "wafer"}
    result = runner.invoke(app, ["spof", str(tmp_path / "net"), "--format", "json"])
    assert result.exit_code == 0, result.output
    bad = tmp_path / "bad"
    base(bad)
    write(bad, "supplies", "component,supplier,country,share\nwafer,shin,,9\n")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code != 0


def test_import_csv_writes_an_equivalent_graph_file(tmp_path):
    g, _ = as_columnar("tests/data/mini", tmp_path / "net")
    result = runner.invoke(app, ["import", "csv", str(tmp_path / "net"), "-o", str(tmp_path / "g.yaml")])
    assert result.exit_code == 0, result.output
    back = chainmap.load(tmp_path / "g.yaml")
    assert back.ids == g.ids
    assert chainmap.priorities(back) == chainmap.priorities(g)
    assert chainmap.single_points_of_failure(back) == chainmap.single_points_of_failure(g)
