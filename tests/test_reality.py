"""Reality checks on the bundled graphs: answers that must survive a domain expert.

Each test names an episode or a well-known fact, the horizon it is read at,
and what the model must say. When one fails, trace it with ``chainmap
explain`` and fix the model or the data, not the test.
"""

from __future__ import annotations

from functools import cache

import pytest

import chainmap
from chainmap.analysis.spof import spof_sets

CONSUMER = range(13, 25)  # GB/T 4754 divisions 13-24: food, drink, tobacco, textiles ... sports goods


@cache
def graph(home: str = "CN") -> chainmap.SupplyGraph:
    return chainmap.load("graphs/", home=home)


def availability(scenario: chainmap.Scenario, home: str = "CN") -> dict[str, tuple[float, float]]:
    result = chainmap.simulate(graph(home), scenario)
    return {c.id: (c.baseline, c.availability) for c in result.components}


def halved(scenario: chainmap.Scenario) -> list[str]:
    values = availability(scenario)
    return [p for p in graph().products if values[p][1] <= 0.5 * values[p][0]]


def test_us_cutoff_for_a_year_halves_no_consumer_product_and_at_most_a_tenth_of_all():
    # Horizon 1y. A US cut-off does not stop Chinese beer, garments or paper: their machines are installed
    # and mostly Chinese-made, their inputs mostly domestic (v1 halved 168 of 299 products, 66 of them here).
    hit = halved(chainmap.Scenario(remove=("US",), horizon="1y"))
    consumer = [p for p in hit if int(graph().components[p].sector or 0) in CONSUMER]
    assert consumer == []
    assert len(hit) <= len(graph().products) / 10


@pytest.mark.parametrize("country", ["US", "JP", "DE", "KR", "TW", "NL", "FR", "GB"])
def test_no_single_country_halves_chinese_consumer_goods_within_a_year(country):
    # Horizon 1y: one country's export ban does not halve any Chinese consumer-goods product.
    hit = halved(chainmap.Scenario(remove=(country,), horizon="1y"))
    assert [p for p in hit if int(graph().components[p].sector or 0) in CONSUMER] == []


def test_netherlands_cutoff_stops_euv_scanners_in_the_long_run():
    # Horizon long: ASML is the only maker of EUV scanners.
    assert availability(chainmap.Scenario(remove=("NL",), horizon="long"))["euv-scanner"][1] == 0.0
    assert {"NL", "asml"} <= spof_sets(graph(), ["euv-scanner"], ("country", "supplier"))["euv-scanner"]


def test_2022_us_controls_slow_chinese_advanced_logic_without_stopping_it():
    # Horizon 1y: after the October 2022 US controls SMIC kept making 7 nm chips (DUV multipatterning on
    # installed ASML tools); the supply of advanced logic to China fell but did not stop.
    base, after = availability(chainmap.Scenario(remove=("US",), horizon="1y"))["advanced-logic-chip"]
    assert 0.0 < after < base


def test_2019_japanese_controls_on_korea_hurt_fabs_without_stopping_them():
    # Horizon 1y, from Korea's point of view: Japan restricted photoresist, fluorinated polyimide and
    # hydrogen fluoride exports to Korea in July 2019; Samsung and SK hynix kept producing memory.
    values = availability(chainmap.Scenario(remove=("JP",), horizon="1y"), home="KR")
    base, after = values["dram"]
    assert 0.0 < after <= base


def test_explain_names_the_root_cause_of_a_cut():
    # Horizon long: the EUV scanner's binding chain ends at the Dutch supply.
    chain = chainmap.explain(graph(), "euv-scanner", chainmap.Scenario(remove=("NL",), horizon="long"))
    assert chain.availability == 0.0
    assert "NL" in chain.root_causes


# Raw materials China mines (or makes) for itself: its domestic share of its own supply is at least 0.8 in
# sources/eu-crm-home-shares.yaml (phosphate rock: ~98% domestic; molybdenum ore ~85%; magnesite, tungsten and
# light rare earths mined and processed at home). None may rank among the first substitution priorities.
MINED_AT_HOME = ["phosphate-rock-extraction", "molybdenum-extraction", "magnesite-extraction",
                 "tungsten-extraction", "tungsten-processing", "neodymium-processing", "fluorspar-extraction",
                 "zinc-processing", "aluminium-processing", "copper-processing"]


def test_minerals_china_mines_itself_are_not_top_substitution_priorities():
    # Horizon 1y (the priorities' default). The top 20 are what China mostly imports (cobalt, chromium and
    # manganese ores, crude oil, niobium, chips), not what it mines: each top-20 component has a domestic
    # share of its supply below 0.8, and the minerals above all have at least 0.8.
    g = graph()
    domestic = {c: float(g.domestic_share[g.component_of[c]]) for c in g.components}
    assert all(domestic[m] >= 0.8 for m in MINED_AT_HOME), {m: domestic[m] for m in MINED_AT_HOME}
    top = [row.id for row in chainmap.priorities(g)[:20]]
    assert not set(top) & set(MINED_AT_HOME)
    assert all(domestic[t] < 0.8 for t in top), {t: domestic[t] for t in top if domestic[t] >= 0.8}


def test_us_cutoff_for_a_year_leaves_chinas_power_boilers_and_turbines_running():
    # Horizon 1y. China's big three (Harbin, Dongfang, Shanghai Electric) build supercritical boilers and
    # steam turbines from domestic heat-resistant steels (Baosteel's Super304H/HR3C tubes); nickel superalloys
    # enter only at 700 C (A-USC). The graph once made boilers need superalloys, 42% US-supplied.
    values = availability(chainmap.Scenario(remove=("US",), horizon="1y"))
    for component in ("power-plant-boiler", "steam-turbine-generator"):
        base, after = values[component]
        assert after >= 0.9 * base, component


def test_a_cutoff_by_location_spares_foreign_plants_in_china_and_one_by_owner_does_not():
    # Horizon 1y. Siemens builds SIMATIC PLCs for China in Chengdu, John Deere and AGCO high-horsepower
    # tractors in Jiamusi, Tianjin and Daqing: a German (US) ban on exports from Germany (the US) leaves
    # them, an order binding the firm everywhere (reach owner) takes them.
    for country, component in (("DE", "plc"), ("US", "high-horsepower-tractor")):
        location = availability(chainmap.Scenario(remove=(country,), horizon="1y"))[component][1]
        owner = availability(chainmap.Scenario(remove=(country,), horizon="1y", reach="owner"))[component][1]
        assert owner < location, (country, component)
