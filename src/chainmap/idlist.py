"""Id arguments: a string where a sequence of ids is expected is one id, not its characters.

Every public function that takes several ids (``targets``, ``kinds``, ``remove``,
``deny_hosts``...) passes them through :func:`as_ids`, so ``targets="dram"``
means ``["dram"]`` (never ``"d", "r", "a", "m"``).

Examples
--------
>>> as_ids("US"), as_ids(["US", "JP"]), as_ids(None)
(('US',), ('US', 'JP'), None)
>>> as_ids(3)
Traceback (most recent call last):
...
TypeError: expected an id (str) or a sequence of ids, got int
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import overload

__all__ = ["as_ids"]


@overload
def as_ids(value: None) -> None: ...
@overload
def as_ids(value: str | Iterable[str]) -> tuple[str, ...]: ...


def as_ids(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """``value`` as a tuple of ids: a ``str`` is one id, None stays None, any other iterable is taken as it is;
    anything else (a number, a bare ``bytes``) is a TypeError naming what was given."""
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, bytes | bytearray) or not isinstance(value, Iterable):
        raise TypeError(f"expected an id (str) or a sequence of ids, got {type(value).__name__}")
    out = tuple(value)
    for item in out:
        if not isinstance(item, str):
            raise TypeError(f"expected ids as str, got {type(item).__name__} ({item!r})")
    return out
