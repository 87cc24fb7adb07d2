"""Layered (Sugiyama) layout of a directed graph, computed in Python for the HTML views.

Layers come from the longest path on the condensation (strongly connected
components share a layer, so cycles are legal), edges that point backwards or
stay inside a layer are ignored for placement, and long edges are split into
chains of dummy vertices before calling :meth:`igraph.Graph.layout_sugiyama`
(which then only orders vertices within layers and places them; igraph 1.0
crashes when it has to insert dummy vertices itself). The result is
deterministic: the same input gives the same coordinates.

Examples
--------
>>> xs = layered_layout(3, [(0, 1), (1, 2), (0, 2)])
>>> [layer for _, layer in xs]
[0, 1, 2]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import igraph as ig

__all__ = ["layered_layout", "longest_path_layers", "wrap_layers"]


def longest_path_layers(n: int, edges: Sequence[tuple[int, int]]) -> list[int]:
    """Layer of each vertex: 0 for sources, else 1 + the deepest predecessor (per strong component).

    >>> longest_path_layers(4, [(0, 1), (1, 2), (2, 1), (2, 3)])
    [0, 1, 1, 2]
    """
    if n == 0:
        return []
    graph = ig.Graph(n=n, edges=list(edges), directed=True)
    membership = graph.connected_components(mode="strong").membership
    n_scc = max(membership) + 1
    dag = ig.Graph(n=n_scc, edges=sorted({(membership[a], membership[b]) for a, b in edges
                                          if membership[a] != membership[b]}), directed=True)
    scc_layer = [0] * n_scc
    for s in dag.topological_sorting(mode="out"):
        preds = dag.predecessors(s)
        if preds:
            scc_layer[s] = 1 + max(scc_layer[p] for p in preds)
    return [scc_layer[membership[v]] for v in range(n)]


def layered_layout(n: int, edges: Sequence[tuple[int, int]], maxiter: int = 20) -> list[tuple[float, int]]:
    """``(position within layer, layer)`` per vertex, from a Sugiyama layout.

    Parameters
    ----------
    n : number of vertices (``0..n-1``).
    edges : directed edges ``(source, target)``; duplicates and cycles allowed.
    maxiter : crossing-reduction sweeps (more is slower and tidier).
    """
    if n == 0:
        return []
    layers = longest_path_layers(n, edges)
    ext_layers = list(layers)
    ext_edges: list[tuple[int, int]] = []
    next_id = n
    for a, b in sorted(set(edges)):
        if layers[b] <= layers[a]:
            continue  # inside a cycle or same layer: not used for placement
        prev = a
        for layer in range(layers[a] + 1, layers[b]):
            ext_layers.append(layer)
            ext_edges.append((prev, next_id))
            prev = next_id
            next_id += 1
        ext_edges.append((prev, b))
    graph = ig.Graph(n=next_id, edges=ext_edges, directed=True)
    coords = graph.layout_sugiyama(layers=ext_layers, maxiter=max(1, maxiter)).coords
    return [(float(coords[v][0]), layers[v]) for v in range(n)]


def wrap_layers(positions: Sequence[tuple[float, int]], x_gap: float = 170.0, row_gap: float = 90.0,
                layer_gap: float = 240.0) -> list[tuple[float, float, int]]:
    """Pixel positions: each layer in Sugiyama order, wide layers folded into several rows.

    A layer of ``k`` nodes takes ``ceil(k / width)`` rows (``width`` ~ 2 sqrt(n)), the
    i-th node of the layer going to row ``i % rows``, column ``i // rows``, so the
    drawing stays roughly as wide as it is tall and neighbours stay close.

    >>> wrap_layers([(0.0, 0), (1.0, 0), (0.0, 1)])
    [(-85.0, 0.0, 0), (85.0, 0.0, 0), (0.0, 240.0, 1)]
    """
    n = len(positions)
    width = max(24, math.ceil(2 * math.sqrt(n)))
    by_layer: dict[int, list[int]] = {}
    for v, (_pos, layer) in enumerate(positions):
        by_layer.setdefault(layer, []).append(v)
    out: list[tuple[float, float, int]] = [(0.0, 0.0, 0)] * n
    y0 = 0.0
    for layer in sorted(by_layer):
        members = sorted(by_layer[layer], key=lambda v: (positions[v][0], v))
        rows = math.ceil(len(members) / width)
        cols = math.ceil(len(members) / rows)
        offset = -(cols - 1) * x_gap / 2
        for i, v in enumerate(members):
            out[v] = (round(offset + (i // rows) * x_gap, 1), round(y0 + (i % rows) * row_gap, 1), layer)
        y0 += (rows - 1) * row_gap + layer_gap
    return out
