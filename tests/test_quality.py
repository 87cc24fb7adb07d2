"""Data-quality report (chainmap validate --quality), its CI thresholds and the report page section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import chainmap
from chainmap.cli.app import app
from chainmap.model.quality import check_thresholds, load_deny_hosts, quality_report, source_hosts
from chainmap.render.report import render_report

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent

BAD = """\
chainmap: {home: CN, as_of: 2024}
countries:
  - {id: CN, name: China}
  - {id: JP, name: Japan}
  - {id: US, name: United States}
sectors:
  - {code: "39", name: "Electronics <script>alert(1)</script>", products: [chip]}
suppliers:
  - {id: fab, name: Fab, country: CN, source: "company report"}
components:
  - id: chip
    name: Chip
    sector: "39"
    suppliers:
      - {supplier: fab, share: 0.5, year: 2023, method: company-report, source: "Fab annual report 2023"}
      - {country: JP, share: 0.2, year: 2010, method: equal-split, estimate: true,
         source: "thread at www.sinodefenceforum.com p.3"}
  - id: resist
    name: Resist
    sector: "39"
    suppliers:
      - {country: JP, share: 0.45, method: equal-split, source: "pmarketresearch.com teaser"}
      - {country: US, share: 0.45, year: 2019, source: "SEMI 2020"}
  - id: software
    name: Software
    suppliers:
      - {country: US, share: 1.0, year: 2022, method: market-share, source: "IDC 2022"}
  - {id: process, name: Home process}
"""

DENY = "# why\nsinodefenceforum.com   # defence forum\npmarketresearch.com # teaser\n\n"


@pytest.fixture
def bad_graph(tmp_path: Path) -> Path:
    folder = tmp_path / "g"
    (folder / "quality").mkdir(parents=True)
    (folder / "graph.yaml").write_text(BAD, encoding="utf-8")
    (folder / "quality" / "deny-hosts.txt").write_text(DENY, encoding="utf-8")
    (folder / "quality" / "thresholds.yaml").write_text(
        "max_equal_split: 0.2\nmax_missing_year: 0.5\nmax_denied_source: 0.1\nmax_foreign_only: 0.5\n"
        "max_low_coverage: 0.3\n", encoding="utf-8")
    return folder


def test_report_counts(bad_graph):
    graph = chainmap.load(bad_graph)  # the quality/ folder is not graph data
    report = quality_report(graph, deny_hosts=load_deny_hosts(bad_graph / "quality" / "deny-hosts.txt"))
    total = report.total
    assert (total.facts, total.components, report.as_of) == (5, 3, 2024)
    assert total.methods["equal-split"] == 2 and total.methods["missing"] == 1 and total.methods["market-share"] == 1
    assert total.ages == {"<=2": 2, "3-5": 1, "6-10": 0, ">10": 1, "missing": 1}
    assert (total.equal_splits, total.estimates, total.denied) == (2, 1, 2)
    assert total.low_coverage == ["chip"] and total.foreign_only == ["resist", "software"]
    assert [d.code for d in report.divisions] == ["39", "none"]
    assert report.divisions[0].facts == 4 and report.divisions[1].foreign_only == ["software"]
    assert report.denied_hosts == {"pmarketresearch.com": 1, "sinodefenceforum.com": 1}
    assert report.metrics()["denied_source"] == 0.4
    crossed = check_thresholds(report, {"equal_split": 0.4, "denied_source": 0.39, "missing_method": 1.0})
    assert [c.name for c in crossed] == ["denied_source"]


def test_weak_mix_counts_every_fact_of_a_mix_whose_home_share_is_weak(tmp_path):
    """An import split divides ``1 - home``: with a judged home share it is no better than the judgement."""
    text = BAD.replace("method: company-report", "method: judgement")
    (tmp_path / "g.yaml").write_text(text, encoding="utf-8")
    report = quality_report(chainmap.load(tmp_path))
    # chip: judged home share -> both facts; resist: its equal split only (no home entry); software: none
    assert report.total.weak_mix == 3 and report.divisions[0].weak_mix == 3
    assert report.metrics()["weak_mix"] == 0.6
    (tmp_path / "g.yaml").write_text(BAD, encoding="utf-8")
    base = quality_report(chainmap.load(tmp_path))
    assert base.total.weak_mix == 2  # the two equal splits; chip's home share is a company report


def test_products_without_a_sourced_value_are_counted(tmp_path):
    """A plain-number value cites nothing: only a ``{amount, source}`` value counts as sourced."""
    text = BAD.replace("products: [chip]", "products: [chip, resist, software]").replace(
        "  - id: resist\n    name: Resist\n",
        "  - id: resist\n    name: Resist\n    value: {amount: 2.0, source: NBS 2023, year: 2023}\n").replace(
        "  - id: software\n    name: Software\n", "  - id: software\n    name: Software\n    value: 3.0\n")
    (tmp_path / "g.yaml").write_text(text, encoding="utf-8")
    report = quality_report(chainmap.load(tmp_path))
    assert (report.total.products, report.total.unvalued_products) == (3, ["chip", "software"])
    assert report.divisions[0].unvalued_products == ["chip", "software"]
    assert report.metrics()["unvalued_products"] == round(2 / 3, 6)


def test_denied_hosts_are_counted_in_facts_of_every_kind(bad_graph):
    """Share facts and supplier, component, requirement facts alike: all cite."""
    text = (bad_graph / "graph.yaml").read_text(encoding="utf-8").replace(
        'source: "company report"', 'source: "brand list at pmarketresearch.com"')
    (bad_graph / "graph.yaml").write_text(text, encoding="utf-8")
    report = quality_report(chainmap.load(bad_graph),
                            deny_hosts=load_deny_hosts(bad_graph / "quality" / "deny-hosts.txt"))
    assert report.denied_facts == ["supplier:fab", "supply:chip:JP", "supply:resist:JP"]
    assert report.sourced_facts == 6 and report.metrics()["denied_any_fact"] == 0.5


def test_a_publisher_cited_by_name_without_its_address_is_denied(bad_graph, tmp_path):
    """A deny-list line without a dot is a name, matched as a whole word (the address-less citation)."""
    text = (bad_graph / "graph.yaml").read_text(encoding="utf-8").replace(
        'source: "company report"', 'source: "Reportify 2025 citing Euromonitor"')
    (bad_graph / "graph.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "deny.txt").write_text("reportify.ai  # AI summaries\nreportify     # its name\n")
    hosts = load_deny_hosts(tmp_path / "deny.txt")
    assert hosts == ("reportify.ai", "reportify")
    report = quality_report(chainmap.load(bad_graph), deny_hosts=hosts)
    assert report.denied_facts == ["supplier:fab"]
    assert quality_report(chainmap.load(bad_graph), deny_hosts=("reportify.ai",)).denied_facts == []
    (tmp_path / "short.txt").write_text("abc\n")
    result = runner.invoke(app, ["validate", str(bad_graph), "--quality", "--deny-hosts", str(tmp_path / "short.txt")])
    assert result.exit_code == 2 and "short.txt:1: not a host name" in result.output


def test_source_hosts_skip_file_names():
    assert source_hosts("EU CRM (fact_GlobalSupplyShares&t.csv), e.g. p.12 of en.people.cn/n3") == ["en.people.cn"]


def test_check_on_bad_graph_lists_every_crossing(bad_graph):
    result = runner.invoke(app, ["validate", str(bad_graph), "--quality", "--check"])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("quality threshold crossed")]
    # one line each, in metric order; missing_year (0.2) stays under its 0.5
    assert [line.split()[3] for line in lines] == ["equal_split", "denied_source", "low_coverage", "foreign_only"]


def test_check_json_and_without_check(bad_graph):
    result = runner.invoke(app, ["validate", str(bad_graph), "--quality", "--check", "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert {c["metric"] for c in data["crossed"]} == {"equal_split", "denied_source", "low_coverage", "foreign_only"}
    assert data["total"]["facts"] == 5 and data["divisions"][0]["code"] == "39"
    assert runner.invoke(app, ["validate", str(bad_graph), "--quality"]).exit_code == 0


def test_bad_gate_files_are_exit_2(bad_graph, tmp_path):
    (tmp_path / "t.yaml").write_text("max_nonsense: 0.1\nmax_equal_split: 3\n")
    result = runner.invoke(app, ["validate", str(bad_graph), "--quality", "--check", "--thresholds",
                                 str(tmp_path / "t.yaml")])
    assert result.exit_code == 2
    assert result.output.count("error: ") == 2 and "max_nonsense: unknown threshold" in result.output
    (tmp_path / "deny.txt").write_text("good.example\nnot a host\n")
    result = runner.invoke(app, ["validate", str(bad_graph), "--quality", "--deny-hosts", str(tmp_path / "deny.txt")])
    assert result.exit_code == 2 and "deny.txt:2: not a host name" in result.output
    result = runner.invoke(app, ["validate", str(bad_graph), "--quality", "--format", "csv", "--table", "nope"])
    assert result.exit_code == 2 and "validate --quality has the tables divisions, metrics, denied_hosts" in result.output
    (bad_graph / "quality" / "thresholds.yaml").unlink()
    result = runner.invoke(app, ["validate", str(bad_graph), "--quality", "--check"])
    assert result.exit_code == 2 and "needs a thresholds file" in result.output


def test_bundled_graph_passes_its_thresholds():
    result = runner.invoke(app, ["validate", str(ROOT / "graphs"), "--quality", "--check"])
    assert result.exit_code == 0, result.output
    assert "hosts on the deny list" in result.stdout and "quality threshold crossed" not in result.stdout


def test_report_page_has_escaped_quality_section(bad_graph, tmp_path):
    graph = chainmap.load(bad_graph)
    index = render_report(graph, tmp_path / "out", deny_hosts=("sinodefenceforum.com",))
    html = index.read_text(encoding="utf-8")
    assert 'id="quality"' in html and "Data quality" in html and "sinodefenceforum.com (1)" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
