import numpy as np
import pytest

import qdq
from qdq.errors import ParameterError
from qdq.evolution import merge_adjacent


@pytest.fixture
def H():
    return qdq.Hamiltonian(qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3), D=0.5)


def test_order1_potential_first(H):
    steps = qdq.RealTime(H, time=1.0, steps=4, order=1).product_formula().factors
    assert [t for t, _ in steps] == ["potential", "kinetic"] * 4
    assert all(c == pytest.approx(0.25) for _, c in steps)


def test_order2_merges_half_steps(H):
    steps = qdq.RealTime(H, time=1.0, steps=4, order=2).product_formula().factors
    assert [t for t, _ in steps] == ["potential", "kinetic"] * 4 + ["potential"]
    cs = [c for _, c in steps]
    assert cs[0] == pytest.approx(0.125) and cs[-1] == pytest.approx(0.125)
    assert cs[2] == pytest.approx(0.25)
    # total time per term is preserved
    assert sum(c for t, c in steps if t == "potential") == pytest.approx(1.0)
    assert sum(c for t, c in steps if t == "kinetic") == pytest.approx(1.0)


def test_order4_yoshida_weights(H):
    steps = qdq.RealTime(H, time=1.0, steps=1, order=4).product_formula().factors
    w1 = 1 / (2 - 2 ** (1 / 3))
    w0 = 1 - 2 * w1
    kin = [c for t, c in steps if t == "kinetic"]
    np.testing.assert_allclose(kin, [w1, w0, w1])
    assert sum(c for t, c in steps if t == "potential") == pytest.approx(1.0)


def test_time_dependent_weights_left_end_and_midpoint():
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
    a = lambda t: 1.0 + t  # noqa: E731
    b = lambda t: 2.0 * t  # noqa: E731
    s1 = qdq.Anneal(p, D=1.0, kinetic_weight=a, potential_weight=b, time=1.0, steps=2, order=1)
    # t = 0: potential weight 0 (dropped), kinetic 1*0.5; t = 0.5: potential 1*0.5, kinetic 1.5*0.5
    assert s1.product_formula().factors == (("kinetic", 0.5), ("potential", 0.5), ("kinetic", 0.75))
    s2 = qdq.Anneal(p, D=1.0, kinetic_weight=a, potential_weight=b, time=1.0, steps=2, order=2)
    st = s2.product_formula().factors
    # midpoints 0.25 and 0.75: potential half-steps b*dt/2 merged across the step boundary
    expected = [("potential", 0.125), ("kinetic", 0.625), ("potential", 0.125 + 0.375),
                ("kinetic", 0.875), ("potential", 0.375)]
    assert [t for t, _ in st] == [t for t, _ in expected]
    np.testing.assert_allclose([c for _, c in st], [c for _, c in expected])


def test_merge_adjacent_cancels_to_nothing():
    assert merge_adjacent([("kinetic", 1.0), ("kinetic", -1.0), ("potential", 2.0)]) == [
        ("potential", 2.0)
    ]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"time": 0}, "time must be"),
        ({"time": -1.0}, "time must be"),
        ({"steps": 0}, "steps must be an integer >= 1, got 0"),
        ({"steps": 2.5}, "got 2.5"),
        ({"order": 3}, r"order must be one of \(1, 2, 4\), got 3"),
        ({"initial": "ground"}, "unknown initial state 'ground'"),
        ({"initial": np.ones(5)}, r"shape \(5,\)"),
        ({"initial": np.zeros(8)}, "non-zero"),
    ],
)
def test_bad_spec_parameters(H, kwargs, match):
    base = {"time": 1.0, "steps": 4, "order": 2}
    base.update(kwargs)
    with pytest.raises(ParameterError, match=match):
        qdq.RealTime(H, **base)


def test_imaginary_time_refuses_order_4(H):
    with pytest.raises(ParameterError, match="order 4 is not available"):
        qdq.ImaginaryTime(H, time=1.0, steps=4, order=4)


def test_negative_weight_names_t():
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
    with pytest.raises(ParameterError, match=r"kinetic_weight\(0.5\) = -0.25"):
        qdq.Anneal(p, kinetic_weight=lambda t: 0.25 - t, time=1.0, steps=4)
    # negative only between the construction-time checkpoints: caught when sequenced
    a = qdq.Anneal(p, kinetic_weight=lambda t: -1.0 if 0.7 < t < 0.8 else 1.0, time=1.0, steps=4)
    with pytest.raises(ParameterError, match=r"kinetic_weight\(0.75\) = -1.0"):
        a.product_formula()
    with pytest.raises(ParameterError, match=r"potential_weight\(0\) = nan"):
        qdq.Anneal(p, potential_weight=lambda t: float("nan"), time=1.0, steps=4)


def test_wrong_types_rejected():
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
    with pytest.raises(ParameterError, match="needs a qdq.Hamiltonian"):
        qdq.RealTime(p, time=1.0, steps=2)


def test_final_D_is_the_end_hamiltonians_kinetic_constant():
    p = qdq.Problem("x**2", bounds=[(-2, 2)], qubits=3)
    a = qdq.Anneal(p, D=0.5, kinetic_weight=lambda t: 2.0 / (1 + t),
                   potential_weight=lambda t: 1 + t, time=3.0, steps=4)
    assert a.final_D == pytest.approx(0.5 * (2.0 / 4.0) / 4.0)
    H = qdq.Hamiltonian(p, D=0.7)
    assert qdq.RealTime(H, time=1.0, steps=2).final_D == 0.7
    r = qdq.run(a)
    ref = qdq.Hamiltonian(p, D=a.final_D).energy(r.statevector)
    assert r.expected_energy == pytest.approx(ref)
