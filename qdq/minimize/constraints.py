r"""Constraints in scipy's forms, normalized; the augmented Lagrangian the stages minimize.

Accepted forms (as :func:`scipy.optimize.minimize` takes them): dicts
``{"type": "eq" | "ineq", "fun": f, "args": (...)}`` (``eq``: ``f(x) = 0``; ``ineq``:
``f(x) ≥ 0``), :class:`scipy.optimize.LinearConstraint` (``lb ≤ A x ≤ ub``) and
:class:`scipy.optimize.NonlinearConstraint` (``lb ≤ f(x) ≤ ub``). Every one becomes rows
of equalities ``h(x) = 0`` and inequalities ``g(x) ≥ 0``, evaluated on columns
``X`` of shape ``(d, M)`` (a callable that accepts ``(d, M)`` is called once — checked
against single-point calls — otherwise point by point).

Linear rows on a single variable (``lb ≤ a·x_j ≤ ub``) tighten the box instead
(:func:`normalize`), so the grid never wastes points outside them.

The stages minimize the Powell–Hestenes–Rockafellar augmented Lagrangian

.. math::

    L_ρ(x; λ, μ) = f(x) + Σ_i [λ_i h_i(x) + \tfrac{ρ}{2} h_i(x)^2]
                  + \tfrac{1}{2ρ} Σ_j [\max(0, μ_j − ρ g_j(x))^2 − μ_j^2],

with the updates ``λ ← λ + ρ h(x*)``, ``μ ← max(0, μ − ρ g(x*))`` at the stage's best
point and ``ρ ← 10ρ`` when the violation did not fall below a quarter of the previous one.

May import numpy, scipy, :mod:`qdq.errors` and :mod:`qdq.minimize.objective` (realness,
the string compiler).

Example:
    >>> from scipy.optimize import LinearConstraint
    >>> cs, box = normalize([LinearConstraint([[1, 0], [1, 1]], [-0.5, -np.inf], [0.5, 1])],
    ...                     [(-1, 1), (-1, 1)])
    >>> box, cs.n_eq, cs.n_ineq
    ([(-0.5, 0.5), (-1.0, 1.0)], 0, 1)
    >>> cs.violation(np.array([[0.0, 1.0], [0.5, 1.0]])).tolist()
    [0.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from qdq.errors import ParameterError, ProblemError
from qdq.minimize.objective import check_real

__all__ = ["ALState", "ConstraintSet", "from_text", "normalize"]


def _point_rows(fun: Callable, args: tuple, x: np.ndarray, label: str) -> np.ndarray:
    try:
        with np.errstate(all="ignore"):
            out = check_real(fun(x, *args), x[:, None], f"constraint {label}")
        return np.atleast_1d(np.asarray(out, dtype=float)).ravel()
    except ProblemError:
        raise
    except Exception as exc:
        raise ProblemError(f"constraint {label} failed at x = {x.tolist()}: "
                           f"{type(exc).__name__}: {exc}") from exc


def _columnize(fun: Callable, args: tuple, dims: int, label: str, x0: np.ndarray):
    """A column function ``X (d, M) -> (k, M)`` for a scipy-style ``fun(x)``."""
    k = _point_rows(fun, args, x0, label).size
    probe = x0[:, None] + np.array([[0.0, 0.37, -0.21]]) * (1 + np.abs(x0[:, None]))
    expected = np.stack([_point_rows(fun, args, probe[:, i], label) for i in range(3)], axis=1)
    vectorized = False
    try:
        with np.errstate(all="ignore"):
            got = np.asarray(fun(probe, *args), dtype=float).reshape(k, 3)
        vectorized = bool(np.allclose(got, expected, rtol=1e-10, atol=1e-12, equal_nan=True))
    except Exception:  # noqa: BLE001 - any failure means "call it point by point"
        vectorized = False

    def columns(X: np.ndarray) -> np.ndarray:
        if vectorized:
            with np.errstate(all="ignore"):
                out = check_real(fun(X, *args), X, f"constraint {label}")
            return np.asarray(out, dtype=float).reshape(k, X.shape[1])
        return np.stack([_point_rows(fun, args, X[:, i], label)
                         for i in range(X.shape[1])], axis=1).reshape(k, X.shape[1])

    return columns, k


@dataclass
class ConstraintSet:
    """Equality rows ``h(X) = 0`` and inequality rows ``g(X) ≥ 0`` in column form.

    Attributes:
        eq: Column functions, each ``(d, M) -> (k, M)``.
        ineq: Column functions, each ``(d, M) -> (k, M)`` (feasible where ``≥ 0``).
        n_eq: Total equality rows.
        n_ineq: Total inequality rows.
        ncev: Points at which the constraints were evaluated.
    """

    eq: list = field(default_factory=list)
    ineq: list = field(default_factory=list)
    n_eq: int = 0
    n_ineq: int = 0
    ncev: int = 0

    def __bool__(self) -> bool:
        return bool(self.n_eq or self.n_ineq)

    def values(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(h, g)`` at the columns of ``X``: shapes ``(n_eq, M)`` and ``(n_ineq, M)``."""
        m = X.shape[1]
        if self:
            self.ncev += m
        h = np.concatenate([f(X) for f in self.eq], axis=0) if self.eq else np.zeros((0, m))
        g = np.concatenate([f(X) for f in self.ineq], axis=0) if self.ineq else np.zeros((0, m))
        return h, g

    def violation(self, X: np.ndarray) -> np.ndarray:
        """``max(max|h|, max(0, −g))`` per column (0 where feasible)."""
        h, g = self.values(X)
        parts = [np.zeros(X.shape[1])]
        if h.size:
            parts.append(np.abs(h).max(axis=0))
        if g.size:
            parts.append(np.maximum(0.0, -g).max(axis=0))
        out = np.max(parts, axis=0)
        return np.where(np.isfinite(out), out, np.inf)

    def scipy_form(self, dims: int) -> list[dict]:
        """The rows as scipy dicts (``fun(x)`` on one point), for SLSQP / trust-constr."""
        def rows(group):
            def fun(x):
                X = np.asarray(x, dtype=float).reshape(dims, 1)
                self.ncev += 1
                return np.concatenate([f(X)[:, 0] for f in group])
            return fun

        out = []
        if self.eq:
            out.append({"type": "eq", "fun": rows(self.eq)})
        if self.ineq:
            out.append({"type": "ineq", "fun": rows(self.ineq)})
        return out


@dataclass
class ALState:
    """Multipliers and penalty of the augmented Lagrangian (PHR form).

    Attributes:
        lam: Equality multipliers ``λ``.
        mu: Inequality multipliers ``μ ≥ 0``.
        rho: Penalty ``ρ > 0``.
        last_violation: Violation at the previous update (``inf`` before the first).
    """

    lam: np.ndarray
    mu: np.ndarray
    rho: float
    last_violation: float = float("inf")

    @classmethod
    def start(cls, cs: ConstraintSet, rho: float) -> ALState:
        """Zero multipliers and penalty ``rho``."""
        if not rho > 0:
            raise ParameterError(f"options['rho'] must be > 0, got {rho!r}")
        return cls(np.zeros(cs.n_eq), np.zeros(cs.n_ineq), float(rho))

    def merit(self, f: np.ndarray, h: np.ndarray, g: np.ndarray) -> np.ndarray:
        """``L_ρ`` from objective values ``f (M,)`` and rows ``h``, ``g`` at the same points."""
        out = np.array(f, dtype=float)
        if h.size:
            out = out + self.lam @ h + 0.5 * self.rho * (h * h).sum(axis=0)
        if g.size:
            shifted = np.maximum(0.0, self.mu[:, None] - self.rho * g)
            out = out + (shifted**2 - self.mu[:, None] ** 2).sum(axis=0) / (2 * self.rho)
        return out

    def update(self, h: np.ndarray, g: np.ndarray) -> None:
        """Multiplier step at the best point (``h``, ``g`` of shape ``(k,)``), then ``ρ``."""
        if h.size:
            self.lam = self.lam + self.rho * h
        if g.size:
            self.mu = np.maximum(0.0, self.mu - self.rho * g)
        viol = max([0.0, *np.abs(h).tolist(), *np.maximum(0.0, -g).tolist()])
        if viol > 0.25 * self.last_violation:
            self.rho = min(self.rho * 10.0, 1e10)
        self.last_violation = viol

    def to_dict(self) -> dict:
        """JSON-safe copy."""
        return {"lambda": self.lam.tolist(), "mu": self.mu.tolist(), "rho": self.rho}


def _linear_rows(A: np.ndarray, lb: np.ndarray, ub: np.ndarray, cs: ConstraintSet,
                 box: list[list[float]]) -> None:
    for row, lo, hi in zip(A, lb, ub, strict=True):
        nz = np.flatnonzero(row)
        if nz.size == 1:  # a bound on one variable: tighten the box instead
            j, a = int(nz[0]), float(row[nz[0]])
            lo_j, hi_j = (lo / a, hi / a) if a > 0 else (hi / a, lo / a)
            box[j] = [max(box[j][0], float(lo_j)), min(box[j][1], float(hi_j))]
            continue
        if nz.size == 0:
            if lo > 1e-12 or hi < -1e-12:
                raise ProblemError(f"a linear constraint row with all-zero coefficients asks "
                                   f"{lo:g} <= 0 <= {hi:g}: the problem is infeasible")
            continue
        r = row.copy()
        if np.isfinite(lo) and np.isfinite(hi) and abs(hi - lo) <= 1e-14 * (1 + abs(lo)):
            cs.eq.append(lambda X, r=r, v=lo: (r @ X - v)[None, :])
            cs.n_eq += 1
            continue
        if np.isfinite(lo):
            cs.ineq.append(lambda X, r=r, v=lo: (r @ X - v)[None, :])
            cs.n_ineq += 1
        if np.isfinite(hi):
            cs.ineq.append(lambda X, r=r, v=hi: (v - r @ X)[None, :])
            cs.n_ineq += 1


def normalize(constraints, bounds: Sequence[Sequence[float]]):
    """Constraints in any of scipy's forms → a :class:`ConstraintSet` and a tightened box.

    Args:
        constraints: A dict, a ``LinearConstraint``, a ``NonlinearConstraint``, or a
            sequence of them.
        bounds: The box, ``(low, high)`` per variable.

    Returns:
        ``(constraint_set, box)`` with ``box`` a list of ``(low, high)`` tuples, tightened by
        the single-variable linear rows (possibly empty: ``low > high`` means infeasible).

    Raises:
        ProblemError: An unknown form, a bad ``type``, mismatched shapes, a failing
            constraint function.
    """
    from scipy.optimize import LinearConstraint, NonlinearConstraint

    dims = len(bounds)
    box = [[float(lo), float(hi)] for lo, hi in bounds]
    if constraints is None:
        constraints = ()
    if isinstance(constraints, (dict, LinearConstraint, NonlinearConstraint)):
        constraints = [constraints]
    cs = ConstraintSet()
    center = np.array([(lo + hi) / 2 for lo, hi in box])
    for i, c in enumerate(constraints):
        label = f"#{i}"
        if isinstance(c, LinearConstraint):
            A = np.atleast_2d(np.asarray(c.A.toarray() if hasattr(c.A, "toarray") else c.A,
                                         dtype=float))
            if A.shape[1] != dims:
                raise ProblemError(f"LinearConstraint {label} has {A.shape[1]} columns, the "
                                   f"problem {dims} variables; give one column per variable")
            lb = np.broadcast_to(np.asarray(c.lb, dtype=float), (A.shape[0],))
            ub = np.broadcast_to(np.asarray(c.ub, dtype=float), (A.shape[0],))
            _linear_rows(A, lb, ub, cs, box)
            continue
        if isinstance(c, NonlinearConstraint):
            cols, k = _columnize(c.fun, (), dims, label, center)
            lb = np.broadcast_to(np.asarray(c.lb, dtype=float), (k,)).copy()
            ub = np.broadcast_to(np.asarray(c.ub, dtype=float), (k,)).copy()
            eq = np.isfinite(lb) & np.isfinite(ub) & (np.abs(ub - lb) <= 1e-14 * (1 + abs(lb)))
            for rows, vals, sign, target in ((eq, lb, 1.0, cs.eq),
                                             (~eq & np.isfinite(lb), lb, 1.0, cs.ineq),
                                             (~eq & np.isfinite(ub), ub, -1.0, cs.ineq)):
                if rows.any():
                    target.append(lambda X, cols=cols, r=rows, v=vals, s=sign:
                                  s * (cols(X)[r] - v[r][:, None]))
                    if target is cs.eq:
                        cs.n_eq += int(rows.sum())
                    else:
                        cs.n_ineq += int(rows.sum())
            continue
        if isinstance(c, dict):
            kind = c.get("type")
            if kind not in ("eq", "ineq") or not callable(c.get("fun")):
                raise ProblemError(f"constraint {label} must be {{'type': 'eq' | 'ineq', "
                                   f"'fun': callable}}, got type={kind!r}, fun="
                                   f"{type(c.get('fun')).__name__}")
            cols, k = _columnize(c["fun"], tuple(c.get("args", ())), dims, label, center)
            (cs.eq if kind == "eq" else cs.ineq).append(cols)
            if kind == "eq":
                cs.n_eq += k
            else:
                cs.n_ineq += k
            continue
        raise ProblemError(f"constraint {label} must be a dict, a scipy LinearConstraint or "
                           f"NonlinearConstraint, got {type(c).__name__}")
    return cs, [tuple(b) for b in box]


def from_text(text: str, dims: int) -> dict:
    """A constraint written ``"lhs <= rhs"``, ``"lhs >= rhs"`` or ``"lhs == rhs"`` as a dict.

    Both sides are expressions of the safe grammar (:mod:`qdq.expression`, never executed)
    in ``x, y, z`` or ``x0, x1, …``.

    Raises:
        ProblemError: No (or more than one) comparison, or a side outside the grammar.

    Example:
        >>> c = from_text("x + y <= 1", 2)
        >>> c["type"], float(c["fun"](np.array([0.25, 0.25])))
        ('ineq', 0.5)
    """
    from qdq.minimize.objective import compile_text

    ops = [op for op in ("<=", ">=", "==") if op in text]
    if len(ops) != 1 or text.count(ops[0]) != 1:
        raise ProblemError(f"a constraint needs exactly one of <=, >=, == between two "
                           f"expressions, got {text!r}")
    lhs, rhs = text.split(ops[0])
    try:  # poles and complex constants are refused here; say it was the constraint
        left, right = compile_text(lhs, dims), compile_text(rhs, dims)
    except ProblemError as exc:
        raise ProblemError(f"constraint {text!r}: {exc}") from None

    def fun(x):
        X = np.asarray(x, dtype=float).reshape(dims, -1)
        diff = (right(X) - left(X)) if ops[0] == "<=" else (left(X) - right(X))
        return np.broadcast_to(diff, (X.shape[1],)).reshape(np.shape(x)[1:])

    return {"type": "eq" if ops[0] == "==" else "ineq", "fun": fun, "text": text}
