"""The ``--engine spark`` entry point for the CLI: one function per command, the core's result types.

:func:`run_command` runs ``simulate``, ``bottlenecks``, ``priorities``,
``spof`` or ``cuts`` on Spark and returns what the core's function returns,
so the CLI formats it as usual (table, JSON, CSV). With ``output`` the result
is also written by :func:`write_result`: ``result.json`` and ``result.csv``
(the summary, from the result dataclasses) and, for ``simulate``, the
per-component rows as Parquet (``components/``, written by Spark).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

from chainmap.analysis.scenario import Scenario
from chainmap.engines.spark import analyses

__all__ = ["COMMANDS", "run_command", "write_result"]

COMMANDS = ("simulate", "bottlenecks", "priorities", "spof", "cuts")


def run_command(command: str, graph_path: Any, scenario: Scenario | None, **options: Any) -> Any:
    """Run ``command`` on Spark for the graph at ``graph_path`` (a columnar folder or URI, or a loaded graph).

    Options (as the CLI's): ``spark`` (a session; default the active one or a
    loopback ``local[2]``), ``home``; simulate: ``output``; bottlenecks:
    ``candidates`` (required), ``threshold``; priorities: ``weights``,
    ``top``; spof: ``targets``, ``kinds`` (countries only); cuts: ``target``,
    ``max_order``, ``kinds``. ``output`` (any command): also write the
    result there (:func:`write_result`).
    """
    spark = options.get("spark")
    home = options.get("home")
    output = options.get("output")
    graph = analyses.load(graph_path, spark, home)
    result: Any
    if command == "simulate":
        result = analyses.simulate(graph, scenario, output=output)
    elif command == "bottlenecks":
        candidates = options.get("candidates")
        if not candidates:
            raise ValueError("--engine spark bottlenecks needs --candidates (countries, blocs, suppliers)")
        result = analyses.bottlenecks(graph, candidates, scenario, options.get("threshold"))
    elif command == "priorities":
        result = analyses.priorities(graph, scenario, options.get("weights"), options.get("top"))
    elif command == "spof":
        result = analyses.single_points_of_failure(graph, options.get("targets"), _kinds(options), scenario)
    elif command == "cuts":
        result = analyses.cut_sets(graph, options["target"], int(options.get("max_order", 2)), _kinds(options),
                                   scenario)
    else:
        raise ValueError(f"--engine spark runs {', '.join(COMMANDS)}; not {command!r}")
    if output is not None and command != "simulate":
        write_result(result, output)
    elif output is not None:
        write_result(result, output, rows=False)
    return result


def _kinds(options: dict[str, Any]) -> Sequence[str]:
    kinds = options.get("kinds") or ("country",)
    return tuple(kinds)


def write_result(result: Any, output: str | Path, rows: bool = True) -> list[Path]:
    """``result.json`` (and ``result.csv`` of its rows when ``rows``) in the local folder ``output``."""
    folder = Path(str(output))
    if "://" in str(output):
        return []  # a cluster URI: Spark wrote the Parquet rows there; the summary is printed by the CLI
    folder.mkdir(parents=True, exist_ok=True)
    data = result.to_dict() if hasattr(result, "to_dict") else [asdict(r) for r in result]
    written = [folder / "result.json"]
    written[0].write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    items = result.sectors if hasattr(result, "sectors") else result
    if rows and items and is_dataclass(items[0]):
        path = folder / "result.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            fields = list(asdict(items[0]))  # type: ignore[arg-type]
            w = csv.DictWriter(fh, fieldnames=fields)
            w.writeheader()
            for item in items:
                w.writerow({k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in asdict(item).items()})
        written.append(path)
    return written
