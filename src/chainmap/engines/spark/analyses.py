"""The analyses on Spark: simulate, bottlenecks over candidates, priorities, country SPOF and cut sets.

Each is batched scenario propagation (:mod:`.propagate`): the scenario state
is solved once from all ones; then every removal (a candidate, a country, a
set of countries, one component's foreign supply) is one more scenario of a
single job, solved from that state, its rows kept only where they differ.
Down-ness (SPOF, cut sets) is read from those exact availabilities (``a <=
1e-12`` at horizon ``long``), which is the DESIGN definition itself, so no
kill-set shortcut is needed. Results are the core's dataclasses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from chainmap.analysis.bottlenecks import Bottleneck
from chainmap.analysis.cuts import CutSet
from chainmap.analysis.priority import Priority, resolve_weights, urgency
from chainmap.analysis.scenario import LONG, Scenario, format_horizon
from chainmap.analysis.simulate import ComponentAvailability, SectorAvailability, SimulationResult
from chainmap.analysis.spof import DOWN, SinglePointOfFailure
from chainmap.engines.spark import propagate as P
from chainmap.engines.spark.session import get_session
from chainmap.engines.spark.tables import SparkGraph, from_graph, read_graph
from chainmap.errors import ScenarioError, UnknownNodeError
from chainmap.graph import SupplyGraph
from chainmap.model.schema import Weights

__all__ = ["Baseline", "bottlenecks", "cut_sets", "load", "priorities", "simulate", "single_points_of_failure",
           "solve_baseline", "spof_sets"]


def _F() -> Any:
    from pyspark.sql import functions as F

    return F


def load(path_or_graph: str | SupplyGraph | SparkGraph, spark: Any = None, home: str | None = None) -> SparkGraph:
    """A :class:`SparkGraph` from a columnar path (any Spark-readable URI), a loaded graph, or itself."""
    if isinstance(path_or_graph, SparkGraph):
        return path_or_graph
    spark = get_session(spark)
    if isinstance(path_or_graph, SupplyGraph):
        return from_graph(spark, path_or_graph.with_home(home))
    return read_graph(spark, str(path_or_graph), home=home)


def scenario_caps(graph: SparkGraph, scenario: Scenario | None, sc: str) -> list[tuple[str, str, float]]:
    """``(sc, node, cap)`` rows of a scenario (blocs expanded; unknown ids are an error)."""
    if scenario is None:
        return []
    named = [*scenario.remove, *scenario.limit]
    kinds = graph.node_kinds(named)
    rows: list[tuple[str, str, float]] = []

    def add(node: str, value: float) -> None:
        kind = kinds.get(node)
        if kind is None:
            raise ScenarioError(f"scenario names unknown node {node!r}")
        if kind == "bloc":
            members = graph.blocs[node]
            inner = graph.node_kinds(members)
            kinds.update(inner)
            for m in members:
                add(m, value)
            return
        rows.append((sc, node, float(value)))

    for node in scenario.remove:
        add(node, 0.0)
    for node, value in scenario.limit.items():
        if not (0.0 <= value <= 1.0):
            raise ScenarioError(f"capacity of {node!r} must be in [0, 1], got {value}")
        add(node, float(value))
    return [r for r in rows if r[2] < 1.0]


@dataclass
class Baseline:
    """A scenario solved from all ones: its frames, terms and values ``(comp, a)``."""

    graph: SparkGraph
    prep: P.Prepared  # fallback terms: the scenario's
    caps: list[tuple[str, str, float]]  # the scenario's capacities, sc "base"
    values: Any  # comp, a
    rounds: int


def solve_baseline(graph: SparkGraph, scenario: Scenario | None, horizon: float | None = None,
                   reach: str | None = None) -> Baseline:
    """Solve ``scenario`` (default: nothing removed) at its horizon (or ``horizon``) from all ones."""
    spark = graph.spark
    h = scenario.horizon if horizon is None and scenario is not None else (horizon if horizon is not None else 365.0)
    r = reach or (scenario.reach if scenario is not None else "location")
    prep = P.prepare(graph, h, r)
    caps = scenario_caps(graph, scenario, "base")
    terms = P._persist(P.terms_under(prep, P.caps_frame(spark, caps))) if caps else None
    sol = P.solve(prep, ["base"], terms)
    values = P._persist(P.full_values(sol, prep, ["base"]).select("comp", "a"))
    base_terms = terms.drop("sc") if terms is not None else None
    return Baseline(graph, P.with_base(prep, base_terms), caps, values, sol.rounds)


def _batch(base: Baseline, caps: list[tuple[str, str, float]], scenarios: list[str],
           extra_terms: Any | None = None) -> P.Solution:
    """Solve ``scenarios`` over ``base``: each scenario's capacities are the base's plus its own ``caps``."""
    spark = base.graph.spark
    rows = [(s, n, c) for s in scenarios for (_, n, c) in base.caps] + caps
    terms = P.terms_under(base.prep, P.caps_frame(spark, rows)) if caps else None
    if extra_terms is not None:
        terms = extra_terms if terms is None else terms.unionByName(extra_terms)
    return P.solve(base.prep, scenarios, terms, reference=base.values)


def _sector_means(graph: SparkGraph, values: Any, key: Sequence[str] = ()) -> dict[Any, dict[str, float]]:
    """Value-weighted mean of ``a`` over each sector's products (per ``key`` columns)."""
    F = _F()
    v = F.coalesce(F.col("value"), F.lit(1.0))
    df = (graph.products.join(graph.comps.select("comp", "value"), "comp")
          .join(values, "comp").groupBy(*key, "sector")
          .agg(F.sum(v * F.col("a")).alias("num"), F.sum(v).alias("den"), F.avg("a").alias("mean")))
    out: dict[Any, dict[str, float]] = {}
    for row in df.collect():
        k = tuple(row[c] for c in key)
        out.setdefault(k, {})[row["sector"]] = row["num"] / row["den"] if row["den"] > 0 else row["mean"]
    return out


# -- simulate -------------------------------------------------------------------


def simulate(path_or_graph: str | SupplyGraph | SparkGraph, scenario: Scenario | None = None, spark: Any = None,
             baseline: Scenario | None = None, output: str | None = None) -> SimulationResult:
    """Availability of every component under ``scenario`` against ``baseline`` (as the core's simulate).

    With ``output`` (a Spark-writable path), the per-component rows are also
    written there as Parquet (``components/``) by Spark.
    """
    graph = load(path_or_graph, spark)
    scenario = scenario or Scenario()
    F = _F()
    if baseline is None:
        base = solve_baseline(graph, None, scenario.horizon, scenario.reach)
        caps = scenario_caps(graph, scenario, "s")
        sol = _batch(base, caps, ["s"]) if caps else None
        after = (P.full_values(sol, base.prep, ["s"]).select("comp", "a") if sol is not None
                 else base.values)
    else:
        base = solve_baseline(graph, baseline, scenario.horizon, scenario.reach)
        other = solve_baseline(graph, scenario)
        after = other.values
    joined = (graph.comps.select("comp", "name", "sector").join(base.values.withColumnRenamed("a", "baseline"), "comp")
              .join(after.withColumnRenamed("a", "availability"), "comp")
              .withColumn("impact", F.col("baseline") - F.col("availability"))
              .withColumn("up", F.col("availability") > DOWN))  # a decaying loop stops within the tolerance of 0
    joined = P._persist(joined)
    if output is not None:
        joined.withColumnRenamed("comp", "id").write.mode("overwrite").parquet(f"{output.rstrip('/')}/components")
    rows = joined.select("comp", "name", "sector", "baseline", "availability", "impact", "up").orderBy("comp")
    columns = rows.toArrow().to_pydict()  # Arrow, not Row objects: a 1M-row collect in seconds
    components = [ComponentAvailability(c, name, sector, b, a, impact, bool(up)) for c, name, sector, b, a, impact, up
                  in zip(*columns.values(), strict=True)]
    m0 = _sector_means(graph, base.values).get((), {})
    m1 = _sector_means(graph, after).get((), {})
    counts = {r["sector"]: r["count"] for r in graph.products.groupBy("sector").count().collect()}
    sectors = [SectorAvailability(code, graph.sector_names.get(code, code), counts.get(code, 0), m0[code], m1[code],
                                  m0[code] - m1[code]) for code in sorted(m0)]
    return SimulationResult(scenario.describe(), components, sectors, format_horizon(scenario.horizon), scenario.reach)


# -- bottlenecks ----------------------------------------------------------------


def bottlenecks(path_or_graph: str | SupplyGraph | SparkGraph, candidates: Iterable[str], scenario: Scenario | None = None,
                threshold: float | None = None, spark: Any = None, home: str | None = None) -> list[Bottleneck]:
    """Removal bottlenecks among ``candidates`` (foreign countries, blocs, suppliers), most damaging first.

    As the core's :func:`~chainmap.analysis.bottlenecks.bottlenecks` with
    ``candidates``, removal rows only (concentration rows need no
    propagation: take them from the core); ``chain_lengths`` is left empty.
    A bloc candidate removes all its members (kind ``bloc``, foreign when
    every member is).
    """
    graph = load(path_or_graph, spark, home)
    F = _F()
    threshold = graph.settings.bottleneck_threshold if threshold is None else threshold
    scenario = scenario or Scenario()
    wanted = sorted(set(candidates))
    kinds = graph.node_kinds(wanted)
    for node in wanted:
        if node not in kinds or kinds[node] in ("component", "unlisted"):
            raise UnknownNodeError(f"unknown candidate {node!r} (expected a country, bloc or supplier)")
    info = _node_info(graph, wanted, kinds)
    tried = [n for n in wanted if info[n][1]]  # foreign only
    base = solve_baseline(graph, scenario)
    if not tried:
        return []
    caps: list[tuple[str, str, float]] = []
    for n in tried:
        for m in graph.blocs.get(n, [n]) if kinds[n] == "bloc" else [n]:
            caps.append((n, m, 0.0))
    sol = _batch(base, caps, tried)
    drops = (sol.rows.join(graph.products.select("comp").distinct(), "comp")
             .join(base.values.withColumnRenamed("a", "b"), "comp")
             .select("sc", "comp", (F.col("b") - F.col("a")).alias("drop")).where(F.col("drop") > 0))
    by_node: dict[str, dict[str, float]] = {}
    for r in drops.collect():
        by_node.setdefault(r["sc"], {})[r["comp"]] = r["drop"]
    rows = []
    for n in tried:
        d = by_node.get(n, {})
        hits = sorted(t for t, v in d.items() if v >= threshold - 1e-12)
        if threshold - 1e-12 <= 0:
            products = sorted(r["comp"] for r in graph.products.select("comp").distinct().collect())
            hits = sorted(set(hits) | {t for t in products if d.get(t, 0.0) >= threshold - 1e-12})
        if not hits:
            continue
        rows.append(Bottleneck(n, kinds[n], info[n][2], "removal", info[n][0], max(d.values(), default=0.0), hits,
                               drops=dict(sorted(d.items())), chain_lengths={}))
    rows.sort(key=lambda b: (-b.max_drop, -len(b.hits), b.node))
    return rows


def _node_info(graph: SparkGraph, nodes: list[str], kinds: dict[str, str]) -> dict[str, tuple[str | None, bool, str]]:
    """``(country, foreign, name)`` of countries, suppliers and blocs."""
    F = _F()
    out: dict[str, tuple[str | None, bool, str]] = {}
    cty = {r["id"]: (r["name"], bool(r["foreign"])) for r in
           graph.countries.where(F.col("id").isin([*nodes, *[m for b in graph.blocs.values() for m in b]]))
           .select("id", "name", "foreign").collect()}
    sup = {r["id"]: r for r in graph.suppliers.where(F.col("id").isin(nodes)).collect()}
    for n in nodes:
        kind = kinds.get(n)
        if kind == "country":
            out[n] = (n, cty[n][1], cty[n][0])
        elif kind == "supplier":
            out[n] = (sup[n]["country"], bool(sup[n]["foreign"]), sup[n]["name"])
        elif kind == "bloc":
            members = graph.blocs[n]
            out[n] = (None, bool(members) and all(cty.get(m, ("", True))[1] for m in members), n)
    return out


# -- priorities -----------------------------------------------------------------


def priorities(path_or_graph: str | SupplyGraph | SparkGraph, scenario: Scenario | None = None,
               weights: Weights | dict[str, float] | None = None, top: int | None = None, spark: Any = None,
               home: str | None = None) -> list[Priority]:
    """Substitution priority of every component with foreign supply (as the core's priorities).

    Every candidate's impact is one scenario of one batched job: the
    candidate's foreign supply (entries and unlisted remainder) cut, over the
    solved ``scenario``.
    """
    graph = load(path_or_graph, spark, home)
    F = _F()
    w = resolve_weights(graph.settings.weights, weights)
    base = solve_baseline(graph, scenario or Scenario())
    st = base.prep.static
    e = graph.entries.join(st.select("comp", "norm"), "comp").withColumn("ns", F.col("share") / F.col("norm"))
    e = e.join(graph.countries.select(F.col("id").alias("country"), "risk"), "country", "left")
    foreign = (~F.col("domestic")) & (F.col("share") > 0)
    per = e.groupBy("comp").agg(
        F.sum(F.when(foreign, F.col("ns") * F.col("risk")).otherwise(0.0)).alias("exp_listed"),
        F.sum(F.when(foreign, F.col("ns")).otherwise(0.0)).alias("fs_listed"),
        F.max(F.when(foreign, F.lit(1)).otherwise(F.lit(0))).alias("has_foreign"))
    cands = (st.select("comp", "u").join(per, "comp", "left")
             .where((F.coalesce("has_foreign", F.lit(0)) > 0) | (F.col("u") > 0)))
    cands = P._persist(cands.join(graph.comps.select("comp", "name", "sector", "stock_days", "recovery_days"), "comp"))
    ids = [r["comp"] for r in cands.select("comp").collect()]
    if not ids:
        return []
    extra = (cands.select(F.col("comp").alias("sc"), "comp").join(st.select("comp", "cap0", "D1"), "comp")
             .select("sc", "comp", F.col("cap0").alias("cap"), F.lit(0.0).alias("F"), F.col("D1").alias("D")))
    sol = _batch(base, [], ids, extra)
    pv = graph.products.select("comp").distinct().join(graph.comps.select("comp", "value"), "comp").select(
        "comp", F.coalesce("value", F.lit(1.0)).alias("pv"))
    total = pv.agg(F.sum("pv")).collect()[0][0] or 1.0
    loss = (sol.rows.join(pv, "comp").join(base.values.withColumnRenamed("a", "b"), "comp")
            .groupBy("sc").agg(F.sum(F.col("pv") * (F.col("b") - F.col("a"))).alias("loss")))
    impact = {r["sc"]: r["loss"] / total for r in loss.collect()}
    shares = (graph.entries.groupBy("comp", "country").agg(F.sum("share").alias("s"))
              .join(graph.entries.groupBy("comp").agg(F.sum("share").alias("t")), "comp")
              .where(F.col("t") > 0).select("comp", "country", (F.col("s") / F.col("t")).alias("f")))
    foreign_countries: dict[str, list[tuple[float, str]]] = {}
    home_of = {r["id"]: bool(r["foreign"]) for r in graph.countries.select("id", "foreign").collect()}
    for r in shares.join(cands.select("comp"), "comp").collect():
        if home_of.get(r["country"], True):
            foreign_countries.setdefault(r["comp"], []).append((-r["f"], r["country"]))
    best = {r["comp"]: r["best"] for r in graph.alts.where(F.col("domestic")).groupBy("comp")
            .agg(F.max("readiness").alias("best")).collect()}
    best_sup: dict[str, str] = {}
    for r in graph.alts.where(F.col("domestic")).collect():
        if r["readiness"] == best.get(r["comp"]) and r["comp"] not in best_sup:
            best_sup[r["comp"]] = r["supplier"]
    unlisted_risk = graph.settings.unlisted_risk
    rows = []
    for r in cands.collect():
        c = r["comp"]
        u = float(r["u"])
        imp = float(impact.get(c, 0.0))
        exposure = float(r["exp_listed"] or 0.0) + u * unlisted_risk
        ready = best.get(c)
        gap = 1.0 - (ready or 0.0)
        urg = urgency(_nan(r["recovery_days"]), _nan(r["stock_days"]))
        score = imp**w.impact * exposure**w.exposure * gap**w.gap * urg**w.urgency
        rows.append(Priority(rank=0, id=c, name=r["name"], sector=r["sector"], score=float(score), impact=imp,
                             exposure=exposure, gap=gap, urgency=urg,
                             foreign_share=float(r["fs_listed"] or 0.0) + u,
                             foreign_countries=[k for _, k in sorted(foreign_countries.get(c, []))],
                             best_alternative=best_sup.get(c), best_readiness=ready))
    rows.sort(key=lambda p: (-p.score, p.id))
    for i, p in enumerate(rows):
        object.__setattr__(p, "rank", i + 1)
    return rows[:top] if top is not None else rows


def _nan(x: float | None) -> float:
    return math.nan if x is None else float(x)


# -- SPOF and cut sets (countries) ------------------------------------------------


def _structural(graph: SparkGraph, scenario: Scenario | None) -> Baseline:
    s = scenario or Scenario()
    return solve_baseline(graph, Scenario(s.remove, s.limit, s.name, LONG, s.reach))


def _targets(graph: SparkGraph, targets: Iterable[str] | None) -> list[str]:
    F = _F()
    if targets is None:
        return sorted({r["comp"] for r in graph.products.select("comp").distinct().collect()})
    wanted = list(targets)
    comps = {r["comp"] for r in graph.comps.where(F.col("comp").isin(wanted)).select("comp").collect()}
    by_sector: dict[str, list[str]] = {}
    for r in graph.products.where(F.col("sector").isin(wanted)).collect():
        by_sector.setdefault(r["sector"], []).append(r["comp"])
    out: list[str] = []
    for t in wanted:
        if t in comps:
            out.append(t)
        elif t in by_sector or t in graph.sector_names:
            out.extend(by_sector.get(t, []))
        else:
            raise UnknownNodeError(f"unknown target {t!r} (expected a component id or a sector code)")
    return sorted(dict.fromkeys(out))


def _used_countries(graph: SparkGraph, reach: str) -> list[str]:
    F = _F()
    used = graph.entries.select("country")  # owners too, whatever the reach (a superset is harmless)
    used = used.unionByName(graph.entries.where(F.col("owner").isNotNull()).select(F.col("owner").alias("country")))
    _ = reach
    return sorted(r["country"] for r in used.distinct().collect())


def _country_only(kinds: Sequence[str] | None) -> None:
    if kinds is None or set(kinds) != {"country"}:
        raise UnknownNodeError("the Spark engine computes SPOF and cut sets of countries only: kinds=('country',)")


def spof_sets(path_or_graph: str | SupplyGraph | SparkGraph, targets: Iterable[str] | None = None,
              kinds: Sequence[str] | None = ("country",), scenario: Scenario | None = None,
              spark: Any = None) -> dict[str, set[str]]:
    """For each target, the countries whose removal alone takes it down (horizon ``long``)."""
    _country_only(kinds)
    graph = load(path_or_graph, spark)
    F = _F()
    target_ids = _targets(graph, targets)
    base = _structural(graph, scenario)
    countries = _used_countries(graph, base.prep.reach)
    up = {r["comp"] for r in base.values.where(F.col("comp").isin(target_ids) & (F.col("a") > DOWN)).collect()}
    out: dict[str, set[str]] = {t: set() for t in target_ids}
    if not countries or not up:
        return out
    sol = _batch(base, [(c, c, 0.0) for c in countries], countries)
    down = sol.rows.where(F.col("comp").isin(sorted(up)) & (F.col("a") <= DOWN)).select("sc", "comp").collect()
    for r in down:
        out[r["comp"]].add(r["sc"])
    return out


def single_points_of_failure(path_or_graph: str | SupplyGraph | SparkGraph, targets: Iterable[str] | None = None,
                             kinds: Sequence[str] | None = ("country",), scenario: Scenario | None = None,
                             spark: Any = None) -> list[SinglePointOfFailure]:
    """Every country that alone takes some target down, with its targets (as the core's)."""
    graph = load(path_or_graph, spark)
    sets = spof_sets(graph, targets, kinds, scenario)
    hits: dict[str, list[str]] = {}
    for target in sorted(sets):
        for node in sets[target]:
            hits.setdefault(node, []).append(target)
    F = _F()
    names = {r["id"]: (r["name"], bool(r["foreign"])) for r in
             graph.countries.where(F.col("id").isin(sorted(hits))).collect()}
    rows = [SinglePointOfFailure(node=n, kind="country", name=names[n][0], country=n, foreign=names[n][1],
                                 targets=hits[n]) for n in hits]
    rows.sort(key=lambda r: (-len(r.targets), r.node))
    return rows


def _cone_countries(graph: SparkGraph, target: str, reach: str) -> list[str]:
    """Countries that can affect ``target``: of the entries (and owners) of its upstream cone."""
    F = _F()
    edges = graph.members.join(graph.groups.select("grp", "comp"), "grp").select("comp", "member").distinct()
    edges = P._persist(edges)
    spark = graph.spark
    cone = spark.createDataFrame([(target,)], "comp string")
    frontier = cone
    while True:
        nxt = frontier.join(edges, "comp").select(F.col("member").alias("comp")).distinct().join(cone, "comp",
                                                                                                  "left_anti")
        nxt = P._persist(nxt)
        if nxt.isEmpty():
            break
        cone = P._persist(cone.unionByName(nxt))
        frontier = nxt
    e = graph.entries.join(cone, "comp")
    used = e.select("country")  # owners too, whatever the reach (a superset is harmless)
    used = used.unionByName(e.where(F.col("owner").isNotNull()).select(F.col("owner").alias("country")))
    _ = reach
    return sorted(r["country"] for r in used.distinct().collect())


def cut_sets(path_or_graph: str | SupplyGraph | SparkGraph, target: str, max_order: int = 2,
             kinds: Sequence[str] | None = ("country",), scenario: Scenario | None = None,
             spark: Any = None) -> list[CutSet]:
    """Minimal sets of up to ``max_order`` countries whose joint removal takes ``target`` down (horizon ``long``).

    Every candidate set of one order is a scenario of one batched job; a set
    containing a smaller cut is not tried.
    """
    _country_only(kinds)
    if max_order < 1:
        raise UnknownNodeError("max_order must be at least 1")
    graph = load(path_or_graph, spark)
    F = _F()
    if not graph.comps.where(F.col("comp") == target).limit(1).collect():
        raise UnknownNodeError(f"unknown target component {target!r}")
    base = _structural(graph, scenario)
    if not base.values.where((F.col("comp") == target) & (F.col("a") > DOWN)).limit(1).collect():
        return []
    relevant = _cone_countries(graph, target, base.prep.reach)
    found: list[frozenset[str]] = []
    for order in range(1, max_order + 1):
        combos = [frozenset(c) for c in combinations(relevant, order)]
        combos = [c for c in combos if not any(f <= c for f in found)]
        if not combos:
            continue
        names = {"|".join(sorted(c)): c for c in combos}
        caps = [(key, n, 0.0) for key, c in names.items() for n in sorted(c)]
        sol = _batch(base, caps, list(names))
        down = sol.rows.where((F.col("comp") == target) & (F.col("a") <= DOWN)).select("sc").collect()
        found.extend(names[r["sc"]] for r in down)
    foreign = {r["id"]: bool(r["foreign"]) for r in graph.countries.select("id", "foreign").collect()}
    rows = [CutSet(target, len(c), sorted(c), ["country"], all(foreign.get(n, True) for n in c)) for c in found]
    rows.sort(key=lambda c: (c.order, c.nodes))
    return rows


