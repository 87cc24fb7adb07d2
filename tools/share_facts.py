"""The share facts of a graph, for curators and auditors (issue 11's work list and audit sample).

Usage::

    python tools/share_facts.py weak [GRAPH] [--methods judgement,equal-split] [--file PART]
    python tools/share_facts.py sample [GRAPH] --seed 20261130 [--n 40]

``weak`` prints one tab-separated line per share fact whose ``method`` is one of
``--methods``, the most-used components first (how many sector products the
component feeds, ``file:line``, component, entry, share, year, method, start of
the source): the facts to re-source next. ``sample`` draws ``--n`` share facts
at random (``random.Random(seed).sample`` over every share fact in file order)
and prints each whole (source and note too): the audit sample. An auditor opens
each source and records supported / plausible only / contradicted.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass

import chainmap


@dataclass(frozen=True)
class Fact:
    file: str
    line: int
    component: str
    entry: str
    share: float
    year: int | None
    method: str | None
    source: str
    note: str
    fed: int


def share_facts(graph: chainmap.SupplyGraph) -> list[Fact]:
    """Every share fact, in file order, with the number of sector products its component feeds."""
    products = set(graph.products)
    facts = []
    for cid, component in graph.components.items():
        if not component.suppliers:
            continue
        file, line = graph.origins.get(cid, ("?", 0))
        down = graph.downstream_of([graph.component_of[cid]])
        fed = sum(1 for i in down if graph.component_ids[i] in products)
        for e in component.suppliers:
            facts.append(Fact(file, line, cid, e.supplier or e.country or "?", e.share, e.year, e.method,
                              e.source or "", e.note or "", fed))
    return sorted(facts, key=lambda f: (f.file, f.line, f.entry))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["weak", "sample"])
    parser.add_argument("graph", nargs="?", default="graphs/")
    parser.add_argument("--methods", default="judgement,equal-split")
    parser.add_argument("--file", default="", help="only components defined in files whose path contains this")
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--n", type=int, default=40)
    args = parser.parse_args()
    facts = share_facts(chainmap.load(args.graph))
    if args.mode == "weak":
        methods = set(args.methods.split(","))
        weak = [f for f in facts if f.method in methods and args.file in f.file]
        for f in sorted(weak, key=lambda f: (-f.fed, f.file, f.line, f.entry)):
            print(f"{f.fed}\t{f.file}:{f.line}\t{f.component}\t{f.entry}\t{f.share}\t{f.year}\t{f.method}\t"
                  f"{f.source[:80]}")
        print(f"# {len(weak)} of {len(facts)} share facts")
        return
    for k, f in enumerate(random.Random(args.seed).sample(facts, args.n), 1):
        print(f"## {k}. {f.component} / {f.entry} = {f.share} ({f.year}, {f.method})  [{f.file}:{f.line}]")
        print(f"source: {f.source}")
        if f.note:
            print(f"note: {f.note}")
        print()
    print(f"# {args.n} of {len(facts)} share facts, random.Random({args.seed}).sample")


if __name__ == "__main__":
    main()
