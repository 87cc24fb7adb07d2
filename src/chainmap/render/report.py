"""The report page: one folder an analyst can open or email, with no network access.

:func:`render_report` writes ``out_dir/index.html`` (top substitution
priorities with factor bars, country exposure per sector as CSS bars, the
single points of failure and foreign bottlenecks (counts, with the products
they hit in collapsible lists), the results of standard scenarios: removing
each bloc defined in the graph and each of the top foreign countries, the data
quality of the supply mixes per division; charts are inline SVG) and
``out_dir/graph.html``, the interactive view it links to: every component and
node links to ``graph.html#id``, which opens focused on it. The page's only
script sorts tables when a header is clicked (it carries no data); every text
from a graph file goes through Jinja's autoescape.

Examples
--------
>>> import chainmap, pathlib, tempfile
>>> out = render_report(chainmap.load("tests/data/mini"), pathlib.Path(tempfile.mkdtemp()) / "report")
>>> out.name, (out.parent / "graph.html").exists()
('index.html', True)
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chainmap.analysis import Scenario
from chainmap.analysis.batch import _unique
from chainmap.analysis.scenario import capacities, format_horizon
from chainmap.analysis.simulate import sector_means
from chainmap.graph import IntArray, SupplyGraph, ranges
from chainmap.io.atomic import check_output, write_text_atomic
from chainmap.model.quality import METRICS, quality_report
from chainmap.render.facts import AnalysisResults, analysis_results, node_facts
from chainmap.render.html import OTHER_COLOR, colors_by_weight, render_html, template_text
from chainmap.render.scenarios import removal_availability

__all__ = ["render_report", "report_data"]

TOP_PRIORITIES = 25
TOP_SPOF = 60
TOP_COUNTRIES = 5
LISTED = 500
"""Components listed per single point of failure or bottleneck (the count is exact; the graph view's
details and ``chainmap spof`` / ``chainmap bottlenecks`` list them all): a 1M-component graph's top
rows hit tens of thousands each, which made a 60 MB page."""
BAR_COUNTRIES = 8


def _quality(graph: SupplyGraph, deny_hosts: Iterable[str]) -> dict[str, Any]:
    """The data-quality section: overall fractions and per-division counts."""
    report = quality_report(graph, deny_hosts=deny_hosts)
    metrics = report.metrics()
    divisions = [{"code": "" if d.code == "none" else d.code, "name": d.name, "facts": d.facts,
                  "methods": [(k, v) for k, v in d.methods.items() if v], "ages": [(k, v) for k, v in d.ages.items() if v],
                  "equal_splits": d.equal_splits, "weak_mix": d.weak_mix, "estimates": d.estimates,
                  "denied": d.denied,
                  "low_coverage": len(d.low_coverage), "foreign_only": len(d.foreign_only)}
                 for d in report.divisions]
    return {"facts": report.total.facts, "components": report.total.components, "as_of": report.as_of,
            "deny_hosts": report.deny_hosts, "metrics": [(m, what, metrics[m]) for m, what in METRICS.items()],
            "divisions": divisions, "denied_hosts": list(report.denied_hosts.items())}


@dataclass(frozen=True)
class ScenarioRow:
    """What one standard scenario does to the products."""

    name: str
    describe: str
    products_down: int
    products: int
    mean_availability: float
    worst_sectors: list[tuple[str, str, float]]


def _scenario_rows(graph: SupplyGraph, named: list[tuple[str, Scenario]]) -> list[ScenarioRow]:
    """One row per standard scenario: what :func:`~chainmap.analysis.simulate` says of the products and
    sectors, with the baseline (nothing removed, same horizon and reach) propagated once for all of them."""
    if not named:
        return []
    horizon, reach = named[0][1].horizon, named[0][1].reach
    base = removal_availability(graph, capacities(graph, Scenario(horizon=horizon, reach=reach)))
    base_means = sector_means(graph, base)
    products = _unique(graph.product_index) if len(graph.products) else np.zeros(0, dtype=np.int64)
    values = graph.value[products].tolist()
    total = sum(values) or 1.0
    rows = []
    for name, scenario in named:
        after = removal_availability(graph, capacities(graph, scenario))  # (removals only: 0/1 supply terms)
        means = sector_means(graph, after)
        impacts = [(code, graph.sectors[code].name, base_means[code] - means[code]) for code in base_means]
        worst = sorted((s for s in impacts if s[2] > 1e-12), key=lambda s: (-s[2], s[0]))[:3]
        shown = after[products].tolist()
        mean = sum(v * a for v, a in zip(values, shown, strict=True)) / total if shown else 1.0
        rows.append(ScenarioRow(name, scenario.describe(), sum(1 for a in shown if not a > 0), len(shown), mean,
                                worst))
    return rows


def _order_within(groups: IntArray, values: np.ndarray) -> IntArray:
    """``np.lexsort((values, groups))`` (by group, then value, ties in index order) by two plain sorts: the
    values' stable rank, then one unique integer key per row (faster than lexsort at 1M rows).

    >>> _order_within(np.array([0, 0, 1, 1, 1]), np.array([2.0, 1.0, 1.0, 3.0, 1.0])).tolist()
    [1, 0, 2, 4, 3]
    """
    size = values.size
    rank = np.empty(size, dtype=np.int64)
    rank[np.argsort(values, kind="stable")] = np.arange(size)
    return np.argsort(groups.astype(np.int64) * max(size, 1) + rank)


class ShareTable:
    """Every component's normalised supply share per country (:func:`country_shares`) as columns.

    ``comp``, ``country`` and ``share`` hold one row per (component, country) with a positive listed
    total, sorted by component, then largest share first, ties by country id; ``ptr`` points to each
    component's rows. The sums are taken in the same order as :func:`country_shares`'s, so the values
    are the same floats.
    """

    def __init__(self, graph: SupplyGraph) -> None:
        n, k = graph.n_components, max(graph.n_countries, 1)
        comp, share = graph.entry_comp, graph.entry_share
        total = np.bincount(comp, weights=share, minlength=n)  # in entry order, as sum() does
        keep = total[comp] > 0
        e_comp = comp[keep]
        part = share[keep] / total[e_comp]
        keys, inverse = np.unique(e_comp * k + graph.entry_country[keep], return_inverse=True)
        sums = np.bincount(inverse.ravel(), weights=part, minlength=keys.size)  # per key, in entry order
        pc, pk = keys // k, keys % k
        order = _order_within(pc, -sums)
        self.comp, self.country, self.share = pc[order], pk[order], sums[order]
        self.ptr = np.searchsorted(self.comp, np.arange(n + 1)).astype(np.int64)

    def leaders(self) -> IntArray:
        """Leading country index per component (-1: no listed supply)."""
        out = np.full(self.ptr.size - 1, -1, dtype=np.int64)
        has = self.ptr[1:] > self.ptr[:-1]
        out[has] = self.country[self.ptr[:-1][has]]
        return out


def _sector_members(graph: SupplyGraph) -> tuple[IntArray, IntArray]:
    """(sector position, component) pairs, sorted: a sector's components and its products, each once."""
    codes = list(graph.sectors)
    position = {code: i for i, code in enumerate(codes)}
    n = graph.n_components
    lookup = {c: position.get(c, -1) if c is not None else -1 for c in dict.fromkeys(graph.arrays.component_sector)}
    own = np.fromiter(map(lookup.__getitem__, graph.arrays.component_sector), dtype=np.int64, count=n)
    comps = np.flatnonzero(own >= 0)
    keys = [own[comps] * n + comps]
    for i, sector in enumerate(graph.sectors.values()):
        prods = np.fromiter((graph.component_of[p] for p in sector.products), dtype=np.int64, count=len(sector.products))
        keys.append(i * n + prods)
    pairs = _unique(np.concatenate(keys))  # sorting: numpy's hashing unique took 1 s at 1M
    return pairs // n, pairs % n


def _exposure(graph: SupplyGraph, colors: dict[str, str], table: ShareTable | None = None
              ) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """Per sector: mean supply share by country over its components (listed supply only)."""
    table = table or ShareTable(graph)
    k = max(graph.n_countries, 1)
    sec, comp = _sector_members(graph)
    n_sec = len(graph.sectors)
    members = np.bincount(sec, minlength=n_sec).tolist()
    starts, ends = table.ptr[comp], table.ptr[comp + 1]
    counted = np.bincount(sec[ends > starts], minlength=n_sec).tolist()
    rows_of = ranges(starts, ends)  # share rows, sector by sector, components in id order
    keys = np.repeat(sec, ends - starts) * k + table.country[rows_of]
    uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    sums = np.bincount(inverse.ravel(), weights=table.share[rows_of], minlength=uniq.size)
    order = np.argsort(first, kind="stable")  # each sector's countries in order of first appearance
    by_sector: list[list[tuple[str, float]]] = [[] for _ in range(n_sec)]
    cids = graph.country_ids
    for key, total in zip(uniq[order].tolist(), sums[order].tolist(), strict=True):
        by_sector[key // k].append((cids[key % k], total))
    rows: list[dict[str, Any]] = []
    used: dict[str, float] = {}
    for i, (code, sector) in enumerate(graph.sectors.items()):
        if not counted[i]:
            rows.append({"code": code, "name": sector.name, "components": members[i], "counted": 0,
                         "foreign": 0.0, "segments": []})
            continue
        mean = {country: v / counted[i] for country, v in by_sector[i]}
        ranked = sorted(mean.items(), key=lambda kv: (kv[0] != graph.home, -kv[1], kv[0]))
        segments: list[dict[str, Any]] = []
        other = 0.0
        x = 0.0
        for country, share in ranked:
            if country == graph.home or len(segments) < BAR_COUNTRIES:
                segments.append({"country": country, "name": graph.name(country), "share": share, "x": round(x, 2),
                                 "pct": round(100 * share, 2), "color": colors.get(country, OTHER_COLOR)})
                x += 100 * share
                used[country] = used.get(country, 0.0) + share
            else:
                other += share
        if other > 0:
            segments.append({"country": "", "name": "other countries", "share": other, "pct": round(100 * other, 2),
                             "x": round(x, 2), "color": OTHER_COLOR})
        foreign = sum(v for c, v in mean.items() if c != graph.home)
        rows.append({"code": code, "name": sector.name, "components": members[i], "counted": counted[i],
                     "foreign": foreign, "segments": segments})
    legend = [[c, graph.name(c), colors.get(c, OTHER_COLOR)] for c in sorted(used, key=lambda c: (-used[c], c))
              if colors.get(c, OTHER_COLOR) != OTHER_COLOR]
    return rows, legend


def _colors(graph: SupplyGraph, table: ShareTable) -> dict[str, str]:
    """:func:`country_colors` of every node: countries count themselves, suppliers their country and
    components their leading supply country."""
    cids = graph.country_ids
    counts = np.bincount(graph.supplier_country, minlength=graph.n_countries) + 1  # suppliers, the country itself
    leaders = table.leaders()
    counts += np.bincount(leaders[leaders >= 0], minlength=graph.n_countries)
    return colors_by_weight(graph, dict(zip(cids, counts.tolist(), strict=True)))


class _BottleneckCounts:
    """Per bottleneck node, how many components its rows hit (the union over its reasons): the removal
    rows' nodes in ``rows``, the concentration rows' components as columns (``comps``, ``sizes``) when the
    table has them (their hits are the products downstream of a component, each once)."""

    def __init__(self, graph: SupplyGraph, results: AnalysisResults) -> None:
        table = results.bottlenecks
        removal, conc = getattr(table, "_removal", None), getattr(table, "_conc", None)
        columns = removal is not None and (conc is None or (hasattr(conc, "comps") and hasattr(conc, "hits_of")))
        hits: dict[str, set[str]] = {}
        extra = getattr(results, "removals", None)  # removal rows held apart from the concentration rows
        rows: Iterable[Any] = removal if columns and removal is not None else table
        for b in itertools.chain(rows, extra if extra is not None else ()):
            hits.setdefault(b.node, set()).update(b.hits)
        self.comps, self.sizes = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if columns and conc is not None and len(conc):
            comps = np.asarray(conc.comps, dtype=np.int64)
            ptr = getattr(conc.hits_of, "ptr", None)
            sizes = (ptr[comps + 1] - ptr[comps] if ptr is not None
                     else np.array([len(set(conc.small[c])) for c in comps.tolist()], dtype=np.int64))
            ids = graph.component_ids
            both = [i for i, c in enumerate(comps.tolist()) if ids[c] in hits]
            for i in both:  # rows of both kinds: count the union
                hits[ids[int(comps[i])]].update(conc.row(i).hits)
            alone = np.ones(comps.size, dtype=bool)
            alone[both] = False
            self.comps, self.sizes = comps[alone], np.asarray(sizes)[alone]
        self.rows = {node: len(h) for node, h in hits.items()}

    def __len__(self) -> int:
        return len(self.rows) + int(self.comps.size)

    def top(self, graph: SupplyGraph, n: int) -> list[str]:
        """The ``n`` nodes hitting the most components, ties by id."""
        order = np.lexsort((self.comps, -self.sizes))[:n]  # component index order is id order
        ids = graph.component_ids
        pool = {**self.rows, **{ids[c]: int(k) for c, k in zip(self.comps[order].tolist(),
                                                                self.sizes[order].tolist(), strict=True)}}
        return _top(pool, n)


def _top(counts: dict[str, int], n: int) -> list[str]:
    """The ``n`` keys with the largest counts, ties by id."""
    return heapq.nsmallest(n, counts, key=lambda node: (-counts[node], node))


def report_data(graph: SupplyGraph, scenario: Scenario | None = None,
                deny_hosts: Iterable[str] = (), results: AnalysisResults | None = None) -> dict[str, Any]:
    """Everything the report shows, as plain data (deterministic).

    ``scenario`` sets the horizon (default 1y) and reach of the priorities,
    bottlenecks and standard scenarios; its removals and limits are shown in
    the graph view (overlay and binding chains), not here. ``deny_hosts``:
    hosts whose citations the data-quality section counts as denied. ``results``: the analyses already
    run (:func:`~chainmap.render.facts.analysis_results` at ``scenario``), shared with the graph view.

    The analyses run once; node facts are built only for the nodes listed, and the per-component
    parts (country shares, exposure, colours, scenarios) are computed as numpy columns.
    """
    scenario = scenario or Scenario()
    horizon, reach = scenario.horizon, scenario.reach
    results = results or analysis_results(graph, scenario)
    shares = ShareTable(graph)
    colors = _colors(graph, shares)
    cols = results.priority_columns()
    rank = np.asarray(cols["rank"], dtype=np.int64)
    score = np.asarray(cols["score"], dtype=np.float64)
    pids = list(cols["id"])
    has = np.flatnonzero((rank > 0) & ~np.isnan(score))
    order = np.argsort(rank[has], kind="stable")
    if _unique(rank[has]).size < has.size:  # tied ranks: in vertex order, as sorting the facts gives
        where = np.fromiter((graph.component_of[pids[i]] for i in has.tolist()), dtype=np.int64, count=has.size)
        order = np.lexsort((where, rank[has]))
    ranked_ids = [pids[i] for i in has[order][:TOP_PRIORITIES].tolist()]
    spof_counts = {row.node: len(row.targets) for row in results.spof}  # counts: no copy of every target list
    spof_ids = heapq.nsmallest(TOP_SPOF, spof_counts, key=lambda node: (-spof_counts[node], node))
    bott_counts = _BottleneckCounts(graph, results)
    bott_ids = bott_counts.top(graph, TOP_SPOF)
    country_counts = {node: count for node, count in bott_counts.rows.items()
                      if node in graph.country_of and node != graph.home}
    country_ids = _top(country_counts, TOP_COUNTRIES)
    facts = node_facts(graph, scenario, nodes=[*ranked_ids, *spof_ids, *bott_ids, *country_ids], results=results)
    prios = []
    for pid in ranked_ids:
        f = facts[pid]
        comp = graph.components[f.id]
        c = graph.component_of[f.id]
        lo, hi = int(shares.ptr[c]), int(shares.ptr[c + 1])
        foreign = [(k, graph.name(k)) for k in (graph.country_ids[x] for x in shares.country[lo:hi].tolist())
                   if k != graph.home]
        alt = max((a for a in comp.alternatives if graph.suppliers[a.supplier].country == graph.home),
                  key=lambda a: (a.readiness, a.supplier), default=None)
        prios.append({
            "rank": f.rank, "id": f.id, "name": f.name, "sector": f.sector, "score": f.score,
            "factors": [(k, getattr(f, k), round(100 * getattr(f, k), 2)) for k in ("impact", "exposure", "gap", "urgency")],
            "foreign": foreign, "alternative": f"{graph.name(alt.supplier)} ({alt.readiness:.0%})" if alt else "",
        })
    spof_rows = [{"id": f.id, "name": f.name, "kind": f.kind, "country": f.country, "origin": f.origin,
                  "country_name": graph.name(f.country) if f.country else "",
                  "targets": [(t, graph.name(t)) for t in f.spof_targets[:LISTED]], "count": len(f.spof_targets)}
                 for f in (facts[node] for node in spof_ids)]
    bott_rows = [{"id": f.id, "name": f.name, "kind": f.kind, "country": f.country,
                  "country_name": graph.name(f.country) if f.country else "", "reasons": ", ".join(f.bottleneck_reasons),
                  "hits": [(t, graph.name(t)) for t in f.bottleneck_hits[:LISTED]], "count": len(f.bottleneck_hits)}
                 for f in (facts[node] for node in bott_ids)]
    exposure, legend = _exposure(graph, colors, shares)
    named = [(f"bloc {bloc.name}", Scenario(remove=(bid,), horizon=horizon, reach=reach))
             for bid, bloc in graph.blocs.items()]
    named += [(f"country {facts[node].name}", Scenario(remove=(node,), horizon=horizon, reach=reach))
              for node in country_ids]
    return {
        "home": graph.home, "home_name": graph.name(graph.home),
        "horizon": format_horizon(horizon), "reach": reach,
        "scenario": "" if scenario.is_baseline() else scenario.describe(),
        "counts": {"countries": graph.n_countries, "suppliers": graph.n_suppliers, "components": graph.n_components,
                   "sectors": len(graph.sectors), "products": len(graph.products),
                   "ranked": int(has.size), "spof": len(spof_counts),
                   "bottlenecks": len(bott_counts)},
        "priorities": prios, "spofs": spof_rows, "spof_more": max(0, len(spof_counts) - TOP_SPOF),
        "bottlenecks": bott_rows, "bottleneck_more": max(0, len(bott_counts) - TOP_SPOF),
        "exposure": exposure, "legend": legend, "scenarios": _scenario_rows(graph, named),
        "quality": _quality(graph, deny_hosts),
    }


def _fmt(x: float, digits: int = 3) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _pct(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def _anchor(node: str) -> str:
    """``graph.html#id`` with the id percent-encoded (the page decodes it).

    >>> _anchor("a b/<c>")
    'graph.html#a%20b%2F%3Cc%3E'
    """
    from urllib.parse import quote

    return "graph.html#" + quote(node, safe="-_.~")


def render_report(graph: SupplyGraph, out_dir: str | Path, scenario: Scenario | None = None,
                  deny_hosts: Iterable[str] = ()) -> Path:
    """Write ``out_dir/index.html`` and ``out_dir/graph.html``; return the index path.

    Parameters
    ----------
    graph : the loaded graph (its ``home`` is the point of view).
    out_dir : output folder (created); neither file may be one of ``graph.files``.
    scenario : horizon and reach of the analyses; the graph view overlays its removals and limits and
        shows each lowered component's binding chain.
    deny_hosts : hosts the data-quality section counts as unreliable sources.
    """
    import jinja2
    from markupsafe import Markup

    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        from chainmap.errors import OutputError

        raise OutputError(f"report output {folder} is a file; give a folder")
    index = check_output(folder / "index.html", graph.files)
    results = analysis_results(graph, scenario)  # once, for both pages
    render_html(graph, folder / "graph.html", scenario=scenario, results=results)
    env = jinja2.Environment(autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    env.filters["fmt"] = _fmt
    env.filters["pct"] = _pct
    env.filters["anchor"] = _anchor
    html = env.from_string(template_text("report.html.j2")).render(
        data=report_data(graph, scenario, deny_hosts, results), css=Markup(template_text("report.css")),
        js=Markup(template_text("report.js")))
    write_text_atomic(index, html, graph.files)
    return index
