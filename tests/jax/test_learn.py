"""Learned schedules: the JAX loss equals the emulator, gradients are right, training helps,
and a trained schedule runs on Aer exactly like on the emulator."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

pytest.importorskip("jax")
pytest.importorskip("optax")

import jax.numpy as jnp  # noqa: E402

import qdq  # noqa: E402
from qdq.errors import DependencyError, ParameterError  # noqa: E402
from qdq.jax.learn import final_state_fn, loss_fn  # noqa: E402
from qdq.learn import LearnedSchedule, optimize_schedule  # noqa: E402
from qdq.schedule_families import BangAnnealBang, Correction, PiecewiseLinear  # noqa: E402
from tests.reference import fidelity  # noqa: E402

DW = ("0.3*x**4 - x**2 + 0.2*x", [(-3, 3)])
FAMILIES = [Correction("qhd-cubic", terms=3), Correction("linear", terms=2, basis="fourier"),
            PiecewiseLinear(knots=4), BangAnnealBang()]


def _theta(fam, seed=1):
    return fam.init() + 0.2 * np.random.default_rng(seed).standard_normal(fam.size)


@pytest.mark.parametrize("order", [1, 2, 4])
@pytest.mark.parametrize("fam", FAMILIES, ids=lambda f: f.name)
def test_jax_final_state_equals_the_numpy_emulator(fam, order):
    p = qdq.Problem(*DW, qubits=5)
    th = _theta(fam)
    psi = np.asarray(final_state_fn(fam, p, D=0.5, time=3.0, steps=30, order=order)(
        jnp.asarray(th)).psi)
    emu = qdq.run(qdq.Anneal(p, 0.5, schedule=fam.schedule(th), time=3.0, steps=30,
                             order=order), backend="emulator")
    assert fidelity(psi, emu.statevector) >= 1 - 1e-12
    np.testing.assert_allclose(np.abs(psi) ** 2, emu.probabilities, atol=1e-13)


def test_energy_loss_is_the_emulators_expected_potential_averaged_over_problems():
    fam = Correction("qhd-cubic", terms=2)
    th = np.array([0.2, -0.1, 0.05, 0.3])
    probs = [qdq.Problem(*DW, qubits=4), qdq.Problem("(x - 0.5)**2", bounds=[(-2, 2)], qubits=4)]
    L = float(loss_fn(fam, probs, D=0.5, time=2.0, steps=20)(jnp.asarray(th)))
    emus = [qdq.run(qdq.Anneal(p, 0.5, schedule=fam.schedule(th), time=2.0, steps=20))
            for p in probs]
    assert L == pytest.approx(np.mean([r.expected_potential for r in emus]), rel=1e-12)


@pytest.mark.parametrize("fam", [FAMILIES[0], FAMILIES[2], FAMILIES[3]], ids=lambda f: f.name)
def test_gradient_matches_central_differences(fam):
    import jax

    p = qdq.Problem(*DW, qubits=4)
    L = jax.jit(loss_fn(fam, [p], D=0.5, time=2.0, steps=16, order=2))
    th = jnp.asarray(_theta(fam, seed=4))
    g = np.asarray(jax.grad(L)(th))
    h = 1e-6
    for i in range(fam.size):
        e = np.zeros(fam.size)
        e[i] = h
        fd = (float(L(th + e)) - float(L(th - e))) / (2 * h)
        assert g[i] == pytest.approx(fd, rel=1e-5, abs=1e-9)


def test_optimize_schedule_lowers_the_energy_and_reports_its_cost():
    p = qdq.Problem(*DW, qubits=5)
    out = optimize_schedule(p, family="chebyshev", terms=3, D=0.5, time=3.0, steps=30,
                            iterations=12, restarts=1, learning_rate=0.1, seed=2)
    assert len(out.histories) == 2 and len(out.histories[0]) == 12
    assert out.best_loss == min(min(h) for h in out.histories)
    assert out.best_loss < 0.9 * out.initial_loss
    # θ0 = 0 is qhd-cubic: the first loss of the first run is the preset's ⟨ζ⟩
    cubic = qdq.run(qdq.Anneal(p, 0.5, schedule="qhd-cubic", time=3.0, steps=30))
    assert out.histories[0][0] == pytest.approx(cubic.expected_potential, rel=1e-12)
    assert out.initial_loss == pytest.approx(cubic.expected_potential, rel=1e-12)
    c = out.cost
    assert c["gradient_evaluations"] == 1 + 2 * 12 and c["evolutions"] == 25
    assert c["evolution_steps"] == 25 * 30 and c["grid_points"] == 32
    assert c["wall_seconds"] >= c["compile_seconds"] > 0
    # the learned schedule runs on the emulator with the loss it was trained to
    emu = qdq.run(qdq.Anneal(p, 0.5, schedule=out.schedule, time=3.0, steps=30))
    assert emu.expected_potential == pytest.approx(out.best_loss, rel=1e-10)
    back = LearnedSchedule.from_dict(json.loads(json.dumps(out.to_dict())))
    assert back.schedule == out.schedule and back.cost == out.cost


def test_optimized_schedule_on_aer_gives_the_emulators_probabilities():
    p = qdq.Problem(*DW, qubits=4)
    out = optimize_schedule(p, family="piecewise-linear", knots=4, init="linear", time=2.0,
                            steps=8, iterations=6, learning_rate=0.2)
    assert out.best_loss < out.initial_loss
    spec = qdq.Anneal(p, D=0.5, schedule=out.schedule, time=2.0, steps=8, order=1)
    aer, emu = qdq.run(spec, backend="aer"), qdq.run(spec, backend="emulator")
    assert fidelity(aer.statevector, emu.statevector) >= 1 - 1e-9
    np.testing.assert_allclose(aer.probabilities, emu.probabilities, atol=1e-10)


def test_bad_arguments_raise_parameter_errors():
    p = qdq.Problem(*DW, qubits=3)
    with pytest.raises(ParameterError, match="loss must be one of .*got 'entropy'"):
        optimize_schedule(p, loss="entropy", steps=4, iterations=1)
    with pytest.raises(ParameterError, match="needs a qdq.Problem"):
        optimize_schedule(["x**2"], steps=4, iterations=1)
    with pytest.raises(ParameterError, match="iterations must be an integer >= 1, got 0"):
        optimize_schedule(p, steps=4, iterations=0)
    with pytest.raises(ParameterError, match="unknown schedule family"):
        optimize_schedule(p, family="spline", steps=4, iterations=1)


def test_missing_optax_raises_dependency_error_with_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "optax", None)  # import optax -> ImportError
    with pytest.raises(DependencyError, match=r"pip install 'qdq\[jax\]'"):
        optimize_schedule(qdq.Problem(*DW, qubits=3), steps=4, iterations=1)


def test_select_keeps_the_candidate_with_the_lower_loss_at_the_selection_size():
    from qdq.jax.learn import select

    fam = Correction("qhd-cubic", terms=2)
    p = qdq.Problem(*DW, qubits=5)
    good, bad = fam.init(), fam.init() + np.array([0.0, 0.0, 3.0, 0.0])
    for order in (("a", good, "b", bad), ("b", bad, "a", good)):
        cands = {order[0]: order[1], order[2]: order[3]}
        out = select(fam, cands, [p], D=0.5, time=3.0, steps=40)
        # each loss is the emulator's ⟨ζ⟩ of that schedule at the selection size
        for name, theta in cands.items():
            emu = qdq.run(qdq.Anneal(p, 0.5, schedule=fam.schedule(theta), time=3.0,
                                     steps=40))
            assert out["losses"][name] == pytest.approx(emu.expected_potential, rel=1e-10)
        assert out["kept"] == min(out["losses"], key=out["losses"].get) == "a"
        assert out["evolutions"] == 2 and out["steps"] == 40 and out["grid_points"] == 32


def test_optimize_schedule_with_select_on_charges_and_reports_the_choice():
    coarse, fine = qdq.Problem(*DW, qubits=4), qdq.Problem(*DW, qubits=6)
    kw = dict(family="chebyshev", terms=2, D=0.5, time=3.0, steps=6, iterations=15,
              learning_rate=0.3)
    plain = optimize_schedule(coarse, **kw)
    out = optimize_schedule(coarse, select_on=fine, select_steps=60, **kw)
    sel = out.selection
    assert set(sel["losses"]) == {"learned", "start"} and sel["steps"] == 60
    kept = sel["kept"]
    assert sel["losses"][kept] == min(sel["losses"].values())
    expect = plain.schedule if kept == "learned" else Correction("qhd-cubic", terms=2).schedule(
        np.zeros(4))
    assert out.schedule == expect
    # the kept schedule's ⟨ζ⟩ on the fine problem is the reported selection loss
    emu = qdq.run(qdq.Anneal(fine, 0.5, schedule=out.schedule, time=3.0, steps=60))
    assert emu.expected_potential == pytest.approx(sel["losses"][kept], rel=1e-10)
    c = out.cost
    assert c["selection_evolutions"] == 2 and c["selection_steps"] == 120
    assert c["evolutions"] == plain.cost["evolutions"]
    back = LearnedSchedule.from_dict(json.loads(json.dumps(out.to_dict())))
    assert back.selection == out.selection and back.schedule == out.schedule
    with pytest.raises(ParameterError, match="select_on needs a qdq.Problem"):
        optimize_schedule(coarse, select_on=["x"], **kw)
    with pytest.raises(ParameterError, match="select_steps must be an integer >= 1, got 0"):
        optimize_schedule(coarse, select_on=fine, select_steps=0, **kw)
