"""``chainmap generate``: synthetic firm-level networks in the columnar form."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from chainmap.cli.common import ForceOpt, errors_as_exit


class ColumnarFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


def register(app: typer.Typer) -> None:
    """Add the scale commands to ``app``."""
    app.command("generate")(generate_command)


def generate_command(
    components: Annotated[int, typer.Option("--components", "-n", min=10, help="Number of components.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the tables to.")],
    seed: Annotated[int, typer.Option("--seed", "-s", help="Random seed (same seed, same network).")] = 0,
    fmt: Annotated[ColumnarFormat, typer.Option("--format", help="Table format.")] = ColumnarFormat.csv,
    force: ForceOpt = False,
) -> None:
    """Generate a realistic tiered supply network (columnar tables, docs/columnar-format.md).

    The folder must be new, empty or an earlier ``generate`` output (else ``--force``); the tables replace
    the old ones as a set (docs/output-safety.md).
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from chainmap.io.generate import check_generate_target, write_generated

    with errors_as_exit():
        check_generate_target(output, force)
    with errors_as_exit(), Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                                    transient=True) as bar:
        task = bar.add_task("generating", total=1.0)

        def progress(step: str, fraction: float) -> None:
            bar.update(task, completed=fraction, description=f"generating: {step}")

        written = write_generated(output, components, seed, fmt.value, progress, force=force)
    print(f"wrote {output}: {components} components in {len(written)} tables")


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr, as a ``progress(done, total)`` callback for the library's long analyses.

    Usage in a command: ``with progress_bar("priorities") as progress: priorities(graph, progress=progress)``.
    The bar is transient and only drawn on a terminal.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield progress
