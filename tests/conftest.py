"""Shared pytest setup: a pytest-xdist worker (``make test`` runs ``pytest -n auto``) sees the terminal
environment of the run that started it.

xdist starts its workers with ``COLUMNS=80`` and ``LINES=24`` set, so a table or a title the CLI wraps at
the console width (``COLUMNS`` if set, else 120 when piped: chainmap.cli.output.console_width) would wrap
at 80 in a worker and at 120 in a plain ``pytest``. The controller hands its own values to each worker,
which restores them (unset where the controller had them unset) before any test runs.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

_TERMINAL = ("COLUMNS", "LINES")
_KEY = "chainmap_terminal_env"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """In the xdist controller: pass this process's COLUMNS and LINES (None where unset) to a worker."""
    node.workerinput[_KEY] = {name: os.environ.get(name) for name in _TERMINAL}


def pytest_configure(config: pytest.Config) -> None:
    """In an xdist worker: set COLUMNS and LINES as the controller has them."""
    given = getattr(config, "workerinput", {}).get(_KEY)
    for name, value in (given or {}).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
