"""Import world mine production shares by element and country (USGS, 2015).

Source: Theler, Kauwe & Sparks, *Integrating Materials and Manufacturing
Innovation* 9:144-150 (2020), derived from USGS Mineral Commodity Summaries;
repository sp8rks/USGS_HHI, MIT licence (``production-2015.csv``: Element,
Country, Production, Market Share, ...). Rows with a blank share (withheld or
not reported) are skipped. Each element becomes a component
``<element>-mine-production`` (``Al`` is bauxite) with country entries: home's
mix derived from the world market shares (:mod:`chainmap.io.importers.homemix`:
home at its own world share, the rest imported in proportion to the other
producers' shares; ``method: market-share``, ``estimate: true``, a note).

Examples
--------
>>> data = import_usgs("tests/data/usgs-sample")
>>> comp = data["components"][0]
>>> comp["id"], [(e["country"], e["share"]) for e in comp["suppliers"]]
('lithium-mine-production', [('AU', 0.4), ('CL', 0.35), ('AR', 0.25)])
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chainmap.errors import GraphFileError, Problem
from chainmap.io.countries import country_code, country_name
from chainmap.io.importers.homemix import home_mix
from chainmap.io.importers.table import read_rows

__all__ = ["ELEMENTS", "SOURCE", "import_usgs"]

SOURCE = ("USGS mine production 2015 by element and country, via Theler, Kauwe & Sparks, Integrating Materials "
          "and Manufacturing Innovation 9:144-150 (2020), sp8rks/USGS_HHI (MIT; shared/data/usgs-hhi-2015)")
TABLE = "production-2015.csv"

ELEMENTS: dict[str, tuple[str, str]] = {
    "Ag": ("silver", "09"), "Al": ("bauxite", "09"), "As": ("arsenic", "09"), "Au": ("gold", "09"),
    "B": ("boron", "10"), "Ba": ("barite", "10"), "Be": ("beryllium", "09"), "Bi": ("bismuth", "09"),
    "Br": ("bromine", "10"), "Ca": ("lime", "10"), "Cd": ("cadmium", "09"), "Co": ("cobalt", "09"),
    "Cr": ("chromium", "08"), "Cu": ("copper", "09"), "Fe": ("iron ore", "08"), "Ga": ("gallium", "09"),
    "He": ("helium", "07"), "Hg": ("mercury", "09"), "I": ("iodine", "10"), "K": ("potash", "10"),
    "Li": ("lithium", "09"), "Mn": ("manganese", "08"), "Mo": ("molybdenum", "09"), "N": ("nitrogen", "10"),
    "Nb": ("niobium", "09"), "Ni": ("nickel", "09"), "P": ("phosphate rock", "10"), "Pb": ("lead", "09"),
    "Pd": ("palladium", "09"), "Platinum Group Metals": ("platinum group metals", "09"),
    "Pt": ("platinum", "09"), "Rare Earths": ("rare earths", "09"), "Re": ("rhenium", "09"),
    "S": ("sulfur", "10"), "Sb": ("antimony", "09"), "Se": ("selenium", "09"), "Sn": ("tin", "09"),
    "Sr": ("strontium", "10"), "Ta": ("tantalum", "09"), "Te": ("tellurium", "09"), "Th": ("thorium", "09"),
    "Ti": ("titanium", "09"), "V": ("vanadium", "08"), "W": ("tungsten", "09"), "Zn": ("zinc", "09"),
    "Zr": ("zirconium", "09"),
}
"""Element (as the table spells it) to (mineral name, GB/T 4754 division of its mining)."""


def import_usgs(folder: str | Path, with_countries: bool = True, home: str = "CN") -> dict[str, Any]:
    """Read the USGS 2015 production table (folder or CSV) into graph data.

    Market shares are world shares, not ``home``'s mix: supply is derived by
    :func:`chainmap.io.importers.homemix.home_mix` (``method: market-share``, estimates).
    """
    path = Path(folder)
    table = path / TABLE if path.is_dir() else path
    problems: list[Problem] = []
    shares: dict[str, dict[str, float]] = {}
    fields, table_rows = read_rows(table, {"Element", "Country", "Market Share"})
    for line, row in table_rows:
        element = (row[fields["Element"]] or "").strip()
        country = (row[fields["Country"]] or "").strip()
        share_text = (row[fields["Market Share"]] or "").strip()
        if not element or not country or not share_text:
            continue  # blank share: production withheld or not reported
        if element not in ELEMENTS:
            problems.append(Problem(str(table), line, "Element", f"unknown element {element!r}"))
            continue
        code = country_code(country)
        if code is None:
            problems.append(Problem(str(table), line, "Country", f"unknown country {country!r}"))
            continue
        try:
            share = float(share_text)
        except ValueError:
            problems.append(Problem(str(table), line, "Market Share", f"not a number: {share_text!r}"))
            continue
        if not 0.0 <= share <= 1.0:
            problems.append(Problem(str(table), line, "Market Share", f"share out of range: {share_text!r}"))
            continue
        by_country = shares.setdefault(element, {})
        by_country[code] = by_country.get(code, 0.0) + share
    if problems:
        raise GraphFileError(problems)
    components = []
    used: set[str] = set()
    for element in sorted(shares, key=lambda e: ELEMENTS[e][0]):
        mineral, sector = ELEMENTS[element]
        entries = home_mix(shares[element], home, SOURCE, 2015)
        used.update(e["country"] for e in entries)
        if entries:
            components.append({
                "id": f"{mineral.replace(' ', '-')}-mine-production",
                "name": f"{mineral[0].upper()}{mineral[1:]} (mine production)",
                "sector": sector,
                "suppliers": entries,
                "tags": ["usgs-2015", element],
            })
    data: dict[str, Any] = {}
    if with_countries:
        data["countries"] = [{"id": c, "name": country_name(c)} for c in sorted(used)]
    data["components"] = components
    return data
