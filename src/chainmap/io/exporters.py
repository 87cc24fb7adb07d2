"""Exchange formats: GraphML, GEXF, Cytoscape.js JSON, CSV and node-link JSON.

Every format carries the same graph: nodes (countries, suppliers,
components; string ids) and downstream edges (``located_in``, ``supplies``,
``requires``), with the analysis results as node attributes:

==========================  =========  ==================================================
attribute                   type       meaning
==========================  =========  ==================================================
``kind``                    string     ``country``, ``supplier`` or ``component``
``name``                    string     human name
``country``                 string     the node's country ("" for components)
``owner``                   string     the country that controls a supplier (its ``owner``,
                                       else its country; "" for other nodes)
``origin``                  string     ``home``, ``foreign`` or "" (components)
``sector``                  string     GB/T 4754 division of a component ("" otherwise)
``leader``                  string     a component's leading supply country ("" if none)
``spof``                    boolean    single point of failure of some product
``spof_targets``            string     the products it takes down, ``;``-joined
``bottleneck``              boolean    foreign bottleneck (removal or concentration)
``bottleneck_reasons``      string     ``removal``/``concentration``, ``;``-joined
``bottleneck_hits``         string     the products it hits, ``;``-joined
``rank``                    integer    substitution-priority rank (0: not ranked)
``score`` ``impact``        double     the priority score and its four factors
``exposure`` ``gap``
``urgency``
``sources`` ``notes``       string     citations and notes, ``;``-joined
==========================  =========  ==================================================

Edges carry ``type`` (string), ``share`` (double), ``any_of`` (boolean),
``group`` (integer requirement group, -1 for other edges), ``role`` (string:
``input`` or ``equipment`` on ``requires`` edges, "" on others) and
``lifetime_years`` (double: the service life of equipment). ``share`` is the
supply share on a ``supplies`` edge and, on a ``requires`` edge, the
requirement's share (the fraction of the user's home production that needs
it; 1 by default); every member edge of a group carries the group's values.
Missing numbers (the score of an unranked node, the share of a
``located_in`` edge, the lifetime of an input) are NaN in
GraphML and GEXF, an empty cell in CSV and ``null`` in the JSON formats (JSON
has no NaN); strings are never missing, only empty. The graph attribute
``home`` names the point of view. GEXF reserves the edge attribute ``type``
(directed or undirected), so there the edge type is ``relation`` (and the
edge ``label``), and the node ``label`` is the name.

CSV writes two files. Given ``out.csv`` it writes ``out.nodes.csv`` and
``out.edges.csv`` beside it; given a folder (an existing one, or a path
ending in ``/``) it writes ``nodes.csv`` and ``edges.csv`` inside; text
cells a spreadsheet would run as formulas get a leading ``'``
(:mod:`chainmap.io.csvcell`). GraphML and GEXF replace characters XML
cannot hold by U+FFFD. Every format is written in one streaming pass
(:func:`node_records`, :func:`edge_records`: no networkx graph is built, no
document held in memory) through :class:`~chainmap.io.atomic.OutputSet`, and
carries chainmap's mark (docs/output-safety.md). A graph loaded from columnar tables is read column by
column: its node facts a chunk of nodes at a time (:func:`chainmap.render.factcolumns.fact_chunks`: no
object per node), its edges as arrays (``_edge_table``), and every format is rendered a column at a time
(GraphML here, the others in :mod:`chainmap.io.exportrows`: the same bytes as one node and one edge at a
time), the file itself written by a second thread (:class:`_WriteBehind`).

Examples
--------
>>> import chainmap, pathlib, tempfile
>>> g = chainmap.load("tests/data/mini")
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> [p.name for p in export(g, folder / "mini.csv", "csv")]
['mini.nodes.csv', 'mini.edges.csv']
>>> import networkx as nx
>>> h = nx.read_graphml(export(g, folder / "mini.graphml", "graphml")[0])
>>> h.nodes["NL"]["spof"], h.number_of_nodes()
(True, 18)
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO
from xml.sax.saxutils import escape as xml_escape

import networkx as nx
import numpy as np

from chainmap.errors import OutputError
from chainmap.graph import IntArray, SupplyGraph
from chainmap.io.atomic import MARK, OutputSet, register_csv_header
from chainmap.io.csvcell import csv_line, safe_cell
from chainmap.model.schema import Requirement, is_any_of, requirement_members

__all__ = ["CSV_TABLES", "EDGE_FIELDS", "FORMATS", "NODE_FIELDS", "edge_records", "export", "export_graph",
           "node_records", "write_csv_table", "write_export", "xml_text"]

FORMATS = ("graphml", "gexf", "cytoscape", "csv", "json")
NODE_FIELDS = ("kind", "name", "country", "owner", "origin", "sector", "leader", "spof", "spof_targets", "bottleneck",
               "bottleneck_reasons", "bottleneck_hits", "rank", "score", "impact", "exposure", "gap", "urgency",
               "sources", "notes")
EDGE_FIELDS = ("type", "share", "any_of", "group", "role", "lifetime_years")
FLOAT_FIELDS = ("score", "impact", "exposure", "gap", "urgency")


NodeRecord = tuple[str, dict[str, Any]]
EdgeRecord = tuple[str, str, int, dict[str, Any]]


def node_records(graph: SupplyGraph) -> Iterator[NodeRecord]:
    """``(id, attributes)`` of every node in vertex order (attributes in :data:`NODE_FIELDS` order)."""
    for ids, cols in _node_columns(graph):
        columns = [cols[k] for k in NODE_FIELDS]
        for i, node in enumerate(ids):
            yield node, {k: col[i] for k, col in zip(NODE_FIELDS, columns, strict=True)}


def _node_columns(graph: SupplyGraph, typed: bool = False) -> Iterator[tuple[list[str], dict[str, Any]]]:
    """The node attributes as columns, a chunk of nodes at a time in vertex order: from the graph's arrays
    (:func:`chainmap.render.factcolumns.fact_chunks`) when it is array-backed, else one node's facts at a
    time (:func:`chainmap.render.facts.node_facts`). ``typed``: a column may be a numpy array (boolean,
    integer or float: its ``tolist()`` is the list), for the writers that render a column at once."""
    from chainmap.render.factcolumns import analysis_results, fact_chunks  # the shared analysis facts

    results = analysis_results(graph)
    chunks = fact_chunks(graph, results, typed=typed)
    if chunks is not None:
        yield from chunks
        return
    from chainmap.render.facts import node_facts

    facts = node_facts(graph, results=results)
    owners = {sid: graph.country_ids[int(graph.supplier_owner[i])] for i, sid in enumerate(graph.supplier_ids)}
    ids = graph.ids
    for a in range(0, len(ids), 10_000):
        chunk = ids[a:a + 10_000]
        cols: dict[str, list[Any]] = {k: [] for k in NODE_FIELDS}
        for node in chunk:
            f = facts.pop(node)  # each node's facts are dropped once written
            for k, v in (("kind", f.kind), ("name", f.name), ("country", f.country), ("owner", owners.get(node, "")),
                         ("origin", f.origin), ("sector", f.sector), ("leader", f.leader), ("spof", f.spof),
                         ("spof_targets", ";".join(f.spof_targets)), ("bottleneck", f.bottleneck),
                         ("bottleneck_reasons", ";".join(f.bottleneck_reasons)),
                         ("bottleneck_hits", ";".join(f.bottleneck_hits)), ("rank", int(f.rank)),
                         ("score", float(f.score)), ("impact", float(f.impact)), ("exposure", float(f.exposure)),
                         ("gap", float(f.gap)), ("urgency", float(f.urgency)), ("sources", ";".join(f.sources)),
                         ("notes", ";".join(f.notes))):
                cols[k].append(v)
        yield chunk, cols


class _Keys(dict[str, int]):
    """Numbers the parallel edges from one source: 0, 1, ..."""

    def __call__(self, source: str) -> int:
        self[source] = self.get(source, -1) + 1
        return self[source]


def edge_records(graph: SupplyGraph) -> Iterator[EdgeRecord]:
    """``(source, target, key, attributes)`` of every edge (``key`` numbers parallel edges from 0, as networkx).

    Per component: its supplies edges sorted by (supplier id or "", country id or ""), then its requirement
    groups in order with their members. A graph built from arrays (a columnar load, ``_spec`` None) is read
    from its columns (:func:`_array_edge_records`, no record object per component): the same edges in the
    same order, since its records are themselves built from those columns.
    """
    if getattr(graph, "_spec", True) is None:
        return _array_edge_records(graph)
    return _record_edge_records(graph)


def _record_edge_records(graph: SupplyGraph) -> Iterator[EdgeRecord]:
    nan = float("nan")
    for sid in graph.supplier_ids:
        yield graph.suppliers[sid].country, sid, 0, {"type": "located_in", "share": nan, "any_of": False, "group": -1,
                                                      "role": "", "lifetime_years": nan}
    for cid in graph.component_ids:
        comp = graph.components[cid]
        key = _Keys()  # every edge into cid is made here: parallel edges are counted locally
        for entry in sorted(comp.suppliers, key=lambda e: (e.supplier or "", e.country or "")):
            source = entry.supplier or entry.country or ""
            yield source, cid, key(source), {"type": "supplies", "share": float(entry.share), "any_of": False,
                                             "group": -1, "role": "", "lifetime_years": nan}
        for g, req in enumerate(comp.requires):
            mapping = req if isinstance(req, Requirement) else None
            equipment = mapping is not None and mapping.role == "equipment"
            share = float(mapping.share) if mapping is not None else 1.0
            lifetime = float(mapping.lifetime) if mapping is not None and equipment else nan
            for m in requirement_members(req):
                yield m, cid, key(m), {"type": "requires", "share": share, "any_of": is_any_of(req), "group": g,
                                       "role": "equipment" if equipment else "input", "lifetime_years": lifetime}


def _array_edge_records(graph: SupplyGraph) -> Iterator[EdgeRecord]:
    """:func:`edge_records` from the columns of an array-backed graph (ids sorted within each kind, so index
    order is id order; entries of a component listed supplier entries first, each kind by index): the
    rows of :func:`_edge_table`."""
    ids = graph.ids
    for src, dst, key, attr, attrs in _edge_table(graph):
        for a, b, k, x in zip(src.tolist(), dst.tolist(), key.tolist(), attr.tolist(), strict=True):
            yield ids[a], ids[b], k, dict(attrs[x])


_EDGE_CHUNK = 200_000
_WRITE_ROWS = 40_000
"""Edges rendered into one string (about 12 MB; nodes: a quarter as many)."""


def _edge_table(graph: SupplyGraph) -> Iterator[tuple[IntArray, IntArray, IntArray, IntArray, list[dict[str, Any]]]]:
    """The edges of an array-backed graph in :func:`edge_records` order, as arrays, a chunk at a time:
    ``(source vertex, target vertex, key, attributes index, attributes)``; ``attributes`` is the list of the
    distinct attribute dicts (shared by every chunk: one per supply share, one per distinct requirement
    group and its place in its component, one for ``located_in``).

    Per component: its supply entries, country entries first (by country index), then supplier entries (by
    supplier index), then its requirement groups in order with their members; ``key`` numbers the edges
    from one source into one component (parallel edges), from 0.
    """
    nan = float("nan")
    n_c, n_s = graph.n_countries, graph.n_suppliers
    attrs: list[dict[str, Any]] = [{"type": "located_in", "share": nan, "any_of": False, "group": -1, "role": "",
                                    "lifetime_years": nan}]
    sc = np.asarray(graph.supplier_country, dtype=np.int64)
    for a in range(0, n_s, _EDGE_CHUNK):
        b = min(a + _EDGE_CHUNK, n_s)
        m = b - a
        yield (sc[a:b], n_c + np.arange(a, b, dtype=np.int64), np.zeros(m, dtype=np.int64),
               np.zeros(m, dtype=np.int64), attrs)
    n = graph.n_components
    entry_ptr = np.asarray(graph.entry_ptr, dtype=np.int64)
    sup, cty = np.asarray(graph.entry_supplier, dtype=np.int64), np.asarray(graph.entry_country, dtype=np.int64)
    e_comp = np.repeat(np.arange(n, dtype=np.int64), np.diff(entry_ptr))
    is_sup = sup >= 0
    order = np.lexsort((np.where(is_sup, sup, cty), is_sup, e_comp))
    e_src = np.where(is_sup, n_c + sup, cty)[order]
    e_share = np.asarray(graph.entry_share, dtype=np.float64)[order]
    shares = np.unique(e_share)
    e_attr = np.searchsorted(shares, e_share).astype(np.int64) + len(attrs)
    del e_share
    attrs += [{"type": "supplies", "share": v, "any_of": False, "group": -1, "role": "", "lifetime_years": nan}
              for v in shares.tolist()]
    cg_ptr = np.asarray(graph.comp_group_ptr, dtype=np.int64)
    g_ptr = np.asarray(graph.group_ptr, dtype=np.int64)
    n_g = cg_ptr[-1] if cg_ptr.size else 0
    g_owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(cg_ptr))
    local = np.arange(n_g, dtype=np.int64) - cg_ptr[g_owner]
    equipment = np.asarray(graph.group_equipment, dtype=bool)
    share_g, any_g = np.asarray(graph.group_share, dtype=np.float64), np.asarray(graph.group_any_of, dtype=bool)
    life = np.where(equipment, np.asarray(graph.group_lifetime, dtype=np.float64), nan)
    if n_g:
        code = np.zeros(n_g, dtype=np.int64)  # one integer per distinct (share, any_of, local, role, lifetime)
        for column in (share_g, life):
            distinct = np.unique(column)
            code = code * (distinct.size + 1) + np.searchsorted(distinct, column)
        code = ((code * 2 + any_g) * 2 + equipment) * (int(local.max()) + 1) + local
        distinct = np.unique(code)
        inverse = np.searchsorted(distinct, code)
        first = np.zeros(distinct.size, dtype=np.int64)
        first[inverse[::-1]] = np.arange(n_g - 1, -1, -1, dtype=np.int64)  # the first group of each code
        g_attr = inverse.astype(np.int64) + len(attrs)
        sh, an, lo, eq, li = share_g.tolist(), any_g.tolist(), local.tolist(), equipment.tolist(), life.tolist()
        attrs += [{"type": "requires", "share": sh[g], "any_of": an[g], "group": lo[g],
                   "role": "equipment" if eq[g] else "input", "lifetime_years": li[g] if eq[g] else nan}
                  for g in first.tolist()]
    else:
        g_attr = np.zeros(0, dtype=np.int64)
    members = np.asarray(graph.group_members, dtype=np.int64)
    m_group = np.repeat(np.arange(n_g, dtype=np.int64), np.diff(g_ptr[:n_g + 1]))
    m_comp = g_owner[m_group]
    m_start = g_ptr[cg_ptr[:-1]]  # first member position of each component
    base = entry_ptr[:-1] + m_start
    total = int(entry_ptr[-1]) + members.size
    src = np.empty(total, dtype=np.int64)
    dst = np.empty(total, dtype=np.int64)
    attr = np.empty(total, dtype=np.int64)
    e_pos = base[e_comp] + (np.arange(e_comp.size, dtype=np.int64) - entry_ptr[e_comp])  # e_comp is sorted
    src[e_pos], dst[e_pos], attr[e_pos] = e_src, e_comp, e_attr
    m_pos = base[m_comp] + np.diff(entry_ptr)[m_comp] + (np.arange(members.size, dtype=np.int64) - m_start[m_comp])
    src[m_pos], dst[m_pos], attr[m_pos] = n_c + n_s + members, m_comp, g_attr[m_group]
    del e_pos, m_pos, e_src, e_comp, e_attr, m_group, m_comp
    keys = np.zeros(total, dtype=np.int64)
    if total:  # parallel edges (rare): numbered in order among the edges of their (target, source) pair
        pair = dst * (n_c + n_s + n) + src
        ordered = np.sort(pair)
        repeated = ordered[1:][ordered[1:] == ordered[:-1]]
        del ordered
        if repeated.size:
            repeated = np.unique(repeated)
            near = np.minimum(np.searchsorted(repeated, pair), repeated.size - 1)
            at = np.flatnonzero(repeated[near] == pair)  # the edges of a repeated pair, in order
            sub = pair[at]
            by = np.argsort(sub, kind="stable")
            sp = sub[by]
            start = np.flatnonzero(np.concatenate(([True], sp[1:] != sp[:-1])))
            keys[at[by]] = np.arange(sub.size) - np.repeat(start, np.diff(np.append(start, sub.size)))
            del near, at, sub, by, sp, start
        del pair, repeated
    dst += n_c + n_s
    for a in range(0, total, _EDGE_CHUNK):
        b = min(a + _EDGE_CHUNK, total)
        yield src[a:b], dst[a:b], keys[a:b], attr[a:b], attrs


def export_graph(graph: SupplyGraph) -> nx.MultiDiGraph:
    """The networkx graph of the export (NaN for missing numbers): what every format carries, in memory."""
    out = nx.MultiDiGraph(home=graph.home)
    for node, attrs in node_records(graph):
        out.add_node(node, **attrs)
    for a, b, k, attrs in edge_records(graph):
        out.add_edge(a, b, key=k, **attrs)
    return out


def _json_value(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def _clean_json(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _clean_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_clean_json(v) for v in data]
    return _json_value(data)


_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """``value`` with every character XML 1.0 cannot hold (C0 controls but tab and newlines, lone surrogates,
    U+FFFE/U+FFFF) replaced by U+FFFD.

    >>> xml_text("a" + chr(1) + "b" + chr(0) + "c" + chr(9) + "d") == "a\N{REPLACEMENT CHARACTER}b\N{REPLACEMENT CHARACTER}c" + chr(9) + "d"
    True
    """
    return _XML_INVALID.sub("\ufffd", value)


def _csv_cell(value: Any, escape: bool = True) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    return safe_cell(str(value), escape)


NODES_HEADER = ",".join(["id", *NODE_FIELDS])
EDGES_HEADER = ",".join(["source", "target", *EDGE_FIELDS])
register_csv_header(NODES_HEADER)
register_csv_header(EDGES_HEADER)


def _csv_paths(path: Path) -> tuple[Path, Path]:
    if path.is_dir() or str(path).endswith(("/", "\\")):
        return path / "nodes.csv", path / "edges.csv"
    stem = path.name[: -len(".csv")] if path.name.lower().endswith(".csv") else path.name
    return path.with_name(f"{stem}.nodes.csv"), path.with_name(f"{stem}.edges.csv")


_XML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


_NODE_TYPES = {**dict.fromkeys(NODE_FIELDS, "string"), "spof": "boolean", "bottleneck": "boolean", "rank": "long",
               **dict.fromkeys(FLOAT_FIELDS, "double")}
_EDGE_TYPES = {"type": "string", "share": "double", "any_of": "boolean", "group": "long", "role": "string",
               "lifetime_years": "double"}


def _xml_value(value: Any, nan: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return nan if math.isnan(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    return xml_escape(xml_text(str(value)), _XML_ENTITIES)


_XML_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}  # kept exact in attributes too


_XML_SPECIAL = re.compile('[&<>"\n\r\t]|' + _XML_INVALID.pattern)
"""Characters :func:`_xml_value` changes in a string (escaped, or replaced by U+FFFD)."""


def _xml_str(text: str) -> str:
    """``_xml_value(text, ...)`` of a string: unchanged when it holds nothing to escape (the common case)."""
    return xml_escape(xml_text(text), _XML_ENTITIES) if _XML_SPECIAL.search(text) else text


_BOOL_TEXTS = np.array(["false", "true"], dtype=object)


def _array_texts(values: Any, missing: str) -> list[str] | None:
    """Texts of a numpy boolean (``true``/``false``), float (``repr``; ``missing`` for NaN) or integer array,
    rendered at once; None for anything else (a list, another dtype)."""
    if not isinstance(values, np.ndarray):
        return None
    if values.dtype == np.bool_:
        out: list[str] = _BOOL_TEXTS[values.view(np.uint8)].tolist()
        return out
    if values.dtype.kind == "f":
        return _float_texts(values, missing)
    if values.dtype.kind in "iu":
        return list(map(str, values.tolist()))
    return None


def _xml_column(values: Any, typ: str) -> list[str]:
    """:func:`_xml_value` (NaN for missing numbers) of each value of one attribute column of type ``typ`` (a
    list, or a numpy array of booleans, integers or floats: rendered at once)."""
    texts = _array_texts(values, "NaN")
    if texts is not None:
        return texts
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if typ == "string":
        try:
            return _xml_strs(values)
        except TypeError:  # not every value is a str
            return [_xml_value(v, "NaN") for v in values]
    types = set(map(type, values))
    if typ == "boolean" and types == {bool}:
        return ["true" if v else "false" for v in values]
    if typ == "double" and types == {float}:
        return _float_texts(values, "NaN")
    if typ == "long" and types == {int}:
        return list(map(str, values))
    return [_xml_value(v, "NaN") for v in values]


_XML_PLAIN = bytes(c for c in range(0x20, 0x80) if chr(c) not in '&<>"')
"""The ASCII characters :func:`_xml_str` leaves as they are."""


def _xml_strs(values: list[str]) -> list[str]:
    """:func:`_xml_str` of each string: the list itself when none holds anything to escape (checked on the
    whole column in one pass: ASCII without ``&<>"`` or control characters)."""
    whole = "".join(values)
    if whole.isascii() and not whole.encode("ascii").translate(None, _XML_PLAIN):
        return values
    return [_xml_str(v) for v in values]


def _float_texts(values: Any, nan: str) -> list[str]:
    """``repr`` of each float (``nan`` for NaN) of a list or a float array, each distinct value formatted once."""
    if len(values) < 1024:
        return [nan if v != v else repr(v) for v in (values.tolist() if isinstance(values, np.ndarray) else values)]
    array = np.asarray(values, dtype=np.float64)
    if np.any((array == 0) & np.signbit(array)):  # -0.0 and 0.0 are one value to unique, two to repr
        return [nan if v != v else repr(v) for v in array.tolist()]
    distinct, inverse = np.unique(array, return_inverse=True)
    texts = np.array(list(map(repr, distinct.tolist())), dtype=object)
    if distinct.size and distinct[-1] != distinct[-1]:  # NaN sorts last (one value to unique)
        texts[np.isnan(distinct)] = nan
    out: list[str] = texts[inverse.reshape(-1)].tolist()
    return out


def _rows(parts: list[Any], m: int, fold: bool = True) -> str:
    """Row by row, the concatenation of ``parts``: constant texts (``str``) and text columns (lists of ``m``
    strings), as one string. ``fold``: a column holding one value throughout is folded into the texts
    around it (fewer pieces to join).

    >>> _rows(["<", ["a", "b"], "|", ["x", "x"], ">"], 2)
    '<a|x><b|x>'
    """
    slots: list[Any] = []
    for part in parts:
        if not isinstance(part, str) and fold and m and part.count(part[0]) == m:
            part = part[0]
        if isinstance(part, str) and slots and isinstance(slots[-1], str):
            slots[-1] += part
        else:
            slots.append(part)
    if not m:
        return ""
    k = len(slots)
    out: list[str] = [""] * (m * k)
    for j, slot in enumerate(slots):
        out[j::k] = [slot] * m if isinstance(slot, str) else slot
    return "".join(out)


def _graphml_edges(graph: SupplyGraph, w: Callable[[str], object]) -> bool:
    """Write the edges of an array-backed graph from :func:`_edge_table` (False, nothing written, for a
    graph built from records)."""
    if getattr(graph, "_spec", True) is not None:
        return False
    ids = np.array(_xml_strs(graph.ids), dtype=object)
    blocks: list[str] = []
    tails: list[str] = []  # per attributes: the rest of an edge with key 0 (nearly every edge)
    tail_array = np.array(tails, dtype=object)
    for src, dst, key, attr, attrs in _edge_table(graph):
        new = attrs[len(blocks):]
        if new:  # the data of the new attribute dicts (all in EDGE_FIELDS order), rendered a field at a time
            parts: list[Any] = []
            for name in EDGE_FIELDS:
                parts += [f'      <data key="{name}">', _xml_column([x[name] for x in new], _EDGE_TYPES[name]),
                          "</data>\n"]
            added = _rows([*parts, "\x00"], len(new), fold=False).split("\x00")[:-1]  # (no cell holds NUL)
            blocks += added
            tails += [f'" id="0">\n{b}    </edge>\n' for b in added]
        if len(tails) != len(tail_array):  # (the attributes grow twice: located_in, then the rest)
            tail_array = np.array(tails, dtype=object)
        rest = tail_array[attr]
        for i in np.flatnonzero(key).tolist():  # parallel edges
            rest[i] = f'" id="{int(key[i])}">\n{blocks[int(attr[i])]}    </edge>\n'
        for i in range(0, src.size, _WRITE_ROWS):  # pieces under glibc's mmap threshold: memory reused, not faulted
            j = min(i + _WRITE_ROWS, src.size)
            w(_rows(['    <edge source="', ids[src[i:j]].tolist(), '" target="', ids[dst[i:j]].tolist(),
                     rest[i:j].tolist()], j - i, fold=False))
    return True


def _write_graphml(graph: SupplyGraph, handle: TextIO) -> None:
    w = handle.write
    w(f"<?xml version='1.0' encoding='utf-8'?>\n<!-- {MARK} -->\n"
      '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
      'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
      'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
    w('  <key id="home" for="graph" attr.name="home" attr.type="string" />\n')
    for kind, types in (("node", _NODE_TYPES), ("edge", _EDGE_TYPES)):
        for name, typ in types.items():
            w(f'  <key id="{name}" for="{kind}" attr.name="{name}" attr.type="{typ}" />\n')
    w(f'  <graph edgedefault="directed">\n    <data key="home">{_xml_value(graph.home, "")}</data>\n')
    texts = ['    <node id="', *(f'">\n      <data key="{k}">' if not i else f'</data>\n      <data key="{k}">'
                                   for i, k in enumerate(NODE_FIELDS)), "</data>\n    </node>\n"]
    for ids, cols in _node_columns(graph, typed=True):  # a chunk of nodes at a time, cells rendered by column
        rendered = [_xml_column(ids, "string"), *(_xml_column(cols[k], _NODE_TYPES[k]) for k in NODE_FIELDS)]
        for i in range(0, len(ids), _WRITE_ROWS // 4):
            j = min(i + _WRITE_ROWS // 4, len(ids))
            parts: list[Any] = []
            for text, column in zip(texts, rendered, strict=False):  # (texts has one more: the row's end)
                parts += [text, column[i:j]]
            w(_rows([*parts, texts[-1]], j - i))
    if not _graphml_edges(graph, w):
        for a, b, k, attrs in edge_records(graph):
            w(f'    <edge source="{_xml_value(a, "")}" target="{_xml_value(b, "")}" id="{k}">\n')
            w("".join(f'      <data key="{name}">{_xml_value(v, "NaN")}</data>\n' for name, v in attrs.items()))
            w("    </edge>\n")
    w("  </graph>\n</graphml>\n")


def _write_gexf(graph: SupplyGraph, handle: TextIO) -> None:
    w = handle.write
    w(f"<?xml version='1.0' encoding='utf-8'?>\n<!-- {MARK} -->\n"
      '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
      'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n'
      "  <meta>\n    <creator>chainmap</creator>\n  </meta>\n"
      '  <graph defaultedgetype="directed" mode="static" name="">\n')
    node_ids = {name: i for i, name in enumerate(_NODE_TYPES)}
    edge_types = {**{k: v for k, v in _EDGE_TYPES.items() if k != "type"}, "relation": "string",
                  "networkx_key": "long"}
    edge_ids = {name: len(node_ids) + i for i, name in enumerate(edge_types)}
    for cls, ids, types in (("node", node_ids, _NODE_TYPES), ("edge", edge_ids, edge_types)):
        w(f'    <attributes mode="static" class="{cls}">\n')
        w("".join(f'      <attribute id="{ids[n]}" title="{n}" type="{t}" />\n' for n, t in types.items()))
        w("    </attributes>\n")
    w("    <nodes>\n")
    from chainmap.io.exportrows import array_backed_edges, write_gexf_rows

    if array_backed_edges(graph):  # a column at a time
        write_gexf_rows(graph, w, node_ids, edge_ids)
        w("    </edges>\n  </graph>\n</gexf>\n")
        return
    for node, attrs in node_records(graph):
        w(f'      <node id="{_xml_value(node, "")}" label="{_xml_value(attrs["name"], "")}">\n        <attvalues>\n')
        w("".join(f'          <attvalue for="{node_ids[k]}" value="{_xml_value(v, "NaN")}" />\n'
                  for k, v in attrs.items()))
        w("        </attvalues>\n      </node>\n")
    w("    </nodes>\n    <edges>\n")
    for n, (a, b, k, attrs) in enumerate(edge_records(graph)):
        values = {**{x: v for x, v in attrs.items() if x != "type"}, "relation": attrs["type"], "networkx_key": k}
        w(f'      <edge source="{_xml_value(a, "")}" target="{_xml_value(b, "")}" id="{n}" '
          f'label="{_xml_value(attrs["type"], "")}">\n        <attvalues>\n')
        w("".join(f'          <attvalue for="{edge_ids[x]}" value="{_xml_value(v, "NaN")}" />\n'
                  for x, v in values.items()))
        w("        </attvalues>\n      </edge>\n")
    w("    </edges>\n  </graph>\n</gexf>\n")


def _json_dump(value: Any) -> str:
    return json.dumps(_clean_json(value), ensure_ascii=False, allow_nan=False)


def _write_items(w: Callable[[str], object], items: Iterable[dict[str, Any]]) -> None:
    """Stream the items of a JSON array, one per line (the caller writes the brackets)."""
    sep = "\n  "
    for item in items:
        w(sep + _json_dump(item))
        sep = ",\n  "


def _write_node_link(graph: SupplyGraph, handle: TextIO) -> None:
    w = handle.write
    w(f'{{"generator": "{MARK}", "directed": true, "multigraph": true, "graph": {_json_dump({"home": graph.home})},\n'
      ' "nodes": [')
    from chainmap.io.exportrows import array_backed_edges, write_json_rows

    if array_backed_edges(graph):  # a column at a time
        write_json_rows(graph, w, cytoscape=False)
        w("\n ]\n}\n")
        return
    _write_items(w, ({**attrs, "id": node} for node, attrs in node_records(graph)))
    w("\n ],\n \"edges\": [")
    _write_items(w, ({**attrs, "source": a, "target": b, "key": k} for a, b, k, attrs in edge_records(graph)))
    w("\n ]\n}\n")


def _write_cytoscape(graph: SupplyGraph, handle: TextIO) -> None:
    w = handle.write
    w(f'{{"generator": "{MARK}", "data": {_json_dump({"home": graph.home})}, "directed": true, "multigraph": true,\n'
      ' "elements": {"nodes": [')
    from chainmap.io.exportrows import array_backed_edges, write_json_rows

    if array_backed_edges(graph):  # a column at a time
        write_json_rows(graph, w, cytoscape=True)
        w("\n ]}\n}\n")
        return
    _write_items(w, ({"data": {**attrs, "id": node, "value": node, "name": attrs["name"]}}
                     for node, attrs in node_records(graph)))
    w("\n ],\n \"edges\": [")
    _write_items(w, ({"data": {**attrs, "source": a, "target": b, "key": k}}
                     for a, b, k, attrs in edge_records(graph)))
    w("\n ]}\n}\n")


CSV_TABLES = ("nodes", "edges")
"""The tables of the CSV export (``STEM.nodes.csv`` and ``STEM.edges.csv``)."""


def write_csv_table(graph: SupplyGraph, table: str, handle: TextIO, escape: bool = True) -> None:
    """Write one table of the CSV export, ``nodes`` or ``edges``, to the text stream ``handle``."""
    from chainmap.io.exportrows import array_backed_edges, write_csv_rows

    if table in CSV_TABLES and array_backed_edges(graph):  # a column at a time
        handle.write(csv_line(["id", *NODE_FIELDS] if table == "nodes" else ["source", "target", *EDGE_FIELDS]))
        write_csv_rows(graph, table, handle.write, escape)
        return
    if table == "nodes":
        handle.write(csv_line(["id", *NODE_FIELDS]))
        for node, attrs in node_records(graph):
            handle.write(csv_line([_csv_cell(node, escape), *(_csv_cell(attrs[k], escape) for k in NODE_FIELDS)]))
    elif table == "edges":
        handle.write(csv_line(["source", "target", *EDGE_FIELDS]))
        w = handle.write
        for a, b, _k, at in edge_records(graph):  # the cells _csv_cell writes, by field type (ids and texts
            share, life = at["share"], at["lifetime_years"]  # are str, numbers float, group int)
            w(csv_line([safe_cell(a, escape), safe_cell(b, escape), safe_cell(at["type"], escape),
                        "" if share != share else repr(share), "true" if at["any_of"] else "false",
                        str(at["group"]), safe_cell(at["role"], escape), "" if life != life else repr(life)]))
    else:
        raise OutputError(f"CSV export table {table!r}: expected one of {', '.join(CSV_TABLES)}")


def _write_csv(graph: SupplyGraph, nodes: TextIO, edges: TextIO, escape: bool) -> None:
    write_csv_table(graph, "nodes", nodes, escape)
    write_csv_table(graph, "edges", edges, escape)


_STREAMS = {"graphml": _write_graphml, "gexf": _write_gexf, "json": _write_node_link, "cytoscape": _write_cytoscape}


def write_export(graph: SupplyGraph, fmt: str, handle: TextIO) -> None:
    """Write the export of ``graph`` in ``fmt`` (not ``csv``) to the text stream ``handle``, one node and one
    edge at a time (memory: the analysis facts, not the document)."""
    if fmt not in _STREAMS:
        raise OutputError(f"export format {fmt!r} is not one stream (expected one of: {', '.join(_STREAMS)})")
    _STREAMS[fmt](graph, handle)


class _WriteBehind:
    """A text stream's ``write`` done by a second thread: the file system's copy of one piece (the ``write``
    system call, which releases the GIL) overlaps the rendering of the next. The pieces are written in order
    by the one thread, so the bytes are those of writing them directly; at most ``depth`` pieces wait. An
    error of the writing thread is raised by the next ``write`` or by ``close``."""

    def __init__(self, handle: TextIO, depth: int = 2) -> None:
        import queue
        import threading

        self._handle = handle
        self._queue: queue.Queue[str | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="chainmap-export-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (piece := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._handle.write(piece)
                except BaseException as exc:  # handed to the producing thread
                    self._error = exc

    def write(self, piece: str) -> int:
        if self._error is not None:
            raise self._error
        self._queue.put(piece)
        return len(piece)

    def close(self) -> None:
        """Wait for every piece to be written (then raise the writing thread's error, if any)."""
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


def export(graph: SupplyGraph, path: str | Path, fmt: str, *, force: bool = True, roots: Iterable[str | Path] = (),
           csv_escape: bool = True) -> list[Path]:
    """Write ``graph`` with its analysis results to ``path`` in ``fmt``; return the files written.

    Parameters
    ----------
    graph : the loaded graph (its ``home`` is the point of view).
    path : output file (for ``csv``: see the module docs); never one of ``graph.files``.
    fmt : ``graphml``, ``gexf``, ``cytoscape`` (Cytoscape.js JSON), ``csv`` or ``json`` (node-link).
    force : overwrite existing files chainmap did not write (:mod:`chainmap.io.atomic`).
    roots : input graph folders; an output a load of one of them would read is refused.
    csv_escape : prefix CSV text cells a spreadsheet would run as formulas with ``'`` (:mod:`chainmap.io.csvcell`).
    """
    if fmt not in FORMATS:
        raise OutputError(f"unknown export format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    target = Path(path)
    targets = list(_csv_paths(target)) if fmt == "csv" else [target]
    with OutputSet(targets, graph.files, force, roots) as out:
        if fmt == "csv":
            with open(out.stage(targets[0]), "w", encoding="utf-8", newline="") as nodes, \
                    open(out.stage(targets[1]), "w", encoding="utf-8", newline="") as edges:
                node_writer, edge_writer = _WriteBehind(nodes), _WriteBehind(edges)
                try:
                    _write_csv(graph, node_writer, edge_writer, csv_escape)  # type: ignore[arg-type]
                finally:
                    node_writer.close()
                    edge_writer.close()
        else:
            with open(out.stage(target), "w", encoding="utf-8", newline="") as handle:
                writer = _WriteBehind(handle)
                try:
                    write_export(graph, fmt, writer)  # type: ignore[arg-type]
                finally:
                    writer.close()
    return targets
