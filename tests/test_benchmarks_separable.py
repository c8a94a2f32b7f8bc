"""Separable objectives factorize under the anneal: P_d(success box) = P_1^d.

With a sum of identical 1-D terms, a separable kinetic term and a product initial state,
every Trotter factor is a tensor product, so the final state is ψ₁ ⊗ … ⊗ ψ₁ and the
probability of a product region is the d-th power of the 1-D probability (to rounding).
This is why separable scaling results prove nothing (docs/benchmarks.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from qdq.api import run
from qdq.evolution import Anneal
from qdq.problem import Problem

TERM = "3*{v}**4/10 - {v}**2 + {v}/5"          # the asymmetric double well
VARS = ("x", "y", "z")
QUBITS = 5


def _final(dims: int) -> np.ndarray:
    expr = " + ".join(TERM.format(v=v) for v in VARS[:dims])
    p = Problem(expr, bounds=[(-3, 3)] * dims, qubits=QUBITS)
    spec = Anneal(p, D=0.5, schedule="qhd-cubic", time=4.0, steps=300, order=2,
                  initial="uniform")
    return run(spec, backend="emulator").probabilities


def test_separable_anneal_success_is_the_1d_success_to_the_power_d():
    p1 = _final(1)
    x = Problem("x", bounds=[(-3, 3)], qubits=QUBITS).grid.points[0]
    box = np.abs(x - (-1.38)) < 0.5              # the deeper well's basin, per coordinate
    s1 = float(p1[box].sum())
    assert 0.05 < s1 < 0.99                        # a non-trivial 1-D success
    p2, p3 = _final(2), _final(3)
    s2 = float(p2[np.ix_(box, box)].sum())
    s3 = float(p3[np.ix_(box, box, box)].sum())
    assert s2 == pytest.approx(s1**2, abs=1e-10)
    assert s3 == pytest.approx(s1**3, abs=1e-10)
    # the whole distribution factorizes, not just the box
    np.testing.assert_allclose(p3, np.einsum("i,j,k->ijk", p1, p1, p1), atol=1e-12)


def test_a_coupled_objective_does_not_factorize():
    """Control: with a coupling term the 2-D success is not the square of the 1-D one."""
    p1 = _final(1)
    expr = TERM.format(v="x") + " + " + TERM.format(v="y") + " + x*y/2"
    p = Problem(expr, bounds=[(-3, 3)] * 2, qubits=QUBITS)
    spec = Anneal(p, D=0.5, schedule="qhd-cubic", time=4.0, steps=300, order=2,
                  initial="uniform")
    p2 = run(spec, backend="emulator").probabilities
    assert np.max(np.abs(p2 - np.outer(p1, p1))) > 1e-3
