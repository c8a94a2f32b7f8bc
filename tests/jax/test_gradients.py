"""Gradients of final-state scalars against central finite differences, and the state API."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import qdq
from qdq.engines.emulator import run_emulator
from qdq.errors import ParameterError
from qdq.jax import (
    anneal_state,
    energy,
    fidelity,
    hamiltonian,
    make_value_and_grad,
    mass_in_region,
    state_fn,
    value_and_grad,
)

PROBLEM = qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3, 3)], qubits=5)


def kinetic(theta, t):
    return theta[0] / (1.0 + theta[1] * t**2)


def potential(theta, t):
    return 1.0 + theta[1] * t**2


CONTROLS = {"D": 0.3, "time": 1.5, "params": jnp.array([1.0, 0.5])}


def _richardson(f, x0, h=1e-4):
    """Central difference with one Richardson step: error O(h^4)."""
    d = lambda e: (f(x0 + e) - f(x0 - e)) / (2 * e)  # noqa: E731
    return (4 * d(h / 2) - d(h)) / 3


def _finite_differences(loss, controls, **kw):
    f = state_fn(PROBLEM, **kw)
    jitted = jax.jit(lambda c: loss(f(c)))
    value = lambda c: float(jitted(c))  # noqa: E731
    out = {k: _richardson(lambda x, k=k: value({**controls, k: x}), controls[k])
           for k in ("D", "time")}
    out["params"] = np.array([
        _richardson(lambda x, i=i: value({**controls,
                                          "params": controls["params"].at[i].set(x)}),
                    float(controls["params"][i]))
        for i in range(2)])
    return out


LOSSES = {
    "energy": energy,
    "hamiltonian": hamiltonian,
    "mass": mass_in_region(PROBLEM.global_min_mask),
    "fidelity": fidelity(np.exp(-PROBLEM.grid.points[0] ** 2)),
}


@pytest.mark.parametrize("kind, order, loss", [("real", 1, "energy"), ("real", 2, "mass"),
                                               ("real", 4, "fidelity"),
                                               ("imaginary", 2, "hamiltonian")])
def test_gradient_matches_central_differences(kind, order, loss):
    kw = dict(steps=20, order=order, time_axis=kind, kinetic_weight=kinetic,
              potential_weight=potential)
    value, grads = value_and_grad(LOSSES[loss], PROBLEM, CONTROLS, **kw)
    fd = _finite_differences(LOSSES[loss], CONTROLS, **kw)
    assert float(value) == pytest.approx(float(LOSSES[loss](state_fn(PROBLEM, **kw)(CONTROLS))),
                                         rel=1e-14)
    for key in ("D", "time", "params"):
        np.testing.assert_allclose(np.asarray(grads[key]), fd[key], rtol=1e-6, atol=1e-9)


def test_checkpointed_blocks_give_the_same_gradient():
    kw = dict(steps=30, order=2, kinetic_weight=kinetic, potential_weight=potential)
    plain = make_value_and_grad(energy, PROBLEM, block=0, **kw)(CONTROLS)
    blocked = make_value_and_grad(energy, PROBLEM, block=7, **kw)(CONTROLS)  # 4 blocks + 2
    assert float(blocked[0]) == pytest.approx(float(plain[0]), rel=1e-14)
    for key in CONTROLS:
        np.testing.assert_allclose(blocked[1][key], plain[1][key], rtol=1e-12)


@pytest.mark.parametrize("order", [1, 2, 4])
def test_traceable_schedule_reproduces_the_anneal_spec(order):
    a, b = qdq.schedules.preset("qhd-cubic")
    spec = qdq.Anneal(PROBLEM, D=0.3, schedule="qhd-cubic", time=2.0, steps=15, order=order)
    state = anneal_state(PROBLEM, 0.3, 2.0, 15, order,
                         lambda th, t: 2.0 / (1e-3 + t**3), lambda th, t: 2.0 * t**3)
    ref = run_emulator(spec).statevector
    fid = abs(np.vdot(ref, np.asarray(state.psi))) ** 2
    assert fid >= 1 - 1e-12
    assert a(1.0) == pytest.approx(2.0 / (1e-3 + 1.0)) and b(1.0) == 2.0


def test_imaginary_state_reports_the_emulators_success_probability():
    spec = qdq.ImaginaryTime(qdq.Hamiltonian(PROBLEM, D=0.3), time=2.0, steps=10, order=2)
    state = state_fn(PROBLEM, steps=10, order=2, time_axis="imaginary")({"D": 0.3, "time": 2.0})
    ref = run_emulator(spec)
    assert float(np.exp(state.log_success)) == pytest.approx(ref.success_probability,
                                                             rel=1e-12)
    assert abs(np.vdot(ref.statevector, np.asarray(state.psi))) ** 2 >= 1 - 1e-12


@pytest.mark.parametrize("kwargs, match", [({"steps": 0}, "steps"), ({"order": 3}, "order"),
                                           ({"time_axis": "complex"}, "time_axis"),
                                           ({"time_axis": "imaginary", "order": 4}, "order 4"),
                                           ({"block": -1}, "block")])
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        state_fn(PROBLEM, **{"steps": 4, **kwargs})


def test_bad_controls_are_refused():
    f = make_value_and_grad(energy, PROBLEM, steps=4)
    with pytest.raises(ParameterError, match="'D' and 'time'"):
        f({"D": 0.3})
    with pytest.raises(ParameterError, match="unknown control"):
        f({"D": 0.3, "time": 1.0, "tau": 2.0})
