"""Kinetic terms as objects: a new space is one class plus one registration.

The toy space here is the cycle graph's Laplacian on each register, ``(2 − S − S⁻¹)/h²``
(the finite-difference −∇²): defined below in one class, registered with one line, it runs
on the emulator and as a Qiskit circuit, and both match a dense ``expm`` built from the
shift matrix, not from anything in qdq.
"""

import numpy as np
import pytest
import scipy.fft as sfft
import scipy.linalg as sla

import qdq
from qdq.errors import ParameterError
from qdq.kinetic import (
    KINETIC_TERMS,
    FourierLaplacian,
    HypercubeLaplacian,
    KineticTerm,
    momentum_index,
    register_kinetic,
)


class CycleLaplacian(KineticTerm):
    """The toy space: the cycle graph's Laplacian per register, diagonal in Fourier space."""

    name = "cycle-laplacian"
    basis = "fourier"

    def register_diagonal(self, d):
        n, h = self.layout.qubits[d], self.layout.spacing[d]
        return (2 - 2 * np.cos(2 * np.pi * momentum_index(n) / (1 << n))) / h**2

    def to_basis(self, psi):
        return sfft.fftn(psi)

    def from_basis(self, phi):
        return sfft.ifftn(phi)


@pytest.fixture
def cycle_registered():
    register_kinetic(CycleLaplacian)  # the one registry line
    yield
    KINETIC_TERMS.pop(CycleLaplacian.name, None)


def _cycle_dense(N, h):
    shift = np.roll(np.eye(N), 1, axis=0)
    return (2 * np.eye(N) - shift - shift.T) / h**2


@pytest.mark.parametrize("backend", ["emulator", "aer"])
def test_a_toy_space_is_one_class_and_one_registration(cycle_registered, backend):
    p = qdq.Problem("0.3*x**2 + 0.2*x", bounds=[(-2, 2)], qubits=3)
    H = qdq.Hamiltonian(p, D=0.4, kinetic="cycle-laplacian")
    spec = qdq.RealTime(H, time=1.5, steps=400, order=4)
    r = qdq.run(spec, backend=backend)
    h = p.grid.spacing[0]
    dense = 0.4 * _cycle_dense(8, h) + np.diag(p.values)
    psi0 = np.full(8, 8**-0.5, dtype=complex)
    ref = sla.expm(-1.5j * dense) @ psi0
    assert np.max(np.abs(r.probabilities - np.abs(ref) ** 2)) < 1e-9
    assert np.max(np.abs(np.abs(ref) ** 2 - 1 / 8)) > 0.05  # the state moved
    # ... and the Fourier Laplacian's dynamics differ: the toy really was used.
    other = qdq.run(qdq.RealTime(qdq.Hamiltonian(p, D=0.4), time=1.5, steps=400, order=4),
                    backend="emulator")
    assert np.max(np.abs(other.probabilities - r.probabilities)) > 1e-3


def test_hamiltonian_dense_of_the_toy_space(cycle_registered):
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    H = qdq.Hamiltonian(p, D=1.0, kinetic="cycle-laplacian")
    want = _cycle_dense(8, p.grid.spacing[0]) + np.diag(p.values)
    assert np.allclose(H.dense(), want, atol=1e-9)


def test_unknown_kinetic_name_is_refused():
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    with pytest.raises(ParameterError, match="unknown kinetic term 'nope'"):
        qdq.Hamiltonian(p, kinetic="nope")


def test_hypercube_is_the_fourier_laplacian_of_two_point_grids():
    # n one-qubit periodic grids of length π√2 have k² ∈ {0, 2}: the hypercube Laplacian.
    n = 3
    grid = qdq.Grid([(0.0, np.pi * np.sqrt(2))] * n, qubits=1)
    fourier = FourierLaplacian(grid).dense()          # C order of shape (2, 2, 2): bit 0 first
    hyper = HypercubeLaplacian(n).dense()             # flat index Σ x_i 2^i
    perm = [int("".join(str((i >> b) & 1) for b in range(n)), 2) for i in range(1 << n)]
    assert np.allclose(fourier[np.ix_(perm, perm)], hyper, atol=1e-12)


def test_hypercube_dense_is_sum_of_one_minus_x():
    n = 4
    X, I2 = np.array([[0, 1], [1, 0]]), np.eye(2)
    want = np.zeros((16, 16))
    for i in range(n):
        op = np.eye(1)
        for q in reversed(range(n)):  # qubit n−1 is the most significant factor
            op = np.kron(op, X if q == i else I2)
        want += np.eye(16) - op
    L = HypercubeLaplacian(n)
    assert np.allclose(L.dense(), want)
    assert np.allclose(np.sort(np.linalg.eigvalsh(want)), np.sort(L.diagonal()))


@pytest.mark.parametrize("imaginary", [False, True])
def test_hypercube_exp_inplace_matches_expm(imaginary):
    n, c = 4, 0.37
    rng = np.random.default_rng(1)
    psi = rng.normal(size=16) + 1j * rng.normal(size=16)
    L = HypercubeLaplacian(n).dense()
    want = sla.expm((-c if imaginary else -1j * c) * L) @ psi
    got = psi.copy()
    HypercubeLaplacian(n).exp_inplace(got, c, imaginary)
    assert np.allclose(got, want, atol=1e-12)
    assert np.max(np.abs(got - psi)) > 0.1
