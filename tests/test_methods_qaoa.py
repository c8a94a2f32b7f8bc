"""qdq.methods on binary problems: hypercube defaults and QAOA from the linear ramp."""

from __future__ import annotations

import numpy as np
import pytest

import qdq
from qdq import methods
from qdq.errors import ParameterError
from qdq.problem import Problem


@pytest.fixture
def bits():
    return qdq.BinaryProblem("x0 + x1 - 3*x0*x1 + 0.5*x2")


def test_binary_defaults(bits):
    assert methods.defaults(bits, "anneal") == {"D": 1.0, "schedule": "linear", "time": 10.0,
                                                "steps": 100, "order": 1}
    for name in ("real-time", "imaginary"):
        assert methods.defaults(bits, name) == {"D": 1.0, "time": 10.0, "steps": 100,
                                                "order": 2}
    assert methods.defaults(bits, "qaoa") == {"p": 4, "delta": 0.8}


def test_qaoa_ramp_angles(bits):
    from qdq.qaoa import energy_scale

    spec = methods.build(bits, "qaoa")
    s = (np.arange(1, 5) - 0.5) / 4
    sigma = energy_scale(bits)   # γ in units of 1/σ_ζ: √(Σ a_S²) of the Z-form
    assert np.isclose(sigma, np.sqrt(0.25**2 * 2 + 0.75**2 + 0.25**2))
    np.testing.assert_allclose(spec.gammas, 0.8 * s / sigma)
    np.testing.assert_allclose(np.abs(spec.betas), 0.8 * (1 - s))  # sign: qdq.qaoa.linear_ramp
    spec2 = methods.build(bits, "qaoa", {"p": 2, "delta": 1.0})
    np.testing.assert_allclose(spec2.gammas, np.array([0.25, 0.75]) / sigma)
    spec3 = methods.build(bits, "qaoa", {"gammas": [0.1], "betas": [-0.2]})
    assert tuple(spec3.gammas) == (0.1,) and tuple(spec3.betas) == (-0.2,)


def test_qaoa_ramp_finds_minimum(bits):
    # min of x0 + x1 - 3 x0 x1 + 0.5 x2 is -1 at x = (1, 1, 0), flat index 3
    r = qdq.run(methods.build(bits, "qaoa", {"p": 8, "delta": 2.0}), backend="emulator")
    assert int(np.argmax(r.probabilities)) == 3
    assert r.probabilities[3] > 1 / 8 + 0.1  # moved well beyond uniform


def test_qaoa_refused_on_grid_and_bad_options(bits):
    grid = Problem("x**2", bounds=[(-1, 1)], qubits=3)
    with pytest.raises(ParameterError, match="binary problems.*anneal"):
        methods.build(grid, "qaoa")
    with pytest.raises(ParameterError, match=r"'steps'.*'qaoa'.*p, delta, gammas, betas"):
        methods.build(bits, "qaoa", {"steps": 3})
    with pytest.raises(ParameterError, match="both gammas and betas"):
        methods.build(bits, "qaoa", {"gammas": [0.1]})
    with pytest.raises(ParameterError, match="p=3"):
        methods.build(bits, "qaoa", {"p": 3, "gammas": [0.1], "betas": [0.1]})
    assert methods.resolve("QAOA") == "qaoa"
