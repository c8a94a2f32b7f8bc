"""Constant folding is bounded: poles, complex, huge and comment-cut objectives are refused.

Issue 17: each class of hostile objective comes back as a fast ``ProblemError`` naming the
piece, through the API and every CLI entry point (exit code 2, no traceback).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from typer.testing import CliRunner

import qdq
from qdq.cli import app
from qdq.errors import ProblemError
from qdq.expression import parse_expression

HANGS = ["floor(exp(10**100))", "ceiling(exp(exp(100)))", "floor(10**300*10**300*10**300*10**300)",
         "ceiling(exp(1e5)) + x", "sign(exp(10**100))*x", "Abs(exp(exp(100))) + x",
         "x + floor(exp(exp(exp(10))))"]
POLES = ["x/0", "1/0 + x", "0**-1 + x", "log(0) + x", "tan(pi/2) + x", "log(x, 1)",
         "log(x, 0)", "1/(x - x)", "x + 1/(pi - pi)", "log(x, -2)"]
COMPLEX = ["x + sqrt(-1)", "asin(2) + x", "log(-1) + x", "acosh(0)*x", "x*(-8)**(1/3)"]
BIG = ["(10**300)*(10**300)*(10**300)*(10**300)*x", "((((10**300)**2)**2)**2)*x",
       "x + 10**300*10**300*10**300*10**300*10**300"]
TRICKS = ["x**2 # + 5", "x**2 \\\n + 1", "x; 1", "x**2 +\n# comment\n 1"]
ALL = HANGS + POLES + COMPLEX + BIG + TRICKS


@pytest.mark.parametrize("text", ALL)
def test_api_refuses_fast_and_names_the_piece(text):
    start = time.perf_counter()
    with pytest.raises(ProblemError, match="objective"):
        qdq.Problem(text, bounds=[(-1, 1)], qubits=3)
    assert time.perf_counter() - start < 2.0


def test_messages_name_the_cause():
    with pytest.raises(ProblemError, match=r"pole.*'log\(0\)'"):
        qdq.Problem("log(0) + x", bounds=[(-1, 1)], qubits=2)
    with pytest.raises(ProblemError, match=r"complex.*'asin\(2\)'"):
        qdq.Problem("asin(2) + x", bounds=[(-1, 1)], qubits=2)
    with pytest.raises(ProblemError, match=r"1000 digits.*'exp\(10\*\*100\)'"):
        qdq.Problem("floor(exp(10**100))", bounds=[(-1, 1)], qubits=2)
    with pytest.raises(ProblemError, match=r"'#' at column 6"):
        qdq.Problem("x**2 # + 5", bounds=[(-1, 1)], qubits=2)
    with pytest.raises(ProblemError, match="logarithm base"):
        qdq.Problem("log(x, 0)", bounds=[(1, 2)], qubits=2)


def test_non_finite_and_complex_grid_values_are_refused_with_the_point():
    with pytest.raises(ProblemError, match=r"not finite.*index \(0,\)"):
        qdq.Problem("sqrt(-1 - x**2)", bounds=[(-1, 1)], qubits=2)
    with pytest.raises(ProblemError, match=r"complex values \(got .*grid index \(0,\)"):
        qdq.Problem(lambda x: x + 1j * x, bounds=[(-1, 1)], qubits=2)
    with pytest.raises(ProblemError, match="not finite floats"):
        qdq.Problem("floor(10**400) + 0*x", bounds=[(-1, 1)], qubits=2)


@pytest.mark.parametrize("qubits", [True, False, [True], [2, False]])
def test_booleans_are_not_qubit_counts(qubits):
    bounds = [(-1, 1)] * (len(qubits) if isinstance(qubits, list) else 1)
    with pytest.raises(ProblemError, match="booleans are not qubit counts"):
        qdq.Problem("x0" if len(bounds) == 1 else "x + y", bounds=bounds, qubits=qubits)


def test_legitimate_constants_still_fold():
    import sympy

    x = sympy.Symbol("x", real=True)
    for text in ["floor(2.5)*x", "log(x, 2)", "sqrt(2)*x", "exp(10)*x", "10**300*x",
                 "Abs(-3)*sign(-2)*x", "ceiling(pi)*x"]:
        assert parse_expression(text, {"x": x}) == sympy.sympify(text, locals={"x": x})
    p = qdq.Problem("log(x + 2, 2)", bounds=[(-1, 1)], qubits=3)
    np.testing.assert_allclose(p.values, np.log2(p.grid.points[0] + 2))


CLI_SAMPLE = ["floor(exp(10**100))", "x/0", "log(x, 0)", "x + sqrt(-1)",
              "(10**300)*(10**300)*(10**300)*(10**300)*x", "x**2 # + 5"]


def _clean(res):
    assert res.exit_code == 2, res.output
    assert isinstance(res.exception, SystemExit)
    assert "error:" in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("text", CLI_SAMPLE)
def test_cli_entry_points_refuse(text, tmp_path):
    run = CliRunner().invoke
    start = time.perf_counter()
    _clean(run(app, ["solve", "-f", text, "-b", "-1,1", "-q", "3", "-n", "2",
                     "--backend", "emulator", "--no-save"]))
    _clean(run(app, ["compare", "-f", text, "-b", "-1,1", "-q", "3", "--methods", "random",
                     "--repeats", "1", "--quiet", "--out", str(tmp_path / "cmp")]))
    _clean(run(app, ["minimize", "-f", text, "-b", "-1,1", "--seed", "0"]))
    assert time.perf_counter() - start < 10.0


def test_multiline_toml_objective_with_a_hash_is_refused(tmp_path):
    cfg = tmp_path / "p.toml"
    cfg.write_text("[problem]\nobjective = '''\n(x - 0.5)**2 # shift\n + 3*x\n'''\n"
                   "bounds = [[-1, 1]]\nqubits = 3\n[run]\nbackend = \"emulator\"\n")
    res = CliRunner().invoke(app, ["solve", "--config", str(cfg), "-n", "2", "--no-save"])
    _clean(res)
    assert "'#'" in res.output


def test_toml_boolean_qubits_is_refused(tmp_path):
    cfg = tmp_path / "p.toml"
    cfg.write_text("[problem]\nobjective = 'x**2'\nbounds = [[-1, 1]]\nqubits = true\n"
                   "[run]\nbackend = \"emulator\"\n")
    res = CliRunner().invoke(app, ["solve", "--config", str(cfg), "-n", "2", "--no-save"])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output


def test_minimize_constraint_with_a_pole_is_refused():
    from qdq.minimize.constraints import from_text

    with pytest.raises(ProblemError, match="pole"):
        from_text("x/0 <= 1", 1)
