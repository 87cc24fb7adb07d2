"""IdIndex (integer codes of short ids) against pyarrow's sort and hash lookup."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from chainmap.io.idkeys import IdIndex

TEXT = st.text(alphabet=st.sampled_from(["a", "b", "B", "0", "9", "_", "é", "\x01", "ÿ", "\x00"]), max_size=10)


@settings(max_examples=300, deadline=None)
@given(ids=st.lists(TEXT, min_size=1, max_size=30), refs=st.lists(st.one_of(st.none(), TEXT), max_size=30),
       pick=st.lists(st.integers(0, 29), max_size=20), sort=st.booleans(), offset=st.booleans())
def test_index_agrees_with_arrow(ids: list[str], refs: list[str | None], pick: list[int], sort: bool,
                                 offset: bool) -> None:
    if sort:
        ids = sorted(ids)
    refs = refs + [ids[i % len(ids)] for i in pick]
    col = pa.array(["x", *ids], type=pa.string()).slice(1) if offset else pa.array(ids, type=pa.string())
    index = IdIndex.build(col)
    if index is None:
        assert any(len(i.encode()) > 8 or "\x00" in i for i in ids)
        return
    order = np.asarray(pc.sort_indices(col).to_numpy(zero_copy_only=False))
    assert index.order.tolist() == order.tolist()
    ordered = [ids[i] for i in order]
    assert index.duplicates().tolist() == [i > 0 and ordered[i] == ordered[i - 1] for i in range(len(ordered))]
    found = index.lookup(pa.array(refs, type=pa.string()))
    if found is None:
        assert any(r is not None and "\x00" in r for r in refs)
        return
    assert found.tolist() == [ordered.index(r) if r is not None and r in ordered else -1 for r in refs]


def test_dense_and_sparse_lookups() -> None:
    dense = IdIndex.build(pa.array([f"c{i:06d}" for i in range(1000)][::-1]))
    assert dense is not None and dense.span <= 4 * 1000 + 1024
    assert dense.lookup(pa.array(["c000999", "c001000", "c000000", None, "c00000"])).tolist() == [999, -1, 0, -1, -1]
    sparse = IdIndex.build(pa.array(["zz", "a", "mmmmmmmm", "b7"]))
    assert sparse is not None
    assert sparse.lookup(pa.array(["mmmmmmmm", "b", "b7", "zzz"])).tolist() == [2, -1, 1, -1]
    assert IdIndex.build(pa.array(["a", None])) is None
    assert IdIndex.build(pa.array(["a" * 9])) is None
