"""The JAX engine on binary problems: the same operator as the emulator, differentiable."""


import numpy as np
import pytest

pytest.importorskip("jax")

import qdq  # noqa: E402
from qdq.errors import ParameterError  # noqa: E402
from qdq.jax.qaoa import qaoa_energy_fn, ramp_for, train_qaoa  # noqa: E402


def instances():
    rng = np.random.default_rng(11)
    n = 6
    qubo = qdq.BinaryProblem(rng.normal(size=(n, n)))
    ising = qdq.BinaryProblem.from_ising(rng.normal(size=n),
                                         {(i, i + 1): float(rng.normal()) for i in range(n - 1)})
    cubic = qdq.BinaryProblem({(0, 1, 2): 1.5, (3, 4): -1.0, (5,): 0.7, (1, 4): 0.3},
                              num_bits=n)
    quartic = qdq.BinaryProblem({(0, 1, 2, 3): 2.0, (2, 5): -1.2, (4,): 0.4, (0,): -0.3},
                                num_bits=n)
    return [qubo, ising, cubic, quartic, qdq.benchmarks.labs(6)]


def specs(b):
    H = qdq.Hamiltonian(b, D=0.8)
    return [qdq.QAOA(b, [0.3, 0.5, 0.2], [0.6, 0.3, 0.1]),
            qdq.RealTime(H, time=1.2, steps=15, order=2),
            qdq.ImaginaryTime(H, time=0.6, steps=12, order=2),
            qdq.Anneal(b, D=1.0, schedule="linear", time=3.0, steps=30)]


@pytest.mark.parametrize("k", range(5))
def test_jax_equals_the_emulator_on_bits(k):
    b = instances()[k]
    for spec in specs(b):
        emu = qdq.run(spec, backend="emulator")
        jx = qdq.run(spec, backend="jax")
        assert np.max(np.abs(emu.statevector - jx.statevector)) < 1e-10, spec.method
        assert abs(jx.success_probability / emu.success_probability - 1) < 1e-10
        assert np.max(np.abs(jx.probabilities - 1 / 64)) > 1e-3  # the state moved
        assert jx.extra["fft"] == "walsh-hadamard"


def test_trace_energy_uses_the_hypercube_laplacian():
    b = instances()[2]
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(b, D=0.8), time=0.6, steps=12)
    jx = qdq.run(spec, backend="jax", observe_every=4)
    emu = qdq.run(spec, backend="emulator", observe_every=4)
    assert np.allclose(jx.trace["energy"], emu.trace["energy"], atol=1e-10)
    assert np.allclose(jx.trace["p_global_min"], emu.trace["p_global_min"], atol=1e-10)


def test_qaoa_energy_gradient_matches_finite_differences():
    import jax

    b = instances()[0]
    f = qaoa_energy_fn(b)
    g = np.array([0.3, 0.7])
    be = np.array([0.5, 0.2])
    grad_g, grad_b = jax.grad(f, argnums=(0, 1))(g, be)
    eps = 1e-6
    for i in range(2):
        d = np.zeros(2)
        d[i] = eps
        fd_g = (f(g + d, be) - f(g - d, be)) / (2 * eps)
        fd_b = (f(g, be + d) - f(g, be - d)) / (2 * eps)
        assert abs(float(grad_g[i]) - float(fd_g)) < 1e-6
        assert abs(float(grad_b[i]) - float(fd_b)) < 1e-6
    assert np.max(np.abs(np.asarray(grad_g))) > 1e-3  # not a flat point


def test_trained_angles_run_anywhere_and_beat_the_ramp():
    b = qdq.benchmarks.maxcut([(0, 1), (1, 2), (2, 3), (3, 0), (0, 2), (3, 4), (4, 5), (5, 1)])
    res = train_qaoa(b, p=2, steps=80, learning_rate=0.05)
    g0, b0 = ramp_for(b, 2)
    ramp = qdq.run(qdq.QAOA(b, g0, b0), backend="emulator").expected_potential
    trained = qdq.run(qdq.QAOA(b, res.gammas, res.betas), backend="emulator")
    assert abs(trained.expected_potential - res.energy) < 1e-10   # the same state
    assert res.energy < ramp - 0.2 and res.energy > float(b.values.min()) - 1e-12
    assert abs(res.history[0] - ramp) < 1e-10


def test_learned_anneal_schedule_on_bits_beats_the_linear_ramp():
    b = qdq.benchmarks.maxcut([(0, 1), (1, 2), (2, 3), (3, 0), (0, 2), (3, 4), (4, 5), (5, 1)])
    learned = qdq.optimize_schedule(b, D=1.0, time=4.0, steps=40, loss="energy", iterations=15)
    lin = qdq.run(qdq.Anneal(b, D=1.0, schedule="linear", time=4.0, steps=40),
                  backend="emulator")
    got = qdq.run(qdq.Anneal(b, D=1.0, schedule=learned.schedule, time=4.0, steps=40),
                  backend="emulator")
    assert got.expected_potential < lin.expected_potential - 0.05
    assert abs(got.expected_potential - learned.best_loss) < 1e-8


def test_one_hot_xy_mixer_jax_equals_the_emulator():
    from qdq.binary.tsp import tsp
    from qdq.binary.xy import one_hot_uniform

    b = tsp(np.array([[0, 2, 9, 10], [2, 0, 6, 4], [9, 6, 0, 3], [10, 4, 3, 0.0]]))
    init = one_hot_uniform(b.layout, b.kinetic_term.groups)
    for spec in (qdq.Anneal(b, schedule="linear", time=3.0, steps=30, initial=init),
                 qdq.QAOA(b, [0.01, 0.02], [-0.5, -0.2], initial=init),
                 qdq.RealTime(qdq.Hamiltonian(b, D=0.7), time=1.0, steps=10, initial=init)):
        emu = qdq.run(spec, backend="emulator")
        jx = qdq.run(spec, backend="jax")
        assert np.max(np.abs(emu.statevector - jx.statevector)) < 1e-10, spec.method
        assert np.max(np.abs(jx.probabilities - np.abs(init) ** 2)) > 0.02  # it moved
        assert jx.extra["fft"] == "xy-pairs"


def test_xy_trace_imaginary_and_sharding_are_refused_clearly():
    from qdq.binary.xy import XYMixer

    b = qdq.BinaryProblem({(0, 1): 1.0}, num_bits=4)
    xy = qdq.BinaryProblem({(0, 1): 1.0}, num_bits=4, mixer=XYMixer(4, [[0, 1], [2, 3]]))
    with pytest.raises(ParameterError, match="observe_every=0"):
        qdq.run(qdq.QAOA(xy, [0.1], [0.2]), backend="jax", observe_every=1)
    with pytest.raises(ParameterError, match="devices=2"):  # the XY mixer runs on one device
        qdq.run(qdq.QAOA(xy, [0.1], [0.2]), backend="jax", devices=2)
    with pytest.raises(ParameterError, match="observe_every"):  # sharded bits: no trace
        qdq.run(qdq.QAOA(b, [0.1], [0.2]), backend="jax", devices=2, observe_every=1)


def test_walsh_hadamard_is_the_kronecker_hadamard():
    from qdq.jax.evolve import walsh_hadamard

    H = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    full = H
    for _ in range(2):
        full = np.kron(full, H)
    x = np.random.default_rng(0).normal(size=8)
    assert np.allclose(np.asarray(walsh_hadamard(x)), full @ x)


def test_train_qaoa_is_public_in_qdq_jax_learn():
    from qdq.jax import learn, qaoa

    assert learn.train_qaoa is qaoa.train_qaoa


def test_runs_that_do_not_fit_are_refused_before_allocating(monkeypatch):
    import qdq.grid
    from qdq.errors import ResourceError

    b = qdq.BinaryProblem({(0, 1): 1.0, (2,): -0.5}, num_bits=10)
    spec = qdq.RealTime(qdq.Hamiltonian(b, D=1.0), time=1.0, steps=4)
    monkeypatch.setattr(qdq.grid, "available_memory_bytes", lambda: 64 * 2**10)  # < 112 B × 1024
    with pytest.raises(ResourceError, match="JAX engine"):
        qdq.run(spec, backend="jax")
