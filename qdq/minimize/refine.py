r"""Refinement to full precision: box shrinking between stages, a local polish at the end.

*Box refinement* (:func:`shrink_box`): after a stage, the next box is the bounding box of
the ``keep`` best candidates (by merit) widened by ``margin`` grid cells on each side, at
most ``shrink`` times the current side (centred on the best point), inside the original
box. With ``2ⁿ`` points per side each stage resolves ``2⁻ⁿ`` of its box, so the effective
resolution compounds: after ``s`` stages roughly ``(margin·2^{1−n})^s`` of the first box.

*Local polish* (:func:`polish`): scipy from the best few points — L-BFGS-B on the box
without constraints, SLSQP with them (or any method scipy takes: ``trust-constr``,
``Nelder-Mead``, …) — at tight tolerances, so smooth problems end within ``1e−8`` of the
optimum's value. Under constraints a point counts as feasible when its violation is at most
``ctol``; when none is, :func:`least_violation` minimizes ``Σh² + Σ min(0, g)²`` to tell
an infeasible problem from a poor start. A local method that reports failure (SLSQP's
"positive directional derivative" at machine precision) is restarted once from its point;
when the restart moves neither ``f`` (by more than ``tol·(1+|f|)``) nor ``x``, the point is
reported as converged, with both messages.

May import numpy and scipy.

Example:
    >>> import numpy as np
    >>> stage = {"candidates": np.array([[0.5, 0.55], [0.0, 0.1]]), "spacing": [0.1, 0.1]}
    >>> [tuple(round(v, 3) for v in b) for b in shrink_box(stage, [0, 1], [(-1, 1), (-1, 1)],
    ...                                                   [(-1, 1), (-1, 1)])]
    [(0.3, 0.75), (-0.2, 0.3)]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["least_violation", "polish", "shrink_box", "unbounded_near"]


def shrink_box(stage: dict, free: Sequence[int], box: Sequence[Sequence[float]],
               bounds: Sequence[Sequence[float]], *, keep: int = 4, margin: float = 2.0,
               shrink: float = 0.5) -> list[tuple[float, float]]:
    """The next stage's box around a stage's best candidates.

    Args:
        stage: A stage record (``candidates`` best first, ``spacing`` of its grid).
        free: The variables the stage's grid spans.
        box: The stage's box (one pair per free variable).
        bounds: The original box of the free variables (the new box stays inside).
        keep: Candidates spanned.
        margin: Grid cells added on each side.
        shrink: Largest side, as a fraction of the current side.

    Returns:
        One ``(low, high)`` per free variable.
    """
    pts = np.asarray(stage["candidates"])[list(free), :keep]
    best = pts[:, 0]
    out = []
    for j in range(len(free)):
        h = stage["spacing"][j]
        lo, hi = pts[j].min() - margin * h, pts[j].max() + margin * h
        cap = shrink * (box[j][1] - box[j][0])
        if hi - lo > cap:
            lo, hi = best[j] - cap / 2, best[j] + cap / 2
        b_lo, b_hi = float(bounds[j][0]), float(bounds[j][1])
        if lo < b_lo:
            lo, hi = b_lo, min(b_hi, b_lo + (hi - lo))
        if hi > b_hi:
            lo, hi = max(b_lo, b_hi - (hi - lo)), b_hi
        out.append((float(lo), float(hi)))
    return out


def _local(fun, x0, bounds, constraints, method: str | None, tol: float):
    from scipy.optimize import minimize

    if method is None:
        method = "SLSQP" if constraints else "L-BFGS-B"
    opts: dict[str, Any] = {"maxiter": 2000}
    if method == "L-BFGS-B":
        opts.update(ftol=tol * 1e-4, gtol=tol, maxls=50)
    elif method == "SLSQP":
        opts.update(ftol=tol * 1e-2)
    elif method == "trust-constr":
        opts.update(gtol=tol, xtol=tol)
    kwargs: dict[str, Any] = {"method": method, "options": opts}
    if method in ("L-BFGS-B", "SLSQP", "trust-constr"):
        kwargs["jac"] = "3-point"  # central differences: the gradient to ~eps^(2/3)
    if method not in ("Nelder-Mead", "Powell") or bounds is not None:
        kwargs["bounds"] = bounds
    if constraints:
        kwargs["constraints"] = constraints
    return minimize(fun, x0, **kwargs)


def polish(objective, cs, starts: np.ndarray, bounds: Sequence[Sequence[float]], *,
           method: str | None = None, tol: float = 1e-10, ctol: float = 1e-6) -> dict:
    """Local optimization from each column of ``starts``; the best feasible end wins.

    Args:
        objective: A :class:`~qdq.minimize.objective.Objective` (counts evaluations).
        cs: The :class:`~qdq.minimize.constraints.ConstraintSet`.
        starts: ``(d, k)`` start points, best first.
        bounds: The box.
        method: A :func:`scipy.optimize.minimize` method; default L-BFGS-B, or SLSQP
            under constraints.
        tol: Gradient / step tolerance of the local method.
        ctol: Largest constraint violation that counts as feasible.

    Returns:
        ``{"x", "fun", "violation", "nit", "nfev", "success", "message", "method",
        "runs"}`` of the best run (feasible first, then lowest value).
    """
    before = objective.nfev
    cons = cs.scipy_form(objective.dims) if cs else None
    best, nit, runs = None, 0, []
    for i in range(starts.shape[1]):
        with np.errstate(all="ignore"):
            res = _local(objective.point, starts[:, i], bounds, cons, method, tol)
        x = np.clip(res.x, [b[0] for b in bounds], [b[1] for b in bounds])
        f = objective.point(x)
        viol = float(cs.violation(x[:, None])[0]) if cs else 0.0
        nit += int(getattr(res, "nit", 0) or 0)
        runs.append({"x0": starts[:, i].tolist(), "x": x.tolist(), "fun": f, "violation": viol,
                     "success": bool(res.success), "message": str(res.message)})
        key = (viol > ctol, viol if viol > ctol else 0.0, f)
        if best is None or key < best[0]:
            best = (key, x, f, viol, res)
    _, x, f, viol, res = best
    if not res.success:  # e.g. SLSQP's line search at machine precision: restart once there
        with np.errstate(all="ignore"):
            again = _local(objective.point, x, bounds, cons, method, tol)
        x2 = np.clip(again.x, [b[0] for b in bounds], [b[1] for b in bounds])
        f2 = objective.point(x2)
        viol2 = float(cs.violation(x2[:, None])[0]) if cs else 0.0
        nit += int(getattr(again, "nit", 0) or 0)
        stationary = abs(f2 - f) <= tol * (1 + abs(f)) and np.abs(x2 - x).max() <= 1e-6 * (
            1 + np.abs(x).max())
        if (viol2 > ctol, viol2 if viol2 > ctol else 0.0, f2) <= best[0]:
            x, f, viol, res = x2, f2, viol2, again
        if stationary and not res.success:  # the local method stops where it stood: converged
            return {"x": x, "fun": f, "violation": viol, "nit": nit,
                    "nfev": objective.nfev - before, "success": True,
                    "message": f"{res.message} (a restart from the point moved f by "
                               f"{abs(f2 - f):.1e}: stationary)",
                    "method": method or ("SLSQP" if cs else "L-BFGS-B"), "runs": runs}
    return {"x": x, "fun": f, "violation": viol, "nit": nit, "nfev": objective.nfev - before,
            "success": bool(res.success), "message": str(res.message),
            "method": method or ("SLSQP" if cs else "L-BFGS-B"), "runs": runs}


def least_violation(cs, starts: np.ndarray, bounds: Sequence[Sequence[float]]) -> dict:
    """Minimize ``Σ h² + Σ min(0, g)²`` on the box from each start (phase 1).

    Returns:
        ``{"x", "violation"}`` of the least infeasible point found.
    """
    from scipy.optimize import minimize

    d = starts.shape[0]

    def sq(x):
        h, g = cs.values(np.asarray(x, dtype=float).reshape(d, 1))
        return float((h**2).sum() + (np.minimum(0.0, g) ** 2).sum())

    best = None
    for i in range(starts.shape[1]):
        res = minimize(sq, starts[:, i], method="L-BFGS-B", bounds=bounds,
                       options={"ftol": 1e-20, "gtol": 1e-14, "maxiter": 2000})
        viol = float(cs.violation(np.asarray(res.x)[:, None])[0])
        if best is None or viol < best["violation"]:
            best = {"x": np.asarray(res.x), "violation": viol}
    return best


def unbounded_near(objective, cs, x: np.ndarray, f: float, bounds: Sequence[Sequence[float]],
                   *, ctol: float = 1e-6) -> tuple[int, str] | None:
    r"""Why ``x`` is not a minimum: unbounded or not finite near it, or lower values beside it.

    A local method can stop near a pole (``1/x`` at ``0``) or a log singularity with a
    huge finite value and "converged". This check evaluates ``f`` (counted in ``nfev``)
    at ``x ± m·10^{-k}·side``, ``m ∈ {1, 2, 5}``, ``k = 3, …, 10``, along each axis inside
    the box (under constraints only probes no more violated than ``x``):

    * ``f(x)`` not finite, a probe ``-inf``, or a probe lower than ``f(x)`` by more than
      ``(1 + |f(x)|)/2`` (no minimum of a continuous function drops that much that
      close): ``(4, "unbounded below …")``;
    * a probe lower by more than ``10^{-6}(1 + |f(x)|)``: ``(1, "not a local minimum …")``
      (the polish stopped short, e.g. next to a wall of non-finite values).

    Returns:
        ``None`` when ``x`` passes, else ``(status, message)`` naming the point and probe.

    Example:
        >>> from qdq.minimize.objective import Objective
        >>> F = Objective.from_user("1/x", 1)
        >>> unbounded_near(F, None, np.array([-2e-6]), F.point(np.array([-2e-6])),
        ...                [(-1, 1)])[1].split(":")[0]
        'the objective is unbounded below near x = [-2e-06]'
        >>> unbounded_near(F, None, np.array([-1.0]), -1.0, [(-1, 1)])[0]  # x + h is lower
        1
        >>> G = Objective.from_user("(x - 0.5)**2", 1)
        >>> unbounded_near(G, None, np.array([0.5]), 0.0, [(-1, 1)]) is None
        True
    """
    x = np.asarray(x, dtype=float)
    if not np.isfinite(f):
        return 4, (f"the objective is not finite at the best point found, x = {x.tolist()} "
                   f"(got {f}); a pole or a singularity, not a minimum")
    lo = np.array([b[0] for b in bounds], dtype=float)
    hi = np.array([b[1] for b in bounds], dtype=float)
    cols = []
    for d in range(x.size):
        for step in np.outer([1.0, 2.0, 5.0], 10.0 ** -np.arange(3, 11)).ravel():
            for sign in (-1.0, 1.0):
                p = x.copy()
                p[d] += sign * step * (hi[d] - lo[d])
                if lo[d] <= p[d] <= hi[d]:
                    cols.append(p)
    if not cols:
        return None
    P = np.stack(cols, axis=1)
    vals = objective(P)
    if cs:
        v0 = float(cs.violation(x[:, None])[0])
        vals = np.where(cs.violation(P) <= v0 + 1e-12, vals, np.nan)
    drop = np.where(np.isnan(vals), np.inf, vals)
    i = int(np.argmin(drop))
    where = f"f = {f:.10g} there but {drop[i]:.10g} at {P[:, i].tolist()}"
    if drop[i] == -np.inf or drop[i] < f - 0.5 * (1 + abs(f)):
        return 4, (f"the objective is unbounded below near x = {x.tolist()}: {where}; a pole "
                   "or a singularity, not a minimum (exclude it from the box or regularize "
                   "the objective)")
    if drop[i] < f - 1e-6 * (1 + abs(f)):
        return 1, f"x = {x.tolist()} is not a local minimum: {where}"
    return None
