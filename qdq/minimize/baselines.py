r"""The trivial baselines every :func:`qdq.minimize.minimize` result reports.

* ``uniform``: as many uniform random points in the box as the quantum stages took shots
  (accepted shots; in exact mode, as many as the first stage's grid points), the best of
  them (feasible first);
* ``uniform_polished``: the same local polish as qdq's, started from that best sample —
  what the polish alone achieves without any quantum stage;
* ``grid_argmin``: the exact argmin of the first stage's grid (its ``N`` evaluations are
  the ones the stage already made).

Their evaluations are counted on their own (``nfev`` of each), never in qdq's.

May import numpy and :mod:`qdq.minimize.objective` / :mod:`qdq.minimize.refine`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qdq.minimize.objective import Objective
from qdq.minimize.refine import polish

__all__ = ["uniform_baseline"]


def uniform_baseline(objective: Objective, cs, bounds: Sequence[Sequence[float]],
                     samples: int, rng: np.random.Generator, *, ctol: float,
                     polish_method: str | None, polish_tol: float,
                     do_polish: bool) -> dict:
    """Best of ``samples`` uniform points (and, optionally, its polish).

    Args:
        objective: The problem's objective (a private counter is used).
        cs: Constraint set (its evaluation count is restored afterwards).
        bounds: The box.
        samples: Number of uniform points.
        rng: Generator.
        ctol: Feasibility tolerance.
        polish_method: The local method qdq's polish used.
        polish_tol: Its tolerance.
        do_polish: Also polish the best sample.

    Returns:
        ``{"uniform": {...}, "uniform_polished": {...} | None}``.
    """
    f = Objective(objective._func, objective.dims, objective.label)
    ncev = cs.ncev
    lo = np.array([b[0] for b in bounds], dtype=float)
    hi = np.array([b[1] for b in bounds], dtype=float)
    X = lo[:, None] + (hi - lo)[:, None] * rng.random((len(lo), int(samples)))
    vals = f(X)
    viol = cs.violation(X) if cs else np.zeros(X.shape[1])
    vals_key = np.where(np.isfinite(vals), vals, np.inf)
    order = np.lexsort((vals_key, np.where(viol > ctol, viol, 0.0), viol > ctol))
    i = int(order[0])
    out = {"uniform": {"samples": int(samples), "x": X[:, i].tolist(), "fun": float(vals[i]),
                       "violation": float(viol[i]),
                       "feasible_samples": int((viol <= ctol).sum()), "nfev": int(samples)}}
    out["uniform_polished"] = None
    if do_polish:
        before = f.nfev
        pol = polish(f, cs, X[:, [i]], bounds, method=polish_method, tol=polish_tol, ctol=ctol)
        out["uniform_polished"] = {"x": pol["x"].tolist(), "fun": pol["fun"],
                                   "violation": pol["violation"],
                                   "nfev": int(samples) + f.nfev - before}
    cs.ncev = ncev
    return out
