"""Hostile input at the command line: damaged stores, strict JSON, escapes, tokens, paths.

Each test writes what an attacker or an accident could put in front of ``qdq`` (a store
row of the wrong type, a TOML name holding escape sequences or the IBM token, an
``--out`` that is a file) and checks the command fails cleanly or carries on, with
nothing dangerous reaching the terminal, a file name or stdout.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys

import pytest
from typer.testing import CliRunner

import qdq.redact as qredact
from qdq.cli import app
from qdq.redact import SECRET_ENV_VARS
from qdq.store import Store

runner = CliRunner()
SOLVE = ["solve", "--backend", "emulator", "--qubits", "4", "--steps", "10"]
TOKEN = "tokTOKENtokTOKEN-0123456789abcdef"  # long: hidden wherever it occurs
#: Escapes and controls a name may carry: OSC retitle, CSI colour/clear, C1 CSI, BEL,
#: backspace, DEL, bidi override and isolate.
ESCAPES = ["\x1b]0;pwned\x07", "\x1b[31m", "\x1b[2J", "\x9b31m", "\x08", "\x7f", "\u202e",
           "\u2067", "\x1bP", "\r"]
FORBIDDEN = set("\x1b\x07\x08\x7f\x9b\u202e\u2067\r")


def _refuse(token):
    raise ValueError(f"non-standard JSON token {token}")


def strict_json(text: str):
    """Parse as strict JSON: NaN / Infinity tokens raise."""
    return json.loads(text, parse_constant=_refuse)


@pytest.fixture(autouse=True)
def _env(tmp_path, monkeypatch):
    for name in SECRET_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(qredact, "_SAVED_ACCOUNTS", str(tmp_path / "no-accounts.json"))
    monkeypatch.setenv("QDQ_STORE", str(tmp_path / "store.sqlite3"))


def _store():
    return Store(os.environ["QDQ_STORE"])


def _loosen_runs():
    conn = sqlite3.connect(os.environ["QDQ_STORE"])
    with conn:  # a hand-made file: no column types, no NOT NULL
        conn.execute("ALTER TABLE runs RENAME TO old")
        conn.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, created, kind, "
                     "label, params, result)")
        conn.execute("INSERT INTO runs SELECT * FROM old")
        conn.execute("DROP TABLE old")
    return conn


# ------------------------------------------------------------------ damaged store rows
DAMAGE = [("params", '"a string"'), ("result", '{"files": 3, "shots": "many"}'),
          ("result", "[1]"), ("params", "[" * 100_000 + "]" * 100_000), ("params", "{nope"),
          ("result", None), ("kind", None), ("created", 17), ("label", 3.5),
          ("params", '{"method": {"name": 5}, "run": "aer"}'),
          ("result", '{"p_global_min": "high", "method": [1], "files": {"json": 1}}'),
          ("result", '{"big": "' + "x" * 2_000_000 + '"}')]


@pytest.mark.parametrize("column, value", DAMAGE)
def test_one_damaged_run_never_hides_the_others(column, value):
    store = _store()
    ids = [store.add_run("solve", {"method": {"name": "anneal"}}, {"p_global_min": 0.5},
                         label=f"good{i}") for i in range(3)]
    conn = _loosen_runs()
    with conn:
        conn.execute(f"UPDATE runs SET {column} = ? WHERE id = ?", (value, ids[1]))
    conn.close()
    try:
        store.get_run(ids[1])
        valid = True  # free-form fields of odd types: a valid row that must still print
    except Exception:  # noqa: BLE001 - the row is damaged
        valid = False
    for args in (["runs"], ["runs", "--wide"], ["runs", "--json"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
        assert res.exception is None or isinstance(res.exception, SystemExit)
        assert "good0" in res.stdout and "good2" in res.stdout
        if not valid:
            assert f"warning: skipped run {ids[1]}" in res.stderr
    strict_json(runner.invoke(app, ["runs", "--json"]).stdout)
    res = runner.invoke(app, ["runs", "show", str(ids[1])])
    assert res.exit_code == (0 if valid else 2), res.output
    assert "Traceback" not in res.output and (valid or "error:" in res.stderr)
    res = runner.invoke(app, ["runs", "show", str(ids[1]), "--json"])
    assert res.exit_code == (0 if valid else 2)
    strict_json(res.stdout)


@pytest.mark.parametrize("number", [str(2**63), str(-(2**63) - 1), str(10**30)])
def test_ids_and_limits_past_sqlite_range_exit_2(number):
    _store().add_run("solve", {}, {})
    for args in (["runs", "show", "--", number], ["runs", f"--limit={number}"],
                 ["jobs", "list", f"--limit={number}"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 2, (args, res.output)
        assert "error:" in res.stderr and "Traceback" not in res.output
        res = runner.invoke(app, [*args[:2], "--json", *args[2:]])
        assert res.exit_code == 2
        assert strict_json(res.stdout)["error"]["type"] == "ParameterError"


# ------------------------------------------------------------------ strict JSON output
def test_json_output_has_no_nan_or_infinity_tokens():
    store = _store()
    rid = store.add_run("solve", {"D": float("nan")},
                        {"p_global_min": float("nan"), "gain": float("inf"),
                         "nested": {"x": [float("-inf")]}})
    listed = strict_json(runner.invoke(app, ["runs", "--json"]).stdout)
    assert listed[0]["p_global_min"] is None
    shown = strict_json(runner.invoke(app, ["runs", "show", str(rid), "--json"]).stdout)
    assert shown["result"]["gain"] is None and shown["result"]["nested"] == {"x": [None]}
    res = runner.invoke(app, [*SOLVE, "--json", "--no-save"])
    assert res.exit_code == 0 and strict_json(res.stdout)["p_global_min"] > 0


@pytest.mark.parametrize("args", [
    ["runs", "--limit", "abc"], ["runs", "--no-such-flag"], ["runs", "show", "abc"],
    ["jobs", "list", "--limit", "x"], ["jobs", "--no-such-flag"],
    ["solve", "--benchmark", "no-such-function", "--no-save"],
    ["solve", "--qubits", "x", "--no-save"], ["solve", "--time", "soon", "--no-save"],
    ["solve", "--method", "nonsense", "--no-save"],
])
def test_usage_errors_under_json_are_json(args):
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 2, res.output
    assert "error" in strict_json(res.stdout)


# ------------------------------------------------------------------ escapes and tokens
def _toml(tmp_path, name: str) -> str:
    path = tmp_path / "p.toml"
    path.write_text(f"[problem]\nname = {json.dumps(name)}\nobjective = \"x**2\"\n"
                    "bounds = [[-1, 1]]\n", encoding="utf-8")
    return str(path)


def test_control_characters_never_reach_the_terminal(tmp_path):
    name = "well" + "".join(ESCAPES) + "end"
    out = tmp_path / "out"
    res = runner.invoke(app, [*SOLVE, "--config", _toml(tmp_path, name), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "well" in res.stdout and not FORBIDDEN & set(res.stdout)
    rid = _store().list_runs()[0]["id"]
    for args in (["runs"], ["runs", "--wide"], ["runs", "show", str(rid)]):
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
        assert "well" in res.stdout and not FORBIDDEN & set(res.stdout), args
    # a label written straight into the store (not through qdq) is cleaned too
    _store().add_run("solve", {}, {}, label="x\x1b]8;;http://evil\x1b\\y\u2066z")
    res = runner.invoke(app, ["runs", "--wide"])
    assert not FORBIDDEN & set(res.stdout)
    assert all(" " <= ch or ch == "\n" for ch in res.stdout)
    assert {p.suffix for p in out.iterdir()} == {".json", ".png"}
    assert all(not FORBIDDEN & set(p.name) for p in out.iterdir())


@pytest.mark.parametrize("source", ["env", "saved account"])
def test_a_token_in_the_name_is_redacted_everywhere(tmp_path, monkeypatch, source):
    if source == "env":
        monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)
    else:
        accounts = tmp_path / "qiskit-ibm.json"
        accounts.write_text(json.dumps({"default-ibm-quantum-platform": {
            "channel": "ibm_quantum_platform", "token": TOKEN}}))
        monkeypatch.setattr(qredact, "_SAVED_ACCOUNTS", str(accounts))
    out = tmp_path / "out"
    cfg = _toml(tmp_path, f"leak {TOKEN} here")
    for extra in ([], ["--json"]):
        res = runner.invoke(app, [*SOLVE, "--config", cfg, "--out", str(out), *extra])
        assert res.exit_code == 0, res.output
        assert TOKEN not in res.output and "***" in res.stdout
    for path in out.iterdir():
        assert TOKEN not in path.name
        assert path.suffix == ".png" or TOKEN not in path.read_text()
    for args in (["runs"], ["runs", "--wide"], ["runs", "--json"],
                 ["runs", "show", str(_store().list_runs()[0]["id"])]):
        assert TOKEN not in runner.invoke(app, args).output
    assert TOKEN.encode() not in open(os.environ["QDQ_STORE"], "rb").read()


@pytest.mark.parametrize("length", [201, 10_000_000])
def test_names_longer_than_200_characters_are_refused(tmp_path, length):
    res = runner.invoke(app, [*SOLVE, "--config", _toml(tmp_path, "n" * length), "--no-save"])
    assert res.exit_code == 2, res.output[:500]
    assert "at most 200 characters" in res.stderr and len(res.stderr) < 1000
    ok = runner.invoke(app, [*SOLVE, "--config", _toml(tmp_path, "n" * 200), "--no-save"])
    assert ok.exit_code == 0, ok.output


# ------------------------------------------------------------------ --out that is wrong
def test_out_that_is_not_a_usable_folder_says_why(tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("keep me")
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "missing" / "dir")
    for out, why in ((a_file, "exists and is not a directory"),
                     (dangling, "dangling symbolic link")):
        res = runner.invoke(app, [*SOLVE, "--out", str(out)])
        assert res.exit_code == 2, res.output
        assert why in res.stderr and "no free result file name" not in res.stderr
    assert a_file.read_text() == "keep me" and not (tmp_path / "missing").exists()


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="permission bits do not bind root")
def test_out_that_is_not_writable_says_so(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        res = runner.invoke(app, [*SOLVE, "--out", str(locked)])
        assert res.exit_code == 2 and "not writable" in res.stderr, res.output
    finally:
        locked.chmod(0o700)
