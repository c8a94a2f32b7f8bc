"""Binary problems on every engine: emulator = Aer = PennyLane, Aer's shots, an IBM fake device.

The emulator applies the hypercube factors with in-place butterflies; Aer and PennyLane run
the circuits (RX layers, Z-form phase gadgets, probabilistic blocks for imaginary time), so
agreement to 1e-10 checks the circuit construction against an independent implementation.
"""

from __future__ import annotations

import numpy as np
import pytest

import qdq

pytest.importorskip("qiskit_aer")


def instances() -> dict[str, qdq.BinaryProblem]:
    rng = np.random.default_rng(3)
    qubo = {(i, j): float(rng.normal()) for i in range(4) for j in range(i, 4)}
    h = {i: float(rng.normal()) for i in range(4)}
    J = {(0, 1): 0.8, (1, 2): -0.6, (0, 3): 0.5, (2, 3): 1.1}
    return {
        "qubo": qdq.BinaryProblem(qubo, num_bits=4),
        "ising": qdq.BinaryProblem.from_ising(h, J),
        "cubic": qdq.BinaryProblem("x0*x1 - 2*x2 + 3*x0*x1*x2 - 1.5*x1*x3"),
        "quartic": qdq.BinaryProblem("2*x0*x1*x2*x3 - x0 - x1*x2 + 0.7*x3"),
        "maxcut": qdq.benchmarks.maxcut([(0, 1), (1, 2), (2, 3), (3, 4), (4, 0), (0, 2)]),
    }


INSTANCES = instances()


def make_spec(kind: str, b: qdq.BinaryProblem):
    H = qdq.Hamiltonian(b, D=0.6)
    if kind == "qaoa":
        return qdq.QAOA(b, gammas=[0.35, 0.6], betas=[0.5, 0.25])
    if kind == "real":
        return qdq.RealTime(H, time=1.0, steps=3, order=2)
    if kind == "imaginary":
        return qdq.ImaginaryTime(H, time=1.0, steps=3, order=2)
    assert kind == "anneal"
    return qdq.Anneal(b, D=0.8, schedule="linear", time=2.0, steps=4, order=1)


KINDS = ["qaoa", "real", "imaginary", "anneal"]


def _engine(name: str) -> str:
    if name == "pennylane":
        pytest.importorskip("pennylane")
    return name


@pytest.mark.parametrize("backend", ["aer", "pennylane"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_exact_engines_agree_with_the_emulator(name, kind, backend):
    spec = make_spec(kind, INSTANCES[name])
    ref = qdq.run(spec, backend="emulator")
    r = qdq.run(spec, backend=_engine(backend))
    np.testing.assert_allclose(r.probabilities, ref.probabilities, rtol=0, atol=1e-10)
    assert r.success_probability == pytest.approx(ref.success_probability, rel=1e-10)
    if r.statevector is not None and kind != "imaginary":
        assert abs(np.vdot(r.statevector, ref.statevector)) >= 1 - 1e-10
    uniform = 2.0 ** -INSTANCES[name].num_bits
    assert 0.5 * np.sum(np.abs(ref.probabilities - uniform)) > 0.05  # the state moved
    if kind == "imaginary":
        assert ref.success_probability < 0.999  # the postselection did something


@pytest.mark.parametrize("kind", ["qaoa", "anneal"])
@pytest.mark.parametrize("name", ["cubic", "maxcut"])
def test_aer_shots_sample_the_exact_distribution(name, kind):
    spec = make_spec(kind, INSTANCES[name])
    p = qdq.run(spec, backend="emulator").probabilities
    shots = 4000
    r = qdq.run(spec, backend="aer", shots=shots, seed=11)
    assert r.shots == shots and r.statevector is None
    sigma = np.sqrt(p * (1 - p) / shots)
    assert np.all(np.abs(r.probabilities - p) <= 5 * sigma + 1.0 / shots)
    again = qdq.run(spec, backend="aer", shots=shots, seed=11)
    np.testing.assert_array_equal(again.probabilities, r.probabilities)  # seeded


def test_ibm_fake_backend_decodes_bits_in_qubit_order(tmp_path):
    pytest.importorskip("qiskit_ibm_runtime")
    b = qdq.BinaryProblem("x0*x1 - 2*x2 + x0")
    bits = (1, 1, 0)  # not a palindrome: a reversed bit order would read 011
    psi0 = np.zeros(8)
    psi0[sum(x << i for i, x in enumerate(bits))] = 1.0
    # A tiny time: the state stays (to ~1e-6) the basis state; only device noise blurs it.
    spec = qdq.RealTime(qdq.Hamiltonian(b, D=0.5), time=1e-3, steps=1, initial=psi0)
    r = qdq.run(spec, backend="ibm", device="fake_torino", shots=256, seed=5,
                store=tmp_path / "jobs.sqlite3")
    assert r.shots == 256 and r.backend == "fake_torino"
    assert r.probabilities.shape == (8,)
    assert r.probabilities.max() > 0.7  # noise blurs, it does not decide
    assert tuple(int(v) for v in r.best_point) == bits
    summary = r.summary()
    assert summary["bitstring"] == "110"
    assert summary["bitstring"] == qdq.run(spec, backend="emulator").summary()["bitstring"]
