"""Home's supply mix from a table of world production shares (what the EU CRM and USGS tables give).

World production shares are not home's supply mix: China's 10% of world lithium mining does not mean
Chinese converters buy 53% of their ore in Australia *and* 10% at home by the same token. With no
import table at hand, the honest reading is: home supplies itself with its own share of world output
(the ``country == home`` row) and imports the rest from the other producers in proportion to their
world shares. Every entry says so (``method: market-share``, ``estimate: true`` and a note); where home
is the only producer listed, the rest of the mix stays unlisted (foreign of unknown origin).

Examples
--------
>>> [(e["country"], e["share"]) for e in home_mix({"AU": 0.53, "CL": 0.24, "CN": 0.10}, "CN")]
[('CN', 0.1), ('AU', 0.619481), ('CL', 0.280519)]
>>> home_mix({"CN": 0.94}, "CN")[0]["share"], len(home_mix({"CN": 0.94}, "CN"))
(0.94, 1)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chainmap.io.countries import country_name

__all__ = ["home_mix", "mix_note"]


def mix_note(home: str) -> str:
    """The note every derived entry carries."""
    name = country_name(home)
    return (f"{name}'s mix derived: home = {name}'s share of world production; "
            "imports split by world production shares")


def home_mix(world: Mapping[str, float], home: str, source: str | None = None,
             year: int | None = None) -> list[dict[str, Any]]:
    """Supply entries of ``home``'s mix derived from world production shares (country -> share in [0, 1]).

    The home entry first (its world share), then the other producers by descending share, each
    ``(1 - home share) * share / (sum of the other shares)``; zero shares are dropped. ``source``
    and ``year`` go on every entry.
    """
    note = mix_note(home)
    own = min(max(world.get(home, 0.0), 0.0), 1.0)
    others = sorted(((c, s) for c, s in world.items() if c != home and s > 0), key=lambda kv: (-kv[1], kv[0]))
    rest = sum(s for _, s in others)
    entries: list[dict[str, Any]] = []
    if own > 0:
        entries.append({"country": home, "share": round(own, 6)})
    for code, share in others:
        entries.append({"country": code, "share": round((1.0 - own) * share / rest, 6)})
    for entry in entries:
        if year is not None:
            entry["year"] = year
        if source is not None:
            entry["source"] = source
        entry.update({"method": "market-share", "estimate": True, "note": note})
    return entries
