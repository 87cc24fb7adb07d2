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
    ("components", "id,name,sector,value\nwafer,Wafer,39,-1\nchip,Chip,39,\n", "components.csv:2:value: must be a finite number >= 0"),
    ("countries", "id,name,risk\nCN,China,\nJP,Japan,2\n", "countries.csv:3:risk: must be a number in [0, 1]"),
    ("countries", "id,name\nCN,China\nJP,Japan\nQQ,Nowhere\n", "countries.csv:4:id: 'QQ' is not an ISO 3166-1 alpha-2 code"),
    ("suppliers", "id,name,country\nshin,Shin-Etsu,ZZ\n", "suppliers.csv:2:country: unknown country 'ZZ'"),
    ("suppliers", "id,name,country,colour\nshin,Shin-Etsu,JP,red\n", "suppliers.csv:1:colour: unknown column (typo?)"),
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
