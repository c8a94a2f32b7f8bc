"""`qdq solve` on binary problems: every source flag, QAOA, saving, and clean refusals.

Each run is checked against a brute force written here, independent of qdq: the printed
optimum is the true minimum, and the printed best bitstring (x0 x1 … left to right)
attains it.
"""

from __future__ import annotations

import itertools
import json

import pytest
from typer.testing import CliRunner

from qdq.cli import app

BASE = ["solve", "--backend", "emulator", "--steps", "60", "--json"]


def _solve(*args: str):
    return CliRunner().invoke(app, [*BASE, *args])


def _bits(n: int):
    return list(itertools.product((0, 1), repeat=n))


def _check(res, n: int, f) -> dict:
    """The run succeeded, its optimum is brute force's and its best bitstring attains it."""
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    best = min(f(x) for x in _bits(n))
    assert s["exact_optimum"] == pytest.approx(best, abs=1e-9)
    x = tuple(int(c) for c in s["bitstring"])
    assert len(x) == n and f(x) == pytest.approx(best, abs=1e-9)
    assert s["best_energy"] == pytest.approx(best, abs=1e-9)
    assert s["p_ground_state"] > 1.5 * sum(f(y) == best for y in _bits(n)) / 2**n  # moved
    assert s["problem"]["kind"] == "binary"
    return s


def test_binary_string():
    f = lambda x: x[0] * x[1] - 2 * x[2] + x[0] - 0.5 * x[1] * x[3]  # noqa: E731
    _check(_solve("--binary", "x0*x1 - 2*x2 + x0 - 0.5*x1*x3"), 4, f)


def test_qubo_matrix_file(tmp_path):
    Q = [[1, -2, 0], [0, -1, 3], [0, 0, -2]]
    path = tmp_path / "q.txt"
    path.write_text("\n".join(" ".join(map(str, r)) for r in Q) + "\n")
    f = lambda x: sum(Q[i][j] * x[i] * x[j] for i in range(3) for j in range(3))  # noqa: E731
    _check(_solve("--qubo", str(path)), 3, f)


def test_lp_file(tmp_path):
    pytest.importorskip("highspy")
    path = tmp_path / "m.lp"
    path.write_text("Minimize\n obj: x + y - z + [ -6 x * y ] / 2\nBinaries\n x y z\nEnd\n")
    _check(_solve("--lp", str(path)), 3, lambda x: x[0] + x[1] - x[2] - 3 * x[0] * x[1])


def test_maxcut_edge_list(tmp_path):
    edges = [(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0), (2, 3, 2.0), (3, 4, 1.0)]
    path = tmp_path / "g.txt"
    path.write_text("# i j w\n0 1\n1 2\n2 0 1\n2 3 2.0\n3 4\n")
    f = lambda x: -sum(w for i, j, w in edges if x[i] != x[j])  # noqa: E731
    _check(_solve("--maxcut", str(path)), 5, f)


def _labs(x):
    s = [2 * b - 1 for b in x]
    return sum(sum(s[i] * s[i + k] for i in range(len(s) - k)) ** 2 for k in range(1, len(s)))


def test_labs():
    _check(_solve("--labs", "5"), 5, _labs)


def test_qaoa_with_p_and_settings_line():
    res = CliRunner().invoke(app, ["solve", "--labs", "4", "--method", "qaoa", "--p", "3",
                                   "--backend", "emulator", "--no-save"])
    assert res.exit_code == 0, res.output
    assert "qaoa: p=3, delta=0.8" in res.stdout and "most probable bitstring" in res.stdout
    s = json.loads(CliRunner().invoke(app, ["solve", "--labs", "4", "--method", "qaoa",
                                            "--p", "3", "--delta", "0.2", "--backend",
                                            "emulator", "--json",
                                            "--no-save"]).stdout)
    assert s["method"] == "qaoa" and s["settings"]["p"] == 3 and s["settings"]["delta"] == 0.2
    assert s["exact_optimum"] == min(_labs(x) for x in _bits(4))


def test_tsp_matrix_file(tmp_path):
    d = [[0, 1, 5, 2], [4, 0, 1, 6], [2, 7, 0, 1], [1, 3, 8, 0]]  # asymmetric
    path = tmp_path / "d.txt"
    path.write_text("\n".join(" ".join(map(str, r)) for r in d) + "\n")
    res = _solve("--tsp", str(path), "--no-save")
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    best = min(sum(d[a][b] for a, b in zip((0, *t), (*t, 0), strict=True))
               for t in itertools.permutations(range(1, 4)))
    assert s["exact_optimum"] == pytest.approx(best) and len(s["bitstring"]) == 9


def test_toml_problem_and_save(tmp_path):
    cfg = tmp_path / "p.toml"
    cfg.write_text('[problem]\nlabs = 4\nname = "labs four"\n[method]\nsteps = 40\n'
                   '[run]\nbackend = "emulator"\n')
    out, store = tmp_path / "out", tmp_path / "s.sqlite3"
    res = CliRunner().invoke(app, ["solve", "--config", str(cfg), "--json", "--out", str(out),
                                   "--store", str(store)])
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    assert s["problem"]["name"] == "labs four" and s["settings"]["steps"] == 40
    saved = json.loads((out / s["files"]["json"].split("/")[-1]).read_text())
    assert saved["method"] == "anneal" and list(out.glob("*.png"))
    from qdq.store import Store

    assert len(Store(store).list_runs(limit=None)) == 1


@pytest.mark.parametrize(("args", "needle"), [
    (["--qubo", "no-such-file.txt"], "no such file"),
    (["--labs", "0"], "--labs takes a sequence length N >= 2, got 0"),
    (["--labs", "4", "--binary", "x0"], "one binary problem source, got labs, binary"),
    (["--labs", "4", "--objective", "x**2"], "cannot be combined with --objective"),
    (["--binary", "x0 +"], "x0 +"),
    (["--method", "qaoa", "--qubits", "3"], "binary problems"),
    (["--labs", "4", "--method", "qaoa", "--schedule", "linear"], "'schedule'"),
])
def test_bad_input_exit_2_one_line(args, needle):
    res = CliRunner().invoke(app, ["solve", "--backend", "emulator", "--no-save", *args])
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert err.startswith("error: ") and needle in err and "Traceback" not in res.output
    assert len(err.splitlines()) == 1


def test_lp_non_binary_variable(tmp_path):
    pytest.importorskip("highspy")
    path = tmp_path / "m.lp"
    path.write_text("Minimize\n obj: x + y\nBounds\n 0 <= y <= 3\nGenerals\n y\n"
                    "Binaries\n x\nEnd\n")
    res = CliRunner().invoke(app, ["solve", "--lp", str(path), "--no-save"])
    assert res.exit_code == 2 and "not binary" in res.stderr and "'y'" in res.stderr
