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

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from chainmap.errors import ScenarioError
from chainmap.model.schema import GraphSpec, SupplyEntry

if TYPE_CHECKING:
    from chainmap.graph import GraphArrays, SupplyGraph

__all__ = ["QUALIFIED_SOURCE", "check_qualify", "parse_qualify", "qualify", "qualify_graph"]

QUALIFIED_SOURCE = "what-if: qualified by the analyst"
"""The source of a supply entry added by :func:`qualify`."""
REQUIREMENT_CACHES = ("group_member_lists", "groups_of", "users_of", "requirement_edges", "requires_csr",
                      "required_by_csr", "component_graph", "scc", "schedule")
"""Compiled forms of a graph that depend on its requirements only (a qualify edit keeps them)."""


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
            entry = SupplyEntry(supplier=supplier, share=share, source=QUALIFIED_SOURCE, estimate=True)
            suppliers = [e for e in comp.suppliers if e.supplier != supplier] + [entry]
            alternatives = [a for a in comp.alternatives if a.supplier != supplier]
            comps[i] = comp.model_copy(update={"suppliers": suppliers, "alternatives": alternatives})
            return spec.model_copy(update={"components": comps})
    raise ScenarioError(f"--qualify: unknown component {component!r}")


def check_qualify(graph: SupplyGraph, edits: Sequence[tuple[str, str, float]]) -> None:
    """ScenarioError for the first edit naming an unknown supplier or component (cheap: no edit made)."""
    for supplier, component, _ in edits:
        if supplier not in graph.supplier_of:
            raise ScenarioError(f"--qualify: unknown supplier {supplier!r}")
        if component not in graph.component_of:
            raise ScenarioError(f"--qualify: unknown component {component!r}")


def qualify_graph(graph: SupplyGraph, edits: Sequence[tuple[str, str, float]]) -> SupplyGraph:
    """``graph`` with each ``(supplier, component, share)`` of ``edits`` applied as :func:`qualify` does.

    A graph that keeps its pydantic spec (YAML/JSON files) is edited through it. An array-backed graph
    (columnar files) is edited in its arrays: the component's supply entries and alternatives change,
    nothing else is rebuilt, and the compiled forms that depend on requirements only (evaluation order,
    strongly connected sets) are kept. The arrays are those ``SupplyGraph(qualify(graph.spec, ...))``
    would compile. Raises ScenarioError for unknown ids (before any edit).

    Examples
    --------
    >>> import chainmap
    >>> g = chainmap.load("tests/data/mini")
    >>> arrays = chainmap.SupplyGraph.from_arrays(g.arrays)
    >>> edited = qualify_graph(arrays, [("smee", "scanner", 0.5)])
    >>> [(e.supplier, e.share) for e in edited.components["scanner"].suppliers]
    [('asml', 1.0), ('smee', 0.5)]
    """
    from chainmap.graph import SupplyGraph

    check_qualify(graph, edits)
    if not edits:
        return graph
    if getattr(graph, "_spec", None) is not None:
        spec = graph.spec
        for item in edits:
            spec = qualify(spec, *item)
        return SupplyGraph(spec, graph.origins, graph.warnings, graph.files)
    arrays = graph.arrays
    for supplier, component, share in edits:
        arrays = _qualify_arrays(graph, arrays, graph.supplier_of[supplier], graph.component_of[component], share)
    edited = SupplyGraph.from_arrays(arrays, graph.files, graph.warnings)
    edited.origins = graph.origins
    for name in REQUIREMENT_CACHES:
        if name in graph.__dict__:
            edited.__dict__[name] = graph.__dict__[name]
    return edited


def _qualify_arrays(graph: SupplyGraph, arrays: GraphArrays, s: int, c: int, share: float) -> GraphArrays:
    """``arrays`` with supplier ``s`` a supplier of component ``c`` at ``share`` (its entry and alternative
    for ``c`` replaced): entries stay sorted by component, supplier entries by supplier index first."""
    comp, sup = arrays.entry_comp, arrays.entry_supplier
    lo, hi = np.searchsorted(comp, [c, c + 1])
    keep = np.ones(comp.size, dtype=bool)
    keep[lo:hi] = sup[lo:hi] != s
    span = sup[lo:hi][keep[lo:hi]]
    at = int(lo + np.count_nonzero((span >= 0) & (span < s)))  # after the kept supplier entries below s
    kept = np.flatnonzero(keep)
    before, after = kept[kept < at], kept[kept >= at]

    def spliced(column: np.ndarray, value: Any) -> np.ndarray:
        return np.concatenate([column[before], np.array([value], dtype=column.dtype), column[after]])

    n = comp.size
    estimate = arrays.entry_estimate if arrays.entry_estimate is not None else np.zeros(n, dtype=bool)
    source = arrays.entry_source
    codes, texts = getattr(source, "codes", None), getattr(source, "texts", None)
    new_source: Any
    if source is not None and codes is not None and texts is not None:
        code = texts.index(QUALIFIED_SOURCE) if QUALIFIED_SOURCE in texts else len(texts)
        coded: Any = type(source)
        new_source = coded(spliced(np.asarray(codes), code),
                                  texts if code < len(texts) else [*texts, QUALIFIED_SOURCE])
    else:
        listed = list(source) if source is not None else [None] * n
        new_source = [listed[i] for i in before.tolist()] + [QUALIFIED_SOURCE] + [listed[i] for i in after.tolist()]
    drop = (arrays.alt_comp == c) & (arrays.alt_supplier == s)
    return dataclasses.replace(
        arrays,
        entry_comp=spliced(comp, c), entry_supplier=spliced(sup, s),
        entry_country=spliced(arrays.entry_country, int(graph.supplier_country[s])),
        entry_share=spliced(arrays.entry_share, share), entry_estimate=spliced(np.asarray(estimate, dtype=bool), True),
        entry_source=new_source,
        alt_comp=arrays.alt_comp[~drop], alt_supplier=arrays.alt_supplier[~drop],
        alt_readiness=arrays.alt_readiness[~drop])
