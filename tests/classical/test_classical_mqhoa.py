import numpy as np
import pytest

from qdq.classical import mqhoa
from qdq.errors import ParameterError


def test_finds_minimum_of_quadratic(problems):
    out = mqhoa(problems.quadratic, problems.quadratic_box, budget=5000, seed=0)
    np.testing.assert_allclose(out.x, problems.quadratic_min, atol=1e-4)
    assert out.fun < 1e-8
    assert out.extra["converged"]  # sigma went below sigma_min before the budget


@pytest.mark.parametrize("seed", range(4))
def test_finds_minimum_of_rastrigin(problems, seed):
    out = mqhoa(problems.rastrigin, problems.rastrigin_box, budget=5000, seed=seed)
    assert np.linalg.norm(out.x) < 0.05


def test_sigma_schedule_halves_and_never_grows(problems):
    out = mqhoa(problems.quadratic, problems.quadratic_box, budget=5000, seed=1)
    trace = out.extra["sigma_trace"]
    assert len(trace) == out.nit
    steps = trace[1:] / trace[:-1]
    assert set(np.unique(steps)) <= {0.5, 1.0}
    assert trace[0] <= 0.5 and out.extra["sigma"] < 1e-6
    # The final centres have condensed around the minimum.
    spread = np.abs(out.extra["centers"] - problems.quadratic_min).max()
    assert spread < 1e-3


def test_respects_budget(counting, problems):
    f = counting(problems.rastrigin)
    out = mqhoa(f, problems.rastrigin_box, centers=7, samples_per_center=3, budget=1001, seed=0)
    assert out.nfev == f.points == 1001
    assert not out.extra["converged"]


def test_reproducible_and_seed_dependent(problems, same):
    a = mqhoa(problems.rastrigin, problems.rastrigin_box, budget=500, seed=3)
    b = mqhoa(problems.rastrigin, problems.rastrigin_box, budget=500, seed=3)
    c = mqhoa(problems.rastrigin, problems.rastrigin_box, budget=500, seed=4)
    assert same(a, b) and not same(a, c)


def test_samples_stay_in_the_box(counting):
    seen = []

    def f(x):
        seen.append(np.asarray(x).copy())
        return -x  # minimum on the upper wall

    out = mqhoa(f, [(0.0, 1.0)], budget=800, seed=0)
    pts = np.concatenate(seen)
    assert pts.min() >= 0.0 and pts.max() <= 1.0
    assert out.x[0] > 0.999


@pytest.mark.parametrize(
    ("kwargs", "shown"),
    [
        ({"centers": 1}, "centers"),
        ({"samples_per_center": 0}, "samples_per_center"),
        ({"sigma_min": 0.0}, "0.0"),
        ({"sigma0": -1}, "-1"),
        ({"budget": 0}, "budget"),
    ],
)
def test_bad_input(kwargs, shown):
    with pytest.raises(ParameterError, match="got") as info:
        mqhoa(lambda x: x**2, [(-1, 1)], **kwargs)
    assert shown in str(info.value)


def test_bad_bounds():
    with pytest.raises(ParameterError, match=r"\(2.0, -2.0\)"):
        mqhoa(lambda x: x**2, [(2, -2)])
