"""The per-node analysis facts of an array-backed graph as columns, a chunk of nodes at a time.

:func:`~chainmap.render.facts.node_facts` builds one :class:`~chainmap.render.facts.NodeFacts` per node (at 1M
components: a million objects, each with its own lists, and a Python pass over every supply entry per
component for its leader and sources). The exporters need the same values field by field, in vertex
order, once: :func:`fact_chunks` computes them from the graph's columns (the leader and the concentration
hits with numpy) and yields them as lists, one chunk of nodes at a time, so no per-node object is built and
no more than a chunk of cells is held.

The values are those :func:`chainmap.io.exporters.node_records` wrote from ``node_facts`` (the same types:
``str``, ``bool``, ``int``, ``float``); the property tests compare the two paths.

Examples
--------
>>> import chainmap
>>> g = chainmap.load("tests/data/mini")
>>> fact_chunks(g, analysis_results(g)) is None  # a graph built from records: node_facts answers
True
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Iterator
from typing import Any

import numpy as np

from chainmap.analysis.batch import unique_inverse
from chainmap.graph import IntArray, SupplyGraph, ranges
from chainmap.render.facts import AnalysisResults, analysis_results, array_backed

__all__ = ["CHUNK", "FIELDS", "analysis_results", "fact_chunks", "leaders"]

FIELDS = ("kind", "name", "country", "owner", "origin", "sector", "leader", "spof", "spof_targets", "bottleneck",
          "bottleneck_reasons", "bottleneck_hits", "rank", "score", "impact", "exposure", "gap", "urgency",
          "sources", "notes")
"""The node attributes, in the exporters' order (:data:`chainmap.io.exporters.NODE_FIELDS`)."""

CHUNK = 50_000
"""Nodes per chunk."""

Chunk = tuple[list[str], dict[str, Any]]
"""``(ids, columns)``: a column is a list (or, from a typed chunk, a numpy array)."""


def _slice(column: Any, start: int, stop: int) -> list[Any]:
    """``column[start:stop]`` as a list (a coded text column, :class:`chainmap.io.columnar._Coded`, decoded
    at once)."""
    codes, texts = getattr(column, "codes", None), getattr(column, "texts", None)
    if codes is not None and texts is not None:
        return [texts[c] if c >= 0 else None for c in np.asarray(codes[start:stop]).tolist()]
    return [column[i] for i in range(start, stop)]


def _joined(groups: IntArray, m: int, columns: list[Any]) -> list[str]:
    """Per group ``0 .. m-1``: its items joined by ``;``, an item being the concatenation of its cells in
    ``columns`` (object arrays of strings, one cell per item; ``groups``: each item's group, ascending). One
    string is built and split at the group ends (each group's own ``";".join`` when a cell holds the split
    character)."""
    per = len(columns) + 1
    out = np.empty(per * groups.size + m, dtype=object)
    first = np.concatenate(([True], groups[1:] != groups[:-1])) if groups.size else np.zeros(0, dtype=bool)
    slot = per * np.arange(groups.size, dtype=np.int64) + groups  # each group's items, then its end
    out[slot] = np.where(first, "", ";")
    for k, column in enumerate(columns, 1):
        out[slot + k] = column
    ends = per * np.cumsum(np.bincount(groups, minlength=m)) + np.arange(m, dtype=np.int64)
    out[ends] = "\x00"
    whole = "".join(out.tolist())
    cells = whole.split("\x00")
    if len(cells) == m + 1:
        return cells[:m]
    items = ["".join(parts) for parts in zip(*(np.asarray(c).tolist() for c in columns), strict=True)]
    lists: list[list[str]] = [[] for _ in range(m)]
    for g, item in zip(groups.tolist(), items, strict=True):
        lists[g].append(item)
    return [";".join(parts) for parts in lists]


def _ascending(ids: list[str]) -> bool:
    return all(map(operator.lt, ids, itertools.islice(ids, 1, None)))


def _spread(values: list[Any], flags: Any) -> list[Any]:
    """A list as long as ``flags``: ``values`` in order at the flagged places, None elsewhere."""
    out: list[Any] = [None] * len(flags)
    for i, v in zip(np.flatnonzero(flags).tolist(), values, strict=True):
        out[i] = v
    return out


def leaders(graph: SupplyGraph) -> IntArray:
    """Per component, the country index of its leading supply country (-1: none), as
    ``next(iter(country_shares(graph, c)))``: normalised shares summed per country in entry order, the
    largest first, ties by id (country index order is id order in an array-backed graph).

    The sums are :func:`np.bincount`'s (one addition at a time in array order from 0.0, as the Python loop);
    the largest per component is found in one pass over the (component, country) sums, which are in key
    order: the first of the equal largest is the smallest country index."""
    n = graph.n_components
    comp = np.repeat(np.arange(n, dtype=np.int64), np.diff(graph.entry_ptr))
    share = np.asarray(graph.entry_share, dtype=np.float64)
    total = np.bincount(comp, weights=share, minlength=n) if comp.size else np.zeros(n)
    keep = total[comp] > 0
    comp, share, country = comp[keep], share[keep], np.asarray(graph.entry_country, dtype=np.int64)[keep]
    nc = max(graph.n_countries, 1)
    uniq, inverse = unique_inverse(comp * nc + country, runs=True)
    sums = np.bincount(inverse, weights=share / total[comp], minlength=uniq.size)
    out = np.full(n, -1, dtype=np.int64)
    if not uniq.size:
        return out
    gc, gk = uniq // nc, uniq % nc
    if np.isnan(sums).any():  # (not from a validated graph) the order of a sort puts NaN last
        order = np.lexsort((gk, -sums, gc))
        gc, gk = gc[order], gk[order]
        first = np.concatenate(([True], gc[1:] != gc[:-1]))
        out[gc[first]] = gk[first]
        return out
    start = np.flatnonzero(np.concatenate(([True], gc[1:] != gc[:-1])))
    best = np.maximum.reduceat(sums, start)
    top = np.flatnonzero(sums == np.repeat(best, np.diff(np.append(start, gc.size))))
    first = np.concatenate(([True], gc[top[1:]] != gc[top[:-1]]))  # the first (smallest country) per component
    out[gc[top[first]]] = gk[top[first]]
    return out


def fact_chunks(graph: SupplyGraph, results: AnalysisResults, typed: bool = False) -> Iterator[Chunk] | None:
    """``(ids, columns)`` chunks of every node in vertex order, ``columns`` the lists of :data:`FIELDS`; None
    when the graph is not array-backed or the results are not columnar (then use ``node_facts``).

    ``typed``: the boolean, integer and float columns of components as numpy arrays (``bool``, ``int64``,
    ``float64``; their ``tolist()`` is the list), for writers that render a column at once."""
    table = results.bottlenecks
    removal, conc = getattr(table, "_removal", None), getattr(table, "_conc", None)
    if (not array_backed(graph) or results.removals is not None or removal is None
            or (conc is not None and not hasattr(conc, "comps"))
            or not _ascending(graph.country_ids) or not _ascending(graph.component_ids)):
        return None  # (index order is id order: leaders' ties and the hits' order read it)
    chunks = _chunks(graph, results, removal, conc)
    return chunks if typed else (_as_lists(chunk) for chunk in chunks)


def _as_lists(chunk: Chunk) -> Chunk:
    ids, cols = chunk
    return ids, {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in cols.items()}


def _chunks(graph: SupplyGraph, results: AnalysisResults, removal: list[Any], conc: Any) -> Iterator[Chunk]:
    spof = {row.node: row.targets for row in results.spof}  # (read, never changed)
    bottleneck: dict[str, tuple[list[str], set[str]]] = {}
    for b in removal:
        reasons, hits = bottleneck.setdefault(b.node, ([], set()))
        if b.reason not in reasons:
            reasons.append(b.reason)
        hits.update(b.hits)
    n = graph.n_components
    conc_hits: dict[int, list[str]] = {}  # components with few concentration rows (conc.small)
    conc_flag = np.zeros(n, dtype=bool)
    if conc is not None and len(conc):
        comps = np.asarray(conc.comps, dtype=np.int64)
        conc_flag[comps] = True
        if conc.hits_of is None:
            conc_hits = {c: sorted(set(conc.small[c])) for c in comps.tolist()}
    rank = np.zeros(n, dtype=np.int64)
    factors = {k: np.full(n, np.nan) for k in ("score", "impact", "exposure", "gap", "urgency")}
    table = results.priorities
    comps_p, cols_p = getattr(table, "_comps", None), getattr(table, "_cols", None)
    if comps_p is not None and cols_p is not None and getattr(table, "_graph", None) is graph:
        where = np.asarray(comps_p, dtype=np.int64)  # the columns as the table holds them: no id looked up
        first = int(getattr(table, "_first", 1))
        rank[where] = np.arange(first, first + where.size, dtype=np.int64)
        for k, arr in factors.items():
            arr[where] = np.asarray(cols_p[k], dtype=np.float64)
    else:
        cols = results.priority_columns()
        if len(cols["id"]):
            where = results.priority_index(graph)
            rank[where] = np.asarray(cols["rank"], dtype=np.int64)
            for k, arr in factors.items():
                arr[where] = np.asarray(cols[k], dtype=np.float64)
    lead = leaders(graph)
    spof_flag = np.zeros(n, dtype=bool)
    components = graph.component_ids  # sorted (checked): a component row's index by bisection, no dict built
    spof_flag[[bisect.bisect_left(components, row.node) for row in results.spof if row.kind == "component"]] = True
    countries, suppliers, components = graph.country_ids, graph.supplier_ids, graph.component_ids
    home = graph.home

    def other(ids: list[str], kind: str, names: list[str], country: list[str], owner: list[str]) -> Chunk:
        m = len(ids)
        targets = [spof.get(node) for node in ids]
        facts = [bottleneck.get(node) for node in ids]
        return ids, {
            "kind": [kind] * m, "name": names, "country": country, "owner": owner,
            "origin": ["home" if c == home else "foreign" for c in country], "sector": [""] * m, "leader": [""] * m,
            "spof": [t is not None for t in targets], "spof_targets": [";".join(t) if t else "" for t in targets],
            "bottleneck": [f is not None for f in facts],
            "bottleneck_reasons": [";".join(f[0]) if f else "" for f in facts],
            "bottleneck_hits": [";".join(sorted(f[1])) if f else "" for f in facts],
            "rank": [0] * m, **{k: [float("nan")] * m for k in factors}, "sources": [""] * m, "notes": [""] * m}

    ar = graph.arrays
    for a in range(0, len(countries), CHUNK):
        ids = countries[a:a + CHUNK]
        yield other(ids, "country", [graph.name(c) for c in ids], list(ids), [""] * len(ids))
    sc = graph.supplier_country.tolist()
    so = graph.supplier_owner.tolist()
    for a in range(0, len(suppliers), CHUNK):
        ids = suppliers[a:a + CHUNK]
        yield other(ids, "supplier", list(ar.supplier_name[a:a + CHUNK]), [countries[k] for k in sc[a:a + CHUNK]],
                    [countries[k] for k in so[a:a + CHUNK]])
    source, estimate = ar.entry_source, ar.entry_estimate
    entry_ptr = graph.entry_ptr.tolist()
    es, ec = graph.entry_supplier, graph.entry_country
    entry_comp = np.repeat(np.arange(n, dtype=np.int64), np.diff(graph.entry_ptr))
    supplier_names = np.array(suppliers, dtype=object)
    country_names = np.array(countries, dtype=object)
    component_names = np.array(components, dtype=object)
    hits_of = conc.hits_of if conc is not None else None
    leader_ids = np.array([*countries, ""], dtype=object)  # index -1: no leader
    reason_texts = np.array(["", "concentration"], dtype=object)
    for a in range(0, n, CHUNK):
        b = min(a + CHUNK, n)
        ids = components[a:b]
        m = b - a
        sources = [""] * m
        if source is not None:
            e0, e1 = entry_ptr[a], entry_ptr[b]
            texts = np.array(_slice(source, e0, e1), dtype=object)
            sourced = np.array([bool(t) for t in texts.tolist()], dtype=bool)
            at = np.flatnonzero(sourced)
            sup, cty = es[e0:e1][at], ec[e0:e1][at]
            est = (np.asarray(estimate[e0:e1], dtype=bool)[at] if estimate is not None
                   else np.zeros(at.size, dtype=bool))
            who = country_names[cty]
            by_supplier = sup >= 0
            who[by_supplier] = supplier_names[sup[by_supplier]]  # (no index into an empty supplier list)
            sources = _joined(entry_comp[e0:e1][at] - a, m,
                              [who, np.where(est, " share (estimate): ", " share: "), texts[at]])
        flags = conc_flag[a:b]
        hit_cells = [""] * m
        rows = np.flatnonzero(conc_flag[a:b])
        if hits_of is not None and rows.size:  # each component's products: sorted, distinct (_ProductSets)
            ptr = np.asarray(hits_of.ptr, dtype=np.int64)
            first_hit, end_hit = ptr[a + rows], ptr[a + rows + 1]
            products = np.asarray(hits_of.products)[ranges(first_hit, end_hit)]
            hit_cells = _joined(np.repeat(rows, end_hit - first_hit), m, [component_names[products]])
        else:
            for i in rows.tolist():
                hit_cells[i] = ";".join(conc_hits[a + i])
        targets = [spof.get(ids[i]) for i in np.flatnonzero(spof_flag[a:b]).tolist()] if spof else []
        targets = _spread(targets, spof_flag[a:b])
        sectors = list(ar.component_sector[a:b])
        yield ids, {
            "kind": ["component"] * m, "name": list(ar.component_name[a:b]), "country": [""] * m, "owner": [""] * m,
            "origin": [""] * m, "sector": [s or "" for s in sectors] if None in sectors else sectors,
            "leader": leader_ids[lead[a:b]].tolist(),
            "spof": spof_flag[a:b].copy(), "spof_targets": [";".join(t) if t else "" for t in targets],
            "bottleneck": flags.copy(), "bottleneck_reasons": reason_texts[flags.view(np.uint8)].tolist(),
            "bottleneck_hits": hit_cells, "rank": rank[a:b].copy(),
            **{k: arr[a:b].copy() for k, arr in factors.items()}, "sources": sources, "notes": [""] * m}
