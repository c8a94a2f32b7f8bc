"""Streamed product formulas: O(1) memory in steps, identical factors and results."""

import itertools
import time
import tracemalloc

import numpy as np
import pytest

import qdq
from qdq import evolution
from qdq.engines import emulator
from qdq.errors import ResourceError


def _H(qubits=5):
    return qdq.Hamiltonian(qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3, 3)],
                                       qubits=qubits), D=0.05)


def test_a_billion_steps_cost_no_memory():
    H = _H()
    tracemalloc.start()
    t0 = time.perf_counter()
    spec = qdq.RealTime(H, time=1, steps=10**9)
    formula = spec.product_formula()
    first = list(itertools.islice(formula, 5))
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 2 << 20
    assert formula.streamed and formula.size_hint == 2 * 10**9 + 1
    dt = 1e-9
    assert first == [("potential", dt / 2), ("kinetic", dt), ("potential", dt),
                     ("kinetic", dt), ("potential", dt)]
    with pytest.raises(ResourceError, match="iterate it"):
        _ = formula.factors


def _unmerged(a, b, time, steps, order):
    # The whole list first, then merged: the pre-streaming construction.
    dt = time / steps
    w1 = 1.0 / (2.0 - 2.0 ** (1.0 / 3.0))
    w0 = 1.0 - 2.0 * w1
    seq = []

    def s2(t0, h):
        tm = t0 + h / 2
        seq.extend([("potential", b(tm) * h / 2), ("kinetic", a(tm) * h),
                    ("potential", b(tm) * h / 2)])

    for k in range(steps):
        t = k * dt
        if order == 1:
            seq.extend([("potential", b(t) * dt), ("kinetic", a(t) * dt)])
        elif order == 2:
            s2(t, dt)
        else:
            s2(t, w1 * dt)
            s2(t + w1 * dt, w0 * dt)
            s2(t + (w1 + w0) * dt, w1 * dt)
    return seq


@pytest.mark.parametrize("order", [1, 2, 4])
def test_stream_equals_materialized(order):
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    spec = qdq.Anneal(p, D=0.5, kinetic_weight=lambda t: 1 - t / 2,
                      potential_weight=lambda t: t, time=2.0, steps=33000, order=order)
    a, b = spec.weights()
    formula = spec.product_formula()
    assert formula.streamed  # above EAGER_FACTORS
    reference = evolution.merge_adjacent(_unmerged(a, b, 2.0, 33000, order))
    assert list(formula) == reference  # bit-identical coefficients
    assert formula.counts()["kinetic"] == sum(t == "kinetic" for t, _ in reference)


def test_streamed_run_is_bit_identical_to_materialized(monkeypatch):
    spec = qdq.RealTime(_H(), time=2.0, steps=40, order=2)
    eager = qdq.run(spec, observe_every=3)
    monkeypatch.setattr(evolution, "EAGER_FACTORS", 4)
    assert spec.product_formula().streamed
    streamed = qdq.run(spec, observe_every=3)
    assert np.array_equal(eager.statevector, streamed.statevector)
    assert np.array_equal(eager.trace["energy"], streamed.trace["energy"])
    assert eager.factors == streamed.factors == {"potential": 41, "kinetic": 40}


@pytest.mark.parametrize("kind", ["real", "imaginary", "anneal", "anneal-2d"])
def test_blockwise_phases_match_whole_grid(monkeypatch, kind):
    # Small blocks force the block-by-block path; results agree with one block.
    p2 = qdq.Problem("x**2 + y**2 + 0.3*x*y", bounds=[(-2, 2)] * 2, qubits=[3, 4])
    spec = {"real": qdq.RealTime(_H(6), time=1.0, steps=6),
            "imaginary": qdq.ImaginaryTime(_H(6), time=1.0, steps=6),
            "anneal": qdq.Anneal(_H(6).problem, D=0.5, schedule="qhd-cubic", time=2.0,
                                 steps=40, order=2),
            "anneal-2d": qdq.Anneal(p2, D=0.5, schedule="qhd-cubic", time=2.0, steps=40)}[kind]
    whole = qdq.run(spec, observe_every=5)
    monkeypatch.setattr(emulator, "BLOCK", 8)
    monkeypatch.setattr(emulator, "CACHE_BYTES", 0)
    blocked = qdq.run(spec, observe_every=5)
    np.testing.assert_allclose(blocked.statevector, whole.statevector, rtol=0, atol=1e-13)
    np.testing.assert_allclose(blocked.trace["energy"], whole.trace["energy"], rtol=1e-12)
    assert blocked.success_probability == pytest.approx(whole.success_probability, rel=1e-12)


def test_progress_callback_and_off_switch(monkeypatch):
    spec = qdq.RealTime(_H(), time=1.0, steps=300)
    seen = []
    qdq.run(spec, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (601, 601) and 50 < len(seen) < 150
    assert all(d <= t for d, t in seen)
    # Long work in a terminal gets a rich bar; progress=False or no terminal gets none.
    made = []
    monkeypatch.setattr(emulator, "PROGRESS_WORK", 0)
    monkeypatch.setattr(emulator, "_rich_progress",
                        lambda desc: (made.append(desc), (None, lambda: None))[1])
    qdq.run(spec, progress=False)
    assert made == []
    qdq.run(spec)
    assert made == ["real-time on emulator"]
    monkeypatch.undo()
    monkeypatch.setattr("sys.stderr.isatty", lambda: False, raising=False)
    assert emulator._rich_progress("x")[0] is None
