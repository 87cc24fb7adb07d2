"""JSON Schemas of the commands' machine-readable output, shipped with the package (docs/machine-output.md).

One file per command, ``<command>.schema.json`` (``quality`` for ``validate --quality``): the shape of its
``--format json`` output, its row types under ``$defs``, and under ``x-csv-tables`` the CSV tables that
``--format csv --table NAME`` prints (each table's columns are its row type's properties, in order).
The files are written by ``tools/make_schemas.py`` from the result types.

Examples
--------
>>> sorted(names())[:4]
['bottlenecks', 'cuts', 'diff', 'explain']
>>> csv_tables("simulate")
{'components': 'ComponentAvailability', 'sectors': 'SectorAvailability'}
>>> columns("simulate", "sectors")
['code', 'name', 'products', 'baseline', 'availability', 'impact']
>>> csv_dtypes(["code", "products", "impact"])
{'code': 'str', 'products': 'Int64', 'impact': 'float64'}
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["columns", "csv_dtypes", "csv_tables", "default_table", "load_schema", "names", "table_of_header"]

SUFFIX = ".schema.json"


@cache
def names() -> tuple[str, ...]:
    """The commands with a shipped schema."""
    files = resources.files(__name__).iterdir()
    return tuple(sorted(f.name.removesuffix(SUFFIX) for f in files if f.name.endswith(SUFFIX)))


@cache
def _load(command: str) -> str:
    if command not in names():
        raise KeyError(f"no schema for {command!r} (have: {', '.join(names())})")
    return resources.files(__name__).joinpath(command + SUFFIX).read_text(encoding="utf-8")


def load_schema(command: str) -> dict[str, Any]:
    """The JSON Schema (a fresh dict) of ``command``'s ``--format json`` output."""
    data: dict[str, Any] = json.loads(_load(command))
    return data


def csv_tables(command: str) -> dict[str, str]:
    """``{table name: row type}`` of the CSV tables ``command`` prints (its default first)."""
    tables: dict[str, str] = load_schema(command).get("x-csv-tables", {})
    return tables


def default_table(command: str) -> str:
    """The table ``--format csv`` prints without ``--table``."""
    default: str = load_schema(command)["x-csv-default"]
    return default


def _row(command: str, table: str) -> dict[str, Any]:
    schema = load_schema(command)
    row: dict[str, Any] = schema["$defs"][csv_tables(command)[table]]
    return row


def columns(command: str, table: str) -> list[str]:
    """The columns of one CSV table, in order."""
    return list(_row(command, table)["properties"])


def _dtype(prop: dict[str, Any]) -> str:
    kinds = prop.get("type", "string")
    kinds = set(kinds if isinstance(kinds, list) else [kinds]) - {"null"}
    if kinds == {"number"}:
        return "float64"
    if kinds == {"integer"}:
        return "Int64"  # pandas' integer with missing values
    if kinds == {"boolean"}:
        return "boolean"
    return "str"  # text, and lists and mappings (joined with ';' in CSV)


@cache
def _column_types() -> dict[tuple[str, ...], dict[str, str]]:
    out: dict[tuple[str, ...], dict[str, str]] = {}
    for command in names():
        for table in csv_tables(command):
            props = _row(command, table)["properties"]
            out[tuple(props)] = {name: _dtype(p) for name, p in props.items()}
    return out


def table_of_header(header: list[str]) -> dict[str, str] | None:
    """``{column: dtype}`` of the chainmap CSV table with exactly this header, or None."""
    return _column_types().get(tuple(header))


def csv_dtypes(header: list[str]) -> dict[str, str]:
    """pandas dtypes of a chainmap CSV table's columns: ``str`` for ids, codes and other text (``06`` stays
    ``06``), ``float64``, ``Int64`` or ``boolean`` for the rest.

    The table is found by its header; for a header that is no chainmap table's, each column takes its
    type from the tables that have a column of that name (``str`` where they disagree or none has it).
    """
    known = table_of_header(header)
    if known is not None:
        return dict(known)
    seen: dict[str, set[str]] = {}
    for types in _column_types().values():
        for name, dtype in types.items():
            seen.setdefault(name, set()).add(dtype)
    return {c: next(iter(seen[c])) if len(seen.get(c, ())) == 1 else "str" for c in header}
