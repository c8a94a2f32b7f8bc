"""minimize refuses complex objectives and poles, keeps JSON strict, takes both conventions."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from qdq.cli import app
from qdq.errors import ParameterError, ProblemError
from qdq.minimize import minimize
from qdq.minimize.constraints import from_text
from qdq.minimize.objective import Objective

FAST = {"steps": 100, "max_stages": 2}


def _strict(text):
    def refuse(token):
        raise AssertionError(f"non-standard JSON token {token}")
    return json.loads(text, parse_constant=refuse)


def test_complex_callable_is_refused_naming_the_point():
    with pytest.raises(ProblemError, match=r"complex at x = \[.*\].*\(-1\+1j\)|complex at x"):
        minimize(lambda x: x + 1j, [(-1, 1)], seed=0, options=FAST)
    # a zero imaginary part is a real value
    res = minimize(lambda x: (x - 0.5) ** 2 + 0j, [(-1, 1)], seed=0, options=FAST)
    assert res.success and abs(res.x[0] - 0.5) < 1e-6


def test_complex_string_is_refused():
    with pytest.raises(ProblemError):
        minimize("x + sqrt(-1)", [(-1, 1)], seed=0, options=FAST)


@pytest.mark.parametrize("text", ["1/x", "1/(x - 0.1)", "-1/x**2"])
def test_a_pole_is_never_reported_as_the_minimum(text):
    res = minimize(text, [(-1, 1)], seed=0, options=FAST)
    assert not res.success and res.status == 4
    assert "unbounded below" in res.message


def test_a_wall_next_to_a_minimum_is_fine():
    res = minimize("sqrt(x) + (x - 0.25)**2", [(-1, 1)], seed=0, options=FAST)
    assert res.status != 4 and np.isfinite(res.fun) and 0 <= res.x[0] < 1e-3


def test_pole_in_a_constraint_string():
    with pytest.raises(ProblemError, match=r"constraint 'x/0 <= 1'.*pole"):
        from_text("x/0 <= 1", 1)
    out = CliRunner().invoke(app, ["minimize", "-f", "x**2", "-b", "-1,1", "-s", "x/0 <= 1",
                                   "--json"])
    assert out.exit_code == 2
    assert _strict(out.stdout)["error"]["type"] == "ProblemError"


def test_complex_constraint_callable_is_refused():
    with pytest.raises(ProblemError, match="constraint .*complex"):
        minimize("x**2", [(-1, 1)], constraints={"type": "ineq", "fun": lambda x: x[0] + 1j},
                 options=FAST)


@pytest.mark.parametrize(("text", "bounds", "code"), [("1/x", "-1,1", 1),
                                                      ("log(x)", "0,1", 1),
                                                      ("(x - 0.5)**2", "-1,1", 0)])
def test_cli_json_is_strict(text, bounds, code):
    out = CliRunner().invoke(app, ["minimize", "-f", text, "-b", bounds, "--json", "--seed",
                                   "1", "--steps", "100", "--max-stages", "2"])
    assert out.exit_code == code
    data = _strict(out.stdout)
    assert data["fun"] is None or np.isfinite(data["fun"])


def test_cli_json_writes_null_for_non_finite(monkeypatch):
    import qdq.cli.minimize as cli

    real = cli._summary

    def with_inf(res):
        out = real(res)
        out["baselines"]["uniform"]["fun"] = float("inf")
        return out

    monkeypatch.setattr(cli, "_summary", with_inf)
    out = CliRunner().invoke(app, ["minimize", "-f", "(x - 0.5)**2", "-b", "-1,1", "--json",
                                   "--seed", "1", "--steps", "100", "--max-stages", "2"])
    assert "Infinity" not in out.stdout
    assert _strict(out.stdout)["baselines"]["uniform"]["fun"] is None


# conventions: f(*coords) and scipy's f(x), vectorized or not, d = 1, 2, 3
TARGET = {1: [0.3], 2: [0.3, -0.2], 3: [0.3, -0.2, 0.1]}


def _coords(d):
    t = TARGET[d]
    return {1: lambda x: (x - t[0]) ** 2,
            2: lambda x, y: (x - t[0]) ** 2 + (y - t[1]) ** 2,
            3: lambda x, y, z: (x - t[0]) ** 2 + (y - t[1]) ** 2 + (z - t[2]) ** 2}[d]


def _scipy_vec(d):
    t = np.array(TARGET[d])
    return lambda x: np.sum((x - t.reshape((d,) + (1,) * (np.ndim(x) - 1))) ** 2, axis=0)


def _scipy_point(d):
    t = np.array(TARGET[d])

    def f(x):
        assert np.shape(x) == (d,), "called with a whole grid"
        return float(np.sum((x - t) ** 2))
    return f


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize(("make", "convention"), [(_coords, "coords"), (_scipy_vec, "scipy"),
                                                  (_scipy_point, "scipy")])
def test_both_conventions(d, make, convention):
    box = [(-1, 1)] * d
    F = Objective.from_user(make(d), d, box=box)
    assert F.convention == convention
    res = minimize(make(d), box, seed=0, shots=None, qubits=3,
                   options={"steps": 50, "max_stages": 1})
    assert res.success
    np.testing.assert_allclose(res.x, TARGET[d], atol=1e-6)
    explicit = minimize(make(d), box, seed=0, shots=None, qubits=3, convention=convention,
                        options={"steps": 50, "max_stages": 1})
    np.testing.assert_allclose(explicit.x, res.x, atol=1e-9)


def test_scipy_vectorized_is_called_on_whole_grids():
    calls = []

    def f(x):
        calls.append(np.shape(x))
        return np.sum((x - 0.3) ** 2, axis=0)

    F = Objective.from_user(f, 2, box=[(-1, 1)] * 2)
    calls.clear()
    F(np.zeros((2, 64)))
    assert calls == [(2, 64)] and F.convention == "scipy"


def test_scipy_1d_indexing_is_not_mistaken_for_coords():
    # f(x) = (x[0] - 0.3)**2 called as f(*coords) would return one number for the grid
    F = Objective.from_user(lambda x: (x[0] - 0.3) ** 2, 1, box=[(-1, 1)])
    assert F.convention == "scipy"
    np.testing.assert_allclose(F(np.array([[0.0, 0.3, 1.0]])), [0.09, 0.0, 0.49])


def test_ambiguous_or_unknown_convention_is_refused():
    def odd(x, y=None):  # d = 2: one or two arguments, and it means different things
        return x[0] ** 2 if y is None else x + y

    with pytest.raises(ProblemError, match="ambiguous"):
        Objective.from_user(odd, 2, box=[(-1, 1)] * 2)
    assert Objective.from_user(odd, 2, box=[(-1, 1)] * 2, convention="coords").convention \
        == "coords"
    with pytest.raises(ParameterError, match="convention"):
        Objective.from_user(odd, 2, convention="matlab")
    with pytest.raises(ProblemError, match="3 required"):
        Objective.from_user(lambda a, b, c: a, 2)
