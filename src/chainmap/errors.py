"""Exceptions raised by chainmap.

The whole tree, so callers can catch exactly what they mean::

    ChainmapError                 base of everything chainmap raises on purpose
    ├── GraphFileError            one or more problems in graph files (``.problems``)
    ├── ScenarioError             a scenario names an unknown node or a bad capacity
    ├── UnknownNodeError          an analysis was asked about an id the graph lacks
    ├── OutputError               an output cannot be written safely (not a regular file,
    │                             a symlink, an input, a file chainmap did not write, ...)
    └── UsageError                a bad option value (also a ``ValueError``)

Every ``ChainmapError`` renders as one line per problem; the CLI prints that and
exits with code 2. Any other exception is a bug: the CLI prints one line
``internal error: ...`` and exits with code 70 (``--debug`` shows the traceback).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ChainmapError",
    "GraphFileError",
    "OutputError",
    "Problem",
    "ScenarioError",
    "UnknownNodeError",
    "UsageError",
]


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in a graph file: where it is and what is wrong.

    Examples
    --------
    >>> str(Problem("graphs/a.yaml", 3, "components[0].share", "must be <= 1"))
    'graphs/a.yaml:3: components[0].share: must be <= 1'
    """

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class ChainmapError(Exception):
    """Base class of every error chainmap raises on purpose."""

    def lines(self) -> list[str]:
        """The error as one-line messages (one per problem)."""
        return [" ".join(str(self).split())]


class GraphFileError(ChainmapError):
    """Graph files that do not load: every problem found, each with file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [" ".join(str(p).split()) for p in self.problems]


class ScenarioError(ChainmapError):
    """A scenario that names an unknown node or gives a capacity outside [0, 1]."""


class UnknownNodeError(ChainmapError):
    """An analysis was asked about an id that is not in the graph."""


class OutputError(ChainmapError):
    """An output that cannot be written safely."""


class UsageError(ChainmapError, ValueError):
    """A command-line option or argument with a bad value (a ``ValueError`` too, for library callers)."""
