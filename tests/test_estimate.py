"""Fault-tolerant resource estimates: program counts agree with the estimator's own."""

import json
import warnings

import pytest
from typer.testing import CliRunner

import qdq
from qdq.errors import ParameterError, ResourceError

pytest.importorskip("qdk")

from qdq.estimate import estimate_circuit, logical_counts  # noqa: E402


def _specs():
    p = qdq.Problem("x**2 + 0.5*y**2 + 0.3*x*y + cos(x)", bounds=[(-1, 1)] * 2, qubits=3)
    H = qdq.Hamiltonian(p, D=0.5)
    return {
        "real-time": qdq.RealTime(H, time=0.5, steps=3, order=2),
        "anneal": qdq.Anneal(p, D=0.5, time=1.0, steps=4, order=1),
        "imaginary": qdq.ImaginaryTime(H, time=0.5, steps=2, order=2),
        "packet": qdq.RealTime(H, time=0.5, steps=2, order=1,
                               initial=qdq.GaussianPacket(0.2, 0.4)),
    }


@pytest.mark.parametrize("name", ["real-time", "anneal", "imaginary", "packet"])
def test_counts_agree_with_the_estimator_on_the_whole_circuit(name):
    spec = _specs()[name]
    mine = qdq.estimate(spec, target="surface-e3", error_budget=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        theirs = estimate_circuit(qdq.build_circuit(spec, measure=True), "surface-e3", 1e-3)
    assert mine.counts == theirs.counts                   # every logical count, cx included
    assert mine.t_count > 0 and mine.rotation_count > 0
    assert mine.physical_qubits == pytest.approx(theirs.physical_qubits, rel=0.05)
    assert mine.runtime_seconds == pytest.approx(theirs.runtime_seconds, rel=0.05)


def test_estimate_object_and_targets():
    spec = _specs()["real-time"]
    e3 = qdq.estimate(spec, target="surface-e3")
    e4 = qdq.estimate(spec, target="surface-e4")
    d = e3.to_dict()
    json.dumps(d)
    assert d["logical_qubits"] == e3.logical_qubits == 6
    assert d["rotation_count"] == e3.rotation_count and d["t_count"] == e3.t_count
    assert e3.runtime_seconds > 0 and e3.code_distance > e4.code_distance
    assert e4.physical_qubits < e3.physical_qubits       # better qubits, smaller code
    assert qdq.estimate(spec, target="floquet-maj-e6").physical_qubits > 0


@pytest.mark.parametrize("kwargs, match", [
    ({"target": "surface-e5"}, r"unknown estimate target 'surface-e5'.*did you mean"),
    ({"target": "qubit_gate_ns_e3"}, r"unknown estimate target 'qubit_gate_ns_e3'"),
    ({"error_budget": 0.0}, r"error_budget must be a probability in \(0, 1\), got 0.0"),
    ({"error_budget": 1.5}, r"got 1.5"),
    ({"error_budget": "lots"}, r"got 'lots'"),
])
def test_unknown_target_or_budget_is_refused(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        qdq.estimate(_specs()["anneal"], **kwargs)


def test_estimator_failure_is_a_resource_error(monkeypatch):
    import qdk.estimator

    def boom(self, params=None):
        raise qdk.estimator.EstimatorError("no code distance", "x")

    monkeypatch.setattr(qdk.estimator.LogicalCounts, "estimate", boom)
    with pytest.raises(ResourceError, match="could not estimate .*no code distance"):
        qdq.estimate(_specs()["anneal"])


def test_a_grid_far_larger_than_memory_is_estimated_and_built():
    f = qdq.benchmarks.get("rastrigin", dims=10)
    p = qdq.Problem(f, qubits=8)                          # 2^80 points, 10 groups of 256
    assert p.grid.num_qubits == 80 and all(len(t.dims) <= 1 for t in p.terms)
    with pytest.raises(ResourceError, match="2\\^80 points"):
        _ = p.values
    one = qdq.Anneal(p, D=0.5, time=10.0, steps=1)
    qc = qdq.build_circuit(one, measure=True)
    assert qc.num_qubits == 80
    counts = logical_counts(qdq.Anneal(p, D=0.5, time=10.0, steps=20))
    assert counts.num_qubits == 80 and counts.measurement_count == 80
    assert counts.rotation_count > 20 * 10 * 8           # ≥ one rotation per qubit per step
    e = qdq.estimate(qdq.Anneal(p, D=0.5, time=10.0, steps=20))
    assert e.logical_qubits == 80 and e.physical_qubits > 80
    with pytest.raises(ResourceError, match="80-qubit"):
        qdq.run(qdq.Anneal(p, D=0.5, time=10.0, steps=20), backend="emulator")


def test_a_group_too_wide_is_still_refused():
    with pytest.raises(ResourceError, match="term group .* spans 80 qubits"):
        qdq.Problem("x0*x1*x2*x3*x4*x5*x6*x7*x8*x9", bounds=[(-1, 1)] * 10, qubits=8)
    with pytest.raises(ResourceError, match="80 qubits"):
        qdq.Problem(lambda *x: sum(x), bounds=[(-1, 1)] * 10, qubits=8)


def test_cli_estimate_json_and_errors():
    from qdq.cli import app

    out = CliRunner().invoke(app, ["estimate", "--qubits", "3", "--steps", "3", "--method",
                                   "real-time", "--target", "surface-e4", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["target"] == "surface-e4" and data["logical_qubits"] == 3
    assert data["settings"]["steps"] == 3 and data["physical_qubits"] > 0
    bad = CliRunner().invoke(app, ["estimate", "--qubits", "3", "--target", "nope", "--json"])
    assert bad.exit_code == 2
    assert "unknown estimate target 'nope'" in json.loads(bad.stdout)["error"]["message"]
