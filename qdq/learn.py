r"""Learned annealing schedules: :func:`optimize_schedule` and its :class:`LearnedSchedule`.

``qdq.optimize_schedule(problem, family=..., D=..., time=..., steps=..., loss="energy",
iterations=...)`` trains the parameters ``θ`` of a family of :mod:`qdq.schedule_families`
by Adam (optax) on gradients through the JAX split-step engine (:mod:`qdq.jax.learn`),
minimizing by default the final ``⟨ζ⟩`` — a loss that needs no knowledge of the minimizer,
so training on the problem itself is fair. The result's ``.schedule`` is a plain
:class:`~qdq.schedule_families.ParametricSchedule`: ``qdq.Anneal(..., schedule=...)`` runs
it on every backend (emulator, Aer, PennyLane, hardware circuits) exactly like a preset
name, and ``.cost`` reports what the training spent (emulated evolutions, gradient
evaluations, wall time), to be charged to the method in a comparison.

A list of problems trains one schedule on all of them (mean loss) — evaluate it on others
to measure transfer. Training may use a coarser grid or fewer steps than the evaluation
(the schedule is a function of ``t/T``): pass the cheap problems here and build the
evaluation :class:`~qdq.Anneal` at full size.

This module does not import JAX; :func:`optimize_schedule` does, and raises
:class:`~qdq.errors.DependencyError` with the install command if it is missing.

Example:
    >>> import qdq
    >>> p = qdq.Problem("(x - 0.3)**2", bounds=[(-1, 1)], qubits=4)
    >>> out = qdq.optimize_schedule(p, family="chebyshev", terms=2, time=2.0, steps=20,
    ...                             iterations=5, learning_rate=0.1)
    >>> out.loss_history[-1] <= out.loss_history[0], out.cost["gradient_evaluations"]
    (True, 6)
    >>> spec = qdq.Anneal(p, D=0.5, schedule=out.schedule, time=2.0, steps=20)
    >>> spec.to_dict()["schedule"]
    'chebyshev-correction(qhd-cubic, terms=2)'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from qdq.errors import ParameterError, require
from qdq.problem import Problem, is_search_problem
from qdq.schedule_families import Family, ParametricSchedule
from qdq.schedule_families import family as make_family

__all__ = ["LearnedSchedule", "optimize_schedule"]


@dataclass
class LearnedSchedule:
    """What :func:`optimize_schedule` returns.

    Attributes:
        schedule: The best schedule found (``qdq.Anneal(..., schedule=...)`` accepts it).
        loss_history: Loss per Adam step of the run that found it.
        initial_loss: Loss at the family's starting point.
        best_loss: Loss of ``schedule`` (on the training problems, at training size).
        cost: ``evolutions`` (forward evolutions, one per problem and evaluation),
            ``gradient_evaluations`` (value-and-gradient calls), ``evolution_steps``,
            ``grid_points``, ``training_problems``, ``wall_seconds``, ``compile_seconds``.
        histories: Loss histories of every run (restarts included).
        settings: The training settings (family, loss, D, time, steps, order, …).
        selection: With ``select_on``: ``kept`` (``"learned"`` or ``"start"``), the loss of
            each candidate on the selection problems, and their cost (also added to
            ``cost`` as ``selection_evolutions``/``selection_steps``); else ``None``.
    """

    schedule: ParametricSchedule
    loss_history: list[float]
    initial_loss: float
    best_loss: float
    cost: dict
    histories: list[list[float]] = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    selection: dict | None = None

    def to_dict(self) -> dict:
        """JSON-safe description (the schedule via :meth:`ParametricSchedule.to_dict`)."""
        return {"schedule": self.schedule.to_dict(), "loss_history": list(self.loss_history),
                "initial_loss": self.initial_loss, "best_loss": self.best_loss,
                "cost": dict(self.cost), "histories": [list(h) for h in self.histories],
                "settings": dict(self.settings), "selection": self.selection}

    @classmethod
    def from_dict(cls, d: dict) -> LearnedSchedule:
        """Inverse of :meth:`to_dict` (plain data; nothing is evaluated)."""
        return cls(ParametricSchedule.from_dict(d["schedule"]), list(d["loss_history"]),
                   float(d["initial_loss"]), float(d["best_loss"]), dict(d["cost"]),
                   [list(h) for h in d.get("histories", [])], dict(d.get("settings", {})),
                   d.get("selection"))


def _problem_list(value, name: str) -> list[Problem]:
    """``value`` as a non-empty list of problems, or a ParameterError naming ``name``."""
    problems = [value] if is_search_problem(value) else list(value)
    if not problems or not all(is_search_problem(p) for p in problems):
        raise ParameterError(f"{name} needs a qdq.Problem or qdq.BinaryProblem or a non-empty "
                             f"list of them, got {value!r}")
    return problems


def optimize_schedule(problem: Problem | Sequence[Problem], family: str | Family = "chebyshev",
                      D: float = 0.5, time: float = 10.0, steps: int = 1000, loss="energy",
                      iterations: int = 100, *, order: int = 1, initial="uniform",
                      restarts: int = 0, learning_rate: float = 0.05, spread: float = 0.3,
                      seed: int = 0, callback=None, select_on=None,
                      select_steps: int | None = None, **family_config) -> LearnedSchedule:
    r"""Train a schedule family's parameters to minimize a loss of the final state.

    Args:
        problem: A :class:`~qdq.Problem`, or a list of them (trained on the mean loss).
        family: A :class:`~qdq.schedule_families.Family` or a family name: ``"chebyshev"`` /
            ``"fourier"`` (a correction of a preset; ``base=``, ``terms=``),
            ``"piecewise-linear"`` (``knots=``), ``"bang-anneal-bang"``.
        D: Base kinetic constant of the anneal ``a(t)(−D∇²) + b(t)ζ``.
        time: Total time ``T``.
        steps: Product-formula steps of the training evolutions.
        loss: ``"energy"`` (final ``⟨ζ⟩``), ``"hamiltonian"``, or a JAX function of a
            :class:`qdq.jax.observables.FinalState`.
        iterations: Adam steps per run.
        order: Product-formula order (1, 2 or 4).
        initial: Initial state (as for :class:`~qdq.Anneal`).
        restarts: Extra runs from random perturbations of the start (best kept).
        learning_rate: Adam step size (gradients are clipped to global norm 1).
        spread: Standard deviation of the restart perturbations of ``θ``.
        seed: Seed of the restarts.
        callback: ``callback(run, iteration, loss)`` after every evaluation.
        select_on: Optional :class:`~qdq.Problem` (or list) to choose, after training,
            between the learned ``θ`` and the family's start (the preset, for corrections)
            by the same loss, in forward runs at ``select_steps``: training on a coarse
            grid or time step can produce a schedule that is best there and slightly worse
            at full size. Typically the training functions at the evaluation grid; the loss
            needs no minimizer, so this stays fair. Its evolutions are charged to ``cost``.
        select_steps: Steps of the selection runs (default: ``steps``).
        **family_config: Arguments of the family when ``family`` is a name.

    Returns:
        A :class:`LearnedSchedule` (``.schedule``, ``.loss_history``, ``.cost``).

    Raises:
        DependencyError: JAX or optax is missing (``pip install 'qdq[jax]'``).
        ParameterError: Bad problems, family, loss or numbers.
    """
    problems = _problem_list(problem, "optimize_schedule")
    fam = make_family(family, **family_config)
    require("jax", "jax")
    require("optax", "jax")

    chosen = None
    if select_on is not None:
        chosen = _problem_list(select_on, "select_on")
        select_steps = steps if select_steps is None else select_steps
        if isinstance(select_steps, bool) or not isinstance(select_steps, int) or \
                select_steps < 1:
            raise ParameterError(f"select_steps must be an integer >= 1, got {select_steps!r}")
    from qdq.jax.learn import select, train

    out = train(fam, problems, loss=loss, iterations=iterations, restarts=restarts,
                learning_rate=learning_rate, spread=spread, seed=seed, callback=callback,
                D=D, time=time, steps=steps, order=order, initial=initial)
    theta, selection = out["theta"], None
    if chosen is not None:
        candidates = {"learned": out["theta"], "start": fam.init()}
        selection = select(fam, candidates, chosen, loss=loss, D=D, time=time,
                           steps=select_steps, order=order, initial=initial)
        theta = candidates[selection["kept"]]
        out["cost"].update(selection_evolutions=selection["evolutions"],
                           selection_steps=selection["evolutions"] * select_steps)
        out["cost"]["wall_seconds"] += selection["wall_seconds"]
    settings = {"family": fam.key, "config": fam.config(),
                "loss": loss if isinstance(loss, str) else getattr(loss, "__name__", "callable"),
                "D": float(D), "time": float(time), "steps": int(steps), "order": int(order),
                "iterations": int(iterations), "restarts": int(restarts),
                "learning_rate": float(learning_rate), "seed": int(seed)}
    return LearnedSchedule(fam.schedule(theta), out["loss_history"],
                           out["initial_loss"], out["best_loss"], out["cost"],
                           out["histories"], settings, selection)
