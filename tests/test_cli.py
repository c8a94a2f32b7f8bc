import json

import pytest
from typer.testing import CliRunner

from qdq.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _store(tmp_path, monkeypatch):
    monkeypatch.setenv("QDQ_STORE", str(tmp_path / "store.sqlite3"))


def test_solve_flags_writes_json_png_and_store(tmp_path):
    out = tmp_path / "res"
    res = runner.invoke(app, ["solve", "-f", "(x-0.5)**2", "-b", "-2,2", "-q", "5",
                              "-m", "imaginary-time", "-D", "0.01", "-t", "5", "-n", "50",
                              "--backend", "emulator", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["best_point"] == [0.5]
    assert summary["uniform_baseline"] == pytest.approx(1 / 32)
    assert summary["grid_argmin"] == [0.5]
    data = json.loads(open(summary["files"]["json"]).read())
    assert data["method"] == "imaginary-time"
    assert open(summary["files"]["png"], "rb").read(4) == b"\x89PNG"
    listing = runner.invoke(app, ["runs"])
    assert listing.exit_code == 0 and "solve" in listing.stdout


def test_solve_toml_file_with_overrides(tmp_path):
    cfg = tmp_path / "p.toml"
    cfg.write_text('[problem]\nobjective = "x**2 + y**2"\nbounds = [[-1, 1], [-1, 1]]\n'
                   'qubits = [3, 2]\n[method]\nname = "real-time"\nD = 0.2\ntime = 0.5\n'
                   'steps = 5\n[run]\nbackend = "emulator"\n')
    res = runner.invoke(app, ["solve", "--config", str(cfg), "--steps", "3", "--json",
                              "--no-save"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["problem"]["qubits"] == [3, 2]
    assert summary["method"] == "real-time"


def test_human_summary_shows_baselines():
    res = runner.invoke(app, ["solve", "-q", "4", "-m", "real-time", "-n", "4",
                              "--backend", "emulator", "--no-save"])
    assert res.exit_code == 0, res.output
    assert "uniform sampling 1/N per shot (baseline)" in res.stdout
    assert "exact grid argmin (baseline)" in res.stdout


@pytest.mark.parametrize(
    "args, match",
    [
        (["-b", "3,1"], "low=3 >= high=1"),
        (["-b", "1"], "'low,high'"),
        (["-q", "x"], "--qubits"),
        (["-m", "magic"], "unknown method 'magic'"),
        (["--backend", "aerr"], "did you mean aer"),
        (["-D", "-1"], "D must be"),
    ],
)
def test_bad_input_exit_code_2_with_message(args, match):
    res = runner.invoke(app, ["solve", "-q", "3", "-n", "2", "--no-save", *args])
    assert res.exit_code == 2
    assert match in res.output


def test_bad_config_file(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[problme]\nx = 1\n")
    res = runner.invoke(app, ["solve", "--config", str(cfg), "--no-save"])
    assert res.exit_code == 2 and "unknown table" in res.output
