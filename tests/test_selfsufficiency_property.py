"""Self-sufficiency's vectorised domestic shares agree with the definition on random graphs."""

from __future__ import annotations

import math

from hypothesis import given, settings

from chainmap.analysis.selfsufficiency import domestic_shares, self_sufficiency
from chainmap.graph import SupplyGraph

from .strategies import specs


@settings(max_examples=300, deadline=None)
@given(specs())
def test_domestic_shares_match_definition(spec):
    """Home's share of the listed supply (located in home), NaN for a component listing none."""
    graph = SupplyGraph.from_spec(spec)
    got = domestic_shares(graph)
    located = {s.id: s.country for s in spec.suppliers}
    by_id = {c.id: c for c in spec.components}
    for i, cid in enumerate(graph.component_ids):
        entries = by_id[cid].suppliers
        total = sum(e.share for e in entries)
        if not entries or total <= 0:
            assert math.isnan(got[i]), cid
            continue
        home = sum(e.share for e in entries if (located[e.supplier] if e.supplier else e.country) == graph.home)
        assert abs(got[i] - home / total) <= 1e-12, (cid, got[i], home / total)
    rows = self_sufficiency(graph).components
    assert [r.id for r in rows] == graph.component_ids
    assert all((r.domestic_share is None) == math.isnan(got[i]) for i, r in enumerate(rows))
