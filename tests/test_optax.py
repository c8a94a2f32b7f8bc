"""qdq.optax: QbO update quantization and the two-loop noise schedule as optax transforms."""

from __future__ import annotations

import functools

import numpy as np
import pytest

jax = pytest.importorskip("jax")
optax = pytest.importorskip("optax")
import jax.numpy as jnp  # noqa: E402

from qdq.classical.binary.qbo import initial_resolution  # noqa: E402
from qdq.errors import ParameterError, QdqError  # noqa: E402
from qdq.optax import annealed_noise, qbo, quantize_updates, two_loop  # noqa: E402

RNG = np.random.default_rng(7)
A = jnp.asarray(RNG.normal(size=(40, 5)), jnp.float32)
B = jnp.asarray(RNG.normal(size=40), jnp.float32)
X_STAR = np.linalg.lstsq(np.asarray(A, float), np.asarray(B, float), rcond=None)[0]
L_STAR = float(np.mean((np.asarray(A, float) @ X_STAR - np.asarray(B, float)) ** 2))


def loss(p):
    return jnp.mean((A @ p["x"] - B) ** 2)


def run(tx, steps):
    """``steps`` full-batch steps under lax.scan; the trajectory of ``x``."""
    params = {"x": jnp.zeros(5, jnp.float32)}

    def step(carry, _):
        p, s = carry
        u, s = tx.update(jax.grad(loss)(p), s, p)
        p = optax.apply_updates(p, u)
        return (p, s), p["x"]

    (p, _), traj = jax.lax.scan(step, (params, tx.init(params)), None, length=steps)
    return p, np.asarray(traj)


def test_optax_conventions_jit_chain_and_pytree_state():
    params = {"w": jnp.ones(3), "b": jnp.zeros(())}
    grads = {"w": jnp.array([0.3, -0.2, 0.1]), "b": jnp.asarray(0.5)}
    for name, tx in (("two_loop", two_loop(optax.adam(0.01), levels=2, steps_per_level=3,
                                            learning_rate=0.01)),
                     ("chain", optax.chain(qbo(0.1), optax.scale(1.0)))):
        state = tx.init(params)
        leaves = jax.tree_util.tree_leaves(state)
        assert leaves and all(isinstance(x, jax.Array) for x in leaves)
        u, s2 = jax.jit(tx.update)(grads, state, params)
        assert jax.tree_util.tree_structure(u) == jax.tree_util.tree_structure(grads)
        assert jax.tree_util.tree_structure(s2) == jax.tree_util.tree_structure(state)
        if name == "chain":                                   # chain(qbo, scale(1)) == qbo
            tx = qbo(0.1)
            u1, _ = jax.jit(tx.update)(grads, tx.init(params), params)
            np.testing.assert_array_equal(u1["w"], u["w"])


def test_first_update_is_on_the_initial_resolution_grid():
    g = {"w": jnp.array([0.3, -0.2, 0.05])}
    tx = qbo(1.0, seed=3)
    u, s = jax.jit(tx.update)(g, tx.init(g))
    q0 = initial_resolution(0.3)          # the bit-QbO rule, independent implementation
    assert float(s[1].q0) == q0 == 2.0                     # chain(scale, quantize) state
    w = np.asarray(u["w"]) * q0
    np.testing.assert_array_equal(w, np.round(w))          # on the grid of step 1/Q0
    assert np.all(np.abs(np.asarray(u["w"]) + np.asarray(g["w"])) <= 1 / q0 + 1e-7)


def test_stochastic_rounding_is_unbiased_with_the_predicted_variance():
    h = jnp.full((20000,), 0.3)
    tx = quantize_updates(resolution0=1.0, seed=1)
    u, _ = jax.jit(tx.update)({"h": h}, tx.init(None))
    v = np.asarray(u["h"])
    assert set(np.unique(v)) == {0.0, 1.0}
    assert abs(v.mean() - 0.3) < 0.02 and abs(v.var() - 0.3 * 0.7) < 0.02


def updates(tx, n=4):
    """``n`` jitted updates of fixed gradients; the stacked updates."""
    g = {"w": jnp.linspace(-0.3, 0.3, 7)}
    state, out, step = tx.init(g), [], jax.jit(tx.update)
    for _ in range(n):
        u, state = step(g, state)
        out.append(np.asarray(u["w"]))
    return np.stack(out)


@pytest.mark.parametrize("make", [
    lambda s: qbo(0.05, seed=s, steps_per_level=2),
    lambda s: two_loop(optax.sgd(0.05), levels=3, steps_per_level=2, learning_rate=0.05,
                       seed=s),
])
def test_seeded_and_reproducible(make):
    tx = make(0)
    a, b, c = updates(tx), updates(tx), updates(make(1))     # init re-seeds from ``seed``
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-3


MAKERS = {
    "qbo": lambda: qbo(0.05, steps_per_level=25, seed=0),
    "qbo_nearest": lambda: qbo(0.05, steps_per_level=25, rounding="nearest"),
    "two_loop_sgd": lambda: two_loop(optax.sgd(0.05), levels=5, steps_per_level=100,
                                     learning_rate=0.05),
    "sgd": lambda: optax.sgd(0.05),
}


@functools.cache
def runs(name):
    return run(MAKERS[name](), 1500)


@pytest.mark.parametrize("name", ["qbo", "two_loop_sgd"])
def test_quantization_or_noise_changes_the_trajectory_vs_sgd(name):
    tq, ts = runs(name)[1], runs("sgd")[1]
    assert np.abs(tq[:20] - ts[:20]).max() > 0.01          # early on: not a no-op


@pytest.mark.parametrize("name", ["qbo", "qbo_nearest", "two_loop_sgd"])
def test_least_squares_reaches_the_closed_form_optimum(name):
    p, traj = runs(name)
    x = np.asarray(p["x"], float)
    assert float(loss(p)) - L_STAR < 1e-4 * (1 + L_STAR)
    np.testing.assert_allclose(x, X_STAR, atol=5e-3)
    assert np.abs(traj[0]).max() > 0                       # it moved from 0


@pytest.mark.parametrize("call", [
    lambda: qbo(-0.1), lambda: qbo(0.1, base=1.0), lambda: qbo(0.1, steps_per_level=0),
    lambda: qbo(0.1, rounding="up"), lambda: qbo(0.1, seed=-1),
    lambda: qbo(0.1, resolution0=0.0), lambda: qbo(0.1, max_levels=1.5),
    lambda: two_loop(optax.adam(0.1), levels=0, steps_per_level=5, learning_rate=0.1),
    lambda: two_loop(optax.adam(0.1), levels=2, steps_per_level=5, ratio=1.0,
                     learning_rate=0.1),
    lambda: two_loop("adam", levels=2, steps_per_level=5, learning_rate=0.1),
    lambda: annealed_noise(levels=2, steps_per_level=5, ratio=0.5, diffusion0=-1.0,
                           learning_rate=0.1),
])
def test_bad_arguments_raise_parameter_error(call):
    with pytest.raises(ParameterError, match="got"):
        call()
    assert issubclass(ParameterError, QdqError)
