r"""Differentiable evolutions: final states as pure functions of controls, and their gradients.

The *controls* are a dict (a JAX pytree) ``{"D": D, "time": T, "params": θ}``; ``params``
is any pytree (optional). The schedule is JAX-traceable: ``kinetic_weight(θ, t)`` and
``potential_weight(θ, t)`` (``None``: the constant 1), so an anneal evolves under
``H(t) = a_θ(t)·(−D∇²) + b_θ(t)·ζ`` with the order-1/2/4 product formula of
:mod:`qdq.evolution` (:func:`qdq.jax.evolve.schedule_pairs`). Every scalar of the final
state — a loss ``FinalState -> scalar`` of :mod:`qdq.jax.observables` — can be
differentiated with respect to ``θ``, ``D`` and ``T`` by reverse mode.

Memory. By default the scan is split into ``⌈√M⌉`` checkpointed blocks of ``⌈√M⌉``
checkpointed pairs (``M`` pairs; :func:`qdq.jax.evolve.evolve_pairs`), so the backward
pass holds ``~2√M`` states (plus one block's working set) instead of ``M``: a
10⁴-step gradient at 256² keeps ~200 states of 1 MiB (``bench/jax_speed.py --grad``).

* :func:`state_fn` — ``f(controls) -> FinalState``, pure (jit/grad/vmap-able), for
  custom optimizers (optax);
* :func:`anneal_state` — one final state of an anneal;
* :func:`make_value_and_grad` — a jitted ``controls -> (loss, grads)``, compiled once;
* :func:`value_and_grad` — the same, called once (cached per arguments).

Example:
    >>> import jax.numpy as jnp, qdq
    >>> from qdq.jax.observables import energy
    >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=4)
    >>> b = lambda theta, t: theta * t                   # potential weight b(t) = θ t
    >>> vg = make_value_and_grad(energy, p, steps=8, order=2, potential_weight=b)
    >>> value, grads = vg({"D": 0.5, "time": 1.0, "params": jnp.array(1.0)})
    >>> sorted(grads), bool(grads["params"] < 0)         # larger θ focuses: ⟨ζ⟩ falls
    (['D', 'params', 'time'], True)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from qdq.engines.emulator import imaginary_potential_shift
from qdq.errors import ParameterError
from qdq.grid import check_memory
from qdq.jax.evolve import FFT, NUMPY_FFT, default_block, evolve_pairs, phase, schedule_pairs
from qdq.jax.observables import FinalState
from qdq.problem import Problem, is_search_problem
from qdq.states import resolve_initial

__all__ = ["anneal_state", "check_state_memory", "make_value_and_grad", "state_fn",
           "value_and_grad"]

TIME_AXES = ("real", "imaginary")
Weight = Callable[[Any, Any], Any] | None
_CACHE: dict = {}
_CACHE_SIZE = 32
#: Bytes per pair of the schedule's per-step arrays (times, lengths, weights, ``cp``, ``ck``
#: and their reverse-mode residuals: ~8 float64 arrays of ``M`` entries).
BYTES_PER_PAIR = 64


def _one(params, t):
    return jnp.ones_like(t)


def _check(problem, steps, order, time_axis, block) -> None:
    if not is_search_problem(problem):
        raise ParameterError(f"a qdq.Problem or qdq.BinaryProblem is needed, got "
                             f"{type(problem).__name__}")
    if problem.kinetic_term.basis not in ("fourier", "hadamard"):
        raise ParameterError(f"gradients need a kinetic term diagonal in the Fourier or "
                             f"Hadamard basis; {problem.kinetic_term.name} is not")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ParameterError(f"steps must be an integer >= 1, got {steps!r}")
    if order not in (1, 2, 4) or isinstance(order, bool):
        raise ParameterError(f"order must be one of (1, 2, 4), got {order!r}")
    if time_axis not in TIME_AXES:
        raise ParameterError(f"time_axis must be one of {TIME_AXES}, got {time_axis!r}")
    if time_axis == "imaginary" and order == 4:
        raise ParameterError("order 4 is not available for imaginary time, got order=4; "
                             "use order=2 with more steps")
    if block is not None and (isinstance(block, bool) or not isinstance(block, int)
                              or block < 0):
        raise ParameterError(f"block must be None or an integer >= 0, got {block!r}")


def _controls(controls: Mapping) -> tuple:
    if not isinstance(controls, Mapping) or "D" not in controls or "time" not in controls:
        raise ParameterError(
            f"controls must be a dict with keys 'D' and 'time' (and optionally 'params'), "
            f"got {controls!r:.80}")
    unknown = set(controls) - {"D", "time", "params"}
    if unknown:
        raise ParameterError(f"unknown control(s) {sorted(unknown)}; valid: D, time, params")
    return controls["D"], controls["time"], controls.get("params")


def check_state_memory(points: int, pairs: int, block: int) -> None:
    """Refuse, before tracing, a differentiable evolution whose arrays cannot fit.

    Unlike the streamed engines, :func:`state_fn` materializes its ``M`` coefficient pairs
    as arrays (:func:`~qdq.jax.evolve.schedule_pairs`), ``~BYTES_PER_PAIR·M`` bytes, and
    reverse mode keeps ``M/B + B`` checkpointed states of ``16·N`` bytes (``B ≥ 1``).

    Raises:
        ResourceError: With a hint to use fewer steps or the streaming emulator.

    Example:
        >>> check_state_memory(64, 1000, 32)
    """
    states = (pairs // block + block if block else 0) + 4
    check_memory(BYTES_PER_PAIR * pairs + 16 * points * states,
                 f"a differentiable {pairs:,}-pair JAX evolution on {points:,} grid points",
                 hint="use fewer steps, or run the spec with qdq.run(spec, "
                      "backend=\"emulator\"), which streams the steps")


def state_fn(problem: Problem, *, steps: int, order: int = 1, time_axis: str = "real",
             kinetic_weight: Weight = None, potential_weight: Weight = None,
             initial="uniform", block: int | None = None,
             fft: FFT = NUMPY_FFT) -> Callable[[Mapping], FinalState]:
    r"""A pure function ``controls -> FinalState`` of the evolution (jit/grad-able).

    Args:
        problem: The discretized objective (its grid fixes the shapes).
        steps: Product-formula steps (static).
        order: 1, 2 or 4 (static; imaginary time: 1 or 2).
        time_axis: ``"real"`` (unitary; an anneal when weights are given) or ``"imaginary"``
            (``e^{−c(X − s)}`` factors, renormalized, ``log P_success`` accumulated).
        kinetic_weight: ``a(θ, t)``, JAX-traceable; ``None`` for 1.
        potential_weight: ``b(θ, t)``, JAX-traceable; ``None`` for 1.
        initial: ``"uniform"``, a :class:`~qdq.GaussianPacket` or a grid-shaped array.
        block: Checkpoint block length (``None``: ``⌈√M⌉``; ``0``: no checkpointing).
        fft: The transform pair (a sharded engine passes its own).

    Returns:
        ``f(controls)`` with ``controls = {"D": D, "time": T, "params": θ}``.

    Raises:
        ParameterError: Bad steps/order/time_axis/block, a non-Problem, a bad initial state.
        ResourceError: The per-step arrays and checkpoints cannot fit in memory
            (:func:`check_state_memory`), checked before anything is traced.
    """
    _check(problem, steps, order, time_axis, block)
    imaginary = time_axis == "imaginary"
    a = kinetic_weight or _one
    b = potential_weight or _one
    psi0 = jnp.asarray(resolve_initial(initial, problem.grid))
    zeta = jnp.asarray(problem.values, dtype=jnp.float64)
    term = problem.kinetic_term
    if term.basis == "hadamard":  # the hypercube: Walsh–Hadamard basis, 2·popcount
        from qdq.jax.evolve import HADAMARD

        k2 = jnp.asarray(term.diagonal(), dtype=jnp.float64)
        fft = HADAMARD if fft is NUMPY_FFT else fft
    else:
        k2 = jnp.asarray(problem.grid.k_squared, dtype=jnp.float64)
    shift = imaginary_potential_shift(problem) if imaginary else 0.0
    vdiag = zeta - shift
    pairs = steps * (3 if order == 4 else 1)
    blk = default_block(pairs) if block is None else block
    check_state_memory(problem.grid.size, pairs, blk)

    def final_state(controls: Mapping) -> FinalState:
        D, time, params = _controls(controls)
        cp, ck, tail = schedule_pairs(lambda t: a(params, t), lambda t: b(params, t),
                                      time, steps, order)
        kdiag = D * k2
        psi, logs = evolve_pairs(psi0, cp, ck, vdiag, kdiag, imaginary=imaginary,
                                 block=blk, fft=fft)
        if order != 1:
            psi = psi * phase(vdiag, tail, imaginary)
            if imaginary:
                n2 = jnp.sum(jnp.abs(psi) ** 2)
                psi, logs = psi / jnp.sqrt(n2), logs + jnp.log(n2)
        return FinalState(psi, logs, zeta, kdiag)

    return final_state


def anneal_state(problem: Problem, D, time, steps: int, order: int = 1,
                 kinetic_weight: Weight = None, potential_weight: Weight = None,
                 params=None, *, initial="uniform", block: int | None = None) -> FinalState:
    """The final state of a (real-time) anneal with traceable weights ``a(θ, t)``, ``b(θ, t)``.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=4)
        >>> s = anneal_state(p, 0.5, 1.0, 10, 2, lambda th, t: 1 - t, lambda th, t: t)
        >>> s.psi.shape, round(float(abs(s.psi).__pow__(2).sum()), 12)
        ((16,), 1.0)
    """
    f = state_fn(problem, steps=steps, order=order, kinetic_weight=kinetic_weight,
                 potential_weight=potential_weight, initial=initial, block=block)
    return f({"D": D, "time": time, "params": params})


def make_value_and_grad(loss: Callable[[FinalState], Any], problem: Problem, *, steps: int,
                        order: int = 1, time_axis: str = "real", kinetic_weight: Weight = None,
                        potential_weight: Weight = None, initial="uniform",
                        block: int | None = None) -> Callable[[Mapping], tuple]:
    """A jitted ``controls -> (loss, grads)`` (``grads`` shaped like ``controls``).

    Compiled on first call for the controls' shapes, then reused: build it once and call
    it in an optimization loop. Arguments as :func:`state_fn`.
    """
    f = state_fn(problem, steps=steps, order=order, time_axis=time_axis,
                 kinetic_weight=kinetic_weight, potential_weight=potential_weight,
                 initial=initial, block=block)
    vg = jax.jit(jax.value_and_grad(lambda c: loss(f(c))))

    def value_and_grad_(controls: Mapping) -> tuple:
        _controls(controls)
        c = {k: (jnp.asarray(v, dtype=jnp.float64) if k != "params" else v)
             for k, v in controls.items()}
        return vg(c)

    return value_and_grad_


def value_and_grad(loss: Callable[[FinalState], Any], problem: Problem, controls: Mapping, *,
                   steps: int, order: int = 1, time_axis: str = "real",
                   kinetic_weight: Weight = None, potential_weight: Weight = None,
                   initial="uniform", block: int | None = None) -> tuple:
    """``(loss(final_state(controls)), ∂loss/∂controls)`` in one jitted call.

    The compiled function is cached per ``(loss, problem, schedule, steps, order, time_axis,
    block)`` object identity, so calling this in a loop with the *same* loss and weight
    objects compiles once (for a fresh closure each call, use :func:`make_value_and_grad`).

    Example:
        >>> import qdq
        >>> from qdq.jax.observables import hamiltonian
        >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=4)
        >>> v, g = value_and_grad(hamiltonian, p, {"D": 0.5, "time": 1.0}, steps=10,
        ...                       time_axis="imaginary", order=2)
        >>> bool(g["time"] < 0)       # relaxing longer lowers <H>
        True
    """
    key = (loss, id(problem), kinetic_weight, potential_weight, steps, order, time_axis, block,
           initial if isinstance(initial, str) else id(initial))
    entry = _CACHE.get(key)
    if entry is None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        # The entry holds problem and initial, so the ids in its key stay theirs.
        entry = _CACHE[key] = (problem, initial, make_value_and_grad(
            loss, problem, steps=steps, order=order, time_axis=time_axis,
            kinetic_weight=kinetic_weight, potential_weight=potential_weight, initial=initial,
            block=block))
    return entry[2](controls)
