"""Analysis commands: spof, cuts, bottlenecks, priorities, simulate, selfsufficiency."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from chainmap.analysis import (
    bottlenecks,
    cut_sets,
    priorities,
    self_sufficiency,
    simulate,
    single_points_of_failure,
)
from chainmap.analysis.bottlenecks import Bottleneck
from chainmap.analysis.diff import diff
from chainmap.analysis.explain import Step, explain
from chainmap.analysis.lazyrows import LazyRows
from chainmap.analysis.scenario import LONG, Scenario
from chainmap.cli.common import (
    DEFAULT_HORIZON_TEXT,
    HomeOpt,
    HorizonOpt,
    LimitOpt,
    PathArg,
    QualifyOpt,
    ReachOpt,
    RemoveOpt,
    StructuralHorizonOpt,
    errors_as_exit,
    prepare,
    scenario_of,
    scenario_title,
    structural_note,
)
from chainmap.cli.output import CSV_ESCAPE, Format, emit, records, to_json
from chainmap.cli.scale import progress_bar
from chainmap.errors import ScenarioError
from chainmap.graph import SupplyGraph

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


class Engine(StrEnum):
    core = "core"
    spark = "spark"


EngineOpt = Annotated[Engine, typer.Option("--engine", help="core (igraph, this machine) or spark (Apache Spark; "
                                           "PATH a columnar folder or URI; pip install 'chainmap[spark]').")]
OutputDirOpt = Annotated[str | None, typer.Option("--output", help="--engine spark: also write the result "
                                                  "(Parquet rows, JSON and CSV summary) to this folder or URI.")]


def on_spark(command: str, path: Path, qualify: list[str] | None, scenario: Scenario, **options: Any) -> Any:
    """Run ``command`` with ``--engine spark`` (pyspark is imported only here)."""
    if qualify:
        raise ScenarioError("--qualify is not available with --engine spark")
    from chainmap.engines.spark.cli import run_command

    return run_command(command, str(path), scenario, **options)


def run_analysis(engine: Engine, command: str, path: Path, home: str | None, qualify: list[str] | None,
                 scenario_args: tuple[Any, Any, Any, str], output: str | None,
                 core: Callable[[SupplyGraph, Scenario], Any], **spark_options: Any) -> tuple[Any, Scenario, str | None]:
    """Run one analysis on the chosen engine: ``(result, scenario, home id)`` (home None on Spark).

    ``scenario_args`` are ``(remove, limit, horizon, reach)``; ``core(graph, scenario)`` is the core's call,
    ``spark_options`` go to :func:`chainmap.engines.spark.cli.run_command`.
    """
    remove, limit, horizon, reach = scenario_args
    if engine is Engine.spark:
        scenario = scenario_of(remove, limit, None, horizon, reach)
        return on_spark(command, path, qualify, scenario, home=home, output=output, **spark_options), scenario, None
    no_output(output)
    graph = prepare(path, home, qualify)
    scenario = scenario_of(remove, limit, graph, horizon, reach)
    return core(graph, scenario), scenario, graph.home


def with_progress(label: str, work: Callable[[Callable[[int, int], None]], Any]) -> Any:
    """``work(progress)`` under a progress bar labelled ``label``."""
    with progress_bar(label) as progress:
        return work(progress)


def no_output(output: str | None) -> None:
    """Refuse ``--output`` without ``--engine spark`` (the core prints its result; use ``--format``)."""
    if output is not None:
        raise ScenarioError("--output is for --engine spark (the core prints its result; use --format and redirect)")


class FailOn(StrEnum):
    spof = "spof"
    bottleneck = "bottleneck"


SCREEN_ROWS = 25
"""Rows a table shows unless ``--top`` says otherwise (JSON and CSV print every row)."""
TableTopOpt = Annotated[int | None, typer.Option(
    "--top", min=0, help=f"Show only the first N rows (tables: {SCREEN_ROWS} unless given; 0: all rows).")]


def _screen(rows: Sequence[Any], top: int | None, fmt: Format) -> tuple[list[Any], str | None]:
    """The rows to print and, for a table cut to a screenful by default, a note saying how many more exist."""
    limit = top if top is not None else (SCREEN_ROWS if fmt is Format.table else 0)
    if not limit or len(rows) <= limit:
        return list(rows), None
    more = len(rows) - limit
    note = None if top is not None else (f"... {more:,} more row{'s' if more != 1 else ''}: "
                                         f"--top 0 shows all, --format csv or json prints all")
    return list(rows[:limit]), note


def _stream(rows: Any, top: int | None, fmt: Format) -> bool:
    """CSV or JSON of a columnar result (issue 15): streamed from its columns, no row objects; False when
    ``rows`` is not columnar or the format is a table (then the caller prints as before)."""
    if fmt is Format.table:
        return False
    if top:
        rows = rows[:top]
    if not isinstance(rows, LazyRows):
        return False
    for piece in rows.iter_csv(CSV_ESCAPE["on"]) if fmt is Format.csv else rows.iter_json():
        sys.stdout.write(piece)
    return True


def _note(note: str | None) -> None:
    if note:
        print(note)


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
    app.command("explain")(explain_command)


def spof_command(
    path: PathArg,
    target: TargetOpt = None,
    kind: KindOpt = None,
    home: HomeOpt = None,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: StructuralHorizonOpt = None,
    reach: ReachOpt = "location",
    qualify: QualifyOpt = None,
    top: TableTopOpt = None,
    fmt: FormatOpt = Format.table,
    fail_on: FailOnOpt = None,
    engine: EngineOpt = Engine.core,
    output: OutputDirOpt = None,
) -> None:
    """Single points of failure: nodes whose removal alone takes a product down (structural, horizon long).

    ``--fail-on spof`` ignores home itself; ``--fail-on bottleneck`` fails on a foreign SPOF only.
    With ``--engine spark``: countries only.
    """
    with errors_as_exit():
        structural_note(horizon, "single points of failure")
        rows, scenario, home_id = run_analysis(
            engine, "spof", path, home, qualify, (remove, limit, LONG, reach), output,
            lambda graph, s: single_points_of_failure(graph, target, kind, s), targets=target, kinds=kind)
        if home_id is None:  # Spark (countries only): home is the one domestic country
            home_id = next((r.node for r in rows if r.kind == "country" and not r.foreign), None)
        shown, note = _screen(rows, top, fmt)
        emit(shown, fmt, ["node", "kind", "name", "country", "foreign", "targets"],
             f"Single points of failure under: {scenario.describe()} (structural, horizon long, reach {reach})")
        _note(note)
    if fail_on is FailOn.spof and any(r.node != home_id for r in rows):
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
    horizon: StructuralHorizonOpt = None,
    reach: ReachOpt = "location",
    qualify: QualifyOpt = None,
    top: TableTopOpt = None,
    fmt: FormatOpt = Format.table,
    engine: EngineOpt = Engine.core,
    output: OutputDirOpt = None,
) -> None:
    """Minimal cut sets: smallest sets of nodes (default: countries) that take a target down (structural).
    With ``--engine spark``: sets of countries only."""
    with errors_as_exit():
        structural_note(horizon, "minimal cut sets")
        rows, scenario, _ = run_analysis(
            engine, "cuts", path, home, qualify, (remove, limit, LONG, reach), output,
            lambda graph, s: with_progress("cut sets", lambda progress: cut_sets(
                graph, target, max_order, tuple(kind or ["country"]), s, progress=progress)),
            target=target, max_order=max_order, kinds=kind)
        shown, note = _screen(rows, top, fmt)
        emit(shown, fmt, ["order", "nodes", "kinds", "foreign"],
             f"Minimal cut sets of {target} under: {scenario.describe()} (structural, horizon long, reach {reach})")
        _note(note)


def bottlenecks_command(
    path: PathArg,
    home: HomeOpt = None,
    threshold: Annotated[float | None, typer.Option("--threshold", min=0.0, max=1.0, help="Minimum drop of a product's availability.")] = None,
    candidates: Annotated[list[str] | None, typer.Option("--candidates", help="Only try removing this node (repeatable).")] = None,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_TEXT,
    reach: ReachOpt = "location",
    qualify: QualifyOpt = None,
    top: TableTopOpt = None,
    fmt: FormatOpt = Format.table,
    fail_on: FailOnOpt = None,
    engine: EngineOpt = Engine.core,
    output: OutputDirOpt = None,
) -> None:
    """Foreign bottlenecks: foreign nodes whose loss hurts (per hit: drop and binding-chain length), and supply
    concentrated abroad. With ``--engine spark``: removal rows of the given ``--candidates``."""
    with errors_as_exit():
        rows, scenario, _ = run_analysis(
            engine, "bottlenecks", path, home, qualify, (remove, limit, horizon, reach), output,
            lambda graph, s: with_progress("bottlenecks", lambda progress: bottlenecks(
                graph, threshold=threshold, progress=progress, scenario=s, candidates=candidates)),
            candidates=candidates, threshold=threshold)
        if _stream(rows, top, fmt):
            pass
        elif fmt is Format.table:
            shown, note = _screen(rows, top, fmt)
            emit([_bottleneck_row(b) for b in shown], fmt,
                 ["node", "kind", "reason", "country", "max_drop", "hhi", "leader_share", "hits (drop/chain length)"],
                 f"Foreign bottlenecks under: {scenario_title(scenario)}")
            _note(note)
        else:
            emit(_screen(rows, top, fmt)[0], fmt, [])
    if fail_on is not None and rows:
        raise typer.Exit(1)


def priorities_command(
    path: PathArg,
    home: HomeOpt = None,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_TEXT,
    reach: ReachOpt = "location",
    weight: Annotated[list[str] | None, typer.Option("--weight", help="Factor exponent: impact|exposure|gap|urgency=W (repeatable).")] = None,
    qualify: QualifyOpt = None,
    top: TableTopOpt = None,
    fmt: FormatOpt = Format.table,
    engine: EngineOpt = Engine.core,
    output: OutputDirOpt = None,
) -> None:
    """Substitution priority: impact x exposure x gap x urgency, every factor shown."""
    with errors_as_exit():
        weights: dict[str, float] = {}
        for item in weight or []:
            name, sep, value = item.partition("=")
            if not sep or name not in ("impact", "exposure", "gap", "urgency"):
                raise ScenarioError(f"--weight {item!r}: expected impact|exposure|gap|urgency=W")
            try:
                weights[name] = float(value)
            except ValueError:
                raise ScenarioError(f"--weight {item!r}: {value!r} is not a number") from None
            if not 0 <= weights[name] <= 10:  # NaN and inf fail too
                raise ScenarioError(f"--weight {item!r}: must be a finite number in [0, 10]")
        rows, scenario, _ = run_analysis(
            engine, "priorities", path, home, qualify, (remove, limit, horizon, reach), output,
            lambda graph, s: with_progress("priorities", lambda progress: priorities(
                graph, weights=weights or None, top=top or None, progress=progress, scenario=s)),
            weights=weights or None, top=top or None)
        if _stream(rows, top, fmt):
            return
        shown, note = _screen(rows, top, fmt)  # the core's rows are built only for what is shown
        emit(shown, fmt, ["rank", "id", "sector", "score", "impact", "exposure", "gap", "urgency",
                          "foreign_countries", "best_alternative"],
             f"Substitution priorities under: {scenario_title(scenario)}")
        _note(note)


def simulate_command(
    path: PathArg,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_TEXT,
    reach: ReachOpt = "location",
    home: HomeOpt = None,
    qualify: QualifyOpt = None,
    top: TableTopOpt = None,
    fmt: FormatOpt = Format.table,
    engine: EngineOpt = Engine.core,
    output: OutputDirOpt = None,
) -> None:
    """Simulate a scenario: availability of every component and impact per sector."""
    with errors_as_exit():
        result, scenario, _ = run_analysis(engine, "simulate", path, home, qualify, (remove, limit, horizon, reach),
                                           output, simulate)
        if fmt is Format.table:
            hit = result.hit_components()
            emit(result.sectors, fmt, ["code", "name", "baseline", "availability", "impact"],
                 f"Sectors under: {scenario_title(scenario)}")
            shown, note = _screen(hit, top, fmt)
            emit(shown, fmt, ["id", "sector", "baseline", "availability", "impact"], "Components hit")
            _note(note)
        elif fmt is Format.json:
            sys.stdout.writelines(result.iter_json())
        elif not _stream(result.components, None, fmt):
            emit(result.components, fmt, ["id", "sector", "baseline", "availability", "impact"],
                 data=result.to_dict())


def selfsufficiency_command(
    path: PathArg,
    home: HomeOpt = None,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_TEXT,
    reach: ReachOpt = "location",
    qualify: QualifyOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Self-sufficiency: domestic share and chain autarky (every foreign source cut) per sector."""
    with errors_as_exit():
        graph = prepare(path, home, qualify)
        scenario = scenario_of(remove, limit, graph, horizon, reach)
        result = self_sufficiency(graph, scenario=scenario)
        emit(result.sectors, fmt, ["code", "name", "domestic_share", "autarky"],
             f"Self-sufficiency of {result.home} under: {scenario_title(scenario)}",
             data=result.to_dict() if fmt is Format.json else None)


def diff_command(
    before: PathArg,
    after: Annotated[Path | None, typer.Argument(help="Second graph (default: the first, with --qualify edits).")] = None,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_TEXT,
    reach: ReachOpt = "location",
    home: HomeOpt = None,
    qualify: QualifyOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Compare two graphs, or one graph before and after --qualify: SPOFs, bottlenecks, ranks, sectors."""
    with errors_as_exit():
        graph_a = prepare(before, home)
        graph_b = prepare(after or before, home, qualify)
        scenario = scenario_of(remove, limit, graph_a, horizon, reach)
        result = diff(graph_a, graph_b, scenario)
        if fmt is Format.json:
            print(to_json(result.to_dict()), end="")
            return
        at = f"(horizon {result.horizon}, reach {result.reach})"
        emit(result.spof, fmt, ["node", "change", "targets_before", "targets_after"],
             f"Single points of failure (structural, horizon long, reach {result.reach})")
        emit(result.bottlenecks, fmt, ["node", "reason", "change"], f"Bottlenecks {at}")
        emit(result.priorities, fmt, ["id", "rank_before", "rank_after", "moved", "score_before", "score_after"],
             f"Priority ranks {at}")
        emit(result.sectors, fmt, ["code", "availability_before", "availability_after", "change"],
             f"Sectors under: {scenario_title(scenario)}")


class ExplainFormat(StrEnum):
    table = "table"
    json = "json"
    tree = "tree"


def explain_command(
    path: PathArg,
    target: Annotated[str, typer.Argument(help="Component id to explain.", show_default=False)],
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_TEXT,
    reach: ReachOpt = "location",
    home: HomeOpt = None,
    qualify: QualifyOpt = None,
    fmt: Annotated[ExplainFormat, typer.Option("--format", "-f", help="Output format.")] = ExplainFormat.table,
) -> None:
    """Why a component's availability is what it is: the binding chain down to the root causes."""
    with errors_as_exit():
        graph = prepare(path, home, qualify)
        scenario = scenario_of(remove, limit, graph, horizon, reach)
        result = explain(graph, target, scenario)
    if fmt is ExplainFormat.json:
        print(to_json(result.to_dict()), end="")
    elif fmt is ExplainFormat.tree:
        print(result.tree())
    else:
        emit([_step_row(i, s) for i, s in enumerate(result.steps, 1)], Format.table,
             ["step", "component", "a", "base", "term", "binds", "F", "D", "D0", "R"],
             f"Binding chain of {target}: {result.availability:.3f} (baseline {result.baseline:.3f}) "
             f"under {scenario_title(scenario)}")
        print(f"root causes: {', '.join(result.root_causes) or 'none'}")


def _bottleneck_row(b: Bottleneck) -> dict[str, object]:
    """A bottleneck for the table: each hit with its drop and binding-chain length."""
    row = records([b])[0]
    if b.reason == "removal":
        row["hits (drop/chain length)"] = [f"{h} {b.drops.get(h, 0.0):.2f}/{b.chain_lengths.get(h, 0)}"
                                           for h in b.hits]
    else:
        row["hits (drop/chain length)"] = b.hits
    return row


def _step_row(i: int, s: Step) -> dict[str, object]:
    """One table row of a binding-chain step: what binds and the numbers."""
    if s.term == "requirement":
        binds = f"{s.via} ({s.role}, share {s.share:g}, k {s.k:.3g}) f={s.f:.3f}"
    else:
        binds = ", ".join(s.causes)
    return {"step": i, "component": s.component, "a": round(s.availability, 3), "base": round(s.baseline, 3),
            "term": s.term, "binds": binds, "F": round(s.foreign, 3), "D": round(s.domestic, 3),
            "D0": round(s.domestic_share, 3), "R": round(s.requirement_limit, 3)}
