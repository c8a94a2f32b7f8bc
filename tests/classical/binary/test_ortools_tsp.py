"""OR-Tools' routing solver against Held–Karp and TSPLIB's published optimum."""

from __future__ import annotations

import numpy as np
import pytest

from qdq.binary.benchsets import instance
from qdq.classical.binary.ortools_tsp import integer_costs, ortools_tsp
from qdq.classical.binary.permutation import held_karp, nearest_neighbour_tour, tour_length
from qdq.errors import ParameterError, ProblemError, QdqError

pytest.importorskip("ortools.constraint_solver.pywrapcp")


def _euclid(n: int, seed: int) -> np.ndarray:
    c = np.random.default_rng(seed).random((n, 2)) * 100
    return np.sqrt(((c[:, None] - c[None]) ** 2).sum(-1))


@pytest.mark.parametrize("seed", [0, 1])
def test_matches_held_karp_on_float_cities(seed):
    D = _euclid(9, seed)
    hk = held_karp(D)
    r = ortools_tsp(D, time_limit=0.2, seed=seed)
    assert sorted(r.tour) == list(range(9)) and r.tour[0] == 0
    assert r.length == pytest.approx(tour_length(D, r.tour), rel=1e-12)
    # rounding to 1/1000 per edge moves the optimum by at most n/1000 (module docstring)
    assert hk.length <= r.length <= hk.length + 9e-3
    assert r.evals == 0 and r.cpu_s > 0
    # non-trivial: a random tour is far from optimal
    rand = np.random.default_rng(seed).permutation(9)
    assert tour_length(D, rand) > hk.length * 1.05


def test_finds_burma14_published_optimum_and_traces_improvements():
    inst, meta = instance("tsplib:burma14")
    D = inst.distances
    assert tour_length(D, nearest_neighbour_tour(D)) > meta["optimum"] * 1.05
    trace: list = []
    r = ortools_tsp(D, time_limit=0.3, seed=0, trace=trace)
    assert r.length == meta["optimum"] == 3323
    costs = [c for _, c in trace]
    assert costs == sorted(costs, reverse=True) and len(set(costs)) == len(costs)
    assert costs[-1] == r.length and all(t >= 0 for t, _ in trace)


def test_integer_costs_scale_only_floats():
    c, s = integer_costs([[0, 2, 3], [2, 0, 4], [3, 4, 0]])
    assert s == 1.0 and c.dtype == np.int64 and c[1, 2] == 4
    c, s = integer_costs([[0, 0.1234, 1], [0.1234, 0, 1], [1, 1, 0]], scale=100)
    assert s == 100 and c[0, 1] == 12


@pytest.mark.parametrize("D, kw, err, text", [
    (np.ones((3, 4)), {}, ProblemError, "shape"),
    (np.zeros((2, 2)), {}, ProblemError, "n >= 3"),
    ([[0, np.nan, 1], [np.nan, 0, 1], [1, 1, 0]], {}, ProblemError, "finite"),
    (np.ones((4, 4)), {"time_limit": 0}, ParameterError, "got"),
    (np.ones((4, 4)), {"time_limit": np.inf}, ParameterError, "finite"),
    (np.ones((4, 4)), {"metaheuristic": "magic"}, ParameterError, "got 'magic'"),
    (np.ones((4, 4)), {"first_solution": 3}, ParameterError, "got 3"),
    (np.ones((4, 4)), {"trace": ()}, ParameterError, "got tuple"),
])
def test_bad_input_raises_qdq_errors(D, kw, err, text):
    with pytest.raises(err, match=text) as info:
        ortools_tsp(D, **kw)
    assert isinstance(info.value, QdqError)
