"""Imaginary-time evolution against analytic results (emulator and Aer circuits).

Error budget used below.

* Grid error. For H = -D d^2 + c x^2 the ground state is psi ~ exp(-a x^2), a = sqrt(c/D)/2,
  with Fourier transform ~ exp(-k^2 / 4a). On the periodic box [-L/2, L/2) with spacing h the
  spectral discretization differs from the continuum by the truncated tail,
  ~ exp(-2a (L/2)^2), and by aliasing, ~ exp(-(pi/h)^2 / 2a). For c = 1, D = 0.5,
  L = 16, h = 1/8 these are e^-90 and e^-223: the grid energy equals sqrt(cD) to rounding
  (we allow 1e-10). With L = 10, h = 5/16 (the 5-qubit Aer check): e^-35 and e^-70.
* Trotter error. Every factor maps a centred Gaussian exp(-a x^2) to a Gaussian:
  the potential factor e^{-c x^2 s} sends a -> a + c s, the kinetic factor e^{-D k^2 s}
  sends a -> a / (1 + 4 a D s). The Strang step (potential s = dt/2, kinetic dt, potential
  dt/2) and the order-1 step (potential dt, then kinetic dt) therefore have Gaussian fixed
  points a*(dt), found below by iterating the scalar map, with energy
  E(dt) = <T> + <V> = D a* + c / (4 a*). Imaginary time converges to that fixed point with
  the excited amplitude decaying as exp(-(E_2 - E_0) tau) (odd states are not populated by
  a symmetric start); <H> is measured with H, not with the step's own O(dt^2)-different
  generator, so its error is *linear* in that amplitude, ~ dt^2 exp(-(E_2 - E_0) tau)
  (observed: 3e-3 e^{-2.83 tau} at dt = 0.1). With that tail made negligible the
  engine must reproduce E(dt) to rounding, and E(dt) -> sqrt(cD) as dt^2 (order 1: the
  fixed point is the Strang one times e^{-T dt/2}, an O(dt) state error) or dt^4
  (order 2: the fixed point is the ground state of H + O(dt^2), and <H> is stationary in
  the state, so the energy error is quadratic in the O(dt^2) state error).
"""

import numpy as np
import pytest

import qdq
from qdq.engines.aer import run_aer

C, D = 1.0, 0.5
E0 = np.sqrt(C * D)


def strang_fixed_point_energy(dt, order, c=C, d=D):
    """<H> of the Gaussian fixed point of the order-1/order-2 imaginary-time step."""
    a = 1.0
    for _ in range(100_000):
        if order == 2:
            b = a + c * dt / 2
            b = b / (1 + 4 * b * d * dt)
            b = b + c * dt / 2
        else:
            b = a + c * dt
            b = b / (1 + 4 * b * d * dt)
        if abs(b - a) < 1e-16 * a:
            break
        a = b
    return d * a + c / (4 * a)


@pytest.fixture(scope="module")
def harmonic():
    p = qdq.Problem("x**2", bounds=[(-8, 8)], qubits=7)
    return qdq.Hamiltonian(p, D=D)


def test_grid_ground_energy_is_analytic(harmonic):
    E, _ = harmonic.ground_state()
    assert abs(E - E0) < 1e-10


@pytest.mark.parametrize("order, rate", [(1, 4.0), (2, 16.0)])
def test_harmonic_imaginary_time_energy_is_the_trotter_fixed_point(harmonic, order, rate):
    tau = 10.0  # tail ~ dt^2 e^{-2.83 tau} < 1e-14
    errors = []
    for dt in (0.1, 0.05):
        r = qdq.run(qdq.ImaginaryTime(harmonic, time=tau, steps=int(round(tau / dt)),
                                      order=order))
        E_dt = strang_fixed_point_energy(dt, order)
        assert abs(r.expected_energy - E_dt) < 1e-10
        errors.append(E_dt - E0)
    # analytic convergence of the fixed point: dt^2 (order 1) or dt^4 (order 2)
    assert errors[0] / errors[1] == pytest.approx(rate, rel=0.05)
    assert 0 < errors[1] < {1: 5e-4, 2: 3e-6}[order]


def test_harmonic_energy_on_aer_circuit_matches_analytic_fixed_point():
    p = qdq.Problem("x**2", bounds=[(-5, 5)], qubits=5)
    H = qdq.Hamiltonian(p, D=D)
    spec = qdq.ImaginaryTime(H, time=8.0, steps=20, order=2)  # tail ~5e-2 e^{-22.6}
    r = run_aer(spec)
    e = qdq.run(spec, backend="emulator")
    E_dt = strang_fixed_point_energy(0.4, 2)
    assert abs(r.expected_energy - E_dt) < 1e-9
    assert abs(E_dt - E0) > 1e-6  # the Trotter shift is resolved, so the check is sharp
    assert r.success_probability == pytest.approx(e.success_probability, rel=1e-9)


def test_free_particle_success_probability_is_heat_kernel_norm():
    # psi0 ~ exp(-x^2 / 4 s^2): psi diffuses, |psi|^2 variance s^2 -> s^2 + D tau, and the
    # unrenormalized norm^2 is s / sqrt(s^2 + D tau) (no potential blocks, one exact factor).
    p = qdq.Problem(lambda x: 0.0 * x, bounds=[(-10, 10)], qubits=6)
    s, tau = 0.8, 1.0
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(p, D=D), time=tau, steps=1, order=1,
                             initial=qdq.GaussianPacket(0.0, s))
    r = run_aer(spec)
    x = p.grid.points[0]
    var = float(np.sum(r.probabilities * x**2))
    assert var == pytest.approx(s**2 + D * tau, rel=1e-9)
    assert r.success_probability == pytest.approx(s / np.sqrt(s**2 + D * tau), rel=1e-9)
    assert r.extra["blocks"] == 1  # zero potential needs no block


@pytest.mark.parametrize("order, rate", [(1, 4.0), (2, 16.0)])
def test_double_well_ground_energy_converges_in_dt(order, rate):
    p = qdq.Problem("x**4 - 2*x**2 + 0.3*x", bounds=[(-3, 3)], qubits=7)
    H = qdq.Hamiltonian(p, D=0.1)
    (E_ground, E_first), states = H.eigenstates(2)
    tau = 40.0  # gap ~0.5: tail ~ dt^2 e^{-0.5 tau} ~ 1e-11, below the dt^4 error at 0.02
    dts = (0.08, 0.04, 0.02)
    errors = []
    for dt in dts:
        r = qdq.run(qdq.ImaginaryTime(H, time=tau, steps=int(round(tau / dt)), order=order))
        errors.append(H.energy(r.statevector) - E_ground)
    assert all(e > 0 for e in errors)  # variational: the energy lies above the ground state
    ratios = [errors[i] / errors[i + 1] for i in range(2)]
    assert ratios == pytest.approx([rate, rate], rel=0.05)
    # Richardson extrapolation removes the leading dt^p term: E_ground to O(dt^{p+2}).
    extrap = (rate * (errors[2] + E_ground) - (errors[1] + E_ground)) / (rate - 1)
    assert abs(extrap - E_ground) < errors[2] / 20
    # <H> - E_0 >= (1 - |<psi_0|psi>|^2)(E_1 - E_0) bounds the state error by the energy error
    overlap = abs(np.vdot(states[0], r.statevector)) ** 2
    assert overlap >= 1 - errors[2] / (E_first - E_ground) - 1e-12
    assert p.grid.points[0][np.argmax(np.abs(states[0]))] < 0  # the deeper (left) well
