"""List the weakest share facts first: the ones to re-source next (issue 11's audit work list).

Usage: ``python tools/weak_facts.py [GRAPH] [--methods judgement,equal-split] [--file PART]``.
Prints one tab-separated line per share fact whose ``method`` is one of ``--methods``: how many
sector products the component feeds (its downstream products), ``file:line`` of the component,
the component id, the entry (supplier or country), share, year, method and the start of its
source; the most-used components come first, so a curator's work reaches the most answers.
"""

from __future__ import annotations

import argparse

import chainmap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph", nargs="?", default="graphs/")
    parser.add_argument("--methods", default="judgement,equal-split")
    parser.add_argument("--file", default="", help="only components defined in files whose path contains this")
    args = parser.parse_args()
    methods = set(args.methods.split(","))
    graph = chainmap.load(args.graph)
    products = set(graph.products)
    rows = []
    for cid, component in graph.components.items():
        where = graph.origins.get(cid, ("?", 0))
        if args.file not in where[0]:
            continue
        weak = [e for e in component.suppliers if e.method in methods]
        if not weak:
            continue
        fed = sum(1 for i in graph.downstream_of([graph.component_of[cid]]) if graph.component_ids[i] in products)
        for e in weak:
            who = e.supplier or e.country
            rows.append((-fed, where[0], where[1], cid, who, e.share, e.year, e.method, (e.source or "")[:80]))
    for fed, file, line, cid, who, share, year, method, source in sorted(rows):
        print(f"{-fed}\t{file}:{line}\t{cid}\t{who}\t{share}\t{year}\t{method}\t{source}")
    print(f"# {len(rows)} facts", flush=True)


if __name__ == "__main__":
    main()
