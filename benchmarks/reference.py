"""networkx reference implementations of the benchmarked computations.

Written the way one would with networkx and plain Python (dicts, sets, a
topological order of the strongly connected sets), following the same
DESIGN definitions and the same algorithms as the library where the
library's trick is the algorithm (kill sets for SPOF and cut sets), but none
of its vectorisation, bit matrices or incremental propagation. Every long
loop takes a time budget: when it runs out, the total is extrapolated from
the part done (and reported as such).
"""

from __future__ import annotations

import csv
import heapq
import math
import time
from collections.abc import Callable, Iterable
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx


class Budget(Exception):
    """Raised inside a loop when its time budget is spent; ``rest``: the seconds the rest of the work
    would take, when the loop extrapolates it itself (see :class:`_Phases`), with a note saying how."""

    def __init__(self, rest: float | None = None, note: str = "") -> None:
        super().__init__(note)
        self.rest, self.note = rest, note


class _Phases:
    """Progress of a pass made of phases of known item counts (items of one phase cost about the same).

    When the budget stops it, the rest is extrapolated per phase: the current phase at its own rate so far,
    a later phase at the cost given for one of its items (the decay checks: one full propagation each,
    measured by the pass's first propagation) until it has a rate of its own.
    """

    def __init__(self, check: Callable[[], None], phases: list[tuple[str, int, float | None]]) -> None:
        self.check, self.phases = check, phases
        self.current, self.done, self.started = 0, 0, time.perf_counter()

    def next(self) -> None:
        """Start the next phase."""
        self.current, self.done, self.started = self.current + 1, 0, time.perf_counter()

    def tick(self, items: int = 1) -> None:
        """``items`` of the current phase start now (the budget is checked before them, once the phase has a
        rate: after its first items, or from the start when the cost of one of its items is given)."""
        try:
            if self.done or self.phases[self.current][2] is not None:
                self.check()
        except Budget:
            raise self.stopped() from None
        self.done += items

    def stopped(self) -> Budget:
        name, total, _ = self.phases[self.current]
        rate = (time.perf_counter() - self.started) / self.done if self.done else self.phases[self.current][2] or 0.0
        # a later phase without a given cost: assume the current rate (never the case for the kill sets)
        rest = rate * (total - self.done)
        notes = [f"{self.done:,} of {total:,} {name} in {time.perf_counter() - self.started:.0f} s"]
        for later, count, unit in self.phases[self.current + 1:]:
            rest += (unit or rate) * count
            notes.append(f"{count:,} {later} at {unit or rate:.3g} s each")
        return Budget(rest, "; ".join(notes))


def _rows(path: Path) -> Iterable[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


DOWN = 1e-12
"""Availabilities at or below this count as 0 (a loop's geometric decay), as in the library."""
_ALONE = "\0alone"
"""In a cut-set pass, the element standing for "the removal set alone" (no node has this id)."""
YEAR = 365.0
HORIZON = 365.0
"""Default horizon of the analyses that print impacts (days)."""
LONG = math.inf
UNLISTED_TOLERANCE = 1e-9
"""A remainder of supply below this is rounding, not unlisted supply (as in the library)."""


class Ref:
    """A columnar graph loaded into networkx, with the analyses (semantics v2) as plain Python.

    Per component: ``entries`` (supplier or None, country, share), ``groups``
    (label -> members, weight share, equipment, lifetime), the normaliser
    ``norm`` (``T`` when ``T >= 1`` up to rounding, else 1), the unlisted remainder ``u`` and ``d0``.
    """

    def __init__(self, folder: str | Path) -> None:
        folder = Path(folder)
        g = nx.DiGraph()
        self.home = "CN"
        self.view = "home"
        for row in _rows(folder / "settings.csv"):
            if row["key"] == "home":
                self.home = row["value"]
            elif row["key"] == "view" and row["value"]:
                self.view = row["value"]
        for row in _rows(folder / "countries.csv"):
            g.add_node(row["id"], kind="country", name=row["name"], risk=float(row["risk"]) if row["risk"] else None)
        for row in _rows(folder / "suppliers.csv"):
            g.add_node(row["id"], kind="supplier", name=row["name"], country=row["country"],
                       owner=row.get("owner") or row["country"])
            g.add_edge(row["country"], row["id"], type="located_in")
        self.products: list[str] = []
        for row in _rows(folder / "components.csv"):
            value = float(row["value"]) if row.get("value") else 1.0
            stock = float(row["stock_days"]) if row.get("stock_days") else None
            g.add_node(row["id"], kind="component", name=row["name"], sector=row.get("sector") or None,
                       value=value, stock=stock, entries=[], groups={})
            if row.get("product") == "true":
                self.products.append(row["id"])
        self.products.sort()
        for row in _rows(folder / "supplies.csv"):
            node = g.nodes[row["component"]]
            supplier = row["supplier"] or None
            country = g.nodes[supplier]["country"] if supplier else row["country"]
            node["entries"].append((supplier, country, float(row["share"])))
            g.add_edge(supplier or country, row["component"], type="supplies")
        for row in _rows(folder / "requires.csv"):
            node = g.nodes[row["component"]]
            group = node["groups"].setdefault(row["group"], {
                "members": set(), "share": float(row["share"]) if row.get("share") else 1.0,
                "equipment": row.get("role") == "equipment",
                "lifetime": float(row["lifetime_years"]) if row.get("lifetime_years") else 10.0})
            group["members"].add(row["member"])
            g.add_edge(row["member"], row["component"], type="requires")
        for _, data in g.nodes(data=True):
            if data["kind"] != "component":
                continue
            total = sum(share for _, _, share in data["entries"])
            # a sum short of 1 by rounding only (UNLISTED_TOLERANCE) is normalised and leaves no remainder
            data["norm"] = total if total >= 1.0 - UNLISTED_TOLERANCE else 1.0
            data["u"] = 1.0 - total if data["entries"] and 1.0 - total > UNLISTED_TOLERANCE else 0.0
            data["d0"] = (sum(share for _, k, share in data["entries"] if k == self.home) / data["norm"]
                          if data["entries"] else 1.0)
        self.g = g
        comps = [n for n, d in g.nodes(data=True) if d["kind"] == "component"]
        self.comps = comps
        req = g.subgraph(comps)  # edges member -> user
        cond = nx.condensation(req)
        self.order: list[list[str]] = [sorted(cond.nodes[s]["members"]) for s in nx.topological_sort(cond)]
        self.cyclic = [len(m) > 1 or any(req.has_edge(x, x) for x in m) for m in self.order]

    # -- availability -----------------------------------------------------------------

    def entry_up(self, supplier: str | None, country: str, removed: set[str], reach: str = "location") -> bool:
        """``cap(e) > 0`` for removals only (capacities 0 or 1)."""
        if country in removed or (supplier is not None and supplier in removed):
            return False
        return not (supplier is not None and reach == "owner" and self.g.nodes[supplier]["owner"] in removed)

    def supply_terms(self, c: str, removed: set[str], reach: str = "location",
                     cut_foreign: bool = False) -> tuple[float, float]:
        """``(F, D)`` of ``c``: foreign (unlisted included) and domestic supply left."""
        data = self.g.nodes[c]
        if not data["entries"]:
            return 0.0, 1.0
        foreign = domestic = 0.0
        for sup, cty, share in data["entries"]:
            if not self.entry_up(sup, cty, removed, reach):
                continue
            if cty == self.home:
                domestic += share
            else:
                foreign += share
        unlisted = 0.0 if "unlisted" in removed else data["u"]
        if cut_foreign:
            return 0.0, domestic / data["norm"]
        return foreign / data["norm"] + unlisted, domestic / data["norm"]

    def _value(self, c: str, a: dict[str, float], removed: set[str], horizon: float = HORIZON,
               reach: str = "location", cut_foreign: str | None = None) -> float:
        if c in removed:
            return 0.0
        data = self.g.nodes[c]
        foreign, domestic = self.supply_terms(c, removed, reach, c == cut_foreign)
        limit = 1.0
        for group in data["groups"].values():
            k = 1.0
            if group["equipment"] and not math.isinf(horizon):
                k = min(1.0, horizon / (YEAR * group["lifetime"]))
            limit = min(limit, 1.0 - group["share"] * k * (1.0 - max(a[m] for m in group["members"])))
        home_view = self.view == "home"
        x = foreign + min(domestic, limit * data["d0"]) if home_view else min(foreign + domestic, limit)
        cover = 0.0 if math.isinf(horizon) or data["stock"] is None else data["stock"] / horizon
        return min(1.0, x + cover)

    def availability(self, removed: set[str], within: set[str] | None = None,
                     start: dict[str, float] | None = None, horizon: float = HORIZON, reach: str = "location",
                     cut_foreign: str | None = None) -> dict[str, float]:
        """Greatest fixed point by SCCs in topological order (removals only: capacities 0 or 1).

        A cycle is iterated from 1 (Kleene) until nothing changes by more than
        1e-18 (a loop of gain below 1 converges geometrically).
        """
        a: dict[str, float] = dict(start) if start else {}
        for members, cyclic in zip(self.order, self.cyclic, strict=True):
            if within is not None and members[0] not in within:
                continue
            if not cyclic:
                a[members[0]] = self._value(members[0], a, removed, horizon, reach, cut_foreign)
                continue
            for m in members:
                a[m] = 1.0
            for _ in range(1_000_000):
                change = 0.0
                for m in members:
                    v = self._value(m, a, removed, horizon, reach, cut_foreign)
                    change = max(change, abs(v - a[m]))
                    a[m] = v
                if change <= 1e-18:
                    break
        return a

    # -- analyses -----------------------------------------------------------------------

    def _entry_kill(self, sup: str | None, cty: str, reach: str) -> set[str]:
        if sup is None:
            return {cty}
        owner = self.g.nodes[sup]["owner"]
        return {sup, cty, owner} if reach == "owner" else {sup, cty}

    def kill_sets(self, removed: set[str], within: set[str] | None, kinds: set[str],
                  reach: str = "location", check: Callable[[], None] | None = None) -> dict[str, set[str] | None]:
        """Per component (up at horizon long), the nodes of ``kinds`` whose removal takes it down; None: down.

        ``None`` inside the equations stands for "every node"::

            K(c) = {c} | (Kf & (Kd | Kr))     Kr = union over hard groups of the meet of the members' K

        As in chainmap, the sets hold only nodes of ``kinds`` (restricting to a set of nodes commutes with
        the unions and intersections). ``check`` (a budget, see :func:`timed`) is called once per component
        evaluated in schedule order and once per decay check; when it stops the pass, the :class:`Budget`
        carries the rest extrapolated at each phase's own rate (see :class:`_Phases`).
        """
        start = time.perf_counter()
        up = self.availability(removed, within, horizon=LONG, reach=reach)
        propagation = time.perf_counter() - start
        kill: dict[str, set[str] | None] = {}
        g = self.g
        Everything = None

        def meet(sets: list[set[str]]) -> set[str] | None:
            if not sets:
                return Everything
            acc = set(sets[0])
            for x in sets[1:]:
                acc &= x
            return acc

        def inter(x: set[str] | None, y: set[str] | None) -> set[str] | None:
            return y if x is None else x if y is None else x & y

        def union(x: set[str] | None, y: set[str] | None) -> set[str] | None:
            return None if x is None or y is None else x | y

        terms: dict[str, tuple[set[str] | None, set[str] | None]] = {}
        for c in self.comps if within is None else within:
            data = g.nodes[c]
            live = [(s, k) for s, k, share in data["entries"] if share > 0 and self.entry_up(s, k, removed, reach)]
            if not data["entries"]:
                kf, kd = Everything, set()
            else:
                has_unlisted = data["u"] > 0 and "unlisted" not in removed
                foreign = [self._entry_kill(s, k, reach) for s, k in live if k != self.home]
                domestic = [self._entry_kill(s, k, reach) for s, k in live if k == self.home]
                if self.view == "home":
                    kf, kd = (set() if has_unlisted else meet(foreign)), meet(domestic)
                else:
                    kf, kd = Everything, (set() if has_unlisted else meet(foreign + domestic))
            terms[c] = (kf if kf is None else {x for x in kf if g.nodes[x]["kind"] in kinds},
                        kd if kd is None else {x for x in kd if g.nodes[x]["kind"] in kinds})
        itself = "component" in kinds

        def evaluate(c: str) -> set[str]:
            kf, kd = terms[c]
            kr: set[str] | None = set()
            for group in g.nodes[c]["groups"].values():
                if group["share"] < 1.0:
                    continue  # only a hard requirement can take its user down
                acc: set[str] | None = Everything
                for m in group["members"]:
                    acc = inter(acc, kill.get(m))
                kr = union(kr, acc)
            out = inter(kf, union(kd, kr))
            if out is None:  # cannot happen for an up component (F = 0 and D = 0 or R = 0 is down)
                out = {x for x, d in self.g.nodes(data=True) if d["kind"] in kinds}
            return out | {c} if itself else out

        scheduled = [(members, cyclic) for members, cyclic in zip(self.order, self.cyclic, strict=True)
                     if within is None or members[0] in within]
        candidates = self._decay_candidates(scheduled, terms, up, kinds) if self.view == "home" else []
        # as chainmap (spof._with_decay), a check of the whole graph re-evaluates only what lies downstream of
        # the removed node's entries, from the baseline at horizon long (a cut set's cone: a full propagation)
        incremental = not removed and within is None and reach == "location" and len(candidates) > 1
        phases = None if check is None else _Phases(check, [
            ("components", sum(1 for members, _ in scheduled for m in members if up[m] > DOWN), None),
            ("decay checks", len(candidates), None if incremental else propagation)])
        for members, cyclic in scheduled:
            live = [m for m in members if up[m] > DOWN]
            if phases is not None:
                phases.tick(len(live))
            for m in members:
                kill[m] = None
            for m in live:
                kill[m] = set()
            changed = True
            while changed:
                changed = False
                for m in live:
                    new = evaluate(m)
                    if new != kill[m]:
                        kill[m] = new
                        changed = True
                if not cyclic:
                    break
        if phases is not None:
            phases.next()
        if incremental:
            self._incremental_setup(LONG, up)
        for v in candidates:
            if phases is not None:
                phases.tick()
            if incremental:
                seeds = self._supplies.get(v, set()) | ({v} if g.nodes[v]["kind"] == "component" else set())
                moved = self._incremental(seeds, {v}, LONG)
                after = _Overlay(up)
                after.update(moved)
            else:
                after = self.availability(removed | {v}, within, horizon=LONG, reach=reach)
            for c, k in kill.items():
                if k is not None and c != v and v not in k and after[c] <= DOWN:
                    k.add(v)
        return kill

    def _decay_candidates(self, scheduled: list[tuple[list[str], bool]],
                          terms: dict[str, tuple[set[str] | None, set[str] | None]], up: dict[str, float],
                          kinds: set[str]) -> list[str]:
        """Removals that may make a loop of hard requirements decay to 0 (view home: ``a <= D0 * a`` around
        the loop once its foreign supply is cut), each checked by a full propagation: as in chainmap, the
        nodes ``v`` of ``Kf(c)`` of an up cycle member ``c`` with ``D0 < 1`` (its foreign supply not already
        cut) whose loop goes on through a hard requirement on a member of the same cycle whose ``Kf`` holds
        ``v`` too (or is already everything), of ``kinds``."""
        candidates: set[str] = set()
        for members, cyclic in scheduled:
            if not cyclic:
                continue
            inside = set(members)
            for c in members:
                kf = terms[c][0]
                if up[c] <= DOWN or self.g.nodes[c]["d0"] >= 1.0 or kf is None:
                    continue
                nexts = [terms[m][0] for group in self.g.nodes[c]["groups"].values() if group["share"] >= 1.0
                         for m in group["members"] if m in inside]
                candidates.update(v for v in kf if any(k is None or v in k for k in nexts))
        return sorted(v for v in candidates if self.g.nodes[v]["kind"] in kinds)

    def spof(self, kinds: set[str], check: Callable[[], None]) -> dict[str, set[str]]:
        kill = self.kill_sets(set(), None, kinds, check=check)
        return {t: set() if kill[t] is None else kill[t] - {t} for t in self.products}  # type: ignore[operator]

    def upstream(self, t: str) -> set[str]:
        return nx.ancestors(self.g.subgraph(self.comps), t) | {t}

    def cut_sets(self, t: str, kinds: set[str], check: Callable[[], None]) -> set[frozenset[str]]:
        """Minimal cut sets of order <= 2 by chainmap's algorithm (analysis/killblocks.py) with Python sets in
        place of its bit rows: over ``t``'s cone, for every removal set ``R`` (the empty set and each
        candidate), the set of candidates ``n`` (and ``ALONE``: ``R`` itself) whose removal with ``R``
        takes each component down; a loop that may decay flags its elements as uncertain, and each
        uncertain one that reaches ``t`` is settled by a propagation over the cone."""
        cone = self.upstream(t)
        relevant = {x for c in cone for s, k, _ in self.g.nodes[c]["entries"] for x in (s, k)
                    if x is not None and self.g.nodes[x]["kind"] in kinds}
        if "component" in kinds:
            relevant |= cone
        universe = relevant - {t}
        scheduled = [(members, cyclic) for members, cyclic in zip(self.order, self.cyclic, strict=True)
                     if members[0] in cone]
        base = self._cone_availability(scheduled, set())
        base_down = {c for c in cone if base[c] <= DOWN}
        down = {(): self._block_down(t, (), universe, scheduled, base_down)}
        for r in sorted(universe):
            check()
            down[(r,)] = self._block_down(t, (r,), universe, scheduled, base_down)
        if _ALONE in down[()]:
            return set()
        singles = down[()] & universe
        found = {frozenset([n]) for n in singles}
        for block, kill in down.items():
            if not block or block[0] in singles:
                continue
            r = block[0]
            for n in (kill & universe) - singles - {r}:
                found.add(frozenset([r, n]))
        return found

    def cut_sets_per_removal(self, t: str, kinds: set[str], check: Callable[[], None]) -> set[frozenset[str]]:
        """:meth:`cut_sets` as chainmap computed them before its bit-parallel pass (one kill-set pass per
        removed candidate, up-ness and decay checks by propagations): a cross-check."""
        cone = self.upstream(t)
        relevant = {x for c in cone for s, k, _ in self.g.nodes[c]["entries"] for x in (s, k)
                    if x is not None and self.g.nodes[x]["kind"] in kinds}
        if "component" in kinds:
            relevant |= cone
        base = self.kill_sets(set(), cone, kinds)[t]
        if base is None:
            return set()
        found = {frozenset([n]) for n in (base & relevant) - {t}}
        for (r,) in combinations(sorted(relevant - {n for f in found for n in f}), 1):
            check()
            kill = self.kill_sets({r}, cone, kinds)[t]
            for n in (relevant if kill is None else kill & relevant) - {r}:
                cut = frozenset([r, n])
                if not any(c < cut for c in found):
                    found.add(cut)
        return found

    def _cone_availability(self, scheduled: list[tuple[list[str], bool]], removed: set[str],
                           reach: str = "location") -> dict[str, float]:
        """:meth:`availability` at horizon long over the cone's schedule only (as chainmap's decay checks)."""
        a: dict[str, float] = {}
        for members, cyclic in scheduled:
            if not cyclic:
                a[members[0]] = self._value(members[0], a, removed, LONG, reach)
                continue
            for m in members:
                a[m] = 1.0
            for _ in range(1_000_000):
                change = 0.0
                for m in members:
                    v = self._value(m, a, removed, LONG, reach)
                    change = max(change, abs(v - a[m]))
                    a[m] = v
                if change <= 1e-18:
                    break
        return a

    def _block_down(self, t: str, block: tuple[str, ...], universe: set[str],
                    scheduled: list[tuple[list[str], bool]], base_down: set[str],
                    reach: str = "location") -> set[str]:
        """The elements ``n`` of ``universe`` (and ``_ALONE``) such that removing ``block`` and ``n`` takes
        ``t`` down (see :meth:`cut_sets`)."""
        g = self.g
        every = universe | {_ALONE}
        removed = set(block)
        home_view = self.view == "home"
        down: dict[str, set[str]] = {}
        unsure: dict[str, set[str]] = {}
        terms: dict[str, tuple[set[str], set[str]]] = {}  # (gate, leaf) of down = leaf | (gate & Rz)

        def meet(sets: list[set[str]]) -> set[str]:
            acc = set(every)
            for x in sets:
                acc &= x
            return acc

        def rz(c: str, extra: dict[str, set[str]] | None = None) -> set[str]:
            out: set[str] = set()
            for group in g.nodes[c]["groups"].values():
                if group["share"] < 1.0:
                    continue
                acc = set(every)
                for m in group["members"]:
                    acc &= down[m] | extra.get(m, set()) if extra is not None else down[m]
                out |= acc
            return out

        def feeds(c: str) -> set[str]:
            out: set[str] = set()
            for group in g.nodes[c]["groups"].values():
                if group["share"] >= 1.0:
                    for m in group["members"]:
                        out |= unsure.get(m, set()) - down.get(m, set())
            return out

        for members, cyclic in scheduled:
            for c in members:
                data = g.nodes[c]
                dead = set(every) if c in base_down or c in removed else ({c} if c in universe else set())
                live = []
                for sup, cty, share in data["entries"]:
                    if share <= 0:
                        continue
                    kill = self._entry_kill(sup, cty, reach)
                    live.append((cty == self.home, set(every) if kill & removed else kill & universe))
                if home_view:
                    fz = set() if data["entries"] and data["u"] > 0 else meet([k for dom, k in live if not dom])
                    dz = meet([k for dom, k in live if dom]) if data["entries"] else set()
                    terms[c] = (fz, dead | (fz & dz))
                else:
                    az = meet([k for _, k in live]) if data["entries"] and data["u"] <= 0 else set()
                    terms[c] = (set(every), dead | az)
            if not cyclic:
                c = members[0]
                gate, leaf = terms[c]
                down[c] = leaf | (gate & rz(c))
                unsure[c] = feeds(c) - down[c]
                continue
            for c in members:
                down[c] = set()
            changed = True
            while changed:
                changed = False
                for c in members:
                    gate, leaf = terms[c]
                    new = leaf | (gate & rz(c))
                    if new != down[c]:
                        down[c], changed = new, True
            inside = set(members)
            eligible = {c: terms[c][0] - down[c] for c in members}
            loop = dict(eligible)
            changed = True
            while changed:
                changed = False
                for c in members:
                    new = eligible[c] & rz(c, {m: loop[m] for m in inside})
                    if new != loop[c]:
                        loop[c], changed = new, True
            spread: set[str] = set()
            for c in members:
                spread |= feeds(c)
                if home_view and g.nodes[c]["d0"] < 1.0:
                    spread |= loop[c]
            for c in members:
                unsure[c] = spread - down[c]
        out = set(down[t])
        for n in sorted(unsure[t] - down[t]):
            after = self._cone_availability(scheduled, removed | ({n} - {_ALONE}), reach)
            if after[t] <= DOWN:
                out.add(n)
        return out

    def bottlenecks(self, threshold: float, check: Callable[[], None], horizon: float = HORIZON) -> int:
        base = self.availability(set(), horizon=horizon)
        count = 0
        for node, data in self.g.nodes(data=True):
            if data["kind"] == "component":
                continue
            country = node if data["kind"] == "country" else data["country"]
            if country == self.home:
                continue
            check()
            after = self.availability({node}, horizon=horizon)
            if any(base[p] - after[p] >= threshold - 1e-12 for p in self.products):
                count += 1
        return count

    # -- the same incremental algorithm as chainmap (a fair reference for bottlenecks and priorities) -------

    def _incremental_setup(self, horizon: float, base: dict[str, float] | None = None) -> None:
        """Baseline (``base`` when the caller has it), evaluation position of every component, its SCC, and
        which components each country and supplier supplies (built once, like chainmap's compiled graph)."""
        if getattr(self, "_inc_horizon", None) == horizon:
            return
        self._inc_horizon = horizon
        self._base = self.availability(set(), horizon=horizon) if base is None else base
        self._pos: dict[str, int] = {}
        self._scc: dict[str, int] = {}
        for i, members in enumerate(self.order):
            for m in members:
                self._pos[m] = i
                self._scc[m] = i
        self._supplies: dict[str, set[str]] = {}
        for c in self.comps:
            for sup, cty, _ in self.g.nodes[c]["entries"]:
                self._supplies.setdefault(cty, set()).add(c)
                if sup is not None:
                    self._supplies.setdefault(sup, set()).add(c)
                    owner = self.g.nodes[sup]["owner"]
                    self._supplies.setdefault(("owner", owner), set()).add(c)  # type: ignore[arg-type]

    def _incremental(self, seeds: set[str], removed: set[str], horizon: float,
                     cut_foreign: str | None = None) -> dict[str, float]:
        """Availabilities that change: a worklist over the downstream cone in evaluation order,
        re-evaluating only components whose inputs changed (a cycle re-solved whole)."""
        base = self._base
        a = _Overlay(base)
        heap = [(self._pos[c], c) for c in seeds]
        heapq.heapify(heap)
        queued = set(seeds)
        solved: set[int] = set()
        changed: dict[str, float] = {}
        while heap:
            i, c = heapq.heappop(heap)
            if self.cyclic[i]:
                if i in solved:
                    continue
                solved.add(i)
                members = self.order[i]
                for m in members:
                    a[m] = 1.0
                for _ in range(1_000_000):
                    change = 0.0
                    for m in members:
                        v = self._value(m, a, removed, horizon, cut_foreign=cut_foreign)
                        change = max(change, abs(v - a[m]))
                        a[m] = v
                    if change <= 1e-18:
                        break
                moved = [m for m in members if a[m] != base[m]]
                for m in members:
                    if a[m] == base[m]:
                        a.drop(m)
            else:
                v = self._value(c, a, removed, horizon, cut_foreign=cut_foreign)
                if v == base[c]:
                    continue
                a[c] = v
                moved = [c]
            for m in moved:
                changed[m] = a[m]
                for u in self.g.successors(m):
                    if u not in queued and self.g.nodes[u]["kind"] == "component":
                        queued.add(u)
                        heapq.heappush(heap, (self._pos[u], u))
        return changed

    def bottlenecks_incremental(self, threshold: float, check: Callable[[], None], horizon: float = HORIZON) -> int:
        """:meth:`bottlenecks` by chainmap's algorithm: each removal re-evaluates only what it reaches."""
        self._incremental_setup(horizon)
        base = self._base
        products = set(self.products)
        count = 0
        for node, data in self.g.nodes(data=True):
            if data["kind"] == "component":
                continue
            country = node if data["kind"] == "country" else data["country"]
            if country == self.home:
                continue
            check()
            changed = self._incremental(set(self._supplies.get(node, ())), {node}, horizon)
            if any(base[p] - v >= threshold - 1e-12 for p, v in changed.items() if p in products):
                count += 1
        return count

    def priorities_incremental(self, check: Callable[[], None], horizon: float = HORIZON) -> int:
        """:meth:`priorities` by chainmap's algorithm: each cut re-evaluates only what changes."""
        self._incremental_setup(horizon)
        base = self._base
        products = set(self.products)
        total_value = sum(self.g.nodes[p]["value"] for p in self.products) or 1.0
        count = 0
        for c in self.priority_candidates():
            check()
            changed = self._incremental({c}, set(), horizon, cut_foreign=c)
            _ = sum(self.g.nodes[p]["value"] * (base[p] - v) for p, v in changed.items() if p in products) / total_value
            count += 1
        return count

    def priority_candidates(self) -> list[str]:
        """Components with some foreign supply: a foreign entry of positive share, or an unlisted remainder."""
        return [c for c in self.comps if self.g.nodes[c]["u"] > 0
                or any(k != self.home and share > 0 for _, k, share in self.g.nodes[c]["entries"])]

    def priorities(self, check: Callable[[], None], horizon: float = HORIZON) -> int:
        """Impact of cutting each component's foreign supply (unlisted included) at ``horizon``,
        re-evaluating its downstream cone only."""
        base = self.availability(set(), horizon=horizon)
        comp_graph = self.g.subgraph(self.comps)
        total_value = sum(self.g.nodes[p]["value"] for p in self.products) or 1.0
        count = 0
        for c in self.priority_candidates():
            check()
            cone = nx.descendants(comp_graph, c) | {c}
            a = self.availability(set(), cone, start=base, horizon=horizon, cut_foreign=c)
            _ = sum(self.g.nodes[p]["value"] * (base[p] - a[p]) for p in self.products if p in cone) / total_value
            count += 1
        return count


class _Overlay(dict):  # type: ignore[type-arg]
    """A candidate's changed values over the shared baseline (reads fall through to it)."""

    def __init__(self, base: dict[str, float]) -> None:
        super().__init__()
        self.base = base

    def __missing__(self, key: str) -> float:
        return self.base[key]

    def drop(self, key: str) -> None:
        self.pop(key, None)


def timed(fn: Callable[[Callable[[], None]], Any], budget: float, total: int | None = None) -> dict[str, Any]:
    """Run ``fn(check)``; ``check()`` counts work items and stops at the budget (then extrapolates)."""
    start = time.perf_counter()
    done = [0]

    def check() -> None:
        done[0] += 1
        if time.perf_counter() - start > budget:
            raise Budget

    try:
        fn(check)
    except Budget as stop:
        elapsed = time.perf_counter() - start
        if stop.rest is not None:
            return {"seconds": elapsed + stop.rest, "extrapolated": stop.note}
        if total:
            return {"seconds": elapsed / max(done[0], 1) * total, "extrapolated": f"{done[0]} of {total} items in {elapsed:.0f} s"}
        return {"seconds": None, "skipped": f"over the {budget:.0f} s budget"}
    return {"seconds": time.perf_counter() - start}
