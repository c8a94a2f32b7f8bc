"""The command line's polish: config validation, help defaults, JSON errors, listings."""

import json
import re

import pytest
from typer.testing import CliRunner

import qdq
from qdq.cli import app
from qdq.cli.common import build_spec
from qdq.compare.cells import quantum_distribution
from qdq.compare.methods import MethodSetting
from qdq.compare.metrics import SuccessCriterion
from qdq.evolution import Anneal
from qdq.store import Store

runner = CliRunner()
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# rich treats the CliRunner's output as a terminal of 80 columns (no colour codes matter).
TERMINAL_80 = {"TTY_COMPATIBLE": "1", "COLUMNS": "80", "NO_COLOR": "1"}


@pytest.fixture(autouse=True)
def _store(tmp_path, monkeypatch):
    monkeypatch.setenv("QDQ_STORE", str(tmp_path / "store.sqlite3"))


def _config(tmp_path, text):
    path = tmp_path / "p.toml"
    path.write_text(text)
    return str(path)


# ------------------------------------------------------------------ 1. unknown config keys
@pytest.mark.parametrize("text, table, key, hint", [
    ("[problem]\nqubit = 5\n", "[problem]", "'qubit'", "did you mean 'qubits'?"),
    ("[method]\nstpes = 5\n", "[method]", "'stpes'", "did you mean 'steps'?"),
    ("[run]\nbackned = 'aer'\n", "[run]", "'backned'", "did you mean 'backend'?"),
    ("[problme]\nqubits = 5\n", "[problme]", "unknown table", "did you mean 'problem'?"),
])
def test_unknown_config_key_refused_with_suggestion(tmp_path, text, table, key, hint):
    res = runner.invoke(app, ["solve", "--config", _config(tmp_path, text), "--no-save"])
    assert res.exit_code == 2, res.output
    assert table in res.stderr and key in res.stderr and hint in res.stderr
    assert isinstance(res.exception, SystemExit) and "Traceback" not in res.output


def test_unknown_config_key_under_json_is_json(tmp_path):
    res = runner.invoke(app, ["solve", "--config", _config(tmp_path, "[problem]\nqubit = 5\n"),
                              "--json", "--no-save"])
    assert res.exit_code == 2
    err = json.loads(res.stdout)["error"]
    assert err["type"] == "ParameterError" and "did you mean 'qubits'?" in err["message"]


def test_method_key_of_another_method_refused(tmp_path):
    cfg = _config(tmp_path, '[method]\nname = "real-time"\nschedule = "linear"\n')
    res = runner.invoke(app, ["solve", "--config", cfg, "--no-save", "-q", "3"])
    assert res.exit_code == 2
    assert "option 'schedule' does not apply to method 'real-time'" in res.stderr


def test_dims_without_benchmark_refused():
    res = runner.invoke(app, ["solve", "--dims", "2", "--no-save"])
    assert res.exit_code == 2 and "--dims applies to --benchmark only" in res.stderr


# ------------------------------------------------------------------ 2. --help shows defaults
def _option_blocks(help_text: str) -> dict[str, str]:
    blocks: dict[str, str] = {}
    name = None
    for line in help_text.splitlines():
        m = re.match(r"│ (--[\w-]+)", line)
        if m:
            name = m.group(1)
            blocks[name] = ""
        if name is not None:
            blocks[name] += line
    return blocks


@pytest.mark.parametrize("command", [["solve"], ["compare"], ["runs"]])
def test_help_states_every_default(command):
    res = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    blocks = _option_blocks(ANSI.sub("", res.stdout))
    assert len(blocks) >= 4
    missing = [n for n, text in blocks.items() if n != "--help" and "default" not in text]
    assert missing == []


# ------------------------------------------------------------------ 3. messages speak CLI
@pytest.mark.parametrize("args, match", [
    (["--shots", "-1"], "--shots must be 0 (exact probabilities) or a whole number of shots"),
    (["--seed", "-3", "--shots", "5"], "--seed must be a whole number >= 0, got -3"),
    (["-q", "0"], "--qubits takes counts >= 1 per dimension, got '0'"),
    (["-m", "anneall"], "unknown method 'anneall' (did you mean 'anneal'?)"),
])
def test_flag_errors_speak_cli(args, match):
    res = runner.invoke(app, ["solve", "-q", "3", "-n", "2", "--backend", "emulator",
                              "--no-save", *args])
    assert res.exit_code == 2, res.output
    assert match in res.stderr
    assert "None" not in res.stderr and "Traceback" not in res.output


def test_runs_show_unknown_id_speaks_cli():
    res = runner.invoke(app, ["runs", "show", "99"])
    assert res.exit_code == 2
    assert "no run with id 99" in res.stderr and "`qdq runs` lists" in res.stderr
    assert "Store()" not in res.stderr


# ------------------------------------------------------------------ 4. --json errors
@pytest.mark.parametrize("args, kind, match", [
    (["solve", "-q", "3", "--shots", "-1"], "ParameterError", "--shots must be 0"),
    (["solve", "--shots", "abc"], "UsageError", "--shots"),
    (["solve", "--no-such-flag"], "UsageError", "--no-such-flag"),
    (["compare", "--benchmark", "sumofsquares", "--methods", "dmcc", "--quiet"],
     "ParameterError", "unknown method 'dmcc'"),
    (["compare", "--benchmark", "sumofsquares", "--steps", "0", "--methods", "anneal"],
     "ParameterError", "--steps must be a whole number >= 1, got 0"),
    (["compare", "--repeats", "x"], "UsageError", "--repeats"),
    (["runs", "show", "7"], "StoreError", "no run with id 7"),
    (["runs", "--limit", "0"], "ParameterError", "--limit must be"),
    (["jobs", "status", "qdq-nope"], "StoreError", "qdq-nope"),
    (["jobs", "list", "--limit", "x"], "UsageError", "--limit"),
    (["submit", "--backend", "fake_torino", "-q", "0", "--report-only"], "ParameterError",
     "--qubits"),
])
def test_errors_under_json_are_json_exit_2(tmp_path, args, kind, match):
    res = runner.invoke(app, [*args, "--json", "--no-save"] if args[0] == "solve"
                        else [*args, "--json"])
    assert res.exit_code == 2, res.output
    err = json.loads(res.stdout)["error"]
    assert err["type"] == kind and match in err["message"]


def test_compare_json_success(tmp_path):
    res = runner.invoke(app, ["compare", "--benchmark", "sumofsquares", "-q", "3", "--methods",
                              "random", "--repeats", "2", "--budget", "5", "--no-figures",
                              "--out", str(tmp_path / "c"), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["methods"] == ["random", "grid-argmin"]
    assert out["files"]["report"].endswith("report.md")


# ------------------------------------------------------------------ 5. runs, show, listings
def _solve(tmp_path, *extra):
    res = runner.invoke(app, ["solve", "-q", "4", "-n", "10", "--backend", "emulator",
                              "--out", str(tmp_path / "res"), *extra])
    assert res.exit_code == 0, res.output
    return res


def test_solve_prints_store_path_and_runs_show(tmp_path):
    res = _solve(tmp_path)
    store = str(tmp_path / "store.sqlite3")
    line = next(ln for ln in res.stdout.splitlines() if ln.startswith("saved run"))
    assert line.startswith(f"saved run 1 to {store}; files: ") and line.endswith(".png")
    listing = runner.invoke(app, ["runs"])
    assert listing.exit_code == 0
    row = next(ln for ln in listing.stdout.splitlines() if ln.strip().startswith("1 "))
    assert "anneal" in row and "emulator" in row and "solve" in row
    shown = runner.invoke(app, ["runs", "show", "1"])
    assert shown.exit_code == 0, shown.output
    assert "[problem]" in shown.stdout and "p_global_min" in shown.stdout
    assert f"store: {store}" in shown.stdout and ".json" in shown.stdout
    data = json.loads(runner.invoke(app, ["runs", "show", "1", "--json"]).stdout)
    assert data["id"] == 1 and data["params"]["method"]["steps"] == 10
    assert data["store"] == store and data["result"]["files"]["png"].endswith(".png")
    rows = json.loads(runner.invoke(app, ["runs", "--json"]).stdout)
    assert [(r["id"], r["method"], r["backend"]) for r in rows] == [(1, "anneal", "emulator")]


def test_runs_fit_80_columns_one_line_per_run(tmp_path):
    store = Store(tmp_path / "store.sqlite3")
    long = "0.3*x**4 - x**2 + 0.2*x + 0.01*sin(40*x) + 0.001*cos(70*x) + 0.5*x**6 " * 2
    for i in range(3):
        store.add_run("solve", {"method": {"name": "imaginary-time"},
                                "run": {"backend": "pennylane-lightning-qubit"}},
                      {"p_global_min": 0.123456 * i}, label=f"{long} {i}")
    res = runner.invoke(app, ["runs"], env=TERMINAL_80)
    assert res.exit_code == 0
    lines = ANSI.sub("", res.stdout).splitlines()
    assert max(len(ln) for ln in lines) <= 80
    rows = [ln for ln in lines if re.match(r"\s*\d+\s+\d\d-\d\d \d\d:\d\d", ln)]
    assert [r.split()[0] for r in rows] == ["3", "2", "1"]  # each run: exactly one line
    assert all("imaginary" in r and "2469" in rows[0] and r.rstrip().endswith("…") for r in rows)
    wide = runner.invoke(app, ["runs", "--wide"], env=TERMINAL_80)
    assert long.strip() in ANSI.sub("", wide.stdout)


def test_jobs_list_fits_80_columns_short_ids(tmp_path):
    store = Store(tmp_path / "store.sqlite3")
    ids = [store.create_job("fake_sherbrooke_with_a_long_name", {"qasm": "OPENQASM 3;"},
                            {"shots": 4000, "method": "imaginary-time"}) for _ in range(3)]
    for jid in ids:
        store.attach_provider_job(jid, "d1" + "a" * 30)
    res = runner.invoke(app, ["jobs", "list"], env=TERMINAL_80)
    assert res.exit_code == 0, res.output
    lines = ANSI.sub("", res.stdout).splitlines()
    assert max(len(ln) for ln in lines) <= 80
    rows = [ln for ln in lines if "qdq-" in ln]
    assert len(rows) == 3  # one line per job
    assert {r.split()[0] for r in rows} == {jid[:12] for jid in ids}  # qdq- + 8 hex digits
    wide = ANSI.sub("", runner.invoke(app, ["jobs", "list", "--wide"], env=TERMINAL_80).stdout)
    assert all(jid in wide for jid in ids) and "d1" + "a" * 30 in wide


# ------------------------------------------------------------------ 6. one set of defaults
@pytest.fixture(scope="module")
def rastrigin5():
    return qdq.Problem(qdq.benchmarks.get("rastrigin", 2), qubits=5)


def test_solve_and_compare_build_the_same_anneal(rastrigin5):
    solve_spec = build_spec(rastrigin5, {"name": "anneal"}, "emulator")
    compare_spec = Anneal(rastrigin5, **MethodSetting("anneal").options_for(
        rastrigin5.grid.bounds))
    assert solve_spec.to_dict() == compare_spec.to_dict()
    d = solve_spec.to_dict()
    assert (d["D"], d["time"], d["steps"], d["order"]) == pytest.approx(
        (0.5 * 10.24**2, 10.0, 10_000, 1))
    # circuit backends keep D, time, schedule and order; only the step count is capped
    aer = build_spec(rastrigin5, {"name": "anneal"}, "aer").to_dict()
    assert {k: v for k, v in aer.items() if k != "steps"} == \
        {k: v for k, v in d.items() if k != "steps"}
    assert aer["steps"] == 400


def test_solve_and_compare_get_the_same_p_global_min(rastrigin5):
    res = runner.invoke(app, ["solve", "--benchmark", "rastrigin", "--dims", "2", "-q", "5",
                              "--backend", "emulator", "--json", "--no-save"])
    assert res.exit_code == 0, res.output
    solve_pgm = json.loads(res.stdout)["p_global_min"]
    crit = SuccessCriterion((0.0, 0.0), 0.5, 0.0, None)
    compare_pgm = quantum_distribution(rastrigin5, MethodSetting("anneal"), crit)["p_global_min"]
    assert solve_pgm == pytest.approx(compare_pgm, rel=1e-5)
    assert solve_pgm > 0.8  # the converged anneal (it was 0.017 with solve's old defaults)


def test_solve_prints_steps_used_on_circuit_backends():
    res = runner.invoke(app, ["solve", "-q", "3", "--no-save"])
    assert res.exit_code == 0, res.output
    assert "steps=400" in res.stdout and "qdq compare use 10000" in res.stdout
    assert "uniform sampling 1/N per shot (baseline)" in res.stdout
    explicit = runner.invoke(app, ["solve", "-q", "3", "-n", "5", "--no-save"])
    assert "steps=5" in explicit.stdout and "capped" not in explicit.stdout


def test_runs_skips_a_damaged_row_with_a_warning(tmp_path):
    import sqlite3

    store = Store(tmp_path / "store.sqlite3")
    for n in range(3):
        store.add_run("solve", {"method": {"name": "anneal"}, "run": {"backend": "aer"}},
                      {"p_global_min": 0.1 * n}, label=f"run{n}")
    with sqlite3.connect(tmp_path / "store.sqlite3") as conn:
        conn.execute("UPDATE runs SET result = '{not json' WHERE id = 2")
    res = runner.invoke(app, ["runs", "--json"])
    assert res.exit_code == 0, res.output
    assert [r["id"] for r in json.loads(res.stdout)] == [3, 1]
    assert "warning: skipped run 2" in res.stderr and "Traceback" not in res.output
