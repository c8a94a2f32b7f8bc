import dataclasses
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import qdq
from qdq.compare import FunctionRecipe, load_report, run_suite
from qdq.compare import runner as runner_mod
from qdq.compare.metrics import area_fraction, wilson_interval
from qdq.compare.recipes import function_spec_from_problem
from qdq.compare.registry import registered, resolve_method
from qdq.errors import ParameterError, ProblemError
from qdq.store import Store


@pytest.fixture(scope="module")
def sphere():
    return qdq.Problem("x**2 + y**2", bounds=[(-1, 1), (-1, 1)], qubits=4, minimizer=[0, 0],
                       minimum=0.0, name="sphere")


def _small_suite(store, name="s", **kw):
    args = {"suite_name": name, "executor": "serial", "store": store, "grid_qubits": 4,
            "budget": 30, "progress": False}
    args.update(kw)
    return run_suite("sumofsquares,rastrigin", ["random", ("anneal", {"steps": 30})], 5,
                     **args)


def test_uniform_baseline_matches_area_fraction(sphere):
    # For a radial bowl the best of B uniform points is the closest one, so a repeat
    # succeeds iff some point falls in the disk: P = 1 - (1 - a)^B.
    rep = qdq.compare(sphere, methods=["random"], repeats=300, budget=3, radius=0.3,
                      progress=False)
    row = rep.row("random")
    a = area_fraction([(-1, 1), (-1, 1)], (0, 0), 0.3)
    assert a == pytest.approx(np.pi * 0.09 / 4, rel=5e-3)
    assert row["shot_success"] == pytest.approx(a)
    expected = 1 - (1 - a) ** 3
    lo, hi = wilson_interval(row["successes"], row["n"])
    assert (lo, hi) == (row["ci_low"], row["ci_high"])
    assert lo <= expected <= hi
    assert row["mean_evals"] == 3 and row["n"] == 300


def test_baselines_always_present_and_marked(sphere):
    rep = qdq.compare(sphere, methods=[("anneal", {"steps": 50})], repeats=2, budget=5,
                      progress=False, radius=0.3)
    categories = {r["method"]: r["category"] for r in rep.table}
    assert categories == {"anneal[steps=50]": "quantum", "random": "baseline",
                          "grid-argmin": "baseline"}
    md = rep.to_markdown()
    assert "random (baseline)" in md and "grid-argmin (baseline)" in md
    g = rep.row("grid-argmin")
    assert g["n"] == 1 and g["mean_evals"] == sphere.grid.size


@pytest.mark.parametrize("kwargs,match", [
    ({"budget": 0}, "budget of method .* must be an integer >= 1, got 0"),
    ({"budget": -3}, "got -3"),
    ({"budget": {"dmc": 5}}, r"unknown methods \['dmc'\]"),
    ({"budget": {"random": 0}}, "budget of method 'random' .* got 0"),
    ({"repeats": 0}, "repeats must be an integer >= 1, got 0"),
    ({"radius": -1.0}, "radius must be a finite number > 0, got -1.0"),
    ({"methods": ["anneel"]}, "unknown method 'anneel' .*did you mean 'anneal'.*valid methods"),
    ({"executor": "proces"}, "unknown executor 'proces' .*did you mean 'process'"),
    ({"workers": 0, "executor": "thread"}, "workers must be an integer >= 1, got 0"),
])
def test_compare_rejects_bad_input(sphere, kwargs, match):
    args = {"methods": ["random"], "repeats": 2, "budget": 5, "progress": False}
    args.update(kwargs)
    with pytest.raises(ParameterError, match=match):
        qdq.compare(sphere, **args)


def test_minimizer_outside_the_box_is_refused(sphere):
    with pytest.raises(ProblemError, match=r"minimizer\[0\] = 3 lies outside the box"):
        qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3, minimizer=[3.0])
    with pytest.raises(ProblemError, match=r"center\[1\] = -2 lies outside the box \[-1, 1\]"):
        qdq.compare(sphere, methods=["random"], center=(0.0, -2.0), progress=False)
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3, minimizer=[0.0])
    p.minimizer = (1.5,)   # mutated after construction
    with pytest.raises(ProblemError, match=r"minimizer\[0\] = 1.5"):
        qdq.compare(p, methods=["random"], progress=False)


def test_default_radius_from_benchmark_registry():
    fn = qdq.benchmarks.get("rastrigin")
    p = qdq.Problem(fn.rescaled(), qubits=4)
    rep = qdq.compare(p, methods=["random"], repeats=2, budget=5, progress=False)
    crit = rep.function_meta("rastrigin")["criterion"]
    assert crit["radius"] == 0.1            # the QHD protocol's r in the unit square
    assert crit["center"] == [0.5, 0.5]
    p2 = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)   # no known minimizer or radius
    crit2 = qdq.compare(p2, ["random"], repeats=1, budget=2,
                        progress=False).meta["functions"][0]["criterion"]
    assert crit2["center_source"] == "grid-argmin" and crit2["radius"] == 0.25


def test_qhd_protocol_rescales_and_uses_published_radius():
    rep = run_suite(["rastrigin", "rosenbrock"], ["random"], 2, suite_name="q", store=None,
                    executor="serial", grid_qubits=4, budget=10, progress=False)
    fm = rep.function_meta("rosenbrock")
    assert fm["bounds"] == [[0.0, 1.0], [0.0, 1.0]]
    assert fm["criterion"]["radius"] == 0.1   # r = 0.1 around the authors' rounded u*
    assert fm["criterion"]["center"] == [0.8333, 0.8333]
    assert fm["published_qhd"] == 0.002 and fm["grid_shape"] == [16, 16]
    with pytest.raises(ProblemError, match="unknown benchmark 'rastrign'"):
        run_suite(["rastrign"], ["random"], 1, store=None, executor="serial", progress=False)


def test_suite_steps_override_applies_to_anneal():
    rep = run_suite("sumofsquares", ["anneal"], 1, suite_name="t", store=None,
                    executor="serial", grid_qubits=3, steps=7, budget=3, progress=False)
    d = rep.distribution_cell("sumofsquares", "anneal")
    assert d["kinetic_factors"] == 7
    assert rep.meta["methods"][0]["options"] == {"steps": 7}


def test_executors_agree(tmp_path):
    ref = _small_suite(None).rows(timing=False)
    for ex in ("thread", "process"):
        assert _small_suite(None, executor=ex, workers=2).rows(timing=False) == ref, ex
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:     # an executor instance is used as is
        assert _small_suite(None, executor=pool).rows(timing=False) == ref
        assert not pool._shutdown


def test_dask_executor_matches_serial():
    distributed = pytest.importorskip("distributed")
    ref = _small_suite(None).rows(timing=False)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        rows = _small_suite(None, executor=client).rows(timing=False)
    assert rows == ref


def test_resume_after_failure_reproduces_uninterrupted_table(tmp_path):
    full = _small_suite(Store(tmp_path / "full.sqlite3"))
    store = Store(tmp_path / "resume.sqlite3")
    calls = {"n": 0}
    real = resolve_method("random")

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 4:
            raise RuntimeError("simulated crash after 4 random cells")
        return real.run(*args, **kwargs)

    with registered(dataclasses.replace(real, run=flaky), replace=True), \
            pytest.raises(RuntimeError, match="simulated crash"):
        _small_suite(store)
    assert resolve_method("random") is real
    stored = [c for c in store.list_cells("s") if c["function"] != "__suite__"]
    assert 4 <= len(stored) < full.run_info["computed_cells"]
    resumed = _small_suite(store)
    assert resumed.run_info["reused_cells"] == len(stored)
    assert resumed.run_info["computed_cells"] == full.run_info["computed_cells"] - len(stored)
    assert resumed.rows(timing=False) == full.rows(timing=False)
    again = _small_suite(store)           # nothing left to do
    assert again.run_info["computed_cells"] == 0
    assert again.rows(timing=False) == full.rows(timing=False)
    assert load_report(store, "s").rows(timing=False) == full.rows(timing=False)


def test_changed_settings_are_recomputed_not_reused(tmp_path):
    store = Store(tmp_path / "st.sqlite3")
    a = _small_suite(store)
    b = _small_suite(store, budget=31)
    # grid-argmin and the anneal distributions do not depend on the budget: reused.
    assert b.run_info["reused_cells"] == 4
    assert b.run_info["computed_cells"] == a.run_info["computed_cells"] - 4 == 20
    assert b.row("random", "rastrigin")["budget"] == 31
    assert b.row("anneal[steps=30]", "rastrigin")["budget"] == 31


@pytest.mark.slow
def test_resume_after_killing_a_process_suite(tmp_path):
    path = tmp_path / "killed.sqlite3"
    kw = dict(suite_name="k", grid_qubits=5, budget=100_000,
              methods=["random", ("anneal", {"steps": 300})])
    code = (
        "from qdq.compare import run_suite\n"
        "run_suite('sumofsquares,rastrigin,ackley', {methods!r}, 8, suite_name='k', "
        "executor='process', workers=2, store={path!r}, grid_qubits=5, budget=100000, "
        "progress=False)\n"
    ).format(methods=kw["methods"], path=str(path))
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    store = Store(path)
    deadline = time.monotonic() + 120
    n = 0
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if path.exists():
                try:
                    n = len([c for c in store.list_cells("k") if c["function"] != "__suite__"])
                except Exception:  # noqa: BLE001 - the store may be mid-creation
                    n = 0
                if n >= 4:
                    break
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode != 0, "the suite finished before it could be interrupted"
    done = [c for c in store.list_cells("k") if c["function"] != "__suite__"]
    assert len(done) >= 4
    methods = kw.pop("methods")
    fns = "sumofsquares,rastrigin,ackley"
    resumed = run_suite(fns, methods, 8, executor="serial", store=store, progress=False, **kw)
    full = run_suite(fns, methods, 8, executor="serial", store=None, progress=False, **kw)
    assert resumed.run_info["reused_cells"] >= len(done)
    assert resumed.run_info["computed_cells"] < full.run_info["computed_cells"]
    assert resumed.rows(timing=False) == full.rows(timing=False)


def test_unpicklable_callable_needs_thread_or_serial():
    p = qdq.Problem(lambda x: (x - 0.1) ** 2, bounds=[(-1, 1)], qubits=3, minimizer=[0.1])
    with pytest.raises(ParameterError, match="executor='thread' or 'serial'"):
        qdq.compare(p, methods=["random"], repeats=1, budget=3, executor="process",
                    progress=False)
    rep = qdq.compare(p, methods=["random", ("anneal", {"steps": 5})], repeats=2, budget=3,
                      executor="thread", progress=False)
    assert rep.row("grid-argmin")["success_rate"] == 1.0


def test_function_spec_pickles_without_the_problem(sphere):
    import pickle

    f = function_spec_from_problem(sphere)
    g = pickle.loads(pickle.dumps(f))
    assert g.problem is None and g.key() == f.key()
    assert np.array_equal(g.build().values, sphere.values)
    assert FunctionRecipe("x", benchmark="easom", qubits=3).build().grid.shape == (8, 8)


def test_load_report_ignores_cells_of_other_settings(tmp_path):
    store = Store(tmp_path / "mixed.sqlite3")
    _small_suite(store)                                   # budget 30, complete
    calls = {"n": 0}
    real = resolve_method("random")

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 3:
            raise RuntimeError("stop")
        return real.run(*args, **kwargs)

    with registered(dataclasses.replace(real, run=flaky), replace=True), \
            pytest.raises(RuntimeError):
        _small_suite(store, budget=31)                    # interrupted
    rep = load_report(store, "s")
    assert rep.meta["budgets"]["random"] == 31
    budgets = {c["result"]["budget"] for c in rep.cells if c["seed"] is not None}
    assert budgets == {31}
    assert rep.row("random", "sumofsquares")["n"] == 3


def test_callables_with_the_same_label_do_not_share_cells(tmp_path):
    store = Store(tmp_path / "c.sqlite3")
    p1 = qdq.Problem(lambda x: (x - 0.5) ** 2, bounds=[(-1, 1)], qubits=3, name="f")
    p2 = qdq.Problem(lambda x: (x + 0.5) ** 2, bounds=[(-1, 1)], qubits=3, name="f")
    a = qdq.compare(p1, ["random"], repeats=2, budget=5, store=store, progress=False)
    b = qdq.compare(p2, ["random"], repeats=2, budget=5, store=store, progress=False)
    assert b.run_info["reused_cells"] == 0
    assert a.row("grid-argmin")["best_value"] == b.row("grid-argmin")["best_value"] == 0.0


@pytest.mark.slow
def test_dask_by_name_starts_and_closes_a_local_cluster():
    pytest.importorskip("distributed")
    ref = _small_suite(None).rows(timing=False)
    assert _small_suite(None, executor="dask", workers=1).rows(timing=False) == ref


def test_epsilon_alone_or_beside_the_radius():
    fn = qdq.benchmarks.get("sumofsquares").rescaled()
    p = qdq.Problem(fn, qubits=4)
    rep = qdq.compare(p, ["random"], repeats=4, budget=50, epsilon=1e-3, progress=False)
    row = rep.row("random")
    assert row["radius"] == pytest.approx(0.1) and row["eps_rate"] is not None
    q = qdq.Problem("(x - 0.3)**2", bounds=[(-1, 1)], qubits=4, minimum=0.0)
    rep = qdq.compare(q, ["random"], repeats=4, budget=50, epsilon=1e-3, progress=False)
    crit = rep.function_meta(rep.functions[0])["criterion"]
    assert crit["radius"] is None and crit["epsilon"] == 1e-3
    row = rep.row("random")
    assert row["eps_rate"] is None and row["success_rate"] is not None
    assert row["successes"] == sum(c["success_epsilon"] for c in
                                   rep.seed_cells(rep.functions[0], "random"))


def test_qdq_compare_is_callable_and_a_package_in_a_fresh_interpreter():
    code = ("import qdq\n"
            "assert callable(qdq.compare)\n"
            "assert qdq.compare.run_suite.__name__ == 'run_suite'\n"
            "assert qdq.Report is qdq.compare.Report\n"
            "p = qdq.Problem('x**2', bounds=[(-1, 1)], qubits=3, minimizer=[0.0])\n"
            "r = qdq.compare(p, ['random'], repeats=1, budget=2, progress=False)\n"
            "assert isinstance(r, qdq.Report)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr


# ----------------------------------------------------------------- orphaned workers

_POOL_PARENT = """
import os, sys, time
from pathlib import Path
from qdq.compare.executors import make_executor

out = Path(sys.argv[1])
busy = sys.argv[2] == "busy"

def task(i):
    (out / f"w{i}.tmp").write_text(str(os.getpid()))
    os.replace(out / f"w{i}.tmp", out / f"w{i}.pid")
    if busy:
        time.sleep(120)
    else:
        time.sleep(0.5)  # so that both workers take one task each
    return i

ex, close = make_executor("process", 2)
futures = [ex.submit(task, i) for i in range(2)]
time.sleep(300)
"""


def _running(pid: int) -> bool:
    """Alive and not a zombie (orphans may stay unreaped in a container)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except OSError:  # pragma: no cover - no /proc
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state != "Z"


@pytest.mark.parametrize("state", ["busy", "idle"])
def test_workers_exit_when_the_parent_is_killed(tmp_path, state):
    parent = subprocess.Popen([sys.executable, "-c", _POOL_PARENT, str(tmp_path), state],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    pids: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(pids) < 2:
            assert parent.poll() is None, parent.stderr.read().decode()
            pids = [int(p.read_text()) for p in sorted(tmp_path.glob("w*.pid"))]
            time.sleep(0.05)
        assert len(pids) == 2 and parent.pid not in pids
        if state == "idle":
            time.sleep(1.0)  # both tasks finished: the workers wait for work
        assert all(_running(pid) for pid in pids)
    finally:
        parent.kill()  # SIGKILL: no cleanup code of the parent runs
        parent.wait(timeout=30)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_running(pid) for pid in pids):
        time.sleep(0.05)
    left = [pid for pid in pids if _running(pid)]
    for pid in left:  # do not leave them behind if the assertion fails
        os.kill(pid, signal.SIGKILL)
    assert not left, f"workers {left} outlived their parent"


def test_worker_start_arms_the_parent_death_signal():
    if not sys.platform.startswith("linux"):
        pytest.skip("prctl is Linux-only")
    code = (
        "import ctypes, os\n"
        "from qdq.compare.executors import worker_start\n"
        "worker_start(os.getppid())\n"
        "libc = ctypes.CDLL(None)\n"
        "sig = ctypes.c_int(0)\n"
        "libc.prctl(2, ctypes.byref(sig), 0, 0, 0)\n"  # 2 = PR_GET_PDEATHSIG
        "print(sig.value, os.environ['OPENBLAS_NUM_THREADS'])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout.split()
    assert out == [str(int(signal.SIGKILL)), "1"]


def test_process_pool_never_has_more_workers_than_tasks(monkeypatch, sphere):
    seen: list[int] = []
    real = runner_mod.make_executor

    def spy(executor, workers):
        seen.append(workers)
        return real(executor, workers)

    monkeypatch.setattr(runner_mod, "make_executor", spy)
    runner_mod.compare(sphere, methods=["random"], repeats=1,
                      budget=10, executor="thread", workers=8, progress=False)
    assert seen == [2]  # two tasks: the random cell and the grid-argmin baseline
