r"""Annealing weight schedules: pure functions of time for :class:`~qdq.Anneal`.

An anneal evolves under ``H(t) = a(t)·(−D∇²) + b(t)·ζ``; ``a`` is the *kinetic* weight and
``b`` the *potential* weight. Every schedule here is a :class:`Schedule`: a callable
``t -> float`` that is pure (no state), validated at construction, and carries a readable
name such as ``qhd_cubic_kinetic(scale=2, eps=0.001)`` (its ``repr`` and ``__qualname__``),
so :meth:`qdq.Anneal.to_dict` records exactly what ran.

Building blocks (``s = min(t / time, 1)`` where a ``time`` is given):

* :func:`constant` — ``a(t) = value``;
* :func:`linear` — ``a(t) = start + (end − start)·s``, held at ``end`` after ``time``;
* :func:`exponential` — ``a(t) = floor + (start − floor)·e^{−rate·t}``;
* :func:`inverse_quadratic` / :func:`quadratic` — ``1/(1 + γt²)`` and ``1 + γt²``;
* :func:`inverse_cubic` / :func:`cubic` — ``scale/(eps + t³)`` and ``scale·t³``.

Presets (:func:`preset` returns ``(kinetic_weight, potential_weight)``):

=========================  ==============================================  ===================
name                       kinetic ``a(t)``                                potential ``b(t)``
=========================  ==============================================  ===================
``constant``               ``kinetic``                                     ``potential``
``linear``                 ``start → floor`` linearly over ``time``        ``1``
``exponential``            ``floor + (start − floor) e^{−rate t}``         ``1``
``qhd-inverse-quadratic``  ``1/(1 + γt²)``                                 ``1 + γt²``
``qhd-cubic``              ``scale/(eps + t³)`` (QHD paper: 2, 1e−3)       ``scale·t³``
=========================  ==============================================  ===================

Example:
    >>> a, b = preset("qhd-cubic")
    >>> a
    qhd_cubic_kinetic(scale=2, eps=0.001)
    >>> round(a(1.0), 6), b(1.0)
    (1.998002, 2.0)
    >>> a, b = preset("linear", start=1.0, floor=0.1, time=4.0)
    >>> a(0.0), a(2.0), a(10.0), b(3.0)
    (1.0, 0.55, 0.1, 1.0)
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable

from qdq.errors import ParameterError

__all__ = [
    "PRESETS",
    "Schedule",
    "constant",
    "cubic",
    "exponential",
    "inverse_cubic",
    "inverse_quadratic",
    "linear",
    "preset",
    "quadratic",
]


def _number(name: str, value, *, positive: bool = False, nonnegative: bool = False) -> float:
    """Validate a schedule parameter (finite; optionally ``> 0`` or ``>= 0``)."""
    if isinstance(value, bool):
        raise ParameterError(f"schedule parameter {name} must be a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"schedule parameter {name} must be a number, got {value!r}") from exc
    if not math.isfinite(v):
        raise ParameterError(f"schedule parameter {name} must be finite, got {value!r}")
    if positive and v <= 0:
        raise ParameterError(f"schedule parameter {name} must be > 0, got {value!r}")
    if nonnegative and v < 0:
        raise ParameterError(
            f"schedule parameter {name} must be >= 0 (weights cannot be negative), got {value!r}"
        )
    return v


def _fmt(v: float) -> str:
    return f"{v:g}"


class Schedule:
    """A named, parameterized weight ``t -> float`` (pure; equal when name and params are).

    Args:
        name: Function name used in the ``repr`` (e.g. ``"linear"``).
        func: ``func(t, **params) -> float``.
        **params: The parameters, recorded in the ``repr``.

    Example:
        >>> s = Schedule("double", lambda t, k: k * t, k=2.0)
        >>> s, s(1.5), s.__qualname__
        (double(k=2), 3.0, 'double(k=2)')
    """

    def __init__(self, name: str, func: Callable[..., float], **params: float):
        self.name = name
        self.params = dict(params)
        self._func = func
        # Anneal.to_dict reads __qualname__; an instance attribute makes it the readable form.
        self.__qualname__ = repr(self)

    def __call__(self, t: float) -> float:
        """The weight at time ``t``."""
        return float(self._func(float(t), **self.params))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_fmt(v)}" for k, v in self.params.items())
        return f"{self.name}({args})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Schedule) and other.name == self.name
                and other.params == self.params)

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params.items()))))

    def to_dict(self) -> dict:
        """JSON-safe description ``{"name": ..., "params": {...}}``."""
        return {"name": self.name, "params": dict(self.params)}


# ----------------------------------------------------------------------- building blocks
def _constant(t: float, value: float) -> float:
    return value


def _linear(t: float, start: float, end: float, time: float) -> float:
    s = min(max(t / time, 0.0), 1.0)
    return start + (end - start) * s


def _exponential(t: float, start: float, rate: float, floor: float) -> float:
    return floor + (start - floor) * math.exp(-rate * t)


def _inverse_quadratic(t: float, gamma: float) -> float:
    return 1.0 / (1.0 + gamma * t * t)


def _quadratic(t: float, gamma: float) -> float:
    return 1.0 + gamma * t * t


def _inverse_cubic(t: float, scale: float, eps: float) -> float:
    return scale / (eps + t**3)


def _cubic(t: float, scale: float) -> float:
    return scale * t**3


def constant(value: float = 1.0) -> Schedule:
    """``a(t) = value`` (``>= 0``).

    Example:
        >>> constant(0.5)(3.0)
        0.5
    """
    return Schedule("constant", _constant, value=_number("value", value, nonnegative=True))


def linear(start: float = 1.0, end: float = 0.0, time: float = 1.0) -> Schedule:
    r"""``a(t) = start + (end − start)·min(t/time, 1)`` (held at ``end`` after ``time``).

    Args:
        start: Value at ``t = 0`` (``>= 0``).
        end: Value from ``t = time`` on (``>= 0``).
        time: Ramp duration ``> 0``.

    Example:
        >>> linear(2.0, 0.0, time=4.0)(1.0)
        1.5
    """
    return Schedule("linear", _linear, start=_number("start", start, nonnegative=True),
                    end=_number("end", end, nonnegative=True),
                    time=_number("time", time, positive=True))


def exponential(start: float = 1.0, rate: float = 1.0, floor: float = 0.0) -> Schedule:
    r"""``a(t) = floor + (start − floor)·e^{−rate·t}`` (decays to ``floor`` if ``rate > 0``).

    Example:
        >>> round(exponential(1.0, rate=2.0, floor=0.1)(0.5), 6)   # 0.1 + 0.9/e
        0.431092
    """
    return Schedule("exponential", _exponential, start=_number("start", start, nonnegative=True),
                    rate=_number("rate", rate, nonnegative=True),
                    floor=_number("floor", floor, nonnegative=True))


def inverse_quadratic(gamma: float = 1.0) -> Schedule:
    r"""``a(t) = 1/(1 + γt²)`` — the QHD kinetic weight ``e^{φ_t}`` of the quadratic family.

    Example:
        >>> inverse_quadratic(gamma=0.5)(2.0)
        0.3333333333333333
    """
    return Schedule("inverse_quadratic", _inverse_quadratic,
                    gamma=_number("gamma", gamma, nonnegative=True))


def quadratic(gamma: float = 1.0) -> Schedule:
    r"""``b(t) = 1 + γt²``.

    Example:
        >>> quadratic(gamma=0.5)(2.0)
        3.0
    """
    return Schedule("quadratic", _quadratic, gamma=_number("gamma", gamma, nonnegative=True))


def inverse_cubic(scale: float = 2.0, eps: float = 1e-3) -> Schedule:
    r"""``a(t) = scale/(eps + t³)``; ``eps > 0`` keeps ``a(0) = scale/eps`` finite.

    Example:
        >>> inverse_cubic()(0.0)
        2000.0
    """
    return Schedule("qhd_cubic_kinetic", _inverse_cubic,
                    scale=_number("scale", scale, nonnegative=True),
                    eps=_number("eps", eps, positive=True))


def cubic(scale: float = 2.0) -> Schedule:
    r"""``b(t) = scale·t³``.

    Example:
        >>> cubic()(1.5)
        6.75
    """
    return Schedule("qhd_cubic_potential", _cubic, scale=_number("scale", scale, nonnegative=True))


# ------------------------------------------------------------------------------ presets
# Parameters whose preset name differs from the building block's are validated here, so
# the error names the parameter the user actually passed.
def _p_constant(kinetic: float = 1.0, potential: float = 1.0):
    return (constant(_number("kinetic", kinetic, nonnegative=True)),
            constant(_number("potential", potential, nonnegative=True)))


def _p_linear(start: float = 1.0, floor: float = 0.01, time: float = 10.0,
              potential: float = 1.0):
    return (linear(start, _number("floor", floor, nonnegative=True), time),
            constant(_number("potential", potential, nonnegative=True)))


def _p_exponential(start: float = 1.0, rate: float = 1.0, floor: float = 0.0,
                   potential: float = 1.0):
    return (exponential(start, rate, floor),
            constant(_number("potential", potential, nonnegative=True)))


def _p_inverse_quadratic(gamma: float = 1.0):
    return inverse_quadratic(gamma), quadratic(gamma)


def _p_cubic(scale: float = 2.0, eps: float = 1e-3):
    return inverse_cubic(scale, eps), cubic(scale)


#: Preset name -> builder; each builder's keyword arguments are the preset's parameters.
PRESETS: dict[str, Callable[..., tuple[Schedule, Schedule]]] = {
    "constant": _p_constant,
    "linear": _p_linear,
    "exponential": _p_exponential,
    "qhd-inverse-quadratic": _p_inverse_quadratic,
    "qhd-cubic": _p_cubic,
}


def preset_parameters(name: str) -> dict[str, float]:
    """Parameter names and defaults of a preset.

    Example:
        >>> preset_parameters("qhd-cubic")
        {'scale': 2.0, 'eps': 0.001}
    """
    import inspect

    builder = _lookup(name)
    return {k: p.default for k, p in inspect.signature(builder).parameters.items()}


def _lookup(name: str) -> Callable[..., tuple[Schedule, Schedule]]:
    if not isinstance(name, str):
        raise ParameterError(f"schedule preset name must be a str, got {name!r}; "
                             f"valid names: {', '.join(PRESETS)}")
    key = name.strip().lower().replace("_", "-")
    if key not in PRESETS:
        close = difflib.get_close_matches(key, list(PRESETS), n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(map(repr, close))}? " if close else ""
        raise ParameterError(f"unknown schedule preset {name!r}; {hint}"
                             f"valid names: {', '.join(PRESETS)}")
    return PRESETS[key]


def preset(name: str, **params: float) -> tuple[Schedule, Schedule]:
    r"""A named ``(kinetic_weight, potential_weight)`` pair (see the module table).

    Args:
        name: One of :data:`PRESETS` (``_`` and ``-`` are interchangeable).
        **params: The preset's parameters (see :func:`preset_parameters`); others are rejected.

    Returns:
        ``(a, b)``: two :class:`Schedule` callables of ``t``.

    Raises:
        ParameterError: Unknown name (valid names and close matches are listed), an
            unknown parameter, or a parameter out of range.

    Example:
        >>> a, b = preset("qhd-inverse-quadratic", gamma=0.1)
        >>> a(10.0) * b(10.0)
        1.0
        >>> preset("qhd-cubc")
        Traceback (most recent call last):
        ...
        qdq.errors.ParameterError: unknown schedule preset 'qhd-cubc'; did you mean 'qhd-cubic'? ...
    """
    builder = _lookup(name)
    allowed = preset_parameters(name)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ParameterError(f"preset {name!r} has no parameter(s) {unknown}; "
                             f"its parameters are {allowed}")
    return builder(**params)
