"""Fast-path helpers of the analyses equal their plain numpy forms, bit for bit (sums) or exactly (orders)."""

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


def test_stable_order_radix_path_matches_argsort() -> None:
    from chainmap.analysis.batch import _RADIX_ABOVE, stable_order

    rng = np.random.default_rng(24)
    for high in (3, 70_000, 1 << 31):
        values = rng.integers(0, high, _RADIX_ABOVE + 1234)
        assert np.array_equal(stable_order(values), np.argsort(values, kind="stable"))


def test_largest_first_matches_lexsort() -> None:
    from chainmap.analysis.batch import largest_first

    rng = np.random.default_rng(7)
    for _ in range(300):
        groups = np.sort(rng.integers(0, int(rng.integers(1, 400)), int(rng.integers(1, 3000))))
        values = rng.choice([0.1, 0.25, 0.5, 1.0], groups.size) if rng.random() < 0.5 else rng.random(groups.size)
        assert np.array_equal(largest_first(groups, values), np.lexsort((-values, groups)))
