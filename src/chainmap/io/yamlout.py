"""Write graph data as YAML that chainmap (YAML 1.2) and YAML 1.1 readers agree on.

Examples
--------
>>> print(dump_graph({"countries": [{"id": "NO", "name": "Norway"}]}), end="")
countries:
- id: 'NO'
  name: Norway
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from chainmap.io.atomic import write_text_atomic
from chainmap.model.reader import resolve_plain

__all__ = ["dump_graph", "write_graph"]


class _Dumper(yaml.SafeDumper):
    """Safe dumper that quotes every string YAML 1.1 or 1.2 would misread (NO, 06, on...)."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if value[:1].isdigit() or value.lower() in {"no", "yes", "on", "off", "y", "n", "true", "false", "null", "~"} \
            or not isinstance(resolve_plain(value), str):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_str(value)


_Dumper.add_representer(str, _represent_str)


def dump_graph(data: dict[str, Any], header: str = "") -> str:
    """YAML text of a graph mapping; ``header`` lines become comments."""
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    lines = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return lines + text


def write_graph(path: str | Path, data: dict[str, Any], header: str = "", inputs: list[str] | None = None,
                force: bool = True) -> None:
    """Write a graph file atomically (refusing to overwrite ``inputs``, a file chainmap did not write unless
    ``force``, or a file in a columnar graph folder, where YAML is never read)."""
    from chainmap.errors import OutputError
    from chainmap.io.columnar import is_columnar

    target = Path(path)
    if is_columnar(target.parent):
        raise OutputError(f"refusing to write {target}: {target.parent} is a columnar graph folder "
                          "(YAML and columnar tables do not mix)")
    write_text_atomic(target, dump_graph(data, header), inputs or [], force)
