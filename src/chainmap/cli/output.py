"""Output formatting for the CLI: rich tables for people, JSON and CSV for scripts."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, is_dataclass
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table

from chainmap.analysis.lazyrows import json_ready
from chainmap.io.csvcell import csv_line, number_text, safe_cell

__all__ = ["CSV_ESCAPE", "Col", "Format", "console_width", "emit", "percent", "records", "say", "short_number",
           "summary", "to_csv", "to_json", "to_table"]

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


def to_json(data: Any) -> str:
    """Stable JSON (floats rounded to 10 places, NaN as null)."""
    if isinstance(data, list):
        data = records(data)
    return json.dumps(json_ready(data), indent=2, ensure_ascii=False) + "\n"


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
        return number_text(value)
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


LIST_SHOWN = 3
"""Items a summarised list cell shows before ``… (+N)`` (``--wide`` shows all)."""
DEFAULT_WIDTH = 120
"""Table width when standard output is not a terminal and ``COLUMNS`` is unset."""


@dataclass(frozen=True)
class Col:
    """A table column: the record key, its header and how its values are shown.

    ``kind`` is ``auto`` (numbers short, lists summarised), ``pct`` (a fraction shown as a percentage),
    ``num`` (a number to three significant digits) or ``text``; ``noun`` names a list's items
    (``243 products: dram, server, wafer, … (+240)``).
    """

    key: str
    header: str = ""
    kind: str = "auto"
    noun: str = ""


def console_width() -> int:
    """Width of tables: ``COLUMNS`` if set, else the terminal's, else :data:`DEFAULT_WIDTH` (piped output)."""
    import os
    import shutil
    import sys

    env = os.environ.get("COLUMNS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        if sys.stdout.isatty():
            return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    except (AttributeError, ValueError, OSError):
        pass
    return DEFAULT_WIDTH


def percent(value: float | None) -> str:
    """A fraction as a short percentage (``''`` for a missing value).

    >>> [percent(v) for v in (0, 0.0004, 0.1234, 0.99999, 1, None)]
    ['0%', '<0.1%', '12.3%', '>99.9%', '100%', '']
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    p = float(value) * 100.0
    if p == 0:
        return "0%"
    if p == 100:
        return "100%"
    if 0 < p < 0.05:
        return "<0.1%"
    if 99.95 <= p < 100:
        return ">99.9%"
    return f"{p:.1f}%"


def short_number(value: Any) -> str:
    """A number to three significant digits (integers as they are, thousands separated).

    >>> [short_number(v) for v in (3, 12345, 0.173958, 2.32399e-05, 1.0, None)]
    ['3', '12,345', '0.174', '2.32e-05', '1', '']
    """
    if value is None or isinstance(value, bool):
        return "" if value is None else ("yes" if value else "no")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return "" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        if value == int(value) and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:.3g}"
    return str(value)


def summary(values: Sequence[Any], noun: str = "", wide: bool = False) -> str:
    """A list cell: all items when few (or ``wide``), else the count and the first :data:`LIST_SHOWN`.

    >>> summary(["dram", "server", "wafer", "gpu", "ssd"], "products")
    '5 products: dram, server, wafer, … (+2)'
    >>> summary(["dram", "server"], "products")
    'dram, server'
    """
    items = [short_number(v) if not isinstance(v, str) else v for v in values]
    if wide or len(items) <= LIST_SHOWN:
        return ", ".join(items)
    head = f"{len(items):,} {noun}: " if noun else f"{len(items):,}: "
    return head + ", ".join(items[:LIST_SHOWN]) + f", … (+{len(items) - LIST_SHOWN:,})"


def _show(value: Any, col: Col, wide: bool) -> str:
    if col.kind == "pct" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return percent(value)
    if isinstance(value, (list, tuple)):
        return summary(value, col.noun, wide)
    if isinstance(value, dict):
        return summary([f"{k}={short_number(v)}" for k, v in value.items()], col.noun, wide)
    if col.kind == "text":
        return "" if value is None else str(value)
    return short_number(value)


def _fit(cells: list[list[str]], headers: list[str], width: int) -> list[tuple[int, bool]]:
    """Column widths that fit ``width`` without breaking a word: each column gets at least its longest word
    (header included); the room left goes to the columns whose lines are longer than that, always to the
    narrowest of them (short columns end on one line, long ones share the rest evenly). ``(width, cut)``
    per column: ``cut`` when even the longest word does not fit (that column's long words end in ``…``)."""
    n = len(headers)
    words = [max([len(w) for w in headers[j].split()] + [len(w) for row in cells for w in row[j].split()] + [1])
             for j in range(n)]
    lines = [max([len(headers[j])] + [len(row[j]) for row in cells] + [1]) for j in range(n)]
    room = width - (3 * n + 1)  # borders and padding of rich's default box
    sizes = list(words)
    cut = [False] * n
    while sum(sizes) > room and max(sizes) > 8:
        j = max(range(n), key=lambda k: (sizes[k], k))
        sizes[j] -= 1
        cut[j] = True
    want = [max(0, lines[j] - sizes[j]) for j in range(n)]
    for _ in range(max(0, room - sum(sizes))):  # the room left, a character at a time to the narrowest column
        wanting = [k for k in range(n) if want[k]]  # that wants more: short columns fit on one line, long ones
        if not wanting:                              # share what remains evenly
            break
        j = min(wanting, key=lambda k: (sizes[k], k))
        sizes[j] += 1
        want[j] -= 1
    return list(zip(sizes, cut, strict=True))


def to_table(rows: Sequence[Any], columns: Sequence[str | Col], title: str = "", *, wide: bool = False,
             width: int | None = None) -> Table:
    """A rich table of the given columns that fits ``width`` (default :func:`console_width`) without breaking
    an id or a header mid-word: lists summarised (all items with ``wide``), fractions of ``pct`` columns as
    percentages, numbers short, columns empty in every row left out. Markup in values is not interpreted.

    >>> from rich.console import Console
    >>> console = Console(width=60, color_system=None)
    >>> table = to_table([{"id": "dram", "users": ["pc", "server", "phone", "car"], "gap": None, "share": 0.5}],
    ...                  ["id", Col("users", noun="products"), "gap", Col("share", kind="pct")])
    >>> with console.capture() as out:
    ...     console.print(table)
    >>> print(out.get().splitlines()[3])
    │ dram │ 4 products: pc, server, phone, … (+1) │ 50.0% │
    """
    cols = [c if isinstance(c, Col) else Col(c) for c in columns]
    recs = records(rows)
    cells = [[_show(rec.get(c.key), c, wide) for c in cols] for rec in recs]
    keep = [j for j in range(len(cols)) if not recs or any(row[j] for row in cells)]
    cols = [cols[j] for j in keep]
    cells = [[row[j] for j in keep] for row in cells]
    headers = [c.header or c.key.replace("_", " ") for c in cols]  # headers wrap between words, not in one
    table = Table(title=title or None, show_lines=False)
    for header, (size, cut) in zip(headers, _fit(cells, headers, width or console_width()), strict=True):
        table.add_column(header, width=size, overflow="ellipsis" if cut else "fold")
    for row in cells:
        table.add_row(*row)
    return table


def _console() -> Console:
    return Console(markup=False, highlight=False, emoji=False, width=console_width())


def say(text: str) -> None:
    """Print a line of prose wrapped at the table width (notes under a table)."""
    _console().print(text)


def emit(rows: Sequence[Any], fmt: Format, columns: Sequence[str | Col], title: str = "", data: Any = None,
         csv_of: str | None = None, *, wide: bool = False) -> None:
    """Print rows in the chosen format (``data`` overrides the JSON payload; ``csv_of``: the command whose
    shipped schema gives the CSV columns, so an empty result still has its header; ``wide``: tables list in
    full)."""
    if fmt is Format.json:
        print(to_json(rows if data is None else data), end="")
    elif fmt is Format.csv:
        from chainmap.schemas import columns as schema_columns
        from chainmap.schemas import default_table

        print(to_csv(rows, schema_columns(csv_of, default_table(csv_of)) if csv_of else None), end="")
    else:
        console = _console()
        if not rows:
            console.print(f"{title}: none" if title else "none")
        else:
            if title:  # above the table, wrapped at the console's width (not squeezed into a narrow table's)
                console.print(title)
            console.print(to_table(rows, columns, wide=wide, width=console.width))
