"""``chainmap generate``: synthetic firm-level networks in the columnar form."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Protocol

import typer

from chainmap.cli.common import ForceOpt, errors_as_exit, example


class ColumnarFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


def register(app: typer.Typer) -> None:
    """Add the scale commands to ``app``."""
    app.command("generate", epilog=example("chainmap generate -n 100000 -o big/ --seed 1"))(generate_command)


def generate_command(
    components: Annotated[int, typer.Option("--components", "-n", min=10, metavar="N", help="Number of components.")],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="PATH", help="Folder to write the tables to.")],
    seed: Annotated[int, typer.Option("--seed", "-s", metavar="N", help="Random seed (same seed, same network).")] = 0,
    fmt: Annotated[ColumnarFormat, typer.Option("--format", metavar="csv|parquet", help="Table format.")] = ColumnarFormat.csv,
    force: ForceOpt = False,
) -> None:
    """Generate a realistic tiered supply network (columnar tables, docs/columnar-format.md).

    The folder must be new, empty or an earlier generate output (else --force); the tables replace
    the old ones as a set (docs/output-safety.md).
    """
    from chainmap.io.generate import check_generate_target, write_generated

    with errors_as_exit():
        check_generate_target(output, force)
    with errors_as_exit(), progress_bar("generating") as bar:

        def progress(step: str, fraction: float) -> None:
            bar(round(fraction * 1000), 1000, f"generating: {step}")

        written = write_generated(output, components, seed, fmt.value, progress, force=force)
    print(f"wrote {output}: {components} components in {len(written)} tables")


class Bar(Protocol):
    """The callback :func:`progress_bar` yields: ``bar(done, total)``, or ``bar(done, total, description)``."""

    def __call__(self, done: int, total: int, description: str | None = None) -> None: ...


@contextmanager
def progress_bar(description: str) -> Iterator[Bar]:
    """A rich progress bar on stderr, as a ``progress(done, total)`` callback for the library's long analyses.

    Usage in a command: ``with progress_bar("priorities") as progress: priorities(graph, progress=progress)``.
    The bar is transient and drawn only when stderr is a terminal (silent when piped or captured).
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=None)

        def progress(done: int, total: int, description: str | None = None) -> None:
            if description is None:
                bar.update(task, completed=done, total=total)
            else:
                bar.update(task, completed=done, total=total, description=description)

        yield progress


@contextmanager
def stages(label: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr naming the stage a long command is in, as a ``step("writing")`` callback.

    For the commands whose library calls report no progress of their own (import, export, render, report):
    the stage and the elapsed time, drawn only when stderr is a terminal (silent when piped or captured).
    """
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(label, total=None)

        def step(what: str) -> None:
            bar.update(task, description=f"{label}: {what}")

        yield step
