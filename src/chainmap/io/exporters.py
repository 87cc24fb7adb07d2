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
ending in ``/``) it writes ``nodes.csv`` and ``edges.csv`` inside.

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

import csv
import io
import json
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from chainmap.errors import OutputError
from chainmap.graph import SupplyGraph
from chainmap.io.atomic import MARK, OutputSet, check_output, register_csv_header, write_bytes_atomic
from chainmap.io.csvcell import safe_cell
from chainmap.model.schema import Requirement, is_any_of, requirement_members

__all__ = ["EDGE_FIELDS", "FORMATS", "NODE_FIELDS", "export", "export_bytes", "export_graph", "xml_text"]

FORMATS = ("graphml", "gexf", "cytoscape", "csv", "json")
NODE_FIELDS = ("kind", "name", "country", "owner", "origin", "sector", "leader", "spof", "spof_targets", "bottleneck",
               "bottleneck_reasons", "bottleneck_hits", "rank", "score", "impact", "exposure", "gap", "urgency",
               "sources", "notes")
EDGE_FIELDS = ("type", "share", "any_of", "group", "role", "lifetime_years")
FLOAT_FIELDS = ("score", "impact", "exposure", "gap", "urgency")


def export_graph(graph: SupplyGraph) -> nx.MultiDiGraph:
    """The networkx graph every format is written from (NaN for missing numbers)."""
    from chainmap.render.facts import node_facts  # the shared analysis facts (no rendering code)

    facts = node_facts(graph)
    out = nx.MultiDiGraph(home=graph.home)
    owners = {sid: graph.country_ids[int(graph.supplier_owner[i])] for i, sid in enumerate(graph.supplier_ids)}
    for node in graph.ids:
        f = facts[node]
        out.add_node(node, kind=f.kind, name=f.name, country=f.country, owner=owners.get(node, ""), origin=f.origin,
                     sector=f.sector,
                     leader=f.leader, spof=f.spof, spof_targets=";".join(f.spof_targets), bottleneck=f.bottleneck,
                     bottleneck_reasons=";".join(f.bottleneck_reasons), bottleneck_hits=";".join(f.bottleneck_hits),
                     rank=int(f.rank), score=float(f.score), impact=float(f.impact), exposure=float(f.exposure),
                     gap=float(f.gap), urgency=float(f.urgency), sources=";".join(f.sources),
                     notes=";".join(f.notes))
    nan = float("nan")
    for sid in graph.supplier_ids:
        out.add_edge(graph.suppliers[sid].country, sid, type="located_in", share=nan, any_of=False, group=-1,
                     role="", lifetime_years=nan)
    for cid in graph.component_ids:
        comp = graph.components[cid]
        for entry in sorted(comp.suppliers, key=lambda e: (e.supplier or "", e.country or "")):
            out.add_edge(entry.supplier or entry.country, cid, type="supplies", share=float(entry.share),
                         any_of=False, group=-1, role="", lifetime_years=nan)
        for g, req in enumerate(comp.requires):
            mapping = req if isinstance(req, Requirement) else None
            equipment = mapping is not None and mapping.role == "equipment"
            share = float(mapping.share) if mapping is not None else 1.0
            lifetime = float(mapping.lifetime) if mapping is not None and equipment else nan
            for m in requirement_members(req):
                out.add_edge(m, cid, type="requires", share=share, any_of=is_any_of(req), group=g,
                             role="equipment" if equipment else "input", lifetime_years=lifetime)
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


def _xml_safe(data: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``data`` whose string attributes XML can hold (:func:`xml_text`)."""
    out = data.copy()
    for attrs in [out.graph, *(a for _, a in out.nodes(data=True)), *(a for _, _, a in out.edges(data=True))]:
        for key, value in attrs.items():
            if isinstance(value, str):
                attrs[key] = xml_text(value)
    return out


def _marked_xml(data: bytes) -> bytes:
    """XML bytes with chainmap's mark as a comment after the declaration (:func:`~chainmap.io.atomic.is_own_output`)."""
    declaration, sep, rest = data.partition(b"?>")
    if not sep:
        return f"<!-- {MARK} -->\n".encode() + data
    return declaration + sep + f"\n<!-- {MARK} -->".encode() + rest


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


def export_bytes(graph: SupplyGraph, fmt: str) -> bytes:
    """The export of ``graph`` in ``fmt`` (not ``csv``) as bytes (for standard output: ``export -o -``)."""
    data = export_graph(graph)
    if fmt == "graphml":
        buf = io.BytesIO()
        nx.write_graphml(_xml_safe(data), buf, encoding="utf-8", prettyprint=True, named_key_ids=True)
        return _marked_xml(buf.getvalue())
    if fmt == "gexf":
        gexf = _xml_safe(data)
        for node in gexf.nodes:
            gexf.nodes[node]["label"] = gexf.nodes[node]["name"]
        for _, _, attrs in gexf.edges(data=True):
            attrs["relation"] = attrs["label"] = attrs.pop("type")  # GEXF reserves "type" (directed, ...)
        buf = io.BytesIO()
        nx.write_gexf(gexf, buf, encoding="utf-8", prettyprint=True)
        text = re.sub(rb' lastmodifieddate="[^"]*"', b"", buf.getvalue())  # deterministic output
        return _marked_xml(text)
    if fmt == "cytoscape":
        payload = {"generator": MARK, **_clean_json(nx.cytoscape_data(data))}
        return (json.dumps(payload, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode("utf-8")
    if fmt == "json":
        payload = {"generator": MARK, **_clean_json(nx.node_link_data(data, edges="edges"))}
        return (json.dumps(payload, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode("utf-8")
    raise OutputError(f"export format {fmt!r} is not one stream (expected one of: graphml, gexf, cytoscape, json)")


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
    if fmt != "csv":
        check_output(target, graph.files, force, roots)
        write_bytes_atomic(target, export_bytes(graph, fmt), graph.files, force, roots)
        return [target]
    nodes_path, edges_path = _csv_paths(target)
    with OutputSet([nodes_path, edges_path], graph.files, force, roots) as out:
        data = export_graph(graph)
        with open(out.stage(nodes_path), "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["id", *NODE_FIELDS])
            for node, attrs in data.nodes(data=True):
                writer.writerow([_csv_cell(node, csv_escape), *(_csv_cell(attrs[k], csv_escape) for k in NODE_FIELDS)])
        with open(out.stage(edges_path), "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["source", "target", *EDGE_FIELDS])
            for a, b, attrs in data.edges(data=True):
                writer.writerow([_csv_cell(a, csv_escape), _csv_cell(b, csv_escape),
                                 *(_csv_cell(attrs[k], csv_escape) for k in EDGE_FIELDS)])
    return [nodes_path, edges_path]
