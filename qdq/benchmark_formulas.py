"""Formulas of the benchmark functions: expression builders and their exact minimizers.

Each builder takes the variable names (``("x", "y")`` or ``("x0", …)``) and returns the
expression string in the safe grammar of :mod:`qdq.expression`; :mod:`qdq.benchmarks`
registers them with their boxes, minima and QHD-table data.

Example:
    >>> rastrigin(("x", "y"))
    '20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)'
"""

from __future__ import annotations

import functools

import numpy as np

#: Seed of the fixed rotations of :func:`rotation` (one matrix per dimension).
ROTATION_SEED = 9

# --------------------------------------------------------------------------- builders
# Each builder takes the variable names and returns the expression string.


def _join(terms) -> str:
    return " + ".join(terms)


def _sumsq(v: tuple[str, ...]) -> str:
    return _join(f"{x}**2" for x in v)


def ackley(v: tuple[str, ...]) -> str:
    """Ackley: -20 exp(-0.2 sqrt(mean x^2)) - exp(mean cos 2 pi x) + 20 + e."""
    d = len(v)
    cos = _join(f"cos(2*pi*{x})" for x in v)
    return f"-20*exp(-sqrt(({_sumsq(v)})/{d})/5) - exp(({cos})/{d}) + 20 + E"


def ackley2(v: tuple[str, ...]) -> str:
    """Ackley N.2: -200 exp(-0.2 |x|)."""
    return f"-200*exp(-sqrt({_sumsq(v)})/5)"


def alpine1(v: tuple[str, ...]) -> str:
    """Alpine N.1: sum |x sin x + 0.1 x|."""
    return _join(f"Abs({x}*sin({x}) + {x}/10)" for x in v)


def bohachevsky2(v: tuple[str, ...]) -> str:
    """Bohachevsky N.2: x^2 + 2y^2 - 0.3 cos(3 pi x) cos(4 pi y) + 0.3."""
    x, y = v
    return f"{x}**2 + 2*{y}**2 - 3*cos(3*pi*{x})*cos(4*pi*{y})/10 + 3/10"


def camel3(v: tuple[str, ...]) -> str:
    """Three-hump camel: 2x^2 - 1.05x^4 + x^6/6 + xy + y^2."""
    x, y = v
    return f"2*{x}**2 - 21*{x}**4/20 + {x}**6/6 + {x}*{y} + {y}**2"


def defl_corr_spring(v: tuple[str, ...]) -> str:
    """Deflected corrugated spring: 0.1 r^2 - cos(5 r), r = |x - 5|."""
    r2 = _join(f"({x} - 5)**2" for x in v)
    return f"({r2})/10 - cos(5*sqrt({r2}))"


def easom(v: tuple[str, ...]) -> str:
    """Easom centred at the origin: -cos x cos y exp(-x^2 - y^2)."""
    x, y = v
    return f"-cos({x})*cos({y})*exp(-{x}**2 - {y}**2)"


def levy(v: tuple[str, ...]) -> str:
    """Levy, general d, with w_i = 1 + (x_i - 1)/4."""
    w = [f"(1 + ({x} - 1)/4)" for x in v]
    terms = [f"sin(pi*{w[0]})**2"]
    terms += [f"({wi} - 1)**2*(1 + 10*sin(pi*{wi} + 1)**2)" for wi in w[:-1]]
    terms.append(f"({w[-1]} - 1)**2*(1 + sin(2*pi*{w[-1]})**2)")
    return _join(terms)


def levy13(v: tuple[str, ...]) -> str:
    """Levy N.13 scaled by 0.05."""
    x, y = v
    return (
        f"(sin(3*pi*{x})**2 + ({x} - 1)**2*(1 + sin(3*pi*{y})**2)"
        f" + ({y} - 1)**2*(1 + sin(2*pi*{y})**2))/20"
    )


def rastrigin(v: tuple[str, ...]) -> str:
    """Rastrigin: 10 d + sum(x^2 - 10 cos 2 pi x)."""
    return f"{10 * len(v)} + " + _join(f"{x}**2 - 10*cos(2*pi*{x})" for x in v)


def rosenbrock(v: tuple[str, ...]) -> str:
    """Scaled Rosenbrock chain: sum (x_{i+1} - x_i^2)^2 + 0.01 (1 - x_i)^2."""
    return _join(
        f"({b} - {a}**2)**2 + (1 - {a})**2/100" for a, b in zip(v[:-1], v[1:], strict=False)
    )


def styblinski_tang(v: tuple[str, ...]) -> str:
    """Styblinski-Tang scaled by 1/156: sum(x^4 - 16x^2 + 5x)/156."""
    return "(" + _join(f"{x}**4 - 16*{x}**2 + 5*{x}" for x in v) + ")/156"


def sumofsquares(v: tuple[str, ...]) -> str:
    """Weighted sum of squares: sum i x_i^2."""
    return _join(f"{x}**2" if i == 1 else f"{i}*{x}**2" for i, x in enumerate(v, start=1))


def xinsheyang3(v: tuple[str, ...]) -> str:
    """Xin-She Yang N.3: exp(-sum (x/15)^6) - 2 exp(-sum x^2) prod cos^2 x."""
    six = _join(f"({x}/15)**6" for x in v)
    cos2 = "*".join(f"cos({x})**2" for x in v)
    return f"exp(-({six})) - 2*exp(-({_sumsq(v)}))*{cos2}"


def double_well(v: tuple[str, ...]) -> str:
    """Asymmetric quartic double well: 0.3 x^4 - x^2 + 0.2 x (deeper well at x < 0)."""
    (x,) = v
    return f"3*{x}**4/10 - {x}**2 + {x}/5"


def symmetric_double_well(v: tuple[str, ...]) -> str:
    """Symmetric double well: (x^2 - 1)^2."""
    (x,) = v
    return f"({x}**2 - 1)**2"


def harmonic(v: tuple[str, ...]) -> str:
    """Harmonic bowl: sum x_i^2."""
    return _sumsq(v)


def griewank(v: tuple[str, ...]) -> str:
    """Griewank: 1 + sum x_i^2 / 4000 - prod cos(x_i / sqrt(i)) (non-separable product)."""
    cos = "*".join(f"cos({x}/sqrt({i}))" for i, x in enumerate(v, start=1))
    return f"1 + ({_sumsq(v)})/4000 - {cos}"


def salomon(v: tuple[str, ...]) -> str:
    """Salomon (Jamil & Yang 2013): 1 - cos(2 pi |x|) + 0.1 |x|, minimum 0 at 0."""
    r = f"sqrt({_sumsq(v)})"
    return f"1 - cos(2*pi*{r}) + {r}/10"


def xinsheyang4(v: tuple[str, ...]) -> str:
    """Xin-She Yang N.4 (Jamil & Yang 2013): (sum sin^2 x - e^-|x|^2) e^-sum sin^2 sqrt|x|."""
    sin2 = _join(f"sin({x})**2" for x in v)
    root = _join(f"sin(sqrt(Abs({x})))**2" for x in v)
    return f"({sin2} - exp(-({_sumsq(v)})))*exp(-({root}))"


def drop_wave(v: tuple[str, ...]) -> str:
    """Drop-Wave (Surjanovic & Bingham): -(1 + cos(12 r)) / (r^2/2 + 2), minimum -1 at 0."""
    x, y = v
    return f"-(1 + cos(12*sqrt({x}**2 + {y}**2)))/(({x}**2 + {y}**2)/2 + 2)"


def schaffer2(v: tuple[str, ...]) -> str:
    """Schaffer N.2 (Jamil & Yang 2013): 0.5 + (sin^2(x^2 - y^2) - 0.5)/(1 + 0.001 r^2)^2."""
    x, y = v
    return f"1/2 + (sin({x}**2 - {y}**2)**2 - 1/2)/(1 + ({x}**2 + {y}**2)/1000)**2"


def parabolic_washboard(v: tuple[str, ...]) -> str:
    """Seok & Cho's parabolic washboard: x^2/8 + 2 sin(10 x) + 2 (their band 10)."""
    (x,) = v
    return f"{x}**2/8 + 2*sin(10*{x}) + 2"


# ------------------------------------------------------------------ rotated versions


@functools.lru_cache(maxsize=64)
def rotation(dims: int) -> tuple[tuple[float, ...], ...]:
    """The fixed orthogonal ``dims x dims`` matrix ``Q`` of the rotated benchmarks.

    ``Q`` comes from the QR decomposition of a standard normal matrix drawn with
    ``numpy.random.default_rng([ROTATION_SEED, dims, k])`` (signs fixed by ``diag(R) > 0``)
    for the first ``k = 0, 1, ...`` whose entries are all below 0.9 in magnitude (for
    ``dims >= 2``), so that no coordinate axis stays within ~26 degrees of an axis and the
    rotated function really couples the coordinates. It is rounded to 10 decimals so that
    the expression strings are short and the same on every platform; rounding leaves ``Q``
    orthogonal to ~1e-10 and, what the known minimum needs, invertible.

    Example:
        >>> q = np.array(rotation(3))
        >>> bool(np.allclose(q @ q.T, np.eye(3), atol=1e-9))
        True
    """
    for k in range(1000):
        rng = np.random.default_rng([ROTATION_SEED, dims, k])
        q, r = np.linalg.qr(rng.standard_normal((dims, dims)))
        q = q * np.sign(np.diag(r))
        if dims == 1 or np.max(np.abs(q)) < 0.9:
            break
    return tuple(tuple(round(float(e), 10) for e in row) for row in q)


def _number(c: float) -> str:
    return repr(float(c)) if c >= 0 else f"({float(c)!r})"


def rotated(builder, v: tuple[str, ...], center: float) -> str:
    """``f(c + Q (x - c))``: ``builder``'s function rotated by :func:`rotation` about ``c``.

    Every variable ``x_i`` of ``builder(v)`` is replaced by the linear form
    ``c + sum_j Q_ij (x_j - c)`` (numeric entries, so the result stays in the safe
    grammar). At ``x = (c, ..., c)`` every form equals ``c``: if ``f`` has its unique
    global minimum over all of ``R^d`` at ``(c, ..., c)``, so has the rotated function, for
    any invertible ``Q``.

    Args:
        builder: An expression builder of this module.
        v: Variable names.
        center: The coordinate ``c`` of the minimizer ``(c, ..., c)``.

    Returns:
        The rotated expression string.

    Example:
        >>> rotated(harmonic, ("x",), 0.0)
        '(1.0*x)**2'
    """
    q = rotation(len(v))
    sign = "-" if center >= 0 else "+"
    shifted = [x if center == 0 else f"({x} {sign} {abs(float(center))!r})" for x in v]
    forms = []
    for row in q:
        lin = " + ".join(f"{_number(qij)}*{s}" for qij, s in zip(row, shifted, strict=True))
        forms.append(f"({lin})" if center == 0 else f"({_number(center)} + {lin})")
    # Substitute placeholders first so that a variable name inside a form is never replaced.
    placeholders = [f"_v{i}_" for i in range(len(v))]
    text = builder(tuple(placeholders))
    for p, form in zip(placeholders, forms, strict=True):
        text = text.replace(p, form)
    return text


# ------------------------------------------------------------------- exact minimizers


@functools.lru_cache(maxsize=1)
def styblinski_root() -> tuple[float, float]:
    """Minimizer and value of the 1-D part ``g(x) = x^4 - 16x^2 + 5x`` (root of g')."""
    from scipy.optimize import brentq

    xs = brentq(lambda t: 4 * t**3 - 32 * t + 5, -3.0, -2.8, xtol=1e-15, rtol=8.9e-16)
    xs -= (4 * xs**3 - 32 * xs + 5) / (12 * xs**2 - 32)  # one Newton polish step
    # g is flat at xs, so g(xs) is accurate to rounding.
    return float(xs), float(xs**4 - 16 * xs**2 + 5 * xs)


@functools.lru_cache(maxsize=1)
def double_well_min() -> tuple[float, float]:
    """Exact global minimizer of ``0.3x^4 - x^2 + 0.2x`` from the roots of ``6x^3 - 10x + 1``."""
    import sympy as sp

    x = sp.Symbol("x")
    f = sp.Rational(3, 10) * x**4 - x**2 + x / 5
    roots = sp.Poly(sp.diff(f, x) * 5, x).real_roots()
    best = min(roots, key=lambda r: f.subs(x, r).evalf(40))
    return float(best.evalf(40)), float(f.subs(x, best).evalf(40))


@functools.lru_cache(maxsize=1)
def parabolic_washboard_min() -> tuple[float, float]:
    """Global minimizer and value of ``x^2/8 + 2 sin(10x) + 2`` on ``[-6, 6]``.

    Every minimum sits where ``sin(10x) ~ -1``; the one at ``10x ~ -pi/2`` has the
    smallest ``x^2/8`` (the next, at ``10x ~ 3pi/2``, is ~0.025 higher). The stationary
    point is the root of ``x/4 + 20 cos(10x)`` there.
    """
    from scipy.optimize import brentq

    xs = brentq(lambda t: t / 4 + 20 * np.cos(10 * t), -0.3, -0.1, xtol=1e-15, rtol=8.9e-16)
    return float(xs), float(xs**2 / 8 + 2 * np.sin(10 * xs) + 2)


def rotated_rastrigin(v: tuple[str, ...]) -> str:
    """Rastrigin rotated about its minimizer 0: ``rastrigin(Q x)`` (non-separable)."""
    return rotated(rastrigin, v, 0.0)


def rotated_styblinski_tang(v: tuple[str, ...]) -> str:
    """Styblinski-Tang rotated about its minimizer ``x* = (s, ..., s)``: ``f(x* + Q(x - x*))``."""
    return rotated(_styblinski_tang_compact, v, styblinski_root()[0])


def _styblinski_tang_compact(v: tuple[str, ...]) -> str:
    """Styblinski-Tang with each variable used twice: ``x^4 - 16x^2 + 5x = (x^2 - 8)^2 + 5x - 64``.

    Keeps the rotated expression (one linear form per use) short enough for d = 10.
    """
    return "(" + _join(f"({x}**2 - 8)**2 + 5*{x} - 64" for x in v) + ")/156"
