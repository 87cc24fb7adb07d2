"""The benchmark script runs end to end at a smoke size (no timing assertions)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmarks_smoke(tmp_path):
    out = tmp_path / "results.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "2000", "--smoke",
         "--data", str(tmp_path / "data"), "--out", str(out), "--ref-budget", "2"],
        capture_output=True, text=True, timeout=600, cwd=ROOT)  # a hang guard: minutes on a loaded machine
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert "## 2,000 components" in text and "SPOF, all products, all kinds" in text
    assert "| no (" not in text  # the networkx reference agrees wherever it finished
    assert "SCRAM" in text


def test_reference_spof_agrees_and_extrapolates_past_its_budget(tmp_path, monkeypatch):
    """The networkx reference's SPOF (the same kill-set pass and decay checks as chainmap's) gives chainmap's
    sets, and a budget that stops it mid-pass gives a time extrapolated per phase (marked as such)."""
    import chainmap
    from chainmap.analysis.spof import spof_sets
    from chainmap.io.generate import write_generated

    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    from reference import Ref, timed

    folder = tmp_path / "net"
    write_generated(folder, 2000, seed=5)
    ref, graph = Ref(folder), chainmap.load(folder)
    for kinds in ({"country", "supplier", "component"}, {"country", "supplier"}):
        box: dict = {}
        whole = timed(lambda check, kinds=kinds, box=box: box.update(r=ref.spof(kinds, check)), 600.0)
        assert "extrapolated" not in whole and whole["seconds"] > 0
        assert box["r"] == spof_sets(graph, kinds=tuple(kinds))
        stopped = timed(lambda check, kinds=kinds: ref.spof(kinds, check), 0.0)
        assert stopped["seconds"] > 0 and "components in" in stopped["extrapolated"]
        assert "decay checks at" in stopped["extrapolated"]
