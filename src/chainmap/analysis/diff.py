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

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from chainmap.analysis.bottlenecks import bottlenecks
from chainmap.analysis.priority import priorities
from chainmap.analysis.scenario import LONG, Scenario, format_horizon
from chainmap.analysis.simulate import simulate
from chainmap.analysis.spof import single_points_of_failure
from chainmap.graph import FloatArray, IntArray, SupplyGraph

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BottleneckChange", "GraphDiff", "RankChange", "SectorChange", "SpofChange", "diff"]


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
    priorities: list[RankChange]
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


def diff(before: SupplyGraph, after: SupplyGraph, scenario: Scenario | None = None) -> GraphDiff:
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
    b0 = _bottleneck_pairs(before, bottlenecks(before, scenario=at))
    b1 = _bottleneck_pairs(after, bottlenecks(after, scenario=at))
    bchanges = [BottleneckChange(n, r, "gained") for n, r in sorted(b1 - b0)] + [
        BottleneckChange(n, r, "lost") for n, r in sorted(b0 - b1)]
    ranks = _rank_changes(before, priorities(before, scenario=at), after, priorities(after, scenario=at))
    r0 = {s.code: s.availability for s in simulate(before, scenario).sectors}
    r1 = {s.code: s.availability for s in simulate(after, scenario).sectors}
    sectors = [SectorChange(code, r0.get(code), r1.get(code),
                            (r1[code] - r0[code]) if code in r0 and code in r1 else None)
               for code in sorted(r0.keys() | r1.keys())]
    return GraphDiff(scenario.describe(), spof, bchanges, ranks, sectors, format_horizon(scenario.horizon),
                     scenario.reach)


def _bottleneck_pairs(graph: SupplyGraph, table: Any) -> set[tuple[str, str]]:
    """``(node, reason)`` of every row; the concentration rows read from the table's columns when it has
    them (no row, with its list of hits, built)."""
    removal, conc = getattr(table, "_removal", None), getattr(table, "_conc", None)
    if removal is None or (conc is not None and not hasattr(conc, "comps")):
        return {(b.node, b.reason) for b in table}
    pairs = {(b.node, b.reason) for b in removal}
    if conc is not None:
        ids = graph.component_ids
        pairs.update((ids[c], "concentration") for c in np.asarray(conc.comps).tolist())
    return pairs


def _rank_columns(table: Any) -> tuple[list[str], IntArray, FloatArray]:
    """Ids, ranks and scores of a priority table, from its columns when it has them."""
    columns = getattr(table, "columns", None)
    if columns is not None:
        cols = columns()
        return (list(cols["id"]), np.asarray(cols["rank"], dtype=np.int64),
                np.asarray(cols["score"], dtype=np.float64))
    rows = list(table)
    return ([p.id for p in rows], np.array([p.rank for p in rows], dtype=np.int64),
            np.array([p.score for p in rows], dtype=np.float64))


def _rank_changes(before: SupplyGraph, table0: Any, after: SupplyGraph, table1: Any) -> list[RankChange]:
    """Every component whose rank or score differs (or that is ranked in one graph only), the largest
    moves first, ties by id."""
    ids0, rank0, score0 = _rank_columns(table0)
    ids1, rank1, score1 = _rank_columns(table1)
    if before.component_ids == after.component_ids:  # one id space (a --qualify edit): compare as columns
        n, of = before.n_components, before.component_of
        where0 = np.fromiter((of[c] for c in ids0), dtype=np.int64, count=len(ids0))
        where1 = np.fromiter((of[c] for c in ids1), dtype=np.int64, count=len(ids1))
        r0, r1 = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        s0, s1 = np.full(n, np.nan), np.full(n, np.nan)
        r0[where0], s0[where0], r1[where1], s1[where1] = rank0, score0, rank1, score1
        both = (r0 > 0) & (r1 > 0)
        same = both & (r0 == r1) & (s0 == s1)
        changed = np.flatnonzero(((r0 > 0) | (r1 > 0)) & ~same)
        ids = before.component_ids
        ranks = [RankChange(ids[c], a or None, b or None, x if a else None, y if b else None,
                            (a - b) if a and b else None)
                 for c, a, b, x, y in zip(changed.tolist(), r0[changed].tolist(), r1[changed].tolist(),
                                          s0[changed].tolist(), s1[changed].tolist(), strict=True)]
    else:
        p0 = dict(zip(ids0, zip(rank0.tolist(), score0.tolist(), strict=True), strict=True))
        p1 = dict(zip(ids1, zip(rank1.tolist(), score1.tolist(), strict=True), strict=True))
        ranks = []
        for cid in sorted(p0.keys() | p1.keys()):
            a, b = p0.get(cid), p1.get(cid)
            if a and b and a[0] == b[0] and a[1] == b[1]:
                continue
            ranks.append(RankChange(cid, a[0] if a else None, b[0] if b else None, a[1] if a else None,
                                    b[1] if b else None, (a[0] - b[0]) if a and b else None))
    ranks.sort(key=lambda r: (-(abs(r.moved) if r.moved is not None else 10**9), r.id))
    return ranks
