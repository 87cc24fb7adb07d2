"""Country names and codes: ISO 3166-1 lookups for importers.

Examples
--------
>>> [country_code(n) for n in ["Congo, Dem. Rep.", "Türkiye", "Brasilia", "Russia", "Taiwan"]]
['CD', 'TR', 'BR', 'RU', 'TW']
>>> alpha3_to_alpha2("DEU"), country_name("XR")
('DE', 'Rest of world')
"""

from __future__ import annotations

import functools

import pycountry

__all__ = ["AGGREGATES", "alpha3_to_alpha2", "country_code", "country_name"]

AGGREGATES = {"EU": "European Union", "XR": "Rest of world", "XK": "Kosovo"}
"""Non-ISO codes chainmap uses: the EU, the rest of the world, Kosovo."""

_OVERRIDES = {
    "brasilia": "BR", "turkyie": "TR", "türkiye": "TR", "turkey": "TR", "russia": "RU", "south korea": "KR",
    "korea": "KR", "korea, south": "KR", "korea, north": "KP", "congo, d.r.": "CD", "korea, rep.": "KR", "korea, republic of": "KR", "republic of korea": "KR",
    "north korea": "KP", "korea, dem. rep.": "KP", "congo, dem. rep.": "CD", "congo, dem. rep": "CD",
    "democratic republic of the congo": "CD", "drc": "CD", "dr congo": "CD", "congo (kinshasa)": "CD",
    "congo, rep.": "CG", "congo": "CG", "congo (brazzaville)": "CG", "taiwan": "TW", "iran": "IR",
    "laos": "LA", "vietnam": "VN", "viet nam": "VN", "syria": "SY", "bolivia": "BO", "venezuela": "VE",
    "tanzania": "TZ", "moldova": "MD", "cote d'ivoire": "CI", "côte d'ivoire": "CI", "ivory coast": "CI",
    "kosovo": "XK", "cape verde": "CV", "czech republic": "CZ", "burma": "MM", "macedonia": "MK",
    "united states of america": "US", "usa": "US", "uk": "GB", "great britain": "GB", "eu": "EU",
    "european union": "EU", "eu-27": "EU", "eu27": "EU", "other": "XR", "others": "XR", "other countries": "XR",
    "rest of world": "XR", "rest of the world": "XR", "various countries": "XR", "row": "XR", "world": "XR",
    "serbia & montenegro": "RS", "serbia and montenegro": "RS", "finlande": "FI", "russiae": "RU",
    "dr of the congo": "CD", "bosnia and herzgovina": "BA", "brunei": "BN", "hong kong": "HK", "palestine": "PS", "swaziland": "SZ", "eswatini": "SZ",
}


@functools.cache
def country_code(name: str) -> str | None:
    """ISO alpha-2 (or EU/XR/XK) for a country name as datasets spell it; None if unknown."""
    key = " ".join(name.replace("\n", " ").split()).strip().rstrip(":").lower()
    if key in _OVERRIDES:
        return _OVERRIDES[key]
    if ", " in key and key.split(", ")[1] in {"crude ore", "concentrate", "mine", "refinery", "smelter"}:
        return country_code(key.split(", ")[0])
    for attr in ("name", "common_name", "official_name"):
        for country in pycountry.countries:
            if getattr(country, attr, "").lower() == key:
                return str(country.alpha_2)
    try:
        return str(pycountry.countries.lookup(key).alpha_2)
    except LookupError:
        pass
    try:
        matches = pycountry.countries.search_fuzzy(key)
    except LookupError:
        return None
    return str(matches[0].alpha_2) if len(matches) == 1 else None


def alpha3_to_alpha2(code: str) -> str | None:
    """ISO alpha-3 to alpha-2 (None if unknown)."""
    country = pycountry.countries.get(alpha_3=code.strip().upper())
    return str(country.alpha_2) if country else None


def country_name(code: str) -> str:
    """Short English name of an alpha-2 code (or EU/XR/XK)."""
    if code in AGGREGATES:
        return AGGREGATES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)
