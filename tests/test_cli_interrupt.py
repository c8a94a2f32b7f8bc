"""Ctrl-C during ``qdq solve`` ends with a one-line message and exit status 130."""

from typer.testing import CliRunner

import qdq.cli.solve as solve_mod
from qdq.cli import app


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_solve_interrupted_is_a_clean_exit(monkeypatch, tmp_path):
    monkeypatch.setenv("QDQ_STORE", str(tmp_path / "store.sqlite3"))
    monkeypatch.setattr(solve_mod, "_run_with_progress", _interrupt)
    out = CliRunner().invoke(app, ["solve", "-q", "3", "-n", "2", "--backend", "emulator",
                                   "--out", str(tmp_path / "res")])
    assert out.exit_code == 130
    assert "interrupted" in out.stderr and "Traceback" not in out.output
    assert not (tmp_path / "res").exists() or not any((tmp_path / "res").iterdir())


def test_solve_interrupted_json(monkeypatch, tmp_path):
    import json

    monkeypatch.setenv("QDQ_STORE", str(tmp_path / "store.sqlite3"))
    monkeypatch.setattr(solve_mod, "_run_with_progress", _interrupt)
    out = CliRunner().invoke(app, ["solve", "-q", "3", "-n", "2", "--backend", "emulator", "--json",
                                   "--out", str(tmp_path / "res")])
    assert out.exit_code == 130
    assert "interrupted" in json.loads(out.stdout)["error"]["message"]
