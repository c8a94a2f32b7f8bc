"""Seok & Cho's QbO and baselines (qdq.classical.seed_cho): schedules, invariants, minima."""

import importlib.util
import math

import numpy as np
import pytest

from qdq.classical import run_classical
from qdq.classical.binary.permutation import (
    fair_sa_two_opt,
    held_karp,
    qbo_two_opt,
    sa_two_opt,
    tour_length,
)
from qdq.classical.seed_cho import (
    genetic_continuous,
    genetic_tsp,
    pmx,
    qbo_continuous,
    reweighted_annealing_continuous,
    reweighted_annealing_two_opt,
    reweighting_weight,
    sa_continuous,
    sa_proposals,
    sa_temperature,
    two_opt_restarts,
)
from qdq.errors import ParameterError

BOX = [(-3.0, 3.0), (-4.0, 2.0)]


def quad(x, y):
    return (x - 1.0) ** 2 + 3.0 * (y + 2.0) ** 2


def _cities(n, seed):
    c = np.random.default_rng(seed).integers(0, 200, (n, 2))  # their 200×200 integer grid
    return np.sqrt(((c[:, None, :] - c[None, :, :]) ** 2).sum(-1))


def test_sa_schedule_by_hand():
    assert sa_temperature(0) == 1000.0
    assert sa_temperature(2) == pytest.approx(1000 * 0.9995 * 0.9995, rel=1e-15)
    # T0·α^k >= 0.1/10⁵ while k <= ln(10⁸·1000)/−ln α = 41436.3…: 41437 proposals.
    assert sa_proposals(10**5) == 41437
    assert sa_temperature(41436) >= 1e-6 > sa_temperature(41437)
    assert sa_proposals(10**4) == 10**4 and sa_proposals(50, alpha=1.0) == 50
    out = sa_continuous(quad, BOX, T0=2.0, alpha=0.5, T_min=0.3, budget=100, seed=0)
    assert out.extra["proposals"] == 3 and out.nfev == 4      # T = 2, 1, 0.5 then 0.25 < 0.3
    assert out.extra["T_final"] == pytest.approx(0.25)


def test_reweighting_factor():
    assert reweighting_weight(0, 40) == 1.0 and reweighting_weight(40, 40) == 0.0
    assert reweighting_weight(10, 40) == pytest.approx(0.5)


def test_pmx_by_hand_and_is_a_permutation():
    p1, p2 = [1, 2, 3, 4, 5, 6, 7, 8, 9], [5, 4, 6, 7, 2, 1, 3, 9, 8]
    assert pmx(p1, p2, 3, 6) == [6, 5, 3, 7, 2, 1, 4, 8, 9]
    rng = np.random.default_rng(0)
    for _ in range(200):
        a, b = sorted(rng.choice(10, 2, replace=False))
        kid = pmx(list(rng.permutation(10)), list(rng.permutation(10)), int(a), int(b))
        assert sorted(kid) == list(range(10))


def test_ga_keeps_population_size_and_counts():
    out = genetic_continuous(quad, BOX, population=7, budget=7 + 2 * 30, seed=1)
    assert out.nit == 30 and out.nfev == 67 and out.extra["population"] == 7
    d = _cities(9, 0)
    r = genetic_tsp(d, seed=0, generations=40, population=6)
    assert r.evals == 6 + 80 and sorted(r.tour) == list(range(9))
    with pytest.raises(ParameterError, match="got 1"):
        genetic_tsp(d, seed=0, generations=5, population=1)


@pytest.mark.parametrize("fn, kw, tol", [
    (qbo_continuous, {"sigma": 0.05}, 1e-3),
    (sa_continuous, {"sigma": 0.05}, 1e-2),
    (reweighted_annealing_continuous, {"sigma": 0.05}, 3e-2),
    (genetic_continuous, {}, 3e-2),
    (qbo_continuous, {}, 3e-2),                     # their move: uniform on the box
])
def test_every_method_finds_a_convex_minimum(fn, kw, tol):
    for seed in range(3):
        out = fn(quad, BOX, budget=3000, seed=seed, **kw)
        assert out.fun == pytest.approx(quad(*out.x))
        assert out.fun < tol and np.linalg.norm(out.x - [1.0, -2.0]) < 0.2


def test_uniform_moves_make_sa_and_qbo_random_search():
    # With candidates independent of the current point, every candidate better than the
    # best so far is accepted by both rules: the best point is the best uniform draw.
    a = qbo_continuous(quad, BOX, budget=500, seed=5)
    b = sa_continuous(quad, BOX, budget=500, seed=5)
    c = reweighted_annealing_continuous(quad, BOX, budget=500, seed=5)
    rng = np.random.default_rng(5)
    lo, w = np.array(BOX)[:, 0], np.ptp(np.array(BOX), axis=1)
    pts = np.vstack([lo + w * rng.random(2), lo + w * rng.random((499, 2))])
    assert a.fun == b.fun == c.fun == pytest.approx(quad(*pts.T).min(), rel=1e-12)
    assert (a.method, b.method, c.method) == ("qbo", "sa-seed", "reweighted-annealing")


def test_registry_and_seeds_reproduce():
    for name in ("qbo", "sa-seed", "reweighted-annealing", "genetic"):
        a = run_classical(name, quad, BOX, budget=300, seed=7, sigma=0.1)
        b = run_classical(name, quad, BOX, budget=300, seed=7, sigma=0.1)
        assert np.array_equal(a.x, b.x) and a.fun == b.fun
    d = _cities(12, 3)
    for run in (lambda s: reweighted_annealing_two_opt(d, seed=s, iterations=300),
                lambda s: genetic_tsp(d, seed=s, generations=100),
                lambda s: two_opt_restarts(d, seed=s, iterations=300)):
        r1, r2 = run(4), run(4)
        assert (r1.tour, r1.length, r1.evals) == (r2.tour, r2.length, r2.evals)


def test_tsp_methods_valid_and_one_reaches_held_karp():
    d = _cities(10, 1)
    opt = held_karp(d).length
    runs = {"rw": reweighted_annealing_two_opt(d, seed=0, iterations=3000),
            "ga": genetic_tsp(d, seed=0, generations=1500),
            "2opt": two_opt_restarts(d, seed=0, iterations=3000),
            "qbo": qbo_two_opt(d, seed=0, iterations=3000),
            "sa": sa_two_opt(d, seed=0, iterations=3000, T_min=0.1 / 3000),
            "fair-sa": fair_sa_two_opt(d, seed=0, iterations=3000)}
    if importlib.util.find_spec("ortools") is not None:
        from qdq.classical.binary.ortools_tsp import ortools_tsp

        runs["ortools"] = ortools_tsp(d, time_limit=0.2, seed=0)
    for r in runs.values():
        assert sorted(r.tour) == list(range(10))
        assert r.length == pytest.approx(tour_length(d, r.tour)) and r.length >= opt - 1e-9
    assert min(r.length for r in runs.values()) == pytest.approx(opt, rel=1e-12)
    assert max(r.length for r in runs.values()) < 1.2 * opt


def test_reweighted_two_opt_without_D0_is_their_sa():
    d = _cities(15, 2)
    for iters in (2000, 50_000):  # 5·10⁴: stopped by T after 40 051 proposals, mid-block
        a = reweighted_annealing_two_opt(d, seed=3, iterations=iters)
        b = sa_two_opt(d, seed=3, iterations=iters, T_min=0.1 / iters)
        assert (a.tour, a.length, a.evals) == (b.tour, b.length, b.evals)
    # With a D0 the cost changes, the tour stays valid.
    c = reweighted_annealing_two_opt(d, seed=3, iterations=2000, D0=np.ones_like(d))
    assert sorted(c.tour) == list(range(15)) and math.isfinite(c.length)


def test_bad_inputs_name_the_value():
    with pytest.raises(ParameterError, match="got 1.5"):
        sa_continuous(quad, BOX, alpha=1.5, budget=10)
    with pytest.raises(ParameterError, match="got 2.0"):
        genetic_continuous(quad, BOX, mutation_rate=2.0, budget=10)
    with pytest.raises(ParameterError, match="sigma"):
        qbo_continuous(quad, BOX, sigma=-1.0, budget=10)
    with pytest.raises(ParameterError, match="D0"):
        reweighted_annealing_two_opt(_cities(5, 0), seed=0, iterations=5, D0=np.ones((4, 4)))
