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
    QualifyOpt,
    ReachOpt,
    RemoveOpt,
    errors_as_exit,
    example,
    prepare,
    scenario_of,
)
from chainmap.cli.scale import stages
from chainmap.errors import OutputError, UsageError

OutFileOpt = Annotated[Path, typer.Option("--output", "-o", metavar="PATH", help="Output file.", show_default=False)]
StreamFileOpt = Annotated[str, typer.Option("--output", "-o", metavar="PATH",
                                            help="Output file (- for standard output).", show_default=False)]


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
    app.command("render", epilog=example("chainmap render graphs/ -o view.html",
                                         "chainmap render graphs/ -o us.html --remove US --focus beer"))(render_command)
    app.command("report", epilog=example("chainmap report graphs/ -o out/"))(report_command)
    app.command("export", epilog=example("chainmap export graphs/ -f graphml -o chains.graphml",
                                         "chainmap export graphs/ -f csv -o tables/"))(export_command)


def render_command(
    path: PathArg,
    output: OutFileOpt,
    sector: Annotated[str | None, typer.Option("--sector", metavar="CODE", help="Show one sector (code) in detail.")] = None,
    focus: Annotated[str | None, typer.Option("--focus", metavar="ID", help="Show the neighbourhood of this node id.")] = None,
    depth: Annotated[int, typer.Option("--depth", min=0, max=50, metavar="N", help="Steps up- and downstream of --focus.")] = 2,
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_TEXT,
    reach: ReachOpt = "location",
    home: HomeOpt = None,
    qualify: QualifyOpt = None,
    max_nodes: Annotated[int, typer.Option("--max-nodes", min=1, metavar="N",
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
        with stages("render") as step:
            step("loading the graph")
            graph = prepare(path, home, qualify)
            check_output(output, graph.files, force, input_roots(path))
            scenario = scenario_of(remove, limit, graph, horizon, reach)
            step("computing the scenarios and writing the page" if scenarios else "writing the page")
            out = render_html(graph, output, sector=sector, focus=focus, depth=depth, scenario=scenario,
                              max_nodes=max_nodes, scenarios=scenarios, max_embed=max_embed)
    print(f"wrote {out}")


def report_command(
    path: PathArg,
    output: Annotated[Path, typer.Option("--output", "-o", metavar="PATH",
                                         help="Output folder (index.html and graph.html).",
                                         show_default=False)],
    remove: RemoveOpt = None,
    limit: LimitOpt = None,
    horizon: HorizonOpt = DEFAULT_HORIZON_TEXT,
    reach: ReachOpt = "location",
    home: HomeOpt = None,
    qualify: QualifyOpt = None,
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
        with stages("report") as step:
            step("loading the graph")
            graph = prepare(path, home, qualify)
            deny_file = quality_files(path)[0]
            deny = load_deny_hosts(deny_file) if deny_file.is_file() else ()
            scenario = scenario_of(remove, limit, graph, horizon, reach)
            step("analysing and writing the pages")
            with OutputSet(pages, graph.files, force, input_roots(path)) as staged:
                render_report(graph, staged.folder, scenario, deny_hosts=deny)
        out = pages[0]
    print(f"wrote {out}")


def export_command(
    path: PathArg,
    output: StreamFileOpt,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", metavar="graphml|gexf|cytoscape|csv|json", help="Exchange format.")] = ExportFormat.graphml,
    home: HomeOpt = None,
    table: Annotated[str | None, typer.Option(
        "--table", metavar="NAME", show_default=False,
        help="--format csv -o -: print this table (nodes or edges) to standard output.")] = None,
    force: ForceOpt = False,
) -> None:
    """Export the graph with analysis results as node attributes (GraphML, GEXF, Cytoscape.js, CSV, JSON).

    CSV writes two files, STEM.nodes.csv and STEM.edges.csv beside -o STEM.csv (or nodes.csv and edges.csv
    inside -o when it is a folder), as a set. -o - writes the other formats, or one CSV table
    (--table nodes or edges), to standard output.
    """
    from chainmap.cli.output import CSV_ESCAPE

    with errors_as_exit():
        from chainmap.io.exporters import CSV_TABLES, export, write_csv_table, write_export

        if table is not None and (fmt is not ExportFormat.csv or output != "-"):
            raise UsageError("--table is for --format csv -o - (a file output writes both tables)")
        if table is not None and table not in CSV_TABLES:
            raise UsageError(f"--table {table!r}: export has the tables {', '.join(CSV_TABLES)}")
        if output == "-" and fmt is ExportFormat.csv and table is None:
            raise OutputError("-o - (standard output) takes one stream: not the two files of --format csv "
                              "(--table nodes or --table edges prints one)")
        with stages("export") as step:
            step("loading the graph")
            graph = prepare(path, home)
            step(f"analysing and writing {fmt.value}")
            if output == "-":
                if table is not None:
                    write_csv_table(graph, table, sys.stdout, CSV_ESCAPE["on"])
                else:
                    write_export(graph, fmt.value, sys.stdout)
                return
            written = export(graph, output, fmt.value, force=force, roots=input_roots(path),
                             csv_escape=CSV_ESCAPE["on"])
    for item in written:
        print(f"wrote {item}")
