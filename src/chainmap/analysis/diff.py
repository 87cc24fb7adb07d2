"""Compare two graphs (or one graph before and after a what-if edit).

Reports single points of failure gained and lost, bottlenecks gained and
lost, substitution-priority ranks that moved, and each sector's availability
under a scenario in both graphs.

Examples
--------
>>> import chainmap
>>> from chainmap.model.edit import qualify
>>> a = chainmap.load("tests/data/mini")
>>> b = chainmap.SupplyGraph(qualify(a.spec, "smee", "scanner", 1.0))
>>> d = diff(a, b)
>>> [(s.node, s.change) for s in d.spof]
[('NL', 'lost'), ('asml', 'lost')]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from numpy.typing import NDArray

from chainmap.analysis.bottlenecks import bottlenecks
from chainmap.analysis.lazyrows import LazyRows
from chainmap.analysis.priority import priorities
from chainmap.analysis.scenario import LONG, Scenario, format_horizon
from chainmap.analysis.simulate import simulate
from chainmap.analysis.spof import single_points_of_failure
from chainmap.graph import FloatArray, IntArray, SupplyGraph, ranges

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BottleneckChange", "GraphDiff", "RankChange", "RankChanges", "SectorChange", "SpofChange", "diff"]


@dataclass(frozen=True)
class SpofChange:
    node: str
    change: str  # gained | lost | changed
    targets_before: list[str]
    targets_after: list[str]


@dataclass(frozen=True)
class BottleneckChange:
    node: str
    reason: str
    change: str  # gained | lost


@dataclass(frozen=True)
class RankChange:
    id: str
    rank_before: int | None
    rank_after: int | None
    score_before: float | None
    score_after: float | None
    moved: int | None


@dataclass(frozen=True)
class SectorChange:
    code: str
    availability_before: float | None
    availability_after: float | None
    change: float | None


@dataclass(frozen=True)
class GraphDiff:
    scenario: str
    spof: list[SpofChange]
    bottlenecks: list[BottleneckChange]
    priorities: Sequence[RankChange]
    sectors: list[SectorChange]
    horizon: str = "1y"
    reach: str = "location"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``{"scenario", "horizon", "reach", "spof", "bottlenecks", "priorities", "sectors"}``."""
        return {"scenario": self.scenario, "horizon": self.horizon, "reach": self.reach,
                "spof": [asdict(x) for x in self.spof],
                "bottlenecks": [asdict(x) for x in self.bottlenecks],
                "priorities": [asdict(x) for x in self.priorities], "sectors": [asdict(x) for x in self.sectors]}

    def to_dataframe(self, table: str = "priorities") -> pd.DataFrame:
        """One table, ``priorities``, ``spof``, ``bottlenecks`` or ``sectors``, as a pandas DataFrame
        (``pip install 'chainmap[dataframe]'``).

        >>> import chainmap
        >>> from chainmap.model.edit import qualify
        >>> a = chainmap.load("tests/data/mini")
        >>> d = diff(a, chainmap.SupplyGraph(qualify(a.spec, "smee", "scanner", 1.0)))
        >>> d.to_dataframe("spof")[["node", "change"]].values.tolist()
        [['NL', 'lost'], ['asml', 'lost']]
        """
        from chainmap.dataframes import table_frame

        return table_frame(self, table, {"priorities": RankChange, "spof": SpofChange, "bottlenecks": BottleneckChange,
                                         "sectors": SectorChange})


def diff(before: SupplyGraph, after: SupplyGraph, scenario: Scenario | None = None, *,
         edited: Iterable[str] | None = None) -> GraphDiff:
    """What changed from ``before`` to ``after`` (ranks, SPOFs, bottlenecks, sectors under ``scenario``).

    Bottlenecks and priorities are measured at the scenario's horizon and
    reach (from the baseline), SPOFs structurally (horizon ``long``) with its
    reach, the sectors under the scenario itself.

    ``edited``: components whose supply entries and alternatives are all that differ between the graphs
    (a :func:`~chainmap.model.edit.qualify_graph` edit; checked: the ids, requirements and settings must be
    the same, else the whole graphs are compared). Only the products downstream of them can change, so the
    SPOFs of ``after`` are computed for those products and its removal bottlenecks for the countries and
    suppliers that feed them; the rest is read from ``before``'s results (the same rows).
    """
    from chainmap.io.columnar import release_memory  # what one analysis freed is not the next one's floor

    scenario = scenario or Scenario()
    at = Scenario(horizon=scenario.horizon, reach=scenario.reach)
    structural = Scenario(horizon=LONG, reach=scenario.reach)
    cone = _edit_cone(before, after, edited)
    changed = list(dict.fromkeys(edited or ()))
    sub = _cone_graph(after, cone, changed) if cone is not None else None
    products = [after.component_ids[p] for p in cone.tolist()] if cone is not None else []
    s0 = {r.node: list(r.targets) for r in single_points_of_failure(before, scenario=structural)}
    release_memory()
    if sub is None:
        s1 = {r.node: list(r.targets) for r in single_points_of_failure(after, scenario=structural)}
    else:
        s1 = _spof_after(sub, structural, s0, products)
    release_memory()
    spof = []
    for node in sorted(s0.keys() | s1.keys()):
        t0, t1 = s0.get(node, []), s1.get(node, [])
        if t0 != t1:
            change = "gained" if not t0 else "lost" if not t1 else "changed"
            spof.append(SpofChange(node, change, t0, t1))
    del s0, s1
    table0 = bottlenecks(before, scenario=at)
    b0 = _bottleneck_pairs(before, table0)
    if sub is None:
        del table0
        b1 = _bottleneck_pairs(after, bottlenecks(after, scenario=at))
    else:
        b1 = _bottlenecks_after(sub, at, table0, b0, products, changed)
        del table0
    release_memory()
    bchanges = [BottleneckChange(n, r, "gained") for n, r in sorted(b1 - b0)] + [
        BottleneckChange(n, r, "lost") for n, r in sorted(b0 - b1)]
    ranks0 = _rank_columns(before, priorities(before, scenario=at))  # columns only: the tables are freed
    release_memory()
    ranks = _rank_changes(before, ranks0, after, _rank_columns(after, priorities(after, scenario=at)))
    del ranks0
    release_memory()
    r0 = {s.code: s.availability for s in simulate(before, scenario).sectors}
    r1 = {s.code: s.availability for s in simulate(after, scenario).sectors}
    sectors = [SectorChange(code, r0.get(code), r1.get(code),
                            (r1[code] - r0[code]) if code in r0 and code in r1 else None)
               for code in sorted(r0.keys() | r1.keys())]
    return GraphDiff(scenario.describe(), spof, bchanges, ranks, sectors, format_horizon(scenario.horizon),
                     scenario.reach)


def _edit_cone(before: SupplyGraph, after: SupplyGraph, edited: Iterable[str] | None) -> IntArray | None:
    """The products (component indexes, sorted) downstream of the ``edited`` components, or None when the
    graphs may differ in more than those components' supply (then everything is recomputed)."""
    if edited is None:
        return None
    names = list(edited)
    same = (before.component_ids == after.component_ids and before.supplier_ids == after.supplier_ids
            and before.country_ids == after.country_ids and before.settings == after.settings
            and before.home == after.home and list(before.sectors.values()) == list(after.sectors.values())
            and list(before.blocs.values()) == list(after.blocs.values())
            and all(n in before.component_of for n in names)
            and np.array_equal(before.supplier_country, after.supplier_country)
            and np.array_equal(before.supplier_owner, after.supplier_owner)
            and all(np.array_equal(getattr(before, k), getattr(after, k), equal_nan=True)
                    for k in ("country_risk", "group_share", "group_lifetime", "value", "stock_days",
                              "recovery_days"))
            and all(np.array_equal(getattr(before, k), getattr(after, k))
                    for k in ("group_owner", "group_ptr", "group_members", "group_any_of", "group_equipment")))
    if not same:
        return None
    down = after.downstream_of([after.component_of[n] for n in names])
    return np.intersect1d(down, after.product_index)


def upstream_subgraph(graph: SupplyGraph, roots: IntArray, products: IntArray) -> SupplyGraph:
    """The part of ``graph`` upstream of the components ``roots`` (closed under requirements, every
    country, the suppliers its entries and alternatives name), with ``products`` (a subset of it) as the
    sectors' products.

    A component's availability, and which removals take it down, depend only on what it requires
    (transitively) and their supply, so the analyses of those products give the same rows here.
    """
    keep = graph.upstream_of(roots.tolist())
    ar = graph.arrays
    new_of = np.full(graph.n_components, -1, dtype=np.int64)
    new_of[keep] = np.arange(keep.size)
    e = ranges(graph.entry_ptr[keep], graph.entry_ptr[keep + 1])
    a = ranges(graph.alt_ptr[keep], graph.alt_ptr[keep + 1])
    g = ranges(graph.comp_group_ptr[keep], graph.comp_group_ptr[keep + 1])
    es = graph.entry_supplier[e]
    used = np.union1d(es[es >= 0], ar.alt_supplier[a]).astype(np.int64)
    sup_new = np.full(graph.n_suppliers, -1, dtype=np.int64)
    sup_new[used] = np.arange(used.size)
    m = ranges(graph.group_ptr[g], graph.group_ptr[g + 1])
    sizes = graph.group_ptr[g + 1] - graph.group_ptr[g]
    kept = keep.tolist()
    source = ar.entry_source
    wanted = {graph.component_ids[p] for p in products.tolist()}
    sectors = [s.model_copy(update={"products": [p for p in s.products if p in wanted]}) for s in ar.sectors]
    sub = dataclasses.replace(
        ar,
        supplier_ids=[graph.supplier_ids[i] for i in used.tolist()],
        supplier_name=[ar.supplier_name[i] for i in used.tolist()],
        supplier_country=graph.supplier_country[used],
        supplier_owner=ar.supplier_owner[used] if ar.supplier_owner is not None else None,
        component_ids=[graph.component_ids[c] for c in kept], component_name=[ar.component_name[c] for c in kept],
        component_sector=[ar.component_sector[c] for c in kept],
        value=ar.value[keep], stock_days=ar.stock_days[keep], recovery_days=ar.recovery_days[keep],
        entry_comp=new_of[graph.entry_comp[e]], entry_supplier=np.where(es >= 0, sup_new[np.maximum(es, 0)], -1),
        entry_country=graph.entry_country[e], entry_share=graph.entry_share[e],
        entry_source=[source[i] for i in e.tolist()] if source is not None else None,
        entry_estimate=np.asarray(ar.entry_estimate)[e] if ar.entry_estimate is not None else None,
        group_owner=new_of[graph.group_owner[g]], group_ptr=np.concatenate(([0], np.cumsum(sizes))).astype(np.int64),
        group_members=new_of[graph.group_members[m]], group_any_of=graph.group_any_of[g],
        group_share=graph.group_share[g], group_equipment=graph.group_equipment[g],
        group_lifetime=graph.group_lifetime[g],
        alt_comp=new_of[ar.alt_comp[a]], alt_supplier=sup_new[ar.alt_supplier[a]], alt_readiness=ar.alt_readiness[a],
        sectors=sectors)
    return SupplyGraph.from_arrays(sub)


def _cone_graph(after: SupplyGraph, cone: IntArray, edited: list[str]) -> SupplyGraph:
    """:func:`upstream_subgraph` of ``after`` above the products in ``cone`` and the edited components."""
    roots = np.union1d(cone, np.array([after.component_of[c] for c in edited], dtype=np.int64))
    return upstream_subgraph(after, roots, cone)


def _spof_after(sub: SupplyGraph, structural: Scenario, s0: dict[str, list[str]],
                cone: list[str]) -> dict[str, list[str]]:
    """The SPOFs of ``after``: ``before``'s (``s0``) for the products outside ``cone`` (their upstream is
    unchanged), recomputed for those inside on ``sub`` (the part of ``after`` upstream of them)."""
    inside = set(cone)
    s1: dict[str, list[str]] = {}
    for node, targets in s0.items():
        kept = [t for t in targets if t not in inside]
        if kept:
            s1[node] = kept
    if inside:
        for r in single_points_of_failure(sub, targets=sorted(inside), scenario=structural):
            s1[r.node] = sorted([*s1.get(r.node, []), *r.targets])
    return s1


def _bottlenecks_after(sub: SupplyGraph, at: Scenario, table0: Any, b0: set[tuple[str, str]], cone: list[str],
                       edited: list[str]) -> set[tuple[str, str]]:
    """The ``(node, reason)`` pairs of ``after``'s bottlenecks. A removal row of ``before`` that hits a
    product outside ``cone`` stays (that drop is unchanged, and a node tried before is tried after: an edit
    only adds supply entries); the removals of the other countries and suppliers feeding the products in
    ``cone`` are tried again on ``sub`` (the part of ``after`` upstream of them and of the edited
    components), which also says which edited components are concentration bottlenecks now (no other
    component's supply changed)."""
    inside = set(cone)
    removal = getattr(table0, "_removal", None)
    rows = removal if removal is not None else [b for b in table0 if b.reason != "concentration"]
    kept = {(b.node, b.reason) for b in rows if b.reason != "concentration" and any(h not in inside for h in b.hits)}
    stable = {node for node, _ in kept}
    feeding = np.zeros(sub.n_components, dtype=bool)
    if inside:
        feeding[sub.upstream_of([sub.component_of[p] for p in inside])] = True
    entries = feeding[sub.entry_comp]
    sup = sub.entry_supplier[entries]
    sup = np.unique(sup[sup >= 0])
    countries = set(sub.entry_country[entries].tolist())
    if at.reach == "owner":
        countries.update(sub.supplier_owner[sup].tolist())
    tried = [sub.country_ids[k] for k in sorted(countries)] + [sub.supplier_ids[k] for k in sup.tolist()]
    found = _bottleneck_pairs(sub, bottlenecks(sub, scenario=at, candidates=[n for n in tried if n not in stable]))
    changed = set(edited)
    return (kept | {p for p in found if p[1] != "concentration"}
            | {p for p in b0 if p[1] == "concentration" and p[0] not in changed}
            | {p for p in found if p[1] == "concentration" and p[0] in changed})


def _bottleneck_pairs(graph: SupplyGraph, table: Any) -> set[tuple[str, str]]:
    """``(node, reason)`` of every row; the concentration rows read from the table's columns when it has
    them (no row, with its list of hits, built)."""
    removal, conc = getattr(table, "_removal", None), getattr(table, "_conc", None)
    if removal is None or (conc is not None and not hasattr(conc, "comps")):
        return {(b.node, b.reason) for b in table}
    pairs = {(b.node, b.reason) for b in removal}
    if conc is not None:
        ids = graph.component_ids
        unranked = getattr(conc, "_unranked", None)  # the same components, not ranked (no product sets built)
        comps = unranked if unranked is not None and getattr(conc, "_ranked", True) is None else conc.comps
        pairs.update((ids[c], "concentration") for c in np.asarray(comps).tolist())
    return pairs


class RankChanges(LazyRows[RankChange]):
    """The rank changes of a diff in one id space, held as columns (component indexes, ranks and scores
    before and after; rank 0 and NaN: not ranked), each :class:`RankChange` built when read.

    A sequence (index, slice, iterate, ``len``, ``==`` with a list of rows).
    """

    fields = ("id", "rank_before", "rank_after", "score_before", "score_after", "moved")

    def __init__(self, ids: list[str], comps: IntArray, rank0: IntArray, rank1: IntArray, score0: FloatArray,
                 score1: FloatArray) -> None:
        self._ids, self._comps = ids, comps
        self._r0, self._r1, self._s0, self._s1 = rank0, rank1, score0, score1

    def __len__(self) -> int:
        return int(self._comps.size)

    @overload
    def __getitem__(self, i: int) -> RankChange: ...

    @overload
    def __getitem__(self, i: slice) -> list[RankChange]: ...

    def __getitem__(self, i: int | slice) -> RankChange | list[RankChange]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        a, b = int(self._r0[i]), int(self._r1[i])
        x, y = float(self._s0[i]), float(self._s1[i])
        return RankChange(self._ids[int(self._comps[i])], a or None, b or None, x if a else None, y if b else None,
                          (a - b) if a and b else None)

    def same_score(self) -> NDArray[np.bool_]:
        """Per row: ranked in both graphs with exactly the same score (only its rank moved)."""
        same: NDArray[np.bool_] = (self._r0 > 0) & (self._r1 > 0) & (self._s0 == self._s1)
        return same

    def moves(self) -> IntArray:
        """Per row: ``|rank_before - rank_after|`` (0 when not ranked in both)."""
        both = (self._r0 > 0) & (self._r1 > 0)
        out: IntArray = np.where(both, np.abs(self._r0 - self._r1), 0)
        return out


RankColumns = tuple[list[str] | None, IntArray | None, IntArray, FloatArray]
"""Ids (or None), component indexes (or None), ranks and scores of a priority table."""


def _rank_columns(graph: SupplyGraph, table: Any) -> RankColumns:
    """Ids (or component indexes), ranks and scores of a priority table, from its columns when it has them."""
    columns = getattr(table, "columns", None)
    comps = getattr(table, "_comps", None)
    cols = getattr(table, "_cols", None)
    if columns is not None and comps is not None and cols is not None and getattr(table, "_graph", None) is graph:
        first = int(getattr(table, "_first", 1))
        n = len(table)
        return (None, np.asarray(comps, dtype=np.int64), np.arange(first, first + n, dtype=np.int64),
                np.asarray(cols["score"], dtype=np.float64))
    if columns is not None:
        cols = columns()
        return (list(cols["id"]), None, np.asarray(cols["rank"], dtype=np.int64),
                np.asarray(cols["score"], dtype=np.float64))
    rows = list(table)
    return ([p.id for p in rows], None, np.array([p.rank for p in rows], dtype=np.int64),
            np.array([p.score for p in rows], dtype=np.float64))


def _indexes(graph: SupplyGraph, columns: RankColumns) -> IntArray:
    ids, comps = columns[0], columns[1]
    if comps is not None:
        return comps
    assert ids is not None
    of = graph.component_of
    return np.fromiter((of[c] for c in ids), dtype=np.int64, count=len(ids))


def _ids(graph: SupplyGraph, columns: RankColumns) -> list[str]:
    ids, comps = columns[0], columns[1]
    if ids is not None:
        return ids
    assert comps is not None
    names = graph.component_ids
    return [names[c] for c in comps.tolist()]


def _rank_changes(before: SupplyGraph, cols0: RankColumns, after: SupplyGraph,
                  cols1: RankColumns) -> Sequence[RankChange]:
    """Every component whose rank or score differs (or that is ranked in one graph only), the largest
    moves first, ties by id."""
    rank0, score0, rank1, score1 = cols0[2], cols0[3], cols1[2], cols1[3]
    if before.component_ids == after.component_ids:  # one id space (a --qualify edit): compare as columns
        n = before.n_components
        where0, where1 = _indexes(before, cols0), _indexes(after, cols1)
        r0, r1 = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        s0, s1 = np.full(n, np.nan), np.full(n, np.nan)
        r0[where0], s0[where0], r1[where1], s1[where1] = rank0, score0, rank1, score1
        both = (r0 > 0) & (r1 > 0)
        same = both & (r0 == r1) & (s0 == s1)
        changed = np.flatnonzero(((r0 > 0) | (r1 > 0)) & ~same)
        moved = np.where(both[changed], np.abs(r0[changed] - r1[changed]), 10**9)
        changed = changed[np.lexsort((changed, -moved))]  # component index order is id order
        return RankChanges(before.component_ids, changed, r0[changed], r1[changed], s0[changed], s1[changed])
    p0 = dict(zip(_ids(before, cols0), zip(rank0.tolist(), score0.tolist(), strict=True), strict=True))
    p1 = dict(zip(_ids(after, cols1), zip(rank1.tolist(), score1.tolist(), strict=True), strict=True))
    ranks = []
    for cid in sorted(p0.keys() | p1.keys()):
        a, b = p0.get(cid), p1.get(cid)
        if a and b and a[0] == b[0] and a[1] == b[1]:
            continue
        ranks.append(RankChange(cid, a[0] if a else None, b[0] if b else None, a[1] if a else None,
                                b[1] if b else None, (a[0] - b[0]) if a and b else None))
    ranks.sort(key=lambda r: (-(abs(r.moved) if r.moved is not None else 10**9), r.id))
    return ranks
