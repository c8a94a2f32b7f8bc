"""Absurd sizes and non-finite arithmetic are refused with a QdqError naming the value."""

import numpy as np
import pytest

import qdq
from qdq.errors import BackendError, ParameterError, ProblemError, QdqError, ResourceError
from qdq.validate import check_finite_distribution, check_seed


def test_huge_qubit_count_is_a_resource_error():
    with pytest.raises(ResourceError, match=r"1000000 qubits.*got qubits=\[1000000\]"):
        qdq.Problem("x**2", bounds=[(-1, 1)], qubits=10**6)


@pytest.mark.parametrize("bounds", [[(0, 1e-320)], [(-1e308, 1e308)]])
def test_unrepresentable_box_is_a_problem_error(bounds):
    with pytest.raises(ProblemError, match=r"bounds\[0\] = .* momenta"):
        qdq.Problem("x", bounds=bounds, qubits=4)


def test_overflowing_kinetic_phase_names_D():
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=4)
    for spec in (qdq.RealTime(qdq.Hamiltonian(p, D=1e308), time=1, steps=2),
                 qdq.ImaginaryTime(qdq.Hamiltonian(p, D=1e308), time=1, steps=2)):
        with pytest.raises(ParameterError, match=r"D = 1e\+308.*overflows"):
            qdq.run(spec)


def test_large_but_finite_phases_run():
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=4)
    r = qdq.run(qdq.RealTime(qdq.Hamiltonian(p, D=1e250), time=1e40, steps=1))
    assert np.all(np.isfinite(r.probabilities)) and r.probabilities.sum() == pytest.approx(1)


@pytest.mark.parametrize("seed", [-1, 1.5, True, "3"])
def test_bad_seed_is_a_parameter_error_everywhere(seed):
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=1, steps=2)
    with pytest.raises(ParameterError, match=f"got {seed!r}"):
        qdq.run(spec, shots=10, seed=seed)
    with pytest.raises(ParameterError, match="non-negative integer"):
        check_seed(seed)
    from qdq.hardware.submit import _check_seed as submit_seed
    from qdq.store import _check_seed as store_seed

    for fn in (submit_seed, store_seed):
        with pytest.raises(ParameterError, match="non-negative integer"):
            fn(seed)
    assert check_seed(np.int64(4)) == 4 and check_seed(None) is None


def test_non_finite_result_is_never_reported(monkeypatch):
    with pytest.raises(BackendError, match="1 non-finite"):
        check_finite_distribution(np.array([0.5, np.nan]), "x")
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=1, steps=2)
    good = qdq.run(spec)
    bad = type(good)(**{**good.__dict__, "probabilities": np.full(8, np.nan)})
    monkeypatch.setattr("qdq.engines.emulator.run_emulator", lambda *a, **k: bad)
    with pytest.raises(QdqError, match="non-finite probabilities"):
        qdq.run(spec)
