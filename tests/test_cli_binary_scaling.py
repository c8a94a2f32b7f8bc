"""`qdq scaling --family …`: a binary TTS study from the command line, resumable."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qdq.cli import app

pytest.importorskip("dimod")


def test_binary_scaling_writes_reports_and_resumes(tmp_path):
    args = ["scaling", "--family", "maxcut3", "--sizes", "6,8", "--methods", "greedy",
            "--reads", "10", "--store", str(tmp_path / "s.sqlite3"), "--out",
            str(tmp_path / "out"), "--no-figures", "--json"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert data["run_info"]["computed_cells"] > 0 and data["run_info"]["reused_cells"] == 0
    fits = {f["method"]: f for f in data["fits"]}
    # exhaustive search costs 2^n: its fitted base is exactly 2
    assert fits["exact"]["base"] == pytest.approx(2.0)
    text = (tmp_path / "out" / "scaling.md").read_text()
    assert "| 8 | greedy |" in text and "Set-up cost" in text
    again = CliRunner().invoke(app, args)
    assert json.loads(again.output)["run_info"]["computed_cells"] == 0


def test_binary_scaling_refuses_an_unknown_family(tmp_path):
    res = CliRunner().invoke(app, ["scaling", "--family", "labz", "--sizes", "6",
                                   "--out", str(tmp_path), "--json"])
    assert res.exit_code != 0
    assert "labs" in json.loads(res.output)["error"]["message"]
