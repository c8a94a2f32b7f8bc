r"""Product-formula sequences: the plain data every interpreter consumes.

A :class:`ProductFormula` is a time axis (``"real"`` or ``"imaginary"``) and a sequence of
``(term, c)`` pairs, ``term`` in ``{"potential", "kinetic"}``. Real time applies
``e^{−i c X}``, imaginary time ``e^{−c X}`` (then renormalizes), with ``X = ζ`` (diagonal
in position) or ``X = D|k|²`` (diagonal in momentum). Two interpreters consume the same
sequence — the circuit builder and the FFT emulator — so both implement the same operator.
The specs of :mod:`qdq.evolution` build it with :func:`iter_strang`.

Product formulas (``H(t) = a(t)·T + b(t)·ζ``, step ``dt``, ``t_k = k·dt``):

* order 1: ``e^{−i b(t_k) ζ dt} e^{−i a(t_k) T dt}`` (potential first, left-end weights);
* order 2 (Strang): ``e^{−i bζ dt/2} e^{−i aT dt} e^{−i bζ dt/2}`` at the midpoint
  ``t_k + dt/2``; adjacent potential half-steps are merged (they commute);
* order 4: Yoshida's triple jump of order-2 steps with
  ``w₁ = 1/(2 − 2^{1/3})``, ``w₀ = 1 − 2w₁`` (``S₂(w₁dt) S₂(w₀dt) S₂(w₁dt)``).

Imports only :mod:`qdq.errors`.

Example:
    >>> ProductFormula("real", iter_strang(lambda t: 1.0, lambda t: 1.0, 1.0, 2, 1)).counts()
    {'potential': 2, 'kinetic': 2}
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np

from qdq.errors import ParameterError, ResourceError

__all__ = ["EAGER_FACTORS", "MAX_MATERIALIZED", "ORDERS", "ProductFormula", "evaluate_weight",
           "factors_per_step", "iter_strang", "merge_adjacent", "strang_sequence"]

ORDERS = (1, 2, 4)
_W1 = 1.0 / (2.0 - 2.0 ** (1.0 / 3.0))
_W0 = 1.0 - 2.0 * _W1

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
                steps: int, order: int, *, first_step: int = 0) -> Iterator[tuple[str, float]]:
    """Stream the merged sequence for weights ``a`` (kinetic), ``b`` (potential).

    Factors are produced step by step and merged on the fly (one factor of lookahead), in
    exactly the arithmetic order of :func:`merge_adjacent` on the full list, so streaming
    and materializing give bit-identical coefficients with O(1) memory. ``first_step = j``
    streams only steps ``j … steps−1`` (the tail of the formula, merged among themselves:
    its first factor is a step's first half, not the merge with step ``j−1``).

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
    for k in range(first_step, steps):
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
