"""Registry of standard optimization test functions with known global minima.

Every entry is a :class:`BenchmarkFunction`: an expression string (in the safe grammar of
:mod:`qdq.expression`, parsed without ``eval``), a square box, a known global minimizer and
its value, and -- for the rows of the QHD table in ``docs/benchmarks.md`` (Leng, Hickman, Li,
Wu 2023, arXiv:2303.01471) -- the per-function radius, the authors' rounded unit-square
minimizer and the published QHD256 success probability. Instances are built by
:func:`get`; the valid names are :func:`names`, and :data:`QHD_TABLE` lists the 14 table
rows in table order.

Variables are named ``x, y, z`` when ``dims <= 3`` and ``x0, x1, ...`` otherwise. Calling an
instance evaluates it vectorized with numpy (the expression is lambdified once and cached).

QHD rescaling (:meth:`BenchmarkFunction.rescaled`) maps the box ``[a, b]^d`` (``L = b - a``)
to the unit box with ``V(u) = (f(a + L u) - f*) / L``: the minimum becomes 0 and the
minimizer ``(x* - a) / L``. Success is then measured as the published column does: within
:data:`QHD_RADIUS` ``= 0.1`` of the unit box, around :attr:`BenchmarkFunction.success_center`
(the authors' rounded minimizer ``u*`` for the 2-D table rows, e.g. ``(0.8333, 0.8333)`` for
rosenbrock; the exact minimizer otherwise).

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
- ``griewank`` (any): ``1 + sum x_i^2/4000 - prod cos(x_i/sqrt(i))`` on ``[-10, 10]^d`` (the
  common ``[-600, 600]`` box makes the basin smaller than a grid cell at 8 qubits).
- ``salomon`` (any): Salomon, ``1 - cos(2 pi |x|) + 0.1 |x|`` on ``[-100, 100]^d``.
- ``xinsheyang4`` (any): Xin-She Yang N.4 on ``[-10, 10]^d``, minimum -1.
- ``drop_wave`` (2-D): Drop-Wave on ``[-5.12, 5.12]^2``, minimum -1.
- ``schaffer2`` (2-D): Schaffer N.2 on ``[-100, 100]^2``.
- ``parabolic_washboard`` (1-D): ``x^2/8 + 2 sin(10x) + 2`` on ``[-6, 6]`` (Seok & Cho's
  code, ``tsp_operation_proc.parabolic_washboard_potential``), minimum ~0.0031 at ~-0.157.
  The four above are from Jamil & Yang 2013 (Int. J. Math. Model. Numer. Optim. 4, 150)
  except Drop-Wave (Surjanovic & Bingham, sfu.ca/~ssurjano/drop.html); Seok & Cho used them.
- ``rotated_rastrigin``, ``rotated_styblinski_tang`` (any): ``f(x* + Q(x - x*))`` with the
  fixed seeded rotation ``Q`` of :func:`qdq.benchmark_formulas.rotation` -- non-separable,
  same box, minimizer and minimum as the unrotated function (its global minimum over all of
  ``R^d`` is unique at ``x*``, so rotating about ``x*`` keeps it there).

Separable functions (rastrigin, styblinski_tang, alpine1, sumofsquares, levy, harmonic) are
``d`` independent 1-D problems; see ``docs/benchmarks.md`` on why their scaling proves
nothing. The others couple the coordinates.

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
    (((0.0, 1.0), (0.0, 1.0)), (0.5, 0.5), 0.0, 0.1)
    >>> r = get("rosenbrock").rescaled()
    >>> r.minimizer, r.success_center        # exact minimizer vs the authors' rounded u*
    ((0.8333333333333334, 0.8333333333333334), (0.8333, 0.8333))
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

from qdq import benchmark_formulas as formulas
from qdq.errors import ProblemError
from qdq.problem import variable_names

__all__ = [
    "QHD_RADIUS",
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


#: Success radius of the published QHD256 column, in the rescaled unit box (strict ``<``).
QHD_RADIUS = 0.1


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
        radius: Success radius: on the original box the per-function radius ``r`` of the
            authors' second mask (``docs/benchmarks.md``); after :meth:`rescaled`
            :data:`QHD_RADIUS`, the radius of the published column. ``None`` if not listed.
        qhd_success: Published QHD256 success probability (2-D table rows only).
        qhd_center: The authors' rounded unit-square minimizer ``u*`` of the published
            column (2-D table rows only, else ``None``).
        success_center: The point success is measured around: the minimizer, except after
            :meth:`rescaled` of a 2-D table row, where it is :attr:`qhd_center`. Defaults to
            the minimizer.

    """

    name: str
    dims: int
    expression: str
    bounds: tuple[tuple[float, float], ...]
    minimizer: tuple[float, ...]
    minimum: float
    radius: float | None = None
    qhd_success: float | None = None
    qhd_center: tuple[float, ...] | None = None
    success_center: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        """Check bounds, minimizer and success center against ``dims`` and the box."""
        if self.success_center is None:
            object.__setattr__(self, "success_center", self.minimizer)
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
        if len(self.success_center) != self.dims or not all(
                low <= c <= high for (low, high), c in
                zip(self.bounds, self.success_center, strict=True)):
            raise ProblemError(
                f"{self.name}: success_center must be a point of the box with dims={self.dims} "
                f"coordinates, got {self.success_center}"
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
        names; its minimum is 0 at ``(x* - a) / L`` (exact). Success follows the published
        QHD column: radius :data:`QHD_RADIUS` (when the function has a radius) around
        :attr:`qhd_center` for the 2-D table rows, else around the rescaled minimizer.

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
            radius=None if self.radius is None else QHD_RADIUS,
            qhd_success=self.qhd_success,
            qhd_center=self.qhd_center,
            success_center=self.qhd_center,
        )


# ------------------------------------------------------------------------ the registry


@dataclass(frozen=True)
class _Entry:
    builder: Callable[[tuple[str, ...]], str]
    box: tuple[float, float]
    minimizer: Callable[[int], tuple[float, float]]  # dims -> (coordinate, minimum value)
    radius: float | None = None
    qhd_success: float | None = None
    fixed_dims: int | None = None  # None: any dims >= min_dims
    min_dims: int = 1
    default_dims: int = 2
    qhd_center: float = 0.5  # the authors' rounded u* coordinate (2-D table rows)


def _const(coord: float, value: float) -> Callable[[int], tuple[float, float]]:
    return lambda d: (coord, value)


def _styblinski_min(d: int) -> tuple[float, float]:
    xs, g = formulas.styblinski_root()
    return xs, d * g / 156


_REGISTRY: dict[str, _Entry] = {
    "ackley": _Entry(formulas.ackley, (-32.768, 32.768), _const(0.0, 0.0), 2.0, 0.992),
    "ackley2": _Entry(formulas.ackley2, (-32.0, 32.0), _const(0.0, -200.0), 2.0, 0.999),
    "alpine1": _Entry(formulas.alpine1, (-10.0, 10.0), _const(0.0, 0.0), 2.0, 0.968),
    "bohachevsky2": _Entry(formulas.bohachevsky2, (-5.0, 5.0), _const(0.0, 0.0), 1.0, 0.999,
                          fixed_dims=2),
    "camel3": _Entry(formulas.camel3, (-2.0, 2.0), _const(0.0, 0.0), 0.5, 0.980, fixed_dims=2),
    "defl_corr_spring": _Entry(formulas.defl_corr_spring, (0.0, 10.0), _const(5.0, -1.0), 1.0, 0.0),
    "easom": _Entry(formulas.easom, (-10.0, 10.0), _const(0.0, -1.0), 1.0, 0.188, fixed_dims=2),
    "levy": _Entry(formulas.levy, (-10.0, 10.0), _const(1.0, 0.0), 2.0, 0.999, qhd_center=0.55),
    "levy13": _Entry(formulas.levy13, (-10.0, 10.0), _const(1.0, 0.0), 2.0, 0.999, fixed_dims=2,
                    qhd_center=0.55),
    "rastrigin": _Entry(formulas.rastrigin, (-5.12, 5.12), _const(0.0, 0.0), 1.5, 0.999),
    "rosenbrock": _Entry(formulas.rosenbrock, (-1.5, 1.5), _const(1.0, 0.0), 0.75, 0.002,
                        min_dims=2, qhd_center=0.8333),
    "styblinski_tang": _Entry(formulas.styblinski_tang, (-5.0, 5.0), _styblinski_min, 1.0, 0.469,
                             qhd_center=0.2097),
    "sumofsquares": _Entry(formulas.sumofsquares, (-1.0, 1.0), _const(0.0, 0.0), 0.2, 0.999),
    "xinsheyang3": _Entry(formulas.xinsheyang3, (-20.0, 20.0), _const(0.0, -1.0), 1.0, 0.007),
    "double_well": _Entry(
        formulas.double_well, (-3.0, 3.0), lambda d: formulas.double_well_min(), fixed_dims=1,
        default_dims=1
    ),
    "symmetric_double_well": _Entry(
        formulas.symmetric_double_well, (-2.0, 2.0), _const(1.0, 0.0), fixed_dims=1, default_dims=1
    ),
    "harmonic": _Entry(formulas.harmonic, (-5.0, 5.0), _const(0.0, 0.0), default_dims=1),
    "griewank": _Entry(formulas.griewank, (-10.0, 10.0), _const(0.0, 0.0)),
    "salomon": _Entry(formulas.salomon, (-100.0, 100.0), _const(0.0, 0.0)),
    "xinsheyang4": _Entry(formulas.xinsheyang4, (-10.0, 10.0), _const(0.0, -1.0)),
    "drop_wave": _Entry(formulas.drop_wave, (-5.12, 5.12), _const(0.0, -1.0), fixed_dims=2),
    "schaffer2": _Entry(formulas.schaffer2, (-100.0, 100.0), _const(0.0, 0.0), fixed_dims=2),
    "parabolic_washboard": _Entry(formulas.parabolic_washboard, (-6.0, 6.0),
                                  lambda d: formulas.parabolic_washboard_min(), fixed_dims=1,
                                  default_dims=1),
    "rotated_rastrigin": _Entry(formulas.rotated_rastrigin, (-5.12, 5.12), _const(0.0, 0.0)),
    "rotated_styblinski_tang": _Entry(formulas.rotated_styblinski_tang, (-5.0, 5.0),
                                     _styblinski_min),
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
            functions ``double_well``, ``symmetric_double_well``, ``harmonic`` and
            ``parabolic_washboard``.

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
    table_row = dims == 2 and key in QHD_TABLE
    return BenchmarkFunction(
        name=key,
        dims=dims,
        expression=spec.builder(variable_names(dims)),
        bounds=((float(low), float(high)),) * dims,
        minimizer=(float(coord),) * dims,
        minimum=float(value),
        radius=spec.radius,
        qhd_success=spec.qhd_success if table_row else None,
        qhd_center=(spec.qhd_center,) * 2 if table_row else None,
    )


#: Binary instances, loaded on first use (networkx only when a graph is generated).
_BINARY = {"maxcut": "qdq.binary.instances", "random_regular_maxcut": "qdq.binary.instances",
           "sk": "qdq.binary.instances", "labs": "qdq.binary.instances",
           "number_partitioning": "qdq.binary.instances", "tsp": "qdq.binary.tsp",
           # benchmark sets with known optima (LABS table, bqp50, G-set, TSPLIB)
           "instance": "qdq.binary.benchsets", "family": "qdq.binary.benchsets",
           "list_instances": "qdq.binary.benchsets", "labs_optimum": "qdq.binary.benchsets"}


def __getattr__(name: str):
    """``qdq.benchmarks.maxcut``, ``.sk``, ``.labs``, … (binary problems, loaded lazily).

    Also the sets with known optima of :mod:`qdq.binary.benchsets`: ``instance("labs:20")``,
    ``instance("bqp50.1")``, ``family("maxcut3", [8, 10])``, ``labs_optimum(N)``.
    """
    module = _BINARY.get(name)
    if module is None:
        raise AttributeError(f"module 'qdq.benchmarks' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
