r"""Objectives in column form, with every evaluation counted.

:func:`qdq.minimize.minimize` evaluates the objective in three ways: on a stage's grid
(``N`` points at once), at single points (the local polish) and on baseline samples. This
module turns what the user passed — a callable, an expression string of the safe grammar
(:mod:`qdq.expression`, parsed, never executed) or a
:class:`~qdq.minimize.qp.QuadraticProgram` — into one *column* function
``F(X) -> values`` with ``X`` of shape ``(d, M)`` (one point per column), and counts every
point it is called on (:attr:`Objective.nfev`).

Two calling conventions for a callable (:data:`CONVENTIONS`):

* ``"coords"``: qdq's vectorized ``f(*coords)`` — ``d`` arrays in, their elementwise
  values out (``f(x, y)`` is called as ``f(X[0], X[1])``);
* ``"scipy"``: :func:`scipy.optimize.minimize`'s ``f(x)`` with ``x`` of shape ``(d,)``;
  when ``f`` also accepts ``x`` of shape ``(d, M)`` and returns ``(M,)`` values (as
  ``scipy.optimize.differential_evolution(vectorized=True)`` asks) it is called on whole
  grids, else point by point.
* ``"auto"`` (default) decides with the signature, then a probe (:func:`detect`).

Every value must be real: a complex value with a non-zero imaginary part is refused
(:class:`~qdq.errors.ProblemError` naming the point); non-finite values are allowed and
act as walls (:meth:`Objective.point` maps them to ``+inf``).

May import numpy, sympy, :mod:`qdq.problem` (the parser) and :mod:`qdq.errors`.

Example:
    >>> import numpy as np
    >>> F = Objective.from_user("x**2 + y", 2)
    >>> F(np.array([[1.0, 2.0], [0.5, 0.0]])).tolist(), F.nfev
    ([1.5, 4.0], 2)
    >>> F.point(np.array([3.0, 1.0])), F.nfev
    (10.0, 3)
    >>> G = Objective.from_user(lambda v: (v[0] - 1)**2 + v[1], 2, box=[(-1, 1), (-1, 1)])
    >>> G.convention, G(np.array([[1.0, 2.0], [0.5, 0.0]])).tolist()
    ('scipy', [0.5, 1.0])
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence

import numpy as np

from qdq.errors import ParameterError, ProblemError

__all__ = ["CONVENTIONS", "Objective", "check_real", "detect"]

#: The calling conventions a callable objective may follow.
CONVENTIONS = ("auto", "coords", "scipy")


def check_real(out, X: np.ndarray, label: str) -> np.ndarray:
    """``out`` as a real array; a non-zero imaginary part is refused, naming the point.

    Raises:
        ProblemError: ``out`` is complex with a non-zero imaginary part somewhere.

    Example:
        >>> check_real(np.array([1 + 0j]), np.zeros((1, 1)), "f").tolist()
        [1.0]
    """
    out = np.asarray(out)
    if np.iscomplexobj(out):
        bad = np.flatnonzero((out.imag != 0).ravel())  # NaN imaginary parts count too
        if bad.size:
            i = int(bad[0])
            X = np.asarray(X)
            col = i % X.shape[1]  # (M,) values or (k, M) constraint rows
            raise ProblemError(f"{label} is complex at x = {X[:, col].tolist()}: got "
                               f"{complex(out.ravel()[i])!r}; an objective must be real "
                               "(take abs() or the real part explicitly, or restrict the box "
                               "to the real domain)")
        out = out.real
    return out


def _arity(fun) -> tuple[int, float] | None:
    """(required positional parameters, most positional parameters) or ``None``."""
    try:
        sig = inspect.signature(fun)
    except (TypeError, ValueError):
        return None
    lo, hi = 0, 0.0
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            hi += 1
            lo += p.default is p.empty
        elif p.kind is p.VAR_POSITIONAL:
            hi = float("inf")
    return lo, hi


def _try(call):
    try:
        with np.errstate(all="ignore"):
            return np.asarray(call()), None
    except Exception as exc:  # noqa: BLE001 - a failure means "not this convention"
        return None, f"{type(exc).__name__}: {exc}"


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if np.iscomplexobj(a) or np.iscomplexobj(b):
        return a.shape == b.shape and bool(np.allclose(a, b, equal_nan=True))
    return a.shape == b.shape and bool(np.allclose(a.astype(float), b.astype(float),
                                                   rtol=1e-10, atol=1e-12, equal_nan=True))


def detect(fun: Callable, dims: int, probe: np.ndarray) -> tuple[str, bool]:
    """Decide a callable's convention; returns ``(convention, scipy_vectorized)``.

    Rule: (1) the signature — ``d ≥ 2`` required positional parameters (or ``*args``
    only) means ``"coords"``, exactly one means ``"scipy"``; (2) where it cannot decide
    (``d = 1``, defaults, no signature) a probe at the columns of ``probe`` (``(d, 3)``
    points inside the box): ``"coords"`` is consistent when ``f(*X)`` returns the same
    ``M`` values as ``f(*X[:, i])`` point by point, ``"scipy"`` when ``f(X[:, i])``
    returns one value per point. Both consistent and equal: ``"coords"`` (the same
    function). Both consistent but different, or neither: refused.

    Raises:
        ProblemError: Ambiguous or neither convention works (pass ``convention=``).
    """
    m = probe.shape[1]
    sig = _arity(fun)
    by_sig = None
    if sig is not None and dims >= 2:
        lo, hi = sig
        coords_ok, scipy_ok = lo <= dims <= hi, lo <= 1 <= hi
        if coords_ok and not scipy_ok:
            by_sig = "coords"
        elif scipy_ok and not coords_ok:
            by_sig = "scipy"
        elif not (coords_ok or scipy_ok):
            raise ProblemError(f"the objective takes {lo} required positional arguments; "
                               f"give f(*coords) with {dims} or scipy's f(x) with 1")
    s_pts = [_try(lambda i=i: fun(probe[:, i].copy())) for i in range(m)]
    s_vals = [v for v, _ in s_pts]
    scipy_ok = all(v is not None and v.size == 1 for v in s_vals)
    if by_sig != "coords" and scipy_ok:
        s_arr = np.array([v.ravel()[0] for v in s_vals])
        vec, _ = _try(lambda: fun(probe.copy()))
        vectorized = vec is not None and vec.size == m and _same(vec.ravel(), s_arr)
    else:
        vectorized = False
    if by_sig is not None:
        if by_sig == "scipy" and not scipy_ok:
            err = next((e for v, e in s_pts if e), "it did not return one value per point")
            raise ProblemError(f"the objective takes one argument, so it is called as "
                               f"scipy's f(x) with x of shape ({dims},); that failed: {err}")
        return by_sig, vectorized
    c_vec, c_err = _try(lambda: fun(*probe.copy()))
    c_pts = [_try(lambda i=i: fun(*probe[:, i].copy()))[0] for i in range(m)]
    coords_ok = (c_vec is not None and c_vec.size in (1, m)
                 and all(v is not None and v.size == 1 for v in c_pts)
                 and _same(np.broadcast_to(c_vec.ravel(), (m,)),
                           np.array([v.ravel()[0] for v in c_pts])))
    if coords_ok and scipy_ok:
        s_arr = np.array([v.ravel()[0] for v in s_vals])
        if _same(np.broadcast_to(c_vec.ravel(), (m,)), s_arr):
            return "coords", False
        raise ProblemError("the objective is ambiguous: called as f(*coords) and as scipy's "
                           "f(x) it gives different values at the same points; pass "
                           "convention='coords' or convention='scipy'")
    if coords_ok:
        return "coords", False
    if scipy_ok:
        return "scipy", vectorized
    err = next((e for v, e in s_pts if e), None) or c_err or "no single value per point"
    raise ProblemError(f"the objective works neither as a vectorized f(*coords) nor as "
                       f"scipy's f(x) on {dims} variables ({err}); pass convention= to say which")


class Objective:
    """A column-form objective ``F(X)``, ``X`` of shape ``(d, M)``, counting evaluations.

    Args:
        func: Column function: ``(d, M)`` array in, ``(M,)`` values out.
        dims: Number of variables ``d``.
        label: Name used in error messages.
        convention: How a user callable is called (``"coords"``/``"scipy"``), for reports.

    Attributes:
        nfev: Points evaluated so far (a grid of ``N`` points counts ``N``).
    """

    def __init__(self, func: Callable[[np.ndarray], np.ndarray], dims: int, label: str,
                 convention: str = "coords"):
        self._func = func
        self.dims = int(dims)
        self.label = label
        self.convention = convention
        self.nfev = 0

    @classmethod
    def from_user(cls, fun, dims: int, *, convention: str = "auto",
                  box: Sequence[Sequence[float]] | None = None) -> Objective:
        """Wrap a callable (either convention), a string, or a quadratic program.

        ``box`` places the convention probe (3 points inside it; they count in ``nfev``).

        Raises:
            ProblemError: A string outside the grammar or with a complex constant or pole;
                a callable neither convention fits, or an ambiguous one.
            ParameterError: An unknown ``convention``.
        """
        if convention not in CONVENTIONS:
            raise ParameterError(f"convention must be one of {', '.join(CONVENTIONS)}, "
                                 f"got {convention!r}")
        if hasattr(fun, "column_objective"):
            return cls(fun.column_objective, dims, getattr(fun, "name", "qp"))
        if isinstance(fun, str):
            return cls(compile_text(fun, dims), dims, repr(fun))
        if not callable(fun):
            raise ProblemError(f"fun must be a callable (vectorized f(*coords) or scipy's "
                               f"f(x)), an objective string or a QuadraticProgram, got "
                               f"{type(fun).__name__}")
        label = getattr(fun, "__name__", "objective")
        box = box if box is not None else [(-1.0, 1.0)] * dims
        lo = np.array([b[0] for b in box], dtype=float)
        hi = np.array([b[1] for b in box], dtype=float)
        probe = lo[:, None] + (hi - lo)[:, None] * (
            np.array([[0.31, 0.57, 0.83]]) + 0.07 * np.arange(dims)[:, None])
        nprobe = 0
        vectorized = False
        if convention == "auto":
            convention, vectorized = detect(fun, dims, probe)
            nprobe = 9  # the probe's point evaluations, counted
        elif convention == "scipy":
            vec, _ = _try(lambda: fun(probe.copy()))
            pts = [_try(lambda i=i: fun(probe[:, i].copy()))[0] for i in range(3)]
            vectorized = (vec is not None and vec.size == 3
                          and all(p is not None and p.size == 1 for p in pts)
                          and _same(vec.ravel(), np.array([p.ravel()[0] for p in pts])))
            nprobe = 6
        if convention == "coords":
            obj = cls(lambda X: fun(*X), dims, label, "coords")
        elif vectorized:
            obj = cls(lambda X: np.asarray(fun(X)).reshape(-1), dims, label, "scipy")
        else:
            def pointwise(X):
                vals = [np.asarray(fun(X[:, i].copy())) for i in range(X.shape[1])]
                for i, v in enumerate(vals):
                    if v.size != 1:
                        raise ProblemError(f"objective {label} (scipy's f(x)) returned shape "
                                           f"{v.shape} at x = {X[:, i].tolist()}; it must "
                                           "return one number")
                return np.array([v.ravel()[0] for v in vals])
            obj = cls(pointwise, dims, label, "scipy")
        obj.nfev = nprobe
        return obj

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """Values at the columns of ``X`` (shape ``(d, M)``); counts ``M`` evaluations.

        Raises:
            ProblemError: The callable failed, returned the wrong shape, or a complex value.
        """
        X = np.asarray(X, dtype=float)
        m = X.shape[1]
        self.nfev += m
        try:
            with np.errstate(all="ignore"):
                out = self._func(X)
        except ProblemError:
            raise
        except Exception as exc:
            raise ProblemError(f"objective {self.label} failed: {type(exc).__name__}: {exc}; "
                               f"it must accept numpy arrays ({self.convention} convention)"
                               ) from exc
        out = check_real(out, X, f"objective {self.label}")
        try:
            return np.broadcast_to(out, (m,)).astype(float)
        except ValueError as exc:
            raise ProblemError(f"objective {self.label} returned shape {out.shape} for {m} "
                               "points; make it elementwise over its coordinate arrays") from exc

    def point(self, x: np.ndarray) -> float:
        """The value at one point ``x`` (shape ``(d,)``); ``inf`` where not finite."""
        v = float(self(np.asarray(x, dtype=float).reshape(self.dims, 1))[0])
        return v if np.isfinite(v) else float("inf")


def compile_text(text: str, dims: int) -> Callable[[np.ndarray], np.ndarray]:
    """A column function for an objective string; complex constants and poles refused.

    Raises:
        ProblemError: Outside the grammar, a complex constant (``sqrt(-1)``) or a pole /
            undefined constant (``x/0``, ``zoo``, ``nan``) in the expression.

    Example:
        >>> compile_text("x*y", 2)(np.array([[2.0], [3.0]])).tolist()
        [6.0]
    """
    import sympy

    from qdq.problem import parse_objective

    expr, symbols = parse_objective(text, dims)
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise ProblemError(f"{text!r} has a pole or an undefined constant (got {expr}); "
                           "write a finite expression")
    if expr.has(sympy.I):
        raise ProblemError(f"{text!r} is complex (got {expr}); write a real expression")
    try:
        compiled = sympy.lambdify(symbols, expr, modules="numpy")
    except Exception as exc:  # noqa: BLE001 - sympy's printer rejects some constants
        raise ProblemError(f"{text!r} cannot be compiled: {type(exc).__name__}: {exc}") from exc
    return lambda X: compiled(*X)
