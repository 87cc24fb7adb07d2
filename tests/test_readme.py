"""The README's and docs' console blocks are real runs: each ``$ chainmap ...`` prints exactly what follows it.

Regenerate them after a change with ``python tools/fill_readme.py`` (it runs every block's commands the
same way and rewrites the blocks); this test is what keeps them from drifting.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import chainmap
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


DOCUMENTS = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md")),
             "examples/minimal/README.md"]
CASES = [(doc, command, expected) for doc in DOCUMENTS
         for command, expected in console_blocks((ROOT / doc).read_text(encoding="utf-8"))]


def test_readme_has_console_examples():
    assert sum(doc == "README.md" for doc, _, _ in CASES) >= 3
    assert any(doc == "examples/minimal/README.md" for doc, _, _ in CASES)


@pytest.mark.parametrize(("doc", "command", "expected"), CASES, ids=[f"{d}: {c}" for d, c, _ in CASES])
def test_readme_console_block_matches_a_real_run(doc, command, expected, monkeypatch):
    monkeypatch.chdir(ROOT)
    argv = shlex.split(command)
    if argv[0] == "chainmap":
        result = CliRunner().invoke(app, argv[1:], catch_exceptions=False, env={"COLUMNS": "120"})
        assert result.exit_code == 0, result.output
        got = result.stdout
    else:
        assert argv[0] == "python", "README console commands run chainmap or python"
        got = subprocess.run([sys.executable, *argv[1:]], capture_output=True, text=True, check=True).stdout
    assert got.rstrip() == expected.rstrip()


def test_graph_format_example_loads_on_its_own(tmp_path):
    """docs/graph-format.md's YAML example is a whole graph (no unknown ids)."""
    text = (ROOT / "docs" / "graph-format.md").read_text(encoding="utf-8")
    (tmp_path / "example.yaml").write_text(re.findall(r"```yaml\n(.*?)```", text, flags=re.S)[0], encoding="utf-8")
    graph = chainmap.load(tmp_path)
    assert "euv-scanner" in graph.components and graph.components["euv-scanner"].value is not None


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_relative_links_point_inside_the_repository(doc):
    """Every relative Markdown link of the README and docs names a file or folder of this repository."""
    path = ROOT / doc
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
        if "://" in target or target.startswith("mailto:"):
            continue
        resolved = (path.parent / target).resolve()
        assert resolved.is_relative_to(ROOT) and resolved.exists(), f"{doc}: broken link {target}"
