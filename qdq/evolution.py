r"""Evolution specs and their product-formula sequences (plain data).

A spec (:class:`RealTime`, :class:`ImaginaryTime`, :class:`Anneal`) says *what* to
evolve; :meth:`~EvolutionSpec.product_formula` turns it into a :class:`ProductFormula`:
a time axis (``"real"`` or ``"imaginary"``) and a tuple of ``(term, c)`` pairs, ``term`` in
``{"potential", "kinetic"}``. Real time applies ``e^{−i c X}``, imaginary time
``e^{−c X}`` (then renormalizes), with ``X = ζ`` (diagonal in position) or
``X = D|k|²`` (diagonal in momentum). Two interpreters consume the same sequence —
the circuit builder and the FFT emulator — so both implement the same operator.

Product formulas (``H(t) = a(t)·T + b(t)·ζ``, step ``dt``, ``t_k = k·dt``):

* order 1: ``e^{−i b(t_k) ζ dt} e^{−i a(t_k) T dt}`` (potential first, left-end weights);
* order 2 (Strang): ``e^{−i bζ dt/2} e^{−i aT dt} e^{−i bζ dt/2}`` at the midpoint
  ``t_k + dt/2``; adjacent potential half-steps are merged (they commute);
* order 4: Yoshida's triple jump of order-2 steps with
  ``w₁ = 1/(2 − 2^{1/3})``, ``w₀ = 1 − 2w₁`` (``S₂(w₁dt) S₂(w₀dt) S₂(w₁dt)``).

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

import itertools
from collections.abc import Callable, Iterator

import numpy as np

from qdq.errors import ParameterError, ResourceError
from qdq.hamiltonian import Hamiltonian
from qdq.problem import Problem
from qdq.states import check_initial, describe_initial, resolve_initial
from qdq.validate import check_positive

ORDERS = (1, 2, 4)
_W1 = 1.0 / (2.0 - 2.0 ** (1.0 / 3.0))
_W0 = 1.0 - 2.0 * _W1
Weight = Callable[[float], float] | float


#: Formulas with at most this many factors are built eagerly as a tuple (weights validated at
#: once); longer ones are streamed, so memory stays O(1) in the number of steps.
EAGER_FACTORS = 1 << 16
#: ``ProductFormula.factors`` refuses to materialize more factors than this (use iteration).
MAX_MATERIALIZED = 1 << 22


class ProductFormula:
    """A product-formula sequence: plain data shared by every interpreter.

    Short formulas hold their factors as a tuple; long ones (more than
    :data:`EAGER_FACTORS`) hold a *source*, a callable returning a fresh iterator, so a
    billion steps cost no memory. Iterate the formula (``for term, c in formula``) to
    stream it; :attr:`factors` materializes the tuple for small formulas.

    Attributes:
        time_axis: ``"real"`` (factors ``e^{−icX}``) or ``"imaginary"`` (``e^{−cX}``).
        order: The formula's order (2 and 4 end each step inside a merged potential factor).
        size_hint: Number of factors (exact for tuples; an upper bound for streams, whose
            zero factors are dropped as they are met).

    Example:
        >>> f = ProductFormula("real", (("potential", 0.5), ("kinetic", 1.0)), 1)
        >>> list(f), len(f.factors), f.counts()
        ([('potential', 0.5), ('kinetic', 1.0)], 2, {'potential': 1, 'kinetic': 1})
    """

    __slots__ = ("time_axis", "order", "size_hint", "_factors", "_source")

    def __init__(self, time_axis: str, factors=None, order: int = 1, *,
                 source: Callable[[], Iterator[tuple[str, float]]] | None = None,
                 size_hint: int | None = None):
        if (factors is None) == (source is None):
            raise ParameterError("ProductFormula needs exactly one of factors= or source=")
        self.time_axis = time_axis
        self.order = order
        self._factors = None if factors is None else tuple(factors)
        self._source = source
        self.size_hint = len(self._factors) if self._factors is not None else int(size_hint or 0)

    @property
    def streamed(self) -> bool:
        """Whether the factors are generated on demand rather than stored."""
        return self._factors is None

    def __iter__(self) -> Iterator[tuple[str, float]]:
        return iter(self._factors) if self._factors is not None else self._source()

    @property
    def factors(self) -> tuple[tuple[str, float], ...]:
        """``((term, c), …)`` in application order (first applied first).

        Raises:
            ResourceError: For a streamed formula of more than :data:`MAX_MATERIALIZED`
                factors (iterate it instead).
        """
        if self._factors is not None:
            return self._factors
        if self.size_hint > MAX_MATERIALIZED:
            raise ResourceError(
                f"this product formula has up to {self.size_hint:,} factors; materializing "
                f"more than {MAX_MATERIALIZED:,} as a tuple is refused — iterate it "
                "(`for term, c in formula`) instead"
            )
        return tuple(self._source())

    def counts(self) -> dict[str, int]:
        """Number of potential and kinetic factors (streams are counted, not stored)."""
        out = {"potential": 0, "kinetic": 0}
        for term, _ in self:
            out[term] += 1
        return out

    def __eq__(self, other) -> bool:
        if not isinstance(other, ProductFormula):
            return NotImplemented
        return (self.time_axis, self.order) == (other.time_axis, other.order) and all(
            a == b for a, b in itertools.zip_longest(self, other))

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, compared by content

    def __repr__(self) -> str:
        body = f"<stream of <= {self.size_hint} factors>" if self.streamed else repr(self._factors)
        return (f"ProductFormula(time_axis={self.time_axis!r}, factors={body}, "
                f"order={self.order})")


def merge_adjacent(steps: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Merge adjacent factors of the same term (they commute) and drop zero ones.

    Example:
        >>> merge_adjacent([("potential", 0.5), ("potential", 0.5), ("kinetic", 0.0)])
        [('potential', 1.0)]
    """
    out: list[tuple[str, float]] = []
    for term, c in steps:
        if c == 0.0:
            continue
        if out and out[-1][0] == term:
            out[-1] = (term, out[-1][1] + c)
            if out[-1][1] == 0.0:
                out.pop()
        else:
            out.append((term, c))
    return out


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


def evaluate_weight(fn: Callable[[float], float], t: float, name: str) -> float:
    """Call a schedule and validate its value (finite, ``>= 0``), naming ``t`` if not."""
    try:
        v = float(fn(t))
    except Exception as exc:
        raise ParameterError(f"{name}({t:g}) raised {type(exc).__name__}: {exc}") from exc
    if not np.isfinite(v) or v < 0:
        raise ParameterError(
            f"{name}({t:g}) = {v!r}; schedule weights must be finite and >= 0 at every t"
        )
    return v


def factors_per_step(order: int) -> int:
    """Upper bound on the merged factors one step adds (order 1: 2, order 2: 2, order 4: 6)."""
    return 6 if order == 4 else 2


def iter_strang(a: Callable[[float], float], b: Callable[[float], float], time: float,
                steps: int, order: int) -> Iterator[tuple[str, float]]:
    """Stream the merged sequence for weights ``a`` (kinetic), ``b`` (potential).

    Factors are produced step by step and merged on the fly (one factor of lookahead), in
    exactly the arithmetic order of :func:`merge_adjacent` on the full list, so streaming
    and materializing give bit-identical coefficients with O(1) memory.

    Example:
        >>> list(iter_strang(lambda t: 1.0, lambda t: 2.0, 1.0, 2, 2))
        [('potential', 0.5), ('kinetic', 0.5), ('potential', 1.0), ('kinetic', 0.5), \
('potential', 0.5)]
    """
    dt = time / steps
    aw = lambda t: evaluate_weight(a, t, "kinetic_weight")  # noqa: E731
    bw = lambda t: evaluate_weight(b, t, "potential_weight")  # noqa: E731

    def s2(t0: float, h: float):
        tm = t0 + h / 2
        bm = bw(tm)
        return (("potential", bm * h / 2), ("kinetic", aw(tm) * h), ("potential", bm * h / 2))

    pending: tuple[str, float] | None = None
    for k in range(steps):
        t = k * dt
        if order == 1:
            raw: tuple = (("potential", bw(t) * dt), ("kinetic", aw(t) * dt))
        elif order == 2:
            raw = s2(t, dt)
        else:
            raw = (s2(t, _W1 * dt) + s2(t + _W1 * dt, _W0 * dt)
                   + s2(t + (_W1 + _W0) * dt, _W1 * dt))
        for term, c in raw:
            if c == 0.0:
                continue
            if pending is not None and pending[0] == term:
                pending = (term, pending[1] + c)
            else:
                if pending is not None:
                    yield pending
                pending = (term, c)
    if pending is not None:
        yield pending


def strang_sequence(a: Callable[[float], float], b: Callable[[float], float], time: float,
                    steps: int, order: int) -> list[tuple[str, float]]:
    """The merged sequence for weights ``a`` (kinetic), ``b`` (potential), as a list.

    Example:
        >>> strang_sequence(lambda t: 1.0, lambda t: 2.0, 1.0, 1, 1)
        [('potential', 2.0), ('kinetic', 1.0)]
    """
    return list(iter_strang(a, b, time, steps, order))


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
        self.initial = initial
        check_initial(initial, problem.grid)  # validate early, at the boundary

    @property
    def hamiltonian(self) -> Hamiltonian:
        """The (final-weight-free) Hamiltonian ``−D∇² + ζ``."""
        return Hamiltonian(self.problem, self.D)

    @property
    def grid(self):
        """The problem's grid."""
        return self.problem.grid

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


class Anneal(EvolutionSpec):
    """Annealed real-time evolution under ``H(t) = a(t)·(−D∇²) + b(t)·ζ``.

    Args:
        problem: The discretized objective.
        D: Base kinetic constant (``a(t)`` multiplies ``−D∇²``).
        kinetic_weight: ``a(t)``, a callable or a constant ``>= 0``.
        potential_weight: ``b(t)``, a callable or a constant ``>= 0``.
        time: Total time ``> 0``.
        steps: Number of steps.
        order: 1 (weights at each step's left end), 2 (midpoint) or 4.
        initial: As for :class:`RealTime`.
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

    def __init__(self, problem: Problem, D: float = 0.5, *, kinetic_weight: Weight | None = None,
                 potential_weight: Weight | None = None, time: float = 10.0, steps: int = 1000,
                 order: int = 1, initial="uniform", schedule=None):
        if not isinstance(problem, Problem):
            raise ParameterError(f"Anneal needs a qdq.Problem, got {type(problem).__name__}")
        super().__init__(problem, D, time=time, steps=steps, order=order, initial=initial)
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
