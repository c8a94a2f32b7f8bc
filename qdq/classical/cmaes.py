r"""CMA-ES with IPOP restarts on a box, held to an evaluation budget (the ``cma`` package).

The covariance matrix adaptation evolution strategy (Hansen, *The CMA Evolution Strategy: A
Tutorial*, arXiv:1604.00772, 2016) samples each generation from a Gaussian and adapts it:

.. math::
    x_k \sim m + \sigma\,\mathcal N(0, C), \quad k = 1..\lambda; \qquad
    m \leftarrow \sum_{i=1}^{\mu} w_i\, x_{i:\lambda},

with ``C`` updated by the rank-one (evolution path) and rank-μ terms and ``σ`` by cumulative
step-size adaptation. The search runs in unit coordinates ``u = (x − low)/(high − low)`` on
``[0, 1]^d`` with ``cma``'s bound transformation (every evaluated point lies in the box; it
is also clipped, as a guard); ``σ₀`` is in box widths, the start uniform in the box. When a
run stops by itself (``tolfun``, ``tolx``, stagnation, …) and budget is left, it restarts
from a new uniform point with the population doubled (IPOP-CMA-ES, Auger & Hansen 2005), so
every run spends its budget the way the other multistart methods do.

Every evaluation goes through one :class:`~qdq.classical.budget.CountedObjective` and stops
exactly at the budget (a generation that would overshoot is cut). ``cma`` draws from
numpy's global generator; it is seeded from ``seed`` and restored afterwards, so runs are
reproducible and leave the caller's global state alone. ``cma`` does not run in 1-D, so a
1-D objective gets a dummy second coordinate that it ignores.

``cma`` is an optional dependency: ``pip install 'qdq[classical]'`` (or ``pip install cma``).

Example:
    >>> out = cma_es(lambda x, y: (x - 1) ** 2 + (y + 0.5) ** 2, [(-3, 3), (-3, 3)],
    ...              budget=600, seed=0)
    >>> out.method, out.nfev, [round(float(v), 4) for v in out.x]
    ('cma-es', 600, [1.0, -0.5])
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np

from qdq.classical._box import clip_into_box
from qdq.classical.budget import BudgetExhausted, CountedObjective, check_bounds, check_budget
from qdq.classical.outcome import ClassicalOutcome, outcome_from_counter
from qdq.errors import ParameterError, require

__all__ = ["cma_es"]


def _check_sigma0(sigma0: object) -> float:
    if isinstance(sigma0, bool) or not isinstance(sigma0, int | float) \
            or not 0.0 < float(sigma0) <= 1.0:
        raise ParameterError(f"sigma0 must be a number in (0, 1] (box widths), got {sigma0!r}; "
                             "e.g. 0.3")
    return float(sigma0)


def _check_popsize(popsize: object) -> int | None:
    if popsize is None:
        return None
    if isinstance(popsize, bool) or not isinstance(popsize, int | np.integer) or popsize < 2:
        raise ParameterError(f"popsize must be an integer >= 2 or None (the default "
                             f"4 + ⌊3 ln d⌋), got {popsize!r}")
    return int(popsize)


def _finite_for_cma(values: np.ndarray) -> list[float]:
    """NaN/±inf would break ``cma``'s ranking: they become worse than every finite value."""
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    if ok.all():
        return v.tolist()
    worst = float(v[ok].max()) + 1.0 if ok.any() else 1.0
    return np.where(ok, v, worst).tolist()


def cma_es(f: Callable[..., np.ndarray], bounds: Sequence[tuple[float, float]], *,
           sigma0: float = 0.3, popsize: int | None = None, restarts: bool = True,
           budget: int = 10_000,
           seed: int | np.random.Generator | None = None) -> ClassicalOutcome:
    r"""Minimize ``f`` on a box with CMA-ES (IPOP restarts) under an evaluation budget.

    Args:
        f: Vectorized objective ``f(*coords)``.
        bounds: ``(low, high)`` per dimension.
        sigma0: Initial step size in box widths, in ``(0, 1]`` (Hansen: the optimum should
            lie within ``x₀ ± 3σ₀``; 0.3 covers the box from any start).
        popsize: Initial population ``λ`` (default ``cma``'s ``4 + ⌊3 ln d⌋``), doubled at
            each restart.
        restarts: Restart (IPOP) while budget is left; ``False`` stops after one run.
        budget: Hard cap on objective evaluations.
        seed: Seed or :class:`numpy.random.Generator`.

    Returns:
        :class:`ClassicalOutcome`; ``nit`` counts generations, ``extra`` holds
        ``restarts`` (runs started − 1), ``popsizes`` and ``stop`` (the last run's
        ``cma`` stop conditions, empty when the budget ended it).

    Raises:
        ParameterError: A bad box, budget, ``sigma0`` or ``popsize``.
        DependencyError: ``cma`` missing (``pip install 'qdq[classical]'``).

    Example:
        >>> out = cma_es(lambda x: (x - 0.25) ** 2, [(-1, 1)], budget=300, seed=2)
        >>> out.nfev, round(float(out.x[0]), 4)
        (300, 0.25)
    """
    t0 = time.perf_counter()
    cma = require("cma", "classical")
    sigma0 = _check_sigma0(sigma0)
    lam0 = _check_popsize(popsize)
    counter = CountedObjective(f, check_bounds(bounds), check_budget(budget))
    rng = np.random.default_rng(seed)
    d = counter.dim
    n = max(d, 2)      # cma needs at least 2 coordinates; a 1-D f ignores the second
    lows, widths = counter.lows, counter.widths
    nit, runs, popsizes, last_stop = 0, 0, [], {}
    state = np.random.get_state()
    try:
        while counter.remaining > 0:
            opts = {"bounds": [[0.0] * n, [1.0] * n], "seed": int(rng.integers(1, 2**31 - 1)),
                    "verbose": -9, "verb_log": 0, "verb_disp": 0,
                    "maxfevals": counter.remaining}
            if lam0 is not None or runs:
                base = lam0 if lam0 is not None else 4 + int(3 * math.log(n))
                opts["popsize"] = base * 2**runs
            es = cma.CMAEvolutionStrategy(rng.random(n).tolist(), sigma0, opts)
            runs += 1
            popsizes.append(int(es.popsize))
            while not es.stop():
                U = np.asarray(es.ask(), dtype=float)
                X = clip_into_box(lows + widths * U[:, :d], lows, counter.highs)
                values = counter(X)   # raises BudgetExhausted mid-generation if needed
                es.tell(list(U), _finite_for_cma(values))
                nit += 1
            last_stop = {k: (v if isinstance(v, int | float | str) else str(v))
                         for k, v in dict(es.stop()).items()}
            if not restarts:
                break
    except BudgetExhausted:
        last_stop = {}
    finally:
        np.random.set_state(state)
    extra = {"restarts": max(runs - 1, 0), "popsizes": popsizes, "stop": last_stop}
    return outcome_from_counter("cma-es", counter, nit=nit, t0=t0, extra=extra)
