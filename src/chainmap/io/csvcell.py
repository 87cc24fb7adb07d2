"""Spreadsheet-safe CSV cells: text that a spreadsheet would run as a formula gets a leading ``'``.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by Excel, LibreOffice and Google Sheets as a formula (``=cmd|' /C calc'!A0``,
``+HYPERLINK(...)``, ``@SUM(...)``). chainmap's CSV outputs prefix such *text*
cells with ``'`` (numbers are numbers: ``-0.5`` stays as it is); ``chainmap
--csv-formulas`` turns this off (docs/output-safety.md).

Examples
--------
>>> [safe_cell(v) for v in ["=1+1", "+HYPERLINK(x)", "@SUM(A1)", "-x", "plain", chr(9) + "Tab"]]
["'=1+1", "'+HYPERLINK(x)", "'@SUM(A1)", "'-x", 'plain', "'\\tTab"]
>>> safe_cell("=1+1", escape=False)
'=1+1'
"""

from __future__ import annotations

import math
import re

__all__ = ["FORMULA_START", "csv_line", "number_text", "safe_cell"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula."""


def number_text(value: float) -> str:
    """A float as chainmap's CSV and JSON write it: rounded to 10 places, NaN and infinity as an empty cell.

    >>> number_text(0.1 + 0.2), number_text(1e-7), number_text(float("nan"))
    ('0.3', '1e-07', '')
    """
    return "" if math.isnan(value) or math.isinf(value) else repr(round(value, 10))


def safe_cell(text: str, escape: bool = True) -> str:
    """``text`` with a leading ``'`` when it starts with one of :data:`FORMULA_START` (and ``escape``)."""
    return "'" + text if escape and text.startswith(FORMULA_START) else text


_QUOTE = (",", '"', "\n", "\r")
_NEEDS_QUOTES = re.compile("[" + re.escape("".join(_QUOTE)) + "]")


def csv_line(cells: list[str]) -> str:
    """One CSV record ending in ``\\n``: as :mod:`csv`'s minimal quoting, but a cell holding a lone carriage
    return is quoted too (``csv.writer`` with ``lineterminator="\\n"`` leaves it bare, and readers split the
    record there).

    >>> csv_line(["a", "b,c", "x" + chr(13) + "y", ""])
    'a,"b,c","x\\ry",\\n'
    >>> import csv, io
    >>> next(csv.reader(io.StringIO(csv_line(["x" + chr(13) + "y", "z", 'say "hi"']), newline="")))
    ['x\\ry', 'z', 'say "hi"']
    """
    if len(cells) == 1 and not cells[0]:
        return '""\n'
    search = _NEEDS_QUOTES.search
    return ",".join('"' + c.replace('"', '""') + '"' if search(c) else c for c in cells) + "\n"
