import numpy as np
import pytest

from qdq.classical.budget import BudgetExhausted, CountedObjective, check_bounds
from qdq.errors import ParameterError


def test_counts_points_not_calls(counting):
    f = counting(lambda x, y: x + y)
    obj = CountedObjective(f, [(0, 1), (0, 1)], budget=100)
    obj(np.zeros((7, 2)))
    obj(np.ones((3, 2)))
    assert obj.nfev == 10 == f.points
    assert obj.remaining == 90


def test_stops_exactly_at_budget(counting):
    f = counting(lambda x: x**2)
    obj = CountedObjective(f, [(-1, 1)], budget=5)
    obj(np.array([[0.9], [0.8], [0.7]]))
    with pytest.raises(BudgetExhausted):
        obj(np.array([[0.1], [0.2], [-0.05]]))
    # Only the two points that still fit were evaluated, and they were recorded.
    assert obj.nfev == 5 == f.points
    assert obj.best_fun == pytest.approx(0.01)
    calls = f.calls
    with pytest.raises(BudgetExhausted):
        obj(np.array([[0.0]]))
    assert f.calls == calls  # nothing left: f is not even called


def test_history_records_improvements_inside_a_batch():
    obj = CountedObjective(lambda x: x, [(-10, 10)], budget=20)
    obj(np.array([[3.0], [2.0], [5.0], [1.0]]))
    obj(np.array([[4.0], [0.5]]))
    # A batch that starts worse than the best so far records only true improvements.
    obj(np.array([[0.9], [0.7], [0.25]]))
    np.testing.assert_array_equal(
        obj.history_array(), [[1, 3.0], [2, 2.0], [4, 1.0], [6, 0.5], [9, 0.25]]
    )
    assert obj.best_x == pytest.approx([0.25])
    obj(np.array([[7.0]]))
    closed = obj.history_array(close=True)
    np.testing.assert_array_equal(closed[-1], [10, 0.25])


def test_nan_never_becomes_best_and_constant_objective_broadcasts():
    obj = CountedObjective(lambda x: np.where(x > 0, np.nan, x), [(-1, 1)], budget=10)
    obj(np.array([[0.5], [-0.25]]))
    assert obj.best_fun == -0.25
    const = CountedObjective(lambda x, y: 3.0, [(0, 1), (0, 1)], budget=10)
    np.testing.assert_array_equal(const(np.zeros((4, 2))), [3.0] * 4)
    assert const.nfev == 4


def test_scalar_interface_matches_batch():
    obj = CountedObjective(lambda x, y: x * y, [(-2, 2), (-2, 2)], budget=3)
    assert obj.scalar(np.array([1.5, -2.0])) == -3.0
    assert obj.nfev == 1


@pytest.mark.parametrize("budget", [0, -3, 2.5, True, "10", None])
def test_bad_budget(budget):
    with pytest.raises(ParameterError, match="budget") as info:
        CountedObjective(lambda x: x, [(0, 1)], budget=budget)
    assert repr(budget) in str(info.value)


@pytest.mark.parametrize(
    ("bounds", "shown"),
    [
        ([(1.0, 1.0)], "(1.0, 1.0)"),
        ([(0, 1), (3, -3)], "(3.0, -3.0)"),
        ([(0, np.inf)], "inf"),
        ([1, 2], "[1, 2]"),
        ([], "[]"),
    ],
)
def test_bad_bounds(bounds, shown):
    with pytest.raises(ParameterError) as info:
        check_bounds(bounds)
    assert shown in str(info.value)


def test_bad_batch_shape_and_objective():
    obj = CountedObjective(lambda x, y: x, [(0, 1), (0, 1)], budget=5)
    with pytest.raises(ParameterError, match=r"\(4, 3\)"):
        obj(np.zeros((4, 3)))
    wrong = CountedObjective(lambda x, y: np.ones((len(x), 2)), [(0, 1), (0, 1)], budget=5)
    with pytest.raises(ParameterError, match=r"one value per point.*\(3, 2\)"):
        wrong(np.zeros((3, 2)))
    with pytest.raises(ParameterError, match="callable"):
        CountedObjective("x**2", [(0, 1)], budget=5)
