"""The exchange formats of an array-backed graph written a column at a time (GEXF, JSON, Cytoscape, CSV).

:mod:`chainmap.io.exporters` writes GraphML from columns; this module does the same for the other formats:
the node facts come as columns (:func:`chainmap.render.factcolumns.fact_chunks`), the edges as arrays
(``_edge_table``), each column is rendered at once in the format's cell syntax (a column of one value, a
boolean or a number column without a Python call per value), and each piece of rows is one join of the
rendered columns and the format's constant texts (:func:`~chainmap.io.exporters._rows`). The text is the
one the row-at-a-time writers give, byte for byte (the tests compare both); a graph built from records
(``_spec`` set) is still written a row at a time.

Examples
--------
>>> _json_column(["a", 'b"'], "string"), _json_column(np.array([0.5, np.nan]), "double")
(['"a"', '"b\\\\""'], ['0.5', 'null'])
>>> _csv_column(["=x", "a,b", "c"], "string", True), _csv_column(np.array([True, False]), "boolean", True)
(["'=x", '"a,b"', 'c'], ['true', 'false'])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

import numpy as np

from chainmap.graph import SupplyGraph
from chainmap.io.csvcell import FORMULA_START, safe_cell
from chainmap.io.exporters import (
    _EDGE_TYPES,
    _NODE_TYPES,
    _WRITE_ROWS,
    _array_texts,
    _csv_cell,
    _edge_table,
    _json_dump,
    _node_columns,
    _rows,
    _xml_column,
    _xml_strs,
    _xml_value,
)

__all__ = ["array_backed_edges", "write_csv_rows", "write_gexf_rows", "write_json_rows"]

Render = Callable[[Any, str], list[str]]

_CSV_SPECIAL = re.compile('[,"\n\r]')
_CSV_FORMULA = re.compile("(?:^|\x00)[" + re.escape("".join(FORMULA_START)) + "]")


def array_backed_edges(graph: SupplyGraph) -> bool:
    """True when the edges come from the graph's arrays (``_edge_table``): a graph built from records keeps
    the row-at-a-time writers."""
    return getattr(graph, "_spec", True) is None


def _json_column(values: Any, typ: str) -> list[str]:
    """``_json_dump`` of each value of a column (a list, or a numpy boolean, integer or float array)."""
    if isinstance(values, np.ndarray):
        texts = None if values.dtype.kind == "f" and np.isinf(values).any() else _array_texts(values, "null")
        if texts is not None:  # (infinity: json's own error, from the list below)
            return texts
        values = values.tolist()
    types = set(map(type, values))
    if types == {str}:
        return list(map(encode_basestring, values))
    if types == {bool}:
        return ["true" if v else "false" for v in values]
    if types == {int}:
        return list(map(str, values))
    return [_json_dump(v) for v in values]


def _csv_quoted(cell: str) -> str:
    """A CSV cell as :func:`~chainmap.io.csvcell.csv_line` writes it (quoted when it holds a separator)."""
    return '"' + cell.replace('"', '""') + '"' if _CSV_SPECIAL.search(cell) else cell


def _csv_column(values: Any, typ: str, escape: bool) -> list[str]:
    """``_csv_cell`` of each value of a column, quoted as ``csv_line`` quotes it."""
    texts = _array_texts(values, "")
    if texts is not None:
        return texts
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if set(map(type, values)) == {str}:
        whole = "\x00".join(values)  # one pass over the column: nothing to escape or quote (the common case)
        if not _CSV_SPECIAL.search(whole) and not (escape and _CSV_FORMULA.search(whole)):
            return list(values)
        return [_csv_quoted(safe_cell(v, escape)) for v in values]
    return [_csv_quoted(_csv_cell(v, escape)) for v in values]


def _spec(parts: list[str | tuple[str]]) -> tuple[list[str], list[str]]:
    """The constant texts and the fields (``(name,)``: ``id`` or a node field) of a row, texts around each
    field (adjacent texts merged).

    >>> _spec(["<", ("id",), "|", "-", ("name",)])
    (['<', '|-', ''], ['id', 'name'])
    """
    texts, fields = [""], []
    for part in parts:
        if isinstance(part, tuple):
            fields.append(part[0])
            texts.append("")
        else:
            texts[-1] += part
    return texts, fields


def _write_nodes(graph: SupplyGraph, w: Callable[[str], object], parts: list[str | tuple[str]], render: Render,
                 first: tuple[str, str] | None = None) -> None:
    """Write every node's row (``parts``: see :func:`_spec`); ``first``: (prefix, replacement) of the first
    row's text (a JSON list's first item has no comma)."""
    texts, fields = _spec(parts)
    for ids, cols in _node_columns(graph, typed=True):
        rendered = {k: render(ids, "string") if k == "id" else render(cols[k], _NODE_TYPES[k]) for k in set(fields)}
        for i in range(0, len(ids), _WRITE_ROWS // 4):
            j = min(i + _WRITE_ROWS // 4, len(ids))
            pieces: list[Any] = []
            for text, field in zip(texts, fields, strict=False):  # (texts has one more: the row's end)
                pieces += [text, rendered[field][i:j]]
            out = _rows([*pieces, texts[-1]], j - i)
            if first is not None and out:
                out, first = first[1] + out.removeprefix(first[0]), None
            w(out)


def _edge_pieces(graph: SupplyGraph, ids: np.ndarray, head: Callable[[dict[str, Any]], str],
                 row: Callable[[list[str], list[str], list[str], list[str], int, int], list[Any]]
                 ) -> Iterator[str]:
    """Every edge's row, in pieces of rows: ``head(attributes)`` renders what an edge's attributes give
    (once per distinct attributes), ``row(sources, targets, heads, keys, first index, count)`` the parts
    of :func:`_rows` for a piece (``ids``: each vertex's rendered id)."""
    heads: list[str] = []
    head_array = np.array(heads, dtype=object)
    done = 0
    for src, dst, key, attr, attrs in _edge_table(graph):
        if len(attrs) != len(heads):
            heads += [head(x) for x in attrs[len(heads):]]
            head_array = np.array(heads, dtype=object)
        for i in range(0, src.size, _WRITE_ROWS):
            j = min(i + _WRITE_ROWS, src.size)
            yield _rows(row(ids[src[i:j]].tolist(), ids[dst[i:j]].tolist(), head_array[attr[i:j]].tolist(),
                            list(map(str, key[i:j].tolist())), done + i, j - i), j - i, fold=False)
        done += src.size


def write_gexf_rows(graph: SupplyGraph, w: Callable[[str], object], node_ids: dict[str, int],
                    edge_ids: dict[str, int]) -> None:
    """The ``<node>`` and ``<edge>`` elements of the GEXF export (``node_ids``, ``edge_ids``: the attribute
    numbers)."""
    spec: list[str | tuple[str]] = ['      <node id="', ("id",), '" label="', ("name",), '">\n        <attvalues>\n']
    for k, number in node_ids.items():
        spec += [f'          <attvalue for="{number}" value="', (k,), '" />\n']
    _write_nodes(graph, w, [*spec, "        </attvalues>\n      </node>\n"], _xml_column)
    w("    </nodes>\n    <edges>\n")
    ids = np.array(_xml_strs(graph.ids), dtype=object)

    def head(x: dict[str, Any]) -> str:
        values = {**{k: v for k, v in x.items() if k != "type"}, "relation": x["type"]}
        return (f'" label="{_xml_value(x["type"], "")}">\n        <attvalues>\n'
                + "".join(f'          <attvalue for="{edge_ids[k]}" value="{_xml_value(v, "NaN")}" />\n'
                          for k, v in values.items())
                + f'          <attvalue for="{edge_ids["networkx_key"]}" value="')

    def row(a: list[str], b: list[str], h: list[str], k: list[str], start: int, m: int) -> list[Any]:
        return ['      <edge source="', a, '" target="', b, '" id="', list(map(str, range(start, start + m))), h, k,
                '" />\n        </attvalues>\n      </edge>\n']

    for piece in _edge_pieces(graph, ids, head, row):
        w(piece)


def write_json_rows(graph: SupplyGraph, w: Callable[[str], object], cytoscape: bool) -> None:
    """The node and edge items of the node-link JSON export (``cytoscape``: of the Cytoscape.js export),
    with the text between the two lists."""
    spec: list[str | tuple[str]] = [",\n  " + ('{"data": {' if cytoscape else "{")]
    for i, k in enumerate(_NODE_TYPES):
        spec += [f'{", " if i else ""}"{k}": ', (k,)]
    spec += [', "id": ', ("id",)]
    spec += [', "value": ', ("id",), "}}"] if cytoscape else ["}"]
    _write_nodes(graph, w, spec, _json_column, first=(",\n  ", "\n  "))
    w("\n ],\n \"edges\": [")
    ids = np.array(list(map(encode_basestring, graph.ids)), dtype=object)
    opening = '{"data": ' if cytoscape else ""
    closing = "}}" if cytoscape else "}"

    def head(x: dict[str, Any]) -> str:
        return ",\n  " + opening + _json_dump(x)[:-1] + ', "source": '

    def row(a: list[str], b: list[str], h: list[str], k: list[str], start: int, m: int) -> list[Any]:
        return [h, a, ', "target": ', b, ', "key": ', k, closing]

    first = True
    for piece in _edge_pieces(graph, ids, head, row):
        if first and piece:
            piece, first = "\n  " + piece[len(",\n  "):], False
        w(piece)


def write_csv_rows(graph: SupplyGraph, table: str, w: Callable[[str], object], escape: bool) -> None:
    """The rows (no header) of one table of the CSV export, ``nodes`` or ``edges``."""
    if table == "nodes":
        spec: list[str | tuple[str]] = [("id",)]
        for k in _NODE_TYPES:
            spec += [",", (k,)]
        _write_nodes(graph, w, [*spec, "\n"], lambda values, typ: _csv_column(values, typ, escape))
        return
    ids = np.array(_csv_column(list(graph.ids), "string", escape), dtype=object)

    def head(x: dict[str, Any]) -> str:
        cells = [safe_cell(x["type"], escape), _csv_cell(x["share"]), _csv_cell(x["any_of"]), str(x["group"]),
                 safe_cell(x["role"], escape), _csv_cell(x["lifetime_years"])]
        return "," + ",".join(map(_csv_quoted, cells)) + "\n"

    def row(a: list[str], b: list[str], h: list[str], k: list[str], start: int, m: int) -> list[Any]:
        return [a, ",", b, h]

    for piece in _edge_pieces(graph, ids, head, row):
        w(piece)


assert set(_EDGE_TYPES) == {"type", "share", "any_of", "group", "role", "lifetime_years"}
