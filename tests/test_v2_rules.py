"""One hand-computed example per DESIGN "Semantics (v2)" rule.

Each case is checked twice: against the brute-force oracle (so the oracle is
held to hand arithmetic) and against chainmap's availability. The numbers in
the comments are worked out from the DESIGN definitions:
``x = F + min(D, R * D0)`` (view home), ``x = min(F + D, R)`` (view global),
``f(r) = 1 - share * k * (1 - a(r))``, ``a = cap * min(1, x + stock_days / H)``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import chainmap
from chainmap.model import GraphSpec

from . import oracle

INF = math.inf


def make(components, suppliers=(), view="home", home="CN", countries=("CN", "US", "JP")) -> GraphSpec:
    return GraphSpec.model_validate({
        "settings": {"home": home, "view": view},
        "countries": [{"id": c, "name": c} for c in countries],
        "suppliers": list(suppliers),
        "components": [{"name": c["id"].upper(), **c} for c in components],
    })


def via_oracle(spec, caps, horizon, reach):
    return oracle.availability(spec, caps, horizon, reach)


def via_chainmap(spec, caps, horizon, reach):
    from chainmap.analysis.propagate import availability
    from chainmap.analysis.scenario import Scenario, capacities
    from chainmap.graph import SupplyGraph

    graph = SupplyGraph.from_spec(spec)
    a = availability(graph, capacities(graph, Scenario(limit=caps, horizon=horizon, reach=reach)))
    return {cid: float(a[i]) for i, cid in enumerate(graph.component_ids)}


@pytest.fixture(params=[via_oracle, via_chainmap], ids=["oracle", "chainmap"])
def avail(request):
    def run(spec, caps=None, horizon=INF, reach="location"):
        return request.param(spec, dict(caps or {}), horizon, reach)
    return run


# A dead input: component "dead" with capacity 0 (a home process, a = 0).
DEAD = {"id": "dead"}


def test_unlisted_remainder_is_foreign(avail):
    # c lists CN 0.5 (home): T = 0.5 < 1, so u = 0.5 is unlisted, foreign.
    # D0 = D = 0.5, F = u * cap(unlisted) = 0.5; R = f(dead) = 1 - 1*1*(1-0) = 0.
    # x = F + min(D, R * D0) = 0.5 + min(0.5, 0) = 0.5.
    spec = make([{"id": "c", "requires": ["dead"], "suppliers": [{"country": "CN", "share": 0.5}]}, DEAD])
    assert avail(spec, {"dead": 0.0})["c"] == pytest.approx(0.5, abs=1e-12)
    # cap(unlisted) = 0.5: F = 0.25, x = 0.25.
    assert avail(spec, {"dead": 0.0, "unlisted": 0.5})["c"] == pytest.approx(0.25, abs=1e-12)
    # unlisted cut, requirement alive: x = 0 + min(0.5, 1 * 0.5) = 0.5.
    assert avail(spec, {"unlisted": 0.0})["c"] == pytest.approx(0.5, abs=1e-12)


def test_imports_do_not_need_home_requirements(avail):
    # c: CN 0.25 (domestic), US 0.75 (import). Dead requirement: R = 0.
    # x = F + min(D, R * D0) = 0.75 + min(0.25, 0) = 0.75.
    spec = make([{"id": "c", "requires": ["dead"],
                  "suppliers": [{"country": "CN", "share": 0.25}, {"country": "US", "share": 0.75}]}, DEAD])
    assert avail(spec, {"dead": 0.0})["c"] == pytest.approx(0.75, abs=1e-12)
    # US cut instead (requirement alive): x = 0 + min(0.25, 1 * 0.25) = 0.25.
    assert avail(spec, {"US": 0.0})["c"] == pytest.approx(0.25, abs=1e-12)
    # A home supplier located abroad is an import: s0 in JP owned by CN, c needs dead.
    spec = make([{"id": "c", "requires": ["dead"], "suppliers": [{"supplier": "s0", "share": 1.0}]}, DEAD],
                suppliers=[{"id": "s0", "name": "S0", "country": "JP", "owner": "CN"}])
    # F = 1 (JP is not home), D = D0 = 0: x = 1 + min(0, 0) = 1.
    assert avail(spec, {"dead": 0.0})["c"] == pytest.approx(1.0, abs=1e-12)


def test_equipment_replacement_over_horizon(avail):
    # c (home process: D0 = D = 1, F = 0) needs equipment "dead", lifetime 10 years.
    # H = 365: k = min(1, 365 / (365 * 10)) = 0.1; f = 1 - 1 * 0.1 * (1 - 0) = 0.9.
    # x = 0 + min(1, 0.9 * 1) = 0.9.
    spec = make([{"id": "c", "requires": [{"component": "dead", "role": "equipment", "lifetime_years": 10}]}, DEAD])
    assert avail(spec, {"dead": 0.0}, horizon=365)["c"] == pytest.approx(0.9, abs=1e-12)
    # default lifetime is 10 years too
    spec10 = make([{"id": "c", "requires": [{"component": "dead", "role": "equipment"}]}, DEAD])
    assert avail(spec10, {"dead": 0.0}, horizon=365)["c"] == pytest.approx(0.9, abs=1e-12)
    # H = 730, lifetime 1: k = min(1, 2) = 1, f = 0.  H = long: k = 1, f = 0.
    spec1 = make([{"id": "c", "requires": [{"component": "dead", "role": "equipment", "lifetime_years": 1}]}, DEAD])
    assert avail(spec1, {"dead": 0.0}, horizon=730)["c"] == pytest.approx(0.0, abs=1e-12)
    assert avail(spec, {"dead": 0.0}, horizon=INF)["c"] == pytest.approx(0.0, abs=1e-12)
    # An input ignores the horizon: k = 1, f = 0 at H = 30.
    spec_in = make([{"id": "c", "requires": [{"component": "dead", "role": "input"}]}, DEAD])
    assert avail(spec_in, {"dead": 0.0}, horizon=30)["c"] == pytest.approx(0.0, abs=1e-12)


def test_partial_share(avail):
    # c (home process) needs "dead" for share 0.5 of its production: f = 1 - 0.5 * 1 * (1 - 0) = 0.5.
    spec = make([{"id": "c", "requires": [{"component": "dead", "share": 0.5}]}, DEAD])
    assert avail(spec, {"dead": 0.0})["c"] == pytest.approx(0.5, abs=1e-12)
    # at a(dead) = 0.5: f = 1 - 0.5 * 0.5 = 0.75.
    assert avail(spec, {"dead": 0.5})["c"] == pytest.approx(0.75, abs=1e-12)
    # share 0.1 equipment, lifetime 3, H = 90: k = 90 / 1095; f = 1 - 0.1 * 90/1095 = 0.99178082...
    spec = make([{"id": "c", "requires": [{"component": "dead", "share": 0.1, "role": "equipment",
                                           "lifetime_years": 3}]}, DEAD])
    assert avail(spec, {"dead": 0.0}, horizon=90)["c"] == pytest.approx(1 - 0.1 * 90 / 1095, abs=1e-12)


def test_stock_over_horizon(avail):
    # c imports all from US, holds 90 days of stock; US cut: x = 0.
    # H = 365: a = min(1, 0 + 90/365) = 0.246575...;  H = 30: min(1, 3) = 1;  H = long: 0.
    spec = make([{"id": "c", "stock_days": 90, "suppliers": [{"country": "US", "share": 1.0}]}])
    assert avail(spec, {"US": 0.0}, horizon=365)["c"] == pytest.approx(90 / 365, abs=1e-12)
    assert avail(spec, {"US": 0.0}, horizon=30)["c"] == pytest.approx(1.0, abs=1e-12)
    assert avail(spec, {"US": 0.0}, horizon=INF)["c"] == pytest.approx(0.0, abs=1e-12)
    # half cut: x = 0.5, H = 365: a = 0.5 + 90/365; the component's own capacity multiplies:
    # cap(c) = 0.5: a = 0.5 * (0.5 + 90/365).
    assert avail(spec, {"US": 0.5}, horizon=365)["c"] == pytest.approx(0.5 + 90 / 365, abs=1e-12)
    assert avail(spec, {"US": 0.5, "c": 0.5}, horizon=365)["c"] == pytest.approx(0.5 * (0.5 + 90 / 365), abs=1e-12)


def test_owner_reach(avail):
    # s0 produces in JP, owned by US; c buys all from s0 (foreign: JP is not home).
    spec = make([{"id": "c", "suppliers": [{"supplier": "s0", "share": 1.0}]}],
                suppliers=[{"id": "s0", "name": "S0", "country": "JP", "owner": "US"}])
    # reach location: cutting US leaves s0 (in JP): cap(e) = 1 * 1 = 1.
    assert avail(spec, {"US": 0.0}, reach="location")["c"] == pytest.approx(1.0, abs=1e-12)
    # reach owner: cap(e) = cap(s0) * cap(JP) * cap(US) = 0.
    assert avail(spec, {"US": 0.0}, reach="owner")["c"] == pytest.approx(0.0, abs=1e-12)
    # limits multiply: 1 * 0.5 (JP) * 0.5 (US) = 0.25.
    assert avail(spec, {"US": 0.5, "JP": 0.5}, reach="owner")["c"] == pytest.approx(0.25, abs=1e-12)
    # owner = country: counted once, 0.5 not 0.25.
    same = make([{"id": "c", "suppliers": [{"supplier": "s0", "share": 1.0}]}],
                suppliers=[{"id": "s0", "name": "S0", "country": "JP", "owner": "JP"}])
    assert avail(same, {"JP": 0.5}, reach="owner")["c"] == pytest.approx(0.5, abs=1e-12)


def test_normalisation_above_one(avail):
    # c lists CN 1.0 and US 1.0: T = 2 > 1, shares 0.5 each, u = 0.
    spec = make([{"id": "c", "requires": ["dead"],
                  "suppliers": [{"country": "CN", "share": 1.0}, {"country": "US", "share": 1.0}]}, DEAD])
    # US cut: F = 0, D = D0 = 0.5: x = 0 + min(0.5, 1 * 0.5) = 0.5.
    assert avail(spec, {"US": 0.0})["c"] == pytest.approx(0.5, abs=1e-12)
    # requirement dead: x = 0.5 + min(0.5, 0) = 0.5.
    assert avail(spec, {"dead": 0.0})["c"] == pytest.approx(0.5, abs=1e-12)
    # no unlisted remainder: cutting it changes nothing.
    assert avail(spec, {"unlisted": 0.0})["c"] == pytest.approx(1.0, abs=1e-12)
    # All domestic, T = 0.1 + 0.5 + 0.75 = 1.35: D0 = D = 1.35 / 1.35 = 1, F = 0. With a self-loop
    # (steel needs steel) a = min(1, a * 1): the greatest fixed point is 1 (the float rounding of
    # 0.1/1.35 + 0.5/1.35 + 0.75/1.35 = 0.9999999999999999 must not make the loop decay to 0).
    loop = make([{"id": "c", "requires": ["c"],
                  "suppliers": [{"country": "CN", "share": s} for s in (0.1, 0.5, 0.75)]}])
    assert avail(loop, {})["c"] == pytest.approx(1.0, abs=1e-9)
    assert avail(loop, {}, horizon=365)["c"] == pytest.approx(1.0, abs=1e-9)


def test_view_global(avail):
    # Same mix as the import case, view global: x = min(F + D, R) = min(1, 0) = 0.
    spec = make([{"id": "c", "requires": ["dead"],
                  "suppliers": [{"country": "CN", "share": 0.25}, {"country": "US", "share": 0.75}]}, DEAD],
                view="global")
    assert avail(spec, {"dead": 0.0})["c"] == pytest.approx(0.0, abs=1e-12)
    # half the requirement: R = 0.5, x = min(1, 0.5) = 0.5;  US cut: x = min(0.25, 1) = 0.25.
    assert avail(spec, {"dead": 0.5})["c"] == pytest.approx(0.5, abs=1e-12)
    assert avail(spec, {"US": 0.0})["c"] == pytest.approx(0.25, abs=1e-12)
    # global with unlisted: CN 0.5 listed, u = 0.5; dead requirement: x = min(1, 0) = 0.
    spec = make([{"id": "c", "requires": ["dead"], "suppliers": [{"country": "CN", "share": 0.5}]}, DEAD],
                view="global")
    assert avail(spec, {"dead": 0.0})["c"] == pytest.approx(0.0, abs=1e-12)
    assert avail(spec, {"unlisted": 0.0})["c"] == pytest.approx(0.5, abs=1e-12)


def test_any_of_group_takes_the_best_member(avail):
    # c (home process) needs any_of [a, b]; a at 0.3, b at 0.6: a(group) = 0.6, f = 0.6.
    spec = make([{"id": "c", "requires": [{"any_of": ["a", "b"]}]}, {"id": "a"}, {"id": "b"}])
    assert avail(spec, {"a": 0.3, "b": 0.6})["c"] == pytest.approx(0.6, abs=1e-12)


def test_cycle_greatest_fixed_point(avail):
    # steel: CN 0.5, JP 0.5, needs machine (equipment, lifetime 10); machine (home process) needs steel.
    # JP cut: steel F = 0, D = D0 = 0.5.  a_m = f(steel) = a_s (input, share 1).
    # H = long: a_s = min(0.5, a_m * 0.5) = 0.5 a_s  ->  0 (the greatest fixed point, reached in the limit).
    # H = 365: k = 0.1, a_s = min(0.5, (1 - 0.1 (1 - a_s)) 0.5) = 0.45 + 0.05 a_s  ->  a_s = 0.45 / 0.95.
    spec = make([{"id": "steel", "requires": [{"component": "machine", "role": "equipment", "lifetime_years": 10}],
                  "suppliers": [{"country": "CN", "share": 0.5}, {"country": "JP", "share": 0.5}]},
                 {"id": "machine", "requires": ["steel"]}])
    long = avail(spec, {"JP": 0.0}, horizon=INF)
    assert long["steel"] == pytest.approx(0.0, abs=1e-12) and long["machine"] == pytest.approx(0.0, abs=1e-12)
    year = avail(spec, {"JP": 0.0}, horizon=365)
    assert year["steel"] == pytest.approx(0.45 / 0.95, abs=1e-12)
    assert year["machine"] == pytest.approx(0.45 / 0.95, abs=1e-12)
    # baseline: everything at 1 (the greatest fixed point, not the least).
    assert avail(spec, {}, horizon=INF) == pytest.approx({"steel": 1.0, "machine": 1.0}, abs=1e-12)


def test_bloc_limits_its_members(avail):
    spec = GraphSpec.model_validate({
        "settings": {"home": "CN"},
        "countries": [{"id": c, "name": c} for c in ("CN", "US", "JP")],
        "blocs": [{"id": "g2", "name": "G2", "members": ["US", "JP"]}],
        "components": [{"id": "c", "name": "C",
                        "suppliers": [{"country": "US", "share": 0.5}, {"country": "JP", "share": 0.5}]}],
    })
    # both members at 0: F = 0, D = 0 -> 0.  bloc 0.5 and US 0.2 (lower wins): F = 0.5*0.2 + 0.5*0.5 = 0.35.
    assert avail(spec, {"g2": 0.0})["c"] == pytest.approx(0.0, abs=1e-12)
    assert avail(spec, {"g2": 0.5, "US": 0.2})["c"] == pytest.approx(0.35, abs=1e-12)


def test_shares_summing_to_one_leave_no_unlisted_supply():
    # CN 0.7 + 0.2 + 0.1 = 1 (0.9999999999999999 in float): no unlisted remainder, so CN is the
    # only source and a SPOF of c (structural: removing CN leaves a = 0 up to rounding).
    from chainmap.analysis.cuts import cut_sets
    from chainmap.analysis.spof import spof_sets
    from chainmap.graph import SupplyGraph

    spec = make([{"id": "c", "suppliers": [{"country": "CN", "share": s} for s in (0.7, 0.2, 0.1)]}])
    assert oracle.spof(spec, "c", ("country",)) == {"CN"}
    graph = SupplyGraph.from_spec(spec)
    assert spof_sets(graph, ["c"], ("country",))["c"] == {"CN"}
    assert [set(c.nodes) for c in cut_sets(graph, "c", max_order=1, kinds=("country",))] == [{"CN"}]


def test_a_loop_that_decays_makes_a_spof_the_and_or_reading_misses():
    # steel (CN 0.8, JP 0.2) needs machines (CN 0.9, JP 0.1) that need steel, at horizon long.
    # Remove JP: F = 0 on both, steel = min(0.8, 0.8 * machine), machine = min(0.9, 0.9 * steel):
    # the loop has gain 0.72 < 1 and decays to 0, although every node keeps domestic supply.
    # The kill-set equations alone would say "up"; the decay check must add JP.
    from chainmap.analysis.cuts import cut_sets
    from chainmap.analysis.spof import spof_sets
    from chainmap.graph import SupplyGraph

    spec = make([{"id": "steel", "requires": ["machine"],
                  "suppliers": [{"country": "CN", "share": 0.8}, {"country": "JP", "share": 0.2}]},
                 {"id": "machine", "requires": ["steel"],
                  "suppliers": [{"country": "CN", "share": 0.9}, {"country": "JP", "share": 0.1}]}])
    assert oracle.availability(spec, {"JP": 0.0})["steel"] <= 1e-12
    graph = SupplyGraph.from_spec(spec)
    # Removing CN instead leaves Japanese imports (F = 0.2): steel stays up.
    assert spof_sets(graph, ["steel"], ("country",))["steel"] == {"JP"} == oracle.spof(spec, "steel", ("country",))
    assert [c.nodes for c in cut_sets(graph, "steel", 1, ("country",))] == [["JP"]]


def test_value_and_days_carry_their_source(tmp_path: Path) -> None:
    """``value``/``stock_days``/``recovery_days`` take a sourced mapping; the amount is what the analyses use."""
    (tmp_path / "g.yaml").write_text(
        "countries: [{id: CN, name: China}]\n"
        "components:\n"
        "  - id: a\n    name: A\n"
        "    value: {amount: 5.5, source: NBS, year: 2023, method: production-statistics}\n"
        "    stock_days: {amount: 30, source: reserve, year: 2022, method: judgement, estimate: true}\n"
        "    recovery_days: 90\n"
        "    suppliers: [{country: CN, share: 1, source: s, year: 2023, method: judgement}]\n")
    g = chainmap.load(tmp_path)
    assert (g.value[0], g.stock_days[0], g.recovery_days[0]) == (5.5, 30.0, 90.0)
    (tmp_path / "g.yaml").write_text(
        "countries: [{id: CN, name: China}]\ncomponents:\n  - id: a\n    name: A\n"
        "    value: {amount: -1, source: NBS}\n")
    with pytest.raises(chainmap.GraphFileError, match=r"g\.yaml:5"):
        chainmap.load(tmp_path)
    (tmp_path / "g.yaml").write_text(
        "countries: [{id: CN, name: China}]\ncomponents:\n  - id: a\n    name: A\n"
        "    stock_days: {amount: 1e9, source: reserve}\n")
    with pytest.raises(chainmap.GraphFileError, match="36500"):
        chainmap.load(tmp_path)
