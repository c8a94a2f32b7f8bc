"""The JAX engine against the numpy emulator: same product formula, same Result."""

import numpy as np
import pytest

import qdq
from qdq.engines.emulator import run_emulator
from qdq.errors import ParameterError
from qdq.jax.engine import run_jax

PROBLEMS = {
    1: lambda: qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3, 3)], qubits=6),
    2: lambda: qdq.Problem("x**2 + 0.5*y**2 + 0.3*x*y", bounds=[(-3, 3), (-3, 3)], qubits=4),
    3: lambda: qdq.Problem("x**2 + y**2 + z**2 + 0.2*x*z", bounds=[(-2, 2)] * 3,
                           qubits=[3, 4, 3]),
}


def _spec(dims, kind, order):
    p = PROBLEMS[dims]()
    H = qdq.Hamiltonian(p, D=0.3)
    if kind == "real":
        return qdq.RealTime(H, time=1.0, steps=12, order=order)
    if kind == "imaginary":
        return qdq.ImaginaryTime(H, time=2.0, steps=12, order=order)
    return qdq.Anneal(p, D=0.3, schedule="qhd-cubic", time=2.0, steps=12, order=order)


def _fidelity(a, b):
    return abs(np.vdot(a, b)) ** 2 / (np.vdot(a, a).real * np.vdot(b, b).real)


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("kind, order", [("real", 2), ("imaginary", 1), ("anneal", 4)])
def test_jax_matches_the_emulator(dims, kind, order):
    spec = _spec(dims, kind, order)
    ref, out = run_emulator(spec, observe_every=4), run_jax(spec, observe_every=4)
    assert out.backend == "jax" and out.method == ref.method
    assert _fidelity(ref.statevector, out.statevector) >= 1 - 1e-12
    np.testing.assert_allclose(out.probabilities, ref.probabilities, atol=1e-13)
    assert out.success_probability == pytest.approx(ref.success_probability, rel=1e-12)
    assert out.factors == ref.factors
    assert sorted(out.trace) == sorted(ref.trace)
    for key in ref.trace:
        np.testing.assert_allclose(out.trace[key], ref.trace[key], rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("kind, order", [("real", 1), ("real", 4), ("imaginary", 2),
                                         ("anneal", 1), ("anneal", 2)])
def test_every_order_matches_in_1d(kind, order):
    spec = _spec(1, kind, order)
    assert _fidelity(run_emulator(spec).statevector, run_jax(spec).statevector) >= 1 - 1e-12


def test_chunks_and_observation_blocks_do_not_change_the_answer():
    spec = _spec(1, "anneal", 2)
    whole = run_jax(spec, observe_every=3)
    chunked = run_jax(spec, observe_every=3, chunk=7)    # 7 -> 6 pairs a chunk, 2 chunks
    np.testing.assert_allclose(chunked.statevector, whole.statevector, atol=1e-14)
    assert whole.trace["kinetic_factors"].tolist() == [3, 6, 9, 12]
    for key in whole.trace:
        np.testing.assert_allclose(chunked.trace[key], whole.trace[key], rtol=1e-13)


def test_trace_ends_with_the_results_figures():
    r = run_jax(_spec(2, "imaginary", 2), observe_every=5)
    assert r.trace["kinetic_factors"].tolist() == [5, 10, 12]
    assert r.trace["norm"][-1] == pytest.approx(r.success_probability, rel=1e-12)
    assert r.trace["p_global_min"][-1] == pytest.approx(r.p_global_min, rel=1e-12)
    assert np.all(np.diff(r.trace["norm"]) < 0)          # P_success only falls


def test_runs_through_the_registry_with_shots():
    spec = _spec(1, "imaginary", 2)
    r = qdq.run(spec, backend="jax", shots=500, seed=3)
    again = qdq.run(spec, backend="jax", shots=500, seed=3)
    assert r.shots == 500 and r.statevector is None
    np.testing.assert_array_equal(r.probabilities, again.probabilities)
    assert r.probabilities.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("options, match", [({"devices": 0}, "devices"),
                                            ({"observe_every": -1}, "observe_every"),
                                            ({"chunk": 0}, "chunk")])
def test_bad_options_are_refused(options, match):
    with pytest.raises(ParameterError, match=match):
        run_jax(_spec(1, "real", 2), **options)


# ------------------------------------------------ four-step transform (long 1-D grids)
@pytest.mark.parametrize("n", [4, 8, 32, 128, 2048])
def test_four_step_fft_is_the_dft_in_its_documented_order(n):
    import jax.numpy as jnp

    from qdq.jax.evolve import four_step_fft, four_step_order, four_step_twiddle

    n1, n2, w = four_step_twiddle(n)
    assert n1 * n2 == n and n1 >= n2
    order = four_step_order(n)
    assert sorted(order.tolist()) == list(range(n))
    fft = four_step_fft(jnp.asarray(w))
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    y = np.asarray(fft.forward(jnp.asarray(x)))
    np.testing.assert_allclose(y, np.fft.fft(x)[order], rtol=0, atol=1e-13 * np.sqrt(n))
    np.testing.assert_allclose(np.asarray(fft.inverse(jnp.asarray(y))), x, rtol=0,
                               atol=1e-14 * np.sqrt(n))


@pytest.mark.parametrize("kind", ["real", "imaginary", "anneal"])
def test_engine_on_the_four_step_path_matches_the_emulator(kind, monkeypatch):
    import qdq.jax.engine as eng

    monkeypatch.setattr(eng, "FOUR_STEP_POINTS", 64)  # the 2^18-point path, at 2^7 points
    p = qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3, 3)], qubits=7)
    H = qdq.Hamiltonian(p, D=0.3)
    spec = {"real": qdq.RealTime(H, time=1.0, steps=12, order=4),
            "imaginary": qdq.ImaginaryTime(H, time=2.0, steps=12, order=2),
            "anneal": qdq.Anneal(p, D=0.3, schedule="qhd-cubic", time=2.0, steps=12,
                                 order=1)}[kind]
    emu = run_emulator(spec, observe_every=4)
    jx = eng.run_jax(spec, observe_every=4)
    assert jx.extra["fft"] == "four-step"
    assert _fidelity(emu.statevector, jx.statevector) >= 1 - 1e-12
    assert _fidelity(emu.statevector, spec.initial_state()) < 0.99  # the state moved
    assert sorted(jx.trace) == sorted(emu.trace)
    for key in emu.trace:
        np.testing.assert_allclose(jx.trace[key], emu.trace[key], rtol=1e-12, atol=1e-13)
    assert jx.success_probability == pytest.approx(emu.success_probability, rel=1e-12)
