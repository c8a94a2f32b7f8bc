"""Result.from_dict / load_result refuse damaged data with a ResultError naming the field."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import qdq
from qdq.errors import QdqError, ResultError
from qdq.files import atomic_write_json
from qdq.results import Result, load_result


@pytest.fixture(scope="module")
def good() -> dict:
    p = qdq.Problem("(x - 0.25)**2 + y**2", bounds=[(-1, 1), (-1, 1)], qubits=[3, 2])
    r = qdq.run(qdq.RealTime(qdq.Hamiltonian(p, D=0.2), time=0.4, steps=4))
    return json.loads(json.dumps(r.to_dict()))


def _with(data: dict, **changes) -> dict:
    out = json.loads(json.dumps(data))
    for key, value in changes.items():
        if value is _DROP:
            out.pop(key)
        else:
            out[key] = value
    return out


_DROP = object()


def test_good_result_round_trips(good):
    r = Result.from_dict(good)
    assert r.probabilities.shape == (8, 4) and r.statevector.shape == (8, 4)
    assert r.probabilities.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("field", ["method", "backend", "grid", "values", "final_D",
                                   "probabilities", "success_probability"])
def test_missing_required_field(good, field):
    with pytest.raises(ResultError, match=f"missing the field.*'{field}'"):
        Result.from_dict(_with(good, **{field: _DROP}))


def _one_negative(p: np.ndarray) -> np.ndarray:
    """Still sums to 1, but one entry is -0.01."""
    q = p.copy().ravel()
    i, j = int(np.argmin(q)), int(np.argmax(q))
    q[j] += q[i] + 0.01
    q[i] = -0.01
    return q.reshape(p.shape)


def _probs(good, transform):
    p = np.asarray(good["probabilities"], dtype=float)
    return transform(p).tolist()


@pytest.mark.parametrize(("changes", "field", "found"), [
    (lambda g: {"probabilities": _probs(g, lambda p: p[:, :3])}, "probabilities", r"\(8, 3\)"),
    (lambda g: {"probabilities": _probs(g, lambda p: p.ravel())}, "probabilities", r"\(32,\)"),
    (lambda g: {"values": np.zeros((4, 8)).tolist()}, "values", r"\(4, 8\)"),
    (lambda g: {"probabilities": _probs(g, lambda p: p * 1.001)}, "probabilities",
     "sum to 1.*1.001"),
    (lambda g: {"probabilities": _probs(g, lambda p: p + 1e-5)}, "probabilities", "sum to 1"),
    (lambda g: {"probabilities": _probs(g, lambda p: np.where(p == p.max(), np.nan, p))},
     "probabilities", "finite.*1 NaN/inf"),
    (lambda g: {"probabilities": _probs(g, _one_negative)}, "probabilities", ">= 0, got -0.01"),
    (lambda g: {"values": _probs(g, lambda p: np.where(p == p.max(), np.inf, p))}, "values",
     "finite"),
    (lambda g: {"final_D": -0.1}, "final_D", ">= 0, got -0.1"),
    (lambda g: {"final_D": float("nan")}, "final_D", "finite"),
    (lambda g: {"final_D": "0.2"}, "final_D", "number"),
    (lambda g: {"accepted_shots": -1}, "accepted_shots", "non-negative integer, got -1"),
    (lambda g: {"shots": 10, "accepted_shots": 11}, "accepted_shots", r"<= shots \(10\)"),
    (lambda g: {"factors": [1, 2]}, "factors", "object"),
    (lambda g: {"factors": {"kinetic": 2.5}}, "factors.kinetic", "non-negative integer"),
    (lambda g: {"success_probability": 1.5}, "success_probability", r"\[0, 1\], got 1.5"),
    (lambda g: {"success_probability": -0.01}, "success_probability", r"\[0, 1\]"),
    (lambda g: {"shots": -3}, "shots", "non-negative"),
    (lambda g: {"shots": 2.5}, "shots", "non-negative"),
    (lambda g: {"grid": {"bounds": "nope"}}, "grid", "valid grid"),
    (lambda g: {"method": 7}, "method", "string"),
    (lambda g: {"statevector": {"real": [1.0]}}, "statevector", "real"),
    (lambda g: {"statevector": {"real": np.zeros((8, 4)).tolist(), "imag": [0.0]}},
     "statevector.imag", "shape"),
    (lambda g: {"extra": [1, 2]}, "extra", "object"),
    (lambda g: {"probabilities": [["a"] * 4] * 8}, "probabilities", "numeric"),
])
def test_invalid_field_is_named(good, changes, field, found):
    with pytest.raises(ResultError) as info:
        Result.from_dict(_with(good, **changes(good)))
    msg = str(info.value)
    assert f"field {field!r}" in msg
    import re

    assert re.search(found, msg), msg
    assert isinstance(info.value, QdqError) and isinstance(info.value, ValueError)


def test_tolerances_accept_rounding_and_zero_D(good):
    p = np.asarray(good["probabilities"])
    Result.from_dict(_with(good, probabilities=(p * (1 + 5e-7)).tolist()))
    Result.from_dict(_with(good, final_D=0.0, success_probability=0.0, shots=None))
    Result.from_dict(_with(good, statevector=None, trace={}, extra=None))


def test_not_a_mapping():
    with pytest.raises(ResultError, match="JSON object, got list"):
        Result.from_dict([1, 2])  # type: ignore[arg-type]


def test_load_result_reports_file_problems(tmp_path, good):
    path = tmp_path / "r.json"
    atomic_write_json(path, good)
    assert load_result(path).probabilities.shape == (8, 4)
    with pytest.raises(ResultError, match="cannot read result file.*moved or deleted"):
        load_result(tmp_path / "gone.json")
    path.write_bytes(b"\xff\xfe{not json")
    with pytest.raises(ResultError, match="not valid JSON"):
        load_result(path)
    path.write_text(json.dumps(_with(good, success_probability=2)))
    with pytest.raises(ResultError, match=r"r\.json.*'success_probability'"):
        load_result(path)
    if os.geteuid() != 0:  # root reads anything
        path.write_text(json.dumps(good))
        path.chmod(0)
        with pytest.raises(ResultError, match="permissions"):
            load_result(path)
