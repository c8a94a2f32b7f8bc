"""Memetic tabu search for LABS: incremental energies, brute-force optima, the budget."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from qdq.binary.instances import labs, sk
from qdq.binary.problem import BinaryProblem
from qdq.classical.binary.labs_mts import (
    LABS_OPTIMA,
    correlations,
    flip_energies,
    labs_energy,
    labs_length,
    memetic_tabu,
    tabu_search,
)
from qdq.errors import ParameterError


def _brute_force_labs(N: int) -> int:
    """min Σ_k C_k² over all 2^N sequences, straight from the definition (vectorized)."""
    S = 1 - 2 * ((np.arange(1 << N)[:, None] >> np.arange(N)) & 1)
    E = sum(np.sum(S[:, :-k] * S[:, k:], axis=1) ** 2 for k in range(1, N))
    return int(E.min())


def test_known_optima_by_brute_force():
    for N in range(3, 17):
        assert _brute_force_labs(N) == LABS_OPTIMA[N], N


def test_correlations_and_energy_against_the_definition_and_the_polynomial():
    rng = np.random.default_rng(0)
    for N in (5, 9, 13):
        b = labs(N)
        for _ in range(5):
            s = rng.choice([-1, 1], N)
            C = [sum(s[i] * s[i + k] for i in range(N - k)) for k in range(1, N)]
            assert correlations(s).tolist() == C
            assert labs_energy(s) == sum(c * c for c in C)
            assert labs_energy(s) == b.energy((s + 1) // 2)     # s = 2x − 1


def test_incremental_flip_energies_match_recomputation():
    rng = np.random.default_rng(1)
    for N in (3, 4, 7, 16, 31):
        for _ in range(10):
            s = rng.choice([-1, 1], N)
            got = flip_energies(s, correlations(s))
            for i in range(N):
                t = s.copy()
                t[i] = -t[i]
                assert got[i] == labs_energy(t), (N, i)
    # The C_k update rule itself: C_k' = C_k − 2sᵢ(s_{i+k} + s_{i−k}).
    s = rng.choice([-1, 1], 12)
    for i in range(12):
        t = s.copy()
        t[i] = -t[i]
        pad = np.concatenate([np.zeros(12, int), s, np.zeros(12, int)])
        ks = np.arange(1, 12)
        want = correlations(s) - 2 * s[i] * (pad[12 + i + ks] + pad[12 + i - ks])
        assert correlations(t).tolist() == want.tolist()


def test_tabu_search_improves_and_respects_its_budget():
    rng = np.random.default_rng(2)
    s = np.ones(14, dtype=np.int64)                      # E = Σ (14 − k)² = 819
    best, E, used, at = tabu_search(s, rng, steps=30, budget=14 * 20)
    assert E == labs_energy(best) and E < labs_energy(s) == 819
    assert used == 14 * 20 and 0 < at <= used            # the budget cut it at 20 steps
    assert s.tolist() == [1] * 14                        # the start is not modified


@pytest.mark.parametrize("N", range(8, 17))
def test_mts_reaches_the_brute_force_optimum(N):
    b = labs(N)
    r = memetic_tabu(b, reads=3, seed=N, max_evals=60_000, target=LABS_OPTIMA[N])
    assert np.all(r.hits(LABS_OPTIMA[N]))
    # Reported energies and states are the problem's own.
    assert np.allclose(r.energies, b.values[r.states])
    pairs = zip(r.extra["evals_to_best"], r.extra["evals"], strict=True)
    assert all(a <= e <= 60_000 for a, e in pairs)
    # With a target the read stops when it is reached.
    assert r.extra["evals_to_best"] == r.extra["evals"]


def test_mts_is_not_trivially_right():
    # The initial population alone (budget = its size) misses the N = 16 optimum.
    N = 16
    r0 = memetic_tabu(labs(N), reads=5, seed=0, max_evals=100, population=100)
    assert not np.any(r0.hits(LABS_OPTIMA[N]))
    # Without a target the full budget is spent; evals_to_best records when the best came.
    r = memetic_tabu(labs(N), reads=2, seed=0, max_evals=20_000)
    assert np.all(np.array(r.extra["evals"]) > 20_000 - N - 1)
    assert np.all(np.array(r.extra["evals_to_best"]) <= np.array(r.extra["evals"]))
    assert r.evals_per_read == 20_000


def test_reproducible():
    a = memetic_tabu(labs(12), reads=2, seed=5, max_evals=5_000)
    b = memetic_tabu(labs(12), reads=2, seed=5, max_evals=5_000)
    assert a.states.tolist() == b.states.tolist()
    assert a.extra == b.extra


def test_only_labs_instances_are_accepted():
    assert labs_length(labs(9)) == 9
    for other in (sk(9, seed=0), BinaryProblem({(0, 1): 1.0}, num_bits=9),
                  BinaryProblem(labs(9).polynomial, offset=labs(9).offset + 1.0,
                                num_bits=9)):
        with pytest.raises(ParameterError, match="LABS"):
            memetic_tabu(other, reads=1, seed=0)
    with pytest.raises(ParameterError, match="max_evals"):
        memetic_tabu(labs(9), reads=1, seed=0, max_evals=10)
    with pytest.raises(ParameterError, match="p_combine"):
        memetic_tabu(labs(9), reads=1, seed=0, p_combine=1.5)


def test_brute_force_helper_is_itself_right_for_tiny_n():
    # Independent of numpy broadcasting: an explicit loop for N = 6.
    best = min(sum(sum(s[i] * s[i + k] for i in range(6 - k)) ** 2 for k in range(1, 6))
               for s in itertools.product((-1, 1), repeat=6))
    assert best == _brute_force_labs(6) == 7
