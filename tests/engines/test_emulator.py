"""The FFT emulator against dense expm (DFT matrices built in the test) and analytic results."""

import numpy as np
import pytest
from scipy.linalg import expm

import qdq
from qdq.errors import ParameterError
from tests.reference import dense_hamiltonian, fidelity


def _exact(problem, D, time, psi0):
    H = dense_hamiltonian(problem.values, problem.grid.bounds, D)
    return (expm(-1j * H * time) @ psi0.reshape(-1)).reshape(problem.grid.shape)


def _packet(problem, center, width):
    return qdq.GaussianPacket(center=center, width=width, momentum=1.0)


@pytest.mark.parametrize("order, slope", [(1, 1), (2, 2), (4, 4)])
def test_trotter_error_scales_with_order(order, slope):
    # Box wide enough that the packet never feels the periodic seam of the potential
    # (a seam excites high momenta and delays the asymptotic dt^p regime).
    p = qdq.Problem("0.5*x**2 + 0.3*sin(2*x)", bounds=[(-8, 8)], qubits=6)
    D, T = 0.5, 1.5
    init = _packet(p, -1.0, 0.6)
    H = qdq.Hamiltonian(p, D=D)
    psi0 = qdq.RealTime(H, time=T, steps=1, initial=init).initial_state()
    exact = _exact(p, D, T, psi0)
    assert fidelity(exact, psi0) < 0.9  # the evolution really moved the state
    steps = [8, 16, 32, 64] if order != 4 else [16, 32, 64, 128]
    errs = []
    for n in steps:
        r = qdq.run(qdq.RealTime(H, time=T, steps=n, order=order, initial=init))
        errs.append(np.linalg.norm(r.statevector - exact))
    fit = np.polyfit(np.log(T / np.array(steps)), np.log(errs), 1)[0]
    assert fit == pytest.approx(slope, abs=0.25), (errs, fit)
    assert errs[-1] < {1: 5e-2, 2: 1e-3, 4: 1e-7}[order]


def test_two_dimensional_non_separable_matches_expm():
    p = qdq.Problem("0.4*x**2 + 0.3*y**2 + 0.5*x*y", bounds=[(-3, 3), (-3, 3)], qubits=[4, 3])
    H = qdq.Hamiltonian(p, D=0.3)
    init = qdq.GaussianPacket(center=[0.8, -0.5], width=[0.7, 0.9], momentum=[0.0, 1.0])
    psi0 = qdq.RealTime(H, time=1.0, steps=1, initial=init).initial_state()
    exact = _exact(p, 0.3, 1.0, psi0)
    assert fidelity(exact, psi0) < 0.9
    r = qdq.run(qdq.RealTime(H, time=1.0, steps=64, order=4, initial=init))
    assert fidelity(r.statevector, exact) > 1 - 1e-10


@pytest.mark.parametrize("D, sigma0", [(0.5, 0.4), (1.0, 0.6)])
def test_free_packet_width_follows_dispersion(D, sigma0):
    # H = -D d^2 with zero potential: the kinetic factor is exact, so any step count works.
    p = qdq.Problem(lambda x: 0.0 * x, bounds=[(-40, 40)], qubits=11)
    H = qdq.Hamiltonian(p, D=D)
    x = p.grid.points[0]
    for t in (0.5, 1.0, 2.0):
        r = qdq.run(qdq.RealTime(H, time=t, steps=1, initial=qdq.GaussianPacket(0.0, sigma0)))
        mean = np.sum(r.probabilities * x)
        width = np.sqrt(np.sum(r.probabilities * (x - mean) ** 2))
        expected = sigma0 * np.sqrt(1 + (D * t / sigma0**2) ** 2)
        assert width == pytest.approx(expected, rel=1e-6)
        assert width > 1.2 * sigma0  # it spread


def test_imaginary_time_converges_to_ground_state():
    p = qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3, 3)], qubits=7)
    H = qdq.Hamiltonian(p, D=0.1)
    E0, psi_g = H.ground_state()
    r = qdq.run(qdq.ImaginaryTime(H, time=40.0, steps=4000, order=2), observe_every=500)
    assert fidelity(r.statevector, psi_g) > 1 - 1e-5
    assert r.expected_energy == pytest.approx(E0, abs=1e-4)
    assert 0 < r.success_probability < 1
    energies = r.trace["energy"]
    assert np.all(np.diff(energies) <= 1e-9)  # imaginary time never raises the energy


def test_success_probability_is_product_of_norms():
    # Independent: apply the shifted non-unitary factors with dense matrices, no renormalization.
    p = qdq.Problem("x**2 + 0.5*cos(3*x)", bounds=[(-2, 2)], qubits=4)
    D = 0.2
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=D), time=1.0, steps=5, order=2)
    n = p.grid.size
    F = np.fft.fft(np.eye(n), axis=0)
    k = 2 * np.pi * np.fft.fftfreq(n, d=p.grid.spacing[0])
    v = p.values - p.values.min()
    psi = np.full(n, 1 / np.sqrt(n), dtype=complex)
    for term, c in spec.product_formula().factors:
        if term == "potential":
            psi = np.exp(-c * v) * psi
        else:
            psi = np.linalg.inv(F) @ (np.exp(-c * D * k**2) * (F @ psi))
    r = qdq.run(spec)
    assert r.success_probability == pytest.approx(np.vdot(psi, psi).real, rel=1e-10)
    assert fidelity(r.statevector, psi) > 1 - 1e-12


def test_shots_sample_the_distribution():
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=4)
    spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=1.0, steps=10)
    exact = qdq.run(spec)
    r = qdq.run(spec, shots=40000, seed=3)
    assert r.statevector is None and r.shots == 40000
    assert 0.5 * np.abs(r.probabilities - exact.probabilities).sum() < 0.02
    again = qdq.run(spec, shots=40000, seed=3)
    np.testing.assert_array_equal(r.probabilities, again.probabilities)


def test_bad_shots():
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
    spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=1.0, steps=2)
    with pytest.raises(ParameterError, match="got 0"):
        qdq.run(spec, shots=0)


def test_unknown_backend_lists_valid_ones():
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
    spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=1.0, steps=2)
    with pytest.raises(qdq.errors.BackendError, match=r"did you mean emulator.*valid backends"):
        qdq.run(spec, backend="emulater")
