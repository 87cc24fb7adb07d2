"""Result tables whose rows are built only when read (the columnar results of the fast paths).

A subclass holds its columns and defines ``__len__`` and ``__getitem__``; this base gives iteration,
equality with any sequence of the same rows (a list of the dataclass rows, say), a short repr, and
writers that stream the table as CSV or JSON text (:meth:`LazyRows.iter_csv`, :meth:`LazyRows.iter_json`)
from its columns, without building a row object per row (a subclass with columns overrides
:meth:`LazyRows.column_values`; the default reads the rows). The text is the CLI's ``--format csv``
and ``--format json`` output: lists joined by ``;`` and mappings as ``k=v;...`` in CSV, floats as
``%.6g`` in CSV and rounded to 10 places in JSON (NaN and infinities as ``null``), text cells that a
spreadsheet would run as formulas prefixed with ``'`` (:func:`chainmap.io.csvcell.safe_cell`).

Examples
--------
>>> class Squares(LazyRows[int]):
...     def __len__(self) -> int:
...         return 3
...     def __getitem__(self, i):
...         return [0, 1, 4][i]
>>> rows = Squares()
>>> list(rows), rows == [0, 1, 4], rows
([0, 1, 4], True, Squares(3 rows))
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Row:
...     id: str
...     share: float
...     hits: list[str]
>>> class Rows(LazyRows[Row]):
...     fields = ("id", "share", "hits")
...     def __len__(self) -> int:
...         return 2
...     def __getitem__(self, i):
...         return [Row("=x", 0.5, ["a", "b"]), Row("y", float("nan"), [])][i]
>>> print("".join(Rows().iter_csv()), end="")
id,share,hits
'=x,0.5,a;b
y,,
>>> print("".join(Rows().iter_json()), end="")
[
  {
    "id": "=x",
    "share": 0.5,
    "hits": [
      "a",
      "b"
    ]
  },
  {
    "id": "y",
    "share": null,
    "hits": []
  }
]
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, get_args

import numpy as np

from chainmap.io.csvcell import FORMULA_START, csv_line, number_text, safe_cell

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LazyRows", "ResultList", "csv_cells", "json_cells", "json_ready", "json_value", "stream_csv",
           "stream_json_records"]

RowT = TypeVar("RowT")
_CHUNK = 8192
"""Rows formatted together (columns are formatted a chunk at a time: bounded memory)."""


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, (list, tuple)):
        try:
            return ";".join(value)  # a list of text (ids): as is
        except TypeError:
            return ";".join(_flat(v) for v in value)
    if isinstance(value, Mapping):
        parts = []
        for k, v in value.items():  # the usual values (floats, ints) without the general dispatch
            t = type(v)
            if t is float:
                parts.append(f"{k}={repr(round(v, 10)) if v - v == 0.0 else ''}")  # number_text: finite or ''
            elif t is int:
                parts.append(f"{k}={v}")
            else:
                parts.append(f"{k}={_flat(v)}")
        return ";".join(parts)
    return str(value)


def csv_cells(values: Sequence[Any] | np.ndarray, escape: bool = True) -> list[str]:
    """CSV cells of one column: numbers as numbers, text (lists and mappings too) escaped for spreadsheets.

    >>> csv_cells([0.5, None, "-x", ["a", "b"], True]), csv_cells(np.array([1.0, 1e-7]))
    (['0.5', '', "'-x", 'a;b', 'True'], ['1.0', '1e-07'])
    """
    if isinstance(values, np.ndarray):
        if values.dtype.kind == "f":
            return _number_texts(values.tolist())
        if values.dtype.kind in "iub":
            return [str(v) for v in values.tolist()]
        values = values.tolist()
    if values and all(type(v) is list for v in values):  # lists of ids (hits): joined as they are
        try:
            return [safe_cell(";".join(v), escape) for v in values]
        except TypeError:
            pass
    if values and all(type(v) is str for v in values):  # text (ids, names, kinds): checked at once
        if not escape or not _FORMULA_AT_START.search("\x00" + "\x00".join(values)):
            return list(values)
        return [safe_cell(v, escape) for v in values]
    if values and all(type(v) is dict and not v for v in values):  # empty mappings (drops of a concentration)
        return [""] * len(values)
    out: list[str] = []
    for value in values:
        if isinstance(value, str):
            out.append(safe_cell(value, escape))
        elif isinstance(value, float):
            out.append(number_text(value))
        elif value is None or isinstance(value, (bool, int)):
            out.append("" if value is None else str(value))
        else:
            out.append(safe_cell(_flat(value), escape))
    return out


_FORMULA_AT_START = re.compile("\x00[" + re.escape("".join(FORMULA_START)) + "]")
"""A cell of a ``NUL``-joined column that starts like a formula (a ``NUL`` inside a cell can only add a false
alarm: then every cell is checked on its own)."""


def _number_texts(values: list[float]) -> list[str]:
    """:func:`number_text` of each value, each distinct value formatted once (a column often repeats a
    few values: 0.0, shares, HHIs; ``-0.0 == 0.0`` but their texts differ: zeros go by their sign)."""
    memo: dict[float, str] = {}
    zero, negative_zero = number_text(0.0), number_text(-0.0)
    out = []
    for v in values:
        if not v:
            out.append(negative_zero if math.copysign(1.0, v) < 0 else zero)
            continue
        text = memo.get(v)
        if text is None:
            text = memo[v] = number_text(v)
        out.append(text)
    return out


def json_ready(value: Any) -> Any:
    """``value`` as chainmap's JSON writes it: floats rounded to 10 places, NaN and infinity as null, mapping
    keys as text (nested lists and mappings too).

    >>> json_ready({1: [0.1 + 0.2, float("nan")]})
    {'1': [0.3, None]}
    """
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, 10)
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    return value


def json_value(value: Any, depth: int) -> str:
    """``value`` as ``json.dumps(indent=2)`` writes it nested ``depth`` levels deep (floats rounded to 10
    places, NaN and infinities as ``null``).

    >>> json_value({"a": [1, 2.123456789012]}, 1)
    '{\\n    "a": [\\n      1,\\n      2.123456789\\n    ]\\n  }'
    """
    text = json.dumps(json_ready(value), indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * depth) if depth and "\n" in text else text


def json_cells(values: Sequence[Any] | np.ndarray, depth: int) -> list[str]:
    """JSON texts of one column (:func:`json_value`), fast for numeric arrays and plain scalars."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind == "f":
            return ["null" if math.isnan(v) or math.isinf(v) else repr(round(v, 10)) for v in values.tolist()]
        if values.dtype.kind == "b":
            return ["true" if v else "false" for v in values.tolist()]
        if values.dtype.kind in "iu":
            return [str(v) for v in values.tolist()]
        values = values.tolist()
    encode = json.JSONEncoder(ensure_ascii=False).encode
    out: list[str] = []
    for value in values:
        if isinstance(value, str):
            out.append(encode(value))
        elif value is None:
            out.append("null")
        elif isinstance(value, bool):
            out.append("true" if value else "false")
        elif isinstance(value, int):
            out.append(str(value))
        elif isinstance(value, float):
            out.append("null" if math.isnan(value) or math.isinf(value) else repr(round(value, 10)))
        else:
            out.append(json_value(value, depth))
    return out


_QUOTE = (",", '"', "\n", "\r")


def _quoted(cells: list[str]) -> list[str]:
    """The cells as :func:`~chainmap.io.csvcell.csv_line` writes them (quoted where they hold a comma, a
    quote or a line break); a column without any is checked in one pass."""
    joined = "\x00".join(cells)
    if not any(q in joined for q in _QUOTE):
        return cells
    return ['"' + c.replace('"', '""') + '"' if any(q in c for q in _QUOTE) else c for c in cells]


def stream_csv(names: Sequence[str], chunks: Iterable[Mapping[str, Sequence[Any] | np.ndarray]],
               escape: bool = True) -> Iterator[str]:
    """CSV text (header, then one record per row) from column chunks (``{name: values}``, equal lengths)."""
    yield csv_line(list(names))
    for chunk in chunks:
        if len(names) == 1:  # a lone empty cell is written '""' (csv_line): row by row
            yield "".join(csv_line([c]) for c in csv_cells(chunk[names[0]], escape))
            continue
        cells = [_quoted(csv_cells(chunk[name], escape)) for name in names]
        if cells and cells[0]:
            yield "\n".join(map(",".join, zip(*cells, strict=True))) + "\n"


def stream_json_records(names: Sequence[str], chunks: Iterable[Mapping[str, Sequence[Any] | np.ndarray]],
                        depth: int = 0) -> Iterator[str]:
    """A JSON array of records (``json.dumps(indent=2)``'s text, nested ``depth`` levels deep) from column
    chunks; no trailing newline."""
    pad = "  " * depth
    keys = [f"{pad}    {json.dumps(name, ensure_ascii=False)}: " for name in names]
    first = True
    for chunk in chunks:
        cells = [json_cells(chunk[name], depth + 2) for name in names]
        parts = []
        for row in zip(*cells, strict=True):
            body = ",\n".join(k + v for k, v in zip(keys, row, strict=True))
            parts.append(("[\n" if first else ",\n") + f"{pad}  {{\n{body}\n{pad}  }}")
            first = False
        if parts:
            yield "".join(parts)
    yield "[]" if first else f"\n{pad}]"


class LazyRows(Sequence[RowT]):
    """A read-only sequence of result rows built on access (subclasses give ``__len__``/``__getitem__``)."""

    fields: tuple[str, ...] = ()
    """The row dataclass's field names, in order (the CSV and JSON columns)."""

    def __iter__(self) -> Iterator[RowT]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or len(other) != len(self):
            return False
        return all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} rows)"

    def row_type(self) -> type | None:
        """The row class (from ``class X(LazyRows[Row])``), or None."""
        for base in getattr(type(self), "__orig_bases__", ()):
            args = get_args(base)
            if args and isinstance(args[0], type):
                return args[0]
        return None

    def to_dataframe(self) -> pd.DataFrame:
        """One row per result row, one column per field of the row type (pandas:
        ``pip install 'chainmap[dataframe]'``).

        >>> import chainmap
        >>> df = chainmap.priorities(chainmap.load("tests/data/mini")).to_dataframe()
        >>> df[["rank", "id"]].values.tolist()[0], df["score"].dtype.kind
        ([1, 'scanner'], 'f')
        """
        from chainmap.dataframes import frame

        return frame(self, self.row_type())


    def column_values(self, start: int, stop: int) -> dict[str, Sequence[Any] | np.ndarray]:
        """Rows ``start:stop`` as columns ``{field: values}`` (default: read from the rows; subclasses
        holding columns give them directly)."""
        rows = [self[i] for i in range(start, stop)]
        return {name: [getattr(r, name) for r in rows] for name in self.fields}

    def _chunks(self, chunk: int) -> Iterator[dict[str, Sequence[Any] | np.ndarray]]:
        for start in range(0, len(self), chunk):
            yield self.column_values(start, min(len(self), start + chunk))

    def iter_csv(self, escape: bool = True, chunk: int = _CHUNK) -> Iterator[str]:
        """The table as CSV text in pieces (header first); ``escape``: prefix formula-like text with ``'``."""
        return stream_csv(self.fields, self._chunks(chunk), escape)

    def iter_json(self, chunk: int = _CHUNK) -> Iterator[str]:
        """The table as a JSON array of records in pieces, as ``json.dumps(indent=2)`` writes it, with a
        final newline."""
        yield from stream_json_records(self.fields, self._chunks(chunk))
        yield "\n"


class ResultList(list[RowT]):
    """A list of result rows that knows its row type: ``to_dataframe()`` gives a DataFrame with one column
    per field, empty or not (pandas: ``pip install 'chainmap[dataframe]'``). It is a plain ``list`` otherwise.

    >>> from chainmap.analysis.cuts import CutSet
    >>> rows = ResultList([], CutSet)
    >>> rows == [], rows.row_type.__name__
    (True, 'CutSet')
    """

    def __init__(self, rows: Iterable[RowT] = (), row_type: type | None = None) -> None:
        super().__init__(rows)
        self.row_type = row_type

    def to_dataframe(self) -> pd.DataFrame:
        """One row per result row, one column per field of the row type."""
        from chainmap.dataframes import frame

        return frame(self, self.row_type)
