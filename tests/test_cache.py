"""The on-disk cache of compiled graphs: reused when the files are unchanged, recomputed when they change or the
cache file is damaged, never a different answer."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import chainmap
from chainmap.cache import cache_dir, cache_enabled, load_cached
from chainmap.cli.app import app
from chainmap.io.columnar import tables_of, write_tables

runner = CliRunner()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("CHAINMAP_CACHE", str(folder))
    monkeypatch.setenv("CHAINMAP_CACHE_MIN_BYTES", "0")
    previous = cache_enabled()
    cache_enabled(False)  # the library default (a command line run in this process may have turned it on)
    yield folder
    cache_enabled(previous)


class Counting:
    """A loader that counts its calls."""

    def __init__(self, path: Path, home: str | None = None) -> None:
        self.path, self.home, self.calls = path, home, 0

    def __call__(self) -> chainmap.SupplyGraph:
        self.calls += 1
        return chainmap.load(self.path, home=self.home, cache=False)


def columnar(folder: Path, fmt: str = "csv") -> Path:
    write_tables(folder, tables_of(chainmap.load("tests/data/mini")), fmt)
    return folder


def same_results(a: chainmap.SupplyGraph, b: chainmap.SupplyGraph) -> bool:
    arrays = ("entry_comp", "entry_share", "group_ptr", "group_members", "group_share", "supplier_owner")
    return (a.ids == b.ids and a.settings == b.settings and a.files == b.files
            and all(np.array_equal(getattr(a, n), getattr(b, n)) for n in arrays)
            and [s.comps.tolist() for s in a.schedule.steps] == [s.comps.tolist() for s in b.schedule.steps]
            and chainmap.priorities(a) == chainmap.priorities(b)
            and chainmap.single_points_of_failure(a) == chainmap.single_points_of_failure(b)
            and chainmap.bottlenecks(a) == chainmap.bottlenecks(b))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_second_load_comes_from_the_cache_with_the_same_results(tmp_path, cache, fmt):
    net = columnar(tmp_path / "net", fmt)
    loader = Counting(net)
    first = load_cached(net, loader=loader)
    again = load_cached(net, loader=loader)
    assert loader.calls == 1 and len(list(cache.glob("graph-*.pickle"))) == 1
    assert same_results(first, again) and same_results(again, chainmap.load(net))
    assert again.components["wafer"] == first.components["wafer"]


def test_yaml_graph_keeps_records_origins_and_warnings(tmp_path, cache):
    shutil.copytree("tests/data/mini", tmp_path / "mini")
    loader = Counting(tmp_path / "mini")
    first = load_cached(tmp_path / "mini", loader=loader)
    again = load_cached(tmp_path / "mini", loader=loader)
    assert loader.calls == 1 and same_results(first, again)
    assert again.warnings == first.warnings and again.warnings and again.origins == first.origins
    assert again.spec == first.spec and again.components["scanner"] == first.components["scanner"]


def test_an_edited_file_is_loaded_again(tmp_path, cache):
    net = columnar(tmp_path / "net")
    loader = Counting(net)
    before = load_cached(net, loader=loader)
    supplies = net / "supplies.csv"
    text = supplies.read_text()
    lines = text.splitlines()
    header = lines[0].replace('"', "").split(",")
    share = header.index("share")
    row = lines[1].split(",")
    row[share] = '"0.5"' if row[share] != '"0.5"' else '"0.25"'
    supplies.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n")
    after = load_cached(net, loader=loader)
    assert loader.calls == 2
    assert not np.array_equal(after.entry_share, before.entry_share)
    assert same_results(after, chainmap.load(net))
    # another home is another key; a new table file too
    load_cached(net, home="JP", loader=Counting(net, "JP"))
    assert len(list(cache.glob("graph-*.pickle"))) == 3


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "other-key"])
def test_a_damaged_cache_file_is_ignored_and_recomputed(tmp_path, cache, damage):
    net = columnar(tmp_path / "net")
    loader = Counting(net)
    first = load_cached(net, loader=loader)
    (file,) = cache.glob("graph-*.pickle")
    data = file.read_bytes()
    if damage == "truncate":
        file.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        file.write_bytes(b"chainmap-graph-cache\n" + b"\x80\x05garbage" * 10)
    elif damage == "empty":
        file.write_bytes(b"")
    else:  # a valid cache file of another graph under this key
        other = columnar(tmp_path / "other", "parquet")
        load_cached(other, loader=Counting(other))
        (twin,) = [f for f in cache.glob("graph-*.pickle") if f != file]
        file.write_bytes(twin.read_bytes())
    again = load_cached(net, loader=loader)
    assert loader.calls == 2 and same_results(first, again)
    assert load_cached(net, loader=loader) is not None and loader.calls == 2  # rewritten, then reused


def test_deleting_the_cache_is_safe_and_small_graphs_skip_it(tmp_path, cache, monkeypatch):
    net = columnar(tmp_path / "net")
    load_cached(net)
    shutil.rmtree(cache)
    assert same_results(load_cached(net), chainmap.load(net))
    monkeypatch.setenv("CHAINMAP_CACHE_MIN_BYTES", str(10**9))
    shutil.rmtree(cache)
    load_cached(net)
    assert not cache.exists()
    monkeypatch.setenv("CHAINMAP_CACHE_MIN_BYTES", "0")
    monkeypatch.setenv("CHAINMAP_CACHE", "off")
    load_cached(net)
    assert not cache.exists() and not Path("off").exists()


def test_cli_uses_the_cache_unless_no_cache(tmp_path, cache):
    net = columnar(tmp_path / "net")
    fresh = runner.invoke(app, ["--no-cache", "validate", str(net), "--format", "json"])
    assert fresh.exit_code == 0, fresh.output
    assert not cache.exists()
    first = runner.invoke(app, ["validate", str(net), "--format", "json"])
    assert len(list(cache.glob("graph-*.pickle"))) == 1
    second = runner.invoke(app, ["validate", str(net), "--format", "json"])
    assert first.output == second.output == fresh.output
    spof = [runner.invoke(app, [*flag, "spof", str(net), "--format", "csv"]).output for flag in ([], ["--no-cache"])]
    assert spof[0] == spof[1] and spof[0].count("\n") > 1
    # a bad graph is an error whatever the cache holds
    (net / "supplies.csv").write_text("component,supplier,country,share\nwafer,,JP,9\n")
    bad = runner.invoke(app, ["validate", str(net)])
    assert bad.exit_code == 2 and "must be a number in [0, 1]" in bad.output
    assert cache_dir() == cache
