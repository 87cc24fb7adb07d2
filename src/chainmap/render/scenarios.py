"""Standard scenarios precomputed for the graph page: compact per-component availability arrays.

The page offers a scenario selector that works offline and without analysis
code in JavaScript: every number it shows is computed here by the analyses
(:func:`~chainmap.analysis.propagate.availability`,
:func:`~chainmap.analysis.simulate.sector_means`,
:func:`~chainmap.analysis.explain.explain_many`) and shipped as plain arrays.

The standard scenarios are: losing each foreign country that supplies
anything (directly or through its suppliers), and each bloc, at each of the
horizons 90 days, 1 year and long. Per scenario the page gets each
component's availability as a dense string (two base-64 characters per
component, in permille: :func:`encode_permille`), the countries and suppliers
it cuts, the impact per sector and the products hit hardest; for the blocs
and the foreign countries that matter most, also the first step of each
lowered component's binding chain (``[index, binding input index or -1, term
index, root-cause set index or -1]``). The page follows a chain by walking
these pointers: a chain's tail is the chain of its second step (except where
a cycle breaks a tie differently).

Examples
--------
>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> pack = scenario_pack(g, horizons=("long",))
>>> [s["id"] for s in pack["scenarios"]][:3]
['bloc:chip-controls@long', 'country:JP@long', 'country:NL@long']
>>> nl = pack["scenarios"][2]
>>> [(pack["components"][i], pack["components"][via] if via >= 0 else None, pack["terms"][t])
...  for i, via, t, _ in nl["steps"]][:2]
[('logic-chip', 'scanner', 'requirement'), ('office-pc', 'logic-chip', 'requirement')]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainmap.analysis.explain import explain_many
from chainmap.analysis.propagate import availability, supply_terms
from chainmap.analysis.scenario import LONG, Capacities, Scenario, capacities, format_horizon, parse_horizon
from chainmap.graph import SupplyGraph

__all__ = ["HORIZONS", "TERMS", "SectorMeans", "foreign_supply_countries", "removal_availability", "scenario_pack"]

HORIZONS = ("90d", "1y", "long")
TERMS = ("requirement", "foreign supply", "domestic supply", "unlisted supply", "supply", "capacity", "baseline")
TOP_HITS = 12
CHAIN_COUNTRIES = 12
LARGE = 5_000  # components: above this, no chains (but the command line's) and only the top countries
LARGE_COUNTRIES = 20
EPS = 1e-9


def foreign_supply_countries(graph: SupplyGraph) -> list[str]:
    """Foreign countries with any supply entry (directly or through a supplier), by id.

    >>> import chainmap
    >>> foreign_supply_countries(chainmap.load("tests/data/mini"))
    ['JP', 'NL', 'NO', 'US']
    """
    used = np.zeros(graph.n_countries, dtype=bool)  # flags, not a set of 3M entries' countries
    used[graph.entry_country[graph.entry_country >= 0]] = True
    used[graph.supplier_country[graph.entry_supplier[graph.entry_supplier >= 0]]] = True
    return sorted(c for c in (graph.country_ids[i] for i in np.flatnonzero(used).tolist()) if c != graph.home)


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def encode_permille(values: np.ndarray) -> str:
    """Availabilities (0..1) as permille, two characters each (base 64): the page's dense arrays.

    >>> encode_permille(np.array([1.0, 0.0, 0.5]))
    'PoAAH0'
    """
    shown = np.rint(1000 * np.clip(values, 0.0, 1.0)).astype(np.int64).tolist()
    return "".join(ALPHABET[v >> 6] + ALPHABET[v & 63] for v in shown)


def _binding_steps(graph: SupplyGraph, lowered: list[int], scenario: Scenario, a: np.ndarray,
                   base: np.ndarray) -> dict[int, tuple[int, int, list[str]]]:
    """First step of each lowered component's binding chain: (binding input or -1, term index, causes).

    Chains are walked from the most downstream lowered components first; every step of
    a walked chain is harvested (its tail is the chain of its second step), so a second
    round only explains what no chain passed through.
    """
    out: dict[int, tuple[int, int, list[str]]] = {}
    if not lowered:
        return out
    low = set(lowered)
    users = graph.users_of
    first = [i for i in lowered if not any(u in low for u in users[i])]
    for batch in (first, lowered):
        todo = [graph.component_ids[i] for i in batch if i not in out]
        if not todo:
            continue
        for e in explain_many(graph, todo, scenario, availabilities=(a, base)).values():
            for k, step in enumerate(e.steps):
                c = graph.component_of[step.component]
                if c in out or step.term == "baseline":
                    continue
                via = graph.component_of[e.steps[k + 1].component] if k + 1 < len(e.steps) else -1
                out[c] = (via, TERMS.index(step.term) if step.term in TERMS else -1, list(step.causes))
    return out


class SectorMeans:
    """:func:`~chainmap.analysis.simulate.sector_means` of many arrays of one graph: each sector's product
    indexes, weights and total are gathered once (the same arithmetic, so the same numbers).

    >>> import chainmap
    >>> from chainmap.analysis.simulate import sector_means
    >>> g = chainmap.load("tests/data/mini")
    >>> a = np.linspace(0.0, 1.0, g.n_components)
    >>> SectorMeans(g)(a) == sector_means(g, a)
    True
    """

    def __init__(self, graph: SupplyGraph) -> None:
        self.parts: list[tuple[str, np.ndarray, np.ndarray, float]] = []
        of = graph.component_of
        for code, sector in graph.sectors.items():
            idx = np.fromiter(map(of.__getitem__, sector.products), dtype=np.int64, count=len(sector.products))
            if idx.size:
                weights = graph.value[idx]
                self.parts.append((code, idx, weights, float(weights.sum())))

    def __call__(self, values: np.ndarray) -> dict[str, float]:
        return {code: float((weights * values[idx]).sum() / total) if total > 0 else float(values[idx].mean())
                for code, idx, weights, total in self.parts}


def removal_availability(graph: SupplyGraph, caps: Capacities) -> np.ndarray:
    """:func:`~chainmap.analysis.propagate.availability` under ``caps``; when they only remove countries
    (capacity 0 or 1, suppliers all at 1), as the standard scenarios do, each supply entry's ``cap(e)`` is
    read as "its country (or, reach ``owner``, its foreign owner) is not removed" instead of multiplied out:
    the same 0s and 1s, so the same numbers, for a fraction of the work.

    >>> import chainmap
    >>> g = chainmap.load("tests/data/mini")
    >>> caps = capacities(g, Scenario(remove=("NL",), reach="owner"))
    >>> removal_availability(g, caps).tolist() == availability(g, caps).tolist()
    True
    """
    country = caps.country
    if (caps.supplier.size and float(caps.supplier.min()) < 1.0) or not bool(np.all((country == 0.0) | (country == 1.0))):
        return availability(graph, caps)
    cut = country == 0.0
    off = cut[graph.entry_country]
    if caps.reach == "owner" and graph.n_suppliers:
        owner = np.append(graph.supplier_owner, -1)[graph.entry_supplier]
        foreign_owned = (graph.entry_supplier >= 0) & (owner != graph.entry_country)
        off |= foreign_owned & cut[np.where(foreign_owned, owner, 0)]
    return availability(graph, caps, supply_terms(graph, caps, (~off).astype(np.float64)))


def _one(graph: SupplyGraph, sid: str, kind: str, target: str, name: str, scenario: Scenario,
         base: np.ndarray, base_means: dict[str, float], chains: bool,
         subset: np.ndarray | None = None, means_of: SectorMeans | None = None) -> dict[str, Any]:
    caps = capacities(graph, scenario)
    a = removal_availability(graph, caps)
    means_of = means_of or SectorMeans(graph)
    if subset is not None:  # the index space of the page's arrays: these components only
        return _one_subset(graph, sid, kind, target, name, scenario, caps, a, base, base_means, subset, means_of)
    shown = np.rint(1000 * np.clip(a, 0, 1)).astype(np.int64)
    shown_base = np.rint(1000 * np.clip(base, 0, 1)).astype(np.int64)
    lowered = np.flatnonzero(shown < shown_base).tolist()  # lowered by at least half a permille
    cut = [c for c, v in zip(graph.country_ids, caps.country.tolist(), strict=True) if v < 1.0]
    cut += [s for s, v in zip(graph.supplier_ids, caps.supplier.tolist(), strict=True) if v < 1.0]
    means = means_of(a)
    impacts = sorted(((code, base_means[code] - means[code]) for code in means if base_means[code] - means[code] > EPS),
                     key=lambda kv: (-kv[1], kv[0]))
    products = graph.product_index if len(graph.products) else np.arange(graph.n_components)
    order = sorted((int(p) for p in products.tolist() if shown[p] < shown_base[p]),
                   key=lambda p: (-(float(base[p]) - float(a[p])), graph.component_ids[p]))
    out: dict[str, Any] = {
        "id": sid, "kind": kind, "target": target, "name": name, "horizon": format_horizon(scenario.horizon),
        "describe": scenario.describe(), "a": encode_permille(a), "lowered": len(lowered), "cut": cut,
        "sectors": [[code, round(v, 4)] for code, v in impacts],
        "down": int(sum(1 for p in products.tolist() if a[p] <= 0.0 < base[p])),
        "products_hit": len(order), "top": order[:TOP_HITS], "chains": chains,
    }
    if chains:
        steps = _binding_steps(graph, lowered, scenario, a, base)
        causes: dict[tuple[str, ...], int] = {}
        rows = []
        for i in lowered:
            via, term, why = steps.get(i, (-1, -1, []))
            key = tuple(why)
            rows.append([i, via, term, causes.setdefault(key, len(causes)) if key else -1])
        out["steps"] = rows
        out["causes"] = [list(k) for k in causes]
    return out


def _one_subset(graph: SupplyGraph, sid: str, kind: str, target: str, name: str, scenario: Scenario, caps: Any,
                a: np.ndarray, base: np.ndarray, base_means: dict[str, float], subset: np.ndarray,
                means_of: SectorMeans) -> dict[str, Any]:
    """:func:`_one` for a page that embeds ``subset`` (component indexes): arrays and top hits in its index
    space, counts over every component, no chains."""
    shown = np.rint(1000 * np.clip(a, 0, 1)).astype(np.int64)
    shown_base = np.rint(1000 * np.clip(base, 0, 1)).astype(np.int64)
    lowered = shown < shown_base
    position = np.full(graph.n_components, -1, dtype=np.int64)
    position[subset] = np.arange(subset.size)
    cut = [c for c, v in zip(graph.country_ids, caps.country.tolist(), strict=True) if v < 1.0]
    cut += [graph.supplier_ids[s] for s in np.flatnonzero(caps.supplier < 1.0).tolist()]
    means = means_of(a)
    impacts = sorted(((code, base_means[code] - means[code]) for code in means if base_means[code] - means[code] > EPS),
                     key=lambda kv: (-kv[1], kv[0]))
    products = graph.product_index if len(graph.products) else np.arange(graph.n_components)
    hit = products[shown[products] < shown_base[products]]
    # the embedded ones among the products hit, in the order of them all (hardest hit first, then id)
    shown_hit = hit[position[hit] >= 0]
    order = sorted(shown_hit.tolist(), key=lambda p: (-(float(base[p]) - float(a[p])), graph.component_ids[p]))
    embedded = [int(position[p]) for p in order]
    return {
        "id": sid, "kind": kind, "target": target, "name": name, "horizon": format_horizon(scenario.horizon),
        "describe": scenario.describe(), "a": encode_permille(a[subset]), "lowered": int(lowered.sum()), "cut": cut,
        "sectors": [[code, round(v, 4)] for code, v in impacts],
        "down": int(((a[products] <= 0.0) & (base[products] > 0.0)).sum()),
        "products_hit": int(hit.size), "top": embedded[:TOP_HITS], "chains": False,
    }


def _by_supply(graph: SupplyGraph, countries: list[str]) -> list[str]:
    """``countries`` by the value-weighted supply share produced in them (largest first, ties by id): the
    ranking of an aggregated page, which skips a propagation per country."""
    weight = graph.entry_norm_share * graph.value[graph.entry_comp]
    per_country = np.bincount(graph.entry_country, weights=weight, minlength=graph.n_countries)
    return sorted(countries, key=lambda c: (-float(per_country[graph.country_of[c]]), c))


def _impact(graph: SupplyGraph, scenario: Scenario, base: np.ndarray) -> float:
    """Value-weighted mean availability lost over the products (over all components without products)."""
    a = removal_availability(graph, capacities(graph, scenario))
    idx = graph.product_index if len(graph.products) else np.arange(graph.n_components)
    w = graph.value[idx]
    return float((w * (base[idx] - a[idx])).sum() / max(float(w.sum()), EPS))


def scenario_pack(graph: SupplyGraph, horizons: tuple[str, ...] = HORIZONS, reach: str = "location",
                  chain_countries: int = CHAIN_COUNTRIES, extra: Scenario | None = None,
                  components: np.ndarray | None = None) -> dict[str, Any]:
    """The standard scenarios of ``graph`` (from its home) as page data; deterministic.

    Parameters
    ----------
    graph : the loaded graph.
    horizons : horizons to precompute each cut at.
    reach : reach of every scenario.
    chain_countries : the binding chains (one explain per lowered component, the costly part) are
        included for the custom scenario, every bloc and the countries whose loss costs the products the
        most (value-weighted, horizon long), this many of them; the others carry availabilities only.
        Above ``LARGE`` components only the ``LARGE_COUNTRIES`` costliest countries are included,
        and only the custom scenario has chains (the page stays a few megabytes per scenario set).
    extra : one more scenario (the command line's), listed first as ``custom``.
    components : component indexes the page embeds (an aggregated page): the arrays and top hits are
        given in their index space, counts over every component, no scenario has chains, and the
        countries are the ``LARGE_COUNTRIES`` that produce the most value-weighted supply.

    Returns
    -------
    dict
        ``components`` (ids, the index space of every array), ``terms``, ``baseline`` per horizon
        (:func:`encode_permille`) and ``scenarios`` (see the module docstring).
    """
    out: list[dict[str, Any]] = []
    baselines: dict[str, str] = {}
    cache: dict[float, tuple[np.ndarray, dict[str, float]]] = {}

    means_of = SectorMeans(graph)

    def base_of(horizon: float, reach_: str) -> tuple[np.ndarray, dict[str, float]]:
        if horizon not in cache:
            b = availability(graph, capacities(graph, Scenario(horizon=horizon, reach=reach_)))
            cache[horizon] = (b, means_of(b))
        return cache[horizon]

    if extra is not None and not extra.is_baseline():
        base, means = base_of(extra.horizon, extra.reach)
        out.append(_one(graph, "custom", "custom", "", extra.describe(), extra, base, means, components is None,
                        components, means_of))
    countries = foreign_supply_countries(graph)
    large = graph.n_components > LARGE
    if components is not None:  # an aggregated page: no propagation per country to rank them
        ranked = _by_supply(graph, countries)
        countries = sorted(ranked[:LARGE_COUNTRIES])
    else:
        long_base = base_of(LONG, reach)[0]
        ranked = sorted(countries, key=lambda c: (-_impact(graph, Scenario(remove=(c,), horizon=LONG, reach=reach),
                                                            long_base), c))
    if large and components is None:
        countries = sorted(ranked[:LARGE_COUNTRIES])
    with_chains = set() if large or components is not None else set(ranked[:max(0, chain_countries)])
    days = [parse_horizon(h) for h in horizons]
    for h in days:
        scen = Scenario(horizon=h, reach=reach)
        base, means = base_of(scen.horizon, reach)
        label = format_horizon(scen.horizon)
        baselines[label] = encode_permille(base if components is None else base[components])
        for bid, bloc in graph.blocs.items():
            out.append(_one(graph, f"bloc:{bid}@{label}", "bloc", bid, bloc.name,
                            Scenario(remove=(bid,), horizon=h, reach=reach), base, means,
                            not large and components is None, components, means_of))
        for c in countries:
            out.append(_one(graph, f"country:{c}@{label}", "country", c, graph.name(c),
                            Scenario(remove=(c,), horizon=h, reach=reach), base, means, c in with_chains, components,
                            means_of))
    order = {h: i for i, h in enumerate(format_horizon(d) for d in days)}
    out.sort(key=lambda s: (s["kind"] != "custom", order.get(s["horizon"], -1), s["kind"], s["target"]))
    ids = list(graph.component_ids) if components is None else [graph.component_ids[c] for c in components.tolist()]
    return {"components": ids, "terms": list(TERMS), "baseline": baselines,
            "chain_countries": sorted(with_chains), "countries_ranked": len(ranked), "countries_shown": len(countries),
            "horizons": list(order), "scenarios": out}
