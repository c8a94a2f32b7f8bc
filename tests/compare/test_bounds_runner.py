"""Numeric limits of compare / suite / scaling, refused up front (issue 17).

Each refusal is a QdqError naming the value (CLI: exit code 2, no traceback) and comes
before any allocation: ``repeats = 10**9`` used to build a 10⁹-seed tuple, ``budget =
10**15`` to ask numpy for 7 PiB.
"""

import time

import pytest
from typer.testing import CliRunner

import qdq
from qdq.compare.limits import MAX_REPEATS
from qdq.errors import ParameterError, QdqError, ResourceError

runner = CliRunner()


@pytest.fixture(autouse=True)
def _store(tmp_path, monkeypatch):
    monkeypatch.setenv("QDQ_STORE", str(tmp_path / "store.sqlite3"))


@pytest.fixture(scope="module")
def problem():
    return qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"repeats": 10**9}, ParameterError, "repeats must be <= 100,000.*got 1000000000"),
    ({"repeats": MAX_REPEATS + 1}, ParameterError, "got 100001"),
    ({"repeats": 0}, ParameterError, "repeats must be an integer >= 1, got 0"),
    ({"repeats": 2.5}, ParameterError, "got 2.5"),
    ({"seed": -5}, ParameterError, "seed must be a non-negative integer or None, got -5"),
    ({"seed": 2**64}, ParameterError, "got 18446744073709551616"),
    ({"seed": 2**63 - 1}, ParameterError, r"the last seed \(seed \+ repeats − 1"),
    ({"budget": 10**15}, ResourceError, "budget=1000000000000000 of method 'random'"),
    ({"budget": {"random": 10**15}}, ResourceError, "budget=1000000000000000"),
    ({"budget": -3}, ParameterError, "budget of method 'random' must be an integer >= 1, "
                                     "got -3"),
    ({"budget": 0}, ParameterError, "got 0"),
])
def test_compare_refuses_out_of_range_numbers_at_once(problem, kwargs, error, match):
    args = {"methods": ["random"], "repeats": 2, "budget": 10, "progress": False, **kwargs}
    t0 = time.perf_counter()
    with pytest.raises(error, match=match):
        qdq.compare(problem, **args)
    assert time.perf_counter() - t0 < 5


def test_budget_limit_follows_the_available_memory(problem, monkeypatch):
    import qdq.grid as grid_mod

    monkeypatch.setattr(grid_mod, "MEMORY_READERS", {"test": lambda: 1 << 20})
    with pytest.raises(ResourceError, match="budget=100000 .*smaller budget"):
        qdq.compare(problem, methods=["random"], repeats=1, budget=100_000, progress=False)


def test_the_largest_valid_seed_range_still_runs(problem):
    rep = qdq.compare(problem, methods=["random"], repeats=2, seed=2**63 - 2, budget=5,
                      progress=False)
    assert rep.meta["seeds"] == [2**63 - 2, 2**63 - 1]


BASE = ["compare", "-f", "x**2", "-b", "-1,1", "-q", "3", "--methods", "random",
        "--repeats", "2", "--budget", "5", "--no-figures", "--quiet"]


def _with(args, flag, value):
    args = list(args)
    if flag in args:
        args[args.index(flag) + 1] = value
    else:
        args += [flag, value]
    return args


@pytest.mark.parametrize("flag, value, text", [
    ("--seed", "-5", "got -5"),
    ("--seed", str(2**64), "got 18446744073709551616"),
    ("--repeats", str(10**9), "got 1000000000"),
    ("--repeats", "0", "got 0"),
    ("--budget", str(10**15), "budget=1000000000000000"),
    ("--budget", "-3", "got -3"),
    ("-b", "0,1e-300", "1e-300"),
    ("-b", "1,1", "low=1 >= high=1"),
    ("-b", "0,inf", "finite"),
    ("-b", "nan,1", "finite"),
])
def test_compare_cli_refuses_with_exit_code_2(tmp_path, flag, value, text):
    from qdq.cli import app

    args = _with(BASE, flag, value) + ["--out", str(tmp_path / "out")]
    t0 = time.perf_counter()
    res = runner.invoke(app, args)
    assert time.perf_counter() - t0 < 5
    assert res.exit_code == 2, res.output
    assert text in " ".join(res.output.split()) and "Traceback" not in res.output
    assert isinstance(res.exception, SystemExit)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("flag, value", [("--seed", "-5"), ("--repeats", str(10**9)),
                                         ("--budgets", str(10**15)),
                                         ("--seed", str(2**64))])
def test_scaling_cli_refuses_with_exit_code_2(tmp_path, flag, value):
    from qdq.cli import app

    args = ["scaling", "--functions", "sumofsquares", "--dims", "1", "--qubits", "3",
            "--methods", "random", "--repeats", "2", "--budgets", "5", "--no-figures",
            "--quiet", "--out", str(tmp_path / "s")]
    res = runner.invoke(app, _with(args, flag, value))
    assert res.exit_code == 2, res.output
    assert value in res.output.replace("\n", "") and "Traceback" not in res.output


def test_refusals_are_qdq_errors(problem):
    with pytest.raises(QdqError):
        qdq.compare(problem, methods=["random"], repeats=10**9, progress=False)
