r"""Training QAOA angles with JAX gradients: ``min_{γ,β} ⟨γ,β|ζ|γ,β⟩``.

The state is the one :class:`qdq.QAOA` defines, ``Π_k e^{−iβ_k ΣX} e^{−iγ_k ζ}|+⟩ⁿ``, built
here as a differentiable function: the cost layer is a diagonal multiply, the mixer
``e^{−iβΣX} = H^{⊗n} e^{−iβΣZ} H^{⊗n}`` a diagonal ``e^{−iβ(n − 2·popcount)}`` between two
Walsh–Hadamard transforms. optax's Adam minimizes ``⟨ζ⟩`` over ``(γσ_ζ, β)`` (``σ_ζ``:
:func:`qdq.qaoa.energy_scale`, so the step size means the same on every problem); the trained
angles run on any engine through ``qdq.QAOA(problem, result.gammas, result.betas)``.

Example:
    >>> import qdq
    >>> b = qdq.BinaryProblem({(0, 1): 2.0, (0,): -1.0, (1,): -1.0}, num_bits=2)  # −cut
    >>> res = train_qaoa(b, p=1, steps=60, learning_rate=0.1)
    >>> bool(res.energy < res.history[0] - 0.1), round(res.energy, 3)   # the optimum is −1
    (True, -1.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import numpy as np

from qdq.errors import ParameterError, require
from qdq.grid import check_memory
from qdq.jax.evolve import walsh_hadamard
from qdq.kinetic import HypercubeLaplacian
from qdq.qaoa import energy_scale, linear_ramp, ramp_for  # noqa: F401 - re-exported


@dataclass
class QAOATraining:
    """Trained angles: ``gammas``, ``betas``, the final ``energy`` ⟨ζ⟩ and its ``history``."""

    gammas: list[float]
    betas: list[float]
    energy: float
    history: list[float] = field(default_factory=list)


def qaoa_energy_fn(problem):
    """A jit-able ``(gammas, betas) -> ⟨ζ⟩`` of :class:`qdq.QAOA`'s state on ``problem``."""
    n = problem.num_bits
    check_memory(64 * (1 << n), f"QAOA gradients on {n} bits", hint="use fewer bits")
    zeta = jnp.asarray(problem.values, dtype=jnp.float64)
    # ΣX = n − L, and L is 2·popcount in the Hadamard basis: ΣX → n − 2·popcount there.
    sum_z = jnp.asarray(n - HypercubeLaplacian(problem.layout).diagonal())
    psi0 = jnp.full(1 << n, (1 << n) ** -0.5, dtype=jnp.complex128)

    def energy(gammas, betas):
        def layer(psi, gb):
            g, b = gb
            psi = psi * jnp.exp(-1j * g * zeta)
            psi = walsh_hadamard(jnp.exp(-1j * b * sum_z) * walsh_hadamard(psi))
            return psi, None

        psi, _ = jax.lax.scan(layer, psi0, (gammas, betas))
        return jnp.sum(jnp.abs(psi) ** 2 * zeta)

    return energy


def train_qaoa(problem, p: int, *, steps: int = 200, learning_rate: float = 0.05,
               seed: int = 0, init: str = "linear-ramp", delta: float = 0.8) -> QAOATraining:
    """Adam on ``⟨ζ⟩`` over the ``2p`` angles of depth-``p`` QAOA (start: the linear ramp).

    Args:
        problem: A :class:`~qdq.BinaryProblem` (at most ~26 bits: the state and its
            gradient live in memory).
        p: Depth.
        steps: Adam iterations.
        learning_rate: Adam's step size.
        seed: Seeds ``init="random"`` (angles uniform in ``[0, Δ]``).
        init: ``"linear-ramp"`` (:func:`qdq.qaoa.ramp_for`: γ in units of ``1/σ_ζ``) or
            ``"random"``.
        delta: ``Δ`` of the ramp / the random range.

    Raises:
        ParameterError: Not a binary problem, or bad ``p``/``steps``/``init``.
    """
    if not getattr(problem, "is_binary", False):
        raise ParameterError(f"train_qaoa needs a qdq.BinaryProblem, got {type(problem).__name__}")
    for name, v in (("p", p), ("steps", steps)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ParameterError(f"{name} must be an integer >= 1, got {v!r}")
    if init not in ("linear-ramp", "random"):
        raise ParameterError(f"init must be 'linear-ramp' or 'random', got {init!r}")
    optax = require("optax", "jax")
    jax.config.update("jax_enable_x64", True)
    if init == "linear-ramp":
        g0, b0 = ramp_for(problem, int(p), delta)
    else:
        rng = np.random.default_rng(seed)
        g0, b0 = rng.uniform(0, delta, p), rng.uniform(0, delta, p)
    # Adam works on γ·σ_ζ (O(1) whatever ζ's units), so one learning rate suits every problem.
    sigma = energy_scale(problem)
    params = (jnp.asarray(g0) * sigma, jnp.asarray(b0))
    qaoa_energy = qaoa_energy_fn(problem)

    def energy(g_scaled, b):
        return qaoa_energy(g_scaled / sigma, b)

    vg = jax.jit(jax.value_and_grad(lambda prm: energy(*prm)))
    opt = optax.adam(learning_rate)
    state = opt.init(params)
    history, best = [], (np.inf, params)
    for _ in range(int(steps)):
        value, grads = vg(params)
        value = float(value)
        history.append(value)
        if value < best[0]:
            best = (value, params)
        updates, state = opt.update(grads, state)
        params = optax.apply_updates(params, updates)
    final = float(energy(*params))
    if final < best[0]:
        best = (final, params)
    history.append(final)
    g, b = (np.asarray(a).tolist() for a in best[1])
    return QAOATraining([v / sigma for v in g], b, best[0], history)
