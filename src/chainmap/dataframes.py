"""pandas interop (optional: ``pip install 'chainmap[dataframe]'``): results as DataFrames, CSV outputs read
with the right dtypes.

Every analysis result has a ``to_dataframe()`` method (one row per result row, columns as the CSV's); the
results with several tables (:class:`~chainmap.analysis.simulate.SimulationResult`,
:class:`~chainmap.analysis.selfsufficiency.SelfSufficiency`, :class:`~chainmap.analysis.diff.GraphDiff`)
take ``table=``. :func:`to_dataframe` does the same for any of them and for a plain list of result rows.
:func:`read_csv` reads a CSV that chainmap wrote with the dtypes of its shipped schema: ids, codes and other
text as strings (sector ``06`` stays ``06``, country ``NA`` stays ``NA``), numbers as numbers.

Examples
--------
>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> df = chainmap.simulate(g, chainmap.Scenario(remove="NL")).to_dataframe("sectors")
>>> list(df.columns), df["code"].tolist()
(['code', 'name', 'products', 'baseline', 'availability', 'impact'], ['35', '39'])
>>> chainmap.to_dataframe(chainmap.single_points_of_failure(g, targets="office-pc", kinds="country"))["node"].tolist()
['NL']
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["frame", "read_csv", "table_frame", "to_dataframe"]

EXTRA = "dataframe"
"""The optional dependency group that brings pandas."""


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise ImportError(f"to_dataframe() and read_csv() need pandas: pip install 'chainmap[{EXTRA}]'") from None
    return pandas


def frame(rows: Sequence[Any], row_type: type | None = None) -> pd.DataFrame:
    """A DataFrame of result rows (dataclasses or mappings): one column per field, in field order, also when
    ``rows`` is empty (given ``row_type``)."""
    pandas = _pandas()
    if row_type is None and len(rows):
        row_type = type(rows[0])
    names = [f.name for f in dataclasses.fields(row_type)] if row_type and dataclasses.is_dataclass(row_type) else None
    records = [dataclasses.asdict(r) if dataclasses.is_dataclass(r) and not isinstance(r, type) else dict(r)
               for r in rows]
    if names is None and records:
        names = list(records[0])
    return pandas.DataFrame.from_records(records, columns=names)


def table_frame(result: Any, table: str, tables: dict[str, type]) -> pd.DataFrame:
    """The DataFrame of one of ``result``'s tables (attribute ``table``, rows of ``tables[table]``)."""
    if table not in tables:
        raise ValueError(f"table {table!r}: {type(result).__name__} has the tables {', '.join(tables)}")
    return frame(getattr(result, table), tables[table])


def to_dataframe(result: Any, table: str | None = None) -> pd.DataFrame:
    """Any analysis result as a DataFrame: its ``to_dataframe(table)`` where it has one, else a sequence of
    result rows (dataclasses) one row each.

    Raises ImportError naming the extra when pandas is missing, TypeError for anything else.
    """
    method = getattr(result, "to_dataframe", None)
    if method is not None:
        return method() if table is None else method(table)
    if table is not None:
        raise TypeError(f"{type(result).__name__} has one table: table= is for results with several")
    if isinstance(result, Sequence) and not isinstance(result, str | bytes):
        return frame(result)
    raise TypeError(f"not an analysis result: {type(result).__name__}")


def read_csv(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV chainmap wrote (any ``--format csv`` table, ``export --format csv``'s nodes and edges) with
    its dtypes (:func:`chainmap.schemas.csv_dtypes`): text as ``str``, numbers as ``float64``/``Int64``,
    flags as ``boolean``; an empty cell is missing, and only an empty cell (``NA`` is Namibia).

    ``kwargs`` go to :func:`pandas.read_csv`.
    """
    from chainmap.schemas import csv_dtypes

    pandas = _pandas()
    with open(path, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle), [])
    options: dict[str, Any] = {"dtype": csv_dtypes(header), "keep_default_na": False, "na_values": [""]}
    options.update(kwargs)
    return pandas.read_csv(path, **options)
