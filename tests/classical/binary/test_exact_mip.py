"""The MIP optimum (HiGHS on the linearized polynomial) and brute force, vs brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qdq.binary.instances import labs
from qdq.binary.problem import BinaryProblem
from qdq.classical.binary.exact_mip import brute_force_runs, exact_mip, linearize
from qdq.errors import ParameterError, ResourceError

pytest.importorskip("highspy")


def _state_bits(state, n):
    return np.array([(state >> i) & 1 for i in range(n)], dtype=np.int8)


def _check_optimal(b, r):
    ref = b.exact()
    assert r.reads == 1 and r.extra["proven"] is True
    assert r.best_energy == pytest.approx(ref.energy, rel=1e-9, abs=1e-9)
    assert r.best_energy == b.energy(_state_bits(r.best_state, b.num_bits))
    assert b.values[r.best_state] <= ref.energy + 1e-9 * max(1, abs(ref.energy))


@pytest.mark.parametrize("n, seed", [(8, 0), (9, 1), (10, 2), (11, 3), (12, 4), (12, 5)])
def test_mip_equals_brute_force_on_random_qubos(n, seed):
    Q = np.random.default_rng(seed).normal(size=(n, n))      # weights of both signs
    b = BinaryProblem(Q)
    r = exact_mip(b, seed=seed)
    _check_optimal(b, r)
    # guard: neither all-zeros nor all-ones is the optimum here
    assert r.best_state not in (0, 2**n - 1)
    assert r.extra["mip_gap"] is None or r.extra["mip_gap"] <= 1e-9


@pytest.mark.parametrize("degree, seed", [(3, 0), (4, 1), (4, 2)])
def test_mip_equals_brute_force_on_higher_degree_polynomials(degree, seed):
    rng = np.random.default_rng(seed)
    n = 9
    poly = {}
    for _ in range(30):
        k = int(rng.integers(1, degree + 1))
        poly[tuple(sorted(rng.choice(n, k, replace=False).tolist()))] = float(rng.normal() * 3)
    b = BinaryProblem(poly, num_bits=n, offset=-1.5)
    assert b.degree == degree
    _check_optimal(b, exact_mip(b))


def test_mip_solves_labs_8():
    b = labs(8)
    r = exact_mip(b, time_limit=30.0)
    _check_optimal(b, r)
    assert r.best_energy == 8.0          # the known LABS optimum at N = 8 (merit 4)


def test_linearization_adds_only_the_needed_side():
    # w > 0: one row y ≥ Σx − |S| + 1 ; w < 0: |S| rows y ≤ x_i
    cost, upper, rows = linearize({(0,): 1.0, (0, 1, 2): 2.0, (1, 2): -3.0}, 3)
    assert cost.tolist() == [1.0, 0.0, 0.0, 2.0, -3.0] and upper.tolist() == [1.0] * 5
    assert rows[0] == (-2.0, math.inf, [(3, 1.0), (0, -1.0), (1, -1.0), (2, -1.0)])
    assert rows[1:] == [(-math.inf, 0.0, [(4, 1.0), (1, -1.0)]),
                        (-math.inf, 0.0, [(4, 1.0), (2, -1.0)])]


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), 1e9, "10"])
def test_time_limit_is_validated(bad):
    with pytest.raises(ParameterError, match="time_limit"):
        exact_mip(BinaryProblem("x0*x1 - x0"), time_limit=bad)


@pytest.mark.parametrize("solver", [exact_mip, brute_force_runs])
def test_reads_and_seed_are_validated_and_one_read_comes_back(solver):
    b = BinaryProblem("x0*x1 - x0 - x1")
    with pytest.raises(ParameterError, match="reads.*got 0"):
        solver(b, reads=0)
    with pytest.raises(ParameterError, match="seed.*got -3"):
        solver(b, seed=-3)
    assert solver(b, reads=5, seed=1).reads == 1


def test_brute_force_runs():
    b = labs(10)
    r = brute_force_runs(b)
    ref = b.exact()
    assert r.best_energy == ref.energy == 13.0 and r.best_state == int(ref.states[0])
    assert r.evals_per_read == 2**10 and r.extra["ground_states"] == ref.count == 40
    with pytest.raises(ResourceError, match="2\\^33"):
        brute_force_runs(BinaryProblem({(32,): 1.0}, num_bits=33))
