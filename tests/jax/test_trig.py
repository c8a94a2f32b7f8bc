"""``expi``: the polynomial ``e^{iθ}`` against numpy over its whole exact range, and beyond."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from qdq.jax.evolve import phase
from qdq.jax.trig import EXACT_LIMIT, expi

# One ulp of a number in [0.5, 1) is 1.1e-16; the polynomial path is within two of numpy.
TOL = 2.3e-16
_expi = jax.jit(expi)


@pytest.mark.parametrize("scale", [1e-300, 1e-8, 0.7, np.pi / 4, 10.0, 1e3, 1e6, EXACT_LIMIT])
def test_matches_numpy_per_component(scale):
    rng = np.random.default_rng(int(np.log10(scale) + 400))
    theta = rng.uniform(-scale, scale, 1 << 16)
    z = np.asarray(_expi(jnp.asarray(theta)))
    assert np.abs(z.real - np.cos(theta)).max() <= TOL
    assert np.abs(z.imag - np.sin(theta)).max() <= TOL


def test_quadrant_boundaries_and_special_angles():
    k = np.arange(-4000, 4001)
    theta = np.concatenate([k * (np.pi / 4), k * (np.pi / 2), np.nextafter(k * np.pi / 4, 9)])
    z = np.asarray(_expi(jnp.asarray(theta)))
    assert np.abs(z - np.exp(1j * theta)).max() <= 2 * TOL
    assert np.asarray(_expi(jnp.zeros(3))).tolist() == [1 + 0j] * 3


def test_beyond_the_exact_range_falls_back_to_libm():
    # A θ past the Cody–Waite range takes XLA's cos/sin for the whole array: still right.
    theta = np.array([0.3, 1e12, -3e15, 2.0 * EXACT_LIMIT])
    z = np.asarray(_expi(jnp.asarray(theta)))
    assert np.abs(z - np.exp(1j * theta)).max() < 1e-15


def test_derivative_is_exact():
    t = jnp.linspace(-40.0, 40.0, 101)
    jac = jax.vmap(jax.jacfwd(lambda s: expi(s)))(t)
    np.testing.assert_allclose(np.asarray(jac), 1j * np.exp(1j * np.asarray(t)), rtol=0,
                               atol=3e-16)
    g = jax.grad(lambda c: jnp.sum(jnp.real(expi(c * t)) * t))(0.37)
    assert float(g) == pytest.approx(float(-np.sum(np.sin(0.37 * t) * t ** 2)), rel=1e-13)


def test_phase_uses_it_and_moves_the_state():
    diag = jnp.linspace(0.0, 50.0, 257)
    z = np.asarray(phase(diag, 0.31, False))
    ref = np.exp(-1j * 0.31 * np.asarray(diag))
    assert np.abs(z - ref).max() <= 2 * TOL
    assert np.abs(z - 1).max() > 1.0  # a real rotation, not an identity


def test_bounded_expi_equals_expi_on_its_range():
    from qdq.jax.trig import EXACT_LIMIT, expi, expi_bounded

    theta = jnp.asarray(np.random.default_rng(3).uniform(-EXACT_LIMIT, EXACT_LIMIT, 4096))
    # Not bit-equal: fused into one loop, XLA may contract multiply-adds differently.
    diff = np.abs(np.asarray(expi_bounded(theta)) - np.asarray(expi(theta)))
    assert diff.max() <= 2.3e-16 and np.abs(np.asarray(expi_bounded(theta))).min() > 0.99


def test_engine_fuses_phases_only_for_chunks_within_the_polynomial_range(monkeypatch):
    import qdq
    import qdq.jax.engine as engine

    seen = []
    original = engine._chunk

    def spy(*args, **kwargs):
        seen.append(kwargs.get("bounded"))
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, "_chunk", spy)
    for scale, expected in ((1.0, True), (1e9, False)):  # 1e9·c·max ζ > EXACT_LIMIT
        seen.clear()
        p = qdq.Problem(f"{scale}*(x**2 + y**2 + 0.3*x*y)", bounds=[(-1, 1)] * 2, qubits=4)
        spec = qdq.Anneal(p, D=0.5, time=1.0, steps=40, schedule="qhd-cubic")
        got = engine.run_jax(spec)
        assert seen and set(seen) == {expected}
        ref = qdq.run(spec, backend="emulator")
        assert np.max(np.abs(np.asarray(got.statevector) - np.asarray(ref.statevector))) \
            < 1e-12 * max(1.0, 1e-8 * scale)
        assert np.max(np.abs(ref.probabilities - 1 / ref.probabilities.size)) > 1e-3  # moved
