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

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from chainmap.errors import UsageError

__all__ = ["CHUNK", "COUNTRY_WEIGHTS", "GENERATED_MARK", "check_generate_target", "generate", "generate_tables",
           "write_generated"]

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


_NONE = np.array(None, dtype=object)
CHUNK = 1_000_000
"""Components generated (and written) per chunk."""


def _ids(prefix: str, numbers: Any, width: int) -> Any:
    """Ids ``prefix`` + zero-padded ``numbers`` (an int array) as a pyarrow string array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(text, width, "0"), "")


class _Zipf:
    """Indexes in [0, n) with popularity ~ 1/rank^a, ranks shuffled once (heavy-tailed fan-out)."""

    def __init__(self, rng: np.random.Generator, n: int, a: float) -> None:
        cdf = np.cumsum(1.0 / np.arange(1, n + 1) ** a)
        self.cdf = cdf / cdf[-1]
        self.perm = rng.permutation(n).astype(np.int64)
        self.n = n

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        ranks = np.searchsorted(self.cdf, rng.random(size), side="right")
        return self.perm[np.minimum(ranks, self.n - 1)]


class _Plan:
    """What every chunk shares: countries, suppliers, tiers, popularity orders, requirement-group counts."""

    def __init__(self, n: int, seed: int) -> None:
        import pyarrow as pa

        if n < 10:
            raise UsageError("--components must be at least 10")
        rng = np.random.default_rng(seed)
        rng2 = np.random.default_rng([seed, 2])  # the v2 fields, drawn apart from the structure
        self.n, self.seed = n, seed
        self.width = len(str(n - 1))
        self.codes = [c for c, _, _ in COUNTRY_WEIGHTS]
        weights = np.array([w for _, _, w in COUNTRY_WEIGHTS])
        self.cweights = weights / weights.sum()
        n_countries = len(self.codes)
        corder = np.argsort(self.codes)  # tables in id order
        risk = np.round(rng.uniform(0.1, 0.9, n_countries), 2)
        self.countries = {"id": [self.codes[i] for i in corder], "name": [COUNTRY_WEIGHTS[i][1] for i in corder],
                          "risk": [None if self.codes[i] == "CN" else float(risk[i]) for i in corder]}
        self.n_sup = n_sup = max(5, n // 8)
        sup_country_idx = rng.choice(n_countries, size=n_sup, p=self.cweights)
        self.sup_ids = _ids("f", np.arange(n_sup), len(str(n_sup - 1)))
        self.sup_text = np.asarray(self.sup_ids.to_numpy(zero_copy_only=False), dtype=object)
        owner_idx = rng2.choice(n_countries, size=n_sup, p=self.cweights)
        foreign_owned = (rng2.random(n_sup) < 0.08) & (owner_idx != sup_country_idx)
        code_arr = np.array(self.codes, dtype=object)
        self.suppliers = {"id": self.sup_ids, "name": _ids("Firm ", np.arange(n_sup), 1),
                          "country": pa.array(code_arr[sup_country_idx]),
                          "owner": pa.array(np.where(foreign_owned, code_arr[owner_idx],
                                                     np.full(n_sup, None, dtype=object)), type=pa.string())}
        self.home_sups = np.flatnonzero(code_arr[sup_country_idx] == "CN")
        self.supplier_pick = _Zipf(rng, n_sup, 1.05)
        # tiers: component i's tier by position (ids are in tier order)
        counts = np.floor(TIER_FRACTIONS * n).astype(np.int64)
        counts[0] += n - counts.sum()
        self.counts = counts
        self.tier_start = np.concatenate(([0], np.cumsum(counts)))
        self.top = len(counts) - 1
        self.member_pick = [_Zipf(rng, int(c), 0.8) if c > 0 else None for c in counts]
        # requirement groups per non-raw component: 1 + Poisson(1.4) (kept: back edges add one more group)
        self.n_groups = np.where(self.tiers(0, n) > 0, 1 + rng.poisson(1.4, n), 0).astype(np.int16)
        self.sectors = {"code": sorted(set(SECTOR_CODES)),
                        "name": [SECTOR_NAMES.get(c, f"Division {c}") for c in sorted(set(SECTOR_CODES))]}
        self.settings = {"key": ["home", "view", "unlisted_risk"], "value": ["CN", "home", "0.5"]}

    def tiers(self, lo: int, hi: int) -> np.ndarray:
        """Tier of components ``lo..hi-1``."""
        return np.searchsorted(self.tier_start, np.arange(lo, hi), side="right") - 1

    def comp_ids(self, index: np.ndarray) -> Any:
        return _ids("c", index, self.width)


SECTOR_NAMES = {"06": "Coal mining", "07": "Oil and gas", "08": "Ferrous metal mining",
                "09": "Non-ferrous metal mining", "10": "Non-metallic mineral mining"}


def _chunk(plan: _Plan, lo: int, hi: int) -> tuple[dict[str, dict[str, Any]], tuple[np.ndarray, np.ndarray]]:
    """Tables of components ``lo..hi-1`` (components, requires, supplies, alternatives) and their back-edge
    candidates ``(part, machine)``."""
    import pyarrow as pa

    rng = np.random.default_rng([plan.seed, 1, lo])
    rng2 = np.random.default_rng([plan.seed, 3, lo])
    m = hi - lo
    index = np.arange(lo, hi)
    tier = plan.tiers(lo, hi)
    top = plan.top
    # requirements: 20% of groups any_of with 2-3 members
    n_groups = plan.n_groups[lo:hi].astype(np.int64)
    g_owner = np.repeat(index, n_groups)
    g_size = np.where(rng.random(g_owner.size) < 0.2, rng.integers(2, 4, g_owner.size), 1)
    g_any = g_size > 1
    m_owner = np.repeat(g_owner, g_size)
    m_group = np.repeat(np.arange(g_owner.size), g_size)
    # member tier: one or two tiers below the owner (at least 0); preferential within the tier
    owner_tier = tier[m_owner - lo]
    m_tier = np.maximum(owner_tier - np.where(rng.random(m_owner.size) < 0.7, 1, 2), 0)
    members = np.zeros(m_owner.size, dtype=np.int64)
    for t, pick in enumerate(plan.member_pick):
        sel = np.flatnonzero(m_tier == t)
        if sel.size and pick is not None:
            members[sel] = plan.tier_start[t] + pick.draw(rng, sel.size)
    first_group = np.searchsorted(g_owner, index)
    m_label = (np.arange(g_owner.size) - first_group[g_owner - lo])[m_group]
    # back-edge candidates: a tier-2 machine requiring a tier-1 part (the part will require the machine)
    member_tier = np.searchsorted(plan.tier_start, members, side="right") - 1
    cand = np.flatnonzero((owner_tier == 2) & (member_tier == 1) & ~g_any[m_group])
    n_back = max(1, m // 2000)
    pick_back = rng.choice(cand, size=min(n_back, cand.size), replace=False) if cand.size else cand
    back = (members[pick_back], m_owner[pick_back])
    # v2: equipment (with a service life) and partial requirements, per group
    n_g = g_owner.size
    g_equipment = rng2.random(n_g) < 0.15
    g_lifetime = rng2.choice(np.array([5.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0]), size=n_g)
    g_share = np.where(rng2.random(n_g) < 0.15, np.round(rng2.uniform(0.05, 0.95, n_g), 2), np.nan)
    m_equipment = g_equipment[m_group]
    requires = {"component": plan.comp_ids(m_owner), "group": m_label.astype(np.int64),
                "member": plan.comp_ids(members), "any_of": g_any[m_group],
                "role": pa.array(np.where(m_equipment, "equipment", _NONE), type=pa.string()),
                "lifetime_years": pa.array(np.where(m_equipment, g_lifetime[m_group], np.nan), from_pandas=True),
                "share": pa.array(g_share[m_group], from_pandas=True)}
    # supply entries: raw materials mostly by country, others by firms
    n_entries = np.where(tier == top, rng.integers(0, 2, m), 1 + rng.poisson(1.5, m))
    e_comp = np.repeat(np.arange(m), n_entries)
    by_country = (tier[e_comp] == 0) & (rng.random(e_comp.size) < 0.5)
    e_sup = plan.supplier_pick.draw(rng, e_comp.size)
    e_cty = rng.choice(len(plan.codes), size=e_comp.size, p=plan.cweights)
    raw = rng.gamma(0.7, 1.0, e_comp.size) + 1e-3
    frac = raw / np.bincount(e_comp, weights=raw, minlength=m)[e_comp]
    # complete mixes: shares rounded up, so they sum to at least 1 (no spurious unlisted remainder of 1e-16);
    # the others list 60-95% of supply and leave an unlisted remainder
    complete = rng2.random(m) >= 0.15
    coverage = rng2.uniform(0.6, 0.95, m)
    share = np.where(complete[e_comp], np.ceil(frac * 1e4 - 1e-9) / 1e4, np.round(frac * coverage[e_comp], 4))
    share = np.clip(share, 0.0001, 1.0)  # no zero shares: every listed entry counts
    sums = np.bincount(e_comp, weights=share, minlength=m)
    short = np.flatnonzero(complete & (sums < 1.0 + 5e-5) & (n_entries > 1))
    share[np.searchsorted(e_comp, short)] += 1e-4  # first entry; makes the sum >= 1 whatever the float rounding
    code_arr = np.array(plan.codes, dtype=object)
    supplies = {"component": plan.comp_ids(lo + e_comp),
                "supplier": pa.array(np.where(by_country, _NONE, plan.sup_text[e_sup]), type=pa.string()),
                "country": pa.array(np.where(by_country, code_arr[e_cty], _NONE), type=pa.string()),
                "share": share,
                "source": pa.array([f"synthetic: chainmap generate --seed {plan.seed}"] * e_comp.size,
                                   type=pa.string()),
                "estimate": np.ones(e_comp.size, dtype=bool)}
    # sectors and products
    sector = np.array(SECTOR_CODES, dtype=object)[rng.integers(0, len(SECTOR_CODES), m)]
    raw_rows = tier == 0
    sector[raw_rows] = np.array(["06", "07", "08", "09", "10"], dtype=object)[rng.integers(0, 5, int(raw_rows.sum()))]
    product = tier == top
    value = np.where(product, np.round(rng.lognormal(0.0, 1.0, m), 3), np.nan)
    has_days = rng.random(m) < 0.3
    stock = np.where(has_days, rng.integers(0, 180, m).astype(float), np.nan)
    recovery = np.where(has_days, rng.integers(30, 720, m).astype(float), np.nan)
    components = {"id": plan.comp_ids(index), "name": _ids("Component ", index, 1),
                  "sector": pa.array(sector, type=pa.string()), "value": pa.array(value, from_pandas=True),
                  "stock_days": pa.array(stock, from_pandas=True),
                  "recovery_days": pa.array(recovery, from_pandas=True), "product": product}
    # domestic alternatives for 5% of components
    home = plan.home_sups
    alt_comp = np.flatnonzero(rng.random(m) < 0.05) if home.size else np.zeros(0, dtype=np.int64)
    alt_sup = home[rng.integers(0, max(home.size, 1), alt_comp.size)] if home.size else alt_comp
    alternatives = {"component": plan.comp_ids(lo + alt_comp), "supplier": plan.sup_ids.take(pa.array(alt_sup)),
                    "readiness": np.round(rng.uniform(0, 1, alt_comp.size), 2)}
    return ({"components": components, "requires": requires, "supplies": supplies, "alternatives": alternatives},
            back)


def _back_edges(plan: _Plan, parts: np.ndarray, machines: np.ndarray) -> dict[str, Any]:
    """``requires`` rows closing the small cycles: each part (once) needs its machine, as equipment, in a group of
    its own (numbered after its other groups)."""
    import pyarrow as pa

    parts, first = np.unique(parts, return_index=True)
    machines = machines[first]
    k = parts.size
    return {"component": plan.comp_ids(parts), "group": plan.n_groups[parts].astype(np.int64),
            "member": plan.comp_ids(machines), "any_of": np.zeros(k, dtype=bool),
            "role": pa.array(["equipment"] * k, type=pa.string()),
            "lifetime_years": pa.array(np.full(k, 20.0)), "share": pa.array(np.full(k, np.nan), from_pandas=True)}


def generate_tables(n_components: int, seed: int = 0, progress: Progress | None = None,
                    chunk: int = CHUNK) -> Iterator[tuple[str, dict[str, Any]]]:
    """The network as ``(table name, piece)`` pairs, ``chunk`` components at a time (see module doc).

    The whole-graph tables (countries, suppliers, sectors, settings) come
    first, then the pieces of each chunk, then the back edges. Each chunk
    draws from its own generator, seeded by ``(seed, first component)``, so
    the network is fixed by ``(n_components, seed, chunk)``: keep the default
    chunk to reproduce a published benchmark. Memory is bounded by one chunk
    plus the per-component group counts and the suppliers.
    """
    say = progress or (lambda _step, _frac: None)
    plan = _Plan(n_components, seed)
    for name in ("countries", "suppliers", "sectors", "settings"):
        yield name, getattr(plan, name)
    parts: list[np.ndarray] = []
    machines: list[np.ndarray] = []
    for lo in range(0, plan.n, chunk):
        hi = min(plan.n, lo + chunk)
        tables, (p, m) = _chunk(plan, lo, hi)
        parts.append(p)
        machines.append(m)
        yield from tables.items()
        say(f"components {hi:,}", hi / plan.n)
    yield "requires", _back_edges(plan, np.concatenate(parts), np.concatenate(machines))
    say("done", 1.0)


def generate(n_components: int, seed: int = 0, progress: Progress | None = None,
             chunk: int = CHUNK) -> dict[str, dict[str, Any]]:
    """Columnar tables (name -> column -> array) of a synthetic network (see module doc), in memory."""
    import pyarrow as pa

    pieces: dict[str, list[Any]] = {}
    for name, columns in generate_tables(n_components, seed, progress, chunk):
        pieces.setdefault(name, []).append(pa.table({c: pa.array(v) if not isinstance(v, pa.Array) else v
                                                     for c, v in columns.items()}))
    out: dict[str, dict[str, Any]] = {}
    for name, tables in pieces.items():
        table = pa.concat_tables([t.cast(tables[0].schema) for t in tables]).combine_chunks()
        out[name] = {c: table.column(c).combine_chunks() for c in table.column_names}
    return out


GENERATED_MARK = ".generated-by-chainmap"
"""The file :func:`write_generated` leaves in its folder: the folder's tables may be replaced by the next run."""


def write_generated(folder: str | Path, n_components: int, seed: int = 0, fmt: str = "csv",
                    progress: Progress | None = None, chunk: int = CHUNK, force: bool = True) -> list[Path]:
    """Generate a network and write its tables to ``folder``, ``chunk`` components at a time (memory bounded by
    the chunk and the suppliers table).

    The tables are staged in a temporary sibling folder (:class:`~chainmap.io.columnar.TableWriter`) and
    renamed into ``folder`` as a set (with signals held off), replacing the tables of an earlier run in
    either format, so an interrupted run leaves the old network whole. Without ``force``, ``folder`` must be
    missing, empty, or an earlier run's output (it holds :data:`GENERATED_MARK`), else
    :class:`~chainmap.errors.OutputError`.
    """
    import os
    import shutil
    import tempfile

    from chainmap.errors import OutputError
    from chainmap.io.atomic import MARK, held_signals
    from chainmap.io.columnar import TABLES, TableWriter

    root = Path(folder)
    check_generate_target(root, force)
    try:
        parent = root.resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{root.resolve().name[:100]}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write {root}: {exc.strerror or exc}") from None
    try:
        with TableWriter(stage, fmt) as out:
            for name, columns in generate_tables(n_components, seed, progress, chunk):
                out.write(name, columns)
        written = [p.name for p in out.paths()]
        try:
            root.mkdir(parents=True, exist_ok=True)
            with held_signals():
                for name in written:
                    os.replace(stage / name, root / name)
                for table in TABLES:
                    for suffix in (".csv", ".parquet"):
                        stale = root / f"{table}{suffix}"
                        if stale.name not in written and (stale.is_file() or stale.is_symlink()):
                            stale.unlink()
                (root / GENERATED_MARK).write_text(
                    f"{MARK}: chainmap generate --components {n_components} --seed {seed} --format {fmt}\n")
        except OSError as exc:
            raise OutputError(f"cannot write {root}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return [root / name for name in written]


def check_generate_target(root: Path, force: bool) -> None:
    """Refuse an output folder that is a file, a link, or (without ``force``) holds what generate did not write."""
    from chainmap.errors import OutputError

    if root.is_symlink():
        raise OutputError(f"output {root} is a symbolic link; give the real path")
    if root.exists() and not root.is_dir():
        raise OutputError(f"output {root} is not a folder; give a folder")
    if force or not root.exists() or (root / GENERATED_MARK).is_file():
        return
    try:
        entries = next(iter(root.iterdir()), None)
    except OSError as exc:
        raise OutputError(f"cannot read {root}: {exc.strerror or exc}") from None
    if entries is not None:
        raise OutputError(f"output folder {root} is not empty and was not written by chainmap generate "
                          "(--force writes the tables into it)")
