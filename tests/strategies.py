"""Hypothesis strategies: random AND/OR supply graphs with cycles and scenarios."""

from __future__ import annotations

from hypothesis import strategies as st

from chainmap.model import GraphSpec

COUNTRIES = ["CN", "US", "JP", "NL"]
SHARES = [0.1, 0.25, 0.5, 0.75, 1.0, 0.3]
CAPS = [0.0, 0.0, 0.5, 0.3, 1.0, 0.9]


@st.composite
def specs(draw, max_components: int = 7, max_suppliers: int = 4) -> GraphSpec:
    n_countries = draw(st.integers(1, len(COUNTRIES)))
    countries = COUNTRIES[:n_countries]
    n_sup = draw(st.integers(0, max_suppliers))
    suppliers = [{"id": f"s{i}", "name": f"S{i}", "country": draw(st.sampled_from(countries))} for i in range(n_sup)]
    n = draw(st.integers(1, max_components))
    ids = [f"c{i}" for i in range(n)]
    components = []
    for cid in ids:
        requires: list = []
        for _ in range(draw(st.integers(0, 3))):
            members = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
            if len(members) == 1 and draw(st.booleans()):
                requires.append(members[0])
            else:
                requires.append({"any_of": members})
        entries = []
        for _ in range(draw(st.integers(0, 3))):
            share = draw(st.sampled_from(SHARES))
            if suppliers and draw(st.booleans()):
                entries.append({"supplier": draw(st.sampled_from(suppliers))["id"], "share": share})
            else:
                entries.append({"country": draw(st.sampled_from(countries)), "share": share})
        components.append({"id": cid, "name": cid.upper(), "requires": requires, "suppliers": entries})
    products = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
    return GraphSpec.model_validate({
        "countries": [{"id": c, "name": c} for c in countries],
        "suppliers": suppliers,
        "components": components,
        "sectors": [{"code": "39", "name": "Electronics", "products": sorted(products)}],
    })


@st.composite
def spec_and_caps(draw, **kw) -> tuple[GraphSpec, dict[str, float]]:
    spec = draw(specs(**kw))
    nodes = [c.id for c in spec.countries] + [s.id for s in spec.suppliers] + [c.id for c in spec.components]
    chosen = draw(st.lists(st.sampled_from(nodes), max_size=4, unique=True))
    return spec, {n: draw(st.sampled_from(CAPS)) for n in chosen}
