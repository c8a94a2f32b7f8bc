"""Binary comparison and scaling: TTS on synthetic cells, exact quantum cells, resume."""

import math
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from qdq.binary.instances import labs, random_regular_maxcut
from qdq.compare.binary_cells import circuit_cost, qaoa_spec, quantum_cell, train_angles
from qdq.compare.binary_study import (
    BinaryMethod,
    BinaryStudy,
    binary_scaling,
    compare_binary,
    parse_methods,
)
from qdq.compare.tts import tts99
from qdq.errors import ParameterError

pytest.importorskip("dimod")


def _study(cells, methods, ns):
    inst = [{"label": f"f-{n}", "family": "f", "n": n, "optimum": 0.0, "source": "test"}
            for n in ns]
    return BinaryStudy(inst, methods, cells, reads=4)


def test_classical_tts_is_the_formula_on_synthetic_reads():
    m = BinaryMethod("greedy", "classical", None, (), "greedy")
    cells = {("f-8", "greedy"): {"hits": [1, 0, 1, 0], "reads": 4, "evals_per_read": 10,
                                 "cpu_s": 0.4}}
    (pt,) = _study(cells, [m], [8]).points()
    assert pt["p"] == 0.5
    assert pt["tts"] == pytest.approx(10 * math.log(0.01) / math.log(0.5))
    assert pt["units"]["cpu_s"] == pytest.approx(pt["tts"] / 10 * 0.1)
    assert pt["low"] <= pt["tts"] <= pt["high"] and pt["high"] > pt["low"]


def test_best_setting_is_kept_and_no_success_is_infinite():
    m = BinaryMethod("sa", "classical", "sweeps", (10, 100), "sa")
    cells = {("f-8", "sa@sweeps=10"): {"hits": [0, 0, 0, 1], "reads": 4,
                                        "evals_per_read": 80, "cpu_s": 1.0},
             ("f-8", "sa@sweeps=100"): {"hits": [1, 1, 1, 1], "reads": 4,
                                         "evals_per_read": 800, "cpu_s": 1.0},
             ("f-9", "sa@sweeps=10"): {"hits": [0] * 4, "reads": 4, "evals_per_read": 90,
                                        "cpu_s": 1.0},
             ("f-9", "sa@sweeps=100"): {"hits": [0] * 4, "reads": 4, "evals_per_read": 900,
                                         "cpu_s": 1.0}}
    p8, p9 = _study(cells, [m], [8, 9]).points()
    # 800 (always succeeds) beats 80·R99(1/4) = 80·16.0 = 1280.
    assert p8["setting"] == {"sweeps": 100} and p8["tts"] == 800.0
    assert math.isinf(p9["tts"]) and p9["low"] > 0


def test_fit_recovers_a_known_base_from_exact_quantum_cells():
    m = BinaryMethod("qaoa", "quantum", "p", (1,), "qaoa-p1")
    ns = [6, 8, 10, 12]
    cells = {(f"f-{n}", "qaoa-p1"): {"p": 1.7 ** -n, "cx_per_shot": 10,
                                      "two_qubit_depth": 4} for n in ns}
    (fit,) = _study(cells, [m], ns).fits()
    # R99(p) = ln 0.01/ln(1−p) → 4.6/p for small p: base → 1.7 (slightly above at small n)
    assert fit["base"] == pytest.approx(1.7, rel=0.02)
    assert fit["base_low"] <= fit["base"] <= fit["base_high"]
    pts = _study(cells, [m], ns).points()
    assert pts[0]["units"]["cx"] == pytest.approx(10 * tts99(1.7 ** -6, 1.0))


def test_quantum_cell_matches_an_independent_statevector():
    from qiskit.quantum_info import Statevector

    from qdq.api import build_circuit

    b = random_regular_maxcut(8, 3, seed=1)
    angles = {"gammas_scaled": [0.3, 0.6], "betas": [-0.5, -0.2]}
    opt = float(b.values.min())
    cell = quantum_cell(b, "qaoa", {"p": 2}, optimum=opt, angles=angles)
    sv = Statevector(build_circuit(qaoa_spec(b, angles))).probabilities()
    p_ref = float(sv[b.values <= opt + 1e-9].sum())
    assert cell["p"] == pytest.approx(p_ref, abs=1e-10)
    assert cell["p"] > 2 * np.mean(b.values <= opt + 1e-9)      # better than uniform
    with pytest.raises(ParameterError, match="differs from the minimum"):
        quantum_cell(b, "qaoa", {"p": 2}, optimum=opt - 1, angles=angles)


def test_two_qubit_depth_from_layers_equals_the_unrolled_circuit():
    from qiskit import transpile

    from qdq.api import build_circuit

    b = labs(7)
    angles = {"gammas_scaled": [0.1, 0.2, 0.3], "betas": [-0.3, -0.2, -0.1]}
    full = qaoa_spec(b, angles)
    cut = tuple(qaoa_spec(b, {"gammas_scaled": angles["gammas_scaled"][:k],
                              "betas": angles["betas"][:k]}) for k in (1, 2))
    cost = circuit_cost(full, cut, 3)
    qc = transpile(build_circuit(full), basis_gates=["cx", "rz", "rx", "h", "sx", "x"],
                   optimization_level=0)
    assert cost["two_qubit_depth"] == qc.depth(lambda i: i.operation.num_qubits == 2)
    assert cost["cx_per_shot"] == qc.count_ops()["cx"] > 0


def test_angles_are_trained_once_and_transferred():
    pytest.importorskip("jax")
    study = binary_scaling("maxcut3", [6, 8], methods=["qaoa:p=2"], reads=4,
                           progress=False, train_steps=30)
    (angles,) = study.info["angles"].values()
    assert angles["trained"] and angles["n_train"] == 6
    small = train_angles(random_regular_maxcut(6, 3, seed=0), 2, steps=0 + 1)
    assert small["p"] == 2
    pts = [p for p in study.points() if p["method"] == "qaoa-p2"]
    assert [p["n"] for p in pts] == [6, 8] and all(0 < p["p"] < 1 for p in pts)


def test_methods_are_parsed_and_checked():
    labels = [m.label for m in parse_methods("sa:sweeps=10/100,qaoa:p=1/3,anneal:tau=2")]
    assert labels == ["sa", "qaoa-p1", "qaoa-p3", "anneal", "uniform", "exact"]
    with pytest.raises(ParameterError, match="looks like"):
        parse_methods("sa:sweeps")
    with pytest.raises(ParameterError, match="setting is 'p'"):
        parse_methods("qaoa:tau=3")
    with pytest.raises(ParameterError):
        parse_methods("no-such-solver")
    with pytest.raises(ParameterError, match="reads"):
        compare_binary(random_regular_maxcut(6, 3, seed=0), methods=["greedy"], reads=1)


def test_compare_binary_finds_what_brute_force_finds():
    b = random_regular_maxcut(10, 3, seed=4)
    s = compare_binary(b, methods=["greedy", "anneal:tau=8"], reads=20)
    by = {p["method"]: p for p in s.points()}
    assert by["exact"]["tts"] == 2.0**10
    assert 0 < by["anneal"]["p"] < 1 and 0 < by["greedy"]["p"] <= 1
    assert by["uniform"]["setting"]        # its samples were scanned


SIZES = [8, 10, 12, 14, 16]
METHODS = ["uniform:samples=1/10/100/1000/10000"]
_RESUME = f"""
import sys
from qdq.compare.binary_study import binary_scaling
SIZES, METHODS = {SIZES!r}, {METHODS!r}
binary_scaling("maxcut3", SIZES, methods=METHODS, reads=100, store=sys.argv[1],
               suite_name="resume", progress=False)
"""


def test_a_killed_study_resumes_without_recomputing(tmp_path):
    from qdq.store import Store

    path = tmp_path / "s.sqlite3"
    proc = subprocess.Popen([sys.executable, "-c", _RESUME, str(path)])
    deadline = time.time() + 120
    stored = 0
    while time.time() < deadline and proc.poll() is None:
        if path.exists():
            try:
                stored = len(Store(path).list_cells("resume"))
            except Exception:       # the schema may be mid-creation
                stored = 0
            if stored >= 3:
                break
        time.sleep(0.05)
    assert proc.poll() is None, "the study finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = len(Store(path).list_cells("resume"))
    total = len(SIZES) * (5 + 1)                      # 5 uniform settings + exact per size
    assert 1 <= stored < total
    study = binary_scaling("maxcut3", SIZES, methods=METHODS, reads=100, store=path,
                           suite_name="resume", progress=False)
    assert study.info["reused_cells"] == stored
    assert study.info["computed_cells"] == total - stored
    fresh = binary_scaling("maxcut3", SIZES, methods=METHODS, reads=100, progress=False)
    assert [p["tts"] for p in study.points()] == [p["tts"] for p in fresh.points()]
