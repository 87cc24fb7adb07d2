"""Semiconductor chokepoints, and what qualifying domestic tools would change.

Lists the single points of failure (suppliers and countries) of advanced and
mature-node logic chips, then qualifies every domestic alternative of the
front-end fab tools at its readiness (as a supply share) and compares the two
graphs with ``chainmap.analysis.diff``.

Run: python examples/semiconductor_chokepoints.py [GRAPH]
"""

from __future__ import annotations

import sys

import chainmap
from chainmap.analysis.diff import diff
from chainmap.model.edit import qualify

graph = chainmap.load(sys.argv[1] if len(sys.argv) > 1 else "graphs/")
chips = ["advanced-logic-chip", "mature-node-logic-chip"]

print("Single points of failure of logic chips (suppliers and countries):")
for row in chainmap.single_points_of_failure(graph, targets=chips, kinds=["supplier", "country"]):
    where = "foreign" if row.foreign else "home"
    print(f"  {row.node:28} {row.kind:9} {row.country or '':3} {where:8} -> {', '.join(row.targets)}")

tools = ["euv-scanner", "duv-immersion-scanner", "etch-tool", "cvd-tool", "pvd-tool", "ion-implanter", "cmp-tool",
         "wafer-inspection-tool", "coater-developer", "photoresist-arf", "photoresist-krf", "eda-software"]
spec = graph.spec
qualified = []
for tool in tools:
    comp = graph.components.get(tool)
    if comp is None:
        continue
    for alt in comp.alternatives:
        if graph.suppliers[alt.supplier].country == graph.home and alt.readiness > 0:
            spec = qualify(spec, alt.supplier, tool, alt.readiness)
            qualified.append(f"{alt.supplier}:{tool}={alt.readiness:g}")
after = chainmap.SupplyGraph(spec)
print(f"\nWhat-if: qualify {len(qualified)} domestic tool suppliers at their readiness: {', '.join(qualified)}")
change = diff(graph, after, chainmap.Scenario(remove=("us-jp-nl-chip-controls",)))
for s in change.spof:
    if set(s.targets_before) & set(chips):
        print(f"  SPOF {s.change:7} {s.node}")
for r in change.priorities[:10]:
    print(f"  priority {r.id:28} rank {r.rank_before} -> {r.rank_after}")
for sec in change.sectors:
    if sec.code == "39":
        print(f"  division 39 under a US-JP-NL cut: availability {sec.availability_before:.2f} -> "
              f"{sec.availability_after:.2f}")
