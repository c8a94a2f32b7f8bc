"""Hostile objective strings are refused, quickly, and nothing in them ever runs.

Each payload that could have a side effect would create the file ``SENTINEL`` (the
placeholder is replaced by a path in ``tmp_path``); the tests assert that file never
appears, through the Python API and through every command that takes an objective.
"""

import time

import pytest
from typer.testing import CliRunner

import qdq
from qdq.cli import app
from qdq.errors import ProblemError

HOSTILE = [
    # code execution through builtins
    "__import__('os').system('touch SENTINEL')",
    "x**2 + 0*__import__('os').system('touch SENTINEL')",
    "open('SENTINEL', 'w')",
    "x + 0*len(open('SENTINEL', 'w').name)",
    "eval(\"open('SENTINEL', 'w')\")",
    "exec(\"open('SENTINEL', 'w')\")",
    "compile(\"open('SENTINEL', 'w')\", 'f', 'eval')",
    "breakpoint()",
    "globals()['__builtins__']",
    "__builtins__",
    # object-graph escapes
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__.__mro__[-1].__subclasses__()",
    "getattr(__builtins__, 'open')('SENTINEL', 'w')",
    "(lambda: open('SENTINEL', 'w'))()",
    "[open('SENTINEL', 'w') for _ in (1,)]",
    "{k: open('SENTINEL', 'w') for k in (1,)}",
    "{open('SENTINEL', 'w')}",
    "sum(open('SENTINEL', 'w') for _ in (1,))",
    "sin(*[open('SENTINEL', 'w')])",
    "max(**{'a': open('SENTINEL', 'w')})",
    "sin(x=1)",
    "f\"{open('SENTINEL', 'w')}\"",
    "(y := open('SENTINEL', 'w'))",
    "x if open('SENTINEL', 'w') else x",
    "x if x else x",
    "x and open('SENTINEL', 'w')",
    # sympy's own evaluating entry points
    "sympy.core.sympify.sympify(\"open('SENTINEL', 'w')\")",
    "sympify(\"open('SENTINEL', 'w')\")",
    "S(\"open('SENTINEL', 'w')\")",
    "parse_expr(\"open('SENTINEL', 'w')\")",
    "Symbol('a')",
    "Function('f')(x)",
    "Lambda(x, x)",
    "N(x)",
    "Float('1e10')",
    # plain data that is not an expression
    "'SENTINEL'",
    "b'SENTINEL'",
    "x[0]",
    "x.real",
    "[x]",
    "{}",
    "(x, x)",
    "x < 1",
    "True",
    "None",
    "1j",
    "...",
    "x | 1",
    "x & 1",
    "~x",
    "x << 2",
    "x % 2",
    "x // 2",
    "x @ x",
    "not x",
    "x; __import__('os').system('touch SENTINEL')",
    "x\n__import__('os').system('touch SENTINEL')",
    # resource exhaustion
    "9**9**9**9",
    "10**10**10**10",
    "2**10**10",
    "(10**300)**4",
    "x**(10**6)",
    "1" * 400,
    "(" * 200 + "x" + ")" * 200,
    "sin(" * 150 + "x" + ")" * 150,
    "-" * 5000 + "x",
    "x" + "+x" * 4000,
    "x" * 1_000_000,
]


@pytest.fixture
def sentinel(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative paths in a payload would land here too
    monkeypatch.setenv("QDQ_STORE", str(tmp_path / "store.sqlite3"))
    path = tmp_path / "pwned"
    yield path
    assert not path.exists(), "a hostile objective created the sentinel file"
    assert not (tmp_path / "SENTINEL").exists()


def _payload(text: str, sentinel) -> str:
    return text.replace("SENTINEL", str(sentinel))


def test_table_is_large_and_distinct():
    assert len(HOSTILE) >= 25 and len(set(HOSTILE)) == len(HOSTILE)


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: t[:40])
def test_api_refuses_without_side_effect(text, sentinel):
    with pytest.raises(ProblemError) as info:
        qdq.Problem(_payload(text, sentinel), bounds=[(-1, 1)], qubits=3)
    message = str(info.value)
    assert "objective" in message
    assert len(message) < 1000  # a 1e6-character payload is shortened, not echoed


def test_whole_table_is_refused_fast(sentinel):
    start = time.perf_counter()
    for text in HOSTILE:
        with pytest.raises(ProblemError):
            qdq.Problem(_payload(text, sentinel), bounds=[(-1, 1), (-1, 1)], qubits=2)
    assert time.perf_counter() - start < 5.0


def test_refusals_name_the_piece_and_column(sentinel):
    with pytest.raises(ProblemError, match=r"attribute access: \"__import__\('os'\)\.system\" "
                                           r"at column 10"):
        qdq.Problem("x**2 + 0*__import__('os').system('id')", bounds=[(-1, 1)])
    with pytest.raises(ProblemError, match=r"calls 'open\(\.\.\.\)' at column 5, which is "
                                           "not allowed"):
        qdq.Problem("x + open('f', 'w')", bounds=[(-1, 1)])
    with pytest.raises(ProblemError, match=r"has the exponent 387420489 .*'9\*\*9\*\*9' at "
                                           "column 4"):
        qdq.Problem("9**9**9**9", bounds=[(-1, 1)])
    with pytest.raises(ProblemError, match="longer than 10000 characters"):
        qdq.Problem("x" * 1_000_000, bounds=[(-1, 1)])


# A selection for the command-line paths: code execution, an escape, a bomb, a keyword call,
# a deep nest.
CLI_PAYLOADS = [
    "x**2 + 0*__import__('os').system('touch SENTINEL')",
    "x + 0*len(open('SENTINEL', 'w').name)",
    "().__class__.__bases__[0].__subclasses__()",
    "9**9**9**9",
    "sympify(\"open('SENTINEL', 'w')\")",
    "(" * 200 + "x" + ")" * 200,
]


def _assert_clean_refusal(res):
    assert res.exit_code == 2, res.output
    assert isinstance(res.exception, SystemExit)  # no uncaught exception inside the command
    assert "error:" in res.output and "objective" in res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize("text", CLI_PAYLOADS, ids=lambda t: t[:40])
def test_solve_flag_refuses(text, sentinel):
    res = CliRunner().invoke(app, ["solve", "-f", _payload(text, sentinel), "-b", "-1,1",
                                   "-q", "3", "-n", "2", "--backend", "emulator", "--no-save"])
    _assert_clean_refusal(res)


@pytest.mark.parametrize("text", CLI_PAYLOADS, ids=lambda t: t[:40])
def test_solve_config_file_refuses(text, sentinel, tmp_path):
    cfg = tmp_path / "p.toml"
    # A TOML literal string ('''...''') keeps quotes and backslashes as they are.
    cfg.write_text(f"[problem]\nobjective = '''{_payload(text, sentinel)}'''\n"
                   "bounds = [[-1, 1]]\nqubits = 3\n[run]\nbackend = \"emulator\"\n")
    res = CliRunner().invoke(app, ["solve", "--config", str(cfg), "-n", "2", "--no-save"])
    _assert_clean_refusal(res)


@pytest.mark.parametrize("text", CLI_PAYLOADS, ids=lambda t: t[:40])
def test_compare_refuses(text, sentinel, tmp_path):
    res = CliRunner().invoke(app, ["compare", "-f", _payload(text, sentinel), "-b", "-1,1",
                                   "-q", "3", "--methods", "random", "--repeats", "1",
                                   "--quiet", "--out", str(tmp_path / "cmp")])
    _assert_clean_refusal(res)
    assert not (tmp_path / "cmp").exists()


@pytest.mark.parametrize("text", CLI_PAYLOADS, ids=lambda t: t[:40])
def test_submit_report_only_refuses(text, sentinel, tmp_path):
    res = CliRunner().invoke(app, ["submit", "--backend", "fake_manila", "--report-only",
                                   "-f", _payload(text, sentinel), "-b", "-1,1", "-q", "3",
                                   "-m", "real-time", "-n", "1",
                                   "--store", str(tmp_path / "jobs.sqlite3")])
    _assert_clean_refusal(res)


def test_cli_still_accepts_a_plain_objective(sentinel, tmp_path):
    """The refusals above are not an artefact of the command lines themselves."""
    res = CliRunner().invoke(app, ["solve", "-f", "x^2 + 0.1*sin(3*x)", "-b", "-1,1", "-q", "3",
                                   "-m", "real-time", "-n", "2", "--backend", "emulator",
                                   "--no-save", "--json"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(app, ["submit", "--backend", "fake_manila", "--report-only",
                                   "-f", "x^2", "-b", "-1,1", "-q", "3", "-m", "real-time",
                                   "-n", "1", "--json", "--store", str(tmp_path / "j.sqlite3")])
    assert res.exit_code == 0, res.output
