"""chainmap: industrial supply chains as dependency graphs.

Load graph files, find the foreign dependencies that can stop an industry,
and rank what to replace first.

>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> chainmap.priorities(g)[0].id
'scanner'
>>> chainmap.__version__.count(".") >= 1
True

Results are typed (``chainmap.PriorityTable``, ``chainmap.SimulationResult``...), each with
``to_dataframe()``; ``chainmap.read_csv`` reads a CSV chainmap wrote with the right dtypes.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from chainmap.analysis import (
    Bottleneck,
    BottleneckTable,
    CutSet,
    Explanation,
    GraphDiff,
    Priority,
    PriorityTable,
    ResultList,
    Scenario,
    SelfSufficiency,
    SimulationResult,
    SinglePointOfFailure,
    bottlenecks,
    cut_sets,
    diff,
    explain,
    priorities,
    self_sufficiency,
    simulate,
    single_points_of_failure,
)
from chainmap.api import load
from chainmap.dataframes import read_csv, to_dataframe
from chainmap.errors import ChainmapError, GraphFileError, OutputError, ScenarioError, UnknownNodeError
from chainmap.graph import SupplyGraph

try:
    __version__ = _version("chainmap")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "Bottleneck",
    "BottleneckTable",
    "ChainmapError",
    "CutSet",
    "Explanation",
    "GraphDiff",
    "GraphFileError",
    "OutputError",
    "Priority",
    "PriorityTable",
    "ResultList",
    "Scenario",
    "ScenarioError",
    "SelfSufficiency",
    "SimulationResult",
    "SinglePointOfFailure",
    "SupplyGraph",
    "UnknownNodeError",
    "__version__",
    "bottlenecks",
    "cut_sets",
    "diff",
    "explain",
    "load",
    "priorities",
    "read_csv",
    "render_html",
    "self_sufficiency",
    "simulate",
    "single_points_of_failure",
    "to_dataframe",
]


def __getattr__(name: str) -> object:
    if name == "render_html":  # heavy: imported on first use
        from chainmap.render.html import render_html

        return render_html
    raise AttributeError(f"module 'chainmap' has no attribute {name!r}")
