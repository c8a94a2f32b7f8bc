"""The engine contract: one table, declared options, one readout, explicit Runnable dispatch.

The toy engine below is the whole cost of a new engine: a function (here, in this file)
and one registry line (the ``toy`` fixture).
"""

from __future__ import annotations

import ast
import pathlib

import numpy as np
import pytest

import qdq
from qdq.engines import readout
from qdq.engines.registry import (
    Engine,
    get_engine,
    names,
    register_engine,
    registered,
    unregister_engine,
)
from qdq.errors import BackendError, ParameterError, PostselectionError
from qdq.runnable import Runnable

ROOT = pathlib.Path(__file__).resolve().parents[2]


def uniform_engine(spec, *, shots, seed, options):
    """A toy engine: the uniform distribution, exact or sampled, through the readout."""
    probs = np.full(spec.grid.shape, 1.0 / spec.grid.size)
    accepted = None
    if shots is not None:
        probs, accepted = readout.sample_exact(probs, shots, np.random.default_rng(seed))
    return readout.make_result(spec, backend="toy", probabilities=probs, shots=shots,
                               accepted_shots=accepted, extra={"tilt": options.get("tilt")})


@pytest.fixture
def toy():
    with registered(Engine("toy", f"{__name__}:uniform_engine", {"tilt": "float: unused"},
                           "uniform sampling")) as engine:
        yield engine


@pytest.fixture
def spec():
    p = qdq.Problem("(x - 0.25)**2", bounds=[(-1, 1)], qubits=3)
    return qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.5, steps=2)


def test_toy_engine_runs_through_qdq_run(toy, spec):
    r = qdq.run(spec, backend="toy", tilt=0.1)
    assert r.backend == "toy" and r.method == "real-time" and r.final_D == 0.5
    np.testing.assert_array_equal(r.probabilities, np.full(8, 0.125))
    assert r.p_global_min == r.uniform_baseline == 0.125
    assert r.extra == {"tilt": 0.1} and r.accepted_shots is None and r.factors == {}
    s = qdq.run(spec, backend="toy", shots=800, seed=3)
    assert s.shots == s.accepted_shots == 800 and s.success_probability == 1.0
    assert s.probabilities.sum() == pytest.approx(1.0, abs=1e-12)
    # Same seed, same multinomial draw as the readout itself makes.
    expected = np.random.default_rng(3).multinomial(800, np.full(8, 0.125)) / 800
    np.testing.assert_array_equal(s.probabilities, expected)


def test_toy_engine_options_are_checked_before_it_runs(toy, spec):
    with pytest.raises(ParameterError, match=r"unknown option 'tlit' for backend 'toy' "
                                             r"\(did you mean tilt\?\); valid options: tilt"):
        qdq.run(spec, backend="toy", tlit=0.1)
    with pytest.raises(ParameterError, match="shots"):
        qdq.run(spec, backend="toy", shots=0)


def test_registration_is_temporary(spec):
    assert "toy" not in names()
    with registered(Engine("toy", f"{__name__}:uniform_engine")):
        assert qdq.run(spec, backend="toy").backend == "toy"
    with pytest.raises(BackendError, match=r"unknown backend 'toy'.*valid backends: emulator"):
        qdq.run(spec, backend="toy")
    # A replaced engine comes back afterwards.
    emulator = get_engine("emulator")
    with registered(Engine("emulator", f"{__name__}:uniform_engine")):
        assert qdq.run(spec).backend == "toy"
    assert get_engine("emulator") is emulator and qdq.run(spec).backend == "emulator"


def test_register_refuses_bad_records():
    with pytest.raises(ParameterError, match="already registered"):
        register_engine(Engine("aer", "x:y"))
    with pytest.raises(ParameterError, match="'module:function'"):
        register_engine(Engine("toy2", "no_colon"))
    with pytest.raises(ParameterError, match="Engine record"):
        register_engine({"name": "toy2"})
    with pytest.raises(BackendError, match="unknown backend 'toy2'"):
        unregister_engine("toy2")
    assert "toy2" not in names()


def test_unavailable_engine_module_is_a_backend_error(spec):
    with registered(Engine("ghost", "qdq_no_such_module:run")):
        with pytest.raises(BackendError, match="backend 'ghost' is unavailable"):
            qdq.run(spec, backend="ghost")


def test_builtin_engines_declare_their_options():
    assert names()[:4] == ["emulator", "aer", "pennylane", "ibm"]
    assert set(get_engine("emulator").options) == {"workers", "observe_every", "progress"}
    assert {"device", "noise_model", "ancillas"} <= set(get_engine("aer").options)
    assert not get_engine("ibm").supports_exact and get_engine("ibm").supports_shots


@pytest.mark.parametrize("backend, bad, close", [("emulator", "observe_evry", "observe_every"),
                                                 ("aer", "noise_modle", "noise_model"),
                                                 ("pennylane", "max_ancilla", "max_ancillas")])
def test_misspelled_engine_option_fails_before_the_engine(monkeypatch, spec, backend, bad,
                                                          close):
    # The engine must not even be loaded: the check is the registry's.
    monkeypatch.setattr(Engine, "load", lambda self: pytest.fail("engine was loaded"))
    with pytest.raises(ParameterError, match=f"unknown option '{bad}' for backend "
                                             f"'{backend}' \\(did you mean {close}"):
        qdq.run(spec, backend=backend, **{bad: 1})


def test_aer_accepts_simulator_options(spec):
    # Options Aer itself declares pass through; the result is the plain exact one.
    r = qdq.run(spec, backend="aer", max_parallel_threads=1)
    e = qdq.run(spec, backend="aer")
    np.testing.assert_allclose(r.probabilities, e.probabilities, rtol=0, atol=1e-12)


def test_shots_only_engine_refuses_exact(spec):
    with pytest.raises(ParameterError, match="backend 'ibm' only samples: pass shots=N"):
        qdq.run(spec, backend="ibm", device="fake_torino")
    with pytest.raises(ParameterError, match="needs device=<name>"):
        qdq.run(spec, backend="ibm", shots=10)


def test_ibm_engine_runs_a_fake_backend_like_submit(tmp_path, spec):
    pytest.importorskip("qiskit_ibm_runtime")
    r = qdq.run(spec, backend="ibm", device="fake_torino", shots=1000, seed=4,
                store=tmp_path / "a.sqlite3")
    job = qdq.submit(spec, backend="fake_torino", shots=1000, seed=4,
                     store=tmp_path / "b.sqlite3")
    j = job.result()
    assert r.shots == 1000 and r.accepted_shots == 1000 and r.backend == j.backend
    np.testing.assert_array_equal(r.probabilities, j.probabilities)
    assert r.probabilities.sum() == pytest.approx(1.0, abs=1e-12)


class _HasRun:
    def run(self, **kwargs):  # pragma: no cover - must not be called
        raise AssertionError("qdq.run must not duck-type on .run")


def test_run_dispatches_on_the_runnable_protocol(spec):
    with pytest.raises(ParameterError, match="got _HasRun"):
        qdq.run(_HasRun())
    with pytest.raises(ParameterError, match="got Problem"):
        qdq.run(spec.problem)

    class Echo(Runnable):
        def run(self, backend="emulator", shots=None, seed=None, **options):
            return backend, shots, seed, options

    assert qdq.run(Echo(), backend="aer", shots=5, seed=1, x=2) == ("aer", 5, 1, {"x": 2})
    with pytest.raises(ParameterError, match="seed"):
        qdq.run(Echo(), seed=-1)
    assert isinstance(qdq.TwoLoop(spec.problem), Runnable)


def test_readout_histograms_agree():
    rng = np.random.default_rng(0)
    grid_bits = rng.integers(0, 2, size=(500, 3)).astype(bool)
    post = rng.integers(0, 2, size=(500, 2)).astype(bool)
    h_bits, acc_bits, tot_bits = readout.histogram_bits(grid_bits, post)
    counts: dict[str, int] = {}
    for g, a in zip(grid_bits, post, strict=True):
        key = "".join("1" if b else "0" for b in a[::-1]) + " " + \
              "".join("1" if b else "0" for b in g[::-1])
        counts[key] = counts.get(key, 0) + 1
    h_counts, acc_counts, tot_counts = readout.histogram_counts(counts, 3, post_bits=2)
    np.testing.assert_array_equal(h_bits, h_counts)
    keep = ~post.any(axis=1)
    assert acc_bits == acc_counts == int(keep.sum()) and tot_bits == tot_counts == 500
    idx = grid_bits[keep] @ np.array([1, 2, 4])
    np.testing.assert_array_equal(h_bits, np.bincount(idx, minlength=8))


def test_readout_postselection_and_sampling_law():
    from qdq.grid import Grid

    with pytest.raises(PostselectionError, match="no shot of 7 survived"):
        readout.shot_distribution(Grid([(-1, 1)], qubits=1), np.zeros(2), 0, 7)
    probs = np.array([0.25, 0.75])
    accepted = [readout.sample_exact(probs, 1000, np.random.default_rng(s),
                                     success_probability=0.3, postselected=True)[1]
                for s in range(200)]
    # Binomial(1000, 0.3): mean 300, sd 14.5; the mean of 200 draws is within ~1 of 300.
    assert abs(np.mean(accepted) - 300) < 4 and 8 < np.std(accepted) < 22
    with pytest.raises(PostselectionError, match="no shot of 3 survived"):
        readout.sample_exact(probs, 3, np.random.default_rng(0), success_probability=0.0,
                             postselected=True)


@pytest.mark.parametrize("module", ["qdq/twoloop.py", "qdq/theory.py", "qdq/api.py"])
def test_algorithms_do_not_import_the_top_level_package(module):
    tree = ast.parse((ROOT / module).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert all(a.name != "qdq" for a in node.names), module
        elif isinstance(node, ast.ImportFrom):
            assert node.module != "qdq" or node.level, module
