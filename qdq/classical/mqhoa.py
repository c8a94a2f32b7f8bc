r"""Multiscale quantum harmonic oscillator algorithm (MQHOA, Wang et al.).

MQHOA reads optimization as the ground state of a quantum harmonic oscillator whose
wave function is a sum of ``k`` Gaussians of width σ around ``k`` centres
:math:`c_1, \dots, c_k`. Three nested loops:

1. *QHO constraint (sampling)*: each centre draws ``m`` samples
   :math:`x \sim \mathcal N(c_i, \sigma^2 w^2)` (``w`` the box widths, samples
   reflected into the box); a centre moves to its best sample when that sample has a
   lower objective value.
2. *Energy-level decrease*: when no centre improved in an iteration (the sampling has
   stabilized at this scale), the worst centre is pulled to the centres' mean — the
   wave function drops to a lower energy level.
3. *Scale decrease (D-annealing)*: after a stable iteration, if the centres' standard
   deviation (in units of the box width, largest over dimensions) is below σ, the
   population has condensed at this scale and σ is halved.

The run ends when σ < ``sigma_min`` or the budget is spent. σ is measured in units of
the box width per dimension (σ = 0.5 at the start: the samplers see the whole box), so
``sigma_min`` is a relative resolution.

Example:
    >>> from qdq.classical import mqhoa
    >>> out = mqhoa(lambda x, y: (x - 1) ** 2 + (y + 2) ** 2, [(-5, 5)] * 2,
    ...             budget=4000, seed=0)
    >>> [round(float(v), 3) for v in out.x]
    [1.0, -2.0]
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from qdq.classical._box import reflect_into_box
from qdq.classical.budget import (
    BudgetExhausted,
    CountedObjective,
    check_bounds,
    check_budget,
    check_count,
)
from qdq.classical.outcome import ClassicalOutcome, outcome_from_counter
from qdq.validate import check_positive

__all__ = ["mqhoa"]


def mqhoa(
    f: Callable[..., np.ndarray],
    bounds: Sequence[tuple[float, float]],
    *,
    centers: int = 20,
    samples_per_center: int = 1,
    sigma0: float = 0.5,
    sigma_min: float = 1e-6,
    budget: int = 10_000,
    seed: int | np.random.Generator | None = None,
) -> ClassicalOutcome:
    r"""Minimize ``f`` on a box with MQHOA.

    Args:
        f: Vectorized objective ``f(*coords)``.
        bounds: ``(low, high)`` per dimension; centres start uniformly in the box.
        centers: Number ``k`` of Gaussian samplers (>= 2, the mean needs company).
        samples_per_center: Samples ``m`` each centre draws per iteration.
        sigma0: Initial σ, in units of the box width.
        sigma_min: Stop once σ falls below this (relative) resolution.
        budget: Maximum number of objective evaluations (``k`` initial centres, ``k m``
            per iteration, one per mean-pull).
        seed: Seed or :class:`numpy.random.Generator`.

    Returns:
        :class:`ClassicalOutcome`; ``nit`` counts sampling iterations and ``extra`` has
        ``"sigma_trace"`` (σ after each iteration), ``"sigma"`` (final σ),
        ``"centers"`` (final centres, shape ``(k, d)``) and ``"converged"`` (σ went
        below ``sigma_min`` before the budget ran out).

    Raises:
        ParameterError: For bad counts, budget, box, ``sigma0`` or ``sigma_min``.

    Example:
        >>> out = mqhoa(lambda x: (x - 0.25) ** 2, [(-1, 1)], budget=500, seed=3)
        >>> out.nfev <= 500, round(float(out.x[0]), 2)
        (True, 0.25)
    """
    t0 = time.perf_counter()
    k = check_count("centers", centers, minimum=2)
    m = check_count("samples_per_center", samples_per_center)
    sigma = check_positive("sigma0", sigma0)
    sigma_min = check_positive("sigma_min", sigma_min)
    box = check_bounds(bounds)
    counter = CountedObjective(f, box, check_budget(budget))
    rng = np.random.default_rng(seed)
    lows, highs, widths = counter.lows, counter.highs, counter.widths
    d = counter.dim

    sigma_trace: list[float] = []
    nit = 0
    c = lows + widths * rng.random((k, d))
    fc = np.full(k, np.inf)
    try:
        fc = _nan_to_inf(counter(c))
        while sigma >= sigma_min:
            # One batch for all k*m samples keeps the objective calls vectorized.
            noise = rng.standard_normal((k, m, d)) * (sigma * widths)
            samples = reflect_into_box((c[:, None, :] + noise).reshape(k * m, d), lows, highs)
            fs = _nan_to_inf(counter(samples)).reshape(k, m)
            nit += 1
            j = np.argmin(fs, axis=1)
            best = fs[np.arange(k), j]
            improved = best < fc
            if improved.any():
                c[improved] = samples.reshape(k, m, d)[improved, j[improved]]
                fc[improved] = best[improved]
            else:
                # Stable at this scale: lower the energy level by pulling the worst
                # centre to the mean (evaluated, since it becomes a centre).
                mean = c.mean(axis=0)
                worst = int(np.argmax(fc))
                c[worst] = mean
                fc[worst] = _nan_to_inf(counter(mean[None, :]))[0]
                spread = float(np.max(np.std(c, axis=0) / widths))
                if spread < sigma:
                    sigma *= 0.5
            sigma_trace.append(sigma)
    except BudgetExhausted:
        pass

    extra = {
        "sigma_trace": np.asarray(sigma_trace, dtype=float),
        "sigma": float(sigma),
        "centers": c.copy(),
        "converged": bool(sigma < sigma_min),
    }
    return outcome_from_counter("mqhoa", counter, nit=nit, t0=t0, extra=extra)


def _nan_to_inf(values: np.ndarray) -> np.ndarray:
    # A NaN would never compare as an improvement, but it must not be the "best" either.
    return np.where(np.isnan(values), np.inf, values)
