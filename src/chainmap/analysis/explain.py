"""Explain an availability: the binding chain from a target down to its root causes.

Definition (DESIGN "binding chain"): from target ``t``, follow the term that
sets ``a``: the supply (foreign, domestic or unlisted: the chain ends there,
at the removed or limited nodes behind the lost entries), the component's
own capacity (it ends there too), or the requirement whose ``f`` is the
minimum (the chain goes on at the member that sets that group's value).
In view ``home``, where ``x = F + min(D, R * D0)`` adds two terms, the chain
follows the requirement when it sets the home part (``R * D0 < D``) and costs
at least as much as the lost imports (``D - R * D0 >= F0 - F``); such a step
names the lost imports too, and a supply step names the requirement that
limits its home part. Ties are broken by id, preferring a member not
yet on the chain (inside a cycle several requirements tie). A step whose
``a`` is at its baseline ends the chain (nothing to explain), and so does a
component already on the chain (a cycle).

Examples
--------
>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> e = explain(g, "office-pc", chainmap.Scenario(remove=("NL",), horizon="long"))
>>> [(s.component, s.term) for s in e.steps]
[('office-pc', 'requirement'), ('logic-chip', 'requirement'), ('scanner', 'foreign supply')]
>>> e.root_causes
['NL']
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from chainmap.analysis.propagate import availability
from chainmap.analysis.scenario import Capacities, Scenario, capacities, format_horizon
from chainmap.errors import UnknownNodeError
from chainmap.graph import FloatArray, SupplyGraph
from chainmap.idlist import as_ids
from chainmap.model.schema import RESERVED_ID

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Explanation", "Step", "explain", "explain_many"]


@dataclass(frozen=True)
class Step:
    """One component on the binding chain and the term that sets its availability.

    ``term`` is ``requirement`` (then ``requirement`` names the group, ``via``
    the member followed, with ``role``, ``share``, ``k`` and ``f``),
    ``foreign supply``, ``domestic supply``, ``unlisted supply``, ``supply``
    (foreign and domestic both lost), ``capacity`` (the component itself is
    removed or limited) or ``baseline`` (not lowered: the chain ends).
    """

    component: str
    name: str
    availability: float
    baseline: float
    term: str
    foreign: float
    domestic: float
    domestic_share: float
    requirement_limit: float
    stock_cover: float
    requirement: list[str] = field(default_factory=list)
    via: str | None = None
    role: str | None = None
    share: float | None = None
    k: float | None = None
    f: float | None = None
    causes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Explanation:
    """The binding chain of one target under one scenario."""

    target: str
    scenario: str
    horizon: str
    reach: str
    availability: float
    baseline: float
    steps: list[Step]
    root_causes: list[str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    def to_dataframe(self, table: str = "steps") -> pd.DataFrame:
        """The binding chain's steps (``steps``, the one table) as a pandas DataFrame
        (``pip install 'chainmap[dataframe]'``).

        >>> import chainmap
        >>> e = explain(chainmap.load("tests/data/mini"), "office-pc", Scenario(remove="NL", horizon="long"))
        >>> e.to_dataframe()[["component", "term"]].values.tolist()[-1]
        ['scanner', 'foreign supply']
        """
        from chainmap.dataframes import table_frame

        return table_frame(self, table, {"steps": Step})

    def tree(self) -> str:
        """A compact indented tree, one line per step."""
        lines = [f"{self.target}: {self.availability:.3f} (baseline {self.baseline:.3f}; {self.scenario}; "
                 f"horizon {self.horizon}; reach {self.reach})"]
        for depth, s in enumerate(self.steps):
            pad = "  " * depth + "└ "
            if s.term == "requirement":
                lost = f"; imports {s.foreign:.3f} <- {', '.join(s.causes)}" if s.causes else ""
                lines.append(f"{pad}{s.component} {s.availability:.3f}: needs {s.via} ({s.role}, share {s.share:g}, "
                             f"k {s.k:.3g}) f = {s.f:.3f}{lost}")
            else:
                causes = f" <- {', '.join(s.causes)}" if s.causes else ""
                if s.via is not None:
                    causes += f"; home output limited by {s.via} (f = {s.f:.3f})"
                lines.append(f"{pad}{s.component} {s.availability:.3f}: {s.term} (foreign {s.foreign:.3f}, "
                             f"domestic {s.domestic:.3f} of {s.domestic_share:.3f}){causes}")
        return "\n".join(lines)


def explain(graph: SupplyGraph, target: str, scenario: Scenario | None = None) -> Explanation:
    """The binding chain of ``target`` under ``scenario`` (default: baseline at 1y)."""
    return explain_many(graph, [target], scenario)[target]


def explain_many(graph: SupplyGraph, targets: Iterable[str], scenario: Scenario | None = None,
                 availabilities: tuple[FloatArray, FloatArray] | None = None) -> dict[str, Explanation]:
    """:func:`explain` for several targets, sharing one propagation.

    ``availabilities``: ``(a under the scenario, a at baseline)`` when the caller has them
    already (bottlenecks does, from its incremental propagation); else they are computed.
    """
    targets = list(as_ids(targets))
    for t in targets:
        if t not in graph.component_of:
            raise UnknownNodeError(f"unknown component {t!r}{graph.did_you_mean(t, ['component'])}")
    scenario = scenario or Scenario()
    caps = capacities(graph, scenario)
    if availabilities is None:
        base_caps = capacities(graph, Scenario(horizon=scenario.horizon, reach=scenario.reach))
        availabilities = (availability(graph, caps), availability(graph, base_caps))
    walker = _Walker(graph, caps, *availabilities)
    out = {}
    for t in targets:
        steps = walker.chain(graph.component_of[t])
        roots = sorted({c for s in steps for c in s.causes})
        i = graph.component_of[t]
        out[t] = Explanation(t, scenario.describe(), format_horizon(scenario.horizon), scenario.reach,
                             float(walker.a[i]), float(walker.base[i]), steps, roots)
    return out


class _Walker:
    """Walks binding chains; supply terms are computed per visited component (a chain is short)."""

    def __init__(self, graph: SupplyGraph, caps: Capacities, a: FloatArray, base: FloatArray) -> None:
        self.graph, self.caps, self.a, self.base = graph, caps, a, base
        self.horizon = caps.horizon
        self.home_view = graph.settings.view == "home"

    def entry_cap(self, e: int) -> float:
        """``cap(e)`` of one supply entry (as :func:`~chainmap.analysis.propagate.entry_capacity`)."""
        g, caps = self.graph, self.caps
        country = int(g.entry_country[e])
        sup = int(g.entry_supplier[e])
        if sup < 0:
            return float(caps.country[country])
        value = float(caps.supplier[sup] * caps.country[country])
        owner = int(g.supplier_owner[sup])
        if caps.reach == "owner" and owner != country:
            value *= float(caps.country[owner])
        return value

    def terms(self, c: int, full: bool = False) -> tuple[float, float]:
        """``(F, D)`` of component ``c`` (``full``: at full capacity, the baseline's terms)."""
        g = self.graph
        entries = g.entries_of[c]
        if not entries:
            return 0.0, 1.0
        dom = fore = 0.0
        for e in entries:
            w = float(g.entry_share[e]) * (1.0 if full else self.entry_cap(e))
            if g.entry_domestic[e]:
                dom += w
            else:
                fore += w
        norm = float(g.supply_norm[c])
        unlisted = float(g.unlisted_share[c]) * (1.0 if full else self.caps.unlisted)
        return fore / norm + unlisted, dom / norm

    def weight(self, grp: int) -> float:
        """``share * k`` of requirement group ``grp`` at the horizon."""
        g = self.graph
        k = 1.0
        if g.group_equipment[grp] and not math.isinf(self.horizon):
            k = min(1.0, self.horizon / (365.0 * float(g.group_lifetime[grp])))
        return float(g.group_share[grp]) * k

    def cover(self, c: int) -> float:
        """``stock_days / H`` of component ``c``."""
        stock = float(self.graph.stock_days[c])
        return 0.0 if math.isinf(self.horizon) or math.isnan(stock) else stock / self.horizon

    def causes(self, c: int) -> list[str]:
        """The removed or limited nodes behind c's lost supply entries."""
        g, caps = self.graph, self.caps
        out: set[str] = set()
        for e in g.entries_of[c]:
            if self.entry_cap(e) >= 1.0:
                continue
            country = int(g.entry_country[e])
            sup = int(g.entry_supplier[e])
            if caps.country[country] < 1.0:
                out.add(g.country_ids[country])
            if sup >= 0:
                if caps.supplier[sup] < 1.0:
                    out.add(g.supplier_ids[sup])
                owner = int(g.supplier_owner[sup])
                if caps.reach == "owner" and owner != country and caps.country[owner] < 1.0:
                    out.add(g.country_ids[owner])
        if g.unlisted_share[c] > 0 and caps.unlisted < 1.0:
            out.add(RESERVED_ID)
        return sorted(out)

    def chain(self, start: int) -> list[Step]:
        steps: list[Step] = []
        seen: set[int] = set()
        c = start
        while c not in seen:
            seen.add(c)
            step, nxt = self.step(c, seen)
            steps.append(step)
            if nxt is None:
                break
            c = nxt
        return steps

    def step(self, c: int, seen: set[int]) -> tuple[Step, int | None]:
        g = self.graph
        f, d = self.terms(c)
        d0 = float(g.domestic_share[c])
        # (f, back onto the chain, member ids, group, member followed): inside a cycle several
        # requirements tie; the one leading off the chain explains more
        best: tuple[float, bool, list[str], int, int] | None = None
        for grp in g.groups_of[c]:
            members = g.group_member_lists[grp]
            values = [float(self.a[m]) for m in members]
            top = max(values)
            f_g = 1.0 - self.weight(grp) * (1.0 - top)
            ids = sorted(g.component_ids[m] for m in members)
            via = min((m for m in members if float(self.a[m]) == top), key=lambda m: g.component_ids[m])
            if best is None or (f_g, via in seen, ids) < best[:3]:
                best = (f_g, via in seen, ids, grp, via)
        req = best[0] if best is not None else 1.0
        common: dict[str, Any] = {
            "component": g.component_ids[c], "name": g.component_name(c), "availability": float(self.a[c]),
            "baseline": float(self.base[c]), "foreign": f, "domestic": d, "domestic_share": d0,
            "requirement_limit": req, "stock_cover": self.cover(c)}
        if self.a[c] >= self.base[c]:
            return Step(term="baseline", **common), None
        if self.caps.component[c] < 1.0:
            return Step(term="capacity", causes=[g.component_ids[c]], **common), None
        f0, d0_now = self.terms(c, full=True)
        # view home, x = F + min(D, R * D0): the requirement sets the home part when R * D0 < D. The chain
        # follows it when it costs at least as much as the lost imports; otherwise the step ends at the
        # supply and still names the requirement that limits the home part.
        limits = req * d0 < d if self.home_view else req < f + d
        requirement: dict[str, Any] = {}
        if limits and best is not None:
            grp, via = best[3], best[4]
            equipment = bool(g.group_equipment[grp])
            k = 1.0 if not equipment or math.isinf(self.caps.horizon) else min(
                1.0, self.caps.horizon / (365.0 * float(g.group_lifetime[grp])))
            requirement = {"requirement": best[2], "via": g.component_ids[via],
                           "role": "equipment" if equipment else "input", "share": float(g.group_share[grp]),
                           "k": k, "f": best[0]}
            if not self.home_view or d - req * d0 >= f0 - f:
                lost = self.causes(c) if f < f0 else []
                return Step(term="requirement", causes=lost, **requirement, **common), via
        lost_foreign, lost_domestic = f < f0, d < d0_now
        causes = self.causes(c)
        if lost_foreign and lost_domestic:
            term = "supply"
        elif lost_domestic:
            term = "domestic supply"
        elif causes == [RESERVED_ID]:
            term = "unlisted supply"
        else:
            term = "foreign supply"
        return Step(term=term, causes=causes, **requirement, **common), None
