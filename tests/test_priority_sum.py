"""The sparse impact sum of the priorities fast path equals numpy's sum of the full column, bit for bit."""

import numpy as np

from chainmap.analysis.priority import _pairwise_sum


def test_pairwise_sum_matches_numpy_sum() -> None:
    rng = np.random.default_rng(15)
    for trial in range(2000):
        n = int(rng.integers(1, 70_000)) if trial % 2 else 50_000
        pos = sorted(set(rng.integers(0, n, int(rng.integers(1, 300))).tolist()))
        values = rng.random(len(pos)) * rng.choice([1e-9, 1.0, 1e6], len(pos))
        column = np.zeros(n)
        column[pos] = values
        assert _pairwise_sum(pos, values.tolist(), 0, n) == float(column.sum())
