"""``backend="local"``: the fastest installed engine (qdq.engines.local)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import qdq
from qdq.engines import local


def _anneal(qubits=5, steps=200):
    p = qdq.Problem("x**4 - x**2 + 0.2*x", bounds=[(-2, 2)], qubits=qubits)
    return qdq.Anneal(p, D=0.5, time=2.0, steps=steps)


def test_short_runs_stay_on_the_emulator_and_it_is_the_default():
    spec = _anneal()
    assert local.estimated_emulator_seconds(spec) < local.JAX_MIN_SECONDS
    assert local.choose(spec) == "emulator"
    default, explicit = qdq.run(spec), qdq.run(spec, backend="emulator")
    assert default.backend == "emulator"
    assert np.array_equal(default.probabilities, explicit.probabilities)


def test_long_runs_go_to_jax_and_agree_with_the_emulator(monkeypatch):
    pytest.importorskip("jax")
    spec = _anneal()
    monkeypatch.setattr(local, "JAX_MIN_SECONDS", 0.0)  # this spec counts as long
    assert local.choose(spec) == "jax"
    fast = qdq.run(spec, observe_every=20)
    emu = qdq.run(spec, backend="emulator", observe_every=20)
    assert fast.backend == "jax"
    assert np.max(np.abs(fast.statevector - emu.statevector)) < 1e-12
    # a guard that the state moved: far from the uniform start
    assert np.max(np.abs(fast.probabilities - 1 / spec.grid.size)) > 0.05
    assert len(fast.trace) == len(emu.trace) > 0   # observe_every reached the engine


def test_falls_back_to_the_emulator_without_jax_or_support(monkeypatch):
    monkeypatch.setattr(local, "JAX_MIN_SECONDS", 0.0)
    real = importlib.util.find_spec
    monkeypatch.setattr(local.importlib.util, "find_spec",
                        lambda name, *a: None if name == "jax" else real(name, *a))
    assert local.choose(_anneal()) == "emulator"
    monkeypatch.setattr(local.importlib.util, "find_spec", real)
    if real("jax") is None:
        return
    from qdq.binary.xy import XYMixer

    xy = qdq.BinaryProblem({(0, 1): 1.0}, num_bits=4, mixer=XYMixer(4, [[0, 1], [2, 3]]))
    spec = qdq.RealTime(qdq.Hamiltonian(xy, D=0.5), time=0.5, steps=5)
    assert local.choose(spec) == "jax"
    # JAX runs the XY mixer without a trace only: with one, local picks the emulator
    assert local.choose(spec, {"observe_every": 1}) == "emulator"
    assert qdq.run(spec, observe_every=1).backend == "emulator"


def test_progress_reaches_the_emulator_and_unknown_options_are_refused():
    seen = []
    qdq.run(_anneal(), progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1]
    with pytest.raises(qdq.errors.ParameterError, match="workers"):
        qdq.run(_anneal(), workers=2)       # an emulator-only option: name the engine
