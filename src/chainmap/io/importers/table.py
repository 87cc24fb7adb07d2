"""Reading a dataset's CSV table with row numbers and clear one-line errors."""

from __future__ import annotations

import csv
from pathlib import Path

from chainmap.errors import GraphFileError, Problem

__all__ = ["read_rows"]


def read_rows(table: Path, required: set[str]) -> tuple[dict[str, str], list[tuple[int, dict[str, str]]]]:
    """Rows of ``table`` as ``(line, row)`` pairs, and its header names (stripped -> as written).

    Raises GraphFileError when the file cannot be read or lacks a ``required`` column.
    """
    try:
        with table.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = {f.strip(): f for f in reader.fieldnames or []}
            missing = required - set(fields)
            if missing:
                raise GraphFileError([Problem(str(table), 1, "", f"missing columns: {', '.join(sorted(missing))}")])
            return fields, list(enumerate(reader, start=2))
    except OSError as exc:
        raise GraphFileError([Problem(str(table), 0, "", f"cannot read: {exc.strerror or exc}")]) from None
    except UnicodeDecodeError as exc:
        raise GraphFileError([Problem(str(table), 0, "", f"not UTF-8 text (byte {exc.start})")]) from None
