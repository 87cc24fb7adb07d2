"""Top-level entry points of the library (re-exported by ``chainmap``)."""

from __future__ import annotations

from pathlib import Path

from chainmap.graph import SupplyGraph
from chainmap.model.load import load_spec

__all__ = ["load"]


def load(path: str | Path, home: str | None = None, *, cache: bool | None = None) -> SupplyGraph:
    """Load graph files (a folder, recursively, or one file) into a :class:`SupplyGraph`.

    A folder holding ``components.csv`` or ``components.parquet`` is read as a
    columnar graph (:mod:`chainmap.io.columnar`, docs/columnar-format.md).
    ``cache``: reuse (or store) the compiled graph in the on-disk cache keyed by
    the files' content (:mod:`chainmap.cache`); None follows the process default
    (off in the library, on in the command line unless ``--no-cache``).

    Raises :class:`chainmap.GraphFileError` listing every problem with file,
    line and field.

    Examples
    --------
    >>> g = load("tests/data/mini")
    >>> g.home, g.n_components, g.warnings[0].message
    ('CN', 7, 'fact without a source')
    """
    if cache or (cache is None and _cache_default()):
        from chainmap.cache import load_cached

        return load_cached(path, home)
    from chainmap.io.columnar import is_columnar, load_columnar

    if is_columnar(path):
        return load_columnar(path, home=home)
    return SupplyGraph.from_loaded(load_spec(path, home=home))


def _cache_default() -> bool:
    from chainmap.cache import cache_enabled

    return cache_enabled()
