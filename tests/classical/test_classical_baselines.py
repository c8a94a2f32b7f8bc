import numpy as np
import pytest
from scipy import stats

from qdq.classical import grid_argmin, random_search
from qdq.errors import ParameterError


def test_random_search_budget_and_box(counting):
    f = counting(lambda x, y: x + y)
    out = random_search(f, [(2, 3), (-1, 0)], budget=10_000, seed=0)
    assert out.nfev == f.points == 10_000
    assert 2 <= out.x[0] <= 3 and -1 <= out.x[1] <= 0
    # The best of 10^4 uniform samples of x + y sits near the corner (2, -1).
    assert out.fun < 1 + 0.05


def test_random_search_hits_a_disk_with_the_binomial_probability():
    # f = distance to c: the best of n samples is in the disk of radius r iff at least one
    # sample is, which has probability 1 - (1 - p)^n with p the area fraction.
    c, r, n, runs = np.array([0.3, -0.2]), 0.25, 4, 4000
    p = np.pi * r**2 / 4.0  # box [-1, 1]^2 has area 4

    def dist(x, y):
        return np.hypot(x - c[0], y - c[1])

    rng = np.random.default_rng(123)
    hits = sum(
        random_search(dist, [(-1, 1), (-1, 1)], budget=n, seed=rng).fun < r for _ in range(runs)
    )
    q = 1 - (1 - p) ** n
    lo, hi = stats.binom.interval(0.9999, runs, q)
    assert lo <= hits <= hi, (hits, runs * q)


def test_random_search_reproducible(same):
    a = random_search(lambda x: x**2, [(-1, 1)], budget=50, seed=1)
    b = random_search(lambda x: x**2, [(-1, 1)], budget=50, seed=1)
    c = random_search(lambda x: x**2, [(-1, 1)], budget=50, seed=2)
    assert same(a, b) and not same(a, c)


def test_random_search_finds_minima(problems):
    q = random_search(problems.quadratic, problems.quadratic_box, budget=50_000, seed=0)
    assert np.linalg.norm(q.x - problems.quadratic_min) < 0.1
    r = random_search(problems.rastrigin, problems.rastrigin_box, budget=50_000, seed=0)
    assert np.linalg.norm(r.x) < 0.05


def test_random_search_bad_input():
    with pytest.raises(ParameterError, match="got 0"):
        random_search(lambda x: x, [(0, 1)], budget=0)
    with pytest.raises(ParameterError, match=r"\(0.0, 0.0\)"):
        random_search(lambda x: x, [(0, 0)], budget=5)


@pytest.mark.parametrize("shape", [(17,), (8, 5), (4, 3, 6)])
def test_grid_argmin_equals_numpy_argmin(shape):
    rng = np.random.default_rng(len(shape))
    values = rng.standard_normal(shape)
    points = tuple(np.sort(rng.uniform(-3, 3, n)) for n in shape)
    out = grid_argmin(values, points)
    idx = np.unravel_index(np.argmin(values), shape)
    np.testing.assert_array_equal(out.x, [p[i] for p, i in zip(points, idx, strict=True)])
    assert out.fun == values.min() and out.nfev == values.size
    assert out.extra["index"] == tuple(int(i) for i in idx)


def test_grid_argmin_on_a_problem_grid(problems):
    # docs/conventions.md grid: x_j = low + j h, h = (high - low)/N.
    N = 64
    pts = tuple(-5.12 + np.arange(N) * (10.24 / N) for _ in range(2))
    X, Y = np.meshgrid(*pts, indexing="ij")
    out = grid_argmin(problems.rastrigin(X, Y), pts)
    np.testing.assert_allclose(out.x, [0.0, 0.0], atol=1e-12)


def test_grid_argmin_ignores_nan_and_rejects_bad_shapes():
    v = np.array([np.nan, 2.0, 1.0])
    assert grid_argmin(v, (np.arange(3.0),)).x.tolist() == [2.0]
    with pytest.raises(ParameterError, match=r"\(3,\)"):
        grid_argmin(v, (np.arange(4.0),))
    with pytest.raises(ParameterError, match="non-NaN"):
        grid_argmin(np.full(2, np.nan), (np.arange(2.0),))
