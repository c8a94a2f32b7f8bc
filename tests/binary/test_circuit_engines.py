"""Binary specs on the circuit engines: emulator = Aer = PennyLane, Aer shots, a fake IBM device.

The emulator is checked against dense ``expm`` and Qiskit's ``QAOAAnsatz`` elsewhere
(``test_reference_dense.py``, ``test_qaoa_reference.py``); here every circuit engine must
reproduce it on random instances, and the hardware path must decode counts to the flat
index ``Σ xᵢ 2^i``.
"""

from __future__ import annotations

import numpy as np
import pytest

import qdq
from qdq.store import Store


def instances() -> dict[str, qdq.BinaryProblem]:
    rng = np.random.default_rng(2018)
    qubo = {(i, j): float(rng.normal()) for i in range(3) for j in range(i + 1, 3)}
    fields = {(i,): float(rng.normal()) for i in range(3)}
    return {
        "qubo": qdq.BinaryProblem(qubo | fields, num_bits=3),
        "ising": qdq.BinaryProblem({(0,): 0.4, (1, 2): -1.2, (0, 2): 0.8, (2,): -0.3},
                                   num_bits=3),
        "cubic": qdq.BinaryProblem("x0*x1 - 2*x2 + 3*x0*x1*x2 - 0.5*x1"),
        "quartic": qdq.BinaryProblem("2*x0*x1*x2*x3 - x0 - x1*x2 + 0.7*x3*x0"),
        "labs4": qdq.benchmarks.labs(4),
    }


INSTANCES = instances()


def specs(b: qdq.BinaryProblem) -> dict[str, object]:
    return {
        "qaoa": qdq.QAOA(b, gammas=[0.45, 0.8], betas=[0.6, 0.25]),
        "real": qdq.RealTime(qdq.Hamiltonian(b, D=0.7), time=1.1, steps=3, order=2),
        "imag": qdq.ImaginaryTime(qdq.Hamiltonian(b, D=0.5), time=0.8, steps=3, order=2),
        "anneal": qdq.Anneal(b, D=1.0, schedule="linear", time=2.0, steps=3, order=1),
    }


def moved(r, n) -> bool:
    return float(np.max(np.abs(r.probabilities.reshape(-1) - 2.0**-n))) > 1e-3


def check_same(ref, r, kind):
    np.testing.assert_allclose(r.probabilities.reshape(-1), ref.probabilities.reshape(-1),
                               atol=1e-10)
    assert abs(r.success_probability - ref.success_probability) < 1e-10
    if kind != "imag":  # a unitary run: the amplitudes agree up to a global phase
        assert abs(np.vdot(ref.statevector.reshape(-1), r.statevector.reshape(-1))) > 1 - 1e-10


@pytest.mark.parametrize("target", [0b110, 0b011])
def test_fake_ibm_device_decodes_counts_to_the_flat_index(tmp_path, target):
    """A basis state under a tiny ``D`` stays put: every count must decode to ``target``."""
    b = INSTANCES["qubo"]
    init = np.zeros(8)
    init[target] = 1.0
    spec = qdq.RealTime(qdq.Hamiltonian(b, D=1e-9), time=0.5, steps=1, order=1, initial=init)
    r = qdq.run(spec, backend="ibm", device="fake_manila", shots=400, seed=5,
                store=Store(tmp_path / "qdq.sqlite3"))
    assert r.is_binary
    probs = r.probabilities.reshape(-1)
    assert probs.shape == (8,)
    assert int(np.argmax(probs)) == target
    assert probs[target] > 0.8  # a noisy device, but the readout must not be permuted
    bits = tuple(int(v) for v in np.asarray(r.best_point).reshape(-1))
    assert bits == tuple((target >> i) & 1 for i in range(3))
    summary = r.summary()
    assert summary["bitstring"] == "".join(str(v) for v in bits)  # x0 x1 x2, left to right


def test_aer_matrix_product_state_method_on_a_ring_max_cut():
    """``method=`` reaches ``AerSimulator`` (sparse ring: MPS is exact at this size)."""
    n = 8
    edges = [(i, (i + 1) % n) for i in range(n)]  # cut(x) = Σ_edges xᵢ + xⱼ − 2xᵢxⱼ; ζ = −cut
    b = qdq.BinaryProblem({e: 2.0 for e in edges} | {(i,): -2.0 for i in range(n)},
                          num_bits=n)
    spec = qdq.QAOA(b, gammas=[0.4], betas=[0.3])
    exact = qdq.run(spec, backend="emulator").probabilities.reshape(-1)
    assert moved(qdq.run(spec, backend="emulator"), n)
    mps = qdq.run(spec, backend="aer", method="matrix_product_state")
    np.testing.assert_allclose(mps.probabilities.reshape(-1), exact, atol=1e-10)
    shots = 4000
    sampled = qdq.run(spec, backend="aer", method="matrix_product_state", shots=shots, seed=3)
    sigma = np.sqrt(exact * (1 - exact) / shots)
    assert np.all(np.abs(sampled.probabilities.reshape(-1) - exact) <= 5 * sigma + 2 / shots)


def test_fake_ibm_qaoa_result_is_binary(tmp_path):
    b = INSTANCES["cubic"]
    spec = qdq.QAOA(b, gammas=[0.45, 0.8], betas=[0.6, 0.25])
    r = qdq.run(spec, backend="ibm", device="fake_manila", shots=300, seed=2,
                store=Store(tmp_path / "qdq.sqlite3"))
    exact = qdq.run(spec, backend="emulator").probabilities.reshape(-1)
    probs = r.probabilities.reshape(-1)
    assert r.is_binary and probs.shape == (8,) and abs(probs.sum() - 1) < 1e-12
    assert 0.5 * np.abs(probs - exact).sum() < 0.2  # noisy device, 300 shots
    best = int(np.argmax(probs))
    assert tuple(r.best_point) == b.bits(best)
    assert r.summary()["bitstring"] == "".join(str(v) for v in b.bits(best))
