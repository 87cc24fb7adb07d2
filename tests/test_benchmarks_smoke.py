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
        capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert "## 2,000 components" in text and "SPOF, all products, all kinds" in text
    assert "| no (" not in text  # the networkx reference agrees wherever it finished
    assert "SCRAM" in text
