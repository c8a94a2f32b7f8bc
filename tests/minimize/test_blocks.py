"""Coordinate-block sweeps on more variables than a grid holds (a labelled heuristic)."""

import numpy as np

from qdq.minimize import QuadraticProgram, minimize
from qdq.minimize.blocks import blocks


def test_blocks_cover_every_variable():
    assert blocks(5, 2) == [[0, 1], [2, 3], [4, 0]]
    assert blocks(6, 3) == [[0, 1, 2], [3, 4, 5]]


def test_separable_sum_solved_and_labelled():
    fun = "(x0 - 0.5)**2 + (x1 + 0.25)**2 + (x2 - 0.125)**2 + (x3 + 0.75)**2"
    res = minimize(fun, [(-1, 1)] * 4, seed=0, qubits=4,
                   options={"steps": 100, "block_stages": 2, "max_sweeps": 3})
    assert res.success and res.heuristic and "heuristic" in res.message
    np.testing.assert_allclose(res.x, [0.5, -0.25, 0.125, -0.75], atol=1e-7)
    sweeps = [s for s in res.stages if s["operation"] == "block-sweeps"][0]
    q = [s for s in res.stages if s["operation"] == "quantum"]
    assert sweeps["block_stages"] == len(q) == len(res.results)
    assert all(len(s["free"]) == 2 for s in q)
    assert res.nfev >= 256 * len(q)  # every block grid counted


def test_nonconvex_box_qp_against_reference():
    rng = np.random.default_rng(7)
    n = 6
    B = rng.normal(size=(n, n))
    qp = QuadraticProgram.from_arrays((B + B.T) / 2, rng.normal(size=n), bounds=[(0, 1)] * n)
    res = minimize(qp, seed=1, qubits=4, options={"steps": 100, "max_sweeps": 3})
    ref = res.reference
    assert not ref["convex"]
    assert res.fun <= ref["fun"] + 1e-6  # this instance: the sweeps reach the reference
