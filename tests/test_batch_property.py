"""The batched fast paths (bottlenecks, priorities) agree with the one-at-a-time reference and the brute force."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from chainmap.analysis.batch import BatchPropagation
from chainmap.analysis.bottlenecks import bottlenecks, bottlenecks_reference
from chainmap.analysis.incremental import Incremental
from chainmap.analysis.priority import priorities, priorities_reference
from chainmap.analysis.scenario import Scenario, capacities
from chainmap.graph import SupplyGraph
from chainmap.model import GraphSpec

from . import oracle
from .strategies import spec_and_scenario

THRESHOLDS = [0.05, 0.3, 0.5, 0.9, 1.0]


def scenario_of(caps: dict[str, float], horizon: float, reach: str) -> Scenario:
    return Scenario(limit=caps, horizon=horizon, reach=reach)


def by_candidate(result, k: int) -> dict[int, float]:
    m = result.cand == k
    return dict(zip(result.comp[m].tolist(), result.value[m].tolist(), strict=True))


@settings(max_examples=300, deadline=None)
@given(spec_and_scenario(max_components=9), st.booleans())
def test_batch_matches_incremental(case, cycles_exact):
    """Every removal and every foreign-supply cut, all in one batch, equals the incremental path exactly."""
    spec, caps_given, horizon, reach = case
    graph = SupplyGraph.from_spec(spec)
    inc = Incremental(graph, capacities(graph, scenario_of(caps_given, horizon, reach)))
    batch = BatchPropagation(inc)
    batch.cycles_exact = cycles_exact  # False: candidates reaching a cycle come back as fallback
    nodes = [("country", i) for i in range(graph.n_countries)] + [("supplier", i) for i in range(graph.n_suppliers)]
    result = batch.run(*batch.removal_seeds(nodes), len(nodes))
    for k, (kind, i) in enumerate(nodes):
        expected = inc.remove(country=i) if kind == "country" else inc.remove(supplier=i)
        if result.fallback[k]:  # reached a cycle (cycles_exact False) or a cycle rose by rounding: caller's job
            assert not by_candidate(result, k)
            continue
        assert by_candidate(result, k) == expected, (kind, i)
    comps = np.arange(graph.n_components)
    result = batch.run(comps, comps, np.zeros(comps.size), inc.terms.domestic.copy(), comps.size)
    for c in comps.tolist():
        if result.fallback[c]:
            assert not by_candidate(result, c)
        else:
            assert by_candidate(result, c) == inc.cut_foreign(c), c


@settings(max_examples=300, deadline=None)
@given(spec_and_scenario(max_components=9), st.sampled_from([None, 1, 3]),
       st.sampled_from([None, {"impact": 2.0}, {"impact": 0.5, "exposure": 1.5, "gap": 0.0, "urgency": 3.0}]))
def test_priorities_equal_reference(case, top, weights):
    spec, caps_given, horizon, reach = case
    graph = SupplyGraph.from_spec(spec)
    scenario = scenario_of(caps_given, horizon, reach)
    fast = priorities(graph, scenario=scenario, top=top, weights=weights)
    ref = priorities_reference(graph, scenario=scenario, top=top, weights=weights)
    assert fast == ref
    assert list(fast) == ref and [r.rank for r in fast[1:]] == [r.rank for r in ref[1:]]


@settings(max_examples=300, deadline=None)
@given(spec_and_scenario(max_components=9), st.sampled_from(THRESHOLDS), st.sampled_from([0.0, 0.25, 0.6]))
def test_bottlenecks_equal_reference(case, threshold, hhi_threshold):
    spec, caps_given, horizon, reach = case
    graph = SupplyGraph.from_spec(spec)
    scenario = scenario_of(caps_given, horizon, reach)
    fast = bottlenecks(graph, threshold=threshold, hhi_threshold=hhi_threshold, scenario=scenario)
    ref = bottlenecks_reference(graph, threshold=threshold, hhi_threshold=hhi_threshold, scenario=scenario)
    assert fast == ref  # chain lengths included (computed on access)
    assert [dict(b.chain_lengths) for b in fast] == [dict(b.chain_lengths) for b in ref]


def _products(spec: GraphSpec) -> list[str]:
    return sorted({p for s in spec.sectors for p in s.products})


@settings(max_examples=150, deadline=None)
@given(spec_and_scenario(max_components=7, max_suppliers=3), st.sampled_from([0.05, 0.5]))
def test_bottleneck_drops_equal_brute_force(case, threshold):
    """Removal bottlenecks: remove each foreign country and supplier, recompute everything (tests/oracle.py)."""
    spec, caps_given, horizon, reach = case
    graph = SupplyGraph.from_spec(spec)
    home = spec.settings.home
    limits = oracle.node_caps(spec, caps_given)
    base = oracle.availability(spec, limits, horizon, reach)
    rows = {b.node: b for b in bottlenecks(graph, threshold=threshold, hhi_threshold=2.0,
                                           scenario=scenario_of(caps_given, horizon, reach))}
    foreign = [c.id for c in spec.countries if c.id != home] + [s.id for s in spec.suppliers if s.country != home]
    for node in foreign:
        after = oracle.availability(spec, {**limits, node: 0.0}, horizon, reach)
        drops = {p: base[p] - after[p] for p in _products(spec)}
        if any(abs(d - threshold) < 1e-9 for d in drops.values()):
            continue  # on the threshold: rounding decides
        hits = sorted(p for p, d in drops.items() if d >= threshold)
        if not hits:
            assert node not in rows, node
            continue
        row = rows[node]
        assert sorted(row.hits) == hits, node
        for p, d in drops.items():
            assert math.isclose(row.drops.get(p, 0.0), d, abs_tol=1e-9), (node, p)


def _cut_foreign(spec: GraphSpec, cid: str) -> GraphSpec:
    """``spec`` with component ``cid``'s foreign supply (unlisted remainder included) moved to a
    country ``ZZ`` that the caller cuts (shares, and so normalisation, unchanged)."""
    data = spec.model_dump(mode="json", exclude_none=True)
    home = spec.settings.home
    located = {s.id: s.country for s in spec.suppliers}
    data["countries"].append({"id": "ZZ", "name": "cut"})
    for comp in data["components"]:
        if comp["id"] != cid:
            continue
        entries = []
        for e in comp.get("suppliers", []):
            country = located[e["supplier"]] if "supplier" in e else e["country"]
            entries.append(e if country == home else {"country": "ZZ", "share": e["share"]})
        total = sum(e["share"] for e in entries)
        if entries and 1.0 - total > 1e-9:
            entries.append({"country": "ZZ", "share": 1.0 - total})
        comp["suppliers"] = entries
    return GraphSpec.model_validate(data)


@settings(max_examples=150, deadline=None)
@given(spec_and_scenario(max_components=6, max_suppliers=3))
def test_priority_impacts_equal_brute_force(case):
    """``impact``: cut each candidate's foreign supply, recompute everything, value-weighted loss over products."""
    spec, caps_given, horizon, reach = case
    graph = SupplyGraph.from_spec(spec)
    rows = priorities(graph, scenario=scenario_of(caps_given, horizon, reach))
    limits = oracle.node_caps(spec, caps_given)
    base = oracle.availability(spec, limits, horizon, reach)
    value = {c.id: (c.value if c.value is not None else 1.0) for c in spec.components}
    products = _products(spec)
    total = sum(value[p] for p in products) or 1.0
    for row in rows:
        cut = _cut_foreign(spec, row.id)
        after = oracle.availability(cut, {**limits, "ZZ": 0.0}, horizon, reach)
        impact = sum(value[p] * (base[p] - after[p]) for p in products) / total
        assert math.isclose(row.impact, impact, abs_tol=1e-9), row.id


@settings(max_examples=200, deadline=None)
@given(spec_and_scenario(max_components=9))
def test_product_sets_equal_downstream_products(case):
    """The CSR of downstream products (large graphs' concentration hits) equals the per-component search."""
    from chainmap.analysis.bottlenecks import _downstream_products_all, _ProductSets, downstream_products

    graph = SupplyGraph.from_spec(case[0])
    sets = _ProductSets(graph)
    swept = _downstream_products_all(graph)
    for c, cid in enumerate(graph.component_ids):
        expected = downstream_products(graph, cid)
        assert [graph.component_ids[p] for p in sets.of(c).tolist()] == expected, cid
        assert sets.of(c).tolist() == swept[c].tolist(), cid


@settings(max_examples=150, deadline=None)
@given(spec_and_scenario(max_components=8))
def test_chain_lengths_full_propagation_path_equals_incremental(case):
    """A removal that reaches far gets its values for ``explain`` from one full propagation: same lengths."""
    from chainmap.analysis.bottlenecks import _ChainLength

    spec, caps_given, horizon, reach = case
    graph = SupplyGraph.from_spec(spec)
    scenario = scenario_of(caps_given, horizon, reach)
    far = Incremental(graph, capacities(graph, scenario))
    far.budget = 0  # every removal takes the full-propagation path
    near = _ChainLength(graph, scenario)
    full = _ChainLength(graph, scenario, far)
    for node in [c.id for c in spec.countries] + [s.id for s in spec.suppliers]:
        hits = _products(spec)
        assert full(node, hits) == near(node, hits), node


@settings(max_examples=150, deadline=None)
@given(spec_and_scenario(max_components=8))
def test_chain_lengths_equal_explain(case):
    """Each hit's chain length is the length of :func:`explain`'s binding chain under the scenario plus the removal."""
    from chainmap.analysis.bottlenecks import _ChainLength
    from chainmap.analysis.explain import explain_many

    spec, caps_given, horizon, reach = case
    graph = SupplyGraph.from_spec(spec)
    scenario = scenario_of(caps_given, horizon, reach)
    lengths = _ChainLength(graph, scenario)
    hits = _products(spec)
    for node in [c.id for c in spec.countries] + [s.id for s in spec.suppliers]:
        removed = Scenario(remove=(node,), limit=scenario.limit, horizon=horizon, reach=reach)
        before = capacities(graph, scenario)
        from chainmap.analysis.propagate import availability

        chains = explain_many(graph, hits, removed, availabilities=(availability(graph, capacities(graph, removed)),
                                                                    availability(graph, before)))
        assert lengths(node, hits) == {t: len(c.steps) for t, c in chains.items()}, node


@settings(max_examples=150, deadline=None)
@given(spec_and_scenario(max_components=7, max_suppliers=3), st.data())
def test_scenario_removals_are_the_baseline(case, data):
    """``scenario=`` with removals (not only limits): the batched tables equal the one-at-a-time reference,
    and the removal form equals the same nodes limited to 0; a removed node drops nothing more."""
    spec, caps_given, horizon, reach = case
    graph = SupplyGraph.from_spec(spec)
    nodes = [c.id for c in spec.countries] + [s.id for s in spec.suppliers]
    removed = tuple(data.draw(st.lists(st.sampled_from(nodes), max_size=2, unique=True)))
    limits = {k: v for k, v in caps_given.items() if k not in removed}
    scenario = Scenario(remove=removed, limit=limits, horizon=horizon, reach=reach)
    as_limits = Scenario(limit={**limits, **{k: 0.0 for k in removed}}, horizon=horizon, reach=reach)
    fast = bottlenecks(graph, threshold=0.3, scenario=scenario)
    assert fast == bottlenecks_reference(graph, threshold=0.3, scenario=scenario)
    assert fast == bottlenecks(graph, threshold=0.3, scenario=as_limits)
    assert not {b.node for b in fast if b.reason == "removal"} & set(removed)
    ranked = priorities(graph, scenario=scenario)
    assert ranked == priorities_reference(graph, scenario=scenario) == priorities(graph, scenario=as_limits)


def test_priorities_without_scenario_are_the_default_scenario():
    import chainmap

    graph = chainmap.load("tests/data/mini")
    assert priorities(graph) == priorities(graph, scenario=Scenario()) == priorities_reference(graph)
    assert bottlenecks(graph) == bottlenecks(graph, scenario=Scenario())


def test_square_weight_is_python_pow():
    """Weight 2: the score uses Python's ``x ** 2.0`` (libm pow), which differs from numpy's ``x * x`` here."""
    from chainmap.analysis.priority import _pow

    x = 0.05172413793103451
    assert _pow(np.array([x]), 2.0)[0] == x**2.0
