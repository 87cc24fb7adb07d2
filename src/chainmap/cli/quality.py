"""``chainmap validate PATH --quality [--check]``: the data-quality report and its CI gate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from chainmap.cli.common import errors_as_exit, fail, screen
from chainmap.cli.machine import emit_tables
from chainmap.cli.output import Col, Format, emit, say, to_json
from chainmap.graph import SupplyGraph
from chainmap.model.load import QUALITY_DIR
from chainmap.model.quality import (
    AGE_BUCKETS,
    METRICS,
    DivisionQuality,
    QualityReport,
    check_thresholds,
    load_deny_hosts,
    load_thresholds,
    quality_report,
)

DENY_FILE = "deny-hosts.txt"
THRESHOLDS_FILE = "thresholds.yaml"


def quality_files(path: Path) -> tuple[Path, Path]:
    """Default deny list and thresholds of a graph: ``quality/`` in its folder (or beside the file)."""
    folder = (path if path.is_dir() else path.parent) / QUALITY_DIR
    return folder / DENY_FILE, folder / THRESHOLDS_FILE


def _row(d: DivisionQuality) -> dict[str, Any]:
    return {"code": d.code, "name": d.name, "facts": d.facts, "components": d.components,
            "equal_split": d.equal_splits, "weak_mix": d.weak_mix, "estimates": d.estimates, "missing_year": d.ages["missing"],
            "missing_method": d.methods["missing"], "missing_source": d.missing_source, "denied": d.denied,
            "older_than_10": d.ages[">10"], "low_coverage": len(d.low_coverage), "foreign_only": len(d.foreign_only),
            "products": d.products, "unvalued_products": len(d.unvalued_products),
            "methods": {k: v for k, v in d.methods.items() if v}, "ages": dict(d.ages)}


def report_json(report: QualityReport) -> dict[str, Any]:
    """The JSON shape of ``validate --quality``."""
    def full(d: DivisionQuality) -> dict[str, Any]:
        return {**_row(d), "methods": dict(d.methods), "low_coverage_ids": d.low_coverage,
                "foreign_only_ids": d.foreign_only, "unvalued_product_ids": d.unvalued_products}

    return {"as_of": report.as_of, "deny_hosts": report.deny_hosts, "metrics": report.metrics(),
            "total": full(report.total), "divisions": [full(d) for d in report.divisions],
            "denied_hosts": report.denied_hosts, "sourced_facts": report.sourced_facts,
            "denied_facts": report.denied_facts}


def quality_command(graph: SupplyGraph, path: Path, fmt: Format, check: bool,
                    deny_file: Path | None, thresholds_file: Path | None, table: str | None = None,
                    output: Path | None = None, force: bool = False, top: int | None = None) -> None:
    """Print the quality report; with ``check``, exit 1 listing every threshold crossed (``table`` and
    ``output``: the CSV table, or the folder of all of them)."""
    default_deny, default_thresholds = quality_files(path)
    with errors_as_exit():
        deny_path = deny_file or (default_deny if default_deny.is_file() else None)
        deny = load_deny_hosts(deny_path) if deny_path else ()
        thresholds_path = thresholds_file or (default_thresholds if default_thresholds.is_file() else None)
        maxima = load_thresholds(thresholds_path) if thresholds_path else {}
    if check and thresholds_path is None:
        raise fail(f"--check needs a thresholds file: none at {default_thresholds} (give --thresholds FILE)")
    report = quality_report(graph, deny_hosts=deny)
    crossed = check_thresholds(report, maxima) if check else []
    if fmt is Format.json:
        data = report_json(report)
        data["thresholds"] = maxima
        data["crossed"] = [{"metric": c.name, "value": c.value, "max": c.maximum} for c in crossed]
        print(to_json(data), end="")
        for crossing in crossed:
            print(crossing, file=sys.stderr)
    elif fmt is Format.csv:
        metrics = report.metrics()
        with errors_as_exit():
            emit_tables("quality", {
                "divisions": [_row(d) for d in report.divisions],
                "metrics": [{"metric": m, "what": what, "value": metrics[m], "max": maxima.get(m)}
                            for m, what in METRICS.items()],
                "denied_hosts": [{"host": h, "facts": n} for h, n in report.denied_hosts.items()]},
                table, output, inputs=graph.files, roots=[path] if path.is_dir() else [], force=force)
        for crossing in crossed:
            print(crossing, file=sys.stderr)
    else:
        total = report.total
        summary = [{"metric": m, "what": what, "value": f"{report.metrics()[m]:.4f}",
                    "max": f"{maxima[m]:.4f}" if m in maxima else ""} for m, what in METRICS.items()]
        print(f"Data quality: {total.facts} share facts in {total.components} supply mixes, "
              f"ages from {report.as_of}, {report.deny_hosts} hosts on the deny list")
        emit(summary, fmt, ["metric", "what", "value", "max"], "Quality (fractions)")
        emit([{"method": k, "facts": v} for k, v in total.methods.items()] +
             [{"method": f"age {k}", "facts": total.ages[k]} for k in AGE_BUCKETS], fmt, ["method", "facts"],
             "Share facts by method and age (years before as_of)")
        shown, note = screen([_row(d) for d in report.divisions], top, fmt, "division")
        emit(shown, fmt,
             ["code", "name", "facts", Col("components", "mixes"), Col("equal_split", "equal split"),
              Col("weak_mix", "weak mix"), Col("estimates", "estim."), Col("missing_year", "no year"), Col("missing_method", "no method"),
              Col("missing_source", "no source"), "denied", Col("older_than_10", ">10 y"),
              Col("low_coverage", "low cover"), Col("foreign_only", "foreign only")],
             "Quality by division (facts: share facts; mixes: supply mixes; weak mix: judgements, equal splits and "
             "facts of mixes whose home share is one; >10 y: facts over 10 years old)")
        if note:
            say(note)
        if report.denied_hosts:
            emit([{"host": h, "facts": n} for h, n in report.denied_hosts.items()], fmt, ["host", "facts"],
                 "Facts citing denied hosts")
        for crossing in crossed:
            print(crossing)
    if crossed:
        raise typer.Exit(1)
