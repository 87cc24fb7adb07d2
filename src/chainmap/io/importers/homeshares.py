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

Where customs name the origins of the imports, ``imports`` gives each origin's share *of the imports*
(summing to at most 1; the rest stays unlisted, foreign of unknown origin) with its own provenance, and
replaces the split by world production shares::

    silica-sand-extraction:
      share: 0.96
      ...
      imports:
        origins: {AU: 0.4295, ID: 0.2764, MY: 0.2159}
        year: 2022
        method: customs
        source: "GACC via China Powder Network: H1 2022 imports by origin"

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

from pydantic import Field, ValidationError, model_validator

from chainmap.errors import GraphFileError, Problem
from chainmap.model.reader import read_file
from chainmap.model.schema import CountryId, Fact, Fraction, Method, Text, Year

__all__ = ["HomeShare", "ImportOrigins", "read_home_shares"]


class ImportOrigins(Fact):
    """Where home's imports of one component come from: origin -> its share of the imports (provenance required)."""

    origins: dict[CountryId, Fraction] = Field(min_length=1)
    source: Text
    year: Year
    method: Method

    @model_validator(mode="after")
    def _at_most_all_imports(self) -> ImportOrigins:
        total = sum(self.origins.values())
        if total > 1.0 + 1e-6:
            raise ValueError(f"the origins' shares of the imports sum to {total:.4f} > 1")
        return self


class HomeShare(Fact):
    """Home's domestic share of its own supply of one component, with its provenance (all required)."""

    share: Fraction
    source: Text
    year: Year
    method: Method
    imports: ImportOrigins | None = None


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
