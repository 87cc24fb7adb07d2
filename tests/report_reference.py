"""The report's data as computed before it was vectorised: one record per node, one simulate per scenario.

The reference :func:`report_data_reference` that ``test_report_property`` compares
:func:`chainmap.render.report.report_data` with (kept as it was, quality section included).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chainmap.analysis import Scenario, simulate
from chainmap.analysis.concentration import country_shares
from chainmap.analysis.scenario import format_horizon
from chainmap.graph import SupplyGraph
from chainmap.model.quality import METRICS, quality_report
from chainmap.render.facts import node_facts
from chainmap.render.html import OTHER_COLOR, country_colors

TOP_PRIORITIES = 25
TOP_SPOF = 60
TOP_COUNTRIES = 5
LISTED = 500  # components listed per SPOF or bottleneck row (the count is exact)
BAR_COUNTRIES = 8


@dataclass(frozen=True)
class ScenarioRow:
    """What one standard scenario does to the products."""

    name: str
    describe: str
    products_down: int
    products: int
    mean_availability: float
    worst_sectors: list[tuple[str, str, float]]


def _scenario_row(graph: SupplyGraph, name: str, scenario: Scenario) -> ScenarioRow:
    result = simulate(graph, scenario)
    products = set(graph.products)
    rows = [c for c in result.components if c.id in products]
    total = sum(float(graph.value[graph.component_of[c.id]]) for c in rows) or 1.0
    mean = sum(float(graph.value[graph.component_of[c.id]]) * c.availability for c in rows) / total if rows else 1.0
    worst = sorted((s for s in result.sectors if s.impact > 1e-12), key=lambda s: (-s.impact, s.code))[:3]
    return ScenarioRow(name, scenario.describe(), sum(1 for c in rows if not c.up), len(rows), mean,
                       [(s.code, s.name, s.impact) for s in worst])


def _exposure(graph: SupplyGraph, colors: dict[str, str]) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """Per sector: mean supply share by country over its components (listed supply only)."""
    rows: list[dict[str, Any]] = []
    used: dict[str, float] = {}
    for code, sector in graph.sectors.items():
        comps = sorted({c for c, comp in graph.components.items() if comp.sector == code} | set(sector.products))
        totals: dict[str, float] = {}
        counted = 0
        for cid in comps:
            shares = country_shares(graph, cid)
            if not shares:
                continue
            counted += 1
            for country, share in shares.items():
                totals[country] = totals.get(country, 0.0) + share
        if not counted:
            rows.append({"code": code, "name": sector.name, "components": len(comps), "counted": 0,
                         "foreign": 0.0, "segments": []})
            continue
        mean = {k: v / counted for k, v in totals.items()}
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
        foreign = sum(v for k, v in mean.items() if k != graph.home)
        rows.append({"code": code, "name": sector.name, "components": len(comps), "counted": counted,
                     "foreign": foreign, "segments": segments})
    legend = [[c, graph.name(c), colors.get(c, OTHER_COLOR)] for c in sorted(used, key=lambda c: (-used[c], c))
              if colors.get(c, OTHER_COLOR) != OTHER_COLOR]
    return rows, legend


def _quality(graph: SupplyGraph, deny_hosts: Iterable[str]) -> dict[str, Any]:
    """The data-quality section: overall fractions and per-division counts."""
    report = quality_report(graph.spec, deny_hosts=deny_hosts)
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


def report_data_reference(graph: SupplyGraph, scenario: Scenario | None = None,
                deny_hosts: Iterable[str] = ()) -> dict[str, Any]:
    """Everything the report shows, as plain data (deterministic).

    ``scenario`` sets the horizon (default 1y) and reach of the priorities,
    bottlenecks and standard scenarios; its removals and limits are shown in
    the graph view (overlay and binding chains), not here. ``deny_hosts``:
    hosts whose citations the data-quality section counts as denied.
    """
    scenario = scenario or Scenario()
    horizon, reach = scenario.horizon, scenario.reach
    facts = node_facts(graph, scenario)
    colors = country_colors(graph, facts)
    ranked = sorted((f for f in facts.values() if f.has_priority), key=lambda f: f.rank)
    prios = []
    for f in ranked[:TOP_PRIORITIES]:
        comp = graph.components[f.id]
        foreign = [(k, graph.name(k)) for k in country_shares(graph, f.id) if k != graph.home]
        alt = max((a for a in comp.alternatives if graph.suppliers[a.supplier].country == graph.home),
                  key=lambda a: (a.readiness, a.supplier), default=None)
        prios.append({
            "rank": f.rank, "id": f.id, "name": f.name, "sector": f.sector, "score": f.score,
            "factors": [(k, getattr(f, k), round(100 * getattr(f, k), 2)) for k in ("impact", "exposure", "gap", "urgency")],
            "foreign": foreign, "alternative": f"{graph.name(alt.supplier)} ({alt.readiness:.0%})" if alt else "",
        })
    spofs = sorted((f for f in facts.values() if f.spof), key=lambda f: (-len(f.spof_targets), f.id))
    spof_rows = [{"id": f.id, "name": f.name, "kind": f.kind, "country": f.country, "origin": f.origin,
                  "country_name": graph.name(f.country) if f.country else "",
                  "targets": [(t, graph.name(t)) for t in f.spof_targets[:LISTED]], "count": len(f.spof_targets)}
                 for f in spofs[:TOP_SPOF]]
    bott = sorted((f for f in facts.values() if f.bottleneck), key=lambda f: (-len(f.bottleneck_hits), f.id))
    bott_rows = [{"id": f.id, "name": f.name, "kind": f.kind, "country": f.country,
                  "country_name": graph.name(f.country) if f.country else "", "reasons": ", ".join(f.bottleneck_reasons),
                  "hits": [(t, graph.name(t)) for t in f.bottleneck_hits[:LISTED]], "count": len(f.bottleneck_hits)}
                 for f in bott[:TOP_SPOF]]
    exposure, legend = _exposure(graph, colors)
    scenarios = [_scenario_row(graph, f"bloc {bloc.name}", Scenario(remove=(bid,), horizon=horizon, reach=reach))
                 for bid, bloc in graph.blocs.items()]
    foreign_countries = sorted(
        (f for f in facts.values() if f.kind == "country" and f.origin == "foreign" and f.bottleneck),
        key=lambda f: (-len(f.bottleneck_hits), f.id))[:TOP_COUNTRIES]
    scenarios += [_scenario_row(graph, f"country {f.name}", Scenario(remove=(f.id,), horizon=horizon, reach=reach))
                  for f in foreign_countries]
    return {
        "home": graph.home, "home_name": graph.name(graph.home),
        "horizon": format_horizon(horizon), "reach": reach,
        "scenario": "" if scenario.is_baseline() else scenario.describe(),
        "counts": {"countries": graph.n_countries, "suppliers": graph.n_suppliers, "components": graph.n_components,
                   "sectors": len(graph.sectors), "products": len(graph.products),
                   "ranked": len(ranked), "spof": len(spofs),
                   "bottlenecks": sum(1 for f in facts.values() if f.bottleneck)},
        "priorities": prios, "spofs": spof_rows, "spof_more": max(0, len(spofs) - TOP_SPOF),
        "bottlenecks": bott_rows, "bottleneck_more": max(0, len(bott) - TOP_SPOF),
        "exposure": exposure, "legend": legend, "scenarios": scenarios,
        "quality": _quality(graph, deny_hosts),
    }


