"""An export ban on the government office-PC stack: what still works?

The government office PC needs a CPU, an operating system, a database,
middleware and an office suite; each layer is an ``any_of`` between the
foreign incumbent and domestic candidates. This script cuts the United
States alone, then the Five Eyes, then the US-Japan-Netherlands chip-control
coalition, and shows what is left of each layer and of the PC.

Run: python examples/office_pc_export_ban.py [GRAPH]
"""

from __future__ import annotations

import sys

import chainmap
from chainmap.model import is_any_of, requirement_members

graph = chainmap.load(sys.argv[1] if len(sys.argv) > 1 else "graphs/")
pc = graph.components["government-office-pc"]
layers = [requirement_members(req) for req in pc.requires if is_any_of(req)]

for bloc in ["US", "five-eyes", "us-jp-nl-chip-controls"]:
    result = chainmap.simulate(graph, chainmap.Scenario(remove=(bloc,)))
    a = {c.id: c.availability for c in result.components}
    print(f"\nExport ban by {bloc} ({graph.name(bloc)}):")
    for members in layers:
        shown = ", ".join(f"{m} {a[m]:.2f}" for m in members)
        print(f"  any of: {shown}")
    print(f"  => government-office-pc availability {a['government-office-pc']:.2f} "
          f"(personal-computer {a['personal-computer']:.2f})")

print("\nMinimal sets of countries whose joint cut stops the government office PC (order <= 2):")
for cut in chainmap.cut_sets(graph, "government-office-pc", max_order=2, kinds=("country",)):
    print(f"  {' + '.join(cut.nodes)}")
