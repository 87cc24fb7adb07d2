"""Machine-readable output of the commands with several tables: one table per CSV (docs/machine-output.md).

``--format csv`` prints one table (the command's main one, or ``--table NAME``); ``--format csv -o FOLDER``
writes every table as ``FOLDER/NAME.csv``, as a set, through the checked write path
(:class:`chainmap.io.atomic.OutputSet`). Each table's columns are its row type's properties in the shipped
JSON Schema (:mod:`chainmap.schemas`), so ``chainmap.read_csv`` knows their dtypes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from chainmap.analysis.lazyrows import LazyRows
from chainmap.cli.output import CSV_ESCAPE, Format, to_csv
from chainmap.errors import UsageError
from chainmap.schemas import columns, csv_tables, default_table

__all__ = ["CsvFolderOpt", "TableOpt", "check_table", "emit_tables"]

LABELS = {"quality": "validate --quality"}
"""How a schema name is spelt on the command line, where it differs."""
TableOpt = Annotated[str | None, typer.Option(
    "--table", metavar="NAME", show_default=False,
    help="--format csv: print this table (one table per CSV; default the main one; docs/machine-output.md).")]
CsvFolderOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", metavar="FOLDER", show_default=False,
    help="--format csv: write every table into FOLDER, one NAME.csv each.")]


def check_table(command: str, table: str | None, fmt: Format, folder: Path | None = None) -> str:
    """The table to print: ``table`` if ``command`` has it, else its default; a one-line UsageError for an
    unknown name, or for ``--table``/``--output`` without ``--format csv``."""
    names = list(csv_tables(command))
    label = LABELS.get(command, command)
    if (table is not None or folder is not None) and fmt is not Format.csv:
        given = "--table" if table is not None else "--output"
        raise UsageError(f"{given} is for --format csv (the {', '.join(names)} tables)")
    if table is None:
        return default_table(command)
    if table not in names:
        raise UsageError(f"--table {table!r}: {label} has the tables {', '.join(names)}")
    return table


def emit_tables(command: str, tables: Mapping[str, Sequence[Any]], table: str | None, folder: Path | None = None,
                *, inputs: Iterable[str | Path] = (), roots: Iterable[str | Path] = (), force: bool = False) -> None:
    """Print one CSV table of ``command`` or, with ``folder``, write them all (``NAME.csv`` each, as a set)."""
    name = check_table(command, table, Format.csv, folder)
    missing = set(csv_tables(command)) - set(tables)
    assert not missing, f"{command}: tables {missing} not given"
    if folder is None:
        rows, cols = tables[name], columns(command, name)
        if isinstance(rows, LazyRows) and list(rows.fields) == list(cols):  # streamed from the columns
            sys.stdout.writelines(rows.iter_csv(CSV_ESCAPE["on"]))
        else:
            print(to_csv(rows, cols), end="")
        return
    from chainmap.io.atomic import OutputSet, register_csv_header

    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--output {folder}: not a folder (--format csv writes one file per table into it)")
    chosen = [table] if table is not None else list(csv_tables(command))
    texts = {n: to_csv(tables[n], columns(command, n)) for n in chosen}
    for text in texts.values():  # chainmap's own tables: a later run may replace them
        register_csv_header(text.split("\n", 1)[0])
    targets = {n: folder / f"{n}.csv" for n in chosen}
    with OutputSet(targets.values(), inputs, force, roots) as out:
        for n, target in targets.items():
            out.stage(target).write_text(texts[n], encoding="utf-8")
    for target in targets.values():
        print(f"wrote {target}")
