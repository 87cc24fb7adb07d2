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
    Sector,
    Settings,
    Supplier,
    SupplyEntry,
    Weights,
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
    "Sector",
    "Settings",
    "Supplier",
    "SupplyEntry",
    "Weights",
    "graph_files",
    "load_spec",
    "valid_country_code",
]
