r"""Objectives in column form, with every evaluation counted.

:func:`qdq.minimize.minimize` evaluates the objective in three ways: on a stage's grid
(``N`` points at once), at single points (the local polish) and on baseline samples. This
module turns what the user passed — a vectorized callable ``f(*coords)``, an expression
string of the safe grammar (:mod:`qdq.expression`, parsed, never executed) or a
:class:`~qdq.minimize.qp.QuadraticProgram` — into one *column* function
``F(X) -> values`` with ``X`` of shape ``(d, M)`` (one point per column), and counts every
point it is called on (:attr:`Objective.nfev`).

May import numpy, :mod:`qdq.problem` (the parser) and :mod:`qdq.errors`.

Example:
    >>> import numpy as np
    >>> F = Objective.from_user("x**2 + y", 2)
    >>> F(np.array([[1.0, 2.0], [0.5, 0.0]])).tolist(), F.nfev
    ([1.5, 4.0], 2)
    >>> F.point(np.array([3.0, 1.0])), F.nfev
    (10.0, 3)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from qdq.errors import ProblemError

__all__ = ["Objective"]


class Objective:
    """A column-form objective ``F(X)``, ``X`` of shape ``(d, M)``, counting evaluations.

    Args:
        func: Column function: ``(d, M)`` array in, ``(M,)`` values out.
        dims: Number of variables ``d``.
        label: Name used in error messages.

    Attributes:
        nfev: Points evaluated so far (a grid of ``N`` points counts ``N``).
    """

    def __init__(self, func: Callable[[np.ndarray], np.ndarray], dims: int, label: str):
        self._func = func
        self.dims = int(dims)
        self.label = label
        self.nfev = 0

    @classmethod
    def from_user(cls, fun, dims: int) -> Objective:
        """Wrap a vectorized callable ``f(*coords)``, a string, or a quadratic program.

        Raises:
            ProblemError: A string outside the grammar, or neither a callable nor a string.
        """
        if hasattr(fun, "column_objective"):
            return cls(fun.column_objective, dims, getattr(fun, "name", "qp"))
        if isinstance(fun, str):
            import sympy

            from qdq.problem import parse_objective

            expr, symbols = parse_objective(fun, dims)
            compiled = sympy.lambdify(symbols, expr, modules="numpy")
            return cls(lambda X: compiled(*X), dims, repr(fun))
        if callable(fun):
            return cls(lambda X: fun(*X), dims, getattr(fun, "__name__", "objective"))
        raise ProblemError(f"fun must be a vectorized callable f(*coords), an objective string "
                           f"or a QuadraticProgram, got {type(fun).__name__}")

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """Values at the columns of ``X`` (shape ``(d, M)``); counts ``M`` evaluations."""
        X = np.asarray(X, dtype=float)
        m = X.shape[1]
        self.nfev += m
        try:
            with np.errstate(all="ignore"):
                out = self._func(X)
        except Exception as exc:
            raise ProblemError(f"objective {self.label} failed: {type(exc).__name__}: {exc}; "
                               "it must accept numpy arrays (vectorized f(*coords))") from exc
        out = np.asarray(out)
        if np.iscomplexobj(out):
            out = out.real
        try:
            return np.broadcast_to(out, (m,)).astype(float)
        except ValueError as exc:
            raise ProblemError(f"objective {self.label} returned shape {out.shape} for {m} "
                               "points; make it elementwise over its coordinate arrays") from exc

    def point(self, x: np.ndarray) -> float:
        """The value at one point ``x`` (shape ``(d,)``); ``inf`` where not finite."""
        v = float(self(np.asarray(x, dtype=float).reshape(self.dims, 1))[0])
        return v if np.isfinite(v) else float("inf")
