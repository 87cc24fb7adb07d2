"""Import the EU Critical Raw Materials 2023 supply tables.

Source: European Commission, *Study on the critical raw materials for the EU
2023 — Final Report* (Grohol & Veeh), doi 10.2873/725585, CC BY 4.0; global
supply shares by material, stage (E = extraction, P = processing) and country
(``fact_GlobalSupplyShares&t.csv``).

Each material and stage becomes a component ``<material>-extraction`` or
``<material>-processing`` with country supply entries; the processing stage
requires the extraction stage where both exist. The table gives *world* supply
shares, so home's mix is derived from it (:mod:`chainmap.io.importers.homemix`):
home (default CN) at its own world share, the rest imported in proportion to
the other producers' world shares, every entry ``method: market-share``,
``estimate: true``, with a note saying so, and ``year: 2023`` (the study's year:
the table states no reference period). Shares given as ``<0.1%`` are entered as
0.05% of world output.

Examples
--------
>>> data = import_eu_crm("tests/data/eu-crm-sample")
>>> comp = next(c for c in data["components"] if c["id"] == "lithium-processing")
>>> comp["requires"], [(e["country"], e["share"]) for e in comp["suppliers"]]
(['lithium-extraction'], [('CN', 0.562), ('CL', 0.330042), ('AR', 0.107958)])
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chainmap.errors import GraphFileError, Problem
from chainmap.io.countries import country_code, country_name
from chainmap.io.importers.homemix import home_mix
from chainmap.io.importers.table import read_rows

__all__ = ["SOURCE", "import_eu_crm", "material_id"]

SOURCE = ("EU CRM 2023 global supply shares (European Commission, Study on the critical raw materials for the "
          "EU 2023, doi 10.2873/725585, CC BY 4.0; shared/data/eu-crm-2023/fact_GlobalSupplyShares&t.csv)")
TABLE = "fact_GlobalSupplyShares&t.csv"
#: The year entries carry: the study's. Appendix 7 of the report (the table) states no reference
#: period per material, so the year of the publication is the newest year that can be read for it.
STUDY_YEAR = 2023
YEAR_NOTE = "year = the study's (Appendix 7 states no reference period per material)"

_FERROUS = {"iron ore", "manganese", "chromium", "vanadium"}
_COAL = {"coking coal"}
_NONMETAL = {"barytes", "bentonite", "borate", "diatomite", "feldspar", "fluorspar", "gypsum", "kaolin", "limestone",
             "magnesite", "natural graphite", "perlite", "phosphate rock", "potash", "silica sand", "talc",
             "strontium"}
_CHEMICAL = {"hydrogen", "helium", "neon", "krypton", "sulphur", "phosphorous", "borate"}
_SKIPPED = {"natural cork", "natural rubber", "natural teak wood", "roundwood", "sapele wood", "aggregates"}



def _sector(material: str, stage: str) -> str:
    """Division of a stage: ores to 06/08/09/10, processing to 25/26/30/31/32."""
    m = material.lower()
    if stage == "E":
        if m in _COAL:
            return "06"
        if m in _FERROUS:
            return "08"
        if m in _NONMETAL:
            return "10"
        if m in {"hydrogen"}:
            return "26"
        return "09"
    if m in _COAL:
        return "25"  # coke
    if m in _CHEMICAL:
        return "26"
    if m in {"iron ore"} or m in _FERROUS:
        return "31"  # pig iron, ferroalloys
    if m in {"kaolin"}:
        return "30"
    return "32"


def material_id(material: str, stage: str) -> str:
    """``lithium-extraction`` style id.

    >>> material_id("Natural\\nGraphite", "E"), material_id("Iron ore", "P")
    ('natural-graphite-extraction', 'iron-ore-processing')
    """
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(material.split()).lower()).strip("-")
    return f"{slug}-{'extraction' if stage == 'E' else 'processing'}"


def _share(text: str) -> tuple[float, bool]:
    t = text.strip().replace(",", ".")
    if t.startswith("<"):
        return float(t.lstrip("<").rstrip("%")) / 200.0, True
    return float(t.rstrip("%")) / 100.0, False


def import_eu_crm(folder: str | Path, with_countries: bool = True, home: str = "CN",
                  home_shares: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Read the EU CRM 2023 folder (or the global shares CSV) into graph data.

    The tables give world supply shares, not ``home``'s mix: each component's supply is derived
    by :func:`chainmap.io.importers.homemix.home_mix` (home's own world share at home, the rest
    imported in proportion to the other producers' shares; ``method: market-share``, estimates).
    ``home_shares`` (component id -> sourced fact with ``share``, from
    :func:`chainmap.io.importers.homeshares.read_home_shares`) replaces home's world share by its
    domestic share of its own supply where one is known; an id the table does not produce is an error.
    """
    home_shares = home_shares or {}
    path = Path(folder)
    table = path / TABLE if path.is_dir() else path
    problems: list[Problem] = []
    rows: dict[tuple[str, str], dict[str, tuple[float, bool]]] = {}
    names: dict[tuple[str, str], str] = {}
    _, table_rows = read_rows(table, {"Material", "Stage", "Country", "Share"})
    for line, row in table_rows:
        material = " ".join((row["Material"] or "").split())
        stage = (row["Stage"] or "").strip()
        if not material or material.lower() in _SKIPPED:
            continue
        if stage not in ("E", "P"):
            problems.append(Problem(str(table), line, "Stage", f"unknown stage {stage!r}"))
            continue
        code = country_code(row["Country"] or "")
        if code is None:
            problems.append(Problem(str(table), line, "Country", f"unknown country {row['Country']!r}"))
            continue
        try:
            share, estimated = _share(row["Share"] or "")
        except ValueError:
            problems.append(Problem(str(table), line, "Share", f"not a share: {row['Share']!r}"))
            continue
        if not 0.0 <= share <= 1.0:
            problems.append(Problem(str(table), line, "Share", f"share out of range: {row['Share']!r}"))
            continue
        key = (material, stage)
        names[key] = material
        by_country = rows.setdefault(key, {})
        old = by_country.get(code, (0.0, False))
        by_country[code] = (old[0] + share, old[1] or estimated)
    if problems:
        raise GraphFileError(problems)
    components: list[dict[str, Any]] = []
    used: set[str] = set()
    for (material, stage) in sorted(rows):
        shares = rows[(material, stage)]
        label = "bauxite (aluminium ore)" if material == "Aluminium" and stage == "E" else material.lower()
        comp: dict[str, Any] = {
            "id": material_id(material, stage),
            "name": f"{label[0].upper()}{label[1:]} {'extraction' if stage == 'E' else 'processing'}",
            "sector": _sector(material, stage),
        }
        if stage == "P" and (material, "E") in rows:
            comp["requires"] = [material_id(material, "E")]
        own = home_shares.get(comp["id"])
        entries = home_mix({code: share for code, (share, _) in shares.items()}, home, SOURCE, STUDY_YEAR, own)
        for entry in entries:
            used.add(entry["country"])
            if own is not None and (entry["country"] == home or own.get("imports")):
                continue
            entry["note"] += f"; {YEAR_NOTE}"
            if shares.get(entry["country"], (0.0, False))[1]:
                entry["note"] += f"; {entry['country']} reported as <0.1% of world output, half of that bound entered"
        if not entries:
            continue
        comp["suppliers"] = entries
        comp["tags"] = ["eu-crm-2023"]
        components.append(comp)
    unknown = sorted(set(home_shares) - {c["id"] for c in components})
    if unknown:
        raise GraphFileError([Problem(str(table), 0, "", f"home shares for ids the table does not produce: "
                                      f"{', '.join(unknown[:10])}")])
    data: dict[str, Any] = {}
    if with_countries:
        data["countries"] = [{"id": c, "name": country_name(c)} for c in sorted(used)]
    data["components"] = components
    return data
