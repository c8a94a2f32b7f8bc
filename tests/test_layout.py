import numpy as np
import pytest

import qdq
from qdq.errors import ProblemError
from qdq.layout import Layout


def test_flat_layout_keeps_states_flat():
    lay = Layout([1] * 5, flat=True)
    assert lay.shape == (32,) and lay.size == 32 and lay.dims == 5
    assert lay.register(3) == [3] and lay.offsets == (0, 1, 2, 3, 4)
    flat = np.arange(32.0)
    assert lay.to_grid(flat) is not None and np.array_equal(lay.to_grid(flat), flat)
    assert np.array_equal(lay.to_flat(flat), flat)


def test_grid_is_a_layout_with_a_box():
    g = qdq.Grid([(-1, 1), (0, 4)], qubits=[2, 3])
    assert isinstance(g, Layout) and not g.flat
    assert g.shape == (4, 8) and g.register(1) == [2, 3, 4]
    flat = np.arange(32)
    assert g.to_grid(flat)[1, 2] == 9
    assert np.array_equal(g.to_flat(g.to_grid(flat)), flat)


def test_layout_round_trip_and_grid_from_dict():
    lay = Layout([1, 1, 1], flat=True)
    assert Layout.from_dict(lay.to_dict()) == lay
    g = qdq.Grid([(0, 1)], qubits=3)
    from qdq.grid import layout_from_dict

    assert layout_from_dict(g.to_dict()) == g and layout_from_dict(lay.to_dict()) == lay


@pytest.mark.parametrize("bad", [[0], [1.5], [], ["a"], [True]])
def test_bad_registers_are_refused(bad):
    with pytest.raises(ProblemError):
        Layout(bad)
