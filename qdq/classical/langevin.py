r"""Quantization-based Langevin optimization (Seok & Cho).

Seok & Cho read the rounding error of a quantizer with resolution :math:`Q_p` as
thermal noise: a gradient flow on a grid of spacing :math:`1/Q_p` behaves like the
Langevin equation

.. math::

    dX_t = -\nabla f(X_t)\,dt + \sqrt{C / Q_p(t)}\; dW_t ,

whose stationary law at fixed :math:`Q_p` is :math:`\propto e^{-f/T}` with temperature
:math:`T = C / (2 Q_p)`. Refining the quantization over time (:math:`Q_p \uparrow`)
lowers the temperature: simulated annealing in disguise. This module uses the
geometric, piecewise-constant schedule of the paper,

.. math::

    Q_p(t) = q_0\, b^{\lfloor t/\tau_q \rfloor}, \qquad
    \tau_q = \frac{T_\text{run}}{L},

i.e. the resolution is multiplied by ``base`` :math:`b` ``levels`` :math:`L` times over
the run, so the temperature falls from :math:`C/(2q_0)` to
:math:`C/(2 q_0 b^{L-1})`.

Integration is Euler–Maruyama with step ``dt``; the gradient is a central finite
difference (:math:`2d` evaluations per chain and step, all counted in the budget);
after each step the chains are projected (clipped) onto the box. Several independent
chains run in parallel as one vectorized batch. The default ``C`` sets the initial
temperature to the spread (standard deviation) of ``f`` over the chains' uniform
starting points, so the defaults are independent of the objective's scale.

Example:
    >>> from qdq.classical import langevin
    >>> out = langevin(lambda x, y: (x - 1) ** 2 + (y + 0.5) ** 2, [(-3, 3)] * 2,
    ...                dt=0.05, budget=4000, seed=0)
    >>> [round(float(v), 1) for v in out.x], bool(out.fun < 1e-3)
    ([1.0, -0.5], True)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from qdq.classical._box import clip_into_box
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

__all__ = ["langevin", "quantization_schedule"]


def quantization_schedule(
    t: np.ndarray | float, *, q0: float, base: float, tau_q: float
) -> np.ndarray:
    r"""Quantization resolution :math:`Q_p(t) = q_0\, b^{\lfloor t/\tau_q\rfloor}`.

    Args:
        t: Time(s) >= 0.
        q0: Initial resolution :math:`q_0`.
        base: Growth factor :math:`b` per level.
        tau_q: Duration :math:`\tau_q` of one level.

    Returns:
        :math:`Q_p(t)`, same shape as ``t``.

    Example:
        >>> quantization_schedule([0.0, 0.99, 1.0, 2.5], q0=1.0, base=2.0, tau_q=1.0)
        array([1., 1., 2., 4.])
    """
    p = np.floor(np.asarray(t, dtype=float) / tau_q)
    return q0 * np.power(base, p)


def langevin(
    f: Callable[..., np.ndarray],
    bounds: Sequence[tuple[float, float]],
    *,
    chains: int = 8,
    dt: float = 1e-3,
    steps: int | None = None,
    C: float | None = None,
    q0: float = 1.0,
    base: float = 2.0,
    levels: int = 10,
    fd_step: float = 1e-6,
    max_step: float = 0.05,
    budget: int = 10_000,
    seed: int | np.random.Generator | None = None,
) -> ClassicalOutcome:
    r"""Minimize ``f`` on a box by annealed (quantization-based) Langevin dynamics.

    Args:
        f: Vectorized objective ``f(*coords)``.
        bounds: ``(low, high)`` per dimension; chains start uniformly in the box.
        chains: Number of independent chains.
        dt: Euler–Maruyama time step. It must resolve the objective's curvature
            (``dt * max curvature < 2`` for stable descent; 2-D Rastrigin needs
            ``dt < 5e-3``) and ``steps * dt`` must be long enough to relax; the default
            is the step of the SGD/NAGD protocol in docs/benchmarks.md.
        steps: Number of steps; ``None`` uses as many as the budget allows
            (``(budget - chains) // (2 d chains)``). The schedule spans ``steps * dt``.
        C: Noise constant of :math:`\sqrt{C/Q_p}`; ``None`` picks
            :math:`C = 2 q_0 s_f`, with :math:`s_f` the standard deviation of ``f`` over
            the starting points (initial temperature = the objective's spread).
        q0: Initial resolution :math:`q_0`.
        base: Resolution growth factor :math:`b > 1` per level.
        levels: Number of resolution levels :math:`L` over the run.
        fd_step: Finite-difference step, in units of the box width.
        max_step: Largest drift per step and dimension, in units of the box width
            (explicit Euler would otherwise fly off steep walls).
        budget: Maximum number of objective evaluations.
        seed: Seed or :class:`numpy.random.Generator`.

    Returns:
        :class:`ClassicalOutcome`; ``x`` is the best point evaluated (a stencil point or
        a final chain position), ``nit`` the steps done, and ``extra`` has ``"C"``,
        ``"temperature"`` (:math:`C/(2Q_p)` per level), ``"chains"`` (final positions)
        and ``"tau_q"``.

    Raises:
        ParameterError: For bad counts, budget, box, a non-positive ``dt``/``C``/``q0``,
            ``base <= 1``, or a budget too small for one step.

    Example:
        >>> out = langevin(lambda x: (x - 0.5) ** 2, [(-2, 2)], chains=4, dt=0.05,
        ...                budget=2000, seed=1)
        >>> out.nfev <= 2000, round(float(out.x[0]), 2)
        (True, 0.5)
    """
    t0 = time.perf_counter()
    n_chains = check_count("chains", chains)
    dt = check_positive("dt", dt)
    q0 = check_positive("q0", q0)
    base = check_positive("base", base)
    if base <= 1.0:
        raise ParameterError(f"base must be > 1 (the resolution must grow), got {base!r}; try 2.0")
    n_levels = check_count("levels", levels)
    fd_step = check_positive("fd_step", fd_step)
    max_step = check_positive("max_step", max_step)
    box = check_bounds(bounds)
    budget = check_budget(budget)
    d = box.shape[0]
    per_step = 2 * d * n_chains
    if steps is None:
        steps = (budget - n_chains) // per_step
        if steps < 1:
            raise ParameterError(
                f"budget={budget} is too small for one Langevin step of {n_chains} chains "
                f"in {d} dimensions (needs >= {n_chains + per_step}); raise the budget or "
                "use fewer chains"
            )
    steps = check_count("steps", steps)
    if C is not None:
        C = check_positive("C", C)

    counter = CountedObjective(f, box, budget)
    rng = np.random.default_rng(seed)
    lows, highs, widths = counter.lows, counter.highs, counter.widths
    h = fd_step * widths
    drift_cap = max_step * widths
    tau_q = steps * dt / n_levels
    eye = np.eye(d)

    x = lows + widths * rng.random((n_chains, d))
    nit = 0
    try:
        f0 = counter(x)
        if C is None:
            spread = float(np.std(f0[np.isfinite(f0)])) if np.isfinite(f0).any() else 0.0
            # A flat start (spread 0) still needs some noise to explore.
            C = 2.0 * q0 * (spread if spread > 0 else 1.0)
        for n in range(steps):
            # Stencil x ± h e_i, clipped to the box; dividing by the clipped separation
            # keeps the difference quotient right on the walls.
            plus = clip_into_box(x[:, None, :] + h * eye, lows, highs)
            minus = clip_into_box(x[:, None, :] - h * eye, lows, highs)
            batch = np.concatenate([plus, minus], axis=1).reshape(-1, d)
            vals = counter(batch).reshape(n_chains, 2, d)
            sep = np.einsum("cid,id->ci", plus - minus, eye)
            grad = (vals[:, 0, :] - vals[:, 1, :]) / sep
            grad = np.where(np.isfinite(grad), grad, 0.0)
            drift = np.clip(-grad * dt, -drift_cap, drift_cap)
            q = quantization_schedule(n * dt, q0=q0, base=base, tau_q=tau_q)
            noise = np.sqrt(C / q * dt) * rng.standard_normal(x.shape)
            x = clip_into_box(x + drift + noise, lows, highs)
            nit += 1
        # The final positions are the chains' answers; evaluate them if budget remains.
        counter(x)
    except BudgetExhausted:
        pass

    q_levels = q0 * np.power(base, np.arange(n_levels))
    extra = {
        "C": float(C) if C is not None else float("nan"),
        "temperature": (C if C is not None else np.nan) / (2.0 * q_levels),
        "chains": x.copy(),
        "tau_q": float(tau_q),
    }
    return outcome_from_counter("langevin", counter, nit=nit, t0=t0, extra=extra)
