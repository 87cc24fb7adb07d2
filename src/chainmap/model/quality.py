"""Data quality of a graph's supply mixes: how its share facts were obtained, how old they are, what they cite.

A *share fact* is one supply entry (``{supplier: id, share}`` or ``{country: CC, share}``) of a component.
:func:`quality_report` counts them per division (the component's ``sector``; components without one
fall under ``none``) and overall: by ``method`` (``missing`` where none is given), by age (``as_of``
minus ``year``: ``<=2``, ``3-5``, ``6-10``, ``>10`` years, ``missing``), equal splits, estimates,
facts without a source, and facts whose ``source`` cites a host on a deny list of unreliable hosts
(:func:`load_deny_hosts`), and *weak-mix* facts: a judgement or an equal split, or any fact of a mix whose
domestic share is one (an import split divides ``1 - home``, so it is no better founded than the home
share it divides: what an auditor finds "plausible only"). Per component with a supply mix it flags lists whose shares cover less
than 90% (:data:`LOW_COVERAGE`) and lists with foreign entries only (no home entry), and per division
the sector products whose ``value`` (the weight of value-weighted impacts) carries no source.

:func:`check_thresholds` compares the overall fractions (:meth:`QualityReport.metrics`) with maxima
read by :func:`load_thresholds` (``max_<metric>: fraction``), the CI gate of ``chainmap validate
--quality --check``.

Examples
--------
>>> import chainmap
>>> report = quality_report(chainmap.load("tests/data/mini"), deny_hosts=("forum.example",))
>>> report.total.facts, report.total.methods["missing"], report.total.ages["missing"]
(6, 6, 6)
>>> [c.name for c in check_thresholds(report, {"missing_method": 0.5})]
['missing_method']
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import yaml

from chainmap.errors import GraphFileError, Problem
from chainmap.idlist import as_ids
from chainmap.model.schema import METHODS, GraphSpec, Measured, SupplyEntry

if TYPE_CHECKING:
    from chainmap.graph import SupplyGraph

__all__ = [
    "AGE_BUCKETS",
    "LOW_COVERAGE",
    "METRICS",
    "WEAK_METHODS",
    "Crossing",
    "DivisionQuality",
    "QualityReport",
    "age_bucket",
    "check_thresholds",
    "denied_host",
    "load_deny_hosts",
    "load_thresholds",
    "quality_report",
    "source_hosts",
]

LOW_COVERAGE = 0.9
"""A supply list whose shares sum below this covers too little of the mix."""
WEAK_METHODS = frozenset({"judgement", "equal-split"})
"""Methods that print no number of their own: a fact obtained so is at best plausible."""
AGE_BUCKETS = ("<=2", "3-5", "6-10", ">10", "missing")
"""Age classes of a fact, in years (``as_of - year``)."""
METRICS = {
    "equal_split": "share facts with method equal-split",
    "weak_mix": "share facts that are a judgement or an equal split, or in a mix whose home share is one",
    "estimate": "share facts marked estimate",
    "missing_year": "share facts without a year",
    "missing_method": "share facts without a method",
    "missing_source": "share facts without a source",
    "denied_source": "share facts citing a denied host",
    "older_than_10": "share facts more than 10 years older than as_of",
    "low_coverage": "components whose listed shares cover < 90%",
    "foreign_only": "components with foreign entries only",
    "unvalued_products": "sector products without a sourced value",
    "denied_any_fact": "facts of any kind (suppliers, requirements, components, countries...) citing a denied host",
}
"""The fractions a threshold file may bound (``max_<metric>``), with what each counts."""

_HOST = re.compile(r"(?<![\w@.-])(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?![\w-])")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{4,}")
"""A deny-list entry without a dot: a publisher's name (at least five characters), matched as a word."""
_FILE_ENDINGS = frozenset({"csv", "md", "yaml", "yml", "json", "html", "htm", "pdf", "py", "txt", "xlsx", "xls",
                           "doc", "docx", "shtml", "php", "aspx", "asp", "jsp", "png", "jpg", "zip", "parquet"})


class _HasSpec(Protocol):
    @property
    def spec(self) -> GraphSpec: ...


def source_hosts(source: str | None) -> list[str]:
    """The web hosts a citation names (``www.`` dropped, lower case; file names such as ``x.csv`` skipped).

    >>> source_hosts("sinodefenceforum.com p.2190; https://www.Reuters.com/x and table.csv, U.S. data")
    ['sinodefenceforum.com', 'reuters.com']
    """
    if not source:
        return []
    hosts: list[str] = []
    for match in _HOST.finditer(source.lower()):
        host = match.group(1).removeprefix("www.")
        if host.rsplit(".", 1)[-1] in _FILE_ENDINGS or host in hosts:
            continue
        hosts.append(host)
    return hosts


def denied_host(source: str | None, deny_hosts: Iterable[str]) -> str | None:
    """The first host of ``source`` on the deny list (a listed host also denies its subdomains), or None.

    An entry without a dot is a *name*: it denies a citation that names the host's publisher without its
    address (``Reportify 2025 citing ...``), matched as a whole word, case-insensitive.

    >>> denied_host("thread at bbs.sinodefenceforum.com", ["sinodefenceforum.com"])
    'sinodefenceforum.com'
    >>> denied_host("Reuters 2024", ["sinodefenceforum.com"]) is None
    True
    >>> denied_host("Reportify 2025 citing Euromonitor", ["reportify.ai", "reportify"])
    'reportify'
    >>> denied_host("a reportifying remark", ["reportify"]) is None
    True
    """
    entries = as_ids(deny_hosts)
    denied = {entry for entry in entries if "." in entry}
    for host in source_hosts(source):
        parts = host.split(".")
        for i in range(len(parts) - 1):
            if ".".join(parts[i:]) in denied:
                return ".".join(parts[i:])
    names = tuple(entry for entry in entries if "." not in entry)
    if names and source:
        match = _name_pattern(names).search(source.lower())
        if match:
            return match.group(1)
    return None


@functools.lru_cache(maxsize=8)
def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """One regular expression matching any of ``names`` as a whole word (letters, digits and ``-``)."""
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=lambda n: (-len(n), n)))
    return re.compile(rf"(?<![\w-])({alternatives})(?![\w-])")


def age_bucket(year: int | None, as_of: int | None) -> str:
    """Age class of a fact (one of :data:`AGE_BUCKETS`).

    >>> [age_bucket(y, 2025) for y in (2025, 2021, 2015, 2010, None)]
    ['<=2', '3-5', '6-10', '>10', 'missing']
    """
    if year is None or as_of is None:
        return "missing"
    age = as_of - year
    return "<=2" if age <= 2 else "3-5" if age <= 5 else "6-10" if age <= 10 else ">10"


@dataclass
class DivisionQuality:
    """Counts for one division (code ``none``: components without a sector; ``all``: the whole graph)."""

    code: str
    name: str
    facts: int = 0
    methods: dict[str, int] = field(default_factory=lambda: {m: 0 for m in (*METHODS, "missing")})
    ages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGE_BUCKETS, 0))
    equal_splits: int = 0
    weak_mix: int = 0
    estimates: int = 0
    missing_source: int = 0
    denied: int = 0
    components: int = 0
    low_coverage: list[str] = field(default_factory=list)
    foreign_only: list[str] = field(default_factory=list)
    products: int = 0
    unvalued_products: list[str] = field(default_factory=list)

    def fraction(self, metric: str) -> float:
        """One of :data:`METRICS` as a fraction of the facts (or of the components with a supply mix)."""
        counts = {
            "equal_split": self.equal_splits, "weak_mix": self.weak_mix, "estimate": self.estimates,
            "missing_year": self.ages["missing"], "missing_method": self.methods["missing"],
            "missing_source": self.missing_source, "denied_source": self.denied, "older_than_10": self.ages[">10"],
        }
        if metric in counts:
            return counts[metric] / self.facts if self.facts else 0.0
        if metric in ("low_coverage", "foreign_only"):
            listed = self.low_coverage if metric == "low_coverage" else self.foreign_only
            return len(listed) / self.components if self.components else 0.0
        if metric == "unvalued_products":
            return len(self.unvalued_products) / self.products if self.products else 0.0
        raise KeyError(metric)


@dataclass
class QualityReport:
    """Per-division data quality (sorted by code, ``none`` last) and the total (code ``all``)."""

    divisions: list[DivisionQuality]
    total: DivisionQuality
    as_of: int | None
    deny_hosts: int
    denied_hosts: dict[str, int]
    sourced_facts: int = 0
    denied_facts: list[str] = field(default_factory=list)

    def metrics(self) -> dict[str, float]:
        """The overall fractions of :data:`METRICS`, rounded to 6 digits."""
        values = {m: round(self.total.fraction(m), 6) for m in METRICS if m != "denied_any_fact"}
        values["denied_any_fact"] = round(len(self.denied_facts) / self.sourced_facts, 6) if self.sourced_facts else 0.0
        return values


@dataclass(frozen=True)
class Crossing:
    """A threshold the graph crosses: ``metric`` is above ``maximum``."""

    name: str
    value: float
    maximum: float

    def __str__(self) -> str:
        return (f"quality threshold crossed: {self.name} = {self.value:.4f} > max {self.maximum:.4f} "
                f"({METRICS[self.name]})")


def _domestic(entry: SupplyEntry, home: str, supplier_country: Mapping[str, str]) -> bool:
    if entry.country is not None:
        return entry.country == home
    return supplier_country.get(entry.supplier or "") == home


def quality_report(graph: GraphSpec | _HasSpec, deny_hosts: Iterable[str] = (),
                   as_of: int | None = None) -> QualityReport:
    """Count the share facts of ``graph`` (a :class:`GraphSpec` or a loaded graph) per division and overall.

    Parameters
    ----------
    graph : the graph (its ``spec`` is read; ``home`` is its settings' home).
    deny_hosts : hosts whose citation makes a fact unreliable (see :func:`load_deny_hosts`).
    as_of : the year ages are counted from; default the settings' ``as_of``, else the latest fact year.
    """
    denied_set = frozenset(as_ids(deny_hosts))
    if not isinstance(graph, GraphSpec) and getattr(graph, "_spec", True) is None and hasattr(graph, "arrays"):
        return _report_from_arrays(graph, denied_set, as_of)  # type: ignore[arg-type]
    spec = graph if isinstance(graph, GraphSpec) else graph.spec
    home = spec.settings.home
    if as_of is None:
        as_of = spec.settings.as_of
    if as_of is None:
        as_of = max((e.year for c in spec.components for e in c.suppliers if e.year is not None), default=None)
    names = {s.code: s.name for s in spec.sectors}
    rows: dict[str, DivisionQuality] = {}
    total = DivisionQuality("all", "all divisions")
    supplier_country = {s.id: s.country for s in spec.suppliers}
    denied_hosts: dict[str, int] = {}
    for comp in spec.components:
        if not comp.suppliers:
            continue  # a home process: no supply facts
        code = comp.sector or "none"
        row = rows.setdefault(code, DivisionQuality(code, names.get(code, "no division")))
        listed = sum(e.share for e in comp.suppliers)
        domestic = [_domestic(e, home, supplier_country) for e in comp.suppliers]
        has_home = any(domestic)
        weak_home = any(d and e.method in WEAK_METHODS for d, e in zip(domestic, comp.suppliers, strict=True))
        for target in (row, total):
            target.components += 1
            if listed < LOW_COVERAGE - 1e-9:
                target.low_coverage.append(comp.id)
            if not has_home:
                target.foreign_only.append(comp.id)
        for entry in comp.suppliers:
            host = denied_host(entry.source, denied_set) if denied_set else None
            if host is not None:
                denied_hosts[host] = denied_hosts.get(host, 0) + 1
            for target in (row, total):
                target.facts += 1
                target.methods[entry.method or "missing"] += 1
                target.ages[age_bucket(entry.year, as_of)] += 1
                target.equal_splits += entry.method == "equal-split"
                target.weak_mix += weak_home or entry.method in WEAK_METHODS
                target.estimates += entry.estimate
                target.missing_source += not entry.source
                target.denied += host is not None
    by_id = {c.id: c for c in spec.components}
    for sector in spec.sectors:
        row = rows.setdefault(sector.code, DivisionQuality(sector.code, sector.name))
        for product in sector.products:
            value = by_id[product].value if product in by_id else None
            for target in (row, total):
                target.products += 1
                if not (isinstance(value, Measured) and value.source):
                    target.unvalued_products.append(product)
    for target in (*rows.values(), total):
        target.low_coverage.sort()
        target.foreign_only.sort()
        target.unvalued_products.sort()
    divisions = sorted(rows.values(), key=lambda r: (r.code == "none", r.code))
    sourced, denied_facts = _all_facts(spec, denied_set)
    return QualityReport(divisions, total, as_of, len(denied_set),
                         dict(sorted(denied_hosts.items(), key=lambda kv: (-kv[1], kv[0]))), sourced, denied_facts)


def _all_facts(spec: GraphSpec, denied: frozenset[str]) -> tuple[int, list[str]]:
    """Facts of every kind with a ``source``, and where those citing a denied host are (``kind:id[:detail]``)."""
    facts: list[tuple[str, str | None]] = []
    facts += [(f"country:{c.id}", c.source) for c in spec.countries]
    facts += [(f"bloc:{b.id}", b.source) for b in spec.blocs]
    facts += [(f"sector:{s.code}", s.source) for s in spec.sectors]
    facts += [(f"supplier:{s.id}", s.source) for s in spec.suppliers]
    for comp in spec.components:
        facts.append((f"component:{comp.id}", comp.source))
        facts += [(f"supply:{comp.id}:{e.supplier or e.country}", e.source) for e in comp.suppliers]
        facts += [(f"alternative:{comp.id}:{a.supplier}", a.source) for a in comp.alternatives]
        facts += [(f"requirement:{comp.id}:{'|'.join(r.members)}", r.source)
                  for r in comp.requires if not isinstance(r, str)]
        facts += [(f"{name}:{comp.id}", number.source) for name, number in
                  (("value", comp.value), ("stock_days", comp.stock_days), ("recovery_days", comp.recovery_days))
                  if isinstance(number, Measured)]
    sourced = [(where, source) for where, source in facts if source]
    flagged = [where for where, source in sourced if denied and denied_host(source, denied) is not None]
    return len(sourced), flagged


def _text_flags(texts: Sequence[str | None], denied: frozenset[str]) -> tuple[np.ndarray, list[str | None]]:
    """Per text of a column: whether it is a non-empty source, and the denied host it cites (or None).

    Coded columns (integer codes into a small list of texts) are checked once per distinct text.
    """
    codes = getattr(texts, "codes", None)
    if codes is not None:
        distinct: list[str | None] = list(texts.texts)  # type: ignore[attr-defined]
        sourced = np.array([bool(t) for t in distinct] + [False], dtype=bool)
        hosts = [denied_host(t, denied) if denied and t else None for t in distinct] + [None]
        index = np.asarray(codes, dtype=np.int64)
        index = np.where(index < 0, len(distinct), index)
        picked = index.tolist()
        return sourced[index], [hosts[i] for i in picked] if denied else [None] * len(picked)
    values = list(texts)
    flags = np.fromiter((bool(t) for t in values), dtype=bool, count=len(values))
    return flags, [denied_host(t, denied) if denied and t else None for t in values]


def _report_from_arrays(graph: SupplyGraph, denied: frozenset[str], as_of: int | None) -> QualityReport:
    """:func:`quality_report` of an array-backed graph, counted from its columns (no pydantic record per
    component): its records carry no method, year or measured values, sources and estimate flags on supply
    entries only (what :meth:`SupplyGraph.spec` would build), so the counts are the same."""
    ar = graph.arrays
    if as_of is None:
        as_of = graph.settings.as_of  # the records carry no fact years
    n = graph.n_components
    home = graph.home_index
    n_entries = int(graph.entry_comp.size)
    per_comp = np.diff(graph.entry_ptr)
    listed = np.bincount(graph.entry_comp, weights=graph.entry_share, minlength=n)  # summed in entry order
    entry_country = np.array(graph.entry_country, dtype=np.int64)  # where each entry is located
    by_supplier = graph.entry_supplier >= 0
    entry_country[by_supplier] = graph.supplier_country[graph.entry_supplier[by_supplier]]
    has_home = np.bincount(graph.entry_comp, weights=(entry_country == home) & (home >= 0), minlength=n) > 0
    if ar.entry_source is not None:
        sourced, hosts = _text_flags(ar.entry_source, denied)
    else:
        sourced, hosts = np.zeros(n_entries, dtype=bool), [None] * n_entries
    estimate = (np.asarray(ar.entry_estimate, dtype=bool) if ar.entry_estimate is not None
                else np.zeros(n_entries, dtype=bool))
    names = {code: s.name for code, s in graph.sectors.items()}
    codes = sorted({c or "none" for c in ar.component_sector})
    position = {code: i for i, code in enumerate(codes)}
    comp_code = np.fromiter((position[c or "none"] for c in ar.component_sector), dtype=np.int64, count=n)
    mixed = per_comp > 0
    low = mixed & (listed < LOW_COVERAGE - 1e-9)
    foreign = mixed & ~has_home
    entry_code = comp_code[graph.entry_comp]
    k = len(codes)
    facts = np.bincount(entry_code, minlength=k).tolist()
    comps = np.bincount(comp_code[mixed], minlength=k).tolist()
    estimates = np.bincount(entry_code[estimate], minlength=k).tolist()
    missing = np.bincount(entry_code[~sourced], minlength=k).tolist()
    denied_entries = np.array([h is not None for h in hosts], dtype=bool) if denied else np.zeros(n_entries, bool)
    denied_count = np.bincount(entry_code[denied_entries], minlength=k).tolist()
    ids = graph.component_ids
    rows: dict[str, DivisionQuality] = {}
    total = DivisionQuality("all", "all divisions")
    low_idx, foreign_idx = np.flatnonzero(low), np.flatnonzero(foreign)
    for i, code in enumerate(codes):
        if not comps[i]:
            continue
        row = rows[code] = DivisionQuality(code, names.get(code, "no division"))
        row.components, row.facts, row.estimates = comps[i], facts[i], estimates[i]
        row.missing_source, row.denied = missing[i], denied_count[i]
        row.methods["missing"] = row.ages["missing"] = facts[i]
        row.low_coverage = [ids[c] for c in low_idx[comp_code[low_idx] == i].tolist()]
        row.foreign_only = [ids[c] for c in foreign_idx[comp_code[foreign_idx] == i].tolist()]
    total.components, total.facts, total.estimates = int(mixed.sum()), n_entries, int(estimate.sum())
    total.missing_source, total.denied = int((~sourced).sum()), int(denied_entries.sum())
    total.methods["missing"] = total.ages["missing"] = n_entries
    total.low_coverage = [ids[c] for c in low_idx.tolist()]
    total.foreign_only = [ids[c] for c in foreign_idx.tolist()]
    denied_hosts: dict[str, int] = {}
    for host in hosts if denied else ():
        if host is not None:
            denied_hosts[host] = denied_hosts.get(host, 0) + 1
    for code, sector in graph.sectors.items():
        row = rows.setdefault(code, DivisionQuality(code, sector.name))
        for product in sector.products:  # array records carry plain values: no product's value is sourced
            for target in (row, total):
                target.products += 1
                target.unvalued_products.append(product)
    for target in (*rows.values(), total):
        target.unvalued_products.sort()
    divisions = sorted(rows.values(), key=lambda r: (r.code == "none", r.code))
    facts_sourced = int(sourced.sum())
    flagged: list[str] = []
    labelled: list[tuple[str, str | None]] = [(f"country:{c.id}", c.source) for c in graph.countries.values()]
    labelled += [(f"bloc:{b.id}", b.source) for b in graph.blocs.values()]
    labelled += [(f"sector:{s.code}", s.source) for s in graph.sectors.values()]
    facts_sourced += sum(1 for _, source in labelled if source)
    flagged += [where for where, source in labelled if source and denied and denied_host(source, denied) is not None]
    if denied:
        cids, sids = graph.country_ids, graph.supplier_ids
        for e in np.flatnonzero(denied_entries).tolist():
            sup = int(graph.entry_supplier[e])
            who = sids[sup] if sup >= 0 else cids[int(graph.entry_country[e])]
            flagged.append(f"supply:{ids[int(graph.entry_comp[e])]}:{who}")
    return QualityReport(divisions, total, as_of, len(denied),
                         dict(sorted(denied_hosts.items(), key=lambda kv: (-kv[1], kv[0]))), facts_sourced, flagged)


def check_thresholds(report: QualityReport, maxima: Mapping[str, float]) -> list[Crossing]:
    """Every metric above its maximum (``maxima``: metric -> fraction), in :data:`METRICS` order."""
    values = report.metrics()
    return [Crossing(m, values[m], maxima[m]) for m in METRICS if m in maxima and values[m] > maxima[m] + 1e-12]


def load_deny_hosts(path: str | Path) -> tuple[str, ...]:
    """Hosts of a deny list: one per line, ``#`` starts a comment (say why the host is denied).

    A line without a dot is a publisher's *name* (at least five letters, digits or ``-``): it denies a
    citation naming that publisher without its address (see :func:`denied_host`).

    Raises GraphFileError naming the line of anything that is neither a host nor a name.
    """
    file = Path(path)
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GraphFileError([Problem(str(file), 0, "", f"cannot read: {getattr(exc, 'strerror', None) or exc}")]) \
            from None
    hosts: list[str] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip().lower()
        if not text:
            continue
        if _NAME.fullmatch(text):
            hosts.append(text)
            continue
        found = source_hosts(text)
        if found != [text.removeprefix("www.")]:
            problems.append(Problem(str(file), number, "", f"not a host name: {text!r}"))
            continue
        hosts.append(found[0])
    if problems:
        raise GraphFileError(problems)
    return tuple(dict.fromkeys(hosts))


def load_thresholds(path: str | Path) -> dict[str, float]:
    """Maxima of a threshold file: a YAML mapping ``max_<metric>: fraction`` (metrics in :data:`METRICS`).

    Raises GraphFileError for an unreadable file, an unknown key or a value outside [0, 1].
    """
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise GraphFileError([Problem(str(file), 0, "", f"cannot read: {getattr(exc, 'strerror', None) or exc}")]) \
            from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise GraphFileError([Problem(str(file), mark.line + 1 if mark else 0, "", "not valid YAML")]) from None
    if not isinstance(data, dict):
        raise GraphFileError([Problem(str(file), 1, "", "expected a mapping of max_<metric>: fraction")])
    maxima: dict[str, float] = {}
    problems: list[Problem] = []
    for key, value in data.items():
        metric = str(key).removeprefix("max_")
        if not str(key).startswith("max_") or metric not in METRICS:
            problems.append(Problem(str(file), 0, str(key), f"unknown threshold (known: "
                                    f"{', '.join('max_' + m for m in METRICS)})"))
        elif isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
            problems.append(Problem(str(file), 0, str(key), f"expected a fraction in [0, 1], got {value!r}"))
        else:
            maxima[metric] = float(value)
    if problems:
        raise GraphFileError(problems)
    return maxima
