"""Tests of qdq.theory: each closed form against emulator dynamics or a dense eigensolve."""

from __future__ import annotations

import numpy as np
import pytest

import qdq
from qdq import theory as th
from qdq.errors import ParameterError
from tests.reference import dense_hamiltonian


def _free(bounds, qubits):
    """A problem with ζ ≡ 0 (so one product-formula step is the exact free propagator)."""
    return qdq.Problem(lambda x: 0.0 * x, bounds=bounds, qubits=qubits)


def _spectrum(p, D):
    E, V = np.linalg.eigh(dense_hamiltonian(np.asarray(p.values), p.grid.bounds, D))
    return E, V.T.reshape(-1, *p.grid.shape)


# --------------------------------------------------------------- free packets
@pytest.mark.parametrize("t", [0.5, 1.0, 2.0, 4.0])
def test_real_time_dispersion_matches_sigma0_sqrt_1_plus_Dt_over_sigma0_sq(t):
    p = _free([(-40, 40)], 10)
    sigma0, D = 0.5, 0.5
    H = qdq.Hamiltonian(p, D=D)
    r = qdq.run(qdq.RealTime(H, time=t, steps=1, initial=qdq.GaussianPacket(0.0, sigma0)))
    _, width = th.moments(r.probabilities, p.grid.points[0])
    assert width == pytest.approx(th.free_packet_width(t, sigma0, D), rel=1e-6)
    # the factor-2 variant σ₀√(1 + (2Dt/σ₀²)²) is clearly excluded
    assert abs(width - sigma0 * np.sqrt(1 + (2 * D * t / sigma0**2) ** 2)) > 0.1


@pytest.mark.parametrize("tau", [0.5, 2.0, 5.0])
def test_imaginary_time_free_packet_diffuses(tau):
    p = _free([(-30, 30)], 9)
    sigma0, D = 0.4, 0.7
    H = qdq.Hamiltonian(p, D=D)
    r = qdq.run(qdq.ImaginaryTime(H, time=tau, steps=1, initial=qdq.GaussianPacket(0.0, sigma0)))
    x = p.grid.points[0]
    _, w_prob = th.moments(r.probabilities, x)
    assert w_prob == pytest.approx(th.imaginary_packet_width(tau, sigma0, D), rel=1e-6)
    psi = r.statevector.real
    assert np.all(psi > -1e-12)
    _, w_amp = th.moments(psi, x)  # ψ itself read as a profile: variance 2σ₀² + 2Dτ
    assert w_amp == pytest.approx(th.imaginary_amplitude_width(tau, sigma0, D), rel=1e-6)


def test_imaginary_time_free_evolution_is_heat_kernel_convolution():
    p = _free([(-30, 30)], 9)
    D, tau = 0.5, 1.5
    x = p.grid.points[0]
    psi0 = np.exp(-np.abs(x - 1.0)) * (1 + 0.3 * np.sin(2 * x))  # not a Gaussian
    r = qdq.run(qdq.ImaginaryTime(qdq.Hamiltonian(p, D=D), time=tau, steps=1, initial=psi0))
    # direct real-space convolution with (4πDτ)^{-1/2} e^{-(x-y)²/4Dτ}: no FFT involved
    h = p.grid.spacing[0]
    conv = th.heat_kernel(x[:, None] - x[None, :], tau, D) @ psi0 * h
    conv /= np.linalg.norm(conv)
    np.testing.assert_allclose(r.statevector.real, conv, atol=1e-8)


def test_heat_kernel_has_unit_mass_and_variance_2Dtau():
    x = np.linspace(-40, 40, 20001)
    k = th.heat_kernel(x, 2.0, 0.75)
    dx = x[1] - x[0]
    assert np.sum(k) * dx == pytest.approx(1.0, rel=1e-9)
    assert np.sum(k * x**2) * dx == pytest.approx(2 * 0.75 * 2.0, rel=1e-9)


# --------------------------------------------------------------- harmonic well
def test_harmonic_levels_and_ground_width():
    c, D = 0.8, 0.6
    p = qdq.Problem(f"{c}*x**2", bounds=[(-8, 8)], qubits=7)
    E, S = _spectrum(p, D)
    np.testing.assert_allclose(E[:5], th.harmonic_levels(c, D, range(5)), rtol=1e-9)
    _, width = th.moments(np.abs(S[0]) ** 2, p.grid.points[0])
    assert width**2 == pytest.approx(th.harmonic_ground_variance(c, D), rel=1e-9)
    assert th.zero_point_energy(D, 2 * c) == pytest.approx(E[0], rel=1e-9)


def test_imaginary_time_relaxes_to_the_harmonic_ground_width():
    c, D = 1.0, 0.5
    p = qdq.Problem("x**2", bounds=[(-6, 6)], qubits=7)
    H = qdq.Hamiltonian(p, D=D)
    snap = th.evolve_snapshots(H, qdq.GaussianPacket(1.0, 1.0), [10.0], dt=0.005)[0]
    _, width = th.moments(np.abs(snap) ** 2, p.grid.points[0])
    assert width**2 == pytest.approx(th.harmonic_ground_variance(c, D), rel=1e-4)


# --------------------------------------------------------------- imaginary-time populations
@pytest.fixture(scope="module")
def double_well_run():
    p = qdq.Problem("0.25*x**4 - x**2 + 0.3*x", bounds=[(-4, 4)], qubits=6)
    D = 0.5
    E, S = _spectrum(p, D)
    taus = [0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    snaps = th.evolve_snapshots(qdq.Hamiltonian(p, D=D), qdq.GaussianPacket(1.2, 0.5), taus,
                                dt=0.005)
    return E, S, taus, snaps


def test_populations_follow_the_softmax(double_well_run):
    E, S, taus, snaps = double_well_run
    c2 = th.populations(snaps[0], S)
    assert c2.sum() == pytest.approx(1.0, abs=1e-12)
    for tau, psi in zip(taus, snaps, strict=True):
        measured = th.populations(psi, S)
        np.testing.assert_allclose(measured, th.imaginary_populations(E, c2, tau), atol=5e-6)
    # guard: populations really moved (ground weight 0.06 -> > 0.99)
    assert c2[0] < 0.1 and th.populations(snaps[-1], S)[0] > 0.99


def test_excited_weight_decays_at_twice_the_gap(double_well_run):
    E, S, taus, snaps = double_well_run
    late = [i for i, t in enumerate(taus) if t >= 5.0]
    excited = [1 - th.populations(snaps[i], S)[0] for i in late]
    slope = th.fit_log_slope([taus[i] for i in late], excited)
    assert slope == pytest.approx(th.gap_decay_rate(E[0], E[1]), rel=0.01)


def test_two_levels_give_a_sigmoid():
    p = qdq.Problem("0.25*x**4 - x**2", bounds=[(-4, 4)], qubits=6)
    D = 0.3
    E, S = _spectrum(p, D)
    w0, w1 = 0.2, 0.8
    psi0 = np.sqrt(w0) * S[0] + np.sqrt(w1) * S[1]
    taus = [0.0, 2.0, 5.0, 10.0, 20.0]
    snaps = th.evolve_snapshots(qdq.Hamiltonian(p, D=D), psi0, taus, dt=0.01)
    gap = E[1] - E[0]
    measured = [th.populations(s, S)[1] for s in snaps]
    np.testing.assert_allclose(measured, th.two_level_excited_population(gap, taus, w0, w1),
                               atol=1e-5)
    assert measured[0] > 0.79 and measured[-1] < 0.3  # guard: it crossed over


# --------------------------------------------------------------- two-well crossover
def test_ground_state_moves_wells_at_the_zero_point_crossover():
    kw = dict(x_deep=-2.0, x_shallow=2.0, K_deep=8.0, K_shallow=2.0, depth_difference=0.1)
    p = qdq.Problem(lambda x: th.two_parabola_well(x, **kw), bounds=[(-5, 5)], qubits=7)
    predicted = th.crossover_D(0.1, 8.0, 2.0)
    numeric = th.locate_crossover(p, split=-0.5, D_low=0.002, D_high=0.05)
    assert numeric == pytest.approx(predicted, rel=1e-3)
    # either side of it the ground state sits in one well
    assert th.deep_well_weight(qdq.Hamiltonian(p, 0.7 * predicted), -0.5) > 0.99
    assert th.deep_well_weight(qdq.Hamiltonian(p, 1.4 * predicted), -0.5) < 0.01


# --------------------------------------------------------------- bad input
def test_bad_inputs_are_rejected():
    with pytest.raises(ParameterError, match="no crossover: K_deep=1 <= K_shallow=2"):
        th.crossover_D(0.1, 1.0, 2.0)
    with pytest.raises(ParameterError, match="same shape"):
        th.imaginary_populations([0.0, 1.0], [1.0], 1.0)
    with pytest.raises(ParameterError, match="sigma0 must be finite and > 0, got -1"):
        th.free_packet_width(1.0, -1, 0.5)
    with pytest.raises(ParameterError, match="values must be > 0"):
        th.fit_log_slope([0, 1], [1.0, 0.0])
    H = qdq.Hamiltonian(qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3), D=1.0)
    with pytest.raises(ParameterError, match="time_axis must be"):
        th.evolve_snapshots(H, "uniform", [1.0], time_axis="complex")
    with pytest.raises(ParameterError, match="non-decreasing"):
        th.evolve_snapshots(H, "uniform", [2.0, 1.0])
    p = qdq.Problem("(x + 1)**2", bounds=[(-4, 4)], qubits=5)
    with pytest.raises(ParameterError, match="do not bracket"):
        th.locate_crossover(p, 1.0, 0.01, 0.1)
