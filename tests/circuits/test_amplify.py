"""Amplitude amplification of the postselected imaginary-time branch, checked by statevector.

Theory (two-dimensional invariant subspace, theta = asin sqrt(p)): k Grover iterates give
good-branch probability sin^2((2k+1) theta); the good branch stays proportional to the
unamplified one, so the postselected grid state is unchanged.
"""

import numpy as np
import pytest
from qiskit import transpile
from qiskit.quantum_info import Statevector

import qdq
from qdq.circuits.amplify import (
    amplify,
    fixed_point_success,
    generalized_iterate,
    phase_on_zero,
)
from qdq.circuits.imaginary import build_imaginary_circuit, count_blocks
from qdq.engines.aer import run_aer
from qdq.errors import ParameterError
from tests.reference import fidelity


@pytest.fixture(scope="module")
def spec():
    # 3 grid qubits, order 1, one step: 2 blocks; P_success ~ 0.13 (k = 1 or 2).
    p = qdq.Problem("x**2 - 0.5*x", bounds=[(-2, 2)], qubits=3)
    return qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.5), time=1.2, steps=1, order=1)


def _good_branch(qc, num_grid):
    sv = Statevector(qc).data
    return sv.reshape(-1, 2**num_grid)[0]


def _unamplified(spec):
    A = build_imaginary_circuit(spec, ancillas="fresh")
    b = _good_branch(A, spec.grid.num_qubits)
    return b, float(np.vdot(b, b).real)


def test_grover_default_reaches_theory_and_keeps_the_state(spec):
    base, p = _unamplified(spec)
    assert p == pytest.approx(run_aer(spec).success_probability, rel=1e-9)
    qc, rep = amplify(spec)
    theta = np.arcsin(np.sqrt(p))
    k = rep["iterations"]
    assert k == int(np.floor(np.pi / (4 * theta))) and k >= 1
    branch = _good_branch(qc, 3)
    p_amp = float(np.vdot(branch, branch).real)
    assert abs(p_amp - np.sin((2 * k + 1) * theta) ** 2) <= 1e-9
    assert rep["p_after"] == pytest.approx(p_amp, abs=1e-9)
    assert p_amp > 3 * p  # amplification really happened
    # same postselected grid state, phase included (the good amplitude stays positive)
    np.testing.assert_allclose(branch / np.sqrt(p_amp), base / np.sqrt(p), atol=1e-9)


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_grover_any_iteration_count_follows_sin_squared(spec, k):
    base, p = _unamplified(spec)
    qc, rep = amplify(spec, k, success_probability=p)
    branch = _good_branch(qc, 3)
    p_amp = float(np.vdot(branch, branch).real)
    assert abs(p_amp - np.sin((2 * k + 1) * np.arcsin(np.sqrt(p))) ** 2) <= 1e-9
    assert fidelity(branch, base) >= 1 - 1e-9
    assert rep["queries"] == 2 * k + 1


def test_exact_amplification_succeeds_with_certainty(spec):
    base, p = _unamplified(spec)
    qc, rep = amplify(spec, method="exact", success_probability=p)
    assert qc.num_qubits == 3 + count_blocks(spec) + 1  # one extra damping ancilla
    branch = _good_branch(qc, 3)
    assert float(np.vdot(branch, branch).real) == pytest.approx(1.0, abs=1e-9)
    assert rep["p_after"] == pytest.approx(1.0, abs=1e-12)
    assert fidelity(branch, base) >= 1 - 1e-9
    with pytest.raises(ParameterError, match="iterations >= "):
        amplify(spec, 0, method="exact", success_probability=p)


@pytest.mark.parametrize("lower_bound_factor", [1.0, 0.5])
def test_fixed_point_matches_ylc_formula(spec, lower_bound_factor):
    base, p = _unamplified(spec)
    delta = 0.2
    qc, rep = amplify(spec, method="fixed-point", delta=delta,
                      success_probability=lower_bound_factor * p)
    branch = _good_branch(qc, 3)
    p_amp = float(np.vdot(branch, branch).real)
    its = rep["iterations"]
    assert 2 * its + 1 >= np.log(2 / delta) / np.sqrt(lower_bound_factor * p)
    assert abs(p_amp - fixed_point_success(p, its, delta)) <= 1e-9  # evaluated at the true p
    assert p_amp >= 1 - delta**2
    assert fidelity(branch, base) >= 1 - 1e-9


def test_generalized_iterate_with_pi_phases_is_grover_reflection_pair(spec):
    A = build_imaginary_circuit(spec, ancillas="fresh")
    n = A.num_qubits
    from qiskit.quantum_info import Operator

    G = Operator(generalized_iterate(A, 3, np.pi, np.pi)).data
    UA = Operator(A).data
    zero = np.zeros(2**n)
    zero[0] = 1
    S0 = np.eye(2**n) - 2 * np.outer(zero, zero)
    good = np.zeros(2**n)
    good[: 2**3] = 1  # ancillas are the high qubits
    Sg = np.diag(1 - 2 * good)
    np.testing.assert_allclose(G, -UA @ S0 @ UA.conj().T @ Sg, atol=1e-10)


def test_phase_on_zero_multiplies_only_the_zero_state():
    from qiskit.quantum_info import Operator

    d = np.diag(Operator(phase_on_zero(3, 0.7)).data)
    np.testing.assert_allclose(d, [np.exp(0.7j)] + [1] * 7, atol=1e-12)


def test_report_costs_match_the_circuit(spec):
    qc, rep = amplify(spec)
    cx = transpile(qc, basis_gates=["cx", "rz", "sx", "x", "ry"],
                   optimization_level=0).count_ops().get("cx", 0)
    assert cx == rep["cx_total"]
    assert rep["blocks"] == rep["queries"] * count_blocks(spec)
    assert rep["cx_per_success_before"] == pytest.approx(rep["cx_A"] / rep["p_before"])


def test_bad_inputs_raise(spec):
    with pytest.raises(ParameterError, match="'bogus'"):
        amplify(spec, method="bogus")
    with pytest.raises(ParameterError, match="got 0"):
        amplify(spec, success_probability=0.0)
    with pytest.raises(ParameterError, match="got -1"):
        amplify(spec, -1, success_probability=0.5)
    with pytest.raises(ParameterError, match="ImaginaryTime"):
        amplify(qdq.RealTime(spec.hamiltonian, time=1.0, steps=1))
