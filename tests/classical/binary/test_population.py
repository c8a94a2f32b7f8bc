"""Population annealing on the hypercube: its walkers sample ψ₀ of D·L + ζ (exact check)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sl

from qdq.binary.instances import labs, random_regular_maxcut, sk
from qdq.classical.binary.population import (
    flip_probability,
    population_annealing,
    systematic_resample,
    walker_energies,
)
from qdq.errors import ParameterError, ProblemError


def _laplacian(n: int) -> np.ndarray:
    """Dense hypercube Laplacian Σ(1 − Xᵢ) on the flat index (built independently)."""
    L = np.zeros((1 << n, 1 << n))
    idx = np.arange(1 << n)
    for i in range(n):
        L[idx, idx] += 1.0
        L[idx ^ (1 << i), idx] -= 1.0
    return L


def test_flip_probability_is_the_one_bit_kernel():
    D, dt = 0.7, 0.3
    K = sl.expm(-dt * D * np.array([[1.0, -1.0], [-1.0, 1.0]]))   # e^{−dτD(1−X)}
    assert K.sum(axis=0) == pytest.approx([1.0, 1.0])              # a Markov kernel
    assert flip_probability(D, dt) == pytest.approx(K[1, 0], abs=1e-14)


def test_systematic_resampling_keeps_the_expected_counts():
    w = np.array([0.1, 0.0, 2.5, 1.4, 0.0, 0.6])
    rng = np.random.default_rng(0)
    for _ in range(50):
        idx = systematic_resample(w, 100, float(rng.random()))
        counts = np.bincount(idx, minlength=w.size)
        expect = 100 * w / w.sum()
        assert np.all(np.abs(counts - expect) < 1.0 + 1e-12)        # floor or ceil
        assert counts[1] == counts[4] == 0 and counts.sum() == 100


@pytest.mark.parametrize("make", [lambda: sk(6, seed=0), lambda: labs(6)])
def test_walker_energies_match_the_problem(make):
    b = make()
    X = np.random.default_rng(1).random((30, b.num_bits)) < 0.5
    assert np.allclose(walker_energies(b)(X), b.energy(X.astype(int)))


@pytest.mark.parametrize("D", [0.1, 0.3])
def test_long_time_walkers_match_the_exact_ground_state_mass(D):
    # The walker density tends to ψ₀ of D·L + ζ (DMC samples ψ, not |ψ|²): its mass on the
    # brute-force ground states is Σ_G ψ₀ / Σ ψ₀, computed here by dense diagonalization.
    b = random_regular_maxcut(8, 3, seed=1)
    H = D * _laplacian(8) + np.diag(b.values)
    psi = np.abs(np.linalg.eigh(H)[1][:, 0])
    mass = psi[b.global_min_mask].sum() / psi.sum()
    r = population_annealing(b, reads=12, seed=0, walkers=400, steps=200, beta_max=10.0,
                             D=D)
    assert np.all(r.hits(b.exact().energy))
    frac = np.array(r.extra["final_fraction_at_best"])
    # Measured (20 reads, D = 0.3): ψ₀ mass 0.255, walkers 0.241 ± 0.024 (sd of one read).
    assert abs(frac.mean() - mass) < 0.05
    if D == 0.1:
        assert mass > 0.5 and frac.mean() > 0.5       # "large": most walkers are optimal
    # Guard: far from the uniform distribution (the 4 ground states are 4/256 of it).
    assert b.exact().count == 4 and mass > 10 * 4 / 256


def test_reaches_small_maxcut_and_sk_optima():
    for b in (random_regular_maxcut(10, 3, seed=2), sk(12, seed=2)):
        r = population_annealing(b, reads=5, seed=0, steps=100)
        assert np.all(r.hits(b.exact().energy))
        assert np.allclose(r.energies, b.values[r.states])
        assert r.evals_per_read == 200 * 100


def test_one_step_usually_misses_at_n14_but_100_steps_do_not():
    b = sk(14, seed=5)
    e = b.exact().energy
    short = population_annealing(b, reads=20, seed=1, steps=1)
    full = population_annealing(b, reads=20, seed=1, steps=100)
    # One step scores 400 of 16 384 states: P(hit) ≈ 400·2/16 384 ≈ 5 % (measured 0.05).
    assert short.hits(e).mean() <= 0.25
    assert full.hits(e).mean() >= 0.8                 # measured 0.95


def test_reproducible_and_validated():
    b = sk(8, seed=0)
    a = population_annealing(b, reads=3, seed=4, walkers=30, steps=20)
    c = population_annealing(b, reads=3, seed=4, walkers=30, steps=20)
    assert a.states.tolist() == c.states.tolist()
    assert a.setting["beta_max"] == c.setting["beta_max"] > 0
    with pytest.raises(ParameterError, match="walkers"):
        population_annealing(b, reads=1, seed=0, walkers=1)
    with pytest.raises(ParameterError, match="D"):
        population_annealing(b, reads=1, seed=0, D=0.0)
    with pytest.raises(ParameterError, match="beta_max"):
        population_annealing(b, reads=1, seed=0, beta_max=-1.0)
    with pytest.raises(ProblemError):
        population_annealing(np.eye(3), reads=1, seed=0)
