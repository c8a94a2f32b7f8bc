"""`qdq solve` saving: unique files under concurrency, and clean save failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qdq.store import Store

SOLVE = [sys.executable, "-c", "from qdq.cli import main; main()", "solve", "--backend",
         "emulator", "--qubits", "4", "--steps", "10"]


def _env(store: Path) -> dict[str, str]:
    env = dict(os.environ, QDQ_STORE=str(store), OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    for name in ("QISKIT_IBM_TOKEN", "IBM_QUANTUM_TOKEN", "QISKIT_IBM_INSTANCE"):
        env.pop(name, None)
    return env


def test_concurrent_solves_never_share_files(tmp_path):
    store, out = tmp_path / "qdq.sqlite3", tmp_path / "out"
    times = [0.5, 0.6, 0.7, 0.8, 0.9, 1.1]  # one distinct spec per process
    procs = [subprocess.Popen([*SOLVE, "--time", str(t), "--out", str(out), "--json"],
                              env=_env(store), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for t in times]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_stdout, stderr) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, stderr
    rows = Store(store).list_runs(limit=None)
    assert len(rows) == len(times)
    jsons = sorted(out.glob("*.json"))
    pngs = sorted(out.glob("*.png"))
    assert len(jsons) == len(pngs) == len(times)  # nothing overwritten
    assert not list(out.glob(".*"))  # no temp files left
    seen = set()
    for row in rows:
        files = row["result"]["files"]
        assert files["json"] not in seen
        seen.add(files["json"])
        assert Path(files["png"]).is_file()
        saved = json.loads(Path(files["json"]).read_text())
        want = row["params"]["method"]["time"]
        assert saved["spec"]["time"] == pytest.approx(want)  # the row's own result
    assert sorted(r["params"]["method"]["time"] for r in rows) == times
    # Each process reported the files it wrote.
    reported = {json.loads(o)["files"]["json"] for o, _ in outputs}
    assert reported == seen


def _solve(args: list[str], store: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*SOLVE, *args], env=_env(store), capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("as_json", [True, False])
def test_broken_store_prints_result_then_fails_cleanly(tmp_path, as_json):
    store = tmp_path / "qdq.sqlite3"
    store.write_bytes(b"garbage, not sqlite\n" * 50)
    args = ["--out", str(tmp_path / "out")] + (["--json"] if as_json else [])
    done = _solve(args, store)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "error: could not save the result (StoreError" in done.stderr
    assert str(store) in done.stderr and "QDQ_STORE" in done.stderr
    if as_json:
        summary = json.loads(done.stdout)  # the result is there, complete
        assert 0 < summary["p_global_min"] <= 1 and "StoreError" in summary["save_error"]
    else:
        assert "P(global-min cell)" in done.stdout and "saved run" not in done.stdout
    assert store.read_bytes() == b"garbage, not sqlite\n" * 50


def test_unwritable_out_prints_result_then_fails_cleanly(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder should be")
    done = _solve(["--out", str(blocker / "sub"), "--json"], tmp_path / "qdq.sqlite3")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: could not save the result (")
    assert json.loads(done.stdout)["p_global_min"] > 0
    assert Store(tmp_path / "qdq.sqlite3").list_runs() == []  # no row pointing nowhere


def test_memory_store_is_refused_after_printing(tmp_path):
    done = _solve(["--out", str(tmp_path / "out"), "--json"], Path(":memory:"))
    assert done.returncode == 2 and "in-memory" in done.stderr
    assert json.loads(done.stdout)["method"] == "anneal"
    assert not (tmp_path / "out").exists()  # refused before writing any file
