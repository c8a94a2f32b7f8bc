"""The emulator's per-step trace: energy, potential, P_gm and (imaginary time) the norm."""

import numpy as np
import pytest

import qdq
from qdq.engines.emulator import run_emulator

P = qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3, 3)], qubits=6)


def test_imaginary_trace_ends_at_the_results_figures():
    r = run_emulator(qdq.ImaginaryTime(qdq.Hamiltonian(P, D=0.3), time=2.0, steps=12),
                     observe_every=5)
    assert list(r.trace) == ["kinetic_factors", "energy", "potential", "p_global_min", "norm"]
    assert r.trace["kinetic_factors"].tolist() == [5, 10, 12]
    assert r.trace["norm"][-1] == pytest.approx(r.success_probability, rel=1e-12)
    assert r.trace["p_global_min"][-1] == pytest.approx(r.p_global_min, rel=1e-12)
    assert np.all(np.diff(r.trace["norm"]) < 0) and np.all(np.diff(r.trace["p_global_min"]) > 0)


def test_real_time_trace_has_no_norm_and_matches_the_final_state():
    r = run_emulator(qdq.RealTime(qdq.Hamiltonian(P, D=0.3), time=1.0, steps=8),
                     observe_every=4)
    assert "norm" not in r.trace
    assert r.trace["p_global_min"][-1] == pytest.approx(r.p_global_min, rel=1e-12)
    assert r.trace["potential"][-1] == pytest.approx(float((r.probabilities * P.values).sum()),
                                                     rel=1e-12)
