import numpy as np
import pytest

import qdq
from qdq.errors import ParameterError
from tests.reference import dense_hamiltonian


def test_dense_matches_independent_dft_construction():
    p = qdq.Problem("x**2 + 0.3*x*y", bounds=[(-2, 2), (-1, 3)], qubits=[3, 2])
    H = qdq.Hamiltonian(p, D=0.7)
    ref = dense_hamiltonian(p.values, p.grid.bounds, 0.7)
    np.testing.assert_allclose(H.dense(), ref, atol=1e-10)


def test_apply_matches_dense(rng):
    p = qdq.Problem("cos(3*x) + y**2", bounds=[(-2, 2), (-1, 1)], qubits=[3, 3])
    H = qdq.Hamiltonian(p, D=0.4)
    psi = rng.normal(size=p.grid.shape) + 1j * rng.normal(size=p.grid.shape)
    np.testing.assert_allclose(H.apply(psi).reshape(-1), H.dense() @ psi.reshape(-1), atol=1e-10)


@pytest.mark.parametrize("c, D", [(1.0, 1.0), (2.0, 0.125), (0.5, 0.5)])
def test_harmonic_ground_energy_is_sqrt_cD(c, D):
    # E_n = 2 sqrt(cD) (n + 1/2): spectral grid error is exponentially small when the box
    # holds the Gaussian and the momentum cut-off resolves it.
    p = qdq.Problem(f"{c}*x**2", bounds=[(-8, 8)], qubits=8)
    E, states = qdq.Hamiltonian(p, D=D).eigenstates(3)
    w = 2 * np.sqrt(c * D)
    np.testing.assert_allclose(E, w * (np.arange(3) + 0.5), rtol=1e-9)
    # Ground-state |psi|^2 width: sigma_x^2 = 1/2 sqrt(D/c).
    x = p.grid.points[0]
    prob = np.abs(states[0]) ** 2
    assert np.sum(prob * x**2) == pytest.approx(0.5 * np.sqrt(D / c), rel=1e-8)


@pytest.mark.parametrize("method", ["lobpcg", "eigsh"])
def test_iterative_paths_agree_with_dense(method):
    p = qdq.Problem("0.3*x**4 - x**2 + 0.2*x + 0.1*y**2 + 0.05*x*y",
                    bounds=[(-3, 3), (-3, 3)], qubits=[4, 4])
    H = qdq.Hamiltonian(p, D=0.05)
    E_dense, psi_dense = H.eigenstates(3, method="dense")
    E_it, psi_it = H.eigenstates(3, method=method)
    np.testing.assert_allclose(E_it, E_dense, rtol=1e-8, atol=1e-9)
    assert abs(np.vdot(psi_it[0], psi_dense[0])) ** 2 > 1 - 1e-8


def test_auto_uses_lobpcg_on_large_grids_and_matches_analytic():
    p = qdq.Problem("x**2", bounds=[(-10, 10)], qubits=11)  # 2048 points: dense is minutes
    E, _ = qdq.Hamiltonian(p, D=0.25).eigenstates(2)
    np.testing.assert_allclose(E, [0.5, 1.5], rtol=1e-9)


@pytest.mark.parametrize("D", [0, -1, float("nan"), "a"])
def test_bad_D(D):
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=2)
    with pytest.raises(ParameterError, match="D must be"):
        qdq.Hamiltonian(p, D=D)


def test_dense_refused_when_too_big(monkeypatch):
    import qdq.grid as grid_mod

    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=10)
    monkeypatch.setattr(grid_mod, "available_memory_bytes", lambda: 1 << 20)
    with pytest.raises(qdq.errors.ResourceError, match="dense 1024x1024"):
        qdq.Hamiltonian(p, D=1.0).dense()
