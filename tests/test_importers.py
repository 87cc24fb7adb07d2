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


def run_import(fmt: str, source: Path | str, out: Path, *extra: str) -> chainmap.SupplyGraph:
    result = runner.invoke(app, ["import", fmt, str(source), "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return chainmap.load(out)


def test_eu_crm_sample_round_trip(tmp_path):
    g = run_import("eu-crm", "tests/data/eu-crm-sample", tmp_path / "crm.yaml")
    lith = g.components["lithium-processing"]
    assert lith.requires == ["lithium-extraction"] and lith.sector == "32"
    # home's mix, not world shares: China at its own 56.2% of world output, the rest imported in
    # proportion to Chile's 32.1% and Argentina's 10.5%
    assert [(e.country, e.share) for e in lith.suppliers] == [("CN", 0.562), ("CL", 0.330042), ("AR", 0.107958)]
    assert all(e.method == "market-share" and e.estimate and "China's mix derived" in (e.note or "")
               for c in g.spec.components for e in c.suppliers)
    mine = g.components["lithium-extraction"].suppliers
    assert (mine[0].country, mine[0].share) == ("CN", 0.102)  # home first, at its world share
    assert abs(sum(e.share for e in mine) - 1.0) < 1e-5
    bolivia = next(e for e in mine if e.country == "BO")
    assert bolivia.share == round(0.898 * 0.0005 / (0.53 + 0.241 + 0.0005), 6) and "<0.1%" in (bolivia.note or "")
    gallium = g.components["gallium-processing"].suppliers  # China the only producer listed: rest unlisted
    assert [(e.country, e.share) for e in gallium] == [("CN", 0.94)]
    assert g.components["cobalt-extraction"].suppliers[0].country == "CD"
    assert "natural-teak-wood-extraction" not in g.components  # biological materials are skipped
    assert all(e.source and "EU 2023" in e.source for c in g.spec.components for e in c.suppliers)

def _crm_with_home_shares(tmp_path, text):
    """The EU CRM sample imported with a home-shares file of ``text`` (lithium processing's home share 0.8)."""
    shares = tmp_path / "home-shares.yaml"
    shares.write_text("lithium-processing:\n  share: 0.8\n  year: 2023\n  method: production-statistics\n" + text)
    return run_import("eu-crm", "tests/data/eu-crm-sample", tmp_path / "crm.yaml", "--home-shares", str(shares))


def test_eu_crm_home_shares_replace_the_world_share_derivation(tmp_path):
    """A sourced domestic share sets home's entry; only the rest is split by the others' world shares."""
    g = _crm_with_home_shares(tmp_path, "  source: NBS and GACC\n  note: 'output / (output + imports - exports)'\n"
                                        "gallium-processing: {share: 1.0, year: 2023, method: customs, source: GACC}\n")
    lith = g.components["lithium-processing"].suppliers
    assert [(e.country, e.share) for e in lith] == [
        ("CN", 0.8), ("CL", round(0.2 * 0.321 / 0.426, 6)), ("AR", round(0.2 * 0.105 / 0.426, 6))]
    assert (lith[0].source, lith[0].year, lith[0].method, lith[0].estimate) == (
        "NBS and GACC", 2023, "production-statistics", False)
    assert "sourced domestic share" in (lith[1].note or "") and lith[1].estimate
    assert [(e.country, e.share) for e in g.components["gallium-processing"].suppliers] == [("CN", 1.0)]
    # untouched materials keep the world-share derivation
    assert g.components["lithium-extraction"].suppliers[0].share == 0.102


def test_eu_crm_import_origins_replace_the_world_share_split(tmp_path):
    """Customs origins of the imports: each (1 - home) x its share of the imports; the uncovered rest unlisted."""
    g = _crm_with_home_shares(tmp_path, "  source: NBS\n  imports:\n    origins: {\"NO\": 0.5, AR: 0.3}\n"
                                        "    year: 2022\n    method: customs\n    source: GACC by origin\n")
    lith = g.components["lithium-processing"].suppliers
    assert [(e.country, e.share, e.method, e.year, e.source) for e in lith] == [
        ("CN", 0.8, "production-statistics", 2023, "NBS"), ("NO", 0.1, "customs", 2022, "GACC by origin"),
        ("AR", 0.06, "customs", 2022, "GACC by origin")]
    assert "(1 - 0.8) x 0.5" in (lith[1].note or "") and "EU" not in (lith[1].note or "")


@pytest.mark.parametrize(("text", "message"), [
    ("lithium-processing: {share: 1.2, year: 2023, method: customs, source: s}\n", "home-shares.yaml:1"),
    ("lithium-processing: {share: 0.5, year: 2023, method: customs}\n", "source"),
    ("no-such-material: {share: 0.5, year: 2023, method: customs, source: s}\n", "no-such-material"),
    ("lithium-processing: {share: 0.5, year: 2023, method: customs, source: s,\n"
     "  imports: {origins: {AU: 0.7, CL: 0.4}, year: 2023, method: customs, source: t}}\n", "sum to 1.1000 > 1"),
])
def test_eu_crm_home_shares_errors_are_one_line_exit_2(tmp_path, text, message):
    shares = tmp_path / "home-shares.yaml"
    shares.write_text(text)
    result = runner.invoke(app, ["import", "eu-crm", "tests/data/eu-crm-sample", "--home-shares", str(shares),
                                 "-o", str(tmp_path / "out.yaml")])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out.yaml").exists()


def test_usgs_sample_round_trip(tmp_path):
    g = run_import("usgs", "tests/data/usgs-sample", tmp_path / "usgs.yaml")
    comp = g.components["lithium-mine-production"]
    assert [(e.country, e.share, e.year) for e in comp.suppliers] == [("AU", 0.4, 2015), ("CL", 0.35, 2015),
                                                                    ("AR", 0.25, 2015)]  # no Chinese mining listed
    tungsten = g.components["tungsten-mine-production"].suppliers
    assert [(e.country, e.share) for e in tungsten] == [("CN", 0.8208), ("VN", round(0.1792 * 0.0578 / 0.0867, 6)),
                                                       ("RU", round(0.1792 * 0.0289 / 0.0867, 6))]
    assert all(e.method == "market-share" and e.estimate and "imports split by world production shares" in e.note
               for e in tungsten)


def test_import_home_option(tmp_path):
    g = run_import("usgs", "tests/data/usgs-sample", tmp_path / "u.yaml", "--home", "AU")
    lith = g.components["lithium-mine-production"].suppliers
    assert [(e.country, e.share) for e in lith] == [("AU", 0.4), ("CL", 0.35), ("AR", 0.25)]
    assert "Australia's mix derived" in (lith[0].note or "")
    result = runner.invoke(app, ["import", "usgs", "tests/data/usgs-sample", "-o", str(tmp_path / "x.yaml"),
                                 "--home", "QQ"])
    assert result.exit_code == 2 and "not a country code" in result.output


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
    fab = g.components["eto-s2"]  # provision rows pointing at stage ids (S1-S3) supply the stage
    assert fab.name == "Fabrication" and fab.requires == ["eto-n2", "eto-n3"]
    assert {e.country: (e.share, e.estimate) for e in fab.suppliers} == {"JP": (0.3, False), "US": (0.55, False),
                                                                          "XR": (0.15, True)}
    assert g.components["eto-s1"].suppliers[0].country == "US"
    assert g.components["eto-s3"].name == "Assembly, testing, and packaging (ATP)"


def test_eto_real_schema(tmp_path):
    """The published CSVs: alpha-3 country providers without a country column, repeated provider ids,
    stage ids in provided_id, percent shares, a negligible-share column, no year or source, a
    self-referencing sequence row."""
    write_sample(tmp_path)
    (tmp_path / "providers.csv").write_text(
        "provider_name,provider_id,provider_type,country\nUSA,P1,country,\nCHN,P2,country,\nEurope,P3,country,\n"
        "MAL,P4,country,\nAsia-Pacific,P5,country,\nAcme Fab,P9,organization,TWN\nTiny Fab,P10,organization,CHN\n"
        "Acme Fab,P9,organization,TWN\n")  # the published table repeats an id on alias rows
    (tmp_path / "provision.csv").write_text(
        "Order added,provider_name,provider_id,provided_name,provided_id,share_provided,negligible_market_share\n"
        "1,USA,P1,Design,S1,70%,\n2,CHN,P2,Design,S1,10%,\n3,Europe,P3,Design,S1,20%,\n"
        "4,MAL,P4,\"Assembly, testing, and packaging (ATP)\",S3,5%,\n5,Asia-Pacific,P5,Fabrication,S2,5%,\n"
        "6,Acme Fab,P9,Fabrication,S2,,\n7,Tiny Fab,P10,Fabrication,S2,,Negligible\n8,USA,P1,EUV scanner,N3,100%,\n")
    (tmp_path / "sequence.csv").write_text(
        "input_name,input_id,goes_into_name,goes_into_id,is_type_of_name,is_type_of_id\n"
        "Photoresist,N1,Lithography,N2,,\nLithography,N2,Lithography,N2,,\n")
    g = run_import("eto", tmp_path, tmp_path / "eto.yaml")
    design = {e.country: e.share for e in g.components["eto-s1"].suppliers}
    assert design == {"US": 0.7, "CN": 0.1, "EU": 0.2}
    assert [(e.country, e.share) for e in g.components["eto-s3"].suppliers] == [("MY", 0.05)]
    fab = {(e.supplier or e.country): (e.share, e.estimate) for e in g.components["eto-s2"].suppliers}
    assert fab == {"XR": (0.05, False), "eto-p9": (0.95, True), "eto-p10": (0.0, True)}
    assert g.components["eto-n2"].requires == ["eto-n1"]  # the self-reference is dropped
    assert [s.id for s in g.spec.suppliers].count("eto-p9") == 1


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


def test_home_mix_rules():
    from chainmap.io.importers.homemix import home_mix

    absent = home_mix({"AU": 0.5, "CL": 0.3, "AR": 0.0}, "CN")  # no home row: all imported, AR dropped
    assert [(e["country"], e["share"]) for e in absent] == [("AU", 0.625), ("CL", 0.375)]
    only = home_mix({"CN": 1.0}, "CN")
    assert [(e["country"], e["share"]) for e in only] == [("CN", 1.0)]
    assert all(e["method"] == "market-share" and e["estimate"] for e in absent + only)
    assert home_mix({}, "CN") == []
