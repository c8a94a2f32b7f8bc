"""Tests of qdq.schedules: formulas, presets, names, validation, Anneal integration."""

from __future__ import annotations

import math

import numpy as np
import pytest

import qdq
from qdq import schedules as S  # noqa: N812
from qdq.errors import ParameterError

TS = [0.0, 0.3, 1.0, 2.5, 7.0, 10.0]


@pytest.mark.parametrize("t", TS)
def test_building_blocks_match_their_formulas(t):
    assert S.constant(0.7)(t) == 0.7
    lin = S.linear(2.0, 0.5, time=4.0)
    assert lin(t) == pytest.approx(2.0 + (0.5 - 2.0) * min(t / 4.0, 1.0), rel=1e-15)
    ex = S.exponential(3.0, rate=0.4, floor=0.2)
    assert ex(t) == pytest.approx(0.2 + 2.8 * math.exp(-0.4 * t), rel=1e-15)
    assert S.inverse_quadratic(0.3)(t) == pytest.approx(1 / (1 + 0.3 * t * t), rel=1e-15)
    assert S.quadratic(0.3)(t) == pytest.approx(1 + 0.3 * t * t, rel=1e-15)
    assert S.inverse_cubic(2.0, 1e-3)(t) == pytest.approx(2 / (1e-3 + t**3), rel=1e-15)
    assert S.cubic(2.0)(t) == pytest.approx(2 * t**3, rel=1e-15)


def test_qhd_cubic_preset_is_the_published_schedule():
    a, b = S.preset("qhd-cubic")
    t = np.linspace(0, 10, 101)
    np.testing.assert_allclose([a(x) for x in t], 2 / (1e-3 + t**3), rtol=1e-14)
    np.testing.assert_allclose([b(x) for x in t], 2 * t**3, rtol=1e-14)
    assert a(0.0) == 2000.0 and b(0.0) == 0.0


def test_inverse_quadratic_preset_product_is_one():
    a, b = S.preset("qhd-inverse-quadratic", gamma=0.25)
    for t in TS:
        assert a(t) * b(t) == pytest.approx(1.0, rel=1e-14)
        assert b(t) == pytest.approx(1 + 0.25 * t * t)


def test_linear_and_exponential_presets_decay_to_their_floor():
    a, b = S.preset("linear", start=2.0, floor=0.1, time=5.0)
    assert a(0.0) == 2.0 and a(5.0) == pytest.approx(0.1) and a(50.0) == pytest.approx(0.1)
    assert a(2.5) == pytest.approx(1.05)
    assert b(3.0) == 1.0
    a, b = S.preset("exponential", start=1.0, rate=3.0, floor=0.05)
    assert a(0.0) == 1.0 and a(20.0) == pytest.approx(0.05, abs=1e-12)
    assert all(a(x) > a(x + 0.1) for x in TS)  # strictly decreasing


def test_constant_preset():
    a, b = S.preset("constant", kinetic=0.2, potential=3.0)
    assert (a(1.0), b(9.0)) == (0.2, 3.0)


def test_schedules_have_readable_names_and_compare_by_value():
    a, b = S.preset("qhd-cubic", scale=2.0, eps=1e-3)
    assert repr(a) == "qhd_cubic_kinetic(scale=2, eps=0.001)"
    assert a.__qualname__ == repr(a)
    assert repr(b) == "qhd_cubic_potential(scale=2)"
    assert a == S.inverse_cubic(2.0, 1e-3) and a != S.inverse_cubic(3.0, 1e-3)
    assert hash(a) == hash(S.inverse_cubic(2.0, 1e-3))
    assert a.to_dict() == {"name": "qhd_cubic_kinetic", "params": {"scale": 2.0, "eps": 1e-3}}


def test_unknown_preset_lists_valid_names_and_close_matches():
    with pytest.raises(ParameterError, match="did you mean 'qhd-cubic'") as info:
        S.preset("qhd-cubik")
    for name in S.PRESETS:
        assert name in str(info.value)
    with pytest.raises(ParameterError, match="valid names"):
        S.preset("nonsense-schedule")
    with pytest.raises(ParameterError, match="must be a str"):
        S.preset(3)


def test_underscores_are_accepted_in_preset_names():
    assert S.preset("qhd_cubic")[0] == S.preset("qhd-cubic")[0]


def test_unknown_and_bad_parameters_are_rejected():
    with pytest.raises(ParameterError, match=r"no parameter\(s\) \['gama'\].*gamma"):
        S.preset("qhd-inverse-quadratic", gama=1.0)
    with pytest.raises(ParameterError, match="eps must be > 0, got 0"):
        S.preset("qhd-cubic", eps=0.0)
    with pytest.raises(ParameterError, match="floor must be >= 0.*got -0.1"):
        S.preset("linear", floor=-0.1)
    with pytest.raises(ParameterError, match="time must be > 0"):
        S.linear(1.0, 0.0, time=0.0)
    with pytest.raises(ParameterError, match="must be finite, got nan"):
        S.exponential(start=float("nan"))
    with pytest.raises(ParameterError, match="must be a number, got 'x'"):
        S.constant("x")


def test_anneal_accepts_a_preset_name_and_records_it():
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    named = qdq.Anneal(p, schedule="qhd-cubic", time=2.0, steps=4)
    a, b = S.preset("qhd-cubic")
    explicit = qdq.Anneal(p, kinetic_weight=a, potential_weight=b, time=2.0, steps=4)
    assert named.product_formula() == explicit.product_formula()
    d = named.to_dict()
    assert d["schedule"] == "qhd-cubic"
    assert d["kinetic_weight"] == "qhd_cubic_kinetic(scale=2, eps=0.001)"
    assert d["potential_weight"] == "qhd_cubic_potential(scale=2)"


def test_anneal_linear_preset_ramps_over_the_anneal_time():
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    s = qdq.Anneal(p, schedule="linear", time=3.0, steps=3)
    a, _ = s.weights()
    assert a(3.0) == pytest.approx(0.01) and a(0.0) == 1.0


def test_anneal_schedule_pair_and_conflicts():
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    pair = S.preset("exponential", rate=0.5)
    s = qdq.Anneal(p, schedule=pair, time=1.0, steps=2)
    assert s.weights() == pair
    with pytest.raises(ParameterError, match="not both"):
        qdq.Anneal(p, schedule="qhd-cubic", kinetic_weight=1.0)
    with pytest.raises(ParameterError, match="preset name or a"):
        qdq.Anneal(p, schedule=42)
    with pytest.raises(ParameterError, match="unknown schedule preset 'cubic'"):
        qdq.Anneal(p, schedule="cubic")
    with pytest.raises(ParameterError, match="pass schedule='qhd-cubic'"):
        qdq.Anneal(p, kinetic_weight="qhd-cubic")


def test_constant_weights_get_a_readable_name():
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    d = qdq.Anneal(p, kinetic_weight=0.5, potential_weight=2, time=1.0, steps=2).to_dict()
    assert d["kinetic_weight"] == "constant(value=0.5)"
    assert d["potential_weight"] == "constant(value=2)"
