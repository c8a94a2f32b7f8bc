"""Fault-tolerant resource estimates: program counts agree with the estimator's own."""

import json
import time

import pytest
from typer.testing import CliRunner

import qdq
from qdq.circuits.program import program
from qdq.errors import ParameterError, ResourceError

pytest.importorskip("qdk.qre")

from qdq.estimate import counts as counts_mod  # noqa: E402
from qdq.estimate import estimate_circuit, logical_counts  # noqa: E402
from qdq.estimate.counts import LogicalCounts, count_ops  # noqa: E402
from qdq.estimate.physical import trace_from_counts  # noqa: E402


def _specs(steps=None):
    p = qdq.Problem("x**2 + 0.5*y**2 + 0.3*x*y + cos(x)", bounds=[(-1, 1)] * 2, qubits=3)
    H = qdq.Hamiltonian(p, D=0.5)
    return {
        "real-time": qdq.RealTime(H, time=0.5, steps=steps or 3, order=2),
        "anneal": qdq.Anneal(p, D=0.5, time=1.0, steps=steps or 4, order=1),
        "imaginary": qdq.ImaginaryTime(H, time=0.5, steps=steps or 2, order=2),
        "packet": qdq.RealTime(H, time=0.5, steps=steps or 2, order=1,
                               initial=qdq.GaussianPacket(0.2, 0.4)),
        "order-4": qdq.RealTime(H, time=0.5, steps=steps or 2, order=4),
        "cubic": qdq.Anneal(p, D=0.5, time=1.0, steps=steps or 3, order=2,
                            schedule="qhd-cubic"),
    }


def _walk_whole(spec):
    """The counts of the whole program, op by op (no extrapolation)."""
    prog = program(spec, measure=True, ancillas="reuse")
    return count_ops(prog, prog.num_qubits)


@pytest.mark.parametrize("name", ["real-time", "anneal", "imaginary", "packet"])
def test_counts_agree_with_the_estimator_on_the_whole_circuit(name):
    spec = _specs()[name]
    mine = qdq.estimate(spec, target="surface-e3", error_budget=1e-3)
    theirs = estimate_circuit(qdq.build_circuit(spec, measure=True), "surface-e3", 1e-3)
    assert mine.counts == theirs.counts                   # every logical count, cx included
    assert mine.t_count > 0 and mine.rotation_count > 0
    assert mine.physical_qubits == theirs.physical_qubits
    assert mine.runtime_seconds == pytest.approx(theirs.runtime_seconds, rel=1e-12)


@pytest.mark.parametrize("name", ["real-time", "anneal", "imaginary", "order-4"])
def test_counts_match_the_programs_own_resources(name):  # (a packet's preparation: uncounted)
    spec = _specs()[name]
    res = program(spec, measure=True, ancillas="reuse").resources()
    c = logical_counts(spec)
    assert c.cx_count == res["cx"]
    assert c.t_count + c.rotation_count == res["rotations"]   # T angles are rotations there
    assert c.measurement_count == res["measurements"] + spec.grid.num_qubits  # + readout
    assert c.num_qubits == res["qubits"]


@pytest.mark.parametrize("steps", [17, 40])
@pytest.mark.parametrize("name", ["real-time", "anneal", "imaginary", "packet", "order-4",
                                  "cubic"])
def test_extrapolated_counts_equal_the_whole_walk(name, steps):
    spec = _specs(steps)[name]
    assert counts_mod._extrapolated(spec, measure=True, swap_free=True) is not None
    assert logical_counts(spec) == _walk_whole(spec)


def test_a_trillion_steps_are_counted_in_constant_time():
    p = qdq.Problem("x**2", bounds=[(-1, 1)], qubits=3)
    H = qdq.Hamiltonian(p, D=0.5)
    S = 10**12
    start = time.perf_counter()
    big = logical_counts(qdq.RealTime(H, time=1.0, steps=S, order=1))
    assert time.perf_counter() - start < 5.0
    # hand formula from two small programs' own resources: per step 22 CX, 30 rotations
    r2, r3 = (program(qdq.RealTime(H, time=1.0, steps=s, order=1)).resources() for s in (2, 3))
    per_cx, per_rot = r3["cx"] - r2["cx"], r3["rotations"] - r2["rotations"]
    assert (per_cx, per_rot) == (22, 30)
    assert big.cx_count == r2["cx"] + (S - 2) * per_cx
    assert big.t_count + big.rotation_count == r2["rotations"] + (S - 2) * per_rot
    assert big.measurement_count == 3 and big.num_qubits == 3
    # depth: linear once periodic, from two whole walks
    d30, d31 = (_walk_whole(qdq.RealTime(H, time=1.0, steps=s, order=1)).rotation_depth
                for s in (30, 31))
    assert big.rotation_depth == d30 + (S - 30) * (d31 - d30)


def test_a_trillion_step_anneal_is_estimated_or_refused_quickly():
    spec = _specs(10**12)["anneal"]
    start = time.perf_counter()
    with pytest.raises(ResourceError, match="could not estimate .*error budget"):
        qdq.estimate(spec)                                # no code reaches 1e-3 at 1e12 steps
    assert time.perf_counter() - start < 10.0
    e = qdq.estimate(_specs(10**6)["anneal"], error_budget=0.3)
    small = logical_counts(_specs(20)["anneal"])
    assert e.rotation_count == small.rotation_count * 10**6 // 20   # same per-step structure
    assert e.runtime_seconds > 0 and e.code_distance >= 3


def test_a_walk_that_never_repeats_is_refused_when_too_long(monkeypatch):
    p = qdq.Problem("x**2 + cos(3*y)", bounds=[(-1, 1)] * 2, qubits=3)   # dims never interact
    spec = qdq.Anneal(p, D=0.5, time=1.0, steps=40)
    assert logical_counts(spec) == _walk_whole(spec)      # walked whole below the limit
    monkeypatch.setattr(counts_mod, "MAX_WALKED_STEPS", 30)
    with pytest.raises(ResourceError, match="cannot count 40 steps.*use fewer steps"):
        logical_counts(spec)


def test_logical_depth_and_runtime_follow_the_layout():
    e = qdq.estimate(_specs()["real-time"], target="surface-e4")
    k = e.raw["num_ts_per_rotation"]
    c = e.counts
    assert e.logical_depth == (c.measurement_count + c.rotation_count + c.t_count
                               + k * c.rotation_depth)
    assert e.t_states == c.t_count + k * c.rotation_count
    assert e.algorithmic_logical_qubits == 2 * 6 + 7 + 1   # 2n + ceil(sqrt(8n)) + 1, n = 6
    # surface code cycle: (1 H + 4 CNOT) x 50 ns + 100 ns measurement, d cycles per step
    cycle_ns = (50 + 4 * 50 + 100) * e.code_distance
    assert e.runtime_seconds == pytest.approx(e.logical_depth * cycle_ns * 1e-9, rel=1e-9)


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
    for name in ("floquet-maj-e6", "surface-us-e4"):
        assert qdq.estimate(spec, target=name).physical_qubits > 0


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


def test_estimator_failure_is_a_resource_error_with_its_reason(monkeypatch):
    import qdk.qre

    def nothing(*args, **kwargs):
        print("Resource estimation produced zero results.\nno code distance")
        return []

    monkeypatch.setattr(qdk.qre, "estimate", nothing)
    with pytest.raises(ResourceError, match="could not estimate .*zero results. no code "
                                            "distance; raise error_budget"):
        qdq.estimate(_specs()["anneal"])


@pytest.mark.parametrize("bad", [
    LogicalCounts(num_qubits=2, t_count=0, rotation_count=5, rotation_depth=2,
                  measurement_count=0),                   # 3 rotations in a 2-qubit layer
    LogicalCounts(num_qubits=2, t_count=0, rotation_count=1, rotation_depth=2,
                  measurement_count=0),                   # deeper than its rotations
    LogicalCounts(num_qubits=0, t_count=1, rotation_count=0, rotation_depth=0,
                  measurement_count=0),
])
def test_counts_no_circuit_has_are_refused(bad):
    with pytest.raises(ParameterError, match="fit no circuit: got LogicalCounts"):
        trace_from_counts(bad)


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
