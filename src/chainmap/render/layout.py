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

from collections.abc import Sequence

import igraph as ig

__all__ = ["layered_layout", "longest_path_layers"]


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
