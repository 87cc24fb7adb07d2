"""Synthetic firm-level supply networks for benchmarks and tests.

:func:`generate` builds a realistic tiered network as columnar tables
(docs/columnar-format.md), deterministic for a seed (``numpy.random.Generator``):

- components in tiers: raw materials at the bottom (supplied by countries and
  mining firms), intermediate parts, and products at the top (the sector
  products, spread over the 41 industrial divisions);
- each component requires a few components of lower tiers, mostly plain
  requirements and some ``any_of`` groups of 2-3 alternatives; popular inputs
  are chosen preferentially, so fan-out is heavy-tailed;
- a few back edges (a part that needs a machine that needs the part) make
  small cycles;
- semantics v2 (DESIGN "Semantics (v2)"): about 15% of requirement groups
  are ``equipment`` (service lives of 5 to 25 years; the back edges of the
  cycles are machines too) and about 15% bind only part of the parent's
  production (``share`` 0.05..0.95); empty cells are the defaults (input,
  share 1, 10 years);
- supply entries (about 2.5 per component) name suppliers chosen with a
  Zipf-like popularity (a few firms supply a great many components) or whole
  countries (raw materials). About 85% of the supply mixes are complete
  (shares rounded up, so they sum to at least 1 exactly); the others list
  60-95% of supply and leave an *unlisted* remainder of unknown origin;
- suppliers sit in ~60 countries with a realistic concentration (a handful of
  countries host most firms); about 8% are owned by another country than the
  one they produce in (``owner``); home is CN;
- some components have domestic alternatives, values, stock and recovery days.

About 5 edges per component: ``--components 1000000`` gives roughly 5M edges.

Examples
--------
>>> t = generate(500, seed=1)
>>> len(t["components"]["id"]), sorted(t) == sorted(["countries", "suppliers", "components", "requires", "supplies",
...                                                  "alternatives", "sectors", "settings"])
(500, True)
>>> generate(300, seed=2)["supplies"]["share"][:3].tolist() == generate(300, seed=2)["supplies"]["share"][:3].tolist()
True
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["COUNTRY_WEIGHTS", "generate", "write_generated"]

# (code, name, weight of firms located there): a handful of countries host most firms
COUNTRY_WEIGHTS: list[tuple[str, str, float]] = [
    ("CN", "China", 30), ("US", "United States", 14), ("JP", "Japan", 9), ("DE", "Germany", 8),
    ("KR", "Korea", 6), ("TW", "Taiwan", 5), ("IN", "India", 3), ("FR", "France", 2.5), ("IT", "Italy", 2.5),
    ("GB", "United Kingdom", 2), ("NL", "Netherlands", 1.5), ("CH", "Switzerland", 1.2), ("SG", "Singapore", 1),
    ("MY", "Malaysia", 1), ("VN", "Viet Nam", 1), ("TH", "Thailand", 1), ("MX", "Mexico", 1), ("BR", "Brazil", 1),
    ("CA", "Canada", 0.9), ("AU", "Australia", 0.9), ("ES", "Spain", 0.8), ("SE", "Sweden", 0.6),
    ("PL", "Poland", 0.6), ("BE", "Belgium", 0.5), ("AT", "Austria", 0.5), ("ID", "Indonesia", 0.5),
    ("PH", "Philippines", 0.4), ("TR", "Turkey", 0.4), ("IL", "Israel", 0.4), ("FI", "Finland", 0.3),
    ("DK", "Denmark", 0.3), ("NO", "Norway", 0.3), ("CZ", "Czechia", 0.3), ("HU", "Hungary", 0.3),
    ("IE", "Ireland", 0.3), ("RU", "Russia", 0.5), ("SA", "Saudi Arabia", 0.2), ("AE", "United Arab Emirates", 0.2),
    ("ZA", "South Africa", 0.2), ("CL", "Chile", 0.2), ("PE", "Peru", 0.15), ("CD", "Congo", 0.1),
    ("AR", "Argentina", 0.15), ("KZ", "Kazakhstan", 0.1), ("UA", "Ukraine", 0.15), ("RO", "Romania", 0.15),
    ("PT", "Portugal", 0.15), ("GR", "Greece", 0.1), ("NZ", "New Zealand", 0.1), ("PK", "Pakistan", 0.1),
    ("BD", "Bangladesh", 0.1), ("EG", "Egypt", 0.1), ("MA", "Morocco", 0.1), ("NG", "Nigeria", 0.05),
    ("CO", "Colombia", 0.05), ("GN", "Guinea", 0.05), ("MN", "Mongolia", 0.05), ("ZM", "Zambia", 0.05),
    ("BO", "Bolivia", 0.05), ("MM", "Myanmar", 0.05),
]
SECTOR_CODES = [f"{c:02d}" for c in range(6, 47) if c not in (11, 12)] + ["11", "12"]
TIER_FRACTIONS = np.array([0.25, 0.25, 0.2, 0.15, 0.1, 0.05])  # raw materials ... products
Progress = Callable[[str, float], None]


def _ids(prefix: str, n: int, width: int) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    numbers = pa.array(np.arange(n, dtype=np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, width, "0"), "")


def _zipf_choice(rng: np.random.Generator, n: int, size: int, a: float = 1.1) -> np.ndarray:
    """Indexes in [0, n) with popularity ~ 1/rank^a, ranks shuffled (heavy-tailed fan-out)."""
    weights = 1.0 / np.arange(1, n + 1) ** a
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    ranks = np.searchsorted(cdf, rng.random(size), side="right")
    perm = rng.permutation(n)
    return perm[np.minimum(ranks, n - 1)]


def generate(n_components: int, seed: int = 0, progress: Progress | None = None) -> dict[str, dict[str, Any]]:
    """Columnar tables (name -> column -> array) of a synthetic network (see module doc)."""
    import pyarrow as pa

    if n_components < 10:
        raise ValueError("--components must be at least 10")
    rng = np.random.default_rng(seed)
    rng2 = np.random.default_rng([seed, 2])  # the v2 fields, drawn apart so the v1 structure stays as it was
    say = progress or (lambda _step, _frac: None)
    n = n_components
    width = len(str(n - 1))
    # countries
    codes = [c for c, _, _ in COUNTRY_WEIGHTS]
    weights = np.array([w for _, _, w in COUNTRY_WEIGHTS])
    cweights = weights / weights.sum()
    n_countries = len(codes)
    corder = np.argsort(codes)  # tables in id order
    risk = np.round(rng.uniform(0.1, 0.9, n_countries), 2)
    risk_col = [None if codes[i] == "CN" else float(risk[i]) for i in corder]
    countries = {"id": [codes[i] for i in corder], "name": [COUNTRY_WEIGHTS[i][1] for i in corder], "risk": risk_col}
    # suppliers
    n_sup = max(5, n // 8)
    sup_country_idx = rng.choice(n_countries, size=n_sup, p=cweights)
    sup_ids = _ids("f", n_sup, len(str(n_sup - 1)))
    owner_idx = rng2.choice(n_countries, size=n_sup, p=cweights)
    foreign_owned = (rng2.random(n_sup) < 0.08) & (owner_idx != sup_country_idx)
    none_s = np.full(n_sup, None, dtype=object)
    suppliers = {"id": sup_ids, "name": _ids("Firm ", n_sup, 1),
                 "country": pa.array(np.array(codes, dtype=object)[sup_country_idx]),
                 "owner": pa.array(np.where(foreign_owned, np.array(codes, dtype=object)[owner_idx], none_s),
                                   type=pa.string())}
    say("suppliers", 0.1)
    # tiers: component i's tier by position (ids are in tier order)
    counts = np.floor(TIER_FRACTIONS * n).astype(np.int64)
    counts[0] += n - counts.sum()
    tier = np.repeat(np.arange(len(counts)), counts)
    tier_start = np.concatenate(([0], np.cumsum(counts)))
    top = len(counts) - 1
    # requirements: per non-raw component, 1 + Poisson(1.4) groups; 20% any_of with 2-3 members
    n_groups = np.where(tier > 0, 1 + rng.poisson(1.4, n), 0)
    g_owner = np.repeat(np.arange(n), n_groups)
    g_size = np.where(rng.random(g_owner.size) < 0.2, rng.integers(2, 4, g_owner.size), 1)
    g_any = g_size > 1
    m_owner = np.repeat(g_owner, g_size)
    m_group = np.repeat(np.arange(g_owner.size), g_size)
    # member tier: one or two tiers below the owner (at least 0); preferential within the tier
    owner_tier = tier[m_owner]
    drop = np.where(rng.random(m_owner.size) < 0.7, 1, 2)
    m_tier = np.maximum(owner_tier - drop, 0)
    base = tier_start[m_tier]
    span = counts[m_tier]
    within = np.zeros(m_owner.size, dtype=np.int64)
    for t in range(len(counts)):
        sel = np.flatnonzero(m_tier == t)
        if sel.size and counts[t] > 0:
            within[sel] = _zipf_choice(rng, int(counts[t]), sel.size, a=0.8)
    members = base + np.minimum(within, span - 1)
    say("requirements", 0.3)
    # group labels per owner (0..k-1)
    first_group = np.searchsorted(g_owner, np.arange(n))
    label = np.arange(g_owner.size) - first_group[g_owner]
    m_label = label[m_group]
    # back edges: a tier-1 part requires a tier-2 machine that requires it (small cycles)
    n_back = max(1, n // 2000)
    t2_members = np.flatnonzero((tier[m_owner] == 2) & (tier[members] == 1) & ~g_any[m_group])
    if t2_members.size:
        pick = rng.choice(t2_members, size=min(n_back, t2_members.size), replace=False)
        a_nodes, b_nodes = members[pick], m_owner[pick]
        _, uniq = np.unique(a_nodes, return_index=True)
        a_nodes, b_nodes = a_nodes[uniq], b_nodes[uniq]
        back_label = n_groups[a_nodes] + 0  # a fresh group number for the owner
        m_owner = np.concatenate((m_owner, a_nodes))
        members = np.concatenate((members, b_nodes))
        m_label = np.concatenate((m_label, back_label))
        m_any = np.concatenate((g_any[m_group], np.zeros(a_nodes.size, dtype=bool)))
    else:
        m_any = g_any[m_group]
    # v2: equipment (with a service life) and partial requirements, per group; back edges are machines
    n_g = g_owner.size
    g_equipment = rng2.random(n_g) < 0.15
    g_lifetime = rng2.choice(np.array([5.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0]), size=n_g)
    g_share = np.where(rng2.random(n_g) < 0.15, np.round(rng2.uniform(0.05, 0.95, n_g), 2), np.nan)
    n_extra = m_owner.size - m_group.size
    m_equipment = np.concatenate((g_equipment[m_group], np.ones(n_extra, dtype=bool)))
    m_lifetime = np.concatenate((g_lifetime[m_group], np.full(n_extra, 20.0)))
    m_share = np.concatenate((g_share[m_group], np.full(n_extra, np.nan)))
    none_m = np.full(m_owner.size, None, dtype=object)
    comp_ids = _ids("c", n, width)
    requires = {"component": comp_ids.take(pa.array(m_owner)), "group": m_label.astype(np.int64),
                "member": comp_ids.take(pa.array(members)), "any_of": m_any,
                "role": pa.array(np.where(m_equipment, "equipment", none_m), type=pa.string()),
                "lifetime_years": pa.array(np.where(m_equipment, m_lifetime, np.nan), from_pandas=True),
                "share": pa.array(m_share, from_pandas=True)}
    # supply entries: raw materials mostly by country, others by firms
    n_entries = np.where(tier == top, rng.integers(0, 2, n), 1 + rng.poisson(1.5, n))
    e_comp = np.repeat(np.arange(n), n_entries)
    by_country = (tier[e_comp] == 0) & (rng.random(e_comp.size) < 0.5)
    e_sup = _zipf_choice(rng, n_sup, e_comp.size, a=1.05)
    e_cty = rng.choice(n_countries, size=e_comp.size, p=cweights)
    raw = rng.gamma(0.7, 1.0, e_comp.size) + 1e-3
    total = np.bincount(e_comp, weights=raw, minlength=n)
    frac = raw / total[e_comp]
    # complete mixes: shares rounded up, so they sum to at least 1 (no spurious unlisted remainder of 1e-16);
    # the others list 60-95% of supply and leave an unlisted remainder
    complete = rng2.random(n) >= 0.15
    coverage = rng2.uniform(0.6, 0.95, n)
    share = np.where(complete[e_comp], np.ceil(frac * 1e4 - 1e-9) / 1e4, np.round(frac * coverage[e_comp], 4))
    share = np.clip(share, 0.0001, 1.0)  # no zero shares: every listed entry counts
    sums = np.bincount(e_comp, weights=share, minlength=n)
    short = np.flatnonzero(complete & (sums < 1.0 + 5e-5) & (n_entries > 1))
    share[np.searchsorted(e_comp, short)] += 1e-4  # first entry; makes the sum >= 1 whatever the float rounding
    none = np.full(e_comp.size, None, dtype=object)
    sup_col = pa.array(np.where(by_country, none, np.asarray(sup_ids.to_numpy(zero_copy_only=False))[e_sup]),
                       type=pa.string())
    cty_col = pa.array(np.where(by_country, np.array(codes, dtype=object)[e_cty], none), type=pa.string())
    supplies = {"component": comp_ids.take(pa.array(e_comp)), "supplier": sup_col, "country": cty_col,
                "share": share, "source": pa.array([f"synthetic: chainmap generate --seed {seed}"] * e_comp.size,
                                                   type=pa.string()).dictionary_encode().cast(pa.string()),
                "estimate": np.ones(e_comp.size, dtype=bool)}
    say("supplies", 0.6)
    # sectors and products
    sector = np.array(SECTOR_CODES, dtype=object)[rng.integers(0, len(SECTOR_CODES), n)]
    sector[tier == 0] = np.array(["06", "07", "08", "09", "10"], dtype=object)[rng.integers(0, 5, int(counts[0]))]
    product = tier == top
    value = np.where(product, np.round(rng.lognormal(0.0, 1.0, n), 3), np.nan)
    has_days = rng.random(n) < 0.3
    stock = np.where(has_days, rng.integers(0, 180, n).astype(float), np.nan)
    recovery = np.where(has_days, rng.integers(30, 720, n).astype(float), np.nan)
    components = {"id": comp_ids, "name": _ids("Component ", n, 1), "sector": pa.array(sector, type=pa.string()),
                  "value": pa.array(value, from_pandas=True), "stock_days": pa.array(stock, from_pandas=True),
                  "recovery_days": pa.array(recovery, from_pandas=True), "product": product}
    # domestic alternatives for 5% of components
    home_sups = np.flatnonzero(np.array(codes, dtype=object)[sup_country_idx] == "CN")
    alt_comp = np.flatnonzero(rng.random(n) < 0.05) if home_sups.size else np.zeros(0, dtype=np.int64)
    alt_sup = home_sups[rng.integers(0, max(home_sups.size, 1), alt_comp.size)] if home_sups.size else alt_comp
    alternatives = {"component": comp_ids.take(pa.array(alt_comp)),
                    "supplier": sup_ids.take(pa.array(alt_sup)),
                    "readiness": np.round(rng.uniform(0, 1, alt_comp.size), 2)}
    sector_names = {"06": "Coal mining", "07": "Oil and gas", "08": "Ferrous metal mining",
                    "09": "Non-ferrous metal mining", "10": "Non-metallic mineral mining"}
    sectors = {"code": sorted(set(SECTOR_CODES)), "name": [sector_names.get(c, f"Division {c}")
                                                           for c in sorted(set(SECTOR_CODES))]}
    settings = {"key": ["home", "view", "unlisted_risk"], "value": ["CN", "home", "0.5"]}
    say("done", 1.0)
    return {"countries": countries, "suppliers": suppliers, "components": components, "requires": requires,
            "supplies": supplies, "alternatives": alternatives, "sectors": sectors, "settings": settings}


def write_generated(folder: str | Path, n_components: int, seed: int = 0, fmt: str = "csv",
                    progress: Progress | None = None) -> list[Path]:
    """Generate a network and write its tables to ``folder`` (each table atomically)."""
    from chainmap.io.columnar import write_tables

    return write_tables(folder, generate(n_components, seed, progress), fmt)
