"""Imaginary-time shots on Aer: exact-law sampling when noiseless, mid-circuit when noisy."""

import numpy as np
import pytest

import qdq
from qdq.circuits.imaginary import count_blocks
from qdq.engines.aer import is_noiseless, run_aer


def _spec(qubits=4, steps=4):
    p = qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3, 3)], qubits=qubits)
    return qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.05), time=2.0, steps=steps)


def test_noiseless_shots_sample_the_exact_postselected_law():
    spec = _spec()
    exact = run_aer(spec)
    shots = 40000
    r = run_aer(spec, shots=shots, seed=3)
    assert r.extra["mode"] == "exact-sampled"
    P = exact.success_probability
    assert r.extra["exact_success_probability"] == pytest.approx(P, rel=1e-12)
    # Accepted count ~ Binomial(shots, P): within 5 sigma.
    acc = r.accepted_shots
    assert abs(acc - shots * P) < 5 * np.sqrt(shots * P * (1 - P))
    assert r.success_probability == acc / shots
    # Accepted outcomes ~ Multinomial(acc, p): Pearson chi-square well below its 1e-6 tail.
    p = exact.probabilities.reshape(-1)
    counts = np.rint(r.probabilities.reshape(-1) * acc)
    assert counts.sum() == acc
    keep = p * acc >= 5
    chi2 = np.sum((counts[keep] - acc * p[keep]) ** 2 / (acc * p[keep]))
    dof = int(keep.sum()) - 1
    assert chi2 < dof + 8 * np.sqrt(2 * dof) + 10
    # Reported the same way as the mid-circuit path.
    assert r.shots == shots and r.statevector is None
    assert r.extra["post_bits"] == count_blocks(spec) and r.extra["ancillas"] == "reuse"


def test_same_seed_same_counts():
    spec = _spec(qubits=3, steps=2)
    a = run_aer(spec, shots=500, seed=9)
    b = run_aer(spec, shots=500, seed=9)
    assert np.array_equal(a.probabilities, b.probabilities)
    assert a.accepted_shots == b.accepted_shots


def test_is_noiseless():
    assert is_noiseless({})
    assert not is_noiseless({"noise_model": object()})
    assert not is_noiseless({"method": "density_matrix"})


def test_noise_model_takes_the_mid_circuit_path():
    from qiskit_aer.noise import NoiseModel, depolarizing_error

    noise = NoiseModel()
    noise.add_all_qubit_quantum_error(depolarizing_error(1e-3, 2), ["cx"])
    p = qdq.Problem("x**2 - x", bounds=[(-2, 2)], qubits=2)
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.3), time=1.0, steps=1, order=1)
    r = run_aer(spec, shots=300, seed=5, noise_model=noise)
    assert "mode" not in r.extra  # no exact-law shortcut under noise
    assert "depth" in r.extra and r.extra["post_bits"] == count_blocks(spec)
    assert r.shots == 300 and 0 < r.accepted_shots <= 300
    assert r.probabilities.sum() == pytest.approx(1.0)
