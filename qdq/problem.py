"""Optimization problems: an objective ζ(x) discretized on a qubit grid.

The objective is either a vectorized callable ``f(*coords)`` (coords broadcastable
numpy arrays, one per dimension) or an expression string in the safe grammar of
:mod:`qdq.expression` in ``x, y, z`` (up to three dimensions) or ``x0, x1, …``; the
string is parsed, never evaluated as Python. A string keeps its algebraic structure: its
additive terms are grouped by the dimensions they touch, so the circuit builder can
give each group a phase oracle on only its own registers.

Example:
    >>> p = Problem("x**2 + 0.5*y", bounds=[(-1, 1), (0, 2)], qubits=[2, 1])
    >>> p.grid.shape
    (4, 2)
    >>> float(p.values[3, 1])            # x = 0.5, y = 1
    0.75
    >>> [t.dims for t in p.terms]
    [(0,), (1,)]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from qdq.errors import ProblemError, ResourceError
from qdq.grid import MAX_QUBITS, Grid, check_memory

_XYZ = ("x", "y", "z")
#: Most additive terms :attr:`Problem.terms` expands an objective into.
_MAX_EXPANDED_TERMS = 500


@dataclass(frozen=True)
class Term:
    """A group of additive objective terms that touch the same dimensions.

    Attributes:
        dims: Dimensions the group depends on (empty for a constant).
        values: The group evaluated on the sub-grid of ``dims`` (shape ``(N_d for d in dims)``).
        expression: The group as a string, or ``None`` for an opaque callable.
    """

    dims: tuple[int, ...]
    values: np.ndarray
    expression: str | None = None


def global_min_mask(values: np.ndarray) -> np.ndarray:
    """Mask of the grid-argmin cell(s): values within ``1e-12·max(1, max|ζ|)`` of the minimum.

    Example:
        >>> global_min_mask(np.array([1.0, 0.0, 0.0, 2.0])).tolist()
        [False, True, True, False]
    """
    values = np.asarray(values)
    tol = 1e-12 * max(1.0, float(np.abs(values).max()))
    return values <= values.min() + tol


def is_search_problem(obj) -> bool:
    """A grid :class:`Problem` or a binary problem: what a Hamiltonian and a spec accept.

    Example:
        >>> is_search_problem(Problem("x**2", bounds=[(-1, 1)], qubits=2)), is_search_problem(3)
        (True, False)
    """
    return isinstance(obj, Problem) or bool(getattr(obj, "is_binary", False))


def variable_names(dims: int) -> tuple[str, ...]:
    """Variable names a string objective may use in ``dims`` dimensions (besides x0…).

    Example:
        >>> variable_names(2), variable_names(4)
        (('x', 'y'), ('x0', 'x1', 'x2', 'x3'))
    """
    if dims <= 3:
        return _XYZ[:dims]
    return tuple(f"x{i}" for i in range(dims))


def parse_objective(text: str, dims: int):
    """Parse a string objective into a sympy expression and its symbols.

    The text is parsed by :func:`qdq.expression.parse_expression` (a whitelisted grammar
    checked on Python's syntax tree; nothing in it is executed). ``x, y, z`` name
    dimensions 0-2 (when ``dims <= 3``); ``x0, x1, …`` always work; ``^`` is accepted for
    powers.

    Returns:
        ``(expr, symbols)`` with ``symbols[d]`` the (real) symbol of dimension ``d``.

    Raises:
        ProblemError: On a syntax error (with its column), a name that is not a coordinate,
            a constant or a function of the grammar (with a close match when there is
            one), or anything else outside the grammar of :mod:`qdq.expression`.

    Example:
        >>> expr, syms = parse_objective("x^2 + cos(y)", 2)
        >>> expr
        x**2 + cos(y)
    """
    import sympy

    from qdq.expression import parse_expression

    symbols = [sympy.Symbol(name, real=True) for name in variable_names(dims)]
    local = {f"x{d}": s for d, s in enumerate(symbols)}
    if dims <= 3:
        local.update({name: symbols[d] for d, name in enumerate(_XYZ[:dims])})
    return parse_expression(text, local, what="objective"), symbols


def _lambdify(expr, symbols) -> Callable:
    import sympy

    try:
        return sympy.lambdify(symbols, expr, modules="numpy")
    except (RecursionError, MemoryError) as exc:
        raise ProblemError(
            f"objective {str(expr)[:60]!r}... is too large to compile "
            f"({type(exc).__name__}); simplify it or pass a Python callable"
        ) from None


def _evaluate(func: Callable, axes: Sequence[np.ndarray], shape: tuple[int, ...], label: str):
    try:
        with np.errstate(all="ignore"):
            out = func(*axes)
    except Exception as exc:
        raise ProblemError(
            f"objective {label} failed on the grid: {type(exc).__name__}: {exc}"
        ) from exc
    out = np.asarray(out)
    if np.iscomplexobj(out):
        bad = np.abs(out.imag) > 1e-12 * (1 + np.abs(out.real))
        if np.any(bad):
            first = tuple(int(i) for i in np.argwhere(np.atleast_1d(bad))[0])
            value = complex(np.atleast_1d(out)[first])
            raise ProblemError(f"objective {label} returned complex values (got {value} at "
                               f"grid index {first}); it must be real")
        out = out.real
    try:
        out = np.broadcast_to(out, shape).astype(float)
    except (OverflowError, TypeError) as exc:  # e.g. a 400-digit integer constant
        raise ProblemError(f"objective {label} has values that are not finite floats "
                           f"({type(exc).__name__}: {exc}); rescale it") from None
    except ValueError as exc:
        raise ProblemError(
            f"objective {label} returned shape {out.shape}, which does not broadcast to the "
            f"grid shape {shape}; make it vectorized: f(*coords) on broadcastable arrays"
        ) from exc
    return np.ascontiguousarray(out)


def _check_finite(values: np.ndarray, points: Sequence[np.ndarray], label: str) -> None:
    """Raise ``ProblemError`` naming how many ``values`` are not finite, and the first."""
    bad = ~np.isfinite(values)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        coords = tuple(float(points[d][i]) for d, i in enumerate(first))
        raise ProblemError(
            f"objective {label} is not finite at {int(bad.sum())} of {bad.size} grid "
            f"points; the first is index {first}, x = {coords} (value "
            f"{values[first]}); shrink the box or regularize the objective"
        )


def expansion_size(expr, limit: int = 10**9) -> int:
    """Upper bound on the number of terms of ``sympy.expand(expr)`` (capped at ``limit + 1``).

    Sums add their terms' counts, products multiply them, and a sum of ``k`` terms to a
    positive integer power ``n`` has at most ``C(n + k - 1, k - 1)`` terms; anything else
    counts as one term.

    Example:
        >>> import sympy
        >>> x, y = sympy.symbols("x y")
        >>> expansion_size((x + y + 1)**2 * (x - 1)), len(sympy.expand((x + y + 1)**2).args)
        (12, 6)
    """
    import sympy

    def size(e) -> int:
        if isinstance(e, sympy.Add):
            return min(limit + 1, sum(size(a) for a in e.args))
        if isinstance(e, sympy.Mul):
            total = 1
            for a in e.args:
                total = min(limit + 1, total * size(a))
            return total
        if isinstance(e, sympy.Pow) and e.exp.is_Integer and e.exp > 1:
            k = size(e.base)
            if k <= 1:
                return 1
            n = int(e.exp)
            total = 1
            # C(n + k - 1, k - 1) built up term by term, stopping once past the limit.
            for i in range(1, min(n, k - 1) + 1):
                total = total * (n + k - 1 - min(n, k - 1) + i) // i
                if total > limit:
                    return limit + 1
            return total
        return 1

    return size(expr)


class Problem:
    """An objective on a box, discretized on ``2**n`` points per dimension.

    Args:
        objective: Vectorized callable ``f(*coords)``, an expression string in the safe
            grammar of :mod:`qdq.expression` (parsed, never executed), or an
            object with an ``expression`` string attribute (e.g. a benchmark function,
            whose ``bounds``/``minimizer``/``minimum`` are used as defaults).
        bounds: ``(low, high)`` per dimension.
        qubits: Qubits per dimension (int or list).
        name: Label used in reports.
        minimizer: Known global minimizer (continuous), if any; must lie in the box.
        minimum: Known global minimum value, if any.

    A string objective whose full grid would not fit in memory (10 dimensions × 8 qubits
    = 2⁸⁰ points) is still a valid problem when each additive term group fits: its groups
    are evaluated on their own sub-grids (:attr:`terms`), which is all that circuit
    construction and resource estimates need; :attr:`values` (and the engines that need
    the full state) then raise :class:`~qdq.errors.ResourceError`.

    Raises:
        ProblemError: Bad bounds / qubits, an unparsable or failing objective, a
            wrong-shaped result, non-finite values (how many and the first), or a
            minimizer outside the box.
        ResourceError: If the grid would not fit in memory (a string objective: if one
            of its term groups would not).
    """

    def __init__(
        self,
        objective: Callable | str,
        bounds: Sequence[Sequence[float]] | None = None,
        qubits: int | Sequence[int] = 6,
        *,
        name: str | None = None,
        minimizer: Sequence[float] | None = None,
        minimum: float | None = None,
    ):
        source = objective
        expression = getattr(objective, "expression", None)
        if not isinstance(objective, str) and isinstance(expression, str):
            bounds = bounds if bounds is not None else getattr(objective, "bounds", None)
            if minimizer is None:
                minimizer = getattr(objective, "minimizer", None)
            minimum = minimum if minimum is not None else getattr(objective, "minimum", None)
            name = name or getattr(objective, "name", None)
            objective = objective.expression
        if bounds is None:
            raise ProblemError("bounds are required: give one (low, high) pair per dimension")
        if isinstance(qubits, bool) or (isinstance(qubits, Sequence) and any(
                isinstance(q, bool) for q in qubits)):
            raise ProblemError(f"qubits must be an int or a list of ints, got {qubits!r}; "
                               "booleans are not qubit counts")
        dense = True
        try:
            self.grid = Grid(bounds, qubits)
        except ResourceError:
            if not isinstance(objective, str):
                raise
            self.grid, dense = Grid(bounds, qubits, dense=False), False  # see `terms`
        self.name = name or (objective if isinstance(objective, str) else
                             getattr(source, "__name__", "objective"))
        dims = self.grid.dims
        if isinstance(objective, str):
            self.expression, self._symbols = parse_objective(objective, dims)
            self.objective_text: str | None = objective
            self._func = _lambdify(self.expression, self._symbols)
        elif callable(objective):
            self.expression, self._symbols, self.objective_text = None, None, None
            self._func = objective
        else:
            raise ProblemError(
                f"objective must be a callable or a string, got {type(objective).__name__}"
            )
        self._values: np.ndarray | None = None
        if dense:
            values = _evaluate(self._func, self.grid.mesh(), self.grid.shape, repr(self.name))
            values.setflags(write=False)
            _check_finite(values, [self.grid.points[d] for d in range(dims)], repr(self.name))
            self._values = values
        else:
            for term in self.terms:  # evaluated (and checked) group by group
                _check_finite(term.values, [self.grid.points[d] for d in term.dims],
                              f"term {term.expression!r} of {self.name!r}")
        self.minimizer = None if minimizer is None else tuple(float(v) for v in minimizer)
        if self.minimizer is not None:
            if len(self.minimizer) != dims:
                raise ProblemError(
                    f"minimizer has {len(self.minimizer)} coordinates, the problem {dims}"
                )
            for d, (v, (lo, hi)) in enumerate(zip(self.minimizer, self.grid.bounds, strict=True)):
                if not lo <= v <= hi:
                    raise ProblemError(
                        f"minimizer[{d}] = {v:g} lies outside the box [{lo:g}, {hi:g}]; "
                        "fix the minimizer or widen the bounds"
                    )
        self.minimum = None if minimum is None else float(minimum)

    # ------------------------------------------------------------------ evaluation
    def __call__(self, *coords):
        """Evaluate the continuous objective at broadcastable coordinates."""
        return self._func(*coords)

    @property
    def dims(self) -> int:
        """Number of dimensions."""
        return self.grid.dims

    @property
    def values(self) -> np.ndarray:
        """Grid-shaped ζ on every grid point (read-only).

        Raises:
            ResourceError: If the full grid does not fit in memory (only the term groups
                were evaluated; see the class docstring).
        """
        if self._values is None:
            n = self.grid.num_qubits
            raise ResourceError(
                f"the full grid of {self.name!r} has 2^{n} points ({n} qubits, "
                f"qubits={list(self.grid.qubits)}), too many to hold in memory; circuits "
                "(qdq.build_circuit) and resource estimates (qdq.estimate) work per term "
                "group, but this needs the full state — use fewer qubits per dimension"
            )
        return self._values

    @cached_property
    def terms(self) -> tuple[Term, ...]:
        """Additive groups of the objective by the dimensions they touch.

        A string objective ``Σ_i t_i`` is split into groups of terms sharing the same
        set of variables; a callable is one group over every dimension. Constant
        terms form a group with ``dims == ()``. Products and powers of sums are expanded
        first unless that would give more than ``_MAX_EXPANDED_TERMS`` terms (then the
        objective's own additive terms are grouped, unexpanded: fewer, wider groups).
        """
        if self.expression is None:
            return (Term(tuple(range(self.dims)), self.values, None),)
        import sympy


        sym_index = {s: d for d, s in enumerate(self._symbols)}
        groups: dict[tuple[int, ...], list] = {}
        # Expanding (x + y + z + 1)**60 would take minutes and give a sum too long for
        # lambdify to compile; the grouping is an optimization, so skip it there.
        expanded = (sympy.expand(self.expression, deep=False)
                    if expansion_size(self.expression) <= _MAX_EXPANDED_TERMS
                    else self.expression)
        for t in sympy.Add.make_args(expanded):
            dims = tuple(sorted(sym_index[s] for s in t.free_symbols))
            groups.setdefault(dims, []).append(t)
        out = []
        for dims, ts in sorted(groups.items(), key=lambda kv: (len(kv[0]), kv[0])):
            expr = sympy.Add(*ts)
            shape = tuple(self.grid.shape[d] for d in dims)
            width = sum(self.grid.qubits[d] for d in dims)
            if width > MAX_QUBITS:
                raise ResourceError(
                    f"the term group {str(expr)[:60]!r} of {self.name!r} spans {width} "
                    f"qubits (dimensions {list(dims)}); at most {MAX_QUBITS} fit — use fewer "
                    "qubits per dimension or an objective whose terms couple fewer dimensions"
                )
            check_memory(8 * 3 * (1 << width), f"the term group {str(expr)[:60]!r}")
            pts = [self.grid.points[d] for d in dims]
            axes = np.ix_(*pts) if len(pts) > 1 else pts
            vals = _evaluate(_lambdify(expr, [self._symbols[d] for d in dims]),
                             axes, shape, repr(str(expr)))
            out.append(Term(dims, vals, str(expr)))
        return tuple(out)

    # ------------------------------------------------------------------ landmarks
    @cached_property
    def global_min_mask(self) -> np.ndarray:
        """Grid-shaped boolean mask of the grid argmin cell(s) (ties within 1e-12 relative)."""
        return global_min_mask(self.values)

    @property
    def grid_minimum(self) -> float:
        """Smallest objective value on the grid."""
        return float(self.values.min())

    @property
    def grid_argmin(self) -> tuple[float, ...]:
        """Coordinates of (the first) grid argmin."""
        idx = np.unravel_index(int(np.argmin(self.values)), self.grid.shape)
        return tuple(float(self.grid.points[d][i]) for d, i in enumerate(idx))

    @property
    def kinetic_term(self):
        """The grid's kinetic term, ``−∇²`` (:class:`~qdq.kinetic.FourierLaplacian`)."""
        from qdq.kinetic import FourierLaplacian

        return FourierLaplacian(self.grid)

    def to_dict(self) -> dict:
        """JSON-safe description (the objective as text when it has one)."""
        return {
            "name": self.name,
            "objective": self.objective_text,
            **self.grid.to_dict(),
            "minimizer": None if self.minimizer is None else list(self.minimizer),
            "minimum": self.minimum,
        }

    def __repr__(self) -> str:
        obj = self.objective_text if self.objective_text is not None else "<callable>"
        return (f"Problem({obj!r}, bounds={[list(b) for b in self.grid.bounds]}, "
                f"qubits={list(self.grid.qubits)})")


_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def slug(text: str) -> str:
    """File-name-safe version of a label.

    Example:
        >>> slug("0.3*x**4 - x**2")
        '0.3_x_4_-_x_2'
    """
    return _SAFE_NAME.sub("_", text).strip("_")[:80] or "problem"
