"""The columnar graph form: CSV or Parquet tables loaded straight into arrays.

A folder holding ``components.csv`` (or ``components.parquet``) is a columnar
graph; the tables and their columns are documented in
``docs/columnar-format.md``. :func:`load_columnar` validates every table with
vectorised checks (pyarrow compute + numpy, no pydantic object per row) and
builds a :class:`~chainmap.graph.SupplyGraph` through
:meth:`~chainmap.graph.SupplyGraph.from_arrays`. Problems are reported as
:class:`~chainmap.errors.GraphFileError` with the table's path, the row's line
number (1-based, the header is line 1), the column and a message.

pyarrow is imported lazily (``pip install chainmap[parquet]``).

Examples
--------
>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "countries.csv").write_text("id,name,risk\\nCN,China,\\nJP,Japan,0.5\\n")
>>> _ = (folder / "components.csv").write_text("id,name,sector,value,stock_days,recovery_days,product\\n"
...     "wafer,Wafer,39,,,,false\\nchip,Chip,39,2,,,true\\n")
>>> _ = (folder / "requires.csv").write_text("component,group,member,any_of\\nchip,0,wafer,false\\n")
>>> _ = (folder / "supplies.csv").write_text("component,supplier,country,share,source,estimate\\n"
...     "wafer,,JP,1,x,false\\n")
>>> g = load_columnar(folder)
>>> g.component_ids, g.products, g.components["chip"].requires
(['chip', 'wafer'], ['chip'], ['wafer'])
>>> _ = (folder / "supplies.csv").write_text("component,supplier,country,share,source,estimate\\n"
...     "wafer,,JP,1.5,x,false\\n")
>>> try:
...     load_columnar(folder)
... except GraphFileError as exc:
...     print(exc.lines()[0].replace(str(folder), "DIR"))
DIR/supplies.csv:2: share: must be a number in [0, 1]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from chainmap.errors import GraphFileError, Problem, UsageError
from chainmap.graph import GraphArrays, IntArray, SupplyGraph, compile_requirements, stable_argsort
from chainmap.io.idkeys import IdIndex, arrow_indices, arrow_numpy, has_upper_or_non_ascii, printable_ascii
from chainmap.model.load import valid_country_code
from chainmap.model.schema import (
    COUNTRY_PATTERN,
    DEFAULT_LIFETIME_YEARS,
    ID_PATTERN,
    MAX_DAYS,
    MAX_VALUE,
    METHODS,
    Bloc,
    Sector,
    Settings,
)

__all__ = [
    "TABLES",
    "ColumnarTables",
    "TableWriter",
    "graph_data",
    "is_columnar",
    "load_columnar",
    "read_tables",
    "release_memory",
    "table_path",
    "tables_of",
    "write_tables",
]

SECTOR_PATTERN = r"^(0[6-9]|[1-3][0-9]|4[0-6])$"
MAX_PROBLEMS_PER_CHECK = 20

# table -> (required columns, optional columns); types: s string, f float, b bool, i int
TABLES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "countries": ({"id": "s", "name": "s"}, {"risk": "f"}),
    "suppliers": ({"id": "s", "name": "s", "country": "s"}, {"owner": "s"}),
    "components": ({"id": "s", "name": "s"},
                   {"sector": "s", "value": "f", "stock_days": "f", "recovery_days": "f", "product": "b"}),
    "requires": ({"component": "s", "group": "i", "member": "s"},
                 {"any_of": "b", "role": "s", "lifetime_years": "f", "share": "f"}),
    "supplies": ({"component": "s", "share": "f"},
                 {"supplier": "s", "country": "s", "source": "s", "estimate": "b", "year": "i", "method": "s"}),
    "alternatives": ({"component": "s", "supplier": "s", "readiness": "f"}, {}),
    "sectors": ({"code": "s", "name": "s"}, {}),
    "blocs": ({"id": "s", "name": "s", "members": "s"}, {}),
    "settings": ({"key": "s", "value": "s"}, {}),
}
REQUIRED_TABLES = ("components",)
REPEATED_COLUMNS = {"supplies": ("source", "method"), "requires": ("role",)}
"""Text columns of few distinct values, read dictionary-encoded (a citation repeated on millions of rows is
parsed into one text and integer codes, by pyarrow's parsing threads)."""


CHUNKED_COLUMNS = {"requires": ("component", "member", "group", "any_of", "lifetime_years", "share"),
                   "supplies": ("component", "supplier", "country", "share", "estimate", "year")}
"""Columns of the large tables kept in the chunks pyarrow parsed them into (every other column is combined
into one array): they are only looked up, masked and converted, chunk by chunk, so combining them would
copy the largest columns once more into fresh memory (a fifth of the memory a 1M load touches)."""


@dataclass
class _Table:
    name: str
    path: str
    data: Any  # pyarrow.Table


ColumnarTables = dict[str, Any]
"""Table name -> pyarrow.Table."""


def _pa() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.compute
        import pyarrow.csv
    except ImportError:  # pragma: no cover - pyarrow is a dev dependency
        raise GraphFileError([Problem("columnar", 0, "", "columnar graphs need pyarrow: pip install 'chainmap[parquet]'")]) from None
    return pa


def _pa_reading() -> Any:
    """``pyarrow`` with its CSV reader only: what parsing needs (``pyarrow.compute`` takes a fifth of a second
    to import; a load imports it while the large tables are parsed)."""
    try:
        import pyarrow as pa
        import pyarrow.csv
    except ImportError:  # pragma: no cover - pyarrow is a dev dependency
        return _pa()
    return pa


def _pq() -> Any:
    """``pyarrow.parquet``, imported when a Parquet table is read or written (a CSV folder never needs it)."""
    _pa()
    import pyarrow.parquet as pq

    return pq


def table_path(folder: str | Path, name: str) -> Path | None:
    """The file of table ``name`` in ``folder`` (``.parquet`` preferred over ``.csv``), or None."""
    for suffix in (".parquet", ".csv"):
        p = Path(folder) / f"{name}{suffix}"
        if p.is_file():
            return p
    return None


def is_columnar(path: str | Path) -> bool:
    """True for a folder holding ``components.csv`` or ``components.parquet``."""
    p = Path(path)
    return p.is_dir() and table_path(p, "components") is not None


def _arrow_type(pa: Any, code: str) -> Any:
    return {"s": pa.string(), "f": pa.float64(), "b": pa.bool_(), "i": pa.int64()}[code]


def _read(folder: Path, name: str, problems: list[Problem], threads: bool = True) -> _Table | None:
    """Table ``name`` of ``folder`` read, its columns typed (None when absent or unreadable: the problems of
    reading in ``problems``); ``threads``: parse a CSV file on pyarrow's thread pool (else in this thread)."""
    pa = _pa_reading()
    path = table_path(folder, name)
    if path is None:
        if name in REQUIRED_TABLES:
            problems.append(Problem(str(Path(folder) / f"{name}.csv"), 0, "", "missing table"))
        return None
    required, optional = TABLES[name]
    types = {**required, **optional}
    shown = path.as_posix()
    try:
        if path.suffix == ".csv":
            convert = pa.csv.ConvertOptions(
                column_types={c: pa.dictionary(pa.int32(), pa.string()) if c in REPEATED_COLUMNS.get(name, ())
                              else _arrow_type(pa, t) for c, t in types.items()},
                strings_can_be_null=True, quoted_strings_can_be_null=False,
                true_values=["true", "True", "TRUE", "1", "yes"], false_values=["false", "False", "FALSE", "0", "no", ""],
            )
            with pa.memory_map(str(path)) as source:  # parsed from the page cache: no copy into fresh memory
                data = pa.csv.read_csv(source, convert_options=convert,
                                       read_options=pa.csv.ReadOptions(block_size=1 << 22, use_threads=threads))
        else:
            encoded = [c for c in REPEATED_COLUMNS.get(name, ()) if c in _pq().read_schema(path).names]
            data = _pq().read_table(path, read_dictionary=encoded or None)
    except (pa.ArrowInvalid, OSError) as exc:
        problems.append(_arrow_problem(shown, str(exc), list(types)))
        return None
    dupes = sorted({c for c in data.column_names if data.column_names.count(c) > 1})
    for c in dupes:
        problems.append(Problem(shown, 1, c, "duplicate column"))
    if dupes:
        return None
    missing = [c for c in required if c not in data.column_names]
    unknown = [c for c in data.column_names if c not in types]
    for c in missing:
        problems.append(Problem(shown, 1, c, "missing column"))
    for c in unknown:
        problems.append(Problem(shown, 1, c, "unknown column (typo?)"))
    if missing or unknown:
        return None
    columns = {}
    for c in data.column_names:
        col = data.column(c)
        want = _arrow_type(pa, types[c])
        repeated = (c in REPEATED_COLUMNS.get(name, ()) and pa.types.is_dictionary(col.type)
                    and col.type.value_type == pa.string())
        if col.type != want and not repeated:
            try:
                col = col.cast(want)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                problems.append(Problem(shown, 1, c, f"cannot read as {want}: {exc}"))
                return None
        keep_chunks = c in CHUNKED_COLUMNS.get(name, ()) and hasattr(col, "num_chunks") and col.num_chunks > 1
        columns[c] = col if keep_chunks or not hasattr(col, "combine_chunks") else col.combine_chunks()
    for c in optional:
        if c not in columns:
            columns[c] = pa.nulls(data.num_rows, type=_arrow_type(pa, optional[c]))
    return _Table(name, shown, pa.table(columns))


def _arrow_problem(path: str, message: str, columns: list[str]) -> Problem:
    line = 0
    row = re.search(r"[Rr]ow #(\d+)", message)
    if row:
        line = int(row.group(1))
    column = ""
    col = re.search(r"column #(\d+)", message)
    named = re.search(r"'([A-Za-z_]+)'", message)
    if named and named.group(1) in columns:
        column = named.group(1)
    elif col:
        column = f"column {int(col.group(1)) + 1}"
    if not line and path.endswith(".csv"):
        line, header = _csv_line_of(path, message)
        column = header or column
    return Problem(path, line, column, " ".join(message.split())[:300])


def _csv_line_of(path: str, message: str) -> tuple[int, str]:
    """The line (and column name) of a pyarrow CSV error that names the row's text or the bad value, found by
    reading the file again with the csv module (only when there is an error); (0, "") if not found.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("id,value\\na,1\\nb,x\\n")
    >>> _csv_line_of(str(p), "In CSV column #1: CSV conversion error to double: invalid value 'x'")
    (3, 'value')
    """
    import csv

    short = re.search(r"Expected \d+ columns, got \d+: ([^\n]*)", message)
    bad = re.search(r"column #(\d+): CSV conversion error to \w+: invalid value '(.*)'", message, re.S)
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            if short:
                for number, text in enumerate(handle, 1):
                    if text.rstrip("\r\n") == short.group(1):
                        return number, ""
            elif bad:
                index, value = int(bad.group(1)), bad.group(2)
                reader = csv.reader(handle)
                header = next(reader, [])
                for row in reader:
                    if len(row) > index and row[index] == value:
                        return reader.line_num, header[index] if index < len(header) else ""
    except (OSError, csv.Error):
        pass
    return 0, ""


class _Checker:
    """Collects problems of vectorised checks, a few rows per check at most."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def rows(self, table: _Table, column: str, bad: np.ndarray, message: str | Callable[[int], str]) -> None:
        rows = np.flatnonzero(bad)
        for r in rows[:MAX_PROBLEMS_PER_CHECK].tolist():
            text = message(r) if callable(message) else message
            self.problems.append(Problem(table.path, r + 2, column, text))
        if rows.size > MAX_PROBLEMS_PER_CHECK:
            self.problems.append(Problem(table.path, int(rows[MAX_PROBLEMS_PER_CHECK]) + 2, column,
                                         f"{rows.size - MAX_PROBLEMS_PER_CHECK} more rows with: "
                                         f"{message if isinstance(message, str) else 'the same problem'}"))


def _strings(table: _Table, column: str) -> Any:
    """Column ``column`` of ``table``: one pyarrow array, or a chunked array for a column of
    :data:`CHUNKED_COLUMNS` parsed in several chunks."""
    col = table.data.column(column)
    return col.chunk(0) if col.num_chunks == 1 else col if col.num_chunks else col.combine_chunks()


def _null_mask(col: Any) -> np.ndarray:
    if col.null_count == 0:
        return np.zeros(len(col), dtype=bool)
    return np.asarray(arrow_numpy(col.is_null()), dtype=bool)


def _fill_nan(values: np.ndarray, fill: float) -> np.ndarray:
    """``values`` with NaN replaced by ``fill``: in place when the array is writable (a copy made for this
    load), else a new array (a read-only view of a parsed column).

    >>> _fill_nan(np.array([0.5, np.nan]), 1.0).tolist()
    [0.5, 1.0]
    """
    nan = np.isnan(values)
    if not values.flags.writeable:
        return np.where(nan, fill, values)
    values[nan] = fill
    return values


def _floats(table: _Table, column: str) -> np.ndarray:
    col = table.data.column(column)
    if col.type != _pa().float64():
        col = col.cast(_pa().float64())
    return np.asarray(arrow_numpy(col), dtype=np.float64)  # nulls -> NaN


def _bools(table: _Table, column: str, default: bool = False) -> np.ndarray:
    if column not in table.data.column_names:
        return np.full(table.data.num_rows, default)
    return np.asarray(arrow_numpy(table.data.column(column), fill=default), dtype=bool)


def _check_pattern(check: _Checker, table: _Table, column: str, pattern: str, what: str,
                   required: bool = True, choices: Sequence[str] = ()) -> np.ndarray:
    """Rows whose value is null (when required) or does not match; returns the null mask. ``choices``: texts
    that match (compared first; the pattern runs on the other rows only)."""
    col = _strings(table, column)
    null = _null_mask(col)
    if required:
        check.rows(table, column, null, f"missing {what}")
    ok = _matches(col, pattern, choices)
    values = col
    check.rows(table, column, ~ok, lambda r: f"{values[r].as_py()!r} is not a valid {what}")
    return null


_ID_FIRST = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_ID_REST = _ID_FIRST | frozenset(b"_.:/+-")


def _ids_valid(index: IdIndex) -> bool:
    """Whether every id of ``index`` matches :data:`~chainmap.model.schema.ID_PATTERN`, from the bytes its ids
    use at each position (an index holds ids of at most 8 bytes, none null, no NUL byte: a 0 byte is the
    padding past a shorter id's end, so none may be at the first position, and any may be after it).

    >>> import pyarrow as pa
    >>> _ids_valid(IdIndex.build(pa.array(["c01", "Ab.x-1"]))), _ids_valid(IdIndex.build(pa.array(["c01", "_b"])))
    (True, False)
    >>> _ids_valid(IdIndex.build(pa.array(["c01", "a b"]))), _ids_valid(IdIndex.build(pa.array(["c01", ""])))
    (False, False)
    """
    if ID_PATTERN != r"^[A-Za-z0-9][A-Za-z0-9_.:/+-]{0,199}$":  # the pattern these byte sets stand for
        return False
    present = index.ranks >= 0
    if index.width == 0 or not set(np.flatnonzero(present[0]).tolist()) <= _ID_FIRST:
        return False
    return set(np.flatnonzero(present[1:].any(axis=0)).tolist()) <= _ID_REST | {0}


def _matches(col: Any, pattern: str, choices: Sequence[str] = ()) -> np.ndarray:
    """Whether each text of ``col`` matches the regex ``pattern`` (True for nulls): texts of ``choices`` (which
    match it) by comparison, the others by the regex; no regex at all over a column of nulls.

    A dictionary-encoded column is matched by its distinct texts (then read per row through its codes).

    >>> import pyarrow as pa
    >>> _matches(pa.array(["input", None, "x", "equipment"]), "^(input|equipment)$", ("input", "equipment")).tolist()
    [True, True, False, True]
    >>> _matches(pa.array(["x", None, "input", "x"]).dictionary_encode(), "^(input|equipment)$", ("input",)).tolist()
    [False, True, True, False]
    """
    pa = _pa()
    n = len(col)
    if col.null_count == n:
        return np.ones(n, dtype=bool)
    if pa.types.is_dictionary(col.type):
        distinct = _matches(col.dictionary, pattern, choices)
        matched: np.ndarray = np.append(distinct, True)[arrow_numpy(col.indices, fill=-1)]  # a null (code -1) matches
        return matched
    if not choices:
        return np.asarray(arrow_numpy(pa.compute.match_substring_regex(col, pattern), fill=True), dtype=bool)
    ok = np.asarray(arrow_numpy(pa.compute.is_in(col, value_set=_string_array(choices)), fill=True), dtype=bool)
    ok |= _null_mask(col)
    rest = np.flatnonzero(~ok)
    if rest.size:
        ok[rest] = np.asarray(arrow_numpy(pa.compute.match_substring_regex(col.take(arrow_indices(rest)), pattern),
                                          fill=True), dtype=bool)
    return ok


def _string_array(texts: Sequence[str]) -> Any:
    """A pyarrow string array of ``texts``, from buffers: ``pa.array`` and ``pa.scalar`` of Python objects
    import pandas (a third of a second) on first use."""
    pa = _pa()
    encoded = [t.encode() for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return pa.Array.from_buffers(pa.string(), len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))])


def _index(pa: Any, sorted_ids: Any, refs: Any) -> np.ndarray:
    """Index of each ref in ``sorted_ids`` (-1 when absent or null)."""
    idx = pa.compute.index_in(refs, value_set=sorted_ids)
    return np.asarray(arrow_numpy(idx, fill=-1), dtype=np.int64)


def _index_many(pa: Any, sorted_ids: Any, refs: list[Any]) -> list[np.ndarray]:
    """:func:`_index` of several reference columns into the same ids, with one hash pass over all of them
    (one dictionary encoding of ids and references together, instead of one hash table of the ids per column).

    >>> import pyarrow as pa
    >>> [a.tolist() for a in _index_many(pa, pa.array(["a", "b", "b", "c"]), [pa.array(["c", None, "x", "b"])])]
    [[3, -1, -1, 1]]
    """
    if not refs:
        return []
    pieces = [sorted_ids, *(piece for r in refs for piece in (r.chunks if hasattr(r, "chunks") else [r]))]
    encoded = pa.compute.dictionary_encode(pa.chunked_array(pieces, type=pa.string()))
    chunks = encoded.chunks
    n_dict = len(chunks[0].dictionary) if chunks else 0
    codes = [np.asarray(arrow_numpy(c.indices, fill=-1), dtype=np.int64) for c in chunks]
    # chunks follow the inputs (empty inputs may yield no chunk: split by lengths instead)
    flat = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)
    bounds = np.cumsum([len(sorted_ids), *(len(r) for r in refs)])
    parts = np.split(flat, bounds[:-1])
    position = np.full(n_dict + 1, -1, dtype=np.int64)  # code -> first index in sorted_ids; code -1 -> -1
    id_codes = parts[0][::-1]
    rank = np.arange(id_codes.size - 1, -1, -1, dtype=np.int64)
    known = id_codes >= 0  # a null id matches nothing
    position[id_codes[known]] = rank[known]  # reversed: the first of duplicate ids wins
    return [position[c] for c in parts[1:]]


def _sorted_unique_ids(check: _Checker, table: _Table, column: str) -> tuple[Any, np.ndarray, IdIndex | None]:
    """The ids sorted, the sorting permutation and their :class:`~chainmap.io.idkeys.IdIndex` (None when the
    ids do not qualify: then references are looked up by hashing); duplicates reported."""
    pa = _pa()
    col = _strings(table, column)
    index = IdIndex.build(col)
    if index is not None:
        order = index.order
        in_order = bool(order.size == 0 or (order[-1] == order.size - 1 and (np.diff(order) == 1).all()))
        ids = col if in_order else col.take(arrow_indices(order))
        dup_sorted = index.duplicates()
        if dup_sorted.any():
            bad = np.zeros(len(ids), dtype=bool)
            bad[order[dup_sorted]] = True
            check.rows(table, column, bad, lambda r: f"duplicate id {col[r].as_py()!r}")
        return ids, order, index
    order = np.asarray(arrow_numpy(pa.compute.sort_indices(col)), dtype=np.int64)
    ids = col.take(arrow_indices(order))
    if len(ids) > 1:
        dup = np.asarray(arrow_numpy(pa.compute.equal(ids.slice(1), ids.slice(0, len(ids) - 1)), fill=False), dtype=bool)
        bad = np.zeros(len(ids), dtype=bool)
        bad[order[1:][dup]] = True
        check.rows(table, column, bad, lambda r: f"duplicate id {col[r].as_py()!r}")
    return ids, order, None


def _lookup(pa: Any, sorted_ids: Any, index: IdIndex | None, refs: Any) -> np.ndarray:
    """:func:`_index` of ``refs`` into ``sorted_ids``, by codes when the ids have an index."""
    if index is not None:
        found = index.lookup(refs)
        if found is not None:
            return found
    return _index(pa, sorted_ids, refs)


def _lookup_many(pa: Any, sorted_ids: Any, index: IdIndex | None, refs: list[Any]) -> list[np.ndarray]:
    """:func:`_index_many`, by codes when the ids have an index."""
    if index is not None:
        found = [index.lookup(r) for r in refs]
        if all(f is not None for f in found):
            return [f for f in found if f is not None]
    return _index_many(pa, sorted_ids, refs)


def _check_range(check: _Checker, table: _Table, column: str, values: np.ndarray, lo: float, hi: float,
                 required: bool) -> None:
    nan = np.isnan(values)
    if required:
        check.rows(table, column, nan, "missing number")
    with np.errstate(invalid="ignore"):
        bad = ~nan & ~((values >= lo) & (values <= hi))
    text = f"must be a number in [{lo:g}, {hi:g}]" if np.isfinite(hi) else f"must be a finite number >= {lo:g}"
    check.rows(table, column, bad, text)


def _check_year(check: _Checker, table: _Table, column: str) -> None:
    if table.data.column(column).null_count == table.data.num_rows:
        return  # no year given
    values = _floats(table, column)
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(values) & ~((values >= 1900) & (values <= 2100))
    check.rows(table, column, bad, "must be a year in [1900, 2100]")


def _control_message(names: Any) -> Callable[[int], str]:
    return lambda r: f"control character in a name: {names[r].as_py()!r}"


def _case_clashes(check: _Checker, pa: Any, tables: list[_Table]) -> None:
    """Ids (of suppliers and components together) that differ only by case: an error on every row but the first."""
    if not any(has_upper_or_non_ascii(_strings(t, "id")) for t in tables):
        return  # no upper-case letter (nor any non-ASCII byte) in any id: no two can differ by case only
    ids = pa.chunked_array([_strings(t, "id") for t in tables], type=pa.string())
    lower = pa.compute.utf8_lower(ids)
    if bool(pa.compute.all(pa.compute.equal(lower, ids)).as_py() is not False):
        return  # no id with an upper-case letter: no two can differ by case only
    if len(pa.compute.unique(lower.drop_null())) == len(pa.compute.unique(ids.drop_null())):
        return
    first: dict[str, str] = {}
    for t in tables:
        col = _strings(t, "id")
        low = pa.compute.utf8_lower(col).to_pylist()
        bad = np.zeros(len(col), dtype=bool)
        texts: dict[int, str] = {}
        for r, (key, original) in enumerate(zip(low, col.to_pylist(), strict=True)):
            if key is None:
                continue
            seen = first.setdefault(key, original)
            if seen != original:
                bad[r] = True
                texts[r] = f"id {original!r} differs from {seen!r} only by case"
        check.rows(t, "id", bad, texts.__getitem__)


def _unknown_refs(check: _Checker, table: _Table, column: str, idx: np.ndarray, null: np.ndarray, what: str) -> None:
    col = _strings(table, column)
    check.rows(table, column, (idx < 0) & ~null, lambda r: f"unknown {what} {col[r].as_py()!r}")


def _references(check: _Checker, pa: Any, table: _Table, column: str, sorted_ids: Any, index: IdIndex | None,
                what: str, missing: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The row index each reference of ``column`` names (-1: none or unknown) and its null mask; reports
    ``missing`` for a null (when given), then every unknown reference."""
    texts = _strings(table, column)
    idx = _lookup(pa, sorted_ids, index, texts)
    null = _null_mask(texts)
    if missing is not None:
        check.rows(table, column, null, missing)
    _unknown_refs(check, table, column, idx, null, what)
    return idx, null


def read_tables(folder: str | Path, names: Sequence[str] | None = None, threads: bool = True
                ) -> tuple[dict[str, _Table], list[Problem]]:
    """Read every table present in ``folder`` (or those of ``names``; types coerced); problems of reading.
    ``threads``: parse CSV files on pyarrow's thread pool (else in this thread)."""
    problems: list[Problem] = []
    tables: dict[str, _Table] = {}
    for name in TABLES if names is None else names:
        t = _read(Path(folder), name, problems, threads)
        if t is not None:
            tables[name] = t
    return tables, problems


LATE_TABLES = ("requires", "supplies", "alternatives")
"""The large reference tables: read in a thread while the others are checked (:class:`_LateReads`).

Threads and memory: only parsing runs off the main thread (pyarrow parses on its own pool, into its own memory
pool); every numpy step of a load runs on the main thread, one after the other. Numpy work spread over threads
was no faster on two cores: each thread allocates from its own glibc arena, whose heaps are returned to the
system and faulted in again (fresh pages are zeroed by the kernel: a third of a 1M load's CPU time went there),
so the load took more CPU time and ~200 MB more memory for the same wall time."""


POOLED_TABLES = ("components", *LATE_TABLES)
"""The tables parsed on pyarrow's pool (:class:`_LateReads`), in this order: the components first (the checks
start from their ids), then the large reference tables."""


class _LateReads:
    """:func:`read_tables` of :data:`POOLED_TABLES` in a thread (pyarrow parses on its pool with the GIL
    released), so settings, countries and suppliers are read meanwhile, and the components checked while the
    large tables are parsed; each table can be waited for alone (:meth:`table`: the requirements are checked
    while the supplies are parsed)."""

    def __init__(self, folder: Path) -> None:
        import threading

        self._tables: dict[str, _Table] = {}
        self._problems: dict[str, list[Problem]] = {name: [] for name in POOLED_TABLES}
        self._done = {name: threading.Event() for name in POOLED_TABLES}
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(folder,), name="chainmap-read", daemon=True)
        self._thread.start()

    def _run(self, folder: Path) -> None:
        try:
            for name in POOLED_TABLES:
                table = _read(folder, name, self._problems[name])
                if table is not None:
                    self._tables[name] = table
                self._done[name].set()
        except BaseException as exc:  # handed to the caller by table() and result()
            self._error = exc
        finally:
            for done in self._done.values():
                done.set()

    def table(self, name: str) -> tuple[_Table | None, list[Problem]]:
        """Table ``name`` (None when absent or unreadable) and the problems of reading it (waits for it)."""
        self._done[name].wait()
        if self._error is not None:
            raise self._error
        return self._tables.get(name), self._problems[name]

    def result(self) -> tuple[dict[str, _Table], list[Problem]]:
        """The tables read and the problems of reading (waits for the thread)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return dict(self._tables), [p for name in POOLED_TABLES for p in self._problems[name]]


def _in_table_order(problems: list[Problem]) -> list[Problem]:
    """Problems of reading in :data:`TABLES` order (as one :func:`read_tables` of every table reports them)."""
    rank = {name: i for i, name in enumerate(TABLES)}
    return sorted(problems, key=lambda p: rank.get(Path(p.file).stem, len(rank)))


def _empty(pa: Any, name: str, folder: Path) -> _Table:
    required, optional = TABLES[name]
    types = {**required, **optional}
    return _Table(name, (folder / f"{name}.csv").as_posix(),
                  pa.table({c: pa.nulls(0, type=_arrow_type(pa, t)) for c, t in types.items()}))


class _Coded(Sequence[str | None]):
    """A column of repeated texts as integer codes into a small list (memory-light)."""

    def __init__(self, codes: np.ndarray, texts: list[str]) -> None:
        self.codes, self.texts = codes, texts

    def __getitem__(self, i: Any) -> Any:
        code = int(self.codes[i])
        return None if code < 0 else self.texts[code]

    def __len__(self) -> int:
        return int(self.codes.size)


def load_columnar(folder: str | Path, home: str | None = None) -> SupplyGraph:
    """Load a columnar graph folder into a :class:`SupplyGraph` (see module doc). The cyclic garbage collector
    is paused meanwhile (a load builds no reference cycles; each full collection would walk the million texts
    of every id and name list built so far: a tenth of a 1M load's CPU time)."""
    import gc

    _prefetch_imports()
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_columnar(folder, home)
    finally:  # the validation's temporaries are gone now
        if collecting:
            gc.enable()
        release_memory()


def _import_compile_modules() -> None:
    import pyarrow.compute  # noqa: F401 - what the checks use (a third of a second: docstrings are parsed)
    import scipy.sparse.csgraph  # noqa: F401 - what compiling the graph (SupplyGraph.schedule) imports


def _prefetch_imports() -> None:
    """Import what the checks and compiling a loaded graph need (pyarrow.compute, a third of a second of CPU,
    and scipy's sparse graph routines, a fifth) in a thread, while pyarrow parses the tables with the GIL
    released."""
    import sys
    import threading

    if "scipy.sparse.csgraph" not in sys.modules or "pyarrow.compute" not in sys.modules:
        threading.Thread(target=_import_compile_modules, name="chainmap-prefetch", daemon=True).start()


def _load_columnar(folder: str | Path, home: str | None = None) -> SupplyGraph:
    pa = _pa_reading()
    root = Path(folder)
    from chainmap.model.load import graph_files

    mixed = [f for f in graph_files(root) if f.suffix.lower() in (".yaml", ".yml")]
    if mixed:
        raise GraphFileError([Problem(f.as_posix(), 0, "", "a YAML graph file in a columnar folder (holding "
                                      "components.csv or .parquet): keep the two forms in separate folders")
                              for f in mixed[:MAX_PROBLEMS_PER_CHECK]])
    late = _LateReads(root)  # the components, then the large tables: their parse is the longest
    # the small tables parsed here (pyarrow's pool is parsing the components, then the large tables)
    tables, problems = read_tables(root, [name for name in TABLES if name not in POOLED_TABLES], threads=False)
    pc = _pa().compute  # imported in a thread meanwhile (:func:`_prefetch_imports`)
    try:
        if problems:
            raise GraphFileError(problems)
        components, component_problems = late.table("components")
        if component_problems:
            raise GraphFileError(component_problems)
        if components is not None:  # in its place among the tables (the graph's files are listed in that order)
            tables = {name: components if name == "components" else tables[name]
                      for name in TABLES if name in tables or name == "components"}
        for name in TABLES:
            if name not in tables and name not in LATE_TABLES:
                tables[name] = _empty(pa, name, root)
        check = _Checker()
        T = tables

        # settings: one row per key (``weights.NAME`` for a priority weight); empty values are "not given"
        settings_data: dict[str, Any] = {}
        st = T["settings"]
        weights: dict[str, str] = {}
        key_line: dict[str, int] = {}
        for r, (key, value) in enumerate(zip(st.data.column("key").to_pylist(), st.data.column("value").to_pylist(),
                                             strict=True)):
            if key is None:
                check.problems.append(Problem(st.path, r + 2, "key", "missing key"))
                continue
            if key in key_line:
                check.problems.append(Problem(st.path, r + 2, "key", f"duplicate setting {key!r}"))
                continue
            key_line[key] = r + 2
            if value is None:
                continue
            if key.startswith("weights."):
                weights[key.split(".", 1)[1]] = value
            else:
                settings_data[key] = value
        if weights:
            settings_data["weights"] = weights
        if home is not None:
            settings_data["home"] = home.strip().upper()
        try:
            settings = Settings.model_validate(settings_data)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                field = ".".join(str(p) for p in err["loc"])
                from_cli = field == "home" and home is not None
                check.problems.append(Problem("--home" if from_cli else st.path, 0 if from_cli else key_line.get(field, 0),
                                              field if from_cli or field not in key_line
                                              else "key" if err["type"] == "extra_forbidden" else "value",
                                              f"{field}: unknown setting (typo?)" if err["type"] == "extra_forbidden"
                                              else f"{field}: {err['msg']}"))
            raise GraphFileError(check.problems) from None
        if check.problems:
            raise GraphFileError(check.problems)
        if not valid_country_code(settings.home):
            check.problems.append(Problem("--home" if home else st.path, 0, "home",
                                          f"{settings.home!r} is not an ISO 3166-1 alpha-2 code"))

        # ids
        ct, su, co = T["countries"], T["suppliers"], T["components"]
        comp_check = _Checker()  # its problems join the others' in their place below
        comp_sorted, comp_order, comp_index = _sorted_unique_ids(comp_check, co, "id")
        _check_pattern(check, ct, "id", COUNTRY_PATTERN, "country id")
        for code in set(pc.unique(_strings(ct, "id")).drop_null().to_pylist()):
            if re.match(COUNTRY_PATTERN, code) and not valid_country_code(code):
                bad = np.asarray(arrow_numpy(pc.equal(_strings(ct, "id"), code), fill=False))
                check.rows(ct, "id", bad, f"{code!r} is not an ISO 3166-1 alpha-2 code")
        _check_pattern(check, su, "id", ID_PATTERN, "id")
        if comp_index is None or not _ids_valid(comp_index):  # else every id matches: no regex over a million
            _check_pattern(check, co, "id", ID_PATTERN, "id")
        for t in (ct, su, co):
            check.rows(t, "name", _null_mask(_strings(t, "name")), "missing name")
            names = _strings(t, "name")
            if not printable_ascii(names):  # else no control character can be there: no regex over a million names
                control = arrow_numpy(pc.match_substring_regex(names, "[\\x00-\\x1f\\x7f-\\x9f\u2028\u2029]"),
                                      fill=False)
                check.rows(t, "name", np.asarray(control, dtype=bool), _control_message(names))
        _case_clashes(check, pa, [su, co])
        country_sorted, country_order, country_index = _sorted_unique_ids(check, ct, "id")
        supplier_sorted, supplier_order, supplier_index = _sorted_unique_ids(check, su, "id")
        check.problems += comp_check.problems
        # ids shared across kinds
        for a, b, a_sorted, a_index in ((su, co, supplier_sorted, supplier_index), (ct, su, country_sorted, country_index),
                                        (ct, co, country_sorted, country_index)):
            clash = _lookup(pa, a_sorted, a_index, _strings(b, "id")) >= 0
            check.rows(b, "id", clash, _duplicate_message(_strings(b, "id"), a.name))

        risk = _floats(ct, "risk") if "risk" in ct.data.column_names else np.full(ct.data.num_rows, np.nan)
        _check_range(check, ct, "risk", risk, 0.0, 1.0, required=False)
        sup_country, _ = _references(check, pa, su, "country", country_sorted, country_index, "country",
                                     "missing country")
        sup_owner, sup_owner_null = _references(check, pa, su, "owner", country_sorted, country_index, "country")
        sup_owner = np.where(sup_owner_null, sup_country, sup_owner)

        sector_null = _check_pattern(check, co, "sector", SECTOR_PATTERN, "sector code (06..46)", required=False)
        value = _floats(co, "value")
        stock = _floats(co, "stock_days")
        recovery = _floats(co, "recovery_days")
        for column, arr in (("value", value), ("stock_days", stock), ("recovery_days", recovery)):
            _check_range(check, co, column, arr, 0.0, MAX_VALUE if column == "value" else MAX_DAYS, required=False)
        product = _bools(co, "product")
        check.rows(co, "sector", product & sector_null, "a product needs a sector")

    except GraphFileError:
        late_problems = late.result()[1]
        if problems or late_problems:  # problems of reading come first, as when every table is read at once
            raise GraphFileError(_in_table_order(problems + late_problems)) from None
        raise
    ids = _Ids(country_sorted, country_index, supplier_sorted, supplier_index, comp_sorted, comp_index,
               sup_country, supplier_order)
    # the requirements once their table is parsed (the supplies are parsed meanwhile), their schedule compiled
    requirement_problems, groups, compiled = _requirements_when_read(pa, late, root, comp_sorted, comp_index)
    # texts while the large tables are parsed (checks below do not need them; the tables go before the arrays)
    country_ids = country_sorted.to_pylist()
    comp_ids = comp_sorted.to_pylist()
    supplier_ids = supplier_sorted.to_pylist()
    sectors_sorted, sector_codes, sector_texts = _take_repeated(pc, _take(co, "sector", comp_order))
    country_name = _take(ct, "name", country_order).to_pylist()
    supplier_name = _take(su, "name", supplier_order).to_pylist()
    component_name = _take(co, "name", comp_order).to_pylist()
    prod_sorted = product[comp_order]
    values = value[comp_order], stock[comp_order], recovery[comp_order]
    del value, stock, recovery, product

    # the supply entries once their table is parsed
    supply_problems, entries = _supplies_when_read(pa, late, root, ids)
    late_tables, late_problems = late.result()
    pa.default_memory_pool().release_unused()  # the large tables' memory, unused now
    if late_problems:
        raise GraphFileError(late_problems)
    for name in LATE_TABLES:
        tables[name] = late_tables[name] if name in late_tables else _empty(pa, name, root)
    rq, al = T["requires"], T["alternatives"]
    check.problems += supply_problems
    check.problems += requirement_problems

    # alternatives
    (a_comp,) = _lookup_many(pa, comp_sorted, comp_index, [_strings(al, "component")])
    _unknown_refs(check, al, "component", a_comp, _null_mask(_strings(al, "component")), "component")
    a_sup, _ = _references(check, pa, al, "supplier", supplier_sorted, supplier_index, "supplier")
    check.rows(al, "component", _null_mask(_strings(al, "component")), "missing component")
    check.rows(al, "supplier", _null_mask(_strings(al, "supplier")), "missing supplier")
    readiness = _floats(al, "readiness")
    _check_range(check, al, "readiness", readiness, 0.0, 1.0, required=True)

    # sectors and blocs (small tables: pydantic is fine here)
    sectors_names: dict[str, str] = {}
    se = T["sectors"]
    for r, (code, name) in enumerate(zip(se.data.column("code").to_pylist(), se.data.column("name").to_pylist(),
                                         strict=True)):
        if code is None or not re.match(SECTOR_PATTERN, code):
            check.problems.append(Problem(se.path, r + 2, "code", f"{code!r} is not a sector code (06..46)"))
        elif code in sectors_names:
            check.problems.append(Problem(se.path, r + 2, "code", f"duplicate sector {code!r}"))
        else:
            sectors_names[code] = name or code
    blocs: list[Bloc] = []
    bl = T["blocs"]
    country_set = set(country_ids)
    for r, row in enumerate(bl.data.to_pylist()):
        members = [m.strip() for m in (row["members"] or "").split(";") if m.strip()]
        try:
            bloc = Bloc.model_validate({"id": row["id"], "name": row["name"], "members": members})
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                check.problems.append(Problem(bl.path, r + 2, str(err["loc"][0]), err["msg"]))
            continue
        for m in bloc.members:
            if m not in country_set:
                check.problems.append(Problem(bl.path, r + 2, "members", f"unknown country {m!r}"))
        blocs.append(bloc)

    if check.problems:
        raise GraphFileError(check.problems)
    assert groups is not None and entries is not None
    if groups.problems:
        raise GraphFileError(groups.problems)

    # ---- build arrays (everything below assumes valid input) ----
    files = [t.path for t in tables.values() if Path(t.path).exists()]
    del tables, T, ct, su, co, rq, al, se, st, bl, country_sorted, supplier_sorted, comp_sorted
    alt_order = stable_argsort(a_comp)
    products_by_sector = _products_by_sector(prod_sorted, sector_codes, sector_texts, comp_ids)
    codes_all = sorted(set(sectors_names) | set(products_by_sector))
    sectors = [Sector.model_construct(code=code, name=sectors_names.get(code, code), name_zh=None,
                                      products=products_by_sector.get(code, []), source=None, estimate=False, note=None)
               for code in codes_all]
    arrays = GraphArrays(
        settings=settings,
        country_ids=country_ids,
        country_name=country_name,
        country_risk=risk[country_order],
        supplier_ids=supplier_ids,
        supplier_name=supplier_name,
        supplier_country=sup_country[supplier_order].astype(np.int64, copy=False),
        supplier_owner=sup_owner[supplier_order].astype(np.int64, copy=False),
        component_ids=comp_ids,
        component_name=component_name,
        component_sector=sectors_sorted,
        value=values[0], stock_days=values[1], recovery_days=values[2],
        entry_comp=entries.comp, entry_supplier=entries.supplier, entry_country=entries.country,
        entry_share=entries.share,
        group_owner=groups.owner, group_ptr=groups.ptr, group_members=groups.members,
        group_any_of=groups.any_of, group_share=groups.share, group_equipment=groups.equipment,
        group_lifetime=groups.lifetime,
        alt_comp=a_comp[alt_order], alt_supplier=a_sup[alt_order], alt_readiness=readiness[alt_order],
        entry_source=entries.source, entry_estimate=entries.estimate,
        sectors=sectors, blocs=blocs,
    )
    return SupplyGraph.from_arrays(arrays, files=files, compiled=compiled)


@dataclass
class _Ids:
    """The sorted ids of each kind, their indexes (:func:`_sorted_unique_ids`) and the suppliers' countries."""

    country_sorted: Any
    country_index: IdIndex | None
    supplier_sorted: Any
    supplier_index: IdIndex | None
    comp_sorted: Any
    comp_index: IdIndex | None
    sup_country: IntArray  # per supplier row (file order)
    supplier_order: IntArray


@dataclass
class _Entries:
    """Supply entries in :class:`~chainmap.graph.GraphArrays` order."""

    comp: IntArray
    supplier: IntArray
    country: IntArray
    share: np.ndarray
    estimate: np.ndarray
    source: Any


@dataclass
class _Groups:
    """Requirement groups in :class:`~chainmap.graph.GraphArrays` order, and the problems found building them
    (rows of one group that disagree)."""

    problems: list[Problem]
    owner: IntArray
    ptr: IntArray
    members: IntArray
    any_of: np.ndarray
    share: np.ndarray
    equipment: np.ndarray
    lifetime: np.ndarray


def _take(t: _Table, column: str, order: np.ndarray) -> Any:
    """Column ``column`` of ``t`` in the row order ``order``."""
    col = _strings(t, column)
    if order.size and order[0] == 0 and order[-1] == order.size - 1 and bool((np.diff(order) == 1).all()):
        return col  # rows already in id order
    return col.take(arrow_indices(order))


def _take_repeated(pc: Any, col: Any) -> tuple[list[Any], IntArray, list[str]]:
    """``col.to_pylist()`` for a column of few distinct texts (one string object per distinct text), with
    the code of each row (-1 for a null) and the distinct texts (code -> text)."""
    encoded = pc.dictionary_encode(col)
    distinct = encoded.dictionary.to_pylist()
    texts = np.array([*distinct, None], dtype=object)
    codes = np.asarray(arrow_numpy(encoded.indices, fill=-1), dtype=np.int64)
    return list(texts[codes].tolist()), codes, distinct


def _products_by_sector(product: np.ndarray, sector_codes: IntArray, sector_texts: list[str],
                        comp_ids: list[str]) -> dict[str, list[str]]:
    """Sector -> the ids of its products in component order (sectors without a product left out; every
    product has a sector), grouped by one stable sort of the products' sector codes.

    >>> _products_by_sector(np.array([True, False, True, True]), np.array([1, 0, 0, 1]), ["06", "07"],
    ...                     ["a", "b", "c", "d"])
    {'06': ['c'], '07': ['a', 'd']}
    """
    rows = np.flatnonzero(product)
    if not rows.size:
        return {}
    codes = sector_codes[rows]
    order = np.argsort(codes, kind="stable")
    rows, codes = rows[order], codes[order]
    bounds = np.flatnonzero(np.diff(codes)) + 1
    out: dict[str, list[str]] = {}
    for part, code in zip(np.split(rows, bounds), codes[np.concatenate(([0], bounds))].tolist(), strict=True):
        out[sector_texts[code]] = [comp_ids[i] for i in part.tolist()]
    return out


def _supplies_when_read(pa: Any, late: _LateReads, root: Path, ids: _Ids) -> tuple[list[Problem], _Entries | None]:
    """:func:`_supplies` of the supplies table once it is read (no problems and no entries when it cannot be:
    the load reports the problems of reading)."""
    sp, problems = late.table("supplies")
    if problems:
        return [], None
    return _supplies(pa, sp if sp is not None else _empty(pa, "supplies", root), ids)


def _supplies(pa: Any, sp: _Table, ids: _Ids) -> tuple[list[Problem], _Entries | None]:
    """The problems of the supplies table and, when there are none, the supply entries: by component, supplier
    entries (by supplier) before country entries (by country)."""
    check = _Checker()
    (e_comp,) = _lookup_many(pa, ids.comp_sorted, ids.comp_index, [_strings(sp, "component")])
    e_comp_null = _null_mask(_strings(sp, "component"))
    check.rows(sp, "component", e_comp_null, "missing component")
    _unknown_refs(check, sp, "component", e_comp, e_comp_null, "component")
    e_sup, e_sup_null = _references(check, pa, sp, "supplier", ids.supplier_sorted, ids.supplier_index, "supplier")
    e_cty_given, e_cty_null = _references(check, pa, sp, "country", ids.country_sorted, ids.country_index, "country")
    check.rows(sp, "supplier", e_sup_null & e_cty_null, "give a supplier or a country")
    ok_sup = e_sup >= 0
    sup_cty_sorted = np.append(ids.sup_country[ids.supplier_order], -1)  # index -1 (no supplier) -> -1
    e_sup_country = sup_cty_sorted[e_sup]
    mismatch = ok_sup & ~e_cty_null & (e_cty_given >= 0) & (e_sup_country != e_cty_given)
    check.rows(sp, "country", mismatch, "does not match the supplier's country")
    share = _floats(sp, "share")
    _check_range(check, sp, "share", share, 0.0, 1.0, required=True)
    _check_year(check, sp, "year")
    _check_pattern(check, sp, "method", "^(" + "|".join(re.escape(m) for m in METHODS) + ")$",
                   "method (" + ", ".join(METHODS) + ")", required=False, choices=METHODS)
    if check.problems:
        return check.problems, None
    estimate = _bools(sp, "estimate")
    source_codes, source_texts = None, None
    if "source" in sp.data.column_names:
        encoded = pa.compute.dictionary_encode(_strings(sp, "source"))
        source_codes = np.asarray(arrow_numpy(encoded.indices, fill=-1), dtype=np.int32)
        source_texts = encoded.dictionary.to_pylist()
        del encoded
    kind_key = np.where(ok_sup, 0, 1)
    within = np.where(ok_sup, e_sup, e_cty_given)
    sorting = _sort_order([e_comp, kind_key, within])
    del kind_key, within

    def ordered(values: np.ndarray) -> np.ndarray:
        return values if sorting is None else values[sorting]

    entry_source: Any = None
    if source_codes is not None and source_texts is not None:
        entry_source = _Coded(ordered(source_codes), source_texts)
    sp.data = None  # done with the table: its memory goes before the arrays below are built
    del source_codes
    return [], _Entries(comp=ordered(e_comp).astype(np.int64, copy=False),
                        supplier=ordered(np.where(ok_sup, e_sup, -1)).astype(np.int64, copy=False),
                        country=ordered(np.where(ok_sup, e_sup_country, e_cty_given)).astype(np.int64, copy=False),
                        share=ordered(share), estimate=ordered(estimate), source=entry_source)


def _requirements_when_read(pa: Any, late: _LateReads, root: Path, comp_sorted: Any, comp_index: IdIndex | None
                            ) -> tuple[list[Problem], _Groups | None, dict[str, Any] | None]:
    """:func:`_requirements` of the requires table once it is read, and the compiled schedule of its groups
    (:func:`~chainmap.graph.compile_requirements`) when they hold no problem (no problems and no groups when the table cannot be read:
    the load reports the problems of reading)."""
    rq, problems = late.table("requires")
    if problems:
        return [], None, None
    found, groups = _requirements(pa, rq if rq is not None else _empty(pa, "requires", root), comp_sorted, comp_index)
    compiled = None
    if groups is not None and not groups.problems:
        compiled = compile_requirements(len(comp_sorted), groups.owner, groups.ptr, groups.members)
    return found, groups, compiled


def _requirements(pa: Any, rq: _Table, comp_sorted: Any, comp_index: IdIndex | None
                  ) -> tuple[list[Problem], _Groups | None]:
    """The problems of the requires table and, when there are none, the requirement groups (by owner, then
    group label; members sorted and unique) with the problems of groups whose rows disagree."""
    check = _Checker()
    g_comp, g_mem = _lookup_many(pa, comp_sorted, comp_index, [_strings(rq, "component"), _strings(rq, "member")])
    g_comp_null = _null_mask(_strings(rq, "component"))
    check.rows(rq, "component", g_comp_null, "missing component")
    _unknown_refs(check, rq, "component", g_comp, g_comp_null, "component")
    g_mem_null = _null_mask(_strings(rq, "member"))
    check.rows(rq, "member", g_mem_null, "missing member")
    _unknown_refs(check, rq, "member", g_mem, g_mem_null, "component")
    g_label_col = rq.data.column("group")
    check.rows(rq, "group", _null_mask(g_label_col), "missing group number")
    g_label = np.asarray(arrow_numpy(g_label_col, fill=0), dtype=np.int64)
    g_any = _bools(rq, "any_of")
    role_null = _check_pattern(check, rq, "role", "^(input|equipment)$", "role (input or equipment)",
                               required=False, choices=("input", "equipment"))
    g_equipment = _matches(_strings(rq, "role"), "^equipment$", ("equipment",)) & ~role_null
    g_share = _floats(rq, "share")
    with np.errstate(invalid="ignore"):
        check.rows(rq, "share", ~np.isnan(g_share) & ~((g_share > 0.0) & (g_share <= 1.0)),
                   "must be a number in (0, 1]")
    g_share = _fill_nan(g_share, 1.0)
    if rq.data.column("lifetime_years").null_count == rq.data.num_rows:  # none given: nothing to check
        g_life = np.full(rq.data.num_rows, DEFAULT_LIFETIME_YEARS, dtype=np.float64)
    else:
        g_life = _floats(rq, "lifetime_years")
        with np.errstate(invalid="ignore"):
            check.rows(rq, "lifetime_years", ~np.isnan(g_life) & ~((g_life > 0.0) & (g_life <= 1000.0)),
                       "must be a number of years in (0, 1000]")
        check.rows(rq, "lifetime_years", ~np.isnan(g_life) & ~g_equipment, "applies to role 'equipment' only")
        g_life = _fill_nan(g_life, DEFAULT_LIFETIME_YEARS)
    if check.problems:
        return check.problems, None
    rows = rq.data.num_rows
    rq.data = None  # done with the table (problems below name its path only): its memory goes first
    return [], _groups(rq, rows, g_comp, g_label, g_mem, g_any, g_equipment, g_share, g_life)


def _groups(rq: _Table, rq_rows: int, g_comp: IntArray, g_label: IntArray, g_mem: IntArray, g_any: np.ndarray,
            g_equipment: np.ndarray, g_share: np.ndarray, g_life: np.ndarray) -> _Groups:
    """Requirement rows (valid references) as groups: by owner, then group label; members sorted and unique.
    Checks run per group first (a row array only for a group found wrong): few temporaries of a row each."""
    check = _Checker()
    if not g_comp.size:
        return _Groups([], np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64),
                       np.zeros(0, dtype=bool), np.zeros(0, dtype=np.float64), np.zeros(0, dtype=bool),
                       np.zeros(0, dtype=np.float64))
    sorting, packed, member_width = _sort_packed([g_comp, g_label, g_mem])

    def ordered(values: np.ndarray) -> np.ndarray:
        return values if sorting is None else values[sorting]

    n = g_comp.size
    new_group = np.empty(n, dtype=bool)
    new_group[0] = True
    if packed is not None:  # the sorted keys give the groups (owner and label) and the repeated rows
        keys = ordered(packed)
        del packed
        repeated = keys[1:] == keys[:-1]  # the same owner, label and member as the row before
        np.right_shift(keys, member_width, out=keys)  # owner and label
        np.not_equal(keys[1:], keys[:-1], out=new_group[1:])
        del keys
    else:
        oc, ol = ordered(g_comp), ordered(g_label)
        np.not_equal(oc[1:], oc[:-1], out=new_group[1:])
        new_group[1:] |= ol[1:] != ol[:-1]
        del oc, ol
        om = ordered(g_mem)
        repeated = om[1:] == om[:-1]  # the same member as the row before, in its group
        repeated &= ~new_group[1:]
        del om
    om = ordered(g_mem)
    kept: IntArray | None = sorting
    if repeated.any():
        keep = np.ones(n, dtype=bool)
        keep[1:] = ~repeated
        kept = np.flatnonzero(keep) if sorting is None else sorting[keep]
        om, new_group = om[keep], new_group[keep]
        n = om.size
    del repeated

    def rows(values: np.ndarray) -> np.ndarray:
        return values if kept is None else values[kept]

    starts = np.flatnonzero(new_group)
    ptr = np.empty(starts.size + 1, dtype=np.int64)
    ptr[:-1] = starts
    ptr[-1] = n
    sizes = np.diff(ptr)
    oa = rows(g_any)
    any_max = np.logical_or.reduceat(oa, starts)
    any_min = np.logical_and.reduceat(oa, starts)
    del oa

    def report(column: str, bad_groups: np.ndarray, message: str) -> None:
        if bad_groups.any():
            row_of = np.arange(g_comp.size, dtype=np.int64) if kept is None else kept
            check.rows(rq, column, _scatter(np.repeat(bad_groups, sizes), row_of, rq_rows), message)

    report("any_of", any_min != any_max, "any_of differs within one group")
    report("group", ~any_max & (sizes > 1), "a group with several members needs any_of true")
    firsts = []
    for column, values in (("role", g_equipment), ("share", g_share), ("lifetime_years", g_life)):
        values = rows(values)
        step = values[1:] != values[:-1]  # a row whose value differs from the row before, in its group
        step &= ~new_group[1:]
        if step.any():
            group_differs = np.zeros(starts.size, dtype=bool)
            group_differs[np.cumsum(new_group)[1:][step] - 1] = True
            report(column, group_differs, f"{column} differs within one group")
        firsts.append(values[starts])
    equipment, share, lifetime = firsts
    owner = g_comp[starts if kept is None else kept[starts]]
    return _Groups(check.problems, owner=owner.astype(np.int64, copy=False),
                   ptr=ptr, members=om.astype(np.int64, copy=False),
                   any_of=any_max.astype(bool, copy=False), share=share.astype(np.float64, copy=False),
                   equipment=equipment.astype(bool, copy=False), lifetime=lifetime.astype(np.float64, copy=False))


def release_memory() -> None:
    """Hand memory freed by a load back to the system: pyarrow's pool keeps freed blocks for reuse, and glibc's
    heap keeps what the validation's temporary arrays used (at 1M components the two held about 0.85 GB
    after a load that kept 0.85 GB)."""
    import sys

    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None (another C library), found once per process: from the symbols the
    process has loaded (``ctypes.util.find_library`` runs ``ldconfig`` in a subprocess on every call)."""
    if "trim" not in _LIBC:
        import ctypes

        trim = None
        try:
            trim = ctypes.CDLL(None).malloc_trim
        except (OSError, AttributeError):  # pragma: no cover - not in the process's symbols: look the library up
            import ctypes.util

            name = ctypes.util.find_library("c")
            try:
                trim = ctypes.CDLL(name).malloc_trim if name is not None else None
            except (OSError, AttributeError):  # a C library without malloc_trim (musl, macOS)
                trim = None
        _LIBC["trim"] = trim
    return _LIBC["trim"]


_LIBC: dict[str, Any] = {}


def _duplicate_message(col: Any, other: str) -> Callable[[int], str]:
    return lambda r: f"duplicate id {col[r].as_py()!r} (also in {other})"


def _stable_order(keys: list[np.ndarray]) -> IntArray:
    """The stable sorting permutation of rows by ``keys`` (most significant first), like
    ``np.lexsort(keys[::-1])``, but as one sort of a packed integer key when the keys fit in 62 bits
    (and no sort at all when the rows are already in order, as written by ``chainmap generate``).

    >>> _stable_order([np.array([1, 0, 1, 0]), np.array([5, 7, -2, 7])]).tolist()
    [1, 3, 2, 0]
    """
    order = _sort_order(keys)
    return np.arange(keys[0].size if keys else 0, dtype=np.int64) if order is None else order


def _sort_packed(keys: list[np.ndarray]) -> tuple[IntArray | None, IntArray | None, int]:
    """:func:`_sort_order`, with the packed key of each row (in file order; None when the keys do not fit in
    62 bits) and the bit width of the last key in it.

    >>> order, packed, width = _sort_packed([np.array([1, 0, 1]), np.array([3, 0, 2])])
    >>> order.tolist(), packed.tolist(), width
    ([1, 2, 0], [7, 0, 6], 2)
    """
    n = keys[0].size if keys else 0
    if n == 0:
        return None, None, 0
    spans = [(int(key.min()), int(key.max())) for key in keys]
    widths = [max(1, (hi - lo).bit_length()) for lo, hi in spans]
    if sum(widths) > 62:
        return np.lexsort([*keys[::-1]]).astype(np.int64), None, 0  # lexsort is stable
    packed = np.zeros(n, dtype=np.int64)
    for key, (lo, _hi), width in zip(keys, spans, widths, strict=True):
        packed <<= width
        packed |= key if lo == 0 and key.dtype == np.int64 else key.astype(np.int64) - lo  # in place when it can
    if bool((packed[1:] >= packed[:-1]).all()):
        return None, packed, widths[-1]
    return stable_argsort(packed), packed, widths[-1]


def _sort_order(keys: list[np.ndarray]) -> IntArray | None:
    """:func:`_stable_order`, or None when the rows are already in order.

    >>> _sort_order([np.array([0, 1, 1]), np.array([3, 0, 2])]) is None
    True
    >>> _sort_order([np.array([1, 0, 1]), np.array([3, 0, 2])]).tolist()
    [1, 2, 0]
    """
    return _sort_packed(keys)[0]


def _scatter(flags: np.ndarray, rows: IntArray, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[rows[flags]] = True
    return out


class TableWriter:
    """Write columnar tables to ``folder`` in pieces, all of them atomically at the end.

    :meth:`write` appends a piece (column name -> array or list) to table
    ``name`` (a Parquet row group or a run of CSV rows); later pieces are cast
    to the first piece's schema. Each table is written to a temporary file
    beside its target; leaving the ``with`` block renames them all (and
    removes a stale twin in the other format); an error removes them instead.
    So a 10M-component graph is written without ever holding it in memory.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with TableWriter(folder, "csv") as out:
    ...     out.write("sectors", {"code": ["06"], "name": ["Coal"]})
    ...     out.write("sectors", {"code": ["07"], "name": ["Oil"]})
    >>> (Path(folder) / "sectors.csv").read_text().splitlines()
    ['"code","name"', '"06","Coal"', '"07","Oil"']
    """

    def __init__(self, folder: str | Path, fmt: str = "csv") -> None:
        if fmt not in ("csv", "parquet"):
            raise UsageError(f"unknown columnar format {fmt!r} (csv or parquet)")
        self.root = Path(folder)
        self.fmt = fmt
        self._open: dict[str, tuple[Any, str, Any]] = {}  # name -> (writer, temporary path, schema)

    def __enter__(self) -> TableWriter:
        self.root.mkdir(parents=True, exist_ok=True)
        return self

    def write(self, name: str, columns: dict[str, Any]) -> None:
        """Append ``columns`` (one piece of table ``name``)."""
        import os
        import tempfile

        pa = _pa()
        table = pa.table({c: pa.array(v) if not isinstance(v, pa.Array | pa.ChunkedArray) else v
                          for c, v in columns.items()})
        if name not in self._open:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.{self.fmt}.", suffix=".tmp", dir=self.root)
            os.close(fd)
            writer = (pa.csv.CSVWriter(tmp, table.schema) if self.fmt == "csv"
                      else _pq().ParquetWriter(tmp, table.schema))
            self._open[name] = (writer, tmp, table.schema)
        writer, _tmp, schema = self._open[name]
        writer.write_table(table.cast(schema))

    def paths(self) -> list[Path]:
        """The target of every table written so far."""
        return [self.root / f"{name}.{self.fmt}" for name in self._open]

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        import os

        for writer, _tmp, _schema in self._open.values():
            writer.close()
        if exc_type is not None:
            for _writer, tmp, _schema in self._open.values():
                Path(tmp).unlink(missing_ok=True)
            return
        for name, (_writer, tmp, _schema) in self._open.items():
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.root / f"{name}.{self.fmt}")
            (self.root / f"{name}.{'parquet' if self.fmt == 'csv' else 'csv'}").unlink(missing_ok=True)


def write_tables(folder: str | Path, tables: dict[str, dict[str, Any]], fmt: str = "csv") -> list[Path]:
    """Write tables (name -> column name -> array or list) to ``folder`` atomically, as CSV or Parquet
    (:class:`TableWriter`, one piece per table)."""
    with TableWriter(folder, fmt) as out:
        for name, columns in tables.items():
            out.write(name, columns)
    return out.paths()


def tables_of(graph: SupplyGraph) -> dict[str, dict[str, Any]]:
    """The columnar tables of a graph (the inverse of :func:`load_columnar`)."""
    ar = graph.arrays
    n = graph.n_components
    product = np.zeros(n, dtype=bool)
    product[graph.product_index] = True
    ids = np.array(graph.component_ids, dtype=object)
    sup_ids = np.array([*graph.supplier_ids, None], dtype=object)
    cty_ids = np.array(graph.country_ids, dtype=object)
    group_label = np.arange(graph.group_owner.size) - graph.comp_group_ptr[graph.group_owner]
    owners, members = graph.requirement_edges
    counts = np.diff(graph.group_ptr)
    is_sup = graph.entry_supplier >= 0
    tables: dict[str, dict[str, Any]] = {
        "countries": {"id": graph.country_ids, "name": list(ar.country_name), "risk": _nan_to_none(ar.country_risk)},
        "suppliers": {"id": graph.supplier_ids, "name": list(ar.supplier_name),
                      "country": cty_ids[graph.supplier_country].tolist(),
                      "owner": [None if o == k else cty_ids[o] for o, k in
                                zip(graph.supplier_owner.tolist(), graph.supplier_country.tolist(), strict=True)]},
        "components": {"id": graph.component_ids, "name": list(ar.component_name), "sector": list(ar.component_sector),
                       "value": _nan_to_none(ar.value), "stock_days": _nan_to_none(ar.stock_days),
                       "recovery_days": _nan_to_none(ar.recovery_days), "product": product.tolist()},
        "requires": {"component": ids[owners].tolist(), "group": np.repeat(group_label, counts).tolist(),
                     "member": ids[members].tolist(), "any_of": np.repeat(graph.group_any_of, counts).tolist(),
                     "role": np.repeat(np.where(graph.group_equipment, "equipment", "input"), counts).tolist(),
                     "lifetime_years": _nan_to_none(np.repeat(np.where(graph.group_equipment, graph.group_lifetime,
                                                                       np.nan), counts)),
                     "share": np.repeat(graph.group_share, counts).tolist()},
        "supplies": {"component": ids[graph.entry_comp].tolist(), "supplier": sup_ids[graph.entry_supplier].tolist(),
                     "country": [None if sup else k for sup, k in zip(is_sup.tolist(), cty_ids[graph.entry_country].tolist(), strict=True)],
                     "share": graph.entry_share.tolist(),
                     "source": [ar.entry_source[e] for e in range(graph.entry_comp.size)] if ar.entry_source is not None
                     else [None] * graph.entry_comp.size,
                     "estimate": (ar.entry_estimate if ar.entry_estimate is not None
                                  else np.zeros(graph.entry_comp.size, dtype=bool)).tolist()},
        "alternatives": {"component": ids[ar.alt_comp].tolist(), "supplier": sup_ids[ar.alt_supplier].tolist(),
                         "readiness": ar.alt_readiness.tolist()},
        "sectors": {"code": list(graph.sectors), "name": [s.name for s in graph.sectors.values()]},
        "blocs": {"id": list(graph.blocs), "name": [b.name for b in graph.blocs.values()],
                  "members": [";".join(b.members) for b in graph.blocs.values()]},
        "settings": _settings_rows(graph.settings),
    }
    return tables


def _nan_to_none(values: np.ndarray) -> list[float | None]:
    return [None if v != v else float(v) for v in values.tolist()]


def _settings_rows(settings: Settings) -> dict[str, list[str]]:
    keys: list[str] = []
    values: list[str] = []
    for key, value in settings.model_dump(mode="json").items():
        if value is None:
            continue  # not given (as_of)
        if isinstance(value, dict):
            for k, v in value.items():
                keys.append(f"{key}.{k}")
                values.append(str(v))
        else:
            keys.append(key)
            values.append(str(value))
    return {"key": keys, "value": values}


def graph_data(graph: SupplyGraph) -> dict[str, Any]:
    """A graph as one graph-file mapping (for ``chainmap import csv``)."""
    spec = graph.spec
    data: dict[str, Any] = {"chainmap": spec.settings.model_dump(mode="json", exclude_defaults=True)}
    if not data["chainmap"]:
        del data["chainmap"]
    for section in ("countries", "blocs", "sectors", "suppliers", "components"):
        items = [item.model_dump(mode="json", exclude_defaults=True) for item in getattr(spec, section)]
        if items:
            data[section] = items
    return data
