"""Result tables whose rows are built only when read (the columnar results of the fast paths).

A subclass holds its columns and defines ``__len__`` and ``__getitem__``; this base gives iteration,
equality with any sequence of the same rows (a list of the dataclass rows, say) and a short repr.

Examples
--------
>>> class Squares(LazyRows[int]):
...     def __len__(self) -> int:
...         return 3
...     def __getitem__(self, i):
...         return [0, 1, 4][i]
>>> rows = Squares()
>>> list(rows), rows == [0, 1, 4], rows
([0, 1, 4], True, Squares(3 rows))
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar, get_args

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LazyRows", "ResultList"]

RowT = TypeVar("RowT")


class LazyRows(Sequence[RowT]):
    """A read-only sequence of result rows built on access (subclasses give ``__len__``/``__getitem__``)."""

    def __iter__(self) -> Iterator[RowT]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or len(other) != len(self):
            return False
        return all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} rows)"

    def row_type(self) -> type | None:
        """The row class (from ``class X(LazyRows[Row])``), or None."""
        for base in getattr(type(self), "__orig_bases__", ()):
            args = get_args(base)
            if args and isinstance(args[0], type):
                return args[0]
        return None

    def to_dataframe(self) -> pd.DataFrame:
        """One row per result row, one column per field of the row type (pandas:
        ``pip install 'chainmap[dataframe]'``).

        >>> import chainmap
        >>> df = chainmap.priorities(chainmap.load("tests/data/mini")).to_dataframe()
        >>> df[["rank", "id"]].values.tolist()[0], df["score"].dtype.kind
        ([1, 'scanner'], 'f')
        """
        from chainmap.dataframes import frame

        return frame(self, self.row_type())


class ResultList(list[RowT]):
    """A list of result rows that knows its row type: ``to_dataframe()`` gives a DataFrame with one column
    per field, empty or not (pandas: ``pip install 'chainmap[dataframe]'``). It is a plain ``list`` otherwise.

    >>> from chainmap.analysis.cuts import CutSet
    >>> rows = ResultList([], CutSet)
    >>> rows == [], rows.row_type.__name__
    (True, 'CutSet')
    """

    def __init__(self, rows: Iterable[RowT] = (), row_type: type | None = None) -> None:
        super().__init__(rows)
        self.row_type = row_type

    def to_dataframe(self) -> pd.DataFrame:
        """One row per result row, one column per field of the row type."""
        from chainmap.dataframes import frame

        return frame(self, self.row_type)
