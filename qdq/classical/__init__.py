"""Classical counterparts and baselines for the quantum-dynamics optimizers.

Every method is a plain function ``method(f, bounds, *, ..., budget, seed)`` on a
vectorized objective ``f(*coords)`` and a box ``[(low, high), ...]``; every evaluation
goes through one :class:`CountedObjective`, so all methods spend the same currency
(objective evaluations at points) and stop exactly at the budget. All return a
:class:`ClassicalOutcome`.

Registered names (:data:`METHODS`, run through :func:`run_classical`):

- ``"dmc"``: diffusion Monte Carlo for ``H = -D∇² + f`` (:func:`dmc`)
- ``"mqhoa"``: multiscale quantum harmonic oscillator algorithm (:func:`mqhoa`)
- ``"langevin"``: quantization-based annealed Langevin dynamics (:func:`langevin`)
- ``"dual_annealing"``, ``"differential_evolution"``, ``"basinhopping"``, ``"shgo"``,
  ``"multistart-lbfgs"``: scipy baselines (:func:`scipy_minimize`)
- ``"random"``: uniform random search (:func:`random_search`)
- ``"qbo"``, ``"sa-seed"``, ``"reweighted-annealing"``, ``"genetic"``: Seok & Cho's QbO and
  their SA, "quantum annealing" (a classical reweighted SA) and GA baselines
  (:mod:`qdq.classical.seed_cho`)
- ``"cma-es"``: CMA-ES with IPOP restarts (:func:`qdq.classical.cmaes.cma_es`; needs the
  optional ``cma`` package, ``pip install 'qdq[classical]'``)

:func:`grid_argmin` (exhaustive minimum of tabulated grid values) completes the set.

Example:
    >>> from qdq.classical import run_classical
    >>> out = run_classical("mqhoa", lambda x, y: (x - 1) ** 2 + y**2, [(-2, 2)] * 2,
    ...                     budget=2000, seed=0)
    >>> out.method, out.nfev <= 2000, bool(out.fun < 1e-4)
    ('mqhoa', True, True)
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np

from qdq.classical.baselines import grid_argmin, random_search
from qdq.classical.budget import BudgetExhausted, CountedObjective, check_budget
from qdq.classical.cmaes import cma_es
from qdq.classical.dmc import blocking_stderr, dmc
from qdq.classical.langevin import langevin, quantization_schedule
from qdq.classical.mqhoa import mqhoa
from qdq.classical.outcome import ClassicalOutcome
from qdq.classical.scipy_baselines import SCIPY_METHODS, scipy_minimize
from qdq.classical.seed_cho import (
    genetic_continuous,
    qbo_continuous,
    reweighted_annealing_continuous,
    sa_continuous,
)
from qdq.errors import ParameterError

__all__ = [
    "METHODS",
    "BudgetExhausted",
    "ClassicalOutcome",
    "CountedObjective",
    "blocking_stderr",
    "dmc",
    "grid_argmin",
    "langevin",
    "mqhoa",
    "quantization_schedule",
    "random_search",
    "run_classical",
    "scipy_minimize",
]

Adapter = Callable[..., ClassicalOutcome]


def _check_options(name: str, fn: Callable[..., Any], options: dict[str, Any]) -> None:
    valid = [
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in ("budget", "seed")
    ]
    for key in options:
        if key not in valid:
            close = difflib.get_close_matches(key, valid, n=3)
            hint = f" Did you mean {close}?" if close else ""
            raise ParameterError(
                f"unknown option for {name!r}, got {key!r}; valid options are {valid}.{hint}"
            )


def _run_dmc(
    f: Callable[..., Any], bounds: Sequence, *, budget: int, seed: Any = None, **options: Any
) -> ClassicalOutcome:
    _check_options("dmc", dmc, options)
    budget = check_budget(budget)
    # Split the budget between population and steps: about 100 steps per walker
    # generation keeps the imaginary time long enough to relax, capped at the
    # 1000-walker default population.
    walkers = options.pop("walkers", int(np.clip(budget // 100, 16, 1000)))
    steps = options.pop("steps", max(1, budget // max(int(walkers), 1) - 1))
    return dmc(f, bounds, walkers=walkers, steps=steps, budget=budget, seed=seed, **options)


def _run_plain(fn: Callable[..., ClassicalOutcome], name: str) -> Adapter:
    def run(
        f: Callable[..., Any], bounds: Sequence, *, budget: int, seed: Any = None, **options: Any
    ) -> ClassicalOutcome:
        _check_options(name, fn, options)
        return fn(f, bounds, budget=budget, seed=seed, **options)

    run.__name__ = f"run_{name}"
    run.__doc__ = f"Uniform adapter of :func:`{fn.__name__}` (see :func:`run_classical`)."
    return run


METHODS: dict[str, Adapter] = {
    "dmc": _run_dmc,
    "mqhoa": _run_plain(mqhoa, "mqhoa"),
    "langevin": _run_plain(langevin, "langevin"),
    **{m: partial(scipy_minimize, m) for m in SCIPY_METHODS},
    "random": _run_plain(random_search, "random"),
    "qbo": _run_plain(qbo_continuous, "qbo"),
    "sa-seed": _run_plain(sa_continuous, "sa-seed"),
    "reweighted-annealing": _run_plain(reweighted_annealing_continuous, "reweighted-annealing"),
    "genetic": _run_plain(genetic_continuous, "genetic"),
    "cma-es": _run_plain(cma_es, "cma-es"),
}
"""Name → adapter ``adapter(f, bounds, *, budget, seed, **options) -> ClassicalOutcome``."""


def run_classical(
    name: str,
    f: Callable[..., Any],
    bounds: Sequence[tuple[float, float]],
    *,
    budget: int = 10_000,
    seed: int | np.random.Generator | None = None,
    **options: Any,
) -> ClassicalOutcome:
    """Run the classical method ``name`` under an evaluation budget.

    Args:
        name: A key of :data:`METHODS`.
        f: Vectorized objective ``f(*coords)``.
        bounds: ``(low, high)`` per dimension.
        budget: Hard cap on objective evaluations (the common currency).
        seed: Seed or :class:`numpy.random.Generator`.
        **options: Method-specific keywords (e.g. ``D`` for ``"dmc"``,
            ``samples_per_center`` for ``"mqhoa"``, ``popsize`` for
            ``"differential_evolution"``). For ``"dmc"``, unless given, ``walkers`` is
            ``budget // 100`` clipped to [16, 1000] and ``steps`` fills the budget.

    Returns:
        The method's :class:`ClassicalOutcome`.

    Raises:
        ParameterError: For an unknown name (listing the valid ones and close matches)
            or an unknown option.

    Example:
        >>> out = run_classical("random", lambda x: x**2, [(-1, 1)], budget=100, seed=0)
        >>> out.nfev
        100
    """
    try:
        adapter = METHODS[name]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(name), list(METHODS), n=3)
        hint = f" Did you mean {close}?" if close else ""
        raise ParameterError(
            f"unknown classical method, got {name!r}; valid names are {list(METHODS)}.{hint}"
        ) from None
    return adapter(f, bounds, budget=budget, seed=seed, **options)
