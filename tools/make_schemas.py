"""Write the JSON Schemas of the commands' machine-readable output: src/chainmap/schemas/*.schema.json.

Run from the repository root after changing a result type or a command's JSON shape:
``python tools/make_schemas.py`` (``--check``: exit 1 when a shipped file differs, as
tests/test_machine_output.py checks). Row types come from the result dataclasses (field order is the CSV
column order); the shapes built in the CLI (validate, the quality report, export) are spelt out here.

Each schema describes the command's ``--format json`` output; ``$defs`` holds its row types and
``x-csv-tables`` names the CSV tables (``--table NAME``) with the row type of each, ``x-csv-default`` the
table printed without ``--table``. Numbers are ``number`` or ``null``: NaN and infinity are written as
``null`` in JSON (and as an empty cell in CSV).
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chainmap.analysis.bottlenecks import Bottleneck
from chainmap.analysis.cuts import CutSet
from chainmap.analysis.diff import BottleneckChange, RankChange, SectorChange, SpofChange
from chainmap.analysis.explain import Step
from chainmap.analysis.priority import Priority
from chainmap.analysis.selfsufficiency import ComponentSufficiency, SectorSufficiency
from chainmap.analysis.simulate import ComponentAvailability, SectorAvailability
from chainmap.analysis.spof import SinglePointOfFailure
from chainmap.io.exporters import EDGE_FIELDS, NODE_FIELDS
from chainmap.model.coverage import SectorCoverage
from chainmap.model.quality import AGE_BUCKETS, METHODS, METRICS

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "chainmap" / "schemas"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

STRING = {"type": "string"}
NUMBER = {"type": ["number", "null"]}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
STRINGS = {"type": "array", "items": STRING}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema["type"]
    kinds = kind if isinstance(kind, list) else [kind]
    return {**schema, "type": [*kinds, "null"] if "null" not in kinds else kinds}


def of_type(hint: Any) -> dict[str, Any]:
    """The JSON Schema of a Python type hint (str, float, int, bool, X | None, list[str], dict[str, X])."""
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        assert len(rest) == 1, hint
        return nullable(of_type(rest[0]))
    if hint is str:
        return dict(STRING)
    if hint is float:
        return dict(NUMBER)
    if hint is bool:
        return dict(BOOLEAN)
    if hint is int:
        return dict(INTEGER)
    if origin is list:
        return {"type": "array", "items": of_type(args[0])}
    if origin in (dict, Mapping) or (isinstance(origin, type) and issubclass(origin, Mapping)):
        return {"type": "object", "additionalProperties": of_type(args[1])}
    raise TypeError(f"no schema for {hint!r}")


def row(properties: dict[str, dict[str, Any]], description: str = "") -> dict[str, Any]:
    """An object with exactly these properties, all required (their order is the CSV column order)."""
    out: dict[str, Any] = {"type": "object"}
    if description:
        out["description"] = description
    out.update({"properties": properties, "required": list(properties), "additionalProperties": False})
    return out


def of_dataclass(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    doc = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    if doc.startswith(f"{cls.__name__}("):  # the dataclass default, not a description
        doc = ""
    return row({f.name: of_type(hints[f.name]) for f in dataclasses.fields(cls)}, " ".join(doc.split()))


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def rows_of(name: str) -> dict[str, Any]:
    return {"type": "array", "items": ref(name)}


SCENARIO = {"scenario": STRING, "horizon": STRING, "reach": {"type": "string", "enum": ["location", "owner"]}}


def schema(command: str, description: str, top: dict[str, Any], defs: dict[str, dict[str, Any]],
           tables: dict[str, str], default: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"$schema": DRAFT, "title": f"chainmap {command} --format json",
                           "description": description, **top, "$defs": defs}
    if tables:
        out["x-csv-tables"] = tables
        out["x-csv-default"] = default
    return out


def list_schema(command: str, description: str, cls: type, table: str) -> dict[str, Any]:
    return schema(command, description, rows_of(cls.__name__), {cls.__name__: of_dataclass(cls)},
                  {table: cls.__name__}, table)


def counts(names: Any) -> dict[str, Any]:
    return row({n: dict(INTEGER) for n in names})


def division_quality(full: bool) -> dict[str, Any]:
    props: dict[str, dict[str, Any]] = {"code": STRING, "name": STRING}
    for name in ("facts", "components", "equal_split", "weak_mix", "estimates", "missing_year", "missing_method",
                 "missing_source", "denied", "older_than_10", "low_coverage", "foreign_only", "products",
                 "unvalued_products"):
        props[name] = dict(INTEGER)
    props["methods"] = {"type": "object", "additionalProperties": INTEGER}
    props["ages"] = counts(AGE_BUCKETS)
    if full:
        props["methods"] = counts((*METHODS, "missing"))
        props.update({"low_coverage_ids": STRINGS, "foreign_only_ids": STRINGS, "unvalued_product_ids": STRINGS})
    return row(props)


def build() -> dict[str, dict[str, Any]]:
    """Every schema by command name."""
    out: dict[str, dict[str, Any]] = {}
    out["spof"] = list_schema("spof", "Single points of failure, most targets first.", SinglePointOfFailure, "spof")
    out["cuts"] = list_schema("cuts", "Minimal cut sets of one target, by order then node ids.", CutSet, "cuts")
    out["bottlenecks"] = list_schema("bottlenecks", "Foreign bottlenecks, most damaging first (CSV: ``hits`` "
                                     "``;``-joined, ``drops`` and ``chain_lengths`` as ``id=value;...``).",
                                     Bottleneck, "bottlenecks")
    out["priorities"] = list_schema("priorities", "Substitution priorities, highest score first.", Priority,
                                    "priorities")
    out["simulate"] = schema(
        "simulate", "Availability of every component (by id) and of every sector (by code) under a scenario.",
        row({**SCENARIO, "components": rows_of("ComponentAvailability"), "sectors": rows_of("SectorAvailability")}),
        {"ComponentAvailability": of_dataclass(ComponentAvailability),
         "SectorAvailability": of_dataclass(SectorAvailability)},
        {"components": "ComponentAvailability", "sectors": "SectorAvailability"}, "components")
    out["selfsufficiency"] = schema(
        "selfsufficiency", "Domestic share and chain autarky per component and per sector.",
        row({"home": STRING, **SCENARIO, "components": rows_of("ComponentSufficiency"),
             "sectors": rows_of("SectorSufficiency")}),
        {"ComponentSufficiency": of_dataclass(ComponentSufficiency),
         "SectorSufficiency": of_dataclass(SectorSufficiency)},
        {"sectors": "SectorSufficiency", "components": "ComponentSufficiency"}, "sectors")
    diff_rows = {"SpofChange": SpofChange, "BottleneckChange": BottleneckChange, "RankChange": RankChange,
                 "SectorChange": SectorChange}
    out["diff"] = schema(
        "diff", "What changed between two graphs: SPOFs, bottlenecks, priority ranks, sector availability.",
        row({**SCENARIO, "spof": rows_of("SpofChange"), "bottlenecks": rows_of("BottleneckChange"),
             "priorities": rows_of("RankChange"), "sectors": rows_of("SectorChange")}),
        {name: of_dataclass(cls) for name, cls in diff_rows.items()},
        {"priorities": "RankChange", "spof": "SpofChange", "bottlenecks": "BottleneckChange",
         "sectors": "SectorChange"}, "priorities")
    out["explain"] = schema(
        "explain", "The binding chain of one component under a scenario, down to its root causes.",
        row({"target": STRING, "scenario": STRING, "horizon": STRING, "reach": SCENARIO["reach"],
             "availability": NUMBER, "baseline": NUMBER, "steps": rows_of("Step"), "root_causes": STRINGS}),
        {"Step": of_dataclass(Step)}, {"steps": "Step"}, "steps")
    coverage = {f.name: of_type(typing.get_type_hints(SectorCoverage)[f.name])
                for f in dataclasses.fields(SectorCoverage) if not f.name.startswith("_")}
    summary = {"files": INTEGER, "countries": INTEGER, "blocs": INTEGER, "suppliers": INTEGER,
               "components": INTEGER, "sectors": INTEGER, "facts": INTEGER, "sourced": NUMBER,
               "estimates": INTEGER, "warnings": INTEGER}
    out["validate"] = schema(
        "validate", "Counts, coverage per division and every warning of a graph.",
        row({**summary, "coverage": rows_of("SectorCoverage"), "warning_list": STRINGS}),
        {"SectorCoverage": row(coverage, "Counts and sourcing of one division."),
         "Summary": row(summary, "The graph's counts (one row)."),
         "Warning": row({"warning": STRING}, "One warning (file:line: what).")},
        {"coverage": "SectorCoverage", "summary": "Summary", "warnings": "Warning"}, "coverage")
    metrics = {m: dict(NUMBER) for m in METRICS}
    out["quality"] = schema(
        "validate --quality", "The data-quality report: overall fractions, counts per division, denied hosts, "
        "thresholds and the ones crossed.",
        row({"as_of": nullable(INTEGER), "deny_hosts": INTEGER, "metrics": row(metrics), "total": ref("Division"),
             "divisions": rows_of("Division"), "denied_hosts": {"type": "object", "additionalProperties": INTEGER},
             "sourced_facts": INTEGER, "denied_facts": STRINGS,
             "thresholds": {"type": "object", "additionalProperties": {"type": "number"}},
             "crossed": {"type": "array", "items": row({"metric": STRING, "value": NUMBER, "max": NUMBER})}}),
        {"Division": division_quality(True), "DivisionRow": division_quality(False),
         "Metric": row({"metric": STRING, "what": STRING, "value": NUMBER, "max": NUMBER},
                       "One overall fraction and its threshold (max empty without one)."),
         "DeniedHost": row({"host": STRING, "facts": INTEGER}, "Facts citing one denied host.")},
        {"divisions": "DivisionRow", "metrics": "Metric", "denied_hosts": "DeniedHost"}, "divisions")
    node_types = {"spof": BOOLEAN, "bottleneck": BOOLEAN, "rank": INTEGER,
                  **{k: NUMBER for k in ("score", "impact", "exposure", "gap", "urgency")}}
    node = {"id": STRING, **{k: dict(node_types.get(k, STRING)) for k in NODE_FIELDS}}
    edge_types = {"share": NUMBER, "any_of": BOOLEAN, "group": INTEGER, "lifetime_years": NUMBER}
    edge = {"source": STRING, "target": STRING, **{k: dict(edge_types.get(k, STRING)) for k in EDGE_FIELDS}}
    out["export"] = schema(
        "export", "export --format json: the node-link graph with analysis attributes (docs: exporters). "
        "export --format csv writes the tables nodes and edges.",
        row({"generator": STRING, "directed": {"const": True}, "multigraph": {"const": True},
             "graph": row({"home": STRING}), "nodes": rows_of("Node"), "edges": rows_of("EdgeLink")}),
        {"Node": row(node, "A node and its analysis attributes."),
         "Edge": row(edge, "A downstream edge (CSV row)."),
         "EdgeLink": row({**edge, "key": INTEGER}, "A downstream edge (JSON: key numbers parallel edges).")},
        {"nodes": "Node", "edges": "Edge"}, "nodes")
    return out


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    schemas = build()
    stale = []
    for name, data in schemas.items():
        path = OUT / f"{name}.schema.json"
        text = render(data)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path.relative_to(ROOT).as_posix())
        if not check:
            path.write_text(text, encoding="utf-8")
    extra = sorted(p.name for p in OUT.glob("*.schema.json") if p.name.removesuffix(".schema.json") not in schemas)
    if check and (stale or extra):
        print(f"stale schemas (run python tools/make_schemas.py): {', '.join(stale + extra)}", file=sys.stderr)
        return 1
    for name in extra:
        (OUT / name).unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
