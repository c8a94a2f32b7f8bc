"""dwave-samplers wrappers and single-bit-flip annealing vs brute force and vs dwave's SA."""

from __future__ import annotations

import numpy as np
import pytest

from qdq.binary.instances import labs, random_regular_maxcut, sk
from qdq.binary.problem import BinaryProblem
from qdq.classical.binary.local_fields import Incidence, flat_states
from qdq.classical.binary.samplers import (
    TROTTER_SLICES,
    path_integral_annealing,
    poly_beta_range,
    polynomial_annealing,
    sampler_seed,
    simulated_annealing,
    steepest_descent,
    tabu,
)
from qdq.errors import ParameterError

pytest.importorskip("dwave.samplers")


def _bits(states, n):
    return ((np.asarray(states)[:, None] >> np.arange(n)) & 1).astype(np.int8)


def _random_poly(n, degree, terms, seed):
    rng = np.random.default_rng(seed)
    poly = {}
    for _ in range(terms):
        k = int(rng.integers(1, degree + 1))
        poly[tuple(sorted(rng.choice(n, k, replace=False).tolist()))] = float(rng.normal())
    return BinaryProblem(poly, num_bits=n, offset=0.3)


@pytest.mark.parametrize("problem", [labs(9), _random_poly(9, 4, 40, 1)],
                         ids=["labs9", "quartic"])
def test_incidence_energies_fields_and_deltas_are_exact(problem):
    n = problem.num_bits
    X = np.random.default_rng(0).integers(0, 2, (64, n)).astype(bool)
    inc = Incidence.of(problem)
    E = problem.energy(X.astype(np.int8))
    np.testing.assert_allclose(inc.energies(X), E, rtol=0, atol=1e-9)
    flips = np.stack([problem.energy((X ^ (np.arange(n) == i)).astype(np.int8)) - E
                      for i in range(n)], axis=1)
    np.testing.assert_allclose(inc.deltas(X), flips, rtol=0, atol=1e-9)
    Xe = inc.extend(X)
    np.testing.assert_allclose(np.stack([inc.field(Xe, i) for i in range(n)], 1),
                               inc.fields(X), rtol=0, atol=1e-9)
    assert np.abs(flips).max() > 1          # the check is not on a flat landscape


def test_flat_states_little_endian_and_wide():
    assert flat_states(np.array([[1, 0, 1, 1]])).tolist() == [13]
    assert flat_states(np.zeros((2, 63), dtype=int)).tolist() == [-1, -1]


@pytest.mark.parametrize("solver, setting", [
    (simulated_annealing, {"sweeps": 200}), (tabu, {"timeout_ms": 5}),
    (steepest_descent, {}), (path_integral_annealing, {"sweeps": 200}),
    (polynomial_annealing, {"sweeps": 200})])
def test_dwave_wrappers_and_sa_poly_reach_the_sk_optimum(solver, setting):
    b = sk(10, seed=1)
    opt = b.exact().energy
    r = solver(b, reads=20, seed=3, **setting)
    assert r.reads == 20 and r.hits(opt).any()
    # energies are ζ of the reported bits, recomputed (not the sampler's numbers)
    assert np.array_equal(r.energies, b.energy(_bits(r.states, 10)))
    assert (r.energies >= opt - 1e-9).all()
    assert r.cpu_s >= 0


@pytest.mark.parametrize("solver", [simulated_annealing, steepest_descent,
                                    path_integral_annealing, polynomial_annealing])
def test_same_seed_same_reads(solver):
    b = random_regular_maxcut(12, 3, seed=2)
    a, c = solver(b, reads=8, seed=11), solver(b, reads=8, seed=11)
    assert np.array_equal(a.states, c.states)
    d = solver(b, reads=8, seed=12)
    assert not np.array_equal(a.states, d.states)


@pytest.mark.parametrize("solver", [simulated_annealing, tabu, steepest_descent,
                                    path_integral_annealing])
def test_dwave_wrappers_refuse_degree_above_two(solver):
    with pytest.raises(ParameterError, match=r"got degree 4.*sa-poly.*mts"):
        solver(labs(6), reads=1, seed=0)


@pytest.mark.parametrize("problem", [sk(10, seed=4), random_regular_maxcut(12, 3, seed=1)])
def test_default_beta_range_equals_dwaves_on_quadratic_models(problem):
    r = simulated_annealing(problem, reads=1, seed=0, sweeps=10)
    np.testing.assert_allclose(poly_beta_range(problem), r.extra["beta_range_used"],
                               rtol=1e-9)


def test_polynomial_annealing_matches_dwave_sa_success_at_equal_sweeps():
    # Same algorithm (sequential Metropolis sweeps, same geometric β range): the success
    # fractions at a short anneal agree within binomial noise (σ ≈ 0.035 for the difference).
    b = sk(14, seed=3)
    opt = b.exact().energy
    p_dwave = simulated_annealing(b, reads=300, seed=0, sweeps=10).hits(opt).mean()
    p_poly = polynomial_annealing(b, reads=300, seed=0, sweeps=10).hits(opt).mean()
    assert 0.3 < p_dwave < 0.95 and 0.3 < p_poly < 0.95        # not trivially 0 or 1
    assert abs(p_dwave - p_poly) < 0.12


def test_polynomial_annealing_at_fixed_beta_samples_the_boltzmann_distribution():
    # Each Metropolis flip keeps exp(−βζ) stationary, for any degree: at a constant β the
    # final states of many reads follow it over all 2^5 states (an exact reference). A
    # wrong ΔE, sign or β shows as a total-variation distance far above the noise (~0.02).
    b = _random_poly(5, 4, 14, 7)
    beta = 0.8
    r = polynomial_annealing(b, reads=12000, seed=2, sweeps=30, beta_range=(beta, beta))
    boltzmann = np.exp(-beta * (b.values - b.values.min()))
    boltzmann /= boltzmann.sum()
    seen = np.bincount(r.states, minlength=32) / r.reads
    assert 0.5 * np.abs(seen - boltzmann).sum() < 0.04
    hot = polynomial_annealing(b, reads=12000, seed=2, sweeps=30, beta_range=(0.4, 0.4))
    seen_hot = np.bincount(hot.states, minlength=32) / hot.reads
    assert 0.5 * np.abs(seen_hot - boltzmann).sum() > 0.15     # the test can tell β apart


@pytest.mark.parametrize("N", [8, 10])
def test_polynomial_annealing_solves_small_labs(N):
    b = labs(N)
    opt = b.exact().energy
    r = polynomial_annealing(b, reads=20, seed=1, sweeps=300)
    assert r.evals_per_read == 300 * N
    assert r.hits(opt).mean() >= 0.5
    assert np.array_equal(r.energies, b.energy(_bits(r.states, N)))
    # guard: uniform random bitstrings are far from optimal on average
    X = np.random.default_rng(0).integers(0, 2, (200, N))
    assert b.energy(X).mean() > 2 * opt


def test_pimc_records_its_path_integral_parameters():
    b = sk(8, seed=0)
    r = path_integral_annealing(b, reads=2, seed=0, sweeps=50, gamma=2.0)
    assert r.setting == {"sweeps": 50, "beta_range": None, "gamma": 2.0,
                         "trotter_slices": TROTTER_SLICES}
    assert r.extra["gamma_used"] == 2.0 and r.evals_per_read == 50 * 8
    b0, b1 = r.extra["beta_range_used"]
    assert 0 < b0 < b1


def test_tabu_reports_no_eval_count_and_is_time_based():
    r = tabu(sk(8, seed=0), reads=2, seed=0, timeout_ms=2)
    assert r.evals_per_read is None and r.extra["time_based"] is True
    assert r.setting["timeout_ms"] == 2


def test_steepest_counts_scored_neighbours():
    r = steepest_descent(sk(10, seed=0), reads=10, seed=0)
    assert r.evals_per_read == pytest.approx((r.extra["mean_steps"] + 1) * 10)


def test_sampler_seed_fits_31_bits_and_is_deterministic():
    s = sampler_seed(2**63 - 1)
    assert 0 <= s < 2**31 and s == sampler_seed(2**63 - 1)
    assert sampler_seed(None) is None


@pytest.mark.parametrize("solver, bad, match", [
    (simulated_annealing, {"sweeps": 0}, "sweeps.*got 0"),
    (simulated_annealing, {"schedule": "cubic"}, "got 'cubic'"),
    (simulated_annealing, {"beta_range": (2.0, 1.0)}, r"got \(2.0, 1.0\)"),
    (polynomial_annealing, {"beta_range": "hot"}, "got 'hot'"),
    (tabu, {"timeout_ms": 0}, "timeout_ms.*got 0"),
    (path_integral_annealing, {"gamma": -1.0}, "gamma.*got -1.0"),
    (polynomial_annealing, {"reads": 0}, "reads.*got 0"),
    (polynomial_annealing, {"seed": -1}, "seed.*got -1"),
])
def test_bad_settings_are_refused_by_name(solver, bad, match):
    kwargs = {"reads": 1, "seed": 0, **bad}
    with pytest.raises(ParameterError, match=match):
        solver(sk(6, seed=0), **kwargs)
