"""The README's console blocks are real runs: each ``$ chainmap ...`` prints exactly what follows it."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chainmap.cli.app import app

ROOT = Path(__file__).resolve().parent.parent


def console_blocks(text: str) -> list[tuple[str, str]]:
    """``(command, expected output)`` pairs of every ```console block (``\\`` continues a command)."""
    pairs: list[tuple[str, str]] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        command: str | None = None
        output: list[str] = []
        pending = ""
        for line in block.splitlines():
            if pending or line.startswith("$ "):
                part = line[2:] if line.startswith("$ ") and not pending else line
                if part.endswith("\\"):
                    pending += part[:-1].strip() + " "
                    continue
                if command is not None:
                    pairs.append((command, "\n".join(output)))
                command, output, pending = (pending + part.strip()).strip(), [], ""
            elif command is not None:
                output.append(line)
        if command is not None:
            pairs.append((command, "\n".join(output)))
    return pairs


CASES = console_blocks((ROOT / "README.md").read_text(encoding="utf-8"))


def test_readme_has_console_examples():
    assert len(CASES) >= 3


@pytest.mark.parametrize(("command", "expected"), CASES, ids=[c for c, _ in CASES])
def test_readme_console_block_matches_a_real_run(command, expected, monkeypatch):
    monkeypatch.chdir(ROOT)
    argv = shlex.split(command)
    if argv[0] == "chainmap":
        result = CliRunner().invoke(app, argv[1:], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        got = result.stdout
    else:
        assert argv[0] == "python", "README console commands run chainmap or python"
        got = subprocess.run([sys.executable, *argv[1:]], capture_output=True, text=True, check=True).stdout
    assert got.rstrip() == expected.rstrip()
