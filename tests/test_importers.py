"""Importers: each round-trips its hand-written sample; the bundled datasets load."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import chainmap
from chainmap.cli.app import app
from chainmap.io.importers.eto import write_sample

runner = CliRunner()
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def run_import(fmt: str, source: Path | str, out: Path) -> chainmap.SupplyGraph:
    result = runner.invoke(app, ["import", fmt, str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return chainmap.load(out)


def test_eu_crm_sample_round_trip(tmp_path):
    g = run_import("eu-crm", "tests/data/eu-crm-sample", tmp_path / "crm.yaml")
    lith = g.components["lithium-processing"]
    assert lith.requires == ["lithium-extraction"] and lith.sector == "32"
    assert [(e.country, e.share) for e in lith.suppliers] == [("CN", 0.562), ("CL", 0.321), ("AR", 0.105)]
    bolivia = next(e for e in g.components["lithium-extraction"].suppliers if e.country == "BO")
    assert bolivia.estimate and bolivia.share == 0.0005  # "<0.1%"
    assert g.components["cobalt-extraction"].suppliers[0].country == "CD"
    assert "natural-teak-wood-extraction" not in g.components  # biological materials are skipped
    assert all(e.source and "EU 2023" in e.source for c in g.spec.components for e in c.suppliers)


def test_usgs_sample_round_trip(tmp_path):
    g = run_import("usgs", "tests/data/usgs-sample", tmp_path / "usgs.yaml")
    comp = g.components["lithium-mine-production"]
    assert [(e.country, e.share, e.year) for e in comp.suppliers] == [("AU", 0.4, 2015), ("CL", 0.35, 2015),
                                                                    ("AR", 0.25, 2015)]


def test_eto_sample_round_trip(tmp_path):
    write_sample(tmp_path / "eto")
    g = run_import("eto", tmp_path / "eto", tmp_path / "eto.yaml")
    assert g.suppliers["eto-p1"].country == "NL"  # alpha-3 NLD
    resist = g.components["eto-n1"]
    shares = {e.country: (e.share, e.estimate) for e in resist.suppliers}
    assert shares == {"JP": (0.9, False), "EU": (0.05, True), "XR": (0.05, True)}  # 2021 beats 2019
    assert g.components["eto-n2"].requires == ["eto-n1", "eto-n3"]
    assert g.components["eto-n1"].requires == ["eto-n4"]
    assert chainmap.single_points_of_failure(g, targets=["eto-n2"], kinds=["supplier"])[0].node == "eto-p1"


def test_eto_bad_rows_are_reported_with_lines(tmp_path):
    write_sample(tmp_path)
    (tmp_path / "provision.csv").write_text("provider_id,provided_id,share_provided,year,source\nP9,N1,50,2021,\n"
                                            "P1,N3,150,2021,\n")
    result = runner.invoke(app, ["import", "eto", str(tmp_path), "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2
    assert "provision.csv:2: provider_id: unknown provider 'P9'" in result.output
    assert "provision.csv:3: share_provided: out of range: '150'" in result.output
    assert not (tmp_path / "x.yaml").exists()


def test_missing_source_is_exit_2(tmp_path):
    result = runner.invoke(app, ["import", "usgs", str(tmp_path / "nope"), "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2 and result.output.startswith("error: ")


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/data not beside the checkout")
@pytest.mark.parametrize("fmt,folder", [("eu-crm", "eu-crm-2023"), ("usgs", "usgs-hhi-2015")])
def test_bundled_datasets_load(tmp_path, fmt, folder):
    g = run_import(fmt, SHARED / folder, tmp_path / f"{fmt}.yaml")
    assert g.n_components > 40
    assert all(w.message.startswith("shares sum to") for w in g.warnings)  # published tables round
