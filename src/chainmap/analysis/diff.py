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

from chainmap.analysis.bottlenecks import bottlenecks
from chainmap.analysis.priority import priorities
from chainmap.analysis.scenario import LONG, Scenario, format_horizon
from chainmap.analysis.simulate import simulate
from chainmap.analysis.spof import single_points_of_failure
from chainmap.graph import SupplyGraph

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
