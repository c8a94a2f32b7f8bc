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


def test_typed_fields_round_trip_through_json():
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    r = qdq.run(qdq.ImaginaryTime(qdq.Hamiltonian(p, D=0.5), time=0.5, steps=4), shots=400,
                seed=2)
    assert r.factors == {"potential": 5, "kinetic": 4}
    assert 0 < r.accepted_shots <= 400 and r.success_probability == r.accepted_shots / 400
    data = json.loads(json.dumps(r.to_dict()))
    assert "D" not in data and data["final_D"] == 0.5
    assert "factors" not in data["extra"] and "accepted_shots" not in data["extra"]
    back = Result.from_dict(data)
    assert (back.final_D, back.factors, back.accepted_shots) == (0.5, r.factors,
                                                                 r.accepted_shots)


def test_old_files_with_D_and_extra_counts_are_read():
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    r = qdq.run(qdq.Anneal(p, D=0.4, time=1.0, steps=4,
                           kinetic_weight=lambda t: 1 - 0.5 * t), shots=50, seed=1)
    assert r.final_D == pytest.approx(0.2)
    new = json.loads(json.dumps(r.to_dict()))
    # The layout written before final_D / accepted_shots / factors were Result fields.
    old = {k: v for k, v in new.items() if k not in ("final_D", "accepted_shots", "factors")}
    old["D"] = new["final_D"]
    old["extra"] = {"factors": new["factors"], "accepted_shots": new["accepted_shots"],
                    "note": "kept"}
    back = Result.from_dict(old)
    assert back.final_D == r.final_D
    assert back.factors == {"potential": 4, "kinetic": 4} == r.factors
    assert back.accepted_shots == 50 == r.accepted_shots
    assert back.extra == {"note": "kept"}
    np.testing.assert_array_equal(back.probabilities, r.probabilities)
    # A damaged old file names the key it actually has.
    with pytest.raises(qdq.errors.ResultError, match="field 'D' must be >= 0"):
        Result.from_dict(old | {"D": -1.0})


def test_no_D_alias_remains():
    # Result.D was renamed final_D (README and notebooks never read it); no alias is kept.
    assert not hasattr(Result, "D")
