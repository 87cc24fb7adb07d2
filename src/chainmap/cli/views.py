"""View commands: render, report, export (HTML views and exchange formats)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the view commands to ``app``."""
