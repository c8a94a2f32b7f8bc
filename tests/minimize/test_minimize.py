"""qdq.minimize on analytic problems with known optima (emulator, two methods each)."""

import numpy as np
import pytest
import scipy.optimize as so
from scipy.optimize import LinearConstraint, NonlinearConstraint

import qdq
from qdq.errors import ParameterError, ProblemError
from qdq.minimize import minimize

FAST = {"steps": 200, "max_stages": 4}
METHODS = ["anneal", "imaginary-time"]
ROSEN = "100*(y - x**2)**2 + (1 - x)**2"


@pytest.mark.parametrize("method", METHODS)
def test_rosenbrock_to_1e_6(method):
    res = minimize(ROSEN, [(-2, 2), (-1, 3)], method=method, seed=1, options=FAST)
    assert res.success and res.status == 0
    assert np.abs(res.x - 1).max() < 1e-6
    assert res.fun < 1e-8
    assert len(res.results) == len(res.cx_per_shot) >= 2
    assert res.stages[-1]["operation"] == "polish"


@pytest.mark.parametrize("method", METHODS)
def test_inequality_optimum_on_the_boundary(method):
    # min (x-1)^2 + (y-2)^2  s.t.  x + y <= 1  ->  (0, 1), f = 2, constraint active
    res = minimize("(x - 1)**2 + (y - 2)**2", [(-2, 2), (-2, 2.5)], method=method, seed=2,
                   constraints={"type": "ineq", "fun": lambda x: 1 - x[0] - x[1]},
                   options=FAST)
    assert res.success
    np.testing.assert_allclose(res.x, [0.0, 1.0], atol=1e-7)
    assert abs(res.fun - 2.0) < 1e-8 and res.maxcv <= 1e-8
    assert res.ncev > 0


@pytest.mark.parametrize("method", METHODS)
def test_equality_constraints(method):
    res = minimize(lambda x, y: x**2 + y**2, [(-2, 2), (-2, 2)], method=method, seed=3,
                   constraints=LinearConstraint([[1, 2]], 1, 1), options=FAST)
    assert res.success
    np.testing.assert_allclose(res.x, [0.2, 0.4], atol=1e-8)
    res = minimize("x + y", [(-2, 2), (-2, 2)], method=method, seed=3, options=FAST,
                   constraints=NonlinearConstraint(lambda x: x[0]**2 + x[1]**2, 1, 1))
    assert res.success
    np.testing.assert_allclose(res.x, [-np.sqrt(0.5)] * 2, atol=1e-7)
    assert abs(res.fun + np.sqrt(2)) < 1e-8


@pytest.mark.parametrize("method", METHODS)
def test_infeasible_is_reported(method):
    cons = [{"type": "ineq", "fun": lambda x: 1 - x[0]**2 - x[1]**2},
            {"type": "ineq", "fun": lambda x: x[0] + x[1] - 3}]
    res = minimize("x**2 + y", [(-2, 2), (-2, 2)], method=method, seed=4, constraints=cons,
                   options=FAST)
    assert not res.success and res.status == 2
    assert "infeasible" in res.message and "1.18" in res.message
    # phase 1 minimizes (2a²-1)² + (3-2a)² on the diagonal: 16a³ = 12, a = (3/4)^(1/3)
    a = 0.75 ** (1 / 3)
    np.testing.assert_allclose(res.x, [a, a], atol=1e-5)
    assert abs(res.maxcv - (3 - 2 * a)) < 1e-5


def test_box_tightened_to_empty_is_infeasible():
    res = minimize("x**2 + y**2", [(-1, 1), (-1, 1)],
                   constraints=LinearConstraint([[1, 0]], 2, 3), options=FAST)
    assert not res.success and res.status == 2 and "x0" in res.message


def test_agrees_with_scipy():
    # Compare what was asked for, never scipy's status flag (its L-BFGS-B may end
    # "ABNORMAL" at the optimum, depending on the scipy version): the reference is a run
    # scipy solves cleanly from a start near the optimum, judged by its x and fun.
    def rosen(x, y):
        return 100 * (y - x**2) ** 2 + (1 - x) ** 2

    ours = minimize(rosen, [(-2, 2), (-1, 3)], seed=5, options=FAST)
    ref = so.minimize(lambda v: rosen(*v), [0.9, 0.8], method="Nelder-Mead",
                      options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 10_000})
    assert np.abs(ref.x - 1).max() < 1e-6  # the reference itself reached the optimum
    assert ours.success and ours.status == 0
    np.testing.assert_allclose(ours.x, [1.0, 1.0], atol=1e-6)
    assert ours.fun <= ref.fun + 1e-10
    for key in ("x", "fun", "nfev", "nit", "success", "status", "message"):
        assert key in ours


def test_nfev_counts_every_grid_point_and_the_polish():
    res = minimize("(x - 0.3)**2", [(-1, 1)], seed=0, qubits=5, options=FAST)
    grid = sum(s["grid_points"] for s in res.stages if s["operation"] == "quantum")
    polish = res.stages[-1]["nfev"] + res.stages[-1]["check_nfev"]  # + the pole probe
    assert grid == 32 * len(res.results)
    assert grid + polish <= res.nfev <= grid + polish + 3
    raw = minimize("(x - 0.3)**2", [(-1, 1)], seed=0, qubits=5, refine=False, options=FAST)
    assert len(raw.results) == 1 and raw.nfev == 32 + 1
    assert abs(raw.x[0] - 0.3) <= 2 / 32  # one stage: the grid's resolution, no better


def test_baselines_reported():
    res = minimize(ROSEN, [(-2, 2), (-1, 3)], seed=1, shots=500, options=FAST)
    b = res.baselines
    assert b["uniform"]["samples"] == res.shots == 500 * len(res.results)
    assert b["grid_argmin"]["nfev"] == 4096
    # the best argmin of every stage's grid: free (those points are already evaluated)
    assert b["stage_grid_argmin"]["nfev"] == 4096 * len(res.results)
    assert b["stage_grid_argmin"]["fun"] <= b["grid_argmin"]["fun"]
    assert b["uniform_polished"]["fun"] < 1e-6  # the polish alone solves Rosenbrock
    assert res.raw_shots == res.shots and res.cx_total > 0


def test_postselected_cost_is_raw_shots():
    res = minimize("(x - 0.3)**2", [(-1, 1)], method="imaginary", seed=0, shots=100,
                   options=FAST)
    assert res.method == "imaginary-time"
    assert res.raw_shots > res.shots  # shots / P_success
    assert all(s["raw_shots"] >= s["shots"] for s in res.stages if s["operation"] == "quantum")


def test_exact_mode_and_lazy_export():
    res = qdq.minimize("(x + 0.25)**2", [(-1, 1)], shots=None, seed=0, options=FAST)
    assert res.shots is None and abs(res.x[0] + 0.25) < 1e-8


def test_bad_input():
    with pytest.raises(ParameterError, match="classical"):
        minimize("x**2", [(-1, 1)], method="dual_annealing")
    with pytest.raises(ParameterError, match="did you mean 'max_stages'"):
        minimize("x**2", [(-1, 1)], options={"max_stage": 2})
    with pytest.raises(ProblemError, match="finite"):
        minimize("x**2", [(-1, np.inf)])
    with pytest.raises(ProblemError, match="'type'"):
        minimize("x**2", [(-1, 1)], constraints={"type": "le", "fun": lambda x: x})
