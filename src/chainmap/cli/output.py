"""Output formatting for the CLI: rich tables for people, JSON and CSV for scripts."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, is_dataclass
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table

from chainmap.io.csvcell import csv_line, safe_cell

__all__ = ["CSV_ESCAPE", "Format", "emit", "records", "to_csv", "to_json", "to_table"]

CSV_ESCAPE = {"on": True}
"""Prefix CSV text cells that a spreadsheet would run as formulas with ``'`` (``chainmap --csv-formulas``
turns it off; :mod:`chainmap.io.csvcell`)."""


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def records(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Dataclass rows as dicts (other mappings pass through)."""
    return [asdict(r) if is_dataclass(r) and not isinstance(r, type) else dict(r) for r in rows]


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, 10)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def to_json(data: Any) -> str:
    """Stable JSON (floats rounded to 10 places, NaN as null)."""
    if isinstance(data, list):
        data = records(data)
    return json.dumps(_clean(data), indent=2, ensure_ascii=False) + "\n"


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return ";".join(_flat(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}={_flat(v)}" for k, v in value.items())
    return str(value)


def _exact(value: Any) -> str:
    """A value as CSV text at full precision (floats as JSON has them: rounded to 10 places, NaN and
    infinity empty)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) or math.isinf(value) else repr(round(value, 10))
    if isinstance(value, (list, tuple)):
        return ";".join(_exact(v) for v in value)
    if isinstance(value, Mapping):
        return ";".join(f"{k}={_exact(v)}" for k, v in value.items())
    return str(value)


def _cell(value: Any) -> str:
    """A CSV cell: numbers as numbers (full precision), text (lists and mappings too) escaped for spreadsheets."""
    text = _exact(value)
    if isinstance(value, (bool, int, float)) or value is None:
        return text
    return safe_cell(text, CSV_ESCAPE["on"])


def to_csv(rows: Sequence[Any], columns: Sequence[str] | None = None) -> str:
    """CSV with a header; lists joined by ``;``; text cells escaped for spreadsheets (:func:`safe_cell`).

    >>> print(to_csv([{"id": "=cmd", "delta": -0.5}]), end="")
    id,delta
    '=cmd,-0.5
    """
    recs = records(rows)
    cols = list(columns or (recs[0].keys() if recs else []))
    return csv_line(cols) + "".join(csv_line([_cell(rec.get(c)) for c in cols]) for rec in recs)


def to_table(rows: Sequence[Any], columns: Sequence[str], title: str = "") -> Table:
    """A rich table of the given columns (markup in values is not interpreted)."""
    table = Table(title=title or None, show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for rec in records(rows):
        table.add_row(*[_flat(rec.get(c)) for c in columns])
    return table


def emit(rows: Sequence[Any], fmt: Format, columns: Sequence[str], title: str = "", data: Any = None,
         csv_of: str | None = None) -> None:
    """Print rows in the chosen format (``data`` overrides the JSON payload; ``csv_of``: the command whose
    shipped schema gives the CSV columns, so an empty result still has its header)."""
    if fmt is Format.json:
        print(to_json(rows if data is None else data), end="")
    elif fmt is Format.csv:
        from chainmap.schemas import columns as schema_columns
        from chainmap.schemas import default_table

        print(to_csv(rows, schema_columns(csv_of, default_table(csv_of)) if csv_of else None), end="")
    else:
        console = Console(markup=False, highlight=False, emoji=False, width=200 if not Console().is_terminal else None)
        if not rows:
            console.print(f"{title}: none" if title else "none")
        else:
            console.print(to_table(rows, columns, title))
