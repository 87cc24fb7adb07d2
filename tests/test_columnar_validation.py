"""The vectorised validation of columnar tables rejects what the pydantic (YAML) path rejects.

Random graphs (tests/strategies.py) are written both ways, as one graph file
and as columnar tables; the same corruption is applied to both (every row of
the chosen component, supplier or country that it touches); both loads must
fail, each naming the corrupted column, or both succeed with the same arrays.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chainmap
from chainmap.errors import GraphFileError
from chainmap.graph import SupplyGraph
from chainmap.io.columnar import graph_data, tables_of, write_tables
from tests.strategies import specs

Tables = dict[str, dict[str, list[Any]]]
Mutation = Callable[[dict[str, Any], Tables, str], bool]


def _rows(tables: Tables, table: str, column: str, value: str) -> list[int]:
    return [r for r, v in enumerate(tables[table][column]) if v == value]


def _column(tables: Tables, table: str, field: str) -> list[Any]:
    """Column ``field`` of ``table``, added (all empty) when the table has none."""
    columns = tables[table]
    return columns.setdefault(field, [None] * len(next(iter(columns.values()))))


def _comp(data: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in data["components"] if c["id"] == cid)


def supply_field(field: str, value: Any, kind: str | None = None) -> Mutation:
    """Set ``field`` of every supply entry of a component (of one kind: supplier or country entries)."""
    def mutate(data: dict[str, Any], tables: Tables, cid: str) -> bool:
        touched = False
        for r in _rows(tables, "supplies", "component", cid):
            if kind is not None and tables["supplies"][kind][r] is None:
                continue
            _column(tables, "supplies", field)[r] = value
            touched = True
        for entry in _comp(data, cid).get("suppliers", []):
            if kind is None or entry.get(kind) is not None:
                entry[field] = value
        return touched
    return mutate


def component_field(field: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any], tables: Tables, cid: str) -> bool:
        for r in _rows(tables, "components", "id", cid):
            _column(tables, "components", field)[r] = value
        _comp(data, cid)[field] = value
        return True
    return mutate


def duplicate_component(data: dict[str, Any], tables: Tables, cid: str) -> bool:
    r = _rows(tables, "components", "id", cid)[0]
    for column in tables["components"].values():
        column.append(column[r])
    data["components"].append({"id": cid, "name": "Again"})
    return True


def requirement_field(field: str, value: Any, plain_ok: bool = True) -> Mutation:
    """Set ``field`` of every requirement (group member row) of a component."""
    def mutate(data: dict[str, Any], tables: Tables, cid: str) -> bool:
        rows = _rows(tables, "requires", "component", cid)
        for r in rows:
            _column(tables, "requires", field)[r] = value
        comp = _comp(data, cid)
        out = []
        for req in comp.get("requires", []):
            req = {"component": req} if isinstance(req, str) else dict(req)
            if field == "member":
                req.pop("component", None)
                req.pop("any_of", None)
                req["component"] = value
            else:
                req[field] = value
            out.append(req)
        comp["requires"] = out
        return bool(rows)
    return mutate


def supplier_field(field: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any], tables: Tables, cid: str) -> bool:
        if not tables["suppliers"]["id"]:
            return False
        sid = tables["suppliers"]["id"][0]
        _column(tables, "suppliers", field)[0] = value
        next(s for s in data["suppliers"] if s["id"] == sid)[field] = value
        return True
    return mutate


def country_field(field: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any], tables: Tables, cid: str) -> bool:
        _column(tables, "countries", field)[0] = value
        data["countries"][0][field] = value
        return True
    return mutate


# (name, mutation, the column the columnar error must name; None: no corruption, both load)
MUTATIONS: list[tuple[str, Mutation | None, str | None]] = [
    ("valid", None, None),
    ("share above 1", supply_field("share", 1.5), "share"),
    ("negative share", supply_field("share", -0.1), "share"),
    ("unknown supplier", supply_field("supplier", "nobody", kind="supplier"), "supplier"),
    ("unknown country", supply_field("country", "ZZ", kind="country"), "country"),
    ("year out of range", supply_field("year", 1850), "year"),
    ("unknown method", supply_field("method", "guess"), "method"),
    ("negative value", component_field("value", -1.0), "value"),
    ("negative stock", component_field("stock_days", -5.0), "stock_days"),
    ("bad sector", component_field("sector", "99"), "sector"),
    ("duplicate id", duplicate_component, "id"),
    ("unknown member", requirement_field("member", "waffle"), "member"),
    ("zero requirement share", requirement_field("share", 0.0), "share"),
    ("unknown role", requirement_field("role", "tool"), "role"),
    ("negative lifetime", requirement_field("lifetime_years", -3.0), "lifetime_years"),
    ("supplier in an unknown country", supplier_field("country", "ZZ"), "country"),
    ("unknown owner", supplier_field("owner", "ZZ"), "owner"),
    ("risk above 1", country_field("risk", 2.0), "risk"),
]


YAML_FIELD = {"member": "component"}


def _load(path: Path) -> tuple[SupplyGraph | None, list[Any]]:
    try:
        return chainmap.load(path), []
    except GraphFileError as exc:
        return None, exc.problems


@pytest.mark.parametrize(("name", "mutation", "column"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=specs(max_components=5, max_suppliers=3), pick=st.integers(0, 10), fmt=st.sampled_from(["csv", "parquet"]))
def test_columnar_validation_rejects_what_the_pydantic_path_rejects(name, mutation, column, spec, pick, fmt):
    # a columnar product is a component flagged ``product`` in its sector: give the products their sector
    products = {pid for sector in spec.sectors for pid in sector.products}
    spec = spec.model_copy(update={"components": [c.model_copy(update={"sector": "39"}) if c.id in products else c
                                                  for c in spec.components]})
    graph = SupplyGraph.from_spec(spec)
    data = copy.deepcopy(graph_data(graph))
    tables: Tables = {t: {c: list(v) for c, v in cols.items()} for t, cols in tables_of(graph).items()}
    cid = graph.component_ids[pick % graph.n_components]
    if mutation is not None and not mutation(data, tables, cid):
        return  # nothing to corrupt in this graph (no supply entry, requirement or supplier of that kind)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "yaml").mkdir()
        (folder / "yaml" / "graph.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        write_tables(folder / "cols", tables, fmt)
        from_yaml, yaml_problems = _load(folder / "yaml")
        from_cols, col_problems = _load(folder / "cols")
    assert (from_yaml is None) == (from_cols is None), (name, yaml_problems, col_problems)
    if column is None:
        assert from_yaml is not None and from_cols is not None
        assert from_cols.ids == from_yaml.ids
        for attr in ("entry_comp", "entry_supplier", "entry_country", "entry_share", "group_ptr", "group_members",
                     "group_share", "group_equipment", "supplier_owner"):
            assert np.array_equal(getattr(from_cols, attr), getattr(from_yaml, attr)), attr
        return
    assert from_cols is None, name
    # the columnar error names the corrupted column, on one line, with the table's file and line
    assert any(p.field == column for p in col_problems), (name, [str(p) for p in col_problems])
    for p in col_problems:
        assert "\n" not in str(p) and (p.line > 0 or p.field)
    # the pydantic path names the same field (a group member is a requirement's ``component`` in a graph file)
    field = YAML_FIELD.get(column, column)
    assert any(field in p.field or field in p.message for p in yaml_problems), (name, [str(p) for p in yaml_problems])


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_coverage_from_columns_equals_coverage_of_the_spec(tmp_path, fmt):
    from chainmap.io.generate import write_generated
    from chainmap.model.coverage import coverage, graph_coverage

    write_generated(tmp_path / "gen", 2000, seed=5, fmt=fmt)
    mini = chainmap.load("tests/data/mini")
    write_tables(tmp_path / "mini", tables_of(mini), fmt)
    for folder in (tmp_path / "gen", tmp_path / "mini"):
        graph = chainmap.load(folder)
        fast = graph_coverage(graph)
        assert graph._spec is None  # counted from the columns, the spec not built
        slow = coverage(graph.spec, graph.origins)
        assert fast == slow
        assert [s.suppliers for s in fast.sectors] == [s.suppliers for s in slow.sectors]
        assert fast.total.facts > 0 and any(s.sourced_facts for s in fast.sectors) == any(s.sourced_facts
                                                                                          for s in slow.sectors)
