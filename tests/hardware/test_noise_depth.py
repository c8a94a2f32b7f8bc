"""Noise versus depth on fake backends: readout mitigation and the optimal depth."""

import os
import tempfile

import numpy as np
import pytest

import qdq
from qdq.errors import ParameterError
from qdq.hardware.noise import (
    counts_from_probabilities,
    depth_scan,
    mitigate_counts,
    optimal_depth,
    tvd,
)

pytest.importorskip("qiskit_ibm_runtime")
mthree = pytest.importorskip("mthree")


def test_optimal_depth_on_a_synthetic_table():
    rows = [{"steps": s, "p_raw": p, "p_mitigated": pm}
            for s, p, pm in [(1, 0.10, 0.12), (2, 0.22, 0.25), (4, 0.30, 0.33),
                             (8, 0.26, 0.34), (16, 0.05, 0.06)]]
    assert optimal_depth(rows, key="p_raw") == 4
    assert optimal_depth(rows) == 8                      # mitigated ranks 8 first
    # TTS with shot time ∝ steps, s·ln(.01)/ln(1−p): 2 → 32.0, 4 → 46.0, 8 → 88.6 (µs)
    assert optimal_depth(rows, shot_seconds=lambda s: 1e-6 * s) == 2
    with pytest.raises(ParameterError, match="no depth"):
        optimal_depth([{"steps": 1, "p_raw": 0.0}])


def test_readout_mitigation_moves_counts_towards_the_ideal():
    from qiskit import QuantumCircuit, transpile
    from qiskit_aer import AerSimulator
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    backend = FakeManilaV2()
    qc = QuantumCircuit(3, 3)
    qc.x([0, 2])
    qc.measure(range(3), range(3))
    isa = transpile(qc, backend, initial_layout=[0, 1, 2], optimization_level=0,
                    seed_transpiler=1)
    counts = AerSimulator.from_backend(backend, seed_simulator=5).run(
        isa, shots=4000).result().get_counts()
    flat = np.zeros(8)
    for key, c in counts.items():
        flat[int(key, 2)] = c / 4000
    ideal = np.zeros(8)
    ideal[0b101] = 1.0
    mit = mthree.M3Mitigation(backend)
    mit.cals_from_system([0, 1, 2], shots=4000, async_cal=False)
    fixed = mitigate_counts(counts_from_probabilities(flat, 4000), [0, 1, 2], mit)
    assert fixed.sum() == pytest.approx(1.0) and fixed.min() >= 0
    assert tvd(flat, ideal) > 0.02                      # readout error is visible
    assert tvd(fixed, ideal) < 0.5 * tvd(flat, ideal)    # and mostly removed
    assert fixed[0b101] > flat[0b101]


def test_depth_scan_on_a_fake_backend():
    store = qdq.store.Store(os.path.join(tempfile.mkdtemp(), "qdq.sqlite3"))
    p = qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3, 3)], qubits=2)
    scan = depth_scan(lambda s: qdq.Anneal(p, D=0.5, time=2.0, steps=s), steps=[1, 3],
                      backend="fake_manila", shots=1000, seed=2, store=store)
    assert [r["steps"] for r in scan] == [1, 3]
    assert scan[0]["two_qubit_gates"] < scan[1]["two_qubit_gates"]
    for s, r in zip([1, 3], scan, strict=True):
        ideal = qdq.run(qdq.Anneal(p, D=0.5, time=2.0, steps=s), backend="emulator")
        assert r["p_ideal"] == pytest.approx(ideal.p_global_min, abs=1e-9)
        assert 0.0 <= r["p_raw"] <= 1.0 and 0.0 <= r["p_mitigated"] <= 1.0
        assert abs(r["p_raw"] - r["p_ideal"]) < 0.25       # noisy, but the same circuit
    assert scan.optimal() in (1, 3)
    assert "| steps |" in scan.to_markdown()
    with pytest.raises(ParameterError, match="steps must be"):
        depth_scan(lambda s: None, steps=[0])
