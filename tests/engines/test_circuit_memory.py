"""Whole-circuit paths refuse work that cannot fit before building (issue 17).

Aer (real time, anneals, noisy or fresh-ancilla imaginary time), PennyLane and hardware
submission build the spec's whole circuit; ``steps = 10**12`` must be refused at once, from
an estimate counted from one factor, not by walking the steps.
"""

import time

import pytest

import qdq
from qdq.engines.circuit_memory import INSTRUCTION_BYTES, circuit_estimate
from qdq.errors import ResourceError


@pytest.fixture(scope="module")
def problem():
    return qdq.Problem("x**2 + y**2 + x*y", bounds=[(-1, 1)] * 2, qubits=3)


def _fast(fn, limit=5.0):
    t0 = time.perf_counter()
    with pytest.raises(ResourceError) as info:
        fn()
    assert time.perf_counter() - t0 < limit
    return str(info.value)


@pytest.mark.parametrize("target", ["simulator", "hardware"])
def test_estimate_counts_the_built_circuit(problem, target):
    from qdq.circuits.trotter import build_circuit

    spec = qdq.RealTime(qdq.Hamiltonian(problem, D=0.5), time=1.0, steps=30)
    qc = build_circuit(spec, target=target, flat=True, measure=True)
    assert circuit_estimate(spec, target=target).instructions == len(qc.data)


@pytest.mark.parametrize("ancillas", ["reuse", "fresh"])
def test_estimate_bounds_the_imaginary_circuit(problem, ancillas):
    from qdq.circuits.imaginary import build_imaginary_circuit

    spec = qdq.ImaginaryTime(qdq.Hamiltonian(problem, D=0.5), time=1.0, steps=8)
    qc = build_imaginary_circuit(spec, measure=True, ancillas=ancillas, flat=True,
                                 target="hardware")
    est = circuit_estimate(spec, target="hardware", ancillas=ancillas).instructions
    assert len(qc.data) <= est <= 1.05 * len(qc.data)


def test_streamed_estimate_is_proportional_to_steps(problem):
    H = qdq.Hamiltonian(problem, D=0.5)
    small = circuit_estimate(qdq.RealTime(H, steps=10**5))
    big = circuit_estimate(qdq.RealTime(H, steps=10**12))
    assert big.instructions // small.instructions == pytest.approx(10**7, rel=1e-3)
    assert big.bytes >= big.instructions * INSTRUCTION_BYTES


@pytest.mark.parametrize("make", [
    lambda p: qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=1.0, steps=10**12),
    lambda p: qdq.Anneal(p, time=1.0, steps=10**15),
    lambda p: qdq.Anneal(p, time=1.0, steps=10**12, order=4),
])
@pytest.mark.parametrize("shots", [None, 100])
def test_aer_refuses_huge_circuits_at_once(problem, make, shots):
    msg = _fast(lambda: qdq.run(make(problem), backend="aer", shots=shots))
    assert "steps=10000000000" in msg and "emulator" in msg


def test_aer_noisy_imaginary_time_is_refused_at_once(problem):
    from qiskit_aer.noise import NoiseModel

    spec = qdq.ImaginaryTime(qdq.Hamiltonian(problem, D=0.5), time=1.0, steps=10**12)
    msg = _fast(lambda: qdq.run(spec, backend="aer", shots=10, noise_model=NoiseModel()))
    assert "steps=1000000000000" in msg


def test_aer_fresh_ancillas_of_a_streamed_formula_refused_without_walking_it(problem):
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(problem, D=0.5), time=1.0, steps=10**12)
    msg = _fast(lambda: qdq.run(spec, backend="aer", shots=10, ancillas="fresh"))
    assert "1,000,000,000,006 qubits" in msg and "ancillas='reuse'" in msg


def test_small_aer_runs_still_pass_the_check(problem):
    spec = qdq.Anneal(problem, time=1.0, steps=20)
    assert qdq.run(spec, backend="aer").probabilities.sum() == pytest.approx(1.0)


def test_pennylane_refuses_huge_circuits_at_once(problem):
    pytest.importorskip("pennylane")
    spec = qdq.RealTime(qdq.Hamiltonian(problem, D=0.5), time=1.0, steps=10**12)
    assert "pennylane circuit" in _fast(lambda: qdq.run(spec, backend="pennylane"))


def test_submit_refuses_huge_circuits_before_resolving_a_backend(problem, monkeypatch):
    import qdq.hardware.runtime as runtime
    from qdq.hardware.submit import preview

    def no_backend(*args, **kwargs):  # pragma: no cover - must not be reached
        raise AssertionError("the backend was resolved before the size check")

    monkeypatch.setattr(runtime, "get_backend", no_backend)
    spec = qdq.Anneal(problem, time=1.0, steps=10**12)
    assert "submit circuit" in _fast(lambda: preview(spec, "fake_torino"))


@pytest.mark.parametrize("backend", ["aer", "pennylane"])
def test_shots_beyond_memory_are_refused_before_running(problem, backend):
    if backend == "pennylane":
        pytest.importorskip("pennylane")
    spec = qdq.RealTime(qdq.Hamiltonian(problem, D=0.5), time=1.0, steps=3)
    assert "shots=1000000000000000" in _fast(lambda: qdq.run(spec, backend=backend,
                                                             shots=10**15))


def test_emulator_samples_huge_shot_counts_in_constant_memory(problem):
    spec = qdq.RealTime(qdq.Hamiltonian(problem, D=0.5), time=1.0, steps=3)
    r = qdq.run(spec, backend="emulator", shots=2**63 - 1, seed=1)
    assert r.accepted_shots == 2**63 - 1


def test_ibm_engine_refuses_huge_circuits_through_submit(problem, monkeypatch, tmp_path):
    pytest.importorskip("qiskit_ibm_runtime")
    monkeypatch.setenv("QDQ_STORE", str(tmp_path / "store.sqlite3"))
    spec = qdq.Anneal(problem, time=1.0, steps=10**12)
    msg = _fast(lambda: qdq.run(spec, backend="ibm", device="fake_torino", shots=10), 20)
    assert "submit circuit" in msg
