"""The graph as Spark DataFrames: read from the columnar tables, or built from a loaded graph.

:func:`read_graph` reads the columnar format (docs/columnar-format.md) from
any path Spark can read (local, ``hdfs://``, ``s3a://``): each table is
``NAME.parquet`` (a file or a Parquet directory) or ``NAME.csv``, Parquet
first. The tables are taken as valid (``chainmap validate`` checks them on
one machine; on a cluster, validate a sample). :func:`from_graph` turns a
:class:`~chainmap.graph.SupplyGraph` into the same DataFrames (tests, small
graphs).

The engine's DataFrames (string ids; ``grp`` names one requirement group):

========== =====================================================================
comps      comp, name, sector, value, stock_days, recovery_days, home_view, unlisted_key
entries    eid, comp, supplier, country, owner, share, domestic
groups     grp, comp, share, equipment, lifetime
members    grp, member
products   sector, comp
countries  id, name, risk (resolved: default 0 for home, 1 for others), foreign
suppliers  id, name, country, owner, foreign
alts       comp, supplier, readiness, domestic
========== =====================================================================

``home_view`` and ``domestic`` carry the graph's ``view`` and ``home`` row by
row, and ``unlisted_key`` names the scenario node of the unlisted remainder
(``unlisted``), so that the disjoint union of several graphs (ids prefixed)
is a valid input too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chainmap.errors import GraphFileError, Problem
from chainmap.graph import SupplyGraph
from chainmap.model.schema import DEFAULT_LIFETIME_YEARS, RESERVED_ID, Settings

__all__ = ["SCHEMAS", "SparkGraph", "from_graph", "from_rows", "graph_rows", "read_graph"]

SCHEMAS: dict[str, str] = {
    "comps": "comp string, name string, sector string, value double, stock_days double, recovery_days double, "
             "home_view boolean, unlisted_key string",
    "entries": "eid long, comp string, supplier string, country string, owner string, share double, domestic boolean",
    "groups": "grp string, comp string, share double, equipment boolean, lifetime double",
    "members": "grp string, member string",
    "products": "sector string, comp string",
    "countries": "id string, name string, risk double, foreign boolean",
    "suppliers": "id string, name string, country string, owner string, foreign boolean",
    "alts": "comp string, supplier string, readiness double, domestic boolean",
}


@dataclass
class SparkGraph:
    """A graph as DataFrames (see module doc) plus its small metadata on the driver."""

    spark: Any
    frames: dict[str, Any]
    settings: Settings
    blocs: dict[str, list[str]] = field(default_factory=dict)
    sector_names: dict[str, str] = field(default_factory=dict)
    unlisted_keys: frozenset[str] = frozenset({RESERVED_ID})

    def __getattr__(self, name: str) -> Any:
        frames = self.__dict__.get("frames", {})
        if name in frames:
            return frames[name]
        raise AttributeError(name)

    @property
    def home(self) -> str:
        return self.settings.home

    def cache(self) -> SparkGraph:
        """Cache every frame (they are read many times by the iterations)."""
        for df in self.frames.values():
            df.cache()
        return self

    def node_kinds(self, nodes: Iterable[str]) -> dict[str, str]:
        """Kind of each named node (``country``, ``supplier``, ``component``, ``bloc``, ``unlisted``)."""
        from pyspark.sql import functions as F

        wanted = sorted(set(nodes))
        out: dict[str, str] = {}
        for n in wanted:
            if n in self.blocs:
                out[n] = "bloc"
            elif n in self.unlisted_keys:
                out[n] = "unlisted"
        rest = [n for n in wanted if n not in out]
        if rest:
            for kind, df, col in (("country", self.countries, "id"), ("supplier", self.suppliers, "id"),
                                  ("component", self.comps, "comp")):
                for row in df.where(F.col(col).isin(rest)).select(col).collect():
                    out.setdefault(row[0], kind)
        return out


def from_rows(spark: Any, rows: Mapping[str, list[tuple[Any, ...]]], settings: Settings,
              blocs: Mapping[str, list[str]] | None = None, sector_names: Mapping[str, str] | None = None) -> SparkGraph:
    """Build a :class:`SparkGraph` from Python rows in the :data:`SCHEMAS` layouts."""
    frames = {name: spark.createDataFrame(rows.get(name, []), schema) for name, schema in SCHEMAS.items()}
    return SparkGraph(spark, frames, settings, dict(blocs or {}), dict(sector_names or {}))


def graph_rows(graph: SupplyGraph, prefix: str = "") -> dict[str, list[tuple[Any, ...]]]:
    """Rows of the engine's DataFrames for a loaded graph, every id prefixed with ``prefix``."""
    p = prefix
    home = graph.home
    home_view = graph.settings.view == "home"
    ar = graph.arrays

    def opt(x: float) -> float | None:
        return None if math.isnan(x) else float(x)

    cids, sids, kids = graph.component_ids, graph.supplier_ids, graph.country_ids
    comps = [(p + cid, ar.component_name[i], ar.component_sector[i], opt(float(ar.value[i])),
              opt(float(graph.stock_days[i])), opt(float(graph.recovery_days[i])), home_view, p + RESERVED_ID)
             for i, cid in enumerate(cids)]
    entries = []
    for e, (c, s, k, share) in enumerate(zip(graph.entry_comp.tolist(), graph.entry_supplier.tolist(),
                                             graph.entry_country.tolist(), graph.entry_share.tolist(), strict=True)):
        owner = kids[int(graph.supplier_owner[s])] if s >= 0 else None
        entries.append((e, p + cids[c], p + sids[s] if s >= 0 else None, p + kids[k],
                        p + owner if owner is not None else None, float(share), kids[k] == home))
    groups = []
    members: list[tuple[str, str]] = []
    ptr = graph.group_ptr.tolist()
    gm = graph.group_members.tolist()
    for g, owner in enumerate(graph.group_owner.tolist()):
        name = f"{p}{g}"
        groups.append((name, p + cids[owner], float(graph.group_share[g]), bool(graph.group_equipment[g]),
                       float(graph.group_lifetime[g])))
        members.extend((name, p + cids[m]) for m in gm[ptr[g]:ptr[g + 1]])
    products = [(p + code, p + pid) for code, sector in graph.sectors.items() for pid in sector.products]
    risk = graph.country_risk.tolist()
    countries = [(p + k, ar.country_name[i], float(risk[i]), k != home) for i, k in enumerate(kids)]
    suppliers = [(p + s, ar.supplier_name[i], p + kids[int(graph.supplier_country[i])],
                  p + kids[int(graph.supplier_owner[i])], kids[int(graph.supplier_country[i])] != home)
                 for i, s in enumerate(sids)]
    alts = [(p + cids[c], p + sids[s], float(r), kids[int(graph.supplier_country[s])] == home)
            for c, s, r in zip(ar.alt_comp.tolist(), ar.alt_supplier.tolist(), ar.alt_readiness.tolist(), strict=True)]
    return {"comps": comps, "entries": entries, "groups": groups, "members": members, "products": products,
            "countries": countries, "suppliers": suppliers, "alts": alts}


def from_graph(spark: Any, graph: SupplyGraph) -> SparkGraph:
    """The DataFrames of a loaded graph."""
    return from_rows(spark, graph_rows(graph), graph.settings,
                     {b.id: list(b.members) for b in graph.blocs.values()},
                     {code: s.name for code, s in graph.sectors.items()})


# -- reading the columnar tables ------------------------------------------------

_TYPES = {"s": "string", "f": "double", "b": "boolean", "i": "long"}


def _exists(spark: Any, path: str) -> bool:
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    return bool(hpath.getFileSystem(conf).exists(hpath))


def _read_table(spark: Any, root: str, name: str) -> Any | None:
    from pyspark.sql import functions as F

    from chainmap.io.columnar import TABLES

    required, optional = TABLES[name]
    types = {**required, **optional}
    base = root.rstrip("/")
    parquet, csv = f"{base}/{name}.parquet", f"{base}/{name}.csv"
    if _exists(spark, parquet):
        df = spark.read.parquet(parquet)
    elif _exists(spark, csv):
        schema = ", ".join(f"`{c}` {_TYPES[t]}" for c, t in types.items())
        header = spark.read.option("header", "true").csv(csv).columns
        df = (spark.read.option("header", "true").option("mode", "FAILFAST")
              .schema(", ".join(f"`{c}` {_TYPES[types[c]]}" if c in types else f"`{c}` string" for c in header))
              .csv(csv))
        _ = schema
    else:
        return None
    unknown = [c for c in df.columns if c not in types]
    missing = [c for c in required if c not in df.columns]
    if unknown or missing:
        raise GraphFileError([Problem(f"{base}/{name}", 1, c, "missing column" if c in missing
                                      else "unknown column (typo?)") for c in missing + unknown])
    for c, t in types.items():
        if c in df.columns:
            df = df.withColumn(c, F.col(c).cast(_TYPES[t]))
        else:
            df = df.withColumn(c, F.lit(None).cast(_TYPES[t]))
    return df


def _settings(spark: Any, df: Any | None, home: str | None) -> Settings:
    data: dict[str, Any] = {}
    weights: dict[str, str] = {}
    if df is not None:
        for row in df.collect():
            key, value = row["key"], row["value"]
            if key is None or value is None:
                continue
            if key.startswith("weights."):
                weights[key.split(".", 1)[1]] = value
            else:
                data[key] = value
    if weights:
        data["weights"] = weights
    if home is not None:
        data["home"] = home
    return Settings.model_validate(data)


def read_graph(spark: Any, path: str, home: str | None = None) -> SparkGraph:
    """Read a columnar graph from ``path`` (any Hadoop-readable URI) into a :class:`SparkGraph`."""
    from pyspark.sql import functions as F

    tables = {name: _read_table(spark, path, name) for name in
              ("countries", "suppliers", "components", "requires", "supplies", "alternatives", "sectors", "blocs",
               "settings")}
    if tables["components"] is None:
        raise GraphFileError([Problem(f"{path.rstrip('/')}/components.parquet", 0, "", "missing table")])
    settings = _settings(spark, tables["settings"], home)
    h = settings.home

    def table(name: str, schema: str) -> Any:
        df = tables[name]
        return df if df is not None else spark.createDataFrame([], schema)

    countries = table("countries", "id string, name string, risk double")
    suppliers = table("suppliers", "id string, name string, country string, owner string")
    components = tables["components"]
    requires = table("requires", "component string, `group` long, member string, any_of boolean, role string, "
                                 "lifetime_years double, share double")
    supplies = table("supplies", "component string, supplier string, country string, share double")
    alternatives = table("alternatives", "component string, supplier string, readiness double")
    home_view = settings.view == "home"

    comps = components.select(
        F.col("id").alias("comp"), "name", "sector", "value", "stock_days", "recovery_days",
        F.lit(home_view).alias("home_view"), F.lit(RESERVED_ID).alias("unlisted_key"))
    sup = suppliers.select(F.col("id").alias("sid"), F.col("country").alias("scountry"),
                           F.coalesce("owner", "country").alias("sowner"))
    entries = (supplies.join(sup, supplies["supplier"] == sup["sid"], "left")
               .select(F.monotonically_increasing_id().alias("eid"), F.col("component").alias("comp"), "supplier",
                       F.coalesce("scountry", "country").alias("country"),
                       F.when(F.col("supplier").isNotNull(), F.col("sowner")).alias("owner"),
                       F.col("share").cast("double").alias("share")))
    entries = entries.withColumn("domestic", F.col("country") == F.lit(h))
    grp = F.concat_ws("\u0000", F.col("component"), F.col("group").cast("string"))
    groups = (requires.withColumn("grp", grp).groupBy("grp", "component")
              .agg(F.first(F.coalesce("share", F.lit(1.0))).alias("share"),
                   F.max(F.coalesce(F.col("role") == "equipment", F.lit(False))).alias("equipment"),
                   F.first(F.coalesce("lifetime_years", F.lit(DEFAULT_LIFETIME_YEARS))).alias("lifetime"))
              .withColumnRenamed("component", "comp"))
    members = requires.select(grp.alias("grp"), "member").distinct()
    products = (components.where(F.coalesce("product", F.lit(False)))
                .select("sector", F.col("id").alias("comp")))
    ctry = countries.select(
        "id", "name",
        F.coalesce("risk", F.when(F.col("id") == F.lit(h), F.lit(0.0)).otherwise(F.lit(1.0))).alias("risk"),
        (F.col("id") != F.lit(h)).alias("foreign"))
    supp = suppliers.select("id", "name", "country", F.coalesce("owner", "country").alias("owner"),
                            (F.col("country") != F.lit(h)).alias("foreign"))
    alts = (alternatives.join(sup, alternatives["supplier"] == sup["sid"], "left")
            .select(F.col("component").alias("comp"), "supplier", "readiness",
                    F.coalesce(F.col("scountry") == F.lit(h), F.lit(False)).alias("domestic")))
    blocs: dict[str, list[str]] = {}
    if tables["blocs"] is not None:
        for row in tables["blocs"].collect():
            blocs[row["id"]] = [m.strip() for m in (row["members"] or "").split(";") if m.strip()]
    names: dict[str, str] = {}
    if tables["sectors"] is not None:
        names = {row["code"]: row["name"] or row["code"] for row in tables["sectors"].collect()}
    for row in products.select("sector").distinct().collect():
        names.setdefault(row["sector"], row["sector"])
    frames = {"comps": comps, "entries": entries, "groups": groups, "members": members, "products": products,
              "countries": ctry, "suppliers": supp, "alts": alts}
    return SparkGraph(spark, frames, settings, blocs, dict(sorted(names.items())))
