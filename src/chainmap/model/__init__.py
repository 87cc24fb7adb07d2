"""The model layer: schemas of the graph files, reading with lines, loading and checks."""

from chainmap.model.load import LoadedSpec, graph_files, load_spec, valid_country_code
from chainmap.model.schema import (
    Alternative,
    AnyOf,
    Bloc,
    Component,
    Country,
    GraphFile,
    GraphSpec,
    Requirement,
    Sector,
    Settings,
    Supplier,
    SupplyEntry,
    Weights,
    is_any_of,
    requirement_members,
)

__all__ = [
    "Alternative",
    "AnyOf",
    "Bloc",
    "Component",
    "Country",
    "GraphFile",
    "GraphSpec",
    "LoadedSpec",
    "Requirement",
    "Sector",
    "Settings",
    "Supplier",
    "SupplyEntry",
    "Weights",
    "graph_files",
    "is_any_of",
    "load_spec",
    "requirement_members",
    "valid_country_code",
]
