r"""Scalars of a state, in JAX: observables for traces and differentiable losses.

A :class:`FinalState` carries the evolved (normalized) state with the operators it was
evolved under, so a *loss* is any JAX function ``FinalState -> scalar``. Built-in losses
(all normalize by ``‖ψ‖²``, so they also hold for unnormalized states):

* :func:`energy` — ``⟨ζ⟩ = Σ|ψ|²ζ / Σ|ψ|²`` (needs no knowledge of the minimizer);
* :func:`hamiltonian` — ``⟨−D∇² + ζ⟩``, the kinetic part from ``|F ψ|²`` and ``D|k|²``;
* :func:`mass_in_region` — ``Σ_{x∈R} |ψ|² / Σ|ψ|²`` for a boolean (or weight) mask;
* :func:`fidelity` — ``|⟨φ|ψ⟩|² / (‖φ‖²‖ψ‖²)`` to a target state ``φ``.

:func:`observe` computes the trace observables of the engines (``energy``, ``potential``,
``p_global_min``) in one pass.

Example:
    >>> import jax.numpy as jnp
    >>> s = FinalState(jnp.array([1.0, 1.0j]) / jnp.sqrt(2.0), jnp.zeros(()),
    ...                jnp.array([0.0, 2.0]), jnp.array([0.0, 1.0]))
    >>> float(energy(s)), float(mass_in_region(jnp.array([True, False]))(s))
    (1.0, 0.5)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp

from qdq.jax.evolve import FFT, NUMPY_FFT

__all__ = ["FinalState", "energy", "fidelity", "hamiltonian", "mass_in_region", "observe"]


class FinalState(NamedTuple):
    """An evolved state and the operators of its run (a pytree: jit/grad pass through it).

    Attributes:
        psi: Grid-shaped complex amplitudes (normalized by the engines).
        log_success: Imaginary time: ``log P_success`` of the postselected circuit (0 in
            real time).
        potential: Grid-shaped ζ.
        kinetic: Grid-shaped ``D|k|²`` (FFT order) with the run's base ``D``.
    """

    psi: jax.Array
    log_success: jax.Array
    potential: jax.Array
    kinetic: jax.Array


def _prob(psi: jax.Array) -> jax.Array:
    return jnp.real(psi) ** 2 + jnp.imag(psi) ** 2


def energy(state: FinalState) -> jax.Array:
    """``⟨ζ⟩`` of the state — the objective's expected value under ``|ψ|²``.

    Example:
        >>> import jax.numpy as jnp
        >>> s = FinalState(jnp.array([1.0, 1.0]), 0.0, jnp.array([1.0, 3.0]), jnp.zeros(2))
        >>> float(energy(s))
        2.0
    """
    p = _prob(state.psi)
    return jnp.sum(p * state.potential) / jnp.sum(p)


def hamiltonian(state: FinalState, fft: FFT = NUMPY_FFT) -> jax.Array:
    """``⟨H⟩ = ⟨−D∇²⟩ + ⟨ζ⟩`` (kinetic part in momentum space).

    Example:
        >>> import jax.numpy as jnp
        >>> s = FinalState(jnp.ones(4, dtype=complex), 0.0, jnp.full(4, 2.0),
        ...                jnp.array([0.0, 1.0, 4.0, 1.0]))
        >>> float(hamiltonian(s))      # a constant state has zero kinetic energy
        2.0
    """
    q = _prob(fft.forward(state.psi))
    return jnp.sum(q * state.kinetic) / jnp.sum(q) + energy(state)


def mass_in_region(mask) -> Callable[[FinalState], jax.Array]:
    """Loss: the probability of the region ``mask`` (grid-shaped booleans or weights).

    Example:
        >>> import jax.numpy as jnp
        >>> s = FinalState(jnp.array([1.0, 1.0, 0.0, 0.0]), 0.0, jnp.zeros(4), jnp.zeros(4))
        >>> float(mass_in_region([True, False, False, False])(s))
        0.5
    """
    weights = jnp.asarray(mask, dtype=jnp.float64)

    def loss(state: FinalState) -> jax.Array:
        p = _prob(state.psi)
        return jnp.sum(p * weights) / jnp.sum(p)

    return loss


def fidelity(target) -> Callable[[FinalState], jax.Array]:
    """Loss: ``|⟨φ|ψ⟩|² / (‖φ‖² ‖ψ‖²)`` to a grid-shaped target ``φ``.

    Example:
        >>> import jax.numpy as jnp
        >>> s = FinalState(jnp.array([1.0, 1.0j]), 0.0, jnp.zeros(2), jnp.zeros(2))
        >>> round(float(fidelity(jnp.array([1.0, 0.0]))(s)), 12)
        0.5
    """
    phi = jnp.asarray(target, dtype=jnp.complex128)
    phi2 = jnp.sum(_prob(phi))

    def loss(state: FinalState) -> jax.Array:
        overlap = jnp.vdot(phi, state.psi)
        return (_prob(overlap) / (phi2 * jnp.sum(_prob(state.psi)))).real

    return loss


def observe(psi: jax.Array, potential: jax.Array, kinetic: jax.Array, mask: jax.Array,
            fft: FFT = NUMPY_FFT) -> jax.Array:
    """``[⟨H⟩, ⟨ζ⟩, P(mask)]`` of ``psi`` — the engines' trace row (normalizes itself).

    Example:
        >>> import jax.numpy as jnp
        >>> observe(jnp.ones(2, dtype=complex), jnp.array([0.0, 2.0]), jnp.zeros(2),
        ...         jnp.array([1.0, 0.0])).tolist()
        [1.0, 1.0, 0.5]
    """
    p = _prob(psi)
    n = jnp.sum(p)
    pot = jnp.sum(p * potential) / n
    q = _prob(fft.forward(psi))
    kin = jnp.sum(q * kinetic) / jnp.sum(q)
    return jnp.stack([kin + pot, pot, jnp.sum(p * mask) / n])
