"""Boundaries of the shared validators (qdq.validate): seeds and shot counts."""

import numpy as np
import pytest

import qdq
from qdq.errors import ParameterError
from qdq.validate import SEED_LIMIT, SHOTS_LIMIT, check_seed, check_shots


@pytest.mark.parametrize("seed", [0, 1, 2**63 - 1, np.int64(5), np.uint64(2**63 - 1)])
def test_valid_seeds_pass_as_python_ints(seed):
    out = check_seed(seed)
    assert out == int(seed) and type(out) is int


@pytest.mark.parametrize("seed", [-1, -5, 2**63, 2**64, 10**30, 1.0, 1.5, "3", True, False,
                                  np.uint64(2**63), [1]])
def test_invalid_seeds_are_refused_naming_the_value(seed):
    with pytest.raises(ParameterError, match="seed") as info:
        check_seed(seed)
    assert "got" in str(info.value)


@pytest.mark.parametrize("shots", [1, 4000, 2**63 - 1, np.int64(7)])
def test_valid_shots_pass(shots):
    assert check_shots(shots) == int(shots)


@pytest.mark.parametrize("shots", [0, -1, 1.5, 2**63, 2**64, 10**30, True, "10",
                                   np.uint64(2**63)])
def test_invalid_shots_are_refused_naming_the_value(shots):
    with pytest.raises(ParameterError, match="shots") as info:
        check_shots(shots)
    assert "got" in str(info.value)


def test_limits_are_the_signed_64_bit_range():
    assert SEED_LIMIT == SHOTS_LIMIT == 2**63
    # What the limit protects: numpy's samplers take an int64 count.
    rng = np.random.default_rng(0)
    assert rng.binomial(SHOTS_LIMIT - 1, 0.0) == 0


@pytest.mark.parametrize("kwargs", [{"shots": 2**63}, {"shots": -1}, {"shots": 1.5},
                                    {"seed": 2**64}, {"seed": -5}])
@pytest.mark.parametrize("backend", ["emulator", "aer"])
def test_run_refuses_bad_shots_and_seeds_before_running(kwargs, backend):
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    spec = qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=1.0, steps=10**12)  # never runs
    with pytest.raises(ParameterError, match=str(next(iter(kwargs.values())))):
        qdq.run(spec, backend=backend, **kwargs)


@pytest.mark.parametrize("args, text", [
    (["--shots", str(2**63)], "got 9223372036854775808"),
    (["--shots", "-1"], "got -1"),
    (["--shots", "1.5"], "integer"),  # typer's own usage error (exit 2)
    (["--shots", "10", "--seed", str(2**64)], "got 18446744073709551616"),
    (["--backend", "aer", "-m", "anneal", "--steps", str(10**15)], "steps=1000000000000000"),
])
def test_solve_cli_refuses_numeric_flags_with_exit_code_2(args, text):
    import time

    from typer.testing import CliRunner

    from qdq.cli import app

    t0 = time.perf_counter()
    res = CliRunner().invoke(app, ["solve", "-f", "x**2", "-b", "-1,1", "-q", "3", *args])
    assert time.perf_counter() - t0 < 10
    assert res.exit_code == 2, res.output
    assert text in "".join(res.output.split()).replace("│", "") or \
        text in " ".join(res.output.split())
    assert "Traceback" not in res.output and isinstance(res.exception, SystemExit)
