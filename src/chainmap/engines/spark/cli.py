"""The ``--engine spark`` entry point for the CLI: one function per command, the core's result types.

:func:`run_command` runs ``simulate``, ``bottlenecks``, ``priorities``,
``spof`` or ``cuts`` on Spark and returns what the core's function returns,
so the CLI formats it as usual (table, JSON, CSV). With ``output`` the result
is also written by :func:`write_result`: the result rows as Parquet
(``result/``, written by Spark, so any URI Spark can write works) and, on a
local folder, ``result.json`` and ``result.csv`` (the summary, from the
result dataclasses); ``simulate`` also writes the per-component rows as
Parquet (``components/``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

from chainmap.analysis.scenario import Scenario
from chainmap.engines.spark import analyses
from chainmap.errors import UsageError
from chainmap.io.atomic import write_text_atomic

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
            raise UsageError("--engine spark bottlenecks needs --candidates (countries, blocs, suppliers)")
        result = analyses.bottlenecks(graph, candidates, scenario, options.get("threshold"))
    elif command == "priorities":
        result = analyses.priorities(graph, scenario, options.get("weights"), options.get("top"))
    elif command == "spof":
        result = analyses.single_points_of_failure(graph, options.get("targets"), _kinds(options), scenario)
    elif command == "cuts":
        result = analyses.cut_sets(graph, options["target"], int(options.get("max_order", 2)), _kinds(options),
                                   scenario)
    else:
        raise UsageError(f"--engine spark runs {', '.join(COMMANDS)}; not {command!r}")
    if output is not None:
        write_result(result, output, graph.spark)
    return result


def _kinds(options: dict[str, Any]) -> Sequence[str]:
    kinds = options.get("kinds") or ("country",)
    return tuple(kinds)


def _rows(result: Any) -> list[dict[str, Any]]:
    """The result's rows as flat records (lists and mappings as JSON text)."""
    items = result.sectors if hasattr(result, "sectors") else result
    return [{k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in asdict(item).items()}
            for item in items if is_dataclass(item) and not isinstance(item, type)]


def _typed(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """``rows`` with a Spark DDL schema: a column with a float is double (its ints become floats), one of bools
    boolean, one of ints bigint, anything else (or all null) string."""
    fields = []
    out = [dict(r) for r in rows]
    for name in rows[0]:
        seen = {type(r[name]) for r in rows if r[name] is not None}
        if float in seen and seen <= {float, int}:
            kind = "double"
            for r in out:
                r[name] = None if r[name] is None else float(r[name])
        elif seen == {bool}:
            kind = "boolean"
        elif seen == {int}:
            kind = "bigint"
        else:
            kind = "string"
            for r in out:
                r[name] = None if r[name] is None else str(r[name])
        fields.append(f"`{name}` {kind}")
    return out, ", ".join(fields)


def write_result(result: Any, output: str | Path, spark: Any = None) -> list[str]:
    """Write ``result`` to the folder or URI ``output``; return what was written.

    ``result/`` (Parquet, by Spark: any URI Spark can write) holds the result
    rows (sectors for ``simulate``); on a local folder also ``result.json``
    (the whole result, as ``--format json`` prints it) and ``result.csv``
    (the rows). Lists inside a row are JSON text in Parquet and CSV.
    """
    target = str(output).rstrip("/")
    rows = _rows(result)
    written: list[str] = []
    if spark is not None and rows:
        spark.createDataFrame(*_typed(rows)).coalesce(1).write.mode("overwrite").parquet(f"{target}/result")
        written.append(f"{target}/result")
    if "://" in target and not target.startswith("file://"):
        return written  # a cluster URI: the JSON summary is what the CLI prints
    folder = Path(target.removeprefix("file://"))
    folder.mkdir(parents=True, exist_ok=True)
    data = result.to_dict() if hasattr(result, "to_dict") else [asdict(r) for r in result]
    write_text_atomic(folder / "result.json", json.dumps(data, indent=2, default=str) + "\n")
    written.append(str(folder / "result.json"))
    if rows:
        buffer = io.StringIO(newline="")
        w = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        write_text_atomic(folder / "result.csv", buffer.getvalue())
        written.append(str(folder / "result.csv"))
    return written
