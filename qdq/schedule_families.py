r"""Parametric schedule families: learnable ``(a(t), b(t))`` that run like a preset.

A *family* maps a raw parameter vector ``θ ∈ ℝᴾ`` to an annealing schedule
``H(t) = a(t)·(−D∇²) + b(t)·ζ`` on ``[0, T]`` (``s = t/T``, clipped to ``[0, 1]``). Its
evaluation is written once over an array module ``xp``, so the same arithmetic runs on
plain floats (numpy: emulator, circuit builder, JSON) and inside JAX (``xp = jax.numpy``:
differentiable in ``θ`` for training, see :func:`qdq.jax.learn.optimize_schedule`).

Families (the raw ``θ`` is unconstrained; weights stay ``>= 0`` by construction):

* :class:`PiecewiseLinear` — ``log a`` and ``log b`` piecewise linear in ``s`` through
  ``K`` equally spaced knots (``P = 2K``): geometric interpolation spans the decades a QHD
  schedule covers; initialized on a preset's values at the knots.
* :class:`Correction` — a smooth multiplicative correction of a preset,
  ``a(t) = a₀(t)·exp(Σₖ cₖ φₖ(s))``, ``b(t) = b₀(t)·exp(Σₖ dₖ φₖ(s))`` with Chebyshev
  ``φₖ(s) = Tₖ(2s − 1)`` or cosine (Fourier) ``φₖ(s) = cos(kπs)``, ``k < K`` (``P = 2K``);
  ``θ = 0`` *is* the preset, bit for bit.
* :class:`BangAnnealBang` — ``u(s) = clip((s − s₁)/(s₂ − s₁), 0, 1)``, ``a = A(1 − u)``,
  ``b = B·u``: a kinetic bang, a linear anneal, a potential bang (``P = 4``:
  ``s₁ = σ(θ₀)``, ``s₂ = s₁ + (1 − s₁)σ(θ₁)``, ``A = e^{θ₂}``, ``B = e^{θ₃}``).

``family.schedule(θ)`` is a :class:`ParametricSchedule`: pass it as
``qdq.Anneal(..., schedule=...)`` exactly like a preset name. Its two weights are
:class:`~qdq.schedules.Schedule` objects with numeric parameters whose ``repr`` records
every parameter exactly (``repr(float)``), so ``Anneal.to_dict`` says what ran.

Example:
    >>> import numpy as np
    >>> fam = Correction("qhd-cubic", terms=3)
    >>> sched = fam.schedule(np.zeros(fam.size))        # θ = 0: the preset itself
    >>> a, b = sched.anneal_weights(10.0)
    >>> a(1.0), b(1.0)
    (1.998001998001998, 2.0)
    >>> sched.name
    'chebyshev-correction(qhd-cubic, terms=3)'
    >>> ParametricSchedule.from_dict(sched.to_dict()) == sched
    True
"""

from __future__ import annotations

import math

import numpy as np

from qdq.errors import ParameterError
from qdq.schedules import Schedule, preset, preset_parameters

__all__ = ["BangAnnealBang", "Correction", "FAMILIES", "Family", "ParametricSchedule",
           "PiecewiseLinear", "family"]

#: Floor for ``log`` of a preset's zero weights (``b(0) = 0`` for QHD's cubic schedule).
LOG_FLOOR = 1e-6


def _count(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not (
            low <= value <= high):
        raise ParameterError(f"{name} must be an integer in [{low}, {high}], got {value!r}")
    return int(value)


def _s(xp, t, time):
    return xp.clip(t / time, 0.0, 1.0)


# ------------------------------------------------------------------ presets, xp-generic
# The same arithmetic, in the same order, as qdq.schedules, so θ = 0 of a Correction
# reproduces the preset bit for bit on floats; and traceable by JAX.
def _base_cubic(xp, t, time, scale, eps):
    return scale / (eps + t**3), scale * t**3


def _base_inverse_quadratic(xp, t, time, gamma):
    return 1.0 / (1.0 + gamma * t * t), 1.0 + gamma * t * t


def _base_constant(xp, t, time, kinetic, potential):
    return kinetic + 0.0 * t, potential + 0.0 * t


def _base_linear(xp, t, time, start, floor, potential):
    s = xp.clip(t / time, 0.0, 1.0)
    return start + (floor - start) * s, potential + 0.0 * t


def _base_exponential(xp, t, time, start, rate, floor, potential):
    # math.exp on floats, as qdq.schedules does (numpy's exp may differ in the last bit)
    e = math.exp(-rate * t) if isinstance(t, float) else xp.exp(-rate * t)
    return floor + (start - floor) * e, potential + 0.0 * t


_BASES = {"qhd-cubic": _base_cubic, "qhd-inverse-quadratic": _base_inverse_quadratic,
          "constant": _base_constant, "linear": _base_linear,
          "exponential": _base_exponential}


def _base_params(base: str, params: dict) -> tuple[str, dict[str, float]]:
    key = str(base).strip().lower().replace("_", "-")
    if key not in _BASES:
        raise ParameterError(f"base preset must be one of {', '.join(_BASES)}, got {base!r}")
    allowed = preset_parameters(key)
    preset(key, **params)  # validates names and ranges with the preset's own messages
    out = {k: float(params.get(k, v)) for k, v in allowed.items() if k != "time"}
    return key, out


# ----------------------------------------------------------------------------- families
class Family:
    """A parametric schedule family (subclasses define :meth:`weights` and :meth:`init`).

    Attributes:
        key: The registry key of the family (`family(key, ...)`, the JSON "family" field).
        name: The family's readable name (recorded in schedule names).
        size: Number of raw parameters ``P``.
    """

    key = "family"
    name = "family"
    size = 0

    def weights(self, xp, theta, t, time):
        """``(a(t), b(t))`` for raw parameters ``theta`` (shape ``(P,)``), traceable in ``xp``."""
        raise NotImplementedError

    def init(self) -> np.ndarray:
        """The raw starting point ``θ₀`` (float64, shape ``(P,)``)."""
        raise NotImplementedError

    def config(self) -> dict:
        """JSON-safe constructor arguments (``family(name, **config)`` rebuilds it)."""
        raise NotImplementedError

    def shape(self) -> dict:
        """The configuration that changes the function of ``θ`` (not just the start)."""
        return {}

    def jax_weights(self, time: float):
        """A JAX-traceable ``(θ, t) -> (a, b)`` for anneals of total time ``time``."""
        import jax.numpy as jnp

        return lambda theta, t: self.weights(jnp, theta, t, time)

    def schedule(self, theta) -> ParametricSchedule:
        """The schedule object of parameters ``theta`` (accepted as ``Anneal(schedule=)``)."""
        return ParametricSchedule(self, theta)

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.config() == self.config()

    def __hash__(self) -> int:
        return hash((self.key, repr(self.config())))

    def __repr__(self) -> str:
        return self.name


class PiecewiseLinear(Family):
    """``log a``, ``log b`` piecewise linear in ``s = t/T`` through ``knots`` points.

    Args:
        knots: Number of equally spaced knots ``K`` (2..64), ``s = 0, 1/(K−1), …, 1``.
        init: Preset whose values at the knots start the training (zeros floored at
            :data:`LOG_FLOOR`).
        init_time: ``T`` used to evaluate ``init`` at the knots.
        **init_params: Parameters of the ``init`` preset.

    Example:
        >>> fam = PiecewiseLinear(knots=3, init="constant", kinetic=2.0)
        >>> a, b = fam.schedule(fam.init()).anneal_weights(4.0)
        >>> round(a(1.0), 12), round(b(3.0), 12)
        (2.0, 1.0)
    """

    key = "piecewise-linear"

    def __init__(self, knots: int = 8, init: str = "qhd-cubic", init_time: float = 10.0,
                 **init_params: float):
        self.knots = _count("knots", knots, 2, 64)
        self.base, self.base_params = _base_params(init, init_params)
        self.init_time = float(init_time)
        if not (math.isfinite(self.init_time) and self.init_time > 0):
            raise ParameterError(f"init_time must be finite and > 0, got {init_time!r}")
        self.size = 2 * self.knots
        self.name = f"piecewise-linear(knots={self.knots})"

    def weights(self, xp, theta, t, time):
        """See :meth:`Family.weights`."""
        s = _s(xp, t, time)
        grid = xp.linspace(0.0, 1.0, self.knots)
        la = xp.interp(s, grid, theta[: self.knots])
        lb = xp.interp(s, grid, theta[self.knots:])
        return xp.exp(la), xp.exp(lb)

    def init(self) -> np.ndarray:
        """See :meth:`Family.init`."""
        t = np.linspace(0.0, 1.0, self.knots) * self.init_time
        a, b = _BASES[self.base](np, t, self.init_time, **self.base_params)
        return np.log(np.maximum(np.concatenate([a, b]), LOG_FLOOR))

    def shape(self) -> dict:
        """See :meth:`Family.shape`."""
        return {"knots": self.knots}

    def config(self) -> dict:
        """See :meth:`Family.config`."""
        return {"knots": self.knots, "init": self.base, "init_time": self.init_time,
                **self.base_params}


def _basis(xp, basis: str, s, terms: int):
    """``[φ₀(s), …, φ_{K−1}(s)]`` stacked on the last axis."""
    if basis == "fourier":
        return xp.stack([xp.cos(k * math.pi * s) for k in range(terms)], axis=-1)
    x = 2.0 * s - 1.0
    out = [xp.ones_like(x), x][:terms]
    while len(out) < terms:  # T_{k+1} = 2x T_k − T_{k−1}
        out.append(2.0 * x * out[-1] - out[-2])
    return xp.stack(out, axis=-1)


class Correction(Family):
    r"""A preset times ``exp`` of a Chebyshev or cosine series in ``s = t/T``.

    ``a(t) = a₀(t)·exp(Σₖ θₖ φₖ(s))``, ``b(t) = b₀(t)·exp(Σₖ θ_{K+k} φₖ(s))``.

    Args:
        base: Preset name (``"qhd-cubic"``, ``"qhd-inverse-quadratic"``, ``"linear"``,
            ``"exponential"``, ``"constant"``); a ``time`` parameter is the anneal's.
        terms: Series length ``K`` (1..32).
        basis: ``"chebyshev"`` (``Tₖ(2s − 1)``) or ``"fourier"`` (``cos(kπs)``).
        **base_params: Parameters of the base preset (e.g. ``scale=2, eps=1e-3``).

    Example:
        >>> fam = Correction("qhd-cubic", terms=2)
        >>> a, b = fam.schedule([0.0, 0.0, 1.0, 0.0]).anneal_weights(10.0)
        >>> round(b(1.0) / 2.0, 12) == round(math.e, 12)      # d₀ = 1 scales b by e
        True
    """

    key = "correction"

    def __init__(self, base: str = "qhd-cubic", terms: int = 6, basis: str = "chebyshev",
                 **base_params: float):
        self.base, self.base_params = _base_params(base, base_params)
        self.terms = _count("terms", terms, 1, 32)
        if basis not in ("chebyshev", "fourier"):
            raise ParameterError(f"basis must be 'chebyshev' or 'fourier', got {basis!r}")
        self.basis = basis
        self.size = 2 * self.terms
        self.name = f"{basis}-correction({self.base}, terms={self.terms})"

    def weights(self, xp, theta, t, time):
        """See :meth:`Family.weights`."""
        a0, b0 = _BASES[self.base](xp, t, time, **self.base_params)
        phi = _basis(xp, self.basis, _s(xp, t, time), self.terms)
        return (a0 * xp.exp(phi @ theta[: self.terms]),
                b0 * xp.exp(phi @ theta[self.terms:]))

    def init(self) -> np.ndarray:
        """See :meth:`Family.init`."""
        return np.zeros(self.size)

    def shape(self) -> dict:
        """See :meth:`Family.shape`."""
        return self.config()

    def config(self) -> dict:
        """See :meth:`Family.config`."""
        return {"base": self.base, "terms": self.terms, "basis": self.basis,
                **self.base_params}


def _sigmoid(xp, x):
    return 1.0 / (1.0 + xp.exp(-x))


class BangAnnealBang(Family):
    r"""Kinetic bang on ``[0, s₁T]``, linear anneal to ``s₂T``, potential bang after.

    ``u(s) = clip((s − s₁)/(s₂ − s₁), 0, 1)``, ``a = A(1 − u)``, ``b = B·u`` with
    ``s₁ = σ(θ₀)``, ``s₂ = s₁ + (1 − s₁)·σ(θ₁)``, ``A = e^{θ₂}``, ``B = e^{θ₃}``.

    Args:
        start: Initial ``s₁`` in (0, 1).
        stop: Initial ``s₂`` in (start, 1).
        kinetic: Initial ``A > 0``.
        potential: Initial ``B > 0``.

    Example:
        >>> fam = BangAnnealBang(start=0.2, stop=0.6, kinetic=3.0, potential=5.0)
        >>> a, b = fam.schedule(fam.init()).anneal_weights(10.0)
        >>> [round(a(t), 9) for t in (1.0, 4.0, 8.0)], [round(b(t), 9) for t in (1.0, 4.0)]
        ([3.0, 1.5, 0.0], [0.0, 2.5])
    """

    key = "bang-anneal-bang"

    def __init__(self, start: float = 0.05, stop: float = 0.95, kinetic: float = 1.0,
                 potential: float = 10.0):
        vals = {"start": start, "stop": stop, "kinetic": kinetic, "potential": potential}
        for k, v in vals.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ParameterError(f"{k} must be a finite number, got {v!r}")
        if not (0 < start < stop < 1) or kinetic <= 0 or potential <= 0:
            raise ParameterError(
                f"need 0 < start < stop < 1 and kinetic, potential > 0, got start={start!r}, "
                f"stop={stop!r}, kinetic={kinetic!r}, potential={potential!r}")
        self.start, self.stop = float(start), float(stop)
        self.kinetic, self.potential = float(kinetic), float(potential)
        self.size = 4
        self.name = "bang-anneal-bang"

    def weights(self, xp, theta, t, time):
        """See :meth:`Family.weights`."""
        s1 = _sigmoid(xp, theta[0])
        s2 = s1 + (1.0 - s1) * _sigmoid(xp, theta[1])
        u = xp.clip((_s(xp, t, time) - s1) / (s2 - s1), 0.0, 1.0)
        return xp.exp(theta[2]) * (1.0 - u), xp.exp(theta[3]) * u

    def init(self) -> np.ndarray:
        """See :meth:`Family.init`."""
        logit = lambda p: math.log(p / (1.0 - p))  # noqa: E731
        return np.array([logit(self.start), logit((self.stop - self.start) / (1 - self.start)),
                         math.log(self.kinetic), math.log(self.potential)])

    def config(self) -> dict:
        """See :meth:`Family.config`."""
        return {"start": self.start, "stop": self.stop, "kinetic": self.kinetic,
                "potential": self.potential}


#: Family key -> class (``family(name, **config)``).
FAMILIES: dict[str, type[Family]] = {"piecewise-linear": PiecewiseLinear,
                                     "correction": Correction,
                                     "bang-anneal-bang": BangAnnealBang}


def family(name: str | Family, **config) -> Family:
    """A family by name (``"piecewise-linear"``, ``"correction"``, ``"bang-anneal-bang"``).

    ``"chebyshev"`` and ``"fourier"`` are shorthands for a :class:`Correction` of that basis.

    Example:
        >>> family("fourier", terms=4).name
        'fourier-correction(qhd-cubic, terms=4)'
    """
    if isinstance(name, Family):
        if config:
            raise ParameterError(f"got a Family object and extra arguments {sorted(config)}")
        return name
    key = str(name).strip().lower().replace("_", "-")
    if key in ("chebyshev", "fourier"):
        return Correction(basis=key, **config)
    if key not in FAMILIES:
        raise ParameterError(f"unknown schedule family {name!r}; valid: "
                             f"{', '.join([*FAMILIES, 'chebyshev', 'fourier'])}")
    try:
        return FAMILIES[key](**config)
    except TypeError as exc:
        raise ParameterError(f"bad arguments for family {key!r}: {exc}") from exc


# ----------------------------------------------------------------------------- schedules
class _Weight(Schedule):
    """One weight of a :class:`ParametricSchedule`; its ``repr`` is exact (``repr(float)``)."""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={float(v)!r}" for k, v in self.params.items())
        return f"{self.name}({args})"


class ParametricSchedule:
    """A family with numeric parameters: a schedule ``Anneal(schedule=...)`` accepts.

    Args:
        family: The :class:`Family`.
        theta: Raw parameters (``family.size`` finite numbers).

    Example:
        >>> s = BangAnnealBang().schedule([0.0, 0.0, 0.0, 1.0])
        >>> a, b = s.anneal_weights(2.0)
        >>> a
        bang-anneal-bang_kinetic(time=2.0, theta0=0.0, theta1=0.0, theta2=0.0, theta3=1.0)
        >>> a(0.5), a(1.5), round(b(2.0), 9)
        (1.0, 0.0, 2.718281828)
    """

    def __init__(self, family: Family, theta):
        if not isinstance(family, Family):
            raise ParameterError(f"family must be a qdq Family, got {type(family).__name__}")
        try:
            arr = np.asarray(theta, dtype=float).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"theta must be numbers, got {theta!r}") from exc
        if arr.size != family.size or not np.all(np.isfinite(arr)):
            raise ParameterError(f"{family.name} needs {family.size} finite parameters, got "
                                 f"{arr.size}: {arr.tolist()!r}")
        self.family = family
        self.theta = tuple(float(v) for v in arr)
        self.name = family.name

    def anneal_weights(self, time: float) -> tuple[Schedule, Schedule]:
        """``(a, b)`` as named :class:`~qdq.schedules.Schedule` objects for total time ``time``."""
        fam, theta = self.family, np.array(self.theta)
        params = {"time": float(time), **{f"theta{i}": v for i, v in enumerate(self.theta)}}
        fixed = ", ".join(f"{k}={v!r}" for k, v in fam.shape().items())
        prefix = f"{fam.key}[{fixed}]" if fixed else fam.key

        def a(t, **_):
            return fam.weights(np, theta, t, float(time))[0]

        def b(t, **_):
            return fam.weights(np, theta, t, float(time))[1]

        return (_Weight(f"{prefix}_kinetic", a, **params),
                _Weight(f"{prefix}_potential", b, **params))

    def to_dict(self) -> dict:
        """JSON-safe ``{"family": name, "config": {...}, "theta": [...]}``."""
        return {"family": self.family.key, "config": self.family.config(),
                "theta": list(self.theta)}

    @classmethod
    def from_dict(cls, d: dict) -> ParametricSchedule:
        """Inverse of :meth:`to_dict` (plain data only; nothing is evaluated)."""
        if not isinstance(d, dict) or not {"family", "config", "theta"} <= set(d):
            raise ParameterError(f"need a dict with family, config, theta; got {d!r}")
        return cls(family(d["family"], **dict(d["config"])), d["theta"])

    def __eq__(self, other) -> bool:
        return (isinstance(other, ParametricSchedule) and other.family == self.family
                and other.theta == self.theta)

    def __hash__(self) -> int:
        return hash((self.family, self.theta))

    def __repr__(self) -> str:
        return f"ParametricSchedule({self.name}, theta={list(self.theta)!r})"
