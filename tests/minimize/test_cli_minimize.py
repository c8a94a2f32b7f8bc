"""`qdq minimize` on the command line: flags, the TOML file, exit codes."""

import json

import pytest
from typer.testing import CliRunner

from qdq.cli import app

RUN = CliRunner()


def _json(args):
    out = RUN.invoke(app, ["minimize", *args, "--json", "--seed", "1", "--steps", "200",
                           "--max-stages", "3"])
    return out.exit_code, json.loads(out.stdout)


def test_flags_with_a_constraint():
    code, data = _json(["-f", "(x - 1)**2 + (y - 2)**2", "-b", "-2,2;-2,2.5",
                        "-s", "x + y <= 1"])
    assert code == 0 and data["success"]
    assert abs(data["x"][0]) < 1e-6 and abs(data["x"][1] - 1) < 1e-6
    assert data["baselines"]["grid_argmin"]["nfev"] == 4096


def test_infeasible_exits_1():
    code, data = _json(["-f", "x + y", "-b", "-1,1;-1,1", "-s", "x + y >= 5"])
    assert code == 1 and not data["success"] and data["status"] == 2


def test_toml_file_and_qp(tmp_path):
    pytest.importorskip("highspy")
    from qdq.minimize import QuadraticProgram

    QuadraticProgram.from_arrays([[2, 0], [0, 2]], [-2, -4], A=[[1, 1]], b=[1],
                                 bounds=[(0, 2), (0, 2)]).write(tmp_path / "m.lp")
    cfg = tmp_path / "p.toml"
    cfg.write_text(f'[problem]\nqp = "{tmp_path / "m.lp"}"\n[method]\nname = "imaginary"\n'
                   '[run]\nbackend = "emulator"\nshots = 0\n[options]\nmax_stages = 2\n')
    code, data = _json(["-c", str(cfg)])
    assert code == 0 and data["method"] == "imaginary-time" and data["shots"] is None
    assert abs(data["fun"] - data["reference"]["fun"]) < 1e-7


def test_bad_config_key(tmp_path):
    cfg = tmp_path / "p.toml"
    cfg.write_text('[run]\nshot = 3\n')
    out = RUN.invoke(app, ["minimize", "-c", str(cfg), "--json"])
    assert out.exit_code == 2 and "unknown key 'shot'" in out.stdout


def test_text_output():
    out = RUN.invoke(app, ["minimize", "-f", "(x - 0.5)**2", "-b", "-1,1", "--seed", "0",
                           "--steps", "100", "--max-stages", "2"])
    assert out.exit_code == 0, out.output
    assert "baseline uniform" in out.stdout and "polish" in out.stdout
