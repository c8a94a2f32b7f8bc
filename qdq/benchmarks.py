"""Registry of standard optimization test functions with known global minima.

Every entry is a :class:`BenchmarkFunction`: an expression string (in the safe grammar of
:mod:`qdq.expression`, parsed without ``eval``), a square box, a known global minimizer and
its value, and -- for the rows of the QHD table in ``docs/benchmarks.md`` (Leng, Hickman, Li,
Wu 2023, arXiv:2303.01471) -- the success radius and the published QHD256 success
probability. Instances are built by :func:`get`; the valid names are :func:`names`, and
:data:`QHD_TABLE` lists the 14 table rows in table order.

Variables are named ``x, y, z`` when ``dims <= 3`` and ``x0, x1, ...`` otherwise. Calling an
instance evaluates it vectorized with numpy (the expression is lambdified once and cached).

QHD rescaling (:meth:`BenchmarkFunction.rescaled`) maps the box ``[a, b]^d`` (``L = b - a``)
to the unit box with ``V(u) = (f(a + L u) - f*) / L``: the minimum becomes 0, the minimizer
``(x* - a) / L`` and the success radius ``r / L``.

Registered functions (``any`` = defined for every ``dims >= 1``):

- ``ackley`` (any): Ackley, ``-20 exp(-0.2 rms(x)) - exp(mean cos 2 pi x) + 20 + e``.
- ``ackley2`` (any): exponential cone ``-200 exp(-0.2 |x|)``, minimum -200.
- ``alpine1`` (any): Alpine N.1, ``sum |x_i sin x_i + 0.1 x_i|``.
- ``bohachevsky2`` (2-D): Bohachevsky N.2.
- ``camel3`` (2-D): three-hump camel.
- ``defl_corr_spring`` (any): deflected corrugated spring centred at (5, ..., 5), min -1.
- ``easom`` (2-D): Easom centred at the origin, minimum -1.
- ``levy`` (any): Levy with ``w = 1 + (v - 1) / 4``.
- ``levy13`` (2-D): Levy N.13 scaled by 0.05.
- ``rastrigin`` (any): Rastrigin, ``10 d + sum(x_i^2 - 10 cos 2 pi x_i)``.
- ``rosenbrock`` (any, ``dims >= 2``): chain ``sum (x_{i+1} - x_i^2)^2 + 0.01 (1 - x_i)^2``.
- ``styblinski_tang`` (any): ``sum(x_i^4 - 16 x_i^2 + 5 x_i) / 156``.
- ``sumofsquares`` (any): ``sum i x_i^2``.
- ``xinsheyang3`` (any): Xin-She Yang N.3 (beta = 15, m = 3), minimum -1.
- ``double_well`` (1-D): asymmetric quartic ``0.3 x^4 - x^2 + 0.2 x``.
- ``symmetric_double_well`` (1-D): ``(x^2 - 1)^2``, minimizers +-1 (``+1`` is listed).
- ``harmonic`` (any, default 1-D): ``sum x_i^2``.

Example:
    >>> import numpy as np
    >>> from qdq.benchmarks import get, QHD_TABLE
    >>> f = get("rastrigin")
    >>> f.bounds, f.minimizer, f.minimum, f.radius, f.qhd_success
    (((-5.12, 5.12), (-5.12, 5.12)), (0.0, 0.0), 0.0, 1.5, 0.999)
    >>> float(f(1.0, 0.0))
    1.0
    >>> f(np.array([0.0, 1.0]), 0.0)
    array([0., 1.])
    >>> v = f.rescaled()          # QHD protocol: V(u) = (f(a + L u) - f*) / L on [0, 1]^2
    >>> v.bounds, v.minimizer, v.minimum, v.radius
    (((0.0, 1.0), (0.0, 1.0)), (0.5, 0.5), 0.0, 0.146484375)
    >>> abs(float(v(0.75, 0.5)) - float(f(2.56, 0.0)) / 10.24) < 1e-12
    True
    >>> len(QHD_TABLE), get("levy", dims=5).variables
    (14, ('x0', 'x1', 'x2', 'x3', 'x4'))

"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qdq.errors import ProblemError

__all__ = [
    "QHD_TABLE",
    "BenchmarkFunction",
    "get",
    "names",
    "variable_names",
]

#: The 14 rows of the QHD two-dimensional table of ``docs/benchmarks.md``, in table order.
QHD_TABLE: tuple[str, ...] = (
    "ackley",
    "ackley2",
    "alpine1",
    "bohachevsky2",
    "camel3",
    "defl_corr_spring",
    "easom",
    "levy",
    "levy13",
    "rastrigin",
    "rosenbrock",
    "styblinski_tang",
    "sumofsquares",
    "xinsheyang3",
)


def variable_names(dims: int) -> tuple[str, ...]:
    """Return the variable names used by the expressions of a ``dims``-dimensional instance.

    Args:
        dims: Number of dimensions (>= 1).

    Returns:
        ``("x", "y", "z")[:dims]`` when ``dims <= 3``, else ``("x0", ..., f"x{dims-1}")``.

    Example:
        >>> variable_names(2), variable_names(4)
        (('x', 'y'), ('x0', 'x1', 'x2', 'x3'))

    """
    if dims <= 3:
        return ("x", "y", "z")[:dims]
    return tuple(f"x{i}" for i in range(dims))


@functools.lru_cache(maxsize=512)
def _lambdified(expression: str, variables: tuple[str, ...]) -> Callable[..., object]:
    """Lambdify ``expression`` over ``variables`` for numpy (cached per expression)."""
    import sympy as sp

    from qdq.expression import parse_expression

    symbols = [sp.Symbol(n) for n in variables]
    expr = parse_expression(expression, dict(zip(variables, symbols, strict=True)),
                            what="benchmark expression")
    return sp.lambdify(symbols, expr, modules="numpy")


@dataclass(frozen=True)
class BenchmarkFunction:
    """A test function with a known global minimum on a square box.

    Attributes:
        name: Registry name, e.g. ``"rastrigin"``.
        dims: Dimension of this instance.
        expression: Expression in :attr:`variables` (grammar of :mod:`qdq.expression`).
        bounds: Per-dimension box ``(low, high)`` (the same for every dimension).
        minimizer: A known global minimizer inside the box.
        minimum: ``f(minimizer)``, the global minimum value.
        radius: Per-function radius of the QHD table (``docs/benchmarks.md``; ``None``
            if not listed).
        qhd_success: Published QHD256 success probability (2-D table rows only).

    """

    name: str
    dims: int
    expression: str
    bounds: tuple[tuple[float, float], ...]
    minimizer: tuple[float, ...]
    minimum: float
    radius: float | None = None
    qhd_success: float | None = None

    def __post_init__(self) -> None:
        """Check that bounds and minimizer match ``dims`` and the minimizer is in the box."""
        if len(self.bounds) != self.dims or len(self.minimizer) != self.dims:
            raise ProblemError(
                f"{self.name}: bounds and minimizer must have dims={self.dims} entries, got "
                f"{len(self.bounds)} and {len(self.minimizer)}"
            )
        for (low, high), m in zip(self.bounds, self.minimizer, strict=True):
            if not low < high or not low <= m <= high:
                raise ProblemError(
                    f"{self.name}: minimizer coordinate {m} outside box ({low}, {high})"
                )

    @property
    def variables(self) -> tuple[str, ...]:
        """Variable names of :attr:`expression`, in argument order."""
        return variable_names(self.dims)

    def sympy(self):
        """Return the expression as a sympy object (variables from :attr:`variables`).

        Returns:
            The parsed ``sympy.Expr``.

        """
        import sympy as sp

        from qdq.expression import parse_expression

        symbols = [sp.Symbol(n) for n in self.variables]
        return parse_expression(self.expression,
                                dict(zip(self.variables, symbols, strict=True)),
                                what="benchmark expression")

    def __call__(self, *coords) -> np.ndarray:
        """Evaluate ``f(*coords)`` on broadcastable arrays, one per dimension.

        Args:
            *coords: ``dims`` scalars or arrays (broadcast against each other).

        Returns:
            Float array of the broadcast shape (0-d for scalar inputs).

        Raises:
            ProblemError: If the number of coordinates is not ``dims``.

        """
        if len(coords) != self.dims:
            raise ProblemError(
                f"{self.name} takes {self.dims} coordinate(s) {self.variables}, "
                f"got {len(coords)}; pass one array per dimension"
            )
        arrays = [np.asarray(c, dtype=float) for c in coords]
        value = _lambdified(self.expression, self.variables)(*arrays)
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
        value = np.asarray(value, dtype=float)
        if value.shape != shape:
            value = np.array(np.broadcast_to(value, shape))
        return value

    def rescaled(self) -> BenchmarkFunction:
        """Return the QHD rescaling ``V(u) = (f(a + L u) - f*) / L`` on the unit box.

        The new expression is the exact sympy substitution, written in the same variable
        names; its minimum is 0 at ``(x* - a) / L`` and its radius is ``r / L``.

        Returns:
            A new :class:`BenchmarkFunction` with bounds ``((0, 1),) * dims``.

        Raises:
            ProblemError: If the box is not the same interval in every dimension.

        """
        import sympy as sp

        if len(set(self.bounds)) != 1:
            raise ProblemError(
                f"{self.name}: QHD rescaling needs a square box, got bounds {self.bounds}"
            )
        low, high = self.bounds[0]
        length = high - low
        a_exact = sp.Rational(repr(float(low)))
        l_exact = sp.Rational(repr(float(high))) - a_exact
        if float(self.minimum).is_integer():
            m_exact = sp.Integer(int(self.minimum))
        else:
            m_exact = sp.Float(repr(float(self.minimum)))
        symbols = [sp.Symbol(n) for n in self.variables]
        expr = self.sympy().xreplace({s: a_exact + l_exact * s for s in symbols})
        new_expr = (expr - m_exact) / l_exact
        return BenchmarkFunction(
            name=self.name,
            dims=self.dims,
            expression=str(new_expr),
            bounds=((0.0, 1.0),) * self.dims,
            minimizer=tuple((m - low) / length for m in self.minimizer),
            minimum=0.0,
            radius=None if self.radius is None else self.radius / length,
            qhd_success=self.qhd_success,
        )


# --------------------------------------------------------------------------- builders
# Each builder takes the variable names and returns the expression string.


def _join(terms) -> str:
    return " + ".join(terms)


def _sumsq(v: tuple[str, ...]) -> str:
    return _join(f"{x}**2" for x in v)


def _ackley(v: tuple[str, ...]) -> str:
    """Ackley: -20 exp(-0.2 sqrt(mean x^2)) - exp(mean cos 2 pi x) + 20 + e."""
    d = len(v)
    cos = _join(f"cos(2*pi*{x})" for x in v)
    return f"-20*exp(-sqrt(({_sumsq(v)})/{d})/5) - exp(({cos})/{d}) + 20 + E"


def _ackley2(v: tuple[str, ...]) -> str:
    """Ackley N.2: -200 exp(-0.2 |x|)."""
    return f"-200*exp(-sqrt({_sumsq(v)})/5)"


def _alpine1(v: tuple[str, ...]) -> str:
    """Alpine N.1: sum |x sin x + 0.1 x|."""
    return _join(f"Abs({x}*sin({x}) + {x}/10)" for x in v)


def _bohachevsky2(v: tuple[str, ...]) -> str:
    """Bohachevsky N.2: x^2 + 2y^2 - 0.3 cos(3 pi x) cos(4 pi y) + 0.3."""
    x, y = v
    return f"{x}**2 + 2*{y}**2 - 3*cos(3*pi*{x})*cos(4*pi*{y})/10 + 3/10"


def _camel3(v: tuple[str, ...]) -> str:
    """Three-hump camel: 2x^2 - 1.05x^4 + x^6/6 + xy + y^2."""
    x, y = v
    return f"2*{x}**2 - 21*{x}**4/20 + {x}**6/6 + {x}*{y} + {y}**2"


def _defl_corr_spring(v: tuple[str, ...]) -> str:
    """Deflected corrugated spring: 0.1 r^2 - cos(5 r), r = |x - 5|."""
    r2 = _join(f"({x} - 5)**2" for x in v)
    return f"({r2})/10 - cos(5*sqrt({r2}))"


def _easom(v: tuple[str, ...]) -> str:
    """Easom centred at the origin: -cos x cos y exp(-x^2 - y^2)."""
    x, y = v
    return f"-cos({x})*cos({y})*exp(-{x}**2 - {y}**2)"


def _levy(v: tuple[str, ...]) -> str:
    """Levy, general d, with w_i = 1 + (x_i - 1)/4."""
    w = [f"(1 + ({x} - 1)/4)" for x in v]
    terms = [f"sin(pi*{w[0]})**2"]
    terms += [f"({wi} - 1)**2*(1 + 10*sin(pi*{wi} + 1)**2)" for wi in w[:-1]]
    terms.append(f"({w[-1]} - 1)**2*(1 + sin(2*pi*{w[-1]})**2)")
    return _join(terms)


def _levy13(v: tuple[str, ...]) -> str:
    """Levy N.13 scaled by 0.05."""
    x, y = v
    return (
        f"(sin(3*pi*{x})**2 + ({x} - 1)**2*(1 + sin(3*pi*{y})**2)"
        f" + ({y} - 1)**2*(1 + sin(2*pi*{y})**2))/20"
    )


def _rastrigin(v: tuple[str, ...]) -> str:
    """Rastrigin: 10 d + sum(x^2 - 10 cos 2 pi x)."""
    return f"{10 * len(v)} + " + _join(f"{x}**2 - 10*cos(2*pi*{x})" for x in v)


def _rosenbrock(v: tuple[str, ...]) -> str:
    """Scaled Rosenbrock chain: sum (x_{i+1} - x_i^2)^2 + 0.01 (1 - x_i)^2."""
    return _join(
        f"({b} - {a}**2)**2 + (1 - {a})**2/100" for a, b in zip(v[:-1], v[1:], strict=False)
    )


def _styblinski_tang(v: tuple[str, ...]) -> str:
    """Styblinski-Tang scaled by 1/156: sum(x^4 - 16x^2 + 5x)/156."""
    return "(" + _join(f"{x}**4 - 16*{x}**2 + 5*{x}" for x in v) + ")/156"


def _sumofsquares(v: tuple[str, ...]) -> str:
    """Weighted sum of squares: sum i x_i^2."""
    return _join(f"{x}**2" if i == 1 else f"{i}*{x}**2" for i, x in enumerate(v, start=1))


def _xinsheyang3(v: tuple[str, ...]) -> str:
    """Xin-She Yang N.3: exp(-sum (x/15)^6) - 2 exp(-sum x^2) prod cos^2 x."""
    six = _join(f"({x}/15)**6" for x in v)
    cos2 = "*".join(f"cos({x})**2" for x in v)
    return f"exp(-({six})) - 2*exp(-({_sumsq(v)}))*{cos2}"


def _double_well(v: tuple[str, ...]) -> str:
    """Asymmetric quartic double well: 0.3 x^4 - x^2 + 0.2 x (deeper well at x < 0)."""
    (x,) = v
    return f"3*{x}**4/10 - {x}**2 + {x}/5"


def _symmetric_double_well(v: tuple[str, ...]) -> str:
    """Symmetric double well: (x^2 - 1)^2."""
    (x,) = v
    return f"({x}**2 - 1)**2"


def _harmonic(v: tuple[str, ...]) -> str:
    """Harmonic bowl: sum x_i^2."""
    return _sumsq(v)


# ------------------------------------------------------------------- exact minimizers


@functools.lru_cache(maxsize=1)
def _styblinski_root() -> tuple[float, float]:
    """Minimizer and value of the 1-D part ``g(x) = x^4 - 16x^2 + 5x`` (root of g')."""
    from scipy.optimize import brentq

    xs = brentq(lambda t: 4 * t**3 - 32 * t + 5, -3.0, -2.8, xtol=1e-15, rtol=8.9e-16)
    xs -= (4 * xs**3 - 32 * xs + 5) / (12 * xs**2 - 32)  # one Newton polish step
    # g is flat at xs, so g(xs) is accurate to rounding.
    return float(xs), float(xs**4 - 16 * xs**2 + 5 * xs)


@functools.lru_cache(maxsize=1)
def _double_well_min() -> tuple[float, float]:
    """Exact global minimizer of ``0.3x^4 - x^2 + 0.2x`` from the roots of ``6x^3 - 10x + 1``."""
    import sympy as sp

    x = sp.Symbol("x")
    f = sp.Rational(3, 10) * x**4 - x**2 + x / 5
    roots = sp.Poly(sp.diff(f, x) * 5, x).real_roots()
    best = min(roots, key=lambda r: f.subs(x, r).evalf(40))
    return float(best.evalf(40)), float(f.subs(x, best).evalf(40))


# ------------------------------------------------------------------------ the registry


@dataclass(frozen=True)
class _Spec:
    builder: Callable[[tuple[str, ...]], str]
    box: tuple[float, float]
    minimizer: Callable[[int], tuple[float, float]]  # dims -> (coordinate, minimum value)
    radius: float | None = None
    qhd_success: float | None = None
    fixed_dims: int | None = None  # None: any dims >= min_dims
    min_dims: int = 1
    default_dims: int = 2


def _const(coord: float, value: float) -> Callable[[int], tuple[float, float]]:
    return lambda d: (coord, value)


def _styblinski_min(d: int) -> tuple[float, float]:
    xs, g = _styblinski_root()
    return xs, d * g / 156


_REGISTRY: dict[str, _Spec] = {
    "ackley": _Spec(_ackley, (-32.768, 32.768), _const(0.0, 0.0), 2.0, 0.992),
    "ackley2": _Spec(_ackley2, (-32.0, 32.0), _const(0.0, -200.0), 2.0, 0.999),
    "alpine1": _Spec(_alpine1, (-10.0, 10.0), _const(0.0, 0.0), 2.0, 0.968),
    "bohachevsky2": _Spec(_bohachevsky2, (-5.0, 5.0), _const(0.0, 0.0), 1.0, 0.999, fixed_dims=2),
    "camel3": _Spec(_camel3, (-2.0, 2.0), _const(0.0, 0.0), 0.5, 0.980, fixed_dims=2),
    "defl_corr_spring": _Spec(_defl_corr_spring, (0.0, 10.0), _const(5.0, -1.0), 1.0, 0.0),
    "easom": _Spec(_easom, (-10.0, 10.0), _const(0.0, -1.0), 1.0, 0.188, fixed_dims=2),
    "levy": _Spec(_levy, (-10.0, 10.0), _const(1.0, 0.0), 2.0, 0.999),
    "levy13": _Spec(_levy13, (-10.0, 10.0), _const(1.0, 0.0), 2.0, 0.999, fixed_dims=2),
    "rastrigin": _Spec(_rastrigin, (-5.12, 5.12), _const(0.0, 0.0), 1.5, 0.999),
    "rosenbrock": _Spec(_rosenbrock, (-1.5, 1.5), _const(1.0, 0.0), 0.75, 0.002, min_dims=2),
    "styblinski_tang": _Spec(_styblinski_tang, (-5.0, 5.0), _styblinski_min, 1.0, 0.469),
    "sumofsquares": _Spec(_sumofsquares, (-1.0, 1.0), _const(0.0, 0.0), 0.2, 0.999),
    "xinsheyang3": _Spec(_xinsheyang3, (-20.0, 20.0), _const(0.0, -1.0), 1.0, 0.007),
    "double_well": _Spec(
        _double_well, (-3.0, 3.0), lambda d: _double_well_min(), fixed_dims=1, default_dims=1
    ),
    "symmetric_double_well": _Spec(
        _symmetric_double_well, (-2.0, 2.0), _const(1.0, 0.0), fixed_dims=1, default_dims=1
    ),
    "harmonic": _Spec(_harmonic, (-5.0, 5.0), _const(0.0, 0.0), default_dims=1),
}


def names() -> list[str]:
    """Return the sorted names of all registered benchmark functions.

    Returns:
        List of names accepted by :func:`get`.

    Example:
        >>> "rastrigin" in names() and "double_well" in names()
        True

    """
    return sorted(_REGISTRY)


def get(name: str, dims: int | None = None) -> BenchmarkFunction:
    """Build the benchmark ``name`` in ``dims`` dimensions.

    Args:
        name: A registry name (case-insensitive; ``-`` is read as ``_``).
        dims: Number of dimensions. ``None`` (default) means 2, or 1 for the 1-D
            functions ``double_well``, ``symmetric_double_well`` and ``harmonic``.

    Returns:
        The :class:`BenchmarkFunction` (``qhd_success`` is set only for 2-D table rows).

    Raises:
        ProblemError: If the name is unknown (the message lists valid names and close
            matches) or ``dims`` is invalid for this function.

    Example:
        >>> get("easom").minimum, get("harmonic", dims=3).expression
        (-1.0, 'x**2 + y**2 + z**2')

    """
    if not isinstance(name, str):
        raise ProblemError(f"benchmark name must be a str, got {name!r}")
    key = name.strip().lower().replace("-", "_")
    spec = _REGISTRY.get(key)
    if spec is None:
        close = difflib.get_close_matches(key, names(), n=3, cutoff=0.6)
        hint = f"did you mean {', '.join(map(repr, close))}? " if close else ""
        raise ProblemError(f"unknown benchmark {name!r}; {hint}valid names: {', '.join(names())}")
    if dims is None:
        dims = spec.fixed_dims or spec.default_dims
    if isinstance(dims, bool) or not isinstance(dims, int | np.integer):
        raise ProblemError(f"dims must be an int, got {dims!r}")
    dims = int(dims)
    if spec.fixed_dims is not None and dims != spec.fixed_dims:
        raise ProblemError(f"{key} is defined only for dims={spec.fixed_dims}, got dims={dims}")
    if dims < spec.min_dims:
        raise ProblemError(f"{key} needs dims >= {spec.min_dims}, got dims={dims}")
    return _build(key, dims)


@functools.lru_cache(maxsize=256)
def _build(key: str, dims: int) -> BenchmarkFunction:
    spec = _REGISTRY[key]
    coord, value = spec.minimizer(dims)
    low, high = spec.box
    return BenchmarkFunction(
        name=key,
        dims=dims,
        expression=spec.builder(variable_names(dims)),
        bounds=((float(low), float(high)),) * dims,
        minimizer=(float(coord),) * dims,
        minimum=float(value),
        radius=spec.radius,
        qhd_success=spec.qhd_success if (dims == 2 and key in QHD_TABLE) else None,
    )
