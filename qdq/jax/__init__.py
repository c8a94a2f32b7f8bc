r"""JAX engine and differentiable evolutions (optional extra: ``pip install 'qdq[jax]'``).

Owns a third interpreter of the product formula — the same ``(term, c)`` sequence the
circuit builder and the numpy emulator consume — written in pure JAX (``lax.scan``,
complex128), and gradients of any scalar of the final state with respect to schedule
parameters, ``D`` and the time.

**x64.** Importing :mod:`qdq.jax` (any of its modules) calls
``jax.config.update("jax_enable_x64", True)``: the engine needs complex128 to agree with
the emulator to ``1 − 10⁻¹²``. This is a process-wide JAX setting.

Modules:

* :mod:`qdq.jax.evolve` — pure kernels: :func:`~qdq.jax.evolve.pair_step`,
  :func:`~qdq.jax.evolve.evolve_pairs` (scan, √M checkpointing),
  :func:`~qdq.jax.evolve.evolve_tables`, :func:`~qdq.jax.evolve.schedule_pairs`;
* :mod:`qdq.jax.observables` — :class:`FinalState` and the losses :func:`energy`
  (``⟨ζ⟩``), :func:`hamiltonian` (``⟨H⟩``), :func:`mass_in_region`, :func:`fidelity`;
* :mod:`qdq.jax.gradients` — :func:`state_fn` (pure ``controls -> FinalState``),
  :func:`anneal_state`, :func:`make_value_and_grad`, :func:`value_and_grad`;
* :mod:`qdq.jax.engine` — ``run_jax``, the ``backend="jax"`` engine (same
  :class:`~qdq.Result` as every engine, per-step trace with ``observe_every``);
* :mod:`qdq.jax.slab`, :mod:`qdq.jax.sharded`, :mod:`qdq.jax.distributed` — the grid split
  over devices (``devices=N``) and processes (docs/jax_sharding.md);
* :mod:`qdq.jax.learn` — the training loop behind :func:`qdq.learn.optimize_schedule`.

Gradient API (controls ``{"D": D, "time": T, "params": θ}``; weights ``a(θ, t)``,
``b(θ, t)`` JAX-traceable)::

    from qdq.jax import value_and_grad, energy
    loss, grads = value_and_grad(energy, problem, {"D": 0.5, "time": 10.0, "params": θ},
                                 steps=1000, order=2, kinetic_weight=a, potential_weight=b)

May import: ``jax``, ``numpy``, ``qdq.errors``, ``qdq.problem``, ``qdq.states``,
``qdq.evolution``, ``qdq.engines.emulator`` (the imaginary-time shift),
``qdq.engines.readout``, ``qdq.results``, ``qdq.validate``, ``qdq.grid``,
``qdq.schedule_families``; never the
top-level ``qdq`` package. Submodules import each other directly, never this ``__init__``.

Example:
    >>> import qdq
    >>> from qdq.jax import anneal_state, energy
    >>> p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=4)
    >>> s = anneal_state(p, 0.5, 1.0, 10, 2, None, None)
    >>> 0 < float(energy(s)) < 4
    True
"""

from qdq.jax.evolve import FFT, NUMPY_FFT, evolve_pairs, pair_step, schedule_pairs
from qdq.jax.gradients import anneal_state, make_value_and_grad, state_fn, value_and_grad
from qdq.jax.observables import FinalState, energy, fidelity, hamiltonian, mass_in_region

__all__ = ["FFT", "NUMPY_FFT", "FinalState", "anneal_state", "energy", "evolve_pairs",
           "fidelity", "hamiltonian", "make_value_and_grad", "mass_in_region", "pair_step",
           "schedule_pairs", "state_fn", "value_and_grad"]
