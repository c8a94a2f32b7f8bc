r"""Train a parametric schedule by gradient descent through the JAX split-step kernels.

The loss of parameters ``θ`` is ``L(θ) = (1/M) Σ_m ℓ(ψ_m(T; θ))`` over ``M`` training
problems, ``ψ_m(T; θ)`` the final state of the anneal ``H(t) = a_θ(t)(−D∇²) + b_θ(t)ζ_m``
under the *same* product formula the numpy emulator and the circuits apply
(:func:`qdq.jax.gradients.state_fn`), and ``ℓ`` a
loss of :mod:`qdq.jax.observables` — by default ``energy``, the final ``⟨ζ⟩``, which needs
no knowledge of the minimizer. ``∇_θ L`` is exact reverse mode through the scan.

Training is Adam (optax; gradients clipped to global norm 1) from the family's starting
point, then from ``restarts`` random perturbations of it; the best iterate seen over all
runs is kept. Every loss evaluation is one forward evolution and one gradient evaluation
per training problem; :func:`train` counts them and the wall time.

This module imports JAX; :func:`qdq.learn.optimize_schedule` is the public entry point.

Example:
    >>> import qdq
    >>> from qdq.schedule_families import Correction
    >>> p = qdq.Problem("(x - 0.3)**2", bounds=[(-1, 1)], qubits=4)
    >>> out = train(Correction("qhd-cubic", terms=2), [p], D=0.5, time=2.0, steps=20,
    ...             iterations=5, learning_rate=0.1)
    >>> out["best_loss"] <= out["initial_loss"], out["cost"]["gradient_evaluations"]
    (True, 6)
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

from qdq.errors import ParameterError
from qdq.evolution import Anneal
from qdq.jax.gradients import state_fn
from qdq.jax.observables import FinalState, energy, hamiltonian
from qdq.jax.qaoa import QAOATraining, train_qaoa  # re-exported: QAOA angles on bits
from qdq.problem import Problem
from qdq.schedule_families import Family

__all__ = ["LOSSES", "QAOATraining", "final_state_fn", "loss_fn", "select", "train", "train_qaoa"]

#: Built-in losses by name (a callable ``FinalState -> scalar`` is accepted as well).
LOSSES: dict[str, Callable[[FinalState], jax.Array]] = {"energy": energy,
                                                        "hamiltonian": hamiltonian}

#: Reverse mode stores every step below this many bytes of states; above, it checkpoints.
_PLAIN_SCAN_BYTES = 1 << 28


def final_state_fn(family: Family, problem: Problem, *, D: float = 0.5, time: float = 10.0,
                   steps: int = 1000, order: int = 1, initial="uniform",
                   block: int | None = None) -> Callable[[jax.Array], FinalState]:
    """A pure ``θ -> FinalState`` for the anneal of ``family.schedule(θ)`` on ``problem``.

    The spec is validated by building the :class:`~qdq.Anneal` at the family's start.

    Args:
        family: The schedule family.
        problem: The discretized objective.
        D: Base kinetic constant.
        time: Total time ``T``.
        steps: Product-formula steps.
        order: 1, 2 or 4.
        initial: Initial state (as for :class:`~qdq.Anneal`).
        block: Checkpoint block for reverse mode (``None``: none while every step's state
            fits in 256 MiB, else ``⌈√M⌉``; see :func:`qdq.jax.gradients.state_fn`).

    Example:
        >>> import qdq
        >>> from qdq.schedule_families import Correction
        >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
        >>> f = final_state_fn(Correction(terms=1), p, time=1.0, steps=4)
        >>> s = f(jnp.zeros(2))
        >>> s.psi.shape, round(float(jnp.sum(jnp.abs(s.psi) ** 2)), 12)
        ((8,), 1.0)
    """
    spec = Anneal(problem, D, schedule=family.schedule(family.init()), time=time, steps=steps,
                  order=order, initial=initial)
    pairs = steps * (3 if order == 4 else 1)
    if block is None and pairs * problem.grid.size * 16 <= _PLAIN_SCAN_BYTES:
        block = 0  # small enough to keep every step: no recomputation in reverse mode
    T = spec.time
    f = state_fn(problem, steps=steps, order=order, initial=initial, block=block,
                 kinetic_weight=lambda theta, t: family.weights(jnp, theta, t, T)[0],
                 potential_weight=lambda theta, t: family.weights(jnp, theta, t, T)[1])
    controls = {"D": jnp.asarray(spec.D), "time": jnp.asarray(T)}
    return lambda theta: f({**controls, "params": theta})


def _loss(loss) -> Callable[[FinalState], jax.Array]:
    if callable(loss):
        return loss
    if loss not in LOSSES:
        raise ParameterError(f"loss must be one of {', '.join(LOSSES)} or a callable "
                             f"FinalState -> scalar, got {loss!r}")
    return LOSSES[loss]


def loss_fn(family: Family, problems: Sequence[Problem], *, loss="energy",
            **anneal) -> Callable[[jax.Array], jax.Array]:
    """``θ -> mean over problems of loss(final state)`` (pure; jit and grad it).

    Example:
        >>> import qdq
        >>> from qdq.schedule_families import Correction
        >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
        >>> L = loss_fn(Correction(terms=1), [p], time=1.0, steps=4)
        >>> 0.0 < float(L(jnp.zeros(2))) < 1.0
        True
    """
    ell = _loss(loss)
    finals = [final_state_fn(family, p, **anneal) for p in problems]

    def total(theta):
        return sum(ell(f(theta)) for f in finals) / len(finals)

    return total


def train(family: Family, problems: Sequence[Problem], *, loss="energy", iterations: int = 100,
          restarts: int = 0, learning_rate: float = 0.05, spread: float = 0.3, seed: int = 0,
          callback: Callable[[int, int, float], None] | None = None, **anneal) -> dict:
    """Minimize the mean loss over ``problems`` with Adam; keep the best iterate.

    Args:
        family: The schedule family (starting point ``family.init()``).
        problems: Training problems (one grid shape or several; each is one evolution).
        loss: ``"energy"`` (final ``⟨ζ⟩``), ``"hamiltonian"`` or ``FinalState -> scalar``.
        iterations: Adam steps per run (each: one value-and-gradient evaluation).
        restarts: Extra runs from ``θ₀ + spread·N(0, 1)`` (seeded by ``seed``).
        learning_rate: Adam step size.
        spread: Standard deviation of the restart perturbations.
        seed: Seed of the restart perturbations.
        callback: Called as ``callback(run, iteration, loss)`` after every evaluation.
        **anneal: ``D``, ``time``, ``steps``, ``order``, ``initial``, ``block``.

    Returns:
        A dict: ``theta`` (best, ``np.ndarray``), ``best_loss``, ``initial_loss`` (at
        ``θ₀``), ``loss_history`` (the run that found the best), ``histories`` (every run)
        and ``cost`` (``evolutions``, ``gradient_evaluations``, ``evolution_steps``,
        ``grid_points``, ``wall_seconds``, ``compile_seconds``).
    """
    for name, v, low in (("iterations", iterations, 1), ("restarts", restarts, 0)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
            raise ParameterError(f"{name} must be an integer >= {low}, got {v!r}")
    if not problems:
        raise ParameterError("optimize_schedule needs at least one training problem, got none")
    t_start = _time.perf_counter()
    vg = jax.jit(jax.value_and_grad(loss_fn(family, problems, loss=loss, **anneal)))
    opt = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(learning_rate))
    theta0 = jnp.asarray(family.init(), dtype=jnp.float64)
    rng = np.random.default_rng(seed)
    t_c = _time.perf_counter()
    initial_loss = float(vg(theta0)[0])
    compile_s = _time.perf_counter() - t_c
    evaluations = 1
    best = (initial_loss, np.asarray(theta0), 0)
    histories: list[list[float]] = []
    for run in range(restarts + 1):
        theta = theta0 if run == 0 else theta0 + spread * jnp.asarray(
            rng.standard_normal(family.size))
        state, hist = opt.init(theta), []
        for it in range(iterations):
            value, grad = vg(theta)
            evaluations += 1
            value = float(value)
            if not np.isfinite(value) or not np.all(np.isfinite(np.asarray(grad))):
                break  # a diverged run (weights overflowed); keep what it found so far
            hist.append(value)
            if value < best[0]:
                best = (value, np.asarray(theta), run)
            if callback is not None:
                callback(run, it, value)
            updates, state = opt.update(grad, state, theta)
            theta = optax.apply_updates(theta, updates)
        histories.append(hist)
    n_points = int(np.mean([p.grid.size for p in problems]))
    steps = int(anneal.get("steps", 1000))
    evolutions = evaluations * len(problems)
    return {
        "theta": best[1], "best_loss": best[0], "initial_loss": initial_loss,
        "loss_history": histories[best[2]], "histories": histories,
        "cost": {"evolutions": evolutions, "gradient_evaluations": evaluations,
                 "evolution_steps": evolutions * steps, "grid_points": n_points,
                 "training_problems": len(problems),
                 "wall_seconds": _time.perf_counter() - t_start,
                 "compile_seconds": compile_s},
    }


def select(family: Family, candidates: dict[str, np.ndarray], problems: Sequence[Problem], *,
           loss="energy", **anneal) -> dict:
    """Pick the candidate ``θ`` with the lowest loss on ``problems`` (forward runs only).

    This is model selection at the *evaluation* fidelity: training runs on a coarse grid or
    time step, so the iterate that is best there can lose (by a little) at the full size. The
    loss is the training loss (by default the final ``⟨ζ⟩``), so the choice still needs no
    knowledge of the minimizer. Ties keep the first candidate.

    Args:
        family: The schedule family.
        candidates: ``name -> θ`` (e.g. ``{"start": θ₀, "learned": θ*}``), tried in order.
        problems: Selection problems (e.g. the training functions at the evaluation grid).
        loss: As for :func:`train`.
        **anneal: ``D``, ``time``, ``steps``, ``order``, ``initial``.

    Returns:
        ``{"kept": name, "losses": {name: loss}, "evolutions": n, "steps": steps,
        "grid_points": mean points, "wall_seconds": s}``.

    Example:
        >>> import qdq
        >>> from qdq.schedule_families import Correction
        >>> fam = Correction("qhd-cubic", terms=1)
        >>> p = qdq.Problem("(x - 0.3)**2", bounds=[(-1, 1)], qubits=4)
        >>> out = select(fam, {"start": fam.init(), "other": fam.init() + 1.0}, [p],
        ...              D=0.5, time=2.0, steps=20)
        >>> out["kept"] in ("start", "other"), out["evolutions"]
        (True, 2)
    """
    if not candidates or not problems:
        raise ParameterError("select needs at least one candidate and one problem")
    t0 = _time.perf_counter()
    anneal.setdefault("block", 0)  # forward only: no checkpointing needed
    f = jax.jit(loss_fn(family, problems, loss=loss, **anneal))
    losses = {name: float(f(jnp.asarray(theta, dtype=jnp.float64)))
              for name, theta in candidates.items()}
    finite = {k: v for k, v in losses.items() if np.isfinite(v)}
    kept = min(finite, key=finite.get) if finite else next(iter(candidates))
    return {"kept": kept, "losses": losses, "evolutions": len(candidates) * len(problems),
            "steps": int(anneal.get("steps", 1000)),
            "grid_points": int(np.mean([p.grid.size for p in problems])),
            "wall_seconds": _time.perf_counter() - t0}
