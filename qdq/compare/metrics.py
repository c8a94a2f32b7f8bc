r"""Metrics of a comparison: success criteria, Wilson intervals, per-shot quantities.

A repeat of a method *succeeds* when its outcome point lies within Euclidean radius ``r``
of the known minimizer (``‖x − x*‖ ≤ r``), or, with ``ε`` given, when its outcome value is
within ``ε`` of the known minimum (``f(x) ≤ f* + ε``). Success rates over ``n`` repeats
get a Wilson score interval (95 % by default), which stays inside ``[0, 1]`` and is
honest for ``k = 0`` or ``k = n``, unlike the normal approximation:

.. math:: \frac{\hat p + z^2/2n}{1 + z^2/n} \pm \frac{z}{1 + z^2/n}
          \sqrt{\frac{\hat p (1 - \hat p)}{n} + \frac{z^2}{4n^2}}.

Per-shot quantities of a final distribution ``p`` on the grid (postselected where the
method postselects, with acceptance probability ``P_s``): mass within the radius
``Σ_{‖x_j − x*‖ ≤ r} p_j``, mass within ``ε``, and the expected number of shots (rejected
ones included) until one lands in the success region, ``1 / (P_s · mass)``.

Example:
    >>> lo, hi = wilson_interval(18, 20)
    >>> round(lo, 3), round(hi, 3)
    (0.699, 0.972)
    >>> c = SuccessCriterion(center=(0.5, 0.5), radius=0.1, minimum=0.0, epsilon=None)
    >>> c.check((0.55, 0.5), 0.3)
    {'distance': 0.05..., 'success_radius': True, 'success_epsilon': None, 'success': True}
    >>> round(area_fraction([(0, 1), (0, 1)], (0.5, 0.5), 0.1), 3)     # π·0.1²
    0.031
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qdq.errors import ParameterError, ProblemError
from qdq.results import mass_within_radius  # the one implementation (Result.success_within)

__all__ = [
    "SuccessCriterion",
    "area_fraction",
    "expected_shots",
    "mass_within_epsilon",
    "mass_within_radius",
    "mean_interval",
    "wilson_interval",
]

_Z95 = 1.959963984540054


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ParameterError(f"confidence must be in (0, 1), got {confidence!r}; e.g. 0.95")
    if confidence == 0.95:
        return _Z95
    from scipy.stats import norm

    return float(norm.ppf(0.5 + confidence / 2))


def mean_interval(values: Sequence[float],
                  confidence: float = 0.95) -> tuple[float, float | None]:
    """Mean and the half-width of its Student-t interval (``None`` for fewer than 2 values).

    ``half = t_{(1+c)/2, k−1} · s / √k`` with ``s`` the sample standard deviation.

    Example:
        >>> m, half = mean_interval([1.0, 2.0, 3.0])
        >>> m, round(half, 4)                   # t_{0.975, 2} = 4.3027, s = 1
        (2.0, 2.4841)
    """
    from scipy.stats import t

    v = np.asarray(values, dtype=float)
    if v.size < 2:
        return float(v.mean()), None
    return float(v.mean()), float(t.ppf(0.5 + confidence / 2, v.size - 1)
                                  * v.std(ddof=1) / math.sqrt(v.size))


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion.

    Args:
        successes: Number of successes ``k`` (``0 <= k <= n``).
        n: Number of trials; ``n = 0`` gives the uninformative ``(0, 1)``.
        confidence: Two-sided confidence level.

    Returns:
        ``(low, high)`` with ``0 <= low <= k/n <= high <= 1``.

    Raises:
        ParameterError: If ``k`` or ``n`` is negative or ``k > n``.

    Example:
        >>> wilson_interval(0, 10)[1] > 0.2 and wilson_interval(10, 10)[0] < 0.8
        True
    """
    if n < 0 or successes < 0 or successes > n:
        raise ParameterError(
            f"need 0 <= successes <= n, got successes={successes!r}, n={n!r}"
        )
    if n == 0:
        return 0.0, 1.0
    z = _z(confidence)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    # Exact endpoints for k = 0 / k = n (rounding can leave 1e-17 residues).
    if successes == 0:
        low = 0.0
    if successes == n:
        high = 1.0
    return low, high


def expected_shots(per_shot: float) -> float:
    """Expected shots until the first success of a per-shot probability (``inf`` if 0).

    Example:
        >>> expected_shots(0.25), expected_shots(0.0)
        (4.0, inf)
    """
    return float("inf") if per_shot <= 0 else 1.0 / per_shot


def mass_within_epsilon(probabilities: np.ndarray, values: np.ndarray, minimum: float,
                        epsilon: float) -> float:
    """Probability mass of grid cells whose value is at most ``minimum + epsilon``.

    Example:
        >>> mass_within_epsilon(np.array([0.5, 0.5]), np.array([0.0, 2.0]), 0.0, 1.0)
        0.5
    """
    mask = np.asarray(values) <= minimum + epsilon
    return float(np.asarray(probabilities)[mask].sum())


def area_fraction(bounds: Sequence[Sequence[float]], center: Sequence[float], radius: float,
                  *, points: int = 1 << 20) -> float:
    """Fraction of the box within Euclidean ``radius`` of ``center`` (continuous).

    This is one uniform random sample's chance to succeed. Computed on a midpoint
    lattice of about ``points`` points (error ``O(points^{-1/d})`` relative to the boundary
    of the ball), exact in 1-D.

    Example:
        >>> area_fraction([(0, 4)], (0.5,), 1.0)        # [0, 1.5] of [0, 4]
        0.375
    """
    b = np.asarray(bounds, dtype=float)
    c = np.asarray(center, dtype=float)
    d = len(b)
    if d == 1:
        lo, hi = max(b[0, 0], c[0] - radius), min(b[0, 1], c[0] + radius)
        return float(max(0.0, hi - lo) / (b[0, 1] - b[0, 0]))
    m = max(2, int(round(points ** (1.0 / d))))
    inside = None
    for k in range(d):
        ax = b[k, 0] + (np.arange(m) + 0.5) * (b[k, 1] - b[k, 0]) / m
        shape = [1] * d
        shape[k] = m
        term = ((ax - c[k]) ** 2).reshape(shape)
        inside = term if inside is None else inside + term
    return float(np.mean(inside <= radius**2))


@dataclass(frozen=True)
class SuccessCriterion:
    """What counts as success for one objective.

    Attributes:
        center: Known (or assumed) minimizer; ``None`` when only ``epsilon`` is used.
        radius: Success radius around ``center`` (``None``: not used).
        minimum: Known (or grid) minimum value.
        epsilon: Value tolerance (``None``: not used).
        center_source: ``"known"``, ``"given"`` or ``"grid-argmin"`` — where ``center``
            came from (reported).
    """

    center: tuple[float, ...] | None
    radius: float | None
    minimum: float | None
    epsilon: float | None
    center_source: str = "known"

    def __post_init__(self) -> None:
        """Validate radius and epsilon (finite, ``> 0`` / ``>= 0``)."""
        if self.radius is None and self.epsilon is None:
            raise ParameterError("give a success radius or an epsilon (both are None)")
        if self.radius is not None:
            if not (math.isfinite(self.radius) and self.radius > 0):
                raise ParameterError(
                    f"radius must be a finite number > 0, got {self.radius!r}"
                )
            if self.center is None:
                raise ParameterError("a success radius needs a center (the known minimizer)")
        if self.epsilon is not None and not (math.isfinite(self.epsilon) and self.epsilon >= 0):
            raise ParameterError(f"epsilon must be a finite number >= 0, got {self.epsilon!r}")
        if self.epsilon is not None and self.minimum is None:
            raise ParameterError("epsilon needs a known minimum value")

    @property
    def primary(self) -> str:
        """``"radius"`` when a radius is set, else ``"epsilon"``."""
        return "radius" if self.radius is not None else "epsilon"

    def check(self, x: Sequence[float] | None, value: float | None) -> dict:
        """Judge one outcome point and value.

        ``x = None`` (no outcome, e.g. every shot rejected) is a failure.

        Returns:
            ``{"distance", "success_radius", "success_epsilon", "success"}`` (``None``
            for criteria that are not in use).
        """
        out: dict = {"distance": None, "success_radius": None, "success_epsilon": None}
        ok = x is not None and value is not None and np.all(np.isfinite(np.asarray(x)))
        if self.radius is not None:
            if ok:
                dist = float(np.linalg.norm(np.asarray(x, float) - np.asarray(self.center)))
                out["distance"] = dist
                out["success_radius"] = bool(dist <= self.radius + 1e-12)
            else:
                out["success_radius"] = False
        if self.epsilon is not None:
            out["success_epsilon"] = bool(ok and math.isfinite(float(value))
                                          and float(value) <= self.minimum + self.epsilon)
        out["success"] = out["success_radius"] if self.primary == "radius" \
            else out["success_epsilon"]
        return out

    def to_dict(self) -> dict:
        """JSON-safe description."""
        return {"center": None if self.center is None else list(self.center),
                "radius": self.radius, "minimum": self.minimum, "epsilon": self.epsilon,
                "center_source": self.center_source}

    @classmethod
    def from_dict(cls, data: dict) -> SuccessCriterion:
        """Inverse of :meth:`to_dict`."""
        c = data.get("center")
        return cls(center=None if c is None else tuple(c), radius=data.get("radius"),
                   minimum=data.get("minimum"), epsilon=data.get("epsilon"),
                   center_source=data.get("center_source", "known"))


def check_center_in_box(center: Sequence[float], bounds: Sequence[Sequence[float]],
                        what: str = "minimizer") -> tuple[float, ...]:
    """Validate that a point lies in the (closed) box.

    Raises:
        ProblemError: Naming the coordinate, its value and the box.

    Example:
        >>> check_center_in_box((2.0,), [(-1, 1)])
        Traceback (most recent call last):
        ...
        qdq.errors.ProblemError: minimizer[0] = 2 lies outside the box [-1, 1]; ...
    """
    pt = tuple(float(v) for v in center)
    if len(pt) != len(bounds):
        raise ProblemError(f"{what} has {len(pt)} coordinates, the box {len(bounds)}; "
                           f"got {pt}")
    for d, (v, (lo, hi)) in enumerate(zip(pt, bounds, strict=True)):
        if not (math.isfinite(v) and lo <= v <= hi):
            raise ProblemError(
                f"{what}[{d}] = {v:g} lies outside the box [{lo:g}, {hi:g}]; fix the "
                f"{what} or widen the bounds"
            )
    return pt
