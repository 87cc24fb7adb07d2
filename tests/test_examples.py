"""The examples/ scripts run on the bundled graphs and answer their questions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("office_pc_export_ban.py", "government-office-pc availability"),
        ("semiconductor_chokepoints.py", "Single points of failure of logic chips"),
        ("top_priorities.py", "First priority per division"),
    ],
)
def test_example_runs(script, expected):
    result = subprocess.run([sys.executable, str(ROOT / "examples" / script)], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
