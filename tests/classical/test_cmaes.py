"""CMA-ES (qdq.classical.cmaes) against known minima, the budget, the box and its seed."""

import numpy as np
import pytest

pytest.importorskip("cma")

from qdq.classical import run_classical  # noqa: E402
from qdq.classical.cmaes import cma_es  # noqa: E402
from qdq.compare.registry import CLASSICAL, resolve_method  # noqa: E402
from qdq.errors import ParameterError, QdqError  # noqa: E402


class Counted:
    """Independent count of the points an objective is evaluated at, and where."""

    def __init__(self, f):
        self.f, self.points, self.seen = f, 0, []

    def __call__(self, *xs):
        xs = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in xs))
        self.points += xs[0].size
        self.seen.append(np.stack([x.ravel() for x in xs], axis=1))
        return self.f(*xs)


def test_finds_the_minimum_of_an_ill_conditioned_rotated_quadratic():
    # Condition number 10⁴ after a 30° rotation: CMA-ES must learn C to get there.
    c, s = np.cos(np.pi / 6), np.sin(np.pi / 6)

    def quad(x, y):
        u, v = c * (x - 1.2) + s * (y + 0.7), -s * (x - 1.2) + c * (y + 0.7)
        return u**2 + 1e4 * v**2

    out = cma_es(quad, [(-5, 5), (-5, 5)], budget=3000, seed=1)
    np.testing.assert_allclose(out.x, [1.2, -0.7], atol=1e-5)
    assert out.fun < 1e-8


def test_finds_the_rosenbrock_minimum_in_2d():
    f = Counted(lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2)
    out = cma_es(f, [(-2, 2), (-1, 3)], budget=4000, seed=0)
    np.testing.assert_allclose(out.x, [1.0, 1.0], atol=1e-4)
    # It moved: the start is uniform in the box, far from (1, 1) for this seed.
    first = f.seen[0][0]
    assert np.linalg.norm(first - 1.0) > 0.5


@pytest.mark.parametrize("budget", [1, 7, 250, 1001])
def test_spends_exactly_the_budget_and_stays_in_the_box(budget):
    f = Counted(lambda x, y: np.sin(3 * x) * np.cos(2 * y) + 0.1 * (x**2 + y**2))
    lows, highs = np.array([-1.0, 2.0]), np.array([0.5, 2.1])
    out = cma_es(f, list(zip(lows, highs, strict=True)), sigma0=1.0, budget=budget, seed=3)
    pts = np.concatenate(f.seen)
    assert out.nfev == f.points == budget == len(pts)
    assert np.all(pts >= lows) and np.all(pts <= highs)
    assert out.fun == pytest.approx(float(np.min(f.f(*pts.T))))


def test_restarts_spend_the_rest_and_double_the_population():
    out = cma_es(lambda x, y: x**2 + y**2, [(-1, 1)] * 2, budget=5000, seed=0)
    assert out.nfev == 5000 and out.extra["restarts"] >= 1
    pops = out.extra["popsizes"]
    assert pops[1:] == [pops[0] * 2**k for k in range(1, len(pops))]
    once = cma_es(lambda x, y: x**2 + y**2, [(-1, 1)] * 2, budget=5000, seed=0,
                  restarts=False)
    assert once.nfev < 5000 and once.extra["restarts"] == 0 and once.extra["stop"]


def test_reproducible_by_seed_and_leaves_the_global_rng_alone():
    f = lambda x, y: (x - 0.3) ** 2 + np.abs(y)  # noqa: E731
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    a = run_classical("cma-es", f, [(-1, 1)] * 2, budget=400, seed=9)
    assert np.array_equal(np.random.get_state()[1], before)
    b = run_classical("cma-es", f, [(-1, 1)] * 2, budget=400, seed=9)
    c = run_classical("cma-es", f, [(-1, 1)] * 2, budget=400, seed=10)
    assert np.array_equal(a.x, b.x) and a.fun == b.fun
    assert np.array_equal(a.history, b.history)
    assert not np.array_equal(a.history, c.history)


def test_one_dimension_and_non_finite_values():
    out = cma_es(lambda x: np.where(x < -0.5, np.nan, (x - 0.25) ** 2), [(-1, 1)],
                 budget=300, seed=2)
    assert out.nfev == 300 and abs(out.x[0] - 0.25) < 1e-4 and out.x.shape == (1,)


@pytest.mark.parametrize(("kw", "match"), [
    ({"sigma0": 0.0}, "sigma0 .* got 0.0"), ({"sigma0": 2}, "got 2"),
    ({"popsize": 1}, "popsize .* got 1"), ({"budget": 0}, "got 0"),
])
def test_bad_input_names_the_value(kw, match):
    with pytest.raises(ParameterError, match=match):
        cma_es(lambda x, y: x + y, [(0, 1)] * 2, **kw)
    with pytest.raises(QdqError, match="low < high"):
        cma_es(lambda x, y: x + y, [(1, 0), (0, 1)])
    with pytest.raises(ParameterError, match="unknown option .*'sigma'"):
        run_classical("cma-es", lambda x, y: x + y, [(0, 1)] * 2, sigma=0.1)


def test_registered_in_compare():
    assert "cma-es" in CLASSICAL and resolve_method("CMA_ES").name == "cma-es"
    assert {"qbo", "sa-seed", "genetic"} <= set(CLASSICAL)
    assert "reweighted-annealing" not in CLASSICAL
