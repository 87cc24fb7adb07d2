"""Commands about graph files themselves: validate and schema."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from chainmap.cli.common import ForceOpt, FormatOpt, HomeOpt, PathArg, TopOpt, errors_as_exit, example, screen
from chainmap.cli.machine import CsvFolderOpt, TableOpt, check_table, emit_tables
from chainmap.cli.output import Col, Format, emit, say, to_json
from chainmap.model.coverage import graph_coverage


def register(app: typer.Typer) -> None:
    app.command("validate", epilog=example("chainmap validate graphs/", "chainmap validate graphs/ --quality --check"))(
        validate_command)
    app.command("schema", epilog=example("chainmap schema -o graph.schema.json"))(schema_command)


def validate_command(
    path: PathArg,
    home: HomeOpt = None,
    fmt: FormatOpt = Format.table,
    top: TopOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors (exit 2).")] = False,
    quality: Annotated[bool, typer.Option(
        "--quality", help="Print the data-quality report (methods, ages, equal splits, denied sources).")] = False,
    check: Annotated[bool, typer.Option(
        "--check", help="With --quality: exit 1 listing every threshold crossed.")] = False,
    thresholds: Annotated[Path | None, typer.Option(
        "--thresholds", metavar="PATH", help="Threshold file (default PATH/quality/thresholds.yaml).", show_default=False)] = None,
    deny_hosts: Annotated[Path | None, typer.Option(
        "--deny-hosts", metavar="PATH", help="Deny list of hosts (default PATH/quality/deny-hosts.txt).", show_default=False)] = None,
    table: TableOpt = None,
    output: CsvFolderOpt = None,
    force: ForceOpt = False,
) -> None:
    """Check graph files: print counts and coverage, or every error (exit 2).

    With --quality: the data-quality report per division; --check gates it (exit 1).
    --format csv prints the coverage by division (--table summary|warnings; with --quality:
    divisions, --table metrics|denied_hosts); -o FOLDER writes every table.
    """
    from chainmap.api import load

    with errors_as_exit():
        check_table("quality" if quality or check else "validate", table, fmt, output)
        graph = load(path, home=home)
    if quality or check:
        from chainmap.cli.quality import quality_command

        quality_command(graph, path, fmt, check, deny_hosts, thresholds, table, output, force, top)
        if strict and graph.warnings:
            raise typer.Exit(2)
        return
    cov = graph_coverage(graph)
    summary = {
        "files": len(graph.files),
        "countries": cov.countries,
        "blocs": cov.blocs,
        "suppliers": cov.supplier_count,
        "components": cov.total.components,
        "sectors": len(cov.sectors),
        "facts": cov.total.facts,
        "sourced": cov.total.sourced,
        "estimates": cov.total.estimates,
        "warnings": len(graph.warnings),
    }
    sectors = [{k: v for k, v in asdict(s).items() if not k.startswith("_")} for s in cov.sectors]
    if fmt is Format.json:
        print(to_json({**summary, "coverage": sectors, "warning_list": [str(w) for w in graph.warnings]}), end="")
    elif fmt is Format.csv:
        with errors_as_exit():
            emit_tables("validate", {"coverage": sectors, "summary": [summary],
                                     "warnings": [{"warning": str(w)} for w in graph.warnings]}, table, output,
                        inputs=graph.files, roots=[path] if path.is_dir() else [], force=force)
    else:
        emit([summary], fmt, [*(c for c in summary if c != "sourced"), Col("sourced", kind="pct")], "Graph")
        shown, note = screen(sectors, top, fmt, "division")
        emit(shown, fmt, ["code", "name", "components", "products", "suppliers", "facts", Col("sourced", kind="pct"),
                          "estimates"], "Coverage by division")
        if note:
            say(note)
        for warning in graph.warnings[:20]:
            say(f"warning: {warning}")
        if len(graph.warnings) > 20:
            say(f"... and {len(graph.warnings) - 20} more warnings (--format json lists all)")
    if strict and graph.warnings:
        raise typer.Exit(2)


def schema_command(
    out: Annotated[str | None, typer.Option("--output", "-o", metavar="PATH", help="Write to this file instead of stdout.")] = None,
    force: ForceOpt = False,
) -> None:
    """Print the JSON Schema of graph files (for editor validation).

    A file inside a graph folder is refused (the next load would read it as a graph file).
    """
    from chainmap.io.atomic import MARK
    from chainmap.model.schema import GraphFile

    schema = GraphFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$comment"] = f"{MARK} schema"
    schema["title"] = "chainmap graph file"
    text = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    if out and out != "-":
        from chainmap.io.atomic import write_text_atomic
        from chainmap.model.load import graph_folders_above

        with errors_as_exit():
            write_text_atomic(out, text, force=force, roots=graph_folders_above(out))
    else:
        print(text, end="")
