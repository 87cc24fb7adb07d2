"""Availability (semantics v2) as iterative DataFrame joins to the greatest fixed point.

The rules are the core's (:mod:`chainmap.analysis.propagate`, DESIGN
"Semantics (v2)") written as columns:

- supply terms: per component, listed shares are summed first and divided
  once by ``norm = max(T, 1)`` (shares above 1 normalised, an all-domestic
  mix keeps ``D0 = 1`` exactly); ``u = 1 - T`` (when ``T < 1``) is unlisted
  foreign supply at ``cap(unlisted)``; ``cap(e)`` = supplier x country
  (reach ``owner``: x owner where it differs); no entries: ``D0 = D = 1, F = 0``;
- requirement groups: ``f = 1 - w * (1 - max member a)``, ``w = share * k``,
  ``k = min(1, H / (365 * lifetime))`` for equipment (1 for inputs and at ``long``);
- ``x = F + min(D, R * D0)`` (view home) or ``min(F + D, R)`` (view global);
  ``a = cap * min(1, x + stock_days / H)``.

Many scenarios run as one job: every row carries a scenario id ``sc``. A
scenario's state is kept *sparse*: rows only where ``a`` differs from a
reference (all ones, or a solved baseline whose capacities are at least the
scenario's, so that the baseline is above the scenario's greatest fixed point
and Kleene iteration from it is exact).

Iteration (semi-naive Kleene from above): round 0 evaluates the rows whose
terms differ from the reference (or every row, from all ones); each round
evaluates only the users of rows that changed in the previous round. It stops
when no row changes by more than :data:`TOLERANCE`. Loops of gain ``g < 1``
only converge geometrically; after :data:`ACCELERATE_AFTER` rounds without
convergence the rows still moving are *accelerated*: the binding term of each
(the constant, or one requirement group and its largest member) gives an
affine map ``a = alpha + beta * a[next]`` per row, whose ``2**J``-fold
composition is computed by pointer doubling (``J`` self-joins) - the fixed
point of the binding terms, exact to rounding when every loop has gain
below 1. It is accepted only when one ordinary round moves no row by more
than the tolerance (a fixed point of the full rules, hence at most the
greatest one, and below the Kleene iterate it came from); otherwise the
Kleene iterate is restored and iteration goes on.

The state is checkpointed every :data:`CHECKPOINT_EVERY` rounds
(``localCheckpoint``; a reliable ``checkpoint`` when
``spark.chainmap.checkpoint`` is ``reliable`` and a checkpoint directory is
set) to cut the lineage of the iteration.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from chainmap.engines.spark.tables import SparkGraph
from chainmap.errors import ChainmapError

__all__ = ["ACCELERATE_AFTER", "CHECKPOINT_EVERY", "TOLERANCE", "Prepared", "Solution", "caps_frame", "full_values",
           "prepare", "solve", "terms_under", "with_base"]

log = logging.getLogger("chainmap.engines.spark")
"""Each round is logged at INFO (round, rows evaluated, seconds): ``logging.basicConfig(level="INFO")``."""

TOLERANCE = 1e-14
"""A row whose value changes by at most this is not propagated further (absolute)."""
ACCELERATE_AFTER = 8
"""Kleene rounds without convergence before the moving rows are accelerated (and between tries)."""
CHECKPOINT_EVERY = 4
"""The iteration state is checkpointed every this many rounds."""
MAX_ROUNDS = 100_000
MAX_DOUBLINGS = 40
TINY = 1e-30
BROADCAST_ROWS = 200_000
"""Jobs with at most this many (scenario, component) rows broadcast every join side (local mode)."""
NARROW_ROWS = 50_000
"""A round whose rows changed in the previous round are at most this many is *narrow*: its few rows are
broadcast and the big tables (state, reference, static terms) are scanned and filtered where they lie, never
shuffled (the tail of the iteration and loops otherwise pay a full shuffle of every table per round)."""


class SparkEngineError(ChainmapError):
    """The Spark propagation did not converge or got bad input."""


def _F() -> Any:
    from pyspark.sql import functions as F

    return F


@dataclass
class Prepared:
    """Per-horizon static frames of a graph: supply terms at full capacity, group weights, users."""

    graph: SparkGraph
    horizon: float
    reach: str
    static: Any  # comp, home_view, d0, cover, F1, D1, norm, u, unlisted_key
    gw: Any  # grp, comp, w
    members: Any  # grp, member
    users: Any  # member, comp (distinct)
    entries: Any  # eid, comp, supplier, country, owner, share, domestic, by_owner
    rows: int  # number of components


def _persist(df: Any, reliable: bool = False) -> Any:
    """Materialise ``df`` and cut its lineage (a checkpoint: one Spark job).

    The checkpointed rows are re-wrapped as a fresh relation: a checkpoint
    keeps the size estimate of the plan it came from, and join estimates
    multiply such estimates round after round (an iteration of self-joins
    would overflow them). Adaptive execution still broadcasts small sides
    from their real sizes at run time.
    """
    from pyspark.sql.classic.dataframe import DataFrame

    done = df.checkpoint(eager=True) if reliable else df.localCheckpoint(eager=True)
    session = done.sparkSession
    return DataFrame(session._jsparkSession.createDataFrame(done._jdf.rdd(), done._jdf.schema()), session)


def prepare(graph: SparkGraph, horizon: float, reach: str = "location") -> Prepared:
    """Static frames at ``horizon`` (days, ``inf`` = long) and ``reach``.

    A ``horizon`` column on ``comps`` or a ``by_owner`` column on ``entries``
    (the disjoint union of graphs with their own horizons and reaches)
    overrides the arguments row by row.
    """
    F = _F()
    comps = graph.comps
    hcol = F.col("horizon") if "horizon" in comps.columns else F.lit(float(horizon))
    entries = graph.entries
    if "by_owner" not in entries.columns:
        entries = entries.withColumn("by_owner", F.lit(reach == "owner"))
    sums = entries.groupBy("comp").agg(
        F.sum("share").alias("T"),
        F.sum(F.when(F.col("domestic"), F.col("share")).otherwise(0.0)).alias("dom"),
        F.sum(F.when(F.col("domestic"), 0.0).otherwise(F.col("share"))).alias("forn"),
        F.count(F.lit(1)).alias("n_entries"))
    c = comps.withColumn("_h", hcol).join(sums, "comp", "left")
    listed = F.coalesce(F.col("n_entries"), F.lit(0)) > 0
    norm = F.greatest(F.coalesce(F.col("T"), F.lit(0.0)), F.lit(1.0))
    u = F.when(listed, F.greatest(F.lit(1.0) - F.col("T"), F.lit(0.0))).otherwise(F.lit(0.0))
    cover = F.when(F.col("stock_days").isNull() | F.isnan("stock_days"), F.lit(0.0)).otherwise(
        F.col("stock_days") / F.col("_h"))
    static = c.select(
        "comp", "home_view", "unlisted_key", F.lit(1.0).alias("cap0"),
        norm.alias("norm"), u.alias("u"),
        F.when(listed, F.col("dom") / norm).otherwise(F.lit(1.0)).alias("d0"),
        F.when(listed, F.col("forn") / norm + u).otherwise(F.lit(0.0)).alias("F1"),
        F.when(listed, F.col("dom") / norm).otherwise(F.lit(1.0)).alias("D1"),
        cover.alias("cover"))
    gh = graph.groups.join(comps.select("comp", hcol.alias("_h")), "comp")
    k = F.when(F.col("equipment"), F.least(F.lit(1.0), F.col("_h") / (F.lit(365.0) * F.col("lifetime")))).otherwise(
        F.lit(1.0))
    gw = gh.select("grp", "comp", (F.col("share") * k).alias("w"))
    users = graph.members.join(graph.groups.select("grp", "comp"), "grp").select("member", "comp").distinct()
    static = _persist(static)
    return Prepared(graph, horizon, reach, static, _persist(gw), _persist(graph.members.distinct()),
                    _persist(users), _persist(entries), static.count())


def with_base(prep: Prepared, base_terms: Any | None) -> Prepared:
    """``prep`` whose fallback terms are a base scenario's (``(sc, comp, cap, F, D)`` of one scenario):
    scenarios solved over that base then list only the components their own cut changes."""
    if base_terms is None:
        return prep
    F = _F()
    b = base_terms.select("comp", F.col("cap").alias("_bc"), F.col("F").alias("_bf"), F.col("D").alias("_bd"))
    s = prep.static.join(b, "comp", "left")
    s = (s.withColumn("cap0", F.coalesce("_bc", "cap0")).withColumn("F1", F.coalesce("_bf", "F1"))
         .withColumn("D1", F.coalesce("_bd", "D1")).drop("_bc", "_bf", "_bd"))
    return Prepared(prep.graph, prep.horizon, prep.reach, _persist(s), prep.gw, prep.members, prep.users,
                    prep.entries, prep.rows)


def caps_frame(spark: Any, rows: list[tuple[str, str, float]]) -> Any:
    """Scenario capacities ``(sc, node, cap)`` (nodes below capacity 1 only; the lowest wins)."""
    F = _F()
    df = spark.createDataFrame(rows, "sc string, node string, cap double")
    return df.groupBy("sc", "node").agg(F.min("cap").alias("cap"))


def terms_under(prep: Prepared, caps: Any) -> Any:
    """``(sc, comp, cap, F, D)`` of every component whose terms some scenario's capacities change."""
    F = _F()
    e = prep.entries
    cs = caps.select(F.col("sc").alias("_s1"), F.col("node").alias("n_sup"), F.col("cap").alias("c_sup"))
    cc = caps.select(F.col("sc").alias("_s2"), F.col("node").alias("n_cty"), F.col("cap").alias("c_cty"))
    co = caps.select(F.col("sc").alias("_s3"), F.col("node").alias("n_own"), F.col("cap").alias("c_own"))
    owned_abroad = F.col("by_owner") & F.col("owner").isNotNull() & (F.col("owner") != F.col("country"))
    touched = (e.join(caps, e["supplier"] == caps["node"]).select("sc", "eid")
               .unionByName(e.join(caps, e["country"] == caps["node"]).select("sc", "eid"))
               .unionByName(e.where(owned_abroad).join(caps, e["owner"] == caps["node"]).select("sc", "eid"))
               .distinct())
    te = touched.join(e, "eid")
    te = (te.join(cs, (F.col("sc") == F.col("_s1")) & (F.col("supplier") == F.col("n_sup")), "left")
          .join(cc, (F.col("sc") == F.col("_s2")) & (F.col("country") == F.col("n_cty")), "left")
          .join(co, (F.col("sc") == F.col("_s3")) & (F.col("owner") == F.col("n_own")), "left"))
    one = F.lit(1.0)
    cap_e = (F.coalesce("c_sup", one) * F.coalesce("c_cty", one)
             * F.when(owned_abroad, F.coalesce("c_own", one)).otherwise(one))
    cap_e = F.when(F.col("supplier").isNotNull(), cap_e).otherwise(F.coalesce("c_cty", one))
    entry_caps = te.select("sc", "eid", cap_e.alias("cap_e"))
    comp_caps = caps.join(prep.static.select(F.col("comp").alias("node")), "node").select(
        "sc", F.col("node").alias("comp"), F.col("cap").alias("cap_c"))
    unl = caps.join(prep.static.where(F.col("u") > 0).select("comp", F.col("unlisted_key").alias("node")), "node")
    unl = unl.select("sc", "comp", F.col("cap").alias("cap_u"))
    affected = (entry_caps.join(e.select("eid", "comp"), "eid").select("sc", "comp")
                .unionByName(comp_caps.select("sc", "comp")).unionByName(unl.select("sc", "comp")).distinct())
    all_e = affected.join(e.select("eid", "comp", "share", "domestic"), "comp")
    all_e = all_e.join(entry_caps, ["sc", "eid"], "left")
    weighted = F.col("share") * F.coalesce("cap_e", one)
    sums = all_e.groupBy("sc", "comp").agg(
        F.sum(F.when(F.col("domestic"), weighted).otherwise(0.0)).alias("dom"),
        F.sum(F.when(F.col("domestic"), 0.0).otherwise(weighted)).alias("forn"))
    t = (affected.join(sums, ["sc", "comp"], "left").join(comp_caps, ["sc", "comp"], "left")
         .join(unl, ["sc", "comp"], "left").join(prep.static, "comp"))
    listed = F.col("dom").isNotNull()
    return t.select(
        "sc", "comp", F.coalesce("cap_c", one).alias("cap"),
        F.when(listed, F.col("forn") / F.col("norm") + F.col("u") * F.coalesce("cap_u", one)).otherwise(
            F.lit(0.0)).alias("F"),
        F.when(listed, F.col("dom") / F.col("norm")).otherwise(one).alias("D"))


@dataclass
class Solution:
    """The result of :func:`solve`: sparse rows ``(sc, comp, a)`` over a reference, and statistics."""

    rows: Any
    reference: Any | None  # (comp, a) or None: all ones
    rounds: int
    accelerations: int


def solver_reliable(spark: Any) -> bool:
    """Whether checkpoints are reliable (``spark.chainmap.checkpoint=reliable`` and a checkpoint dir)."""
    return (spark.conf.get("spark.chainmap.checkpoint", "local") == "reliable"
            and bool(spark.sparkContext.getCheckpointDir()))


class _Solver:
    def __init__(self, prep: Prepared, overrides: Any, reference: Any | None, tol: float,
                 checkpoint_every: int, accelerate_after: int, n_scenarios: int) -> None:
        self.prep = prep
        self.spark = prep.static.sparkSession
        self.overrides = overrides  # sc, comp, cap, F, D
        self.reference = reference  # comp, a
        self.tol = tol
        self.checkpoint_every = checkpoint_every
        self.accelerate_after = accelerate_after
        self.reliable = solver_reliable(self.spark)
        self.small = prep.rows * max(1, n_scenarios) <= BROADCAST_ROWS

    def b(self, df: Any) -> Any:
        """``df`` marked for broadcast when the whole job is small (local mode: fewer shuffles)."""
        return _F().broadcast(df) if self.small else df

    def checkpoint(self, df: Any) -> Any:
        return _persist(df, self.reliable)

    def near(self, big: Any, df: Any, keys: list[str], narrow: bool) -> Any:
        """``big`` (a side to join ``df`` with), filtered to ``df``'s keys by a broadcast semi-join when the round
        is narrow (so it is scanned, not shuffled), or marked for broadcast when the whole job is small."""
        if narrow and not self.small:
            return big.join(_F().broadcast(df.select(*keys).distinct()), keys, "left_semi")
        return self.b(big)

    def lead(self, df: Any, narrow: bool) -> Any:
        """``df`` as the broadcast side of an inner join when the round is narrow."""
        return _F().broadcast(df) if narrow and not self.small else df

    def lookup(self, df: Any, state: Any, key: str, out: str, narrow: bool = False) -> Any:
        """``df`` with column ``out`` = the value of component ``key`` under ``df.sc``."""
        F = _F()
        st = self.near(state.select("sc", F.col("comp").alias(key), F.col("a").alias("_sa")), df, ["sc", key], narrow)
        df = df.join(st, ["sc", key], "left")
        if self.reference is not None:
            ref = self.near(self.reference.select(F.col("comp").alias(key), F.col("a").alias("_ra")), df, [key],
                            narrow)
            df = df.join(ref, key, "left")
            value = F.coalesce("_sa", "_ra", F.lit(1.0))
            return df.withColumn(out, value).drop("_sa", "_ra")
        return df.withColumn(out, F.coalesce("_sa", F.lit(1.0))).drop("_sa")

    def with_terms(self, df: Any, narrow: bool = False) -> Any:
        F = _F()
        o = self.overrides.select("sc", "comp", F.col("cap").alias("_oc"), F.col("F").alias("_of"),
                                  F.col("D").alias("_od"))
        df = df.join(self.near(o, df, ["sc", "comp"], narrow), ["sc", "comp"], "left")
        df = self.lead(df, narrow).join(self.b(self.prep.static), "comp")
        return (df.withColumn("t_cap", F.coalesce("_oc", "cap0"))
                .withColumn("t_F", F.coalesce("_of", "F1")).withColumn("t_D", F.coalesce("_od", "D1"))
                .drop("_oc", "_of", "_od"))

    def evaluate(self, dirty: Any, state: Any, narrow: bool = False) -> Any:
        """``(sc, comp, a, old)``: the rule's right-hand side on the dirty rows."""
        F = _F()
        g = self.lead(dirty, narrow).join(self.b(self.prep.gw), "comp")
        g = self.lead(g, narrow).join(self.b(self.prep.members), "grp")
        g = self.lookup(g, state, "member", "am", narrow)
        gmax = g.groupBy("sc", "comp", "grp", "w").agg(F.max("am").alias("gm"))
        req = gmax.groupBy("sc", "comp").agg(
            F.min(F.lit(1.0) - F.col("w") * (F.lit(1.0) - F.col("gm"))).alias("R"))
        ev = self.with_terms(dirty.join(req, ["sc", "comp"], "left"), narrow)
        r = F.least(F.coalesce("R", F.lit(1.0)), F.lit(1.0))
        x = F.when(F.col("home_view"), F.col("t_F") + F.least(F.col("t_D"), r * F.col("d0"))).otherwise(
            F.least(F.col("t_F") + F.col("t_D"), r))
        a = F.col("t_cap") * F.least(F.lit(1.0), x + F.col("cover"))
        ev = ev.select("sc", "comp", a.alias("a"))
        return self.lookup(ev, state, "comp", "old", narrow)

    def policy(self, active: Any, state: Any) -> Any:
        """``(sc, comp, alpha, beta, nxt)``: the binding affine term of each active row."""
        F = _F()
        g = active.join(self.b(self.prep.gw), "comp").join(self.b(self.prep.members), "grp")
        g = self.lookup(g, state, "member", "am")
        gmax = g.groupBy("sc", "comp", "grp", "w").agg(F.max(F.struct("am", "member")).alias("best"))
        t = self.with_terms(gmax.select("sc", "comp", "w", F.col("best.am").alias("am"),
                                        F.col("best.member").alias("m")))
        home = F.col("home_view")
        alpha = F.when(home, F.col("t_cap") * (F.col("cover") + F.col("t_F") + F.col("d0") * (1.0 - F.col("w"))))
        alpha = alpha.otherwise(F.col("t_cap") * (F.col("cover") + 1.0 - F.col("w")))
        beta = F.when(home, F.col("t_cap") * F.col("d0") * F.col("w")).otherwise(F.col("t_cap") * F.col("w"))
        terms = t.select("sc", "comp", F.struct((alpha + beta * F.col("am")).alias("v"), beta.alias("beta"),
                                                alpha.alias("alpha"), F.col("m").alias("m")).alias("term"))
        best = terms.groupBy("sc", "comp").agg(F.min("term").alias("best"))
        base = self.with_terms(active.join(best, ["sc", "comp"], "left"))
        const = F.col("t_cap") * F.least(F.lit(1.0), F.col("cover") + F.col("t_F") + F.col("t_D"))
        use_const = F.col("best").isNull() | (const <= F.col("best.v"))
        p = base.select("sc", "comp",
                        F.when(use_const, const).otherwise(F.col("best.alpha")).alias("alpha"),
                        F.when(use_const, F.lit(0.0)).otherwise(F.col("best.beta")).alias("beta"),
                        F.when(use_const, F.lit(None).cast("string")).otherwise(F.col("best.m")).alias("nxt"))
        # a pointer leaving the active set points at a settled row: fold its value in
        inside = self.b(active.select("sc", F.col("comp").alias("nxt"), F.lit(True).alias("_in")))
        p = p.join(inside, ["sc", "nxt"], "left")
        p = self.lookup(p, state, "nxt", "_u")
        out_ptr = F.col("nxt").isNotNull() & F.col("_in").isNull()
        return p.select("sc", "comp",
                        F.when(out_ptr, F.col("alpha") + F.col("beta") * F.col("_u")).otherwise(F.col("alpha"))
                        .alias("alpha"),
                        F.when(out_ptr, F.lit(0.0)).otherwise(F.col("beta")).alias("beta"),
                        F.when(out_ptr, F.lit(None).cast("string")).otherwise(F.col("nxt")).alias("nxt"))

    def accelerate(self, active: Any, state: Any) -> Any:
        """Candidate values ``(sc, comp, a)`` of the active rows: the binding terms composed by pointer doubling."""
        F = _F()

        def double(p: Any) -> Any:
            q = p.select("sc", F.col("comp").alias("nxt"), F.col("alpha").alias("qa"), F.col("beta").alias("qb"),
                         F.col("nxt").alias("qn"))
            j = p.join(q, ["sc", "nxt"], "left")
            hit = F.col("qa").isNotNull()
            nb = F.when(hit, F.col("beta") * F.col("qb")).otherwise(F.col("beta"))
            return j.select(
                "sc", "comp",
                F.when(hit, F.col("alpha") + F.col("beta") * F.col("qa")).otherwise(F.col("alpha")).alias("alpha"),
                F.when(nb < TINY, F.lit(0.0)).otherwise(nb).alias("beta"),
                F.when(nb < TINY, F.lit(None).cast("string")).otherwise(
                    F.when(hit, F.col("qn")).otherwise(F.col("nxt"))).alias("nxt"))

        p = self.checkpoint(self.policy(active, state))
        for _ in range(MAX_DOUBLINGS // 2):
            p = self.checkpoint(double(double(p)))
            if p.where(F.col("nxt").isNotNull() & (F.col("beta") < 1.0 - 1e-12)).isEmpty():
                break
        p = self.lookup(p, state, "nxt", "_u")
        return p.select("sc", "comp", F.least(F.lit(1.0), F.greatest(F.lit(0.0), F.when(
            F.col("nxt").isNull(), F.col("alpha")).otherwise(F.col("alpha") + F.col("beta") * F.col("_u")))).alias("a"))

    def merge(self, state: Any, rows: Any, narrow: bool = False) -> Any:
        keys = rows.select("sc", "comp")
        return state.join(self.lead(keys, narrow), ["sc", "comp"], "left_anti").unionByName(
            rows.select("sc", "comp", "a"))

    def users(self, changed: Any, narrow: bool = False) -> Any:
        F = _F()
        rows = self.lead(changed.select("sc", F.col("comp").alias("member")), narrow)
        return rows.join(self.b(self.prep.users), "member").select("sc", "comp").distinct()

    def run(self, dirty: Any, state: Any) -> tuple[Any, int, int]:
        """Iterate from ``state`` (sparse rows) evaluating ``dirty`` first; returns (state, rounds, accelerations)."""
        F = _F()
        rounds = accelerations = stalled = 0
        narrow = False
        started = time.perf_counter()
        while True:
            if rounds >= MAX_ROUNDS:
                raise SparkEngineError(f"propagation did not converge in {MAX_ROUNDS} rounds")
            ev = self.checkpoint(self.evaluate(dirty, state, narrow))
            rounds += 1
            if log.isEnabledFor(logging.INFO):
                log.info("round %d: %d rows evaluated, %.1f s", rounds, ev.count(), time.perf_counter() - started)
            changed = self.checkpoint(ev.where(F.abs(F.col("a") - F.col("old")) > self.tol).select("sc", "comp"))
            state = self.merge(state, ev, narrow)
            if rounds % self.checkpoint_every == 0:
                state = self.checkpoint(state)
            n_changed = changed.count()
            if n_changed == 0:
                return state, rounds, accelerations
            narrow = n_changed <= NARROW_ROWS
            stalled += 1
            if stalled >= self.accelerate_after:
                stalled = 0
                state = self.checkpoint(state)
                active = self.checkpoint(changed)
                candidate = self.accelerate(active, state)
                trial = self.checkpoint(self.merge(state, candidate, narrow))
                check = active.unionByName(self.users(active, narrow)).distinct()
                ev2 = self.checkpoint(self.evaluate(check, trial, narrow))
                rounds += 1
                accelerations += 1
                if ev2.where(F.abs(F.col("a") - F.col("old")) > self.tol).isEmpty():
                    return self.checkpoint(self.merge(trial, ev2)), rounds, accelerations
            dirty = self.users(changed, narrow)


def solve(prep: Prepared, scenarios: list[str], overrides: Any | None = None, reference: Any | None = None,
          tol: float = TOLERANCE, checkpoint_every: int = CHECKPOINT_EVERY,
          accelerate_after: int = ACCELERATE_AFTER) -> Solution:
    """Greatest fixed point of every scenario.

    ``overrides``: ``(sc, comp, cap, F, D)`` where a scenario's terms differ
    from full capacity (:func:`terms_under`). ``reference``: ``(comp, a)``
    of a solved scenario whose capacities are at least every scenario's
    (rows start there and only the components whose terms differ are
    evaluated first); None: all ones, every row evaluated first.
    """
    spark = prep.static.sparkSession
    sc_df = spark.createDataFrame([(s,) for s in scenarios], "sc string")
    if overrides is None:
        overrides = spark.createDataFrame([], "sc string, comp string, cap double, F double, D double")
    overrides = _persist(overrides, solver_reliable(spark))
    if reference is None:
        dirty = sc_df.crossJoin(prep.static.select("comp"))
    else:
        dirty = overrides.select("sc", "comp").distinct()
    state = spark.createDataFrame([], "sc string, comp string, a double")
    solver = _Solver(prep, overrides, reference, tol, checkpoint_every, accelerate_after, len(scenarios))
    rows, rounds, acc = solver.run(dirty, state)
    return Solution(rows, reference, rounds, acc)


def full_values(solution: Solution, prep: Prepared, scenarios: list[str]) -> Any:
    """``(sc, comp, a)`` for every scenario and every component (reference values where no row differs)."""
    F = _F()
    spark = prep.static.sparkSession
    grid = spark.createDataFrame([(s,) for s in scenarios], "sc string").crossJoin(prep.static.select("comp"))
    out = grid.join(solution.rows, ["sc", "comp"], "left")
    if solution.reference is not None:
        out = out.join(solution.reference.select("comp", F.col("a").alias("_r")), "comp", "left")
        return out.select("sc", "comp", F.coalesce("a", "_r", F.lit(1.0)).alias("a"))
    return out.select("sc", "comp", F.coalesce("a", F.lit(1.0)).alias("a"))
