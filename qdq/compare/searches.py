r"""Classical adapters and baselines of a comparison: searches under an evaluation budget.

Each function here is the registry's ``run`` of a classical or baseline method
(:mod:`qdq.compare.registry`): ``run(problem, budget, seed, options) -> outcome``, where
the outcome holds ``x`` (the best point, a list, or ``None``), ``value`` (its value,
``None`` when not finite), ``evals``, ``history`` (best value vs. evaluations) and
optionally ``nit`` and ``wall_time``. Classical methods and ``random`` see the continuous
objective ``problem(*coords)`` on the box; ``grid-argmin`` searches the ``N`` grid points.

Example:
    >>> import qdq
    >>> p = qdq.Problem("(x - 0.3)**2", bounds=[(-1, 1)], qubits=3, minimizer=[0.3])
    >>> out = grid_search(p, None, None, {})
    >>> out["x"], out["evals"]
    ([0.25], 8)
    >>> random_search(p, 10, 7, {})["evals"]
    10
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["best_so_far", "classical_search", "grid_search", "random_search"]


def best_so_far(values: np.ndarray) -> list[list[float]]:
    """Best-so-far curve ``[[evaluations, best], …]`` at each improvement (plus the end).

    Example:
        >>> best_so_far(np.array([3.0, 1.0, 2.0, 0.5, 4.0]))
        [[1.0, 3.0], [2.0, 1.0], [4.0, 0.5], [5.0, 0.5]]
    """
    v = np.where(np.isnan(values), np.inf, np.asarray(values, dtype=float))
    running = np.minimum.accumulate(v)
    prev = np.concatenate(([np.inf], running[:-1]))
    rows = [[float(j + 1), float(running[j])] for j in np.flatnonzero(running < prev)]
    if rows and rows[-1][0] != len(v):
        rows.append([float(len(v)), float(running[-1])])
    return rows


def classical_search(name: str, problem, budget: int, seed: int,
                     options: Mapping[str, Any]) -> dict:
    """A :mod:`qdq.classical` optimizer (:func:`qdq.classical.run_classical`) on the box.

    ``options`` are its keyword options; ``evals`` is its ``nfev``.
    """
    from qdq.classical import run_classical

    out = run_classical(name, problem, problem.grid.bounds, budget=budget, seed=seed,
                        **dict(options))
    value = float(out.fun)
    return {"x": [float(v) for v in np.asarray(out.x, dtype=float).ravel()],
            "value": value if math.isfinite(value) else None, "evals": int(out.nfev),
            "nit": int(out.nit), "wall_time": float(out.wall_time),
            "history": np.asarray(out.history, dtype=float).reshape(-1, 2).tolist()}


def random_search(problem, budget: int, seed: int, options: Mapping[str, Any]) -> dict:
    """Uniform random sampling: ``budget`` uniform points of the box, the best kept."""
    rng = np.random.default_rng(seed)
    b = np.asarray(problem.grid.bounds, dtype=float)
    X = b[:, 0] + (b[:, 1] - b[:, 0]) * rng.random((budget, len(b)))
    with np.errstate(all="ignore"):
        vals = np.asarray(problem(*X.T), dtype=float)
    vals = np.array(np.broadcast_to(vals, (budget,)))
    masked = np.where(np.isnan(vals), np.inf, vals)
    best = int(np.argmin(masked))
    return {"x": [float(v) for v in X[best]], "value": float(masked[best]),
            "evals": int(budget), "history": best_so_far(vals)}


def grid_search(problem, budget: int | None, seed: int | None,
                options: Mapping[str, Any]) -> dict:
    """Exhaustive search of the grid: ``N`` evaluations, the grid argmin (deterministic)."""
    values = np.asarray(problem.values)       # ζ on the grid: the N evaluations
    idx = np.unravel_index(int(np.argmin(values)), problem.grid.shape)
    x = [float(problem.grid.points[d][i]) for d, i in enumerate(idx)]
    value = float(values[idx])
    return {"x": x, "value": value, "evals": int(problem.grid.size),
            "history": [[float(problem.grid.size), value]]}
