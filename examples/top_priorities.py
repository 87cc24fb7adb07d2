"""The top substitution priorities across all divisions, with their factors.

score = impact x exposure x gap x urgency (DESIGN). Prints the overall top 15
and the first priority of each division that has one.

Run: python examples/top_priorities.py [GRAPH]
"""

from __future__ import annotations

import sys

import chainmap

graph = chainmap.load(sys.argv[1] if len(sys.argv) > 1 else "graphs/")
rows = chainmap.priorities(graph)

print(f"{'rank':>4}  {'component':34} {'div':3} {'score':>6} {'impact':>6} {'expo':>5} {'gap':>5} {'urg':>5}  foreign")
for r in rows[:15]:
    print(f"{r.rank:>4}  {r.id:34} {r.sector or '--':3} {r.score:6.3f} {r.impact:6.3f} {r.exposure:5.2f} "
          f"{r.gap:5.2f} {r.urgency:5.2f}  {','.join(r.foreign_countries[:4])}")

print("\nFirst priority per division:")
seen: set[str] = set()
for r in rows:
    if r.sector and r.sector not in seen and r.score > 0:
        seen.add(r.sector)
        print(f"  {r.sector} {r.id:34} score {r.score:.3f}")
