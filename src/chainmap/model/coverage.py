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

from chainmap.model.schema import GraphSpec

__all__ = ["Coverage", "SectorCoverage", "coverage"]


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
    _suppliers: set[str] = field(default_factory=set, repr=False)

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
