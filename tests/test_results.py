import json

import numpy as np
import pytest

import qdq
from qdq.results import Result


@pytest.fixture
def result():
    p = qdq.Problem("(x - 0.5)**2 + 0.3*y**2", bounds=[(-2, 2), (-1, 1)], qubits=[4, 3],
                    minimizer=[0.5, 0.0])
    return qdq.run(qdq.RealTime(qdq.Hamiltonian(p, D=0.3), time=0.7, steps=7,
                                initial=qdq.GaussianPacket([0.3, 0.1], [0.5, 0.4], [1.0, 0.0])))


def test_metrics_against_direct_computation(result):
    p = result.probabilities
    vals = result.values
    mask = vals == vals.min()
    assert result.p_global_min == pytest.approx(p[mask].sum())
    assert result.uniform_baseline == pytest.approx(mask.sum() / vals.size)
    assert result.p_global_min_ratio == pytest.approx(p[mask].sum() * vals.size / mask.sum())
    j = np.unravel_index(np.argmax(p), p.shape)
    assert result.best_point == (result.grid.points[0][j[0]], result.grid.points[1][j[1]])
    assert result.best_value == pytest.approx(vals[j])
    assert result.expected_potential == pytest.approx(np.sum(p * vals))
    H = qdq.Hamiltonian(qdq.Problem("(x - 0.5)**2 + 0.3*y**2", bounds=[(-2, 2), (-1, 1)],
                                    qubits=[4, 3]), D=0.3)
    assert result.expected_energy == pytest.approx(H.energy(result.statevector), rel=1e-12)
    x, y = np.meshgrid(*result.grid.points, indexing="ij")
    inside = (x - 0.5) ** 2 + y**2 <= 0.6**2
    assert result.success_within(0.6) == pytest.approx(p[inside].sum())
    assert result.unconditional_yield == pytest.approx(result.p_global_min)  # unitary
    assert result.expected_shots_to_minimum == pytest.approx(1 / result.p_global_min)


def test_round_trip_through_json(result):
    data = json.loads(json.dumps(result.to_dict()))
    back = Result.from_dict(data)
    np.testing.assert_allclose(back.probabilities, result.probabilities)
    np.testing.assert_allclose(back.statevector, result.statevector)
    assert back.grid == result.grid
    assert back.summary() | {"timing": None} == result.summary() | {"timing": None}
    assert "P_gm=" in repr(back)


def test_shots_result_has_no_energy():
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    r = qdq.run(qdq.RealTime(qdq.Hamiltonian(p, D=0.5), time=0.5, steps=2), shots=100, seed=0)
    assert r.expected_energy is None and r.statevector is None
    assert Result.from_dict(r.to_dict()).shots == 100
