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

A sourced domestic share (home's production over its apparent consumption) replaces home's world
share, and only the rest is split among the other producers:

>>> mix = home_mix({"AU": 0.53, "CL": 0.24, "CN": 0.10}, "CN", own={"share": 0.3, "source": "NBS", "year": 2023})
>>> [(e["country"], e["share"], e.get("source")) for e in mix]
[('CN', 0.3, 'NBS'), ('AU', 0.481818, None), ('CL', 0.218182, None)]

Imports by origin from customs (``own["imports"]``) replace the world-share split; the share of the
imports no origin covers stays unlisted:

>>> own = {"share": 0.9, "source": "NBS", "year": 2023,
...        "imports": {"origins": {"MY": 0.6, "AU": 0.3}, "source": "GACC", "year": 2023, "method": "customs"}}
>>> [(e["country"], e["share"], e.get("method")) for e in home_mix({"AU": 0.53, "CN": 0.10}, "CN", own=own)]
[('CN', 0.9, None), ('MY', 0.06, 'customs'), ('AU', 0.03, 'customs')]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chainmap.io.countries import country_name

__all__ = ["home_mix", "mix_note", "origins_note", "own_note"]


def mix_note(home: str) -> str:
    """The note every derived entry carries."""
    name = country_name(home)
    return (f"{name}'s mix derived: home = {name}'s share of world production; "
            "imports split by world production shares")


def own_note(home: str) -> str:
    """The note of the imported entries when home's domestic share is sourced."""
    name = country_name(home)
    return (f"{name}'s imports = 1 - its sourced domestic share (see the {home} entry), "
            "split by the other producers' world production shares")


def origins_note(home: str, own_share: float, origin_share: float) -> str:
    """The note of an imported entry whose origin share comes from customs."""
    name = country_name(home)
    return (f"{name}'s imports = 1 - its sourced domestic share (see the {home} entry); this origin's share "
            f"of them from the cited trade data: (1 - {own_share:g}) x {origin_share:g}")


def home_mix(world: Mapping[str, float], home: str, source: str | None = None,
             year: int | None = None, own: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Supply entries of ``home``'s mix derived from world production shares (country -> share in [0, 1]).

    The home entry first (its world share), then the other producers by descending share, each
    ``(1 - home share) * share / (sum of the other shares)``; zero shares are dropped. ``source``
    and ``year`` go on every derived entry. ``own``, when given, is home's sourced domestic share of
    its own supply (a fact mapping with ``share`` and its ``source``, ``year``, ``method``,
    ``estimate``, ``note``): the home entry is that fact, and the others split ``1 - own share``.
    """
    note = mix_note(home) if own is None else own_note(home)
    share_of_home = world.get(home, 0.0) if own is None else float(own["share"])
    own_share = min(max(share_of_home, 0.0), 1.0)
    if own is not None and own.get("imports"):
        return [_own_entry(home, own_share, own), *_origin_entries(home, own_share, own["imports"])]
    others = sorted(((c, s) for c, s in world.items() if c != home and s > 0), key=lambda kv: (-kv[1], kv[0]))
    rest = sum(s for _, s in others)
    entries: list[dict[str, Any]] = []
    for code, share in others:
        if own_share < 1.0:
            entry: dict[str, Any] = {"country": code, "share": round((1.0 - own_share) * share / rest, 6)}
            if year is not None:
                entry["year"] = year
            if source is not None:
                entry["source"] = source
            entry.update({"method": "market-share", "estimate": True, "note": note})
            entries.append(entry)
    if own is not None:
        return [_own_entry(home, own_share, own), *entries]
    if own_share > 0:
        home_entry: dict[str, Any] = {"country": home, "share": round(own_share, 6)}
        if year is not None:
            home_entry["year"] = year
        if source is not None:
            home_entry["source"] = source
        home_entry.update({"method": "market-share", "estimate": True, "note": note})
        return [home_entry, *entries]
    return entries


_FACT_KEYS = ("year", "source", "method", "estimate", "note")


def _own_entry(home: str, own_share: float, own: Mapping[str, Any]) -> dict[str, Any]:
    """Home's entry from its sourced domestic share."""
    return {"country": home, "share": round(own_share, 6), **{k: own[k] for k in _FACT_KEYS if own.get(k) is not None}}


def _origin_entries(home: str, own_share: float, imports: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The imported entries from customs origins (largest first), each ``(1 - own share) x origin share``."""
    fact = {k: imports[k] for k in ("year", "source", "method", "estimate") if imports.get(k) is not None}
    origins = sorted(((c, float(s)) for c, s in imports["origins"].items() if c != home and s > 0),
                     key=lambda kv: (-kv[1], kv[0]))
    entries = []
    for code, share in origins:
        if own_share < 1.0:
            note = origins_note(home, own_share, share)
            if imports.get("note"):
                note += f"; {imports['note']}"
            entries.append({"country": code, "share": round((1.0 - own_share) * share, 6), **fact, "note": note})
    return entries
