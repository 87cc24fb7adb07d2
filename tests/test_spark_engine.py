"""The Spark engine (chainmap.engines.spark) equals the igraph core within 1e-9.

Many random v2 graphs (tests/strategies.py: acyclic and cyclic, every v2
feature, each with its own capacities, horizon and reach) are evaluated in ONE
Spark job each: their disjoint union, ids prefixed ``g<i>.``, with the
horizon and reach carried row by row. One local[2] session serves the module:
under pytest-xdist (``make test``) the module runs whole on one worker
(tests/conftest.py), so one JVM starts. Skipped only where Java or pyspark is
missing.
"""

from __future__ import annotations

import importlib.util
import math
import os
import shutil
import time

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings

from chainmap.analysis.bottlenecks import bottlenecks as core_bottlenecks
from chainmap.analysis.cuts import cut_sets as core_cut_sets
from chainmap.analysis.priority import priorities as core_priorities
from chainmap.analysis.propagate import availability
from chainmap.analysis.scenario import Scenario, capacities
from chainmap.analysis.simulate import simulate as core_simulate
from chainmap.analysis.spof import spof_sets as core_spof_sets
from chainmap.graph import SupplyGraph
from chainmap.model.schema import RESERVED_ID, Settings

from .strategies import spec_and_scenario

if importlib.util.find_spec("pyspark") is None:
    pytest.skip("pyspark is not installed (pip install 'chainmap[spark]')", allow_module_level=True)
if shutil.which("java") is None:
    pytest.skip("no Java runtime (Spark needs Java 17: apt-get install default-jre-headless)", allow_module_level=True)

from chainmap.engines import spark as sp
from chainmap.engines.spark import propagate as P
from chainmap.engines.spark import tables

TOL = 1e-9
N_GRAPHS = 10


def draw_cases(salt: int) -> list:
    """N_GRAPHS random cases (reproducible: a fixed seed; Hypothesis' first, all-minimal draw is skipped)."""
    out: list = []

    @seed(20240 + salt)
    @settings(max_examples=N_GRAPHS + 1, deadline=None, phases=[Phase.generate], database=None,
              suppress_health_check=list(HealthCheck))
    @given(spec_and_scenario())
    def collect(case):
        out.append(case)

    collect()
    return out[1:]


TEST_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
"""The test JVM's flags: the tests run many tiny jobs for minutes, where C2 compilation and parallel GC threads
burn CPU they never win back (one test: 114 -> 76 s CPU with these and one shuffle partition)."""


@pytest.fixture(scope="module")
def spark():
    # every table here is a few hundred rows (the engine's defaults are for real graphs): one shuffle partition
    # and a 2 GB heap (the default, half the machine, let a serial-GC JVM grow to 10 GB beside the other worker)
    session = sp.local_session("local[2]", shuffle_partitions=1, memory="2g",
                               extra={"spark.driver.extraJavaOptions": TEST_JVM})
    yield session
    session.stop()


class Union:
    """The disjoint union of the cases as one SparkGraph, and each case's core graph and scenario."""

    def __init__(self, spark, cases, per_row_horizon: bool = True) -> None:
        rows: dict[str, list] = {k: [] for k in tables.SCHEMAS}
        self.graphs: list[tuple[str, SupplyGraph, Scenario]] = []
        blocs: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        limit: dict[str, float] = {}
        for i, (spec, caps, horizon, reach) in enumerate(cases):
            g = SupplyGraph.from_spec(spec)
            pfx = f"g{i}."
            r = tables.graph_rows(g, pfx)
            if per_row_horizon:
                r["comps"] = [(*row, horizon) for row in r["comps"]]
            r["entries"] = [(row[0] + 1_000_000 * i, *row[1:], reach == "owner") for row in r["entries"]]
            for k, v in r.items():
                rows[k].extend(v)
            blocs.update({pfx + b.id: [pfx + m for m in b.members] for b in g.blocs.values()})
            names.update({pfx + code: s.name for code, s in g.sectors.items()})
            limit.update({pfx + n: v for n, v in caps.items()})
            self.graphs.append((pfx, g, Scenario(limit=caps, horizon=horizon if per_row_horizon else math.inf,
                                                 reach=reach)))
        schemas = dict(tables.SCHEMAS)
        if per_row_horizon:
            schemas["comps"] += ", horizon double"
        schemas["entries"] += ", by_owner boolean"
        frames = {k: spark.createDataFrame(rows[k], schemas[k]) for k in schemas}
        self.graph = tables.SparkGraph(spark, frames, Settings(), blocs, names,
                                       frozenset(p + RESERVED_ID for p, _, _ in self.graphs))
        self.scenario = Scenario(limit=limit, horizon=math.inf)


def close(a: float, b: float) -> bool:
    return abs(a - b) <= TOL


def test_availability_simulate_and_priorities_equal_the_core(spark):
    u = Union(spark, draw_cases(1))
    start = time.time()
    got = sp.simulate(u.graph, u.scenario)
    comps = {c.id: c for c in got.components}
    sectors = {s.code: s for s in got.sectors}
    for pfx, g, scenario in u.graphs:
        caps = capacities(g, scenario)
        expected = availability(g, caps)
        core = core_simulate(g, scenario)
        for i, cid in enumerate(g.component_ids):
            mine = comps[pfx + cid]
            assert close(mine.availability, float(expected[i])), (pfx + cid, mine, float(expected[i]))
            ref = core.components[i]
            assert close(mine.baseline, ref.baseline) and close(mine.impact, ref.impact)
            if abs(ref.availability) > TOL:  # a loop decaying to 0 stops within the tolerance of 0
                assert mine.up == ref.up
        for s in core.sectors:
            mine_s = sectors[pfx + s.code]
            assert close(mine_s.availability, s.availability) and close(mine_s.baseline, s.baseline), (pfx, s, mine_s)
    rows = {p.id: p for p in sp.priorities(u.graph, u.scenario)}
    n = 0
    # impact is a value-weighted loss over ALL products: the union's total value, not one graph's
    totals = {pfx: float(g.value[g.product_index].sum()) for pfx, g, _ in u.graphs}
    union_total = sum(totals.values())
    for pfx, g, scenario in u.graphs:
        scale = totals[pfx] / union_total
        for ref in core_priorities(g, scenario=scenario):
            mine_p = rows.pop(pfx + ref.id)
            n += 1
            assert close(mine_p.impact, ref.impact * scale), (pfx + ref.id, mine_p, ref)
            assert close(mine_p.score, ref.score * scale), (pfx + ref.id, mine_p, ref)  # weights 1: linear in impact
            for f in ("exposure", "gap", "urgency", "foreign_share"):
                assert close(getattr(mine_p, f), getattr(ref, f)), (pfx + ref.id, f, mine_p, ref)
            assert mine_p.foreign_countries == [pfx + k for k in ref.foreign_countries]
    assert not rows, f"priority rows the core does not have: {sorted(rows)}"
    print(f"simulate+priorities over {len(u.graphs)} graphs ({n} priority scenarios): {time.time() - start:.1f}s")


@pytest.mark.parametrize("narrow", [True, False], ids=["narrow-rounds", "cluster-joins"])
def test_join_strategies_of_big_jobs_give_the_same_values(spark, monkeypatch, narrow):
    """The join plans of big jobs (nothing broadcast; with ``narrow`` the few rows of a round broadcast and the
    big tables filtered where they lie) give the core's availability: forced here on small graphs."""
    monkeypatch.setattr(P, "BROADCAST_ROWS", 0)
    monkeypatch.setattr(P, "NARROW_ROWS", 10**9 if narrow else -1)
    u = Union(spark, draw_cases(4)[:3])
    got = {c.id: c.availability for c in sp.simulate(u.graph, u.scenario).components}
    for pfx, g, scenario in u.graphs:
        expected = availability(g, capacities(g, scenario))
        for i, cid in enumerate(g.component_ids):
            assert close(got[pfx + cid], float(expected[i])), (pfx + cid, got[pfx + cid], float(expected[i]))


def test_bottlenecks_equal_the_core(spark):
    u = Union(spark, draw_cases(2))
    candidates = [pfx + n for pfx, g, _ in u.graphs for n in g.country_ids + g.supplier_ids]
    got = {b.node: b for b in sp.bottlenecks(u.graph, candidates, u.scenario)}
    for pfx, g, scenario in u.graphs:
        for ref in core_bottlenecks(g, scenario=scenario):
            if ref.reason != "removal":
                continue
            mine = got.pop(pfx + ref.node)
            assert mine.hits == [pfx + h for h in ref.hits]
            assert close(mine.max_drop, ref.max_drop)
            assert mine.drops.keys() == {pfx + k for k in ref.drops}
            assert all(close(mine.drops[pfx + k], v) for k, v in ref.drops.items())
    assert not got, f"bottlenecks the core does not have: {sorted(got)}"


@pytest.mark.skipif(os.environ.get("CHAINMAP_SPARK_FULL") != "1",
                    reason="takes over 8 minutes on 2 cores (one Spark scenario per country and country pair); "
                           "run with CHAINMAP_SPARK_FULL=1")
def test_country_spof_and_cut_sets_equal_the_core(spark):
    u = Union(spark, draw_cases(3)[:6], per_row_horizon=False)
    got = sp.spof_sets(u.graph, None, ("country",), u.scenario)
    targets = []
    for pfx, g, scenario in u.graphs:
        for t, nodes in core_spof_sets(g, kinds=("country",), scenario=scenario).items():
            assert got[pfx + t] == {pfx + n for n in nodes}, (pfx + t, got[pfx + t], nodes)
            targets.append((pfx, g, scenario, t))
    for pfx, g, scenario, t in targets[:1]:
        mine = sp.cut_sets(u.graph, pfx + t, 2, ("country",), u.scenario)
        ref = core_cut_sets(g, t, 2, ("country",), scenario)
        assert [c.nodes for c in mine] == [[pfx + n for n in c.nodes] for c in ref], (pfx + t, mine, ref)


def test_public_api_on_a_columnar_folder(spark, tmp_path):
    """A columnar folder read by Spark gives the core's answer, loopback-only session."""
    import chainmap
    from chainmap.io.columnar import tables_of, write_tables

    g = chainmap.load("tests/data/mini")
    write_tables(tmp_path, tables_of(g), fmt="parquet")
    scenario = Scenario(remove=("NL",), horizon="1y")
    got = sp.simulate(str(tmp_path), scenario, spark=spark)
    ref = core_simulate(g, scenario)
    assert [c.id for c in got.components] == [c.id for c in ref.components]
    assert all(close(a.availability, b.availability) for a, b in zip(got.components, ref.components, strict=True))
    assert spark.conf.get("spark.driver.host") == "127.0.0.1"
    assert spark.conf.get("spark.driver.bindAddress") == "127.0.0.1"
    assert P.TOLERANCE <= 1e-12


def test_cli_simulate_with_engine_spark_equals_the_core(spark, tmp_path):
    """``chainmap simulate FOLDER --engine spark --remove NL`` prints the core's answer."""
    import json

    from typer.testing import CliRunner

    import chainmap
    from chainmap.cli.app import app
    from chainmap.io.columnar import tables_of, write_tables

    write_tables(tmp_path, tables_of(chainmap.load("tests/data/mini")), fmt="parquet")
    runner = CliRunner()
    args = ["simulate", str(tmp_path), "--remove", "NL", "--horizon", "1y", "--format", "json"]
    core = runner.invoke(app, args)
    got = runner.invoke(app, [*args, "--engine", "spark"])
    assert core.exit_code == 0 and got.exit_code == 0, got.output
    mine, ref = json.loads(got.stdout), json.loads(core.stdout)
    assert (mine["horizon"], mine["reach"]) == (ref["horizon"], ref["reach"])
    for a, b in zip(mine["components"], ref["components"], strict=True):
        assert a["id"] == b["id"] and close(a["availability"], b["availability"])


def test_cli_priorities_and_bottlenecks_with_engine_spark_equal_the_core(spark, tmp_path):
    """``priorities`` and ``bottlenecks --candidates`` through ``--engine spark`` print the core's rows."""
    import json

    from typer.testing import CliRunner

    import chainmap
    from chainmap.cli.app import app
    from chainmap.io.columnar import tables_of, write_tables

    write_tables(tmp_path, tables_of(chainmap.load("tests/data/mini")), fmt="parquet")
    runner = CliRunner()
    args = ["priorities", str(tmp_path), "--horizon", "1y", "--format", "json"]
    core, got = runner.invoke(app, args), runner.invoke(app, [*args, "--engine", "spark"])
    assert core.exit_code == 0 and got.exit_code == 0, got.output
    ref, mine = json.loads(core.stdout), json.loads(got.stdout)
    assert [r["id"] for r in mine] == [r["id"] for r in ref]
    assert all(close(a["score"], b["score"]) for a, b in zip(mine, ref, strict=True))
    args = ["bottlenecks", str(tmp_path), "--candidates", "NL", "--candidates", "JP", "--format", "json"]
    core, got = runner.invoke(app, args), runner.invoke(app, [*args, "--engine", "spark"])
    assert core.exit_code == 0 and got.exit_code == 0, got.output
    ref = [r for r in json.loads(core.stdout) if r["reason"] == "removal"]
    mine = json.loads(got.stdout)
    assert [(r["node"], r["hits"]) for r in mine] == [(r["node"], r["hits"]) for r in ref]
    assert all(close(a["max_drop"], b["max_drop"]) for a, b in zip(mine, ref, strict=True))
    missing = runner.invoke(app, ["bottlenecks", str(tmp_path), "--engine", "spark"])
    assert missing.exit_code == 2 and "--candidates" in missing.output


def test_cli_spof_and_cuts_with_engine_spark_equal_the_core(spark, tmp_path):
    """``spof --kind country`` and ``cuts`` through ``--engine spark`` print the core's rows; ``--output`` writes
    the rows as Parquet plus result.json and result.csv."""
    import json

    import pyarrow.parquet as pq
    from typer.testing import CliRunner

    import chainmap
    from chainmap.cli.app import app
    from chainmap.io.columnar import tables_of, write_tables

    graph_dir, out = tmp_path / "graph", tmp_path / "out"
    write_tables(graph_dir, tables_of(chainmap.load("tests/data/mini")), fmt="parquet")
    runner = CliRunner()
    args = ["spof", str(graph_dir), "--kind", "country", "--format", "json"]
    core, got = runner.invoke(app, args), runner.invoke(app, [*args, "--engine", "spark", "--output", str(out)])
    assert core.exit_code == 0 and got.exit_code == 0, got.output
    ref, mine = json.loads(core.stdout), json.loads(got.stdout)
    assert mine == ref and any(r["foreign"] for r in ref)
    assert json.loads((out / "result.json").read_text()) == ref
    table = pq.read_table(out / "result")
    assert table.column("node").to_pylist() == [r["node"] for r in ref]
    assert (out / "result.csv").read_text().splitlines()[0] == "node,kind,name,country,foreign,targets"
    target = ref[0]["targets"][0]
    args = ["cuts", str(graph_dir), "--target", target, "--max-order", "2", "--format", "json"]
    core, got = runner.invoke(app, args), runner.invoke(app, [*args, "--engine", "spark"])
    assert core.exit_code == 0 and got.exit_code == 0, got.output
    assert json.loads(got.stdout) == json.loads(core.stdout)
    wrong = runner.invoke(app, ["spof", str(graph_dir), "--kind", "supplier", "--engine", "spark"])
    assert wrong.exit_code == 2 and "countries only" in wrong.output
    no_spark = runner.invoke(app, ["spof", str(graph_dir), "--output", str(out)])
    assert no_spark.exit_code == 2 and "--engine spark" in no_spark.output


@pytest.mark.skipif(os.environ.get("CHAINMAP_SPARK_FULL") != "1",
                    reason="2-3 minutes of three fresh processes (generate, core, a second JVM); "
                           "run with CHAINMAP_SPARK_FULL=1 (make test-full)")
def test_spark_benchmark_smoke(tmp_path):
    """benchmarks/spark.py runs end to end at a smoke size; the core and Spark give the same availabilities."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, str(root / "benchmarks" / "spark.py"), "--sizes", "3000", "--smoke",
                           "--data", str(tmp_path / "data"), "--spark-memory", "1g"],
                          capture_output=True, text=True, timeout=600, cwd=root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    row = next(line for line in proc.stdout.splitlines() if line.startswith("| 3,000 |"))
    assert "| yes (max diff" in row, row
