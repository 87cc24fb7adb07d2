"""View commands: render, report, export (HTML views and exchange formats)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from chainmap.cli.common import (
    DEFAULT_HORIZON_TEXT,
    ForceOpt,
    HomeOpt,
    HorizonOpt,
    LimitOpt,
    PathArg,
    ReachOpt,
    RemoveOpt,
    errors_as_exit,
    prepare,
    scenario_of,
)
from chainmap.errors import OutputError

OutFileOpt = Annotated[Path, typer.Option("--output", "-o", help="Output file.", show_default=False)]
StreamFileOpt = Annotated[str, typer.Option("--output", "-o", help="Output file (- for standard output).",
                                            show_default=False)]


def input_roots(path: Path) -> list[Path]:
    """The input graph folder (outputs the next load of it would read are refused)."""
    return [path] if path.is_dir() else []


class ExportFormat(StrEnum):
    graphml = "graphml"
    gexf = "gexf"
    cytoscape = "cytoscape"
    csv = "csv"
    json = "json"


def register(app: typer.Typer) -> None:
    """Add the view commands to ``app``."""
    app.command("render")(render_command)
    app.command("report")(report_command)
    app.command("export")(export_command)


def render_command(
    path: PathArg,
    output: OutFileOpt,
    sector: Annotated[str | None, typer.Option("--sector", help="Show one sector (code) in detail.")] = None,
    focus: Annotated[str | None, typer.Option("--focus", help="Show the neighbourhood of this node id.")] = None,
    depth: Annotated[int, typer.Option("--depth", min=0, max=50, help="Steps up- and downstream of --focus.")] = 2,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_TEXT,
    reach: ReachOpt = "location",
    home: HomeOpt = None,
    max_nodes: Annotated[int, typer.Option("--max-nodes", min=1,
                                           help="Above this many nodes, offer no drawing of the whole graph "
                                                "(overview, divisions and neighbourhoods only).")] = 2000,
    scenarios: Annotated[bool, typer.Option("--scenarios/--no-scenarios",
                                            help="Precompute the standard scenarios for the page's selector.")] = True,
    max_embed: Annotated[int, typer.Option("--max-embed", min=1,
                                           help="Above this many nodes, the whole-graph page is aggregated: "
                                                "divisions count every component, a selection is embedded.")
                         ] = 200_000,
    force: ForceOpt = False,
) -> None:
    """Write an interactive HTML view (one self-contained file that opens offline).

    The page opens on the divisions; #ID in its address focuses a node. It carries the standard scenarios
    (each foreign country and bloc at 90d, 1y and long) for its scenario selector; with --remove/--limit
    it opens on that scenario and shows each lowered component's binding chain.
    """
    with errors_as_exit():
        from chainmap.io.atomic import check_output
        from chainmap.render.html import render_html

        check_output(output, (), force, input_roots(path))
        graph = prepare(path, home)
        check_output(output, graph.files, force, input_roots(path))
        scenario = scenario_of(remove, limit, graph, horizon, reach)
        out = render_html(graph, output, sector=sector, focus=focus, depth=depth, scenario=scenario,
                          max_nodes=max_nodes, scenarios=scenarios, max_embed=max_embed)
    print(f"wrote {out}")


def report_command(
    path: PathArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder (index.html and graph.html).",
                                         show_default=False)],
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_TEXT,
    reach: ReachOpt = "location",
    home: HomeOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write the report page (priorities, exposure, SPOFs, scenarios, data quality) and the graph view.

    The two pages are staged in a temporary sibling folder and renamed into place together.
    """
    with errors_as_exit():
        from chainmap.cli.quality import quality_files
        from chainmap.io.atomic import OutputSet, check_output
        from chainmap.model.quality import load_deny_hosts
        from chainmap.render.report import render_report

        if output.is_symlink() or (output.exists() and not output.is_dir()):
            raise OutputError(f"report output {output} is not a folder; give a folder")
        pages = [output / "index.html", output / "graph.html"]
        for page in pages:
            check_output(page, (), force, input_roots(path))
        graph = prepare(path, home)
        deny_file = quality_files(path)[0]
        deny = load_deny_hosts(deny_file) if deny_file.is_file() else ()
        scenario = scenario_of(remove, limit, graph, horizon, reach)
        with OutputSet(pages, graph.files, force, input_roots(path)) as staged:
            render_report(graph, staged.folder, scenario, deny_hosts=deny)
        out = pages[0]
    print(f"wrote {out}")


def export_command(
    path: PathArg,
    output: StreamFileOpt,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Exchange format.")] = ExportFormat.graphml,
    home: HomeOpt = None,
    force: ForceOpt = False,
) -> None:
    """Export the graph with analysis results as node attributes (GraphML, GEXF, Cytoscape.js, CSV, JSON).

    CSV writes two files: ``STEM.nodes.csv`` and ``STEM.edges.csv`` beside ``-o STEM.csv``
    (or ``nodes.csv`` and ``edges.csv`` inside ``-o`` when it is a folder), as a set.
    ``-o -`` writes the other formats to standard output.
    """
    from chainmap.cli.output import CSV_ESCAPE

    with errors_as_exit():
        from chainmap.io.exporters import export, write_export

        if output == "-":
            if fmt is ExportFormat.csv:
                raise OutputError("-o - (standard output) takes one stream: not the two files of --format csv")
            graph = prepare(path, home)
            write_export(graph, fmt.value, sys.stdout)
            return
        graph = prepare(path, home)
        written = export(graph, output, fmt.value, force=force, roots=input_roots(path),
                         csv_escape=CSV_ESCAPE["on"])
    for item in written:
        print(f"wrote {item}")
