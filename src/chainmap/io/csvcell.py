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

__all__ = ["FORMULA_START", "safe_cell"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula."""


def safe_cell(text: str, escape: bool = True) -> str:
    """``text`` with a leading ``'`` when it starts with one of :data:`FORMULA_START` (and ``escape``)."""
    return "'" + text if escape and text.startswith(FORMULA_START) else text
