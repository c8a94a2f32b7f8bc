import numpy as np
import pytest

from qdq.classical import dmc
from qdq.classical.dmc import blocking_stderr
from qdq.errors import ParameterError

# Time-step + population-control bias of the E0 estimate at dtau = 0.04 with 1000
# walkers: measured |bias| <= 0.002 on long runs (T = 800) for dtau in {0.04, 0.08, 0.16};
# the bound below leaves a 2.5x margin and stays far below the energy scale (~0.7).
BIAS_BOUND = 0.005


@pytest.mark.parametrize(
    ("dim", "c", "D"),
    [(1, 1.0, 0.5), (2, 1.0, 0.5), (1, 2.0, 0.5)],
)
def test_harmonic_ground_state_energy(dim, c, D):
    # H = -D d^2/dx^2 + c x^2 per dimension: E0 = sqrt(c D) per dimension.
    exact = dim * np.sqrt(c * D)

    def V(*xs):
        return c * sum(x**2 for x in xs)

    # T = 100 so the averaged half (T = 50) spans ~100 correlation times: the blocking
    # error is then reliable (checked over 40 seeds: z-scores have unit spread).
    out = dmc(V, [(-5.0, 5.0)] * dim, D=D, walkers=1000, dtau=0.04, steps=2500, seed=11)
    E0, se = out.extra["E0"], out.extra["E0_stderr"]
    assert 0 < se < 0.02  # an honest, non-vacuous error bar
    assert abs(E0 - exact) <= 3 * se + BIAS_BOUND, (E0, se, exact)
    # Guard: the estimate moved far from where E_R started (mean V over the box).
    assert abs(out.extra["trace"][0] - exact) > 1.0
    # Walkers sample psi0 (not |psi0|^2): variance sqrt(D/c) per coordinate.
    var = out.extra["walkers"].var(axis=0)
    np.testing.assert_allclose(var, np.sqrt(D / c), rtol=0.2)
    assert out.nit == 2500 and len(out.extra["trace"]) == 2500
    pop = out.extra["population"]
    assert abs(pop[len(pop) // 2 :].mean() - 1000) < 50


def test_respects_budget_and_counts_every_move(counting):
    f = counting(lambda x, y: x**2 + y**2)
    out = dmc(f, [(-3, 3)] * 2, walkers=100, steps=1000, budget=2345, seed=0)
    assert out.nfev == f.points == 2345
    assert out.nit < 1000  # it was the budget that stopped it
    assert len(out.extra["trace"]) == out.nit


def test_default_budget_does_not_stop_a_normal_run(counting):
    f = counting(lambda x: x**2)
    out = dmc(f, [(-3, 3)], walkers=50, steps=200, seed=0)
    assert out.nit == 200
    assert out.nfev == f.points <= 2 * 50 * 201


def test_reproducible_and_seed_dependent(same):
    kw = dict(walkers=100, steps=100, seed=5)
    a = dmc(lambda x: x**2, [(-2, 2)], **kw)
    b = dmc(lambda x: x**2, [(-2, 2)], **kw)
    c = dmc(lambda x: x**2, [(-2, 2)], **{**kw, "seed": 6})
    assert same(a, b)
    np.testing.assert_array_equal(a.extra["trace"], b.extra["trace"])
    assert not same(a, c)
    assert not np.array_equal(a.extra["trace"], c.extra["trace"])


def test_finds_minimum_of_quadratic(problems):
    out = dmc(problems.quadratic, problems.quadratic_box, walkers=200, steps=100, seed=1)
    assert np.linalg.norm(out.x - problems.quadratic_min) < 0.05


def test_finds_minimum_of_rastrigin(problems):
    # Birth/death moves the population into the deepest well.
    out = dmc(problems.rastrigin, problems.rastrigin_box, walkers=200, steps=100, dtau=0.05, seed=2)
    assert np.linalg.norm(out.x) < 0.05
    assert out.fun < 0.5


@pytest.mark.parametrize("boundary", ["reflect", "wrap"])
def test_walkers_stay_in_the_box(boundary):
    out = dmc(
        lambda x, y: 0 * x,
        [(0, 1), (2, 3)],
        D=5.0,
        walkers=100,
        steps=50,
        boundary=boundary,
        seed=0,
    )
    w = out.extra["walkers"]
    assert np.all((w >= [0, 2]) & (w <= [1, 3]))
    # Flat potential: E_R only steers the population, around 0.
    assert abs(out.extra["E0"]) < 1.0


def test_nan_potential_is_a_wall():
    out = dmc(lambda x: np.where(x > 0, np.nan, x**2), [(-2, 2)], walkers=100, steps=100, seed=0)
    assert np.all(out.extra["walkers"] <= 0) and np.isfinite(out.extra["E0"])


@pytest.mark.parametrize(
    ("kwargs", "shown"),
    [
        ({"D": 0}, "D must"),
        ({"dtau": -0.1}, "-0.1"),
        ({"walkers": 0}, "walkers"),
        ({"steps": 1.5}, "1.5"),
        ({"budget": 0}, "budget"),
        ({"boundary": "periodic"}, "'periodic'"),
        ({"feedback": -1.0}, "-1.0"),
    ],
)
def test_bad_input(kwargs, shown):
    with pytest.raises(ParameterError, match="got") as info:
        dmc(lambda x: x**2, [(-1, 1)], **kwargs)
    assert shown in str(info.value)


def test_blocking_stderr_iid_and_correlated():
    rng = np.random.default_rng(0)
    n = 2**16
    iid = rng.standard_normal(n)
    assert blocking_stderr(iid) == pytest.approx(1 / np.sqrt(n), rel=0.3)
    # AR(1) with phi = 0.9: the variance of the mean is (1 + phi)/(1 - phi) = 19x the
    # iid value; the naive error would be sqrt(19) = 4.4x too small.
    phi = 0.9
    x = np.empty(n)
    x[0] = 0.0
    eps = rng.standard_normal(n) * np.sqrt(1 - phi**2)
    for i in range(1, n):
        x[i] = phi * x[i - 1] + eps[i]
    exact = np.sqrt((1 + phi) / (1 - phi) / n)
    assert blocking_stderr(x) == pytest.approx(exact, rel=0.3)
    assert np.isnan(blocking_stderr(np.array([1.0])))
