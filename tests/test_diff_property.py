"""``diff`` (columns for ranks and concentration rows, --qualify edits in the arrays) equals the row-by-row
comparison it replaced, on random graphs and edits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chainmap.analysis.bottlenecks import bottlenecks
from chainmap.analysis.diff import BottleneckChange, GraphDiff, RankChange, SectorChange, SpofChange, diff
from chainmap.analysis.priority import priorities
from chainmap.analysis.scenario import LONG, Scenario, format_horizon
from chainmap.analysis.simulate import simulate
from chainmap.analysis.spof import single_points_of_failure
from chainmap.graph import SupplyGraph
from chainmap.model.edit import qualify, qualify_graph

from .strategies import specs


def diff_reference(before: SupplyGraph, after: SupplyGraph, scenario: Scenario | None = None) -> GraphDiff:
    """What changed from ``before`` to ``after`` (ranks, SPOFs, bottlenecks, sectors under ``scenario``).

    Bottlenecks and priorities are measured at the scenario's horizon and
    reach (from the baseline), SPOFs structurally (horizon ``long``) with its
    reach, the sectors under the scenario itself.
    """
    scenario = scenario or Scenario()
    at = Scenario(horizon=scenario.horizon, reach=scenario.reach)
    structural = Scenario(horizon=LONG, reach=scenario.reach)
    s0 = {r.node: r.targets for r in single_points_of_failure(before, scenario=structural)}
    s1 = {r.node: r.targets for r in single_points_of_failure(after, scenario=structural)}
    spof = []
    for node in sorted(s0.keys() | s1.keys()):
        t0, t1 = s0.get(node, []), s1.get(node, [])
        if t0 != t1:
            change = "gained" if not t0 else "lost" if not t1 else "changed"
            spof.append(SpofChange(node, change, t0, t1))
    b0 = {(b.node, b.reason) for b in bottlenecks(before, scenario=at)}
    b1 = {(b.node, b.reason) for b in bottlenecks(after, scenario=at)}
    bchanges = [BottleneckChange(n, r, "gained") for n, r in sorted(b1 - b0)] + [
        BottleneckChange(n, r, "lost") for n, r in sorted(b0 - b1)]
    p0 = {p.id: p for p in priorities(before, scenario=at)}
    p1 = {p.id: p for p in priorities(after, scenario=at)}
    ranks = []
    for cid in sorted(p0.keys() | p1.keys()):
        a, b = p0.get(cid), p1.get(cid)
        if a and b and a.rank == b.rank and a.score == b.score:
            continue
        ranks.append(RankChange(cid, a.rank if a else None, b.rank if b else None, a.score if a else None,
                                b.score if b else None, (a.rank - b.rank) if a and b else None))
    ranks.sort(key=lambda r: (-(abs(r.moved) if r.moved is not None else 10**9), r.id))
    r0 = {s.code: s.availability for s in simulate(before, scenario).sectors}
    r1 = {s.code: s.availability for s in simulate(after, scenario).sectors}
    sectors = [SectorChange(code, r0.get(code), r1.get(code),
                            (r1[code] - r0[code]) if code in r0 and code in r1 else None)
               for code in sorted(r0.keys() | r1.keys())]
    return GraphDiff(scenario.describe(), spof, bchanges, ranks, sectors, format_horizon(scenario.horizon),
                     scenario.reach)


@st.composite
def edited(draw):
    spec = draw(specs(max_components=8, max_suppliers=4))
    if not spec.suppliers:
        return spec, []
    items = draw(st.lists(st.tuples(st.sampled_from([s.id for s in spec.suppliers]),
                                    st.sampled_from([c.id for c in spec.components]),
                                    st.sampled_from([0.2, 0.5, 1.0])), min_size=1, max_size=2))
    return spec, items


@settings(max_examples=400, deadline=None)
@given(edited(), st.sampled_from(["90d", "1y", "long"]), st.booleans(), st.data())
def test_diff_matches_reference(case, horizon, arrays, data):
    spec, items = case
    before = SupplyGraph.from_spec(spec)
    if arrays:
        before = SupplyGraph.from_arrays(before.arrays)
    after = qualify_graph(before, items)
    want_spec = before.spec
    for item in items:
        want_spec = qualify(want_spec, *item)
    remove = data.draw(st.lists(st.sampled_from([c.id for c in spec.countries]), max_size=1))
    scenario = Scenario(remove=tuple(remove), horizon=horizon, reach=data.draw(st.sampled_from(["location", "owner"])))
    want = diff_reference(before, SupplyGraph(want_spec), scenario)
    assert diff(before, after, scenario) == want
    assert diff(before, after, scenario, edited=[c for _, c, _ in items]) == want  # recomputes the cone only


@settings(max_examples=100, deadline=None)
@given(specs(max_components=6), specs(max_components=6))
def test_diff_of_two_graphs_matches_reference(a, b):
    g0, g1 = SupplyGraph.from_spec(a), SupplyGraph.from_spec(b)
    assert diff(g0, g1) == diff_reference(g0, g1)


def test_diff_edited_falls_back_when_graphs_differ_otherwise():
    """``edited`` is a hint: graphs that differ in more than supply get the whole comparison."""
    import chainmap

    a = chainmap.load("tests/data/mini")
    comps = [c.model_copy(update={"requires": [], "stock_days": None}) if c.id == "logic-chip" else c
             for c in qualify(a.spec, "smee", "scanner", 1.0).components]
    b = SupplyGraph(a.spec.model_copy(update={"components": comps}))
    assert diff(a, b, edited=["scanner"]) == diff_reference(a, b)
    assert diff(a, b, edited=["scanner"]) != diff(a, SupplyGraph(qualify(a.spec, "smee", "scanner", 1.0)))


def test_diff_edited_on_generated_graph(tmp_path):
    """On a generated network (cycles, any_of groups, partial and equipment requirements), the diff of
    --qualify edits computed on the cone equals the whole comparison."""
    import chainmap
    from chainmap.io.generate import write_generated

    write_generated(tmp_path / "net", 3000, seed=7)
    before = chainmap.load(tmp_path / "net")
    rng = __import__("random").Random(1)
    for _ in range(4):
        items = [(rng.choice(before.supplier_ids), rng.choice(before.component_ids), rng.choice([0.3, 1.0]))
                 for _ in range(rng.randint(1, 2))]
        after = qualify_graph(before, items)
        for scenario in (Scenario(), Scenario(horizon="long", reach="owner")):
            assert diff(before, after, scenario, edited=[c for _, c, _ in items]) == diff(before, after, scenario)


def test_edit_cone_is_used_for_a_qualify_edit():
    """The hint is taken for a --qualify edit (NaN stock days and all): the cone path is what the tests
    above compare."""
    import chainmap
    from chainmap.analysis.diff import _edit_cone

    a = chainmap.load("tests/data/mini")
    b = qualify_graph(a, [("smee", "scanner", 1.0)])
    assert _edit_cone(a, b, ["scanner"]) is not None
    arrays = SupplyGraph.from_arrays(a.arrays)
    assert _edit_cone(arrays, qualify_graph(arrays, [("smee", "scanner", 1.0)]), ["scanner"]) is not None
