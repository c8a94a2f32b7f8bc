"""The learned-schedule benchmark charges its training cost beside the gain, and notebook 07
(stored executed, reduced size) agrees with docs/learned_schedules.md on where the full-size
numbers come from."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.scripts import load_script

pytest.importorskip("jax")
pytest.importorskip("optax")

ROOT = Path(__file__).resolve().parents[2]
COMMAND = ("OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/learned_schedules.py "
           "--json learned.json")


def _bench():
    return load_script("bench/learned_schedules.py", "learned_bench")


def test_grid_reads_count_every_evolution_on_its_whole_grid():
    bench = _bench()
    cost = {"evolutions": 41, "grid_points": 4096, "selection_evolutions": 2}
    out = bench.grid_reads(cost, check=1, train_points=4096, eval_points=65536)
    assert out["total"] == 41 * 4096 + 2 * 65536 + 4096
    assert out["text"].startswith("41×4096 + 2×65536 + 1×4096 = ")
    # no selection, no check: only the training evolutions
    assert bench.grid_reads({"evolutions": 3, "grid_points": 64}, check=0, train_points=64,
                            eval_points=256)["total"] == 192


def test_equal_time_preset_is_best_of_k_runs():
    bench = _bench()
    assert math.isclose(bench.equal_time(0.5, 3.0), 1 - 0.5**3)
    assert bench.equal_time(0.2, 0.5) == pytest.approx(0.2)  # never fewer than one run
    assert bench.equal_time(0.0, 10.0) == 0.0


def test_bench_prints_gain_cost_and_equal_time_preset(tmp_path, capsys):
    bench = _bench()
    out = tmp_path / "learned.json"
    assert bench.main(["--functions", "easom", "--train-qubits", "3", "--eval-qubits", "3",
                       "--train-steps", "20", "--eval-steps", "40", "--iterations", "2",
                       "--fine-steps", "0", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    header = next(line for line in text.splitlines() if line.startswith("| function"))
    for column in ("gain", "training cost", "ζ grid reads", "best of k"):
        assert column in header
    row = json.loads(out.read_text())["rows"][0]
    assert row["gain"] == pytest.approx(row["learned"]["success"] - row["cubic"]["success"])
    cost = row["training"]["cost"]
    assert row["grid_reads"] == (cost["evolutions"] * 64 + cost["selection_evolutions"] * 64
                                 + 64)  # + the fidelity check's one training-size evolution
    assert row["k_equal_time"] > 1  # training costs more than one preset run
    assert row["preset_equal_time"] >= row["cubic"]["success"]


def test_notebook_07_is_stored_executed_reduced_and_points_to_the_docs_command():
    nb = json.loads((ROOT / "notebooks" / "07_learned_schedules.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    printing = [c for c in code if "print(" in "".join(c["source"])]
    assert printing and all(c.get("outputs") for c in printing), "store the notebook executed"
    printed = "".join("".join(o.get("text", "")) for c in code for o in c["outputs"])
    assert "REDUCED" in printed and COMMAND in printed
    markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert COMMAND in markdown and "docs/learned_schedules.md" in markdown
    docs = (ROOT / "docs" / "learned_schedules.md").read_text()
    assert COMMAND in docs
    # the docs' table is the bench's printed table: same columns, gain beside the cost
    assert "| function | qhd-cubic | learned | gain | training cost (charged) |" in docs
