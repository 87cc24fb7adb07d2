"""Options and helpers shared by the CLI commands."""

from __future__ import annotations

import errno
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import click
import typer

from chainmap.analysis.scenario import DEFAULT_HORIZON, REACHES, Scenario, format_horizon, parse_horizon
from chainmap.api import load
from chainmap.cli.output import Format
from chainmap.errors import ChainmapError, ScenarioError
from chainmap.graph import SupplyGraph
from chainmap.model.edit import parse_qualify, qualify_graph

# The option set of every analysis, declared once (each command lists the ones that mean something to it).
PathArg = Annotated[Path, typer.Argument(help="Graph folder (read recursively) or one graph file.", show_default=False,
                                         metavar="PATH")]
HomeOpt = Annotated[str | None, typer.Option(
    "--home", metavar="CC", help="Point of view (ISO country code); default from the graph (CN).")]
RemoveOpt = Annotated[list[str] | None, typer.Option(
    "--remove", metavar="ID", help="Remove a country, bloc, supplier or component (repeatable).")]
LimitOpt = Annotated[list[str] | None, typer.Option(
    "--limit", metavar="ID=FRACTION", help="Limit a node to a fraction of its capacity (repeatable).")]
QualifyOpt = Annotated[list[str] | None, typer.Option(
    "--qualify", metavar="SUPPLIER:COMPONENT=SHARE",
    help="What-if: make SUPPLIER supply SHARE of COMPONENT (repeatable).")]
HorizonOpt = Annotated[str, typer.Option(
    "--horizon", metavar="DAYS|long", help="Time horizon: long, days (90), or 90d, 6m, 1y, 2y.", show_default=True)]
ReachOpt = Annotated[str, typer.Option(
    "--reach", metavar="location|owner",
    help="Cutting a country cuts the suppliers located there (location) or also those it owns (owner).")]
StructuralHorizonOpt = Annotated[str | None, typer.Option(
    "--horizon", metavar="DAYS|long", help="Accepted for symmetry: this analysis is structural (always horizon long).",
    show_default=False)]
DEFAULT_HORIZON_TEXT = format_horizon(DEFAULT_HORIZON)
ForceOpt = Annotated[bool, typer.Option(
    "--force", help="Overwrite files chainmap did not write (never devices, links or the graph's own files).")]
SCREEN_ROWS = 25
"""Rows a table shows unless ``--top`` says otherwise (JSON and CSV print every row)."""
TopOpt = Annotated[int | None, typer.Option(
    "--top", min=0, metavar="N", help=f"Show only the first N rows (tables: {SCREEN_ROWS} unless given; 0: all rows).")]
WideOpt = Annotated[bool, typer.Option(
    "--wide", help="Tables: list every item of a list cell (default: the count and the first few).")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", metavar="table|json|csv", help="Output format.")]
TargetOpt = Annotated[list[str] | None, typer.Option(
    "--target", "-t", metavar="ID", help="Target component id or sector code (repeatable; default: all products).")]
KindOpt = Annotated[list[str] | None, typer.Option(
    "--kind", "-k", metavar="KIND", help="Node kind: country, supplier, component (repeatable).")]


def screen(rows: Sequence[Any], top: int | None, fmt: Format, what: str = "row") -> tuple[list[Any], str | None]:
    """The rows to print and, for a table cut to a screenful by default, a note saying how many more exist.

    ``top`` None: a table shows :data:`SCREEN_ROWS` rows, JSON and CSV all; 0: all rows; N: the first N.
    """
    limit = top if top is not None else (SCREEN_ROWS if fmt is Format.table else 0)
    if not limit or len(rows) <= limit:
        return list(rows), None
    more = len(rows) - limit
    note = None if top is not None else (f"... {more:,} more {what}{'s' if more != 1 else ''}: "
                                         f"--top 0 shows all, --format csv or json prints all")
    return list(rows[:limit]), note


def example(*lines: str) -> str:
    """A help epilog: ``Example:`` and the command lines (shown under a command's ``--help``)."""
    return "Example:\n" + "\n".join(f"  {line}" for line in lines)


F = TypeVar("F", bound=Callable[..., Any])


MAX_ERROR_LINES = 50
"""Most ``error:`` lines one failure prints (the rest are counted)."""
MAX_LINE_CHARS = 1000
"""Longest ``error:`` line (longer ones are cut)."""
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def clean(message: str) -> str:
    """``message`` on one line, safe for a terminal: whitespace runs become one space, other control characters
    (escape sequences) are shown as ``\\xNN``, and it is cut at :data:`MAX_LINE_CHARS`.

    >>> clean("bad key '\\x1b[31mred'\\n  here")
    "bad key '\\\\x1b[31mred' here"
    """
    text = " ".join(message.split())
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return text if len(text) <= MAX_LINE_CHARS else text[: MAX_LINE_CHARS - 3] + "..."


def print_errors(lines: list[str], prefix: str = "error") -> None:
    """Print ``prefix: line`` for each line (escaped, at most :data:`MAX_ERROR_LINES`) on stderr."""
    for line in lines[:MAX_ERROR_LINES]:
        print(f"{prefix}: {clean(line)}", file=sys.stderr)
    if len(lines) > MAX_ERROR_LINES:
        print(f"{prefix}: ... and {len(lines) - MAX_ERROR_LINES} more problems", file=sys.stderr)


def fail(message: str) -> typer.Exit:
    """Print a one-line error and return the exit (code 2) to raise."""
    print_errors([message])
    return typer.Exit(2)


def stdout_failed(exc: OSError) -> int:
    """One line for a standard output that cannot be written (EPIPE, ENOSPC, closed); return exit code 2.

    Standard output is pointed at /dev/null first, so nothing more reaches the broken stream (and Python's
    exit-time flush stays quiet)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    print_errors([f"cannot write standard output: {exc.strerror or exc}"])
    return 2


DEBUG = {"on": False}
"""Set by ``chainmap --debug``: internal errors show their traceback."""


def internal_error(exc: BaseException) -> typer.Exit:
    """Print ``internal error: TYPE: message`` (and the traceback under ``--debug``); return exit 70."""
    if DEBUG["on"]:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    print_errors([f"{type(exc).__name__}: {exc} (a bug in chainmap; --debug shows the traceback)"],
                 "internal error")
    return typer.Exit(INTERNAL_ERROR)


INTERNAL_ERROR = 70
"""Exit code of an internal error (EX_SOFTWARE)."""


@contextmanager
def errors_as_exit() -> Iterator[None]:
    """Turn ChainmapError (and OS errors: the environment, not a bug) into one-line messages and exit 2;
    anything else is an internal error (exit 70)."""
    try:
        yield
    except ChainmapError as exc:
        print_errors(exc.lines())
        raise typer.Exit(2) from None
    except OSError as exc:
        if exc.errno == errno.EPIPE:  # standard output closed by the reader
            raise typer.Exit(stdout_failed(exc)) from None
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        raise fail(f"cannot access{where}: {exc.strerror or exc}") from None
    except MemoryError:
        raise fail("out of memory") from None
    except RecursionError:
        raise fail("input nested too deeply") from None
    except (typer.Exit, typer.Abort, click.ClickException):
        raise
    except Exception as exc:
        raise internal_error(exc) from None


def prepare(path: Path, home: str | None = None, qualify_items: list[str] | None = None) -> SupplyGraph:
    """Load a graph, set home, apply --qualify edits (their syntax checked before the load, their ids right
    after it; an array-backed graph is edited in its arrays, :func:`~chainmap.model.edit.qualify_graph`)."""
    edits = [parse_qualify(item) for item in qualify_items or []]
    graph = load(path, home=home)
    return qualify_graph(graph, edits)


def scenario_of(remove: list[str] | None, limit: list[str] | None, graph: SupplyGraph | None = None,
                horizon: str | float = DEFAULT_HORIZON, reach: str = "location") -> Scenario:
    """Build and check a scenario from --remove, --limit, --horizon and --reach (ScenarioError if bad)."""
    scenario = Scenario.parse(remove or [], limit or [], horizon=horizon, reach=check_reach(reach))
    if graph is not None:
        from chainmap.analysis.scenario import capacities

        capacities(graph, scenario)  # raises ScenarioError on unknown ids
    return scenario


def check_reach(reach: str) -> str:
    """``reach`` if it is one of :data:`REACHES`, else a ScenarioError (one-line error, exit 2)."""
    if reach not in REACHES:
        raise ScenarioError(f"--reach {reach!r}: expected one of {', '.join(REACHES)}")
    return reach


def structural_note(horizon: str | None, what: str) -> None:
    """Check a --horizon given to a structural analysis and say on stderr that it is computed at horizon long."""
    if horizon is None:
        return
    parse_horizon(horizon)  # a bad value is still an error
    print(f"note: {what} are structural: computed at horizon long (--horizon {horizon} ignored)", file=sys.stderr)


def scenario_title(scenario: Scenario) -> str:
    """``remove US (horizon 1y, reach location)`` for table titles."""
    return f"{scenario.describe()} (horizon {format_horizon(scenario.horizon)}, reach {scenario.reach})"


def with_scenario(data: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
    """``data`` with ``horizon`` and ``reach`` (and ``scenario`` if absent) at the top level."""
    out = {"scenario": scenario.describe(), "horizon": format_horizon(scenario.horizon), "reach": scenario.reach}
    out.update(data)
    return out
