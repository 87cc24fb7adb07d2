"""Shared pytest setup for pytest-xdist (``make test`` runs ``pytest -n auto``).

One worker per module for the Spark and the browser tests: each module shares one expensive session (a JVM,
a chromium) through a module fixture, so it runs as one unit on one worker, and these units are handed out
first (the Spark module is the longest: started last, it would run alone at the end). Every other test is
its own unit. (xdist's own ``--dist loadgroup`` renames the node ids, which pytest 9.2 no longer allows: its
``xdist_group`` marks are silently ignored there, so the grouping is done here by module path.)

A worker sees the terminal environment of the run that started it: xdist starts its workers with ``COLUMNS=80`` and ``LINES=24`` set, so a table or a title the CLI wraps at
the console width (``COLUMNS`` if set, else 120 when piped: chainmap.cli.output.console_width) would wrap
at 80 in a worker and at 120 in a plain ``pytest``. The controller hands its own values to each worker,
which restores them (unset where the controller had them unset) before any test runs.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

ONE_WORKER = ("tests/test_spark_engine.py", "tests/test_browser.py")
"""Modules run whole on one worker, before the rest (node ids relative to the repository root)."""
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


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """In the xdist controller (``-n``, default ``--dist load``): :data:`ONE_WORKER` modules one unit each,
    handed out first; every other test its own unit. Other ``--dist`` modes keep xdist's schedulers."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerModules(LoadScopeScheduling):  # type: ignore[misc]
        """xdist's scope scheduler (units sorted by size, largest first) with :data:`ONE_WORKER` as scopes."""

        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER else nodeid

    return OneWorkerModules(config, log)
