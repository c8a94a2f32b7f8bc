"""TSP solvers: 2-opt deltas, Held–Karp against brute force, SA and QbO reach the optimum."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from qdq.binary.benchsets import instance
from qdq.classical.binary.permutation import (
    HELD_KARP_MAX_CITIES,
    TourResult,
    check_distances,
    fair_sa_schedule,
    fair_sa_two_opt,
    held_karp,
    nearest_neighbour_tour,
    qbo_two_opt,
    sa_two_opt,
    tour_length,
    two_opt_delta,
    two_opt_descent,
)
from qdq.errors import ParameterError, ProblemError, ResourceError


def _euclidean(n: int, seed: int) -> np.ndarray:
    P = np.random.default_rng(seed).random((n, 2)) * 100
    return np.sqrt(((P[:, None] - P[None]) ** 2).sum(-1))


def _brute_force(D: np.ndarray) -> float:
    n = D.shape[0]
    return min(tour_length(D, (0,) + p) for p in itertools.permutations(range(1, n)))


def _valid(t, n):
    return sorted(t) == list(range(n)) and t[0] == 0


def test_tour_length_and_two_opt_delta_against_recomputation():
    rng = np.random.default_rng(0)
    for n in (3, 4, 7, 12):
        D = _euclidean(n, n)
        for _ in range(20):
            t = list(rng.permutation(n))
            for i in range(n):
                for j in range(i + 1, n):
                    u = t[:i] + t[i:j + 1][::-1] + t[j + 1:]
                    want = tour_length(D, u) - tour_length(D, t)
                    assert two_opt_delta(D, t, i, j) == pytest.approx(want, abs=1e-9)
    assert tour_length(D, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) == pytest.approx(
        sum(D[k, (k + 1) % 12] for k in range(12)))
    with pytest.raises(ParameterError, match="i < j"):
        two_opt_delta(D, t, 3, 3)


@pytest.mark.parametrize("n", [3, 4, 5, 6, 7, 8])
def test_held_karp_equals_brute_force(n):
    for seed in range(3):
        D = _euclidean(n, 10 * n + seed)
        r = held_karp(D)
        assert r.length == pytest.approx(_brute_force(D), abs=1e-9)
        assert _valid(r.tour, n) and tour_length(D, r.tour) == pytest.approx(r.length)
    # Asymmetric (ATSP) too.
    A = np.random.default_rng(n).random((n, n)) * 10
    r = held_karp(A)
    assert r.length == pytest.approx(_brute_force(A), abs=1e-9)
    assert tour_length(A, r.tour) == pytest.approx(r.length)


def test_held_karp_refuses_large_instances_before_allocating():
    with pytest.raises(ResourceError, match="at most 16"):
        held_karp(np.ones((HELD_KARP_MAX_CITIES + 1,) * 2))
    r = held_karp(_euclidean(HELD_KARP_MAX_CITIES, 0))        # the largest: fast
    assert _valid(r.tour, HELD_KARP_MAX_CITIES)


def test_two_opt_descent_ends_two_opt_optimal():
    for seed in range(5):
        D = _euclidean(14, seed)
        r = two_opt_descent(D, seed=seed)
        assert _valid(r.tour, 14) and r.length == pytest.approx(tour_length(D, r.tour))
        for i in range(14):
            for j in range(i + 1, 14):
                assert two_opt_delta(D, r.tour, i, j) >= -1e-9
        start = np.random.default_rng(seed).permutation(14)
        assert r.length < tour_length(D, start)               # guard: it did something
    # A given start is used.
    square = np.array([[0, 1, 2, 1], [1, 0, 1, 2], [2, 1, 0, 1], [1, 2, 1, 0]], float)
    assert two_opt_descent(square, seed=None, tour=[0, 2, 1, 3]).length == 4.0


def test_ten_cities_optimum_by_held_karp_sa_and_qbo():
    D = _euclidean(10, 3)
    best = held_karp(D).length                              # exact (checked to n = 8 above)
    # Guard: the nearest-neighbour start (both searches begin there) is not optimal.
    starts = [tour_length(D, nearest_neighbour_tour(D, c)) for c in range(10)]
    assert min(starts) > best + 1.0
    sa = [sa_two_opt(D, seed=s, iterations=10_000) for s in range(4)]
    qbo = [qbo_two_opt(D, seed=s, iterations=3_000) for s in range(4)]
    # Measured here (50 seeds): SA 10⁴ proposals 100 % (2·10³: 2 %), QbO 10³ and 3·10³ 100 %.
    assert sum(np.isclose(r.length, best) for r in sa) >= 3
    assert sum(np.isclose(r.length, best) for r in qbo) >= 3
    for r in sa + qbo:
        assert _valid(r.tour, 10) and r.length == pytest.approx(tour_length(D, r.tour))
        assert isinstance(r, TourResult) and r.cpu_s >= 0
    assert all(r.evals == 3_000 for r in qbo)
    # SA at the authors' T₀ = 1000, α = 0.9995 is still hot after 2 000 proposals.
    cold = [sa_two_opt(D, seed=s, iterations=2_000).length for s in range(3)]
    assert not any(np.isclose(cold, best))


def test_sa_stops_at_the_minimum_temperature():
    D = _euclidean(6, 1)
    r = sa_two_opt(D, seed=0, iterations=10**6, T0=1.0, alpha=0.5, T_min=1e-3)
    assert r.evals == 10                                  # 1·0.5^k >= 1e-3 for k <= 9


def test_reproducible_and_canonical():
    D = _euclidean(9, 4)
    for solver in (sa_two_opt, qbo_two_opt):
        a = solver(D, seed=3, iterations=500)
        b = solver(D, seed=3, iterations=500)
        assert (a.tour, a.length, a.evals) == (b.tour, b.length, b.evals)
    t = held_karp(D).tour
    assert t[0] == 0 and t[1] < t[-1]                    # one of the two directions


def test_distance_validation():
    with pytest.raises(ProblemError, match="square"):
        check_distances(np.ones((3, 4)))
    with pytest.raises(ProblemError, match="n >= 3"):
        check_distances(np.ones((2, 2)))
    with pytest.raises(ProblemError, match="finite"):
        check_distances([[0, 1, np.inf], [1, 0, 1], [1, 1, 0]])
    with pytest.raises(ProblemError, match=">= 0"):
        check_distances([[0, -1, 1], [-1, 0, 1], [1, 1, 0]])
    with pytest.raises(ProblemError, match="symmetric"):
        two_opt_descent([[0, 1, 2], [3, 0, 1], [2, 1, 0]], seed=0)
    with pytest.raises(ProblemError, match="matrix of numbers"):
        check_distances([["a", "b"], ["c", "d"]])
    with pytest.raises(ParameterError, match="permutation"):
        two_opt_descent(_euclidean(5, 0), seed=0, tour=[0, 1, 1, 2, 3])
    with pytest.raises(ParameterError, match="iterations"):
        qbo_two_opt(_euclidean(5, 0), seed=0, iterations=-1)
    # The diagonal is ignored.
    d = check_distances([[5, 1, 2], [1, 7, 1], [2, 1, 9]])
    assert np.all(np.diag(d) == 0)


def test_fair_schedule_spans_the_instance_uphill_moves():
    inst, _ = instance("tsplib:burma14")
    D = inst.distances
    T0, alpha = fair_sa_schedule(D, 5000)
    t = nearest_neighbour_tour(D, 0)
    n = len(t)
    up = [x for i in range(n) for j in range(i + 1, n)
          if (x := two_opt_delta(D, t, i, j)) > 0]
    # the sampled mean uphill move lies well inside the exhaustive range, near its mean
    assert min(up) < T0 < max(up) and abs(T0 / np.mean(up) - 1) < 0.3
    assert alpha ** 5000 == pytest.approx(1e-3, rel=1e-9)
    assert T0 != 1000.0   # not their fixed T₀
    r = fair_sa_two_opt(D, seed=0, iterations=2000)
    assert r.evals == 2000 + 100
