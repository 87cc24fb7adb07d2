"""Sourced domestic shares that replace the world-share derivation of home's mix.

A home-shares file maps a generated component id (``copper-processing``) to home's domestic share of
its own supply (production over apparent consumption, or 1 - the import dependence rate) with the
fact's ``source``, ``year`` and ``method`` (all required) and optional ``estimate``/``note``::

    copper-processing:
      share: 0.8
      year: 2023
      method: production-statistics
      source: "NBS refined copper output; GACC imports and exports"
      note: "12.99 / (12.99 + 3.47 - 0.27)"

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "h.yaml").write_text("lithium-processing: {share: 0.7, year: 2023, method: judgement, source: s}\\n")
>>> read_home_shares(folder / "h.yaml")["lithium-processing"]["share"]
0.7
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from chainmap.errors import GraphFileError, Problem
from chainmap.model.reader import read_file
from chainmap.model.schema import Fact, Fraction, Method, Text, Year

__all__ = ["HomeShare", "read_home_shares"]


class HomeShare(Fact):
    """Home's domestic share of its own supply of one component, with its provenance (all required)."""

    share: Fraction
    source: Text
    year: Year
    method: Method


def read_home_shares(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read and check a home-shares file: component id -> fact mapping (``share``, ``source``, ...).

    Errors name ``file:line`` (a :class:`chainmap.errors.GraphFileError`).
    """
    doc = read_file(Path(path))
    if not isinstance(doc.data, dict):
        raise GraphFileError([Problem(doc.file, doc.line_of(()), "", "a home-shares file is a mapping of ids")])
    problems: list[Problem] = []
    shares: dict[str, dict[str, Any]] = {}
    for key, value in doc.data.items():
        try:
            fact = HomeShare.model_validate(value)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = (key, *err["loc"])
                problems.append(Problem(doc.file, doc.line_of(loc), ".".join(map(str, loc)), err["msg"]))
            continue
        shares[str(key)] = fact.model_dump(exclude_none=True, exclude_defaults=False)
    if problems:
        raise GraphFileError(problems)
    return shares
