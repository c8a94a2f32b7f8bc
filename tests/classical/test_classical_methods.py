import numpy as np
import pytest

from qdq.classical import METHODS, ClassicalOutcome, run_classical
from qdq.errors import ParameterError

NAMES = [
    "dmc",
    "mqhoa",
    "langevin",
    "dual_annealing",
    "differential_evolution",
    "basinhopping",
    "shgo",
    "multistart-lbfgs",
    "random",
    "qbo",
    "sa-seed",
    "reweighted-annealing",
    "genetic",
    "cma-es",
]


def test_registry_names():
    assert sorted(METHODS) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_method_respects_the_budget(name, counting, problems):
    f = counting(problems.rastrigin)
    out = run_classical(name, f, problems.rastrigin_box, budget=333, seed=0)
    assert isinstance(out, ClassicalOutcome)
    assert 0 < out.nfev == f.points <= 333
    assert out.fun == pytest.approx(problems.rastrigin(*out.x))
    h = out.history
    assert h.ndim == 2 and h.shape[1] == 2
    assert np.all(np.diff(h[:, 0]) > 0) and np.all(np.diff(h[:, 1]) <= 0)
    assert h[-1, 0] == out.nfev and h[-1, 1] == out.fun


@pytest.mark.parametrize("name", NAMES)
def test_every_method_is_reproducible(name, problems, same):
    kw = dict(budget=250)
    a = run_classical(name, problems.rastrigin, problems.rastrigin_box, seed=3, **kw)
    b = run_classical(name, problems.rastrigin, problems.rastrigin_box, seed=3, **kw)
    c = run_classical(name, problems.rastrigin, problems.rastrigin_box, seed=4, **kw)
    assert same(a, b)
    assert not same(a, c)


def test_dmc_adapter_splits_the_budget(problems):
    out = run_classical(
        "dmc", problems.rastrigin, problems.rastrigin_box, budget=20_000, seed=0, dtau=0.05
    )
    assert out.nfev <= 20_000 and out.extra["walkers"].shape[1] == 2
    assert np.linalg.norm(out.x) < 0.05


def test_unknown_name_lists_valid_names_and_close_matches():
    with pytest.raises(ParameterError) as info:
        run_classical("lagevin", lambda x: x, [(0, 1)], budget=10)
    msg = str(info.value)
    assert "'lagevin'" in msg and "langevin" in msg and "multistart-lbfgs" in msg
    assert "Did you mean ['langevin']" in msg


@pytest.mark.parametrize("name", ["dmc", "mqhoa", "langevin", "random"])
def test_unknown_option_suggests_close_match(name):
    with pytest.raises(ParameterError, match="'sede'"):
        run_classical(name, lambda x: x, [(0, 1)], budget=100, sede=1)
    with pytest.raises(ParameterError, match="Did you mean"):
        run_classical("mqhoa", lambda x: x, [(0, 1)], budget=100, center=3)


@pytest.mark.parametrize("name", NAMES)
def test_bad_budget_and_bounds_for_every_method(name):
    with pytest.raises(ParameterError, match="got 0"):
        run_classical(name, lambda x: x, [(0, 1)], budget=0)
    with pytest.raises(ParameterError, match=r"\(2.0, 1.0\)"):
        run_classical(name, lambda x: x, [(2, 1)], budget=100)
