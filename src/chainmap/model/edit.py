"""What-if edits of a graph spec (no files touched).

Examples
--------
>>> import chainmap
>>> spec = chainmap.load("tests/data/mini").spec
>>> new = qualify(spec, "smee", "scanner", 0.5)
>>> [(e.supplier, e.share) for e in next(c for c in new.components if c.id == "scanner").suppliers]
[('asml', 1.0), ('smee', 0.5)]
"""

from __future__ import annotations

from chainmap.errors import ScenarioError
from chainmap.model.schema import GraphSpec, SupplyEntry

__all__ = ["parse_qualify", "qualify"]


def parse_qualify(text: str) -> tuple[str, str, float]:
    """Parse ``SUPPLIER:COMPONENT=SHARE``.

    >>> parse_qualify("smee:scanner=0.3")
    ('smee', 'scanner', 0.3)
    """
    left, sep, share_text = text.rpartition("=")
    supplier, colon, component = left.partition(":")
    if not sep or not colon or not supplier or not component:
        raise ScenarioError(f"--qualify {text!r}: expected SUPPLIER:COMPONENT=SHARE")
    try:
        share = float(share_text)
    except ValueError:
        raise ScenarioError(f"--qualify {text!r}: {share_text!r} is not a number") from None
    if not 0.0 < share <= 1.0:
        raise ScenarioError(f"--qualify {text!r}: share must be in (0, 1]")
    return supplier, component, share


def qualify(spec: GraphSpec, supplier: str, component: str, share: float) -> GraphSpec:
    """Promote ``supplier`` to a supplier of ``component`` with ``share``.

    The supplier leaves the component's alternatives if it was one. Raises
    ScenarioError for unknown ids.
    """
    if supplier not in {s.id for s in spec.suppliers}:
        raise ScenarioError(f"--qualify: unknown supplier {supplier!r}")
    comps = list(spec.components)
    for i, comp in enumerate(comps):
        if comp.id == component:
            entry = SupplyEntry(supplier=supplier, share=share, source="what-if: qualified by the analyst",
                                estimate=True)
            suppliers = [e for e in comp.suppliers if e.supplier != supplier] + [entry]
            alternatives = [a for a in comp.alternatives if a.supplier != supplier]
            comps[i] = comp.model_copy(update={"suppliers": suppliers, "alternatives": alternatives})
            return spec.model_copy(update={"components": comps})
    raise ScenarioError(f"--qualify: unknown component {component!r}")
