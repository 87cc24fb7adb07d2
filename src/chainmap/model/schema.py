"""Pydantic schemas of the graph files (see docs/graph-format.md).

Each class is one kind of entry; :class:`GraphFile` is one whole file and
:class:`GraphSpec` the merged graph. Unknown fields are errors, numbers are
finite, shares and readiness lie in [0, 1].

Examples
--------
>>> Component(id="wafer", name="Silicon wafer", suppliers=[{"country": "JP", "share": 0.5}]).suppliers[0].country
'JP'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

__all__ = [
    "COUNTRY_PATTERN",
    "ID_PATTERN",
    "MAX_DAYS",
    "MAX_VALUE",
    "METHODS",
    "RESERVED_ID",
    "Alternative",
    "AnyOf",
    "Bloc",
    "Component",
    "Country",
    "GraphFile",
    "GraphSpec",
    "Requirement",
    "Sector",
    "Settings",
    "Supplier",
    "SupplyEntry",
    "Weights",
    "is_any_of",
    "requirement_members",
]

METHODS = ("customs", "production-statistics", "company-report", "market-share", "equal-split", "judgement")
"""How a fact's number was obtained (DESIGN "The model")."""
RESERVED_ID = "unlisted"
"""Scenario id of the unlisted remainder of supply (no graph may use it)."""
DEFAULT_LIFETIME_YEARS = 10.0
"""Service life of equipment when a requirement does not give ``lifetime_years``."""

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:/+-]{0,199}$"
"""Ids of components, suppliers and blocs: letters, digits and ``_.:/+-``."""
COUNTRY_PATTERN = r"^(?:[A-Z]{2})$"
"""Country ids: ISO 3166-1 alpha-2, ``EU``, or a user code ``XA``..``XZ``."""

Id = Annotated[str, Field(pattern=ID_PATTERN)]
CountryId = Annotated[str, Field(pattern=COUNTRY_PATTERN)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
_TEXT_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NAME_BAD = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _no_control(pattern: re.Pattern[str], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        bad = pattern.search(value)
        if bad:
            raise ValueError(f"control character U+{ord(bad.group()):04X} in {what}")
        return value

    return check


Text = Annotated[str, Field(max_length=10_000), AfterValidator(_no_control(_TEXT_BAD, "text"))]
"""Free text (sources, notes): no control characters but tab and newlines."""
Name = Annotated[str, Field(max_length=10_000), AfterValidator(_no_control(_NAME_BAD, "a name"))]
"""A name: no control characters at all (no newlines, no U+2028/U+2029 line separators)."""
MAX_VALUE = 1e15
"""Largest ``value`` of a component (a quadrillion: above any country's output), so sums cannot overflow."""
MAX_DAYS = 36_500.0
"""Largest ``stock_days``/``recovery_days`` (100 years)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, str_strip_whitespace=True)


Year = Annotated[int, Field(ge=1900, le=2100)]
Method = Literal["customs", "production-statistics", "company-report", "market-share", "equal-split", "judgement"]


class Fact(_Strict):
    """Fields every fact from the world carries: where it comes from, the year it
    describes and how the number was obtained (``method``, one of :data:`METHODS`)."""

    source: Text | None = None
    year: Year | None = None
    method: Method | None = None
    estimate: bool = False
    note: Text | None = None


class Measured(Fact):
    """A component's number from the world, with where it comes from.

    ``value``, ``stock_days`` and ``recovery_days`` take a plain number or this mapping,
    so the number can carry its own ``source``, ``year`` and ``method``.

    Examples
    --------
    >>> Measured(amount=812.5, source="NBS 2024 yearbook", year=2023, method="production-statistics").amount
    812.5
    """

    amount: Annotated[float, Field(ge=0, allow_inf_nan=False)]


def amount_of(number: float | Measured | None) -> float | None:
    """The number of a plain or :class:`Measured` field (``None`` stays ``None``).

    >>> amount_of(Measured(amount=3.0)), amount_of(2.5), amount_of(None)
    (3.0, 2.5, None)
    """
    return number.amount if isinstance(number, Measured) else number


class Weights(_Strict):
    """Exponents of the substitution-priority factors (``impact**w * ...``)."""

    impact: Annotated[float, Field(ge=0, le=10)] = 1.0
    exposure: Annotated[float, Field(ge=0, le=10)] = 1.0
    gap: Annotated[float, Field(ge=0, le=10)] = 1.0
    urgency: Annotated[float, Field(ge=0, le=10)] = 1.0


class Settings(_Strict):
    """The ``chainmap:`` block: the point of view and analysis settings."""

    home: CountryId = "CN"
    view: Literal["home", "global"] = "home"
    as_of: Year | None = None
    unlisted_risk: Fraction = 0.5
    weights: Weights = Weights()
    bottleneck_threshold: Fraction = 0.5
    hhi_threshold: Fraction = 0.25


class Country(Fact):
    """A country (ISO 3166-1 alpha-2) and how likely its supply is cut."""

    id: CountryId
    name: Name
    risk: Fraction | None = None


class Bloc(Fact):
    """A named group of countries (an export-control coalition, say)."""

    id: Id
    name: Name
    members: Annotated[list[CountryId], Field(min_length=1)]


class Sector(Fact):
    """A GB/T 4754-2017 industrial division and the products it delivers."""

    code: Annotated[str, Field(pattern=r"^(0[6-9]|[1-3][0-9]|4[0-6])$")]
    name: Name
    name_zh: Text | None = None
    products: list[Id] = []

    @field_validator("code", mode="before")
    @classmethod
    def _code_text(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:02d}"
        return value


class Requirement(Fact):
    """A requirement written as a mapping: ``{component: id}`` or ``{any_of: [ids]}``
    (one member suffices), with how it binds the parent's home production.

    ``role``: ``input`` (consumed) or ``equipment`` (capital goods: the
    installed base keeps producing; only replacement, ``1/lifetime_years`` a
    year, needs new supply). ``share``: the fraction of the parent's home
    production that needs it (default 1).

    >>> Requirement(component="cnc-machine", role="equipment", lifetime_years=15).members
    ['cnc-machine']
    >>> Requirement(any_of=["a", "b"], share=0.1).is_any_of
    True
    """

    component: Id | None = None
    any_of: Annotated[list[Id], Field(min_length=1)] | None = None
    role: Literal["input", "equipment"] = "input"
    lifetime_years: Annotated[float, Field(gt=0, le=1000)] | None = None
    share: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0

    @model_validator(mode="after")
    def _one_of(self) -> Requirement:
        if (self.component is None) == (self.any_of is None):
            raise ValueError("give exactly one of 'component' or 'any_of'")
        if self.lifetime_years is not None and self.role != "equipment":
            raise ValueError("'lifetime_years' applies to role 'equipment' only")
        return self

    @property
    def members(self) -> list[str]:
        """The component ids that can meet this requirement."""
        return list(self.any_of) if self.any_of is not None else [self.component or ""]

    @property
    def is_any_of(self) -> bool:
        """True for an ``any_of`` group."""
        return self.any_of is not None

    @property
    def lifetime(self) -> float:
        """``lifetime_years``, or the default of 10 years."""
        return self.lifetime_years if self.lifetime_years is not None else DEFAULT_LIFETIME_YEARS


AnyOf = Requirement
"""Former name of :class:`Requirement` (v1 only had ``{any_of: [...]}`` mappings)."""


def requirement_members(req: str | Requirement) -> list[str]:
    """Member ids of a requirement entry (a plain id or a mapping)."""
    return [req] if isinstance(req, str) else req.members


def is_any_of(req: str | Requirement) -> bool:
    """True when a requirement entry is an ``any_of`` group."""
    return not isinstance(req, str) and req.is_any_of


class SupplyEntry(Fact):
    """One source of a component: a supplier or a whole country, with its share."""

    supplier: Id | None = None
    country: CountryId | None = None
    share: Fraction

    @model_validator(mode="after")
    def _one_of(self) -> SupplyEntry:
        if (self.supplier is None) == (self.country is None):
            raise ValueError("give exactly one of 'supplier' or 'country'")
        return self


class Alternative(Fact):
    """A candidate (domestic) supplier not yet supplying, and how ready it is."""

    supplier: Id
    readiness: Fraction


class Component(Fact):
    """A product, part, material, piece of equipment, software or service."""

    id: Id
    name: Name
    sector: Annotated[str, Field(pattern=r"^(0[6-9]|[1-3][0-9]|4[0-6])$")] | None = None
    requires: list[Id | Requirement] = []
    suppliers: list[SupplyEntry] = []
    alternatives: list[Alternative] = []
    value: Annotated[float, Field(ge=0, le=MAX_VALUE)] | Measured | None = None
    stock_days: Annotated[float, Field(ge=0, le=MAX_DAYS)] | Measured | None = None
    recovery_days: Annotated[float, Field(ge=0, le=MAX_DAYS)] | Measured | None = None
    tags: list[Text] = []

    @field_validator("sector", mode="before")
    @classmethod
    def _sector_text(cls, value: object) -> object:
        return Sector._code_text(value)

    @field_validator("value", "stock_days", "recovery_days")
    @classmethod
    def _amount_capped(cls, number: float | Measured | None, info: ValidationInfo) -> float | Measured | None:
        cap = MAX_VALUE if info.field_name == "value" else MAX_DAYS
        if isinstance(number, Measured) and number.amount > cap:
            raise ValueError(f"amount must be <= {cap:g}")
        return number


class Supplier(Fact):
    """A firm (or plant), the country it produces in and the country that owns it
    (``owner``, default: the same; used by scenarios with reach ``owner``)."""

    id: Id
    name: Name
    country: CountryId
    owner: CountryId | None = None


class GraphFile(_Strict):
    """One graph file: any of these top-level keys."""

    chainmap: Settings | None = None
    countries: list[Country] = []
    blocs: list[Bloc] = []
    sectors: list[Sector] = []
    components: list[Component] = []
    suppliers: list[Supplier] = []


class GraphSpec(_Strict):
    """A whole graph: every file merged (the input of compilation)."""

    settings: Settings = Settings()
    countries: list[Country] = []
    blocs: list[Bloc] = []
    sectors: list[Sector] = []
    components: list[Component] = []
    suppliers: list[Supplier] = []


Kind = Literal["country", "supplier", "component"]
