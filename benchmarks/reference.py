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
import time
from collections.abc import Callable, Iterable
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx


class Budget(Exception):
    """Raised inside a loop when its time budget is spent."""


def _rows(path: Path) -> Iterable[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


class Ref:
    """A columnar graph loaded into networkx, with the analyses as plain Python."""

    def __init__(self, folder: str | Path) -> None:
        folder = Path(folder)
        g = nx.DiGraph()
        self.home = "CN"
        for row in _rows(folder / "settings.csv"):
            if row["key"] == "home":
                self.home = row["value"]
        for row in _rows(folder / "countries.csv"):
            g.add_node(row["id"], kind="country", name=row["name"], risk=float(row["risk"]) if row["risk"] else None)
        for row in _rows(folder / "suppliers.csv"):
            g.add_node(row["id"], kind="supplier", name=row["name"], country=row["country"])
            g.add_edge(row["country"], row["id"], type="located_in")
        self.products: list[str] = []
        for row in _rows(folder / "components.csv"):
            value = float(row["value"]) if row.get("value") else 1.0
            g.add_node(row["id"], kind="component", name=row["name"], sector=row.get("sector") or None,
                       value=value, entries=[], groups={})
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
            node["groups"].setdefault(row["group"], set()).add(row["member"])
            g.add_edge(row["member"], row["component"], type="requires")
        self.g = g
        comps = [n for n, d in g.nodes(data=True) if d["kind"] == "component"]
        self.comps = comps
        req = g.subgraph(comps)  # edges member -> user
        cond = nx.condensation(req)
        self.order: list[list[str]] = [sorted(cond.nodes[s]["members"]) for s in nx.topological_sort(cond)]
        self.cyclic = [len(m) > 1 or any(req.has_edge(x, x) for x in m) for m in self.order]

    # -- availability -----------------------------------------------------------------

    def supply(self, c: str, removed: set[str]) -> float:
        entries = self.g.nodes[c]["entries"]
        if not entries:
            return 1.0
        num = sum(share for sup, cty, share in entries if sup not in removed and cty not in removed)
        den = sum(share for _, _, share in entries)
        return num / den

    def _value(self, c: str, a: dict[str, float], removed: set[str]) -> float:
        if c in removed:
            return 0.0
        value = self.supply(c, removed)
        for members in self.g.nodes[c]["groups"].values():
            value = min(value, max(a[m] for m in members))
        return value

    def availability(self, removed: set[str], within: set[str] | None = None,
                     start: dict[str, float] | None = None) -> dict[str, float]:
        """Greatest fixed point by SCCs in topological order (removals only: capacities 0 or 1)."""
        a: dict[str, float] = dict(start) if start else {}
        for members, cyclic in zip(self.order, self.cyclic, strict=True):
            if within is not None and members[0] not in within:
                continue
            if not cyclic:
                a[members[0]] = self._value(members[0], a, removed)
                continue
            for m in members:
                a[m] = 1.0
            changed = True
            while changed:
                changed = False
                for m in members:
                    v = self._value(m, a, removed)
                    if v != a[m]:
                        a[m] = v
                        changed = True
        return a

    # -- analyses -----------------------------------------------------------------------

    def kill_sets(self, removed: set[str], within: set[str] | None, kinds: set[str]) -> dict[str, set[str] | None]:
        up = self.availability(removed, within)
        kill: dict[str, set[str] | None] = {}
        g = self.g

        def evaluate(c: str) -> set[str]:
            acc = {c} if "component" in kinds else set()
            live = [(s, k) for s, k, share in g.nodes[c]["entries"] if share > 0 and s not in removed and k not in removed]
            if live:
                common = {x for x in live[0] if x is not None}
                for s, k in live[1:]:
                    common &= {s, k}
                acc |= {x for x in common if g.nodes[x]["kind"] in kinds}
            for members in g.nodes[c]["groups"].values():
                inter: set[str] | None = None
                for m in members:
                    km = kill.get(m)
                    if km is None:
                        continue
                    inter = set(km) if inter is None else inter & km
                acc |= inter or set()
            return acc

        for members, cyclic in zip(self.order, self.cyclic, strict=True):
            if within is not None and members[0] not in within:
                continue
            live = [m for m in members if up[m] > 0]
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
        return kill

    def spof(self, kinds: set[str], check: Callable[[], None]) -> dict[str, set[str]]:
        kill = self.kill_sets(set(), None, kinds)
        check()
        return {t: set() if kill[t] is None else kill[t] - {t} for t in self.products}  # type: ignore[operator]

    def upstream(self, t: str) -> set[str]:
        return nx.ancestors(self.g.subgraph(self.comps), t) | {t}

    def cut_sets(self, t: str, kinds: set[str], check: Callable[[], None]) -> set[frozenset[str]]:
        cone = self.upstream(t)
        relevant = {x for c in cone for s, k, _ in self.g.nodes[c]["entries"] for x in (s, k)
                    if x is not None and self.g.nodes[x]["kind"] in kinds}
        base = self.kill_sets(set(), cone, kinds)[t]
        if base is None:
            return set()
        found = {frozenset([n]) for n in base & relevant}
        for (r,) in combinations(sorted(relevant - {n for f in found for n in f}), 1):
            check()
            kill = self.kill_sets({r}, cone, kinds)[t]
            for n in (relevant if kill is None else kill & relevant) - {r}:
                cut = frozenset([r, n])
                if not any(c < cut for c in found):
                    found.add(cut)
        return found

    def bottlenecks(self, threshold: float, check: Callable[[], None]) -> int:
        base = self.availability(set())
        count = 0
        for node, data in self.g.nodes(data=True):
            if data["kind"] == "component":
                continue
            country = node if data["kind"] == "country" else data["country"]
            if country == self.home:
                continue
            check()
            after = self.availability({node})
            if any(base[p] - after[p] >= threshold - 1e-12 for p in self.products):
                count += 1
        return count

    def priorities(self, check: Callable[[], None]) -> int:
        """Impact of cutting each component's foreign supply, re-evaluating its downstream cone only."""
        base = self.availability(set())
        comp_graph = self.g.subgraph(self.comps)
        total_value = sum(self.g.nodes[p]["value"] for p in self.products) or 1.0
        count = 0
        for c in self.comps:
            entries = self.g.nodes[c]["entries"]
            if not any(k != self.home and share > 0 for _, k, share in entries):
                continue
            check()
            cone = nx.descendants(comp_graph, c) | {c}
            total = sum(share for _, _, share in entries)
            domestic = sum(share for _, k, share in entries if k == self.home or share <= 0)
            a = dict(base)
            for members, cyclic in zip(self.order, self.cyclic, strict=True):
                if members[0] not in cone:
                    continue
                if cyclic:
                    for m in members:
                        a[m] = 1.0
                changed = True
                while changed:
                    changed = False
                    for m in members:
                        value = domestic / total if m == c else self.supply(m, set())
                        for group in self.g.nodes[m]["groups"].values():
                            value = min(value, max(a[x] for x in group))
                        if value != a.get(m):
                            a[m] = value
                            changed = cyclic
            _ = sum(self.g.nodes[p]["value"] * (base[p] - a[p]) for p in self.products if p in cone) / total_value
            count += 1
        return count


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
    except Budget:
        elapsed = time.perf_counter() - start
        if total:
            return {"seconds": elapsed / max(done[0], 1) * total, "extrapolated": f"{done[0]} of {total} items in {elapsed:.0f} s"}
        return {"seconds": None, "skipped": f"over the {budget:.0f} s budget"}
    return {"seconds": time.perf_counter() - start}
