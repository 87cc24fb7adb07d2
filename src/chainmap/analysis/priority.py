"""Substitution priority: which foreign-supplied component to replace first.

Definition (DESIGN), for a component ``c`` with foreign supply::

    score    = impact**w_i * exposure**w_e * gap**w_g * urgency**w_u
    impact   = value-weighted loss of availability over all products when all
               of c's foreign supply is cut (c's foreign entries only)
    exposure = risk-weighted foreign share of c's supply:
               sum(share_e * risk(country_e) for foreign e) / sum(share_e)
    gap      = 1 - best readiness of a domestic alternative (1 with none)
    urgency  = clip((recovery_days - stock_days) / recovery_days, 0, 1)
               (1 where recovery_days is unknown; unknown stock counts as 0)

The weights ``w`` are exponents (default 1) from the graph's settings or the
call. Rows are ranked by score, ties by id.

Examples
--------
>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> top = priorities(g)[0]
>>> top.id, top.impact, top.exposure, round(top.gap, 2), round(top.urgency, 3)
('scanner', 1.0, 1.0, 0.8, 0.875)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainmap.analysis.concentration import country_shares
from chainmap.analysis.propagate import availability, supply
from chainmap.analysis.scenario import Capacities
from chainmap.graph import SupplyGraph
from chainmap.model.schema import Weights

__all__ = ["Priority", "priorities", "urgency"]


@dataclass(frozen=True)
class Priority:
    """One ranked component with the four factors of its score."""

    rank: int
    id: str
    name: str
    sector: str | None
    score: float
    impact: float
    exposure: float
    gap: float
    urgency: float
    foreign_share: float
    foreign_countries: list[str]
    best_alternative: str | None
    best_readiness: float | None


def urgency(recovery_days: float, stock_days: float) -> float:
    """``clip((recovery - stock) / recovery, 0, 1)``; 1 when recovery is unknown.

    >>> urgency(720, 90), urgency(float("nan"), 30), urgency(30, 60)
    (0.875, 1.0, 0.0)
    """
    if np.isnan(recovery_days) or recovery_days <= 0:
        return 1.0
    stock = 0.0 if np.isnan(stock_days) else stock_days
    return float(min(1.0, max(0.0, (recovery_days - stock) / recovery_days)))


def priorities(
    graph: SupplyGraph,
    home: str | None = None,
    weights: Weights | dict[str, float] | None = None,
    top: int | None = None,
) -> list[Priority]:
    """Rank every component with foreign supply by substitution priority."""
    graph = graph.with_home(home)
    if weights is None:
        w = graph.spec.settings.weights
    elif isinstance(weights, Weights):
        w = weights
    else:
        w = Weights.model_validate({**graph.spec.settings.weights.model_dump(), **weights})
    home_idx = graph.home_index
    caps = Capacities.full(graph)
    base_supply = supply(graph, caps)
    base = availability(graph, caps, base_supply)
    products = np.array([graph.component_of[p] for p in graph.products], dtype=np.int64)
    pvalue = graph.value[products]
    total_value = float(pvalue.sum()) or 1.0
    risk = graph.country_risk
    rows: list[Priority] = []
    for cid in graph.component_ids:
        c = graph.component_of[cid]
        entries = graph.entries_of[c]
        shares = graph.entry_share[entries]
        countries = graph.entry_country[entries]
        foreign = (countries != home_idx) & (shares > 0)
        if not foreign.any():
            continue
        total = float(shares.sum())
        cut_supply = base_supply.copy()
        cut_supply[c] = float(shares[~foreign].sum()) / total
        after = availability(graph, caps, cut_supply)
        impact = float((pvalue * (base[products] - after[products])).sum() / total_value)
        exposure = float((shares[foreign] * risk[countries[foreign]]).sum() / total)
        best_alt, best_ready = None, None
        for alt in graph.components[cid].alternatives:
            if graph.suppliers[alt.supplier].country == graph.home and (best_ready is None or alt.readiness > best_ready):
                best_alt, best_ready = alt.supplier, alt.readiness
        gap = 1.0 - (best_ready or 0.0)
        urg = urgency(float(graph.recovery_days[c]), float(graph.stock_days[c]))
        score = impact**w.impact * exposure**w.exposure * gap**w.gap * urg**w.urgency
        rows.append(Priority(
            rank=0, id=cid, name=graph.components[cid].name, sector=graph.components[cid].sector,
            score=float(score), impact=impact, exposure=exposure, gap=gap, urgency=urg,
            foreign_share=float(shares[foreign].sum()) / total,
            foreign_countries=[k for k in country_shares(graph, cid) if k != graph.home],
            best_alternative=best_alt, best_readiness=best_ready,
        ))
    rows.sort(key=lambda r: (-r.score, r.id))
    ranked = [Priority(**{**r.__dict__, "rank": i + 1}) for i, r in enumerate(rows)]
    return ranked[:top] if top is not None else ranked
