import numpy as np
import pytest

from qdq.errors import ProblemError, ResourceError
from qdq.grid import Grid


def test_points_spacing_and_periodic_convention():
    g = Grid([(-2.0, 2.0)], qubits=3)
    assert g.spacing == (0.5,)
    np.testing.assert_allclose(g.points[0], -2 + 0.5 * np.arange(8))
    assert 2.0 not in g.points[0]  # high is excluded: same point as low
    np.testing.assert_allclose(g.momenta[0], 2 * np.pi * np.fft.fftfreq(8, d=0.5))


def test_unequal_qubits_offsets_and_registers():
    g = Grid([(0, 1), (0, 2), (0, 3)], qubits=[1, 3, 2])
    assert g.shape == (2, 8, 4)
    assert g.offsets == (0, 1, 4)
    assert g.register(1) == [1, 2, 3]
    assert g.num_qubits == 6


def test_to_grid_matches_little_endian_definition():
    g = Grid([(0, 1), (0, 1)], qubits=[2, 3])
    flat = np.arange(g.size)
    arr = g.to_grid(flat)
    for j0 in range(4):
        for j1 in range(8):
            assert arr[j0, j1] == j0 + 4 * j1  # i = j0 * 2^0 + j1 * 2^offset_1
    np.testing.assert_array_equal(g.to_flat(arr), flat)


def test_k_squared_sums_dimensions():
    g = Grid([(0, 1), (0, 2)], qubits=[2, 2])
    k0, k1 = g.momenta
    np.testing.assert_allclose(g.k_squared, k0[:, None] ** 2 + k1[None, :] ** 2)


@pytest.mark.parametrize(
    "bounds, qubits, match",
    [
        ([(1.0, 1.0)], 3, "low=1 >= high=1"),
        ([(2.0, -1.0)], 3, "low=2 >= high=-1"),
        ([(0, 1)], 0, r"qubits\[0\] must be >= 1, got 0"),
        ([(0, 1), (0, 1)], [2], "2 dimensions"),
        ([(0, np.inf)], 2, "finite"),
        ([], 2, "empty"),
    ],
)
def test_bad_grids_raise_with_value(bounds, qubits, match):
    with pytest.raises(ProblemError, match=match):
        Grid(bounds, qubits)


def test_memory_refused_before_allocating(monkeypatch):
    import qdq.grid as grid_mod

    monkeypatch.setattr(grid_mod, "available_memory_bytes", lambda: 1 << 20)
    with pytest.raises(ResourceError, match=r"needs .* GiB but only .* GiB"):
        Grid([(0, 1)], qubits=20)


def test_too_many_qubits_refused():
    with pytest.raises(ResourceError, match="40 qubits"):
        Grid([(0, 1)] * 2, qubits=20)
