"""Parametric schedule families: formulas, exact names, JSON, Anneal and backend integration."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from numpy.polynomial import chebyshev as C  # noqa: N812

import qdq
from qdq import schedules as S  # noqa: N812
from qdq.errors import ParameterError
from qdq.schedule_families import (
    BangAnnealBang,
    Correction,
    ParametricSchedule,
    PiecewiseLinear,
    family,
)
from tests.reference import fidelity

TS = [0.0, 0.37, 1.0, 2.5, 6.1, 10.0]
FAMILIES = [Correction("qhd-cubic", terms=4), Correction("linear", terms=3, basis="fourier"),
            Correction("qhd-inverse-quadratic", terms=2, gamma=0.3),
            PiecewiseLinear(knots=5), BangAnnealBang(start=0.1, stop=0.7)]


def _theta(fam, seed=3):
    return fam.init() + 0.3 * np.random.default_rng(seed).standard_normal(fam.size)


@pytest.mark.parametrize("base,params", [("qhd-cubic", {}), ("qhd-cubic", {"scale": 3.0}),
                                         ("qhd-inverse-quadratic", {"gamma": 0.2}),
                                         ("linear", {"floor": 0.1}),
                                         ("exponential", {"rate": 0.5, "floor": 0.05}),
                                         ("constant", {"kinetic": 0.3})])
def test_zero_correction_is_the_preset_bit_for_bit(base, params):
    fam = Correction(base, terms=3, **params)
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    learned = qdq.Anneal(p, 0.5, schedule=fam.schedule(np.zeros(6)), time=10.0, steps=200)
    preset = qdq.Anneal(p, 0.5, schedule=S.preset(base, **params, **(
        {"time": 10.0} if "time" in S.preset_parameters(base) else {})), time=10.0, steps=200)
    assert learned.product_formula() == preset.product_formula()
    for t in TS:
        assert learned.kinetic_weight(t) == preset.kinetic_weight(t)
        assert learned.potential_weight(t) == preset.potential_weight(t)


def test_correction_series_matches_numpy_chebyshev_and_cosine():
    c, d = np.array([0.3, -0.2, 0.1, 0.05]), np.array([-0.1, 0.4, 0.0, -0.3])
    a, b = Correction("qhd-cubic", terms=4).schedule(np.r_[c, d]).anneal_weights(10.0)
    for t in TS:
        x = 2 * t / 10.0 - 1
        assert a(t) == pytest.approx(2 / (1e-3 + t**3) * math.exp(C.chebval(x, c)), rel=1e-13)
        assert b(t) == pytest.approx(2 * t**3 * math.exp(C.chebval(x, d)), rel=1e-13, abs=0)
    a, b = Correction("constant", terms=4, basis="fourier").schedule(np.r_[c, d]).anneal_weights(
        4.0)
    for t in [0.0, 1.3, 4.0]:
        s = t / 4.0
        assert a(t) == pytest.approx(math.exp(sum(ck * math.cos(k * math.pi * s)
                                                  for k, ck in enumerate(c))), rel=1e-13)


def test_piecewise_linear_is_geometric_between_knots_and_starts_on_the_preset():
    fam = PiecewiseLinear(knots=3, init="qhd-cubic")
    th = fam.init()
    a, b = fam.schedule(th).anneal_weights(10.0)
    # knots at t = 0, 5, 10 carry the preset's values (b(0) = 0 floored at 1e-6)
    assert a(0.0) == pytest.approx(2000.0, rel=1e-12) and a(5.0) == pytest.approx(2 / 125.001)
    assert b(0.0) == pytest.approx(1e-6) and b(10.0) == pytest.approx(2000.0, rel=1e-12)
    assert a(2.5) == pytest.approx(math.sqrt(a(0.0) * a(5.0)), rel=1e-12)
    assert a(20.0) == a(10.0)  # s is clipped to [0, 1]


def test_bang_anneal_bang_shape():
    a, b = BangAnnealBang(start=0.2, stop=0.5, kinetic=2.0, potential=8.0).schedule(
        BangAnnealBang(start=0.2, stop=0.5, kinetic=2.0, potential=8.0).init()).anneal_weights(
        10.0)
    assert [a(t) for t in (0.0, 2.0)] == pytest.approx([2.0, 2.0])
    assert [b(t) for t in (0.0, 2.0)] == pytest.approx([0.0, 0.0], abs=1e-12)
    assert (a(3.5), b(3.5)) == pytest.approx((1.0, 4.0))
    assert (a(5.0), b(5.0), a(9.0), b(9.0)) == pytest.approx((0.0, 8.0, 0.0, 8.0), abs=1e-12)


@pytest.mark.parametrize("fam", FAMILIES, ids=lambda f: f.name)
def test_weights_are_nonnegative_finite_and_named_exactly(fam):
    sched = fam.schedule(_theta(fam))
    a, b = sched.anneal_weights(10.0)
    vals = [w(t) for w in (a, b) for t in np.linspace(0, 10, 41)]
    assert all(math.isfinite(v) and v >= 0 for v in vals)
    # the repr records every parameter exactly: repr(float) round-trips
    for w in (a, b):
        assert w.params["time"] == 10.0
        assert [w.params[f"theta{i}"] for i in range(fam.size)] == list(sched.theta)
        for i, v in enumerate(sched.theta):
            assert f"theta{i}={v!r}" in repr(w)
    assert a != b and a == sched.anneal_weights(10.0)[0]


@pytest.mark.parametrize("fam", FAMILIES, ids=lambda f: f.name)
def test_json_round_trip_reproduces_the_schedule(fam):
    sched = fam.schedule(_theta(fam))
    back = ParametricSchedule.from_dict(json.loads(json.dumps(sched.to_dict())))
    assert back == sched and hash(back) == hash(sched)
    a1, b1 = sched.anneal_weights(7.0)
    a2, b2 = back.anneal_weights(7.0)
    assert [a1(t) for t in TS] == [a2(t) for t in TS]
    assert [b1(t) for t in TS] == [b2(t) for t in TS]


def test_anneal_accepts_a_parametric_schedule_like_a_preset_name():
    fam = Correction("qhd-cubic", terms=2)
    sched = fam.schedule([0.1, -0.2, 0.3, 0.05])
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    spec = qdq.Anneal(p, 0.5, schedule=sched, time=10.0, steps=50)
    d = spec.to_dict()
    assert d["schedule"] == "chebyshev-correction(qhd-cubic, terms=2)"
    assert d["kinetic_weight"].startswith(
        "correction[base='qhd-cubic', terms=2, basis='chebyshev', scale=2.0, eps=0.001]_kinetic("
        "time=10.0, theta0=0.1, theta1=-0.2, theta2=0.3, theta3=0.05)")
    json.dumps(d)
    with pytest.raises(ParameterError, match="not both"):
        qdq.Anneal(p, 0.5, schedule=sched, kinetic_weight=1.0)


def test_bad_input_names_the_value():
    with pytest.raises(ParameterError, match="terms must be an integer in \\[1, 32\\], got 0"):
        Correction(terms=0)
    with pytest.raises(ParameterError, match="basis must be .*got 'legendre'"):
        Correction(basis="legendre")
    with pytest.raises(ParameterError, match="base preset must be one of .*got 'qhd-cubc'"):
        Correction("qhd-cubc")
    with pytest.raises(ParameterError, match="has no parameter"):
        Correction("qhd-cubic", gamma=1.0)
    with pytest.raises(ParameterError, match="needs 4 finite parameters, got 3"):
        BangAnnealBang().schedule([0.0, 1.0, 2.0])
    with pytest.raises(ParameterError, match="finite parameters"):
        BangAnnealBang().schedule([0.0, 1.0, float("nan"), 0.0])
    with pytest.raises(ParameterError, match="0 < start < stop < 1"):
        BangAnnealBang(start=0.6, stop=0.4)
    with pytest.raises(ParameterError, match="unknown schedule family 'spline'"):
        family("spline")
    with pytest.raises(ParameterError, match="knots must be an integer"):
        PiecewiseLinear(knots=1)
    assert family("fourier", terms=3) == Correction(terms=3, basis="fourier")
    assert family("bang_anneal_bang").name == "bang-anneal-bang"


@pytest.mark.parametrize("fam", [FAMILIES[0], FAMILIES[3], FAMILIES[4]], ids=lambda f: f.name)
def test_parametric_schedule_on_aer_equals_the_emulator(fam):
    p = qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3, 3)], qubits=4)
    spec = qdq.Anneal(p, 0.5, schedule=fam.schedule(_theta(fam)), time=2.0, steps=6, order=2)
    aer, emu = qdq.run(spec, backend="aer"), qdq.run(spec, backend="emulator")
    assert fidelity(aer.statevector, spec.initial_state()) < 0.99  # it moved
    assert fidelity(aer.statevector, emu.statevector) >= 1 - 1e-9
    np.testing.assert_allclose(aer.probabilities, emu.probabilities, atol=1e-10)


def test_parametric_schedule_on_pennylane_equals_the_emulator():
    pytest.importorskip("pennylane")
    fam = FAMILIES[0]
    p = qdq.Problem("0.3*x**4 - x**2 + 0.2*x", bounds=[(-3, 3)], qubits=3)
    spec = qdq.Anneal(p, 0.5, schedule=fam.schedule(_theta(fam)), time=2.0, steps=4, order=1)
    pl, emu = qdq.run(spec, backend="pennylane"), qdq.run(spec, backend="emulator")
    np.testing.assert_allclose(pl.probabilities, emu.probabilities, atol=1e-10)
