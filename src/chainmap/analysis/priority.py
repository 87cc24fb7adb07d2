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

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from chainmap.analysis.batch import largest_first, unique_inverse, upstream_mask
from chainmap.analysis.concentration import country_shares
from chainmap.analysis.incremental import Incremental
from chainmap.analysis.lazyrows import LazyRows
from chainmap.analysis.propagate import availability, supply_terms
from chainmap.analysis.scenario import Scenario, capacities
from chainmap.graph import FloatArray, IntArray, SupplyGraph
from chainmap.model.schema import Weights

__all__ = ["Priority", "PriorityTable", "priorities", "priorities_reference", "resolve_weights", "urgency"]


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


def priorities_reference(
    graph: SupplyGraph,
    home: str | None = None,
    weights: Weights | dict[str, float] | None = None,
    top: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    scenario: Scenario | None = None,
) -> list[Priority]:
    """:func:`priorities` one candidate at a time (the reference the batched fast path is tested against).

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


def priorities(
    graph: SupplyGraph,
    home: str | None = None,
    weights: Weights | dict[str, float] | None = None,
    top: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    scenario: Scenario | None = None,
) -> PriorityTable:
    """Rank every component with foreign supply by substitution priority.

    Notes
    -----
    Under a scenario: ``scenario`` (a :class:`~chainmap.analysis.scenario.Scenario`: removals,
    limits, horizon, reach) is the state every cut is measured from, not a
    cut itself: the *baseline* is the scenario's availability ``a_S`` (its
    capacities, at its horizon and reach), and a candidate ``c``'s impact is
    ``sum_p value(p) * (a_S(p) - a_S+c(p)) / sum_p value(p)`` over the
    products, where ``S+c`` is the scenario with, in addition, every foreign
    entry of ``c`` and its unlisted remainder at capacity 0 (nodes the
    scenario removes or limits stay so; a supply the scenario already cut
    loses nothing more, so its impact is what is left to lose). The
    candidates, exposure, gap and urgency are properties of the graph and do
    not depend on the scenario. ``--qualify`` (:func:`chainmap.model.edit.qualify`)
    is an edit of the graph, applied before the call: baseline and cuts both
    see it. ``scenario=None`` is ``Scenario()``: nothing removed, horizon 1y,
    reach ``location``. With ``top``, only the first ``top`` rows are built.

    All impacts are computed together by a batched incremental propagation
    (:class:`~chainmap.analysis.batch.BatchPropagation`; a cut that reaches a
    cycle goes through :class:`~chainmap.analysis.incremental.Incremental`),
    and the other factors as numpy columns with the arithmetic of the per-row
    definitions, so the rows are identical to :func:`priorities_reference`'s.
    ``progress(done, total)`` is called now and then.
    """
    graph = graph.with_home(home)
    w = resolve_weights(graph.settings.weights, weights)
    home_idx = graph.home_index
    caps = capacities(graph, scenario or Scenario())
    base_terms = supply_terms(graph, caps)
    base = availability(graph, caps, base_terms)
    products = graph.product_index
    inc = Incremental(graph, caps, base_terms, base)
    unlisted = graph.unlisted_share
    foreign_entry = (graph.entry_country != home_idx) & (graph.entry_share > 0)
    is_candidate = unlisted > 0
    is_candidate[graph.entry_comp[foreign_entry]] = True
    candidates = np.flatnonzero(is_candidate).astype(np.int64)
    feeds_product = upstream_mask(graph, products)
    impact = _impacts(graph, inc, candidates, feeds_product, progress)
    exposure, foreign_share = _exposure(graph, candidates, foreign_entry)
    alt_index, alt_ready = _best_domestic_alternatives(graph)
    ready = alt_ready[candidates]
    gap = 1.0 - np.where(np.isnan(ready), 0.0, ready)
    rec, stock = graph.recovery_days[candidates], graph.stock_days[candidates]
    known = ~np.isnan(rec) & (rec > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (rec - np.where(np.isnan(stock), 0.0, stock)) / rec
    urg = np.where(known, np.minimum(1.0, np.maximum(0.0, ratio)), 1.0)
    score = _pow(impact, w.impact) * _pow(exposure, w.exposure) * _pow(gap, w.gap) * _pow(urg, w.urgency)
    order = np.lexsort((candidates, -score))  # ids are sorted within a kind: index order is id order
    if top is not None:
        order = order[:max(top, 0)]
    comps = candidates[order]
    alt = alt_index[comps]
    columns = {"score": score[order], "impact": impact[order], "exposure": exposure[order], "gap": gap[order],
               "urgency": urg[order], "foreign_share": foreign_share[order], "best_readiness": ready[order]}
    return PriorityTable(graph, comps, alt, columns, _CountryTable(graph, comps))


def _pow(x: FloatArray, w: float) -> FloatArray:
    """``x ** w`` elementwise as Python floats compute it (C ``pow``; numpy's vectorised power may
    differ in the last bit except for the exact exponents 0 and 1: numpy squares by ``x * x``, which
    libm's ``pow(x, 2)`` does not always equal, e.g. for 0.05172413793103451)."""
    if w in (0.0, 1.0):
        return np.asarray(x**w, dtype=np.float64)
    return np.array([v**w for v in x.tolist()], dtype=np.float64)


class _CountryTable:
    """Per component, the foreign countries of :func:`country_shares` in its order (largest share first);
    computed on the first row read."""

    def __init__(self, graph: SupplyGraph, comps: IntArray) -> None:
        self.graph, self.comps = graph, comps
        self.ids = graph.country_ids
        self._table: tuple[IntArray, IntArray] | None = None

    def _build(self) -> tuple[IntArray, IntArray]:
        graph, comps = self.graph, self.comps
        nc = graph.n_countries
        ec, share, country = graph.entry_comp, graph.entry_share, graph.entry_country
        total = np.bincount(ec, weights=share, minlength=graph.n_components)
        want = np.zeros(graph.n_components, dtype=bool)
        want[comps] = True
        sel = np.flatnonzero(want[ec] & (total[ec] > 0))
        key = ec[sel] * nc + country[sel]
        keys, inverse = unique_inverse(key)
        sums = np.bincount(inverse, weights=share[sel] / total[ec[sel]], minlength=keys.size)
        kc, kn = keys // nc, keys % nc
        o = largest_first(kc, sums)  # keys are in (component, country) order: equal shares stay by country
        o = o[kn[o] != graph.home_index]
        return kn[o], np.searchsorted(kc[o], np.arange(graph.n_components + 1))

    def of(self, c: int) -> list[str]:
        if self._table is None:
            self._table = self._build()
        country, ptr = self._table
        ids = self.ids
        return [ids[i] for i in country[ptr[c]:ptr[c + 1]].tolist()]


class PriorityTable(LazyRows[Priority]):
    """Ranked priority rows held as numpy columns; a :class:`Priority` is built when a row is read.

    A sequence (index, slice, iterate, ``len``, ``==`` with a list of rows);
    :meth:`columns` gives the numbers without building rows.

    Examples
    --------
    >>> import chainmap
    >>> table = chainmap.priorities(chainmap.load("tests/data/mini"))
    >>> len(table), table[0].id, [p.rank for p in table[1:3]]
    (4, 'scanner', [2, 3])
    >>> sorted(table.columns())[:3]
    ['best_readiness', 'exposure', 'foreign_share']
    """

    def __init__(self, graph: SupplyGraph, comps: IntArray, alt: IntArray, columns: dict[str, FloatArray],
                 countries: _CountryTable, first_rank: int = 1) -> None:
        self._graph, self._comps, self._alt, self._cols = graph, comps, alt, columns
        self._countries, self._first = countries, first_rank

    def __len__(self) -> int:
        return int(self._comps.size)

    @overload
    def __getitem__(self, i: int) -> Priority: ...

    @overload
    def __getitem__(self, i: slice) -> PriorityTable: ...

    def __getitem__(self, i: int | slice) -> Priority | PriorityTable:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                raise ValueError("PriorityTable slices take every row (step 1)")
            stop = max(start, stop)
            return PriorityTable(self._graph, self._comps[start:stop], self._alt[start:stop],
                                 {k: v[start:stop] for k, v in self._cols.items()}, self._countries,
                                 self._first + start)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        g, cols = self._graph, self._cols
        c, a = int(self._comps[i]), int(self._alt[i])
        return Priority(
            rank=self._first + i, id=g.component_ids[c], name=g.component_name(c), sector=g.component_sector(c),
            score=float(cols["score"][i]), impact=float(cols["impact"][i]), exposure=float(cols["exposure"][i]),
            gap=float(cols["gap"][i]), urgency=float(cols["urgency"][i]),
            foreign_share=float(cols["foreign_share"][i]), foreign_countries=self._countries.of(c),
            best_alternative=g.supplier_ids[a] if a >= 0 else None,
            best_readiness=float(cols["best_readiness"][i]) if a >= 0 else None,
        )

    fields = ("rank", "id", "name", "sector", "score", "impact", "exposure", "gap", "urgency", "foreign_share",
              "foreign_countries", "best_alternative", "best_readiness")

    def column_values(self, start: int, stop: int) -> dict[str, Any]:
        """Rows ``start:stop`` as columns (the fields of :class:`Priority`), without building rows."""
        g, cols = self._graph, self._cols
        comps, alt = self._comps[start:stop].tolist(), self._alt[start:stop]
        ids, names, sectors = g.component_ids, g.arrays.component_name, g.arrays.component_sector
        sup = g.supplier_ids
        has_alt = alt >= 0
        ready = cols["best_readiness"][start:stop]
        out: dict[str, Any] = {
            "rank": np.arange(self._first + start, self._first + stop, dtype=np.int64),
            "id": [ids[c] for c in comps], "name": [names[c] for c in comps],
            "sector": [sectors[c] for c in comps]}
        for key in ("score", "impact", "exposure", "gap", "urgency", "foreign_share"):
            out[key] = cols[key][start:stop]
        out["foreign_countries"] = [self._countries.of(c) for c in comps]
        out["best_alternative"] = [sup[a] if a >= 0 else None for a in alt.tolist()]
        out["best_readiness"] = ready if has_alt.all() else [
            r if h else None for r, h in zip(ready.tolist(), has_alt.tolist(), strict=True)]
        return out

    def component_index(self) -> IntArray:
        """The component index of each row, in rank order (what ``columns()["id"]`` names)."""
        return self._comps

    def columns(self) -> dict[str, FloatArray | IntArray | list[str]]:
        """The table as columns: ``id`` (list), ``rank``, the factors and scores (numpy arrays)."""
        ids = self._graph.component_ids
        out: dict[str, FloatArray | IntArray | list[str]] = {
            "rank": np.arange(self._first, self._first + len(self), dtype=np.int64),
            "id": [ids[c] for c in self._comps.tolist()]}
        out.update(self._cols)
        return out


_BATCH_SEEDS = 200_000
"""Candidates propagated together (bounds the batch's memory)."""


def _impacts(graph: SupplyGraph, inc: Incremental, candidates: IntArray, feeds_product: NDArray[np.bool_],
             progress: Callable[[int, int], None] | None) -> FloatArray:
    """``impact`` of each candidate, bit-identical to :func:`_impact` over :meth:`Incremental.cut_foreign`."""
    from chainmap.analysis.batch import BatchPropagation

    products = graph.product_index
    pos = np.full(graph.n_components, -1, dtype=np.int64)
    pos[products] = np.arange(products.size)
    pvalue = graph.value[products]
    base_p = inc.base[products]
    total_value = float(pvalue.sum()) or 1.0
    impact = np.zeros(candidates.size)
    todo = np.flatnonzero(feeds_product[candidates])
    # every unchanged product's term is +0.0 (value finite and >= 0): a sum over the changed ones in numpy's
    # pairwise order is the full column's sum
    sparse_sum = bool(np.all(np.isfinite(pvalue) & (pvalue >= 0)) and np.all(np.isfinite(base_p)))
    batch = BatchPropagation(inc)
    for start in range(0, todo.size, _BATCH_SEEDS):
        if progress is not None:
            progress(start, int(todo.size))
        chunk = todo[start:start + _BATCH_SEEDS]
        comps = candidates[chunk]
        result = batch.run(np.arange(chunk.size, dtype=np.int64), comps, np.zeros(chunk.size),
                           inc.terms.domestic[comps], chunk.size)
        j = pos[result.comp]
        hit = j >= 0
        k, j, after = result.cand[hit], j[hit], result.value[hit]
        o = np.lexsort((j, k))
        k, j, after = k[o], j[o], after[o]
        terms = pvalue[j] * (base_p[j] - after)
        count = np.bincount(k, minlength=chunk.size)
        first = np.cumsum(count) - count
        one = np.flatnonzero(count == 1)
        impact[chunk[one]] = terms[first[one]] / total_value
        two = np.flatnonzero(count == 2)
        impact[chunk[two]] = (terms[first[two]] + terms[first[two] + 1]) / total_value
        for m in np.flatnonzero(count > 2).tolist():
            sl = slice(int(first[m]), int(first[m] + count[m]))
            if sparse_sum and count[m] <= _SPARSE_SUM_MAX:  # numpy's sum of the full column, from its nonzeros
                impact[chunk[m]] = _pairwise_sum(j[sl].tolist(), terms[sl].tolist(), 0, products.size) / total_value
                continue
            now = base_p.copy()
            now[j[sl]] = after[sl]
            impact[chunk[m]] = float((pvalue * (base_p - now)).sum() / total_value)
        for m in np.flatnonzero(result.fallback).tolist():
            changed = inc.cut_foreign(int(comps[m]))
            hits = sorted(int(pos[c]) for c in changed if pos[c] >= 0)
            impact[chunk[m]] = _impact(pvalue, base_p, hits, changed, products, total_value)
    if progress is not None:
        progress(int(todo.size), int(todo.size))
    return impact


_SPARSE_SUM_MAX = 256
"""Changed products up to which an impact is summed from its nonzero terms (:func:`_pairwise_sum`)."""


def _pairwise_sum(pos: list[int], values: list[float], lo: int, n: int) -> float:
    """``a[lo:lo + n].sum()`` for a float64 array ``a`` that is +0.0 except ``values`` at the sorted positions
    ``pos`` (all in the range), in numpy's pairwise order (``pairwise_sum`` of numpy's ``loops_utils``: below 8
    terms one by one, up to 128 eight accumulators, above that halves cut at a multiple of 8). A part without
    a nonzero term sums to +0.0, which adding leaves every partial sum as it is, so only parts holding
    ``pos`` are visited.

    >>> a = np.zeros(1000); a[[3, 200, 201, 777]] = [0.1, 0.2, 0.3, 1e-17]
    >>> _pairwise_sum([3, 200, 201, 777], [0.1, 0.2, 0.3, 1e-17], 0, 1000) == float(a.sum())
    True
    """
    if not pos:
        return 0.0
    if n < 8:
        res = 0.0
        for v in values:
            res += v
        return res
    if n <= 128:
        r = [0.0] * 8
        whole = lo + n - n % 8
        rest = []
        for p, v in zip(pos, values, strict=True):
            if p < whole:
                r[(p - lo) % 8] += v
            else:
                rest.append(v)
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for v in rest:
            res += v
        return res
    half = n // 2
    half -= half % 8
    k = bisect.bisect_left(pos, lo + half)
    return _pairwise_sum(pos[:k], values[:k], lo, half) + _pairwise_sum(pos[k:], values[k:], lo + half, n - half)


def _sum_like_numpy(owner: IntArray, values: FloatArray, n: int, rows: IntArray,
                    each: Callable[[int], float]) -> FloatArray:
    """Per row, the sum of its values (in order) as ``ndarray.sum`` gives it: sequential below
    8 terms (a ``bincount``), else ``each(row)`` (numpy's pairwise order)."""
    sums: FloatArray = np.asarray(np.bincount(owner, weights=values, minlength=n)[rows], dtype=np.float64)
    many = np.flatnonzero(np.bincount(owner, minlength=n)[rows] >= 8)
    for m in many.tolist():
        sums[m] = each(int(rows[m]))
    return sums


def _exposure(graph: SupplyGraph, candidates: IntArray, foreign_entry: NDArray[np.bool_]) -> tuple[FloatArray, FloatArray]:
    """Risk-weighted and plain foreign share of each candidate (unlisted remainder included)."""
    n, eptr = graph.n_components, graph.entry_ptr
    shares, countries = graph.entry_norm_share, graph.entry_country
    risk = graph.country_risk
    fe = np.flatnonzero(foreign_entry)
    owner = graph.entry_comp[fe]

    def one(c: int, weighted: bool) -> float:
        sl = slice(int(eptr[c]), int(eptr[c + 1]))
        sh, co = shares[sl], countries[sl]
        foreign = (co != graph.home_index) & (sh > 0)
        return float((sh[foreign] * risk[co[foreign]]).sum()) if weighted else float(sh[foreign].sum())

    u = graph.unlisted_share[candidates]
    weighted = _sum_like_numpy(owner, shares[fe] * risk[countries[fe]], n, candidates, lambda c: one(c, True))
    plain = _sum_like_numpy(owner, shares[fe], n, candidates, lambda c: one(c, False))
    return weighted + u * graph.settings.unlisted_risk, plain + u


def _best_domestic_alternatives(graph: SupplyGraph) -> tuple[IntArray, FloatArray]:
    """Per component, :meth:`SupplyGraph.best_domestic_alternative` as (supplier index or -1, readiness or NaN)."""
    n = graph.n_components
    index = np.full(n, -1, dtype=np.int64)
    ready = np.full(n, np.nan)
    h = graph.home_index
    alt_s, alt_r = graph.arrays.alt_supplier, graph.arrays.alt_readiness
    if h < 0 or alt_s.size == 0:
        return index, ready
    comp = np.repeat(np.arange(n), np.diff(graph.alt_ptr))
    ok = np.flatnonzero((graph.supplier_country[alt_s] == h) & ~np.isnan(alt_r))
    o = ok[np.lexsort((ok, -alt_r[ok], comp[ok]))]
    first = o[np.concatenate(([True], comp[o][1:] != comp[o][:-1]))] if o.size else o
    index[comp[first]] = alt_s[first]
    ready[comp[first]] = alt_r[first]
    return index, ready


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
