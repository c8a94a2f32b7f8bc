import numpy as np
import pytest

import qdq
from qdq.errors import ProblemError


def test_string_and_callable_give_same_values():
    a = qdq.Problem("x**2 - 3*y + x*y", bounds=[(-1, 1), (0, 2)], qubits=[3, 2])
    b = qdq.Problem(lambda x, y: x**2 - 3 * y + x * y, bounds=[(-1, 1), (0, 2)], qubits=[3, 2])
    x, y = np.meshgrid(*a.grid.points, indexing="ij")
    np.testing.assert_allclose(a.values, x**2 - 3 * y + x * y)
    np.testing.assert_allclose(a.values, b.values)


def test_x0_names_and_caret_and_many_dims():
    p = qdq.Problem("x0^2 + x3", bounds=[(0, 1)] * 4, qubits=1)
    assert p.values.shape == (2, 2, 2, 2)
    assert p.values[1, 0, 0, 1] == pytest.approx(0.25 + 0.5)


def test_terms_group_by_dimensions_and_sum_to_values():
    p = qdq.Problem("x**2 + sin(y) + x*y + 2", bounds=[(-1, 1), (0, 3)], qubits=[3, 2])
    dims = [t.dims for t in p.terms]
    assert dims == [(), (0,), (1,), (0, 1)]
    total = np.zeros(p.grid.shape)
    for t in p.terms:
        if not t.dims:
            total = total + t.values
        elif t.dims == (0,):
            total = total + t.values[:, None]
        elif t.dims == (1,):
            total = total + t.values[None, :]
        else:
            total = total + t.values
    np.testing.assert_allclose(total, p.values, atol=1e-12)


def test_constant_callable_broadcasts():
    p = qdq.Problem(lambda x: 3.0, bounds=[(0, 1)], qubits=2)
    np.testing.assert_allclose(p.values, 3.0)


def test_benchmark_function_supplies_bounds_and_minimizer():
    f = qdq.benchmarks.get("rastrigin", 2)
    p = qdq.Problem(f, qubits=4)
    assert p.grid.bounds == f.bounds
    assert p.minimizer == f.minimizer


def test_non_finite_values_name_count_and_first_point():
    msg = r"not finite at 1 of 8 grid points; the first is index \(4,\)"
    with pytest.raises(ProblemError, match=msg):
        qdq.Problem("1/x", bounds=[(-2, 2)], qubits=3)


@pytest.mark.parametrize(
    "objective, match",
    [
        ("x**2 + w", r"unknown variable\(s\) \['w'\]"),
        ("x**", "cannot parse"),
        ("", "empty"),
        (lambda x: np.ones(3), r"shape \(3,\)"),
        (lambda x: 1 / 0, "ZeroDivisionError"),
        (42, "callable or a string"),
    ],
)
def test_bad_objectives(objective, match):
    with pytest.raises(ProblemError, match=match):
        qdq.Problem(objective, bounds=[(-1, 1)], qubits=3)


def test_minimizer_outside_box():
    with pytest.raises(ProblemError, match="outside the box"):
        qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3, minimizer=[5.0])


def test_global_min_mask_and_argmin():
    p = qdq.Problem("(x - 0.25)**2", bounds=[(-1, 1)], qubits=3)
    assert p.global_min_mask.sum() == 1
    assert p.grid_argmin == (0.25,)
