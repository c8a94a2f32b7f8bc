r"""Diffusion Monte Carlo: the classical stochastic picture of imaginary time.

For :math:`H = -D\nabla^2 + V(x)` the imaginary-time Schrödinger equation

.. math::

    \partial_\tau \psi = D \nabla^2 \psi - (V - E_R)\,\psi

is a diffusion (the kinetic term) plus a position-dependent birth/death rate (the
potential). Diffusion Monte Carlo (Anderson 1975; Kosztin, Faber & Schulten 1996)
samples :math:`\psi` (not :math:`|\psi|^2`) with a population of walkers. One step
of length :math:`\Delta\tau`:

1. *Diffuse*: every coordinate moves by :math:`\sqrt{2 D \Delta\tau}\,\mathcal N(0,1)`
   (continuum moves; the spectral grid kinetic term is not stoquastic), then the walker
   is reflected (default) or wrapped back into the box.
2. *Branch*: with the trapezoid potential :math:`\bar V = (V_\text{old}+V_\text{new})/2`
   the weight is :math:`w = e^{-(\bar V - E_R)\Delta\tau}` and the walker is replaced
   by :math:`\min(\lfloor w + u\rfloor, c_\max)` copies, :math:`u \sim U(0,1)` (standard
   stochastic rounding, :math:`E[\text{copies}] = w` while :math:`w \le c_\max`).
   The trapezoid makes the step the symmetric (Strang) factor
   :math:`e^{-V\Delta\tau/2} e^{D\nabla^2\Delta\tau} e^{-V\Delta\tau/2}`, whose walker
   density has only an :math:`O(\Delta\tau^2)` time-step error.
3. *Steer*: :math:`E_R \leftarrow \langle V\rangle_\text{walkers}
   + \frac{\alpha}{\Delta\tau}\,(1 - N/N_\text{target})`, which keeps the population
   near :math:`N_\text{target}` (a ``feedback`` α of 0.1 corrects 10 % of the deviation
   per step).

Once the walkers have relaxed to the ground state, the population neither grows nor
shrinks on average, so the time average of :math:`E_R` estimates the ground-state
energy :math:`E_0` (the growth estimator). Here :math:`E_0` is the average of
:math:`E_R` over the second half of the run and its standard error comes from
Flyvbjerg–Petersen blocking (conservative: the largest block-level estimate with at
least 8 blocks), which accounts for the strong step-to-step correlation of
:math:`E_R`. As an optimizer, DMC reports the best walker ever evaluated.

Reference values: for :math:`V = c\,x^2` in one dimension,
:math:`E_0 = \sqrt{cD}` (i.e. :math:`E_n = 2\sqrt{cD}(n + \tfrac12)`); in d dimensions
with :math:`V = c|x|^2`, :math:`E_0 = d\sqrt{cD}`.

Example:
    >>> from qdq.classical import dmc
    >>> out = dmc(lambda x: x**2, [(-4.0, 4.0)], D=0.5, walkers=300, steps=600, seed=0)
    >>> round(out.extra["E0"], 1)       # exact sqrt(c D) = 0.7071
    0.7
    >>> bool(abs(out.x[0]) < 0.1)
    True
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from qdq.classical._box import reflect_into_box, wrap_into_box
from qdq.classical.budget import (
    BudgetExhausted,
    CountedObjective,
    check_bounds,
    check_budget,
    check_count,
)
from qdq.classical.outcome import ClassicalOutcome, outcome_from_counter
from qdq.errors import ParameterError
from qdq.validate import check_positive

__all__ = ["dmc", "blocking_stderr"]

_BOUNDARIES = ("reflect", "wrap")


def blocking_stderr(series: np.ndarray, *, min_blocks: int = 8) -> float:
    r"""Standard error of the mean of a correlated series by blocking (Flyvbjerg–Petersen).

    The series is repeatedly averaged in adjacent pairs; at each level the naive
    error :math:`s/\sqrt{n}` is computed. Correlation makes the naive error at level 0
    too small; it grows with the level until the blocks are longer than the
    correlation time. The largest estimate over levels with at least ``min_blocks``
    blocks is returned (a conservative plateau estimate).

    Args:
        series: 1-D samples.
        min_blocks: Fewest blocks a level may have to be used.

    Returns:
        The standard error (``nan`` for fewer than two samples).

    Example:
        >>> import numpy as np
        >>> x = np.random.default_rng(0).standard_normal(4096)
        >>> round(blocking_stderr(x), 2)       # 1/sqrt(4096) = 0.0156 for iid data
        0.02
    """
    x = np.asarray(series, dtype=float).ravel()
    if x.size < 2:
        return float("nan")
    best = float(np.std(x, ddof=1) / np.sqrt(x.size))
    while x.size >= 2 * min_blocks:
        x = x[: x.size - x.size % 2]
        x = 0.5 * (x[0::2] + x[1::2])
        best = max(best, float(np.std(x, ddof=1) / np.sqrt(x.size)))
    return best


def dmc(
    f: Callable[..., np.ndarray],
    bounds: Sequence[tuple[float, float]],
    *,
    D: float = 0.5,
    walkers: int = 1000,
    dtau: float = 0.01,
    steps: int = 2000,
    budget: int | None = None,
    seed: int | np.random.Generator | None = None,
    feedback: float = 0.1,
    boundary: str = "reflect",
    max_copies: int = 3,
) -> ClassicalOutcome:
    r"""Run diffusion Monte Carlo for :math:`H = -D\nabla^2 + f` on a box.

    Args:
        f: Vectorized potential ``f(*coords)``.
        bounds: ``(low, high)`` per dimension; walkers start uniformly in the box.
        D: Diffusion constant (> 0); the kinetic term is :math:`-D\nabla^2`.
        walkers: Target population :math:`N_\text{target}` (also the initial one).
        dtau: Imaginary-time step :math:`\Delta\tau` (> 0).
        steps: Number of DMC steps.
        budget: Maximum number of potential evaluations (each walker move costs one).
            ``None`` means ``2 * walkers * (steps + 1)``, enough that normal population
            fluctuations never stop the run. When the budget is reached the run stops
            and the estimates use the steps completed.
        seed: Seed or :class:`numpy.random.Generator`.
        feedback: Population-control gain α (>= 0) in the :math:`E_R` update.
        boundary: ``"reflect"`` (walls) or ``"wrap"`` (periodic box).
        max_copies: Most copies one walker may spawn in one step (guards against
            population explosions where :math:`V \ll E_R`).

    Returns:
        :class:`ClassicalOutcome` with ``x``/``fun`` the best walker ever evaluated,
        ``nit`` the steps completed and ``extra`` holding ``"E0"`` (mean of
        :math:`E_R` over the second half), ``"E0_stderr"`` (blocking error),
        ``"walkers"`` (final positions, shape ``(N, d)``), ``"trace"`` (:math:`E_R` per
        step) and ``"population"`` (walker count per step).

    Raises:
        ParameterError: For a non-positive ``D``/``dtau``, a bad count, budget, box,
            boundary or ``feedback``.

    Example:
        >>> out = dmc(lambda x, y: x**2 + y**2, [(-3, 3)] * 2, walkers=200, steps=400,
        ...           seed=1)
        >>> out.nit, out.extra["walkers"].shape[1]
        (400, 2)
    """
    t0 = time.perf_counter()
    D = check_positive("D", D)
    dtau = check_positive("dtau", dtau)
    n_target = check_count("walkers", walkers)
    steps = check_count("steps", steps)
    max_copies = check_count("max_copies", max_copies)
    feedback = float(feedback)
    if not np.isfinite(feedback) or feedback < 0:
        raise ParameterError(f"feedback must be a finite number >= 0, got {feedback!r}; try 0.1")
    if boundary not in _BOUNDARIES:
        raise ParameterError(
            f"boundary must be one of {_BOUNDARIES}, got {boundary!r}; use 'reflect' for "
            "walls or 'wrap' for a periodic box"
        )
    box = check_bounds(bounds)
    budget = 2 * n_target * (steps + 1) if budget is None else check_budget(budget)
    counter = CountedObjective(f, box, budget)
    rng = np.random.default_rng(seed)
    into_box = reflect_into_box if boundary == "reflect" else wrap_into_box
    lows, highs = counter.lows, counter.highs
    # The population may wander above the target between feedback corrections; a hard
    # cap only matters for badly scaled potentials and keeps memory bounded.
    max_population = 4 * n_target
    sigma = np.sqrt(2.0 * D * dtau)
    # Weights above max_copies + 1 are capped anyway; clipping the exponent there
    # avoids overflow warnings for potentials far below E_R.
    max_log_w = np.log(max_copies + 1.0)

    trace: list[float] = []
    population: list[int] = []
    x = lows + (highs - lows) * rng.random((n_target, counter.dim))
    nit = 0
    try:
        V = _finite_or_inf(counter(x))
        E_R = _mean_finite(V)
        for _ in range(steps):
            x_new = into_box(x + sigma * rng.standard_normal(x.shape), lows, highs)
            V_new = _finite_or_inf(counter(x_new))
            log_w = np.minimum(-(0.5 * (V + V_new) - E_R) * dtau, max_log_w)
            copies = np.minimum((np.exp(log_w) + rng.random(V_new.size)).astype(int), max_copies)
            if not copies.any():
                # Extinction would end the run; keep the most favourable walker instead.
                copies[np.argmax(log_w)] = 1
            x = np.repeat(x_new, copies, axis=0)
            V = np.repeat(V_new, copies)
            if V.size > max_population:
                keep = rng.choice(V.size, size=max_population, replace=False)
                x, V = x[keep], V[keep]
            E_R = _mean_finite(V) + (feedback / dtau) * (1.0 - V.size / n_target)
            trace.append(E_R)
            population.append(int(V.size))
            nit += 1
    except BudgetExhausted:
        pass

    tr = np.asarray(trace, dtype=float)
    second_half = tr[tr.size // 2 :]
    extra = {
        "E0": float(np.mean(second_half)) if second_half.size else float("nan"),
        "E0_stderr": blocking_stderr(second_half),
        "walkers": np.array(x, dtype=float),
        "trace": tr,
        "population": np.asarray(population, dtype=int),
    }
    return outcome_from_counter("dmc", counter, nit=nit, t0=t0, extra=extra)


def _finite_or_inf(values: np.ndarray) -> np.ndarray:
    # NaN potentials would poison E_R and the integer rounding; treat them as walls.
    return np.where(np.isnan(values), np.inf, values)


def _mean_finite(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.mean(finite)) if finite.size else 0.0
