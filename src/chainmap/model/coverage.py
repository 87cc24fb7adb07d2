"""Coverage of a graph: counts per division and how many facts carry a source.

A division's components are those whose ``sector`` is its code plus those
written in the division's own file (the file that declares the sector and
no other: the inputs it models for its products). A *fact* is a supply entry (share), an
alternative (readiness), a supplier (its country) or a country risk. ``sourced`` is the fraction with a
non-empty ``source``; ``estimates`` counts facts marked ``estimate: true``.

Examples
--------
>>> import chainmap
>>> cov = coverage(chainmap.load("tests/data/mini").spec)
>>> cov.total.components, cov.total.facts, cov.total.sourced
(7, 13, 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from chainmap.model.schema import GraphSpec

if TYPE_CHECKING:
    from chainmap.graph import SupplyGraph

__all__ = ["Coverage", "SectorCoverage", "coverage", "graph_coverage"]


@dataclass
class SectorCoverage:
    """Counts for one division (or for the whole graph, code ``all``)."""

    code: str
    name: str
    components: int = 0
    products: int = 0
    suppliers: int = 0
    facts: int = 0
    sourced_facts: int = 0
    estimates: int = 0
    sourced: float = 1.0
    _suppliers: set[str] = field(default_factory=set, repr=False, compare=False)

    def finish(self) -> None:
        self.suppliers = len(self._suppliers)
        self.sourced = self.sourced_facts / self.facts if self.facts else 1.0


@dataclass
class Coverage:
    """Per-division coverage (sorted by code) and the total."""

    sectors: list[SectorCoverage]
    total: SectorCoverage
    countries: int
    blocs: int
    supplier_count: int


def coverage(spec: GraphSpec, origins: dict[str, tuple[str, int]] | None = None) -> Coverage:
    """Counts and sourcing per division (``origins``: where each id is defined)."""
    origins = origins or {}
    files: dict[str, list[str]] = {}
    for s in spec.sectors:
        if s.code in origins:
            files.setdefault(origins[s.code][0], []).append(s.code)
    sector_of_file = {f: codes[0] for f, codes in files.items() if len(codes) == 1}  # one division per file
    by_code = {s.code: SectorCoverage(s.code, s.name, products=len(s.products)) for s in spec.sectors}
    total = SectorCoverage("all", "all divisions", products=sum(len(s.products) for s in spec.sectors))
    supplier_country_sourced = {s.id: bool(s.source) for s in spec.suppliers}
    for comp in spec.components:
        codes = {comp.sector} | {sector_of_file.get(origins.get(comp.id, ("", 0))[0])}
        rows = [total] + [by_code[c] for c in sorted(c for c in codes if c in by_code)]
        for row in rows:
            row.components += 1
        facts = list(comp.suppliers) + list(comp.alternatives)
        for fact in facts:
            for row in rows:
                row.facts += 1
                row.sourced_facts += bool(fact.source)
                row.estimates += fact.estimate
        for entry in comp.suppliers:
            if entry.supplier is not None:
                for row in rows:
                    row._suppliers.add(entry.supplier)
    for sourced in supplier_country_sourced.values():
        total.facts += 1
        total.sourced_facts += sourced
    for country in spec.countries:
        if country.risk is not None:
            total.facts += 1
            total.sourced_facts += bool(country.source)
    for row in [*by_code.values(), total]:
        row.finish()
    total.suppliers = len(spec.suppliers)
    return Coverage(sorted(by_code.values(), key=lambda r: r.code), total, len(spec.countries), len(spec.blocs),
                    len(spec.suppliers))


def graph_coverage(graph: SupplyGraph) -> Coverage:
    """:func:`coverage` of a loaded graph; for an array-backed graph (columnar files) counted from its
    columns, without building a pydantic record per component (the same numbers: columnar tables carry
    sources and estimate flags on supply entries only, and each component's division is its sector).

    Examples
    --------
    >>> import chainmap
    >>> g = chainmap.load("tests/data/mini")
    >>> graph_coverage(g) == coverage(g.spec, g.origins)
    True
    """
    if getattr(graph, "_spec", None) is not None:
        return coverage(graph.spec, graph.origins)
    ar = graph.arrays
    sectors = list(graph.sectors.values())
    codes = [s.code for s in sectors]
    position = {code: i for i, code in enumerate(codes)}
    n_codes = len(codes)
    sector_list = ar.component_sector
    code_of = {c: position.get(c, n_codes) if c is not None else n_codes for c in set(sector_list)}  # few texts
    comp_code = np.fromiter(map(code_of.__getitem__, sector_list), dtype=np.int64,
                            count=graph.n_components)  # n_codes: no declared division
    per_comp_entries = np.diff(graph.entry_ptr)
    per_comp_alts = np.diff(graph.alt_ptr)
    if ar.entry_source is not None:
        codes_of = getattr(ar.entry_source, "codes", None)
        if codes_of is not None:  # texts coded as integers: a non-empty text is a source
            texts = ar.entry_source.texts  # type: ignore[attr-defined]
            has_text = np.array([bool(t) for t in texts] + [False], dtype=bool)
            sourced_entry = has_text[np.asarray(codes_of)]
        else:
            sourced_entry = np.fromiter((bool(t) for t in ar.entry_source), dtype=bool, count=graph.entry_comp.size)
    else:
        sourced_entry = np.zeros(graph.entry_comp.size, dtype=bool)
    estimate_entry = (np.asarray(ar.entry_estimate, dtype=bool) if ar.entry_estimate is not None
                      else np.zeros(graph.entry_comp.size, dtype=bool))
    entry_code = comp_code[graph.entry_comp]

    def per_code(values: np.ndarray, code: np.ndarray) -> list[int]:
        counts: list[int] = np.bincount(code, weights=values, minlength=n_codes + 1).astype(np.int64).tolist()
        return counts

    components = np.bincount(comp_code, minlength=n_codes + 1).tolist()
    facts = per_code((per_comp_entries + per_comp_alts).astype(np.float64), comp_code)
    sourced = per_code(sourced_entry.astype(np.float64), entry_code)
    estimates = per_code(estimate_entry.astype(np.float64), entry_code)
    by_code = {s.code: SectorCoverage(s.code, s.name, products=len(s.products)) for s in sectors}
    distinct = _distinct_suppliers(entry_code, graph.entry_supplier, n_codes + 1, graph.n_suppliers)
    for i, code in enumerate(codes):
        row = by_code[code]
        row.components, row.facts, row.sourced_facts, row.estimates = components[i], facts[i], sourced[i], estimates[i]
        row.finish()
        row.suppliers = distinct[i]
    total = SectorCoverage("all", "all divisions", products=sum(len(s.products) for s in sectors))
    total.components = graph.n_components
    total.facts = int(sum(facts)) + graph.n_suppliers + int((~np.isnan(ar.country_risk)).sum())
    total.sourced_facts = int(sum(sourced))  # supplier and country rows carry no source in columnar tables
    total.estimates = int(sum(estimates))
    total.finish()
    total.suppliers = graph.n_suppliers
    return Coverage(sorted(by_code.values(), key=lambda r: r.code), total, graph.n_countries, len(graph.blocs),
                    graph.n_suppliers)


_MARKS = 1 << 27
"""Largest (divisions x suppliers) table of flags :func:`_distinct_suppliers` marks (else it sorts pairs)."""


def _distinct_suppliers(entry_code: np.ndarray, entry_supplier: np.ndarray, n_codes: int, n_suppliers: int
                        ) -> list[int]:
    """Distinct suppliers per division code among supply entries (``entry_supplier`` -1: a country entry):
    a table of flags marked per (code, supplier) pair when it is small, else the pairs sorted.

    >>> _distinct_suppliers(np.array([0, 0, 1, 0, 1]), np.array([2, 2, 2, -1, 0]), 3, 4)
    [1, 2, 0]
    """
    sup_entries = entry_supplier >= 0
    pairs = entry_code[sup_entries] * n_suppliers + entry_supplier[sup_entries]
    if n_codes * n_suppliers <= _MARKS:
        marks = np.zeros(n_codes * n_suppliers, dtype=bool)
        marks[pairs] = True
        return [int(c) for c in np.count_nonzero(marks.reshape(n_codes, n_suppliers), axis=1)]
    pairs.sort()
    pairs = pairs[np.append(True, pairs[1:] != pairs[:-1])] if pairs.size else pairs  # distinct (code, supplier)
    return [int(c) for c in np.bincount(pairs // n_suppliers, minlength=n_codes)]
