"""Scaling studies: sizes, fits, best settings, figures, the CLI, resume after kill -9."""

import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from typer.testing import CliRunner

from qdq.cli import app
from qdq.compare.methods import cell_seed
from qdq.compare.study import fit_exponent, parse_sizes, scaling
from qdq.compare.tts import tts99
from qdq.errors import ParameterError, ProblemError
from qdq.store import Store


def test_parse_sizes_and_bad_input():
    assert parse_sizes("1-3,5", "dims") == [1, 2, 3, 5]
    for bad in ("a-b", 0, [1, True], "", []):
        with pytest.raises(ParameterError, match="dims"):
            parse_sizes(bad, "dims")
    with pytest.raises(ParameterError, match="d·n must be <= 24"):
        scaling("levy", dims=[5], qubits=5, progress=False)
    with pytest.raises(ProblemError, match="valid names"):
        scaling("levvy", dims=[1], progress=False)
    with pytest.raises(ParameterError, match="quantum"):
        scaling("levy", dims=[1], quantum=[], progress=False)


def test_fit_recovers_exponents_and_intervals():
    d = [1, 2, 3, 4]
    f = fit_exponent(d, [3 * 5.0**k for k in d])
    assert math.exp(f["slope"]) == pytest.approx(5.0) and math.exp(f["intercept"]) == \
        pytest.approx(3.0)
    n = [16, 64, 256]
    g = fit_exponent(n, [2 * x**1.5 for x in n], log_x=True)
    assert g["slope"] == pytest.approx(1.5)
    rng = np.random.default_rng(0)
    reps = [3 * 5.0**k * np.exp(rng.normal(0, 0.1, 500)) for k in d]
    h = fit_exponent(d, [3 * 5.0**k for k in d], reps)
    assert h["slope_low"] < math.log(5) < h["slope_high"]
    assert h["slope_high"] - h["slope_low"] < 0.2
    inf = fit_exponent(d, [10.0, 100.0, math.inf, math.inf])
    assert inf["used"] == [1, 2] and inf["excluded"] == [3, 4]
    assert fit_exponent([1, 2], [math.inf, 4.0])["slope"] is None


@pytest.fixture(scope="module")
def study():
    return scaling("levy,rosenbrock", dims=[1, 2], qubits=3,
                   methods=["anneal", "dual_annealing"], budgets=[20, 80],
                   quantum=[{"steps": 20}, {"steps": 60}], shots=100, repeats=6,
                   progress=False)


def test_points_keep_each_methods_best_setting(study):
    assert study.skipped == [{"function": "rosenbrock", "d": 1,
                              "reason": study.skipped[0]["reason"]}]
    rows = {(r["function"], r["method"]): r for r in study.report.table}
    pts = study.points()
    assert {p["method"] for p in pts} == {"anneal", "dual_annealing", "random", "grid-argmin"}
    for p in pts:
        label = f"{p['function']}|d={p['d']}|n={p['n']}"
        variants = [r for (f, m), r in rows.items()
                    if f == label and study.group[m] == p["method"]]
        best = min(math.inf if r["tts99_inf"] else r["tts99"] for r in variants)
        assert p["tts"] == pytest.approx(best)
        assert p["N"] == 2 ** (3 * p["d"])
        area = study.report.function_meta(label)["area_fraction"]
        assert p["uniform"] == pytest.approx(float(tts99(area, 1.0)))
        if p["method"] == "grid-argmin" and math.isfinite(p["tts"]):
            assert p["tts"] == p["N"]
    fits = study.fits()
    assert {(f["function"], f["method"]) for f in fits} >= {("levy", "anneal")}
    assert all(f["axis"] == "dims" for f in fits)      # one n: no resolution fits


def test_extrapolation_is_marked_and_drawn(study):
    ex = study.extrapolate([5])
    assert ex and all(e["extrapolated"] and e["d"] == 5 for e in ex)
    levy = next(e for e in ex if e["function"] == "levy" and e["method"] == "anneal")
    fit = next(f for f in study.fits() if f["function"] == "levy" and f["method"] == "anneal")
    assert levy["tts"] == pytest.approx(math.exp(fit["intercept"] + 5 * fit["slope"]))
    md = study.to_markdown([5])
    assert "## Extrapolation (not simulated)" in md and "TTS ≈ a·b^d" in md
    fig = study.figure("levy", [5])
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "extrapolated" in labels and "uniform sampling" in labels
    assert fig.axes[0].get_yscale() == "log"
    from qdq.compare.figures import pyplot

    pyplot().close(fig)


def test_resolution_study_fits_against_log_n():
    st = scaling("levy", dims=[1], qubits="2-4", methods=["random"], budgets=[10],
                 repeats=6, progress=False)
    fits = st.fits()
    assert {f["axis"] for f in fits} == {"resolution"}
    grid = next(f for f in fits if f["method"] == "grid-argmin")
    assert grid["exponent"] == pytest.approx(1.0)      # exhaustive search: N evaluations


def test_cli_scaling_json(tmp_path):
    res = CliRunner().invoke(app, [
        "scaling", "--functions", "levy", "--dims", "1-2", "--methods", "random",
        "--budgets", "10", "--repeats", "4", "--store", str(tmp_path / "s.sqlite3"),
        "--out", str(tmp_path / "out"), "--json", "--quiet", "--no-figures"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert {f["method"] for f in out["fits"]} == {"random", "grid-argmin"}
    assert os.path.exists(out["files"]["report"])
    bad = CliRunner().invoke(app, ["scaling", "--dims", "x", "--json", "--quiet"])
    assert bad.exit_code != 0 and "dims" in bad.stdout


_SCRIPT = textwrap.dedent("""
    import json, sys, time
    from qdq.compare.registry import MethodInfo, register
    from qdq.compare.study import scaling

    def slow(problem, budget, seed, options):
        with open(sys.argv[2], "a") as log:
            log.write(f"{problem.dims}|{seed}\\n")
        time.sleep(0.25)
        return {"x": [0.5] * problem.dims, "value": 1.0, "evals": budget, "history": []}

    register(MethodInfo("slow", "baseline", slow))
    st = scaling("levy", dims=[1, 2, 3], qubits=2, methods=["slow"], budgets=[5],
                 repeats=3, store=sys.argv[1], suite_name="kill", executor="serial",
                 progress=False)
    print(json.dumps(st.report.run_info))
""")


def _data_cells(path):
    if not os.path.exists(path):
        return []
    try:
        return [c for c in Store(path).list_cells("kill") if c["function"] != "__suite__"]
    except Exception:  # noqa: BLE001 - the store may be mid-creation
        return []


def test_study_resumes_after_kill_9_without_recomputing(tmp_path):
    db, log, script = tmp_path / "s.sqlite3", tmp_path / "calls.log", tmp_path / "run.py"
    script.write_text(_SCRIPT)
    cmd = [sys.executable, str(script), str(db), str(log)]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 60
    while not any(c["method"] == "slow@5" for c in _data_cells(db)):
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "no cell stored within 60 s"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = {(c["function"], c["method"], c["seed"]): c["updated"] for c in _data_cells(db)}
    done = [k for k in before if k[1] == "slow@5"]
    assert 1 <= len(done) < 9                  # killed part-way
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout.strip().splitlines()[-1])
    after = {(c["function"], c["method"], c["seed"]): c["updated"] for c in _data_cells(db)}
    total = 3 * 3 * 2 + 3      # (slow, random) × 3 sizes × 3 seeds + grid-argmin per size
    assert len(after) == total
    assert info["reused_cells"] == len(before) and info["computed_cells"] == total - len(before)
    for key, stamp in before.items():          # finished cells were not written again
        assert after[key] == stamp
    calls = log.read_text().split()
    for fn, m, seed in done:                   # ... nor recomputed
        d = int(fn.split("|d=")[1].split("|")[0])
        assert calls.count(f"{d}|{cell_seed(seed, fn, m)}") == 1
    assert 9 <= len(calls) <= 10               # at most the one cell cut off by the kill


def test_one_radius_for_every_function():
    study = scaling("rotated_rastrigin,ackley", dims=[1, 2], qubits=3, methods=["random"],
                    budgets=[4], repeats=2, progress=False, radius=0.1)
    radii = {f["label"]: f["criterion"]["radius"] for f in study.report.meta["functions"]}
    assert set(radii.values()) == {0.1} and len(radii) == 4
    default = scaling("rotated_rastrigin", dims=[2], qubits=3, methods=["random"],
                      budgets=[4], repeats=2, progress=False)
    # without radius=, a function with no registry radius uses one grid-cell diagonal
    assert default.report.meta["functions"][0]["criterion"]["radius"] == \
        pytest.approx(np.sqrt(2) / 8)
    with pytest.raises(ParameterError, match="radius must be"):
        scaling("ackley", dims=[1], radius=0.0, progress=False)
