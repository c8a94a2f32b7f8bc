r"""The two reference points every comparison needs: uniform sampling and the grid argmin.

:func:`random_search` draws ``budget`` independent uniform points in the box and keeps
the best; when the target set :math:`S` occupies a fraction :math:`p = |S|/|\text{box}|`,
at least one of ``n`` samples lands in it with probability :math:`1 - (1-p)^n` — the
baseline any "success probability" must be printed next to (docs/benchmarks.md).

:func:`grid_argmin` is the exhaustive answer on a discretization grid: what a perfect
measurement of the ground state of ``ζ`` on the qubit grid would return.

Example:
    >>> import numpy as np
    >>> from qdq.classical import grid_argmin, random_search
    >>> out = random_search(lambda x, y: x**2 + y**2, [(-1, 1), (-1, 1)], budget=2000, seed=0)
    >>> out.nfev, bool(out.fun < 1e-2)
    (2000, True)
    >>> pts = (np.linspace(-1, 1, 5), np.linspace(0, 2, 3))
    >>> X, Y = np.meshgrid(*pts, indexing="ij")
    >>> grid_argmin((X - 0.5) ** 2 + (Y - 1) ** 2, pts).x
    array([0.5, 1. ])
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from qdq.classical.budget import BudgetExhausted, CountedObjective, check_bounds, check_budget
from qdq.classical.outcome import ClassicalOutcome, outcome_from_counter
from qdq.errors import ParameterError

__all__ = ["random_search", "grid_argmin"]

# Points per batch: large enough to amortize the Python call, small enough for memory.
_CHUNK = 4096


def random_search(
    f: Callable[..., np.ndarray],
    bounds: Sequence[tuple[float, float]],
    *,
    budget: int = 10_000,
    seed: int | np.random.Generator | None = None,
) -> ClassicalOutcome:
    """Minimize ``f`` by ``budget`` i.i.d. uniform samples in the box.

    Args:
        f: Vectorized objective ``f(*coords)``.
        bounds: ``(low, high)`` per dimension.
        budget: Number of samples (all of them are evaluated).
        seed: Seed or :class:`numpy.random.Generator`.

    Returns:
        :class:`ClassicalOutcome` with the best sample; ``nit`` is the number of batches.

    Raises:
        ParameterError: For an invalid box or budget.

    Example:
        >>> random_search(lambda x: (x - 0.3) ** 2, [(0, 1)], budget=500, seed=2).nfev
        500
    """
    t0 = time.perf_counter()
    box = check_bounds(bounds)
    counter = CountedObjective(f, box, check_budget(budget))
    rng = np.random.default_rng(seed)
    nit = 0
    try:
        while counter.remaining > 0:
            m = min(_CHUNK, counter.remaining)
            counter(counter.lows + counter.widths * rng.random((m, counter.dim)))
            nit += 1
    except BudgetExhausted:  # pragma: no cover - chunks are sized to the budget
        pass
    return outcome_from_counter("random", counter, nit=nit, t0=t0)


def grid_argmin(values: np.ndarray, points: Sequence[np.ndarray]) -> ClassicalOutcome:
    """Exhaustive minimum of objective values tabulated on a grid.

    Args:
        values: Grid-shaped array ``(N_0, N_1, ...)`` indexed ``[j_0, j_1, ...]``
            (dimension 0 first, as everywhere in qdq). NaNs are ignored.
        points: Tuple of 1-D coordinate arrays, ``len(points[i]) == values.shape[i]``.

    Returns:
        :class:`ClassicalOutcome` with ``x`` the grid point of the minimum (the first one
        in C order on ties, like :func:`numpy.argmin`), ``nfev = values.size`` and
        ``extra["index"]`` the grid multi-index.

    Raises:
        ParameterError: If the shapes disagree, the grid is empty, or every value is NaN.

    Example:
        >>> import numpy as np
        >>> grid_argmin(np.array([3.0, 1.0, 2.0]), (np.array([0.0, 0.5, 1.0]),)).x
        array([0.5])
    """
    t0 = time.perf_counter()
    v = np.asarray(values, dtype=float)
    pts = tuple(np.asarray(p, dtype=float).ravel() for p in points)
    shape = tuple(len(p) for p in pts)
    if v.ndim == 0 or v.shape != shape:
        raise ParameterError(
            f"values must have the grid shape given by the points {shape}, got {v.shape}; "
            "pass the grid-shaped array indexed [j_0, j_1, ...] and one 1-D array per axis"
        )
    if v.size == 0 or np.all(np.isnan(v)):
        raise ParameterError(
            f"values must contain at least one non-NaN number, got shape {v.shape}; "
            "check the objective on the grid"
        )
    flat = int(np.nanargmin(v))
    index = np.unravel_index(flat, v.shape)
    x = np.array([p[i] for p, i in zip(pts, index, strict=True)])
    fun = float(v.flat[flat])
    return ClassicalOutcome(
        method="grid",
        x=x,
        fun=fun,
        nfev=int(v.size),
        nit=1,
        wall_time=time.perf_counter() - t0,
        history=np.array([[float(v.size), fun]]),
        extra={"index": tuple(int(i) for i in index)},
    )
