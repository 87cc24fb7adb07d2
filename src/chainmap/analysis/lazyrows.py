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

from collections.abc import Iterator, Sequence
from typing import TypeVar

__all__ = ["LazyRows"]

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
