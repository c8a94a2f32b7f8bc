r"""Evolution specs: what to evolve, turned into a product formula (plain data).

A spec (:class:`RealTime`, :class:`ImaginaryTime`, :class:`Anneal`) says *what* to
evolve — problem, ``D``, time, steps, order, initial state, and for an anneal the weights
``a(t)``, ``b(t)``; :meth:`~EvolutionSpec.product_formula` turns it into a
:class:`~qdq.product_formula.ProductFormula` (the sequences and their arithmetic live in
:mod:`qdq.product_formula`, whose names are re-exported here).

Example:
    >>> import qdq
    >>> H = qdq.Hamiltonian(qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3), D=0.5)
    >>> for factor in RealTime(H, time=1.0, steps=2, order=2).product_formula().factors:
    ...     print(factor)
    ('potential', 0.25)
    ('kinetic', 0.5)
    ('potential', 0.5)
    ('kinetic', 0.5)
    ('potential', 0.25)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from qdq.errors import ParameterError
from qdq.hamiltonian import Hamiltonian
from qdq.problem import Problem, is_search_problem
from qdq.product_formula import (  # re-exported: `from qdq.evolution import …` keeps working
    EAGER_FACTORS,
    MAX_MATERIALIZED,
    ORDERS,
    ProductFormula,
    evaluate_weight,
    factors_per_step,
    iter_strang,
    merge_adjacent,
    strang_sequence,
)
from qdq.states import OneHotUniform, check_initial, describe_initial, resolve_initial
from qdq.validate import check_positive

__all__ = ["EAGER_FACTORS", "MAX_MATERIALIZED", "ORDERS", "Anneal", "EvolutionSpec",
           "ImaginaryTime", "ProductFormula", "RealTime", "Weight", "evaluate_weight",
           "factors_per_step", "iter_strang", "merge_adjacent", "strang_sequence"]

Weight = Callable[[float], float] | float

def _check_order(order) -> int:
    if order not in ORDERS or isinstance(order, bool):
        raise ParameterError(f"order must be one of {ORDERS}, got {order!r}")
    return int(order)


def _check_steps(steps) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ParameterError(f"steps must be an integer >= 1, got {steps!r}")
    return int(steps)


def _weight_fn(w: Weight, name: str) -> Callable[[float], float]:
    if callable(w):
        return w
    if isinstance(w, str):
        from qdq.schedules import PRESETS

        raise ParameterError(
            f"{name} must be a callable or a number, got the string {w!r}; for a named "
            f"schedule pass schedule={w!r} (presets: {', '.join(PRESETS)})"
        )
    try:
        value = float(w)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be a callable or a number, got {w!r}") from exc
    if np.isfinite(value) and value >= 0:
        from qdq.schedules import constant

        return constant(value)  # named, so to_dict records "constant(value=...)"
    return lambda t: value  # evaluate_weight reports the bad value with its t


class EvolutionSpec:
    """Common base of the evolution specs: problem, D, time, steps, order, initial."""

    time_axis = "real"
    method = "evolution"

    @staticmethod
    def require(spec: object, who: str) -> EvolutionSpec:
        """``spec`` itself, or a ParameterError naming ``who`` (builders that take a spec)."""
        if not isinstance(spec, EvolutionSpec):
            raise ParameterError(f"{who} needs an evolution spec (qdq.RealTime, "
                                 f"qdq.ImaginaryTime, qdq.Anneal), got {type(spec).__name__}")
        return spec

    def __init__(self, problem: Problem, D: float, *, time: float, steps: int, order: int,
                 initial):
        self.problem = problem
        self.D = check_positive("D", D)
        self.time = check_positive("time", time)
        self.steps = _check_steps(steps)
        self.order = _check_order(order)
        if isinstance(initial, str) and initial == "one-hot":
            groups = getattr(problem.kinetic_term, "groups", None)
            if not groups:
                raise ParameterError("initial='one-hot' needs a binary problem with one-hot "
                                     "groups (mixer=qdq.binary.xy.XYMixer(...)); use 'uniform'")
            initial = OneHotUniform(tuple(tuple(int(q) for q in g) for g in groups))
        self.initial = initial
        check_initial(initial, problem.grid)  # validate early, at the boundary

    @property
    def hamiltonian(self) -> Hamiltonian:
        """The (final-weight-free) Hamiltonian ``−D∇² + ζ``."""
        return Hamiltonian(self.problem, self.D, kinetic=self._kinetic)

    @property
    def grid(self):
        """The problem's grid (a register layout for binary problems)."""
        return self.problem.grid

    #: The kinetic term ``("kinetic", c)`` applies; ``None``: the problem's own.
    _kinetic = None

    @property
    def kinetic_term(self):
        """The kinetic term (:mod:`qdq.kinetic`) that ``("kinetic", c)`` applies."""
        return self.problem.kinetic_term if self._kinetic is None else self._kinetic

    @property
    def final_D(self) -> float:
        """``D`` of the Hamiltonian the evolution ends under, per unit potential weight.

        ``a(T)·D / b(T)`` for an anneal (``H(T) = b(T)·(−(a/b)D∇² + ζ)``), else ``D``. Results
        report ``⟨H⟩`` with it, so an anneal's energy is that of its final Hamiltonian.
        """
        a, b = self.weights()
        bt = evaluate_weight(b, self.time, "potential_weight")
        return self.D * evaluate_weight(a, self.time, "kinetic_weight") / bt if bt > 0 else self.D

    @property
    def dt(self) -> float:
        """Time step ``time / steps``."""
        return self.time / self.steps

    def initial_state(self) -> np.ndarray:
        """Normalized grid-shaped initial state."""
        return resolve_initial(self.initial, self.problem.grid)

    def weights(self) -> tuple[Callable[[float], float], Callable[[float], float]]:
        """``(kinetic_weight, potential_weight)`` as functions of time."""
        one = lambda t: 1.0  # noqa: E731
        return one, one

    def product_formula(self) -> ProductFormula:
        """The product-formula sequence (plain data).

        Up to :data:`EAGER_FACTORS` factors it is built (and every weight validated) now;
        beyond, it is a stream generated on each iteration, O(1) in memory.
        """
        a, b = self.weights()
        hint = self.steps * factors_per_step(self.order) + 1
        if hint <= EAGER_FACTORS:
            return ProductFormula(self.time_axis, tuple(iter_strang(a, b, self.time, self.steps,
                                                               self.order)), self.order)
        time, steps, order = self.time, self.steps, self.order
        return ProductFormula(self.time_axis, order=order, size_hint=hint,
                              source=lambda: iter_strang(a, b, time, steps, order))

    def to_dict(self) -> dict:
        """JSON-safe description of the spec."""
        return {"method": self.method, "time_axis": self.time_axis, "D": self.D, "time": self.time,
                "steps": self.steps, "order": self.order,
                "initial": describe_initial(self.initial), "problem": self.problem.to_dict()}

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(D={self.D:g}, time={self.time:g}, steps={self.steps}, "
                f"order={self.order}, problem={self.problem!r})")


def _unpack(H: Hamiltonian, cls: str) -> tuple[Problem, float]:
    if not isinstance(H, Hamiltonian):
        raise ParameterError(f"{cls} needs a qdq.Hamiltonian, got {type(H).__name__}; "
                             "build one with qdq.Hamiltonian(problem, D=...)")
    return H.problem, H.D


def _own_kinetic(spec: EvolutionSpec, term) -> None:
    """Keep a kinetic term other than the problem's own (the Hamiltonian's choice)."""
    if type(term) is not type(spec.problem.kinetic_term):
        spec._kinetic = term


class RealTime(EvolutionSpec):
    """Real-time (Schrödinger) evolution ``ψ(t) = e^{−iHt} ψ₀``, Trotterized.

    Args:
        H: The Hamiltonian.
        time: Total time ``> 0``.
        steps: Number of product-formula steps ``>= 1``.
        order: 1, 2 (Strang) or 4 (Yoshida).
        initial: ``"uniform"``, a :class:`~qdq.GaussianPacket`, or a grid-shaped array.

    Raises:
        ParameterError: On a bad time, steps, order or initial state.
    """

    time_axis = "real"
    method = "real-time"

    def __init__(self, H: Hamiltonian, *, time: float = 1.0, steps: int = 50, order: int = 2,
                 initial="uniform"):
        problem, D = _unpack(H, "RealTime")
        super().__init__(problem, D, time=time, steps=steps, order=order, initial=initial)
        _own_kinetic(self, H.kinetic_term)


class ImaginaryTime(EvolutionSpec):
    """Imaginary-time evolution ``ψ(τ) ∝ e^{−Hτ} ψ₀`` (Wick-rotated), Trotterized.

    Each factor ``e^{−cX}`` is non-unitary; engines renormalize and report the
    success probability a probabilistic circuit would have (factors shifted so their
    largest entry is 1: ``e^{−c(X − min X)}``).

    Args:
        H: The Hamiltonian.
        time: Total imaginary time ``τ > 0``.
        steps: Number of steps ``>= 1``.
        order: 1 or 2 (order 4 needs negative sub-steps, which amplify rather than damp).
        initial: As for :class:`RealTime`.
    """

    time_axis = "imaginary"
    method = "imaginary-time"

    def __init__(self, H: Hamiltonian, *, time: float = 5.0, steps: int = 100, order: int = 2,
                 initial="uniform"):
        problem, D = _unpack(H, "ImaginaryTime")
        if order == 4:
            raise ParameterError(
                "order 4 is not available for imaginary time, got order=4: Yoshida's "
                "negative sub-step e^{+|c|T} amplifies high momenta; use order=2 with more steps"
            )
        super().__init__(problem, D, time=time, steps=steps, order=order, initial=initial)
        _own_kinetic(self, H.kinetic_term)


class Anneal(EvolutionSpec):
    """Annealed real-time evolution under ``H(t) = a(t)·(−D∇²) + b(t)·ζ``.

    Args:
        problem: The discretized objective (a :class:`~qdq.Problem` or
            :class:`~qdq.BinaryProblem`).
        D: Base kinetic constant (``a(t)`` multiplies ``−D∇²``); default the kinetic
            term's ``default_D`` (0.5 on grids, 1 on the hypercube).
        kinetic_weight: ``a(t)``, a callable or a constant ``>= 0``.
        potential_weight: ``b(t)``, a callable or a constant ``>= 0``.
        time: Total time ``> 0``.
        steps: Number of steps.
        order: 1 (weights at each step's left end), 2 (midpoint) or 4.
        initial: As for :class:`RealTime`.
        kinetic: The kinetic term (as for :class:`~qdq.Hamiltonian`; ``None``: the
            problem's own).
        schedule: Instead of the two weights: a preset name of :mod:`qdq.schedules`
            (``"qhd-cubic"``, ``"linear"``, …; a preset's ``time`` is the anneal's) or an
            ``(a, b)`` pair such as ``qdq.schedules.preset("linear", floor=0.1)``, or a
            parametric/learned schedule (``qdq.optimize_schedule(...).schedule``).

    Raises:
        ParameterError: Bad numbers, or a weight that is negative or non-finite at some
            step time (the message names that ``t``); ``schedule`` together with weights.

    Example:
        >>> import qdq
        >>> p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
        >>> a = Anneal(p, D=0.5, kinetic_weight=lambda t: 1 - t, potential_weight=lambda t: t,
        ...            time=1.0, steps=2, order=1)
        >>> a.product_formula().factors
        (('kinetic', 0.5), ('potential', 0.25), ('kinetic', 0.25))
        >>> Anneal(p, schedule="qhd-cubic", time=10.0, steps=10).to_dict()["kinetic_weight"]
        'qhd_cubic_kinetic(scale=2, eps=0.001)'
    """

    time_axis = "real"
    method = "anneal"

    def __init__(self, problem: Problem, D: float | None = None, *,
                 kinetic_weight: Weight | None = None,
                 potential_weight: Weight | None = None, time: float = 10.0, steps: int = 1000,
                 order: int = 1, initial="uniform", schedule=None, kinetic=None):
        if not is_search_problem(problem):
            raise ParameterError(f"Anneal needs a qdq.Problem or qdq.BinaryProblem, got "
                                 f"{type(problem).__name__}")
        from qdq.kinetic import kinetic_for

        term = kinetic_for(problem, kinetic)
        if D is None:  # the space's own scale: 0.5 on grids, 1 on the hypercube
            D = term.default_D
        super().__init__(problem, D, time=time, steps=steps, order=order, initial=initial)
        _own_kinetic(self, term)
        self.schedule = None
        if schedule is not None:
            if kinetic_weight is not None or potential_weight is not None:
                raise ParameterError(
                    f"give either schedule= or kinetic_weight=/potential_weight=, not both "
                    f"(got schedule={schedule!r})"
                )
            kinetic_weight, potential_weight = _resolve_schedule(schedule, self.time)
            self.schedule = schedule if isinstance(schedule, str) else getattr(
                schedule, "name", None)
        kinetic_weight = 1.0 if kinetic_weight is None else kinetic_weight
        potential_weight = 1.0 if potential_weight is None else potential_weight
        self.kinetic_weight = _weight_fn(kinetic_weight, "kinetic_weight")
        self.potential_weight = _weight_fn(potential_weight, "potential_weight")
        for t in (0.0, self.time / 2, self.time):
            evaluate_weight(self.kinetic_weight, t, "kinetic_weight")
            evaluate_weight(self.potential_weight, t, "potential_weight")

    def weights(self):
        """``(a, b)``: kinetic and potential weight functions."""
        return self.kinetic_weight, self.potential_weight

    def to_dict(self) -> dict:
        """JSON-safe description (weights by name where they have one)."""
        out = super().to_dict()
        out["kinetic_weight"] = getattr(self.kinetic_weight, "__qualname__", "callable")
        out["potential_weight"] = getattr(self.potential_weight, "__qualname__", "callable")
        if self.schedule is not None:
            out["schedule"] = self.schedule
        return out


def _resolve_schedule(schedule, time: float):
    """``schedule`` (a preset name, an ``(a, b)`` pair or a parametric schedule) -> ``(a, b)``.

    A preset with a ``time`` parameter (e.g. ``"linear"``) gets the anneal's total time.
    """
    from qdq.schedules import preset, preset_parameters

    if isinstance(schedule, str):
        params = {"time": time} if "time" in preset_parameters(schedule) else {}
        return preset(schedule, **params)
    if isinstance(schedule, tuple) and len(schedule) == 2:
        return schedule
    if callable(getattr(schedule, "anneal_weights", None)):  # e.g. a learned schedule
        return schedule.anneal_weights(time)
    raise ParameterError(
        f"schedule must be a preset name or a (kinetic_weight, potential_weight) pair or a "
        "parametric schedule (qdq.schedule_families), got "
        f"{schedule!r}; e.g. schedule='qhd-cubic' or schedule=qdq.schedules.preset('linear', "
        "floor=0.1)"
    )
