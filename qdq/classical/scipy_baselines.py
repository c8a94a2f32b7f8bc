"""SciPy global optimizers as baselines, all held to the same evaluation budget.

Every method sees the objective through one :class:`~qdq.classical.budget.CountedObjective`:
scipy's own limits (``maxfun``, ``maxiter``, ``niter``, ``maxfev``) are passed as hints
sized from the budget, and the counter is the hard stop — when it raises
:class:`~qdq.classical.budget.BudgetExhausted` the run ends and the best point seen is
returned. So a baseline can never spend more than ``budget`` evaluations, including the
finite-difference gradients of its local searches.

Methods:
- ``"dual_annealing"``: generalized simulated annealing + L-BFGS-B local search.
- ``"differential_evolution"``: vectorized (one batch per generation), then L-BFGS-B
  polish; ``maxiter`` is sized so that the generations fill the budget.
- ``"basinhopping"``: random start in the box, bounded L-BFGS-B local minimizer,
  random displacements of ``stepsize`` box widths reflected into the box.
- ``"shgo"``: simplicial homology global optimization, one iteration on a scrambled
  Sobol set of about ``budget / 4`` points (at most 1024; the scrambling is what makes
  it depend on the seed), SLSQP local searches; it may finish under budget.
- ``"multistart-lbfgs"``: L-BFGS-B from uniform random starts until the budget is spent.

SciPy calls the objective with a 1-D ``x``; it is evaluated as ``f(*x)`` after projecting
``x`` onto the box (SLSQP may step out of bounds by rounding).

Example:
    >>> from qdq.classical import scipy_minimize
    >>> out = scipy_minimize("multistart-lbfgs", lambda x, y: (x - 1) ** 2 + y**2,
    ...                      [(-3, 3), (-3, 3)], budget=200, seed=0)
    >>> out.nfev <= 200, [round(float(v), 4) for v in out.x]
    (True, [1.0, 0.0])
"""

from __future__ import annotations

import difflib
import inspect
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.optimize as so
from scipy.stats import qmc

from qdq.classical._box import clip_into_box, reflect_into_box
from qdq.classical.budget import BudgetExhausted, CountedObjective, check_bounds, check_budget
from qdq.classical.outcome import ClassicalOutcome, outcome_from_counter
from qdq.errors import ParameterError

__all__ = ["SCIPY_METHODS", "scipy_minimize"]

SCIPY_METHODS = (
    "dual_annealing",
    "differential_evolution",
    "basinhopping",
    "shgo",
    "multistart-lbfgs",
)

# Arguments the wrapper itself controls; users may override any other keyword of the
# underlying scipy function.
_RESERVED = {"func", "bounds", "x0", "args", "callback", "rng", "seed", "vectorized", "updating"}
_MULTISTART_OPTIONS = {"maxiter", "ftol", "gtol", "maxcor"}


class _Scalar:
    """Adapter from scipy's ``fun(x)`` with 1-D ``x`` to the counted batch objective."""

    def __init__(self, counter: CountedObjective) -> None:
        self.counter = counter

    def __call__(self, x: np.ndarray) -> float:
        x = clip_into_box(
            np.asarray(x, dtype=float).reshape(1, -1), self.counter.lows, self.counter.highs
        )
        return float(self.counter(x)[0])

    def batch(self, x: np.ndarray) -> np.ndarray | float:
        # differential_evolution(vectorized=True) passes (d, S); its polish passes (d,).
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            return self(x)
        pts = clip_into_box(x.T, self.counter.lows, self.counter.highs)
        return self.counter(pts)


class _BoundedStep:
    """Basin-hopping displacement in box-width units, reflected back into the box.

    ``stepsize`` is a public attribute because basinhopping adapts it to reach its
    target acceptance rate.
    """

    def __init__(
        self, lows: np.ndarray, highs: np.ndarray, stepsize: float, rng: np.random.Generator
    ) -> None:
        self.lows, self.highs, self.stepsize, self.rng = lows, highs, stepsize, rng

    def __call__(self, x: np.ndarray) -> np.ndarray:
        widths = self.highs - self.lows
        step = self.rng.uniform(-self.stepsize, self.stepsize, size=x.shape) * widths
        return reflect_into_box((x + step)[None, :], self.lows, self.highs)[0]


def _check_options(method: str, options: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ParameterError(
            f"unknown option(s) {unknown} for {method!r}, got {options!r}; "
            f"valid options are {sorted(allowed)}"
        )


def _scipy_options(fn: Callable[..., Any]) -> set[str]:
    return set(inspect.signature(fn).parameters) - _RESERVED


def scipy_minimize(
    method: str,
    f: Callable[..., np.ndarray],
    bounds: Sequence[tuple[float, float]],
    *,
    budget: int = 10_000,
    seed: int | np.random.Generator | None = None,
    **options: Any,
) -> ClassicalOutcome:
    """Run one scipy global optimizer on ``f`` over a box under an evaluation budget.

    Args:
        method: One of :data:`SCIPY_METHODS`.
        f: Vectorized objective ``f(*coords)``.
        bounds: ``(low, high)`` per dimension.
        budget: Hard cap on objective evaluations.
        seed: Seed or :class:`numpy.random.Generator` (``shgo`` uses it to scramble its
            Sobol points, so every method depends on it).
        **options: Extra keywords of the scipy function (e.g. ``popsize`` for
            differential evolution, ``stepsize`` in box widths for basin hopping, ``n``
            for shgo), or ``maxiter``/``ftol``/``gtol``/``maxcor`` for the L-BFGS-B runs
            of multistart.

    Returns:
        :class:`ClassicalOutcome` with ``nit`` the method's iterations (generations,
        annealing steps, hops, shgo iterations, or local starts) and ``extra`` holding
        ``"stopped_by_budget"`` and scipy's ``"message"`` when it finished by itself.

    Raises:
        ParameterError: For an unknown method (close matches are suggested), an unknown
            option, an invalid box or budget.

    Example:
        >>> out = scipy_minimize("dual_annealing", lambda x: (x - 0.5) ** 2, [(-2, 2)],
        ...                      budget=300, seed=1)
        >>> out.nfev <= 300, round(float(out.x[0]), 3)
        (True, 0.5)
    """
    if method not in SCIPY_METHODS:
        close = difflib.get_close_matches(str(method), SCIPY_METHODS, n=3)
        hint = f" Did you mean {close}?" if close else ""
        raise ParameterError(
            f"unknown scipy method, got {method!r}; choose one of {list(SCIPY_METHODS)}.{hint}"
        )
    t0 = time.perf_counter()
    box = check_bounds(bounds)
    budget = check_budget(budget)
    counter = CountedObjective(f, box, budget)
    rng = np.random.default_rng(seed)
    fun = _Scalar(counter)
    d = counter.dim
    lows, highs = counter.lows, counter.highs
    sbounds = [tuple(b) for b in box.tolist()]
    nit = [0]

    def tick(*_args: Any, **_kwargs: Any) -> None:
        nit[0] += 1

    def tick_result(intermediate_result: so.OptimizeResult) -> None:
        nit[0] += 1

    message = None
    stopped = False
    try:
        if method == "dual_annealing":
            _check_options(method, options, _scipy_options(so.dual_annealing))
            # maxiter as large as the budget so annealing, not its iteration cap, ends it.
            kw = {"maxfun": budget, "maxiter": max(1000, budget), **options}
            res = so.dual_annealing(fun, sbounds, rng=rng, **kw)
        elif method == "differential_evolution":
            _check_options(method, options, _scipy_options(so.differential_evolution))
            popsize = int(options.get("popsize", 15))
            pop = popsize * d
            # Generations that fit in the budget after the initial population.
            kw = {"maxiter": max(1, budget // pop - 1), **options}
            res = so.differential_evolution(
                fun.batch,
                sbounds,
                rng=rng,
                callback=tick_result,
                vectorized=True,
                updating="deferred",
                **kw,
            )
        elif method == "basinhopping":
            allowed = _scipy_options(so.basinhopping) - {"take_step"}
            _check_options(method, options, allowed)
            kw = dict(options)
            step = _BoundedStep(lows, highs, float(kw.pop("stepsize", 0.1)), rng)
            kw.setdefault("niter", budget)
            kw.setdefault("minimizer_kwargs", {"method": "L-BFGS-B", "bounds": sbounds})
            x0 = lows + (highs - lows) * rng.random(d)
            res = so.basinhopping(fun, x0, rng=rng, take_step=step, callback=tick, **kw)
        elif method == "shgo":
            _check_options(method, options, _scipy_options(so.shgo) - {"sampling_method"})
            sobol = qmc.Sobol(d, scramble=True, rng=rng)

            def sample(n: int, dim: int) -> np.ndarray:
                nit[0] += 1  # shgo samples once per iteration
                return sobol.random(n)

            kw = dict(options)
            # One iteration on a power-of-two Sobol set (balanced) of about a quarter of
            # the budget: shgo's refinement iterations cost superlinear wall time (its
            # minimizer search scans every vertex again), and the local searches from the
            # sampled minimizers spend the rest of the budget. shgo may finish under budget.
            kw.setdefault("n", 2 ** int(np.clip(np.log2(max(budget // 4, 1)), 4, 10)))
            kw.setdefault("iters", 1)
            with warnings.catch_warnings():
                # Sobol warns when shgo asks for a non-power-of-two count on refinement.
                warnings.filterwarnings("ignore", message=".*balance properties.*")
                res = so.shgo(fun, sbounds, sampling_method=sample, **kw)
        else:  # multistart-lbfgs
            _check_options(method, options, _MULTISTART_OPTIONS)
            res = None
            while True:
                x0 = lows + (highs - lows) * rng.random(d)
                nit[0] += 1
                so.minimize(
                    fun,
                    x0,
                    method="L-BFGS-B",
                    bounds=sbounds,
                    options={"maxfun": max(counter.remaining, 1), **options},
                )
        message = str(getattr(res, "message", ""))
        # A finished scipy run knows its own iteration count better than our callbacks.
        nit[0] = int(getattr(res, "nit", nit[0]))
    except BudgetExhausted:
        stopped = True
    extra = {"stopped_by_budget": stopped, "message": message}
    return outcome_from_counter(method, counter, nit=nit[0], t0=t0, extra=extra)
