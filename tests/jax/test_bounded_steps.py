"""Issue 17: JAX entry points that materialize per-step arrays refuse huge step counts fast.

The engine (``qdq.run(spec, backend="jax")``) streams the formula in chunks, so its memory
does not grow with the steps; the differentiable path (:func:`qdq.jax.gradients.state_fn`,
shared by ``make_value_and_grad``, ``value_and_grad``, ``anneal_state`` and
``qdq.optimize_schedule``) builds ``(steps,)`` coefficient arrays and must refuse before
allocating them.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

pytest.importorskip("jax")

import qdq  # noqa: E402
from qdq.errors import ResourceError  # noqa: E402
from qdq.jax.gradients import (  # noqa: E402
    anneal_state,
    make_value_and_grad,
    state_fn,
    value_and_grad,
)
from qdq.jax.observables import energy  # noqa: E402

PROBLEM = qdq.Problem("x**2 + y**2", bounds=[(-2, 2), (-2, 2)], qubits=[2, 1])  # 2-D, 3 qubits
HUGE = [10**12, 10**15]


def _entry_points(steps: int) -> dict:
    controls = {"D": 0.5, "time": 1.0}
    return {
        "state_fn/real": lambda: state_fn(PROBLEM, steps=steps),
        "state_fn/imaginary": lambda: state_fn(PROBLEM, steps=steps, order=2,
                                               time_axis="imaginary"),
        "anneal_state": lambda: anneal_state(PROBLEM, 0.5, 1.0, steps, 2,
                                             lambda th, t: 1 - t, lambda th, t: t),
        "make_value_and_grad": lambda: make_value_and_grad(energy, PROBLEM, steps=steps,
                                                           order=4),
        "value_and_grad": lambda: value_and_grad(energy, PROBLEM, controls, steps=steps),
    }


@pytest.mark.parametrize("steps", HUGE)
@pytest.mark.parametrize("name", list(_entry_points(1)))
def test_huge_differentiable_evolutions_are_refused_fast(name, steps):
    t0 = time.perf_counter()
    with pytest.raises(ResourceError, match="emulator") as info:
        _entry_points(steps)[name]()
    assert time.perf_counter() - t0 < 2.0
    assert "pair" in str(info.value)


@pytest.mark.parametrize("steps", HUGE)
def test_optimize_schedule_is_refused_fast(steps):
    pytest.importorskip("optax")
    from qdq.jax.learn import final_state_fn
    from qdq.schedule_families import Correction

    t0 = time.perf_counter()
    with pytest.raises(ResourceError, match="emulator"):
        final_state_fn(Correction("qhd-cubic", terms=1), PROBLEM, time=1.0, steps=steps)
    assert time.perf_counter() - t0 < 2.0


def _specs(steps: int) -> dict:
    H = qdq.Hamiltonian(PROBLEM, D=0.5)
    return {"real": qdq.RealTime(H, time=1.0, steps=steps, order=2),
            "imaginary": qdq.ImaginaryTime(H, time=1.0, steps=steps, order=2),
            "anneal": qdq.Anneal(PROBLEM, D=0.5, schedule="qhd-cubic", time=1.0, steps=steps,
                                 order=2)}


@pytest.mark.parametrize("kind", ["real", "imaginary", "anneal"])
def test_small_runs_still_match_the_emulator(kind):
    spec = _specs(12)[kind]
    ref = qdq.run(spec, backend="emulator").statevector
    out = qdq.run(spec, backend="jax").statevector
    start = spec.initial_state().reshape(-1)
    assert abs(np.vdot(start, ref.reshape(-1))) ** 2 < 1 - 1e-3  # the state moved
    assert abs(np.vdot(ref, out)) ** 2 >= 1 - 1e-12


def test_small_differentiable_state_still_matches_the_emulator():
    spec = _specs(12)["real"]
    ref = qdq.run(spec, backend="emulator").statevector
    psi = np.asarray(state_fn(PROBLEM, steps=12, order=2)({"D": 0.5, "time": 1.0}).psi)
    assert abs(np.vdot(np.full(psi.size, psi.size ** -0.5), ref.reshape(-1))) ** 2 < 1 - 1e-3
    assert abs(np.vdot(ref.reshape(-1), psi.reshape(-1))) ** 2 >= 1 - 1e-12
