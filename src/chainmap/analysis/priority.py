"""Substitution priority: which foreign-supplied component to replace first.

Definition (DESIGN), for a component ``c`` with foreign supply::

    score    = impact**w_i * exposure**w_e * gap**w_g * urgency**w_u
    impact   = value-weighted loss of availability over all products at
               horizon H (default 1y) when all of c's foreign supply is cut
               (its foreign entries and its unlisted remainder)
    exposure = risk-weighted foreign share of c's supply (normalised shares;
               the unlisted remainder at the settings' ``unlisted_risk``)
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
('scanner', 0.7534246575342466, 1.0, 0.8, 0.875)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from chainmap.analysis.concentration import country_shares
from chainmap.analysis.incremental import Incremental
from chainmap.analysis.propagate import availability, supply_terms
from chainmap.analysis.scenario import Scenario, capacities
from chainmap.graph import FloatArray, IntArray, SupplyGraph
from chainmap.model.schema import Weights

__all__ = ["Priority", "priorities", "resolve_weights", "urgency"]


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


def resolve_weights(defaults: Weights, weights: Weights | dict[str, float] | None) -> Weights:
    """The factor exponents to use: ``weights`` (a whole set, or some factors over ``defaults``), else ``defaults``.

    Examples
    --------
    >>> resolve_weights(Weights(), {"impact": 2.0}).impact
    2.0
    """
    if weights is None:
        return defaults
    if isinstance(weights, Weights):
        return weights
    return Weights.model_validate({**defaults.model_dump(), **weights})


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
    progress: Callable[[int, int], None] | None = None,
    scenario: Scenario | None = None,
) -> list[Priority]:
    """Rank every component with foreign supply by substitution priority.

    ``scenario`` sets the horizon (default 1y), the reach and the state the
    cut is measured from (nodes it removes or limits stay so).

    Each impact re-evaluates only the downstream cone its supply cut reaches
    (:class:`~chainmap.analysis.incremental.Incremental`); ``progress(done, total)``
    is called now and then.
    """
    graph = graph.with_home(home)
    w = resolve_weights(graph.settings.weights, weights)
    home_idx = graph.home_index
    caps = capacities(graph, scenario or Scenario())
    base_terms = supply_terms(graph, caps)
    base = availability(graph, caps, base_terms)
    products = graph.product_index
    product_pos = {int(c): j for j, c in enumerate(products.tolist())}
    pvalue = graph.value[products]
    base_p = base[products]
    total_value = float(pvalue.sum()) or 1.0
    risk = graph.country_risk
    inc = Incremental(graph, caps, base_terms, base)
    eptr = graph.entry_ptr
    unlisted = graph.unlisted_share
    unlisted_risk = graph.settings.unlisted_risk
    # components with some foreign entry of positive share, or an unlisted remainder
    foreign_entry = (graph.entry_country != home_idx) & (graph.entry_share > 0)
    candidates = np.union1d(np.unique(graph.entry_comp[foreign_entry]), np.flatnonzero(unlisted > 0))
    feeds_product = np.zeros(graph.n_components, dtype=bool)  # a cut elsewhere cannot move any product
    feeds_product[graph.upstream_of(products.tolist())] = True
    rows: list[Priority] = []
    for done, c in enumerate(candidates.tolist()):
        if progress is not None and done % 1024 == 0:
            progress(done, int(candidates.size))
        cid = graph.component_ids[c]
        entries = slice(int(eptr[c]), int(eptr[c + 1]))
        shares = graph.entry_norm_share[entries]
        countries = graph.entry_country[entries]
        foreign = (countries != home_idx) & (shares > 0)
        u = float(unlisted[c])
        changed = inc.cut_foreign(c) if feeds_product[c] else {}
        hit = sorted(product_pos[k] for k in changed if k in product_pos)
        impact = _impact(pvalue, base_p, hit, changed, products, total_value)
        exposure = float((shares[foreign] * risk[countries[foreign]]).sum()) + u * unlisted_risk
        best_alt, best_ready = graph.best_domestic_alternative(c)
        gap = 1.0 - (best_ready or 0.0)
        urg = urgency(float(graph.recovery_days[c]), float(graph.stock_days[c]))
        score = impact**w.impact * exposure**w.exposure * gap**w.gap * urg**w.urgency
        rows.append(Priority(
            rank=0, id=cid, name=graph.component_name(c), sector=graph.component_sector(c),
            score=float(score), impact=impact, exposure=exposure, gap=gap, urgency=urg,
            foreign_share=float(shares[foreign].sum()) + u,
            foreign_countries=[k for k in country_shares(graph, cid) if k != graph.home],
            best_alternative=best_alt, best_readiness=best_ready,
        ))
    rows.sort(key=lambda r: (-r.score, r.id))
    for i, r in enumerate(rows):  # rank in place: a second copy of every row would double the memory
        object.__setattr__(r, "rank", i + 1)
    return rows[:top] if top is not None else rows


def _impact(pvalue: FloatArray, base_p: FloatArray, hit: list[int], changed: dict[int, float],
            products: IntArray, total_value: float) -> float:
    """``sum(pvalue * (base - after)) / total`` over all products, as numpy sums it.

    Only the ``hit`` products changed. With at most two nonzero terms the
    order of summation cannot matter; otherwise the full vector is summed,
    so the result is bit-identical to a full propagation's.
    """
    if len(hit) <= 2:
        terms = [float(pvalue[j] * (base_p[j] - changed[int(products[j])])) for j in hit]
        total = terms[0] + terms[1] if len(terms) == 2 else (terms[0] if terms else 0.0)
        return float(np.float64(total) / total_value)
    after = base_p.copy()
    for j in hit:
        after[j] = changed[int(products[j])]
    return float((pvalue * (base_p - after)).sum() / total_value)
