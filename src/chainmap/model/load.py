"""Load graph files: read, validate, merge, and check references.

:func:`load_spec` reads one file or a folder (recursively, ``*.yaml``,
``*.yml``, ``*.json``, in sorted order), validates each file with the pydantic
schemas and merges them into one :class:`~chainmap.model.schema.GraphSpec`.
It reports *all* problems of a load together, each naming file, line and
field, by raising :class:`~chainmap.errors.GraphFileError`. Warnings (shares
summing above 1, a fact without a source) come back apart from errors.

Examples
--------
>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "g.yaml").write_text(
...     "countries: [{id: CN, name: China}]\\n"
...     "components:\\n  - {id: ore, name: Ore, suppliers: [{country: CN, share: 1, source: x}]}\\n")
>>> loaded = load_spec(folder)
>>> [c.id for c in loaded.spec.components], loaded.warnings
(['ore'], [])
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry
from pydantic import ValidationError

from chainmap.errors import GraphFileError, Problem
from chainmap.model.reader import Document, read_file
from chainmap.model.schema import RESERVED_ID, Fact, GraphFile, GraphSpec, Settings

__all__ = ["QUALITY_DIR", "SUFFIXES", "LoadedSpec", "graph_files", "graph_folders_above", "load_spec", "valid_country_code", "would_load"]

SUFFIXES = (".yaml", ".yml", ".json")
"""File endings read as graph files."""
QUALITY_DIR = "quality"
"""Top-level folder of a graph folder holding data-quality gate files (thresholds, deny list), not graph data."""
_EXTRA_CODES = {"EU", "XK"}


def valid_country_code(code: str) -> bool:
    """ISO 3166-1 alpha-2, ``EU``, ``XK``, or a user-assigned ``XA``..``XZ``.

    >>> [valid_country_code(c) for c in ["NO", "TW", "EU", "XB", "QQ"]]
    [True, True, True, True, False]
    """
    if code in _EXTRA_CODES or (len(code) == 2 and code[0] == "X" and code[1].isalpha()):
        return True
    return pycountry.countries.get(alpha_2=code) is not None


@dataclass
class LoadedSpec:
    """A merged, checked graph spec with where each id was defined."""

    spec: GraphSpec
    origins: dict[str, tuple[str, int]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def graph_files(path: Path) -> list[Path]:
    """The graph files under ``path`` in a stable order (hidden entries and the top-level ``quality/`` folder
    of gate files skipped).

    Nothing is skipped silently: an unreadable subfolder, or a symbolic link to a folder outside ``path``, is a
    :class:`GraphFileError`; a link to a folder inside ``path`` is followed (once).
    """
    if path.is_file():
        return [path]
    if not path.is_dir():
        kind = "not a regular file or folder" if path.exists() else "no such file or folder"
        raise GraphFileError([Problem(str(path), 0, "", kind)])
    root = path.resolve()
    problems: list[Problem] = []
    found: list[Path] = []
    seen: set[Path] = set()

    def walk(folder: Path, shown: Path) -> None:
        real = folder.resolve()
        if real in seen:
            return
        seen.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(shown.as_posix(), 0, "", f"cannot read folder: {exc.strerror or exc}"))
            return
        for entry in entries:
            rel = (shown / entry.name).relative_to(path)
            if entry.name.startswith(".") or (len(rel.parts) == 1 and entry.name == QUALITY_DIR):
                continue
            item = shown / entry.name
            if entry.is_dir(follow_symlinks=True):
                if entry.is_symlink():
                    target = Path(entry.path).resolve()
                    if target != root and root not in target.parents:
                        problems.append(Problem(item.as_posix(), 0, "",
                                                "symbolic link to a folder outside the graph folder (not followed)"))
                        continue
                walk(Path(entry.path), item)
            elif Path(entry.name).suffix.lower() in SUFFIXES and (
                    entry.is_file(follow_symlinks=True) or entry.is_symlink()):  # a broken link is reported
                found.append(item)

    walk(path, path)
    if problems:
        raise GraphFileError(problems)
    return sorted(found, key=lambda p: p.relative_to(path).as_posix())


def graph_folders_above(target: str | Path, levels: int = 3) -> list[Path]:
    """Folders among the ``levels`` nearest ancestors of ``target`` that hold graph data directly (a YAML graph
    file or a ``components`` table): outputs a later load of them would read are refused.

    >>> graph_folders_above("tests/data/mini/schema.json")
    [PosixPath('tests/data/mini')]
    """
    out = []
    for folder in list(Path(target).parents)[:levels]:
        try:
            names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
        except OSError:
            continue
        if any(Path(n).suffix.lower() in (".yaml", ".yml") and not n.startswith(".") for n in names) or \
                any(n in ("components.csv", "components.parquet") for n in names):
            out.append(folder)
    return out


def would_load(root: str | Path, target: str | Path) -> bool:
    """True when a load of the graph folder ``root`` would read the file ``target`` (YAML or columnar).

    >>> would_load("tests/data/mini", "tests/data/mini/new.yaml"), would_load("tests/data/mini", "out/x.yaml")
    (True, False)
    >>> would_load("tests/data/mini", "tests/data/mini/components.csv"), would_load("tests/data/mini", "tests/data/mini/v.html")
    (True, False)
    """
    base = Path(root)
    if not base.is_dir():
        return False
    try:
        rel = Path(target).resolve().relative_to(base.resolve())
    except ValueError:
        return False
    if not rel.parts or any(part.startswith(".") for part in rel.parts) or rel.parts[0] == QUALITY_DIR:
        return False
    if rel.suffix.lower() in SUFFIXES:
        return True
    from chainmap.io.columnar import TABLES

    return len(rel.parts) == 1 and rel.suffix.lower() in (".csv", ".parquet") and rel.stem in TABLES


def load_spec(path: str | Path, home: str | None = None) -> LoadedSpec:
    """Read, validate, merge and check the graph at ``path``.

    Raises :class:`GraphFileError` listing every problem found.
    """
    root = Path(path)
    files = graph_files(root)
    if not files:
        raise GraphFileError([Problem(str(root), 0, "", "no graph files (*.yaml, *.yml, *.json) found")])
    problems: list[Problem] = []
    parsed: list[tuple[Document, GraphFile]] = []
    for file in files:
        try:
            doc = read_file(file, _display(file, root))
        except GraphFileError as exc:
            problems.extend(exc.problems)
            continue
        graph_file = _validate(doc, problems)
        if graph_file is not None:
            parsed.append((doc, graph_file))
    loaded = _merge(parsed, problems)
    if home is not None:
        home = home.strip().upper()  # --home cn is China
        loaded.spec = loaded.spec.model_copy(
            update={"settings": loaded.spec.settings.model_copy(update={"home": home})}
        )
    _check(loaded, parsed, problems, home_given=home is not None)
    if problems:
        raise GraphFileError(problems)
    loaded.files = [doc.file for doc, _ in parsed]
    return loaded


def _display(file: Path, root: Path) -> str:
    if root.is_dir():
        return (root / file.relative_to(root)).as_posix()
    return file.as_posix()


def _validate(doc: Document, problems: list[Problem]) -> GraphFile | None:
    if doc.data is None:
        return GraphFile()
    if not isinstance(doc.data, dict):
        problems.append(Problem(doc.file, doc.line_of(()), "", "a graph file must be a mapping of sections"))
        return None
    try:
        return GraphFile.model_validate(doc.data)
    except ValidationError as exc:
        seen: set[tuple[int, str]] = set()
        for err in _without_union_noise(doc.data, exc.errors(include_url=False)):
            loc = _data_path(doc.data, err["loc"], missing=err["type"] == "missing")
            where = (doc.line_of(loc), _field_name(loc))
            if where in seen:
                continue
            seen.add(where)
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = "unknown field (typo?)"
            problems.append(Problem(doc.file, where[0], where[1], message))
        return None


def _data_path(data: Any, loc: Iterable[Any], missing: bool = True) -> tuple[str | int, ...]:
    """The part of a pydantic error location that exists in the data."""
    out: list[str | int] = []
    node = data
    parts = list(loc)
    last = len(parts) - 1
    for index, part in enumerate(parts):
        if (isinstance(node, dict) and part in node) or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and index == last and missing and "[" not in part:
            out.append(part)  # a missing field: name it
            break
        # else: a union branch tag ('constrained-str', 'AnyOf'): not part of the data
    return tuple(out)


def _union_point(data: Any, loc: tuple[Any, ...], missing: bool) -> tuple[Any, ...] | None:
    """The data path of the union whose branch ``loc`` goes through (None if it goes through none)."""
    node = data
    for index, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        elif index < len(loc) - 1 or not missing:
            return tuple(loc[:index])
        else:
            return None
    return None


def _without_union_noise(data: Any, errors: list[Any]) -> list[Any]:
    """Drop a union branch's complaint about the value's type where another branch fits its shape.

    ``requires: [{any_of: []}]`` fails both as a string ("should be a valid
    string") and as an ``any_of`` group (at least one member); only the
    group's complaint, which reaches inside the value, helps the author.
    """
    points = [_union_point(data, tuple(err["loc"]), err["type"] == "missing") for err in errors]
    paths = [_data_path(data, err["loc"], missing=err["type"] == "missing") for err in errors]
    deeper = {point for point, path in zip(points, paths, strict=True) if point is not None and len(path) > len(point)}
    return [
        err for point, path, err in zip(points, paths, errors, strict=True)
        if not (point in deeper and path == point)
    ]


def _field_name(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _merge(parsed: list[tuple[Document, GraphFile]], problems: list[Problem]) -> LoadedSpec:
    settings: Settings | None = None
    settings_at = ""
    lists: dict[str, list[Any]] = {k: [] for k in ("countries", "blocs", "sectors", "components", "suppliers")}
    origins: dict[str, tuple[str, int]] = {}
    lowered: dict[str, str] = {}
    for doc, graph_file in parsed:
        if graph_file.chainmap is not None:
            if settings is not None:
                problems.append(
                    Problem(doc.file, doc.line_of(("chainmap",)), "chainmap", f"settings given twice (also at {settings_at})")
                )
            else:
                settings = graph_file.chainmap
                settings_at = f"{doc.file}:{doc.line_of(('chainmap',))}"
        for section, items in lists.items():
            for index, item in enumerate(getattr(graph_file, section)):
                key = item.code if section == "sectors" else item.id
                line = doc.line_of((section, index))
                if key in origins:
                    other_file, other_line = origins[key]
                    problems.append(
                        Problem(doc.file, line, f"{section}[{index}].id", f"duplicate id {key!r} (first at {other_file}:{other_line})")
                    )
                    continue
                folded = key.casefold() if section not in ("sectors", "countries") else f"\0{key}"
                if folded in lowered and lowered[folded] != key:
                    other = lowered[folded]
                    other_file, other_line = origins[other]
                    problems.append(Problem(doc.file, line, f"{section}[{index}].id",
                                            f"id {key!r} differs from {other!r} only by case "
                                            f"(at {other_file}:{other_line})"))
                    continue
                lowered[folded] = key
                origins[key] = (doc.file, line)
                items.append(item)
    spec = GraphSpec(settings=settings or Settings(), **lists)
    return LoadedSpec(spec=spec, origins=origins)


def _check(
    loaded: LoadedSpec, parsed: list[tuple[Document, GraphFile]], problems: list[Problem], home_given: bool = False
) -> None:
    """References, share sums, country codes, sources: errors and warnings."""
    spec = loaded.spec
    countries = {c.id for c in spec.countries}
    suppliers = {s.id for s in spec.suppliers}
    components = {c.id for c in spec.components}
    warnings = loaded.warnings
    home = spec.settings.home
    if not valid_country_code(home):
        message = f"{home!r} is not an ISO 3166-1 alpha-2 code"
        if home_given:
            problems.append(Problem("--home", 0, "", message))
        else:
            doc = next((d for d, g in parsed if g.chainmap is not None and "home" in g.chainmap.model_fields_set), None)
            file, line = (doc.file, doc.line_of(("chainmap", "home"))) if doc else ("settings", 0)
            problems.append(Problem(file, line, "chainmap.home", message))
    as_of = spec.settings.as_of
    for doc, graph_file in parsed:
        for (path, value), ok, what in _references(graph_file, countries, suppliers, components):
            if not ok:
                problems.append(Problem(doc.file, doc.line_of(path), _field_name(path), f"unknown {what} {value!r}"))
        for path, fact in _facts(graph_file):
            if fact.year is not None and as_of is not None and fact.year > as_of:
                where = (*path, "year")
                problems.append(Problem(doc.file, doc.line_of(where), _field_name(where),
                                        f"year {fact.year} is after the graph's as_of {as_of}"))
        for section in ("components", "suppliers", "blocs"):
            for index, item in enumerate(getattr(graph_file, section)):
                if item.id == RESERVED_ID:
                    where = (section, index, "id")
                    problems.append(Problem(doc.file, doc.line_of(where), _field_name(where),
                                            f"{RESERVED_ID!r} is reserved (the unlisted remainder of supply)"))
        for index, country in enumerate(graph_file.countries):
            if not valid_country_code(country.id):
                path = ("countries", index, "id")
                problems.append(
                    Problem(doc.file, doc.line_of(path), _field_name(path), f"{country.id!r} is not an ISO 3166-1 alpha-2 code")
                )
            if country.risk is not None and not country.source:
                _warn_source(warnings, doc, ("countries", index, "risk"))
        for index, bloc in enumerate(graph_file.blocs):
            if not bloc.source:
                _warn_source(warnings, doc, ("blocs", index))
        for index, supplier in enumerate(graph_file.suppliers):
            if not supplier.source:
                _warn_source(warnings, doc, ("suppliers", index))
        for index, comp in enumerate(graph_file.components):
            base = ("components", index)
            if comp.suppliers:
                total = sum(e.share for e in comp.suppliers)
                if total <= 0:
                    problems.append(
                        Problem(doc.file, doc.line_of((*base, "suppliers")), _field_name((*base, "suppliers")), "shares sum to 0")
                    )
                elif total > 1.01:  # published tables round; 1.003 is not an error
                    warnings.append(
                        Problem(doc.file, doc.line_of((*base, "suppliers")), _field_name((*base, "suppliers")),
                                f"shares sum to {total:.3g} > 1 (normalised)")
                    )
            for j, entry in enumerate(comp.suppliers):
                if not entry.source:
                    _warn_source(warnings, doc, (*base, "suppliers", j))
            for j, alt in enumerate(comp.alternatives):
                if not alt.source:
                    _warn_source(warnings, doc, (*base, "alternatives", j))
    loaded.warnings = sorted(warnings)


def _warn_source(warnings: list[Problem], doc: Document, path: tuple[str | int, ...]) -> None:
    warnings.append(Problem(doc.file, doc.line_of(path), _field_name(path), "fact without a source"))


def _facts(graph_file: GraphFile) -> Iterator[tuple[tuple[str | int, ...], Fact]]:
    """Every fact of a file with its path (for checks common to all facts)."""
    for section in ("countries", "blocs", "sectors", "suppliers"):
        for i, item in enumerate(getattr(graph_file, section)):
            yield (section, i), item
    for i, comp in enumerate(graph_file.components):
        yield ("components", i), comp
        for j, req in enumerate(comp.requires):
            if not isinstance(req, str):
                yield ("components", i, "requires", j), req
        for j, entry in enumerate(comp.suppliers):
            yield ("components", i, "suppliers", j), entry
        for j, alt in enumerate(comp.alternatives):
            yield ("components", i, "alternatives", j), alt


Ref = tuple[tuple[tuple[str | int, ...], str | None], bool, str]


def _references(
    graph_file: GraphFile, countries: set[str], suppliers: set[str], components: set[str]
) -> Iterator[Ref]:
    for i, bloc in enumerate(graph_file.blocs):
        for j, member in enumerate(bloc.members):
            yield (("blocs", i, "members", j), member), member in countries, "country"
    for i, sector in enumerate(graph_file.sectors):
        for j, product in enumerate(sector.products):
            yield (("sectors", i, "products", j), product), product in components, "component"
    for i, supplier in enumerate(graph_file.suppliers):
        yield (("suppliers", i, "country"), supplier.country), supplier.country in countries, "country"
        if supplier.owner is not None:
            yield (("suppliers", i, "owner"), supplier.owner), supplier.owner in countries, "country"
    for i, comp in enumerate(graph_file.components):
        base = ("components", i)
        for j, req in enumerate(comp.requires):
            if isinstance(req, str):
                yield ((*base, "requires", j), req), req in components, "component"
            elif req.any_of is not None:
                for k, member in enumerate(req.any_of):
                    yield ((*base, "requires", j, "any_of", k), member), member in components, "component"
            else:
                yield ((*base, "requires", j, "component"), req.component), req.component in components, "component"
        for j, entry in enumerate(comp.suppliers):
            if entry.supplier is not None:
                yield ((*base, "suppliers", j, "supplier"), entry.supplier), entry.supplier in suppliers, "supplier"
            if entry.country is not None:
                yield ((*base, "suppliers", j, "country"), entry.country), entry.country in countries, "country"
        for j, alt in enumerate(comp.alternatives):
            yield ((*base, "alternatives", j, "supplier"), alt.supplier), alt.supplier in suppliers, "supplier"
