"""The safe expression grammar of qdq.expression: what it accepts, how it refuses, its limits,
and that every objective string used in this repository parses to the same sympy expression
(hence bit-identical grid values) as sympy's own ``parse_expr``/``sympify`` did."""

import numpy as np
import pytest
import sympy
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

import qdq
from qdq import benchmarks
from qdq.cli.common import DEFAULTS
from qdq.errors import ProblemError
from qdq.expression import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_INT_DIGITS,
    MAX_LENGTH,
    parse_expression,
)
from qdq.problem import expansion_size, parse_objective, variable_names

X = sympy.Symbol("x", real=True)
Y = sympy.Symbol("y", real=True)
XY = {"x": X, "y": Y, "x0": X, "x1": Y}


def _old_parse(text: str, dims: int):
    """The parser qdq used before (sympy's parse_expr, which evals): the reference here."""
    symbols = [sympy.Symbol(n, real=True) for n in variable_names(dims)]
    local = {f"x{d}": s for d, s in enumerate(symbols)}
    local.update(dict(zip(variable_names(dims), symbols, strict=True)))
    local.update({"pi": sympy.pi, "E": sympy.E, "e": sympy.E, "abs": sympy.Abs})
    return parse_expr(text, local_dict=local,
                      transformations=standard_transformations + (convert_xor,))


# --------------------------------------------------------------------------- grammar

# name -> (call text, bounds, numpy reference on x)
ONE_ARG = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos,
    "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh,
    "asinh": np.arcsinh, "atanh": np.arctanh, "exp": np.exp, "sqrt": np.sqrt,
    "abs": np.abs, "Abs": np.abs, "sign": np.sign, "floor": np.floor, "ceiling": np.ceil,
    "arcsin": np.arcsin, "arccos": np.arccos, "arctan": np.arctan, "arcsinh": np.arcsinh,
    "arctanh": np.arctanh, "log": np.log,
}


def test_every_table_function_is_covered_here():
    covered = set(ONE_ARG) | {"acosh", "arccosh", "atan2", "arctan2", "min", "max", "Min",
                              "Max"}
    assert covered == set(FUNCTIONS)


@pytest.mark.parametrize("name", sorted(ONE_ARG))
def test_one_argument_functions_evaluate_like_numpy(name):
    # (0.05, 0.95) keeps every function real and finite; the grid avoids sign's 0.
    p = qdq.Problem(f"{name}(x - 0.5) + 2" if name in ("sign", "floor", "ceiling", "abs",
                                                          "Abs", "sin", "tan", "atan")
                    else f"{name}(x)", bounds=[(0.05, 0.95)], qubits=3)
    x = p.grid.points[0]
    shifted = name in ("sign", "floor", "ceiling", "abs", "Abs", "sin", "tan", "atan")
    want = ONE_ARG[name](x - 0.5) + 2 if shifted else ONE_ARG[name](x)
    np.testing.assert_allclose(p.values, want, rtol=1e-14, atol=1e-15)


def test_other_functions_evaluate_like_numpy():
    p = qdq.Problem("acosh(x) + arccosh(x + 1)", bounds=[(1, 3)], qubits=3)
    x = p.grid.points[0]
    np.testing.assert_allclose(p.values, np.arccosh(x) + np.arccosh(x + 1), rtol=1e-14)
    p = qdq.Problem("atan2(y, x) + 2*arctan2(x, y + 2)", bounds=[(0.5, 1), (-1, 1)],
                    qubits=2)
    xs, ys = np.meshgrid(*p.grid.points, indexing="ij")
    np.testing.assert_allclose(p.values, np.arctan2(ys, xs) + 2 * np.arctan2(xs, ys + 2),
                               rtol=1e-14)
    p = qdq.Problem("min(x, y) + Max(x, y, 0.25) + max(x) + Min(y, 0) + log(x, 2)",
                    bounds=[(0.5, 2), (-1, 1)], qubits=2)
    xs, ys = np.meshgrid(*p.grid.points, indexing="ij")
    want = (np.minimum(xs, ys) + np.maximum(np.maximum(xs, ys), 0.25) + xs
            + np.minimum(ys, 0) + np.log2(xs))
    np.testing.assert_allclose(p.values, want, rtol=1e-14)


def test_constants_powers_signs_and_exact_rationals():
    assert parse_expression("pi", XY) is sympy.pi
    assert parse_expression("e", XY) is sympy.E and parse_expression("E", XY) is sympy.E
    assert parse_expression("3/10", XY) == sympy.Rational(3, 10)
    assert parse_expression("2**-1", XY) == sympy.Rational(1, 2)
    assert parse_expression("0.3", XY) == sympy.Float("0.3")
    assert sympy.srepr(parse_expression("0.3", XY)) == sympy.srepr(sympy.Float("0.3"))
    assert parse_expression("x^2^3", XY) == X**8           # ^ is **, right-associative
    assert parse_expression("x^2 + y**2", XY) == X**2 + Y**2
    assert parse_expression("-x + +y - -1", XY) == -X + Y + 1
    assert parse_expression("-(x - 1)*(y + 1)", XY) == -(X - 1) * (Y + 1)
    assert parse_expression("2*x/4", XY) == X / 2
    assert parse_expression("0x10 + 1_000 + 1e3", XY) == 16 + 1000 + sympy.Float("1e3")
    assert parse_expression("sqrt(8)", XY) == 2 * sympy.sqrt(2)
    assert parse_expression("abs(x) + Abs(y)", XY) == sympy.Abs(X) + sympy.Abs(Y)
    assert parse_expression("sin(x,)", XY) == sympy.sin(X)   # Python's trailing comma
    assert parse_expression("  x\n + 1\t", {"x": X}) == X + 1  # one logical line


@pytest.mark.parametrize("text", [
    "3/10*x^4 - x**2 + 0.2*x", "-x**2", "2**-2*x", "(x - 1/3)**2 + exp(-y)", "abs(x - y)",
    "e**x + E*y + pi", "x0^2 + x1", "log(x**2 + 1) + sqrt(y**2 + 1)", "1e-3*x + 2.5e2",
    "-3*cos(2*pi*x)/10 + 3/10", "sin(x)**2*cos(y)**2", "(1 + (x - 1)/4)", "0.1*x*y - 7",
])
def test_same_expression_as_sympy_parse_expr(text):
    new = parse_expression(text, XY)
    old = _old_parse(text, 2)
    assert sympy.srepr(new) == sympy.srepr(old)


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize("text, dims, pattern", [
    ("sinn(x)", 1, r"calls the unknown function 'sinn' at column 1; did you mean 'sin'\?"),
    ("x + expp(y)", 2, r"unknown function 'expp' at column 5; did you mean 'exp'\?"),
    ("xx**2", 1, r"unknown variable\(s\) \['xx'\] at column 1; did you mean 'x'\?"),
    ("x + yy", 2, r"unknown variable\(s\) \['yy'\] at column 5; did you mean 'y'\?"),
    ("2*pii", 1, r"unknown variable\(s\) \['pii'\] at column 3; did you mean 'pi'\?"),
    ("x**2 + w", 1, r"unknown variable\(s\) \['w'\] at column 8; use x, x0"),
    ("y", 1, r"unknown variable\(s\) \['y'\]"),
    ("sin + x", 1, r"uses the function 'sin' without calling it at column 1; write sin"),
    ("log(x, 2, 3)", 1, r"calls log\(\) with 3 argument\(s\).*it takes 1 to 2"),
    ("x^2 + x.real", 1, r"attribute access: 'x.real' at column 7"),
    ("cos(x)^2 + cos(x=1)", 1, r"keyword argument to cos\(\): 'cos\(x=1\)' at column 12"),
    ("x − 1", 1, r"character '−' at column 3; use ASCII"),
])
def test_refusals_name_piece_column_and_a_close_match(text, dims, pattern):
    with pytest.raises(ProblemError, match=pattern):
        parse_objective(text, dims)


@pytest.mark.parametrize("text, column, what", [
    ("x**2 +", "7 \\(the end\\)", "the expression ends too early"),
    ("x y", "3", "unexpected text here"),
    ("x^2 + y $", "9", "unexpected text here"),      # column in the text as typed (with ^)
    ("x^2^2 )", "7", "unmatched '\\)'"),
    ("(x + 1", "1", "'\\(' was never closed"),
    ("2x", "1", "invalid decimal literal"),
])
def test_syntax_errors_in_plain_words_with_the_column(text, column, what):
    pattern = (rf"cannot parse objective '{__import__('re').escape(text)}': syntax error at "
               rf"column {column}: {what}; write an expression such as 'x\*\*2 \+ 1'")
    with pytest.raises(ProblemError, match=pattern):
        parse_objective(text, 2)


def test_non_string_and_empty():
    with pytest.raises(ProblemError, match="must be a string, got int"):
        parse_expression(3, XY)
    with pytest.raises(ProblemError, match="empty"):
        parse_expression("  ", XY)


# --------------------------------------------------------------------------- limits


def test_length_limit():
    ok = "x" + " " * (MAX_LENGTH - 1)
    assert parse_expression(ok, XY) == X
    with pytest.raises(ProblemError, match=f"longer than {MAX_LENGTH} characters"):
        parse_expression(ok + " ", XY)


def test_depth_limits():
    assert parse_expression("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH, XY) == X
    with pytest.raises(ProblemError, match="nests brackets more than 100 levels deep "
                                           r"\(column 101\)"):
        parse_expression("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), XY)
    assert parse_expression("-" * (MAX_DEPTH - 2) + "x", XY) == X      # even count
    with pytest.raises(ProblemError, match="nested more than 100 levels deep"):
        parse_expression("-" * MAX_DEPTH + "x", XY)
    # A long sum is one level, however many terms it has.
    long_sum = " + ".join(f"{i}*x" for i in range(600))
    assert parse_expression(long_sum, XY) == sum(range(600)) * X
    with pytest.raises(ProblemError, match="chained too deeply"):
        parse_expression("x" + "+x" * 4000, XY)


def test_number_and_power_limits():
    assert parse_expression("1" * MAX_INT_DIGITS, XY) == int("1" * MAX_INT_DIGITS)
    with pytest.raises(ProblemError, match="integer with more than 300 digits"):
        parse_expression("1" * (MAX_INT_DIGITS + 1), XY)
    assert parse_expression(f"x**{MAX_EXPONENT} + x**-{MAX_EXPONENT}", XY) == (
        X**1000 + X**-1000)
    with pytest.raises(ProblemError, match=r"exponent 1001 .*'x\*\*1001' at column 1"):
        parse_expression("x**1001", XY)
    assert parse_expression("2**1000", XY) == 2**1000          # 302 digits: fine
    with pytest.raises(ProblemError, match="constant power with about 1196 digits"):
        parse_expression("(10**299)**4", XY)
    with pytest.raises(ProblemError, match=r"exponent 387420489 .*'9\*\*9\*\*9' at column 4"):
        parse_expression("9**9**9**9", XY)
    with pytest.raises(ProblemError, match="exponent 10000000000 "):
        parse_expression("10**10**10", XY)


def test_expansion_size_bounds_and_terms_fallback():
    x, y, z = sympy.symbols("x y z")
    for expr in [(x + y + z + 1)**3, (x + y)**5 * (x + 1)**2, (x - 1)**2 + y, x * y]:
        assert expansion_size(expr) == len(sympy.Add.make_args(sympy.expand(expr)))
    assert expansion_size((x + y + z + 1)**1000, limit=10**6) == 10**6 + 1
    # Small: expanded into per-dimension groups. Large: kept whole, still exact.
    small = qdq.Problem("(x + y)**2", bounds=[(-1, 1)] * 2, qubits=2)
    assert [t.dims for t in small.terms] == [(0,), (1,), (0, 1)]
    big = qdq.Problem("((x + y + z + 1)/4)**60", bounds=[(-1, 1)] * 3, qubits=2)
    (term,) = big.terms
    assert term.dims == (0, 1, 2)
    np.testing.assert_array_equal(term.values, big.values)


# ----------------------------------------------- every objective string in the repository

#: Objective strings used in README.md, notebooks/, tests/, qdq/ docstrings, bench/ and
#: circuits/ (gathered with an ast scan for Problem(...) / -f / objective = "..."), plus the
#: CLI default.
REPO_OBJECTIVES = [
    "(x + 1)**2", "(x - 0.25)**2", "(x - 0.25)**2 + (y + 0.5)**2", "(x - 0.3)**2",
    "(x - 0.5)**2", "(x - 0.5)**2 + (y + 0.25)**2", "(x - 0.5)**2 + 0.3*y**2",
    "(x - 1)**2 + y**2", "(x-0.5)**2", "0.25*x**4 - x**2", "0.25*x**4 - x**2 + 0.3*x",
    "0.3*x**4 - x**2 + 0.2*x", "0.3*x**4 - x**2 + 0.2*x + 0.1*y**2 + 0.05*x*y",
    "0.4*x**2 + 0.3*y**2 + 0.5*x*y", "0.5*x**2", "0.5*x**2 + 0.2*x",
    "0.5*x**2 + 0.2*x*y + 0.3*y**2", "0.5*x**2 + 0.3*sin(2*x)", "0.5*x**2 + 0.7*x*y + y",
    "1/x", "100*x**2", "20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)", "4*x**2",
    "cos(3*x) + y**2", "x", "x + 10*y**3 + 0.37*x*y**2", "x + 3*y", "x**2",
    "x**2 + 0.3*x*y", "x**2 + 0.5*cos(3*x)", "x**2 + 0.5*y", "x**2 + 1",
    "x**2 + sin(y) + x*y + 2", "x**2 + x*y", "x**2 + x*y + 2", "x**2 + x*y + 3",
    "x**2 + x*y + y", "x**2 + y", "x**2 + y**2", "x**2 - 0.5*x", "x**2 - 3*y + x*y",
    "x**2 - x", "x**4 - 2*x**2", "x**4 - 2*x**2 + 0.3*x", "x**4 - 2*x**2 + 0.4*x",
    "x0^2 + x3", "x^2 + cos(y)", DEFAULTS["problem"]["objective"],
]


def _dims_of(text: str) -> int:
    return 4 if "x3" in text else 2 if "y" in text else 1


@pytest.mark.parametrize("text", REPO_OBJECTIVES)
def test_repo_objectives_parse_to_the_same_values_as_before(text):
    dims = _dims_of(text)
    new, symbols = parse_objective(text, dims)
    old = _old_parse(text, dims)
    assert sympy.srepr(new) == sympy.srepr(old)
    axes = np.meshgrid(*[np.linspace(-1.9, 2.1, 7)] * dims, indexing="ij")
    with np.errstate(all="ignore"):
        got = np.broadcast_to(sympy.lambdify(symbols, new, "numpy")(*axes), axes[0].shape)
        want = np.broadcast_to(sympy.lambdify(symbols, old, "numpy")(*axes), axes[0].shape)
    np.testing.assert_array_equal(got, want)  # bit-identical, not merely close


def _benchmark_instances():
    for name in benchmarks.names():
        for dims in (1, 2, 3):
            try:
                f = benchmarks.get(name, dims)
            except ProblemError:
                continue  # fixed-dimension functions
            yield pytest.param(f, id=f"{name}-{dims}")
            yield pytest.param(f.rescaled(), id=f"{name}-{dims}-rescaled")


@pytest.mark.parametrize("f", list(_benchmark_instances()))
def test_benchmark_expressions_parse_to_the_same_values_as_sympify(f):
    symbols = [sympy.Symbol(v) for v in f.variables]
    local = dict(zip(f.variables, symbols, strict=True))
    old = sympy.sympify(f.expression, locals=local)  # the old path, on a trusted string
    new = f.sympy()
    assert sympy.srepr(new) == sympy.srepr(old)
    low, high = f.bounds[0]
    axes = np.meshgrid(*[np.linspace(low, high, 9)] * f.dims, indexing="ij")
    want = sympy.lambdify(symbols, old, "numpy")(*axes)
    np.testing.assert_array_equal(f(*axes), np.broadcast_to(want, axes[0].shape))
    p = qdq.Problem(f, qubits=3)
    pts = np.meshgrid(*p.grid.points, indexing="ij")
    np.testing.assert_allclose(p.values, np.broadcast_to(
        sympy.lambdify(symbols, old, "numpy")(*pts), p.grid.shape), rtol=1e-12, atol=1e-12)


def test_a_huge_exponent_is_shown_short_in_the_message():
    with pytest.raises(ProblemError, match=r"exponent 10000000\.\.\. \(1000 digits\)") as err:
        qdq.Problem("(x**2)**(10**999)", bounds=[(-1, 1)], qubits=2)
    assert len(str(err.value)) < 300
