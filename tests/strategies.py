"""Hypothesis strategies: random AND/OR supply graphs with cycles and scenarios.

:func:`specs` draws v2 graphs (view home/global, requirement mappings with
role, share and lifetime, incomplete and over-complete supply mixes, owners,
stock); its flags turn each feature off. :func:`v1_specs` draws graphs of the
version 1 special case; :func:`spec_and_scenario` a graph with capacities, a
horizon and a reach.
"""

from __future__ import annotations

import math

from hypothesis import strategies as st

from chainmap.model import GraphSpec

COUNTRIES = ["CN", "US", "JP", "NL"]
SHARES = [0.1, 0.25, 0.5, 0.75, 1.0, 0.3, 0.2, 0.7]
"""Supply shares: sums fall below, at (0.25+0.75, 0.7+0.2+0.1 in float) and above 1."""
CAPS = [0.0, 0.0, 0.5, 0.3, 1.0, 0.9]
REQ_SHARES = [0.1, 0.5, 1.0]
LIFETIMES = [1, 3, 10]
STOCK_DAYS = [0, 30, 90]
HORIZONS = [30.0, 90.0, 365.0, 730.0, math.inf]
REACHES = ["location", "owner"]


def _requirement(draw, ids: list[str], v2: bool) -> str | dict:
    members = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
    if not v2 or draw(st.integers(0, 2)) == 0:  # plain form
        if len(members) == 1 and draw(st.booleans()):
            return members[0]
        return {"any_of": members}
    req: dict = {"any_of": members} if len(members) > 1 or draw(st.booleans()) else {"component": members[0]}
    if draw(st.booleans()):
        req["role"] = "equipment"
        if draw(st.booleans()):
            req["lifetime_years"] = draw(st.sampled_from(LIFETIMES))
    elif draw(st.booleans()):
        req["role"] = "input"
    if draw(st.booleans()):
        req["share"] = draw(st.sampled_from(REQ_SHARES))
    return req


@st.composite
def specs(draw, max_components: int = 7, max_suppliers: int = 4, *, v2: bool = True,
          views: tuple[str, ...] = ("home", "global"), owners: bool = True, stock: bool = True,
          complete_supply: bool = False, blocs: bool = True) -> GraphSpec:
    """A random graph. ``v2=False``: requirements are plain ids and ``any_of`` lists only;
    ``views``: the views to draw from (``None`` in it: leave the setting out);
    ``owners``: suppliers may be owned by another country; ``stock``: components may
    hold stock; ``complete_supply``: listed shares of a component sum to at least 1;
    ``blocs``: there may be a bloc ``bloc0`` of some countries."""
    n_countries = draw(st.integers(1, len(COUNTRIES)))
    countries = COUNTRIES[:n_countries]
    home = draw(st.sampled_from(countries))
    n_sup = draw(st.integers(0, max_suppliers))
    suppliers = []
    for i in range(n_sup):
        sup = {"id": f"s{i}", "name": f"S{i}", "country": draw(st.sampled_from(countries))}
        if owners and draw(st.booleans()):
            sup["owner"] = draw(st.sampled_from(countries))
        suppliers.append(sup)
    n = draw(st.integers(1, max_components))
    ids = [f"c{i}" for i in range(n)]
    components = []
    for cid in ids:
        requires = [_requirement(draw, ids, v2) for _ in range(draw(st.integers(0, 3)))]
        entries = []
        for _ in range(draw(st.integers(0, 3))):
            share = draw(st.sampled_from(SHARES))
            if suppliers and draw(st.booleans()):
                entries.append({"supplier": draw(st.sampled_from(suppliers))["id"], "share": share})
            else:
                entries.append({"country": draw(st.sampled_from(countries)), "share": share})
        if complete_supply and entries and sum(e["share"] for e in entries) < 1:
            entries.append({"country": draw(st.sampled_from(countries)), "share": 1.0})
        comp: dict = {"id": cid, "name": cid.upper(), "requires": requires, "suppliers": entries}
        if stock and draw(st.integers(0, 2)) == 0:
            comp["stock_days"] = draw(st.sampled_from(STOCK_DAYS))
        components.append(comp)
    products = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
    settings: dict = {"home": home}
    view = draw(st.sampled_from(views))
    if view is not None:
        settings["view"] = view
    bloc_list = []
    if blocs and draw(st.booleans()):
        members = draw(st.lists(st.sampled_from(countries), min_size=1, max_size=len(countries), unique=True))
        bloc_list.append({"id": "bloc0", "name": "Bloc 0", "members": members})
    return GraphSpec.model_validate({
        "settings": settings,
        "blocs": bloc_list,
        "countries": [{"id": c, "name": c} for c in countries],
        "suppliers": suppliers,
        "components": components,
        "sectors": [{"code": "39", "name": "Electronics", "products": sorted(products)}],
    })


def v1_specs(max_components: int = 7, max_suppliers: int = 4):
    """Graphs of the version 1 special case: view global, every requirement an input
    with share 1 (plain ids and ``any_of`` lists), shares per component summing to at
    least 1 (no unlisted supply), no owners, no stock."""
    return specs(max_components, max_suppliers, v2=False, views=("global",), owners=False, stock=False,
                 complete_supply=True, blocs=False)


def _nodes(spec: GraphSpec) -> list[str]:
    return [c.id for c in spec.countries] + [s.id for s in spec.suppliers] + [c.id for c in spec.components]


@st.composite
def spec_and_caps(draw, **kw) -> tuple[GraphSpec, dict[str, float]]:
    """A graph and capacities of some of its countries, suppliers and components."""
    spec = draw(specs(**kw))
    chosen = draw(st.lists(st.sampled_from(_nodes(spec)), max_size=4, unique=True))
    return spec, {n: draw(st.sampled_from(CAPS)) for n in chosen}


@st.composite
def spec_and_scenario(draw, spec_strategy=None, **kw) -> tuple[GraphSpec, dict[str, float], float, str]:
    """A graph, capacities (sometimes of a bloc or ``unlisted``), a horizon and a reach."""
    spec = draw(spec_strategy if spec_strategy is not None else specs(**kw))
    nodes = _nodes(spec) + [b.id for b in spec.blocs] + ["unlisted"]
    chosen = draw(st.lists(st.sampled_from(nodes), max_size=4, unique=True))
    caps = {n: draw(st.sampled_from(CAPS)) for n in chosen}
    return spec, caps, draw(st.sampled_from(HORIZONS)), draw(st.sampled_from(REACHES))
