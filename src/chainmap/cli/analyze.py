"""Analysis commands: spof, cuts, bottlenecks, priorities, simulate, selfsufficiency."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
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
from chainmap.analysis.diff import RankChanges, diff
from chainmap.analysis.explain import Step, explain
from chainmap.analysis.lazyrows import LazyRows
from chainmap.analysis.scenario import LONG, Scenario
from chainmap.cli.common import (
    DEFAULT_HORIZON_TEXT,
    ForceOpt,
    FormatOpt,
    HomeOpt,
    HorizonOpt,
    KindOpt,
    LimitOpt,
    PathArg,
    QualifyOpt,
    ReachOpt,
    RemoveOpt,
    StructuralHorizonOpt,
    TargetOpt,
    TopOpt,
    WideOpt,
    errors_as_exit,
    example,
    prepare,
    scenario_of,
    scenario_title,
    screen,
    structural_note,
)
from chainmap.cli.machine import CsvFolderOpt, TableOpt, check_table, emit_tables
from chainmap.cli.output import CSV_ESCAPE, Col, Format, emit, percent, records, say, short_number, to_csv, to_json
from chainmap.cli.scale import progress_bar
from chainmap.cli.views import input_roots
from chainmap.errors import ScenarioError
from chainmap.graph import SupplyGraph
from chainmap.model.edit import parse_qualify, qualify_graph
from chainmap.schemas import columns


class Engine(StrEnum):
    core = "core"
    spark = "spark"


EngineOpt = Annotated[Engine, typer.Option("--engine", metavar="core|spark",
                                           help="core (igraph, this machine) or spark (Apache Spark; "
                                           "PATH a columnar folder or URI; pip install 'chainmap\\[spark]').")]
OutputDirOpt = Annotated[str | None, typer.Option("--output", "-o", metavar="PATH",
                                                  help="--engine spark: also write the result "
                                                  "(Parquet rows, JSON and CSV summary) to this folder or URI; "
                                                  "simulate --format csv: write components.csv and sectors.csv "
                                                  "into this folder.")]


def on_spark(command: str, path: Path, qualify: list[str] | None, scenario: Scenario, **options: Any) -> Any:
    """Run ``command`` with ``--engine spark`` (pyspark is imported only here)."""
    if qualify:
        raise ScenarioError("--qualify is not available with --engine spark")
    from chainmap.engines.spark.cli import run_command

    return run_command(command, str(path), scenario, **options)


def run_analysis(engine: Engine, command: str, path: Path, home: str | None, qualify: list[str] | None,
                 scenario_args: tuple[Any, Any, Any, str], output: str | None,
                 core: Callable[[SupplyGraph, Scenario], Any],
                 **spark_options: Any) -> tuple[Any, Scenario, SupplyGraph | None]:
    """Run one analysis on the chosen engine: ``(result, scenario, graph)`` (graph None on Spark).

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
    return core(graph, scenario), scenario, graph


def with_progress(label: str, work: Callable[[Callable[[int, int], None]], Any]) -> Any:
    """``work(progress)`` under a progress bar labelled ``label`` (stderr, only on a terminal)."""
    with progress_bar(label) as progress:
        return work(progress)


def no_output(output: str | None) -> None:
    """Refuse ``--output`` without ``--engine spark`` (the core prints its result; use ``--format``)."""
    if output is not None:
        raise ScenarioError("--output is for --engine spark (the core prints its result; use --format and redirect)")


class SpofFailOn(StrEnum):
    spof = "spof"


class BottleneckFailOn(StrEnum):
    bottleneck = "bottleneck"


SpofFailOnOpt = Annotated[SpofFailOn | None, typer.Option(
    "--fail-on", metavar="spof", help="Exit 1 when a single point of failure other than home itself is found (CI gate).")]
BottleneckFailOnOpt = Annotated[BottleneckFailOn | None, typer.Option(
    "--fail-on", metavar="bottleneck", help="Exit 1 when any foreign bottleneck is found (CI gate).")]


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
        say(note)


def _name(graph: SupplyGraph | None, node: str) -> str:
    """``node``'s name in ``graph`` ('' when unnamed, unknown or without a graph)."""
    if graph is None:
        return ""
    name = graph.name(node)  # the id itself when unknown (an id of the other graph in diff) or unnamed
    return "" if name == node else name


def _named(graph: SupplyGraph | None, nodes: Sequence[str]) -> list[str]:
    """``id (Name)`` for each node (the id alone when unnamed)."""
    return [f"{n} ({_name(graph, n)})" if _name(graph, n) else n for n in nodes]


def register(app: typer.Typer) -> None:
    """Add the analysis commands to ``app``."""
    app.command("spof", epilog=example("chainmap spof graphs/ --target 39 --kind country",
                                       "chainmap spof graphs/ --remove US --fail-on spof"))(spof_command)
    app.command("cuts", epilog=example("chainmap cuts graphs/ --target personal-computer --max-order 2"))(cuts_command)
    app.command("bottlenecks", epilog=example("chainmap bottlenecks graphs/ --threshold 0.5 --top 10",
                                              "chainmap bottlenecks graphs/ --candidates US --horizon 90d"))(
        bottlenecks_command)
    app.command("priorities", epilog=example("chainmap priorities graphs/ --top 10",
                                             "chainmap priorities graphs/ --remove US --weight gap=2"))(
        priorities_command)
    app.command("simulate", epilog=example("chainmap simulate graphs/ --remove US --horizon 1y --top 10",
                                           "chainmap simulate graphs/ --limit JP=0.5 --format json"))(simulate_command)
    app.command("selfsufficiency", epilog=example("chainmap selfsufficiency graphs/ --remove US"))(
        selfsufficiency_command)
    app.command("diff", epilog=example("chainmap diff graphs/ --qualify smee:duv-immersion-scanner=0.5",
                                       "chainmap diff last-year/ graphs/ --remove US"))(diff_command)
    app.command("explain", epilog=example("chainmap explain graphs/ beer --remove US --format tree"))(explain_command)


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
    top: TopOpt = None,
    wide: WideOpt = False,
    fmt: FormatOpt = Format.table,
    fail_on: SpofFailOnOpt = None,
    engine: EngineOpt = Engine.core,
    output: OutputDirOpt = None,
) -> None:
    """Single points of failure: nodes whose removal alone takes a product down (structural, horizon long).

    --fail-on spof exits 1 on any SPOF but home itself. With --engine spark: countries only.
    """
    with errors_as_exit():
        structural_note(horizon, "single points of failure")
        rows, scenario, graph = run_analysis(
            engine, "spof", path, home, qualify, (remove, limit, LONG, reach), output,
            lambda graph, s: single_points_of_failure(graph, target, kind, s), targets=target, kinds=kind)
        if graph is not None:
            home_id: str | None = graph.home
        else:  # Spark (countries only): home is the one domestic country
            home_id = next((r.node for r in rows if r.kind == "country" and not r.foreign), None)
        shown, note = screen(rows, top, fmt)
        emit(shown, fmt, ["node", "name", "kind", "country", "foreign", Col("targets", "products down", noun="products")],
             f"Single points of failure under: {scenario.describe()} (structural, horizon long, reach {reach})",
             csv_of="spof", wide=wide)
        _note(note)
    if fail_on is SpofFailOn.spof and any(r.node != home_id for r in rows):
        raise typer.Exit(1)


def cuts_command(
    path: PathArg,
    target: Annotated[str, typer.Option("--target", "-t", metavar="ID", help="Target component id.")],
    max_order: Annotated[int, typer.Option("--max-order", min=1, max=4, metavar="N", help="Largest cut set size.")] = 2,
    kind: KindOpt = None,
    home: HomeOpt = None,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: StructuralHorizonOpt = None,
    reach: ReachOpt = "location",
    qualify: QualifyOpt = None,
    top: TopOpt = None,
    wide: WideOpt = False,
    fmt: FormatOpt = Format.table,
    engine: EngineOpt = Engine.core,
    output: OutputDirOpt = None,
) -> None:
    """Minimal cut sets: smallest sets of nodes (default: countries) that take a target down (structural).

    With --engine spark: sets of countries only.
    """
    with errors_as_exit():
        structural_note(horizon, "minimal cut sets")
        rows, scenario, graph = run_analysis(
            engine, "cuts", path, home, qualify, (remove, limit, LONG, reach), output,
            lambda graph, s: with_progress("cut sets", lambda progress: cut_sets(
                graph, target, max_order, tuple(kind or ["country"]), s, progress=progress)),
            target=target, max_order=max_order, kinds=kind)
        shown, note = screen(rows, top, fmt)
        table_rows = [{**r, "nodes": _named(graph, r["nodes"])} for r in records(shown)] \
            if fmt is Format.table else shown
        emit(table_rows, fmt, ["order", Col("nodes", noun="nodes"), Col("kinds", noun="kinds"), "foreign"],
             f"Minimal cut sets of {target} under: {scenario.describe()} (structural, horizon long, reach {reach})",
             csv_of="cuts", wide=wide)
        _note(note)


def bottlenecks_command(
    path: PathArg,
    home: HomeOpt = None,
    threshold: Annotated[float | None, typer.Option(
        "--threshold", min=0.0, max=1.0, metavar="FRACTION", help="Minimum drop of a product's availability.")] = None,
    candidates: Annotated[list[str] | None, typer.Option(
        "--candidates", metavar="ID", help="Only try removing this node (repeatable).")] = None,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_TEXT,
    reach: ReachOpt = "location",
    qualify: QualifyOpt = None,
    top: TopOpt = None,
    wide: WideOpt = False,
    fmt: FormatOpt = Format.table,
    fail_on: BottleneckFailOnOpt = None,
    engine: EngineOpt = Engine.core,
    output: OutputDirOpt = None,
) -> None:
    """Foreign bottlenecks: foreign nodes whose loss hurts (per hit: drop and binding-chain length), and supply
    concentrated abroad.

    With --engine spark: removal rows of the given --candidates.
    """
    with errors_as_exit():
        rows, scenario, _ = run_analysis(
            engine, "bottlenecks", path, home, qualify, (remove, limit, horizon, reach), output,
            lambda graph, s: with_progress("bottlenecks", lambda progress: bottlenecks(
                graph, threshold=threshold, progress=progress, scenario=s, candidates=candidates)),
            candidates=candidates, threshold=threshold)
        if _stream(rows, top, fmt):
            pass
        elif fmt is Format.table:
            shown, note = screen(rows, top, fmt)
            emit([_bottleneck_row(b) for b in shown], fmt,
                 ["node", "name", "kind", "reason", "country", Col("max_drop", "max drop", "pct"), Col("hhi", kind="num"),
                  "leader", Col("leader_share", "leader share", "pct"),
                  Col("hits", "hits (drop, chain length)", noun="products")],
                 f"Foreign bottlenecks under: {scenario_title(scenario)}", wide=wide)
            _note(note)
        else:
            emit(screen(rows, top, fmt)[0], fmt, [], csv_of="bottlenecks")
    if fail_on is not None and rows:
        raise typer.Exit(1)


def priorities_command(
    path: PathArg,
    home: HomeOpt = None,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_TEXT,
    reach: ReachOpt = "location",
    weight: Annotated[list[str] | None, typer.Option(
        "--weight", metavar="FACTOR=W", help="Factor exponent: impact|exposure|gap|urgency=W (repeatable).")] = None,
    qualify: QualifyOpt = None,
    top: TopOpt = None,
    wide: WideOpt = False,
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
        shown, note = screen(rows, top, fmt)  # the core's rows are built only for what is shown
        table_rows = [_priority_row(p) for p in shown] if fmt is Format.table else shown
        emit(table_rows, fmt, ["rank", "id", "name", "sector", Col("score", kind="num"), Col("impact", kind="num"),
                               Col("exposure", kind="num"), Col("gap", kind="num"), Col("urgency", kind="num"),
                               Col("foreign_countries", "foreign countries", noun="countries"),
                               Col("best_alternative", "domestic alternative (readiness)", "text")],
             f"Substitution priorities under: {scenario_title(scenario)}", csv_of="priorities", wide=wide)
        _note(note)


SECTOR_COLUMNS: list[str | Col] = ["code", "name", "products", Col("baseline", kind="pct"), Col("availability", kind="pct"),
                  Col("impact", kind="pct")]
COMPONENT_COLUMNS: list[str | Col] = ["id", "name", "sector", Col("baseline", kind="pct"), Col("availability", kind="pct"),
                     Col("impact", kind="pct")]


def simulate_command(
    path: PathArg,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_TEXT,
    reach: ReachOpt = "location",
    home: HomeOpt = None,
    qualify: QualifyOpt = None,
    top: TopOpt = None,
    fmt: FormatOpt = Format.table,
    table: TableOpt = None,
    engine: EngineOpt = Engine.core,
    output: OutputDirOpt = None,
    force: ForceOpt = False,
) -> None:
    """Simulate a scenario: availability of every component and impact per sector.

    The table lists the sectors and the components hit, each sorted by impact (--top N rows of each).
    --format csv prints the components (--table sectors: the sectors); with --output FOLDER (engine core)
    it writes both, components.csv and sectors.csv.
    """
    with errors_as_exit():
        folder = Path(output) if output is not None and engine is Engine.core else None
        check_table("simulate", table, fmt, folder)
        result, scenario, _ = run_analysis(engine, "simulate", path, home, qualify, (remove, limit, horizon, reach),
                                           None if folder else output, simulate)
        if fmt is Format.csv:
            emit_tables("simulate", {"components": result.components, "sectors": result.sectors}, table, folder,
                        roots=input_roots(path), force=force)
        elif fmt is Format.table:
            sectors = sorted(result.sectors, key=lambda s: (-s.impact, s.code))
            shown, note = screen(sectors, top, fmt, "sector")
            emit(shown, fmt, SECTOR_COLUMNS, f"Sectors under: {scenario_title(scenario)}, by impact")
            _note(note)
            hit = result.hit_components()
            shown, note = screen(hit, top, fmt, "component")
            emit(shown, fmt, COMPONENT_COLUMNS, "Components hit, by impact")
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
    top: TopOpt = None,
    wide: WideOpt = False,
    fmt: FormatOpt = Format.table,
    table: TableOpt = None,
    output: CsvFolderOpt = None,
    force: ForceOpt = False,
) -> None:
    """Self-sufficiency: domestic share and chain autarky (every foreign source cut) per sector.

    A sector's domestic share is unknown when one of its products lists no supply mix (the table names them).
    --format csv prints the sectors (--table components: every component); -o FOLDER writes both.
    """
    with errors_as_exit():
        check_table("selfsufficiency", table, fmt, output)
        graph = prepare(path, home, qualify)
        scenario = scenario_of(remove, limit, graph, horizon, reach)
        result = self_sufficiency(graph, scenario=scenario)
        if fmt is Format.csv:
            emit_tables("selfsufficiency", {"sectors": result.sectors, "components": result.components}, table,
                        output, inputs=graph.files, roots=input_roots(path), force=force)
            return
        title = f"Self-sufficiency of {result.home} under: {scenario_title(scenario)}"
        if fmt is not Format.table:
            emit(result.sectors, fmt, [], title, data=result.to_dict() if fmt is Format.json else None)
            return
        no_mix = {c.id for c in result.components if c.domestic_share is None}
        rows = [{**records([s])[0], "domestic_share": s.domestic_share if s.domestic_share is not None else "unknown",
                 "no_mix": [p for p in graph.sectors[s.code].products if p in no_mix]} for s in result.sectors]
        shown, note = screen(rows, top, fmt, "sector")
        emit(shown, fmt, ["code", "name", Col("domestic_share", "domestic share", "pct"), Col("autarky", kind="pct"),
                          Col("no_mix", "products without a supply mix", noun="products")], title, wide=wide)
        _note(note)
        if any(r["no_mix"] for r in shown):
            say("unknown: a product of the sector lists no supply mix, so its domestic share (and the sector's "
                "value-weighted mean) is not known; autarky still counts it")


def _changed(before: float | None, after: float | None) -> bool:
    """A score changed at the precision shown (three significant digits), or appeared or vanished."""
    return before is None or after is None or short_number(before) != short_number(after)


def diff_command(
    before: PathArg,
    after: Annotated[Path | None, typer.Argument(metavar="PATH_AFTER",
                                                 help="Second graph (default: the first, with --qualify edits).")] = None,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_TEXT,
    reach: ReachOpt = "location",
    home: HomeOpt = None,
    qualify: QualifyOpt = None,
    top: TopOpt = None,
    wide: WideOpt = False,
    fmt: FormatOpt = Format.table,
    table: TableOpt = None,
    output: CsvFolderOpt = None,
    force: ForceOpt = False,
) -> None:
    """Compare two graphs, or one graph before and after --qualify: SPOFs, bottlenecks, ranks, sectors.

    The table lists the components whose own score changed; those that only shifted because others moved past
    them are counted (--format json lists every rank).
    --format csv prints the priority ranks (--table spof|bottlenecks|sectors: another table);
    -o FOLDER writes all four.
    """
    with errors_as_exit():
        check_table("diff", table, fmt, output)
        edits = [parse_qualify(item) for item in qualify or []]  # argument errors before any heavy work
        graph_a = prepare(before, home)
        scenario = scenario_of(remove, limit, graph_a, horizon, reach)
        graph_b = qualify_graph(graph_a if after is None else prepare(after, home), edits)  # ids checked first
        result = diff(graph_a, graph_b, scenario,
                      edited=[component for _, component, _ in edits] if after is None else None)
        if fmt is Format.json:
            print(to_json(result.to_dict()), end="")
            return
        if fmt is Format.csv:
            emit_tables("diff", {"spof": result.spof, "bottlenecks": result.bottlenecks,
                                 "priorities": result.priorities, "sectors": result.sectors}, table, output,
                        inputs=[*graph_a.files, *graph_b.files], roots=input_roots(before) + input_roots(after or before),
                        force=force)
            return

        def name(node: str) -> str:
            return _name(graph_b, node) or _name(graph_a, node)

        at = f"(horizon {result.horizon}, reach {result.reach})"
        shown, note = screen(result.spof, top, fmt)  # rows as dicts for what is shown only
        shown = [{**r, "name": name(r["node"])} for r in records(shown)]
        emit(shown, fmt, ["node", "name", "change", Col("targets_before", "products down before", noun="products"),
                          Col("targets_after", "products down after", noun="products")],
             f"Single points of failure (structural, horizon long, reach {result.reach})", wide=wide)
        _note(note)
        shown, note = screen(result.bottlenecks, top, fmt)
        shown = [{**r, "name": name(r["node"])} for r in records(shown)]
        emit(shown, fmt, ["node", "name", "reason", "change"], f"Bottlenecks {at}", wide=wide)
        _note(note)
        changed, shifted, most = _score_changes(result.priorities)
        moved = [{**r, "name": name(r["id"])} for r in records(changed)]  # rows built for the changed scores only
        shown, note = screen(moved, top, fmt)
        emit(shown, fmt, ["id", "name", Col("rank_before", "rank before"), Col("rank_after", "rank after"), "moved",
                          Col("score_before", "score before", "num"), Col("score_after", "score after", "num")],
             f"Priority ranks {at}: components whose score changed")
        _note(note)
        if shifted:
            say(f"{shifted:,} other component{'s' if shifted != 1 else ''} shifted by up to {most} "
                f"rank{'s' if most != 1 else ''} only because these moved (own score unchanged); "
                "--format json lists every rank")
        sector_rows = [{**r, "name": graph_b.sectors[r["code"]].name if r["code"] in graph_b.sectors else ""}
                       for r in records(result.sectors) if _sector_changed(r)]
        if not sector_rows:
            say(f"Sectors under: {scenario_title(scenario)}: no availability changed")
            return
        shown, note = screen(sector_rows, top, fmt, "sector")
        emit(shown, fmt, ["code", "name", Col("availability_before", "availability before", "pct"),
                          Col("availability_after", "availability after", "pct"), Col("change", kind="pct")],
             f"Sectors under: {scenario_title(scenario)}: availability changed")
        _note(note)
        if len(sector_rows) < len(result.sectors):
            say(f"{len(result.sectors) - len(sector_rows):,} other sectors unchanged")


def _score_changes(ranks: Sequence[Any]) -> tuple[list[Any], int, int]:
    """The rank changes whose score changed at the precision shown (:func:`_changed`), and how many others
    only shifted and by up to how many ranks. A columnar table (:class:`~chainmap.analysis.diff.RankChanges`)
    builds rows only for the rows whose score differs at all."""
    if not isinstance(ranks, RankChanges):
        changed = [p for p in ranks if _changed(p.score_before, p.score_after)]
        shifted = [p for p in ranks if not _changed(p.score_before, p.score_after)]
        return changed, len(shifted), max((abs(p.moved or 0) for p in shifted), default=0)
    unchanged = ranks.same_score()
    moves = ranks.moves()
    changed = []
    for i in np.flatnonzero(~unchanged).tolist():
        p = ranks[i]
        if _changed(p.score_before, p.score_after):
            changed.append(p)
        else:
            unchanged[i] = True
    most = int(moves[unchanged].max()) if unchanged.any() else 0
    return changed, int(unchanged.sum()), most


def _sector_changed(row: dict[str, Any]) -> bool:
    """A sector whose availability changed (or that is in one graph only)."""
    before, after = row.get("availability_before"), row.get("availability_after")
    return before is None or after is None or abs(after - before) > 1e-9


class ExplainFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    tree = "tree"


def explain_command(
    path: PathArg,
    target: Annotated[str, typer.Argument(metavar="ID", help="Component id to explain.", show_default=False)],
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_TEXT,
    reach: ReachOpt = "location",
    home: HomeOpt = None,
    qualify: QualifyOpt = None,
    fmt: Annotated[ExplainFormat, typer.Option("--format", "-f", metavar="table|json|tree",
                                               help="Output format.")] = ExplainFormat.table,
) -> None:
    """Why a component's availability is what it is: the binding chain down to the root causes."""
    with errors_as_exit():
        graph = prepare(path, home, qualify)
        scenario = scenario_of(remove, limit, graph, horizon, reach)
        result = explain(graph, target, scenario)
    if fmt is ExplainFormat.json:
        print(to_json(result.to_dict()), end="")
    elif fmt is ExplainFormat.csv:
        print(to_csv(result.steps, columns("explain", "steps")), end="")
    elif fmt is ExplainFormat.tree:
        print(result.tree())
    else:
        emit([_step_row(i, s) for i, s in enumerate(result.steps, 1)], Format.table,
             ["step", "component", "a", "base", "term", "binds", "F", "D", "D0", "R"],
             f"Binding chain of {target}{f' ({_name(graph, target)})' if _name(graph, target) else ''}: "
             f"{result.availability:.3f} (baseline {result.baseline:.3f}) "
             f"under {scenario_title(scenario)}")
        say(f"root causes: {', '.join(result.root_causes) or 'none'}")


def _priority_row(p: Any) -> dict[str, object]:
    """A priority for the table: the best domestic alternative with its readiness in one cell."""
    row = records([p])[0]
    if row.get("best_alternative"):
        ready = row.get("best_readiness")
        row["best_alternative"] += f" ({percent(ready)})" if ready is not None else ""
    return row


def _bottleneck_row(b: Bottleneck) -> dict[str, object]:
    """A bottleneck for the table: its hits, hardest first, each with its drop and binding-chain length."""
    row = records([b])[0]
    if b.reason == "removal":
        hits = sorted(b.hits, key=lambda h: (-b.drops.get(h, 0.0), h))
        row["hits"] = [f"{h} ({b.drops.get(h, 0.0):.0%}, {b.chain_lengths.get(h, 0)})" for h in hits]
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
