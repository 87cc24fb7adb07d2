"""Products halved by one-country cut-offs at several horizons (the semantics-v2 reality table).

Usage: ``python tools/cutoff_table.py [GRAPH] [--countries US,JP,DE,KR,TW,NL]``. Prints a
Markdown table: for each country, how many sector products keep at most half of their
baseline availability at 90 days, 1 year and long, and how many of those are in the
consumer divisions 13-24.
"""

from __future__ import annotations

import argparse

import chainmap

HORIZONS = ("90d", "1y", "long")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph", nargs="?", default="graphs/")
    parser.add_argument("--countries", default="US,JP,DE,KR,TW,NL")
    args = parser.parse_args()
    graph = chainmap.load(args.graph)
    products = graph.products
    consumer = {p for p in products if 13 <= int(graph.components[p].sector or 0) <= 24}
    print(f"| cut-off | {' | '.join(HORIZONS)} |")
    print("|---|" + "---|" * len(HORIZONS))
    for country in args.countries.split(","):
        cells = []
        for horizon in HORIZONS:
            result = chainmap.simulate(graph, chainmap.Scenario(remove=(country,), horizon=horizon))
            by_id = {c.id: c for c in result.components}
            halved = [p for p in products if by_id[p].availability <= 0.5 * by_id[p].baseline]
            cells.append(f"{len(halved)} ({sum(p in consumer for p in halved)})")
        print(f"| {country} | {' | '.join(cells)} |")
    print(f"\n{len(products)} products; in brackets: of divisions 13-24 ({len(consumer)} products).")


if __name__ == "__main__":
    main()
