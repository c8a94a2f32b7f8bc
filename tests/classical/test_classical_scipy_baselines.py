import numpy as np
import pytest

from qdq.classical import scipy_minimize
from qdq.classical.scipy_baselines import SCIPY_METHODS
from qdq.errors import ParameterError


@pytest.mark.parametrize("method", SCIPY_METHODS)
def test_respects_budget(method, counting, problems):
    f = counting(problems.rastrigin)
    out = scipy_minimize(method, f, problems.rastrigin_box, budget=257, seed=0)
    assert out.nfev == f.points <= 257
    assert out.method == method
    assert np.all(np.abs(out.x) <= 5.12)
    assert out.fun == pytest.approx(problems.rastrigin(*out.x))


@pytest.mark.parametrize("method", SCIPY_METHODS)
def test_reproducible_and_seed_dependent(method, problems, same):
    a = scipy_minimize(method, problems.rastrigin, problems.rastrigin_box, budget=300, seed=7)
    b = scipy_minimize(method, problems.rastrigin, problems.rastrigin_box, budget=300, seed=7)
    c = scipy_minimize(method, problems.rastrigin, problems.rastrigin_box, budget=300, seed=8)
    assert same(a, b)
    assert not same(a, c)


@pytest.mark.parametrize("method", SCIPY_METHODS)
def test_finds_minimum_of_quadratic(method, problems):
    out = scipy_minimize(method, problems.quadratic, problems.quadratic_box, budget=1000, seed=0)
    np.testing.assert_allclose(out.x, problems.quadratic_min, atol=1e-3)
    assert out.fun < 1e-5


@pytest.mark.parametrize(
    ("method", "budget"),
    [
        ("dual_annealing", 2000),
        ("differential_evolution", 2000),
        ("shgo", 3000),
        pytest.param("basinhopping", 10_000, marks=pytest.mark.slow),
        pytest.param("multistart-lbfgs", 10_000, marks=pytest.mark.slow),
    ],
)
def test_finds_minimum_of_rastrigin(method, budget, problems):
    out = scipy_minimize(method, problems.rastrigin, problems.rastrigin_box, budget=budget, seed=0)
    assert np.linalg.norm(out.x) < 0.05
    assert out.nfev <= budget


def test_budget_is_the_hard_stop_for_local_searches(counting, problems):
    # multistart never finishes by itself: the counter must end it, at exactly the budget.
    f = counting(problems.quadratic)
    out = scipy_minimize("multistart-lbfgs", f, problems.quadratic_box, budget=500, seed=0)
    assert out.extra["stopped_by_budget"] and out.nfev == f.points == 500
    assert out.nit >= 2  # several restarts happened


def test_options_are_forwarded():
    out = scipy_minimize(
        "differential_evolution",
        lambda x, y: x**2 + y**2,
        [(-1, 1)] * 2,
        budget=400,
        seed=0,
        popsize=5,
    )
    assert out.nfev <= 400 and out.nit >= 10  # small population -> many generations


def test_unknown_method_suggests_close_match():
    with pytest.raises(ParameterError, match="'dual-annealing'") as info:
        scipy_minimize("dual-annealing", lambda x: x, [(0, 1)], budget=10)
    assert "dual_annealing" in str(info.value)


@pytest.mark.parametrize("method", SCIPY_METHODS)
def test_unknown_option(method):
    with pytest.raises(ParameterError, match="'colour'"):
        scipy_minimize(method, lambda x: x, [(0, 1)], budget=10, colour="red")


@pytest.mark.parametrize("method", SCIPY_METHODS)
def test_bad_budget_and_bounds(method):
    with pytest.raises(ParameterError, match="got 0"):
        scipy_minimize(method, lambda x: x, [(0, 1)], budget=0)
    with pytest.raises(ParameterError, match=r"\(1.0, 0.0\)"):
        scipy_minimize(method, lambda x: x, [(1, 0)], budget=10)
