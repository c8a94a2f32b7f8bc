"""Tests of qdq.benchmarks: known minima, formulas, QHD rescaling, registry errors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import minimize

from qdq.benchmarks import QHD_RADIUS, QHD_TABLE, BenchmarkFunction, get, names, variable_names
from qdq.errors import ProblemError

ANY_DIMS = {
    "ackley",
    "ackley2",
    "alpine1",
    "defl_corr_spring",
    "levy",
    "rastrigin",
    "rosenbrock",
    "styblinski_tang",
    "sumofsquares",
    "xinsheyang3",
    "harmonic",
    "griewank",
    "rotated_rastrigin",
    "rotated_styblinski_tang",
    "salomon",
    "xinsheyang4",
}
FIXED_DIMS = {
    "bohachevsky2": 2,
    "camel3": 2,
    "easom": 2,
    "levy13": 2,
    "double_well": 1,
    "symmetric_double_well": 1,
    "drop_wave": 2,
    "schaffer2": 2,
    "parabolic_washboard": 1,
}
CASES = sorted(
    [(n, d) for n in ANY_DIMS for d in (1, 2, 3, 5) if not (n == "rosenbrock" and d == 1)]
    + list(FIXED_DIMS.items())
)
IDS = [f"{n}-{d}d" for n, d in CASES]

# Published QHD256 column of docs/benchmarks.md, in table order (">0.999" -> 0.999).
PUBLISHED = {
    "ackley": (2, 0.992),
    "ackley2": (2, 0.999),
    "alpine1": (2, 0.968),
    "bohachevsky2": (1, 0.999),
    "camel3": (0.5, 0.980),
    "defl_corr_spring": (1, 0.000),
    "easom": (1, 0.188),
    "levy": (2, 0.999),
    "levy13": (2, 0.999),
    "rastrigin": (1.5, 0.999),
    "rosenbrock": (0.75, 0.002),
    "styblinski_tang": (1, 0.469),
    "sumofsquares": (0.2, 0.999),
    "xinsheyang3": (1, 0.007),
}


def _box(f: BenchmarkFunction) -> tuple[float, float]:
    (a, b) = f.bounds[0]
    assert all(bd == (a, b) for bd in f.bounds)
    return a, b


def _sample_min(f: BenchmarkFunction, n: int = 20000, seed: int = 0) -> float:
    a, b = _box(f)
    pts = np.random.default_rng(seed).uniform(a, b, size=(f.dims, n))
    return float(np.min(f(*pts)))


def _grid_min(f: BenchmarkFunction) -> float:
    a, b = _box(f)
    if f.dims == 1:
        return float(np.min(f(np.linspace(a, b, 200_001))))
    ax = np.linspace(a, b, 801)
    return float(np.min(f(ax[:, None], ax[None, :])))


def _local_min(f: BenchmarkFunction) -> float:
    """Nelder-Mead (kink-safe) from the minimizer, simplex of 1 % of the box."""
    a, b = _box(f)
    x0 = np.array(f.minimizer)
    simplex = np.vstack([x0, x0 + 0.01 * (b - a) * np.eye(f.dims)])
    res = minimize(
        lambda p: float(f(*p)),
        x0,
        method="Nelder-Mead",
        bounds=[(a, b)] * f.dims,
        options={"initial_simplex": simplex, "xatol": 1e-12, "fatol": 1e-14, "maxiter": 4000},
    )
    return float(res.fun)


@pytest.fixture(scope="module", params=CASES, ids=IDS)
def fn(request) -> BenchmarkFunction:
    name, dims = request.param
    return get(name, dims)


# ----------------------------------------------------------------- known minima


def test_value_at_minimizer(fn):
    a, b = _box(fn)
    assert all(a < m < b for m in fn.minimizer)
    assert abs(float(fn(*fn.minimizer)) - fn.minimum) <= 1e-9


def test_minimum_below_random_sample(fn):
    assert fn.minimum <= _sample_min(fn) + 1e-9


def test_minimum_below_fine_grid(fn):
    if fn.dims > 2:
        pytest.skip("grid check only for 1-D and 2-D")
    assert fn.minimum <= _grid_min(fn) + 1e-9


def test_local_optimality(fn):
    assert _local_min(fn) >= fn.minimum - 1e-8
    # and a cloud of tiny perturbations never goes lower
    a, b = _box(fn)
    rng = np.random.default_rng(1)
    pts = np.array(fn.minimizer)[:, None] + 1e-4 * (b - a) * rng.normal(size=(fn.dims, 2000))
    assert float(np.min(fn(*pts))) >= fn.minimum - 1e-12


def test_checks_detect_a_wrong_minimizer():
    """The sample / local checks must fail for a deliberately wrong entry."""
    f = get("rastrigin")
    wrong = dataclasses.replace(f, minimizer=(0.5, 0.5), minimum=float(f(0.5, 0.5)))
    assert abs(float(wrong(*wrong.minimizer)) - wrong.minimum) <= 1e-9  # self-consistent...
    assert wrong.minimum > _sample_min(wrong) + 1e-9  # ...but caught by sampling
    assert _local_min(wrong) < wrong.minimum - 1e-8  # ...and by local search
    g = get("styblinski_tang")
    rounded = dataclasses.replace(g, minimizer=(-2.9035, -2.9035), minimum=-1.0043)
    assert abs(float(rounded(*rounded.minimizer)) - rounded.minimum) > 1e-9


def test_styblinski_tang_precise_minimizer():
    for d in (1, 2, 4):
        f = get("styblinski_tang", d)
        xs = f.minimizer[0]
        assert abs(xs - (-2.903534027771177)) < 1e-14
        assert abs(4 * xs**3 - 32 * xs + 5) < 1e-12
        assert f.minimum == pytest.approx(d * (xs**4 - 16 * xs**2 + 5 * xs) / 156, abs=1e-15)
    assert get("styblinski_tang").minimum == pytest.approx(-1.0042606590710619, abs=1e-15)


def test_double_well_exact_minimizer():
    f = get("double_well")
    (x,) = f.minimizer
    assert abs(6 * x**3 - 10 * x + 1) < 1e-12  # 5 f'(x) = 6x^3 - 10x + 1
    assert x < 0  # the deeper well is on the left
    other = max(np.roots([6, 0, -10, 1]).real)  # the shallower (right) well
    assert f.minimum < float(f(other)) - 0.1
    s = get("symmetric_double_well")
    assert s.minimizer == (1.0,) and float(s(-1.0)) == 0.0


# ---------------------------------------------- formulas of docs/benchmarks.md

TWO_D = {
    "ackley": lambda x, y: (
        -20 * np.exp(-0.2 * np.sqrt(0.5 * (x**2 + y**2)))
        - np.exp(0.5 * (np.cos(2 * np.pi * x) + np.cos(2 * np.pi * y)))
        + 20
        + np.e
    ),
    "ackley2": lambda x, y: -200 * np.exp(-0.2 * np.sqrt(x**2 + y**2)),
    "alpine1": lambda x, y: np.abs(x * np.sin(x) + 0.1 * x) + np.abs(y * np.sin(y) + 0.1 * y),
    "bohachevsky2": lambda x, y: (
        x**2 + 2 * y**2 - 0.3 * np.cos(3 * np.pi * x) * np.cos(4 * np.pi * y) + 0.3
    ),
    "camel3": lambda x, y: 2 * x**2 - 1.05 * x**4 + x**6 / 6 + x * y + y**2,
    "defl_corr_spring": lambda x, y: (
        0.1 * ((x - 5) ** 2 + (y - 5) ** 2) - np.cos(5 * np.hypot(x - 5, y - 5))
    ),
    "easom": lambda x, y: -np.cos(x) * np.cos(y) * np.exp(-(x**2) - y**2),
    "levy": lambda x, y: _levy_np(np.stack([x, y])),
    "levy13": lambda x, y: (
        0.05
        * (
            np.sin(3 * np.pi * x) ** 2
            + (x - 1) ** 2 * (1 + np.sin(3 * np.pi * y) ** 2)
            + (y - 1) ** 2 * (1 + np.sin(2 * np.pi * y) ** 2)
        )
    ),
    "rastrigin": lambda x, y: (
        20 + (x**2 - 10 * np.cos(2 * np.pi * x)) + (y**2 - 10 * np.cos(2 * np.pi * y))
    ),
    "rosenbrock": lambda x, y: (y - x**2) ** 2 + 0.01 * (1 - x) ** 2,
    "styblinski_tang": lambda x, y: (x**4 - 16 * x**2 + 5 * x + y**4 - 16 * y**2 + 5 * y) / 156,
    "sumofsquares": lambda x, y: x**2 + 2 * y**2,
    "xinsheyang3": lambda x, y: (
        np.exp(-((x / 15) ** 6) - (y / 15) ** 6)
        - 2 * np.exp(-(x**2) - y**2) * np.cos(x) ** 2 * np.cos(y) ** 2
    ),
}


def _levy_np(v: np.ndarray) -> np.ndarray:
    w = 1 + (v - 1) / 4
    out = np.sin(np.pi * w[0]) ** 2
    out = out + np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(np.pi * w[:-1] + 1) ** 2), axis=0)
    return out + (w[-1] - 1) ** 2 * (1 + np.sin(2 * np.pi * w[-1]) ** 2)


ND = {
    "ackley": lambda v: (
        -20 * np.exp(-0.2 * np.sqrt(np.mean(v**2, axis=0)))
        - np.exp(np.mean(np.cos(2 * np.pi * v), axis=0))
        + 20
        + np.e
    ),
    "ackley2": lambda v: -200 * np.exp(-0.2 * np.sqrt(np.sum(v**2, axis=0))),
    "alpine1": lambda v: np.sum(np.abs(v * np.sin(v) + 0.1 * v), axis=0),
    "defl_corr_spring": lambda v: (
        0.1 * np.sum((v - 5) ** 2, axis=0) - np.cos(5 * np.sqrt(np.sum((v - 5) ** 2, axis=0)))
    ),
    "levy": _levy_np,
    "rastrigin": lambda v: 10 * len(v) + np.sum(v**2 - 10 * np.cos(2 * np.pi * v), axis=0),
    "rosenbrock": lambda v: np.sum((v[1:] - v[:-1] ** 2) ** 2 + 0.01 * (1 - v[:-1]) ** 2, axis=0),
    "styblinski_tang": lambda v: np.sum(v**4 - 16 * v**2 + 5 * v, axis=0) / 156,
    "sumofsquares": lambda v: np.sum(np.arange(1, len(v) + 1)[:, None] * v**2, axis=0),
    "xinsheyang3": lambda v: (
        np.exp(-np.sum((v / 15) ** 6, axis=0))
        - 2 * np.exp(-np.sum(v**2, axis=0)) * np.prod(np.cos(v) ** 2, axis=0)
    ),
    "harmonic": lambda v: np.sum(v**2, axis=0),
    "griewank": lambda v: (
        1 + np.sum(v**2, axis=0) / 4000
        - np.prod(np.cos(v / np.sqrt(np.arange(1, len(v) + 1))[:, None]), axis=0)
    ),
}


@pytest.mark.parametrize("name", QHD_TABLE)
def test_2d_formula_matches_table(name):
    f = get(name)
    a, b = _box(f)
    x, y = np.random.default_rng(2).uniform(a, b, size=(2, 500))
    np.testing.assert_allclose(f(x, y), TWO_D[name](x, y), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(ND))
@pytest.mark.parametrize("dims", [2, 3, 6])
def test_nd_formula(name, dims):
    f = get(name, dims)
    a, b = _box(f)
    v = np.random.default_rng(dims).uniform(a, b, size=(dims, 300))
    np.testing.assert_allclose(f(*v), ND[name](v), rtol=1e-12, atol=1e-12)


def test_1d_formulas():
    x = np.linspace(-2, 2, 101)
    np.testing.assert_allclose(get("double_well")(x), 0.3 * x**4 - x**2 + 0.2 * x, atol=1e-13)
    np.testing.assert_allclose(get("symmetric_double_well")(x), (x**2 - 1) ** 2, atol=1e-13)
    assert get("double_well").bounds == ((-3.0, 3.0),)
    assert get("symmetric_double_well").bounds == ((-2.0, 2.0),)
    assert get("harmonic").bounds == ((-5.0, 5.0),)


# ------------------------------------------------------------------ QHD rescaling


def test_rescaled(fn):
    g = fn.rescaled()
    a, b = _box(fn)
    L = b - a
    assert g.bounds == ((0.0, 1.0),) * fn.dims
    assert g.minimum == 0.0 and g.dims == fn.dims and g.name == fn.name
    assert g.minimizer == pytest.approx([(m - a) / L for m in fn.minimizer], abs=1e-15)
    assert abs(float(g(*g.minimizer))) <= 1e-9
    if fn.radius is None:
        assert g.radius is None
    else:
        assert g.radius == QHD_RADIUS == 0.1   # the published column's r, not r/L
    if fn.qhd_center is None:  # success is measured around the exact rescaled minimizer
        assert g.success_center == g.minimizer and fn.success_center == fn.minimizer
    else:                      # ... or around the authors' rounded u* (2-D table rows)
        assert g.success_center == fn.qhd_center == g.qhd_center
        assert g.success_center == pytest.approx(g.minimizer, abs=1e-4)
    u = np.random.default_rng(3).uniform(0, 1, size=(fn.dims, 300))
    expected = (fn(*(a + L * u)) - fn.minimum) / L
    np.testing.assert_allclose(g(*u), expected, rtol=1e-9, atol=1e-9)
    assert float(np.min(g(*u))) >= -1e-9
    assert set(map(str, g.sympy().free_symbols)) <= set(fn.variables)


def test_rescaled_rastrigin_values():
    g = get("rastrigin").rescaled()
    assert g.minimizer == (0.5, 0.5)
    assert g.radius == 0.1 and g.success_center == (0.5, 0.5)
    # u = (0.75, 0.5) -> x = (2.56, 0): f = 10 + 2.56^2 - 10 cos(2 pi 2.56), L = 10.24
    expected = (10 + 2.56**2 - 10 * np.cos(2 * np.pi * 2.56)) / 10.24
    assert float(g(0.75, 0.5)) == pytest.approx(expected, rel=1e-12)


# ------------------------------------------------------------ sympy & evaluation


def test_expression_parses_and_matches_call(fn):
    syms = [sp.Symbol(n) for n in variable_names(fn.dims)]
    expr = sp.parse_expr(fn.expression, local_dict=dict(zip(fn.variables, syms, strict=True)))
    assert {s.name for s in expr.free_symbols} == set(fn.variables)
    lam = sp.lambdify(syms, expr, modules="numpy")
    a, b = _box(fn)
    pts = np.random.default_rng(4).uniform(a, b, size=(fn.dims, 200))
    np.testing.assert_allclose(lam(*pts), fn(*pts), rtol=1e-13, atol=1e-13)
    # exact value at the minimizer agrees with the declared minimum
    at = expr.subs(dict(zip(syms, fn.minimizer, strict=True))).evalf(30)
    assert abs(float(at) - fn.minimum) <= 1e-9


def test_variable_names():
    assert get("rastrigin", 1).variables == ("x",)
    assert get("rastrigin", 3).variables == ("x", "y", "z")
    assert get("rastrigin", 4).variables == ("x0", "x1", "x2", "x3")
    assert "x3" in get("sumofsquares", 4).expression


def test_call_broadcasts_and_checks_arity():
    f = get("camel3")
    out = f(np.zeros((3, 1)), np.zeros((1, 4)))
    assert out.shape == (3, 4) and out.dtype == float
    assert np.ndim(f(0.0, 0.0)) == 0
    with pytest.raises(ProblemError, match="2 coordinate"):
        f(0.0)


# ---------------------------------------------------------------------- registry


def test_typo_suggests_close_match():
    with pytest.raises(ProblemError, match="rastrigin") as info:
        get("rastrgin")
    assert "did you mean" in str(info.value) and "valid names" in str(info.value)
    assert isinstance(info.value, ValueError)
    with pytest.raises(ProblemError, match="unknown benchmark"):
        get("no_such_function_at_all")


@pytest.mark.parametrize(
    ("name", "dims"),
    [("easom", 3), ("camel3", 1), ("double_well", 2), ("rosenbrock", 1), ("rastrigin", 0)],
)
def test_bad_dims(name, dims):
    with pytest.raises(ProblemError, match="dims"):
        get(name, dims)


def test_defaults_and_names():
    assert get("rastrigin").dims == 2 and get("double_well").dims == 1
    assert get("harmonic").dims == 1 and get("Rastrigin").name == "rastrigin"
    assert set(names()) == ANY_DIMS | set(FIXED_DIMS)
    assert names() == sorted(names())


def test_qhd_table():
    assert len(QHD_TABLE) == 14 and len(set(QHD_TABLE)) == 14
    assert tuple(PUBLISHED) == QHD_TABLE
    for name in QHD_TABLE:
        f = get(name)
        radius, success = PUBLISHED[name]
        assert f.dims == 2 and f.radius == radius and f.qhd_success == success
    assert get("rastrigin", 3).qhd_success is None
    assert get("rastrigin", 3).qhd_center is None
    assert get("double_well").qhd_success is None and get("double_well").radius is None


# The authors' rounded unit-square minimizers u* (docs/benchmarks.md).
U_STAR = {"levy": 0.55, "levy13": 0.55, "rosenbrock": 0.8333, "styblinski_tang": 0.2097}


@pytest.mark.parametrize("name", QHD_TABLE)
def test_qhd_success_center_is_the_published_u_star(name):
    f = get(name)
    u = U_STAR.get(name, 0.5)
    assert f.qhd_center == (u, u) and f.success_center == f.minimizer
    g = f.rescaled()
    assert g.success_center == (u, u) and g.radius == 0.1
    # the continuous minimizer stays the exact one
    a, b = _box(f)
    assert g.minimizer == tuple((m - a) / (b - a) for m in f.minimizer)
    assert abs(float(g(*g.minimizer))) <= 1e-12


def test_success_center_must_lie_in_the_box():
    f = get("rastrigin")
    with pytest.raises(ProblemError, match=r"success_center .*got \(9.0, 0.0\)"):
        dataclasses.replace(f, success_center=(9.0, 0.0))
    with pytest.raises(ProblemError, match="success_center"):
        dataclasses.replace(f, success_center=(0.0,))


def test_table_boxes_and_minimizers():
    boxes = {
        "ackley": 32.768,
        "ackley2": 32,
        "alpine1": 10,
        "bohachevsky2": 5,
        "camel3": 2,
        "easom": 10,
        "levy": 10,
        "levy13": 10,
        "rastrigin": 5.12,
        "rosenbrock": 1.5,
        "styblinski_tang": 5,
        "sumofsquares": 1,
        "xinsheyang3": 20,
    }
    for name, h in boxes.items():
        assert get(name).bounds == ((-h, h),) * 2
    assert get("defl_corr_spring").bounds == ((0.0, 10.0),) * 2
    assert get("defl_corr_spring").minimizer == (5.0, 5.0)
    assert get("levy").minimizer == get("levy13").minimizer == get("rosenbrock").minimizer
    assert get("rosenbrock").minimizer == (1.0, 1.0)
    assert get("easom").minimum == -1.0 and get("xinsheyang3").minimum == -1.0
    assert get("ackley2").minimum == -200.0
