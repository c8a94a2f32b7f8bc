"""``fill_phase``: the half-angle real-time phase against an extended-precision reference."""

from __future__ import annotations

import numpy as np
import pytest

from qdq.engines.emulator_phases import fill_phase

EPS = np.finfo(np.float64).eps


@pytest.mark.parametrize("scale", [1e-6, 1.0, 40.0, 1e4])
def test_half_angle_phase_is_within_a_few_ulp_of_cos_and_sin(scale):
    rng = np.random.default_rng(7)
    base = rng.uniform(-scale, scale, 20_000)
    c = 0.73
    out = np.empty(base.shape, dtype=np.complex128)
    fill_phase(out, base, c, False)
    theta = (base * -c).astype(np.longdouble)  # the same float64 angle, longdouble trig
    assert np.max(np.abs(out.real - np.cos(theta))) <= 4 * EPS
    assert np.max(np.abs(out.imag - np.sin(theta))) <= 4 * EPS
    assert np.max(np.abs(np.abs(out) - 1.0)) <= 4 * EPS  # unitary to rounding
    if scale >= 40.0:  # the check could fail: the angles really wind around the circle
        assert out.real.min() < -0.9 and out.imag.max() > 0.9
    elif scale >= 1.0:
        assert np.abs(out.imag).max() > 0.5


def test_angles_next_to_odd_multiples_of_pi_stay_finite():
    # θ/2 as close to π/2 as floats get: tan is ~1e16, the phase is −1 (and finite).
    theta = np.array([np.pi, -np.pi, 3 * np.pi, np.nextafter(np.pi, 4.0), 1e15 * np.pi])
    out = np.empty(theta.shape, dtype=np.complex128)
    fill_phase(out, theta, -1.0, False)  # c = −1: θ itself
    assert np.all(np.isfinite(out))
    ref = np.cos(theta.astype(np.longdouble)) + 1j * np.sin(theta.astype(np.longdouble))
    assert np.max(np.abs(out - ref)) <= 4 * EPS


def test_imaginary_time_is_the_real_exponential():
    base = np.linspace(0.0, 5.0, 11)
    out = np.empty(base.shape)
    fill_phase(out, base, 0.3, True)
    assert np.allclose(out, np.exp(-0.3 * base), rtol=1e-15, atol=0)
