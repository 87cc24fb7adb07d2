"""Analysis commands: spof, cuts, bottlenecks, priorities, simulate, selfsufficiency."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from chainmap.analysis import (
    bottlenecks,
    cut_sets,
    priorities,
    self_sufficiency,
    simulate,
    single_points_of_failure,
)
from chainmap.analysis.diff import diff
from chainmap.cli.common import (
    HomeOpt,
    LimitOpt,
    PathArg,
    QualifyOpt,
    RemoveOpt,
    TopOpt,
    errors_as_exit,
    prepare,
    scenario_of,
)
from chainmap.cli.output import Format, emit, to_json
from chainmap.cli.scale import progress_bar
from chainmap.errors import ScenarioError

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


class FailOn(StrEnum):
    spof = "spof"
    bottleneck = "bottleneck"


FailOnOpt = Annotated[FailOn | None, typer.Option("--fail-on", help="Exit 1 when any is found (CI gate).")]
TargetOpt = Annotated[list[str] | None, typer.Option("--target", "-t", help="Target component id or sector code (repeatable; default: all products).")]
KindOpt = Annotated[list[str] | None, typer.Option("--kind", "-k", help="Node kind: country, supplier, component (repeatable).")]


def register(app: typer.Typer) -> None:
    """Add the analysis commands to ``app``."""
    app.command("spof")(spof_command)
    app.command("cuts")(cuts_command)
    app.command("bottlenecks")(bottlenecks_command)
    app.command("priorities")(priorities_command)
    app.command("simulate")(simulate_command)
    app.command("selfsufficiency")(selfsufficiency_command)
    app.command("diff")(diff_command)


def spof_command(
    path: PathArg,
    target: TargetOpt = None,
    kind: KindOpt = None,
    home: HomeOpt = None,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    qualify: QualifyOpt = None,
    top: TopOpt = None,
    fmt: FormatOpt = Format.table,
    fail_on: FailOnOpt = None,
) -> None:
    """Single points of failure: nodes whose removal alone takes a product down."""
    with errors_as_exit():
        graph = prepare(path, home, qualify)
        rows = single_points_of_failure(graph, target, kind, scenario_of(remove, limit, graph))
        emit(rows[:top] if top else rows, fmt, ["node", "kind", "name", "country", "foreign", "targets"],
             "Single points of failure")
    if fail_on is FailOn.spof and rows:
        raise typer.Exit(1)
    if fail_on is FailOn.bottleneck and any(r.foreign for r in rows):
        raise typer.Exit(1)


def cuts_command(
    path: PathArg,
    target: Annotated[str, typer.Option("--target", "-t", help="Target component id.")],
    max_order: Annotated[int, typer.Option("--max-order", min=1, max=4, help="Largest cut set size.")] = 2,
    kind: KindOpt = None,
    home: HomeOpt = None,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    qualify: QualifyOpt = None,
    top: TopOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Minimal cut sets: smallest sets of nodes (default: countries) that take a target down."""
    with errors_as_exit():
        graph = prepare(path, home, qualify)
        with progress_bar("cut sets") as progress:
            rows = cut_sets(graph, target, max_order, tuple(kind or ["country"]), scenario_of(remove, limit, graph),
                            progress=progress)
        emit(rows[:top] if top else rows, fmt, ["order", "nodes", "kinds", "foreign"], f"Minimal cut sets of {target}")


def bottlenecks_command(
    path: PathArg,
    home: HomeOpt = None,
    threshold: Annotated[float | None, typer.Option("--threshold", min=0.0, max=1.0, help="Minimum drop of a product's availability.")] = None,
    qualify: QualifyOpt = None,
    top: TopOpt = None,
    fmt: FormatOpt = Format.table,
    fail_on: FailOnOpt = None,
) -> None:
    """Foreign bottlenecks: foreign nodes whose loss hurts, and supply concentrated abroad."""
    with errors_as_exit():
        graph = prepare(path, home, qualify)
        with progress_bar("bottlenecks") as progress:
            rows = bottlenecks(graph, threshold=threshold, progress=progress)
        emit(rows[:top] if top else rows, fmt,
             ["node", "kind", "reason", "country", "max_drop", "hhi", "leader_share", "hits"], "Foreign bottlenecks")
    if fail_on is not None and rows:
        raise typer.Exit(1)


def priorities_command(
    path: PathArg,
    home: HomeOpt = None,
    weight: Annotated[list[str] | None, typer.Option("--weight", help="Factor exponent: impact|exposure|gap|urgency=W (repeatable).")] = None,
    qualify: QualifyOpt = None,
    top: TopOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Substitution priority: impact x exposure x gap x urgency, every factor shown."""
    with errors_as_exit():
        graph = prepare(path, home, qualify)
        weights: dict[str, float] = {}
        for item in weight or []:
            name, sep, value = item.partition("=")
            if not sep or name not in ("impact", "exposure", "gap", "urgency"):
                raise ScenarioError(f"--weight {item!r}: expected impact|exposure|gap|urgency=W")
            try:
                weights[name] = float(value)
            except ValueError:
                raise ScenarioError(f"--weight {item!r}: {value!r} is not a number") from None
        with progress_bar("priorities") as progress:
            rows = priorities(graph, weights=weights or None, top=top, progress=progress)
        emit(rows, fmt, ["rank", "id", "sector", "score", "impact", "exposure", "gap", "urgency",
                         "foreign_countries", "best_alternative"], "Substitution priorities")


def simulate_command(
    path: PathArg,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    home: HomeOpt = None,
    qualify: QualifyOpt = None,
    top: TopOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Simulate a scenario: availability of every component and impact per sector."""
    with errors_as_exit():
        graph = prepare(path, home, qualify)
        result = simulate(graph, scenario_of(remove, limit, graph))
        if fmt is Format.table:
            hit = sorted([c for c in result.components if c.impact > 0], key=lambda c: (-c.impact, c.id))
            emit(result.sectors, fmt, ["code", "name", "baseline", "availability", "impact"],
                 f"Sectors under: {result.scenario}")
            emit(hit[:top] if top else hit, fmt, ["id", "sector", "baseline", "availability", "impact"],
                 "Components hit")
        else:
            emit(result.components, fmt, ["id", "sector", "baseline", "availability", "impact"],
                 data=result.to_dict())


def selfsufficiency_command(
    path: PathArg,
    home: HomeOpt = None,
    qualify: QualifyOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Self-sufficiency: domestic share and chain autarky per sector (and component)."""
    with errors_as_exit():
        graph = prepare(path, home, qualify)
        result = self_sufficiency(graph)
        emit(result.sectors, fmt, ["code", "name", "domestic_share", "autarky"],
             f"Self-sufficiency of {result.home}", data=result.to_dict() if fmt is Format.json else None)


def diff_command(
    before: PathArg,
    after: Annotated[Path | None, typer.Argument(help="Second graph (default: the first, with --qualify edits).")] = None,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    home: HomeOpt = None,
    qualify: QualifyOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Compare two graphs, or one graph before and after --qualify: SPOFs, bottlenecks, ranks, sectors."""
    with errors_as_exit():
        graph_a = prepare(before, home)
        graph_b = prepare(after or before, home, qualify)
        result = diff(graph_a, graph_b, scenario_of(remove, limit, graph_a))
        if fmt is Format.json:
            print(to_json(result.to_dict()), end="")
            return
        emit(result.spof, fmt, ["node", "change", "targets_before", "targets_after"], "Single points of failure")
        emit(result.bottlenecks, fmt, ["node", "reason", "change"], "Bottlenecks")
        emit(result.priorities, fmt, ["id", "rank_before", "rank_after", "moved", "score_before", "score_after"],
             "Priority ranks")
        emit(result.sectors, fmt, ["code", "availability_before", "availability_after", "change"],
             f"Sectors under: {result.scenario}")
