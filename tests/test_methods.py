"""qdq.methods: the one name → spec table of the quantum methods, and its callers agree."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from types import SimpleNamespace

import pytest

from qdq import methods
from qdq.defaults import method_defaults
from qdq.errors import ParameterError
from qdq.evolution import Anneal, ImaginaryTime, RealTime
from qdq.problem import Problem


@pytest.fixture(scope="module")
def prob():
    return Problem("(x - 0.3)**2", bounds=[(-2, 2)], qubits=3)


@pytest.mark.parametrize("alias,name", [
    ("anneal", "anneal"), ("QHD", "anneal"), ("realtime", "real-time"),
    ("Real_Time", "real-time"), ("imaginary", "imaginary-time"), ("twoloop", "two-loop"),
    ("Two-Loop", "two-loop")])
def test_resolve_aliases(alias, name):
    assert methods.resolve(alias) == name


@pytest.mark.parametrize("bad", ["dmc", "", None, "annealing"])
def test_resolve_unknown_lists_names(bad):
    with pytest.raises(ParameterError, match="anneal, real-time, imaginary-time, two-loop"):
        methods.resolve(bad)


def test_aliases_agree_with_registry():
    from qdq.compare.registry import method_names, resolve_method

    assert set(methods.GRID_METHODS) == set(method_names("quantum"))
    for alias, name in methods.ALIASES.items():
        assert resolve_method(alias).name == name


def test_check_options_names_key_and_allowed():
    with pytest.raises(ParameterError, match=r"'schedule'.*'real-time'.*D, time, steps, order"):
        methods.check_options("real-time", {"schedule": "linear"})
    assert methods.check_options("QHD", {"D": 1.0, "schedule": "linear"}) == "anneal"


@pytest.mark.parametrize("name", methods.GRID_METHODS)
@pytest.mark.parametrize("circuit", [False, True])
def test_box_defaults_are_method_defaults(prob, name, circuit):
    assert methods.defaults(prob, name, circuit=circuit) == method_defaults(
        name, prob.grid.bounds, circuit=circuit)


def test_backend_implies_circuit(prob):
    assert methods.defaults(prob, "anneal", backend="aer")["steps"] == 400
    assert methods.defaults(prob, "anneal", backend="emulator")["steps"] == 10_000


def test_binary_defaults_need_no_box():
    cube = SimpleNamespace(is_binary=True)            # no grid, no bounds
    assert methods.defaults(cube, "anneal") == {
        "D": 1.0, "schedule": "linear", "time": 10.0, "steps": 100, "order": 1}
    for name in ("real-time", "imaginary-time"):
        assert methods.defaults(cube, name) == {"D": 1.0, "time": 10.0, "steps": 100,
                                                "order": 2}


def test_build_options_over_defaults(prob):
    a = methods.build(prob, "qhd", {"steps": 30, "time": None})
    assert isinstance(a, Anneal) and a.steps == 30 and a.time == 10.0
    r = methods.build(prob, "real-time", {"D": 0.7})
    assert isinstance(r, RealTime) and r.hamiltonian.D == 0.7
    i = methods.build(prob, "imaginary", backend="aer")
    assert isinstance(i, ImaginaryTime) and i.steps == 200
    t = methods.build(prob, "two-loop", {"D": 0.2, "levels": 3})
    assert t.D0 == 0.2 and t.levels == 3
    with pytest.raises(ParameterError, match="not both"):
        methods.build(prob, "two-loop", {"D": 0.2, "D0": 0.1})
    with pytest.raises(ParameterError, match="'ratio' does not apply"):
        methods.build(prob, "anneal", {"ratio": 0.5})


def test_callers_build_the_same_spec(prob):
    from qdq.cli.common import build_spec
    from qdq.compare.ftcost import evolution_spec
    from qdq.minimize.stage import _spec

    ref = methods.build(prob, "anneal", {"steps": 40})
    cli = build_spec(prob, {"name": "anneal", "steps": 40}, "emulator")
    mini = _spec(prob, "anneal", {"steps": 40, "rounds": 3}, False)
    opts = methods.defaults(prob, "anneal") | {"steps": 40}
    ft = evolution_spec(prob, "anneal", opts)
    for s in (cli, mini, ft):
        assert (type(s), s.D, s.time, s.steps, s.order, s.schedule) == (
            type(ref), ref.D, ref.time, ref.steps, ref.order, ref.schedule)
    assert evolution_spec(prob, "two-loop", methods.defaults(prob, "two-loop")) is None


@pytest.mark.parametrize("args", [
    ["--objective", "x**2", "--bounds", "-1,1", "--qubits", "3", "--steps", "20"],
    ["--labs", "4", "--method", "qaoa"],                      # a binary problem too
])
def test_cli_solve_does_not_import_compare(tmp_path, args):
    code = textwrap.dedent(f"""
        import sys
        from typer.testing import CliRunner
        from qdq.cli import app
        res = CliRunner().invoke(app, ["solve", *{args!r}, "--backend", "emulator",
                                       "--no-save"])
        assert res.exit_code == 0, res.output
        print("compare" if "qdq.compare" in sys.modules else "clean")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "clean"
