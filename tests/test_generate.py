"""chainmap generate: deterministic, valid, tiered networks with cycles, any_of groups and products."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import chainmap
from chainmap.cli.app import app
from chainmap.io.generate import generate

runner = CliRunner()


def test_same_seed_same_tables_other_seed_other_tables():
    a, b, c = generate(2000, seed=7), generate(2000, seed=7), generate(2000, seed=8)
    for table in a:
        for column in a[table]:
            assert list(a[table][column]) == list(b[table][column]), (table, column)
    assert list(a["supplies"]["share"]) != list(c["supplies"]["share"])


def test_generated_network_is_valid_and_realistic(tmp_path):
    result = runner.invoke(app, ["generate", "--components", "3000", "--seed", "1", "-o", str(tmp_path / "net")])
    assert result.exit_code == 0, result.output
    g = chainmap.load(tmp_path / "net")
    assert g.n_components == 3000 and g.products and g.home == "CN"
    assert g.group_any_of.any() and not g.group_any_of.all()
    assert any(step.cyclic for step in g.schedule.steps)  # some cycles
    fan_out = np.bincount(g.entry_supplier[g.entry_supplier >= 0], minlength=g.n_suppliers)
    assert fan_out.max() > 20 * max(np.median(fan_out), 1)  # heavy-tailed
    edges = g.entry_comp.size + g.group_members.size + g.n_suppliers
    assert 4 * g.n_components < edges < 6 * g.n_components
    assert chainmap.priorities(g, top=3) and chainmap.simulate(g)


def test_parquet_output_and_atomic_rewrite(tmp_path):
    out = tmp_path / "net"
    assert runner.invoke(app, ["generate", "-n", "500", "-o", str(out), "--format", "csv"]).exit_code == 0
    assert runner.invoke(app, ["generate", "-n", "500", "-o", str(out), "--format", "parquet"]).exit_code == 0
    assert not list(out.glob("*.csv")) and not list(out.glob(".*tmp"))
    assert chainmap.load(out).n_components == 500


def test_chunked_writing_equals_the_in_memory_tables(tmp_path, monkeypatch):
    """``write_generated`` streams chunk by chunk (never the whole graph in memory) and writes what
    ``generate`` returns with the same chunk size; a failure midway leaves no table behind."""
    import pyarrow.parquet as pq

    from chainmap.io import generate as gen

    expected = generate(2500, seed=4, chunk=700)
    gen.write_generated(tmp_path / "net", 2500, seed=4, fmt="parquet", chunk=700)
    requires = pq.ParquetFile(tmp_path / "net" / "requires.parquet")
    assert requires.metadata.num_row_groups == 5  # 4 chunks + the back edges, one row group each
    for table, columns in expected.items():
        got = pq.read_table(tmp_path / "net" / f"{table}.parquet")
        for column, values in columns.items():
            assert got.column(column).to_pylist() == list(values.to_pylist() if hasattr(values, "to_pylist")
                                                           else values), (table, column)
    g = chainmap.load(tmp_path / "net")
    assert g.n_components == 2500 and any(step.cyclic for step in g.schedule.steps)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(gen, "_back_edges", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        gen.write_generated(tmp_path / "broken", 2500, seed=4, fmt="csv", chunk=700)
    assert not (tmp_path / "broken").exists()  # nothing written, no staging folder left behind
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
