"""Rewrite the console blocks of README.md, docs/*.md and examples/minimal/README.md with real runs.

Run from the repository root after a change that alters printed output: ``python tools/fill_readme.py``
(commands run through typer's CliRunner with ``COLUMNS=120``, as tests/test_readme.py runs them: tables
at 120 columns, the width of piped output). Each ``$ chainmap ...`` or ``$ python ...`` line (``\\`` continues it) is run and the block is
rewritten with the command followed by its standard output; a command that fails stops the script
and nothing is written.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from chainmap.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md")),
             "examples/minimal/README.md"]


def run(command: str) -> str:
    """Standard output of one console command, as the README test runs it."""
    argv = shlex.split(command)
    if argv[0] == "chainmap":
        result = CliRunner().invoke(app, argv[1:], catch_exceptions=False, env={"COLUMNS": "120"})
        if result.exit_code != 0:
            raise SystemExit(f"{command!r} exited {result.exit_code}:\n{result.output}")
        return result.stdout.rstrip()
    if argv[0] != "python":
        raise SystemExit(f"console commands run chainmap or python, not {argv[0]!r}")
    return subprocess.run([sys.executable, *argv[1:]], capture_output=True, text=True, check=True,
                          cwd=ROOT).stdout.rstrip()


def fill_block(match: re.Match[str]) -> str:
    lines, out, i = match.group(1).splitlines(), [], 0
    while i < len(lines):
        if lines[i].startswith("$ "):
            command_lines = [lines[i]]
            while command_lines[-1].endswith("\\"):
                i += 1
                command_lines.append(lines[i])
            command = " ".join(part[2:] if part.startswith("$ ") else part for part in command_lines)
            out.extend(command_lines)
            out.append(run(" ".join(command.replace("\\", " ").split())))
        i += 1
    return "```console\n" + "\n".join(out) + "\n```"


def main() -> None:
    texts = {doc: (ROOT / doc).read_text(encoding="utf-8") for doc in DOCUMENTS}
    filled = {doc: re.sub(r"```console\n(.*?)```", fill_block, text, flags=re.S) for doc, text in texts.items()}
    for doc, text in filled.items():
        if text != texts[doc]:
            (ROOT / doc).write_text(text, encoding="utf-8")
            print(f"rewrote {doc}")


if __name__ == "__main__":
    import os

    os.chdir(ROOT)
    main()
